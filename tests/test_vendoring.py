"""Vendoring into an SDK's own tree (docs/vendoring.md): a src-layout SDK
project `mysdk` (hand-written `src/mysdk/__init__.py` and `client.py`)
generates its models into `src/mysdk/models`, its docs into `docs/`
(`docs_out`) and keeps the manifest and cache in `.md2models/`
(`state_dir`).

* Real wheels, built offline with hatchling and with setuptools (one
  build each, for the session): they hold the SDK's code and the models
  package with `py.typed`, and no manifest, cache or doc; installed into a
  fresh venv, a model imports and validates.
* `check` is clean right after `generate`, and a stale or hand-edited doc
  in docs_out, an interrupted run or a leftover of the old layout is not.
* Hand-written files beside the package or among the docs are never
  touched, listed or removed.
* Moving today's default layout to this one is one `generate` that leaves
  no orphan (one that fails half-way is finished by the next);
  `docs_out = "none"` removes the docs of earlier runs.
* `diff --base` keeps its cache in the state dir too.
* Layouts that cannot work are usage errors before anything is written:
  bookkeeping or docs in a Python package, places inside each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import diff as diffmod
from generator import write
from generator.config import ConfigError
from generator.layout import plan
from generator.manifest import CACHE_DIR, MANIFEST_NAME

from .support import ROOT
from .test_cli import cli, snapshot
from .test_diff import git
from .test_packaging import fresh_venv, run

BACKENDS = {
    "hatchling": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    # setuptools ships package data it is told of: py.typed.
    "setuptools": '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
                  '[tool.setuptools.package-data]\n"*" = ["py.typed"]\n',
}
PROJECT = """
[project]
name = "mysdk"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["pydantic>=2"]
"""
VENDORING = """
[tool.md2models]
specs = "specs"
out = "src/mysdk"
package = "models"
docs_out = "docs"
state_dir = ".md2models"
"""
HAND_WRITTEN = {
    "src/mysdk/__init__.py": '"""My SDK."""\n\nfrom .client import Client\n',
    "src/mysdk/client.py": "from .models import GetSessionResponseBody\n\n\nclass Client:\n"
                           "    def session(self, raw: str) -> GetSessionResponseBody:\n"
                           "        return GetSessionResponseBody.model_validate_json(raw)\n",
    "docs/sdks/mysdk/README.md": "# MySDK\n\nThe operations, written by hand.\n",
}
MODELS = ("models/__init__.py", "models/_runtime.py", "models/py.typed", "models/models/__init__.py",
          "models/models/getsessionbilling.py", "models/models/getsessionresponsebody.py",
          "models/models/getsessionusage.py")
DOCS = ("docs/models/getsessionbilling.md", "docs/models/getsessionresponsebody.md", "docs/models/getsessionusage.md")
PAYLOAD = ('{"id": "s", "external_id": "e", "duration": 1, "contact_ids": [], "billing": {"input_cost": 1, '
           '"output_cost": 2, "total_cost": 3}, "usage": {"prompt_tokens": 1, "completion_tokens": 2, '
           '"total_tokens": 3}, "traces_count": 0, "tags": ["t"], "workspace_id": "w", "project_id": null, '
           '"started_at": "2024-05-01T12:00:00Z"}')


def make_sdk(root: Path, config: str = VENDORING, backend: str = "hatchling") -> Path:
    """The SDK project at `root`: pyproject.toml, the hand-written files, and `specs/`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(BACKENDS[backend] + PROJECT + config, encoding="utf-8")
    for rel, text in HAND_WRITTEN.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "specs", root / "specs")
    return root


def generated(project: Path) -> dict[str, bytes]:
    """The project's files but the specs and the hand-written ones."""
    return {rel: data for rel, data in snapshot(project).items()
            if rel not in HAND_WRITTEN and rel != "pyproject.toml" and not rel.startswith("specs/")}


@pytest.fixture(scope="session", params=sorted(BACKENDS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the SDK project, generated, its wheel built by the backend)."""
    project = make_sdk(tmp_path_factory.mktemp(f"sdk-{request.param}"), backend=request.param)
    with contextlib.chdir(project):
        done = cli("generate")
    assert done.code == 0, done.stderr
    dist = tmp_path_factory.mktemp(f"dist-{request.param}")
    wheel = run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q",
                 "-w", str(dist), str(project)], cwd=dist)
    assert wheel.returncode == 0, wheel.stdout[-2000:] + wheel.stderr[-4000:]
    (found,) = dist.glob("mysdk-*.whl")
    return project, found


def test_generate_keeps_the_package_the_docs_and_the_bookkeeping_apart(built: tuple[Path, Path]) -> None:
    project, _ = built
    package = {rel for rel in snapshot(project / "src" / "mysdk") if "__pycache__" not in rel}
    assert package == {"__init__.py", "client.py", *MODELS}
    assert {rel for rel in snapshot(project / "docs")} == {"sdks/mysdk/README.md", *(d[5:] for d in DOCS)}
    assert sorted(p.name for p in (project / ".md2models").iterdir()) == ["cache", "manifest.json"]
    assert (project / ".md2models" / "cache" / ".gitignore").read_text().endswith("*\n")
    manifest = json.loads((project / ".md2models" / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted([*(f"src/mysdk/{rel}" for rel in MODELS), *DOCS])
    for rel, text in HAND_WRITTEN.items():
        assert (project / rel).read_text() == text


def test_the_wheel_holds_the_sdk_and_its_models_only(built: tuple[Path, Path]) -> None:
    _, wheel = built
    names = {name for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name}
    assert names == {"mysdk/__init__.py", "mysdk/client.py", *(f"mysdk/{rel}" for rel in MODELS)}


def test_the_wheel_installed_in_a_fresh_venv_imports_a_model(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, wheel = built
    (tmp_path / "venv").mkdir()
    venv = fresh_venv(tmp_path / "venv", wheel)
    script = ("import sys, mysdk\nfrom mysdk.models import GetSessionBilling\n"
              "body = mysdk.Client().session(sys.argv[1])\nassert isinstance(body.billing, GetSessionBilling)\n"
              "assert mysdk.__file__.startswith(sys.prefix), mysdk.__file__\nprint(body.usage.total_tokens)\n")
    used = run([str(venv / "bin" / "python"), "-c", script, PAYLOAD], cwd=tmp_path)
    assert used.returncode == 0 and used.stdout == "3.0\n", used.stderr


@pytest.fixture
def sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = make_sdk(tmp_path / "mysdk")
    monkeypatch.chdir(project)
    return project


def test_check_is_clean_after_generate_and_catches_a_stale_doc(sdk: Path) -> None:
    assert cli("generate").code == 0
    clean = cli("check")
    assert clean.code == 0 and "up to date: 10 files" in clean.stdout, clean
    doc = sdk / DOCS[0]
    doc.write_text(doc.read_text() + "\nA note by hand.\n")
    stale = cli("check")
    assert stale.code == 1 and f"+++ b/{DOCS[0]}" in stale.stdout and "1 stale" in stale.stdout, stale
    doc.unlink()
    assert "1 missing" in cli("check").stdout
    assert cli("generate").code == 0 and cli("check").code == 0


def test_an_interrupted_run_fails_check_until_the_next_generate(sdk: Path) -> None:
    assert cli("generate").code == 0
    write._write_journal(str(sdk / ".md2models" / "cache"), [DOCS[1]])
    assert "a generate was interrupted" in cli("check").stdout
    assert cli("generate").code == 0 and cli("check").code == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_base_keeps_its_cache_in_the_state_dir(sdk: Path) -> None:
    git(sdk, "init", "-q")
    git(sdk, "add", "-A")
    git(sdk, "commit", "-qm", "base")
    assert cli("generate").code == 0
    before = snapshot(sdk / "src")
    doc = sdk / "specs" / "models" / "getsessionusage.md"
    doc.write_text(re.sub(r"\n\| `total_tokens`.*", "", doc.read_text()))
    changed = cli("diff", "--base", "HEAD", "--format", "json")
    assert changed.code == 0 and '"field": "total_tokens"' in changed.stdout, changed
    assert diffmod.CACHE_FILE in {p.name for p in (sdk / ".md2models" / "cache").iterdir()}
    assert snapshot(sdk / "src") == before


def test_docs_links_resolve_wherever_the_docs_land(sdk: Path) -> None:
    assert cli("generate", "--docs-out", "site/reference").code == 0
    docs = sdk / "site" / "reference"
    links = [(doc, target) for doc in docs.rglob("*.md")
             for target in re.findall(r"\]\(([^)#]+\.md)\)", doc.read_text())]
    assert links
    for doc, target in links:
        assert (doc.parent / target).resolve().is_relative_to(docs.resolve()), (doc, target)
        assert (doc.parent / target).is_file(), (doc, target)
    assert not (sdk / "docs" / "models").exists()  # the move was one generate: no orphan left


def test_docs_out_none_writes_no_docs_and_removes_earlier_ones(sdk: Path) -> None:
    assert cli("generate").code == 0
    assert cli("generate", "--docs-out", "none").code == 0
    assert {rel for rel in generated(sdk) if rel.startswith("docs/")} == set()
    assert cli("check", "--docs-out", "none").code == 0
    assert cli("check").code == 1  # with the docs: missing


def test_docs_out_that_is_the_specs_folder_is_refused(sdk: Path) -> None:
    before = snapshot(sdk)
    refused = cli("generate", "--docs-out", "specs")
    assert refused.code == 2 and "which is the specs' own folder" in refused.stderr, refused
    assert snapshot(sdk) == before


def migrate(project: Path) -> None:
    """Switch the project from today's default layout to the vendoring one."""
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text + 'docs_out = "docs"\nstate_dir = ".md2models"\n')


@pytest.mark.parametrize("out", ["src/mysdk", "generated"])
def test_moving_the_default_layout_is_one_generate_and_leaves_no_orphan(tmp_path: Path, out: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_sdk(tmp_path / "mysdk", config=f'\n[tool.md2models]\nspecs = "specs"\nout = "{out}"\n'
                                                   'package = "models"\n')
    monkeypatch.chdir(project)
    init = project / "src" / "mysdk" / "__init__.py"
    if out == "src/mysdk":  # what an older md2models made there, before the package was one
        init.rename(tmp_path / "init")
    assert cli("generate").code == 0
    assert (project / out / MANIFEST_NAME).is_file() and (project / out / CACHE_DIR).is_dir()
    if out == "src/mysdk":
        (tmp_path / "init").rename(init)
        refused = cli("check")
        assert refused.code == 2 and 'state_dir = ".md2models"' in refused.stderr, refused
    hand = {rel: (project / rel).stat().st_mtime_ns for rel in HAND_WRITTEN}
    migrate(project)
    left = cli("check")  # the old docs and bookkeeping are orphans
    assert left.code == 1 and f"--- a/{out}/{MANIFEST_NAME}" in left.stdout, left
    assert f"--- a/{out}/docs/{DOCS[0][5:]}" in left.stdout and f"--- a/{out}/{CACHE_DIR}/\n" in left.stdout
    moved = cli("generate")
    assert moved.code == 0 and "removed" in moved.stderr, moved
    committed = {rel for rel in generated(project) if not rel.startswith(".md2models/cache/")}
    assert committed == {".md2models/manifest.json", *(f"{out}/{rel}" for rel in MODELS), *DOCS}
    assert not (project / out / "docs").exists() and not (project / out / CACHE_DIR).exists()
    assert {rel: (project / rel).stat().st_mtime_ns for rel in HAND_WRITTEN} == hand
    assert cli("check").code == 0


def test_a_move_that_fails_before_the_new_manifest_is_finished_by_the_next_generate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_sdk(tmp_path / "mysdk", config='\n[tool.md2models]\nspecs = "specs"\nout = "generated"\n'
                                                   'package = "models"\n')
    monkeypatch.chdir(project)
    assert cli("generate").code == 0
    migrate(project)
    save = write._save

    def disk_full_at_the_manifest(full: str, data: bytes, *, best_effort: bool = False) -> None:
        if full.endswith("manifest.json"):
            raise OSError(28, "No space left on device", full)
        save(full, data, best_effort=best_effort)

    monkeypatch.setattr(write, "_save", disk_full_at_the_manifest)
    stopped = cli("generate")
    assert stopped.code == 2 and "No space left on device" in stopped.stderr, stopped
    monkeypatch.setattr(write, "_save", save)
    assert not (project / "generated" / "docs").exists()  # the old docs went first
    left = cli("check", "--format", "json")
    report = json.loads(left.stdout)
    assert left.code == 1 and report["interrupted"], report
    assert report["orphaned"] == [f"generated/{CACHE_DIR}", f"generated/{MANIFEST_NAME}"]
    assert cli("generate").code == 0 and cli("check").code == 0
    assert sorted(p.name for p in (project / "generated").iterdir()) == ["models"]


def test_bookkeeping_in_a_python_package_is_refused_and_nothing_is_written(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_sdk(tmp_path / "mysdk", config='\n[tool.md2models]\nspecs = "specs"\nout = "src/mysdk"\n'
                                                   'package = "models"\n')
    monkeypatch.chdir(project)
    before = snapshot(project)
    refused = cli("generate")
    assert refused.code == 2 and refused.stderr.count("\n") == 1, refused
    assert "OUT src/mysdk is in a Python package (src/mysdk/__init__.py)" in refused.stderr
    assert "--state-dir" in refused.stderr and "docs/vendoring.md" in refused.stderr
    docs_inside = cli("generate", "--state-dir", ".md2models")
    assert docs_inside.code == 2 and "docs_out src/mysdk/docs is in a Python package" in docs_inside.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(("key", "value"), [("docs_out", "3"), ("state_dir", "true"), ("docs_out", "['docs']")])
def test_a_bad_value_is_a_usage_error_naming_the_key(sdk: Path, key: str, value: str) -> None:
    text = (sdk / "pyproject.toml").read_text()
    (sdk / "pyproject.toml").write_text(re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text))
    refused = cli("generate")
    assert refused.code == 2 and f"bad [tool.md2models] value: {key} must be a folder" in refused.stderr, refused


@pytest.mark.parametrize(("docs_out", "state_dir", "message"), [
    ("proj/out/pkg/docs", "proj/.md2models", "docs_out (proj/out/pkg/docs) is inside the package (proj/out/pkg)"),
    ("proj/docs", "proj/docs/.md2models", "state_dir (proj/docs/.md2models) is inside docs_out (proj/docs)"),
    ("elsewhere/docs", "proj/.md2models", "docs_out elsewhere/docs is outside the folder holding state_dir (proj)"),
    ("elsewhere/docs", None, "docs_out elsewhere/docs is outside OUT (proj/out), which"),
])
def test_layouts_that_cannot_work_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docs_out: str,
                                              state_dir: str | None, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=re.escape(message)):
        plan(Path("proj/out"), "pkg", docs_out=docs_out, state_dir=Path(state_dir) if state_dir else None)


def test_the_default_layout_is_todays() -> None:
    layout = plan(Path("output"), "session_models")
    assert (layout.root, layout.package_dir, layout.docs_dir) == (Path("output"), "session_models", "docs")
    assert layout.keep.manifest == Path("output", MANIFEST_NAME) and layout.keep.cache == Path("output", CACHE_DIR)
    files = {"session_models/py.typed": 1, "docs/models/x.md": 2}
    assert layout.place(files) == files


folders = st.lists(st.sampled_from(["a", "b", "src", "docs", ".md2models", ".."]), min_size=0, max_size=3).map(
    lambda parts: Path(*parts) if parts else Path("."))


@settings(max_examples=200, deadline=None)
@given(out=folders, docs_out=st.one_of(st.none(), st.just("none"), folders.map(str)),
       state_dir=st.one_of(st.none(), folders.filter(lambda p: p.name not in ("", "..", "."))))
def test_every_layout_is_refused_or_keeps_its_places_apart(out: Path, docs_out: str | None,
                                                            state_dir: Path | None) -> None:
    """Whatever the three places, `plan` refuses them with a ConfigError, or
    every generated path lies below the root, the package's and the docs'
    apart from each other and from the bookkeeping."""
    try:
        layout = plan(out, "pkg", docs_out=docs_out, state_dir=state_dir)
    except ConfigError as exc:
        assert "docs/vendoring.md" in str(exc)
        return
    placed = layout.place({"pkg/__init__.py": "p", "docs/models/x.md": "d"})
    assert len(placed) == (1 if docs_out == "none" else 2)
    root = Path(os.path.abspath(layout.root))
    for rel in placed:
        assert ".." not in Path(rel).parts and not Path(rel).is_absolute()
        where = root / rel
        for mine in (layout.keep.manifest, layout.keep.cache):
            assert not where.is_relative_to(os.path.abspath(mine)), (rel, mine)
    if layout.docs_dir is not None:
        package, docs = root / layout.package_dir, root / layout.docs_dir
        assert not package.is_relative_to(docs) and not docs.is_relative_to(package)
