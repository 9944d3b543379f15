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

from typing import TYPE_CHECKING, Iterable, Mapping, Optional, Sequence, Union

from . import naming
from . import pylayout as L
from .ir import AnyModel, Generic, LiteralType, Markup, Primitive, Ref, TypeNode
from .overrides import Overrides
from .pyescape import py_str
from .pylayout import Tok
from .resolve import type_refs
from .shadowing import Shadows

if TYPE_CHECKING:  # pragma: no cover
    from .resolve import Resolved

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


# --- per-module context --------------------------------------------------------


def rel_module(src_parts: Sequence[str], dst_parts: Sequence[str]) -> str:
    """Relative import path from module `src_parts` to module `dst_parts`."""
    src_pkg = list(src_parts[:-1])
    dst_pkg = list(dst_parts[:-1])
    common = 0
    while common < min(len(src_pkg), len(dst_pkg)) and src_pkg[common] == dst_pkg[common]:
        common += 1
    dots = "." * (len(src_pkg) - common + 1)
    return dots + ".".join(list(dst_parts[common:]))


class Ctx:
    """What one module uses: library names, and model names to import."""

    def __init__(self, resolved: "Resolved", model: AnyModel, parts: list[str], own: set[str],
                 overrides: Overrides, target: str, enum_style: str = "literal"):
        self.resolved = resolved
        self.enum_style = enum_style  # of enums whose docs do not say (member defaults are spelt by it)
        self.overrides = overrides
        self.target = target
        self.model = model
        self.parts = parts
        self.libs: dict[str, set[str]] = {}
        self.top: dict[str, dict[str, str]] = {}  # module -> {name: local}
        self.bottom: dict[str, dict[str, str]] = {}
        self.taken: dict[str, tuple[tuple[str, str], bool]] = {n: (model.key, False) for n in own}
        self.locals: dict[tuple[tuple[str, str], bool], str] = {}
        self.cycle = resolved.cycle_of.get(model.key)
        # Models only an override refers to: the import-cycle analysis never
        # saw these references, so they are imported late (at the bottom) and
        # quoted, which is safe whatever the cycles.
        linked = {(r.namespace, r.name) for f in getattr(model, "fields", ()) for r, _ in type_refs(f.type)}
        self.late = set(overrides.model(model.key).refs) - linked
        # Fields keep the docs' names; class bodies reach the module-level
        # names they shadow through aliases, references avoid them.
        fields = [naming.attribute(f.name)[0] for f in getattr(model, "fields", ()) if not f.is_extra]
        fields += [str(added.name) for added in overrides.model(model.key).added]
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
        self.libs.setdefault(source, set()).add(name)

    def ref(self, ref: Ref, twin: bool) -> tuple[str, bool]:
        """(local name, quote it?) for a reference; records the import."""
        key = (ref.namespace, ref.name)
        target = self.resolved.by_key[key]
        cls = self.overrides.class_name(key, target.name)
        name = cls if (not twin or target.kind == "enum") else naming.twin_name(cls)
        is_twin = name != cls
        if key == self.model.key:
            return name, True
        ident = (key, is_twin)
        local = self.locals.get(ident)
        if local is None:
            local = name
            n = 1
            while local in self.taken and self.taken[local] != ident:
                n += 1
                local = f"{name}_{naming._sanitize(ref.namespace)}" + ("" if n == 2 else str(n))
            self.taken[local] = ident
            self.locals[ident] = local
        # an enum's module imports no model: importing it at the top never makes a cycle
        same_cycle = (key in self.late and target.kind != "enum") or (
            self.cycle is not None and self.resolved.cycle_of.get(key) == self.cycle)
        mod = rel_module(self.parts, naming.module_path(target.path).split("/"))
        (self.bottom if same_cycle else self.top).setdefault(mod, {})[name] = local
        return local, same_cycle

    def import_lines(self) -> list[str]:
        stmts: list[str] = []
        libs = self.libs
        shadows, plain = self.shadows, frozenset(self.plain)
        for mod in sorted(libs.get("import", ())):
            if mod not in shadows.aliases or mod in plain:
                stmts.append(L.layout([L.name("import"), L.name(mod, " ")]))
        for mod, alias in shadows.module_aliases():
            stmts.append(L.layout([L.name("import"), L.name(mod, " "), L.name("as", " "), L.name(alias, " ")]))
        for src in ("builtins", "datetime", "decimal", "enum", "typing", "typing_extensions"):
            names = shadows.names(src, libs.get(src, ()), plain)
            if names:
                stmts.append(_from_import(src, names))
        for src in sorted(set(libs) - self.KNOWN):  # overrides' bases and decorators
            stmts.append(_from_import(src, shadows.names(src, libs[src], plain)))
        runtime = shadows.names("_runtime", libs.get("_runtime", ()), plain)
        if runtime:
            stmts.append(_from_import("." * (len(self.parts)) + "_runtime", runtime))
        for mod in sorted(self.top):
            stmts.append(_from_import(mod, _pairs(self.top[mod])))
        return stmts

    KNOWN = {"import", "builtins", "datetime", "decimal", "enum", "typing", "typing_extensions", "_runtime"}

    def bottom_lines(self) -> list[str]:
        return [_from_import(mod, _pairs(self.bottom[mod])) for mod in sorted(self.bottom)]


def _pairs(names: Mapping[str, str]) -> list[str]:
    return [n if n == local else f"{n} as {local}" for n, local in sorted(names.items())]


def _from_import(module: str, names: Iterable[str]) -> str:
    toks: list[Tok] = []
    for i, n in enumerate(names):
        if i:
            toks.append(L.op(L.COMMA, ","))
        toks.append(L.name(n, " " if i else ""))
    return L.layout([L.name("from"), L.name(module, " "), L.name("import", " "), *L.invisible_parens(toks, " ", L.IMPORT)])


# --- type annotations -----------------------------------------------------------


def _lsqb() -> Tok:
    return Tok(L.LSQB, "[", parent=L.TRAILER)


def literal_value(v: Union[str, int, bool]) -> Tok:
    if isinstance(v, bool):
        return L.name("True" if v else "False")
    if isinstance(v, int):
        return Tok(L.NUMBER, str(v))
    return Tok(L.STRING, py_str(v))


def annotation(node: TypeNode, ctx: Ctx, twin: bool, swap: bool = False) -> list[Tok]:
    """Annotation tokens for a type tree, from validated identifiers only."""
    if isinstance(node, Markup):
        return annotation(node.inner, ctx, twin, swap or node.style == "link")
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
        local, quote = ctx.ref(node, twin)
        return [Tok(L.STRING, py_str(local))] if quote else [L.name(local)]
    if isinstance(node, Generic):
        if node.origin == "OptionalNullable" and ctx.target == "typeddict":
            node = Generic("Nullable", node.args)
        source, head = GENERICS[node.origin]
        ctx.use(source, head)
        args = [annotation(a, ctx, twin, swap) for a in node.args]
        if node.origin == "Dict":
            args = [[L.name("str")], *args[-1:]]
        elif node.origin == "Callable":  # no arguments: `Callable[[], T]`
            args = [[_lsqb(), Tok(L.RSQB, "]")], *args]
        return subscript(head, args)
    raise TypeError(f"not a type node: {node!r}")


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
    return L.layout([L.name(target), Tok(L.EQUAL, "=", " "), *L.invisible_parens(value)], depth)


def annassign(target: str, ann: list[Tok], default: Optional[list[Tok]], depth: int) -> str:
    toks = [L.name(target), Tok(L.COLON, ":"), *L.invisible_parens(ann)]
    if default is not None:
        toks += [Tok(L.EQUAL, "=", " "), *L.invisible_parens(default)]
    return L.layout(toks, depth)


def call(func: str, args: list[list[Tok]], kwargs: Sequence[tuple[str, list[Tok]]] = ()) -> list[Tok]:
    items = [*args, *([L.name(k), Tok(L.EQUAL, "="), *v] for k, v in kwargs)]
    return [L.name(func), Tok(L.LPAR, "(", parent=L.TRAILER), *_comma_separated(items), Tok(L.RPAR, ")")]


def class_header(name: str, bases: Sequence[str]) -> str:
    if not bases:
        return L.layout([L.name("class"), L.name(name, " "), Tok(L.COLON, ":")])
    return L.layout([L.name("class"), L.name(name, " "), Tok(L.LPAR, "(", parent=L.CLASSDEF),
                     *_name_list(bases), Tok(L.RPAR, ")"), Tok(L.COLON, ":")])


def decorator(func: str, message: str) -> str:
    return L.layout([L.name("@" + func), Tok(L.LPAR, "(", parent=L.TRAILER), Tok(L.STRING, py_str(message)), Tok(L.RPAR, ")")])


def _name_list(names: Sequence[str]) -> list[Tok]:
    return _comma_separated([[L.name(n)] for n in names])
