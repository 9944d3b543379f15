"""Bad specs through the CLI: every problem is a `path:line:col: error:` line,
all of a run's problems are reported (sorted) in one go, the exit status is
2 and OUT is neither created nor changed.  BOM and CRLF are accepted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Optional, Union

import pytest

from .specgen import (
    assert_rejected,
    assert_well_formed,
    contents,
    enum_doc,
    errors_at,
    generate,
    link,
    load_package,
    md2models,
    model_class,
    object_doc,
    row,
    snapshot,
    union_doc,
    write_spec,
)

# A small valid spec every case starts from: Pet -> Kind (enum), Owner.
PET_ROWS = [
    row("name", "*str*"),
    row("kind", link("Kind")),
    row("owner", link("Owner"), required=False),
]
BASE: dict[str, Union[str, bytes]] = {
    "models/pet.md": object_doc("Pet", PET_ROWS, "A pet."),
    "models/kind.md": enum_doc("Kind", ["cat", "dog"]),
    "models/owner.md": object_doc("Owner", [row("pets", f"List[{link('Pet')}]")]),
}


def pet_with(*rows: tuple[str, ...]) -> str:
    return object_doc("Pet", [*PET_ROWS, *rows], "A pet.")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line holding `needle`."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def col_of(text: str, needle: str) -> int:
    """1-based column of `needle` on its line."""
    line = text.split("\n")[line_of(text, needle) - 1]
    return line.index(needle) + 1


def reject(tmp_path: Path, docs: Mapping[str, Union[str, bytes]], *, base: bool = True) -> tuple[Path, list]:
    """Generate from BASE overlaid with `docs`; assert the run is rejected
    cleanly; return the spec root and the errors (rel path, line, col, msg)."""
    specs = write_spec(tmp_path, {**(BASE if base else {}), **docs})
    out = tmp_path / "out"
    run = generate(specs, out)
    assert_rejected(run, out)
    return specs, errors_at(run, specs)


def assert_error(errors: list, path: str, line: int, col: Optional[int], pattern: str) -> None:
    hits = [e for e in errors if e[0] == path and e[1] == line and (col is None or e[2] == col)
            and re.search(pattern, e[3])]
    assert hits, f"no error {path}:{line}:{col or '*'} matching {pattern!r} in\n" + "\n".join(map(str, errors))


# --- tables ---------------------------------------------------------------------

ROW = "| `age` | *int* | :heavy_check_mark: | N/A |"


@pytest.mark.parametrize(
    "text, needle, pattern",
    [
        pytest.param("# Pet\n\n\n## Fields\n\n" + ROW, "`age`", r"table header must be", id="headerless"),
        pytest.param("# Pet\n\n\n## Fields\n\n| Field | Type | Required | Description |\n" + ROW, "`age`",
                     r"separator", id="no-separator"),
        pytest.param("# Pet\n\n\n## Fields\n\n| Field | Type | Required | Notes |\n| - | - | - | - |\n" + ROW,
                     "Notes", r"table header must be", id="wrong-header"),
        pytest.param("# Pet\n\n\n## Fields\n\n| Field | Type | Description |\n| - | - | - |\n" + ROW,
                     "| Field", r"table header must be", id="header-missing-column"),
        pytest.param("# Pet\n\n\n## Fields\n\n| Field | Type | Required | Description |\n| - | - | - |\n" + ROW,
                     "| - |", r"separator row has 3 cells", id="short-separator"),
        pytest.param("# Pet\n\n\n## Fields\n\n", "## Fields", r"has no table", id="no-table"),
        pytest.param("# Pet\n\n\n## Fields\n\n```\n" + ROW + "\n```", "## Fields", r"has no table", id="fenced-table"),
    ],
)
def test_malformed_tables(tmp_path: Path, text: str, needle: str, pattern: str) -> None:
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, needle), None, pattern)


@pytest.mark.parametrize(
    "bad_row, needle, pattern",
    [
        pytest.param("| `age` | *int* | :heavy_check_mark: |", "`age`", r"missing columns: row has 3 cells", id="missing"),
        pytest.param("| `age` | *int* | :heavy_check_mark: | N/A | 3 | x |", "`age`", r"extra columns: row has 6",
                     id="extra"),
        pytest.param("| `age` | *int* | :heavy_check_mark: | N/A", "`age`", r"start and end with '\|'", id="open-end"),
        pytest.param("`age` | *int* | :heavy_check_mark: | N/A |", "`age`", r"start and end with '\|'",
                     id="open-start"),
        pytest.param("| `age` | *int* | :heavy_check_mark: | a \\|", "`age`", r"start and end with '\|'",
                     id="escaped-last-pipe"),
    ],
)
def test_rows_with_wrong_columns(tmp_path: Path, bad_row: str, needle: str, pattern: str) -> None:
    text = pet_with() + "\n" + bad_row
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, needle), 1, pattern)


@pytest.mark.parametrize(
    "cell, at, pattern",
    [
        pytest.param("*strng*", "strng", r"unknown type 'strng'", id="unknown-primitive"),
        pytest.param("*Optional[strng]*", "strng", r"unknown type 'strng'", id="unknown-inside-wrapper"),
        pytest.param("*Set[str]*", "Set", r"unknown type 'Set'", id="unknown-wrapper"),
        pytest.param("*a.b.C*", "a.b.C", r"unknown type", id="dotted-too-deep"),
        pytest.param("List[*str*", "List[", r"missing '\]'", id="list-unclosed"),
        pytest.param("*List[str*", "List[", r"expected '\]'|unbalanced", id="unclosed-in-italic"),
        pytest.param("*Optional[str]]*", "*Optional", r"unexpected|expected|unbalanced", id="extra-close"),
        pytest.param("*Optional[[str]*", "*Optional", r"expected|unbalanced", id="extra-open"),
        pytest.param("*str", "*str", r"unbalanced markup", id="italic-unclosed"),
        pytest.param("[models.Kind(../models/kind.md)", "[models", r"unbalanced|link", id="link-unclosed"),
        pytest.param("[models.Kind](../models/kind.md", "[models", r"missing '\)'", id="target-unclosed"),
        pytest.param("[models.Kind]()", "[models", r"empty link target", id="target-empty"),
        pytest.param("*Dict[int, str]*", "Dict", r"expected 'str'", id="dict-int-keys"),
        pytest.param("*Optional[str, int]*", "Optional", r"takes one type", id="two-args"),
        pytest.param("*Literal[x]*", "Literal", r"literal value", id="literal-bare-name"),
        pytest.param("", "| :heavy", r"empty type|table|columns", id="empty-cell"),
        pytest.param("*str* *int*", "*str*", r"unexpected text", id="two-types"),
    ],
)
def test_bad_type_cells(tmp_path: Path, cell: str, at: str, pattern: str) -> None:
    text = pet_with(row("age", cell))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    line = line_of(text, "`age`")
    assert_error(errors, "models/pet.md", line, None, pattern)
    if cell:  # the column points into the cell, at or after its start
        (error,) = [e for e in errors if e[1] == line]
        row_text = text.split("\n")[line - 1]
        cell_col = row_text.index(cell, row_text.index("`age`") + 5) + 1
        assert cell_col <= error[2] <= cell_col + len(cell), (error, cell_col)


@pytest.mark.parametrize("marker", ["yes", ":white_check_mark:", ":heavy_check_mark", "N/A", "", "✔"])
def test_unknown_required_marker(tmp_path: Path, marker: str) -> None:
    text = pet_with(("`age`", "*int*", marker, "N/A"))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    line = line_of(text, "`age`")
    assert_error(errors, "models/pet.md", line, None, r"Required must be|empty|columns")
    if marker:
        row_text = text.split("\n")[line - 1]
        marker_col = row_text.index(marker, row_text.index("*int*") + 5) + 1
        assert_error(errors, "models/pet.md", line, marker_col, r"Required must be")


@pytest.mark.parametrize(
    "cell",
    ["`age", "age", "``", "~~`age`", "`age`~~"],
)
def test_bad_field_cells(tmp_path: Path, cell: str) -> None:
    text = pet_with((cell, "*int*", ":heavy_check_mark:", "N/A"))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, f"| {cell} "), None, r"field (cell|name)")


# --- links and names across docs -----------------------------------------------


# A reference no doc defines is a warning by default (test_spec_roots.py);
# under --strict it is an error at the row, nothing written.


def reject_strict(tmp_path: Path, docs: Mapping[str, Union[str, bytes]]) -> list:
    specs = write_spec(tmp_path, {**BASE, **docs})
    out = tmp_path / "out"
    run = md2models("generate", specs, "--out", out, "--package", "pkg", "--strict")
    assert_rejected(run, out)
    return errors_at(run, specs)


def test_link_to_missing_model(tmp_path: Path) -> None:
    text = pet_with(row("toy", link("Toy")))
    errors = reject_strict(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "`toy`"), 3, r"no doc defines models\.Toy")


def test_italic_reference_to_missing_model(tmp_path: Path) -> None:
    text = pet_with(row("toy", "*Optional[models.Toy]*", required=False))
    errors = reject_strict(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "`toy`"), 3, r"no doc defines models\.Toy")


def test_reference_to_missing_namespace(tmp_path: Path) -> None:
    text = pet_with(row("toy", "[shared.Kind](../shared/kind.md)"))
    errors = reject_strict(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "`toy`"), 3, r"no doc defines shared\.Kind")


def test_union_member_of_missing_model(tmp_path: Path) -> None:
    text = union_doc("Either", [("`models.Pet`", "models.Pet"), ("`models.Ghost`", "models.Ghost")])
    errors = reject_strict(tmp_path, {"models/either.md": text})
    assert_error(errors, "models/either.md", line_of(text, "### `models.Ghost`"), None, r"no doc defines models\.Ghost")


@pytest.mark.parametrize("target", ["../../kind.md", "../../../../etc/passwd", "/etc/passwd", "../../other/models/kind.md"])
def test_link_leaving_the_spec_root(tmp_path: Path, target: str) -> None:
    """The model is known by its name; the link, normalised, lands outside: a warning."""
    text = pet_with(row("other", f"[models.Kind]({target})"))
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": text})
    run = generate(specs, tmp_path / "out")
    assert run.code == 0 and not run.errors, run.explain()
    assert [(d.path, d.line, d.col) for d in run.warnings] == [
        (f"{specs.as_posix()}/models/pet.md", line_of(text, "`other`"), 3)], run.explain()
    assert "leads out of the spec root" in run.warnings[0].message


def test_link_leaving_the_spec_root_and_coming_back_in(tmp_path: Path) -> None:
    """Normalised against the root's own place, `../../specs/models/kind.md` is models/kind.md."""
    text = pet_with(row("other", "[models.Kind](../../specs/models/kind.md)"))
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": text})
    run = generate(specs, tmp_path / "out")
    assert (run.code, run.diagnostics) == (0, []), run.explain()


def test_same_model_in_two_docs(tmp_path: Path) -> None:
    text = object_doc("Pet", [row("name", "*str*")])
    specs, errors = reject(tmp_path, {"models/pet2.md": text})
    assert_error(errors, "models/pet2.md", 1, 1, r"models\.Pet is already defined in models/pet\.md")


def test_same_name_in_two_namespaces_is_fine(tmp_path: Path) -> None:
    docs = {
        "models/shared/pet.md": object_doc("Pet", [row("name", "*str*")]),
        "models/operations/pet.md": object_doc("Pet", [row("id", "*int*"),
                                                      row("shared", "[shared.Pet](../../models/shared/pet.md)")]),
    }
    specs = write_spec(tmp_path, docs)
    run = md2models("lint", specs)
    assert run.code == 0 and not run.errors, run.explain()


def test_modules_differing_in_case_collide(tmp_path: Path) -> None:
    """`a.md` and `A.md` are one module on case-insensitive file systems."""
    specs, errors = reject(tmp_path, {"models/a.md": object_doc("A", []), "models/A.md": object_doc("Ab", [])})
    assert any(e[0] in ("models/A.md", "models/a.md") and "same module" in e[3] for e in errors), errors


def test_class_twin_name_collides(tmp_path: Path) -> None:
    """`PetTypedDict` the model vs the TypedDict twin of `Pet`."""
    specs, errors = reject(tmp_path, {"models/pettypeddict.md": object_doc("PetTypedDict", [])})
    assert any(e[0] == "models/pettypeddict.md" and "PetTypedDict" in e[3] for e in errors), errors


def test_underscore_variants_of_a_title_stay_apart_or_are_rejected(tmp_path: Path) -> None:
    """`Foo_Bar` vs `FooBar` (and `foo_bar.md` vs `foobar.md`): either two
    distinct classes, or a clean error naming the collision; never one
    silently replacing the other."""
    docs = {
        "models/foo_bar.md": object_doc("Foo_Bar", [row("a", "*str*")]),
        "models/foobar.md": object_doc("FooBar", [row("b", "*int*")]),
        "models/user.md": object_doc("User", [row("x", link("Foo_Bar", stem="foo_bar")), row("y", link("FooBar"))]),
    }
    specs = write_spec(tmp_path, docs)
    out = tmp_path / "out"
    run = generate(specs, out)
    if run.code == 2:
        assert_rejected(run, out)
        assert any("Foo" in d.message for d in run.errors), run.explain()
        return
    assert run.code == 0, run.explain()
    classes = load_package(out, "pkg")
    foo_bar, foobar = model_class(classes, "Foo_Bar"), model_class(classes, "FooBar")
    assert foo_bar is not foobar
    assert set(foo_bar.model_fields) == {"a"} and set(foobar.model_fields) == {"b"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "names, pattern",
    [
        pytest.param(("tag", "tag"), r"'tag' is listed twice", id="same"),
        pytest.param(("class", "class_"), r"both become the attribute|not an identifier|listed twice", id="keyword"),
        pytest.param(("model_config", "model_config_"), r"both become the attribute|listed twice", id="pydantic"),
    ],
)
def test_field_names_colliding(tmp_path: Path, names: tuple[str, str], pattern: str) -> None:
    text = pet_with(row(names[0], "*str*"), row(names[1], "*int*"))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    lines = text.split("\n")
    second = max(i for i, line in enumerate(lines, 1) if line.startswith(f"| `{names[1]}` "))
    assert_error(errors, "models/pet.md", second, 3, pattern)


# --- whole documents ----------------------------------------------------------


@pytest.mark.parametrize(
    "content, line, pattern",
    [
        pytest.param("", 1, r"empty file", id="empty"),
        pytest.param("\n\n   \n\t\n", 1, r"empty file", id="blank"),
        pytest.param("Just some text.\n\n## Fields\n\n| Field |", 1, r"no title", id="no-title"),
        pytest.param("## Pet\n\n## Fields\n\n", 1, r"no title", id="h2-title"),
        pytest.param("# Pet\n\nA pet.\n", 1, r"no '## Fields'", id="no-section"),
        pytest.param("# Pet\n\n## Field\n\n" + ROW, 1, r"no '## Fields'", id="section-typo"),
        pytest.param("# My Pet\n\n\n## Fields\n\n", 1, r"not a model name", id="title-with-space"),
        pytest.param("# Café\n\n\n## Fields\n\n", 1, r"not a model name", id="title-non-ascii"),
        pytest.param("# ~~~~\n\n\n## Fields\n\n", 1, r"not a model name", id="title-only-tildes"),
        pytest.param("# Pet\n\n\n## Fields\n\n## Values\n\n- `1`\n", 6, r"unexpected sections", id="two-sections"),
        pytest.param("# Pet\n\n\n## Values\n\n", 4, r"lists no values", id="enum-no-values"),
        pytest.param("# Pet\n\n\n## Values\n\n- cat\n", 6, r"enum value must be", id="enum-bad-value"),
        pytest.param("# Pet\n\n\n## Supported Types\n\n", 4, r"lists no member types", id="union-empty"),
        pytest.param("# Pet\n\n\n## Supported Types\n\n### `str`\n\n```python\nstr\n```\n\n", 9,
                     r"union member is", id="union-bad-code"),
        pytest.param("# Pet\n\n\n## Supported Types\n\n```python\nvalue: str = /* values here */\n```\n\n", 7,
                     r"union member is", id="union-no-heading"),
        pytest.param("# Pet\n\n\n## Supported Types\n\n### x\n\n```python\nvalue: str[ = /* values here */\n```\n\n",
                     9, r"bad type", id="union-bad-type"),
        pytest.param("# Pet\n\n\n## Fields\n\n| Field | Type | Required | Description |\n| - | - | - | - |\n"
                     "\nTrailing prose.", 9, r"unexpected text after", id="text-after-table"),
    ],
)
def test_bad_documents(tmp_path: Path, content: str, line: int, pattern: str) -> None:
    specs, errors = reject(tmp_path, {"models/pet.md": content})
    assert_error(errors, "models/pet.md", line, None, pattern)


@pytest.mark.parametrize(
    "data, line, col, pattern",
    [
        pytest.param(b"# Pet\n\n\xff\xfe broken\n\n## Fields\n", 3, 1, r"not UTF-8: byte 0xff", id="latin1-byte"),
        pytest.param(b"# P\xc3t\n", 1, 4, r"not UTF-8", id="truncated-sequence"),
        pytest.param("# Pet\n\nA pet.".encode("utf-16"), 1, 1, r"not UTF-8|binary", id="utf-16"),
        pytest.param(b"# Pet\n\nA\0pet\n", 3, 1, r"binary file", id="nul"),
        pytest.param(bytes(range(256)) * 4, 1, 1, r"binary file", id="binary"),
        pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 3, 1, r"binary file", id="png"),
    ],
)
def test_undecodable_files(tmp_path: Path, data: bytes, line: int, col: int, pattern: str) -> None:
    specs, errors = reject(tmp_path, {"models/pet.md": data})
    assert_error(errors, "models/pet.md", line, col, pattern)


def test_file_too_large(tmp_path: Path) -> None:
    filler = ("x" * 99 + "\n") * (5 * 1024 * 1024 // 100)
    specs, errors = reject(tmp_path, {"models/pet.md": pet_with().replace("A pet.", filler)})
    assert_error(errors, "models/pet.md", 1, 1, r"at most \d+")


def test_large_valid_file_is_fine(tmp_path: Path) -> None:
    """A 1500-field model with long descriptions (~1.3 MB) lints cleanly."""
    rows = [row(f"f{i}", "*Optional[str]*", False, "word " * 40) for i in range(1500)]
    specs = write_spec(tmp_path, {**BASE, "models/big.md": object_doc("Big", rows, "Big.\n\n" * 200)})
    run = md2models("lint", specs)
    assert run.code == 0 and not run.errors, run.explain()


def test_type_nested_too_deep(tmp_path: Path) -> None:
    cell = "List[" * 40 + "*str*" + "]" * 40
    text = pet_with(row("deep", cell))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "`deep`"), None, r"nested deeper")


def test_type_nested_too_deep_inside_markup(tmp_path: Path) -> None:
    cell = "*" + "Optional[" * 2000 + "str" + "]" * 2000 + "*"
    text = pet_with(row("deep", cell, required=False))
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "`deep`"), None, r"nested deeper")


def test_deep_but_allowed_nesting_generates(tmp_path: Path) -> None:
    cell = "List[" * 8 + "Dict[str, " * 8 + link("Kind", wrapper="Optional") + "]" * 16
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": pet_with(row("deep", cell))})
    out = tmp_path / "out"
    run = generate(specs, out)
    assert run.code == 0, run.explain()


# --- the run as a whole --------------------------------------------------------

OUTPUT_OPTIONS = {
    "generate": lambda root: ("--out", root / "out", "--package", "pkg"),
    "check": lambda root: ("--out", root / "out", "--package", "pkg"),
    "ir": lambda root: (),
    "lint": lambda root: (),
}


def test_many_errors_in_many_files_are_reported_sorted_in_one_run(tmp_path: Path) -> None:
    owner = object_doc("Owner", [row("pets", f"List[{link('Pet')}]"), row("age", "*int*", description="x"),
                                 ("`name`", "*str*", "maybe", "N/A")])
    docs = {
        "models/owner.md": owner,
        "models/kind.md": b"# Kind\n\n\xff\n",
        "models/pet.md": pet_with(row("bad", "*strng*")),
        "models/zoo/cage.md": "",
        "models/aaa.md": "no title here",
    }
    specs, errors = reject(tmp_path, docs)  # type: ignore[arg-type]
    where = [(e[0], e[1]) for e in errors]
    assert where == sorted(where)
    expected = [
        ("models/aaa.md", 1),
        ("models/kind.md", 3),
        ("models/owner.md", line_of(owner, "`name`")),
        ("models/pet.md", line_of(str(docs["models/pet.md"]), "`bad`")),
        ("models/zoo/cage.md", 1),
    ]
    missing = [e for e in expected if e not in where]
    assert not missing, f"missing {missing} in\n" + "\n".join(map(str, errors))


@pytest.mark.parametrize("command", [
    "generate",
    "check",
    "ir",
    "lint",
])
def test_parse_and_resolve_errors_are_reported_together(tmp_path: Path, command: str) -> None:
    """A parse error in one doc must not hide an unknown model in another."""
    toys = object_doc("Toys", [row("toy", link("Toy")), row("ok", "*int*"), row("ball", link("Ball"))])
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": pet_with(row("bad", "*strng*")), "models/toys.md": toys})
    run = md2models(command, specs, *OUTPUT_OPTIONS[command](tmp_path))
    assert run.code == 2
    assert_well_formed(run)
    root = specs.as_posix() + "/"  # the dangling links are warnings, reported with the errors
    where = [(d.path[len(root):], d.line) for d in run.diagnostics if d.path.startswith(root)]
    for expected in [("models/pet.md", 13), ("models/toys.md", line_of(toys, "`toy`")),
                     ("models/toys.md", line_of(toys, "`ball`"))]:
        assert expected in where, run.explain()


def test_failing_run_leaves_existing_output_alone(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, BASE)
    out = tmp_path / "out"
    assert generate(specs, out).code == 0
    (out / "notes.txt").write_text("hand-written")
    before = snapshot(out)
    (specs / "models/pet.md").write_text(pet_with(row("bad", "*strng*")))
    run = generate(specs, out)
    assert_rejected(run, out, before)


def test_check_and_ir_report_the_same_errors(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": pet_with(row("bad", "*strng*"))})
    runs = [md2models("ir", specs), md2models("check", specs, "--out", tmp_path / "out", "--package", "pkg"),
            md2models("lint", specs)]
    for run in runs:
        assert run.code == 2, run.explain()
        assert_well_formed(run)
    assert len({tuple(run.errors) for run in runs}) == 1, [r.explain() for r in runs]
    assert "Traceback" not in runs[0].stdout and not runs[0].stdout.strip(), runs[0].explain()


@pytest.mark.parametrize(
    "setup, pattern",
    [
        pytest.param(lambda root: root / "missing", r"does not exist", id="missing-folder"),
        pytest.param(lambda root: (root / "empty").mkdir() or root / "empty", r"no model docs", id="no-docs"),
    ],
)
def test_bad_spec_folder(tmp_path: Path, setup, pattern: str) -> None:  # type: ignore[no-untyped-def]
    specs = setup(tmp_path)
    out = tmp_path / "out"
    run = generate(specs, out)
    assert_rejected(run, out)
    assert re.search(pattern, run.errors[0].message), run.explain()




@pytest.mark.parametrize("package", ["1pkg", "my-pkg", "docs", "", "pkg.sub",
                                     "class",
                                     "import",
                                     "None"])
def test_bad_package_names(tmp_path: Path, package: str) -> None:
    specs = write_spec(tmp_path, BASE)
    out = tmp_path / "out"
    run = generate(specs, out, package)
    assert run.code == 2, run.explain()
    assert_well_formed(run)
    assert not out.exists()


def test_dangling_symlink_doc(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, BASE)
    (specs / "models/broken.md").symlink_to(tmp_path / "nowhere.md")
    out = tmp_path / "out"
    run = generate(specs, out)
    assert run.code in (0, 2), run.explain()
    assert_well_formed(run)
    if run.code == 2:
        assert_rejected(run, out)
        assert [e[0] for e in errors_at(run, specs)] == ["models/broken.md"]


def test_folder_named_like_a_doc(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, BASE)
    (specs / "models/dir.md").mkdir()
    run = generate(specs, tmp_path / "out")
    assert run.code in (0, 2), run.explain()
    assert_well_formed(run)


@pytest.mark.skipif(__import__("os").geteuid() == 0, reason="root reads every file")
def test_unreadable_doc(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, BASE)
    (specs / "models/pet.md").chmod(0)
    run = generate(specs, tmp_path / "out")
    assert_rejected(run, tmp_path / "out")
    assert_error(errors_at(run, specs), "models/pet.md", 1, 1, r"cannot read")


# --- accepted variants: BOM and CRLF -------------------------------------------


def _variants(text: str) -> dict[str, bytes]:
    return {
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "crlf": text.replace("\n", "\r\n").encode(),
        "bom+crlf": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    }


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_generate_the_same_output(tmp_path: Path, variant: str) -> None:
    plain_specs = write_spec(tmp_path / "plain", BASE)
    plain_out = tmp_path / "plain" / "out"
    assert generate(plain_specs, plain_out).code == 0
    other = {path: _variants(text)[variant] for path, text in BASE.items()}  # type: ignore[arg-type]
    specs = write_spec(tmp_path / variant, other)
    out = tmp_path / variant / "out"
    run = generate(specs, out)
    assert run.code == 0, run.explain()
    assert not run.warnings, run.explain()
    assert contents(out) == contents(plain_out)


def test_crlf_positions_match_lf_positions(tmp_path: Path) -> None:
    text = pet_with(row("bad", "*strng*"))
    _, lf_errors = reject(tmp_path / "lf", {"models/pet.md": text})
    _, crlf_errors = reject(tmp_path / "crlf", {"models/pet.md": _variants(text)["bom+crlf"]})
    assert lf_errors == crlf_errors


def test_text_after_table_points_at_the_text(tmp_path: Path) -> None:
    text = pet_with() + "\n\n\nTrailing prose."
    specs, errors = reject(tmp_path, {"models/pet.md": text})
    assert_error(errors, "models/pet.md", line_of(text, "Trailing prose."), 1, r"unexpected text after")




@pytest.mark.parametrize("command", ["generate", "check", "ir",
                                     "lint"])
def test_broken_doc_causes_no_follow_up_errors(tmp_path: Path, command: str) -> None:
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": pet_with(row("bad", "*strng*"))})
    run = md2models(command, specs, *OUTPUT_OPTIONS[command](tmp_path))
    assert run.code == 2
    assert [e[0] for e in errors_at(run, specs)] == ["models/pet.md"], run.explain()


def test_broken_doc_causes_no_false_unreferenced_warning(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {**BASE, "models/pet.md": pet_with(row("bad", "*strng*"))})
    run = md2models("lint", specs)
    assert not [d for d in run.warnings if "Kind" in d.message], run.explain()

# --- bad payloads: the generated models reject them -----------------------------

PAYLOAD_SPEC = {
    "models/pet.md": object_doc("Pet", [
        row("name", "*str*"),
        row("age", "*int*"),
        row("tags", "List[*str*]"),
        row("scores", "Dict[str, *float*]"),
        row("note", "*Nullable[str]*"),
        row("kind", link("Kind")),
        row("nick", "*Optional[str]*", required=False),
        row("owner", link("Owner"), required=False),
    ]),
    "models/kind.md": enum_doc("Kind", ["cat", "dog"]),
    "models/owner.md": object_doc("Owner", [row("name", "*str*"), row("pets", f"List[{link('Pet')}]", False)]),
}
DROP = object()  # a key to leave out of the payload
GOOD_PET = {"name": "Rex", "age": 3, "tags": ["a"], "scores": {"x": 1.5}, "note": None, "kind": "dog"}


@pytest.fixture(scope="module")
def pet_classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, type]:
    root = tmp_path_factory.mktemp("payloads")
    specs = write_spec(root, PAYLOAD_SPEC)
    run = generate(specs, root / "out", "payload_pkg")
    assert run.code == 0, run.explain()
    return load_package(root / "out", "payload_pkg")


def test_good_payload_validates(pet_classes: dict[str, type]) -> None:
    pet = model_class(pet_classes, "Pet")
    loaded = pet.model_validate({**GOOD_PET, "owner": {"name": "Ann", "pets": [GOOD_PET]}})  # type: ignore[attr-defined]
    assert loaded.model_dump(by_alias=True, exclude_unset=True)["owner"]["pets"][0]["name"] == "Rex"


@pytest.mark.parametrize(
    "change, location",
    [
        pytest.param({"age": "old"}, ("age",), id="str-for-int"),
        pytest.param({"age": 3.5}, ("age",), id="fraction-for-int"),
        pytest.param({"name": 12}, ("name",), id="int-for-str"),
        pytest.param({"tags": "a"}, ("tags",), id="str-for-list"),
        pytest.param({"tags": [1]}, ("tags", 0), id="int-in-list-of-str"),
        pytest.param({"scores": ["x"]}, ("scores",), id="list-for-dict"),
        pytest.param({"scores": {"x": "high"}}, ("scores", "x"), id="bad-dict-value"),
        pytest.param({"kind": "fish"}, ("kind",), id="not-an-enum-value"),
        pytest.param({"owner": {"pets": []}}, ("owner", "name"), id="nested-missing"),
        pytest.param({"owner": {"name": "Ann", "pets": [{"name": "x"}]}}, ("owner", "pets", 0), id="deep-missing"),
        pytest.param({"name": None}, ("name",), id="null-for-required-str"),
        pytest.param({"tags": None}, ("tags",), id="null-for-required-list"),
        pytest.param({"kind": None}, ("kind",), id="null-for-required-enum"),
        pytest.param({"tags": [None]}, ("tags", 0), id="null-in-list"),
        pytest.param({"name": DROP}, ("name",), id="missing-required"),
        pytest.param({"note": DROP}, ("note",), id="missing-nullable-required"),
    ],
)
def test_bad_payloads_are_rejected(pet_classes: dict[str, type], change: dict, location: tuple) -> None:
    from pydantic import ValidationError

    payload = {**GOOD_PET, **change}
    payload = {k: v for k, v in payload.items() if v is not DROP}
    with pytest.raises(ValidationError) as info:
        model_class(pet_classes, "Pet").model_validate(payload)  # type: ignore[attr-defined]
    locations = [tuple(error["loc"]) for error in info.value.errors()]
    assert any(loc[: len(location)] == location for loc in locations), locations


# --- the incremental cache never outlives a bad run -----------------------------


def test_fixing_a_bad_doc_gives_the_fresh_output(tmp_path: Path) -> None:
    specs = write_spec(tmp_path / "a", BASE)
    out = tmp_path / "a" / "out"
    assert generate(specs, out).code == 0
    good = (specs / "models/pet.md").read_bytes()
    (specs / "models/pet.md").write_text(pet_with(row("bad", "*strng*")))
    assert_rejected(generate(specs, out), out, snapshot(out))
    (specs / "models/pet.md").write_text(pet_with(row("age", "*int*")))
    assert generate(specs, out).code == 0
    fresh_specs = write_spec(tmp_path / "b", {**BASE, "models/pet.md": pet_with(row("age", "*int*"))})
    fresh = tmp_path / "b" / "out"
    assert generate(fresh_specs, fresh).code == 0
    assert contents(out) == contents(fresh)
    (specs / "models/pet.md").write_bytes(good)
    assert generate(specs, out).code == 0
    assert generate(specs, tmp_path / "c").code == 0 and contents(out) == contents(tmp_path / "c")
