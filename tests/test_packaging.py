"""md2models as users get it: a real wheel, installed into a fresh venv.

* `pip wheel --no-deps` of this repo; the wheel holds the `generator`
  package and its templates (`generator/templates/...`), nothing of tests/,
  specs/ or output/.
* A venv gets the wheel with `pip install --no-deps`; it sees the packages
  of the environment running the tests (jinja2, click, black, pydantic)
  through a `.pth` file naming that environment's `sys.path`, whether that
  is a venv, a system interpreter or CI's (`--system-site-packages` would
  see the base interpreter's only).  Its `md2models` script, run from a cwd
  outside the repo, uses the installed code (not the checkout) and
  generates output equal to the committed `output/`.
* The README's test command is the one `.ci/run` runs, to the letter.
* The generated package works under any name: copied to `vendored_models`
  in another folder it imports and validates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import generator

from .support import ROOT

TEMPLATES = [
    "generator/templates/python/module.py.jinja",
    "generator/templates/python/init.py.jinja",
    "generator/templates/python/runtime.py.jinja",
    "generator/templates/python/dataclasses/runtime.py.jinja",
    "generator/templates/python/typeddict/runtime.py.jinja",
    "generator/templates/docs/object.md.j2",
    "generator/templates/docs/enum.md.j2",
    "generator/templates/docs/union.md.j2",
    "generator/templates/docs/_macros.md.j2",
]


def run(cmd: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=600, **kwargs)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".md2models-") or part == "__pycache__" for part in p.relative_to(root).parts)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], cwd=dist)
    if built.returncode != 0:
        try:
            import hatchling  # noqa: F401
        except ImportError:
            if "hatchling" in built.stderr and ("No matching distribution" in built.stderr
                                                or "Could not find a version" in built.stderr):
                pytest.skip("cannot build the wheel: hatchling is not installed and not downloadable")
        pytest.fail(f"pip wheel failed:\n{built.stdout[-2000:]}\n{built.stderr[-4000:]}")
    wheels = list(dist.glob("md2models-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_venv(tmp_path_factory.mktemp("venv"), wheel)


def fresh_venv(root: Path, wheel: Path) -> Path:
    """A venv at `root` holding `wheel` (not its dependencies: it sees this environment's)."""
    made = run([sys.executable, "-m", "venv", "--without-pip", str(root)], cwd=root)
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    assert purelib.returncode == 0, purelib.stderr
    # This environment's packages, after the venv's own (as a site dir each,
    # so their .pth files count), never the checkout itself: the wheel must
    # be what runs.  (A venv inside the checkout, as .ci/run makes, counts.)
    outer = [p for p in sys.path if p and Path(p).is_dir() and Path(p).resolve() != ROOT]
    Path(purelib.stdout.strip(), "outer-environment.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in outer))
    # --ignore-installed: md2models may already sit in the system site-packages
    # the venv can see (CI installs it there); the wheel must land in the venv.
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                     "--ignore-installed", "-q", str(wheel)], cwd=root)
    assert installed.returncode == 0, installed.stderr[-4000:]
    return root


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in TEMPLATES:
        assert template in names, f"{template} missing from {wheel.name}"
    for module in ("generator/__init__.py", "generator/cli.py", "generator/api.py", "generator/templating.py"):
        assert module in names
    assert not [n for n in names if n.startswith(("tests/", "specs/", "output/", "templates/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "md2models = generator.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"\nVersion: {generator.__version__}\n" in metadata  # the one version, generator/__init__.py's


def test_installed_script_uses_the_wheel(venv: Path, tmp_path: Path) -> None:
    where = run([str(venv / "bin" / "python"), "-c", "import generator; print(generator.__file__)"], cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    version = run([str(venv / "bin" / "md2models"), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and "md2models" in version.stdout, version.stderr


def test_installed_tool_digest_is_the_source_trees(venv: Path, tmp_path: Path) -> None:
    """The manifest's inputs keys hold the tool's digest: a wheel (templates
    inside the package) must give the source tree's, or every installed run
    would rewrite a committed manifest and a fresh clone would render everything."""
    from generator.build import tool_digest

    installed = run([str(venv / "bin" / "python"), "-c", "from generator.build import tool_digest; print(tool_digest())"],
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == tool_digest()


def test_installed_generate_matches_committed_output(venv: Path, tmp_path: Path) -> None:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = tmp_path / "o"
    done = run([str(venv / "bin" / "md2models"), "generate", str(ROOT / "specs"), "--out", str(out),
                "--package", "session_models"], cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert tree(out) == tree(ROOT / "output")
    assert list(cwd.iterdir()) == []  # nothing written to the cwd


def test_installed_generate_and_vendor_under_another_name(venv: Path, tmp_path: Path) -> None:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = tmp_path / "o"
    done = run([str(venv / "bin" / "md2models"), "generate", str(ROOT / "specs"), "--out", str(out),
                "--package", "p"], cwd=cwd)
    assert done.returncode == 0, done.stderr
    for rel in ("p/__init__.py", "p/_runtime.py", "p/py.typed", "p/models/__init__.py",
                "p/models/getsessionresponsebody.py", "p/models/getsessionbilling.py",
                "p/models/getsessionusage.py", "docs/models/getsessionresponsebody.md"):
        assert (out / rel).is_file(), rel

    other = tmp_path / "other"
    shutil.copytree(out / "p", other / "vendored_models")
    script = """
import json, sys
from vendored_models import GetSessionResponseBody
from vendored_models.models.getsessionbilling import GetSessionBilling
m = GetSessionResponseBody.model_validate_json(sys.argv[1])
assert isinstance(m.billing, GetSessionBilling)
assert type(m).__module__ == "vendored_models.models.getsessionresponsebody", type(m).__module__
assert "p" not in sys.modules and not any(k.startswith("p.") for k in sys.modules)
print(json.dumps(m.model_dump(mode="json")))
"""
    payload = ('{"id": "s", "external_id": "e", "duration": 1, "contact_ids": [], "billing": {"input_cost": 1, '
               '"output_cost": 2, "total_cost": 3}, "usage": {"prompt_tokens": 1, "completion_tokens": 2, '
               '"total_tokens": 3}, "traces_count": 0, "tags": ["t"], "workspace_id": "w", "project_id": null, '
               '"started_at": "2024-05-01T12:00:00Z"}')
    for python in (sys.executable, str(venv / "bin" / "python")):
        used = run([python, "-c", script, payload], cwd=other)
        assert used.returncode == 0, used.stderr
        assert '"project_id": null' in used.stdout and '"updated_at"' not in used.stdout, used.stdout


def test_md2models_itself_passes_mypy_strict() -> None:
    pytest.importorskip("mypy")
    checked = run([sys.executable, "-m", "mypy", "--strict", "generator"], cwd=ROOT)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's test command, to the letter, is a line of `.ci/run`,
    which runs it in a fresh venv."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip().removeprefix("$ ") for line in readme.splitlines() if "pytest -m" in line and "pip install" in line]
    assert len(commands) == 1, commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[0] in ci, f"{commands[0]!r} is not a line of .ci/run"
    assert any(line.startswith("python3 -m venv ") for line in ci)
