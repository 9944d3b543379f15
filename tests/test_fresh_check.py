"""`check` on a fresh clone: the specs and the committed output (with its
manifest), no cache.  When every doc is as the manifest records it (same salt),
it parses nothing and compares the files (`quickcheck`); otherwise it
renders only the docs whose inputs key differs from the manifest's.  Every
way the output can go stale must still fail it (exit 1), and an untouched
clone must render nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator
from unittest import mock

import pytest

from generator import api, build, workers, write
from generator.manifest import CACHE_DIR, MANIFEST_NAME, PACKAGE_INPUTS
from generator.templating import use_templates
from generator.write import CheckReport

from .test_cli import cli

DOCS = {
    "holder.md": """# Holder

Holds a thing and a pet.

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `thing` | [models.Thing](../models/thing.md) | :heavy_check_mark: | The thing. |
| `pet` | [Optional[models.Pet]](../models/pet.md) | :heavy_minus_sign: | N/A |
""",
    "thing.md": """# Thing

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `id` | *str* | :heavy_check_mark: | N/A |
""",
    "pet.md": """# Pet

A cat or a dog.

## Supported Types

### `models.Cat`

```python
value: models.Cat = /* values here */
```

### `models.Dog`

```python
value: models.Dog = /* values here */
```
""",
    "cat.md": """# Cat

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `kind` | *Literal["cat"]* | :heavy_check_mark: | N/A |
| `lives` | *int* | :heavy_check_mark: | N/A |
""",
    "dog.md": """# Dog

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `kind` | *Literal["dog"]* | :heavy_check_mark: | N/A |
| `is_good` | *bool* | :heavy_check_mark: | N/A |
""",
    "lonely.md": """# Lonely

Nobody refers to it.

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `name` | *str* | :heavy_minus_sign: | N/A |
""",
}

THING_AS_ENUM = """# Thing

## Values

| Name | Value |
| ---- | ----- |
| `A` | a |
"""


@pytest.fixture(autouse=True)
def builtin_templates() -> Iterator[None]:
    yield
    use_templates(None)


def committed(tmp_path: Path, **options: Any) -> tuple[Path, Path]:
    """Generate from the docs, then make a fresh clone of specs and output:
    (its specs, its OUT), without the cache folder (git ignores it)."""
    work = tmp_path / "work"
    for name, text in DOCS.items():
        (work / "specs" / "models").mkdir(parents=True, exist_ok=True)
        (work / "specs" / "models" / name).write_text(text)
    api.generate(work / "specs", work / "out", "pkg", **options)
    return clone(work / "specs", work / "out", tmp_path / "clone")


def clone(specs: Path, out: Path, to: Path) -> tuple[Path, Path]:
    shutil.copytree(specs, to / "specs")
    shutil.copytree(out, to / "out", ignore=shutil.ignore_patterns(CACHE_DIR))
    return to / "specs", to / "out"


# What a check renders when it trusts nothing: every doc's module, and the package's own files.
EVERYTHING = {f"models/{name}" for name in DOCS} | {PACKAGE_INPUTS}


def fresh_check(specs: Path, out: Path, **options: Any) -> tuple[CheckReport, set[str]]:
    """The check's report, and the docs whose module it rendered (and
    PACKAGE_INPUTS if it rendered the package's own files)."""
    rendered: set[str] = set()
    real, real_package = workers.render_module, build.render_package

    def counting(model: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.add(model.path)
        return real(model, *args, **kwargs)

    def counting_package(*args: Any, **kwargs: Any) -> Any:
        rendered.add(PACKAGE_INPUTS)
        return real_package(*args, **kwargs)

    with mock.patch.object(workers, "render_module", counting), \
            mock.patch.object(build, "render_package", counting_package):
        report = api.check(specs, out, "pkg", **options)[0]
    assert not (out / CACHE_DIR).exists()  # check writes nothing
    return report, rendered


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_untouched_clone_is_up_to_date_and_renders_nothing(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    report, rendered = fresh_check(specs, out)
    assert report.up_to_date and rendered == set()
    report, rendered = fresh_check(specs, out, full=True)  # --full renders every doc
    assert report.up_to_date and rendered == EVERYTHING


def test_an_edited_doc(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    edit(specs / "models" / "lonely.md", "Nobody refers to it.", "Still alone.")
    report, rendered = fresh_check(specs, out)
    assert report.stale == ("docs/models/lonely.md", "pkg/models/lonely.py") and rendered == {"models/lonely.md"}


def test_an_object_that_becomes_an_enum_changes_its_referrers(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    (specs / "models" / "thing.md").write_text(THING_AS_ENUM)
    report, rendered = fresh_check(specs, out)
    # holder.md did not change, but its module imports Thing's twin no more
    assert "pkg/models/holder.py" in report.stale and "docs/models/holder.md" not in report.stale
    assert {"models/thing.md", "models/holder.md"} <= rendered and "models/lonely.md" not in rendered


def test_a_members_tag_change_changes_its_discriminated_union(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    assert 'pydantic.Tag("cat")' in (out / "pkg" / "models" / "pet.py").read_text()
    edit(specs / "models" / "cat.md", 'Literal["cat"]', 'Literal["kitty"]')
    report, rendered = fresh_check(specs, out)
    assert "pkg/models/pet.py" in report.stale and "models/pet.md" in rendered


@pytest.mark.parametrize("change", ["edited", "deleted", "edited doc page", "edited package index"])
def test_a_hand_changed_output_file(tmp_path: Path, change: str) -> None:
    specs, out = committed(tmp_path)
    module, page = out / "pkg" / "models" / "thing.py", out / "docs" / "models" / "thing.md"
    if change == "edited package index":
        index = out / "pkg" / "__init__.py"
        index.write_text(index.read_text().replace('"Thing"', '"Thingy"'))
        report, rendered = fresh_check(specs, out)
        assert report.stale == ("pkg/__init__.py",) and rendered == set()
        return
    if change == "edited":
        module.write_text(module.read_text() + "# hand-edited\n")
    elif change == "deleted":
        module.unlink()
    else:
        page.write_text(page.read_text().replace("Thing", "Thingy"))
    report, rendered = fresh_check(specs, out)
    assert not report.up_to_date and rendered == set()  # the manifest's digest is compared with the file
    assert (report.missing if change == "deleted" else report.stale) == (
        ("docs/models/thing.md",) if change == "edited doc page" else ("pkg/models/thing.py",))


def test_a_new_doc_changes_the_package_index(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    (specs / "models" / "newcomer.md").write_text(DOCS["lonely.md"].replace("# Lonely", "# Newcomer"))
    report, rendered = fresh_check(specs, out)
    assert "pkg/__init__.py" in report.stale and rendered == {"models/newcomer.md", PACKAGE_INPUTS}


def test_a_manifest_without_the_package_key_renders_the_package(tmp_path: Path) -> None:
    """As an md2models before the package's own files were keyed wrote it
    (format 3, before the doc digests)."""
    specs, out = committed(tmp_path)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    del manifest["inputs"][PACKAGE_INPUTS], manifest["docs"], manifest["docs_salt"]
    manifest["format"] = 3
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    report, rendered = fresh_check(specs, out)
    assert report.up_to_date and rendered == {PACKAGE_INPUTS}


def test_an_extra_output_file(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    (specs / "models" / "lonely.md").unlink()  # its outputs stay: generated once, no longer
    report, _ = fresh_check(specs, out)
    assert report.orphaned == ("docs/models/lonely.md", "pkg/models/lonely.py")


def test_an_extra_file_the_manifest_lists(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    (out / "pkg" / "models" / "stray.py").write_text("# merged in from elsewhere\n")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    manifest["files"]["pkg/models/stray.py"] = "0" * 64
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    report, _ = fresh_check(specs, out)
    assert report.orphaned == ("pkg/models/stray.py",) and report.manifest_stale


def test_a_changed_overrides_file(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.toml"
    overrides.write_text('[models.Thing]\nclass_name = "Item"\n')
    specs, out = committed(tmp_path, overrides=overrides)
    assert fresh_check(specs, out, overrides=overrides)[0].up_to_date
    overrides.write_text('[models.Thing]\nclass_name = "Gadget"\n')
    report, _ = fresh_check(specs, out, overrides=overrides)
    assert {"pkg/models/thing.py", "pkg/models/holder.py"} <= set(report.stale)
    assert not fresh_check(specs, out)[0].up_to_date  # no overrides at all


@pytest.mark.parametrize("option", [{"target": "dataclasses"}, {"wire_names": "camelCase"}])
def test_a_changed_config_option(tmp_path: Path, option: dict[str, str]) -> None:
    specs, out = committed(tmp_path)
    report, rendered = fresh_check(specs, out, **option)
    assert not report.up_to_date and rendered == EVERYTHING


def test_a_changed_custom_template(tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "python"
    templates.mkdir(parents=True)
    builtin = (build.builtin_templates_dir() / "python" / "module.py.jinja").read_text()
    (templates / "module.py.jinja").write_text("# one\n" + builtin)
    specs, out = committed(tmp_path, templates=templates.parent)
    report, rendered = fresh_check(specs, out, templates=templates.parent)
    assert report.up_to_date and rendered == set()
    (templates / "module.py.jinja").write_text("# two\n" + builtin)
    report, _ = fresh_check(specs, out, templates=templates.parent)
    assert "pkg/models/thing.py" in report.stale


def test_another_md2models_version(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    real: Callable[..., Any] = workers.render_module

    def renders_otherwise(*args: Any, **kwargs: Any) -> tuple[str, str]:
        path, text = real(*args, **kwargs)
        return path, text + "# rendered by another version\n"

    other = mock.patch.object(build, "tool_digest", lambda: "another version")
    with other:  # same rendering, new tool: every doc is rendered again, and agrees
        report, rendered = fresh_check(specs, out)
    assert report.up_to_date and rendered == EVERYTHING
    with other, mock.patch.object(workers, "render_module", renders_otherwise):
        assert not api.check(specs, out, "pkg")[0].up_to_date


@pytest.mark.parametrize("stop", ["after one file", "before the manifest"])
def test_an_interrupted_generate(tmp_path: Path, stop: str) -> None:
    specs, out = committed(tmp_path)
    work_specs, work_out = tmp_path / "work" / "specs", tmp_path / "work" / "out"
    edit(work_specs / "models" / "thing.md", "| N/A |", "| The id. |")
    edit(work_specs / "models" / "lonely.md", "Nobody refers to it.", "Still alone.")
    real_replace, real_save = write.replace_atomically, write._save
    written: list[str] = []

    def replace_one(full: str, data: bytes) -> tuple[int, int]:
        if written:
            raise KeyboardInterrupt
        written.append(full)
        return real_replace(full, data)

    def save_but_the_manifest(full: str, data: bytes, **kwargs: Any) -> None:
        if full.endswith(MANIFEST_NAME):
            raise KeyboardInterrupt
        real_save(full, data, **kwargs)

    patch = (mock.patch.object(write, "replace_atomically", replace_one) if stop == "after one file"
             else mock.patch.object(write, "_save", save_but_the_manifest))
    with patch, pytest.raises(KeyboardInterrupt):
        api.generate(work_specs, work_out, "pkg")
    # committed as it was left: the journal (in the cache folder) is not
    specs, out = clone(work_specs, work_out, tmp_path / "interrupted")
    report, _ = fresh_check(specs, out)
    assert not report.up_to_date
    assert report.manifest_stale and (stop == "before the manifest" or report.stale)


def test_a_one_doc_change_changes_a_few_manifest_lines(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    before = (out / MANIFEST_NAME).read_text().splitlines()
    edit(specs / "models" / "lonely.md", "Nobody refers to it.", "Still alone.")
    api.generate(specs, out, "pkg")
    after = (out / MANIFEST_NAME).read_text().splitlines()
    assert len(after) == len(before)
    changed = sorted(line.split(":")[0].strip() for old, line in zip(before, after) if old != line)
    # the page's and the module's digests, the doc's digest and inputs key
    assert changed == ['"docs/models/lonely.md"', '"models/lonely.md"', '"models/lonely.md"', '"pkg/models/lonely.py"']
    report, rendered = fresh_check(*clone(specs, out, tmp_path / "again"))
    assert report.up_to_date and rendered == set()


def test_an_untouched_clone_parses_nothing(tmp_path: Path) -> None:
    """Every doc is as recorded: the files are compared, nothing parsed."""
    specs, out = committed(tmp_path)
    assert json.loads((out / MANIFEST_NAME).read_text())["docs"].keys() == {f"models/{name}" for name in DOCS}
    with mock.patch.object(workers, "parse_bytes", lambda *args: pytest.fail("parsed a doc")):
        report, files, warnings = api.check(specs, out, "pkg")
    assert report.up_to_date and not warnings
    assert files["pkg/models/thing.py"].load() == (out / "pkg" / "models" / "thing.py").read_bytes()


@pytest.mark.parametrize("generated, checked", [(None, "none"), ("none", None)])
def test_docs_placed_elsewhere(tmp_path: Path, generated: Any, checked: Any) -> None:
    """Where the files go is part of the docs' salt: a check that wants the
    docs elsewhere (or none) than the committed output has them fails."""
    specs, out = committed(tmp_path, docs_out=generated)
    report, rendered = fresh_check(specs, out, docs_out=checked)
    assert not report.up_to_date
    assert (report.orphaned if checked == "none" else report.missing) == tuple(
        f"docs/models/{name}" for name in sorted(DOCS))


def test_a_run_with_warnings_records_no_doc_digests_and_a_check_reports_them(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    edit(specs / "models" / "lonely.md", "| *str* |", "| [models.Ghost](../models/ghost.md) |")
    _, warnings = api.generate(specs, out, "pkg")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert warnings and manifest["docs"] == {} and manifest["docs_salt"] == ""
    specs, out = clone(specs, out, tmp_path / "again")
    report, _, found = api.check(specs, out, "pkg")
    assert report.up_to_date and found == warnings


def test_check_full_trusts_no_manifest(tmp_path: Path) -> None:
    """A manifest edited to vouch for a hand-edited file fools the fast
    check (it trusts what is committed) but not `check --full`."""
    specs, out = committed(tmp_path)
    module = out / "pkg" / "models" / "thing.py"
    module.write_text(module.read_text() + "# hand-edited\n")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    manifest["files"]["pkg/models/thing.py"] = write.OutputFile.from_bytes(module.read_bytes()).digest
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    args = ["check", str(specs), "--out", str(out), "--package", "pkg", "--quiet"]
    assert cli(*args).code == 0
    result = cli(*args, "--full")
    assert result.code == 1 and "1 stale" in result.stdout


def test_the_cli_check_of_a_fresh_clone_fails_on_an_edited_doc(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    edit(specs / "models" / "thing.md", "| N/A |", "| The id. |")
    result = cli("check", specs, "--out", out, "--package", "pkg")
    assert result.code == 1 and '+    """The id."""' in result.stdout and result.stdout.endswith("2 stale: run `md2models generate` to update\n")


def test_black_formatted_output(tmp_path: Path) -> None:
    specs, out = committed(tmp_path, format="black")
    report, rendered = fresh_check(specs, out, format="black")
    assert report.up_to_date and rendered == set()
    edit(specs / "models" / "thing.md", "| N/A |", "| The id. |")
    report, rendered = fresh_check(specs, out, format="black")
    assert report.stale == ("docs/models/thing.md", "pkg/models/thing.py") and rendered == {"models/thing.md"}


def test_the_cli_diff_of_a_hand_edited_file_renders_it_then(tmp_path: Path) -> None:
    specs, out = committed(tmp_path)
    module = out / "pkg" / "models" / "thing.py"
    module.write_text(module.read_text() + "# hand-edited\n")
    result = cli("check", specs, "--out", out, "--package", "pkg")
    assert result.code == 1 and "\n-# hand-edited\n" in result.stdout
    assert result.stdout.endswith("1 stale: run `md2models generate` to update\n")


def test_a_fresh_clone_of_a_real_sdk(tmp_path: Path) -> None:
    """orq 3.4.0's 1,430 docs: parsed in worker processes, which also hash
    the committed output files (while the main process resolves) and, in
    the cold generate, write the files as they render them."""
    from .support import corpus_docs

    docs = corpus_docs("orq-python-3.4.0")
    report, _ = api.generate(docs, tmp_path / "out", "pkg")
    assert len(report.created) > 2800 and not report.updated
    specs, out = clone(docs, tmp_path / "out", tmp_path / "clone")
    with mock.patch.object(workers, "parse_bytes", lambda *args: pytest.fail("parsed a doc")):
        assert api.check(specs, out, "pkg")[0].up_to_date  # hashed in worker processes, nothing parsed
    assert api.check(specs, out, "pkg", full=True)[0].up_to_date  # every file rendered and hashed: the same
    module, page = sorted((out / "pkg" / "models").glob("*.py"))[1], sorted((out / "docs" / "models").glob("*.md"))[1]
    module.write_text(module.read_text() + "# hand-edited\n")
    page.unlink()
    report = api.check(specs, out, "pkg")[0]
    assert report.stale == (str(module.relative_to(out)),) and report.missing == (str(page.relative_to(out)),)
    doc = sorted((specs / "models").glob("*.md"))[5]
    doc.write_text(doc.read_text().replace("\n", "\n\nEdited.\n", 1))
    assert f"docs/models/{doc.name}" in api.check(specs, out, "pkg")[0].stale  # parsed again, in the workers


@pytest.mark.parametrize("damage", ["not JSON", "a doc digest that is no string"])
def test_a_damaged_manifest_is_a_clear_error(tmp_path: Path, damage: str) -> None:
    specs, out = committed(tmp_path)
    manifest = out / MANIFEST_NAME
    if damage == "not JSON":
        manifest.write_text("{ not json")
    else:
        data = json.loads(manifest.read_text())
        data["docs"]["models/thing.md"] = 7
        manifest.write_text(json.dumps(data))
    result = cli("check", specs, "--out", out, "--package", "pkg")
    assert result.code == 2 and str(manifest) in result.stderr and "run `md2models generate`" in result.stderr
