"""Runs parse -> resolve -> render over a spec folder, incrementally and in
parallel.  The result is the complete new output as `OutputFile`s, for the
write stage to write (`generate`) or compare (`check`).

Incremental: a cache (in the cache folder, `OUT/.md2models-cache/` or
`STATE/cache/`: see `layout`; git-ignored by its own `.gitignore`) keeps,
per doc, its content digest, its resolve `Summary`, its warnings and the
digests of the module and doc rendered from it.  A run
hashes the docs (a `stat` when size and mtime match the cache), parses only
the changed ones, resolves the whole spec from summaries, and renders a
module again only when its doc or what it depends on (the kind, name and
place of each model it refers to, and which of them share its import cycle)
changed.  Unchanged outputs are known by digest; their bytes are rendered
again only if the write stage asks (a hand-edited output file).  The cache
is keyed by the digest of md2models' own code and templates, so any change
to the tool starts it afresh; a damaged cache is ignored.

Without a cache (a fresh clone), `check` trusts the committed manifest
instead: it records each doc's inputs key (its module key, salted with
everything global, see `inputs_base`) beside the output digests, so only
the docs whose key differs are rendered; every digest is still compared
with the file on disk by the write stage.  Records stay
plain tuples until needed, and a run that changed a few docs writes only
their records, to a delta file beside the base (see `save_cache`).

Parallel: docs are split between worker processes (see `workers`) that
parse their share, hash output files the main process names and render
the changed docs' pages while it resolves, then render their share,
writing the files where the write stage said (`claim`); meanwhile the main process keys the docs and renders the
package's own files.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache, partial
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Optional, Sequence

import jinja2
import markdown_it

from . import naming, unions, wirenames
from .diagnostics import Diagnostic, DiagnosticData, SpecError
from .docrender import render_doc
from .ir import AnyModel
from .manifest import PACKAGE_INPUTS, Manifest, StatRecord, ensure_cache_dir, store_marshal
from .overrides import NO_OVERRIDES, Overrides, OverridesFile
from .parse import parse_files, read_doc
from .progress import NO_PROGRESS, Progress
from .pyrender import DEFAULT_PYTHON, DEFAULT_TARGET, package_paths, render_module, render_package
from .resolve import resolve, silence_overridden, spec_root_names, summarize
from .summary import Key, Resolved, Summary
from .templating import builtin_templates_dir, templates_digest
from .workers import NOT_RENDERED, Summaries, Workers, load_model, sha256_hex, summary_of
from .write import OutputFile

CACHE_FILE = "state.marshal"
DELTA_FILE = "state-delta.marshal"


@dataclass
class DocRecord:
    """What a run knows of one doc, cached as the plain tuple of its fields.
    Summary and warnings stay plain tuples until a run asks for them: a
    no-op run reads 18k records and needs none of them."""

    size: int
    mtime_ns: int
    digest: str
    summary_data: tuple  # type: ignore[type-arg]  # a Summary, its links as plain tuples
    warnings_data: tuple[DiagnosticData, ...]
    module: str  # the module's path in the package: "models/foo"
    module_key: str = ""  # digest of everything the module was rendered from
    module_digest: str = ""
    doc_digest: str = ""

    @cached_property
    def summary(self) -> Summary:
        return summary_of(self.summary_data)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(Diagnostic(*w) for w in self.warnings_data)

    def to_tuple(self) -> tuple:  # type: ignore[type-arg]
        return (self.size, self.mtime_ns, self.digest, self.summary_data, self.warnings_data, self.module,
                self.module_key, self.module_digest, self.doc_digest)


class Changed(NamedTuple):
    """A doc whose content is new to the cache (read and parsed by a worker)."""

    stat: os.stat_result
    previous: Optional[tuple]  # type: ignore[type-arg]  # its summary_data in the cache, if it had one


@dataclass
class Build:
    """The outcome of a run: every output file, the warnings, the new cache."""

    files: dict[str, OutputFile]
    warnings: tuple[Diagnostic, ...]
    sources: dict[str, str] = field(repr=False)  # output path -> the doc it is rendered from (not the package's own)
    records: dict[str, DocRecord] = field(repr=False)
    whole: WholeSpec = field(repr=False)
    cache_key: str = field(repr=False)
    # What differs from the cache read: the docs whose records changed, the whole-spec results.
    dirty: set[str] = field(repr=False, default_factory=set)
    whole_changed: bool = field(repr=False, default=True)
    cache_base: Optional[CacheBase] = field(repr=False, default=None)  # None: the docs are not the cached ones
    inputs_base: str = field(repr=False, default="")  # see `inputs_base`
    # the output paths whose digests the committed manifest gave (as formatted, if it is)
    from_manifest: frozenset[str] = field(repr=False, default=frozenset())
    # the output paths the build wrote where `claim` said, with their records
    written: dict[str, StatRecord] = field(repr=False, default_factory=dict)
    hashed: dict[str, StatRecord] = field(repr=False, default_factory=dict)  # what `idle` asked, by full path

    def inputs(self) -> dict[str, str]:
        """Doc path -> key of what its outputs were rendered from, for the
        manifest; `PACKAGE_INPUTS` -> the key of the package's own files."""
        keys = {rel: _inputs_key(self.inputs_base, record.module_key) for rel, record in self.records.items()}
        keys[PACKAGE_INPUTS] = _inputs_key(self.inputs_base, self.whole.names_key)
        return keys

    def docs_record(self, placement: str) -> tuple[str, dict[str, str]]:
        """For the manifest: the salt of the docs (see `docs_salt`) and each
        doc's digest (the first 32 hex digits of its sha256); none when the
        run had warnings (a check that compared only the files would not
        report them)."""
        if self.warnings:
            return "", {}
        digests = {rel: record.digest[:32] for rel, record in self.records.items()}
        return docs_salt(self.inputs_base, placement), digests


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
    """Digest of md2models' own code and built-in templates, the same from a
    source tree and from a wheel (which keeps the templates inside the package)."""
    digest = hashlib.sha256()
    templates = builtin_templates_dir()
    for root in (Path(__file__).resolve().parent, templates):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".jinja", ".j2")
                           and (root == templates or templates not in p.parents)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(specs: Path, paths: Sequence[str], package: str, *, cache_dir: Optional[Path], jobs: int,
          overrides: Optional[OverridesFile] = None, target: str = DEFAULT_TARGET,
          progress: Progress = NO_PROGRESS, wire_names: str = wirenames.POLICIES[0],
          python_version: str = DEFAULT_PYTHON, code_format: str = "none",
          committed: Optional[Callable[[], Manifest]] = None, idle: Callable[[], Sequence[str]] = lambda: (),
          claim: Optional[Claim] = None) -> Build:
    """Render every output file of `paths` (docs below `specs`), with `overrides`
    applied, as output kind `target` (see `pyrender.TARGETS`) for Python
    `python_version` (see `pysyntax.Spelling`), fields named on the wire by
    policy `wire_names` (see `wirenames`); `progress` is shown.
    `code_format`: what formats the files after (`formatting.identity`), for the inputs keys.
    `committed`: reads a manifest whose digests stand for the outputs of the
    docs whose inputs key it records (nothing cached): those are not
    rendered.  It is read only if some doc's outputs are not cached.
    `idle`: work that needs nothing of the build, done while worker
    processes parse (not called if the docs are parsed in this process);
    it returns files (full paths) for the workers to hash once they have
    parsed, while this process resolves: the result's `hashed`.
    `claim`: the write stage's offer to take files as they are rendered
    (see `Claim`); those written are in the result's `written`."""
    base_key = inputs_base(package, overrides, target, wire_names, python_version, code_format)
    root = spec_root_names(str(specs))
    cache_key = build_cache_key(specs, package, overrides, target, wire_names, python_version)
    cached, whole, base = _load_cache(cache_dir, cache_key)
    records: dict[str, DocRecord] = {}
    changed: dict[str, Changed] = {}
    problems: list[Diagnostic] = []
    stale: list[tuple[str, os.stat_result, Optional[DocRecord]]] = []
    base_dir = os.fspath(specs)
    for rel in paths:
        try:
            stat = os.stat(f"{base_dir}/{rel}")  # os.path.join: a tenth of a no-op run
        except OSError as exc:  # e.g. a dangling symlink
            problems.append(Diagnostic(rel, 1, 1, "error", f"cannot read: {exc.strerror or exc}", "unreadable-doc"))
            continue
        record = cached.get(rel)
        if record is not None and stat.st_mtime_ns == record.mtime_ns and stat.st_size == record.size:
            records[rel] = record
        else:
            stale.append((rel, stat, record))
    for rel, stat, record in stale:
        if record is not None and sha256_hex(read_doc(specs, rel)[0] or b"") == record.digest:  # touched, not changed
            record.size, record.mtime_ns = stat.st_size, stat.st_mtime_ns
            records[rel] = record
        else:
            changed[rel] = Changed(stat, record.summary_data if record else None)
    for record in records.values():
        if record.warnings_data:
            problems.extend(record.warnings)
    same_paths = list(cached) == list(paths)
    claimed: dict[str, str] = {}  # output path -> what `claim` gave: its full path, or "" (not free)

    def idle_and_claim() -> Sequence[str]:
        """Without a manifest to trust, every changed doc's outputs are
        rendered: they are claimed while the workers parse, not after."""
        if claim is not None and committed is None and changed:
            wanted = [path for rel in sorted(changed) for path in output_paths(package, naming.module_path(rel), rel)]
            free = claim(wanted)
            claimed.update((path, free.get(path, "")) for path in wanted)
        return idle()

    with Workers(specs, jobs, len(changed), progress, idle_and_claim, pages=committed is None) as workers:
        result = _build(specs, paths, package, workers, records, changed, problems, same_paths,
                        whole, cache_key, overrides, _Committed(committed, base_key), target, root, wire_names,
                        python_version, claim, claimed)
    result.dirty.update(rel for rel, _, _ in stale)
    result.cache_base = base if same_paths else None
    return result


def build_cache_key(specs: Path, package: str, overrides: Optional[OverridesFile], target: str, wire_names: str,
                    python_version: str) -> str:
    """What a cache is valid for: the tool, the templates in use, and the options."""
    overrides_digest = overrides.digest if overrides is not None else ""
    # The root's place too: links that leave it and come back resolve by it.
    root = spec_root_names(str(specs))
    return hashlib.sha256(
        f"{tool_digest()}\0{templates_digest()}\0{package}\0{overrides_digest}\0{target}\0{root}\0{wire_names}"
        f"\0{python_version}".encode()
    ).hexdigest()


def cached_summaries(specs: Path, paths: Sequence[str], cache_dir: Path, cache_key: str
                     ) -> dict[str, tuple[Summary, tuple[Diagnostic, ...]]]:
    """{path: (summary, parse warnings)} of the docs the cache knows unchanged
    (same size and mtime), for a reader that need not parse them again."""
    records = _load_cache(cache_dir, cache_key)[0]
    found: dict[str, tuple[Summary, tuple[Diagnostic, ...]]] = {}
    for rel in paths:
        record = records.get(rel)
        try:
            stat = os.stat(f"{os.fspath(specs)}/{rel}")
        except OSError:
            continue
        if record is not None and stat.st_mtime_ns == record.mtime_ns and stat.st_size == record.size:
            found[rel] = (record.summary, record.warnings)
    return found


def _build(specs: Path, paths: Sequence[str], package: str, workers: Workers, records: dict[str, DocRecord],
           changed: Mapping[str, Changed], problems: list[Diagnostic], same_paths: bool,
           whole: Optional[WholeSpec], cache_key: str, source: Optional[OverridesFile], committed: _Committed,
           target: str, root: tuple[str, ...], wire_names: str, python_version: str, claim: Optional[Claim],
           claimed: dict[str, str]) -> Build:
    """`build` once the docs are sorted into cached and `changed`;
    `claimed`: output path -> what `claim` gave while the workers parsed."""
    same_summaries = True  # every changed doc still has the summary it had
    for rel, digest, summary_data, found, module in workers.parse(sorted(changed)):
        problems.extend(Diagnostic(*p) for p in found)
        if summary_data is not None:
            stat, previous = changed[rel]
            same_summaries = same_summaries and previous == summary_data
            records[rel] = DocRecord(stat.st_size, stat.st_mtime_ns, digest, summary_data,
                                     tuple(p for p in found if p[3] == "warning"), module)
    unparsed = frozenset(rel for rel in paths if rel not in records)
    if unparsed:  # report what resolve finds among the rest too, then stop
        raise SpecError(problems + resolve([r.summary for r in records.values()], unparsed=unparsed, root=root)[1])

    def ordered() -> list[Summary]:
        return [records[rel].summary for rel in paths]

    if whole is not None and same_paths and same_summaries:  # every summary as cached: no need to read them
        names_key = whole.names_key
    else:
        names_key = sha256_hex(repr([records[rel].summary_data[:4] for rel in paths]).encode())
    # Same docs by name and place, and no changed doc refers or is referred
    # to differently: the whole-spec results of the last run still hold.
    same_structure = whole is not None and whole.names_key == names_key and same_summaries
    if whole is not None and same_structure:
        cycles = whole.cycles

        @cache
        def resolution() -> Resolved:  # only when something is rendered
            return Resolved(Summaries(records[rel].summary_data for rel in paths),
                            {(ns, name): cycle for ns, name, cycle in cycles})

        resolve_warnings = [Diagnostic(*w) for w in whole.warnings]
    else:
        resolved, resolve_warnings = resolve(ordered(), root=root)
        if any(p.severity == "error" for p in resolve_warnings):
            raise SpecError(problems + resolve_warnings)
        cycles = tuple((ns, name, cycle) for (ns, name), cycle in sorted(resolved.cycle_of.items()))

        def resolution() -> Resolved:  # type: ignore[misc]  # the cached one above, on the other branch
            return resolved

    overrides, reported = NO_OVERRIDES, resolve_warnings
    if source is not None:
        try:
            overrides, stale = source.bind(resolution())
        except SpecError as exc:
            raise SpecError(problems + list(exc.diagnostics)) from None
        reported = silence_overridden(resolve_warnings, resolution(), overrides) + stale
    clashes = overrides.wire_clashes(wire_names, ((data[3], (data[2], data[1]), data[7]) for data in (
        records[rel].summary_data for rel in paths) if data[0] == "object"))
    reported = reported + [clash.warning(wire_names) for clash in clashes]

    @cache
    def wired() -> Overrides:  # with the wire names (the docs' evidence needs the resolution): only to render
        # the docs' evidence, read from the summaries that hold some (few docs do)
        showing = [records[rel].summary for rel in paths if records[rel].summary_data[8]]
        return with_wire_names(overrides, wire_names, showing, resolution, wirenames.kept(clashes))

    to_render: list[tuple[str, bool]] = []  # (path, doc too?)
    unkeyed: list[DocRecord] = []  # rendered whatever their keys: keyed while the workers render
    for rel in paths:
        record = records[rel]
        if same_structure and rel not in changed and record.module_digest:  # nothing it depends on changed
            continue
        if rel in changed and committed.read is None:
            to_render.append((rel, True))
            unkeyed.append(record)
            continue
        key = _module_key(record, resolution(), wired())
        if (rel in changed or key != record.module_key) and not committed.reuse(record, rel, key, package):
            to_render.append((rel, rel in changed or not record.doc_digest))
        record.module_key = key
    hashed = workers.hashed()  # before any render: the workers send those first
    own: dict[str, OutputFile] = {}  # the package's own files

    def meanwhile() -> None:
        for record in unkeyed:
            record.module_key = _module_key(record, resolution(), wired())
        known = whole.package_files if whole is not None and whole.names_key == names_key else None
        if known is None:
            known = committed.package_files(names_key, package, (records[rel].module for rel in paths))
        if known is None:
            own.update((rel, OutputFile.from_bytes(text.encode("utf-8"))) for rel, text in
                       render_package(ordered(), package, overrides, target, python_version).items())
        else:
            own.update((rel, OutputFile(digest, _LazyPackageFile(ordered, package, rel, overrides, target,
                                                                 python_version))) for rel, digest in known)

    # Where the rendered files go: the write stage takes those it can as they are rendered.
    jobs = [(rel, with_doc, module, doc if with_doc else "") for rel, with_doc in to_render
            for module, doc in [output_paths(package, records[rel].module, rel)]]
    unasked = [path for job in jobs for path in job[2:] if path and path not in claimed]
    if claim is not None and unasked:
        claimed.update(claim(unasked))
    rendered = {result[0]: result[1:] for result in (workers.render(
        [(rel, with_doc, claimed.get(module, ""), claimed.get(doc, "")) for rel, with_doc, module, doc in jobs],
        resolution(), (records[rel].summary_data for rel in paths), cycles, wired(), target, python_version,
        meanwhile) if to_render else ())}
    if not to_render:
        meanwhile()

    files: dict[str, OutputFile] = {}
    sources: dict[str, str] = {}
    written: dict[str, StatRecord] = {}
    again = _Renderer(specs, resolution, wired, target, python_version)
    for rel in paths:
        record = records[rel]
        outputs = output_paths(package, record.module, rel)
        made = rendered.get(rel, NOT_RENDERED)
        for path, (text, digest, at), old, render_again in zip(
                outputs, (made[:3], made[3:]), (record.module_digest, record.doc_digest), (again.module, again.doc)):
            if at is not None:
                written[path] = (digest, *at)
            files[path] = (OutputFile.of(text, digest) if text is not None
                           else OutputFile(digest or old, partial(render_again, rel)))
            sources[path] = rel
        record.module_digest, record.doc_digest = files[outputs[0]].digest, files[outputs[1]].digest
    files.update((f"{package}/{rel}", file) for rel, file in own.items())
    package_files = tuple((rel, file.digest) for rel, file in sorted(own.items()))
    new_whole = WholeSpec(tuple(w.data() for w in resolve_warnings),
                          cycles, names_key, package_files)
    warnings = tuple(sorted(p for p in problems + reported if p.severity == "warning"))
    return Build(dict(sorted(files.items())), warnings, sources, records, new_whole, cache_key,
                 dirty={*changed, *(rel for rel, _ in to_render)}, whole_changed=new_whole != whole,
                 inputs_base=committed.base, from_manifest=frozenset(committed.used), written=written,
                 hashed=hashed)


def output_paths(package: str, module: str, rel: str) -> tuple[str, str]:
    """A doc's two outputs, keyed as the build keys files: its module
    (`module`: its path in the package, "models/foo") and its docs page."""
    return f"{package}/{module}.py", f"docs/{rel}"


def inputs_base(package: str, overrides: Optional[OverridesFile], target: str, wire_names: str, python_version: str,
                code_format: str) -> str:
    """What every output depends on besides the docs, for the committed
    manifest's inputs keys: the cache key's parts bar the spec root's place
    (which decides only where warnings point, and differs between clones),
    plus what may differ between machines: the formatter, the Python
    version (its Unicode tables decide which characters a string literal
    keeps as they are) and the versions of the parser and template engine."""
    python = "%d.%d" % sys.version_info[:2]
    overrides_digest = overrides.digest if overrides is not None else ""
    return sha256_hex(f"{tool_digest()}\0{templates_digest()}\0{package}\0{overrides_digest}\0{target}\0{wire_names}\0"
                   f"{python_version}\0{code_format}\0{python}\0{markdown_it.__version__}\0{jinja2.__version__}".encode())


def docs_salt(base: str, placement: str) -> str:
    """What the manifest's doc digests were recorded under: `inputs_base`
    and where the files go (`layout.Layout.placement`).  The output is a
    function of the docs' bytes and of these alone, so when the salt and
    every doc's digest are those the manifest records, the files it records
    are the output (see `quickcheck`)."""
    return sha256_hex(f"{base}\0{placement}".encode())[:32]


def _inputs_key(base: str, module_key: str) -> str:
    """A doc's inputs key (32 hex digits: the manifest has one a doc)."""
    return sha256_hex(f"{base}\0{module_key}".encode())[:32]


class _Committed:
    """The committed manifest as a source of output digests: a doc whose
    inputs key it records has the outputs whose digests it records."""

    def __init__(self, read: Optional[Callable[[], Manifest]], base: str):
        self.read, self.base = read, base
        self.used: set[str] = set()  # the output paths whose digests it gave

    @cached_property
    def manifest(self) -> Optional[Manifest]:  # read when first asked: a warm cache never needs it
        return self.read() if self.read is not None else None

    def reuse(self, record: DocRecord, rel: str, module_key: str, package: str) -> bool:
        """Take the digests of `rel`'s outputs from the manifest, if it
        records them for these inputs."""
        if self.manifest is None or self.manifest.inputs.get(rel) != _inputs_key(self.base, module_key):
            return False
        paths = output_paths(package, record.module, rel)
        module, doc = map(self.manifest.files.get, paths)
        if module is None or doc is None:
            return False
        record.module_digest, record.doc_digest = module, doc
        self.used.update(paths)
        return True

    def package_files(self, names_key: str, package: str, modules: Iterable[str]
                      ) -> Optional[tuple[tuple[str, str], ...]]:
        """The package's own files ((path in the package, digest)), if the
        manifest records them for these docs (`names_key`, whose `modules`
        are these: "models/foo")."""
        if self.manifest is None or self.manifest.inputs.get(PACKAGE_INPUTS) != _inputs_key(self.base, names_key):
            return None
        own = tuple(sorted((rel, self.manifest.files.get(f"{package}/{rel}", "")) for rel in package_paths(modules)))
        if not all(digest for _, digest in own):
            return None
        self.used.update(f"{package}/{rel}" for rel, _ in own)
        return own


def with_wire_names(overrides: Overrides, policy: str, summaries: Sequence[Summary], resolution: Callable[[], Resolved],
                    kept: Mapping[Key, frozenset[str]]) -> Overrides:
    """`overrides` with the wire-name policy, the fields it leaves as they
    are (`kept`, from its clashes) and the evidence of `summaries` (those
    that show JSON)."""
    showing = [summary for summary in summaries if summary.evidence]
    found = wirenames.collect(showing, resolution().by_key) if showing else wirenames.NO_WIRE_NAMES
    return replace(overrides, wire=replace(found, policy=policy, kept=kept))


def parse_summaries(specs: Path, paths: Sequence[str], jobs: int) -> tuple[list[Summary], list[Diagnostic]]:
    """Parse every doc (in parallel when many) into summaries, with problems."""
    with Workers(specs, jobs, len(paths)) as workers:
        results = workers.parse(sorted(paths))
    problems = [Diagnostic(*p) for _, _, _, found, _ in results for p in found]
    return [summary_of(data) for _, _, data, _, _ in results if data is not None], problems


def parse_and_resolve(specs: Path, paths: Sequence[str]) -> tuple[list[AnyModel], Resolved, list[Diagnostic]]:
    """Parse the docs in this process, keeping their models, and resolve them:
    the models, the resolved spec and every problem."""
    models, problems = parse_files(specs, paths)
    summaries = [summarize(model) for model in models]
    resolved, found = resolve(summaries, unparsed=unparsed_paths(paths, summaries), root=spec_root_names(str(specs)))
    return models, resolved, problems + found


def unparsed_paths(paths: Sequence[str], summaries: Iterable[Summary]) -> frozenset[str]:
    return frozenset(paths) - {summary.path for summary in summaries}


class CacheBase(NamedTuple):
    """The cache's base file as read: its id, and the docs its delta holds."""

    id: str
    delta: frozenset[str]


def save_cache(cache_dir: Path, result: Build) -> None:
    """Store the run's records, if they changed; a cache is an optimisation,
    so I/O errors pass.

    Two files: the base (every record) and a delta of the records that
    differ from it, so a small edit rewrites a few records, not 17 MB; the
    base is rewritten when the delta grows past a twentieth of it or the
    set of docs changes."""
    if not (result.dirty or result.whole_changed):
        return
    whole, records, base = result.whole, result.records, result.cache_base
    spec = (whole.warnings, whole.cycles, whole.names_key, whole.package_files)
    try:
        ensure_cache_dir(str(cache_dir))
        delta = base.delta | result.dirty if base is not None else ()
        if base is not None and len(delta) <= max(64, len(records) // 20):
            docs = {rel: records[rel].to_tuple() for rel in sorted(delta)}
            store_marshal(str(cache_dir / DELTA_FILE),
                          {"key": result.cache_key, "base": base.id, "docs": docs, "spec": spec})
            return
        docs = {rel: record.to_tuple() for rel, record in sorted(records.items())}
        store_marshal(str(cache_dir / CACHE_FILE),
                      {"key": result.cache_key, "id": os.urandom(8).hex(), "docs": docs, "spec": spec})
        (cache_dir / DELTA_FILE).unlink(missing_ok=True)  # names another base id: ignored even if left
    except OSError:
        pass


def has_cache(cache_dir: Path) -> bool:
    """Whether a run left its cache there (a fresh clone has none)."""
    return (cache_dir / CACHE_FILE).is_file()


def _load_cache(cache_dir: Optional[Path], key: str
                ) -> tuple[dict[str, DocRecord], Optional[WholeSpec], Optional[CacheBase]]:
    """(records by doc path, whole-spec results, the base as read): base file plus delta."""
    if cache_dir is None:
        return {}, None, None
    try:
        state = marshal.loads((cache_dir / CACHE_FILE).read_bytes())
        if state.get("key") != key:
            return {}, None, None
        docs, spec, in_delta = state["docs"], state["spec"], frozenset[str]()
        try:
            delta = marshal.loads((cache_dir / DELTA_FILE).read_bytes())
            if delta.get("key") == key and delta.get("base") == state["id"] and delta["docs"].keys() <= docs.keys():
                docs.update(delta["docs"])
                spec, in_delta = delta["spec"], frozenset(delta["docs"])
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            pass
        return {rel: DocRecord(*data) for rel, data in docs.items()}, WholeSpec(*spec), CacheBase(state["id"], in_delta)
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return {}, None, None


def _module_key(record: DocRecord, resolved: Resolved, overrides: Overrides) -> str:
    """Digest of what the module of `record` is rendered from."""
    own = record.summary.key
    links = {(link.namespace, link.name) for link in record.summary.links}
    deps = sorted(links | set(overrides.model(own).refs))
    # A model no doc defines (a dangling link, typed Any) has no facts.
    facts = [(key, *(resolved.by_key[key][:4] if key in resolved.by_key else ()), resolved.same_cycle(own, key))
             for key in deps]
    # an override's enum-member default is spelt from the enum's members
    facts += [resolved.by_key[key].enum for key in overrides.model(own).refs if key in resolved.by_key]
    # a union's member order and discriminator come from its members' shapes
    shapes = unions.facts(deps, resolved) if record.summary.kind == "union" else ()
    # other docs' examples may name its fields' wire names, and its members' (a union's tag field)
    wire = [overrides.wire.of(key) for key in (own, *deps)]
    return hashlib.sha256(repr((record.digest, facts, shapes, wire)).encode()).hexdigest()


# The write stage's offer (`write.Writer.claim`, keyed as the build keys
# files): given output paths, the full paths of those the build may write
# itself, as it renders them.
Claim = Callable[[Sequence[str]], Mapping[str, str]]
class _Renderer:
    """Renders a doc's outputs again, only if the write stage asks."""

    def __init__(self, specs: Path, resolution: Callable[[], Resolved], overrides: Callable[[], Overrides], target: str,
                 python_version: str):
        self.specs, self.resolution, self.overrides, self.target = specs, resolution, overrides, target
        self.python_version = python_version

    def module(self, rel: str) -> bytes:
        return render_module(load_model(self.specs, rel), self.resolution(), overrides=self.overrides(),
                             target=self.target, python_version=self.python_version)[1].encode("utf-8")

    def doc(self, rel: str) -> bytes:
        return render_doc(load_model(self.specs, rel)).encode("utf-8")


class _LazyPackageFile:
    """Renders one of the package's own files again, only if asked."""

    def __init__(self, summaries: Callable[[], Sequence[Summary]], package: str, rel: str, overrides: Overrides,
                 target: str = DEFAULT_TARGET, python_version: str = DEFAULT_PYTHON):
        self.summaries, self.package, self.rel, self.overrides = summaries, package, rel, overrides
        self.target, self.python_version = target, python_version

    def __call__(self) -> bytes:
        return render_package(self.summaries(), self.package, self.overrides, self.target,
                              self.python_version)[self.rel].encode("utf-8")
