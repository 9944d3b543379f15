"""The Jinja environment shared by the renderers.

Templates ship inside the wheel as `generator/templates/`; in a source
checkout (or an editable install) they are the top-level `templates/`.
A user's template folder (`--templates DIR`) comes first: a template found
there replaces the built-in one of the same name, the rest stay built-in.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, MutableMapping, Optional, Sequence, Union

import jinja2
import jinja2.filters
import jinja2.runtime

from .diagnostics import Diagnostic, SpecError

Filters = tuple[tuple[str, Callable[..., object]], ...]

# The user's template folder for this process (worker processes inherit it).
_user_templates: Optional[Path] = None


def builtin_templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    shipped = here / "templates"
    return shipped if shipped.is_dir() else here.parent / "templates"


def use_templates(directory: Optional[Path]) -> None:
    """Render from `directory` first from now on (None: built-ins only)."""
    global _user_templates
    if directory != _user_templates:
        _user_templates = directory
        environment.cache_clear()
        _built_in.cache_clear()


def templates_digest() -> str:
    """Digest of the user's templates in use ("" when none): part of the cache key."""
    if _user_templates is None:
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in _user_templates.rglob("*") if p.is_file()):
        digest.update(path.relative_to(_user_templates).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict.

    Every render copies a template's globals into its context: a dict in
    one C call, where Jinja's default ChainMap (there so that later changes
    to the environment's globals show; nothing here makes any) is walked
    key by key in Python."""

    def make_globals(self, d: Optional[MutableMapping[str, Any]]) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling a macro straight (with the eval context, as
    Jinja's `call` finds out by inspecting each callee): the docs templates
    call 45k macros a cold run."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(__obj) is jinja2.runtime.Macro:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(__self.eval_ctx, *args, **kwargs)
        return super().call(__obj, *args, **kwargs)


@lru_cache(maxsize=None)
def environment(filters: Filters = ()) -> jinja2.Environment:
    """An environment over the user's and the built-in templates.

    Undefined variables fail loudly; nothing is HTML-escaped (the renderers
    escape for their own target language through the filters they pass).
    Only a user's templates are checked for edits before each render (a
    `stat` per template): they may change while a watch or a script runs,
    the built-in ones are part of md2models."""
    folders = [str(builtin_templates_dir())]
    if _user_templates is not None:
        folders.insert(0, str(_user_templates))
    env = _Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=_user_templates is not None,
    )
    # Rendering is synchronous: `join` (52k calls a cold run) is called as
    # its sync function, not through Jinja's async dispatch on each call.
    env.filters["join"] = jinja2.filters.sync_do_join
    env.context_class = _Context
    env.filters.update(dict(filters))
    return env


def render(name: Union[str, Sequence[str]], context: Mapping[str, object], filters: Filters = ()) -> str:
    """Render template `name`; given several names, the first that exists.
    A template that does not compile or render (a user's, most likely) is a
    SpecError at its file and line."""
    env = environment(filters)
    names = name if isinstance(name, str) else tuple(name)
    try:
        # Jinja's own lookup (a locked LRU cache) costs 3-4% of rendering a
        # module or a docs page: the built-in templates are looked up once; a
        # user's, which may be edited while a watch runs, each time (Jinja
        # checks them for edits).
        template = _lookup(env, names) if env.auto_reload else _built_in(env, names)
        return template.render(context)
    except jinja2.TemplateError as exc:
        raise SpecError([Diagnostic(*_where(exc), "error", f"template: {exc.message or type(exc).__name__}",
                                    "template-error")]) from None


@lru_cache(maxsize=None)
def _built_in(env: jinja2.Environment, names: Union[str, tuple[str, ...]]) -> jinja2.Template:
    return _lookup(env, names)


def _lookup(env: jinja2.Environment, names: Union[str, tuple[str, ...]]) -> jinja2.Template:
    return env.get_template(names) if isinstance(names, str) else env.select_template(list(names))


def _where(exc: jinja2.TemplateError) -> tuple[str, int, int]:
    """The template file and line of an error: a syntax error says it; at
    render time Jinja points the traceback's frames at the template's lines."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno, 1
    frame, found = exc.__traceback__, ("<template>", 1, 1)
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith((".jinja", ".j2")):
            found = (filename, frame.tb_lineno, 1)
        frame = frame.tb_next
    return found
