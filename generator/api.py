"""The library API: discovery -> build (parse -> resolve -> render) -> write,
and the checks built on it.

Every function raises `SpecError` (all diagnostics of the run) when the
specs have errors, before anything is written.
"""

from __future__ import annotations

import json
import keyword
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from . import __version__, quickcheck, wirenames
from .config import PYTHON_VERSIONS, TARGETS, ConfigError
from .diagnostics import Diagnostic, SpecError
from .ir import IR_FORMAT_VERSION, Spec, to_jsonable
from .discovery import find_docs, spec_root as spec_root  # the front ends name the spec root through the API
from .parse import DEFAULT_EXCLUDE
from .pyrender import DEFAULT_PYTHON, DEFAULT_TARGET
from .overrides import NO_OVERRIDES, OverridesFile, load_overrides
from .templating import use_templates
from .wirenames import POLICIES
from .resolve import resolve, silence_overridden, spec_root_names
from .summary import Resolved, Summary
from .build import (Build, Claim, build, docs_salt, has_cache, inputs_base, parse_and_resolve, parse_summaries,
                    save_cache, unparsed_paths)
from .progress import NO_PROGRESS, Progress
from .layout import Layout, plan
from .manifest import Manifest, OutputError, StatRecord, read_manifest
from .formatting import format_files, identity
from .write import CheckReport, OutputFile, WriteReport, Writer, check_output, to_hash
from .workers import interrupts_held

PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Loaded:
    spec: Spec
    resolved: Resolved
    warnings: tuple[Diagnostic, ...]


def load(specs: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Loaded:
    """Parse (in this process) and resolve every doc; raise SpecError on errors."""
    root, paths, skipped = find_docs(specs, exclude)
    models, resolved, problems = parse_and_resolve(root, paths)
    if any(p.severity == "error" for p in problems):
        raise SpecError(problems)
    return Loaded(Spec(tuple(models), tuple(skipped)), resolved, tuple(sorted(problems)))


def check_package_name(package: str) -> None:
    """The package is one folder named by an identifier (its modules import each other relatively,
    so it can be vendored anywhere, under any such name)."""
    if package == "docs":
        raise ConfigError("package name 'docs' is taken: OUT/docs holds the regenerated docs")
    if PACKAGE_NAME.fullmatch(package) and not keyword.iskeyword(package):
        return
    fixed = re.sub(r"\W", "_", package.rpartition(".")[2])
    fixed = f"_{fixed}" if not fixed or fixed[0].isdigit() or keyword.iskeyword(fixed) else fixed
    raise ConfigError(f"package name {package!r} is not a Python identifier (one folder's name): try {fixed!r}")


def render(specs: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE, jobs: int = 0,
           cache_dir: Optional[Path] = None, templates: Optional[Path] = None,
           overrides: Optional[Path] = None, target: str = DEFAULT_TARGET, progress: Progress = NO_PROGRESS,
           strict: bool = False, wire_names: str = POLICIES[0], python_version: str = DEFAULT_PYTHON,
           code_format: str = "none", committed: Optional[Callable[[], Manifest]] = None,
           idle: Callable[[], Sequence[str]] = lambda: (), claim: Optional[Claim] = None) -> Build:
    """Every output file, in memory ({path relative to OUT: file}), and warnings.

    `templates`: a folder whose templates replace the built-in ones of the same name.
    `overrides`: a TOML file of overrides (a pyproject.toml: its
    `[tool.md2models.overrides]`); its problems raise SpecError too.
    `target`: the output kind, one of `TARGETS` (pydantic, dataclasses, typeddict).
    `progress`: where to show how far a long run is (see `progress.Progress`).
    `strict`: every warning is an error (SpecError).
    `wire_names`: how fields no override or example names are named on the wire, one of `POLICIES`.
    `python_version`: the oldest Python the code is written for, one of `PYTHON_VERSIONS`.
    `code_format`: the formatter the caller runs after (the manifest's inputs keys name it).
    `committed`: reads a manifest whose recorded outputs stand for the docs whose inputs it records.
    `idle`: work to do while worker processes parse (it returns files for them to hash after);
    `claim`: where the build may write files as it renders them (see `build.build`)."""
    read = _read_sources(specs, package, exclude=exclude, templates=templates, overrides=overrides, target=target,
                         python_version=python_version, wire_names=wire_names)
    return _render(read, package, jobs=jobs, cache_dir=cache_dir, target=target, progress=progress, strict=strict,
                   wire_names=wire_names, python_version=python_version, code_format=code_format,
                   committed=committed, idle=idle, claim=claim)


@dataclass(frozen=True)
class _Sources:
    """What a run reads: the spec root, the doc paths below it, the overrides."""

    root: Path
    paths: list[str]
    overrides: Optional[OverridesFile]


def _read_sources(specs: Path, package: str, *, exclude: Sequence[str], templates: Optional[Path],
                  overrides: Optional[Path], target: str, python_version: str, wire_names: str) -> _Sources:
    """The options checked (ConfigError), the templates in use, the docs found, the overrides loaded."""
    check_package_name(package)
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r} (one of: {', '.join(TARGETS)})")
    if python_version not in PYTHON_VERSIONS:
        raise ConfigError(f"unknown python_version {python_version!r} (one of: {', '.join(PYTHON_VERSIONS)})")
    _check_policy(wire_names)
    if templates is not None and not templates.is_dir():
        raise ConfigError(f"templates folder {templates} does not exist")
    use_templates(templates.resolve() if templates is not None else None)
    source = load_overrides(overrides) if overrides is not None else None
    root, paths, _ = find_docs(specs, exclude)
    return _Sources(root, paths, source)


def _render(read: _Sources, package: str, *, jobs: int, cache_dir: Optional[Path], target: str, progress: Progress,
            strict: bool, wire_names: str, python_version: str, code_format: str,
            committed: Optional[Callable[[], Manifest]], idle: Callable[[], Sequence[str]],
            claim: Optional[Claim] = None) -> Build:
    """`render` once the sources are read."""
    result = build(read.root, read.paths, package, cache_dir=cache_dir, jobs=jobs, overrides=read.overrides,
                   target=target, progress=progress, wire_names=wire_names, python_version=python_version,
                   code_format=identity(code_format), committed=committed, idle=idle, claim=claim)
    if strict and result.warnings:
        raise SpecError(replace(warning, severity="error") for warning in result.warnings)
    return result


def _check_policy(wire_names: str) -> None:
    if wire_names not in POLICIES:
        raise ConfigError(f"unknown wire_names {wire_names!r} (one of: {', '.join(POLICIES)})")


def plan_layout(out: Path, package: str, *, docs_out: Optional[str] = None,
                state_dir: Optional[Path] = None) -> Layout:
    """Where OUT/PACKAGE, the docs (`docs_out`: None for OUT/docs, "none"
    for no docs) and the bookkeeping (`state_dir`: None for OUT itself) go;
    ConfigError when that cannot work.  See `layout`."""
    check_package_name(package)
    return plan(out, package, docs_out=docs_out, state_dir=state_dir)


def generate(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
             jobs: int = 0, templates: Optional[Path] = None,
             overrides: Optional[Path] = None, target: str = DEFAULT_TARGET, progress: Progress = NO_PROGRESS,
             strict: bool = False, wire_names: str = POLICIES[0], format: str = "none",
             docs_out: Optional[str] = None, state_dir: Optional[Path] = None, python_version: str = DEFAULT_PYTHON
             ) -> tuple[WriteReport, tuple[Diagnostic, ...]]:
    """Write OUT from SPECS (incrementally); raise SpecError before writing
    (`strict`: on warnings too).
    `format`: "black" runs black on the rendered .py files (see `formatting`).
    `docs_out`, `state_dir`: where the docs and the bookkeeping go (see `plan_layout`)."""
    layout = plan_layout(out, package, docs_out=docs_out, state_dir=state_dir)
    root = spec_root(specs)
    if layout.docs is not None and os.path.realpath(layout.docs) == os.path.realpath(root):
        raise ConfigError(f"the regenerated docs would go to {layout.docs}, which is the specs' own folder ({root}): "
                          "they would overwrite the docs they are read from; choose another --docs-out (or --out)")
    cache = layout.keep.cache
    ahead = _Ahead(layout)
    writer = Writer(layout.root, layout.keep)

    def claim(paths: Sequence[str]) -> dict[str, str]:  # keyed as the build keys files, both ways
        placed = layout.place({path: path for path in paths})
        with interrupts_held():  # a Ctrl-C mid-claim (making OUT) would leave what `abort` cannot see
            return {placed[path]: full for path, full in writer.claim(placed).items()}

    try:
        result = render(specs, package, exclude=exclude, jobs=jobs, cache_dir=cache, templates=templates,
                        overrides=overrides, target=target, progress=progress, strict=strict, wire_names=wire_names,
                        python_version=python_version, code_format=format, idle=ahead,
                        claim=claim if format == "none" else None)  # black rewrites the files after
        formatted = format_files(result.files, format, cache, jobs)
        salt, digests = result.docs_record(layout.placement)
        report = writer.finish(layout.place(formatted.files), tool_version=__version__, inputs=result.inputs(),
                               docs_salt=salt, docs=digests, progress=progress, hashed=ahead.take(result.hashed),
                               written=layout.place(result.written))
    except BaseException:
        writer.abort()
        raise
    save_cache(cache, result)
    formatted.save()
    return report, result.warnings


def check(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
          jobs: int = 0, templates: Optional[Path] = None, overrides: Optional[Path] = None,
          target: str = DEFAULT_TARGET, progress: Progress = NO_PROGRESS, strict: bool = False,
          wire_names: str = POLICIES[0], format: str = "none",
          docs_out: Optional[str] = None, state_dir: Optional[Path] = None, python_version: str = DEFAULT_PYTHON,
          full: bool = False) -> tuple[CheckReport, Mapping[str, OutputFile], tuple[Diagnostic, ...]]:
    """Compare the output with what SPECS generate; writes nothing (not even
    the cache).  `strict`: warnings are errors (SpecError).  The report's
    and the files' paths are relative to the layout's root (see `plan_layout`).
    With no cache, when every doc is as the manifest records it (under
    the same salt), only the files are compared (see `quickcheck`).  Else docs whose
    outputs neither the cache nor the committed manifest knows for their
    inputs are rendered; `full`: every doc is, and every file is hashed
    (no cache, no manifest trusted)."""
    layout = plan_layout(out, package, docs_out=docs_out, state_dir=state_dir)
    cache = None if full else layout.keep.cache
    committed = not full and layout.keep.manifest.is_file()
    read = _read_sources(specs, package, exclude=exclude, templates=templates, overrides=overrides, target=target,
                         python_version=python_version, wire_names=wire_names)
    found: Optional[Manifest] = None
    hashed: dict[str, StatRecord] = {}
    if committed and not has_cache(layout.keep.cache):  # a fresh clone: see `quickcheck`
        base = inputs_base(package, read.overrides, target, wire_names, python_version, identity(format))
        found = read_manifest(str(layout.keep.manifest))
        quick = quickcheck.unchanged(read.root, read.paths, found, docs_salt(base, layout.placement), layout.root,
                                     layout.keep, jobs)
        if quick.report is not None:
            return quick.report, quick.files, ()
        hashed = quick.hashed
    ahead = _Ahead(layout, trust_stats=not full, for_build=committed, found=found, hashed=hashed)
    result = _render(read, package, jobs=jobs, cache_dir=cache, target=target, progress=progress, strict=strict,
                     wire_names=wire_names, python_version=python_version, code_format=format,
                     committed=ahead.committed if committed else None, idle=ahead)
    files = layout.place(format_files(result.files, format, cache, jobs, final=result.from_manifest).files)
    report = check_output(layout.root, files, layout.keep, trust_stats=not full, hashed=ahead.take(result.hashed),
                          manifest=ahead.found)
    return replace(report, sources=layout.place(result.sources)), files, result.warnings


class _Ahead:
    """Work ahead for a build's idle moments: while its workers parse, read
    the committed manifest (`found`; and, `for_build`, key its files as the
    build keys them) and list the output files the write stage would hash
    (on a fresh clone, all of them), for the workers to hash while the main
    process resolves.  `take` turns their records into the compare's `hashed`."""

    def __init__(self, layout: Layout, *, trust_stats: bool = True, for_build: bool = False,
                 found: Optional[Manifest] = None, hashed: Mapping[str, StatRecord] = {}):
        self.layout, self.trust_stats, self.for_build = layout, trust_stats, for_build
        self.found = found  # the manifest as read before the run or while the workers parsed (None: not read)
        self.hashed = hashed  # records (by full path) found before the run: not hashed again
        self.read: Optional[Manifest] = None

    def __call__(self) -> list[str]:
        try:
            manifest = self.found = self.found or read_manifest(str(self.layout.keep.manifest))
        except OutputError:  # met again, and reported, where it is needed
            return []
        if self.for_build:
            self.committed(manifest)
        wanted = to_hash(self.layout.root, manifest, self.layout.keep, trust_stats=self.trust_stats)
        return [path for path in wanted if path not in self.hashed] if self.hashed else wanted

    def take(self, hashed: Mapping[str, StatRecord]) -> dict[str, StatRecord]:
        """Records by full path (and those found before the run), by path relative to the root."""
        prefix = f"{os.path.realpath(self.layout.root)}/"
        return {path[len(prefix):]: record for path, record in [*self.hashed.items(), *hashed.items()]
                if path.startswith(prefix)}

    def committed(self, manifest: Optional[Manifest] = None) -> Manifest:
        """The committed manifest, its files keyed as the build keys them."""
        if self.read is None:
            manifest = manifest or read_manifest(str(self.layout.keep.manifest))
            self.read = replace(manifest, files=self.layout.unplace(manifest.files))
        return self.read


def lint(specs: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDE, jobs: int = 0,
         unreferenced: bool = False, overrides: Optional[Path] = None,
         wire_names: str = POLICIES[0]) -> list[Diagnostic]:
    """Every problem, errors and warnings, without generating; `unreferenced`:
    warn about models no other model refers to, too (an SDK's top-level
    request and response models are such, so it is no default); `overrides`:
    the problems of that overrides file too, as `generate` would find them;
    `wire_names`: the policy the docs' example JSON is checked against."""
    _check_policy(wire_names)
    try:
        root, paths, _ = find_docs(specs, exclude)
        source = load_overrides(overrides) if overrides is not None else None
    except SpecError as exc:
        return sorted(exc.diagnostics)
    summaries, problems = parse_summaries(root, paths, jobs)
    resolved, found = resolve(summaries, lint=True, unreferenced=unreferenced,
                              unparsed=unparsed_paths(paths, summaries), root=spec_root_names(str(root)))
    return lint_resolved(summaries, problems + found, resolved, source=source, wire_names=wire_names)


def lint_resolved(summaries: Sequence[Summary], problems: list[Diagnostic], resolved: Resolved, *,
                  source: Optional[OverridesFile] = None, wire_names: str = POLICIES[0]) -> list[Diagnostic]:
    """The rest of `lint` once every doc is parsed and resolved (`problems`:
    the parse and resolve stages' ones): the wire-name checks and the
    overrides file's.  The language server calls it after resolving only
    the docs an edit concerns."""
    problems = list(problems)
    problems.extend(wirenames.disagreements(replace(wirenames.collect(summaries, resolved.by_key), policy=wire_names)))
    bound = NO_OVERRIDES
    if source is not None and not any(p.severity == "error" for p in problems):
        try:
            bound, stale = source.bind(resolved)
        except SpecError as exc:
            problems.extend(exc.diagnostics)
        else:
            problems = silence_overridden(problems, resolved, bound) + stale
    clashes = bound.wire_clashes(wire_names, ((s.path, s.key, s.field_names) for s in summaries if s.kind == "object"))
    problems.extend(clash.warning(wire_names) for clash in clashes)
    return sorted(problems)


def ir_document(spec: Spec) -> str:
    """The IR as JSON, with its format version."""
    data = {"format_version": IR_FORMAT_VERSION, "tool_version": __version__, "spec": to_jsonable(spec)}
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

