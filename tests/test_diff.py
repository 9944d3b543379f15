"""`md2models diff` on synthetic pairs of specs: every kind of change, what
each view says it breaks, format-only changes, the output formats, exit
statuses, bad input on either side, `--base`, the parse cache."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping, Optional

import pytest

from generator import diff as diffmod
from generator.overrides import load_overrides
from generator.diff import Diff, DiffSpecError, diff
from generator.diffrender import format_markdown, format_text
from .specgen import enum_doc, enum_table_doc, link, md2models, object_doc, row, union_doc

Docs = Mapping[str, str]
OPEN_NOTICE = "This is an open enum. Unrecognized values will not fail type checks.\n\n"


def enum_class_doc(title: str, members: list[tuple[str, str]]) -> str:
    """A table-form enum whose example shows an Enum class (`value = Kind.CAT`)."""
    example = f"## Example Usage\n\n```python\nfrom models import {title}\n\nvalue = {title}.{members[0][0]}\n```\n\n"
    return enum_table_doc(title, members).replace("\n## Values", example + "\n## Values", 1)


def open_enum_doc(title: str, values: list[str]) -> str:
    return enum_doc(title, values).replace("## Values\n\n", "## Values\n\n" + OPEN_NOTICE)


def widened(doc: str, extra: int = 7) -> str:
    """The doc with its table padded wider than canonical (a format-only change)."""
    lines = doc.split("\n")
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("|")]
    width = max(len(c) for row_cells in cells for c in row_cells) + extra
    out: list[str] = []
    for line in lines:
        if line.startswith("|"):
            parts = [c.strip() for c in line.strip("|").split("|")]
            rule = bool(out) and out[-1].startswith("|") and not (len(out) > 1 and out[-2].startswith("|"))
            line = "| " + " | ".join("-" * width if rule else c.ljust(width) for c in parts) + " |"
        out.append(line)
    return "\n".join(out)


def test_widened_pads_only_the_rule_row_with_dashes() -> None:
    doc = object_doc("Aal", [row("a", "*str*", False, "-")])
    assert [line.split("|")[4].strip() for line in widened(doc).split("\n") if line.startswith("| `")] == ["-"]


BASE: dict[str, str] = {
    "models/pet.md": object_doc("Pet", [
        row("id", "*str*"),
        row("name", "*Optional[str]*", False, "The pet's name"),
        row("tag", "*int*"),
        row("kind", link("Kind")),
    ], "A pet"),
    "models/kind.md": enum_doc("Kind", ["cat", "dog"]),
    "models/animal.md": union_doc("Animal", [("`models.Pet`", "models.Pet"), ("`str`", "str")]),
    "models/toy.md": object_doc("Toy", [row("id", "*str*")]),
}


def write(root: Path, docs: Docs) -> Path:
    for rel, text in docs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def pair(tmp_path: Path, new: Docs, old: Docs = BASE, drop: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """OLD = `old`; NEW = `old` with `new` written over it and `drop` left out."""
    after = {rel: text for rel, text in {**old, **new}.items() if rel not in drop}
    return write(tmp_path / "old", old), write(tmp_path / "new", after)


def changes(tmp_path: Path, new: Docs, old: Docs = BASE, drop: tuple[str, ...] = ()) -> Diff:
    return diff(*pair(tmp_path, new, old, drop))


Record = tuple[str, Optional[str], str, Optional[str], Optional[str], bool, bool]


def records(result: Diff) -> list[Record]:
    """(model, field, kind, old, new, breaks constructors, breaks readers) per change."""
    return [(c.model, c.field, c.kind, c.old, c.new, result.in_view("constructor").breaking(c),
             result.in_view("reader").breaking(c)) for c in result.changes]


def pet(*rows: tuple[str, ...], description: str = "A pet") -> dict[str, str]:
    return {"models/pet.md": object_doc("Pet", list(rows), description)}


ID, NAME, TAG, KIND = row("id", "*str*"), row("name", "*Optional[str]*", False, "The pet's name"), \
    row("tag", "*int*"), row("kind", link("Kind"))

# (new docs, docs dropped, expected records): one case per kind and rule.
CASES: dict[str, tuple[Docs, tuple[str, ...], list[Record]]] = {
    "model-added": ({"models/ball.md": object_doc("Ball", [row("size", "*int*")])}, (),
                    [("Ball", None, "model-added", None, "object", False, False)]),
    "model-removed": ({}, ("models/toy.md",), [("Toy", None, "model-removed", "object", None, True, True)]),
    "kind-changed": ({"models/toy.md": union_doc("Toy", [("`str`", "str")])}, (),
                     [("Toy", None, "type-changed", "object", "union", True, True)]),
    "field-added optional": (pet(ID, NAME, TAG, KIND, row("age", "*Optional[int]*", False)), (),
                             [("Pet", "age", "field-added", None, "int", False, False)]),
    "field-added required": (pet(ID, NAME, TAG, KIND, row("age", "*int*")), (),
                             [("Pet", "age", "field-added", None, "int", True, False)]),
    "field-added const": (pet(ID, NAME, TAG, KIND, row("type", '*Literal["pet"]*')), (),
                          [("Pet", "type", "field-added", None, 'Literal["pet"]', False, False)]),
    "field-removed": (pet(ID, NAME, KIND), (), [("Pet", "tag", "field-removed", "int", None, True, True)]),
    "type-changed": (pet(ID, NAME, row("tag", "*str*"), KIND), (),
                     [("Pet", "tag", "type-changed", "int", "str", True, True)]),
    "type-changed class": (pet(ID, NAME, TAG, row("kind", link("Toy"))), (),
                           [("Pet", "kind", "type-changed", "Kind", "Toy", True, True)]),
    "type widened int->float": (pet(ID, NAME, row("tag", "*float*"), KIND), (),
                                [("Pet", "tag", "type-changed", "int", "float", False, True)]),
    "type widened nullable": (pet(row("id", "*Nullable[str]*"), NAME, TAG, KIND), (),
                              [("Pet", "id", "type-changed", "str", "Nullable[str]", False, True)]),
    "type widened union": (pet(ID, NAME, row("tag", "*Union[int, str]*"), KIND), (),
                           [("Pet", "tag", "type-changed", "int", "Union[int, str]", False, True)]),
    "type narrowed float->int": (pet(ID, NAME, TAG, KIND), (),
                                 [("Pet", "tag", "type-changed", "float", "int", True, False)]),
    "required-changed to required": (pet(ID, row("name", "*str*", True, "The pet's name"), TAG, KIND), (),
                                     [("Pet", "name", "required-changed", "optional", "required", True, False)]),
    "required-changed to optional": (pet(ID, NAME, row("tag", "*Optional[int]*", False), KIND), (),
                                     [("Pet", "tag", "required-changed", "required", "optional", False, True)]),
    "default-changed": (pet(ID, row("name", "*OptionalNullable[str]*", False, "The pet's name"), TAG, KIND), (),
                        [("Pet", "name", "default-changed", "None", "UNSET", False, False),
                         ("Pet", "name", "type-changed", "str", "Nullable[str]", False, True)]),
    "enum-value-added": ({"models/kind.md": enum_doc("Kind", ["cat", "dog", "bird"])}, (),
                         [("Kind", None, "enum-value-added", None, "bird", False, True)]),
    "enum-value-removed": ({"models/kind.md": enum_doc("Kind", ["cat"])}, (),
                           [("Kind", None, "enum-value-removed", "dog", None, True, True)]),
    "enum opened": ({"models/kind.md": open_enum_doc("Kind", ["cat", "dog"])}, (),
                    [("Kind", None, "type-changed", "closed enum", "open enum", False, True)]),
    "enum became an Enum class": ({"models/kind.md": enum_class_doc("Kind", [("CAT", "cat"), ("DOG", "dog")])}, (),
                                  [("Kind", None, "type-changed", "Literal", "Enum class", False, True)]),
    "union-member-added": ({"models/animal.md": union_doc("Animal", [("`models.Pet`", "models.Pet"),
                                                                      ("`str`", "str"), ("`int`", "int")])}, (),
                           [("Animal", None, "union-member-added", None, "int", False, True)]),
    "union-member-removed": ({"models/animal.md": union_doc("Animal", [("`models.Pet`", "models.Pet")])}, (),
                             [("Animal", None, "union-member-removed", "str", None, True, True)]),
    "description-changed": (pet(ID, row("name", "*Optional[str]*", False, "What it answers to"), TAG, KIND,
                                description="A pet, kept at home"), (),
                            [("Pet", None, "description-changed", "A pet", "A pet, kept at home", False, False),
                             ("Pet", "name", "description-changed", "The pet's name", "What it answers to",
                              False, False)]),
}
NARROWED_FROM = pet(ID, NAME, row("tag", "*float*"), KIND)  # the old side of "type narrowed"


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_and_what_each_view_breaks(tmp_path: Path, case: str) -> None:
    new, drop, expected = CASES[case]
    old = {**BASE, **NARROWED_FROM} if case == "type narrowed float->int" else BASE
    assert records(changes(tmp_path, new, old, drop)) == expected


def test_an_open_enum_closed_breaks_constructors_and_a_value_added_to_it_breaks_nobody(tmp_path: Path) -> None:
    old = {**BASE, "models/kind.md": open_enum_doc("Kind", ["cat", "dog"])}
    assert records(changes(tmp_path / "a", {"models/kind.md": enum_doc("Kind", ["cat", "dog"])}, old)) == [
        ("Kind", None, "type-changed", "open enum", "closed enum", True, False)]
    assert records(changes(tmp_path / "b", {"models/kind.md": open_enum_doc("Kind", ["cat", "dog", "eel"])}, old)) == [
        ("Kind", None, "enum-value-added", None, "eel", False, False)]


def test_an_enum_class_that_became_a_literal_breaks_both_views(tmp_path: Path) -> None:
    old = {**BASE, "models/kind.md": enum_class_doc("Kind", [("CAT", "cat"), ("DOG", "dog")])}
    assert records(changes(tmp_path, {"models/kind.md": enum_doc("Kind", ["cat", "dog"])}, old)) == [
        ("Kind", None, "type-changed", "Enum class", "Literal", True, True)]


def test_overrides_apply_to_both_sides(tmp_path: Path) -> None:
    """A type the overrides pin is no change when the docs change it; a
    default they give is what both sides have; the file is checked against NEW."""
    old, new = pair(tmp_path, pet(ID, row("name", "*Optional[str]*", False, "The pet's name"), row("tag", "*str*"),
                                  KIND))
    assert records(diff(old, new)) == [("Pet", "tag", "type-changed", "int", "str", True, True)]
    overrides = tmp_path / "o.toml"
    overrides.write_text('[models.Pet.fields.tag]\ntype = "Union[int, str]"\n\n'
                         '[models.Pet.fields.name]\ndefault = \'"Rex"\'\n', encoding="utf-8")
    assert diff(old, new, overrides=load_overrides(overrides)).changes == ()
    run = md2models("diff", old, new, "--overrides", overrides, "--fail-on", "any")
    assert run.code == 0 and "no changes" in run.stdout, run.explain()
    # A default the overrides give is both sides' default: the docs' change of it is no change.
    _, nullable = pair(tmp_path / "b", pet(ID, row("name", "*OptionalNullable[str]*", False, "The pet's name"),
                                           TAG, KIND))
    assert [r[2] for r in records(diff(old, nullable))] == ["default-changed", "type-changed"]
    assert records(diff(old, nullable, overrides=load_overrides(overrides))) == [
        ("Pet", "name", "type-changed", "str", "Nullable[str]", False, True)]
    overrides.write_text('[models.Pet.fields.tag]\ntype = "Datetime"\n', encoding="utf-8")
    run = md2models("diff", old, new, "--overrides", overrides)
    assert run.code == 2 and "did you mean 'datetime'?" in run.stderr, run.explain()


def test_a_spec_against_itself_has_no_changes(tmp_path: Path) -> None:
    result = changes(tmp_path, {})
    assert result.changes == () and result.semver == "none"
    run = md2models("diff", tmp_path / "old", tmp_path / "new", "--fail-on", "any")
    assert run.code == 0 and "no changes" in run.stdout, run.explain()


def test_format_only_changes_are_no_changes(tmp_path: Path) -> None:
    """Wider table padding, a field row moved, an enum that gains an `## Example Usage` showing the
    style it had (a `Literal`: the default; one showing an Enum class changes the code, see above)."""
    old = {**BASE, "models/size.md": enum_table_doc("Size", [("SMALL", "small"), ("LARGE", "large")])}
    wide = widened(object_doc("Pet", [KIND, TAG, NAME, ID], "A pet"))
    with_example = enum_table_doc("Size", [("SMALL", "small"), ("LARGE", "large")]).replace(
        "\n## Values", '## Example Usage\n\n```python\nfrom models import Size\n\nvalue: Size = "small"\n```\n\n\n## Values')
    new_docs = {"models/pet.md": wide, "models/size.md": with_example}
    assert diff(*pair(tmp_path, new_docs, old)).changes == ()
    # ...and the parse did see a different doc: the same table with other widths.
    assert (tmp_path / "new/models/pet.md").read_bytes() != (tmp_path / "old/models/pet.md").read_bytes()


def test_renamed_models_and_where(tmp_path: Path) -> None:
    result = changes(tmp_path, {"models/plaything.md": object_doc("Plaything", [row("id", "*str*")])},
                     drop=("models/toy.md",))
    added, removed = result.changes
    assert (added.model, added.kind, added.renamed_from, added.where) == (
        "Plaything", "model-added", "Toy", "models/plaything.md:1")
    assert (removed.model, removed.kind, removed.where) == ("Toy", "model-removed", "models/toy.md:1")
    assert result.to_json()["changes"][0]["renamed_from"] == "Toy"


def test_the_link_graph_applies_reader_rules_to_read_models_only_in_the_strict_view(tmp_path: Path) -> None:
    """`Kind` is read (a response reaches it), `Size` only sent, `Loose`
    reached from no root (direction unknown: read, to be safe)."""
    old = {
        "models/getpetresponse.md": object_doc("GetPetResponse", [row("kind", link("Kind"))]),
        "models/createpetrequest.md": object_doc("CreatePetRequest", [row("size", link("Size"))]),
        "models/kind.md": enum_doc("Kind", ["cat"]),
        "models/size.md": enum_doc("Size", ["s"]),
        "models/loose.md": enum_doc("Loose", ["x"]),
    }
    new = {"models/kind.md": enum_doc("Kind", ["cat", "dog"]), "models/size.md": enum_doc("Size", ["s", "m"]),
           "models/loose.md": enum_doc("Loose", ["x", "y"])}
    result = changes(tmp_path, new, old)
    by_model = {c.model: c for c in result.changes}
    strict = result.in_view("strict")
    assert {m: strict.breaking(c) for m, c in by_model.items()} == {"Kind": True, "Loose": True, "Size": False}
    assert {m: c.breaking_view("strict") for m, c in by_model.items()} == {"Kind": "reader", "Loose": "reader",
                                                                            "Size": None}
    assert all(result.in_view("reader").breaking(c) for c in result.changes)
    assert not any(result.in_view("constructor").breaking(c) for c in result.changes)
    assert [r["view"] for r in strict.to_json()["changes"]] == ["reader", "reader", None]


def test_semver(tmp_path: Path) -> None:
    assert changes(tmp_path / "a", CASES["description-changed"][0]).semver == "patch"
    assert changes(tmp_path / "b", CASES["field-added optional"][0]).semver == "minor"
    widened_tag = changes(tmp_path / "c", CASES["type widened int->float"][0])
    assert widened_tag.semver == "minor" and widened_tag.in_view("reader").semver == "major"
    assert changes(tmp_path / "d", CASES["field-removed"][0]).semver == "major"


def test_order_is_model_field_kind(tmp_path: Path) -> None:
    new = {**pet(ID, row("name", "*str*", True, "renamed"), row("tag", "*str*"), KIND, row("age", "*int*")),
           "models/kind.md": enum_doc("Kind", ["cat", "eel"]), "models/ant.md": object_doc("Ant", [ID])}
    keys = [(c.model, c.field or "", c.kind) for c in changes(tmp_path, new).changes]
    assert keys == sorted(keys) and len(keys) == 7, keys


def test_json_shape(tmp_path: Path) -> None:
    old, new = pair(tmp_path, CASES["field-removed"][0])
    run = md2models("diff", old, new, "--format", "json")
    assert run.code == 0, run.explain()
    data = json.loads(run.stdout)
    assert data["semver"] == "major"
    (record,) = data["changes"]
    required = {"model": "Pet", "field": "tag", "kind": "field-removed", "breaking": True, "old": "int",
                "new": None, "where": "models/pet.md:12"}
    assert {k: record[k] for k in required} == required


@pytest.mark.parametrize("fail_on, case, code", [
    ("never", "field-removed", 0), ("breaking", "field-removed", 1), ("breaking", "field-added optional", 0),
    ("any", "field-added optional", 1), ("any", "", 0), ("breaking", "type widened int->float", 0),
])
def test_exit_status(tmp_path: Path, fail_on: str, case: str, code: int) -> None:
    old, new = pair(tmp_path, CASES[case][0] if case else {})
    run = md2models("diff", old, new, "--fail-on", fail_on)
    assert run.code == code, run.explain()


def test_view_option_decides_breaking(tmp_path: Path) -> None:
    old, new = pair(tmp_path, CASES["enum-value-added"][0])
    assert md2models("diff", old, new, "--fail-on", "breaking").code == 0
    assert md2models("diff", old, new, "--fail-on", "breaking", "--view", "reader").code == 1
    assert md2models("diff", old, new, "--fail-on", "breaking", "--view", "strict").code == 1


def test_text_output_groups_by_model_and_colours_only_when_asked(tmp_path: Path) -> None:
    result = changes(tmp_path, {**CASES["field-removed"][0], **CASES["enum-value-added"][0]})
    plain = format_text(result, color=False)
    assert "\033[" not in plain
    assert plain.splitlines() == [
        "Kind", "  + models/kind.md:16: value `bird` added",
        "Pet", "  ! models/pet.md:12: tag: removed (was `int`)  [breaking: constructor view]",
        "2 changes, 1 breaking (constructor view): semver major"]
    painted = format_text(result, color=True)
    assert "\033[31m! models/pet.md:12" in painted and "\033[32m+ models/kind.md:16" in painted
    run = md2models("diff", tmp_path / "old", tmp_path / "new")  # not a terminal: no colour
    assert run.stdout == plain


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.terminal import want_color

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert want_color(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not want_color(Tty())


def test_markdown_release_notes(tmp_path: Path) -> None:
    new = {**CASES["field-removed"][0], **CASES["enum-value-added"][0], "models/toy.md": object_doc(
        "Toy", [row("id", "*str*", True, "Its serial number")])}
    text = format_markdown(changes(tmp_path, new))
    assert text == ("### Model changes (major)\n\n"
                    "#### Breaking\n\n- `Pet.tag`: removed (was `int`)\n\n"
                    "#### Added\n\n- `Kind`: value `bird` added\n\n"
                    "#### Changed\n\n- `Toy.id`: description changed\n")
    old, new_root = tmp_path / "old", tmp_path / "new"
    assert md2models("diff", old, new_root, "--format", "markdown").stdout == text


def test_the_docs_list_every_rule_as_the_code_applies_it() -> None:
    from generator.diffrules import RULES

    readme = (Path(__file__).resolve().parents[1] / "docs" / "ci.md").read_text(encoding="utf-8")
    rows = {cells[0]: (cells[3], cells[4]) for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in readme.splitlines()
             if line.startswith("| B"))}
    word = {True: "breaks", False: "–"}
    assert rows == {rule.id: (word[rule.constructor], word[rule.reader]) for rule in RULES}


def test_bad_specs_on_either_side_are_errors_with_positions(tmp_path: Path) -> None:
    # a Required cell that is no marker: an error (a dangling link is only a warning)
    broken = {"models/pet.md": object_doc("Pet", [row("id", "*str*"), ("`kind`", "*str*", "yes", "N/A")])}
    old, new = pair(tmp_path, broken)
    for args in ((old, new), (new, old)):
        run = md2models("diff", *args)
        assert run.code == 2, run.explain()
        assert [(d.path, d.line, d.severity) for d in run.diagnostics] == [(f"{new.as_posix()}/models/pet.md", 9,
                                                                            "error")], run.explain()
    (old / "models/kind.md").write_text("# Kind\n\nno structure here\n")
    run = md2models("diff", old, new)
    assert run.code == 2 and {d.path.split("/models/")[0] for d in run.errors} == {old.as_posix(), new.as_posix()}
    with pytest.raises(DiffSpecError) as caught:
        diff(old, new)
    assert list(caught.value.sides) == ["old", "new"]


def test_usage_errors(tmp_path: Path) -> None:
    old, new = pair(tmp_path, {})
    assert md2models("diff", old).code == 2
    assert md2models("diff", old, new, "--base", "HEAD").code == 2
    assert md2models("diff", old, tmp_path / "missing").code == 2


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
                          check=True, capture_output=True, text=True).stdout


def test_base_compares_the_work_tree_with_a_git_ref_and_touches_nothing(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    specs = write(repo / "docs", BASE)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    write(specs, CASES["field-removed"][0])
    (repo / "untracked.txt").write_text("mine")
    status = git(repo, "status", "--porcelain")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.chdir(repo)
    run = md2models("diff", "--base", "HEAD", "docs", "--format", "json", "--fail-on", "breaking")
    assert run.code == 1, run.explain()
    assert [(c["model"], c["field"], c["kind"]) for c in json.loads(run.stdout)["changes"]] == [
        ("Pet", "tag", "field-removed")]
    assert git(repo, "status", "--porcelain") == status
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == before
    assert list(temp.iterdir()) == []  # the checked-out tree is gone
    assert md2models("diff", "--base", "no-such-ref", "docs").code == 2
    write(repo / "drafts", {"models/toy.md": BASE["models/toy.md"]})  # not committed: not at HEAD
    refused = md2models("diff", "--base", "HEAD", "drafts")
    assert refused.code == 2 and "drafts is not in HEAD" in refused.stderr, refused.explain()
    # A broken doc at the ref: its errors name the doc and the ref.
    (specs / "models/pet.md").write_text("# Pet\n\nbroken\n")
    git(repo, "commit", "-qam", "broken")
    write(specs, BASE)
    run = md2models("diff", "--base", "HEAD", "docs")
    assert run.code == 2, run.explain()
    assert [(d.path, d.message.endswith("(at HEAD)")) for d in run.errors] == [("docs/models/pet.md", True)]


def test_the_cache_parses_only_changed_docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = pair(tmp_path, {})
    cache = tmp_path / "cache"
    first = diff(old, new, cache_dir=cache)
    assert (cache / diffmod.CACHE_FILE).is_file() and (cache / ".gitignore").is_file()
    parsed: list[str] = []
    real = diffmod._parse_all

    def counting(pending: list[tuple[str, str, bytes]], jobs: int) -> dict[str, diffmod.Entry]:
        parsed.extend(rel for _, rel, _ in pending)
        return real(pending, jobs)

    monkeypatch.setattr(diffmod, "_parse_all", counting)
    assert diff(old, new, cache_dir=cache) == first and parsed == []
    write(new, CASES["field-removed"][0])
    assert [c.kind for c in diff(old, new, cache_dir=cache).changes] == ["field-removed"]
    assert parsed == ["models/pet.md"]


def test_parallel_parse_gives_the_same_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = {**BASE, **{f"models/m{i}.md": object_doc(f"M{i}", [row("a", "*int*")]) for i in range(40)}}
    new = {f"models/m{i}.md": object_doc(f"M{i}", [row("a", "*str*")]) for i in range(0, 40, 3)}
    serial = changes(tmp_path / "a", new, old)
    monkeypatch.setattr(diffmod, "PARALLEL_THRESHOLD", 10)
    assert diff(tmp_path / "a/old", tmp_path / "a/new", jobs=2) == serial
    assert len(serial.changes) == 14
