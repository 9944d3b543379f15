"""The Python renderer: resolved IR -> a typed, self-contained package.

Decisions live here; module structure lives in `templates/python/`; line
layout lives in `pylayout` (black-compatible by construction).

Each logical statement is described as `pylayout.Tok` tokens built from
validated identifiers (`naming`) and escaped literals (`pyescape.py_str`), then laid
out by `pylayout.layout`.  `_ann()` is the one function that turns a type
tree into annotation tokens.  Everything from a spec reaches the templates
either as such a laid-out statement or as an escaped docstring
(`pyescape.docstring`), escaped exactly once, in `pyescape`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Optional, Sequence, Union

from . import naming, unions
from . import pylayout as L
from .ir import (
    AnyModel,
    EnumModel,
    Field,
    Generic,
    LiteralType,
    Markup,
    ObjectModel,
    Primitive,
    Ref,
    TypeNode,
    UnionModel,
)
from .config import TARGETS
from .overrides import DEFAULT_CALLS, NO_OVERRIDES, Default, FieldFix, Overrides
from .conventions import convention
from .shadowing import Shadows
from .templating import render
from .pyescape import doc_escape, docstring, py_str

from .resolve import summarize, type_refs

if TYPE_CHECKING:  # pragma: no cover
    from .resolve import Resolved, Summary

Tok = L.Tok

# Output kinds (`--target`): what each module defines.
#   pydantic     pydantic v2 models + TypedDict twins (the default)
#   dataclasses  stdlib `@dataclasses.dataclass` classes; no third-party import
#   typeddict    the TypedDict twins alone (typing_extensions only)
DEFAULT_TARGET = TARGETS[0]

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


class _Ctx:
    """What one module uses: library names, and model names to import."""

    def __init__(self, resolved: "Resolved", model: AnyModel, parts: list[str], own: set[str],
                 overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET):
        self.resolved = resolved
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
        same_cycle = key in self.late or (self.cycle is not None and self.resolved.cycle_of.get(key) == self.cycle)
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


def _literal_value(v: Union[str, int, bool]) -> Tok:
    if isinstance(v, bool):
        return L.name("True" if v else "False")
    if isinstance(v, int):
        return Tok(L.NUMBER, str(v))
    return Tok(L.STRING, py_str(v))


def _ann(node: TypeNode, ctx: _Ctx, twin: bool, swap: bool = False) -> list[Tok]:
    """Annotation tokens for a type tree, from validated identifiers only."""
    if isinstance(node, Markup):
        return _ann(node.inner, ctx, twin, swap or node.style == "link")
    if isinstance(node, Ref) and (node.namespace, node.name) not in ctx.resolved.by_key:
        node = Primitive("Any")  # a dangling link (resolve warned)
    if isinstance(node, Primitive):
        pname = node.name
        if swap and pname in ("date", "datetime"):
            pname = "datetime" if pname == "date" else "date"
        if pname == "IO[bytes]":
            ctx.use("typing", "IO")
            return _subscript("IO", [[L.name("bytes")]])
        expr, src = PRIMITIVES[pname]
        if src is not None:
            ctx.use(src[0], src[1])
        return [L.name(expr)]
    if isinstance(node, LiteralType):
        ctx.use("typing", "Literal")
        return _subscript("Literal", [[_literal_value(v)] for v in node.values])
    if isinstance(node, Ref):
        local, quote = ctx.ref(node, twin)
        return [Tok(L.STRING, py_str(local))] if quote else [L.name(local)]
    if isinstance(node, Generic):
        if node.origin == "OptionalNullable" and ctx.target == "typeddict":
            node = Generic("Nullable", node.args)
        source, head = GENERICS[node.origin]
        ctx.use(source, head)
        args = [_ann(a, ctx, twin, swap) for a in node.args]
        if node.origin == "Dict":
            args = [[L.name("str")], *args[-1:]]
        return _subscript(head, args)
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


def _subscript(head: str, args: list[list[Tok]]) -> list[Tok]:
    return [L.name(head), _lsqb(), *_comma_separated(args), Tok(L.RSQB, "]")]


def _unwrap(node: TypeNode, swap: bool = False) -> tuple[TypeNode, bool]:
    while isinstance(node, Markup):
        swap = swap or node.style == "link"
        node = node.inner
    return node, swap


# --- statements -----------------------------------------------------------------


def _assign(target: str, value: list[Tok], depth: int) -> str:
    return L.layout([L.name(target), Tok(L.EQUAL, "=", " "), *L.invisible_parens(value)], depth)


def _annassign(target: str, ann: list[Tok], default: Optional[list[Tok]], depth: int) -> str:
    toks = [L.name(target), Tok(L.COLON, ":"), *L.invisible_parens(ann)]
    if default is not None:
        toks += [Tok(L.EQUAL, "=", " "), *L.invisible_parens(default)]
    return L.layout(toks, depth)


def _call(func: str, args: list[list[Tok]], kwargs: Sequence[tuple[str, list[Tok]]] = ()) -> list[Tok]:
    items = [*args, *([L.name(k), Tok(L.EQUAL, "="), *v] for k, v in kwargs)]
    return [L.name(func), Tok(L.LPAR, "(", parent=L.TRAILER), *_comma_separated(items), Tok(L.RPAR, ")")]


def _class_header(name: str, bases: Sequence[str]) -> str:
    if not bases:
        return L.layout([L.name("class"), L.name(name, " "), Tok(L.COLON, ":")])
    return L.layout([L.name("class"), L.name(name, " "), Tok(L.LPAR, "(", parent=L.CLASSDEF),
                     *_name_list(bases), Tok(L.RPAR, ")"), Tok(L.COLON, ":")])


def _decorator(func: str, message: str) -> str:
    return L.layout([L.name("@" + func), Tok(L.LPAR, "(", parent=L.TRAILER), Tok(L.STRING, py_str(message)), Tok(L.RPAR, ")")])


# --- views ------------------------------------------------------------------------


@dataclass
class FieldView:
    stmt: str
    doc: str  # laid-out docstring statement or ""
    has_default: bool


@dataclass
class ClassView:
    header: str
    decorators: list[str]
    doc: str
    preamble: list[str] = field(default_factory=list)
    fields: list[FieldView] = field(default_factory=list)
    missing: bool = False  # open Enum class: emit `_missing_`
    compact: bool = False  # no blank line between fields (enum members)
    notes: list[str] = field(default_factory=list)  # comment lines after the docstring


@dataclass
class BlockView:
    kind: str  # "class" | "assign"
    cls: Optional[ClassView] = None
    stmt: str = ""
    doc: str = ""


def _field_text(f: Field) -> str:
    text = f.description
    if f.deprecated:
        note = f"Deprecated: {f.deprecated}"
        text = f"{text}\n\n{note}" if text.strip() else note
    return text


def _model_text(m: AnyModel, is_class: bool) -> str:
    text = m.description
    if m.deprecated and not is_class:
        note = f"Deprecated: {m.deprecated}"
        text = f"{text}\n\n{note}" if text.strip() else note
    return text


def _object_blocks(m: ObjectModel, ctx: _Ctx) -> list[BlockView]:
    if ctx.target == "dataclasses":
        return _dataclass_blocks(m, ctx)
    if ctx.target == "typeddict":
        return _typeddict_blocks(m, ctx)
    fix = ctx.overrides.model(m.key)
    cls = ctx.overrides.class_name(m.key, m.name)
    twin = naming.twin_name(cls)
    ctx.use("_runtime", "BaseModel")
    ctx.use("typing_extensions", "TypedDict")
    for imported in (*fix.bases, *fix.decorators):
        ctx.use(imported.module, imported.name)
        ctx.plain.add(imported.name)
        ctx.taken[imported.name] = ((imported.module, imported.name), False)  # references avoid the name
    # extra bases first: a mixin's methods must win over BaseModel's
    main = ClassView(_class_header(cls, [b.name for b in fix.bases] + ["BaseModel"]), [], "")
    main.decorators += [L.layout([L.name("@" + d.name)]) for d in fix.decorators]
    td = ClassView(_class_header(twin, ["TypedDict"]), [], "")
    text = _model_text(m, True)
    if text.strip():
        main.doc = docstring(text, 1)
        td.doc = main.doc
    if m.deprecated:
        ctx.use("typing_extensions", "deprecated")
        main.decorators.append(_decorator("deprecated", m.deprecated))
    rows: list[tuple[FieldView, FieldView]] = []
    for f in m.fields:
        if f.is_extra:
            inner, _ = _unwrap(f.type)
            value_node = inner.args[-1] if isinstance(inner, Generic) and inner.origin == "Dict" else inner
            ctx.use("import", "pydantic")
            config = ctx.body(_call("pydantic.ConfigDict", [], [("extra", [Tok(L.STRING, '"allow"')])]))
            main.preamble.append(_assign("model_config", config, 1))
            ctx.use("typing", "Dict")
            ann = ctx.body(_subscript("Dict", [[L.name("str")], _ann(value_node, ctx, False, _unwrap(f.type)[1])]))
            extra = ctx.body(_call("pydantic.Field", [], [("init", [L.name("False")])]))
            main.preamble.append(_annassign("__pydantic_extra__", ann, extra, 1))
            continue
        rows.append(_field_views(f, ctx, fix.fields.get(f.name)))
    # the doc's order (it is the dump order); pydantic needs no other
    main.fields = [r[0] for r in rows]
    td.fields = [r[1] for r in rows]
    return [BlockView("class", cls=main), BlockView("class", cls=td)]


def _shape(f: Field) -> tuple[str, TypeNode, bool, Optional[Default]]:
    """(wrapper, core type, date swap, default) of a field, as the docs say."""
    node, swap = _unwrap(f.type)
    wrapper = ""
    if isinstance(node, Generic) and node.origin in ("Optional", "OptionalNullable", "Nullable"):
        wrapper = node.origin
        node, swap = _unwrap(node.args[0], swap)
    if wrapper == "Nullable" and not f.required:
        wrapper = "OptionalNullable"
    if wrapper == "" and not f.required:
        wrapper = "Optional"
    default: Optional[Default] = None
    if wrapper == "Optional" and not f.required:
        default = Default("literal", None)
    elif wrapper == "OptionalNullable":
        default = Default("unset")
    # (a required `*Optional[T]*`, as older docs write it, is required and nullable: no default)
    if isinstance(node, LiteralType) and len(node.values) == 1 and wrapper != "Nullable":
        default = Default("literal", node.values[0])
    return wrapper, node, swap, default


def _default_toks(default: Default, ctx: _Ctx) -> list[Tok]:
    """A default's tokens: literals re-rendered from their value, never copied as text."""
    value = default.value
    if default.kind == "unset":
        ctx.use("_runtime", "UNSET")
        return [L.name("UNSET")]
    if default.kind == "call":
        ctx.use(*DEFAULT_CALLS[default.func])
        return _call(default.func, [[Tok(L.STRING, py_str(str(value)))]])
    if value is None:
        return [L.name("None")]
    if isinstance(value, float):
        return [Tok(L.NUMBER, repr(value))]
    return [_literal_value(value)]


def _twin_node(node: TypeNode, has_default: bool) -> TypeNode:
    """An override type's twin: `OptionalNullable[T]` -> `Nullable[T]`, and a
    defaulted `Optional[T]` -> `T` (the key is `NotRequired` instead)."""
    if isinstance(node, Generic) and node.origin == "OptionalNullable":
        return Generic("Nullable", node.args)
    if isinstance(node, Generic) and node.origin == "Optional" and has_default:
        return node.args[0]
    return node


def _field_views(f: Field, ctx: _Ctx, fix: Optional[FieldFix] = None) -> tuple[FieldView, FieldView]:
    main, twin = _field_pair(f, ctx, fix, main=True, twin=True)
    assert main is not None and twin is not None
    return main, twin


def _field_pair(f: Field, ctx: _Ctx, fix: Optional[FieldFix], *, main: bool, twin: bool
                ) -> tuple[Optional[FieldView], Optional[FieldView]]:
    """The field's statement in the model class (`main`; a pydantic field, or a
    dataclass field in the dataclasses target) and in the TypedDict twin
    (`twin`).  Only what is asked for is rendered, so only its imports are used."""
    attr, alias = naming.attribute(f.name)
    rule = convention(ctx.model.name, f)
    wrapper, node, swap, doc_default = _shape(replace(f, required=False) if rule and rule.optional else f)
    fix = fix or FieldFix()
    if fix.name is not None:  # renamed in the code: the wire name stays the doc's
        wire = alias if alias is not None else f.name
        attr, alias = fix.name, (wire if wire != fix.name else None)
    default = fix.default or doc_default
    ann: list[Tok] = []
    tann: list[Tok] = []
    if fix.type is not None:
        if main:
            ann = _ann(fix.type, ctx, False)
        if twin:
            tann = _ann(_twin_node(fix.type, default is not None), ctx, True)
    else:
        if main:
            if wrapper == "":
                ann = _ann(node, ctx, False, swap)
            else:
                ctx.use("typing" if wrapper == "Optional" else "_runtime", wrapper)
                ann = _subscript(wrapper, [_ann(node, ctx, False, swap)])
        if twin:
            if wrapper == "" or (wrapper == "Optional" and default is not None):
                tann = _ann(node, ctx, True, swap)
            elif wrapper == "Optional":  # required and nullable: the key must be there
                ctx.use("typing", "Optional")
                tann = _subscript("Optional", [_ann(node, ctx, True, swap)])
            else:
                ctx.use("_runtime", "Nullable")
                tann = _subscript("Nullable", [_ann(node, ctx, True, swap)])
    if twin and default is not None:
        ctx.use("typing_extensions", "NotRequired")
        tann = _subscript("NotRequired", [tann])
    alias = fix.alias if fix.alias is not None else ctx.overrides.wire.alias(ctx.model.key, f.name, attr, alias)
    text = _field_text(f)
    doc = docstring(text, 1) if text.strip() else ""
    main_view = twin_view = None
    if main:
        value = _default_toks(default, ctx) if default is not None else None
        if ctx.target == "dataclasses":
            if alias is not None:  # the wire name, kept in the field's metadata
                ctx.use("import", "dataclasses")
                kwargs = [("default", value)] if value is not None else []
                kwargs.append(("metadata", _call("dict", [], [("alias", [Tok(L.STRING, py_str(alias))])])))
                value = _call("dataclasses.field", [], kwargs)
        elif alias is not None or (rule and rule.exclude):
            ctx.use("typing_extensions", "Annotated")
            ctx.use("import", "pydantic")
            options = [("alias", [Tok(L.STRING, py_str(alias))])] if alias is not None else []
            if rule and rule.exclude:  # never dumped: the raw HTTP exchange
                options.append(("exclude", [L.name("True")]))
            ann = _subscript("Annotated", [ann, _call("pydantic.Field", [], options)])
        main_view = FieldView(_annassign(attr, ctx.body(ann), ctx.body(value) if value else value, 1),
                              doc, default is not None)
    if twin:
        twin_view = FieldView(_annassign(attr, ctx.body(tann), None, 1), doc, default is not None)
    return main_view, twin_view


def _dataclass_blocks(m: ObjectModel, ctx: _Ctx) -> list[BlockView]:
    """The dataclasses target: one `@dataclasses.dataclass` class, fields
    without a default first (dataclasses require it).  A deprecated model
    says so in its docstring (no `typing_extensions.deprecated`); a
    `__pydantic_extra__` row becomes a comment (a dataclass holds no extra keys)."""
    fix = ctx.overrides.model(m.key)
    cls = ctx.overrides.class_name(m.key, m.name)
    ctx.use("import", "dataclasses")
    for imported in (*fix.bases, *fix.decorators):
        ctx.use(imported.module, imported.name)
        ctx.plain.add(imported.name)
        ctx.taken[imported.name] = ((imported.module, imported.name), False)
    view = ClassView(_class_header(cls, [b.name for b in fix.bases]), [], "")
    # the overrides' decorators see the finished dataclass
    view.decorators += [L.layout([L.name("@" + d.name)]) for d in fix.decorators]
    view.decorators.append(L.layout([L.name("@dataclasses.dataclass")]))
    text = _model_text(m, False)
    if text.strip():
        view.doc = docstring(text, 1)
    rows: list[FieldView] = []
    for f in m.fields:
        if f.is_extra:
            note = "    # Extra keys are allowed on the wire; a dataclass does not hold them.\n"
            if note not in view.notes:
                view.notes.append(note)
            continue
        main, _ = _field_pair(f, ctx, fix.fields.get(f.name), main=True, twin=False)
        assert main is not None
        rows.append(main)
    rows.sort(key=lambda r: r.has_default)
    view.fields = rows
    return [BlockView("class", cls=view)]


def _typeddict_blocks(m: ObjectModel, ctx: _Ctx) -> list[BlockView]:
    """The typeddict target: the default target's twin alone, unchanged."""
    fix = ctx.overrides.model(m.key)
    twin = naming.twin_name(ctx.overrides.class_name(m.key, m.name))
    ctx.use("typing_extensions", "TypedDict")
    td = ClassView(_class_header(twin, ["TypedDict"]), [], "")
    text = _model_text(m, True)
    if text.strip():
        td.doc = docstring(text, 1)
    rows: list[FieldView] = []
    for f in m.fields:
        if f.is_extra:
            continue
        _, view = _field_pair(f, ctx, fix.fields.get(f.name), main=False, twin=True)
        assert view is not None
        rows.append(view)
    td.fields = rows  # the doc's order, as the default target's twins
    return [BlockView("class", cls=td)]


def _enum_blocks(m: EnumModel, ctx: _Ctx, default_style: str) -> list[BlockView]:
    cls = ctx.overrides.class_name(m.key, m.name)
    style = m.style or default_style
    values = [v.value for v in m.values]
    text = _model_text(m, style == "enum")
    if style == "enum":
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        strs = all(isinstance(v, str) for v in values)
        ctx.use("enum", "Enum")
        bases = ["int", "Enum"] if ints and values else (["str", "Enum"] if strs else ["Enum"])
        view = ClassView(_class_header(cls, bases), [], docstring(text, 1) if text.strip() else "", compact=True)
        seen: set[str] = set()
        for v in m.values:
            member = naming.safe_member(v.member, v.value) if v.member else naming.enum_member(v.value)
            base, n = member, 1
            while member in seen:
                n += 1
                member = f"{base}_{n}"
            seen.add(member)
            view.fields.append(FieldView(_assign(member, [_literal_value(v.value)], 1), "", False))
        if m.open:
            view.missing = True
            ctx.use("typing", "Any")
            ctx.use("_runtime", "open_enum_member")
        if m.deprecated:
            # typing_extensions.deprecated wraps __new__, which Enum needs: note it in the docstring
            note = f"{text}\n\nDeprecated: {m.deprecated}" if text.strip() else f"Deprecated: {m.deprecated}"
            view.doc = docstring(note, 1)
        return [BlockView("class", cls=view)]
    ctx.use("typing", "Literal")
    lit = _subscript("Literal", [[_literal_value(v)] for v in values]) if values else [L.name("str")]
    if m.open:
        ctx.use("typing", "Union")
        unrec = "UnrecognizedInt" if values and all(isinstance(v, int) for v in values) else "UnrecognizedStr"
        ctx.use("_runtime", unrec)
        lit = _subscript("Union", [lit, [L.name(unrec)]])
    return [BlockView("assign", stmt=_assign(cls, lit, 0), doc=docstring(text, 0) if text.strip() else "")]


def _union_blocks(m: UnionModel, ctx: _Ctx) -> list[BlockView]:
    cls = ctx.overrides.class_name(m.key, m.name)
    twin = naming.twin_name(cls)
    text = _model_text(m, False)
    doc = docstring(text, 0) if text.strip() else ""
    if ctx.target == "dataclasses":
        # No TypeAliasType without typing_extensions: a plain `Union[...]`
        # alias, members on an import cycle as string forward references.
        members = [_ann(mem.type, ctx, False) for mem in unions.ordered(m, ctx.resolved)]
        if len(members) == 1 and members[0][0].kind != L.STRING:
            value = members[0]
        else:  # a lone forward reference stays a type (`Union["X"]`), not a str
            ctx.use("typing", "Union")
            value = _subscript("Union", members)
        return [BlockView("assign", stmt=_assign(cls, value, 0), doc=doc)]
    ctx.use("typing_extensions", "TypeAliasType")
    out = []
    names = ((twin, True),) if ctx.target == "typeddict" else ((cls, False), (twin, True))
    ordered = unions.ordered(m, ctx.resolved)
    tagged = unions.discriminator(ordered, ctx.resolved, ctx.overrides)
    for name, is_twin in names:
        members = [_ann(mem.type, ctx, is_twin) for mem in ordered]
        if len(members) == 1:
            value = members[0]
        elif tagged is not None and not is_twin:
            value = _discriminated(members, tagged, ctx)
        else:
            ctx.use("typing", "Union")
            value = _subscript("Union", members)
        stmt = _assign(name, _call("TypeAliasType", [[Tok(L.STRING, py_str(name))], value]), 0)
        out.append(BlockView("assign", stmt=stmt, doc=doc if not is_twin or ctx.target == "typeddict" else ""))
    return out


def _discriminated(members: list[list[Tok]], tagged: unions.Discriminated, ctx: _Ctx) -> list[Tok]:
    """`Annotated[Union[Annotated[A, pydantic.Tag("a")], ...], pydantic.Discriminator(tag_of(...))]`."""
    ctx.use("typing", "Union")
    ctx.use("typing_extensions", "Annotated")
    ctx.use("import", "pydantic")
    ctx.use("_runtime", "tag_of")
    tagged_members = [_subscript("Annotated", [member, _call("pydantic.Tag", [[Tok(L.STRING, py_str(tag))]])])
                      for member, tag in zip(members, tagged.tags)]
    finder = _call("tag_of", [[Tok(L.STRING, py_str(tagged.attr))], [Tok(L.STRING, py_str(tagged.key))]])
    return _subscript("Annotated", [_subscript("Union", tagged_members), _call("pydantic.Discriminator", [finder])])


# --- the package ----------------------------------------------------------------


def _template(name: str, target: str) -> Union[str, list[str]]:
    """`python/<target>/<name>` when there is one, else the shared `python/<name>`."""
    return name if target == DEFAULT_TARGET else [f"python/{target}/{name[len('python/'):]}", name]


def _module_text(resolved: "Resolved", m: AnyModel, enum_style: str, overrides: Overrides,
                 target: str = DEFAULT_TARGET) -> str:
    parts = naming.module_path(m.path).split("/")
    cls = overrides.class_name(m.key, m.name)
    ctx = _Ctx(resolved, m, parts, {cls, naming.twin_name(cls)}, overrides, target)
    if isinstance(m, ObjectModel):
        blocks = _object_blocks(m, ctx)
    elif isinstance(m, EnumModel):
        blocks = _enum_blocks(m, ctx, enum_style)
    else:
        blocks = _union_blocks(m, ctx)
    return render(
        _template("python/module.py.jinja", target),
        {"imports": ctx.import_lines(), "blocks": blocks, "bottom": ctx.bottom_lines()},
    )


def exported_names(m: Union[AnyModel, "Summary"], overrides: Overrides = NO_OVERRIDES,
                   target: str = DEFAULT_TARGET) -> list[str]:
    cls = overrides.class_name(m.key, m.name)
    if m.kind == "enum" or target == "dataclasses":
        return [cls]
    if target == "typeddict":
        return [naming.twin_name(cls)]
    return [cls, naming.twin_name(cls)]


def _init_text(entries: list[tuple[str, str]], title: str, target: str = DEFAULT_TARGET) -> str:
    """A lazy `__init__`: entries are (name, relative module).

    The type-checking imports are always exploded with a magic trailing
    comma, a layout black keeps whatever the length: no layout pass needed
    for tens of thousands of names."""
    by_module: dict[str, list[str]] = {}
    for n, mod in entries:
        by_module.setdefault(mod, []).append(n)
    return render(
        _template("python/init.py.jinja", target),
        {
            "doc": docstring(title, 0),
            "imports": sorted(by_module.items()),
            "entries": [(py_str(n), py_str(mod)) for n, mod in entries],
        },
    )


def _name_list(names: Sequence[str]) -> list[Tok]:
    return _comma_separated([[L.name(n)] for n in names])


def render_module(model: AnyModel, resolved: "Resolved", *, enum_style: str = "literal",
                  overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET) -> tuple[str, str]:
    """(module path relative to the package, e.g. `models/foo.py`, its text).

    `enum_style` ("literal" or "enum") is the representation of enums whose
    docs do not say (older table-form docs); `target` one of `TARGETS`."""
    return naming.module_path(model.path) + ".py", _module_text(resolved, model, enum_style, overrides, target)


def field_statements(model: ObjectModel, resolved: "Resolved", fixes: Mapping[str, FieldFix]) -> list[str]:
    """The pydantic field statement of each of `model`'s fields (doc order,
    `__pydantic_extra__` left out) as the default target writes it with
    `fixes` (by the doc's field name): for comparing code with what
    `generate` would write (`md2models overrides`)."""
    cls = naming.class_name(model.name)
    ctx = _Ctx(resolved, model, naming.module_path(model.path).split("/"), {cls, naming.twin_name(cls)})
    views = [_field_pair(f, ctx, fixes.get(f.name), main=True, twin=False)[0] for f in model.fields if not f.is_extra]
    return [view.stmt for view in views if view is not None]


def render_package(summaries: Iterable["Summary"], package: str, overrides: Overrides = NO_OVERRIDES,
                   target: str = DEFAULT_TARGET) -> dict[str, str]:
    """The package's own files: runtime, `py.typed` and the `__init__`s.

    {path relative to the package: text}; `summaries` in spec (path) order.
    Only the top-level `__init__` is an index: sub-folder `__init__`s stay
    empty, so importing one model never loads a second index of every name.
    A name that several namespaces define is left out of the index (import
    it from its module) rather than picked."""
    top: dict[str, list[str]] = {}  # name -> the modules defining it
    folders: set[str] = set()
    for m in summaries:
        parts = naming.module_path(m.path).split("/")
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
        for n in exported_names(m, overrides, target):
            top.setdefault(n, []).append("." + ".".join(parts))
    entries = [(n, modules[0]) for n, modules in top.items() if len(modules) == 1]
    files = {
        "_runtime.py": render(_template("python/runtime.py.jinja", target), {}),
        "py.typed": "",
        "__init__.py": _init_text(entries, f"The {package} models (lazily imported).", target),
    }
    for folder in sorted(folders):
        files[f"{folder}/__init__.py"] = render(_template("python/folder_init.py.jinja", target), {})
    return files


def render_python(models: Sequence[AnyModel], resolved: "Resolved", package: str, *, enum_style: str = "literal",
                  overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET) -> dict[str, str]:
    """All files of OUT/<package>/ as {POSIX path relative to OUT: text}."""
    summaries = map(summarize, models)
    files = {f"{package}/{path}": text
             for path, text in render_package(summaries, package, overrides, target).items()}
    for model in models:
        path, text = render_module(model, resolved, enum_style=enum_style, overrides=overrides, target=target)
        files[f"{package}/{path}"] = text
    return files
