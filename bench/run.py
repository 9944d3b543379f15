#!/usr/bin/env python3
"""Benchmark md2models on a real spec root and compare it with datamodel-code-generator.

    python bench/run.py [--specs DIR] [--runs N] [--jobs J] [--skip-dcg] [--skip-black] [--keep]

Prints the machine, then a markdown table: median/min/max of N runs, peak RSS
and a verdict against each budget.  Every measured command runs under a fresh
`run.py --measure` process, so its RUSAGE_CHILDREN covers that one run only.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_SPECS = CORPUS / "orq-python-4.13.19" / "docs"
DCG_CORPUS = CORPUS / "orq-python-3.4.0"
VENV = Path("/tmp/md2models-bench-venv")
DROP_CACHES = "/proc/sys/vm/drop_caches"
PACKAGE = "bench_models"
MiB, GiB = 1 << 20, 1 << 30
MODEL_REF = re.compile(r"\bmodels\.([A-Za-z_][A-Za-z0-9_]*)")
IMPORT_SNIPPET = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
ALIAS_HEADS = {"Literal", "Union", "Annotated", "TypeAliasType"}


# --- measuring one command: runs inside a fresh `run.py --measure -- CMD...` process ---

def tree_rss(root: int) -> int:
    """Summed RSS of `root` and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # [1]: ppid, [21]: rss in pages
        children.setdefault(int(fields[1]), []).append(int(name))
        rss[int(name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def measure_main(argv: list[str]) -> None:
    """Run argv; print wall time, RUSAGE_CHILDREN peak RSS, sampled tree RSS and its output as JSON."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        peak, done = [0], threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], tree_rss(proc.pid))

        threading.Thread(target=sample, daemon=True).start()
        rc = proc.wait()
        wall = time.perf_counter() - start
        done.set()
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        out.seek(0), err.seek(0)
        print(json.dumps({"wall": wall, "rss": rss, "tree": max(peak[0], rss), "rc": rc,
                          "stdout": out.read()[-4000:], "stderr": err.read()[-4000:]}))


# --- running and reporting ---

@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    rss: int  # bytes, largest single process
    tree: int  # bytes, whole process tree
    rc: int
    stdout: str
    stderr: str


@dataclass
class Row:
    figure: str
    samples: list[Sample]
    budget_s: Optional[float] = None
    budget_rss: Optional[int] = None
    unit: str = "s"

    def fmt(self, seconds: float) -> str:
        return f"{seconds * 1000:.2f} ms" if self.unit == "ms" else f"{seconds:.3f} s"

    def cells(self) -> list[str]:
        walls = [s.wall for s in self.samples]
        median, tree = statistics.median(walls), max(s.tree for s in self.samples)
        budget = "—" if self.budget_s is None else f"{self.budget_s:g} s"
        budget += f" / {self.budget_rss / GiB:g} GiB" if self.budget_rss else ""
        over = median > (self.budget_s or 0) or tree > (self.budget_rss or tree)
        return [self.figure, budget, self.fmt(median), self.fmt(min(walls)), self.fmt(max(walls)),
                f"{max(s.rss for s in self.samples) / MiB:.0f} MiB (tree {tree / MiB:.0f} MiB)",
                "—" if self.budget_s is None else ("over" if over else "ok")]


def table(rows: list[Row]) -> str:
    head = ["figure", "budget", "median", "min", "max", "peak RSS", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row.cells()) + " |" for row in rows])


class Bench:
    """Runs commands from a temp dir under /tmp, where every output lives."""

    def __init__(self, runs: int, jobs: Optional[int], drop_caches: bool) -> None:
        self.runs, self.jobs, self.drop_caches = runs, jobs, drop_caches
        self.tmp = Path(tempfile.mkdtemp(prefix="md2models-bench-"))
        # This checkout first on the path, whatever is pip-installed; cwd = tmp: no pyproject config applies.
        path = [str(REPO), os.environ.get("PYTHONPATH", "")]
        # Users' interpreters cache bytecode (pip compiles on install), so a
        # PYTHONDONTWRITEBYTECODE here would add re-compiling to every figure.
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, path))}

    def settle(self, inputs: Path, warm_up: list[str]) -> None:
        """Before a cold run: flush the setup's writes and, where allowed,
        drop the page cache; then read the inputs and run `warm_up` (the
        tool's own start-up), as a user's specs and tools are in cache.

        Why drop it: on this kernel's ext4, creating a file costs 3-10x
        more while the inode tables of its block group are cached (each free
        inode it passes is checked for a recent deletion through a slow
        buffer lookup), so after any earlier run the figure would measure
        the page cache's history, not the tool.  Cold runs never follow a
        deletion either (each writes into a new folder)."""
        os.sync()
        if self.drop_caches:
            with open(DROP_CACHES, "w") as f:
                f.write("3\n")
        for path in sorted(inputs.rglob("*") if inputs.is_dir() else [inputs]):
            if path.is_file():
                path.read_bytes()
        subprocess.run(warm_up, cwd=self.tmp, env=self.env, capture_output=True, check=True)

    def md2models(self, verb: str, specs: Path, out: Path) -> list[str]:
        cmd = [sys.executable, "-m", "generator.cli", verb, str(specs), "--out", str(out), "--package", PACKAGE]
        return cmd + (["--jobs", str(self.jobs)] if self.jobs is not None else [])

    def measure(self, cmd: list[str], env: Optional[dict[str, str]] = None) -> Sample:
        wrapper = [sys.executable, str(HERE / "run.py"), "--measure", "--", *cmd]
        proc = subprocess.run(wrapper, cwd=self.tmp, env=env or self.env, capture_output=True, text=True, check=True)
        sample = Sample(**json.loads(proc.stdout))
        if sample.rc != 0:
            raise SystemExit(f"exit {sample.rc}: {' '.join(cmd)}\n{sample.stdout}{sample.stderr}")
        return sample

    def repeat(self, cmd: list[str], before: Callable[[], object] = lambda: None,
               after: Callable[[], object] = lambda: None, env: Optional[dict[str, str]] = None) -> list[Sample]:
        samples = []
        for _ in range(self.runs):
            before()
            samples.append(self.measure(cmd, env))
            after()
        return samples


def last_line(sample: Sample) -> str:
    return (sample.stderr.strip().splitlines() or [""])[-1]


# --- the figures ---

def bench_cold(b: Bench, specs: Path, name: str, *options: str) -> tuple[list[Sample], Path]:
    """Each run into a new, empty OUT; the outputs of earlier runs are kept
    until the end (see `Bench.settle`)."""
    samples = []
    for run in range(b.runs):
        out = b.tmp / name / f"out-{run}"
        b.settle(specs, [sys.executable, "-m", "generator.cli", "--version"])
        samples.append(b.measure([*b.md2models("generate", specs, out), *options]))
    return samples, out


def bench_noop(b: Bench, specs: Path, out: Path) -> list[Row]:
    return [Row("no-op generate", b.repeat(b.md2models("generate", specs, out)), 1.0),
            Row("no-op check (exit 0)", b.repeat(b.md2models("check", specs, out)), 1.0)]


def bench_edit(b: Bench, specs: Path, doc_name: str) -> tuple[Row, str]:
    """Copy the spec root once; per run append a word to one description, regenerate, restore."""
    copy, out = b.tmp / "edit" / "specs", b.tmp / "edit" / "out"
    shutil.copytree(specs, copy)
    doc = copy / "models" / doc_name
    original = doc.read_text(encoding="utf-8")
    edited = append_word(original, "benchmarked")
    generate = b.md2models("generate", copy, out)
    b.measure(generate)

    def restore() -> None:
        doc.write_text(original, encoding="utf-8")
        b.measure(generate)

    samples = b.repeat(generate, before=lambda: doc.write_text(edited, encoding="utf-8"), after=restore)
    return Row(f"one doc edited ({doc_name})", samples, 1.0), last_line(samples[-1])


def append_word(text: str, word: str) -> str:
    """Append `word` to the Description cell (the last one) of the first field row."""
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("| `"))
    lines[row] = lines[row].rstrip().removesuffix("|").rstrip() + f" {word} |"
    return "\n".join(lines)


def bench_imports(b: Bench, out: Path, big: str, small: str) -> list[Row]:
    env = {**b.env, "PYTHONPATH": str(out)}
    rows = []
    for figure, stmt in [(f"import {big} (many refs)", f"from {PACKAGE} import {big}"),
                         (f"import {small} (small)", f"from {PACKAGE} import {small}"),
                         (f"import {PACKAGE} (`__init__` alone)", f"import {PACKAGE}"),
                         ("import pydantic (reference, no budget)", "import pydantic")]:
        cmd = [sys.executable, "-c", IMPORT_SNIPPET.format(stmt=stmt)]
        b.measure(cmd, env)  # warm-up: writes the .pyc files
        samples = [replace(s, wall=float(s.stdout)) for s in b.repeat(cmd, env=env)]
        rows.append(Row(figure, samples, None if "reference" in figure else 0.3))
    return rows


def pick_models(specs: Path) -> tuple[str, str, str]:
    """(object model with the most transitive references, first one with none, the big one's doc file).

    A model's closure holds that of every model it names, so only models nothing names are searched."""
    refs, objects, files = {}, [], {}
    for path in sorted((specs / "models").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("# "):
            title = text[2:text.index("\n")].strip()
            refs[title], files[title] = set(MODEL_REF.findall(text)) - {title}, path.name
            objects += [title] if "\n## Fields" in text else []
    named = set().union(*refs.values())
    big = max([t for t in objects if t not in named] or objects, key=lambda t: closure_size(refs, t))
    small = next(t for t in objects if not refs[t])
    return big, small, files[big]


def closure_size(refs: dict[str, set[str]], start: str) -> int:
    seen, todo = {start}, deque([start])
    while todo:
        for ref in refs.get(todo.popleft(), set()) - seen:
            seen.add(ref)
            todo.append(ref)
    return len(seen) - 1


# --- datamodel-code-generator comparison ---

def ensure_venv() -> Path:
    exe = VENV / "bin" / "datamodel-codegen"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")]
        subprocess.run(pip, check=True)
    return exe


def count_dcg(path: Path) -> int:
    """Every class datamodel-codegen wrote (BaseModel, RootModel and Enum classes)."""
    return sum(isinstance(n, ast.ClassDef) for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def count_md2models(package_dir: Path) -> tuple[int, int]:
    """(classes not based on TypedDict, module-level enum/union aliases) in the generated package."""
    classes = aliases = 0
    for path in package_dir.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                classes += "TypedDict" not in {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                head = ast.unparse(node.value).split("[", 1)[0].split("(", 1)[0].rsplit(".", 1)[-1]
                aliases += (isinstance(target, ast.Name) and target.id[:1].isupper() and head in ALIAS_HEADS
                            and not target.id.endswith("TypedDict"))
    return classes, aliases


def bench_dcg(b: Bench) -> tuple[list[Row], str]:
    exe, dcg_out = ensure_venv(), b.tmp / "dcg" / "dcg.py"
    dcg_out.parent.mkdir(parents=True)
    cmd = [str(exe), "--input", str(DCG_CORPUS / "openapi.yaml"), "--input-file-type", "openapi",
           "--output-model-type", "pydantic_v2.BaseModel", "--output", str(dcg_out)]
    def empty() -> None:
        dcg_out.unlink(missing_ok=True)
        b.settle(DCG_CORPUS / "openapi.yaml", [str(exe), "--version"])

    theirs = b.repeat(cmd, before=empty, env=dict(os.environ))
    ours, out = bench_cold(b, DCG_CORPUS / "docs", "dcg-md2models")
    n_theirs, (classes, aliases) = count_dcg(dcg_out), count_md2models(out / PACKAGE)
    n_ours = classes + aliases
    per_theirs = [replace(s, wall=s.wall / n_theirs) for s in theirs]
    per_ours = [replace(s, wall=s.wall / n_ours) for s in ours]
    ratio = statistics.median(s.wall for s in per_theirs) / statistics.median(s.wall for s in per_ours)
    rows = [Row(f"datamodel-codegen cold, 3.4.0 openapi.yaml ({n_theirs} classes)", theirs),
            Row(f"md2models cold, 3.4.0 docs ({n_ours} = {classes} classes + {aliases} aliases)", ours),
            Row("datamodel-codegen per class", per_theirs, unit="ms"),
            Row("md2models per class", per_ours, unit="ms")]
    note = f"per-class speed-up vs datamodel-codegen: {ratio:.1f}x (aim ≥ 10x): {'ok' if ratio >= 10 else 'over'}"
    return rows, note


def bench_black(b: Bench) -> list[Row]:
    """`--format black` on the 3.4.0 docs: a cold run (black formats every
    module) and a no-op (formatted digests cached: black is not imported),
    next to the same figures without it.  No budget: it is opt-in."""
    specs, rows = DCG_CORPUS / "docs", []
    for how in ("none", "black"):
        cold, out = bench_cold(b, specs, f"format-{how}", "--format", how)
        noop = b.repeat([*b.md2models("generate", specs, out), "--format", how])
        rows += [Row(f"3.4.0 docs, --format {how}: cold", cold), Row(f"3.4.0 docs, --format {how}: no-op", noop)]
    return rows


# --- main ---

def machine_line(specs: Path, b: Bench) -> str:
    docs = sum(1 for _ in (specs / "models").rglob("*.md"))
    cold = ("sync, page cache dropped, inputs and tool read back in" if b.drop_caches
            else "sync, page cache kept")
    return (f"machine: nproc {os.cpu_count()}, Python {platform.python_version()} ({sys.executable}), "
            f"{platform.platform()}, load average {os.getloadavg()}\nspecs: {specs} ({docs} docs), runs: {b.runs}, "
            f"before each cold run: {cold}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark md2models (see bench/README.md).")
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="spec root (the folder holding models/)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is judged")
    parser.add_argument("--jobs", type=int, help="passed to md2models --jobs (default: the tool's)")
    parser.add_argument("--skip-dcg", action="store_true", help="skip the datamodel-code-generator comparison")
    parser.add_argument("--skip-black", action="store_true", help="skip the --format black figures")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with all outputs")
    parser.add_argument("--keep-page-cache", action="store_true",
                        help="do not drop the page cache before cold runs (it is dropped where writable, as root)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    if argv[:2] == ["--measure", "--"]:
        return measure_main(argv[2:])
    args = parse_args(argv)
    drop = not args.keep_page_cache and os.access(DROP_CACHES, os.W_OK)
    specs, b = args.specs.resolve(), Bench(args.runs, args.jobs, drop)
    print(machine_line(specs, b), flush=True)
    rows: list[Row] = []
    notes: list[str] = []
    try:  # rows are printed even if a later figure fails
        big, small, edit_doc = pick_models(specs)
        cold, out = bench_cold(b, specs, "cold")
        rows += [Row("cold generate (empty out)", cold, 10.0, GiB), *bench_noop(b, specs, out)]
        notes.append(f"cold generate: {last_line(cold[-1])}")
        edit_row, edit_summary = bench_edit(b, specs, edit_doc)
        rows.append(edit_row)
        notes.append(f"one doc edited: {edit_summary}")
        rows += bench_imports(b, out, big, small)
        if not args.skip_dcg:
            dcg_rows, dcg_note = bench_dcg(b)
            rows, notes = rows + dcg_rows, notes + [dcg_note]
        if not args.skip_black:
            rows += bench_black(b)
    finally:
        print("\n" + table(rows) + "\n\n" + "\n".join(notes + [f"load average after: {os.getloadavg()}"]))
        if args.keep:
            print(f"outputs kept in {b.tmp}")
        else:
            shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
