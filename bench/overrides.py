#!/usr/bin/env python3
"""Time `md2models overrides` on a package of the size of a real SDK.

    python bench/overrides.py [--specs DIR] [--runs N] [--jobs J] [--keep]

The package is made by md2models itself from the specs (its pydantic output
has the shape of Speakeasy's), each run into a new, empty OUT: those runs
are the cold `generate` reference.  Then `overrides SPECS --from-package
OUT/PACKAGE/models` is timed N times (it must find nothing to override: the
code is what the docs say).  Prints a markdown table: median / min / max
wall time and the ratio of the medians.  Runs from any cwd, on this checkout.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO.parent / "shared" / "corpus" / "orq-python-4.13.19" / "docs"
PACKAGE = "bench_models"


def timed(args: list[str], cwd: Path) -> tuple[float, str]:
    """Wall time of `md2models ARGS` and the last line it printed on stderr."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"md2models {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stderr.strip().splitlines()[-1]


def row(name: str, times: list[float], note: str) -> str:
    return f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} | {note} |"


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
    generate, overrides = [], []
    for run in range(args.runs):
        seconds, _ = timed(["generate", str(specs), "-o", str(tmp / f"out{run}"), "-p", PACKAGE, *jobs], tmp)
        generate.append(seconds)
    models = tmp / "out0" / PACKAGE / "models"
    docs = sum(1 for _ in specs.rglob("*.md"))
    modules = sum(1 for _ in models.rglob("*.py"))
    summary = ""
    for _ in range(args.runs):
        seconds, summary = timed(["overrides", str(specs), "--from-package", str(models), "-o",
                                  str(tmp / "overrides.toml"), *jobs], tmp)
        overrides.append(seconds)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {docs} docs, {modules} modules; {args.runs} runs each\n")
    print("| command | median s | min s | max s | |")
    print("|---|---|---|---|---|")
    print(row("cold `generate` (makes the package)", generate, "reference"))
    ratio = statistics.median(overrides) / statistics.median(generate)
    print(row("`overrides --from-package` on it", overrides, f"{ratio:.0%} of cold generate; {summary}"))
    if args.keep:
        print(f"\nkept {tmp}")
    else:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
