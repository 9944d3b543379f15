"""The generated packages pass `mypy --strict` (pydantic's mypy plugin on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import api

from .support import ROOT, corpus_docs

MYPY_CONFIG = "[mypy]\nplugins = pydantic.mypy\nstrict = True\n"


def mypy_strict(out: Path, package: str, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(tmp_path / "cache"),
         "-p", package],
        cwd=out, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    print(f"\nmypy --strict: {run.stdout.strip().splitlines()[-1]}")


def test_package_from_specs(tmp_path: Path) -> None:
    mypy_strict(ROOT / "output", "session_models", tmp_path)


def test_package_from_corpus_340(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.generate(corpus_docs("orq-python-3.4.0"), out, "orq")
    mypy_strict(out, "orq", tmp_path)
