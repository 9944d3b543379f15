"""The real corpora (orq-python 3.4.0: ~1,400 docs; 4.13.19: ~18,600 docs)
generated through `api.generate` into a tmp dir, then:

(a) every generated module imported, one by one, in fresh interpreters (two
    processes, each taking every other module); every pydantic class gets
    `model_rebuild()` (it must already be complete: no unresolved forward
    reference) and a deterministic sample (every 25th) `model_json_schema()`;
(b) `black --check` on the generated package: whole for 3.4.0; for 4.13.19 a
    deterministic sample of 2,000 modules in the default run (the whole
    package takes ~2.5 min of black on 2 cores; it runs under `-m slow`);
(c) the counts are printed (`pytest -s` or `-rA` shows them).

Skipped cleanly when the corpus is absent (`tests/support.py`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator import api
from generator.parse import DEFAULT_EXCLUDE, spec_paths

from .support import CORPORA, corpus_docs

PACKAGE = "orq_models"
PROCESSES = 2
SCHEMA_EVERY = 25
BLACK_SAMPLE = 2000

IMPORT_SCRIPT = r'''
import importlib, json, sys, time, traceback
import pydantic

out, package, shard, shards, every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, out)
from pathlib import Path

root = Path(out) / package
names = sorted(
    ".".join((package,) + p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
    for p in root.rglob("*.py")
)[shard::shards]
start = time.time()
failures, classes, incomplete, schemas = [], 0, 0, 0
for name in names:
    try:
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            if not (isinstance(value, type) and issubclass(value, pydantic.BaseModel)
                    and value.__module__ == name):
                continue
            classes += 1
            if not value.__pydantic_complete__:
                incomplete += 1
            value.model_rebuild(raise_errors=True)
            if classes % every == 0:
                value.model_json_schema()
                schemas += 1
    except Exception as exc:
        failures.append(name + ": " + "".join(traceback.format_exception_only(exc)).strip()[:400])
print(json.dumps({"modules": len(names), "classes": classes, "incomplete": incomplete,
                  "schemas": schemas, "failures": failures, "seconds": round(time.time() - start, 1)}))
'''

_generated: dict[str, tuple[Path, float]] = {}


@pytest.fixture(scope="module")
def corpus_out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(docs, OUT) for a version, generated once per module run."""

    def get(version: str) -> tuple[Path, Path]:
        docs = corpus_docs(version)
        if version not in _generated:
            out = tmp_path_factory.mktemp(version.replace(".", "_"))
            start = time.time()
            api.generate(docs, out, PACKAGE)
            _generated[version] = (out, time.time() - start)
        return docs, _generated[version][0]

    yield get
    _generated.clear()


def modules(out: Path) -> list[Path]:
    return sorted((out / PACKAGE).rglob("*.py"))


@pytest.mark.parametrize("version", CORPORA)
def test_generates_every_doc(version: str, corpus_out: Any) -> None:
    docs, out = corpus_out(version)
    parsed, skipped = spec_paths(docs, DEFAULT_EXCLUDE)
    py = modules(out)
    model_modules = [p for p in py if p.name not in ("__init__.py", "_runtime.py")]
    md = sorted((out / "docs").rglob("*.md"))
    print(f"\n[{version}] docs parsed: {len(parsed)} (skipped {len(skipped)}); "
          f"modules generated: {len(py)} ({len(model_modules)} model modules); docs regenerated: {len(md)}; "
          f"generate: {_generated[version][1]:.1f}s")
    assert len(model_modules) == len(parsed) == len(md)


@pytest.mark.parametrize("version", CORPORA)
def test_every_module_imports(version: str, corpus_out: Any, tmp_path: Path) -> None:
    _docs, out = corpus_out(version)
    script = tmp_path / "import_all.py"
    script.write_text(IMPORT_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.time()
    procs = [subprocess.Popen([sys.executable, str(script), str(out), PACKAGE, str(i), str(PROCESSES),
                               str(SCHEMA_EVERY)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, env=env)
             for i in range(PROCESSES)]
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=900)
        assert proc.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    total = {key: sum(r[key] for r in results) for key in ("modules", "classes", "incomplete", "schemas")}
    failures = [f for r in results for f in r["failures"]]
    print(f"\n[{version}] imported {total['modules']} modules, {total['classes']} pydantic classes "
          f"({total['incomplete']} needed a rebuild), {total['schemas']} JSON schemas, "
          f"{len(failures)} failures, {time.time() - start:.1f}s")
    assert total["modules"] == len(modules(out))
    assert not failures, "\n".join(failures[:30])


def black_check(paths: list[Path], cache: Path) -> subprocess.CompletedProcess[str]:
    # a private cache dir: no hits from earlier runs, no writes to ~/.cache
    env = {**os.environ, "BLACK_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "black", "--check", "-q", *map(str, paths)],
                          capture_output=True, text=True, env=env)


def sample(paths: list[Path], size: int) -> list[Path]:
    """A deterministic, evenly spread sample (always with the package files)."""
    if len(paths) <= size:
        return paths
    step = len(paths) / size
    picked = {paths[int(i * step)] for i in range(size)}
    picked |= {p for p in paths if p.name in ("__init__.py", "_runtime.py")}
    return sorted(picked)


@pytest.mark.parametrize("version", CORPORA)
def test_black_check(version: str, corpus_out: Any, tmp_path: Path) -> None:
    _docs, out = corpus_out(version)
    everything = modules(out)
    if version == "orq-python-4.13.19":
        paths = sample(everything, BLACK_SAMPLE)
    else:
        paths = [out / PACKAGE]
    start = time.time()
    run = black_check(paths, tmp_path / "black-cache")
    checked = len(everything) if paths == [out / PACKAGE] else len(paths)
    result = "passed" if run.returncode == 0 else f"FAILED ({run.returncode})"
    print(f"\n[{version}] black --check on {checked} of {len(everything)} modules: {result}, "
          f"{time.time() - start:.1f}s")
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.slow
def test_black_check_whole_4_13_19(corpus_out: Any, tmp_path: Path) -> None:
    version = "orq-python-4.13.19"
    _docs, out = corpus_out(version)
    start = time.time()
    run = black_check([out / PACKAGE], tmp_path / "black-cache")
    print(f"\n[{version}] black --check on the whole package: "
          f"{'passed' if run.returncode == 0 else 'FAILED'}, {time.time() - start:.1f}s")
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.parametrize("version", CORPORA)
def test_lint_is_clean_on_a_real_sdk(version: str) -> None:
    """No warning on real docs by default, so `lint --strict` can gate CI;
    asked, every model nothing refers to is reported (the SDK's top-level
    request and response models, for one)."""
    docs = corpus_docs(version)
    assert api.lint(docs) == []
    unreferenced = api.lint(docs, unreferenced=True)
    assert unreferenced and all(p.message.endswith("is not referenced by any other model") for p in unreferenced)
