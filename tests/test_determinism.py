"""Same specs, same bytes: whatever the hash seed, listing order, current
directory, locale, time zone, or parallelism."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .support import ROOT, corpus_docs

CACHE_AND_MANIFEST = (".md2models-cache",)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part in CACHE_AND_MANIFEST for part in p.relative_to(root).parts)
    }


def copy_shuffled(source: Path, target: Path, seed: int) -> None:
    """Copy a spec tree, creating the files in a shuffled order (directory
    listing order follows creation order on many file systems)."""
    files = sorted(p for p in source.rglob("*.md"))
    random.Random(seed).shuffle(files)
    for path in files:
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def generate(specs: Path, out: Path, cwd: Path, env: dict[str, str], jobs: int = 0) -> None:
    command = [sys.executable, "-m", "generator.cli", "generate", str(specs), "--out", str(out),
               "--package", "pkg", "--jobs", str(jobs)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    run = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("source", ["specs", "golden"])
def test_same_bytes_across_seeds_order_cwd_locale_time(tmp_path: Path, source: str) -> None:
    root = ROOT / "specs" if source == "specs" else ROOT / "tests" / "golden" / "nested" / "specs"
    environments = [
        {"PYTHONHASHSEED": "0", "LC_ALL": "C", "TZ": "UTC"},
        {"PYTHONHASHSEED": "1234", "LC_ALL": "C.UTF-8", "TZ": "Asia/Tokyo"},
        {"PYTHONHASHSEED": "random", "LANG": "de_DE.UTF-8", "TZ": "America/New_York"},
    ]
    trees = []
    for n, env in enumerate(environments):
        specs = tmp_path / f"specs{n}"
        copy_shuffled(root, specs, seed=n)
        cwd = tmp_path / f"cwd{n}" / "deeper"
        cwd.mkdir(parents=True)
        generate(specs, tmp_path / f"out{n}", cwd, env)
        trees.append(tree(tmp_path / f"out{n}"))
    assert trees[0] and all(t == trees[0] for t in trees[1:])
    for text in trees[0].values():
        assert str(tmp_path).encode() not in text  # no absolute paths


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    docs = corpus_docs("orq-python-3.4.0")
    generate(docs, tmp_path / "serial", tmp_path, {"PYTHONHASHSEED": "1"}, jobs=1)
    generate(docs, tmp_path / "parallel", tmp_path, {"PYTHONHASHSEED": "2"}, jobs=2)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
