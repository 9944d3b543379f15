#!/usr/bin/env python3
"""Benchmark `md2models generate --watch`: from a save to the module on disk.

    python bench/watch.py [--runs N] [--only 3.4.0|4.13.19] [--keep]

For orq 3.4.0 (1,430 docs; budget 0.5 s) and 4.13.19 (18,577 docs; budget
1.5 s): the docs are hard-linked into a temp dir, `generate --watch` is
started there and its first run awaited (untimed).  Then each run saves one
doc (a word of a field description changed, written as editors do: a new
file renamed over the old) and polls the doc's module until it holds the new
word: the latency.  The watcher's own line gives the time of the run inside
it (the rest is noticing the save and starting the run).  Peer, measured in
the same session: a no-op `md2models generate` by hand (start-up included),
what a save costs without --watch at best.
Nothing is written into the project.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", REPO.parent / "shared" / "corpus"))
# (corpus, a doc to edit, a description in it, budget in seconds)
CASES = {
    "3.4.0": ("orq-python-3.4.0", "models/createpromptmessages.md", "The role of the prompt message", 0.5),
    "4.13.19": ("orq-python-4.13.19", "models/createpromptpromptsmessages.md", "The role of the prompt message", 1.5),
}
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
COMMAND = [sys.executable, "-m", "generator.cli", "generate", "docs", "-o", "out", "-p", "orq"]
RUN_TIME = re.compile(r"changed: .* \((\d+\.\d+) s\)$")


class Watcher:
    def __init__(self, work: Path):
        self.proc = subprocess.Popen([*COMMAND, "--watch"], cwd=work, env=ENV, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise SystemExit(f"the watcher ended ({self.proc.returncode})")
                continue
            if re.search(pattern, line):
                return line
            if ": error: " in line:
                raise SystemExit(f"the watcher reported: {line}")
        raise SystemExit(f"no line matching {pattern!r} in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            if self.proc.wait(timeout=30) != 130:
                raise SystemExit(f"the watcher exited {self.proc.returncode} on Ctrl-C, not 130")


def linked_copy(source: Path, target: Path, edited: str) -> None:
    """The docs hard-linked, but `edited` a file of its own (the corpus stays as it is)."""
    shutil.copytree(source, target, copy_function=os.link)
    doc = target / edited
    data = doc.read_bytes()
    doc.unlink()
    doc.write_bytes(data)


def save(doc: Path, text: str) -> None:
    partial = doc.with_name(f".{doc.name}.new")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, doc)


@dataclass
class Row:
    key: str
    docs: int
    latency: list[float]  # save -> module on disk
    inside: list[float]  # the run, as the watcher's line gives it
    noop: list[float]  # a no-op generate by hand
    budget: float


def measure(key: str, runs: int, work: Path) -> Row:
    corpus, edited, phrase, budget = CASES[key]
    linked_copy(CORPUS / corpus / "docs", work / "docs", edited)
    doc = work / "docs" / edited
    module = work / "out" / "orq" / edited.replace(".md", ".py")
    original = doc.read_text(encoding="utf-8")
    assert phrase in original, (edited, phrase)
    watcher = Watcher(work)
    try:
        watcher.expect(r"watching for changes", timeout=600)
        latencies: list[float] = []
        inside: list[float] = []
        for run in range(runs):
            word = f"m{run:06d}"  # as long as "message": the table stays as it was
            text = original.replace(phrase, phrase.replace("message", word), 1)
            saved = time.perf_counter()
            save(doc, text)
            while word not in module.read_text(encoding="utf-8"):
                time.sleep(0.001)
            latencies.append(time.perf_counter() - saved)
            reported = RUN_TIME.search(watcher.expect(r"changed: ", timeout=60))
            assert reported is not None
            inside.append(float(reported.group(1)))
            time.sleep(0.2)  # apart: each save its own batch
    finally:
        watcher.stop()
    noop = []
    for _ in range(max(3, runs // 2)):
        started = time.perf_counter()
        subprocess.run(COMMAND, cwd=work, env=ENV, check=True, capture_output=True)
        noop.append(time.perf_counter() - started)
    return Row(key, sum(1 for _ in (work / "docs" / "models").rglob("*.md")), latencies, inside, noop, budget)


def figure(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs")
    args = parser.parse_args()
    rows = []
    for key in [args.only] if args.only else list(CASES):
        if not (CORPUS / CASES[key][0] / "docs").is_dir():
            raise SystemExit(f"corpus {CASES[key][0]} not found under {CORPUS}")
        work = Path(tempfile.mkdtemp(prefix=f"md2models-bench-watch-{key}-"))
        try:
            rows.append(measure(key, args.runs, work))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{args.runs} saves each; seconds, median (min-max)\n")
    print("| spec | docs | save -> module on disk | of which the run inside the watcher "
          "| peer: no-op `md2models generate` by hand | budget | verdict |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        verdict = "within" if statistics.median(row.latency) <= row.budget else "OVER"
        print(f"| orq {row.key} | {row.docs:,} | {figure(row.latency)} | {figure(row.inside)} "
              f"| {figure(row.noop)} | {row.budget} | {verdict} |")


if __name__ == "__main__":
    main()
