"""`md2models generate --watch`: generate again after every save.

The loop: generate once, then wait for a batch of changes to the specs, the
config file, the overrides file or the custom templates (watchfiles, in a
thread of this process: it waits until no change came for `STEP_MS`, so a
save's several events are one batch) and generate again through
`api.generate`, incremental by OUT's build cache.  The settings are asked
for again before each run, so an edit to the config or the overrides takes
effect at once.  A run that fails (bad docs, a bad config) writes nothing,
as `generate` never does then, and the loop waits for the next save.

The watch starts before the first run and stays on during each run, so a
save during a run starts the next one.  The config and overrides files are
watched by name: an editor that saves by renaming a new file over the old
leaves the watch on the old one, so the watch is set up afresh (before the
run) after each batch that touched such a file.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, NoReturn, Optional, Sequence

from watchfiles._rust_notify import RustNotify  # watchfiles.watch would start watching only when first asked

from . import api
from .workers import interrupts_held
from .config import ConfigError
from .diagnostics import Diagnostic, SpecError
from .manifest import OutputError
from .progress import NO_PROGRESS, Progress
from .write import WriteReport

__all__ = ["Rebuild", "Settings", "watch"]

# A batch is yielded once no change came for STEP_MS (a save is several
# events within a few ms), at the latest DEBOUNCE_MS after its first one.
STEP_MS = 30
DEBOUNCE_MS = 1600
_SHOWN = 3  # changed paths named in a rebuild's line; the rest are counted


@dataclass(frozen=True)
class Settings:
    """One run of `api.generate`, as the command line and the config say now."""

    specs: Path
    out: Path
    package: str
    exclude: tuple[str, ...]
    jobs: int
    templates: Optional[Path]
    overrides: Optional[Path]
    target: str
    strict: bool
    wire_names: str
    format: str
    python_version: str
    docs_out: Optional[str]  # as `api.plan_layout` takes them
    state_dir: Optional[Path]
    config: Optional[Path]  # the pyproject.toml the defaults came from

    @cached_property
    def docs(self) -> Path:
        """The folder of the docs: SPECS, or the spec root of one doc (its links reach others there)."""
        return api.spec_root(self.specs) if self.specs.is_file() else self.specs

    def watched(self) -> tuple[str, ...]:
        """The folders and files whose changes start a run (those that exist)."""
        candidates = (self.docs, self.templates, self.config, self.overrides)
        return tuple(sorted({os.path.abspath(p) for p in candidates if p is not None and p.exists()}))

    def starts_a_run(self, path: str) -> bool:
        """A doc below SPECS, any file of the templates, the config or the overrides file;
        nothing md2models writes (OUT, the docs, the bookkeeping)."""
        if any(_below(path, folder) for folder in self.written):
            return False
        if any(p is not None and path == os.path.abspath(p) for p in (self.config, self.overrides)):
            return True
        if self.templates is not None and _below(path, self.templates):
            return not os.path.basename(path).startswith(".") and not path.endswith("~")
        return _below(path, self.docs) and path.endswith(".md")

    @cached_property
    def written(self) -> tuple[Path, ...]:
        """The folders a run writes (OUT alone while the layout is refused: the
        run says why); once per settings, not per event (the plan looks for packages on disk)."""
        try:
            layout = api.plan_layout(self.out, self.package, docs_out=self.docs_out, state_dir=self.state_dir)
        except ConfigError:
            return (self.out,)
        return (self.out, *(p for p in (layout.docs, self.state_dir) if p is not None))

    def in_a_watched_folder(self, path: str) -> bool:
        return any(folder is not None and folder.is_dir() and _below(path, folder)
                   for folder in (self.docs, self.templates))


def _below(path: str, folder: Path) -> bool:
    top = os.path.abspath(folder)
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Rebuild:
    """What one run did: `report` when it wrote, else the `problem` (and
    `diagnostics`) that stopped it before anything was written."""

    changed: tuple[str, ...]  # paths as shown (relative to cwd where below it); () for the first run
    seconds: float
    specs: Path  # the spec folder the diagnostics' paths are relative to
    report: Optional[WriteReport] = None
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings, or the errors that stopped the run
    problem: str = ""

    def line(self) -> str:
        """One line: what changed, what the run did, how long it took."""
        shown = ", ".join(self.changed[:_SHOWN]) + (f" and {len(self.changed) - _SHOWN} more"
                                                     if len(self.changed) > _SHOWN else "")
        cause = f"{shown} changed" if self.changed else "generated"
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        outcome = (self.report.summary() if self.report is not None
                   else f"{errors} error{'s' if errors != 1 else ''}; nothing written" if errors else self.problem)
        waiting = "" if self.changed else "; watching for changes (Ctrl-C stops)"
        return f"md2models: {cause}: {outcome} ({self.seconds:.2f} s){waiting}"


def run_once(settings: Settings, changed: Sequence[str] = (), progress: Progress = NO_PROGRESS) -> Rebuild:
    """One `api.generate` run, its failure as a value."""
    started = time.perf_counter()

    def done(report: Optional[WriteReport] = None, diagnostics: tuple[Diagnostic, ...] = (),
             problem: str = "") -> Rebuild:
        return Rebuild(tuple(_shown(p) for p in changed), time.perf_counter() - started, settings.specs,
                       report, diagnostics, problem)

    try:
        report, warnings = api.generate(
            settings.specs, settings.out, settings.package, exclude=settings.exclude, jobs=settings.jobs,
            templates=settings.templates, overrides=settings.overrides, target=settings.target,
            progress=progress, strict=settings.strict, wire_names=settings.wire_names, format=settings.format,
            python_version=settings.python_version, docs_out=settings.docs_out, state_dir=settings.state_dir)
    except SpecError as exc:
        return done(diagnostics=exc.diagnostics)
    except (ConfigError, OutputError) as exc:
        return done(problem=str(exc))
    return done(report=report, diagnostics=warnings)


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def watch(settings: Callable[[], Settings], report: Callable[[Rebuild], None],
          progress: Callable[[], Progress] = lambda: NO_PROGRESS) -> NoReturn:
    """Generate, then generate again after each batch of changes, for ever:
    Ctrl-C (KeyboardInterrupt, or whatever the SIGINT handler raises) ends it.
    `settings` is asked before each run (a ConfigError: that run's problem);
    `report` gets each run's result; `progress` makes each run's progress
    line (whose thread must not take SIGINT: see `_notifier`)."""
    current = settings()
    watching = current.watched()
    notifier = _notifier(watching)  # before the run: a save during it starts the next one
    try:
        with progress() as shown:
            report(run_once(current, (), shown))
        while True:
            batch = notifier.watch(DEBOUNCE_MS, STEP_MS, 0, None)
            if batch == "signal":  # the SIGINT handler ran (its exception stayed in the watcher)
                raise KeyboardInterrupt
            changed = sorted({path for _, path in batch if current.starts_a_run(path)}) if isinstance(batch, set) else []
            if not changed:
                continue
            failed: Optional[Rebuild] = None
            try:
                current = settings()
            except ConfigError as exc:  # watch what the last good config named
                failed = Rebuild(tuple(_shown(p) for p in changed), 0.0, current.specs, problem=str(exc))
            if current.watched() != watching or not all(current.in_a_watched_folder(p) for p in changed):
                # new paths, or a file saved by renaming a new one over it: watch afresh, before the run
                notifier.close()
                watching = current.watched()
                notifier = _notifier(watching)
            if failed is not None:
                report(failed)
                continue
            with progress() as shown:
                report(run_once(current, changed, shown))
            gc.collect()  # the CLI runs without the cyclic collector; a long-lived process needs it, between runs
    finally:
        notifier.close()


def _notifier(paths: Sequence[str]) -> RustNotify:
    """A watcher thread over those of `paths` that exist (recursively), started
    at once, with SIGINT held (its threads inherit the mask): a Ctrl-C one of
    them took while the main thread holds SIGINT off to fork workers (see
    `build.interrupts_held`) would stop the run mid-fork and leave a worker."""
    while True:
        there = [path for path in paths if os.path.exists(path)]
        try:
            with interrupts_held():
                return RustNotify(there, False, False, 300, True, False)
        except FileNotFoundError:  # one was deleted meanwhile
            continue
