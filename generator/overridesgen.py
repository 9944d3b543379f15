"""`md2models overrides`: the overrides file that makes the docs generate an
existing SDK's models exactly.

The SDK's model sources are read statically (`fromcode`); each class is
matched to its doc by namespace folder and class name (or, for a class the
code renamed, by its module's name).  Each field is compared with what
`generate` writes from the doc alone, asked of the renderer itself
(`pyrender.field_statements`) and read back with the same reader as the
code, so only real differences are written: the attribute name, wire
alias, type and default.  The result is checked by rendering the fields
again with the overrides: what still differs is reported, never written.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import zlib
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from . import naming, unions
from .build import unparsed_paths
from .diagnostics import Diagnostic, SpecError
from .discovery import find_docs
from .fromcode import CodeClass, CodeField, Unknown, dotted, module_files, read_module, strip_annotated
from .ir import AnyModel, Generic, ObjectModel, UnionModel
from .overrides import (Default, FieldFix, ModelFix, ModelNames, Overrides, _Bad, _type_node, parse_default, toml_key,
                        toml_str)
from .parse import DEFAULT_EXCLUDE, parse_file
from .pyrender import field_statements
from .pysyntax import GENERICS, PRIMITIVES
from .resolve import resolve, spec_root_names, summarize
from .summary import Key, Resolved, Summary
from .templating import render
from .workers import (PARALLEL_THRESHOLD, Summaries, interrupts_held, load_model, plain_summary, receive,
                      reporting_to, stop_workers, summary_of)

NAMESPACES = {"models", "shared", "operations", "components", "errors"}
# Module prefixes of the names an annotation may use, dropped before comparing.
_LIBRARY_PREFIXES = {"typing", "typing_extensions", "datetime", "decimal"}
_GENERIC_SPELLINGS = {"list": "List", "dict": "Dict"}
# What the renderer spells otherwise than the SDKs: the runtime's names of the HTTP types
# (`HttpxResponse` is `httpx.Response`), event streams as iterators.
_SDK_SPELLINGS = {**{expr: name for name, (expr, source) in PRIMITIVES.items() if source and source[0] == "_runtime"},
                  **{name: origin for origin, (_, name) in GENERICS.items() if origin.startswith("eventstreaming.")}}


Note = tuple[str, int, str]  # (source, line, message)
Module = tuple[str, str, str, str]  # (path, shown source, namespace, module name): see `fromcode.module_files`
Pair = tuple[str, CodeClass, Module]  # (doc path, class header, the class's module)
# What a process's docs and modules hold: summaries and problems (plain tuples), class headers, unknowns.
Loaded = tuple[list[tuple], list[tuple], list[CodeClass], list[Unknown]]  # type: ignore[type-arg]


@dataclass
class Result:
    text: str = ""  # the TOML file
    models: int = 0  # models with an entry
    fields: int = 0  # fields with an entry
    notes: list[Note] = field(default_factory=list)  # what could not be mapped, and where
    counts: dict[str, int] = field(default_factory=dict)  # how many notes of each reason
    mapped: int = 0  # code fields of classes with a doc that the overrides reproduce
    noted: int = 0  # code fields of classes with a doc that have a note

    def note(self, kind: str, source: str, line: int, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.notes.append((source, line, message))

    def add(self, other: "Result") -> None:
        self.notes += other.notes
        self.mapped += other.mapped
        self.noted += other.noted
        for kind, n in other.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n

    def summary(self) -> str:
        counted = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))
        return (f"{self.mapped} fields mapped, {self.noted} noted"
                + (f"; notes by reason: {counted}" if counted else "")
                + f"; overrides for {self.fields} field(s) of {self.models} model(s)")


def bootstrap(specs: Path, roots: Sequence[Path], *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
              jobs: int = 0) -> Result:
    """The overrides for the docs under `specs` to reproduce the models under `roots`.

    Docs and modules are split between worker processes by module name (a
    doc and the module generated from it land in the same one); each parses
    its docs and reads its modules, the main process resolves the spec and
    matches classes to docs, then each worker compares the pairs it holds."""
    specs, paths, _ = find_docs(specs, exclude)
    files = module_files(roots)
    count = jobs or os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods() or len(paths) + len(files) < PARALLEL_THRESHOLD:
        count = 1
    doc_shares: list[list[str]] = [[] for _ in range(count)]
    file_shares: list[list[tuple[str, str, str, str]]] = [[] for _ in range(count)]
    for rel in paths:
        doc_shares[_owner(naming.module_path(rel).rpartition("/")[2], count)].append(rel)
    for file in files:
        file_shares[_owner(file[3], count)].append(file)
    with Workers(specs, count) as workers:
        loaded = workers.load(doc_shares, file_shares)
        problems = [Diagnostic(*p) for part in loaded for p in part[1]]
        summaries = [summary_of(data) for part in loaded for data in part[0]]
        if any(p.severity == "error" for p in problems):
            raise SpecError(problems)
        resolved, found = resolve(summaries, unparsed=unparsed_paths(paths, summaries),
                                  root=spec_root_names(str(specs)))
        if any(p.severity == "error" for p in found):
            raise SpecError(problems + found)
        result = Result()
        for unknown in (u for part in loaded for u in part[3]):
            result.note("constructs not understood", unknown.source, unknown.line, f"not understood: {unknown.what}")
        dangling = frozenset(naming.class_name(link.name) for summary in summaries for link in summary.links
                             if (link.namespace, link.name) not in resolved.by_key)
        pairs = _match(sorted(summaries, key=lambda s: s.path), [c for part in loaded for c in part[2]], result,
                       dangling)
        classes = {(cls.namespace, cls.name): summary.key for summary, cls in pairs}
        modules = {file[1]: file for file in files}
        pair_shares: list[list[Pair]] = [[] for _ in range(count)]
        for summary, cls in pairs:
            share = pair_shares[_owner(naming.module_path(summary.path).rpartition("/")[2], count)]
            share.append((summary.path, cls, modules[cls.source]))
        parts = workers.compare(resolved, classes, pair_shares)
    entries = sorted((entry for part in parts for entry in part[0]), key=lambda entry: str(entry["order"]))
    for part in parts:
        result.add(part[1])
    result.notes.sort()
    result.models = len(entries)
    result.fields = sum(len(fields) for e in entries for fields in [e["fields"]] if isinstance(fields, list))
    result.text = render("overrides/overrides.toml.jinja",
                         {"roots": ", ".join(f"{r.resolve().name}/" for r in roots), "models": entries})
    return result


def _owner(module: str, count: int) -> int:
    return zlib.crc32(module.lower().encode()) % count


class _Side:
    """What one process holds: its docs parsed, its modules read."""

    def __init__(self, specs: Path):
        self.specs = specs
        self.models: dict[str, AnyModel] = {}
        self.classes: dict[tuple[str, str], CodeClass] = {}

    def load(self, docs: Sequence[str], files: Sequence[Module]) -> Loaded:
        summaries: list[tuple] = []  # type: ignore[type-arg]
        problems: list[tuple] = []  # type: ignore[type-arg]
        for rel in docs:
            model, found = parse_file(self.specs, rel)
            problems += [p.data() for p in found]
            if model is not None:
                self.models[rel] = model
                summaries.append(plain_summary(summarize(model)))
        headers: list[CodeClass] = []
        unknown: list[Unknown] = []
        for path, source, namespace, module in files:
            found_classes, notes = self._read(path, source, namespace, module)
            headers += [replace(cls, fields=(), members=()) for cls in found_classes]
            unknown += notes
        return summaries, problems, headers, unknown

    def _read(self, path: str, source: str, namespace: str, module: str) -> tuple[list[CodeClass], list[Unknown]]:
        with open(path, "rb") as file:
            found, notes = read_module(file.read(), source, namespace, module)
        for cls in found:
            self.classes.setdefault((cls.source, cls.name), cls)
        return found, notes

    def compare(self, resolved: Resolved, classes: Mapping[tuple[str, str], Key],
                pairs: Sequence[Pair]) -> tuple[list[dict[str, object]], Result]:
        names, result, entries = _Names(resolved, classes), Result(), []
        for rel, header, module in pairs:
            cls = self.classes.get((header.source, header.name))
            if cls is None:  # its module was read by another process: read it here too
                self._read(*module)
                cls = self.classes[(header.source, header.name)]
            model = self.models.get(rel) or load_model(self.specs, rel)
            entry = _model_entry(model, cls, resolved, names, result)
            if entry is not None:
                entries.append(entry)
        return entries, result


class Workers:
    """`_Side`s in worker processes (fork), or one in this process."""

    def __init__(self, specs: Path, count: int):
        self.specs, self.count = specs, count
        self.side = _Side(specs)
        self.pipes: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []

    def __enter__(self) -> "Workers":
        return self

    def load(self, docs: Sequence[Sequence[str]], files: Sequence[Sequence[Module]]) -> list[Loaded]:
        if self.count == 1:
            return [self.side.load(docs[0], files[0])]
        context = multiprocessing.get_context("fork")
        with interrupts_held():
            for share, modules in zip(docs, files):
                parent, child = context.Pipe()
                proc = context.Process(target=_serve, args=(child, self.specs, share, modules), daemon=True)
                proc.start()
                child.close()
                self.pipes.append(parent)
                self.procs.append(proc)
        return [receive(pipe) for pipe in self.pipes]

    def compare(self, resolved: Resolved, classes: Mapping[tuple[str, str], Key],
                pairs: Sequence[Sequence[Pair]]) -> list[tuple[list[dict[str, object]], Result]]:
        if self.count == 1:
            return [self.side.compare(resolved, classes, pairs[0])]
        # what a worker needs of every model: its summary bar links, fields and evidence
        rows = [(*data[:6], (), (), (), *data[9:]) for data in map(plain_summary, resolved.by_key.values())]
        for pipe, share in zip(self.pipes, pairs):
            pipe.send((rows, dict(resolved.cycle_of), classes, share))
        return [receive(pipe) for pipe in self.pipes]

    def __exit__(self, failed: Optional[type[BaseException]], *_: object) -> None:
        stop_workers(self.pipes, self.procs, lambda pipe: pipe.send(None), failed is not None)


def _serve(pipe: Connection, specs: Path, docs: Sequence[str], files: Sequence[Module]) -> None:
    with reporting_to(pipe):
        side = _Side(specs)
        pipe.send(side.load(docs, files))
        message = pipe.recv()
        if message is None:
            return
        rows, cycles, classes, pairs = message
        pipe.send(side.compare(Resolved(Summaries(rows), cycles), classes, pairs))
        pipe.recv()


# --- matching classes to docs ------------------------------------------------------


def _match(summaries: Sequence[Summary], classes: Sequence[CodeClass], result: Result,
           dangling: frozenset[str] = frozenset()) -> list[tuple[Summary, CodeClass]]:
    """(doc, class) pairs: by namespace and class name (an exception class
    standing for its `data` model), else by a class name no other namespace
    has, else (a renamed class) the one class of its kind in the module named
    as the doc.  `dangling`: the class names of links no doc defines."""
    by_class: dict[tuple[str, str], Summary] = {}
    by_name: dict[str, list[Summary]] = {}
    for summary in summaries:
        name = naming.class_name(summary.name)
        by_class[(summary.namespace, name)] = summary
        by_name.setdefault(name, []).append(summary)
    taken: dict[Key, CodeClass] = {}
    unmatched: list[CodeClass] = []
    by_code = {(cls.namespace, cls.name): cls for cls in classes}
    for cls in classes:
        found = by_class.get((cls.namespace, cls.name))
        if found is None and len(by_name.get(cls.name, ())) == 1:
            found = by_name[cls.name][0]
        # an SDK error class is an exception carrying the doc's model as `data` (`BadRequestData`)
        carried = by_code.get((cls.namespace, cls.wraps.rpartition(".")[2])) if cls.wraps else None
        if carried is not None and carried.kind == "object" and by_class.get((cls.namespace, carried.name)) is None:
            unmatched.append(cls)
            cls = carried
        if found is None or found.key in taken:
            unmatched.append(cls)
        else:
            taken[found.key] = cls
    paired = {id(cls) for cls in taken.values()}
    unmatched = [cls for cls in unmatched if id(cls) not in paired]
    stems: dict[tuple[str, str], list[CodeClass]] = {}
    for cls in unmatched:
        stems.setdefault((cls.namespace, cls.module), []).append(cls)
    for summary in summaries:
        if summary.key in taken:
            continue
        stem = naming.module_path(summary.path).rpartition("/")[2]
        candidates = [c for c in stems.get((summary.namespace, stem), ()) if _kind(c) == summary.kind]
        if len(candidates) == 1:
            taken[summary.key] = candidates[0]
            unmatched.remove(candidates[0])
        else:
            result.note("docs without a class", summary.path, summary.line,
                        f"doc {summary.name!r} ({summary.kind}): no class of the code matches it")
    for cls in unmatched:
        if cls.kind == "exception":
            why = (f"the SDK's error raised with the doc's model as `data` ({cls.wraps}): not a model"
                   if cls.wraps else "an SDK error class, written by hand or by the SDK generator: not a model")
        elif cls.name.startswith("Unknown"):
            why = "the fallback of an open union (the SDK's, for members it does not know): no doc"
        elif cls.name in dangling:
            why = "the docs link to it, but no doc defines it (a dangling link upstream): typed Any"
        else:
            why = "no doc matches it"
        result.note("classes without a doc", cls.source, cls.line,
                    f"{'exception ' if cls.kind == 'exception' else ''}class {cls.name!r}: {why}")
    return [(summary, taken[summary.key]) for summary in summaries if summary.key in taken]


def _kind(cls: CodeClass) -> str:
    return "object" if cls.kind == "exception" else cls.kind


class _Names:
    """How the overrides file names a model, and what a code class refers to."""

    def __init__(self, resolved: Resolved, classes: Mapping[tuple[str, str], Key]):
        self.resolved = resolved
        titles = ModelNames(resolved.by_key)
        self.key, self.lookup = titles.name, titles.lookup
        self.docs = classes
        self.unique: dict[str, Optional[Key]] = {}
        for (_, name), key in classes.items():
            self.unique[name] = key if name not in self.unique else None

    def doc_of(self, reference: str, namespace: str) -> Optional[Key]:
        """The doc of the class a code annotation names (`Foo`, `models.Foo`, `shared.Foo`)."""
        prefix, _, name = reference.rpartition(".")
        module = prefix.rpartition(".")[2]
        # `models.X`, `shared.X`, or a module imported as `shared_pet` (dataclasses era)
        where = next((part for part in (module, module.partition("_")[0]) if part in NAMESPACES), namespace)
        return self.docs.get((where, name)) or self.unique.get(name)


# --- comparing fields ----------------------------------------------------------------


def _annotation(node: ast.expr, names: _Names, namespace: str, spell: Callable[[Key], str]) -> str:
    """A code annotation as text over the docs' names: class references spelt by `spell`,
    library prefixes and `Annotated` metadata dropped."""

    def convert(node: ast.expr) -> ast.expr:
        node = strip_annotated(node)[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return node
        reference = dotted(node)
        if reference:
            prefix, _, name = reference.rpartition(".")
            key = names.doc_of(reference, namespace)
            if key is not None:
                return ast.parse(spell(key), mode="eval").body
            if prefix in _LIBRARY_PREFIXES:
                return ast.Name(name)
            return ast.Name(_GENERIC_SPELLINGS.get(reference) or _SDK_SPELLINGS.get(reference, reference))
        if isinstance(node, ast.Subscript):
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if dotted(node.value).rpartition(".")[2] != "Literal":
                args = [convert(a) for a in args]
            return ast.Subscript(convert(node.value), ast.Tuple(args) if len(args) > 1 else args[0])
        return node

    return ast.unparse(convert(node))


def _read_statements(statements: list[str]) -> list[CodeField]:
    """The renderer's field statements read back as the code is read."""
    classes, _ = read_module(("class _Fields:\n" + "".join(statements) + "    pass\n").encode(), "", "", "")
    return list(classes[0].fields)


def _same(doc: CodeField, code: CodeField, annotation: Callable[[CodeField], str]) -> dict[str, bool]:
    """Which of the four facts of a generated field (`doc`) are the code's; `annotation`
    spells an annotation over the docs' names, forward references unquoted."""
    return {"name": doc.name == code.name, "alias": doc.alias == code.alias,
            "type": annotation(doc) == annotation(code), "default": doc.default == code.default}


def _pair_fields(model: ObjectModel, cls: CodeClass, doc_names: list[str]) -> tuple[dict[str, CodeField], list[CodeField]]:
    """The code field of each doc field (by the doc's name), and the code fields without a row."""
    fields = [f for f in model.fields if not f.is_extra]
    rows: dict[str, CodeField] = {}
    spare = []
    for code in cls.fields:
        for test in (lambda f, i: doc_names[i] == code.name, lambda f, i: f.name == code.name,
                     lambda f, i: f.name == code.alias, lambda f, i: f.name.lower() == code.name.lower()):
            found = [f for i, f in enumerate(fields) if f.name not in rows and test(f, i)]
            if found:
                rows[found[0].name] = code
                break
        else:
            spare.append(code)
    return rows, spare


def _model_entry(model: AnyModel, cls: CodeClass, resolved: Resolved, names: _Names,
                 result: Result) -> Optional[dict[str, object]]:
    entry: dict[str, object] = {"order": names.key(model.key), "key": toml_key(names.key(model.key)),
                                "source": f"{cls.source}:{cls.line}",
                                "class_name": None, "union": [], "fields": []}
    if cls.name != naming.class_name(model.name):
        entry["class_name"] = toml_str(cls.name)
    if isinstance(model, ObjectModel):
        entry["fields"] = _field_entries(model, cls, resolved, names, result)
    elif isinstance(model, UnionModel):
        entry["union"] = _union_keys(model, cls, resolved, names, result)
    return entry if entry["class_name"] or entry["fields"] or entry["union"] else None


def _union_keys(model: UnionModel, cls: CodeClass, resolved: Resolved, names: _Names,
                result: Result) -> list[tuple[str, str]]:
    """`members` and `discriminator` where the code's differ from what the docs give."""
    if not cls.members:
        return []
    texts = [_annotation(member, names, cls.namespace, names.key) for member in cls.members]
    try:
        code = [unions.plain(_type_node(ast.parse(text, mode="eval").body, names.lookup, set())) for text in texts]
    except (_Bad, SyntaxError) as exc:
        result.note("constructs not understood", cls.source, cls.line, f"union {cls.name}: member {exc}")
        return []
    ours = unions.ordered(model, resolved)
    if sorted(map(repr, code)) != sorted(repr(unions.plain(m.type)) for m in model.members):
        result.note("unions not reproduced", cls.source, cls.line,
                    f"union {cls.name}: its members ({', '.join(texts)}) are not the doc's")
        return []
    keys = []
    if code != [unions.plain(m.type) for m in ours]:
        keys.append(("members", "[" + ", ".join(map(toml_str, texts)) + "]"))
        fix = Overrides({model.key: ModelFix(members=tuple(code))})
        ours = unions.ordered(model, resolved, fix)
    tagged = unions.discriminator(ours, resolved)
    # (a union the code leaves plain but md2models tags on a one-value field of every member
    # resolves every payload to the same member: nothing to write)
    if cls.tag and (tagged.attr if tagged else "") != cls.tag:
        stated = unions.discriminator(ours, resolved, stated=cls.tag or "")
        if (stated.attr if stated else "") != cls.tag:
            result.note("unions not reproduced", cls.source, cls.line,
                        f"union {cls.name}: discriminated on {cls.tag!r}, which is no one-value field of every member")
        else:
            keys.append(("discriminator", toml_str(cls.tag)))
    return keys


def _field_entries(model: ObjectModel, cls: CodeClass, resolved: Resolved, names: _Names,
                   result: Result) -> list[tuple[str, list[tuple[str, str]]]]:
    fields = [f for f in model.fields if not f.is_extra]
    _serializer_bugs(cls, result)
    statements = field_statements(model, resolved, {})
    if sorted(statements) == sorted(code.text for code in cls.fields):
        result.mapped += len(cls.fields)
        return []  # the code is what the renderer writes, statement for statement
    doc_fields = _read_statements(statements)
    rows, spare = _pair_fields(model, cls, [f.name for f in doc_fields])
    noted: set[str] = set()  # the code fields with a note

    def note(kind: str, code: CodeField, message: str) -> None:
        noted.add(code.name)
        result.note(kind, cls.source, code.line, f"{cls.name}.{code.name}: {message}")

    for f in fields:
        if f.name not in rows:
            result.note("doc fields without a code field", cls.source, cls.line,
                        f"{cls.name}: no field for the doc's {f.name!r}")
    # renames first: a renamed field keeps its wire name, so its alias is compared after
    fixes: dict[str, FieldFix] = {}
    keys: dict[str, dict[str, str]] = {}
    for f, doc in zip(fields, doc_fields):
        row = rows.get(f.name)
        if row is not None and row.name != doc.name:
            if naming.is_safe_attribute(row.name):
                fixes[f.name], keys[f.name] = FieldFix(name=row.name), {"name": toml_str(row.name)}
            else:
                note("fields not reproduced", row, "cannot be an attribute name")
    if fixes:
        doc_fields = _read_statements(field_statements(model, resolved, fixes))

    def annotation(field: CodeField) -> str:  # class references spelt as the renderer names classes
        return _annotation(field.annotation, names, cls.namespace, lambda key: naming.class_name(key[1]))

    wanted: dict[str, CodeField] = {}
    for f, doc in zip(fields, doc_fields):
        code = rows.get(f.name)
        if code is None:
            continue
        wanted[f.name] = code
        same = _same(doc, code, annotation)
        if not all(same.values()):
            fix, values = _field_fix(fixes.get(f.name, FieldFix()), code, same, names, cls, note)
            if values:
                fixes[f.name] = fix
                keys[f.name] = {**keys.get(f.name, {}), **values}
    added, added_keys = _added(spare, cls, names, note)
    # the check: rendered with the overrides, every field must now read as the code's
    got = _read_statements(field_statements(model, resolved, fixes, added)) if keys or added else doc_fields
    for name, mine in zip([*(f.name for f in fields), *(str(a.name) for a in added)], got):
        want = wanted.get(name) or next((code for code in spare if code.name == name), None)
        if want is None:
            continue
        missed = [k for k, ok in _same(mine, want, annotation).items() if not ok]
        if missed and want.name not in noted:  # (one note a field: the first says why)
            note("fields not reproduced", want, f"{', '.join(missed)} still differ{'s' if len(missed) == 1 else ''}"
                 " with the overrides")
    result.noted += len(noted)
    result.mapped += len(cls.fields) - len(noted)
    return ([(toml_key(f.name), list(keys[f.name].items())) for f in fields if f.name in keys]
            + [(toml_key(name), values) for name, values in added_keys])


def _serializer_bugs(cls: CodeClass, result: Result) -> None:
    """Generator bugs of the SDK's dumps, which md2models keeps its declared semantics
    against (noted, never copied): a serializer listing a name that is no field's wire name
    (the OpenAPI name, `RequestBody`, for `request_body`), so an absent value is sent as
    null; a class without a serializer whose required `Any` field is dropped when None (the
    SDK dumps with `exclude_none`)."""
    if cls.serialized is None:
        for code in cls.fields:
            if code.default is None and dotted(code.annotation).rpartition(".")[2] == "Any":
                result.note("SDK generator bugs not copied", cls.source, code.line,
                            f"{cls.name}.{code.name}: required and typed Any, but the SDK drops it from dumps when "
                            "None (no serializer keeps it); md2models sends null")
        return
    wire = {code.alias or code.name for code in cls.fields}
    for name in cls.serialized:
        if name not in wire:
            result.note("SDK generator bugs not copied", cls.source, cls.line,
                        f"{cls.name}: its serializer lists {name!r}, no field's wire name, so it sends the field "
                        "as null when absent; md2models leaves an absent field out")


def _added(spare: Sequence[CodeField], cls: CodeClass, names: _Names, note: Callable[[str, CodeField, str], None]
           ) -> tuple[list[FieldFix], list[tuple[str, list[tuple[str, str]]]]]:
    """Code fields no doc lists (a page's `next`, a `raw_response`) as added fields."""
    fixes: list[FieldFix] = []
    keys: list[tuple[str, list[tuple[str, str]]]] = []
    for code in spare:
        if cls.kind == "exception":
            note("code fields without a doc row", code, "a field of an SDK error class: not a model's")
            continue
        text = _annotation(code.annotation, names, cls.namespace, names.key)
        try:
            if not naming.is_safe_attribute(code.name):
                raise _Bad("cannot be an attribute name")
            node = _type_node(ast.parse(text, mode="eval").body, names.lookup, set())
            default = parse_default(code.default) if code.default is not None else None
        except (_Bad, SyntaxError) as exc:
            note("code fields without a doc row", code, f"no doc row, and no added field: {text!r}: {exc}")
            continue
        if default is not None and default.kind == "member":
            note("code fields without a doc row", code, f"no doc row, and no added field: default {code.default!r}")
            continue
        fixes.append(FieldFix(code.alias, node, default, code.name, code.exclude))
        values = [("added", "true"), ("type", toml_str(text))]
        values += [("default", toml_str(code.default))] if code.default is not None else []
        values += [("alias", toml_str(code.alias))] if code.alias is not None else []
        implied = isinstance(node, Generic) and node.origin == "Callable"  # a function is never dumped
        values += [("exclude", "true")] if code.exclude and not implied else []
        keys.append((code.name, values))
    return fixes, keys


def _member(text: str, names: _Names, namespace: str, resolved: Resolved) -> Optional[tuple[Key, str, str]]:
    """(the enum's key, its member, the default as the overrides file spells it) of a
    code default `Region.WILDCARD_`, or None when it names no member of a doc's enum."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Attribute) or not dotted(node.value):
        return None
    key = names.doc_of(dotted(node.value), namespace)
    if key is None or key not in resolved.by_key or node.attr not in dict(resolved.by_key[key].enum[2]):
        return None
    return key, node.attr, f"{names.key(key)}.{node.attr}"


def _field_fix(fix: FieldFix, code: CodeField, same: dict[str, bool], names: _Names, cls: CodeClass,
               note: Callable[[str, CodeField, str], None]) -> tuple[FieldFix, dict[str, str]]:
    """The override keys of one field (TOML values): one for each thing the doc gets wrong that an override can say."""
    values = {}
    if not same["alias"]:
        if code.alias is None:
            note("fields not reproduced", code, "has no wire alias; the doc implies one")
        else:
            fix, values["alias"] = replace(fix, alias=code.alias), toml_str(code.alias)
    if not same["type"]:
        text = _annotation(code.annotation, names, cls.namespace, names.key)
        try:
            node = _type_node(ast.parse(text, mode="eval").body, names.lookup, set())
            fix, values["type"] = replace(fix, type=node), toml_str(text)
        except (_Bad, SyntaxError) as exc:
            note("constructs not understood", code, f"type {text!r}: {exc}")
    if not same["default"]:
        member = _member(code.default, names, cls.namespace, names.resolved) if code.default else None
        if code.default is None:
            note("fields not reproduced", code, "has no default; the doc gives one")
        elif member is not None:
            key, name, text = member
            fix, values["default"] = replace(fix, default=Default("member", name, text, key)), toml_str(text)
        else:
            try:
                fix, values["default"] = replace(fix, default=parse_default(code.default)), toml_str(code.default)
            except _Bad as exc:
                note("constructs not understood", code, f"default {code.default!r}: {exc}")
    return fix, values
