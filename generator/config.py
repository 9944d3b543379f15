"""`[tool.md2models]` of pyproject.toml: defaults for every CLI option.

Relative paths in the config are relative to the pyproject.toml holding it;
options given on the command line win.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .parse import DEFAULT_EXCLUDE
from .wirenames import POLICIES

KEYS = {"specs", "out", "package", "exclude", "jobs", "templates", "overrides", "target", "strict",
        "wire_names", "format", "docs_out", "state_dir", "python_version"}
# Output kinds (`--target`), the default first; see `pyrender`.
TARGETS = ("pydantic", "dataclasses", "typeddict")
# The Python versions the generated code is written for (`--python-version`),
# the default first: it keeps the `typing` spellings every version reads.
PYTHON_VERSIONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
# How rendered .py files are formatted (`--format`): as rendered, or by black; see `formatting`.
FORMATS = ("none", "black")
# `docs_out = "none"` (`--docs-out none`): write no docs; see `layout`.
NO_DOCS = "none"


class ConfigError(Exception):
    """A bad `[tool.md2models]` table; the message says where."""


@dataclass(frozen=True)
class Config:
    specs: Path = Path("specs")
    out: Path = Path("output")
    package: str = "models"
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    jobs: int = 0  # 0: one per CPU
    templates: Optional[Path] = None  # a folder of templates replacing built-in ones
    # a TOML file of overrides; the pyproject.toml itself when it holds [tool.md2models.overrides]
    overrides: Optional[Path] = None
    target: str = TARGETS[0]  # the output kind: pydantic, dataclasses or typeddict
    strict: bool = False  # every warning is an error (generate, check; lint exits 1)
    wire_names: str = POLICIES[0]  # how fields are named on the wire: as-is or camelCase (see wirenames)
    format: str = FORMATS[0]  # none, or black: run black on the rendered .py files
    docs_out: Optional[str] = None  # the docs' folder (None: OUT/docs), or NO_DOCS; see `layout`
    state_dir: Optional[Path] = None  # the folder of the manifest and cache (None: OUT itself); see `layout`
    python_version: str = PYTHON_VERSIONS[0]  # the oldest Python the generated code runs on (see pysyntax.Spelling)
    source: Optional[Path] = None  # the pyproject.toml it came from


def find_pyproject(start: Path) -> Optional[Path]:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Optional[Path] = None) -> Config:
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: error: cannot read config: {exc}") from None
    table: Any = data.get("tool", {}).get("md2models")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: error: [tool.md2models] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: error: unknown [tool.md2models] key(s): {', '.join(unknown)}")
    base = path.parent
    target = _choice(path, table, "target", TARGETS)
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{path}: error: bad [tool.md2models] value: strict must be true or false, not {strict!r}")
    wire_names = _choice(path, table, "wire_names", POLICIES)
    code_format = _choice(path, table, "format", FORMATS)
    python_version = _choice(path, table, "python_version", PYTHON_VERSIONS)
    try:
        return Config(
            specs=_relative(base, table.get("specs", "specs")),
            out=_relative(base, table.get("out", "output")),
            package=str(table.get("package", "models")),
            exclude=tuple(str(p) for p in table.get("exclude", DEFAULT_EXCLUDE)),
            jobs=int(table.get("jobs", 0)),
            templates=_relative(base, table["templates"]) if "templates" in table else None,
            overrides=_overrides_path(path, table.get("overrides")),
            target=target,
            strict=strict,
            wire_names=wire_names,
            format=code_format,
            docs_out=_docs_out(base, table.get("docs_out")),
            state_dir=_state_dir(base, table.get("state_dir")),
            python_version=python_version,
            source=path,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: error: bad [tool.md2models] value: {exc}") from None


def _choice(path: Path, table: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    """The value of `key`, one of `allowed` (the first is the default)."""
    value = table.get(key, allowed[0])
    if value not in allowed:
        raise ConfigError(f"{path}: error: bad [tool.md2models] value: {key} must be one of "
                          f"{', '.join(allowed)}, not {value!r}")
    return str(value)


def _docs_out(base: Path, value: object) -> Optional[str]:
    if value is None or value == NO_DOCS:
        return None if value is None else NO_DOCS
    if not isinstance(value, str):
        raise ValueError(f"docs_out must be a folder or {NO_DOCS!r}")
    return str(_relative(base, value))


def _state_dir(base: Path, value: object) -> Optional[Path]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("state_dir must be a folder")
    return _relative(base, value)


def _overrides_path(pyproject: Path, value: object) -> Optional[Path]:
    """`overrides = "file.toml"` names a file; a `[tool.md2models.overrides]`
    table is read from the pyproject.toml itself (by `overrides.load_overrides`)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return _relative(pyproject.parent, pyproject.name)
    if not isinstance(value, str):
        raise ValueError("overrides must be a file name or a table")
    return _relative(pyproject.parent, value)


def _relative(base: Path, value: object) -> Path:
    path = Path(str(value))
    if path.is_absolute():
        return path
    try:
        return (base / path).relative_to(Path.cwd())
    except ValueError:
        return base / path
