"""The library API: load -> render -> write, and the checks built on it.

Every function raises `SpecError` (all diagnostics of the run) when the
specs have errors, before anything is written.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from . import __version__
from .diagnostics import Diagnostic, SpecError
from .docrender import render_docs
from .ir import IR_FORMAT_VERSION, AnyModel, Spec, to_jsonable
from .parse import DEFAULT_EXCLUDE, parse_file, spec_paths
from .pyrender import render_python
from .resolve import Resolved, resolve, summarize
from .write import CheckReport, OutputFile, WriteReport, check_output, write_output

PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Below this many docs a process pool costs more than it saves.
PARALLEL_THRESHOLD = 400


@dataclass(frozen=True)
class Loaded:
    spec: Spec
    resolved: Resolved
    warnings: tuple[Diagnostic, ...]


def load(specs: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDE, jobs: int = 0, lint: bool = False) -> Loaded:
    """Parse and resolve every doc below `specs`; raise SpecError on errors."""
    if not specs.is_dir():
        raise SpecError([Diagnostic(".", 1, 1, "error", "spec folder does not exist or is not a folder")])
    paths, skipped = spec_paths(specs, exclude)
    if not paths:
        raise SpecError([Diagnostic(".", 1, 1, "error", "no model docs (*.md) in the spec folder")])
    models, problems = _parse_all(specs, paths, jobs)
    spec = Spec(tuple(models), tuple(skipped))
    resolved, found = resolve(map(summarize, spec.models), lint=lint)
    problems.extend(found)
    if any(p.severity == "error" for p in problems):
        raise SpecError(problems)
    return Loaded(spec, resolved, tuple(sorted(problems)))


def _parse_all(specs: Path, paths: list[str], jobs: int) -> tuple[list[AnyModel], list[Diagnostic]]:
    workers = jobs or os.cpu_count() or 1
    if workers == 1 or len(paths) < PARALLEL_THRESHOLD:
        results = [parse_file(specs, rel) for rel in paths]
    else:
        chunk = max(1, len(paths) // (workers * 4))
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(parse_file, [specs] * len(paths), paths, chunksize=chunk))
    models = [model for model, _ in results if model is not None]
    problems = [p for _, found in results for p in found]
    return models, problems


def check_package_name(package: str) -> None:
    if not PACKAGE_NAME.fullmatch(package) or package in ("docs",):
        raise SpecError([Diagnostic(".", 1, 1, "error", f"package name {package!r} is not a Python identifier")])


def render(loaded: Loaded, package: str) -> dict[str, OutputFile]:
    """Every output file, in memory: {path relative to OUT: file}."""
    check_package_name(package)
    texts = {**render_python(loaded.spec.models, loaded.resolved, package), **render_docs(loaded.spec)}
    return {path: OutputFile.from_bytes(text.encode("utf-8")) for path, text in sorted(texts.items())}


def generate(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
             jobs: int = 0) -> tuple[WriteReport, tuple[Diagnostic, ...]]:
    loaded = load(specs, exclude=exclude, jobs=jobs)
    files = render(loaded, package)
    return write_output(out, files, tool_version=__version__), loaded.warnings


def check(specs: Path, out: Path, package: str, *, exclude: Sequence[str] = DEFAULT_EXCLUDE,
          jobs: int = 0) -> tuple[CheckReport, Mapping[str, OutputFile], tuple[Diagnostic, ...]]:
    loaded = load(specs, exclude=exclude, jobs=jobs)
    files = render(loaded, package)
    return check_output(out, files), files, loaded.warnings


def lint(specs: Path, *, exclude: Sequence[str] = DEFAULT_EXCLUDE, jobs: int = 0) -> list[Diagnostic]:
    """Every problem, errors and warnings, without generating."""
    try:
        return list(load(specs, exclude=exclude, jobs=jobs, lint=True).warnings)
    except SpecError as exc:
        return list(exc.diagnostics)


def ir_document(spec: Spec) -> str:
    """The IR as JSON, with its format version."""
    data = {"format_version": IR_FORMAT_VERSION, "tool_version": __version__, "spec": to_jsonable(spec)}
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

