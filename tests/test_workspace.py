"""The language server's index (workspace.py) and its answers (docnav.py),
without the protocol: incremental diagnostics equal `md2models lint`'s
after any edits, and no text makes a handler fail."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import api, docnav
from generator.config import ConfigError
from generator.workspace import Workspace, _by_path

from .support import corpus_docs

FIXTURE = Path(__file__).parent / "lsp"
CHECKS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path, Path]]:
    """A workspace on a copy of the orq 3.4.0 docs (edits go to disk, so that lint can check them)."""
    original = corpus_docs("orq-python-3.4.0")
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(original, root / "docs")
    (root / "pyproject.toml").write_text('[tool.md2models]\nspecs = "docs"\n')
    yield Workspace(root, jobs=1), root / "docs", original


def _lint(specs: Path) -> dict[str, tuple[object, ...]]:
    return dict(_by_path(api.lint(specs, jobs=1)))


EDITS = ["rename-title", "break-reference", "retarget-link", "truncate", "delete", "restore", "create-dangling"]


def _edit(kind: str, rel: str, docs: Path, original: Path, ws: Workspace) -> str:
    """Apply one edit on disk; returns the doc it touched."""
    path = docs / rel
    text = path.read_text() if path.exists() else (original / rel).read_text()
    if kind == "rename-title":
        text = re.sub(r"^# (\w+)", r"# \1Renamed", text, count=1)
    elif kind == "break-reference":
        text = re.sub(r"models\.(\w+)", r"models.\1Gone", text, count=1)
    elif kind == "retarget-link":
        text = text.replace(".md)", "_elsewhere.md)", 1)
    elif kind == "truncate":
        text = text[: len(text) // 3]
    elif kind == "create-dangling":  # a new doc for a name some doc refers to but no doc defines
        missing = next((link for s in ws.summaries.values() for link in s.links
                        if (link.namespace, link.name) not in ws.first), None)
        name = missing.name if missing is not None else "Brandnew"
        rel = f"models/{name.lower()}.md"
        path = docs / rel
        text = f"# {name}\n\n## Fields\n\n| Field | Type | Required | Description |\n| - | - | - | - |\n"
    elif kind == "restore":
        text = (original / rel).read_text() if (original / rel).exists() else ""
    if kind == "delete" or (kind == "restore" and not (original / rel).exists()):
        path.unlink(missing_ok=True)
    else:
        path.write_text(text)
    return rel


@settings(max_examples=int(os.environ.get("MD2MODELS_LSP_EXAMPLES", "4")), **CHECKS)
@given(data=st.data())
def test_incremental_diagnostics_equal_lints(corpus: tuple[Workspace, Path, Path], data: st.DataObject) -> None:
    ws, docs, original = corpus
    touched = []
    try:
        for _ in range(data.draw(st.integers(1, 5))):
            rel = data.draw(st.sampled_from(sorted(ws.summaries)[:400] + touched))
            touched.append(_edit(data.draw(st.sampled_from(EDITS)), rel, docs, original, ws))
            ws.reload(touched[-1])
        assert ws.diagnostics() == _lint(docs)
    finally:
        for rel in set(touched):
            _edit("restore", rel, docs, original, ws)
            ws.reload(rel)
    assert ws.diagnostics() == {}


def test_an_open_doc_counts_with_its_unsaved_text(corpus: tuple[Workspace, Path, Path]) -> None:
    ws, docs, _ = corpus
    rel = "models/getsessionbilling.md"
    text = (docs / rel).read_text()
    ws.set_open(rel, text.replace("# GetSessionBilling", "# Renamed"))
    found = ws.refresh()
    assert {d.rule for d in found["models/getsessionresponsebody.md"]} == {"dangling-link"}
    assert ws.reload(rel) == set() and ws.refresh() == {}  # a file event: the editor's text still counts
    ws.set_open(rel, None)  # closed: the disk's text counts again
    assert ws.refresh() == {"models/getsessionresponsebody.md": (), rel: ()}


def test_namespaced_navigation() -> None:
    ws = Workspace(FIXTURE)
    pet = "models/components/pet.md"
    lines = (FIXTURE / "spec" / pet).read_text().split("\n")
    row = next(n for n, line in enumerate(lines) if "`owner`" in line)
    [token] = docnav.tokens(ws, lines[row])
    assert token.key == ("components", "Owner") and token.target == "../../models/components/owner.md"
    assert lines[row][token.start:token.end] == "[Optional[components.Owner]](../../models/components/owner.md)"
    assert docnav.definition(ws, pet, row, token.ref_start) == [docnav.Span("models/components/owner.md", 0, 0, 7)]
    assert docnav.doc_link(pet, "models/components/owner.md") == "../../models/components/owner.md"
    assert docnav.doc_link("models/pet.md", "models/owner.md") == "../models/owner.md"


def test_a_workspace_without_specs_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\nspecz = "x"\n')
    with pytest.raises(ConfigError):
        Workspace(tmp_path)


# --- fuzz: no text makes a handler fail -------------------------------------------------

MUTATIONS = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("pipe"), st.floats(0, 1)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.lists(st.characters() | st.sampled_from(
        ["\x00", "\ud800", "\r", "\ufeff", "[", "](", "models.", "`", "#"]), max_size=8).map("".join)),
    st.tuples(st.just("huge-cell"), st.floats(0, 1)),
    st.tuples(st.just("drop-line"), st.floats(0, 1)),
)


def mutate(text: str, mutations: list[tuple[object, ...]]) -> str:
    for kind, where, *extra in mutations:
        at = int(float(where) * len(text))  # type: ignore[arg-type]
        if kind == "truncate":
            text = text[:at]
        elif kind == "pipe":
            text = text[:at] + "|" + text[at:]
        elif kind == "bytes":
            text = text[:at] + str(extra[0]) + text[at:]
        elif kind == "huge-cell":
            text = text[:at] + "x" * 200_000 + "|" + text[at:]
        else:
            lines = text.split("\n")
            del lines[min(int(float(where) * len(lines)), len(lines) - 1)]  # type: ignore[arg-type]
            text = "\n".join(lines)
    return text


def fuzz_docs() -> list[str]:
    return sorted(p.relative_to(FIXTURE / "spec").as_posix() for p in (FIXTURE / "spec").rglob("*.md"))


@pytest.fixture(scope="module")
def shop() -> Workspace:
    return Workspace(FIXTURE)


def exercise(ws: Workspace, rel: str, text: str, line: int, char: int) -> None:
    """Every question an editor asks, at one position of a doc with `text`."""
    ws.set_open(rel, text)
    for path, found in ws.refresh().items():
        lines = (ws.text(path) or "").split("\n") if not os.path.isabs(path) else []
        for diagnostic in found:
            docnav.diagnostic_span(ws, diagnostic, lines)
    docnav.definition(ws, rel, line, char)
    docnav.references(ws, rel, line, char, True)
    docnav.hover(ws, rel, line, char)
    docnav.completion(ws, rel, line, char)
    docnav.code_actions(ws, rel, line, line)
    docnav.formatted(ws, rel)


@settings(max_examples=int(os.environ.get("MD2MODELS_LSP_EXAMPLES", "40")), **CHECKS)
@given(data=st.data())
def test_no_text_makes_a_handler_fail(shop: Workspace, data: st.DataObject) -> None:
    rel = data.draw(st.sampled_from(fuzz_docs()))
    text = mutate((FIXTURE / "spec" / rel).read_text(), data.draw(st.lists(MUTATIONS, max_size=4)))
    lines = text.split("\n")
    line = data.draw(st.integers(0, len(lines)))
    char = data.draw(st.integers(0, len(lines[line]) if line < len(lines) else 3))
    try:
        exercise(shop, rel, text, line, char)
    finally:
        shop.set_open(rel, None)


def test_a_link_too_long_for_the_file_system_makes_no_handler_fail(shop: Workspace) -> None:
    """Found by the property test above: a link whose target is past the file
    system's name limit (ENAMETOOLONG) made go-to-definition raise."""
    rel = "models/components/owner.md"
    text = mutate((FIXTURE / "spec" / rel).read_text(), [("huge-cell", 0.875)])
    try:
        exercise(shop, rel, text, 9, 33)
    finally:
        shop.set_open(rel, None)


@pytest.mark.slow
@settings(max_examples=300, **CHECKS)
@given(data=st.data())
def test_no_corpus_text_makes_a_handler_fail(corpus: tuple[Workspace, Path, Path], data: st.DataObject) -> None:
    ws, docs, original = corpus
    rel = data.draw(st.sampled_from(sorted(ws.summaries)))
    text = mutate((original / rel).read_text(), data.draw(st.lists(MUTATIONS, max_size=6)))
    lines = text.split("\n")
    line = data.draw(st.integers(0, len(lines)))
    try:
        exercise(ws, rel, text, line, data.draw(st.integers(0, len(lines[line]) if line < len(lines) else 3)))
    finally:
        ws.set_open(rel, None)
