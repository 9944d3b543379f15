"""Runs parse -> resolve -> render over a spec folder, incrementally and in
parallel.  The result is the complete new output as `OutputFile`s, for the
write stage to write (`generate`) or compare (`check`).

Incremental: a cache (`OUT/.md2models-cache/`, git-ignored by its own
`.gitignore`) keeps, per doc, its content digest, its resolve `Summary`, its
warnings and the digests of the module and doc rendered from it.  A run
hashes the docs (a `stat` when size and mtime match the cache), parses only
the changed ones, resolves the whole spec from summaries, and renders a
module again only when its doc or what it depends on (the kind, name and
place of each model it refers to, and which of them share its import cycle)
changed.  Unchanged outputs are known by digest; their bytes are rendered
again only if the write stage asks (a hand-edited output file).  The cache
is keyed by the digest of md2models' own code and templates, so any change
to the tool starts it afresh; a damaged cache is ignored.

Parallel: docs are split between worker processes (fork) that parse their
share, send back summaries, then render their share once the main process
has resolved the spec, so parsed models never cross a process boundary.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Optional, Sequence

from . import naming
from .diagnostics import Diagnostic, SpecError
from .docrender import render_doc
from .ir import AnyModel
from .manifest import ensure_cache_dir
from .overrides import NO_OVERRIDES, Overrides, OverridesFile
from .parse import parse_bytes, read_doc
from .pyrender import DEFAULT_TARGET, render_module, render_package
from .resolve import Link, Resolved, Summary, resolve, summarize
from .templating import builtin_templates_dir, templates_digest
from .write import OutputFile

CACHE_FILE = "state.marshal"
# Below this many docs to parse or render, worker processes cost more than they save.
PARALLEL_THRESHOLD = 300


@dataclass
class DocRecord:
    """What a run knows of one doc; stored in the cache as a plain tuple."""

    size: int
    mtime_ns: int
    digest: str
    summary: Summary
    warnings: tuple[Diagnostic, ...]
    module_key: str = ""  # digest of everything the module was rendered from
    module_digest: str = ""
    doc_digest: str = ""

    def to_tuple(self) -> tuple:  # type: ignore[type-arg]
        summary = (*self.summary[:6], tuple(map(tuple, self.summary.links)), self.summary.field_names)
        warnings = tuple((w.path, w.line, w.col, w.severity, w.message) for w in self.warnings)
        return (self.size, self.mtime_ns, self.digest, summary, warnings,
                self.module_key, self.module_digest, self.doc_digest)

    @classmethod
    def from_tuple(cls, data: tuple) -> DocRecord:  # type: ignore[type-arg]
        size, mtime_ns, digest, summary, warnings, module_key, module_digest, doc_digest = data
        kind, name, namespace, path, line, col, links, fields = summary
        return cls(size, mtime_ns, digest,
                   Summary(kind, name, namespace, path, line, col, tuple(Link(*link) for link in links), fields),
                   tuple(Diagnostic(*w) for w in warnings), module_key, module_digest, doc_digest)


class Changed(NamedTuple):
    """A doc whose content is new to the cache (read and parsed by a worker)."""

    stat: os.stat_result
    previous: Optional[Summary]  # its summary in the cache, if it had one


@dataclass
class Build:
    """The outcome of a run: every output file, the warnings, the new cache."""

    files: dict[str, OutputFile]
    warnings: tuple[Diagnostic, ...]
    records: dict[str, DocRecord] = field(repr=False)
    whole: WholeSpec = field(repr=False)
    cache_key: str = field(repr=False)


@dataclass(frozen=True)
class WholeSpec:
    """What a run derived from all docs together: the resolve stage's
    warnings and cycles, and, for the models named by `names_key`, the
    package's own files."""

    warnings: tuple[tuple, ...]  # type: ignore[type-arg]
    cycles: tuple[tuple[str, str, int], ...]
    names_key: str
    package_files: tuple[tuple[str, str], ...]  # (path, digest)


@lru_cache(maxsize=None)
def tool_digest() -> str:
    """Digest of md2models' own code and built-in templates."""
    digest = hashlib.sha256()
    roots = (Path(__file__).parent, builtin_templates_dir())
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".jinja", ".j2")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(specs: Path, paths: Sequence[str], package: str, *, cache_dir: Optional[Path], jobs: int,
          overrides: Optional[OverridesFile] = None, target: str = DEFAULT_TARGET) -> Build:
    """Render every output file of `paths` (docs below `specs`), with `overrides`
    applied, as output kind `target` (see `pyrender.TARGETS`)."""
    overrides_digest = overrides.digest if overrides is not None else ""
    cache_key = hashlib.sha256(
        f"{tool_digest()}\0{templates_digest()}\0{package}\0{overrides_digest}\0{target}".encode()).hexdigest()
    cached, whole = _load_cache(cache_dir, cache_key)
    records: dict[str, DocRecord] = {}
    changed: dict[str, Changed] = {}
    problems: list[Diagnostic] = []
    stale: list[tuple[str, os.stat_result, Optional[DocRecord]]] = []
    for rel in paths:
        try:
            stat = os.stat(os.path.join(specs, rel))
        except OSError as exc:  # e.g. a dangling symlink
            problems.append(Diagnostic(rel, 1, 1, "error", f"cannot read: {exc.strerror or exc}"))
            continue
        record = cached.get(rel)
        if record is not None and (stat.st_size, stat.st_mtime_ns) == (record.size, record.mtime_ns):
            records[rel] = record
        else:
            stale.append((rel, stat, record))
    for rel, stat, record in stale:
        if record is not None and _sha256(read_doc(specs, rel)[0] or b"") == record.digest:  # touched, not changed
            record.size, record.mtime_ns = stat.st_size, stat.st_mtime_ns
            records[rel] = record
        else:
            changed[rel] = Changed(stat, record.summary if record else None)
    for record in records.values():
        problems.extend(record.warnings)
    workers = _Workers(specs, jobs, len(changed))
    try:
        return _build(specs, paths, package, workers, records, changed, problems, whole, cache_key, overrides, target)
    finally:
        workers.close()


def _build(specs: Path, paths: Sequence[str], package: str, workers: _Workers, records: dict[str, DocRecord],
           changed: Mapping[str, Changed], problems: list[Diagnostic],
           whole: Optional[WholeSpec], cache_key: str, source: Optional[OverridesFile],
           target: str = DEFAULT_TARGET) -> Build:
    same_summaries = True  # every changed doc still has the summary it had
    for rel, digest, summary, found in workers.parse(sorted(changed)):
        problems.extend(found)
        if summary is not None:
            stat, previous = changed[rel]
            same_summaries = same_summaries and previous == summary
            records[rel] = DocRecord(stat.st_size, stat.st_mtime_ns, digest, summary,
                                     tuple(p for p in found if p.severity == "warning"))
    unparsed = frozenset(rel for rel in paths if rel not in records)
    if unparsed:  # report what resolve finds among the rest too, then stop
        raise SpecError(problems + resolve([r.summary for r in records.values()], unparsed=unparsed)[1])
    ordered = [records[rel].summary for rel in paths]
    names_key = _sha256(repr([summary[:4] for summary in ordered]).encode())
    # Same docs by name and place, and no changed doc refers or is referred
    # to differently: the whole-spec results of the last run still hold.
    same_structure = whole is not None and whole.names_key == names_key and same_summaries
    if whole is not None and same_structure:
        by_key = {records[rel].summary.key: records[rel].summary for rel in paths}
        resolved = Resolved(by_key, {(ns, name): cycle for ns, name, cycle in whole.cycles})
        resolve_warnings = [Diagnostic(*w) for w in whole.warnings]
    else:
        resolved, resolve_warnings = resolve(records[rel].summary for rel in paths)
        if any(p.severity == "error" for p in resolve_warnings):
            raise SpecError(problems + resolve_warnings)
    try:
        overrides = source.bind(resolved) if source is not None else NO_OVERRIDES
    except SpecError as exc:
        raise SpecError(problems + list(exc.diagnostics)) from None

    to_render: list[tuple[str, bool]] = []  # (path, doc too?)
    for rel in paths:
        record = records[rel]
        if same_structure and rel not in changed and record.module_digest:  # nothing it depends on changed
            continue
        key = _module_key(record, resolved, overrides)
        if rel in changed or key != record.module_key:
            to_render.append((rel, rel in changed or not record.doc_digest))
        record.module_key = key
    rendered = {rel: (module, doc) for rel, module, doc in workers.render(to_render, resolved, package, overrides, target)}

    files: dict[str, OutputFile] = {}
    for rel in paths:
        record = records[rel]
        module_bytes, doc_bytes = rendered.get(rel, (None, None))
        lazy = _LazyDoc(specs, rel, resolved, overrides, target)
        module = OutputFile.from_bytes(module_bytes) if module_bytes is not None else OutputFile(record.module_digest, lazy.module)
        doc = OutputFile.from_bytes(doc_bytes) if doc_bytes is not None else OutputFile(record.doc_digest, lazy.doc)
        record.module_digest, record.doc_digest = module.digest, doc.digest
        files[f"{package}/{naming.module_path(rel)}.py"] = module
        files[f"docs/{rel}"] = doc
    if whole is not None and whole.names_key == names_key:
        package_files = whole.package_files
        files.update((f"{package}/{rel}", OutputFile(digest, _LazyPackageFile(ordered, package, rel, overrides, target)))
                     for rel, digest in package_files)
    else:
        fresh = {rel: OutputFile.from_bytes(text.encode("utf-8")) for rel, text in render_package(ordered, package, overrides, target).items()}
        package_files = tuple((rel, file.digest) for rel, file in sorted(fresh.items()))
        files.update((f"{package}/{rel}", file) for rel, file in fresh.items())
    whole = WholeSpec(
        tuple((w.path, w.line, w.col, w.severity, w.message) for w in resolve_warnings),
        tuple((ns, name, cycle) for (ns, name), cycle in sorted(resolved.cycle_of.items())),
        names_key,
        package_files,
    )
    warnings = tuple(sorted(p for p in problems + resolve_warnings if p.severity == "warning"))
    return Build(dict(sorted(files.items())), warnings, records, whole, cache_key)


def parse_summaries(specs: Path, paths: Sequence[str], jobs: int) -> tuple[list[Summary], list[Diagnostic]]:
    """Parse every doc (in parallel when many) into summaries, with problems."""
    workers = _Workers(specs, jobs, len(paths))
    try:
        results = workers.parse(sorted(paths))
    finally:
        workers.close()
    problems = [p for _, _, _, found in results for p in found]
    return [summary for _, _, summary, _ in results if summary is not None], problems


def unparsed_paths(paths: Sequence[str], summaries: Iterable[Summary]) -> frozenset[str]:
    return frozenset(paths) - {summary.path for summary in summaries}


def save_cache(cache_dir: Path, result: Build) -> None:
    """Store the run's records; a cache is an optimisation, so I/O errors pass."""
    whole = result.whole
    state = {
        "key": result.cache_key,
        "docs": {rel: r.to_tuple() for rel, r in sorted(result.records.items())},
        "spec": (whole.warnings, whole.cycles, whole.names_key, whole.package_files),
    }
    try:
        ensure_cache_dir(str(cache_dir))
        temp = cache_dir / f"{CACHE_FILE}.{os.getpid()}.tmp"
        temp.write_bytes(marshal.dumps(state))
        os.replace(temp, cache_dir / CACHE_FILE)
    except OSError:
        pass


def _load_cache(cache_dir: Optional[Path], key: str) -> tuple[dict[str, DocRecord], Optional[WholeSpec]]:
    if cache_dir is None:
        return {}, None
    try:
        state = marshal.loads((cache_dir / CACHE_FILE).read_bytes())
        if state.get("key") != key:
            return {}, None
        docs = {rel: DocRecord.from_tuple(data) for rel, data in state["docs"].items()}
        return docs, WholeSpec(*state["spec"])
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return {}, None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_key(record: DocRecord, resolved: Resolved, overrides: Overrides) -> str:
    """Digest of what the module of `record` is rendered from."""
    own = record.summary.key
    links = {(link.namespace, link.name) for link in record.summary.links}
    deps = sorted(links | set(overrides.model(own).refs))
    facts = [(key, *resolved.by_key[key][:4], resolved.same_cycle(own, key)) for key in deps]
    return hashlib.sha256(repr((record.digest, facts)).encode()).hexdigest()


def _render_one(model: AnyModel, resolved: Resolved, package: str, with_doc: bool,
                overrides: Overrides, target: str = DEFAULT_TARGET) -> tuple[bytes, Optional[bytes]]:
    _, module = render_module(model, resolved, overrides=overrides, target=target)
    return module.encode("utf-8"), render_doc(model).encode("utf-8") if with_doc else None


class _LazyDoc:
    """Renders one doc's outputs again, only if the write stage asks."""

    def __init__(self, specs: Path, rel: str, resolved: Resolved, overrides: Overrides = NO_OVERRIDES,
                 target: str = DEFAULT_TARGET):
        self.specs, self.rel, self.resolved, self.overrides = specs, rel, resolved, overrides
        self.target = target

    def _model(self) -> AnyModel:
        data, problems = read_doc(self.specs, self.rel)
        model, more = parse_bytes(data, self.rel) if data is not None else (None, [])
        if model is None:  # the doc changed under us since the run read it
            raise SpecError(problems + more)
        return model

    def module(self) -> bytes:
        return render_module(self._model(), self.resolved, overrides=self.overrides,
                             target=self.target)[1].encode("utf-8")

    def doc(self) -> bytes:
        return render_doc(self._model()).encode("utf-8")


class _LazyPackageFile:
    """Renders one of the package's own files again, only if asked."""

    def __init__(self, summaries: Sequence[Summary], package: str, rel: str, overrides: Overrides,
                 target: str = DEFAULT_TARGET):
        self.summaries, self.package, self.rel, self.overrides = summaries, package, rel, overrides
        self.target = target

    def __call__(self) -> bytes:
        return render_package(self.summaries, self.package, self.overrides, self.target)[self.rel].encode("utf-8")


class _Workers:
    """Parse, then render, each doc in the same process (see module docstring)."""

    def __init__(self, specs: Path, jobs: int, work: int):
        count = jobs or os.cpu_count() or 1
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.count = count if (fork and count > 1 and work >= PARALLEL_THRESHOLD) else 0
        self.specs = specs
        self.models: dict[str, AnyModel] = {}  # serial mode only
        self.pipes: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.owner: dict[str, int] = {}

    def parse(self, paths: Sequence[str]) -> list[Parsed]:
        """Read and parse the docs at `paths` (sorted); results in that order."""
        if not self.count:
            return [_parse_one(self.specs, rel, self.models) for rel in paths]
        context = multiprocessing.get_context("fork")
        for index in range(self.count):
            share = paths[index :: self.count]
            self.owner.update((rel, index) for rel in share)
            parent, child = context.Pipe()
            proc = context.Process(target=_worker, args=(child, self.specs, share), daemon=True)
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)
        return sorted(result for pipe in self.pipes for result in _receive(pipe))

    def render(self, jobs: Sequence[tuple[str, bool]], resolved: Resolved, package: str,
               overrides: Overrides = NO_OVERRIDES, target: str = DEFAULT_TARGET
               ) -> list[tuple[str, bytes, Optional[bytes]]]:
        if not self.count:
            results = []
            for rel, with_doc in jobs:
                model = self.models.get(rel) or _LazyDoc(self.specs, rel, resolved)._model()
                results.append((rel, *_render_one(model, resolved, package, with_doc, overrides, target)))
            return results
        shares: list[list[tuple[str, bool]]] = [[] for _ in self.pipes]
        for n, (rel, with_doc) in enumerate(jobs):
            shares[self.owner.get(rel, n % self.count)].append((rel, with_doc))
        for pipe, share in zip(self.pipes, shares):
            pipe.send((resolved, package, share, overrides, target))
        return [result for pipe in self.pipes for result in _receive(pipe)]

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except OSError:
                pass
            pipe.close()
        for proc in self.procs:
            proc.join()
        self.pipes, self.procs = [], []


def _receive(pipe: Connection) -> list:  # type: ignore[type-arg]
    message = pipe.recv()
    if isinstance(message, BaseException):
        raise message
    return message  # type: ignore[no-any-return]


class Parsed(NamedTuple):
    path: str
    digest: str  # of the bytes parsed ("" when unreadable)
    summary: Optional[Summary]
    problems: list[Diagnostic]


def _parse_one(specs: Path, rel: str, models: dict[str, AnyModel]) -> Parsed:
    """Read and parse one doc, keeping its model in `models` for the render."""
    data, problems = read_doc(specs, rel)
    if data is None:
        return Parsed(rel, "", None, problems)
    model, problems = parse_bytes(data, rel)
    if model is not None:
        models[rel] = model
    return Parsed(rel, _sha256(data), summarize(model) if model else None, problems)


def _worker(pipe: Connection, specs: Path, share: Iterable[str]) -> None:
    try:
        models: dict[str, AnyModel] = {}
        pipe.send([_parse_one(specs, rel, models) for rel in share])
        message = pipe.recv()
        if message is None:
            return
        resolved, package, jobs, overrides, target = message
        rendered = []
        for rel, with_doc in jobs:
            model = models.get(rel) or _LazyDoc(specs, rel, resolved)._model()
            rendered.append((rel, *_render_one(model, resolved, package, with_doc, overrides, target)))
        pipe.send(rendered)
        pipe.recv()
    except Exception as exc:  # report to the main process, which raises it
        pipe.send(exc)
    finally:
        pipe.close()

