"""Overrides: facts about models that the markdown cannot say.

Read from `[tool.md2models.overrides]` of a pyproject.toml, or from a TOML
file with the same structure at its top level:

    [models.GetSessionResponseBody]          # a title, or "namespace.Title"
    class_name = "SessionBody"
    bases = ["pkg.mixins:Mixin"]             # "module:Name" or "pkg.mod.Name"
    decorators = ["pkg.deco.register"]
    [models.GetSessionResponseBody.fields.id]
    alias = "_id"
    type = "Optional[str]"
    default = "None"                         # a literal, UNSET, an allowed call or an enum member
    [models.GetSessionResponseBody.fields.next]
    added = true                             # a field no doc lists: `type` says what it is
    type = "Callable[[], Optional[GetSessionResponseBody]]"
    exclude = true                           # never dumped
    [models.Content]                         # a union
    members = ["TextPart", "str"]            # the member order
    discriminator = "type"                   # the tag field ("": no discriminator)

Two steps, so that every problem is a `Diagnostic` at the file's line:
`load_overrides` checks the file on its own (keys, Python syntax, literals,
identifiers); `OverridesFile.bind` checks it against the resolved spec
(models, fields, the names a type uses) and turns each type into an IR type
tree.  Nothing reaches the generated code as text: the renderer re-renders
types from the tree, and literals and names through its own escaping.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import keyword
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Union

from . import naming
from .diagnostics import Diagnostic, SpecError
from .ir import Generic, LiteralType, Primitive, Ref, TypeNode
from .summary import Resolved, Summary
from .wirenames import NO_WIRE_NAMES, Clash, WireNames, clashes

Scalar = Union[str, int, float, bool, None]
PYPROJECT_TABLE = ("tool", "md2models", "overrides")
MODEL_KEYS = {"class_name", "bases", "decorators", "fields", "members", "discriminator"}
UNION_KEYS = {"class_name", "members", "discriminator"}
FIELD_KEYS = {"name", "alias", "type", "default", "added", "exclude"}
# Default calls the generated code may make, with the import each needs
# (a `dateutil` default makes the package need python-dateutil, as the SDKs do).
DEFAULT_CALLS: dict[str, tuple[str, str]] = {
    "dateutil.parser.isoparse": ("import", "dateutil.parser"),
    "datetime.fromisoformat": ("datetime", "datetime"),
    "date.fromisoformat": ("datetime", "date"),
    "Decimal": ("decimal", "Decimal"),
}
# Names a type override may use besides model names.
TYPE_ATOMS = ("str", "int", "float", "bool", "bytes", "Any", "Decimal", "date", "datetime",
              "httpx.Response", "httpx.Request", "requests.Response")
TYPE_GENERICS = {"List": 1, "Dict": 2, "Optional": 1, "Union": 0, "Nullable": 1, "OptionalNullable": 1,
                 "Callable": 2, "eventstreaming.EventStream": 1, "eventstreaming.EventStreamAsync": 1}


@dataclass(frozen=True)
class Default:
    """A field default: `literal` (a scalar), `unset` (UNSET), `call` (`func("text")`)
    or `member` (an enum member: `value` its name, `func` the enum as written;
    once bound, `enum` is the enum model's key)."""

    kind: str
    value: Scalar = None
    func: str = ""
    enum: Optional[tuple[str, str]] = None


@dataclass(frozen=True)
class Imported:
    """A name imported from an absolute module: `from module import name`."""

    module: str
    name: str


@dataclass(frozen=True)
class FieldEntry:
    name: str
    line: int
    alias: Optional[str] = None
    type: Optional[str] = None  # Python annotation text, syntax checked
    type_line: int = 0
    default: Optional[Default] = None
    attribute: Optional[str] = None  # the `name` key: the attribute in the code, when not the doc's
    added: bool = False  # a field the doc lacks (`name` is then its attribute)
    exclude: bool = False  # left out of dumps
    default_line: int = 0
    default_col: int = 1  # where the default's value starts
    default_text: str = ""


@dataclass(frozen=True)
class ModelEntry:
    key: str  # "Title" or "namespace.Title"
    line: int
    class_name: Optional[str] = None
    class_line: int = 0
    bases: tuple[Imported, ...] = ()
    decorators: tuple[Imported, ...] = ()
    fields: tuple[FieldEntry, ...] = ()
    members: Optional[tuple[str, ...]] = None  # a union's member order, as type texts
    discriminator: Optional[str] = None  # a union's tag field ("": none)
    union_line: int = 0


@dataclass(frozen=True)
class FieldFix:
    alias: Optional[str] = None
    type: Optional[TypeNode] = None
    default: Optional[Default] = None
    name: Optional[str] = None  # the attribute; the wire name stays the doc's unless `alias` says
    exclude: bool = False  # left out of dumps (pydantic target)


@dataclass(frozen=True)
class ModelFix:
    class_name: Optional[str] = None
    bases: tuple[Imported, ...] = ()
    decorators: tuple[Imported, ...] = ()
    fields: Mapping[str, FieldFix] = field(default_factory=dict)  # by the doc's field name
    refs: tuple[tuple[str, str], ...] = ()  # models the override types and member defaults refer to
    added: tuple[FieldFix, ...] = ()  # fields no doc lists (`name` and `type` always set), after the doc's
    members: Optional[tuple[TypeNode, ...]] = None  # a union's member order
    discriminator: Optional[str] = None  # a union's tag field as the docs name it; "": none


@dataclass(frozen=True)
class Overrides:
    """Overrides bound to a spec, by model key; what the renderer consults."""

    models: Mapping[tuple[str, str], ModelFix] = field(default_factory=dict)
    # The wire names of fields no alias here names: the policy and the docs' evidence.
    wire: WireNames = NO_WIRE_NAMES

    def model(self, key: tuple[str, str]) -> ModelFix:
        return self.models.get(key) or _NO_FIX

    def class_name(self, key: tuple[str, str], title: str) -> str:
        fix = self.models.get(key)
        return fix.class_name if fix is not None and fix.class_name else naming.class_name(title)

    def wire_clashes(self, policy: str, models: Iterable[tuple[str, tuple[str, str], Iterable[tuple[str, int, int]]]]
                     ) -> list[Clash]:
        """`wirenames.clashes`, less the fields an alias here names."""
        return [clash for clash in clashes(policy, models)
                if getattr(self.model(clash.key).fields.get(clash.name), "alias", None) is None]


_NO_FIX = ModelFix()
NO_OVERRIDES = Overrides()


@dataclass(frozen=True)
class OverridesFile:
    """A checked overrides file, not yet bound to a spec."""

    path: str
    models: tuple[ModelEntry, ...]

    @property
    def digest(self) -> str:
        """Part of the build cache key: any change regenerates everything."""
        return hashlib.sha256(repr(self.models).encode()).hexdigest()

    def bind(self, resolved: Resolved) -> tuple[Overrides, list[Diagnostic]]:
        """Check against the spec; raise SpecError with every error.  Returns
        the warnings too: stale entries (a model, field or type's model the
        spec no longer has), which are left out so that upstream removals
        do not block regeneration (`--strict` makes them errors)."""
        problems: list[Diagnostic] = []
        warnings: list[Diagnostic] = []
        bound: dict[tuple[str, str], ModelFix] = {}
        titles = ModelNames(resolved.by_key)
        lookup = titles.lookup

        def error(line: int, message: str) -> None:
            problems.append(Diagnostic(self.path, line, 1, "error", message, "override-mismatch"))

        def stale(line: int, message: str) -> None:
            warnings.append(Diagnostic(self.path, line, 1, "warning", f"stale override: {message}", "stale-override"))

        def unknown(line: int, title: str, where: str, ignored: str) -> None:
            """A title no doc defines is stale; one several namespaces define is ambiguous."""
            if titles.ambiguous(title):
                error(line, f"{where}model {title!r} is defined in several namespaces: write \"namespace.{title}\"")
            else:
                stale(line, f"{where}unknown model {title!r} ({ignored})")

        for entry in self.models:
            key = lookup(entry.key)
            if key is None:
                unknown(entry.line, entry.key, "", "the spec has no such model; entry ignored")
                continue
            if key in bound:
                error(entry.line, f"model {entry.key!r} is overridden twice (as a title and as \"namespace.Title\")")
                continue
            summary = resolved.by_key[key]
            article = "an" if summary.kind in ("enum", "object") else "a"
            if summary.kind != "union" and (entry.members is not None or entry.discriminator is not None):
                error(entry.union_line, f"model {entry.key!r} is {article} {summary.kind}: members and discriminator "
                      "apply to unions only")
                continue
            if summary.kind != "object" and (entry.bases or entry.decorators or entry.fields):
                applies = "only " + (", ".join(sorted(UNION_KEYS)) + " apply" if summary.kind == "union"
                                     else "class_name applies")
                error(entry.line, f"model {entry.key!r} is {article} {summary.kind}: {applies}")
                continue
            if summary.kind == "union":
                members, tag = _union_fix(entry, summary, resolved, lookup, lambda m: error(entry.union_line, m))
                bound[key] = ModelFix(entry.class_name, members=members, discriminator=tag)
                continue
            cls = entry.class_name or naming.class_name(summary.name)
            for imported in (*entry.bases, *entry.decorators):
                if imported.name in (cls, naming.twin_name(cls)):
                    error(entry.line, f"{imported.module}:{imported.name} would shadow the class it decorates or extends")
            field_names = {name for name, _, _ in summary.field_names}
            fixes: dict[str, FieldFix] = {}
            refs: set[tuple[str, str]] = set()
            attributes = {naming.attribute(name)[0]: name for name in field_names}
            added: list[FieldFix] = []
            positions = {name: (line, col) for name, line, col in summary.field_names}
            for f in entry.fields:
                if f.name == "__pydantic_extra__":
                    error(f.line, f"model {entry.key!r} has no field {f.name!r}")
                    continue
                if f.added and f.name in field_names:
                    error(f.line, f"field {f.name!r} is in the doc of {entry.key!r}: drop `added`")
                    continue
                if not f.added and f.name not in field_names:
                    stale(f.line, f"model {entry.key!r} has no field {f.name!r} (entry ignored)")
                    continue
                attribute = f.name if f.added else f.attribute
                if attribute is not None and attributes.setdefault(attribute, f.name) != f.name:
                    error(f.line, f"name {attribute!r} of field {f.name!r} is taken by field "
                          f"{attributes[attribute]!r}")
                node: Optional[TypeNode] = None
                uses: set[tuple[str, str]] = set()
                if f.type is not None:
                    try:
                        node = _type_node(ast.parse(f.type, mode="eval").body, lookup, uses)
                        refs |= uses
                    except _Stale as exc:
                        unknown(f.type_line, exc.name, f"type {f.type!r}: ", "the type is ignored")
                    except _Bad as exc:
                        error(f.type_line, f"type {f.type!r}: {exc}")
                if f.added and node is None:
                    if f.type is None:
                        error(f.line, f"added field {f.name!r} needs a `type`")
                    continue
                default = f.default
                if default is not None and default.kind in ("member", "literal"):
                    # the enums the field's type names: the override's, else the doc's links at the field's row
                    enums = sorted(k for k in (uses if f.type is not None else
                                               {(link.namespace, link.name) for link in summary.links
                                                if (link.line, link.col) == positions.get(f.name)})
                                   if k in resolved.by_key and resolved.by_key[k].kind == "enum")
                    try:
                        default = _member_default(default, enums, resolved, lookup)
                    except _Bad as exc:
                        problems.append(Diagnostic(self.path, f.default_line or f.line, f.default_col, "error",
                                                   f"default {f.default_text!r}: {exc}", "override-mismatch"))
                    if default.enum is not None:
                        refs.add(default.enum)
                if f.added:
                    added.append(FieldFix(f.alias, node, default, f.name, f.exclude))
                else:
                    fixes[f.name] = FieldFix(f.alias, node, default, f.attribute, f.exclude)
            bound[key] = ModelFix(entry.class_name, entry.bases, entry.decorators, fixes, tuple(sorted(refs)),
                                  tuple(added))
        overrides = Overrides(bound)
        problems += _clashes(self, resolved, overrides)
        if problems:
            raise SpecError(problems + warnings)
        return overrides, warnings


def _member_default(default: Default, enums: list[tuple[str, str]], resolved: Resolved,
                    lookup: Callable[[str], Optional[tuple[str, str]]]) -> Default:
    """A member default checked against the field's enums and bound to one; a
    literal that is a value of the field's one enum becomes that member (it is
    rendered as the enum's form has it).  Other literals stay as they are: the
    field's type may hold more than the enum (a union, an open enum)."""
    if default.kind == "literal":
        if len(enums) != 1 or default.value is None or isinstance(default.value, float):
            return default
        members = resolved.by_key[enums[0]].enum[2]
        found = [member for member, value in members if value == default.value and type(value) is type(default.value)]
        return Default("member", found[0], resolved.by_key[enums[0]].name, enums[0]) if found else default
    key = lookup(default.func)
    titles = [resolved.by_key[k].name for k in enums]
    if key not in enums:
        if not enums:
            raise _Bad("the field's type names no enum")
        meant = difflib.get_close_matches(default.func, titles, 1) or titles[:1]
        raise _Bad(f"{default.func!r} is not the enum of the field's type: did you mean {meant[0]!r}?")
    assert key is not None
    members = resolved.by_key[key].enum[2]
    names = [member for member, _ in members]
    if default.value in names:
        return Default("member", default.value, default.func, key)
    by_value = [member for member, value in members if str(value) == default.value]
    meant = by_value or difflib.get_close_matches(str(default.value), names, 1) or names[:1]
    hint = f": did you mean {default.func}.{meant[0]}?" if meant else " (it has no members)"
    raise _Bad(f"enum {titles[enums.index(key)]!r} has no member {default.value!r}{hint}")


def _union_fix(entry: ModelEntry, summary: Summary, resolved: Resolved,
               lookup: Callable[[str], Optional[tuple[str, str]]], error: Callable[[str], None]
               ) -> tuple[Optional[tuple[TypeNode, ...]], Optional[str]]:
    """A union's member order (type trees; its model members must be the union's
    own) and discriminator (a field every member has as a one-value tag)."""
    members: Optional[tuple[TypeNode, ...]] = None
    linked = {(link.namespace, link.name) for link in summary.links}
    if entry.members is not None:
        nodes: list[TypeNode] = []
        named: set[tuple[str, str]] = set()
        for text in entry.members:
            try:
                nodes.append(_type_node(ast.parse(text, mode="eval").body, lookup, named))
            except (_Bad, SyntaxError) as exc:
                error(f"members: {text!r}: {getattr(exc, 'msg', None) or exc}")
        if named != linked & set(resolved.by_key):
            missing = sorted(k[1] for k in linked & set(resolved.by_key) - named)
            extra = sorted(k[1] for k in named - linked)
            error("members must list each member of the union once"
                  + (f"; missing: {', '.join(missing)}" if missing else "")
                  + (f"; not members: {', '.join(extra)}" if extra else ""))
        elif len(nodes) != len(set(nodes)):
            error("members lists a member twice")
        members = tuple(nodes)
    tag = entry.discriminator
    if tag:
        for key in sorted(linked):
            target = resolved.by_key.get(key)
            if target is None or target.kind != "object" or tag not in {c[0] for c in target.shape[1]}:
                error(f"discriminator {tag!r}: member {key[1]!r} has no required one-value field {tag!r}")
                break
    return members, tag


class ModelNames:
    """How an overrides file names a model: by its title where one namespace
    defines it, else as "namespace.Title"."""

    def __init__(self, known: Mapping[tuple[str, str], object]):
        self.known = known
        self.by_title: dict[str, list[tuple[str, str]]] = {}
        for key in known:
            self.by_title.setdefault(key[1], []).append(key)

    def ambiguous(self, title: str) -> bool:
        return len(self.by_title.get(title, ())) > 1

    def name(self, key: tuple[str, str]) -> str:
        return key[1] if len(self.by_title.get(key[1], ())) == 1 else f"{key[0]}.{key[1]}"

    def lookup(self, name: str) -> Optional[tuple[str, str]]:
        """The model `name` names; None if none or several do."""
        namespace, _, title = name.rpartition(".")
        if namespace:
            return (namespace, title) if (namespace, title) in self.known else None
        found = self.by_title.get(title, [])
        return found[0] if len(found) == 1 else None


class _Bad(Exception):
    """A value the overrides file may not hold; the message says why."""


class _Stale(_Bad):
    """A name that would be a model title, but no single model has it."""

    def __init__(self, name: str):
        super().__init__(f"unknown model {name!r}")
        self.name = name


# --- loading --------------------------------------------------------------------


def load_overrides(path: Path) -> OverridesFile:
    """Read and check an overrides file (a pyproject.toml: its
    `[tool.md2models.overrides]`); raise SpecError with every problem."""
    shown = str(path.resolve())
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        at = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))  # tomllib says where only in its message
        where = (int(at[1]), int(at[2])) if at else (1, 1)
        message = str(exc)[: at.start()].rstrip() if at else str(exc)
        problem = Diagnostic(shown, *where, "error", f"cannot read overrides: {message}", "overrides-unreadable")
        raise SpecError([problem]) from None
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        prefix = PYPROJECT_TABLE
        for part in prefix:
            data = data.get(part, {}) if isinstance(data, dict) else None
    lines = _key_lines(text)
    problems: list[Diagnostic] = []

    def line(*keys: str) -> int:
        full = prefix + keys
        for end in range(len(full), 0, -1):
            if full[:end] in lines:
                return lines[full[:end]]
        return 1

    def error(message: str, *keys: str) -> None:
        problems.append(Diagnostic(shown, line(*keys), 1, "error", message, "invalid-override"))

    models: list[ModelEntry] = []
    if not isinstance(data, dict):
        error("overrides must be a table")
        data = {}
    for key in sorted(set(data) - {"models"}):
        error(f"unknown key {key!r} (expected [models.<Title>])", key)
    table = data.get("models", {})
    if not isinstance(table, dict):
        error("`models` must be a table of [models.<Title>] tables", "models")
        table = {}
    for title, spec in table.items():
        if not isinstance(spec, dict):
            error(f"[models.{title}] must be a table", "models", title)
            continue
        models.append(_model_entry(title, spec, lambda *k, t=title: line("models", t, *k),
                                   lambda msg, *k, t=title: error(msg, "models", t, *k), text.splitlines()))
    if problems:
        raise SpecError(problems)
    return OverridesFile(shown, tuple(models))


def _model_entry(title: str, spec: dict[str, Any], line: Callable[..., int],
                 error: Callable[..., None], lines: list[str]) -> ModelEntry:
    for key in sorted(set(spec) - MODEL_KEYS):
        error(f"unknown key {key!r} (expected one of {', '.join(sorted(MODEL_KEYS))})", key)
    class_name = spec.get("class_name")
    if class_name is not None and not _good_class_name(class_name):
        error(f"class_name {class_name!r} is not a usable class name (an identifier that is no keyword, builtin, "
              "dunder or name the generated modules use)", "class_name")
        class_name = None
    imported: dict[str, tuple[Imported, ...]] = {}
    for key in ("bases", "decorators"):
        values = spec.get(key, [])
        if not isinstance(values, list):
            error(f"{key} must be a list of \"module:Name\" strings", key)
            values = []
        items = []
        for value in values:
            try:
                items.append(_imported(value))
            except _Bad as exc:
                error(f"{key}: {exc}", key)
        imported[key] = tuple(items)
    members = spec.get("members")
    if members is not None and not (isinstance(members, list) and len(members) > 1 and all(
            isinstance(m, str) for m in members)):
        error("members must be a list of two or more type strings (model titles, `str`, `List[str]`...)", "members")
        members = None
    elif members is not None:
        for text in members:
            try:
                ast.parse(text, mode="eval")
            except SyntaxError as exc:
                error(f"members: {text!r}: {exc.msg}", "members")
                members = None
                break
    discriminator = spec.get("discriminator")
    if discriminator is not None and not isinstance(discriminator, str):
        error("discriminator must be a field name, or \"\" for none", "discriminator")
        discriminator = None
    fields = spec.get("fields", {})
    if not isinstance(fields, dict):
        error("fields must be a table of [models.<Title>.fields.<name>] tables", "fields")
        fields = {}
    entries = []
    for name, fspec in fields.items():
        where = ("fields", name)
        if not isinstance(fspec, dict):
            error(f"field {name!r} must be a table", *where)
            continue
        for key in sorted(set(fspec) - FIELD_KEYS):
            error(f"unknown key {key!r} (expected one of {', '.join(sorted(FIELD_KEYS))})", *where, key)
        alias, type_text, default, attribute = fspec.get("alias"), fspec.get("type"), None, fspec.get("name")
        if attribute is not None and not (isinstance(attribute, str) and naming.is_safe_attribute(attribute)):
            error(f"name {attribute!r} is not a usable attribute name (an identifier that is no keyword, "
                  "dunder, private `_name` or name pydantic or the generated modules use)", *where, "name")
            attribute = None
        if alias is not None and not isinstance(alias, str):  # "" is a real alias (multipart file content)
            error("alias must be a string", *where, "alias")
            alias = None
        if type_text is not None:
            try:
                if not isinstance(type_text, str):
                    raise _Bad("must be a string of Python annotation text")
                ast.parse(type_text, mode="eval")
            except (_Bad, SyntaxError) as exc:
                error(f"type {type_text!r}: {getattr(exc, 'msg', None) or exc}", *where, "type")
                type_text = None
        if "default" in fspec:
            try:
                default = parse_default(fspec["default"])
            except _Bad as exc:
                error(f"default {fspec['default']!r}: {exc}", *where, "default")
        flags = {}
        for key in ("added", "exclude"):
            flags[key] = fspec.get(key, False)
            if not isinstance(flags[key], bool):
                error(f"{key} must be true or false", *where, key)
                flags[key] = False
        if flags["added"] and not naming.is_safe_attribute(name):
            error(f"added field {name!r} is not a usable attribute name", *where)
        if flags["added"] and attribute is not None:
            error("an added field is named by its table key: drop `name`", *where, "name")
        at = line(*where, "default")
        text = lines[at - 1] if 0 < at <= len(lines) else ""
        col = text.find("=") + 1 if "default" in fspec and "=" in text else 0
        col += len(text[col:]) - len(text[col:].lstrip()) + 1
        entries.append(FieldEntry(name, line(*where), alias, type_text, line(*where, "type"), default, attribute,
                                  flags["added"], flags["exclude"], at, col, str(fspec.get("default", ""))))
    return ModelEntry(title, line(), class_name, line("class_name"), imported["bases"], imported["decorators"],
                      tuple(entries), tuple(members) if members is not None else None, discriminator,
                      line("members") if members is not None else line("discriminator"))


def _good_class_name(name: object) -> bool:
    return (isinstance(name, str) and name.isidentifier() and name.isascii() and not keyword.iskeyword(name)
            and naming.class_name(name) == name and not name.endswith("TypedDict"))


def _imported(value: object) -> Imported:
    if not isinstance(value, str):
        raise _Bad(f"{value!r} is not a string")
    module, colon, name = value.partition(":")
    if not colon:
        module, _, name = value.rpartition(".")
    if not module or not all(part.isidentifier() and part.isascii() and not keyword.iskeyword(part)
                             for part in (*module.split("."), name)):
        raise _Bad(f"{value!r} is not \"module:Name\" or \"package.module.Name\"")
    if name in naming.MODULE_LEVEL_NAMES:
        raise _Bad(f"{name!r} would shadow a name the generated modules use")
    return Imported(module, name)


def parse_default(text: object) -> Default:
    """A default as Python text: a scalar literal, `UNSET`, an allowed call
    (`dateutil.parser.isoparse("2025-01-01T00:00:00Z")`) of one string, or an
    enum member (`Region.WILDCARD_`, checked against the field's type on binding)."""
    if not isinstance(text, str):
        raise _Bad(f"write the Python text as a string, e.g. default = {json.dumps(repr(text))}")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _Bad(f"not Python: {exc.msg}") from None
    if isinstance(node, ast.Name) and node.id == "UNSET":
        return Default("unset")
    if isinstance(node, ast.Attribute) and _dotted_name(node.value):
        return Default("member", node.attr, ast.unparse(node.value))
    if isinstance(node, ast.Call):
        func = ast.unparse(node.func)
        if (func in DEFAULT_CALLS and not node.keywords and len(node.args) == 1
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            return Default("call", node.args[0].value, func)
        raise _Bad(f"calls allowed are {', '.join(DEFAULT_CALLS)} of one string literal")
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise _Bad("not a literal, UNSET or an allowed call") from None
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise _Bad("only scalar literals (str, int, float, bool, None) are allowed")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("not a finite number")
    return Default("literal", value)


def _dotted_name(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) or isinstance(node, ast.Attribute) and _dotted_name(node.value)


# --- types ----------------------------------------------------------------------


def _type_node(node: ast.expr, lookup: Callable[[str], Optional[tuple[str, str]]],
               refs: set[tuple[str, str]]) -> TypeNode:
    """An annotation's ast -> an IR type tree; only known names pass."""
    if isinstance(node, ast.Subscript):
        head = ast.unparse(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Literal":
            values = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, (str, int, bool))]
            if len(values) != len(args):
                raise _Bad("Literal takes str, int and bool values")
            return LiteralType(tuple(values))
        if head == "IO" and len(args) == 1 and ast.unparse(args[0]) == "bytes":
            return Primitive("IO[bytes]")
        if head == "Callable":  # what an SDK sets on a model, e.g. a page's `next`
            if len(args) != 2 or not isinstance(args[0], ast.List) or args[0].elts:
                raise _Bad("Callable takes `[]` and a return type: Callable[[], T]")
            return Generic("Callable", (_type_node(args[1], lookup, refs),))
        arity = TYPE_GENERICS.get(head)
        if arity is None:
            raise _Bad(f"unknown generic {head!r} (allowed: {', '.join(TYPE_GENERICS)}, Literal, IO[bytes])")
        if (arity and len(args) != arity) or (not arity and len(args) < 2):
            raise _Bad(f"{head} takes {arity or 'two or more'} argument{'s' if arity != 1 else ''}")
        if head == "Dict" and ast.unparse(args[0]) != "str":
            raise _Bad("Dict keys must be str")
        return Generic(head, tuple(_type_node(a, lookup, refs) for a in args))  # type: ignore[arg-type]
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = ast.unparse(node)
        if name in TYPE_ATOMS:
            return Primitive(name)
        key = lookup(name)
        meant = next((known for known in (*TYPE_ATOMS, *TYPE_GENERICS) if known.lower() == name.lower()), None)
        if key is None and meant is not None:  # `Datetime`, `list`: a typo, not a model removed upstream
            raise _Bad(f"unknown name {name!r}: did you mean {meant!r}?")
        if key is None and re.fullmatch(r"(?:[A-Za-z_]\w*\.)?[A-Z]\w*", name):
            raise _Stale(name)
        if key is None:
            raise _Bad(f"unknown name {name!r} (allowed: {', '.join(TYPE_ATOMS)}, the generics, "
                       "and model titles, as \"namespace.Title\" when ambiguous)")
        refs.add(key)
        return Ref(*key)
    raise _Bad(f"{ast.unparse(node)!r} is not a type")


def _clashes(source: OverridesFile, resolved: Resolved, overrides: Overrides) -> list[Diagnostic]:
    """Renamed classes must stay distinct from every other class name."""
    lines = {entry.key: entry.class_line or entry.line for entry in source.models}
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    problems = []
    for key, summary in sorted(resolved.by_key.items()):
        cls = overrides.class_name(key, summary.name)
        for name in [cls] if summary.kind == "enum" else [cls, naming.twin_name(cls)]:
            other = seen.setdefault((key[0], name), key)
            if other != key:
                renamed = key if overrides.model(key).class_name else other
                line = lines.get(renamed[1], lines.get(".".join(renamed), 1))
                problems.append(Diagnostic(source.path, line, 1, "error",
                                           f"class name {name!r} of {key[1]} is taken by {other[1]}",
                                           "override-class-clash"))
    return problems


# --- where keys are -----------------------------------------------------------------

_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_HEADER = re.compile(rf"\s*\[\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _split(keys: str) -> tuple[str, ...]:
    parts = re.findall(_PART, keys)
    return tuple(json.loads(p) if p.startswith('"') else p.strip("'") for p in parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header and `key =` (tomllib gives no positions).

    A plain scan: lines inside multi-line strings are skipped; keys inside
    inline tables get the line of the key holding the table."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string = ""
    for number, raw in enumerate(text.splitlines(), 1):
        if in_string:
            if raw.count(in_string) % 2:
                in_string = ""
            continue
        header = _HEADER.match(raw)
        assign = _ASSIGN.match(raw) if header is None else None
        # A table first met through a sub-table or dotted key (`[models.Pet.fields.id]`) is at that line.
        keys = _split(header.group(1)) if header else table + _split(assign.group(1)) if assign else ()
        if header:
            table = keys
        for end in range(1, len(keys) + 1):
            lines.setdefault(keys[:end], number)
        for quote in ('"""', "'''"):
            if raw.count(quote) % 2:
                in_string = quote
    return lines


# --- writing TOML (overrides files, and the entries warnings suggest) ---------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_str(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + "".join(_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                         for ch in value) + '"'


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_str(key)
