#!/usr/bin/env python3
"""Benchmark `md2models diff` on the corpora and print a markdown table.

    python bench/diff.py [--runs N] [--jobs J] [--keep]

Figures (median / min / max of N runs of the CLI, start-up included, and
the CPU time of the command with its worker processes):
- the two visible corpora, orq 3.4.0 (1,430 docs) -> 4.13.19 (18,577 docs),
  with no parse cache (budget 10 s) and with a warm one;
- 4.13.19 against a copy with one doc edited, with no cache and with the
  cache a previous diff of the unedited trees left (budget 2 s).
Runs with cwd = a temp dir whose pyproject.toml points `out` at a folder
there (where the parse cache lives); nothing is written into the project.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
OLD, NEW = CORPUS / "orq-python-3.4.0" / "docs", CORPUS / "orq-python-4.13.19" / "docs"
EDITED_DOC = "models/modelmetadata.md"


def run_diff(work: Path, old: Path, new: Path, jobs: int) -> tuple[float, float]:
    """(wall time, CPU time of the command and its workers): on a loaded
    machine the CPU time is the steadier figure."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "diff", str(old), str(new), "--format", "json",
                           "--jobs", str(jobs)], cwd=work, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"diff failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def edited_copy(work: Path) -> Path:
    """4.13.19 hard-linked, with one doc written anew (a word added to a description)."""
    copy = work / "edited"
    shutil.copytree(NEW, copy, copy_function=os.link)
    doc = copy / EDITED_DOC
    text = doc.read_text(encoding="utf-8")
    doc.unlink()  # a new inode: the corpus file stays as it is
    doc.write_text(text.replace("| N/A ", "| New ", 1), encoding="utf-8")
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if not (OLD.is_dir() and NEW.is_dir()):
        raise SystemExit(f"corpus not found under {CORPUS}")
    work = Path(tempfile.mkdtemp(prefix="md2models-bench-diff-"))
    try:
        (work / "pyproject.toml").write_text('[tool.md2models]\nout = "out"\n')
        (work / "out").mkdir()
        cache = work / "out" / ".md2models-cache"
        edited = edited_copy(work)

        def cold(old: Path, new: Path) -> tuple[float, float]:
            shutil.rmtree(cache, ignore_errors=True)
            return run_diff(work, old, new, args.jobs)

        def warm_after(first: tuple[Path, Path], old: Path, new: Path) -> tuple[float, float]:
            shutil.rmtree(cache, ignore_errors=True)
            run_diff(work, *first, args.jobs)  # untimed: leaves the cache a previous diff leaves
            return run_diff(work, old, new, args.jobs)

        rows = [
            ("3.4.0 → 4.13.19 (1,430 vs 18,577 docs), no cache", 10.0, lambda: cold(OLD, NEW)),
            ("3.4.0 → 4.13.19, warm cache", None, lambda: warm_after((OLD, NEW), OLD, NEW)),
            ("4.13.19 → one doc edited, no cache", None, lambda: cold(NEW, edited)),
            ("4.13.19 → one doc edited, cache of 4.13.19", 2.0, lambda: warm_after((NEW, NEW), NEW, edited)),
        ]
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
              f"{args.runs} run(s), --jobs {args.jobs}\n")
        print("| figure | budget | median | min | max | CPU (median) |")
        print("|---|---|---|---|---|---|")
        for name, budget, measure in rows:
            runs = [measure() for _ in range(args.runs)]
            times = [wall for wall, _ in runs]
            median = statistics.median(times)
            verdict = "" if budget is None else f"{budget:.0f} s {'✓' if median < budget else '✗'}"
            print(f"| {name} | {verdict} | {median:.2f} s | {min(times):.2f} s | {max(times):.2f} s "
                  f"| {statistics.median(cpu for _, cpu in runs):.2f} s |", flush=True)
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
