"""The Python renderer: resolved IR -> a typed, self-contained package.

The rendering API: one model's module (`render_module`), the package's own
files (`render_package`), both (`render_python`), and what a module exports.
What a model's module defines is decided in `pyblocks` and spelt as tokens
in `pysyntax`; module structure lives in `templates/python/`; line layout
lives in `pylayout` (black-compatible by construction).  Everything from a
spec reaches the templates either as a laid-out statement or as an escaped
docstring (`pyescape.docstring`), escaped exactly once, in `pyescape`.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence, Union

from . import naming
from .config import PYTHON_VERSIONS, TARGETS
from .ir import AnyModel, ObjectModel
from .overrides import NO_OVERRIDES, FieldFix, ModelFix, Overrides
from .pyblocks import BlockView, added_views, field_pair, model_blocks
from .pyescape import docstring, py_str
from .pyimports import isort_key, natural
from .pysyntax import Ctx, Spelling
from .resolve import summarize
from .summary import Resolved, Summary
from .templating import render

# Output kinds (`--target`): what each module defines.
#   pydantic     pydantic v2 models + TypedDict twins (the default)
#   dataclasses  stdlib `@dataclasses.dataclass` classes; no third-party import
#   typeddict    the TypedDict twins alone (typing_extensions only)
DEFAULT_TARGET = TARGETS[0]
DEFAULT_PYTHON = PYTHON_VERSIONS[0]


def _template(name: str, target: str) -> Union[str, list[str]]:
    """`python/<target>/<name>` when there is one, else the shared `python/<name>`."""
    return name if target == DEFAULT_TARGET else [f"python/{target}/{name[len('python/'):]}", name]


def _module_text(resolved: Resolved, m: AnyModel, enum_style: str, overrides: Overrides,
                 target: str = DEFAULT_TARGET, python_version: str = DEFAULT_PYTHON) -> str:
    ctx = _ctx(resolved, m, overrides, target, python_version, enum_style)
    blocks = model_blocks(m, ctx, enum_style)  # first: building the blocks records the imports
    return render(
        _template("python/module.py.jinja", target),
        {"imports": ctx.import_lines(), "blocks": blocks, "bottom": ctx.bottom_lines(), "py": ctx.spelling},
    )


def _ctx(resolved: Resolved, m: AnyModel, overrides: Overrides, target: str, python_version: str,
         enum_style: str) -> Ctx:
    cls = overrides.class_name(m.key, m.name)
    return Ctx(resolved, m, naming.module_path(m.path).split("/"), {cls, naming.twin_name(cls)}, overrides, target,
               Spelling.of(python_version), enum_style)


def model_views(m: AnyModel, resolved: Resolved, *, enum_style: str = "literal",
                overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET,
                python_version: str = DEFAULT_PYTHON) -> list[BlockView]:
    """What `m`'s module defines, as laid-out statements (class headers,
    field statements): what the language server shows on hover."""
    return model_blocks(m, _ctx(resolved, m, overrides, target, python_version, enum_style), enum_style)


def exported_names(m: Union[AnyModel, Summary], overrides: Overrides = NO_OVERRIDES,
                   target: str = DEFAULT_TARGET) -> list[str]:
    cls = overrides.class_name(m.key, m.name)
    if m.kind == "enum" or target == "dataclasses":
        return [cls]
    if target == "typeddict":
        return [naming.twin_name(cls)]
    return [cls, naming.twin_name(cls)]


def _init_text(entries: list[tuple[str, str]], title: str, target: str, spelling: Spelling) -> str:
    """A lazy `__init__`: entries are (name, relative module).

    The type-checking imports are always exploded with a magic trailing
    comma, a layout black keeps whatever the length: no layout pass needed
    for tens of thousands of names."""
    if spelling.modern:  # `__all__` and each import's names in isort's order
        entries = sorted(entries, key=lambda entry: isort_key(entry[0], fold=False))
    by_module: dict[str, list[str]] = {}
    for n, mod in entries:
        by_module.setdefault(mod, []).append(n)
    return render(
        _template("python/init.py.jinja", target),
        {
            "doc": docstring(title, 0),
            "imports": sorted(by_module.items(), key=lambda item: natural(item[0]) if spelling.modern else item[0]),
            "entries": [(py_str(n), py_str(mod)) for n, mod in entries],
            "py": spelling,
            # only pydantic models carry `@deprecated`, which pyright's strict mode reports where imported
            "deprecated_reexports": target == DEFAULT_TARGET and bool(entries),
        },
    )


def render_module(model: AnyModel, resolved: Resolved, *, enum_style: str = "literal",
                  overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET,
                  python_version: str = DEFAULT_PYTHON) -> tuple[str, str]:
    """(module path relative to the package, e.g. `models/foo.py`, its text).

    `enum_style` ("literal" or "enum") is the representation of enums whose
    docs do not say (older table-form docs); `target` one of `TARGETS`;
    `python_version` one of `PYTHON_VERSIONS`."""
    return naming.module_path(model.path) + ".py", _module_text(resolved, model, enum_style, overrides, target,
                                                                python_version)


def field_statements(model: ObjectModel, resolved: Resolved, fixes: Mapping[str, FieldFix],
                     added: Sequence[FieldFix] = ()) -> list[str]:
    """The pydantic field statement of each of `model`'s fields (doc order,
    `__pydantic_extra__` left out) as the default target writes it with
    `fixes` (by the doc's field name), then of the `added` fields: for
    comparing code with what `generate` would write (`md2models overrides`)."""
    cls = naming.class_name(model.name)
    ctx = Ctx(resolved, model, naming.module_path(model.path).split("/"), {cls, naming.twin_name(cls)},
              Overrides({model.key: ModelFix(added=tuple(added))}) if added else NO_OVERRIDES, DEFAULT_TARGET,
              Spelling.of(DEFAULT_PYTHON))
    views = [field_pair(f, ctx, fixes.get(f.name), main=True, twin=False)[0] for f in model.fields if not f.is_extra]
    return [view.stmt for view in views if view is not None] + [view.stmt for view in added_views(model, ctx)]


def render_package(summaries: Iterable[Summary], package: str, overrides: Overrides = NO_OVERRIDES,
                   target: str = DEFAULT_TARGET, python_version: str = DEFAULT_PYTHON) -> dict[str, str]:
    """The package's own files: runtime, `py.typed` and the `__init__`s.

    {path relative to the package: text}; `summaries` in spec (path) order.
    Only the top-level `__init__` is an index: sub-folder `__init__`s stay
    empty, so importing one model never loads a second index of every name.
    A name that several namespaces define is left out of the index (import
    it from its module) rather than picked."""
    top: dict[str, list[str]] = {}  # name -> the modules defining it
    modules: list[str] = []
    for m in summaries:
        modules.append(naming.module_path(m.path))
        for n in exported_names(m, overrides, target):
            top.setdefault(n, []).append("." + modules[-1].replace("/", "."))
    entries = [(n, defined[0]) for n, defined in top.items() if len(defined) == 1]
    spelling = Spelling.of(python_version)
    files = {
        "_runtime.py": render(_template("python/runtime.py.jinja", target), {"py": spelling}),
        "py.typed": "",
        "__init__.py": _init_text(entries, f"The {package} models (lazily imported).", target, spelling),
    }
    folder_init = render(_template("python/folder_init.py.jinja", target), {})
    files.update((path, folder_init) for path in package_paths(modules) if path not in files)
    return files


def package_paths(modules: Iterable[str]) -> list[str]:
    """The paths of the package's own files (see `render_package`), given
    the paths of its modules ("models/foo")."""
    folders = sorted(naming.ancestors(modules))
    return ["_runtime.py", "py.typed", "__init__.py", *(f"{folder}/__init__.py" for folder in folders)]


def render_python(models: Sequence[AnyModel], resolved: Resolved, package: str, *, enum_style: str = "literal",
                  overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET,
                  python_version: str = DEFAULT_PYTHON) -> dict[str, str]:
    """All files of OUT/<package>/ as {POSIX path relative to OUT: text}."""
    summaries = map(summarize, models)
    files = {f"{package}/{path}": text
             for path, text in render_package(summaries, package, overrides, target, python_version).items()}
    for model in models:
        path, text = render_module(model, resolved, enum_style=enum_style, overrides=overrides, target=target,
                                   python_version=python_version)
        files[f"{package}/{path}"] = text
    return files
