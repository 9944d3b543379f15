"""`md2models diff`: what a spec change does to the code that uses the models.

Both spec roots are parsed and resolved as `generate` does (a broken spec
on either side is an error), each model is reduced to its `Shape` (what the
generated code of it is made of: kind, fields with their Python types,
required-ness, defaults and docstring text, enum values, union members;
an overrides file's field types and defaults applied to both sides) and
the shapes are compared by namespace and title.  Every difference is one
`Change`; `diffrules` decides which ones break (see the README's table).

Speed: a doc with the same path and bytes on both sides is the same model,
so only docs that differ are compared; and parsed docs are cached by path
and content digest (`diff.marshal` in the build cache folder), so diffing
two versions of a big spec that differ in a few docs parses a few docs;
a doc whose path and file identity (inode, size, mtime) the cache knows is
not even read.
Parsing what the cache lacks runs in worker processes (fork) when there is
much of it, each sending back plain tuples (marshal), as `build` does.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

from . import naming
from .build import tool_digest, unparsed_paths
from .diagnostics import Diagnostic, SpecError
from .discovery import find_docs
from .ir import AnyModel, EnumModel, Generic, LiteralType, Markup, ObjectModel, Primitive, Ref, TypeNode
from .manifest import ensure_cache_dir, store_marshal
from .parse import DEFAULT_EXCLUDE, parse_bytes, read_doc
from .overrides import NO_OVERRIDES, Default, ModelFix, Overrides, OverridesFile
from .resolve import resolve, spec_root_names, summarize
from .summary import Key, Resolved
from .pyescape import py_str
from .pyblocks import _field_text, _model_text, _shape
from .pysyntax import GENERICS, PRIMITIVES
from .diffrules import Norm, Rule, field_type_rule, rule_for
from .workers import PARALLEL_THRESHOLD, Summaries, plain_summary, summary_of, worker_pool

CACHE_FILE = "diff.marshal"
VIEWS = ("constructor", "reader", "strict")
FAIL_ON = ("breaking", "any", "never")

# (name, type, required, default text or None, docstring text, line)
FieldShape = tuple[str, Norm, bool, Optional[str], str, int]


@dataclass(frozen=True)
class Shape:
    """What the generated code of one model is made of, for comparing."""

    kind: str
    name: str
    namespace: str
    path: str
    line: int
    text: str  # the docstring text: description and deprecation note
    open: bool  # enums: unknown values accepted
    fields: tuple[FieldShape, ...] = ()
    values: tuple[tuple[Union[str, int], int], ...] = ()  # (value, line)
    members: tuple[tuple[Norm, int], ...] = ()  # (type, line)
    style: str = ""  # enums: "enum" (an Enum class) or "literal" (a Literal alias)

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)


def norm(node: TypeNode, swap: bool = False) -> Norm:
    """A type tree as a `Norm`: markup gone, the docs' swapped date links
    put right (`swap`: inside a link)."""
    if isinstance(node, Markup):
        return norm(node.inner, swap or node.style == "link")
    if isinstance(node, Primitive):
        name = {"date": "datetime", "datetime": "date"}.get(node.name, node.name) if swap else node.name
        return ("P", name)
    if isinstance(node, LiteralType):
        return ("L", node.values)
    if isinstance(node, Ref):
        return ("R", node.namespace, node.name)
    if isinstance(node, Generic):
        return ("G", node.origin, tuple(norm(arg, swap) for arg in node.args))
    raise TypeError(f"not a type node: {node!r}")


def _default_text(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return py_str(value)
    return repr(value)


def _visible(text: str) -> str:
    """A description as docstrings show it: trailing spaces (kept in the IR
    where a table's width counts them) are no change."""
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


_WRAPPERS = ("Optional", "Nullable", "OptionalNullable")


def _core(wrapper: str, node: TypeNode, swap: bool = False) -> Norm:
    """A field's type under its wrapper: the optional marker is left to
    `required`, nullability stays (`Nullable[T]`)."""
    core = norm(node, swap)
    return ("G", "Nullable", (core,)) if wrapper in _WRAPPERS[1:] else core


def shape_of(model: AnyModel) -> Shape:
    """The model's shape, as `pyrender` makes its code: types with their
    wrapper, the optional marker left to `required`, defaults, docstrings."""
    common = (model.kind, model.name, model.namespace, model.path, model.pos.line, _visible(_model_text(model, False)))
    if isinstance(model, ObjectModel):
        fields = []
        for f in model.fields:
            wrapper, node, swap, default = _shape(f)
            core = _core(wrapper, node, swap)
            text = None if default is None else _default_of(default)
            fields.append((f.name, core, f.required, text, _visible(_field_text(f)), f.pos.line))
        return Shape(*common, False, fields=tuple(fields))
    if isinstance(model, EnumModel):
        return Shape(*common, model.open, values=tuple((v.value, v.pos.line) for v in model.values),
                     style=model.style or "literal")  # pyrender's default style
    return Shape(*common, False, members=tuple((norm(m.type), m.pos.line) for m in model.members))


def _shape_data(shape: Shape) -> tuple:  # type: ignore[type-arg]
    return (shape.kind, shape.name, shape.namespace, shape.path, shape.line, shape.text, shape.open,
            shape.fields, shape.values, shape.members, shape.style)


# --- one side: docs -> entries (cached) -> resolved summaries -------------------

# What a doc parses to, keyed by "path\0sha256": (summary as plain tuples or
# None, the shape as marshal bytes or b"", problems as plain tuples, digest
# of the summary or "").
Entry = tuple[Optional[tuple], bytes, tuple[tuple, ...], str]  # type: ignore[type-arg]


def _parse_entry(rel: str, data: bytes) -> Entry:
    model, problems = parse_bytes(data, rel)
    found = tuple(p.data() for p in problems)
    if model is None:
        return None, b"", found, ""
    summary = plain_summary(summarize(model))
    digest = hashlib.sha256(repr(summary).encode()).hexdigest()  # (marshal bytes vary with object sharing)
    return summary, marshal.dumps(_shape_data(shape_of(model))), found, digest


_pending: list[tuple[str, str, bytes]] = []  # (entry key, path, bytes): what forked workers parse


def _parse_share(share: tuple[int, int]) -> bytes:
    index, count = share
    return marshal.dumps([(key, _parse_entry(rel, data)) for key, rel, data in _pending[index::count]])


def _parse_all(pending: list[tuple[str, str, bytes]], jobs: int) -> dict[str, Entry]:
    """Parse the docs (in worker processes when many), by entry key."""
    count = jobs or os.cpu_count() or 1
    if count < 2 or len(pending) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return {key: _parse_entry(rel, data) for key, rel, data in pending}
    global _pending
    _pending = pending
    try:
        with worker_pool(count) as pool:
            parts = pool.map(_parse_share, [(index, count) for index in range(count)])
    finally:
        _pending = []
    return {key: entry for part in parts for key, entry in marshal.loads(part)}


@dataclass
class Side:
    """One spec root: each doc's entry key, and the summaries of the docs
    that parsed, as plain tuples (`build`'s form: links at index 6)."""

    keys: dict[str, str]  # doc path -> entry key
    rows: list[tuple]  # type: ignore[type-arg]


class DiffSpecError(SpecError):
    """Errors in the specs of one side or both: {"old" or "new": diagnostics}."""

    def __init__(self, sides: Sequence[tuple[str, Sequence[Diagnostic]]]):
        self.sides = {side: tuple(sorted(found)) for side, found in sides if found}
        super().__init__(d for found in self.sides.values() for d in found)


class _Cache:
    """Parsed docs by path and content digest, kept between runs (an optimisation: I/O errors pass)."""

    def __init__(self, folder: Optional[Path]):
        self.folder = folder
        self.entries: dict[str, Entry] = {}
        # A doc's entry key by its path and file identity (device, inode,
        # size, mtime): a doc known so is not read (a hard-linked copy is known too).
        self.stamps: dict[str, str] = {}
        # Digests of the summaries of whole specs that resolved without errors.
        self.clean: set[str] = set()
        self.loaded: set[str] = set()  # the entries' keys as read
        if folder is None:
            return
        try:
            state = marshal.loads((folder / CACHE_FILE).read_bytes())
            if state.get("key") == tool_digest():
                self.entries, self.stamps, self.clean = state["docs"], state["stamps"], set(state["clean"])
                self.loaded = set(self.entries)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            pass

    def save(self, used: Iterable[str], stamps: Mapping[str, str], clean: set[str]) -> None:
        """Store the entries of this run's docs (and only those) if anything changed."""
        kept = {key: self.entries[key] for key in sorted(set(used)) if key in self.entries}
        if self.folder is None or (kept.keys() == self.loaded and stamps == self.stamps and clean == self.clean):
            return
        try:
            ensure_cache_dir(str(self.folder))
            state = {"key": tool_digest(), "docs": kept, "stamps": dict(sorted(stamps.items())), "clean": sorted(clean)}
            store_marshal(str(self.folder / CACHE_FILE), state)
        except OSError:
            pass


def _load_sides(roots: Sequence[tuple[str, Path]], exclude: Sequence[str], jobs: int,
                cache: _Cache) -> tuple[list[Side], dict[str, str], set[str]]:
    """Read, parse (what the cache lacks) and resolve each spec root; raise
    DiffSpecError with every side's errors.  Resolve checks a spec by its
    summaries alone, so a spec whose summaries resolved clean before (in
    this run: the other side, most often) is not resolved again; returns
    the sides, the docs' stamps and the digests of the sides' summaries."""
    errors: list[tuple[str, list[Diagnostic]]] = []
    sides: list[Side] = []
    pending: dict[str, tuple[str, str, bytes]] = {}
    read_problems: list[list[Diagnostic]] = []
    stamps: dict[str, str] = {}
    root_names: list[tuple[str, ...]] = []  # each side's spec root (SPECS may be its models/)
    for label, root in roots:
        keys: dict[str, str] = {}
        problems: list[Diagnostic] = []
        try:
            root, paths, _ = find_docs(root, exclude)
        except SpecError as exc:
            errors.append((label, list(exc.diagnostics)))
            paths = []
        root_names.append(spec_root_names(str(root)))
        for rel in paths:
            try:
                stat = os.stat(os.path.join(root, rel))
                stamp = f"{rel}\0{stat.st_dev}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}"
            except OSError:  # read_doc says why
                stamp = ""
            known = cache.stamps.get(stamp)
            if known is not None and known in cache.entries:
                keys[rel] = stamps[stamp] = known
                continue
            data, found = read_doc(root, rel)
            problems.extend(found)
            if data is None:
                continue
            key = f"{rel}\0{hashlib.sha256(data).hexdigest()}"
            keys[rel] = key
            if stamp:
                stamps[stamp] = key
            if key not in cache.entries and key not in pending:
                pending[key] = (key, rel, data)
        sides.append(Side(keys, []))
        read_problems.append(problems)
    if pending:
        cache.entries.update(_parse_all(list(pending.values()), jobs))
    clean: set[str] = set()
    for (label, _), side, problems, names in zip(roots, sides, read_problems, root_names):
        digests = [repr(names)]
        for key in side.keys.values():
            summary_data, _, parsed, summary_digest = cache.entries[key]
            problems.extend(Diagnostic(*p) for p in parsed)
            if summary_data is not None:
                side.rows.append(summary_data)
            digests.append(summary_digest)
        digest = hashlib.sha256(" ".join(digests).encode()).hexdigest()
        if digest not in cache.clean | clean and not any(label == side_label for side_label, _ in errors):
            summaries = [summary_of(row) for row in side.rows]
            problems.extend(resolve(summaries, unparsed=unparsed_paths(list(side.keys), summaries), root=names)[1])
        found_errors = [p for p in problems if p.severity == "error"]
        if found_errors:
            errors.append((label, found_errors))
        else:
            clean.add(digest)
    if errors:
        raise DiffSpecError(errors)
    return sides, stamps, clean


# --- comparing ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new models, with what it breaks
    in each view (`rules`); `read`: users' code reads this model (link graph)."""

    model: str
    field: Optional[str]
    kind: str
    old: Optional[str]
    new: Optional[str]
    where: str
    namespace: str
    rule: Rule
    read: bool
    renamed_from: Optional[str] = None
    # Where NEW shows it, (doc path, line): its row, or the title of the model
    # a removed field, value or member was in; None for a removed model.
    in_new: Optional[tuple[str, int]] = None

    @property
    def sort_key(self) -> tuple[str, str, str, str, str, str]:
        return (self.model, self.field or "", self.kind, self.namespace, self.old or "", self.new or "")

    def breaking_view(self, view: str) -> Optional[str]:
        """Which view makes it breaking under `view` ("constructor", "reader"), or None.
        `strict` applies the reader rules only to models that are read."""
        if view in ("constructor", "strict") and self.rule.constructor:
            return "constructor"
        if self.rule.reader and (view == "reader" or (view == "strict" and self.read)):
            return "reader"
        return None


@dataclass(frozen=True)
class Diff:
    changes: tuple[Change, ...]
    view: str

    def in_view(self, view: str) -> Diff:
        return replace(self, view=view)

    def breaking(self, change: Change) -> bool:
        return change.breaking_view(self.view) is not None

    @property
    def semver(self) -> str:
        """major: something breaks; minor: something added or otherwise
        changed; patch: only descriptions and defaults; none: nothing."""
        if not self.changes:
            return "none"
        if any(self.breaking(c) for c in self.changes):
            return "major"
        if all(c.kind in ("description-changed", "default-changed") for c in self.changes):
            return "patch"
        return "minor"

    def fails(self, fail_on: str) -> bool:
        if fail_on == "any":
            return bool(self.changes)
        return fail_on == "breaking" and self.semver == "major"

    def to_json(self) -> dict[str, object]:
        records = []
        for c in self.changes:
            record: dict[str, object] = {
                "model": c.model, "field": c.field, "kind": c.kind, "breaking": self.breaking(c),
                "old": c.old, "new": c.new, "where": c.where,
                "namespace": c.namespace, "rule": c.rule.id, "view": c.breaking_view(self.view)}
            if c.renamed_from is not None:
                record["renamed_from"] = c.renamed_from
            records.append(record)
        return {"changes": records, "semver": self.semver, "view": self.view}


def type_text(node: Norm) -> str:
    """A normalised type as md2models writes it in the code: `List[str]`, `Nullable[Foo]`."""
    tag = node[0]
    if tag == "P":
        return PRIMITIVES[node[1]][0] if node[1] in PRIMITIVES else str(node[1])
    if tag == "L":
        return "Literal[" + ", ".join(_default_text(v) for v in node[1]) + "]"
    if tag == "R":
        return naming.class_name(node[2])
    origin, args = node[1], node[2]
    parts = [type_text(arg) for arg in args]
    if origin == "Dict":
        parts = ["str", *parts[-1:]]
    return f"{GENERICS[origin][1]}[{', '.join(parts)}]"


def _read_models(rows: Sequence[tuple]) -> set[Key]:  # type: ignore[type-arg]
    """Models users' code reads: reachable from a response root (`...Response`,
    `...ResponseBody`, errors), or from no root at all (direction unknown)."""
    links = {(row[2], row[1]): row[6] for row in rows}  # (namespace, title) -> links

    def reach(roots: Iterable[Key]) -> set[Key]:
        seen: set[Key] = set()
        stack = list(roots)
        while stack:
            key = stack.pop()
            if key in seen or key not in links:
                continue
            seen.add(key)
            stack.extend((link[0], link[1]) for link in links[key])
        return seen

    responses = reach(key for key in links if key[1].endswith(("Response", "ResponseBody")) or key[0] == "errors")
    requests = reach(key for key in links if key[1].endswith(("Request", "RequestBody")))
    return responses | (links.keys() - requests)


class _Comparer:
    def __init__(self, old: Side, new: Side):
        self.old, self.new = old, new
        self.changes: list[Change] = []

    @cached_property
    def old_read(self) -> set[Key]:
        return _read_models(self.old.rows)

    @cached_property
    def new_read(self) -> set[Key]:
        return _read_models(self.new.rows)

    def add(self, shape: Shape, field: Optional[str], kind: str, old: Optional[str], new: Optional[str], line: int,
            rule: Rule, *, removed: bool = False, within: Optional[Shape] = None) -> None:
        """`removed`: `shape` is OLD's (`within`: the model NEW still has)."""
        read = shape.key in (self.old_read if removed else self.new_read)
        in_new = (within.path, within.line) if within else None if removed else (shape.path, line)
        self.changes.append(Change(shape.name, field, kind, old, new, f"{shape.path}:{line}", shape.namespace,
                                   rule, read, in_new=in_new))

    def model(self, old: Shape, new: Shape) -> None:
        if old.text != new.text:
            self.add(new, None, "description-changed", old.text, new.text, new.line, rule_for("description-changed"))
        if old.kind != new.kind:
            self.add(new, None, "type-changed", old.kind, new.kind, new.line, rule_for("kind-changed"))
            return
        if old.kind == "object":
            self.fields(old, new)
        elif old.kind == "enum":
            self.enum(old, new)
        else:
            self.members(old, new)

    def fields(self, old: Shape, new: Shape) -> None:
        before = {f[0]: f for f in old.fields}
        after = {f[0]: f for f in new.fields}
        for name, (_, typ, required, default, _, line) in before.items():
            if name not in after:
                self.add(old, name, "field-removed", type_text(typ), None, line, rule_for("field-removed"),
                         removed=True, within=new)
        for name, (_, typ, required, default, text, line) in after.items():
            if name not in before:
                rule = rule_for("required-field-added" if required and default is None else "field-added")
                self.add(new, name, "field-added", None, type_text(typ), line, rule)
                continue
            _, old_typ, old_required, old_default, old_text, _ = before[name]
            if old_typ != typ:
                self.add(new, name, "type-changed", type_text(old_typ), type_text(typ), line,
                         field_type_rule(old_typ, typ))
            if old_required != required:
                rule = rule_for("became-required" if required and default is None else
                                "became-required-with-default" if required else "became-optional")
                self.add(new, name, "required-changed", _required(old_required), _required(required), line, rule)
            if old_default is not None and default is not None and old_default != default:
                self.add(new, name, "default-changed", old_default, default, line, rule_for("default-changed"))
            if old_text != text:
                self.add(new, name, "description-changed", old_text, text, line, rule_for("description-changed"))

    def enum(self, old: Shape, new: Shape) -> None:
        before = dict(old.values)
        after = dict(new.values)
        for value, line in before.items():
            if value not in after:
                self.add(old, None, "enum-value-removed", str(value), None, line, rule_for("enum-value-removed"),
                         removed=True, within=new)
        for value, line in after.items():
            if value not in before:
                rule = rule_for("open-enum-value-added" if new.open else "enum-value-added")
                self.add(new, None, "enum-value-added", None, str(value), line, rule)
        if old.open != new.open:
            self.add(new, None, "type-changed", _enum_kind(old.open), _enum_kind(new.open), new.line,
                     rule_for("enum-opened" if new.open else "enum-closed"))
        if old.style != new.style:
            self.add(new, None, "type-changed", _STYLES[old.style], _STYLES[new.style], new.line,
                     rule_for("enum-became-literal" if new.style == "literal" else "literal-became-enum"))

    def members(self, old: Shape, new: Shape) -> None:
        before = dict(old.members)
        after = dict(new.members)
        for typ, line in before.items():
            if typ not in after:
                self.add(old, None, "union-member-removed", type_text(typ), None, line,
                         rule_for("union-member-removed"), removed=True, within=new)
        for typ, line in after.items():
            if typ not in before:
                self.add(new, None, "union-member-added", None, type_text(typ), line, rule_for("union-member-added"))


def _required(required: bool) -> str:
    return "required" if required else "optional"


_STYLES = {"enum": "Enum class", "literal": "Literal"}


def _enum_kind(is_open: bool) -> str:
    return "open enum" if is_open else "closed enum"


def _content(shape: Shape) -> tuple:  # type: ignore[type-arg]
    """What a shape holds, names, descriptions and places aside: equal for a renamed model."""
    return (shape.kind, shape.open, tuple(f[:4] for f in shape.fields), tuple(v for v, _ in shape.values),
            tuple(m for m, _ in shape.members), shape.style)


def _shapes(entries: Mapping[str, Entry], keys: Iterable[str], overrides: Overrides) -> dict[Key, Shape]:
    shapes = (Shape(*marshal.loads(entries[key][1])) for key in keys)
    return {shape.key: _overridden(shape, overrides.model(shape.key)) for shape in shapes}


def _overridden(shape: Shape, fix: ModelFix) -> Shape:
    """The shape as the code generated with the overrides has it: their field types and defaults."""
    if not fix.fields:
        return shape
    fields = []
    for name, core, required, default, text, line in shape.fields:
        field_fix = fix.fields.get(name)
        if field_fix is not None and field_fix.type is not None:
            node = field_fix.type  # the whole annotation, its wrapper too
            if isinstance(node, Generic) and node.origin in _WRAPPERS:
                core = _core(node.origin, node.args[0])
            else:
                core = _core("", node)
        if field_fix is not None and field_fix.default is not None:
            default = _default_of(field_fix.default)
        fields.append((name, core, required, default, text, line))
    return replace(shape, fields=tuple(fields))


def _default_of(default: Default) -> str:
    """A default as the code writes it."""
    if default.kind == "unset":
        return "UNSET"
    if default.kind == "call":
        return f"{default.func}({_default_text(default.value)})"
    if default.kind == "member":  # `Region.WILDCARD_`, as the overrides name it
        return f"{default.func}.{default.value}"
    return _default_text(default.value)


def compare(old: Side, new: Side, entries: Mapping[str, Entry], overrides: Overrides = NO_OVERRIDES) -> list[Change]:
    """Every change from `old` to `new`, in a stable order (model, field, kind);
    `overrides` applies to both sides."""
    same = {key for rel, key in new.keys.items() if old.keys.get(rel) == key}  # same path, same bytes
    old_keys = {(row[2], row[1]): old.keys[row[3]] for row in old.rows}
    new_keys = {(row[2], row[1]): new.keys[row[3]] for row in new.rows}
    differ = {k for k in old_keys.keys() | new_keys.keys() if old_keys.get(k) not in same or new_keys.get(k) not in same}
    before = _shapes(entries, (old_keys[k] for k in differ if k in old_keys), overrides)
    after = _shapes(entries, (new_keys[k] for k in differ if k in new_keys), overrides)
    comparer = _Comparer(old, new)
    removed: dict[tuple, list[str]] = {}  # type: ignore[type-arg]  # content -> titles
    for key in sorted(before.keys() - after.keys()):
        shape = before[key]
        comparer.add(shape, None, "model-removed", shape.kind, None, shape.line, rule_for("model-removed"),
                     removed=True)
        removed.setdefault(_content(shape), []).append(shape.name)
    for key in sorted(after.keys() - before.keys()):
        shape = after[key]
        comparer.add(shape, None, "model-added", None, shape.kind, shape.line, rule_for("model-added"))
        twins = removed.get(_content(shape), [])
        if len(twins) == 1:  # the one removed model it could be, renamed
            comparer.changes[-1] = replace(comparer.changes[-1], renamed_from=twins[0])
    for key in sorted(before.keys() & after.keys()):
        comparer.model(before[key], after[key])
    return sorted(comparer.changes, key=lambda c: c.sort_key)


def diff(old: Path, new: Path, *, view: str = "constructor", exclude: Sequence[str] = DEFAULT_EXCLUDE,
         jobs: int = 0, cache_dir: Optional[Path] = None, overrides: Optional[OverridesFile] = None) -> Diff:
    """Compare the spec roots `old` and `new`; raise DiffSpecError on bad specs.
    `cache_dir`: where to keep parsed docs between runs (None: nowhere).
    `overrides`: checked against `new` (SpecError with its errors; stale
    entries pass) and applied to the models of both sides, as `generate`
    would apply it to each."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    cache = _Cache(cache_dir)
    (old_side, new_side), stamps, clean = _load_sides([("old", old), ("new", new)], exclude, jobs, cache)
    bound = overrides.bind(Resolved(Summaries(new_side.rows), {}))[0] if overrides is not None else NO_OVERRIDES
    changes = compare(old_side, new_side, cache.entries, bound)
    cache.save([*old_side.keys.values(), *new_side.keys.values()], stamps, clean)
    return Diff(tuple(changes), view)

