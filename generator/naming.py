"""Python names for spec names: modules, classes, attributes, enum members.

Pure and cheap: the resolve stage calls these to detect collisions.  Every
function returns a valid, non-reserved ASCII identifier (or a `/`-joined path
of them), so templates can print the result without further checks.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from functools import lru_cache
from typing import Iterable

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Names the generated modules themselves bind at module level (imports from
# the runtime, typing, pydantic, the stdlib).  A class with such a name would
# shadow them, so it gets a trailing `_`.
RUNTIME_NAMES = frozenset(
    {
        "BaseModel", "UNSET", "Unset", "Nullable", "OptionalNullable",
        "UnrecognizedStr", "UnrecognizedInt", "HttpxResponse", "HttpxRequest",
        "RequestsResponse", "open_enum_member",
    }
)
MODULE_LEVEL_NAMES = RUNTIME_NAMES | frozenset(
    {
        "Any", "Dict", "List", "Literal", "Optional", "Union", "IO", "ClassVar",
        "TYPE_CHECKING", "Annotated", "NotRequired", "TypedDict", "TypeAliasType",
        "deprecated", "Enum", "Decimal", "date", "datetime", "io", "pydantic",
        "typing", "typing_extensions",
    }
)

# The public attributes of pydantic v2's `BaseModel` (`dir(BaseModel)`; the
# test suite checks the list against the installed pydantic).  A field of
# such a name is refused (`model_config`), shadows a method every model needs
# (`model_dump`, `model_copy`, `model_post_init`), or makes pydantic warn at
# import and mypy fail (`json`, `dict`, `copy`, `schema`, `validate`):
# each gets a trailing `_` and an alias.  Other `model_*` names are fine: the
# runtime's BaseModel sets `protected_namespaces=()`, as the real SDK models
# do (`model_type`, `model_parameters`).
PYDANTIC_ATTRIBUTES = frozenset(
    {
        "copy", "dict", "json", "schema", "schema_json", "validate", "construct",
        "from_orm", "parse_obj", "parse_raw", "parse_file", "update_forward_refs",
        "model_computed_fields", "model_config", "model_construct", "model_copy",
        "model_dump", "model_dump_json", "model_extra", "model_fields",
        "model_fields_set", "model_json_schema", "model_parametrized_name",
        "model_post_init", "model_rebuild", "model_validate", "model_validate_json",
        "model_validate_strings",
    }
)

_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def _is_ident(name: str) -> bool:
    return bool(_IDENT.match(name)) and name.isascii()


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _sanitize(name: str) -> str:
    """Any text -> an ASCII identifier (invalid characters become `_`)."""
    if _is_ident(name):
        return name
    out = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    if out[0].isdigit():
        out = "_" + out
    return out


def _unusable_attribute(name: str) -> bool:
    """A name Python or pydantic v2 cannot take as a field: a keyword, a
    private or dunder name (`_x`), or a `BaseModel` attribute.  Builtins and
    the names the generated modules import are usable: class bodies refer to
    those through module aliases where a field shadows them (pysyntax)."""
    return keyword.iskeyword(name) or name.startswith("_") or name in PYDANTIC_ATTRIBUTES


def _speakeasy_reserved(stem: str) -> bool:
    """Names Speakeasy itself renames with a trailing `_` in the docs
    (`from_`, `format_`, `schema_`, `date_`): the wire name is the stem."""
    return (keyword.iskeyword(stem) or _is_dunder(stem) or stem in MODULE_LEVEL_NAMES
            or stem in PYDANTIC_ATTRIBUTES or stem in _BUILTINS)


def is_safe_attribute(name: str) -> bool:
    """Whether `name` can be a field attribute as it is (what `attribute` keeps unchanged)."""
    return _is_ident(name) and not _unusable_attribute(name)


@lru_cache(maxsize=None)
def namespace_of(doc_path: str) -> str:
    """A doc's namespace: its folder's name (`models/components/pet.md`:
    `components`), `models` at the top of a root without one."""
    return doc_path.rpartition("/")[0].rpartition("/")[2] or "models"


def doc_model_name(doc_path: str) -> str:
    """The model a doc's file is named after, lower case, as Speakeasy names
    docs (`models/pet.md`, and `models/class_.md` for `Class`): `pet`, `class`."""
    return doc_path.rpartition("/")[2][:-3].rstrip("_")


@lru_cache(maxsize=None)
def module_path(doc_path: str) -> str:
    """`models/foo.md` -> `models/foo`: every part a valid identifier.

    Keywords, builtins, stdlib module names and dunders get a trailing `_`,
    so a generated module never shadows one (`models/json.md` ->
    `models/json_`); invalid characters become `_`."""
    stem = doc_path[:-3] if doc_path.endswith(".md") else doc_path
    parts = []
    for part in stem.split("/"):
        p = _sanitize(part)
        if (
            keyword.iskeyword(p)
            or p in _BUILTINS
            or p in _STDLIB
            or _is_dunder(p)
            or p in {"_runtime", "py"}
        ):
            p += "_"
        parts.append(p)
    return "/".join(parts)


@lru_cache(maxsize=None)
def class_name(title: str) -> str:
    """The class (or alias) name for a doc title: the title verbatim when
    safe, else sanitized and/or given a trailing `_` (keywords, builtins,
    dunders, names the generated modules bind: `BaseModel`, `List`, ...).

    A leading `__` becomes `_`: inside a class body (the TypedDict twins
    refer to other models there) Python would mangle `__X`."""
    name = _sanitize(title)
    if name.startswith("__"):
        name = "_" + name.lstrip("_")
    if keyword.iskeyword(name) or name in _BUILTINS or name in MODULE_LEVEL_NAMES or _is_dunder(name):
        name += "_"
    return name


def twin_name(cls: str) -> str:
    return cls + "TypedDict"


@lru_cache(maxsize=None)
def attribute(field_name: str) -> tuple[str, str | None]:
    """(attribute name, wire alias or None) for a `## Fields` name.

    The doc's name is the attribute name: the docs already rename reserved
    names with a trailing `_` (`from_`, `schema_`), whose wire name is the
    stem.  Only a name Python or pydantic cannot take (a keyword, `_x`, a
    `BaseModel` attribute, a non-identifier) becomes a usable name aliased
    to the original; builtins (`next`, `hash`, `list`) and everything else
    stay as the doc shows them."""
    wire = field_name
    if field_name.endswith("_") and not field_name.endswith("__"):
        stem = field_name[:-1]
        if stem and _speakeasy_reserved(stem):
            wire = stem
            if _is_ident(field_name) and not _unusable_attribute(field_name):
                return field_name, wire
    if _is_ident(wire) and not _unusable_attribute(wire):
        return wire, None
    # pydantic treats `_x` as private: drop leading underscores (`_id` -> `id`)
    safe = _sanitize(wire).lstrip("_") or "field"
    if safe[0].isdigit():
        safe = "f_" + safe
    while _unusable_attribute(safe):
        safe += "_"
    return safe, (wire if safe != wire else None)


@lru_cache(maxsize=None)
def enum_member(value: object) -> str:
    """A member name derived from a value (list-form enums): `"-created_at"`
    -> `MINUS_CREATED_AT`, `100` -> `VALUE_100`, `""` -> `EMPTY`."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        value = str(value)
    if isinstance(value, int):
        return f"VALUE_{value}" if value >= 0 else f"VALUE_MINUS_{-value}"
    text = value.replace("-", " minus ", 1) if value.startswith("-") else value
    name = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    if not name:
        return "EMPTY"
    if name[0].isdigit():
        name = "VALUE_" + name
    return name


def safe_member(member: str, value: object) -> str:
    """The table's member name when usable, else one derived from the value."""
    if _is_ident(member) and not keyword.iskeyword(member) and not member.startswith("_") and member != "mro":
        return member
    return enum_member(value)


def enum_members(values: Iterable[tuple[str, object]]) -> list[str]:
    """The member names of an Enum class of (table member or "", value) pairs,
    in order: `safe_member` or `enum_member`, repeats numbered `_2`, `_3`."""
    seen: set[str] = set()
    out = []
    for given, value in values:
        member = safe_member(given, value) if given else enum_member(value)
        base, n = member, 1
        while member in seen:
            n += 1
            member = f"{base}_{n}"
        seen.add(member)
        out.append(member)
    return out


def ancestors(paths: Iterable[str]) -> set[str]:
    """Every folder above the POSIX paths: "a", "a/b" for "a/b/c"."""
    found: set[str] = set()
    for path in paths:
        parent = path.rpartition("/")[0]
        while parent and parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found
