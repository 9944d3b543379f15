"""The build's worker processes (fork): each reads and parses its share of
the docs and sends back their summaries; then hashes the output files it is
given and (`pages`) renders the docs pages of what it parsed, in a thread
of low priority, while the main process resolves the spec (a page needs
nothing else); then renders its share, writing each file where the write
stage said (`Job`) or sending it back.
So parsed models never cross a process boundary, and what does is plain
tuples passed by marshal: pickling 18k summaries and the resolved spec
cost more than parsing half the docs.  Below `PARALLEL_THRESHOLD` docs the
same steps run in this process.  Also here: keeping Ctrl-C and forked
processes in order (`interrupts_held`, `stop_workers`, `worker_pool`).
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import multiprocessing.connection
import multiprocessing.pool
import os
import pickle
import signal
import sys
import threading
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, cast

from . import naming
from .diagnostics import DiagnosticData, SpecError
from .docrender import render_doc
from .ir import AnyModel
from .manifest import StatRecord
from .overrides import NO_OVERRIDES, Overrides
from .parse import parse_bytes, read_doc
from .progress import NO_PROGRESS, Counter, Progress
from .pyrender import DEFAULT_PYTHON, DEFAULT_TARGET, render_module
from .resolve import summarize
from .summary import Key, Link, Resolved, Summary
from .write import hash_files, write_claimed

# Below this many docs to parse or render, worker processes cost more than they save.
PARALLEL_THRESHOLD = 300
# How much nicer than the worker its thread rendering pages ahead runs
# (see `_pages_ahead`): that is spare work, done while the main process
# resolves, which the main process must not wait for (three processes on
# two cores: it got two thirds of one, its resolve took twice as long).
PAGES_AHEAD_NICENESS = 10


def plain_summary(summary: Summary) -> tuple:  # type: ignore[type-arg]
    """A summary as plain tuples, which marshal stores and passes fast."""
    return (*summary[:6], tuple(map(tuple, summary.links)), summary.field_names, summary.evidence, summary.shape,
            summary.enum)


def summary_of(data: tuple) -> Summary:  # type: ignore[type-arg]
    kind, name, namespace, path, line, col, links, *rest = data  # rest: fields, evidence, shape, enum
    return Summary(kind, name, namespace, path, line, col, tuple(map(Link._make, links)), *rest)


# A job: (doc path, its doc page too?, where to write the module, where the page: "" to send them back).
Job = tuple[str, bool, str, str]
# A doc's outputs as rendered: its path, then for its module and for its
# page: the bytes, or None where written; the digest, "" if not rendered;
# (size, mtime_ns) where written, else None.
Rendered = tuple[str, Optional[bytes], str, Optional[tuple[int, int]], Optional[bytes], str,
                 Optional[tuple[int, int]]]
NOT_RENDERED = (None, "", None, None, "", None)


def _render_share(jobs: Iterable[Job], model_of: Callable[[str], AnyModel], resolved: Resolved,
                  overrides: Overrides, target: str, python_version: str, counter: Counter, slot: int = 0,
                  later: Optional[int] = None, pages: Optional[dict[str, bytes]] = None) -> list[Rendered]:
    """Render each job's module and page (unless `pages` has it: it is
    taken from there), writing each where the job says (or sending it
    back).  `later`: 0 to write the modules after the whole share, 1 the
    pages: so two workers create files in two folders, not queueing for one
    folder's lock (each creation holds it; a worker waiting spins: a quarter
    of a cold run's CPU samples, measured with perf)."""
    done: list[list[Any]] = []
    deferred: list[tuple[list[Any], int, str, bytes]] = []  # (row, its output's place in it, path, bytes)
    for rel, with_doc, module_to, doc_to in jobs:
        model = model_of(rel)
        module = render_module(model, resolved, overrides=overrides, target=target,
                               python_version=python_version)[1].encode("utf-8")
        row: list[Any] = [rel, *NOT_RENDERED]
        outputs = [(module, module_to)]
        if with_doc:
            page = pages.pop(rel, None) if pages else None
            outputs.append((page if page is not None else render_doc(model).encode("utf-8"), doc_to))
        for kind, (data, where) in enumerate(outputs):
            at = 1 + 3 * kind  # this output's place in the row: bytes, digest, record
            row[at + 1] = sha256_hex(data)
            if not where:
                row[at] = data
            elif kind == later:
                deferred.append((row, at, where, data))
            else:
                row[at + 2] = write_claimed(where, data)
        done.append(row)
        counter.add(1, slot)
    for row, at, where, data in deferred:
        row[at + 2] = write_claimed(where, data)
    return [cast(Rendered, tuple(row)) for row in done]


class Summaries(Mapping[Key, Summary]):
    """Summaries by key, each decoded from its plain tuple when first looked
    up: rendering one changed module reads a handful of the 18k."""

    def __init__(self, rows: Iterable[tuple]):  # type: ignore[type-arg]
        self.rows = {(row[2], row[1]): row for row in rows}
        self.decoded: dict[Key, Summary] = {}

    def __getitem__(self, key: Key) -> Summary:
        summary = self.decoded.get(key)
        if summary is None:
            summary = self.decoded[key] = summary_of(self.rows[key])
        return summary

    def __iter__(self) -> Iterator[Key]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def load_model(specs: Path, rel: str) -> AnyModel:
    """Parse one doc again (its model was not kept by this process)."""
    data, problems = read_doc(specs, rel)
    model, more = parse_bytes(data, rel) if data is not None else (None, [])
    if model is None:  # the doc changed under us since the run read it
        raise SpecError(problems + more)
    return model


class Workers:
    """Parse, then render, each doc in the same process (see the module docstring)."""

    def __init__(self, specs: Path, jobs: int, work: int, progress: Progress = NO_PROGRESS,
                 idle: Callable[[], Sequence[str]] = lambda: (), pages: bool = False):
        count = jobs or os.cpu_count() or 1
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.count = count if (fork and count > 1 and work >= PARALLEL_THRESHOLD) else 0
        self.specs, self.progress, self.idle = specs, progress, idle
        # Workers render the page of each doc they parsed while the main
        # process resolves (a page needs nothing else): for a caller that
        # renders every parsed doc's page.
        self.pages = pages
        # Made before the workers fork, so that they share them.
        self.parsed, self.rendered = progress.counter(self.count), progress.counter(self.count)
        self.models: dict[str, AnyModel] = {}  # serial mode only
        self.pipes: list[Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.owner: dict[str, int] = {}
        self.hashing = False  # the workers were given files to hash, and have not sent the records

    def parse(self, paths: Sequence[str]) -> list[Parsed]:
        """Read and parse the docs at `paths` (sorted); results in that order."""
        self.progress.show("parsing", len(paths), self.parsed)
        if not self.count:
            return [_parse_one(self.specs, rel, self.models, self.parsed) for rel in paths]
        context = multiprocessing.get_context("fork")
        with interrupts_held():
            for index in range(self.count):
                share = paths[index :: self.count]
                self.owner.update((rel, index) for rel in share)
                parent, child = context.Pipe()
                proc = context.Process(target=_worker, daemon=True,
                                       args=(child, self.specs, share, self.parsed, self.rendered, index, self.pages))
                proc.start()
                child.close()
                self.pipes.append(parent)
                self.procs.append(proc)
        to_hash = self.idle()
        results: list[Parsed] = []
        waiting = dict(zip(self.pipes, range(self.count)))
        while waiting:  # each worker hashes its share as soon as it has parsed
            for ready in multiprocessing.connection.wait(list(waiting)):
                pipe = cast(Connection, ready)  # wait() gives back the pipes it was given
                results += _receive(pipe)
                pipe.send_bytes(marshal.dumps(list(to_hash[waiting.pop(pipe) :: self.count])))
        self.hashing = True
        return sorted(results)

    def hashed(self) -> dict[str, StatRecord]:
        """The records of the files the workers were given to hash after parsing."""
        if not self.hashing:
            return {}
        self.hashing = False
        return {path: record for pipe in self.pipes for path, record in _receive(pipe)}

    def render(self, jobs: Sequence[Job], resolved: Resolved, summaries: Iterable[tuple],  # type: ignore[type-arg]
               cycles: Iterable[tuple[str, str, int]], overrides: Overrides = NO_OVERRIDES,
               target: str = DEFAULT_TARGET, python_version: str = DEFAULT_PYTHON,
               meanwhile: Callable[[], None] = lambda: None) -> list[Rendered]:
        """Render `jobs`; `summaries` (as plain tuples) and `cycles` are
        `resolved`'s, for the workers; `meanwhile`: work for this process
        while they render (done first, if it renders itself)."""
        self.progress.show("rendering", len(jobs), self.rendered)
        if not self.count:
            meanwhile()
            return _render_share(jobs, lambda rel: self.models.get(rel) or load_model(self.specs, rel), resolved,
                                 overrides, target, python_version, self.rendered)
        shares: list[list[Job]] = [[] for _ in self.pipes]
        for n, job in enumerate(jobs):
            shares[self.owner.get(job[0], n % self.count)].append(job)
        # What a worker needs of every model to render any: its summary bar
        # links and fields, as marshal bytes (a tenth of pickling Resolved).
        index = marshal.dumps(([(*row[:6], (), (), (), *row[9:]) for row in summaries], tuple(cycles)))
        common = pickle.dumps((index, overrides, target, python_version), pickle.HIGHEST_PROTOCOL)
        for pipe, share in zip(self.pipes, shares):
            pipe.send_bytes(common)
            pipe.send(share)
        meanwhile()
        return [result for pipe in self.pipes for result in _receive(pipe)]

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, failed: Optional[type[BaseException]], *_: object) -> None:
        """Stop the workers (see `stop_workers`)."""
        if self.hashing and failed is None:  # they are sending the records: take them first
            self.hashed()
        stop_workers(self.pipes, self.procs, lambda pipe: pipe.send_bytes(b""), failed is not None)
        self.pipes, self.procs = [], []


def receive(pipe: Connection) -> Any:
    """A worker's message, or the exception it sent (see `reporting_to`), raised."""
    message = pipe.recv()
    if isinstance(message, BaseException):
        raise message
    return message


def _receive(pipe: Connection) -> list:  # type: ignore[type-arg]
    """A worker's results, sent as marshal bytes."""
    return marshal.loads(receive(pipe))  # type: ignore[no-any-return]


@contextmanager
def reporting_to(pipe: Connection) -> Iterator[None]:
    """Around a worker process's body: an exception goes to the main
    process, which raises it (`receive`), and the pipe is closed."""
    try:
        yield
    except Exception as exc:
        pipe.send(exc)
    finally:
        pipe.close()


# (path, digest of the bytes parsed or "" when unreadable, summary as plain
# tuples or None, problems as plain tuples, the module's path in the
# package): what marshal passes fast.
Parsed = tuple[str, str, Optional[tuple], tuple[DiagnosticData, ...], str]  # type: ignore[type-arg]


def _parse_one(specs: Path, rel: str, models: dict[str, AnyModel], counter: Counter, slot: int = 0) -> Parsed:
    """Read and parse one doc, keeping its model in `models` for the render."""
    data, problems = read_doc(specs, rel)
    digest, summary = "", None
    if data is not None:
        model, problems = parse_bytes(data, rel)
        digest = sha256_hex(data)
        if model is not None:
            models[rel] = model
            summary = plain_summary(summarize(model))
    counter.add(1, slot)
    return rel, digest, summary, tuple(p.data() for p in problems), naming.module_path(rel)


def stop_workers(pipes: Iterable[Connection], procs: Iterable[multiprocessing.process.BaseProcess],
                 stop: Callable[[Connection], None], failed: bool) -> None:
    """Send each worker `stop` (its pipe closed after), then wait for them:
    killed at once if the run `failed` (or was interrupted).  A second Ctrl-C
    waits until they are gone, so none outlives the command."""
    with interrupts_held():
        for pipe in pipes:
            try:
                stop(pipe)
            except OSError:
                pass
            pipe.close()
        for proc in procs:
            if failed:
                proc.kill()
            proc.join()


@contextmanager
def worker_pool(count: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of `count` forked workers that never see Ctrl-C and are gone
    when the block is left, however it is left (see `interrupts_held`)."""
    with interrupts_held():
        pool = multiprocessing.get_context("fork").Pool(count)
    try:
        yield pool
    finally:
        with interrupts_held():
            pool.terminate()
            pool.join()


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Around forking worker processes.  Ctrl-C reaches the whole process
    group: the workers inherit SIGINT blocked, so they never see it (no
    traceback from them), and the main process gets it once they are all
    started (not inside the fork machinery), then stops them."""
    if not hasattr(signal, "pthread_sigmask"):  # no fork either
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _worker(pipe: Connection, specs: Path, share: Iterable[str], parsed: Counter, rendered: Counter,
            slot: int, pages: bool) -> None:
    with reporting_to(pipe):
        models: dict[str, AnyModel] = {}
        pipe.send(marshal.dumps([_parse_one(specs, rel, models, parsed, slot) for rel in share]))
        to_hash = pipe.recv_bytes()
        if not to_hash:
            return
        pipe.send(marshal.dumps(list(hash_files(marshal.loads(to_hash)).items())))
        common, early = _pages_ahead(models, pipe.recv_bytes) if pages else (pipe.recv_bytes(), {})
        if not common:
            return
        index, overrides, target, python_version = pickle.loads(common)
        rows, cycles = marshal.loads(index)
        resolved = Resolved(Summaries(rows), {(ns, name): cycle for ns, name, cycle in cycles})
        done = _render_share(pipe.recv(), lambda rel: models.get(rel) or load_model(specs, rel), resolved, overrides,
                             target, python_version, rendered, slot, later=slot % 2, pages=early)
        pipe.send(marshal.dumps(done))
        pipe.recv_bytes()


def _pages_ahead(models: Mapping[str, AnyModel], wait: Callable[[], bytes]) -> tuple[bytes, dict[str, bytes]]:
    """What `wait` returns, and the pages of `models` a thread of low
    priority (`PAGES_AHEAD_NICENESS`) rendered until then (the rest, or a
    page that failed, is rendered with the module, as without)."""
    pages: dict[str, bytes] = {}
    stop = threading.Event()

    def render_pages() -> None:
        if sys.platform.startswith("linux"):  # a thread's own niceness (elsewhere the id could name a process)
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                               os.getpriority(os.PRIO_PROCESS, 0) + PAGES_AHEAD_NICENESS)
            except OSError:
                pass
        for rel, model in models.items():
            if stop.is_set():
                return
            try:
                pages[rel] = render_doc(model).encode("utf-8")
            except Exception:  # reported where it is rendered again
                continue

    thread = threading.Thread(target=render_pages, daemon=True)
    thread.start()
    try:
        return wait(), pages
    finally:
        stop.set()
        thread.join()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
