#!/usr/bin/env python3
"""Time `md2models overrides` on a package of the size of a real SDK.

    python bench/overrides.py [--specs DIR] [--runs N] [--jobs J] [--keep]

The package is made by md2models itself from the specs (its pydantic output
has the shape of Speakeasy's), each run into a new, empty OUT: those runs
are the cold `generate` reference.  Then `overrides SPECS --from-package
OUT/PACKAGE/models` is timed N times (it must find nothing to override: the
code is what the docs say).  Prints a markdown table: median (min-max) of
wall time and of CPU time, and the ratios of the medians.  Runs from any cwd, on this checkout.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# the corpus where the tests find it (MD2MODELS_CORPUS, as in tests/support.py)
CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_SPECS = CORPUS / "orq-python-4.13.19" / "docs"
PACKAGE = "bench_models"


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, all its processes) of `md2models ARGS`,
    and the last line it printed on stderr.  The CPU time says more on a loaded machine."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"md2models {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, done.stderr.strip().splitlines()[-1]


def row(name: str, wall: list[float], cpu: list[float], note: str) -> str:
    return (f"| {name} | {statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f}) | "
            f"{statistics.median(cpu):.2f} ({min(cpu):.2f}-{max(cpu):.2f}) | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="passed to md2models --jobs (0: one per CPU)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    specs = args.specs.resolve()
    if not specs.is_dir():
        sys.exit(f"no specs at {specs}")
    tmp = Path(tempfile.mkdtemp(prefix="md2models-bench-overrides-"))
    jobs = ["--jobs", str(args.jobs)]
    generate: tuple[list[float], list[float]] = ([], [])
    overrides: tuple[list[float], list[float]] = ([], [])
    for run in range(args.runs):
        wall, cpu, _ = timed(["generate", str(specs), "-o", str(tmp / f"out{run}"), "-p", PACKAGE, *jobs], tmp)
        generate[0].append(wall)
        generate[1].append(cpu)
    models = tmp / "out0" / PACKAGE / "models"
    docs = sum(1 for _ in specs.rglob("*.md"))
    modules = sum(1 for _ in models.rglob("*.py"))
    summary = ""
    for _ in range(args.runs):
        wall, cpu, summary = timed(["overrides", str(specs), "--from-package", str(models), "-o",
                                    str(tmp / "overrides.toml"), *jobs], tmp)
        overrides[0].append(wall)
        overrides[1].append(cpu)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {docs} docs, {modules} modules; {args.runs} runs each\n")
    print("| command | wall s: median (min-max) | CPU s: median (min-max) | |")
    print("|---|---|---|---|")
    print(row("cold `generate` (makes the package)", *generate, "reference"))
    wall, cpu = (statistics.median(o) / statistics.median(g) for o, g in zip(overrides, generate))
    print(row("`overrides --from-package` on it", *overrides,
              f"{wall:.0%} of cold generate's wall time, {cpu:.0%} of its CPU time; {summary}"))
    if args.keep:
        print(f"\nkept {tmp}")
    else:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
