"""Shared test helpers: where the real corpus lives (skipped cleanly when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", ROOT.parent / "shared" / "corpus"))
CORPORA = ("orq-python-3.4.0", "orq-python-4.13.19")


def corpus_docs(version: str) -> Path:
    """The spec root (the folder holding models/) of one corpus SDK, or skip."""
    docs = CORPUS / version / "docs"
    if not (docs / "models").is_dir():
        pytest.skip(f"corpus {version} not present at {CORPUS}")
    return docs
