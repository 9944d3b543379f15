"""The `md2models` command through click's CliRunner, in a tmp project.

Each test gets a copy of the repo's seed `specs/` in a tmp folder holding a
`pyproject.toml` with `[tool.md2models]`, and runs with that folder as cwd.
Covered: generate then check (exit 0); an edited spec makes check exit 1
with a unified diff and the summary (and write nothing); `--quiet` prints
only the summary; `--format json`; `generate --help` shows the pyproject
defaults; the defaults are used when no option is given; `ir` prints JSON
with `format_version`; a bad spec exits 2 with `path:line:col: error:` lines
on stderr, no traceback and nothing written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import pytest
from click.testing import CliRunner

from generator.cli import main

from .support import ROOT

DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): .+$")
PYPROJECT = """\
[project]
name = "someone-elses-project"
version = "1.0"

[tool.md2models]
specs = "my_specs"
out = "my_out"
package = "my_pkg"
"""


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli(*args: Union[str, Path]) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True, env={"NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        raise AssertionError(f"md2models {' '.join(map(str, args))} raised:\n{trace}")
    assert "Traceback" not in result.stdout + result.stderr
    return Result(result.exit_code, result.stdout, result.stderr)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "specs", tmp_path / "my_specs")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit_spec(project: Path) -> None:
    """Change one description; same length, so the table stays canonical."""
    doc = project / "my_specs" / "models" / "getsessionusage.md"
    text = doc.read_text(encoding="utf-8")
    assert "Tokens sent to the model " in text
    doc.write_text(text.replace("Tokens sent to the model ", "Tokens sent to the modem "), encoding="utf-8")


def test_generate_then_check_is_clean(project: Path) -> None:
    out = project / "elsewhere"
    done = cli("generate", "my_specs", "--out", out, "--package", "pkg")
    assert done.code == 0, done
    assert (out / "pkg" / "models" / "getsessionresponsebody.py").is_file()
    assert done.stderr.strip().splitlines()[-1].startswith("md2models: ")
    checked = cli("check", "my_specs", "--out", out, "--package", "pkg")
    assert checked.code == 0, checked
    assert checked.stdout.strip().startswith("up to date"), checked.stdout


@pytest.mark.parametrize("package, message", [
    ("my-models", "package name 'my-models' is not a Python identifier (one folder's name): try 'my_models'"),
    ("acme.models", "package name 'acme.models' is not a Python identifier (one folder's name): try 'models'"),
    ("class", "package name 'class' is not a Python identifier (one folder's name): try '_class'"),
    ("docs", "package name 'docs' is taken: OUT/docs holds the regenerated docs"),
])
def test_a_bad_package_name_is_one_line_with_a_fix_and_nothing_is_written(project: Path, package: str,
                                                                          message: str) -> None:
    for command in ("generate", "check"):
        done = cli(command, "my_specs", "--out", project / "out", "--package", package)
        assert (done.code, done.stderr) == (2, f"md2models: {message}\n"), done
    assert not (project / "out").exists()


def test_an_out_whose_docs_folder_is_the_specs_is_refused_before_anything_is_written(project: Path) -> None:
    (project / "my_specs").rename(project / "docs")
    before = snapshot(project)
    for specs in ("docs", "docs/models", "docs/models/getsessionusage.md"):
        done = cli("generate", specs, "--out", ".", "--package", "pkg")
        assert done.code == 2 and "which is the specs' own folder" in done.stderr, done
    assert snapshot(project) == before


def test_a_missing_spec_folder_points_at_an_sdks_docs_nearby(project: Path) -> None:
    (project / "my_specs").rename(project / "docs")  # the config's specs = "my_specs" is gone
    done = cli("generate")
    assert done.code == 2 and "(give SPECS such as docs, or `specs` under [tool.md2models]" in done.stderr, done
    assert not (project / "my_out").exists()


def test_defaults_from_pyproject(project: Path) -> None:
    done = cli("generate")
    assert done.code == 0, done
    assert (project / "my_out" / "my_pkg" / "__init__.py").is_file()
    assert (project / "my_out" / "docs" / "models" / "getsessionusage.md").is_file()
    assert cli("check").code == 0
    # the committed output, but for the package name
    assert (project / "my_out" / "docs" / "models" / "getsessionusage.md").read_bytes() == \
        (ROOT / "output" / "docs" / "models" / "getsessionusage.md").read_bytes()


def test_edited_spec_makes_check_fail_with_a_diff(project: Path) -> None:
    assert cli("generate").code == 0
    before = snapshot(project / "my_out")
    edit_spec(project)
    checked = cli("check")
    assert checked.code == 1, checked
    lines = checked.stdout.rstrip("\n").splitlines()
    assert "--- a/my_out/my_pkg/models/getsessionusage.py" in lines
    assert "+++ b/my_out/my_pkg/models/getsessionusage.py" in lines
    assert "--- a/my_out/docs/models/getsessionusage.md" in lines
    assert any(line.startswith("@@ ") for line in lines)
    assert any(line.startswith("-") and "Tokens sent to the model" in line for line in lines)
    assert any(line.startswith("+") and "Tokens sent to the modem" in line for line in lines)
    assert lines[-1] == "2 stale: run `md2models generate` to update", lines[-1]
    assert snapshot(project / "my_out") == before  # check writes nothing


def test_check_quiet_prints_only_the_summary(project: Path) -> None:
    assert cli("generate").code == 0
    quiet = cli("check", "--quiet")
    assert quiet.code == 0 and quiet.stdout.strip().splitlines() == [quiet.stdout.strip()]
    edit_spec(project)
    quiet = cli("check", "-q")
    assert quiet.code == 1
    assert quiet.stdout.strip().splitlines() == ["2 stale: run `md2models generate` to update"], quiet.stdout


def test_check_format_json(project: Path) -> None:
    assert cli("generate").code == 0
    clean = cli("check", "--format", "json")
    assert clean.code == 0
    report = json.loads(clean.stdout)
    assert report["up_to_date"] is True and report["stale"] == [] and report["counts"]["unchanged"] > 0
    edit_spec(project)
    stale = cli("check", "--format", "json")
    assert stale.code == 1
    report = json.loads(stale.stdout)
    assert report["up_to_date"] is False
    assert sorted(report["stale"]) == ["docs/models/getsessionusage.md", "my_pkg/models/getsessionusage.py"]


def test_generate_help_shows_pyproject_defaults(project: Path) -> None:
    shown = cli("generate", "--help")
    assert shown.code == 0
    text = " ".join(shown.stdout.split())  # help text is wrapped
    assert "[default: my_pkg]" in text, shown.stdout
    assert "my_out" in text, shown.stdout


def test_ir_prints_json(project: Path) -> None:
    printed = cli("ir")
    assert printed.code == 0, printed
    data = json.loads(printed.stdout)
    assert isinstance(data["format_version"], (int, str)) and data["format_version"]
    assert "spec" in data and "getsessionresponsebody" in printed.stdout.lower()
    assert not (project / "my_out").exists()


def test_bad_spec_exits_2_and_writes_nothing(project: Path) -> None:
    doc = project / "my_specs" / "models" / "getsessionbilling.md"
    text = doc.read_text(encoding="utf-8")
    bad = text.replace("| :heavy_check_mark:                     | Cost of the input",
                       "| :heavy_plus_sign:                      | Cost of the input")
    assert bad != text
    doc.write_text(bad, encoding="utf-8")
    failed = cli("generate")
    assert failed.code == 2, failed
    stderr = failed.stderr.strip().splitlines()
    errors = [line for line in stderr if DIAGNOSTIC.match(line) and ": error: " in line]
    assert errors, failed.stderr
    match = DIAGNOSTIC.match(errors[0])
    assert match and match["path"].endswith("models/getsessionbilling.md") and match["line"] == "10", errors
    assert stderr[-1].startswith("md2models: ") and "nothing written" in stderr[-1]
    assert all(DIAGNOSTIC.match(line) or line.startswith("md2models: ") for line in stderr), stderr
    assert not (project / "my_out").exists()
    assert cli("check").code == 2


def test_bad_spec_leaves_existing_output_alone(project: Path) -> None:
    assert cli("generate").code == 0
    before = snapshot(project / "my_out")
    (project / "my_specs" / "models" / "getsessionresponsebody.md").write_text(
        "# GetSessionResponseBody\n\n\n## Fields\n\n| Field | Type |\n| --- | --- |\n| `id` | *str* |", encoding="utf-8")
    failed = cli("generate")
    assert failed.code == 2, failed
    assert any(DIAGNOSTIC.match(line) and ": error: " in line for line in failed.stderr.splitlines()), failed.stderr
    assert snapshot(project / "my_out") == before


def test_the_console_script_exits_with_the_status_and_all_output(project: Path) -> None:
    """`run` (the installed command) ends the process itself: the exit status
    and every line printed must still come out, through pipes too."""

    def md2models(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=project, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})

    done = md2models("generate")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert re.fullmatch(r"md2models: \d+ created, 0 unchanged\n", done.stderr), done.stderr
    edit_spec(project)
    stale = md2models("check")
    assert stale.returncode == 1, stale.stderr
    assert stale.stdout.startswith("--- a/my_out/") and stale.stdout.endswith("run `md2models generate` to update\n")
    assert md2models("generate", "--jobs", "-1").returncode == 2  # a usage error, from click
    (project / "my_specs" / "models" / "getsessionusage.md").write_text("| broken |\n", encoding="utf-8")
    bad = md2models("check")
    assert bad.returncode == 2 and bad.stderr.endswith("; nothing written\n"), bad.stderr
    assert "Traceback" not in done.stderr + stale.stderr + bad.stderr
