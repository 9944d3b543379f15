"""Reports CI systems read: `--format github` (workflow commands) and
`--format sarif` (SARIF 2.1.0) on `lint`, `check` and `diff`.

Real corpus docs: dub-python for lint and check (a broken doc; stale,
missing and orphaned output files; an interrupted generate), the orq
release pair 3.8.9 -> 3.9.0 in a git repository for `diff --base`.  Every
SARIF log is validated against the OASIS schema; the workflow commands are
read back as GitHub's runner reads them, for any message and path."""

from __future__ import annotations

import json
import random
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import reports
from generator.diagnostics import RULES
from generator.diffrules import RULES as CHANGE_RULES
from generator.manifest import CACHE_DIR
from generator.reports import Finding, escape_data, escape_property

from .specgen import Run, md2models, object_doc, row, write_spec
from .support import CORPUS

SCHEMA = CORPUS.parent / "schemas" / "sarif-schema-2.1.0.json"  # shared/, beside the corpus
DUB = CORPUS / "dub-python" / "docs" / "models"
HISTORY = CORPUS / "orq-history"
COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


@pytest.fixture(scope="module")
def sarif_schema() -> jsonschema.protocols.Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not present at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def valid_sarif(text: str, validator: jsonschema.protocols.Validator) -> list[dict[str, Any]]:
    """The results of a SARIF log that validates (and names every rule it uses)."""
    log = json.loads(text)
    validator.validate(log)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["tool"]["driver"]["name"] == "md2models" and run["tool"]["driver"]["version"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    return list(run["results"])


def where(result: dict[str, Any]) -> tuple[str, int, int]:
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    region = location["region"]
    return unquote(location["artifactLocation"]["uri"]), region["startLine"], region["startColumn"]


# --- GitHub's reading of a workflow command (actions/runner, ActionCommand.TryParseV2) ----------


def _unescape(text: str, property_value: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if property_value else [])
    for escaped, char in pairs + [("%25", "%")]:
        text = text.replace(escaped, char)
    return text


def read_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of one `::command k=v,k=v::message` line."""
    assert line.startswith("::"), line
    head, separator, data = line[2:].partition("::")
    assert separator, line
    command, _, properties = head.partition(" ")
    pairs = (item.partition("=") for item in properties.split(","))
    return command, {key: _unescape(value, True) for key, _, value in pairs}, _unescape(data, False)


def commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """The runner reads lines as .NET does: split at "\n" and "\r" only."""
    return [read_command(line) for line in stdout.replace("\r\n", "\n").split("\n")[:-1]]


# --- the formats, for any finding ------------------------------------------------------------

_TEXT = st.text(st.sampled_from("%:,\r\n =/\\aZ09é`'\"\t::") | st.characters(codec="utf-8"), max_size=40)
FINDINGS = st.lists(st.builds(
    Finding, _TEXT.filter(bool), st.integers(1, 10**6), st.integers(1, 10**4),
    st.sampled_from(["error", "warning", "note"]), st.sampled_from(sorted(reports.catalogue())), _TEXT,
), max_size=8)


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("docs/a:b,c%d\n.md") == "docs/a%3Ab%2Cc%25d%0A.md"
    line = reports.github([Finding("docs/models/a,b.md", 3, 7, "warning", "dangling-link", "50%: x\ny")])
    assert line == "::warning file=docs/models/a%2Cb.md,line=3,col=7,title=dangling-link::50%25: x%0Ay\n"


@settings(max_examples=150, deadline=None, database=None)
@given(FINDINGS)
def test_github_commands_read_back_as_written(findings: list[Finding]) -> None:
    text = reports.github(findings)
    assert text.count("\n") == len(findings) and "\r" not in text
    read = [(command, props["file"], int(props["line"]), int(props["col"]), props["title"], message)
            for command, props, message in commands(text)]
    assert read == [(COMMANDS[f.level], f.path, f.line, f.col, f.rule, f.message) for f in sorted(findings)]


@settings(max_examples=40, deadline=None, database=None)
@given(FINDINGS, st.randoms(use_true_random=False))
def test_sarif_is_valid_whole_and_deterministic(sarif_schema: jsonschema.protocols.Validator,
                                                findings: list[Finding], rng: random.Random) -> None:
    text = reports.sarif(findings)
    shuffled = list(findings)
    rng.shuffle(shuffled)
    assert reports.sarif(shuffled) == text
    results = valid_sarif(text, sarif_schema)
    assert [(*where(r), r["level"], r["ruleId"], r["message"]["text"]) for r in results] == [
        (f.path, f.line, f.col, f.level, f.rule, f.message) for f in sorted(findings)]


def test_one_catalogue_of_rules() -> None:
    """Diagnostics, check's output rules and diff's change rules share no id."""
    names = [*RULES, *reports.OUTPUT_RULES, *(rule.name for rule in CHANGE_RULES)]
    assert len(names) == len(set(names)) == len(reports.catalogue())


# --- lint ---------------------------------------------------------------------------------


def dub_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of dub-python's docs as `docs/` of a project, the cwd."""
    if not DUB.is_dir():
        pytest.skip(f"corpus dub-python not present at {CORPUS}")
    shutil.copytree(DUB, tmp_path / "docs" / "models")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def break_first_type(doc: Path) -> int:
    """Make the first field's type cell unparsable; returns its line (from 1)."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines) if line.startswith("| `"))
    cells = lines[number].split("|")
    cells[2] = " List[ "
    lines[number] = "|".join(cells)
    doc.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def test_lint_reports_every_diagnostic_at_its_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  sarif_schema: jsonschema.protocols.Validator) -> None:
    dub_project(tmp_path, monkeypatch)
    line = break_first_type(tmp_path / "docs/models/components/link.md")
    github = md2models("lint", "docs", "--format", "github")
    assert github.code == 2, github.explain()
    # The full text report follows on stderr: the same problems, in the same order.
    text = [(d.path, d.line, d.col, COMMANDS[d.severity], d.message) for d in github.diagnostics]
    found = commands(github.stdout)
    assert [(p["file"], int(p["line"]), int(p["col"]), command, message) for command, p, message in found] == text
    assert github.other_lines == [f"md2models: 1 error(s), {len(text) - 1} warning(s)"]
    assert [(p["file"], int(p["line"]), p["title"]) for command, p, _ in found if command == "error"] == [
        ("docs/models/components/link.md", line, "invalid-type")]
    assert {p["title"] for _, p, _ in found} <= set(RULES)
    sarif = md2models("lint", "docs", "--format", "sarif")
    assert sarif.code == 2 and sarif.stderr == github.stderr
    results = valid_sarif(sarif.stdout, sarif_schema)
    assert [(*where(r), r["level"], r["message"]["text"]) for r in results] == [
        (path, line, col, "note" if level == "notice" else level, message) for path, line, col, level, message in text]


# --- check --------------------------------------------------------------------------------


def first_difference(old: bytes, new: bytes) -> int:
    """Independently of `reports`: the first line (from 1) where they differ."""
    a, b = old.decode().splitlines(), new.decode().splitlines()
    return next((n for n, (x, y) in enumerate(zip(a, b), 1) if x != y), min(len(a), len(b)) + 1)


def test_check_reports_each_file_out_of_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            sarif_schema: jsonschema.protocols.Validator) -> None:
    project = dub_project(tmp_path, monkeypatch)
    docs, out = project / "docs" / "models", project / "out"
    lonely = docs / "components" / "lonely.md"
    lonely.write_text(object_doc("Lonely", [row("a", "*str*")]), encoding="utf-8")
    assert md2models("generate", "docs", "--out", "out", "--package", "dub").code == 0
    lonely.unlink()  # its module and doc are orphaned
    link = docs / "components" / "link.md"
    link.write_text(link.read_text(encoding="utf-8").replace("The unique ID of the short link.", "Its id."))
    (out / "dub/models/components/accesslevel.py").unlink()  # missing

    github = md2models("check", "docs", "--out", "out", "--package", "dub", "--format", "github")
    assert github.code == 1, github.explain()
    found = {(p["file"], p["title"]): (int(p["line"]), message) for command, p, message in commands(github.stdout)
             if command == "error"}
    listed = json.loads(md2models("check", "docs", "--out", "out", "--package", "dub", "--format", "json").stdout)
    assert set(found) == {(f"out/{path}", f"{kind}-output") for kind in ("stale", "missing", "orphaned")
                          for path in listed[kind]}
    assert len(listed["stale"]) >= 3 and listed["missing"] == ["dub/models/components/accesslevel.py"]
    assert "docs/models/components/link.md generates" in found[("out/dub/models/components/link.py",
                                                              "stale-output")][1]
    assert "docs/models/components/accesslevel.md generates" in found[("out/dub/models/components/accesslevel.py",
                                                             "missing-output")][1]
    assert "--- a/out/dub/models/components/link.py" in github.stderr  # the text report follows on stderr
    assert "1 missing, 2 orphaned" in github.stderr

    (out / CACHE_DIR / "journal.marshal").write_bytes(b"")  # a generate was interrupted
    sarif = md2models("check", "docs", "--out", "out", "--package", "dub", "--format", "sarif", "--formatter", "none")
    assert sarif.code == 1, sarif.explain()
    results = {(where(r)[0], r["ruleId"]): r for r in valid_sarif(sarif.stdout, sarif_schema)}
    assert set(results) == set(found) | {("out/.md2models-manifest.json", "interrupted-generate")}
    assert all(r["level"] == "error" for r in results.values())
    stale = {path: (out / path).read_bytes() for path in listed["stale"]}
    assert md2models("generate", "docs", "--out", "out", "--package", "dub").code == 0
    for path, old in stale.items():
        assert found[(f"out/{path}", "stale-output")][0] == first_difference(old, (out / path).read_bytes()), path
    clean = md2models("check", "docs", "--out", "out", "--package", "dub", "--format", "sarif")
    assert clean.code == 0 and valid_sarif(clean.stdout, sarif_schema) == []


def test_check_on_bad_specs_reports_the_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              sarif_schema: jsonschema.protocols.Validator) -> None:
    specs = write_spec(tmp_path, {"models/pet.md": object_doc("Pet", [row("age", "List[")])})
    monkeypatch.chdir(tmp_path)
    run = md2models("check", specs.name, "--out", "out", "--format", "sarif")
    assert run.code == 2 and [d.path for d in run.errors] == ["specs/models/pet.md"], run.explain()
    assert [(where(r)[0], r["ruleId"]) for r in valid_sarif(run.stdout, sarif_schema)] == [
        ("specs/models/pet.md", "invalid-type")]
    assert not (tmp_path / "out").exists()


# --- diff ---------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def release_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository whose HEAD holds orq 3.8.9's docs and whose work
    tree 3.9.0's; 3.8.9's docs also in `old/` beside it."""
    if not (HISTORY / "orq-python-3.8.9" / "docs").is_dir() or shutil.which("git") is None:
        pytest.skip(f"release history (and git) not present at {HISTORY}")
    repo = tmp_path_factory.mktemp("release") / "repo"
    shutil.copytree(HISTORY / "orq-python-3.8.9" / "docs", repo / "docs")
    shutil.copytree(repo / "docs", repo.parent / "old")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "3.8.9")
    git(repo, "apply", "--whitespace=nowarn", str(HISTORY / "3.8.9-to-3.9.0.patch"))
    return repo


def row_text(repo: Path, path: str, line: int, ref: Optional[str] = None) -> str:
    text = git(repo, "show", f"{ref}:{path}") if ref else (repo / path).read_text(encoding="utf-8")
    return text.split("\n")[line - 1]


def test_diff_annotates_each_change_at_its_row_in_new(release_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                       sarif_schema: jsonschema.protocols.Validator) -> None:
    monkeypatch.chdir(release_repo)
    changes = json.loads(md2models("diff", "../old", "docs", "--format", "json").stdout)["changes"]
    run = md2models("diff", "--base", "HEAD", "docs", "--format", "github")
    assert run.code == 0, run.explain()
    assert "semver major" in run.stderr  # the text report follows on stderr
    found = commands(run.stdout)
    assert len(found) == len(changes) > 50
    assert {command for command, _, _ in found} == {"error", "notice"}
    assert sum(command == "error" for command, _, _ in found) == sum(c["breaking"] for c in changes) > 0
    by_id = {rule.id: rule.name for rule in CHANGE_RULES}
    assert sorted(p["title"] for _, p, _ in found) == sorted(by_id[c["rule"]] for c in changes)
    for command, props, message in found:
        path, line = props["file"], int(props["line"])
        if props["title"] == "model-removed":  # gone from NEW: at its title in OLD
            assert not (release_repo / path).exists() and row_text(release_repo, path, line, "HEAD").startswith("# ")
        elif message.startswith("`") and "." in message.split("`")[1]:  # a field: at its row
            field = message.split("`")[1].split(".", 1)[1]
            assert row_text(release_repo, path, line).startswith(f"| `{field}`"), (path, line, message)
        else:  # a model or its values: at its title or row in NEW
            assert row_text(release_repo, path, line).startswith(("# ", "| `", "- `")), (path, line, message)
        assert (command == "error") == message.endswith("(breaking: constructor view)")
    # The reader view: other changes break; --fail-on keeps its exit status.
    reader = md2models("diff", "../old", "docs", "--view", "reader", "--format", "sarif", "--fail-on", "breaking")
    assert reader.code == 1, reader.explain()
    results = valid_sarif(reader.stdout, sarif_schema)
    assert sorted(r["ruleId"] for r in results) == sorted(p["title"] for _, p, _ in found)
    breaking = {rule.name for rule in CHANGE_RULES if rule.reader}
    assert all((r["level"] == "error") == (r["ruleId"] in breaking) for r in results)
    assert all(r["message"]["text"].endswith("(breaking: reader view)") == (r["level"] == "error") for r in results)


def test_diff_puts_a_removal_at_the_title_of_its_model_in_new(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    old = write_spec(tmp_path / "old", {"models/pet.md": object_doc("Pet", [row("name", "*str*"), row("tag", "*str*")])})
    new = write_spec(tmp_path / "new", {"models/pet.md": object_doc("Pet", [row("name", "*str*")])})
    monkeypatch.chdir(tmp_path)
    run: Run = md2models("diff", old.relative_to(tmp_path), new.relative_to(tmp_path), "--format", "github")
    assert run.code == 0, run.explain()
    assert [(c, p["file"], p["line"], p["title"]) for c, p, _ in commands(run.stdout)] == [
        ("error", "new/specs/models/pet.md", "1", "field-removed")]


# --- the page that documents them -----------------------------------------------------------

PAGE = Path(__file__).resolve().parents[1] / "docs" / "ci-reports.md"


def test_the_page_describes_every_rule() -> None:
    section = PAGE.read_text(encoding="utf-8").split("\n## Rule ids\n")[1]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|(?: (B\d+) \|)? (.*) \|$", section, re.M)
    listed = {rule: (number, text.replace("\\|", "|")) for rule, number, text in rows}
    assert len(listed) == len(rows)
    expected = {rule: ("", text) for rule, text in {**RULES, **reports.OUTPUT_RULES}.items()}
    expected.update((rule.name, (rule.id, rule.says)) for rule in CHANGE_RULES)
    assert listed == expected


def test_the_page_runs_real_command_lines() -> None:
    """Each `$ md2models ...` and each workflow's `run: md2models ...` parses with the CLI's options."""
    from generator.cli import main

    text = PAGE.read_text(encoding="utf-8")
    lines = re.findall(r"^\$ (md2models .*)$", text, re.M) + re.findall(r"^\s+run: (md2models .*)$", text, re.M)
    assert len(lines) >= 5
    for line in lines:
        args = shlex.split(line, comments=True)
        args = args[: args.index(">")] if ">" in args else args
        command = main.commands[args[1]]
        command.make_context(args[1], args[2:]).close()  # a UsageError names what is wrong
