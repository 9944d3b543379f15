#!/usr/bin/env python3
"""A fresh clone's `check` and a cold `generate`, each beside its floor.

    python bench/fresh.py [--specs DIR] [--runs N] [--jobs J] [--baseline CHECKOUT] [--keep] [--keep-page-cache]

The floors are plain Python doing the same I/O, measured in the same run:
- fresh-clone check: reading and hashing (sha256) every doc and every output file;
- cold generate: reading every doc and writing the same output files (held
  in memory) into an empty folder.
The clone is a copy of a generated OUT without its cache folder (the
committed files only).  Its check is timed twice: against the specs it was
generated from (the usual CI case: up to date), and against a copy of them
with one doc edited (stale: it must exit 1), both beside the same floor.
Every cold run writes into a new, empty folder.  Before every timed run,
floors too: `sync` (no run pays for the writeback of the one before), the
page cache dropped where allowed (not with `--keep-page-cache`), then the
run's inputs and the interpreter read back in, as `bench/run.py` does: on
this VM's ext4, creating files costs 3-10x more while the inode tables are
cached, so without the drop a cold figure and its floor measure the
cache's history.  Runs alternate (floor, this checkout, the baseline; the
order turns each run); the table gives medians, and the ratio of the medians to the floor (wall
time, and CPU time: user + system, the steadier one on a loaded machine).

`--baseline CHECKOUT`: another checkout of md2models (e.g. the commit a
branch started from: `git archive COMMIT | tar -x -C DIR`) measured the same
way, with its own OUT and clone, for the user CPU time of its cold generate.
Commands run as `python -m generator.cli` with the checkout first on
PYTHONPATH, cwd a temp dir (no pyproject config applies); nothing is written
into the project.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_SPECS = CORPUS / "orq-python-4.13.19" / "docs"
PACKAGE = "bench_models"
CACHE_DIR = ".md2models-cache"
DROP_CACHES = "/proc/sys/vm/drop_caches"

# Reads and hashes every file below each folder given (the cache folder skipped: a clone has none).
FLOOR_CHECK = """
import hashlib, os, sys
for top in sys.argv[1:]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != ".md2models-cache"]
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                hashlib.sha256(f.read()).hexdigest()
"""

# Loads OUT's files into memory (untimed), syncs, then times reading every
# doc of SPECS and writing the files into the new folder NEW.
FLOOR_COLD = """
import os, sys, time
specs, out, new = sys.argv[1:4]
files = {}
for folder, dirs, names in os.walk(out):
    dirs[:] = [d for d in dirs if d != ".md2models-cache"]
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            files[os.path.relpath(path, out)] = f.read()
os.sync()
start, cpu = time.perf_counter(), os.times()
for folder, dirs, names in os.walk(specs):
    for name in names:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as f:
                f.read()
made = set()
for rel, data in files.items():
    path = os.path.join(new, rel)
    parent = os.path.dirname(path)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    with open(path, "wb") as f:
        f.write(data)
now = os.times()
print(time.perf_counter() - start, now.user - cpu.user, now.system - cpu.system)
"""


@dataclass
class Figure:
    name: str
    walls: list[float] = field(default_factory=list)
    users: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)  # user + system

    def add(self, wall: float, user: float, system: float) -> None:
        self.walls.append(wall)
        self.users.append(user)
        self.cpus.append(user + system)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def user(self) -> float:
        return statistics.median(self.users)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


class Tool:
    """One checkout of md2models, with its own OUT and fresh clone."""

    def __init__(self, name: str, checkout: Path, tmp: Path, specs: Path, jobs: Optional[int], drop: bool):
        self.name, self.checkout, self.specs, self.jobs, self.drop = name, checkout, specs, jobs, drop
        self.dir = tmp / name.replace(" ", "-")
        self.dir.mkdir()
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(checkout), env.get("PYTHONPATH", "")]))}
        self.out, self.clone = self.dir / "out", self.dir / "clone"
        self.cold, self.check = Figure(f"{name}: cold generate"), Figure(f"{name}: fresh-clone check")
        self.stale = Figure(f"{name}: fresh-clone check, one doc edited (exit 1)")
        self.runs = 0

    def command(self, verb: str, out: Path, *options: str) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs is not None else []
        return [sys.executable, "-m", "generator.cli", verb, str(self.specs), "--out", str(out),
                "--package", PACKAGE, *jobs, *options]

    def prepare(self) -> None:
        """Generate OUT once (untimed) and copy it, bar the cache, as the clone."""
        run(self.command("generate", self.out), self.env, self.dir)
        shutil.copytree(self.out, self.clone, ignore=shutil.ignore_patterns(CACHE_DIR))

    def run_cold(self) -> None:
        self.runs += 1
        settle([self.specs], self.env, self.drop)
        self.cold.add(*run(self.command("generate", self.dir / f"cold-{self.runs}"), self.env, self.dir))

    def run_check(self) -> None:
        settle([self.specs, self.clone], self.env, self.drop)
        self.check.add(*run(self.command("check", self.clone, "--quiet"), self.env, self.dir))
        if (self.clone / CACHE_DIR).exists():
            raise SystemExit(f"{self.name}: check wrote a cache into the clone")

    def run_stale_check(self, edited: Path) -> None:
        """The clone checked against `edited` (the specs with one doc changed): it must exit 1."""
        settle([edited, self.clone], self.env, self.drop)
        command = self.command("check", self.clone, "--quiet")
        command[command.index(str(self.specs))] = str(edited)
        self.stale.add(*run(command, self.env, self.dir, expect=1))


def settle(inputs: list[Path], env: dict[str, str], drop: bool) -> None:
    """Before a timed run: sync, drop the page cache (if `drop`),
    read `inputs` back in and start the interpreter and md2models once."""
    os.sync()
    if drop:
        with open(DROP_CACHES, "w") as f:
            f.write("3\n")
    for top in inputs:
        for path in sorted(top.rglob("*")):
            if path.is_file():
                path.read_bytes()
    subprocess.run([sys.executable, "-m", "generator.cli", "--version"], env=env, capture_output=True, check=True)



def run(cmd: list[str], env: dict[str, str], cwd: Path, expect: int = 0) -> tuple[float, float, float]:
    """(wall, user CPU, system CPU) seconds of the command and the children it waited for; it must exit `expect`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != expect:
        raise SystemExit(f"exit {proc.returncode}: {' '.join(cmd)}\n{output.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_utime, usage.ru_stime


def edit_one_doc(specs: Path, to: Path) -> Path:
    """A copy of `specs` whose first doc has one more sentence after its title."""
    shutil.copytree(specs, to)
    doc = min(to.rglob("*.md"))
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("\n", "\n\nEdited for the benchmark.\n", 1), encoding="utf-8")
    return to


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="spec root (the folder holding models/)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are judged")
    parser.add_argument("--jobs", type=int, help="passed to md2models --jobs (default: the tool's)")
    parser.add_argument("--baseline", type=Path, help="another md2models checkout to measure beside this one")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with all outputs")
    parser.add_argument("--keep-page-cache", action="store_true", help="do not drop the page cache before runs")
    args = parser.parse_args(argv)
    drop = not args.keep_page_cache and os.access(DROP_CACHES, os.W_OK)
    specs = args.specs.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="md2models-fresh-"))
    tools = [Tool("this checkout", REPO, tmp, specs, args.jobs, drop)]
    if args.baseline is not None:
        tools.append(Tool("baseline", args.baseline.resolve(), tmp, specs, args.jobs, drop))
    docs = sum(1 for _ in specs.rglob("*.md"))
    print(f"specs: {specs} ({docs} docs), runs: {args.runs}, nproc {os.cpu_count()}, "
          f"page cache dropped before each run: {'yes' if drop else 'no'}, load average before: {os.getloadavg()}",
          flush=True)
    check_floor, cold_floor = Figure("floor: read + hash docs and outputs"), Figure("floor: read docs, write outputs")
    files = 0
    try:
        for tool in tools:
            tool.prepare()
        files = sum(1 for path in tools[0].clone.rglob("*") if path.is_file())
        edited = edit_one_doc(specs, tmp / "specs-edited")
        for n in range(args.runs):
            def floor_check() -> None:
                settle([specs, tools[0].clone], tools[0].env, drop)
                check_floor.add(*run([sys.executable, "-c", FLOOR_CHECK, str(specs), str(tools[0].clone)],
                                     tools[0].env, tmp))

            steps = [floor_check, *(tool.run_check for tool in tools), partial(tools[0].run_stale_check, edited)]
            for step in steps[::-1] if n % 2 else steps:
                step()

            def floor_cold() -> None:
                new = tmp / f"floor-{n}"
                settle([specs], tools[0].env, drop)
                proc = subprocess.run([sys.executable, "-c", FLOOR_COLD, str(specs), str(tools[0].out), str(new)],
                                      capture_output=True, text=True, check=True, cwd=tmp)
                cold_floor.add(*map(float, proc.stdout.split()))

            steps = [floor_cold, *(tool.run_cold for tool in tools)]
            for step in steps[::-1] if n % 2 else steps:
                step()
            print(f"run {n + 1}/{args.runs} done, load average {os.getloadavg()}", flush=True)
    finally:
        rows = [(check_floor, [tool.check for tool in tools] + [tools[0].stale], 3.0),
                (cold_floor, [tool.cold for tool in tools], 2.5)]
        print(f"\n{files} output files\n")
        print("| figure | wall | floor | ratio | budget | verdict | CPU (user + sys) | floor's CPU | CPU ratio |"
              " wall min-max | floor min-max |\n|---|---|---|---|---|---|---|---|---|---|---|")
        for floor, figures, budget in rows:
            for figure in figures:
                if not figure.walls or not floor.walls:
                    continue
                ratio = figure.wall / floor.wall
                print(f"| {figure.name} | {figure.wall:.2f} s | {floor.wall:.2f} s | {ratio:.2f}x | ≤ {budget:g}x | "
                      f"{'ok' if ratio <= budget else 'over'} | {figure.cpu:.2f} s | {floor.cpu:.2f} s | "
                      f"{figure.cpu / floor.cpu:.2f}x | {min(figure.walls):.2f}-{max(figure.walls):.2f} s | "
                      f"{min(floor.walls):.2f}-{max(floor.walls):.2f} s |")
        base = tools[1].cold if len(tools) > 1 else None
        if base is not None and base.users and tools[0].cold.users:
            print(f"\ncold generate user CPU, this checkout / baseline: {tools[0].cold.user:.2f} / {base.user:.2f} s"
                  f" = {tools[0].cold.user / base.user:.2f} (goal ≤ 0.5)")
        print(f"load average after: {os.getloadavg()}")
        if args.keep:
            print(f"outputs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
