"""The per-model blocks: what one model's module defines, per target.

A model becomes `BlockView`s that `templates/python/module.py.jinja` lays
out: a pydantic model and its TypedDict twin (with `FieldView`s), a
dataclass, a TypedDict alone, an enum class or `Literal` alias, a union
alias.  The decisions (field types, defaults, aliases, overrides,
discriminators) live here, apart from the syntax they are spelt in
(`pysyntax`) and from the package around the modules (`pyrender`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from . import naming, unions
from . import pylayout as L
from .conventions import Convention, convention
from .ir import AnyModel, EnumModel, Field, Generic, LiteralType, Markup, ObjectModel, Ref, TypeNode, UnionModel
from .overrides import DEFAULT_CALLS, Default, FieldFix
from .pyescape import docstring, py_str
from .pylayout import Tok
from .pymemo import template
from .pysyntax import (
    Ctx,
    annassign,
    annotation,
    assign,
    call,
    class_header,
    decorator,
    extra_declaration,
    generic,
    literal_value,
    metadata,
    subscript,
    type_alias,
    unwrap,
)
from .shadowing import referenced


# --- views ------------------------------------------------------------------------


@dataclass
class FieldView:
    stmt: str
    doc: str  # laid-out docstring statement or ""
    has_default: bool

    def __str__(self) -> str:
        """The statement and its docstring, as the module writes them."""
        return self.stmt + "    " + self.doc if self.doc else self.stmt


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


NO_FIELD_FIX = FieldFix()


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


# --- blocks -----------------------------------------------------------------------


def model_blocks(m: AnyModel, ctx: Ctx, enum_style: str) -> list[BlockView]:
    """What `m`'s module defines; `enum_style` for enums whose docs do not say."""
    if isinstance(m, ObjectModel):
        return _object_blocks(m, ctx)
    if isinstance(m, EnumModel):
        return _enum_blocks(m, ctx, enum_style)
    return _union_blocks(m, ctx)


def _object_blocks(m: ObjectModel, ctx: Ctx) -> list[BlockView]:
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
    main = ClassView(class_header(cls, [b.name for b in fix.bases] + ["BaseModel"]), [], "")
    main.decorators += [L.layout([L.name("@" + d.name)]) for d in fix.decorators]
    td = ClassView(class_header(twin, ["TypedDict"]), [], "")
    text = _model_text(m, True)
    if text.strip():
        main.doc = docstring(text, 1)
        td.doc = main.doc
    if m.deprecated:
        ctx.use("typing_extensions", "deprecated")
        main.decorators.append(decorator("deprecated", m.deprecated))
    rows: list[tuple[FieldView, FieldView]] = []
    for f in m.fields:
        if f.is_extra:
            inner, _ = unwrap(f.type)
            value_node = inner.args[-1] if isinstance(inner, Generic) and inner.origin == "Dict" else inner
            ctx.use("import", "pydantic")
            config = ctx.body(call("pydantic.ConfigDict", [], [("extra", [Tok(L.STRING, '"allow"')])]))
            main.preamble.append(assign("model_config", config, 1))
            value = annotation(value_node, ctx, False, unwrap(f.type)[1])
            if len(value) > 1 or value[0].value != "Any":  # extra keys of any type need no declaration
                ann = ctx.body(generic("Dict", [[L.name("str")], value], ctx))
                extra = ctx.body(call("pydantic.Field", [], [("init", [L.name("False")])]))
                main.preamble.append(extra_declaration(ann, extra))
            continue
        rows.append(_field_views(f, ctx, fix.fields.get(f.name)))
    # the doc's order (it is the dump order); pydantic needs no other
    main.fields = [r[0] for r in rows] + added_views(m, ctx)
    td.fields = [r[1] for r in rows]
    return [BlockView("class", cls=main), BlockView("class", cls=td)]


def added_views(m: ObjectModel, ctx: Ctx) -> list[FieldView]:
    """The overrides' fields no doc lists (what the SDK sets, like a page's
    `next`), after the doc's: in the model class only, the twin holds the wire data."""
    views = []
    for fix in ctx.overrides.model(m.key).added:
        assert fix.name is not None and fix.type is not None
        f = Field(fix.name, fix.type, fix.default is None, "", "", "", False, m.pos)
        view, _ = field_pair(f, ctx, replace(fix, name=None), main=True, twin=False)
        assert view is not None
        views.append(view)
    return views


def _shape(f: Field) -> tuple[str, TypeNode, bool, Optional[Default]]:
    """(wrapper, core type, date swap, default) of a field, as the docs say."""
    node, swap = unwrap(f.type)
    wrapper = ""
    if isinstance(node, Generic) and node.origin in ("Optional", "OptionalNullable", "Nullable"):
        wrapper = node.origin
        node, swap = unwrap(node.args[0], swap)
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


def _default_toks(default: Default, ctx: Ctx) -> list[Tok]:
    """A default's tokens: literals re-rendered from their value, never copied as text."""
    value = default.value
    if default.kind == "unset":
        ctx.use("_runtime", "UNSET")
        return [L.name("UNSET")]
    if default.kind == "call":
        ctx.use(*DEFAULT_CALLS[default.func])
        return call(default.func, [[Tok(L.STRING, py_str(str(value)))]])
    if default.kind == "member":  # bound: `enum` names the enum, `value` the member
        assert default.enum is not None
        style, _, members = ctx.resolved.by_key[default.enum].enum
        if (style or ctx.enum_style) == "enum":
            local, _ = ctx.ref(Ref(*default.enum), False)  # never quoted: an enum is imported at the top
            return [L.name(f"{local}.{value}")]
        value = dict(members)[str(value)]
    if value is None:
        return [L.name("None")]
    if isinstance(value, float):
        return [Tok(L.NUMBER, repr(value))]
    return [literal_value(value)]


def _twin_node(node: TypeNode, has_default: bool) -> TypeNode:
    """An override type's twin: `OptionalNullable[T]` -> `Nullable[T]`, and a
    defaulted `Optional[T]` -> `T` (the key is `NotRequired` instead)."""
    if isinstance(node, Generic) and node.origin == "OptionalNullable":
        return Generic("Nullable", node.args)
    if isinstance(node, Generic) and node.origin == "Optional" and has_default:
        return node.args[0]
    return node


def _field_views(f: Field, ctx: Ctx, fix: Optional[FieldFix] = None) -> tuple[FieldView, FieldView]:
    main, twin = field_pair(f, ctx, fix, main=True, twin=True)
    assert main is not None and twin is not None
    return main, twin


@dataclass(frozen=True)
class _Statements:
    """A field's statements in the model class and in the twin (None: not asked for)."""

    main: Optional[str]
    twin: Optional[str]
    has_default: bool
    names: frozenset[str]  # the module-level names they refer to (a field of such a name would shadow it)
    uses: tuple[tuple[str, str], ...] = ()  # what they import, as told to `Ctx.use`


# The statements of fields that no override fixes, by all they are made of
# (see `field_pair`), as `str.format` templates of the local names of the
# models they refer to: orq 4.13.19's 38k fields have ~4.5k.
_FIELDS: dict[tuple[object, ...], _Statements] = {}


def field_pair(f: Field, ctx: Ctx, fix: Optional[FieldFix], *, main: bool, twin: bool
                ) -> tuple[Optional[FieldView], Optional[FieldView]]:
    """The field's statement in the model class (`main`; a pydantic field, or a
    dataclass field in the dataclasses target) and in the TypedDict twin
    (`twin`).  Only what is asked for is rendered, so only its imports are used."""
    attr, alias = naming.attribute(f.name)
    rule = convention(ctx.model.name, f)
    if fix is not None and fix.name is not None:  # renamed in the code: the wire name stays the doc's
        wire = alias if alias is not None else f.name
        attr, alias = fix.name, (wire if wire != fix.name else None)
    if fix is not None and fix.alias is not None:
        alias = fix.alias
    else:
        alias = ctx.overrides.wire.alias(ctx.model.key, f.name, attr, alias)
    text = _field_text(f)
    doc = docstring(text, 1) if text.strip() else ""
    if fix is not None:
        return _views(_statements(f, ctx, fix, attr, alias, rule, main, twin), doc)
    # Without a fix the statements depend on the key alone, given the local
    # names of the models the type refers to (`Ctx.ref`, in the order
    # `annotation` meets them: each a name token, or a string token when
    # quoted, whose length alone the layout depends on), and on the module's
    # fields only through the names those would shadow.
    refs: list[Ref] = []
    outline = _outline(f.type, refs)
    if not all((r.namespace, r.name) in ctx.resolved.by_key for r in refs):  # a dangling link: `Any`
        return _views(_statements(f, ctx, NO_FIELD_FIX, attr, alias, rule, main, twin), doc)
    fields = ctx.shadows.fields
    locals_: list[str] = []
    main_locals: list[str] = []
    twin_locals: list[str] = []
    key: tuple[object, ...] = (outline, f.required, attr, alias, rule, ctx.target, ctx.spelling.version, main, twin)
    fits = True
    if refs:
        found = ([ctx.ref(r, False, False) for r in refs] if main else []) + (
            [ctx.ref(r, True, False) for r in refs] if twin else [])
        key += tuple([(len(local), quoted) for local, quoted in found])
        locals_ = [local for local, _ in found]
        main_locals, twin_locals = locals_[:len(refs) if main else 0], locals_[len(refs) if main else 0:]
        # Each name a token of its own: none repeated in a statement (`generic`
        # drops a repeated union member; no name is that of a type, which
        # `naming.class_name` renames), none a field's (itself, shadowed).
        fits = (len(set(main_locals)) == len(main_locals) and len(set(twin_locals)) == len(twin_locals)
                and fields.isdisjoint(locals_))
    made = _FIELDS.get(key)
    if made is not None and fits and made.names.isdisjoint(fields):
        for source, name in made.uses:
            ctx.use(source, name)
        return _views(made, doc, locals_)
    start = len(ctx.used)
    made = _statements(f, ctx, NO_FIELD_FIX, attr, alias, rule, main, twin)
    if fits and made.names.isdisjoint(fields):
        main_template = made.main and template(made.main, main_locals)
        twin_template = made.twin and template(made.twin, twin_locals, len(main_locals))
        if (main_template is not None or not main) and (twin_template is not None or not twin):
            _FIELDS[key] = _Statements(main_template, twin_template, made.has_default,
                                       made.names.difference(locals_), tuple(ctx.used[start:]))
    return _views(made, doc)


def _views(made: _Statements, doc: str, locals_: Optional[list[str]] = None
           ) -> tuple[Optional[FieldView], Optional[FieldView]]:
    """The field views of `made`; of a memo's templates filled in with `locals_`."""
    main, twin = made.main, made.twin
    if locals_ is not None:
        main, twin = main and main.format(*locals_), twin and twin.format(*locals_)
    return (FieldView(main, doc, made.has_default) if main is not None else None,
            FieldView(twin, doc, made.has_default) if twin is not None else None)


def _outline(node: TypeNode, refs: list[Ref]) -> object:
    """What of a type its statements show, less the models it refers to
    (appended to `refs` in the order `annotation` meets them) and link targets."""
    if isinstance(node, Ref):
        refs.append(node)
        return None
    if isinstance(node, Markup):
        return ("markup", node.style, _outline(node.inner, refs))
    if isinstance(node, Generic):
        return (node.origin, *[_outline(arg, refs) for arg in node.args])
    return node


def _statements(f: Field, ctx: Ctx, fix: FieldFix, attr: str, alias: Optional[str], rule: Optional[Convention],
                main: bool, twin: bool) -> _Statements:
    wrapper, node, swap, doc_default = _shape(replace(f, required=False) if rule and rule.optional else f)
    default = fix.default or doc_default
    ann: list[Tok] = []
    tann: list[Tok] = []
    if fix.type is not None:
        if main:
            ann = annotation(fix.type, ctx, False)
        if twin:
            tann = annotation(_twin_node(fix.type, default is not None), ctx, True)
    else:
        if main:
            if wrapper == "":
                ann = annotation(node, ctx, False, swap)
            else:
                ann = generic(wrapper, [annotation(node, ctx, False, swap)], ctx)
        if twin:
            if wrapper == "" or (wrapper == "Optional" and default is not None):
                tann = annotation(node, ctx, True, swap)
            elif wrapper == "Optional":  # required and nullable: the key must be there
                tann = generic("Optional", [annotation(node, ctx, True, swap)], ctx)
            else:
                tann = generic("Nullable", [annotation(node, ctx, True, swap)], ctx)
    if twin and default is not None:
        ctx.use("typing_extensions", "NotRequired")
        tann = subscript("NotRequired", [tann])
    value = None
    if main:
        value = _default_toks(default, ctx) if default is not None else None
        if ctx.target == "dataclasses":
            if alias is not None:  # the wire name, kept in the field's metadata
                ctx.use("import", "dataclasses")
                kwargs = [("default", value)] if value is not None else []
                kwargs.append(("metadata", metadata({"alias": alias}, ctx)))
                value = call("dataclasses.field", [], kwargs)
        elif alias is not None or (rule and rule.exclude) or _excluded(fix):
            ctx.use("typing_extensions", "Annotated")
            ctx.use("import", "pydantic")
            options = [("alias", [Tok(L.STRING, py_str(alias))])] if alias is not None else []
            if rule and rule.exclude or _excluded(fix):  # never dumped: the raw HTTP exchange, what the SDK sets
                options.append(("exclude", [L.name("True")]))
            ann = subscript("Annotated", [ann, call("pydantic.Field", [], options)])
    names = frozenset(name for toks in (ann, value or [], tann) for _, name in referenced(toks))
    if not names.isdisjoint(ctx.shadows.fields):
        ann, value, tann = ctx.body(ann), ctx.body(value) if value else value, ctx.body(tann)
    return _Statements(annassign(attr, ann, value, 1) if main else None,
                       annassign(attr, tann, None, 1) if twin else None, default is not None, names)


def _excluded(fix: FieldFix) -> bool:
    """Left out of dumps: as the overrides say, and always a function (a page's `next`: no JSON value)."""
    return fix.exclude or isinstance(fix.type, Generic) and fix.type.origin == "Callable"


def _dataclass_blocks(m: ObjectModel, ctx: Ctx) -> list[BlockView]:
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
    view = ClassView(class_header(cls, [b.name for b in fix.bases]), [], "")
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
        main, _ = field_pair(f, ctx, fix.fields.get(f.name), main=True, twin=False)
        assert main is not None
        rows.append(main)
    rows += added_views(m, ctx)
    rows.sort(key=lambda r: r.has_default)
    view.fields = rows
    return [BlockView("class", cls=view)]


def _typeddict_blocks(m: ObjectModel, ctx: Ctx) -> list[BlockView]:
    """The typeddict target: the default target's twin alone, unchanged."""
    fix = ctx.overrides.model(m.key)
    twin = naming.twin_name(ctx.overrides.class_name(m.key, m.name))
    ctx.use("typing_extensions", "TypedDict")
    td = ClassView(class_header(twin, ["TypedDict"]), [], "")
    text = _model_text(m, True)
    if text.strip():
        td.doc = docstring(text, 1)
    rows: list[FieldView] = []
    for f in m.fields:
        if f.is_extra:
            continue
        _, view = field_pair(f, ctx, fix.fields.get(f.name), main=False, twin=True)
        assert view is not None
        rows.append(view)
    td.fields = rows  # the doc's order, as the default target's twins
    return [BlockView("class", cls=td)]


def _enum_blocks(m: EnumModel, ctx: Ctx, default_style: str) -> list[BlockView]:
    cls = ctx.overrides.class_name(m.key, m.name)
    style = m.style or default_style
    values = [v.value for v in m.values]
    text = _model_text(m, style == "enum")
    if style == "enum":
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        strs = all(isinstance(v, str) for v in values)
        bases = ["int", "Enum"] if ints and values else (["str", "Enum"] if strs else ["Enum"])
        if bases == ["str", "Enum"] and ctx.spelling.strenum:
            bases = ["StrEnum"]
        ctx.use("enum", bases[-1])
        view = ClassView(class_header(cls, bases), [], docstring(text, 1) if text.strip() else "", compact=True)
        for member, v in zip(naming.enum_members((v.member, v.value) for v in m.values), m.values):
            view.fields.append(FieldView(assign(member, [literal_value(v.value)], 1), "", False))
        if m.open:
            view.missing = True
            ctx.use("typing", "Any")
            ctx.use("_runtime", "open_enum_member")
        if m.deprecated:
            # typing_extensions.deprecated wraps __new__, which Enum needs: note it in the docstring
            note = f"{text}\n\nDeprecated: {m.deprecated}" if text.strip() else f"Deprecated: {m.deprecated}"
            view.doc = docstring(note, 1)
        return [BlockView("class", cls=view)]
    doc = docstring(text, 0) if text.strip() else ""
    key = (tuple([(type(v), v) for v in values]), m.open, len(cls), ctx.spelling.version)  # `True` is no `1`
    memo = _LITERALS.get(key)
    if memo is not None:
        for source, name in memo[1]:
            ctx.use(source, name)
        return [BlockView("assign", stmt=memo[0].format(cls), doc=doc)]
    start = len(ctx.used)
    ctx.use("typing", "Literal")
    lit = subscript("Literal", [[literal_value(v)] for v in values]) if values else [L.name("str")]
    if m.open:
        unrec = "UnrecognizedInt" if values and all(isinstance(v, int) for v in values) else "UnrecognizedStr"
        ctx.use("_runtime", unrec)
        lit = generic("Union", [lit, [L.name(unrec)]], ctx, runtime=not ctx.spelling.type_statement)
    stmt = type_alias(cls, lit, ctx)
    alias = template(stmt, [cls])
    if alias is not None:
        _LITERALS[key] = (alias, tuple(ctx.used[start:]))
    return [BlockView("assign", stmt=stmt, doc=doc)]


# `Literal` aliases by all they are made of, their name known by its length
# (`pymemo`), and what they import: orq 4.13.19's 8.7k enums have 464 value lists.
_LITERALS: dict[tuple[object, ...], tuple[str, tuple[tuple[str, str], ...]]] = {}


def _union_blocks(m: UnionModel, ctx: Ctx) -> list[BlockView]:
    cls = ctx.overrides.class_name(m.key, m.name)
    twin = naming.twin_name(cls)
    text = _model_text(m, False)
    doc = docstring(text, 0) if text.strip() else ""
    runtime = not ctx.spelling.type_statement  # a `type` statement's value is evaluated lazily
    if ctx.target == "dataclasses":
        # No TypeAliasType without typing_extensions: a plain `Union[...]`
        # alias, members on an import cycle as string forward references.
        # (a lone forward reference stays a type, `Union["X"]`, not a str)
        value = generic("Union", [annotation(mem.type, ctx, False, runtime=runtime)
                                  for mem in unions.ordered(m, ctx.resolved, ctx.overrides)], ctx, runtime=runtime)
        return [BlockView("assign", stmt=type_alias(cls, value, ctx), doc=doc)]
    out = []
    names = ((twin, True),) if ctx.target == "typeddict" else ((cls, False), (twin, True))
    ordered = unions.ordered(m, ctx.resolved, ctx.overrides)
    tagged = unions.discriminator(ordered, ctx.resolved, ctx.overrides, ctx.overrides.model(m.key).discriminator)
    for name, is_twin in names:
        members = [annotation(mem.type, ctx, is_twin, runtime=runtime) for mem in ordered]
        if len(members) == 1:
            value = members[0]
        elif tagged is not None and not is_twin:
            value = _discriminated(members, tagged, ctx, runtime)
        else:
            value = generic("Union", members, ctx, runtime=runtime)
        if ctx.spelling.type_statement:
            stmt = type_alias(name, value, ctx)
        else:
            ctx.use("typing_extensions", "TypeAliasType")
            stmt = assign(name, call("TypeAliasType", [[Tok(L.STRING, py_str(name))], value]), 0)
        out.append(BlockView("assign", stmt=stmt, doc=doc if not is_twin or ctx.target == "typeddict" else ""))
    return out


def _discriminated(members: list[list[Tok]], tagged: unions.Discriminated, ctx: Ctx, runtime: bool) -> list[Tok]:
    """`Annotated[Union[Annotated[A, pydantic.Tag("a")], ...], pydantic.Discriminator(tag_of(...))]`."""
    ctx.use("typing_extensions", "Annotated")
    ctx.use("import", "pydantic")
    ctx.use("_runtime", "tag_of")
    tagged_members = [subscript("Annotated", [member, call("pydantic.Tag", [[Tok(L.STRING, py_str(tag))]])])
                      for member, tag in zip(members, tagged.tags)]
    finder = call("tag_of", [[Tok(L.STRING, py_str(tagged.attr))], [Tok(L.STRING, py_str(tagged.key))]])
    return subscript("Annotated", [generic("Union", tagged_members, ctx, runtime=runtime),
                                   call("pydantic.Discriminator", [finder])])
