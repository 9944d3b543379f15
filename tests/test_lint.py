"""`md2models lint`: style warnings, errors, `--format json`, `--strict`.

Exit status: 0 when there are no errors (warnings or not), 1 with warnings
only under `--strict`, 2 on any error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Union

import pytest

from generator.diagnostics import RULES

from .specgen import Run, assert_well_formed, enum_doc, errors_at, link, md2models, object_doc, row, write_spec

# Pet <-> Owner reference each other and both use Kind: no model is unreferenced.
CLEAN: dict[str, Union[str, bytes]] = {
    "models/pet.md": object_doc("Pet", [row("kind", link("Kind")), row("owner", link("Owner"), required=False)]),
    "models/owner.md": object_doc("Owner", [row("pets", f"List[{link('Pet')}]"), row("kind", link("Kind"))]),
    "models/kind.md": enum_doc("Kind", ["cat", "dog"]),
}


def lint(tmp_path: Path, docs: Mapping[str, Union[str, bytes]], *options: str) -> tuple[Path, Run]:
    specs = write_spec(tmp_path, {**CLEAN, **docs})
    run = md2models("lint", specs, *options)
    if "json" not in options:
        assert_well_formed(run)
    return specs, run


def warnings_at(run: Run, specs: Path) -> list[tuple[str, int, int, str]]:
    root = specs.as_posix() + "/"
    return [(d.path.removeprefix(root), d.line, d.col, d.message) for d in run.warnings]


def test_clean_spec(tmp_path: Path) -> None:
    for options in ((), ("--strict",)):
        specs, run = lint(tmp_path, {}, *options)
        assert run.code == 0 and not run.diagnostics, run.explain()
        assert run.other_lines == ["md2models: 0 error(s), 0 warning(s)"]
    assert not (tmp_path / "out").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["specs"]


@pytest.mark.parametrize(
    "docs, where, pattern",
    [
        pytest.param({"models/toy.md": object_doc("Toy", [row("a", "*str*")])}, ("models/toy.md", 1, 1),
                     "model Toy is not referenced", id="unreferenced"),
        pytest.param({"models/pet.md": object_doc("Pet", [row("kind", "[models.Kind](../models/kinds.md)"),
                                                         row("owner", link("Owner"), required=False)])},
                     ("models/pet.md", 8, 3), "points at models/kinds.md, but models.Kind is defined in models/kind.md",
                     id="link-path-mismatch"),
        pytest.param({"models/pet.md": object_doc("Pet", [row("kind", "[models.Kind](../models/owner.md)"),
                                                         row("owner", link("Owner"), required=False)])},
                     ("models/pet.md", 8, 3), "points at models/owner.md", id="link-to-other-doc"),
        pytest.param({"models/pet.md": object_doc("Pet", [row("kind", "[models.Kind](https://example.com/k)"),
                                                         row("owner", link("Owner"), required=False)])},
                     ("models/pet.md", 8, 3), "is not a path to its doc", id="link-url"),
        pytest.param({"models/kind.md": enum_doc("Sort", ["a"]),
                      "models/pet.md": object_doc("Pet", [row("kind", link("Sort", stem="kind")),
                                                         row("owner", link("Owner"), required=False)]),
                      "models/owner.md": object_doc("Owner", [row("pets", f"List[{link('Pet')}]")])},
                     ("models/kind.md", 1, 1), "title 'Sort' does not match the file name 'kind'", id="title-vs-file"),
    ],
)
def test_warnings(tmp_path: Path, docs: dict, where: tuple[str, int, int], pattern: str) -> None:
    specs, run = lint(tmp_path, docs, "--unreferenced")
    assert run.code == 0, run.explain()
    assert not run.errors
    found = warnings_at(run, specs)
    assert any((w[0], w[1], w[2]) == where and pattern in w[3] for w in found), run.explain()
    assert run.other_lines == [f"md2models: 0 error(s), {len(found)} warning(s)"]
    _, strict = lint(tmp_path, docs, "--strict", "--unreferenced")
    assert strict.code == 1, strict.explain()
    assert strict.diagnostics == run.diagnostics


def test_unreferenced_models_are_only_reported_when_asked(tmp_path: Path) -> None:
    docs = {"models/toy.md": object_doc("Toy", [row("a", "*str*")])}
    specs, run = lint(tmp_path, docs, "--strict")
    assert run.code == 0 and not run.diagnostics, run.explain()
    specs, run = lint(tmp_path, docs, "--strict", "--unreferenced")
    assert run.code == 1 and [w[3] for w in warnings_at(run, specs)] == [
        "model Toy is not referenced by any other model"], run.explain()


def test_reserved_word_stems_are_no_mismatch(tmp_path: Path) -> None:
    docs = {
        "models/from_.md": enum_doc("From", ["a"]),
        "models/format_.md": enum_doc("Format", ["b"]),
        "models/pet.md": object_doc("Pet", [row("kind", link("Kind")), row("owner", link("Owner"), required=False),
                                            row("src", link("From", stem="from_")),
                                            row("fmt", link("Format", stem="format_"))]),
    }
    specs, run = lint(tmp_path, docs, "--strict")
    assert run.code == 0 and not run.diagnostics, run.explain()


def test_duplicate_field_names_are_an_error(tmp_path: Path) -> None:
    """Two `name` rows cannot both be attributes: an error, not a warning."""
    text = object_doc("Pet", [row("kind", link("Kind")), row("owner", link("Owner"), False), row("kind", "*str*")])
    specs, run = lint(tmp_path, {"models/pet.md": text})
    assert run.code == 2, run.explain()
    assert errors_at(run, specs) == [("models/pet.md", 10, 3, "field 'kind' is listed twice")]


def test_errors_win_over_warnings_and_strict(tmp_path: Path) -> None:
    docs = {"models/toy.md": object_doc("Toy", [row("a", "*strng*")]),
            "models/box.md": object_doc("Box", [row("a", "*str*")])}
    for options in ((), ("--strict",)):
        specs, run = lint(tmp_path, docs, *options)
        assert run.code == 2, run.explain()
        assert [d.path.removeprefix(specs.as_posix() + "/") for d in run.errors] == ["models/toy.md"]


def test_generate_prints_warnings_and_succeeds(tmp_path: Path) -> None:
    """Link warnings are not lint-only: generate shows them and still works."""
    docs = {"models/pet.md": object_doc("Pet", [row("kind", "[models.Kind](../models/kinds.md)"),
                                                row("owner", link("Owner"), required=False)])}
    specs = write_spec(tmp_path, {**CLEAN, **docs})
    run = md2models("generate", specs, "--out", tmp_path / "out", "--package", "pkg")
    assert run.code == 0, run.explain()
    assert_well_formed(run)
    assert [w[3] for w in warnings_at(run, specs) if "kinds.md" in w[3]], run.explain()


# --- --format json --------------------------------------------------------------


def lint_json(tmp_path: Path, docs: dict, *options: str) -> tuple[Path, Run, dict]:
    specs, run = lint(tmp_path, docs, "--format", "json", *options)
    data = json.loads(run.stdout)
    assert run.stderr == "", run.explain()
    assert set(data) == {"errors", "warnings", "problems"}
    assert data["errors"] == sum(p["severity"] == "error" for p in data["problems"])
    assert data["warnings"] == sum(p["severity"] == "warning" for p in data["problems"])
    for problem in data["problems"]:
        assert set(problem) == {"path", "line", "col", "severity", "message", "rule"}
        assert problem["rule"] in RULES
        assert problem["path"].startswith(specs.as_posix() + "/")
        assert isinstance(problem["line"], int) and problem["line"] >= 1
        assert isinstance(problem["col"], int) and problem["col"] >= 1
        assert problem["severity"] in ("error", "warning") and problem["message"]
    keys = [(p["path"], p["line"], p["col"]) for p in data["problems"]]
    assert keys == sorted(keys)
    return specs, run, data


def test_json_clean(tmp_path: Path) -> None:
    _, run, data = lint_json(tmp_path, {})
    assert run.code == 0 and data == {"errors": 0, "warnings": 0, "problems": []}


def test_json_warnings_and_strict(tmp_path: Path) -> None:
    docs = {"models/toy.md": object_doc("Toy", [row("a", "*str*")])}
    specs, run, data = lint_json(tmp_path, docs, "--unreferenced")
    assert run.code == 0
    assert data["problems"] == [{"path": f"{specs.as_posix()}/models/toy.md", "line": 1, "col": 1,
                                 "severity": "warning", "message": "model Toy is not referenced by any other model",
                                 "rule": "unreferenced-model"}]
    _, strict, strict_data = lint_json(tmp_path, docs, "--strict", "--unreferenced")
    assert strict.code == 1 and strict_data == data


def test_json_errors(tmp_path: Path) -> None:
    docs = {"models/toy.md": b"# Toy\n\n\xff", "models/box.md": object_doc("Box", [row("a", "*strng*")])}
    _, run, data = lint_json(tmp_path, docs)
    assert run.code == 2
    assert data["errors"] == 2 and [p["path"].rsplit("/", 1)[1] for p in data["problems"]] == ["box.md", "toy.md"]


def test_json_messages_with_hostile_text_stay_valid_json(tmp_path: Path) -> None:
    docs = {"models/toy.md": object_doc("Toy", [row("a", '*"}]\\u0000\t\r*')])}
    _, run, data = lint_json(tmp_path, docs)
    assert run.code == 2 and data["errors"] == 1


def test_missing_spec_folder(tmp_path: Path) -> None:
    for options in ((), ("--format", "json")):
        run = md2models("lint", tmp_path / "nope", *options)
        assert run.code == 2, run.explain()
