"""The generated package passes the checkers a vendoring project runs:
basedpyright (pyright) in standard and strict mode, `mypy --strict` (with
the pydantic plugin) and ruff's modern rule set, in every target, for the
default Python version and for 3.11 (ruff: 3.11's output, `--target-version
py311`); and a user's code against it (`tests/clients/`) passes pyright
strict and mypy --strict too.

Each Python version gets one folder of packages (the seed specs, the golden
cases and a sample of orq 3.4.0, in all three targets) and each checker runs
once over all of them.  The whole corpora (orq 3.4.0, dub-python) are
checked under `-m slow`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import pytest

from generator import api
from generator.config import TARGETS

from .support import CORPUS, ROOT

GOLDEN = ROOT / "tests" / "golden"
CLIENTS = ROOT / "tests" / "clients"
VERSIONS = ("3.9", "3.11")  # the default, and the one ruff's rule set is run for
ORQ_SAMPLE = "models/deploymentgetconfigresponsebody.md"  # discriminated unions, open enums, 28 models
# ruff: all but long lines and ambiguous Unicode, which come from the docs' own text
RUFF = ["check", "--select", "E,F,W,I,UP,B,SIM,RUF", "--ignore", "E501,RUF001,RUF002,RUF003", "--no-cache",
        "--output-format", "concise"]
# The checker comments the generated code carries (see pysyntax.EXTRA_IGNORE,
# LATE_IMPORT and the index's reportDeprecated), per package of the golden
# `objects` and `cycles` cases: none may be added without a reason.
COMMENTS = re.compile(r"#\s*(pyright:|type:\s*ignore|noqa)")


def _specs() -> dict[str, Path]:
    """Package stem -> spec root (or one doc: its closure)."""
    specs = {"seed": ROOT / "specs", **{case.name: case / "specs" for case in sorted(GOLDEN.iterdir())
                                       if (case / "specs").is_dir()}}
    orq = CORPUS / "orq-python-3.4.0" / "docs" / ORQ_SAMPLE
    if orq.is_file():
        specs["orq"] = orq
    return specs


def _generate(root: Path, versions: Iterable[str], specs: dict[str, Path]) -> Path:
    """ROOT/v<version>/<stem>_<target>/ for every spec, target and version,
    with the client files beside them if the golden `objects` is there."""
    for version in versions:
        folder = root / f"v{version}"
        for stem, spec in specs.items():
            for target in TARGETS:
                out = root / "out" / version / f"{stem}_{target}"
                api.generate(spec, out, f"{stem}_{target}", target=target, python_version=version)
                shutil.copytree(out / f"{stem}_{target}", folder / f"{stem}_{target}")
        for client in CLIENTS.glob("*.py") if "objects" in specs else ():
            shutil.copy(client, folder / client.name)
    return root


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages and clients of `_generate`, once for the module."""
    return _generate(tmp_path_factory.mktemp("checkers"), VERSIONS, _specs())


def _run(args: list[str], cwd: Path) -> str:
    run = subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode:  # (not an assert: its introspection would print the whole output)
        pytest.fail(f"{args[0]} failed:\n{(run.stdout + run.stderr)[-6000:]}")
    return run.stdout


def _pyright(root: Path, mode: str, versions: Iterable[str]) -> None:
    """basedpyright in `mode` over each version's folder of `root`, at that version."""
    for version in versions:
        folder = root / f"v{version}"
        (folder / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": mode, "pythonVersion": version}))
        out = _run(["basedpyright", "--outputjson", "--pythonpath", sys.executable], folder)
        summary = json.loads(out)["summary"]
        assert summary["errorCount"] == 0 and summary["filesAnalyzed"] > 100, (version, summary)


def _mypy(folder: Path, version: str) -> None:
    """mypy --strict over the packages and clients of one version (mypy
    itself reads 3.10 and later: the 3.9 output is read as 3.10)."""
    (folder / "mypy.ini").write_text("[mypy]\nplugins = pydantic.mypy\nstrict = True\n")
    args = sorted(f"-p{p.name}" if p.is_dir() else f"-m{p.stem}" for p in folder.iterdir()
                  if (p / "__init__.py").is_file() or p.suffix == ".py")
    _run(["mypy", "--config-file", "mypy.ini", "--python-version", "3.10" if version == "3.9" else version, "--cache-dir",
          str(folder.parent / f"mypy-cache-{version}"), *args], folder)


@pytest.mark.parametrize("mode", ["standard", "strict"])
def test_pyright(checked: Path, mode: str) -> None:
    _pyright(checked, mode, VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_mypy_strict(checked: Path, version: str) -> None:
    _mypy(checked / f"v{version}", version)


def test_ruff_modern_rules(checked: Path) -> None:
    _run(["ruff", *RUFF, "--target-version", "py311", "."], checked / "v3.11")


def test_ruff_finds_what_the_default_version_leaves(checked: Path) -> None:
    """The same rule set on the default (3.9) output reports the spellings
    3.11 drops: so the ruff test above can fail."""
    run = subprocess.run([sys.executable, "-m", "ruff", *RUFF, "--target-version", "py311", "."],
                         cwd=checked / "v3.9", capture_output=True, text=True)
    assert run.returncode == 1 and "UP006" in run.stdout and "UP045" in run.stdout and "E402" in run.stdout


@pytest.mark.parametrize("version", VERSIONS)
def test_clients_run(checked: Path, version: str) -> None:
    """The client files, checked above, also do what they say at run time."""
    calls = "; ".join(f"import {t}_client as c; c.round_trip()" for t in TARGETS)
    run = subprocess.run([sys.executable, "-c", calls], cwd=checked / f"v{version}", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]


def test_checker_comments_do_not_grow(checked: Path) -> None:
    counts = {}
    for version in VERSIONS:
        for package in sorted((checked / f"v{version}").glob("*_*")):
            if package.is_dir() and package.name.split("_")[0] in ("objects", "cycles"):
                found = [m.group(1).replace(" ", "") for p in package.rglob("*.py")
                         for m in COMMENTS.finditer(p.read_text())]
                counts[version, package.name] = {kind: found.count(kind) for kind in sorted(set(found))}
    expected = {}
    for version in VERSIONS:
        for target in TARGETS:
            runtime = {"type:ignore": 3}  # the runtime's optional httpx / requests imports
            index = 1 if target == "pydantic" else 0  # the index's `reportDeprecated=false`
            late = {"noqa": 4} if version != "3.9" else {}  # the imports breaking the golden cycles (E402)
            expected[version, f"cycles_{target}"] = {**late, **runtime, **({"pyright:": index} if index else {})}
            extra = index  # KitchenSink's typed `__pydantic_extra__` (pydantic only)
            expected[version, f"objects_{target}"] = {**runtime, **({"pyright:": index + extra} if index else {})}
    assert counts == expected


@pytest.mark.slow
def test_whole_corpora(tmp_path: Path) -> None:
    """orq 3.4.0 and dub-python, every target, both versions: every checker."""
    corpora = {stem: CORPUS / name / "docs" for stem, name in (("orq", "orq-python-3.4.0"), ("dub", "dub-python"))
               if (CORPUS / name / "docs" / "models").is_dir()}
    if not corpora:
        pytest.skip(f"no corpus at {CORPUS}")
    _generate(tmp_path, VERSIONS, corpora)
    for mode in ("standard", "strict"):
        _pyright(tmp_path, mode, VERSIONS)
    for version in VERSIONS:
        _mypy(tmp_path / f"v{version}", version)
    _run(["ruff", *RUFF, "--target-version", "py311", "."], tmp_path / "v3.11")


@pytest.mark.slow
def test_newer_versions(tmp_path: Path) -> None:
    """3.12 (`type` statements, `typing.TypedDict`) and 3.13 (`warnings.deprecated`):
    every checker, ruff at each version's own target."""
    newer = ("3.12", "3.13")
    _generate(tmp_path, newer, _specs())
    for mode in ("standard", "strict"):
        _pyright(tmp_path, mode, newer)
    for version in newer:
        _mypy(tmp_path / f"v{version}", version)
        _run(["ruff", *RUFF, "--target-version", f"py{version.replace('.', '')}", "."], tmp_path / f"v{version}")


# --- the option --------------------------------------------------------------


def test_python_version_is_part_of_the_cache_key(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.generate(GOLDEN / "cycles" / "specs", out, "pkg")
    assert not api.check(GOLDEN / "cycles" / "specs", out, "pkg", python_version="3.12")[0].up_to_date
    api.generate(GOLDEN / "cycles" / "specs", out, "pkg", python_version="3.12")
    assert api.check(GOLDEN / "cycles" / "specs", out, "pkg", python_version="3.12")[0].up_to_date
    assert not api.check(GOLDEN / "cycles" / "specs", out, "pkg")[0].up_to_date
    text = (out / "pkg" / "models" / "book.py").read_text()
    assert "author: Author | None = None" in text and "from __future__ import annotations" in text


def test_default_is_3_9_and_unknown_versions_are_config_errors(tmp_path: Path) -> None:
    from generator.config import ConfigError, load_config

    assert load_config(tmp_path).python_version == "3.9"
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\npython_version = "3.13"\n', encoding="utf-8")
    assert load_config(tmp_path).python_version == "3.13"
    for bad in ('"3.8"', "3.10"):  # a float is no version (3.10 == 3.1)
        (tmp_path / "pyproject.toml").write_text(f"[tool.md2models]\npython_version = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="python_version must be one of"):
            load_config(tmp_path)
    with pytest.raises(ConfigError, match="unknown python_version"):
        api.render(ROOT / "specs", "pkg", python_version="3")


def test_cli_option_and_config_key(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    runner = CliRunner()
    out = tmp_path / "out"
    args = [str(GOLDEN / "unions" / "specs"), "-o", str(out), "-p", "pkg"]
    assert runner.invoke(main, ["generate", *args, "--python-version", "3.11"]).exit_code == 0
    assert runner.invoke(main, ["check", *args, "-q", "--python-version", "3.11"]).exit_code == 0
    assert runner.invoke(main, ["check", *args, "-q"]).exit_code == 1
    bad = runner.invoke(main, ["generate", *args, "--python-version", "2.7"])
    assert bad.exit_code == 2 and "2.7" in bad.output
    assert re.search(r"--python-version \[3\.9\|.*\[default:\s+3\.9\]", runner.invoke(main, ["generate", "--help"]).output,
                     re.S)
    text = (out / "pkg" / "models" / "pet.py").read_text()
    assert "Annotated[Cat, pydantic.Tag(\"cat\")] | Annotated[Dog, pydantic.Tag(\"dog\")]" in text
