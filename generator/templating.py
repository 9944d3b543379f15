"""The Jinja environment shared by the renderers.

Templates ship inside the wheel as `generator/templates/`; in a source
checkout (or an editable install) they are the top-level `templates/`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

import jinja2


def builtin_templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    shipped = here / "templates"
    return shipped if shipped.is_dir() else here.parent / "templates"


@lru_cache(maxsize=None)
def environment(filters: tuple[tuple[str, Callable[..., object]], ...] = ()) -> jinja2.Environment:
    """An environment over the built-in templates.

    Undefined variables fail loudly; nothing is HTML-escaped (the renderers
    escape for their own target language through the filters they pass)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(builtin_templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dict(filters))
    return env


def render(name: str, context: Mapping[str, object], filters: tuple[tuple[str, Callable[..., object]], ...] = ()) -> str:
    return environment(filters).get_template(name).render(context)

