"""Python syntax for the renderer: the per-module context and token builders.

`Ctx` is what one generated module uses: library names, the model names it
imports (at the top, or at the bottom and quoted on an import cycle) and the
names it takes.  `annotation()` is the one function that turns a type tree
into annotation tokens; `assign`, `annassign`, `call`, `class_header`, ...
describe statements as `pylayout.Tok` tokens built from validated
identifiers (`naming`) and escaped literals (`pyescape.py_str`), then laid
out by `pylayout.layout`.  Kept apart from `pyblocks` so that the decisions
there do not mix with how Python is spelt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional, Sequence, Union

from . import naming
from . import pylayout as L
from .ir import AnyModel, Generic, LiteralType, Markup, Primitive, Ref, TypeNode
from .overrides import Overrides
from .pyescape import py_str
from .pyimports import (
    IsortEntry,
    from_import,
    import_stmt,
    is_stdlib,
    isort_entries,
    isort_key,
    isort_lines,
    late_import,
    module_key,
    natural,
    pairs,
)
from .pylayout import Tok
from .resolve import type_refs
from .shadowing import Shadows
from .summary import Resolved

# Atoms of type cells -> (expression, (import source, name) or None)
PRIMITIVES: dict[str, tuple[str, Optional[tuple[str, str]]]] = {
    "str": ("str", None),
    "int": ("int", None),
    "float": ("float", None),
    "bool": ("bool", None),
    "bytes": ("bytes", None),
    "Any": ("Any", ("typing", "Any")),
    "Decimal": ("Decimal", ("decimal", "Decimal")),
    "date": ("date", ("datetime", "date")),
    "datetime": ("datetime", ("datetime", "datetime")),
    "httpx.Response": ("HttpxResponse", ("_runtime", "HttpxResponse")),
    "httpx.Request": ("HttpxRequest", ("_runtime", "HttpxRequest")),
    "requests.Response": ("RequestsResponse", ("_runtime", "RequestsResponse")),
    "io.BufferedReader": ("io.BufferedReader", ("import", "io")),
    "io.IOBase": ("io.IOBase", ("import", "io")),
}
# Generic origins -> (import source, name).  The SDKs' event streams are
# iterators of events; the package types them as such.
GENERICS: dict[str, tuple[str, str]] = {
    "List": ("typing", "List"),
    "Dict": ("typing", "Dict"),
    "Optional": ("typing", "Optional"),
    "Union": ("typing", "Union"),
    "Callable": ("typing", "Callable"),
    "Nullable": ("_runtime", "Nullable"),
    "OptionalNullable": ("_runtime", "OptionalNullable"),
    "eventstreaming.EventStream": ("typing", "Iterator"),
    "eventstreaming.EventStreamAsync": ("typing", "AsyncIterator"),
}


# --- how the code is spelt for a Python version --------------------------------

# typing_extensions names the standard library has too: (module, first version
# whose linters expect it from there).  TypedDict only from 3.12: pydantic
# rejects `typing.TypedDict` before.
STDLIB_SINCE: dict[str, tuple[str, tuple[int, int]]] = {
    "Annotated": ("typing", (3, 10)),
    "NotRequired": ("typing", (3, 11)),
    "TypedDict": ("typing", (3, 12)),
    "TypeAliasType": ("typing", (3, 12)),
    "deprecated": ("warnings", (3, 13)),
    "get_args": ("typing", (3, 10)),
}
# `typing` names ruff wants from `collections.abc` (UP035) from 3.10 on
ABC_NAMES = frozenset({"Callable", "Iterator", "AsyncIterator"})


@dataclass(frozen=True)
class Spelling:
    """How the generated code spells types, for the oldest Python it runs on.

    3.9 (the default) writes what every version reads: `List`, `Dict`,
    `Optional`, `Union` from `typing`, typing_extensions' names, and models
    on an import cycle imported at the bottom and quoted.  From 3.10 on,
    modules start with `from __future__ import annotations` and write
    `list[X]`, `dict[str, X]`, `X | None`, `A | B`, the standard library's
    names where the version has them (`STDLIB_SINCE`), `StrEnum` from 3.11,
    `X: TypeAlias = ...` for plain aliases, and isort's import order.  Models
    on an import cycle are still imported at the bottom (`LATE_IMPORT`), but
    annotations, not evaluated at import time, name them unquoted; run-time
    values (union aliases) quote them, so a union holding one stays
    `Union[...]` (a string has no `|`)."""

    version: tuple[int, int]

    @classmethod
    @lru_cache(maxsize=None)
    def of(cls, version: str) -> Spelling:
        major, minor = version.split(".")
        return cls((int(major), int(minor)))

    @property
    def modern(self) -> bool:
        return self.version >= (3, 10)

    @property
    def type_statement(self) -> bool:
        """Aliases are `type X = ...` statements, evaluated lazily (3.12)."""
        return self.version >= (3, 12)

    @property
    def strenum(self) -> bool:
        return self.version >= (3, 11)

    def source(self, source: str, name: str) -> str:
        """Where `name`, which `source` has, is imported from."""
        return _import_source(self.version, source, name)

    def generic_alias(self, name: str, value: str) -> str:
        """The hand-written runtime's alias generic in `T`: `X = ...` (3.9),
        `X: TypeAlias = ...` (without which mypy takes `X = A | B` for a
        value), from 3.12 on `type X[T] = ...`."""
        if self.type_statement:
            return f"type {name}[T] = {value}"
        return f"{name}{': TypeAlias' if self.modern else ''} = {value}"

    def generic(self, name: str) -> str:
        """The name of a `typing` generic (`List`) as this version writes it."""
        return name.lower() if self.modern and name in ("List", "Dict", "Tuple") else name

    def imports(self, *specs: str) -> tuple[str, str]:
        """The hand-written runtime's imports from `"module: name name"`
        specs, as (standard library statements, typing_extensions statement):
        from 3.10 on `Union` and the generics (`Dict`) dropped, `Callable`
        from `collections.abc`, typing_extensions' names from the standard
        library where the version has them."""
        found: dict[str, set[str]] = {}
        for spec in specs:
            module, _, names = spec.partition(":")
            for name in names.split():
                if name in (("Union", "Optional", "Dict", "List", "Tuple") if self.modern else ("TypeAlias",)):
                    continue
                if name == "TypeAlias" and self.type_statement:
                    continue
                found.setdefault(self.source(module, name), set()).add(name)
        statements = {module: from_import(module, sorted(names, key=isort_key)) for module, names in found.items()}
        stdlib = "".join(statements[m] for m in sorted(statements) if m != "typing_extensions")
        return stdlib.rstrip(), statements.get("typing_extensions", "").rstrip()

    def union(self, *members: str) -> str:
        """A union of type expressions, for the hand-written runtime."""
        return " | ".join(members) if self.modern else f"Union[{', '.join(members)}]"


@lru_cache(maxsize=None)
def _import_source(version: tuple[int, int], source: str, name: str) -> str:
    """`Spelling.source`, once per name and version (modules use the same few names)."""
    modern = version >= (3, 10)
    if source == "typing" and name in ABC_NAMES and modern:
        return "collections.abc"
    stdlib = STDLIB_SINCE.get(name) if source == "typing_extensions" and modern else None
    return stdlib[0] if stdlib is not None and version >= stdlib[1] else source


# --- per-module context --------------------------------------------------------


def rel_module(src_parts: Sequence[str], dst_parts: Sequence[str]) -> str:
    """Relative import path from module `src_parts` to module `dst_parts`."""
    src_pkg = list(src_parts[:-1])
    dst_pkg = list(dst_parts[:-1])
    if src_pkg == dst_pkg:  # the common case
        return "." + dst_parts[-1]
    common = 0
    while common < min(len(src_pkg), len(dst_pkg)) and src_pkg[common] == dst_pkg[common]:
        common += 1
    dots = "." * (len(src_pkg) - common + 1)
    return dots + ".".join(list(dst_parts[common:]))


class Ctx:
    """What one module uses: library names, and model names to import."""

    def __init__(self, resolved: Resolved, model: AnyModel, parts: list[str], own: set[str],
                 overrides: Overrides, target: str, spelling: Spelling, enum_style: str = "literal"):
        self.resolved = resolved
        self.enum_style = enum_style  # of enums whose docs do not say (member defaults are spelt by it)
        self.overrides = overrides
        self.target = target
        self.spelling = spelling
        self.model = model
        self.parts = parts
        self.libs: dict[str, set[str]] = {}
        self.used: list[tuple[str, str]] = []  # each `use`, in order (for `pyblocks` to replay a field's)
        self.top: dict[str, dict[str, str]] = {}  # module -> {name: local}
        self.bottom: dict[str, dict[str, str]] = {}
        self.taken: dict[str, tuple[tuple[str, str], bool]] = {n: (model.key, False) for n in own}
        self.locals: dict[tuple[tuple[str, str], bool], str] = {}
        self.places: dict[tuple[str, str], tuple[str, bool, str, bool]] = {}  # model -> `_place`
        self.cycle = resolved.cycle_of.get(model.key)
        # Models only an override refers to: the import-cycle analysis never
        # saw these references, so they are imported late (at the bottom) and
        # quoted, which is safe whatever the cycles.
        fix = overrides.model(model.key)
        self.late: set[tuple[str, str]] = set()
        if fix.refs:
            linked = {(r.namespace, r.name) for f in getattr(model, "fields", ()) for r, _ in type_refs(f.type)}
            self.late = set(fix.refs) - linked
        # Fields keep the docs' names; class bodies reach the module-level
        # names they shadow through aliases, references avoid them.
        fields = [naming.attribute(f.name)[0] for f in getattr(model, "fields", ()) if not f.is_extra]
        fields += [str(added.name) for added in fix.added]
        self.shadows = Shadows(fields)
        for n in fields:
            self.taken.setdefault(n, (("", n), False))
        # names module-level statements (class headers, decorators) use as they are
        self.plain = set(self.HEADER_NAMES)

    HEADER_NAMES = frozenset({"BaseModel", "TypedDict", "deprecated", "dataclasses"})

    def body(self, toks: list[Tok]) -> list[Tok]:
        """Tokens of a class-body statement, shadowed names aliased."""
        return self.shadows.rebind(toks, self.libs, self.taken)

    def use(self, source: str, name: str) -> None:
        self.libs.setdefault(_import_source(self.spelling.version, source, name), set()).add(name)
        self.used.append((source, name))

    def ref(self, ref: Ref, twin: bool, runtime: bool = True) -> tuple[str, bool]:
        """(local name, quote it?) for a reference; records the import.
        `runtime`: the reference is evaluated at import time (not an annotation)."""
        key = (ref.namespace, ref.name)
        place = self.places.get(key)
        if place is None:  # once per model referred to (a model and its twin share it)
            place = self.places[key] = self._place(key)
        cls, is_enum, mod, same_cycle = place
        name = cls if (not twin or is_enum) else naming.twin_name(cls)
        # quoted where evaluated before the bottom imports ran (annotations are not, from 3.10 on)
        quote = runtime or not self.spelling.modern
        if key == self.model.key:
            return name, quote
        ident = (key, name != cls)
        local = self.locals.get(ident)
        if local is None:
            local = name
            n = 1
            while local in self.taken and self.taken[local] != ident:
                n += 1
                local = f"{name}_{naming._sanitize(ref.namespace)}" + ("" if n == 2 else str(n))
            self.taken[local] = ident
            self.locals[ident] = local
        (self.bottom if same_cycle else self.top).setdefault(mod, {})[name] = local
        return local, same_cycle and quote

    def _place(self, key: tuple[str, str]) -> tuple[str, bool, str, bool]:
        """(class name, an enum?, module to import, on this module's import cycle?) of a model."""
        target = self.resolved.by_key[key]
        is_enum = target.kind == "enum"
        # an enum's module imports no model: importing it at the top never makes a cycle
        same_cycle = (key in self.late and not is_enum) or (
            self.cycle is not None and self.resolved.cycle_of.get(key) == self.cycle)
        mod = rel_module(self.parts, naming.module_path(target.path).split("/"))
        return self.overrides.class_name(key, target.name), is_enum, mod, same_cycle

    def import_lines(self) -> list[str]:
        key = self._libraries_key()
        if self.spelling.modern:
            entries = _ISORT_LIBRARIES.get(key) if key is not None else None
            if entries is None:
                entries = self._isort_libraries()
                if key is not None:
                    _ISORT_LIBRARIES[key] = entries
            return isort_lines(entries + [entry for mod, names in self.top.items()
                                           for entry in isort_entries(mod, pairs(names))])
        stmts = _LIBRARIES.get(key) if key is not None else None
        if stmts is None:
            stmts = self._libraries()
            if key is not None:
                _LIBRARIES[key] = stmts
        return stmts + [from_import(mod, pairs(self.top[mod])) for mod in sorted(self.top)]

    def _libraries_key(self) -> Optional[tuple[int, frozenset[tuple[str, frozenset[str]]]]]:
        """All the library imports depend on, when no field shadows a name (most modules)."""
        if self.shadows.sources:
            return None
        return len(self.parts), frozenset([(src, frozenset(names)) for src, names in self.libs.items()])

    def _libraries(self) -> list[str]:
        """The library and runtime imports, up to 3.9: in a fixed order of modules."""
        stmts: list[str] = []
        libs = self.libs
        shadows, plain = self.shadows, frozenset(self.plain)
        for mod in sorted(libs.get("import", ())):
            if mod not in shadows.aliases or mod in plain:
                stmts.append(import_stmt(mod))
        for mod, alias in shadows.module_aliases():
            stmts.append(import_stmt(mod, alias))
        wanted = set(libs) | set(shadows.sources.values())  # each lists a name
        for src in ("builtins", "datetime", "decimal", "enum", "typing", "typing_extensions"):
            if src in wanted:
                stmts.append(from_import(src, shadows.names(src, libs.get(src, ()), plain)))
        for src in sorted(set(libs) - self.KNOWN):  # overrides' bases and decorators
            stmts.append(from_import(src, shadows.names(src, libs[src], plain)))
        runtime = shadows.names("_runtime", libs.get("_runtime", ()), plain)
        if runtime:
            stmts.append(from_import("." * (len(self.parts)) + "_runtime", runtime))
        return stmts

    KNOWN = {"import", "builtins", "datetime", "decimal", "enum", "typing", "typing_extensions", "_runtime"}

    def _isort_libraries(self) -> list[IsortEntry]:
        """The library and runtime imports from 3.10 on, as `isort_lines` entries."""
        libs, shadows, plain = self.libs, self.shadows, frozenset(self.plain)
        entries = []
        for mod in libs.get("import", ()):
            if mod not in shadows.aliases or mod in plain:
                entries.append((0 if is_stdlib(mod) else 1, (0, 0, natural(mod)), import_stmt(mod)))
        for mod, alias in shadows.module_aliases():
            entries.append((0 if is_stdlib(mod) else 1, (0, 0, natural(mod)), import_stmt(mod, alias)))
        for src in set(libs) - {"import", "_runtime"}:
            entries += isort_entries(src, shadows.names(src, libs[src], plain))
        runtime = shadows.names("_runtime", libs.get("_runtime", ()), plain)
        if runtime:
            entries += isort_entries("." * (len(self.parts)) + "_runtime", runtime)
        return entries

    def bottom_lines(self) -> list[str]:
        if not self.spelling.modern:
            return [from_import(mod, pairs(self.bottom[mod])) for mod in sorted(self.bottom)]
        # isort's order, and each import marked as the late import it must be
        stmts = []
        for mod in sorted(self.bottom, key=module_key):
            names = sorted(pairs(self.bottom[mod]), key=isort_key)
            plain = [n for n in names if " as " not in n]
            stmts += [late_import(mod, group) for group in ([plain] if plain else []) + [[n] for n in names if " as " in n]]
        return stmts


# The library and runtime imports of modules whose fields shadow no name, by
# `Ctx._libraries_key` (orq 4.13.19's 18.6k modules have a few hundred).
_LIBRARIES: dict[tuple[int, frozenset[tuple[str, frozenset[str]]]], list[str]] = {}
_ISORT_LIBRARIES: dict[tuple[int, frozenset[tuple[str, frozenset[str]]]], list[IsortEntry]] = {}


# --- type annotations -----------------------------------------------------------


def _lsqb() -> Tok:
    return Tok(L.LSQB, "[", parent=L.TRAILER)


def literal_value(v: Union[str, int, bool]) -> Tok:
    if isinstance(v, bool):
        return L.name("True" if v else "False")
    if isinstance(v, int):
        return Tok(L.NUMBER, str(v))
    return Tok(L.STRING, py_str(v))


def annotation(node: TypeNode, ctx: Ctx, twin: bool, swap: bool = False, runtime: bool = False) -> list[Tok]:
    """Annotation tokens for a type tree, from validated identifiers only.
    `runtime`: the type is a value evaluated at import time (a union alias)."""
    if isinstance(node, Markup):
        return annotation(node.inner, ctx, twin, swap or node.style == "link", runtime)
    if isinstance(node, Ref) and (node.namespace, node.name) not in ctx.resolved.by_key:
        node = Primitive("Any")  # a dangling link (resolve warned)
    if isinstance(node, Primitive):
        pname = node.name
        if swap and pname in ("date", "datetime"):
            pname = "datetime" if pname == "date" else "date"
        if pname == "IO[bytes]":
            ctx.use("typing", "IO")
            return subscript("IO", [[L.name("bytes")]])
        expr, src = PRIMITIVES[pname]
        if src is not None:
            ctx.use(src[0], src[1])
        return [L.name(expr)]
    if isinstance(node, LiteralType):
        ctx.use("typing", "Literal")
        return subscript("Literal", [[literal_value(v)] for v in node.values])
    if isinstance(node, Ref):
        local, quote = ctx.ref(node, twin, runtime)
        return [Tok(L.STRING, py_str(local))] if quote else [L.name(local)]
    if isinstance(node, Generic):
        if node.origin == "OptionalNullable" and ctx.target == "typeddict":
            node = Generic("Nullable", node.args)
        args = [annotation(a, ctx, twin, swap, runtime) for a in node.args]
        if node.origin == "Dict":
            args = [[L.name("str")], *args[-1:]]
        elif node.origin == "Callable":  # no arguments: `Callable[[], T]`
            args = [[_lsqb(), Tok(L.RSQB, "]")], *args]
        return generic(node.origin, args, ctx, runtime)
    raise TypeError(f"not a type node: {node!r}")


def generic(origin: str, args: list[list[Tok]], ctx: Ctx, runtime: bool = False) -> list[Tok]:
    """`origin[args]` (an origin of `GENERICS`) as `ctx`'s Python version
    spells it: from 3.10 on `list[X]`, `dict[str, X]`, and `Optional` and
    `Union` as `A | B` without repeated members, except in a run-time value
    holding a quoted forward reference (a string has no `|`)."""
    spelling = ctx.spelling
    if origin in ("Optional", "Union"):
        members = args
        if spelling.modern:
            unique: dict[str, list[Tok]] = {}
            for member in [*args, [L.name("None")]] if origin == "Optional" else args:
                unique.setdefault(member[0].value + "".join(str(t) for t in member[1:]), member)
            members = list(unique.values())
        quoted = [runtime and len(m) == 1 and m[0].kind == L.STRING for m in members]
        if len(members) == 1 and not quoted[0] and (origin == "Union" or spelling.modern):
            return members[0]
        if spelling.modern and not any(quoted):
            return union(members)
        if spelling.modern:
            args = members[:-1] if origin == "Optional" else members
    source, head = GENERICS[origin]
    spelt = spelling.generic(head)
    if spelt == head:
        ctx.use(source, head)
    return subscript(spelt, args)


def union(members: Sequence[list[Tok]]) -> list[Tok]:
    """`A | B | C`."""
    toks: list[Tok] = []
    for i, member in enumerate(members):
        if i:
            toks.append(L.op(L.OP, "|", " "))
            member[0].prefix = " "
        toks.extend(member)
    return toks


def _comma_separated(items: Sequence[list[Tok]]) -> list[Tok]:
    """`a, b, c`: the items joined by commas, each after the first spaced."""
    toks: list[Tok] = []
    for i, item in enumerate(items):
        if i:
            toks.append(L.op(L.COMMA, ","))
            item[0].prefix = " "
        toks.extend(item)
    return toks


def subscript(head: str, args: list[list[Tok]]) -> list[Tok]:
    return [L.name(head), _lsqb(), *_comma_separated(args), Tok(L.RSQB, "]")]


def unwrap(node: TypeNode, swap: bool = False) -> tuple[TypeNode, bool]:
    while isinstance(node, Markup):
        swap = swap or node.style == "link"
        node = node.inner
    return node, swap


# --- statements -----------------------------------------------------------------


def assign(target: str, value: list[Tok], depth: int) -> str:
    line = L.kept(f"{target} = {L.text(value)}", depth)
    if line is not None:
        return line
    return L.layout([L.name(target), Tok(L.EQUAL, "=", " "), *L.invisible_parens(value)], depth)


def type_alias(name: str, value: list[Tok], ctx: Ctx) -> str:
    """A module-level type alias: `X = ...` (3.9), `X: TypeAlias = ...`,
    from 3.12 on a `type X = ...` statement (black adds no parentheses
    around its value)."""
    if ctx.spelling.type_statement:
        value[0].prefix = " "
        return L.layout([L.name("type"), L.name(name, " "), Tok(L.EQUAL, "=", " "), *value])
    if not ctx.spelling.modern:
        return assign(name, value, 0)
    ctx.use("typing", "TypeAlias")
    return annassign(name, [L.name("TypeAlias")], value, 0)


def annassign(target: str, ann: list[Tok], default: Optional[list[Tok]], depth: int) -> str:
    flat = f"{target}: {L.text(ann)}" if default is None else f"{target}: {L.text(ann)} = {L.text(default)}"
    line = L.kept(flat, depth)
    if line is not None:
        return line
    toks = [L.name(target), Tok(L.COLON, ":"), *L.invisible_parens(ann)]
    if default is not None:
        toks += [Tok(L.EQUAL, "=", " "), *L.invisible_parens(default)]
    return L.layout(toks, depth)


# pydantic documents `__pydantic_extra__: dict[str, X] = Field(init=False)` for
# typed extra keys; pyright rightly calls it a narrower override of
# pydantic's `dict[str, Any] | None`, so that one statement says so.
EXTRA_IGNORE = "# pyright: ignore[reportIncompatibleVariableOverride]"


def extra_declaration(ann: list[Tok], value: list[Tok]) -> str:
    """`__pydantic_extra__: dict[str, X] = ...` in a class body, with
    `EXTRA_IGNORE` on the line pyright reports, laid out as black keeps it
    (a comment after an opening bracket pins the split there)."""
    inner = ann[2:-1]
    args = "".join(str(t) for t in inner)
    if len(args) + 8 <= L.LINE_LENGTH:
        body = f"        {args}\n"
    else:  # black's delimiter split: one argument (`str`, X) a line, trailing comma
        value_type = "".join(str(t) for t in inner[2:]).lstrip()
        body = f"        {inner[0].value},\n        {value_type},\n"
    rhs = "".join(str(t) for t in value).lstrip()
    return f"    __pydantic_extra__: {ann[0].value}[  {EXTRA_IGNORE}\n{body}    ] = {rhs}\n"


def metadata(items: Mapping[str, str], ctx: Ctx) -> list[Tok]:
    """A dict of strings: `dict(k="v")` for 3.9 (today's output), a
    `{"k": "v"}` literal from 3.10 on (what ruff's C408 asks)."""
    if not ctx.spelling.modern:
        return call("dict", [], [(k, [Tok(L.STRING, py_str(v))]) for k, v in items.items()])
    pairs = [[Tok(L.STRING, py_str(k)), Tok(L.COLON, ":"), Tok(L.STRING, py_str(v), " ")] for k, v in items.items()]
    return [Tok(L.LBRACE, "{", parent=L.ATOM), *_comma_separated(pairs), Tok(L.RBRACE, "}")]


def call(func: str, args: list[list[Tok]], kwargs: Sequence[tuple[str, list[Tok]]] = ()) -> list[Tok]:
    items = [*args, *([L.name(k), Tok(L.EQUAL, "="), *v] for k, v in kwargs)]
    return [L.name(func), Tok(L.LPAR, "(", parent=L.TRAILER), *_comma_separated(items), Tok(L.RPAR, ")")]


def class_header(name: str, bases: Sequence[str]) -> str:
    line = L.kept(f"class {name}({', '.join(bases)}):" if bases else f"class {name}:")
    if line is not None:
        return line
    if not bases:
        return L.layout([L.name("class"), L.name(name, " "), Tok(L.COLON, ":")])
    return L.layout([L.name("class"), L.name(name, " "), Tok(L.LPAR, "(", parent=L.CLASSDEF),
                     *_name_list(bases), Tok(L.RPAR, ")"), Tok(L.COLON, ":")])


def decorator(func: str, message: str) -> str:
    return L.layout([L.name("@" + func), Tok(L.LPAR, "(", parent=L.TRAILER), Tok(L.STRING, py_str(message)), Tok(L.RPAR, ")")])


def _name_list(names: Sequence[str]) -> list[Tok]:
    return _comma_separated([[L.name(n)] for n in names])
