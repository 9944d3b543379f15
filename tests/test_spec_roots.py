"""Spec roots: SPECS may be the folder that holds `models/` or `models/` itself.

Links are resolved by their normalised target, so `../models/x.md` from
`models/a.md` lands back inside either root, and so does
`../../models/operations/b.md` from `models/components/a.md`.  Both roots
give the same package (module paths, imports) and the same OUT/docs (with
its `models/` folder, so the regenerated docs' links still resolve).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import api
from generator.build import parse_summaries
from generator.discovery import find_docs
from generator.resolve import link_path

from .specgen import contents, enum_doc, generate, link, md2models, object_doc, row, union_doc, write_spec
from .support import corpus_docs

FLAT = {
    "models/pet.md": object_doc("Pet", [row("name", "*str*"), row("kind", link("Kind")),
                                        row("owner", link("Owner"), required=False)]),
    "models/kind.md": enum_doc("Kind", ["cat", "dog"]),
    "models/owner.md": object_doc("Owner", [row("pets", f"List[{link('Pet')}]")]),
}
NAMESPACED = {
    "models/components/order.md": object_doc("Order", [
        row("id", "*str*"),
        row("status", link("Status", "operations")),
        row("lines", f"List[{link('Line', 'components')}]", required=False),
    ]),
    "models/components/line.md": object_doc("Line", [row("sku", "*str*")]),
    "models/operations/status.md": enum_doc("Status", ["open", "closed"]),
    "models/operations/either.md": union_doc("Either", [("`components.Order`", "components.Order"),
                                                        ("`operations.Status`", "operations.Status")]),
}


@pytest.mark.parametrize("docs", [FLAT, NAMESPACED], ids=["flat", "namespaced"])
def test_models_folder_as_specs_equals_its_parent(tmp_path: Path, docs: dict[str, str]) -> None:
    specs = write_spec(tmp_path, docs)
    parent, models = generate(specs, tmp_path / "a"), generate(specs / "models", tmp_path / "b")
    assert (parent.code, parent.diagnostics) == (0, []), parent.explain()
    assert (models.code, models.diagnostics) == (0, []), models.explain()
    produced = contents(tmp_path / "b")
    assert produced == contents(tmp_path / "a")
    assert {path for path in produced if path.startswith("docs/")} == {f"docs/{rel}" for rel in docs}
    assert all(path.startswith(("docs/models/", "pkg/models/")) or path.count("/") == 1 for path in produced)


@pytest.mark.parametrize("docs, start, reached", [
    (FLAT, "models/owner.md", {"models/owner.md", "models/pet.md", "models/kind.md"}),
    (FLAT, "models/kind.md", {"models/kind.md"}),
    (NAMESPACED, "models/components/order.md",
     {"models/components/order.md", "models/components/line.md", "models/operations/status.md"}),
], ids=["flat, a cycle", "flat, a leaf", "namespaced"])
def test_one_doc_as_specs_generates_it_and_what_its_links_reach(tmp_path: Path, docs: dict[str, str], start: str,
                                                                reached: set[str]) -> None:
    specs = write_spec(tmp_path, {**docs, "models/unrelated.md": object_doc("Unrelated", [row("id", "*str*")])})
    run = generate(specs / start, tmp_path / "one")
    assert (run.code, run.diagnostics) == (0, []), run.explain()
    assert generate(specs, tmp_path / "all").code == 0
    whole, one = contents(tmp_path / "all"), contents(tmp_path / "one")
    assert {path for path in one if path.startswith("docs/")} == {f"docs/{rel}" for rel in reached}
    # the reached models' modules are the whole spec's, byte for byte
    assert all(one[path] == whole[path] for path in one if path.startswith(("docs/", "pkg/models/")) and
               not path.endswith("__init__.py"))
    assert md2models("check", specs / start, "--out", tmp_path / "one", "--package", "pkg").code == 0
    assert md2models("lint", specs / start).code == 0


def test_one_doc_as_specs_reports_where_its_problems_are(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {**FLAT, "models/pet.md": object_doc("Pet", [row("toy", link("Toy"))]),
                                  "models/notes.txt": "not a doc"})
    run = generate(specs / "models" / "pet.md", tmp_path / "out")
    assert run.code == 0 and [(d.path, d.line) for d in run.warnings] == [(f"{specs.as_posix()}/models/pet.md", 8)]
    run = generate(specs / "models" / "notes.txt", tmp_path / "out2")
    assert run.code == 2 and "not a model doc (*.md)" in run.stderr and not (tmp_path / "out2").exists()


OPERATIONS_PAGE = """# Pets
(*pets*)

## Overview

### Available Operations

* [get](#get) - Get a pet

## get

### Response

**[models.Pet](../../models/pet.md)**
"""


@pytest.mark.parametrize("docs", [FLAT, NAMESPACED], ids=["flat", "namespaced"])
def test_an_sdks_docs_and_its_repository_give_the_models_alone(tmp_path: Path, docs: dict[str, str]) -> None:
    """An SDK's docs/ holds its operations' pages too (docs/sdks/*/README.md): not model docs.
    Its repository (docs/ beside src/, README.md) gives what its docs/ give."""
    repo = tmp_path / "sdk"
    repo.mkdir()
    write_spec(tmp_path, docs).rename(repo / "docs")
    (repo / "docs" / "sdks" / "pets").mkdir(parents=True)
    (repo / "docs" / "sdks" / "pets" / "README.md").write_text(OPERATIONS_PAGE, encoding="utf-8")
    (repo / "README.md").write_text("# An SDK\n", encoding="utf-8")
    (repo / "src").mkdir()
    roots = {"a": repo / "docs", "b": repo, "c": repo / "docs" / "models"}
    runs = [generate(root, tmp_path / name) for name, root in roots.items()]
    assert [(run.code, run.diagnostics) for run in runs] == [(0, [])] * 3, [run.explain() for run in runs]
    produced = contents(tmp_path / "a")
    assert {path for path in produced if path.startswith("docs/")} == {f"docs/{rel}" for rel in docs}
    assert contents(tmp_path / "b") == produced == contents(tmp_path / "c")


def test_diagnostics_name_the_docs_where_they_are(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {**FLAT, "models/pet.md": object_doc("Pet", [row("toy", link("Toy"))])})
    run = generate(specs / "models", tmp_path / "out")
    assert run.code == 0, run.explain()
    assert [(d.path, d.line, d.col) for d in run.warnings] == [(f"{specs.as_posix()}/models/pet.md", 8, 3)]
    lint = md2models("lint", specs / "models", "--format", "json")
    assert '"path": "' + f"{specs.as_posix()}/models/pet.md" + '"' in lint.stdout, lint.explain()


@pytest.mark.parametrize("target", ["../other/toy.md", "../../toy.md"])
def test_links_outside_the_root_after_normalisation_dangle(tmp_path: Path, target: str) -> None:
    """A link that stays outside (another folder, above the root) dangles, whichever root is given."""
    docs = {**FLAT, "models/pet.md": object_doc("Pet", [row("toy", f"[models.Toy]({target})")])}
    specs = write_spec(tmp_path, docs)
    (tmp_path / "toy.md").write_text(object_doc("Toy", [row("id", "*str*")]), encoding="utf-8")
    for root in (specs, specs / "models"):
        run = generate(root, tmp_path / "out")
        assert run.code == 0 and [d.line for d in run.warnings] == [8], run.explain()
        assert "dangling link: no doc defines models.Toy" in run.warnings[0].message


def test_models_folder_given_as_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = write_spec(tmp_path, FLAT)
    monkeypatch.chdir(specs / "models")
    run = generate(Path("."), tmp_path / "out")
    assert (run.code, run.diagnostics) == (0, []), run.explain()
    assert (tmp_path / "out" / "pkg" / "models" / "pet.py").is_file()


ROOT_NAMES = ("work", "sdk", "docs", "models")  # a spec root /work/sdk/docs/models


@pytest.mark.parametrize("doc, target, lands", [
    ("a.md", "b.md", "b.md"),
    ("a.md", "../models/b.md", "b.md"),
    ("components/a.md", "../../models/operations/b.md", "operations/b.md"),
    ("components/a.md", "../operations/b.md#anchor", "operations/b.md"),
    ("a.md", "../../docs/models/b.md", "b.md"),
    ("a.md", "/work/sdk/docs/models/b.md", "b.md"),
    ("a.md", "../other/b.md", None),
    ("a.md", "../../b.md", None),
    ("a.md", "../../../../../../b.md", None),
    ("a.md", "/etc/passwd", None),
    ("a.md", "..", None),
    ("a.md", "../models", None),
])
def test_links_resolve_by_their_normalised_target(doc: str, target: str, lands: object) -> None:
    assert link_path(doc, target, ROOT_NAMES) == lands


def _digests(specs: Path) -> dict[str, str]:
    return {path: file.digest for path, file in api.render(specs, "p", jobs=2).files.items()}


@pytest.mark.parametrize("version", [
    "orq-python-3.4.0",
    pytest.param("orq-python-4.13.19", marks=pytest.mark.slow),
])
def test_corpus_models_folder_equals_docs(version: str) -> None:
    docs = corpus_docs(version)
    assert _digests(docs / "models") == _digests(docs)


def test_the_seed_doc_of_the_corpus_generates_its_own_models(tmp_path: Path) -> None:
    """The doc this project started from, pointed at inside the real SDK's docs:
    it and the two models it links, nothing else of the 1,430."""
    seed = corpus_docs("orq-python-3.4.0") / "models" / "getsessionresponsebody.md"
    run = generate(seed, tmp_path / "out", "session_models")
    assert (run.code, run.diagnostics) == (0, []), run.explain()
    produced = contents(tmp_path / "out")
    assert sorted(path for path in produced if path.startswith("docs/")) == [
        "docs/models/getsessionbilling.md", "docs/models/getsessionresponsebody.md", "docs/models/getsessionusage.md"]
    # the module of the seed model is the one this project's own specs/ give
    repo_output = Path(__file__).resolve().parents[1] / "output" / "session_models" / "models"
    module = "session_models/models/getsessionresponsebody.py"
    assert produced[module] == (repo_output / "getsessionresponsebody.py").read_bytes()


@pytest.mark.parametrize("version", ["orq-python-3.4.0"])
def test_one_doc_reaches_every_model_it_refers_to_in_the_real_sdk(version: str) -> None:
    """Every model a doc of the closure refers to (by a link, or by name as a
    union's members are) is in the closure, for every tenth doc of the SDK."""
    docs = corpus_docs(version)
    root, paths, _ = find_docs(docs, api.DEFAULT_EXCLUDE)
    summaries, _ = parse_summaries(root, paths, 0)
    by_path = {s.path: s for s in summaries}
    defined = {s.key for s in summaries}
    for start in paths[::10]:
        closure = find_docs(docs / start, api.DEFAULT_EXCLUDE).paths
        keys = {by_path[rel].key for rel in closure}
        wanted = {(link.namespace, link.name) for rel in closure for link in by_path[rel].links}
        assert wanted & defined <= keys, (start, sorted(wanted & defined - keys)[:5])
