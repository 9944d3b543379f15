"""The library API: load -> render -> write, and the checks built on it.

Every function raises `SpecError` (all diagnostics of the run) when the
specs have errors, before anything is written.
"""

from __future__ import annotations

import json
import keyword
import os
import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from . import __version__, naming, wirenames
from .config import TARGETS, ConfigError
from .diagnostics import Diagnostic, SpecError
from .ir import IR_FORMAT_VERSION, Spec, to_jsonable
from .parse import DEFAULT_EXCLUDE, parse_bytes, parse_files, read_doc, spec_paths
from .pyrender import DEFAULT_TARGET
from .overrides import NO_OVERRIDES, load_overrides
from .templating import use_templates
from .wirenames import POLICIES
from .resolve import Resolved, link_path, resolve, silence_overridden, spec_root_names, summarize
from .build import Build, build, parse_summaries, save_cache, unparsed_paths
from .progress import NO_PROGRESS, Progress
from .manifest import CACHE_DIR, Manifest, read_manifest
from .formatting import format_files, identity
from .write import CheckReport, OutputFile, WriteReport, check_output, write_output

PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Loaded:
    spec: Spec
    resolved: Resolved
    warnings: tuple[Diagnostic, ...]


def load(specs: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Loaded:
    """Parse (in this process) and resolve every doc; raise SpecError on errors."""
    root, paths, skipped = _spec_paths(specs, exclude)
    models, problems = parse_files(root, paths)
    spec = Spec(tuple(models), tuple(skipped))
    summaries = [summarize(model) for model in models]
    resolved, found = resolve(summaries, unparsed=unparsed_paths(paths, summaries), root=spec_root_names(str(root)))
    problems.extend(found)
    if any(p.severity == "error" for p in problems):
        raise SpecError(problems)
    return Loaded(spec, resolved, tuple(sorted(problems)))


def spec_root(specs: Path) -> Path:
    """The folder the docs' paths are relative to: SPECS, or its parent when
    SPECS is a folder named `models` (the folder that holds the model docs,
    as the docs' own links `../models/x.md` name it).  Either way a doc is
    `models/x.md`: the package, its imports and OUT/docs are the same.
    SPECS may be one doc: then the folder above its `models` folder
    (`models/x.md`, `models/components/x.md`), or else its own folder."""
    if specs.is_file():
        folders = specs.resolve().parents[:2]  # the doc's folder, and the one above
        up = next((n + 1 for n, folder in enumerate(folders) if folder.name == "models"), 0)
        return Path(os.path.normpath(specs.parent / "/".join([".."] * up))) if up else specs.parent
    if specs.name == "models":
        return specs.parent
    if Path(specs).resolve().name == "models":
        return specs / ".."
    if not (specs / "models").is_dir() and (specs / "docs" / "models").is_dir():  # an SDK's repository
        return specs / "docs"
    return specs


def _spec_paths(specs: Path, exclude: Sequence[str]) -> tuple[Path, list[str], list[str]]:
    """(spec root, doc paths below it, excluded paths); an error when there is no doc at all.
    SPECS may be one doc: then it and the docs its links reach."""
    root = spec_root(specs)
    if specs.is_file():
        start = Path(os.path.relpath(specs, root)).as_posix()
        if not start.endswith(".md"):
            raise SpecError([Diagnostic(start, 1, 1, "error", "not a model doc (*.md)")])
        return root, _linked_docs(root, start, exclude), []
    where = "." if root == specs else "models"
    if not specs.is_dir():
        nearby = next((f" such as {folder}" for folder in ("docs", "specs") if (specs.parent / folder / "models").is_dir()
                       and specs.parent / folder != specs), "")
        raise SpecError([Diagnostic(where, 1, 1, "error", f"spec folder does not exist or is not a folder (give SPECS"
                                    f"{nearby}, or `specs` under [tool.md2models] in pyproject.toml)")])
    paths, skipped = _all_docs(root, exclude)
    if not paths:
        raise SpecError([Diagnostic(where, 1, 1, "error", "no model docs (*.md) in the spec folder")])
    return root, paths, skipped


def _all_docs(root: Path, exclude: Sequence[str]) -> tuple[list[str], list[str]]:
    """(doc paths, excluded paths) of the spec root.  Model docs live in
    models/ where there is one: an SDK's docs/ also holds its operations'
    pages (sdks/)."""
    models = root / "models"
    return spec_paths(models, exclude, "models/") if models.is_dir() else spec_paths(root, exclude)


def _linked_docs(root: Path, start: str, exclude: Sequence[str]) -> list[str]:
    """`start` and every doc its references reach, transitively (spec-root-
    relative, sorted).  A link is followed to its target; a reference
    without one (a union's member) to the doc named after it in its
    namespace's folder, as Speakeasy names docs (`models.Pet`: `pet.md`).
    A doc that does not parse refers to nothing: the build reports it."""
    listed = _all_docs(root, exclude)[0]
    by_name = {(naming.namespace_of(path), naming.doc_model_name(path)): path
               for path in reversed(listed)}  # the first by path wins
    names, known = spec_root_names(str(root)), set(listed)
    found, todo = {start}, [start]
    while todo:
        rel = todo.pop()
        data = read_doc(root, rel)[0]
        model = parse_bytes(data, rel)[0] if data is not None else None
        for link in summarize(model).links if model is not None else ():
            path = (link_path(rel, link.target, names) if link.target
                    else by_name.get((link.namespace, link.name.lower())))
            if path in known and path not in found:
                found.add(path)
                todo.append(path)
    return sorted(found)


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
           strict: bool = False, wire_names: str = POLICIES[0], code_format: str = "none",
           committed: Optional[Callable[[], Manifest]] = None) -> Build:
    """Every output file, in memory ({path relative to OUT: file}), and warnings.

    `templates`: a folder whose templates replace the built-in ones of the same name.
    `overrides`: a TOML file of overrides (a pyproject.toml: its
    `[tool.md2models.overrides]`); its problems raise SpecError too.
    `target`: the output kind, one of `TARGETS` (pydantic, dataclasses, typeddict).
    `progress`: where to show how far a long run is (see `progress.Progress`).
    `strict`: every warning is an error (SpecError).
    `wire_names`: how fields no override or example names are named on the wire, one of `POLICIES`.
    `code_format`: the formatter the caller runs after (the manifest's inputs keys name it).
    `committed`: reads a manifest whose recorded outputs stand for the docs whose inputs it records."""
    check_package_name(package)
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r} (one of: {', '.join(TARGETS)})")
    _check_policy(wire_names)
    if templates is not None and not templates.is_dir():
        raise ConfigError(f"templates folder {templates} does not exist")
    use_templates(templates.resolve() if templates is not None else None)
    source = load_overrides(overrides) if overrides is not None else None
    root, paths, _ = _spec_paths(specs, exclude)
    result = build(root, paths, package, cache_dir=cache_dir, jobs=jobs, overrides=source, target=target,
                   progress=progress, wire_names=wire_names, code_format=identity(code_format), committed=committed)
    if strict and result.warnings:
        raise SpecError(replace(warning, severity="error") for warning in result.warnings)
    return result


def _check_policy(wire_names: str) -> None:
    if wire_names not in POLICIES:
        raise ConfigError(f"unknown wire_names {wire_names!r} (one of: {', '.join(POLICIES)})")


def generate(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
             jobs: int = 0, templates: Optional[Path] = None,
             overrides: Optional[Path] = None, target: str = DEFAULT_TARGET, progress: Progress = NO_PROGRESS,
             strict: bool = False, wire_names: str = POLICIES[0], format: str = "none"
             ) -> tuple[WriteReport, tuple[Diagnostic, ...]]:
    """Write OUT from SPECS (incrementally); raise SpecError before writing
    (`strict`: on warnings too).
    `format`: "black" runs black on the rendered .py files (see `formatting`)."""
    root = spec_root(specs)
    if os.path.realpath(out / "docs") == os.path.realpath(root):
        raise ConfigError(f"the regenerated docs would go to OUT/docs, which is the specs' own folder ({root}): "
                          "they would overwrite the docs they are read from; choose another --out")
    result = render(specs, package, exclude=exclude, jobs=jobs, cache_dir=out / CACHE_DIR, templates=templates,
                    overrides=overrides, target=target, progress=progress, strict=strict, wire_names=wire_names,
                    code_format=format)
    formatted = format_files(result.files, format, out / CACHE_DIR, jobs)
    report = write_output(out, formatted.files, tool_version=__version__, inputs=result.inputs(), progress=progress)
    save_cache(out / CACHE_DIR, result)
    formatted.save()
    return report, result.warnings


def check(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
          jobs: int = 0, templates: Optional[Path] = None, overrides: Optional[Path] = None,
          target: str = DEFAULT_TARGET, progress: Progress = NO_PROGRESS, strict: bool = False,
          wire_names: str = POLICIES[0], format: str = "none", full: bool = False
          ) -> tuple[CheckReport, Mapping[str, OutputFile], tuple[Diagnostic, ...]]:
    """Compare OUT with what SPECS generate; writes nothing (not even the cache).
    `strict`: warnings are errors (SpecError).  Docs whose outputs neither the
    cache nor the committed manifest knows for their inputs are rendered;
    `full`: every doc is, and every file is hashed (no cache, no manifest trusted)."""
    cache = None if full else out / CACHE_DIR
    result = render(specs, package, exclude=exclude, jobs=jobs, cache_dir=cache, templates=templates,
                    overrides=overrides, target=target, progress=progress, strict=strict, wire_names=wire_names,
                    code_format=format, committed=None if full or not out.is_dir() else partial(read_manifest, str(out)))
    files = format_files(result.files, format, cache, jobs, final=result.from_manifest).files
    return check_output(out, files, trust_stats=not full), files, result.warnings


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
        root, paths, _ = _spec_paths(specs, exclude)
        source = load_overrides(overrides) if overrides is not None else None
    except SpecError as exc:
        return sorted(exc.diagnostics)
    summaries, problems = parse_summaries(root, paths, jobs)
    resolved, found = resolve(summaries, lint=True, unreferenced=unreferenced,
                              unparsed=unparsed_paths(paths, summaries), root=spec_root_names(str(root)))
    problems.extend(found)
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

