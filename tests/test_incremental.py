"""The build cache never changes a result: after any edit, an incremental
run writes exactly what a clean run into an empty folder writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from generator import api

from .support import ROOT

GOLDEN = ROOT / "tests" / "golden"
CACHE = ".md2models-cache"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and CACHE not in p.parts}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*")
            if p.is_file() and CACHE not in p.parts}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def retitle_author(specs: Path) -> None:
    """A model renamed: its referrers' imports change too."""
    models = specs / "models"
    (models / "author.md").rename(models / "writer.md")
    edit(models / "writer.md", "# Author", "# Writer")
    for doc in models.glob("*.md"):
        text = doc.read_text()
        doc.write_text(text.replace("models.Author", "models.Writer").replace("author.md", "writer.md"))


def drop_num(specs: Path) -> None:
    """A doc deleted (and the union member that named it)."""
    (specs / "models" / "num.md").unlink()
    expr = specs / "models" / "expr.md"
    text = expr.read_text()
    start = text.index("### `models.Num`")
    end = text.index("### ", start + 4)
    expr.write_text(text[:start] + text[end:])


EDITS: dict[str, Callable[[Path], None]] = {
    "description": lambda specs: edit(specs / "models" / "node.md", "A self-reference", "A tree node"),
    "retitle": retitle_author,
    "delete": drop_num,
    "touch only": lambda specs: os.utime(specs / "models" / "book.md", ns=(1, 10**18)),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_equals_clean(tmp_path: Path, name: str) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "cycles" / "specs", specs)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    before = mtimes(out)
    EDITS[name](specs)
    report, _ = api.generate(specs, out, "pkg")
    clean = tmp_path / "clean"
    api.generate(specs, clean, "pkg")
    assert tree(out) == tree(clean)
    if name == "touch only":
        assert not (report.created or report.updated or report.removed)
        assert mtimes(out) == before
    if name == "description":
        assert set(report.updated) == {"docs/models/node.md", "pkg/models/node.py"}


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "cycles" / "specs", specs)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    for state in (out / CACHE).glob("*.marshal"):
        state.write_bytes(b"\x00garbage")
    edit(specs / "models" / "node.md", "A self-reference", "A tree node")
    api.generate(specs, out, "pkg")
    clean = tmp_path / "clean"
    api.generate(specs, clean, "pkg")
    assert tree(out) == tree(clean)


def test_check_writes_no_cache(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "cycles" / "specs", specs)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    shutil.rmtree(out / CACHE)
    report, _, _ = api.check(specs, out, "pkg")
    assert report.up_to_date and not (out / CACHE).exists()


def test_small_edits_go_to_the_delta_and_a_new_structure_to_the_base(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "cycles" / "specs", specs)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    base, delta = out / CACHE / "state.marshal", out / CACHE / "state-delta.marshal"
    first = base.read_bytes()
    assert not delta.exists()
    api.generate(specs, out, "pkg")  # a no-op writes no cache
    assert base.read_bytes() == first and not delta.exists()
    for step, (old, new) in enumerate([("A self-reference", "A tree node"), ("A tree node", "A node")]):
        edit(specs / "models" / "node.md", old, new)
        api.generate(specs, out, "pkg")
        assert base.read_bytes() == first and delta.exists(), step
        clean = tmp_path / f"clean{step}"
        api.generate(specs, clean, "pkg")
        assert tree(out) == tree(clean)
    retitle_author(specs)  # the set of docs changed: a new base
    api.generate(specs, out, "pkg")
    assert base.read_bytes() != first and not delta.exists()
    clean = tmp_path / "clean-retitled"
    api.generate(specs, clean, "pkg")
    assert tree(out) == tree(clean)


def test_a_damaged_delta_is_ignored(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(GOLDEN / "cycles" / "specs", specs)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    edit(specs / "models" / "node.md", "A self-reference", "A tree node")
    api.generate(specs, out, "pkg")
    (out / CACHE / "state-delta.marshal").write_bytes(b"\x00garbage")
    edit(specs / "models" / "node.md", "A tree node", "A node")
    api.generate(specs, out, "pkg")
    clean = tmp_path / "clean"
    api.generate(specs, clean, "pkg")
    assert tree(out) == tree(clean)
