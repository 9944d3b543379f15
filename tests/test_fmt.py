"""`md2models fmt`: docs rewritten in place in the canonical form.

Corpus: every doc of orq 3.4.0 and dub-python is canonical already
(`fmt --check` passes), and each, with its tables compacted, unpadded or
made ragged, comes back byte for byte (4.13.19 under `slow`).  Then, on a
copy of the seed specs: idempotence, bytes and mtime of canonical and bad
docs kept, mode kept, the meaning guard, symlinks, exit codes, `--diff`,
and file names as pre-commit passes them.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import generator.fmt
from generator.diagnostics import SpecError
from generator.fmt import MeaningChanged, format_docs, format_text
from generator.ir import ObjectModel
from generator.parse import parse_doc, spec_paths

from .support import ROOT, corpus_docs
from .test_cli import DIAGNOSTIC, cli, snapshot

CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def relayout(text: str, layout: str) -> str:
    """The doc with every table row laid out by hand: `compact` (`| a | b |`,
    `|---|---|`), `unpadded` (`|a|b|`, `|-|-|`) or `ragged` (each cell padded
    to a width of its own, separators of assorted lengths)."""
    lines = []
    for n, line in enumerate(text.split("\n")):
        if line.startswith("|") and line.rstrip(" ").endswith("|"):
            cells = [cell.strip(" ") for cell in CELL_SEPARATOR.split(line.rstrip(" "))[1:-1]]
            if all(re.fullmatch(r"-+", cell) for cell in cells):
                cells = ["-" * (1 + (n + k) % 4) if layout != "compact" else "---" for k in range(len(cells))]
            if layout == "unpadded":
                line = "|" + "|".join(cells) + "|"
            elif layout == "compact":
                line = "| " + " | ".join(cells) + " |"
            else:
                line = "|" + "|".join(" " * (k % 3) + cell + " " * ((n * k) % 5) for k, cell in enumerate(cells)) + "|"
        lines.append(line)
    return "\n".join(lines)


def meaning(text: str, rel: str) -> object:
    model, problems = parse_doc(text, rel)
    assert model is not None, problems
    return generator.fmt._meaning(model)


def kept_only_in_padding(original: object, relaid: object) -> bool:
    """Whether two IRs differ only where the width of the original's table
    kept a cell's trailing spaces, or its literal `<br/>` (parse's
    `_kept_cells`): what a hand layout of the table cannot say."""
    if isinstance(original, dict) and isinstance(relaid, dict):
        return original.keys() == relaid.keys() and all(kept_only_in_padding(original[k], relaid[k]) for k in original)
    if isinstance(original, list) and isinstance(relaid, list):
        return len(original) == len(relaid) and all(map(kept_only_in_padding, original, relaid))
    if isinstance(original, str) and isinstance(relaid, str):
        return original.rstrip(" ").replace("<br/>", "\n") == relaid.replace("<br/>", "\n")
    return original == relaid


def assert_hand_layouts_come_back(version: str, layouts: tuple[str, ...]) -> None:
    root = corpus_docs(version)
    paths, _ = spec_paths(root / "models", under="models/")
    lossy = []
    for rel in paths:
        text = (root / rel).read_text(encoding="utf-8")
        for layout in layouts:
            relaid = relayout(text, layout)
            if meaning(relaid, rel) != meaning(text, rel):
                assert kept_only_in_padding(meaning(text, rel), meaning(relaid, rel)), (rel, layout)
                lossy.append(rel)
                continue
            assert format_text(relaid, rel) == text, (rel, layout)
    assert len(set(lossy)) < len(paths) / 50, sorted(set(lossy))[:20]


# --- the corpora -------------------------------------------------------------


@pytest.mark.parametrize("version", ["orq-python-3.4.0", "dub-python"])
def test_every_corpus_doc_is_canonical(version: str) -> None:
    docs = corpus_docs(version)
    done = cli("fmt", "--check", docs)
    assert done.code == 0, done
    assert done.stdout == "" and re.fullmatch(r"md2models: 0 docs would be reformatted, \d+ unchanged\n", done.stderr)


@pytest.mark.slow
def test_every_doc_of_the_big_corpus_is_canonical() -> None:
    report = format_docs([corpus_docs("orq-python-4.13.19")], write=False)
    assert (report.changed, report.diagnostics) == ([], []) and report.unchanged > 18000


@pytest.mark.parametrize("version", ["orq-python-3.4.0", "dub-python"])
def test_hand_laid_tables_of_corpus_docs_come_back_byte_for_byte(version: str) -> None:
    assert_hand_layouts_come_back(version, ("compact", "unpadded", "ragged"))


@pytest.mark.slow
def test_hand_laid_tables_of_the_big_corpus_come_back_byte_for_byte() -> None:
    assert_hand_layouts_come_back("orq-python-4.13.19", ("compact", "ragged"))


# --- one doc -----------------------------------------------------------------

SLOPPY = """\
# Pet

A pet.

## Fields

|Field|Type|Required|Description|
|-|-|-|-|
| `name`|*str*|:heavy_check_mark:|The pet's name   |
|`tag`  | *Optional[str]* | :heavy_minus_sign: |N/A|
"""
CANONICAL = """\
# Pet

A pet.


## Fields

| Field              | Type               | Required           | Description        |
| ------------------ | ------------------ | ------------------ | ------------------ |
| `name`             | *str*              | :heavy_check_mark: | The pet's name     |
| `tag`              | *Optional[str]*    | :heavy_minus_sign: | N/A                |"""


def test_format_text_pads_every_column_to_the_widest_cell() -> None:
    assert format_text(SLOPPY, "models/pet.md") == CANONICAL
    assert format_text(CANONICAL, "models/pet.md") == CANONICAL
    # as read from disk: a BOM and CRLF line ends
    assert format_text("\ufeff" + SLOPPY.replace("\n", "\r\n"), "models/pet.md") == CANONICAL


def test_format_text_raises_the_docs_diagnostics() -> None:
    with pytest.raises(SpecError) as caught:
        format_text(SLOPPY.replace(":heavy_minus_sign:", "no"), "models/pet.md")
    [error] = caught.value.errors
    assert (error.path, error.line, error.col) == ("models/pet.md", 10, 29)
    assert error.message.startswith("Required must be")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("|-`* \n#:_aZ[]<br/>\\")), max_size=300))
def test_any_text_is_canonical_or_a_spec_error(text: str) -> None:
    try:
        canonical = format_text(f"# Pet\n\n## Fields\n\n{text}", "models/pet.md")
    except SpecError as exc:
        assert exc.errors
    else:
        assert format_text(canonical, "models/pet.md") == canonical


# --- files -------------------------------------------------------------------


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed specs, in a project without a config; cwd: tmp_path."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "specs"


def stats(paths: list[Path]) -> list[tuple[bytes, int, int]]:
    return [(p.read_bytes(), p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode)) for p in paths]


def test_fmt_rewrites_sloppy_docs_keeps_canonical_ones_and_is_idempotent(specs: Path) -> None:
    canonical = sorted((specs / "models").glob("*.md"))
    before = stats(canonical)
    pet = specs / "models" / "pet.md"
    pet.write_text(SLOPPY, encoding="utf-8")
    pet.chmod(0o640)
    done = cli("fmt")
    assert done.code == 0, done
    assert done.stdout == "reformatted specs/models/pet.md\n"
    assert done.stderr == "md2models: 1 doc reformatted, 3 unchanged\n"
    assert pet.read_text(encoding="utf-8") == CANONICAL
    assert stat.S_IMODE(pet.stat().st_mode) == 0o640
    assert stats(canonical) == before  # bytes and mtime
    after = stats([pet, *canonical])
    again = cli("fmt", specs)
    assert (again.code, again.stdout) == (0, "") and stats([pet, *canonical]) == after
    assert sorted(p.name for p in specs.rglob("*")) == sorted(["models", "pet.md", *(p.name for p in canonical)])


def test_check_and_diff_write_nothing_and_exit_1(specs: Path) -> None:
    (specs / "models" / "pet.md").write_text(SLOPPY, encoding="utf-8")
    before = snapshot(specs)
    checked = cli("fmt", "--check", "specs")
    assert (checked.code, checked.stdout) == (1, "would reformat specs/models/pet.md\n"), checked
    assert checked.stderr == "md2models: 1 doc would be reformatted, 3 unchanged\n"
    diffed = cli("fmt", "--diff", "specs/models")
    assert diffed.code == 1, diffed
    lines = diffed.stdout.splitlines()
    assert lines[:3] == ["--- a/specs/models/pet.md", "+++ b/specs/models/pet.md", "@@ -2,9 +2,10 @@"]
    assert "-|Field|Type|Required|Description|" in lines and "\\ No newline at end of file" in lines
    assert cli("fmt", "--check", "-q", "specs").stderr == ""
    assert snapshot(specs) == before


def test_a_bad_doc_is_reported_and_left_as_it_is_while_the_others_are_formatted(specs: Path) -> None:
    bad = specs / "models" / "bad.md"
    bad.write_text(SLOPPY.replace("*str*", "*str"), encoding="utf-8")
    (specs / "models" / "pet.md").write_text(SLOPPY, encoding="utf-8")
    [before] = stats([bad])
    done = cli("fmt")
    assert done.code == 2, done
    [error, summary] = done.stderr.splitlines()
    assert DIAGNOSTIC.match(error) and error.startswith("specs/models/bad.md:9:"), error
    assert summary == "md2models: 1 doc reformatted, 3 unchanged, 1 with errors, left as they are"
    assert stats([bad]) == [before]
    assert (specs / "models" / "pet.md").read_text(encoding="utf-8") == CANONICAL


def test_a_canonical_form_that_would_change_the_meaning_is_an_internal_error_and_nothing_is_written(
        specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_render = generator.fmt.render_doc

    def drops_a_field_of_pet(model: ObjectModel) -> str:
        return real_render(replace(model, fields=model.fields[:-1]) if model.name == "Pet" else model)

    (specs / "models" / "pet.md").write_text(SLOPPY, encoding="utf-8")
    (specs / "models" / "zoo.md").write_text(SLOPPY.replace("# Pet", "# Zoo"), encoding="utf-8")
    before = snapshot(specs)
    monkeypatch.setattr(generator.fmt, "render_doc", drops_a_field_of_pet)
    with pytest.raises(MeaningChanged, match="specs/models/pet.md would change what it means"):
        format_docs([specs.relative_to(Path.cwd())])
    done = cli("fmt")
    assert done.code == 3 and "internal error: MeaningChanged: the canonical form of specs/models/pet.md" in done.stderr
    assert snapshot(specs) == before


def test_symlinks_are_formatted_at_their_target_and_never_followed_out_of_specs(specs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(SLOPPY, encoding="utf-8")
    (specs / "models" / "outside.md").symlink_to(outside)
    (specs / "models" / "pet.md").write_text(SLOPPY, encoding="utf-8")
    (specs / "models" / "alias.md").symlink_to("pet.md")
    done = cli("fmt")
    assert done.code == 0, done
    assert "specs/models/outside.md:1:1: warning: a symlink that leads out of SPECS: left as it is" in done.stderr
    assert outside.read_text(encoding="utf-8") == SLOPPY
    assert (specs / "models" / "alias.md").is_symlink() and (specs / "models" / "pet.md").read_text() == CANONICAL
    assert done.stdout == "reformatted specs/models/alias.md\n"  # the first name it was reached by
    assert cli("fmt", "specs/models/outside.md").code == 0 and outside.read_text(encoding="utf-8") == SLOPPY


def test_file_names_as_pre_commit_passes_them(specs: Path) -> None:
    for name in ("pet.md", "cat.md"):
        (specs / "models" / name).write_text(SLOPPY.replace("# Pet", f"# {name[:3].title()}"), encoding="utf-8")
    (specs / "models" / "utils").mkdir()
    retry = specs / "models" / "utils" / "retryconfig.md"  # a hand-written page, excluded by default
    retry.write_text("Retries\n|a|\n", encoding="utf-8")
    done = cli("fmt", "specs/models/pet.md", "specs/models/cat.md", "specs/models/getsessionusage.md",
               "specs/models/utils/retryconfig.md")
    assert done.code == 0, done
    assert done.stdout == "reformatted specs/models/pet.md\nreformatted specs/models/cat.md\n"
    assert retry.read_text(encoding="utf-8") == "Retries\n|a|\n"
    assert (specs / "models" / "cat.md").read_text(encoding="utf-8") == CANONICAL.replace("# Pet", "# Cat")
    (specs / "notes.txt").write_text("x", encoding="utf-8")
    done = cli("fmt", "specs/notes.txt", "missing")
    assert done.code == 2 and "specs/notes.txt:1:1: error: not a model doc (*.md)" in done.stderr, done
    assert done.stderr.startswith("missing:1:1: error: spec folder does not exist"), done.stderr


def test_the_pre_commit_hook_passes_file_names() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    block = hooks[hooks.index("- id: md2models-fmt"):]
    assert "entry: md2models fmt\n" in block and "pass_filenames" not in block.split("- id:")[1]


def test_a_doc_that_cannot_be_written_is_an_error_and_the_others_are_still_written(
        specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = generator.fmt.replace_atomically

    def read_only_pet(full: str, data: bytes) -> tuple[int, int]:
        if full.endswith("/pet.md"):
            raise PermissionError(13, "Permission denied")
        return real_replace(full, data)

    (specs / "models" / "pet.md").write_text(SLOPPY, encoding="utf-8")
    (specs / "models" / "cat.md").write_text(SLOPPY.replace("# Pet", "# Cat"), encoding="utf-8")
    monkeypatch.setattr(generator.fmt, "replace_atomically", read_only_pet)
    done = cli("fmt")
    assert done.code == 2, done
    assert done.stdout == "reformatted specs/models/cat.md\n"
    assert done.stderr.startswith("specs/models/pet.md:1:1: error: cannot write: Permission denied\n"), done.stderr
    assert (specs / "models" / "pet.md").read_text(encoding="utf-8") == SLOPPY
    assert (specs / "models" / "cat.md").read_text(encoding="utf-8") == CANONICAL.replace("# Pet", "# Cat")
