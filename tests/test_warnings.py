"""Warnings, and `--strict` turning each into an error.

* A dangling link (a reference to a model no doc defines: an upstream docs
  bug) is a warning at the row, with how to silence it; the missing model is
  typed `Any` in the model, its TypedDict twin and the dataclasses target;
  exit 0.  An override of the field's type silences it.
* A stale override (a model, field or type's model the spec no longer has)
  is a warning at the overrides file's line; the entry is left out.
* `--strict`, or `strict = true` in `[tool.md2models]`: every warning is an
  error (exit 2, nothing written), for generate and check; `lint` lists the
  same warnings and exits 1 under `--strict`.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Optional

import pytest

from .specgen import (
    assert_rejected,
    generate,
    link,
    load_package,
    md2models,
    model_class,
    object_doc,
    row,
    union_doc,
    write_spec,
)

PET = object_doc("Pet", [
    row("name", "*str*"),
    row("toy", link("Toy")),
    row("toys", f"List[{link('Toy')}]", required=False),
])
DOCS = {
    "models/pet.md": PET,
    "models/either.md": union_doc("Either", [("`models.Pet`", "models.Pet"), ("`models.Ghost`", "models.Ghost")]),
}
TOY_LINE = 9  # the `toy` row of PET
TOYS_LINE = 10


def spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path, DOCS)


def test_dangling_link_is_a_warning_and_typed_any(tmp_path: Path) -> None:
    specs = spec(tmp_path)
    out = tmp_path / "out"
    run = generate(specs, out)
    assert run.code == 0 and not run.errors, run.explain()
    root = specs.as_posix()
    assert [(d.path, d.line, d.col) for d in run.warnings] == [
        (f"{root}/models/either.md", 12, 1), (f"{root}/models/pet.md", TOY_LINE, 3),
        (f"{root}/models/pet.md", TOYS_LINE, 3)], run.explain()
    either, toy, _ = (d.message for d in run.warnings)
    assert toy.startswith("dangling link: no doc defines models.Toy (models/toy.md is absent)")
    assert '[models.Pet.fields.toy] type = "..."' in toy and "fix the doc" in toy
    assert "no doc defines models.Ghost" in either and "fix the doc" in either
    classes = load_package(out, "pkg")
    pet = model_class(classes, "Pet")
    hints = typing.get_type_hints(pet)
    assert (hints["toy"], hints["toys"]) == (Any, Optional[typing.List[Any]])
    assert pet.model_validate({"name": "n", "toy": {"anything": 1}}).toy == {"anything": 1}  # type: ignore[attr-defined]
    module = (out / "pkg" / "models" / "pet.py").read_text(encoding="utf-8")
    assert module.count("    toy: Any\n") == 2, module  # the model and its twin
    twin = (out / "pkg" / "models" / "either.py").read_text(encoding="utf-8")
    assert "Union[Pet, Any]" in twin and "Union[PetTypedDict, Any]" in twin, twin
    assert (out / "docs" / "models" / "pet.md").read_text(encoding="utf-8") == PET  # the doc keeps its link


def test_dangling_link_in_the_dataclasses_target(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = md2models("generate", spec(tmp_path), "--out", out, "--package", "pkg", "--target", "dataclasses")
    assert run.code == 0 and len(run.warnings) == 3, run.explain()
    assert "    toy: Any\n" in (out / "pkg" / "models" / "pet.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["generate", "check"])
def test_strict_makes_warnings_errors(tmp_path: Path, command: str) -> None:
    specs = spec(tmp_path)
    out = tmp_path / "out"
    run = md2models(command, specs, "--out", out, "--package", "pkg", "--strict")
    assert_rejected(run, out)
    assert [(d.line, d.severity) for d in run.diagnostics] == [(12, "error"), (TOY_LINE, "error"),
                                                               (TOYS_LINE, "error")], run.explain()
    assert run.stderr.endswith("md2models: 3 errors; nothing written\n"), run.explain()


def test_strict_from_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = spec(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.md2models]\nstrict = true\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert_rejected(generate(specs, out), out)
    run = md2models("generate", specs, "--out", out, "--package", "pkg", "--no-strict")
    assert run.code == 0 and len(run.warnings) == 3, run.explain()
    assert md2models("lint", specs).code == 1  # lint: exit 1 on warnings under strict
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\nstrict = "yes"\n', encoding="utf-8")
    bad = generate(specs, out)
    assert bad.code == 2 and "strict must be true or false" in bad.stderr, bad.explain()


def test_override_of_the_field_type_silences_the_dangling_link(tmp_path: Path) -> None:
    specs = spec(tmp_path)
    overrides = tmp_path / "o.toml"
    overrides.write_text('[models.Pet.fields.toy]\ntype = "Dict[str, int]"\n', encoding="utf-8")
    out = tmp_path / "out"
    run = md2models("generate", specs, "--out", out, "--package", "pkg", "--overrides", overrides, "--strict")
    assert run.code == 2  # the other two remain
    assert [d.line for d in run.diagnostics] == [12, TOYS_LINE], run.explain()
    run = md2models("generate", specs, "--out", out, "--package", "pkg", "--overrides", overrides)
    assert run.code == 0 and [d.line for d in run.warnings] == [12, TOYS_LINE], run.explain()
    hints = typing.get_type_hints(model_class(load_package(out, "pkg"), "Pet"))
    assert hints["toy"] == typing.Dict[str, int]
    lint = md2models("lint", specs, "--overrides", overrides)
    assert [d.line for d in lint.warnings] == [12, TOYS_LINE], lint.explain()


def test_lint_reports_dangling_links_as_generate_does(tmp_path: Path) -> None:
    specs = spec(tmp_path)
    run = md2models("lint", specs)
    assert run.code == 0 and [(d.line, d.severity) for d in run.warnings] == [
        (12, "warning"), (TOY_LINE, "warning"), (TOYS_LINE, "warning")], run.explain()
    assert md2models("lint", specs, "--strict").code == 1


# --- stale overrides --------------------------------------------------------------

STALE = """\
[models.Pet.fields.name]
alias = "petName"

[models.Gone]
class_name = "Went"

[models.Pet.fields.removed]
alias = "x"

[models.Pet.fields.toy]
type = "Optional[Vanished]"
"""


def test_stale_overrides_are_warnings(tmp_path: Path) -> None:
    specs = spec(tmp_path)
    overrides = tmp_path / "o.toml"
    overrides.write_text(STALE, encoding="utf-8")
    out = tmp_path / "out"
    run = md2models("generate", specs, "--out", out, "--package", "pkg", "--overrides", overrides)
    assert run.code == 0 and not run.errors, run.explain()
    stale = [(d.line, d.message) for d in run.warnings if d.path == str(overrides.resolve())]
    assert stale == [
        (4, "stale override: unknown model 'Gone' (the spec has no such model; entry ignored)"),
        (7, "stale override: model 'Pet' has no field 'removed' (entry ignored)"),
        (11, "stale override: type 'Optional[Vanished]': unknown model 'Vanished' (the type is ignored)"),
    ], run.explain()
    pet = model_class(load_package(out, "pkg"), "Pet")
    assert pet.model_fields["name"].alias == "petName"  # type: ignore[attr-defined]
    # the type was ignored, so the field's dangling link is reported again
    assert any(d.line == TOY_LINE and "dangling link" in d.message for d in run.warnings), run.explain()

    strict = md2models("generate", specs, "--out", tmp_path / "o2", "--package", "pkg", "--overrides", overrides,
                       "--strict")
    assert_rejected(strict, tmp_path / "o2")
    assert [d.line for d in strict.errors if d.path == str(overrides.resolve())] == [4, 7, 11]

    lint = md2models("lint", specs, "--overrides", overrides)
    assert lint.code == 0
    assert [d.line for d in lint.warnings if d.path == str(overrides.resolve())] == [4, 7, 11], lint.explain()
