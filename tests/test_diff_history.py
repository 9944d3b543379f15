"""`md2models diff` against real history: three pairs of consecutive orq
releases, and per pair the changes their real code shows
(`corpus/orq-history/changes-*.json`).  Every change the docs can show
must be found with both of its breaking flags; nothing else may be
reported but description changes.  Skipped when the corpus is absent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.diff import Diff, diff
from .support import CORPUS, corpus_docs

HISTORY = CORPUS / "orq-history"
PAIRS = [("3.4.2", "3.4.3"), ("3.8.9", "3.9.0"), ("4.13.18", "4.13.19")]


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six releases' docs, written by the corpus's own script."""
    script = HISTORY / "make-pairs.sh"
    if not script.is_file():
        pytest.skip(f"release history not present at {HISTORY}")
    dest = tmp_path_factory.mktemp("orq-history")
    subprocess.run(["bash", str(script), str(dest)], check=True, capture_output=True)
    return dest


@pytest.fixture(scope="session")
def diffs(releases: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Diff]:
    cache = tmp_path_factory.mktemp("diff-cache")
    return {f"{old}-{new}": diff(releases / old / "docs", releases / new / "docs", cache_dir=cache)
            for old, new in PAIRS}


@pytest.mark.parametrize("pair", [f"{old}-{new}" for old, new in PAIRS])
def test_every_visible_change_is_found_with_its_breaking_flags(diffs: dict[str, Diff], pair: str) -> None:
    truth = json.loads((HISTORY / f"changes-{pair}.json").read_text())
    result = diffs[pair]
    found = {(c.model, c.field, c.kind): c for c in result.changes}
    assert len(found) == len(result.changes), "one record per (model, field, kind)"
    known = {(r["model"], r["field"], r["kind"]): r for r in truth}
    visible = [r for r in truth if r["visible"]]
    assert visible, pair
    missing = [key for key in ((r["model"], r["field"], r["kind"]) for r in visible) if key not in found]
    assert not missing, f"{len(missing)} visible changes not found: {missing[:10]}"
    for record in truth:
        change = found.get((record["model"], record["field"], record["kind"]))
        if change is None:
            continue
        assert result.in_view("constructor").breaking(change) == record["breaking"], (record, change)
        if record["breaking_reader"] is not None:
            assert result.in_view("reader").breaking(change) == record["breaking_reader"], (record, change)
    extra = [key for key in found if key not in known and key[2] != "description-changed"]
    assert not extra, f"reported but not in the real code's changes: {extra[:10]}"


def test_semver_of_the_real_releases(diffs: dict[str, Diff]) -> None:
    """Two of these three releases broke constructor code; all three shipped as patch versions."""
    assert {pair: result.semver for pair, result in diffs.items()} == {
        "3.4.2-3.4.3": "major", "3.8.9-3.9.0": "major", "4.13.18-4.13.19": "minor"}
    assert diffs["4.13.18-4.13.19"].in_view("reader").semver == "major"


def test_a_release_against_itself(releases: Path) -> None:
    docs = releases / "3.9.0" / "docs"
    assert diff(docs, docs).changes == ()


@pytest.mark.slow
def test_the_two_corpora_smoke() -> None:
    """3.4.0 vs 4.13.19: a year of changes; every record well formed, in order."""
    result = diff(corpus_docs("orq-python-3.4.0"), corpus_docs("orq-python-4.13.19"))
    data = result.to_json()
    keys = [(c["model"], c["field"] or "", c["kind"]) for c in data["changes"]]  # type: ignore[index]
    assert keys == sorted(keys) and data["semver"] == "major"
    kinds = {c["kind"] for c in data["changes"]}  # type: ignore[index]
    assert {"model-added", "model-removed", "field-added", "type-changed", "enum-value-added"} <= kinds
