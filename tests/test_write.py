"""The write stage on real files: files replaced in place, ownership, the
journal of an interrupted run, the stat cache, check, and SIGKILLs."""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import io
import json
import os
import random
import shutil
import signal
import stat
import struct
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping, Optional

import pytest

from generator import api, build, manifest, workers, write
from generator.diagnostics import SpecError
from generator.overrides import NO_OVERRIDES
from generator.progress import NO_PROGRESS
from generator.resolve import resolve, summarize
from generator.manifest import (
    CACHE_DIR,
    CACHE_GITIGNORE,
    JOURNAL_FILE,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    STAT_FILE,
    TMP_SUFFIX,
    Manifest,
    manifest_bytes,
    read_manifest,
    read_stat_cache,
    stat_cache_bytes,
)
from generator.terminal import want_color
from generator.write import (
    OutputError,
    OutputFile,
    check_output,
    check_report_json,
    format_check,
    write_output,
)

REPO = Path(__file__).resolve().parent.parent
VERSION = "1.2.3"
# Where the default layout keeps the stat records and the journal, relative to OUT.
STAT_CACHE = f"{CACHE_DIR}/{STAT_FILE}"
JOURNAL = f"{CACHE_DIR}/{JOURNAL_FILE}"


def outputs(texts: Mapping[str, str]) -> dict[str, OutputFile]:
    return {path: OutputFile.from_bytes(text.encode()) for path, text in texts.items()}


STATE_A = outputs(
    {
        "pkg/__init__.py": "from .models import *\n",
        "pkg/py.typed": "",
        "pkg/models/foo.py": "class Foo: ...\n",
        "pkg/models/bar.py": "class Bar: ...\n",
        "pkg/old/gone.py": "# removed in B\n",
        "docs/models/foo.md": "# Foo\n",
        "docs/models/bar.md": "# Bar\n",
    }
)
STATE_B = {
    **{path: f for path, f in STATE_A.items() if path != "pkg/old/gone.py"},
    **outputs({"pkg/models/foo.py": "class Foo:\n    x: int\n", "docs/models/baz.md": "# Baz\n"}),
}


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Everything about a tree a write could change: kinds, bytes, inodes, mtimes."""
    result: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            data = Path(full).read_bytes() if name in filenames else None
            result[os.path.relpath(full, root)] = (st.st_mode, st.st_ino, st.st_mtime_ns, st.st_size, data)
    return result


def folders(root: Path) -> dict[str, int]:
    """Every folder under `root` (itself as ".") and its inode."""
    found = {".": os.lstat(root).st_ino}
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            found[os.path.relpath(os.path.join(dirpath, name), root)] = os.lstat(os.path.join(dirpath, name)).st_ino
    return found


def contents(out: Path) -> dict[str, bytes]:
    """The files under OUT (bar the manifest and the cache) and their bytes."""
    return {
        rel: Path(out, rel).read_bytes()
        for d, dirs, names in os.walk(out)
        for name in names
        if not (rel := os.path.relpath(os.path.join(d, name), out).replace(os.sep, "/")).startswith(".md2models")
    }


def committed(out: Path) -> dict[str, tuple[object, ...]]:
    """What users commit: the snapshot of OUT but the cache directory."""
    return {path: v for path, v in snapshot(out).items() if path.split(os.sep)[0] != CACHE_DIR}


def expected(files: Mapping[str, OutputFile], extra: Mapping[str, bytes] = {}) -> dict[str, bytes]:
    return {**{path: f.load() for path, f in files.items()}, **extra}


def without_manifest(snap: Mapping[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    return {path: v for path, v in snap.items() if path != MANIFEST_NAME}


def assert_no_leftovers(out: Path) -> None:
    """Nothing beside OUT; in it, no temporary file and no journal; in the
    cache only what we keep there; no child process of ours."""
    assert os.listdir(out.parent) == [out.name]
    ours = [name for _, _, names in os.walk(out) for name in names if "md2models" in name or name.endswith(".tmp")]
    assert ours == [MANIFEST_NAME] or ours == [], ours
    cache = out / CACHE_DIR
    assert (cache / ".gitignore").read_bytes() == CACHE_GITIGNORE
    assert set(os.listdir(cache)) <= {".gitignore", "stat.marshal", "state.marshal", "state-delta.marshal",
                                      "manifest.sha256"}
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def age(out: Path, paths: Iterable[str], mtime_ns: int = 10**18 + 1) -> None:
    """Give files an old mtime (as a checkout a while ago would): same bytes."""
    for path in paths:
        os.utime(out / path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "root" / "output"


# --- writing ----------------------------------------------------------------


def test_first_write_into_missing_out(out: Path) -> None:
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert report.created == tuple(sorted(STATE_A))
    assert contents(out) == expected(STATE_A)
    manifest = read_manifest(str(out / MANIFEST_NAME))
    assert manifest.tool_version == VERSION
    assert manifest.files == {p: f.digest for p, f in STATE_A.items()}
    stats = read_stat_cache(str(out / CACHE_DIR))
    assert stats == {p: (f.digest, os.stat(out / p).st_size, os.stat(out / p).st_mtime_ns) for p, f in STATE_A.items()}
    assert_no_leftovers(out)


def test_first_write_into_empty_out_keeps_its_inode(out: Path) -> None:
    out.mkdir(parents=True)
    inode = out.stat().st_ino
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A) and out.stat().st_ino == inode
    assert check_output(out, STATE_A).up_to_date


def test_rewrite_is_a_no_op(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = snapshot(out.parent)
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert (report.created, report.updated, report.removed, report.unchanged) == ((), (), (), len(STATE_A))
    assert report.summary() == f"up to date: {len(STATE_A)} files"
    assert snapshot(out.parent) == before


def test_one_changed_file_is_the_only_one_replaced(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before, dirs = snapshot(out), folders(out)
    files = {**STATE_A, **outputs({"pkg/models/bar.py": "class Bar:\n    y: str\n"})}
    report = write_output(out, files, tool_version=VERSION)
    assert report.updated == ("pkg/models/bar.py",) and not report.created and not report.removed
    after = snapshot(out)
    for path in STATE_A:
        same = before[path] == after[path]
        assert same == (path != "pkg/models/bar.py"), path  # inode and mtime kept
    assert after[MANIFEST_NAME][1] != before[MANIFEST_NAME][1]
    assert folders(out) == dirs
    assert contents(out) == expected(files)
    assert_no_leftovers(out)


def test_a_replaced_file_keeps_its_mode_and_new_files_follow_the_umask(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg/models/foo.py").chmod(0o640)
    (out / "pkg/models/bar.py").chmod(0o755)
    write_output(out, STATE_B, tool_version=VERSION)
    assert (out / "pkg/models/foo.py").stat().st_mode & 0o777 == 0o640  # replaced: mode kept
    assert (out / "pkg/models/bar.py").stat().st_mode & 0o777 == 0o755  # untouched
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "docs/models/baz.md").stat().st_mode & 0o777 == 0o666 & ~umask


def test_orphans_removed_with_the_directories_they_emptied(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg" / "empty-by-hand").mkdir()
    dirs = folders(out)
    report = write_output(out, STATE_B, tool_version=VERSION)
    assert report.removed == ("pkg/old/gone.py",)
    assert report.created == ("docs/models/baz.md",)
    assert report.updated == ("pkg/models/foo.py",)
    assert not (out / "pkg" / "old").exists()
    assert (out / "pkg" / "empty-by-hand").is_dir()
    assert folders(out) == {path: ino for path, ino in dirs.items() if path != os.path.join("pkg", "old")}
    assert contents(out) == expected(STATE_B)
    assert set(read_manifest(str(out / MANIFEST_NAME)).files) == set(STATE_B)


def test_hand_written_and_unrelated_files_survive_every_run(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "README.md").write_text("about the output\n")
    (out / "pkg" / "old").mkdir(parents=True)
    (out / "pkg" / "custom.py").write_text("# mine\n")
    (out / "pkg" / "old" / "notes.txt").write_text("kept\n")
    (out / "tools").mkdir()
    (out / "tools" / "link").symlink_to("../README.md")
    mine = ["README.md", "pkg/custom.py", "pkg/old/notes.txt", "tools/link"]  # the same inodes, mtimes
    before = snapshot(out)
    for files in (STATE_A, STATE_B, STATE_A, {}):
        write_output(out, files, tool_version=VERSION)
        after = snapshot(out)
        assert {p: after[p] for p in mine} == {p: before[p] for p in mine}
    assert set(contents(out)) == {"README.md", "pkg/custom.py", "pkg/old/notes.txt", "tools/link"}


def test_a_shell_inside_out_keeps_its_folder_and_its_files(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    monkeypatch.chdir(out / "pkg" / "models")
    here = os.stat(".").st_ino
    write_output(out, STATE_B, tool_version=VERSION)  # replaces a file in this very folder
    Path("notes.py").write_text("# written from the shell\n")
    write_output(out, STATE_A, tool_version=VERSION)
    assert os.stat(".").st_ino == here == (out / "pkg" / "models").stat().st_ino
    assert Path("foo.py").read_bytes() == STATE_A["pkg/models/foo.py"].load()  # the shell sees the new files
    assert contents(out) == expected(STATE_A, {"pkg/models/notes.py": b"# written from the shell\n"})


def test_manifest_is_deterministic_and_does_not_churn(out: Path, tmp_path: Path) -> None:
    inputs = {"models/foo.md": "1" * 32, "models/bar.md": "2" * 32}
    write_output(out, STATE_A, tool_version=VERSION, inputs=inputs)
    manifest_path = out / MANIFEST_NAME
    text = manifest_path.read_text()
    data = json.loads(text)
    assert list(data) == ["docs", "docs_salt", "files", "format", "inputs", "tool_version"] and data["format"] == 4
    assert data["files"] == {path: STATE_A[path].digest for path in sorted(STATE_A)}
    assert list(data["files"]) == sorted(STATE_A)
    assert list(data["inputs"]) == sorted(inputs) and data["inputs"] == inputs
    assert read_manifest(str(out / MANIFEST_NAME)).inputs == inputs
    assert f'\n  "models/bar.md": "{"2" * 32}",\n' in text  # one line a doc: merges see only what changed
    assert "mtime" not in text and "size" not in text
    written = snapshot(out)[MANIFEST_NAME]  # bytes, inode, mtime

    write_output(out, STATE_A, tool_version=VERSION, inputs=inputs)  # nothing changed: not even rewritten
    assert snapshot(out)[MANIFEST_NAME] == written

    age(out, STATE_A)  # as a git checkout would: same bytes, new mtimes
    before = committed(out)
    report = write_output(out, STATE_A, tool_version=VERSION, inputs=inputs)
    assert not (report.created or report.updated or report.removed)
    assert committed(out) == before and before[MANIFEST_NAME] == written
    assert {mtime for _, _, mtime in read_stat_cache(str(out / CACHE_DIR)).values()} == {10**18 + 1}  # stats refreshed

    write_output(out, STATE_B, tool_version=VERSION)
    write_output(out, STATE_A, tool_version=VERSION, inputs=inputs)  # another run, same files: same bytes
    assert manifest_path.read_text() == text
    other = tmp_path / "other"
    write_output(other, dict(reversed(STATE_A.items())), tool_version=VERSION, inputs=dict(reversed(inputs.items())))
    assert (other / MANIFEST_NAME).read_text() == text


def test_a_manifest_is_patched_where_a_few_values_change(tmp_path: Path) -> None:
    """The text of a manifest that differs from the last one in a few values
    is the last one's with those replaced, the same bytes as built anew; a
    changed set of paths, or too many changes, builds it anew."""
    rng = random.Random(7)
    hexes = lambda n: "".join(rng.choice("0123456789abcdef") for _ in range(n))  # noqa: E731
    docs = {f"models/d{i}.md": hexes(32) for i in range(300)}
    old = Manifest("1.0", {f"pkg/models/d{i}.py": hexes(64) for i in range(300)} | {'pkg/"q".py': hexes(64)},
                   inputs={**{path: hexes(32) for path in docs}, "(package)": hexes(32)}, docs=docs, docs_salt="s")
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(manifest_bytes(old))
    old = read_manifest(str(path))
    for changes in (1, 5, manifest._PATCH_LIMIT):
        new = Manifest("1.0", dict(old.files), inputs=dict(old.inputs), docs=dict(old.docs), docs_salt="s")
        for _ in range(changes):
            section = rng.choice([new.files, new.inputs, new.docs])
            key = rng.choice(sorted(section))
            section[key] = hexes(len(section[key]))  # type: ignore[index]
        assert manifest._patched(old, new) == manifest_bytes(new) != old.raw
    new = Manifest("1.0", {**old.files, 'pkg/"q".py': hexes(64)}, inputs=old.inputs, docs=old.docs, docs_salt="s")
    assert manifest._patched(old, new) == manifest_bytes(new)  # a key JSON escapes
    assert manifest._patched(old, replace(new, files={**old.files, "pkg/new.py": hexes(64)})) is None
    assert manifest._patched(old, replace(new, files=dict(list(old.files.items())[1:]))) is None
    assert manifest._patched(old, replace(new, tool_version="1.1")) is None
    many = {key: hexes(64) for key in sorted(old.files)[: manifest._PATCH_LIMIT + 1]}
    assert manifest._patched(old, replace(new, files={**old.files, **many})) is None


def test_generate_patches_only_a_manifest_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After one doc changes, the manifest is patched (nothing builds its
    text) when its bytes are those the last run wrote; a hand-edited one
    (valid, but laid out otherwise) is built anew, in the canonical layout."""
    specs, out = small_spec(tmp_path), tmp_path / "out"
    api.generate(specs, out, "pkg")
    doc = specs / "models" / "alpha.md"
    doc.write_text(doc.read_text().replace("| N/A |", "| The id. |", 1))
    real = manifest._object_lines
    monkeypatch.setattr(manifest, "_object_lines", lambda values: pytest.fail("built the manifest's text"))
    assert api.generate(specs, out, "pkg")[0].updated
    path = out / MANIFEST_NAME
    monkeypatch.setattr(manifest, "_object_lines", real)
    assert path.read_bytes() == manifest_bytes(read_manifest(str(path)))
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4))  # the same manifest, laid out otherwise
    doc.write_text(doc.read_text().replace("| The id. |", "| The model's id. |", 1))
    assert api.generate(specs, out, "pkg")[0].updated
    assert path.read_bytes() == manifest_bytes(read_manifest(str(path)))
    assert api.check(specs, out, "pkg")[0].up_to_date


def test_a_restored_file_leaves_the_manifest_file_alone(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    written = snapshot(out)[MANIFEST_NAME]
    (out / "pkg/models/foo.py").write_text("# hand-edited\n")
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert report.updated == ("pkg/models/foo.py",)
    assert contents(out) == expected(STATE_A)
    assert snapshot(out)[MANIFEST_NAME] == written


def test_a_new_tool_version_rewrites_only_the_manifest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = committed(out)
    report = write_output(out, STATE_A, tool_version="9.9")
    assert report.summary() == f"up to date: {len(STATE_A)} files"
    assert without_manifest(committed(out)) == without_manifest(before)
    assert read_manifest(str(out / MANIFEST_NAME)).tool_version == "9.9"
    assert_no_leftovers(out)


def test_a_format_1_manifest_is_read_and_upgraded(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    v1 = {
        "files": {p: {"mtime_ns": 1, "sha256": f.digest, "size": 0} for p, f in sorted(STATE_A.items())},
        "format": 1,
        "tool_version": VERSION,
    }
    (out / MANIFEST_NAME).write_text(json.dumps(v1))
    assert check_output(out, STATE_A).up_to_date
    assert check_output(out, STATE_B).orphaned == ("pkg/old/gone.py",)  # ownership survives the upgrade
    before = committed(out)
    write_output(out, STATE_A, tool_version=VERSION)
    assert without_manifest(committed(out)) == without_manifest(before)
    assert read_manifest(str(out / MANIFEST_NAME)).format == MANIFEST_FORMAT
    write_output(out, STATE_B, tool_version=VERSION)
    assert not (out / "pkg/old/gone.py").exists()


# --- where OUT is -------------------------------------------------------------


def test_out_through_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-output"
    link = tmp_path / "output"
    real.mkdir()
    link.symlink_to(real.name)
    dirs = folders(real)
    write_output(link, STATE_A, tool_version=VERSION)
    report = write_output(link, STATE_B, tool_version=VERSION)
    assert report.summary() == "1 created, 1 updated, 1 removed, 5 unchanged"
    assert link.is_symlink() and contents(real) == expected(STATE_B)
    assert folders(real)["."] == dirs["."]
    assert sorted(os.listdir(tmp_path)) == ["output", "real-output"]
    assert check_output(link, STATE_B).up_to_date


def test_out_in_a_read_only_parent(out: Path) -> None:
    """Nothing is ever created beside OUT (as root the chmod stops nothing,
    so `assert_no_leftovers` checks the parent's listing too)."""
    out.mkdir(parents=True)
    out.parent.chmod(0o555)
    try:
        write_output(out, STATE_A, tool_version=VERSION)
        write_output(out, STATE_B, tool_version=VERSION)
        assert contents(out) == expected(STATE_B)
        assert_no_leftovers(out)
    finally:
        out.parent.chmod(0o755)


def test_every_change_is_made_inside_out_and_out_is_never_renamed(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes a mount point or a read-only parent work: OUT itself is
    only ever created (when missing), never renamed or replaced."""
    out.mkdir(parents=True)
    root = os.path.realpath(out)
    touched: list[str] = []

    def spy(name: str, *positions: int) -> None:
        real = getattr(os, name)

        def call(*args: object, **kwargs: object) -> object:
            touched.extend(os.path.abspath(str(args[i])) for i in positions)
            return real(*args, **kwargs)

        monkeypatch.setattr(os, name, call)

    for name in ("replace", "rename", "unlink", "rmdir", "mkdir", "utime"):
        spy(name, *((0, 1) if name in ("replace", "rename") else (0,)))
    real_open = os.open

    def open_(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            touched.append(os.path.abspath(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_)
    for files in (STATE_A, STATE_B, {}):
        write_output(out, files, tool_version=VERSION)
    monkeypatch.undo()
    assert touched and all(path.startswith(root + os.sep) for path in touched), sorted(set(touched))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="a bind mount needs root")
def test_out_that_is_a_mount_point(out: Path, tmp_path: Path) -> None:
    source = tmp_path / "elsewhere"
    source.mkdir()
    out.mkdir(parents=True)
    if subprocess.run(["mount", "--bind", str(source), str(out)], capture_output=True).returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        write_output(out, STATE_A, tool_version=VERSION)
        write_output(out, STATE_B, tool_version=VERSION)
        assert contents(out) == expected(STATE_B) == contents(source)
        assert os.listdir(out.parent) == [out.name]
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_out_that_is_a_file_is_an_output_error(out: Path) -> None:
    out.parent.mkdir(parents=True)
    out.write_text("oops")
    with pytest.raises(OutputError, match="not a directory"):
        write_output(out, STATE_A, tool_version=VERSION)
    with pytest.raises(OutputError, match="not a directory"):
        check_output(out, STATE_A)


@pytest.mark.parametrize("where, error", [
    ("pkg/models/foo.py", "cannot write pkg/models/foo.py: a directory is in the way"),
    ("docs/extra", "cannot create directory docs/extra: a file or link is in the way"),
    ("docs/link", "cannot create directory docs/link: a file or link is in the way"),
])
def test_hand_made_entries_in_the_way_are_output_errors_before_any_change(out: Path, where: str, error: str) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    if where == "pkg/models/foo.py":
        (out / where).unlink()
        (out / where).mkdir()
    elif where == "docs/link":
        (out / where).symlink_to(out.parent)  # never written through: it leads out of OUT
    else:
        (out / where).write_text("a file\n")
    before = snapshot(out)
    files = {**STATE_B, **outputs({"docs/extra/x.md": "", "docs/link/y.md": ""})}
    with pytest.raises(OutputError, match=error):
        write_output(out, files, tool_version=VERSION)
    assert snapshot(out) == before
    assert not os.path.exists(out / JOURNAL)


def test_invalid_paths_are_rejected(out: Path) -> None:
    bad_paths = ("../x.py", "/abs.py", "a//b.py", "pkg/./x.py", MANIFEST_NAME, STAT_CACHE, f"{CACHE_DIR}/x",
                 f"pkg/.x.py{TMP_SUFFIX}")
    for bad in bad_paths:
        with pytest.raises(ValueError):
            write_output(out, outputs({bad: ""}), tool_version=VERSION)


def test_loaded_bytes_must_match_the_digest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = snapshot(out)
    liar = {**STATE_B, "pkg/models/bar.py": OutputFile("0" * 64, lambda: b"whatever\n")}
    with pytest.raises(ValueError, match="do not match"):
        write_output(out, liar, tool_version=VERSION)
    assert snapshot(out) == before


# --- runs that stop half-way: the journal -------------------------------------------


def fail_after(monkeypatch: pytest.MonkeyPatch, replaces: int, error: BaseException) -> None:
    """The next run writes `replaces` files (its journal first), then meets `error`."""
    real = write.replace_atomically
    calls = []

    def failing(full: str, data: bytes) -> tuple[str, int, int]:
        calls.append(full)
        if len(calls) > replaces:
            raise error
        return real(full, data)

    monkeypatch.setattr(write, "replace_atomically", failing)


def test_a_failed_run_is_reported_by_check_and_finished_by_the_next(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    fail_after(monkeypatch, 2, OSError(28, "No space left on device"))  # the journal, then one file
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(out, STATE_B, tool_version=VERSION)
    monkeypatch.undo()
    assert (out / JOURNAL).exists()
    found = contents(out)
    assert found != expected(STATE_A) and found != expected(STATE_B)
    assert all(found.get(path) in (STATE_A[path].load() if path in STATE_A else None, STATE_B[path].load())
               for path in STATE_B)
    report = check_output(out, STATE_B)
    assert report.interrupted and not report.up_to_date
    assert check_report_json(report)["interrupted"] is True
    assert "a generate was interrupted: run `md2models generate`" in format_check(
        report, "output", color=False, quiet=True, load_new=lambda p: STATE_B[p].load())
    assert not check_output(out, STATE_A).up_to_date
    write_output(out, STATE_B, tool_version=VERSION)
    assert contents(out) == expected(STATE_B)
    assert check_output(out, STATE_B).up_to_date
    assert_no_leftovers(out)


def renamed(files: Mapping[str, OutputFile], old: str, new: str) -> dict[str, OutputFile]:
    return {new + path[len(old):] if path.startswith(old) else path: f for path, f in files.items()}


@pytest.mark.parametrize("stops", [1, 3])
def test_a_stopped_package_rename_then_reverted_leaves_no_strays(
    out: Path, monkeypatch: pytest.MonkeyPatch, stops: int
) -> None:
    """Files an interrupted run created are no manifest's, yet the journal
    makes them generated: reverting the rename deletes them.  Journals add
    up over several interrupted runs."""
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg" / "mine.py").write_text("# mine\n")
    for stop in range(stops):
        fail_after(monkeypatch, 2 + stop, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            write_output(out, renamed(STATE_A, "pkg/", f"pkg{stop}/"), tool_version=VERSION)
        monkeypatch.undo()
    assert {p.split("/")[0] for p in contents(out)} == {"pkg", "docs", *(f"pkg{n}" for n in range(stops))}
    assert check_output(out, STATE_A).orphaned  # the strays, reported by check too
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A, {"pkg/mine.py": b"# mine\n"})
    assert sorted(os.listdir(out)) == [CACHE_DIR, MANIFEST_NAME, "docs", "pkg"]
    assert_no_leftovers(out)


def test_a_damaged_journal_still_means_an_interrupted_run(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / JOURNAL).write_bytes(b"\x00garbage")
    assert check_output(out, STATE_A).interrupted
    assert write_output(out, STATE_A, tool_version=VERSION).summary() == f"up to date: {len(STATE_A)} files"
    assert check_output(out, STATE_A).up_to_date
    assert_no_leftovers(out)


def test_a_killed_runs_temporary_files_are_deleted(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    write._write_journal(str(out / CACHE_DIR), ["pkg/models/foo.py", "docs/new/x.md"])
    tmp = out / "pkg" / "models" / f".foo.py{TMP_SUFFIX}"
    tmp.write_text("class Fo")  # where a kill left it
    (out / f".{MANIFEST_NAME}{TMP_SUFFIX}").write_text("{")
    assert not check_output(out, STATE_A).up_to_date
    write_output(out, STATE_A, tool_version=VERSION)
    assert not tmp.exists()
    assert_no_leftovers(out)


def test_runs_on_one_out_take_turns_and_runs_on_others_do_not_wait(out: Path, tmp_path: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    fd = os.open(out / CACHE_DIR, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a run in progress on OUT
    try:
        started = time.monotonic()
        write_output(tmp_path / "sibling", STATE_A, tool_version=VERSION)
        assert time.monotonic() - started < 2
        waiting = threading.Thread(target=write_output, args=(out, STATE_B), kwargs={"tool_version": VERSION})
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive() and contents(out) == expected(STATE_A)
    finally:
        os.close(fd)
    waiting.join(10)
    assert contents(out) == expected(STATE_B)


def test_the_cli_exits_1_on_an_interrupted_run_and_generate_finishes_it(tmp_path: Path) -> None:
    from .specgen import md2models, object_doc, row, write_spec

    specs, out = tmp_path / "specs", tmp_path / "out"
    write_spec(specs, {"models/a.md": object_doc("A", [row("x", "*str*")])})
    assert md2models("generate", specs, "--out", out, "--package", "pkg").code == 0
    write._write_journal(str(out / CACHE_DIR), ["pkg/stray.py"])
    (out / "pkg" / "stray.py").write_text("# half a rename\n")
    run = md2models("check", specs, "--out", out, "--package", "pkg", "-q")
    assert run.code == 1 and "1 orphaned, a generate was interrupted" in run.stdout, run.explain()
    assert md2models("generate", specs, "--out", out, "--package", "pkg").code == 0
    assert not (out / "pkg" / "stray.py").exists()
    assert md2models("check", specs, "--out", out, "--package", "pkg").code == 0


# --- watchers ---------------------------------------------------------------------

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF = 0x400, 0x800
_CHANGES = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE
            | _IN_DELETE_SELF | _IN_MOVE_SELF)


class Watcher:
    """inotify on every folder of a tree, through libc (Linux only)."""

    def __init__(self, root: Path):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK)
        if self.fd < 0:
            pytest.skip("inotify is not available")
        self.root, self.watches = root, {}
        for folder in folders(root):
            full = os.path.normpath(root / folder)
            self.watches[self.libc.inotify_add_watch(self.fd, os.fsencode(full), _CHANGES)] = full

    def events(self) -> list[tuple[str, int]]:
        """(path relative to the root, mask) of every event so far."""
        found = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return found
            offset = 0
            while offset < len(data):
                wd, mask, _, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16:offset + 16 + size].rstrip(b"\0").decode()
                offset += 16 + size
                found.append((os.path.relpath(os.path.join(self.watches[wd], name), self.root), mask))

    def close(self) -> None:
        os.close(self.fd)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_one_changed_file_makes_events_only_for_it_the_manifest_and_the_cache(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    watcher = Watcher(out)
    try:
        write_output(out, STATE_A, tool_version=VERSION)
        assert watcher.events() == []  # a no-op changes nothing
        files = {**STATE_A, **outputs({"pkg/models/bar.py": "class Bar:\n    y: str\n"})}
        write_output(out, files, tool_version=VERSION)
        events = watcher.events()
        changed = {path for path, _ in events}
        assert os.path.join("pkg", "models", "bar.py") in changed
        allowed = {os.path.join("pkg", "models", "bar.py"), os.path.join("pkg", "models", f".bar.py{TMP_SUFFIX}"),
                   MANIFEST_NAME, f".{MANIFEST_NAME}{TMP_SUFFIX}"}
        assert {path for path in changed if path.split(os.sep)[0] != CACHE_DIR} <= allowed, events
        assert not [mask for _, mask in events if mask & (_IN_DELETE_SELF | _IN_MOVE_SELF)]
        (out / "pkg" / "models" / "new.py").write_text("")  # the watches still see OUT
        assert os.path.join("pkg", "models", "new.py") in {path for path, _ in watcher.events()}
    finally:
        watcher.close()


# --- claims: files written as they are rendered ----------------------------------


def test_claimed_files_written_by_the_caller_count_as_created_and_are_recorded(out: Path) -> None:
    write_output(out, {"pkg/keep.py": STATE_A["pkg/__init__.py"]}, tool_version=VERSION)
    (out / "pkg" / "hand.py").write_text("# hand-written, not ours\n")
    writer = write.Writer(out)
    claimed = writer.claim(["pkg/keep.py", "pkg/hand.py", "pkg/models/foo.py", "pkg/models/bar.py"])
    # only where nothing is on disk; journaled before the caller writes anything
    assert claimed == {path: f"{os.path.realpath(out)}/{path}" for path in ("pkg/models/foo.py", "pkg/models/bar.py")}
    assert (out / JOURNAL).exists() and check_output(out, {}).interrupted
    written = {path: (STATE_A[path].digest, *write.replace_atomically(full, STATE_A[path].load()))
               for path, full in claimed.items() if path == "pkg/models/foo.py"}
    files = {**STATE_A, "pkg/keep.py": STATE_A["pkg/__init__.py"], "pkg/hand.py": STATE_A["pkg/__init__.py"]}
    report = writer.finish(files, tool_version=VERSION, written=written)
    # the claimed file the caller did not write is written now; the hand-written one replaced as before
    assert set(report.created) == set(STATE_A)
    assert report.updated == ("pkg/hand.py",) and contents(out) == expected(files)
    assert not (out / JOURNAL).exists()
    assert set(read_stat_cache(str(out / CACHE_DIR))) == set(files)  # a no-op run next hashes nothing


@pytest.mark.parametrize("before", ["no OUT", "an OUT", "an interrupted OUT"])
def test_an_aborted_run_leaves_out_as_it_found_it(out: Path, before: str) -> None:
    if before != "no OUT":
        write_output(out, STATE_A, tool_version=VERSION)
    if before == "an interrupted OUT":
        (out / JOURNAL).write_bytes(b"damaged: still means interrupted")
    snap = snapshot(out.parent)
    writer = write.Writer(out)
    claimed = writer.claim(["pkg/new/deep/one.py", "docs/new.md", "pkg/models/foo.py"])
    assert "pkg/models/foo.py" not in claimed or before == "no OUT"
    for full in claimed.values():
        write.replace_atomically(full, b"half of a run\n")
    writer.abort()
    # the same tree, bar the mtimes of the folders the files were written in and removed from, and the
    # journal (in the cache) put back as it was
    after = snapshot(out.parent)
    assert after.keys() == snap.keys()
    assert {path: info if not stat.S_ISDIR(int(info[0])) and not path.endswith(JOURNAL_FILE) else info[-1]
            for path, info in after.items()} == {
        path: info if not stat.S_ISDIR(int(info[0])) and not path.endswith(JOURNAL_FILE) else info[-1]
        for path, info in snap.items()}


def test_a_claim_never_writes_through_something_in_the_way(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "guides").write_text("a file where a folder goes\n")
    assert write.Writer(out).claim(["guides/models/foo.md", "pkg/models/new.py"]) == {
        "pkg/models/new.py": f"{os.path.realpath(out)}/pkg/models/new.py"}


SMALL_SPEC = {
    f"{name.lower()}.md": f"""# {name}

## Fields

| Field | Type | Required | Description |
| ----- | ---- | -------- | ----------- |
| `id` | *str* | :heavy_check_mark: | N/A |
| `next` | [Optional[models.{other}]](../models/{other.lower()}.md) | :heavy_minus_sign: | N/A |
"""
    for name, other in (("Alpha", "Beta"), ("Beta", "Gamma"), ("Gamma", "Alpha"))
}


def small_spec(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    (specs / "models").mkdir(parents=True)
    for name, text in SMALL_SPEC.items():
        (specs / "models" / name).write_text(text)
    return specs


def test_a_cold_generate_writes_as_it_renders_and_records_every_file(
        out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = small_spec(tmp_path)
    by_build: list[str] = []
    real = workers.write_claimed
    monkeypatch.setattr(workers, "write_claimed", lambda full, data: by_build.append(full) or real(full, data))
    report, _ = api.generate(specs, out, "pkg")
    produced = {f"pkg/models/{name[:-3]}.py" for name in SMALL_SPEC} | {f"docs/models/{name}" for name in SMALL_SPEC}
    assert {os.path.relpath(full, os.path.realpath(out)) for full in by_build} == produced
    assert produced <= set(report.created) and not report.updated and report.unchanged == 0
    assert set(read_stat_cache(str(out / CACHE_DIR))) == set(report.created)
    assert api.check(specs, out, "pkg")[0].up_to_date
    monkeypatch.setattr(write, "_hash_file", lambda path: pytest.fail(f"hashed {path}"))
    assert api.generate(specs, out, "pkg")[0].summary() == f"up to date: {len(report.created)} files"


@pytest.mark.parametrize("later", [0, 1])
def test_a_worker_writes_one_kind_of_file_after_its_whole_share(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: int) -> None:
    """Two workers write modules and pages in opposite orders, so they do
    not queue for one folder's lock; every record still matches its file."""
    specs = small_spec(tmp_path)
    models = {rel: workers.load_model(specs, rel) for rel in (f"models/{name}" for name in sorted(SMALL_SPEC))}
    resolved, _ = resolve(summarize(model) for model in models.values())
    folder = tmp_path / "written"
    jobs = [(rel, True, f"{folder}/pkg/{rel[:-3]}.py", f"{folder}/docs/{rel}") for rel in models]
    order: list[str] = []
    real = workers.write_claimed
    monkeypatch.setattr(workers, "write_claimed", lambda full, data: order.append(full) or real(full, data))
    rows = workers._render_share(jobs, models.__getitem__, resolved, NO_OVERRIDES, "pydantic", "3.9",
                                 NO_PROGRESS.counter(), later=later)
    first, then = ("/docs/", "/pkg/") if later == 0 else ("/pkg/", "/docs/")
    assert [first in full for full in order] == [True] * len(jobs) + [False] * len(jobs)
    assert all(then in full for full in order[len(jobs):])
    for rel, module, module_digest, module_record, page, page_digest, page_record in rows:
        for full, digest, record, data in ((f"{folder}/pkg/{rel[:-3]}.py", module_digest, module_record, module),
                                           (f"{folder}/docs/{rel}", page_digest, page_record, page)):
            st = os.stat(full)
            assert data is None and record == (st.st_size, st.st_mtime_ns)
            assert digest == hashlib.sha256(Path(full).read_bytes()).hexdigest()


def test_workers_render_the_pages_while_the_main_process_resolves_and_only_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `pages`, each worker renders its docs' pages right after parsing
    them (in the gap while the main process resolves) and uses those in the
    render: each page is rendered once, and the files are those of a run without."""
    specs = small_spec(tmp_path)
    log = tmp_path / "pages.log"
    real = workers.render_doc

    def logged(model: object) -> str:  # in the worker processes too (they fork after this)
        with open(log, "a") as f:
            f.write(f"{model.path}\n")  # type: ignore[attr-defined]
        return real(model)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "render_doc", logged)
    rows = {}
    for pages in (True, False):
        log.write_text("")
        with workers.Workers(specs, 2, len(SMALL_SPEC), pages=pages) as pool:
            parsed = pool.parse(sorted(f"models/{name}" for name in SMALL_SPEC))
            summaries = [workers.summary_of(row[2]) for row in parsed]
            resolved, _ = resolve(summaries)
            pool.hashed()
            rows[pages] = sorted(pool.render([(row[0], True, "", "") for row in parsed], resolved,
                                             [row[2] for row in parsed], ()))
        assert sorted(log.read_text().split()) == sorted(f"models/{name}" for name in SMALL_SPEC)
    assert rows[True] == rows[False] and all(row[4] for row in rows[True])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness is Linux's")
def test_workers_render_pages_ahead_in_a_thread_of_low_priority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages a worker renders while the main process resolves come from
    a thread `PAGES_AHEAD_NICENESS` nicer than the worker: spare work, which
    must not slow the main process."""
    specs = small_spec(tmp_path)
    seen = tmp_path / "niceness"
    real = workers.render_doc

    def render_doc(model: object) -> str:  # in the worker processes
        if threading.current_thread() is not threading.main_thread():
            with open(seen, "a") as f:
                f.write(f"{os.getpriority(os.PRIO_PROCESS, threading.get_native_id())}\n")
        return real(model)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "render_doc", render_doc)
    with workers.Workers(specs, 2, len(SMALL_SPEC), pages=True) as pool:
        pool.parse(sorted(f"models/{name}" for name in SMALL_SPEC))
        time.sleep(0.5)  # the pages are rendered ahead while this process waits
    assert set(seen.read_text().split()) == {str(min(os.nice(0) + workers.PAGES_AHEAD_NICENESS, 19))}
    assert len(seen.read_text().split()) == len(SMALL_SPEC)


def test_a_cold_generate_claims_its_files_while_the_workers_parse(
        out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every changed doc's outputs are rendered when no manifest is trusted:
    they are claimed in one go while the workers parse, before the resolve."""
    specs = small_spec(tmp_path)
    events: list[str] = []
    real_claim, real_resolve = write.Writer.claim, build.resolve
    monkeypatch.setattr(write.Writer, "claim", lambda self, paths: events.append("claim") or real_claim(self, paths))
    monkeypatch.setattr(build, "resolve", lambda *a, **k: events.append("resolve") or real_resolve(*a, **k))
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    report, _ = api.generate(specs, out, "pkg", jobs=2)
    assert events == ["claim", "resolve"]
    assert {f"pkg/models/{name[:-3]}.py" for name in SMALL_SPEC} <= set(report.created)
    assert api.check(specs, out, "pkg")[0].up_to_date


@pytest.mark.parametrize("failure", [SpecError, KeyboardInterrupt])
@pytest.mark.parametrize("before", ["no OUT", "an older OUT"])
def test_a_generate_that_fails_while_rendering_leaves_out_as_it_found_it(
        out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException], before: str) -> None:
    specs = small_spec(tmp_path)
    if before == "an older OUT":
        api.generate(specs, out, "pkg")
        (specs / "models" / "delta.md").write_text(SMALL_SPEC["alpha.md"].replace("Alpha", "Delta"))
        shutil.rmtree(out / CACHE_DIR)  # as on a fresh clone: every doc is rendered again
    snap = snapshot(tmp_path)
    real, calls = workers.render_module, []

    def fails_on_the_third(*args: object, **kwargs: object) -> tuple[str, str]:
        calls.append(1)
        if len(calls) == 3:  # two modules (and their pages) already written
            raise failure([]) if failure is SpecError else failure()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "render_module", fails_on_the_third)
    with pytest.raises(failure):
        api.generate(specs, out, "pkg")
    after = snapshot(tmp_path)
    assert after.keys() == snap.keys()
    assert {path: info for path, info in after.items() if not stat.S_ISDIR(int(info[0]))} == {
        path: info for path, info in snap.items() if not stat.S_ISDIR(int(info[0]))}


# --- the stat cache ------------------------------------------------------------


def test_a_fresh_clone_is_hashed_and_never_trusted_blindly(out: Path, tmp_path: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    clone = tmp_path / "clone"
    for path in [*STATE_A, MANIFEST_NAME]:  # what git holds: no cache, new mtimes
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_bytes((out / path).read_bytes())
    before = snapshot(clone)
    assert check_output(clone, STATE_A).up_to_date
    assert check_output(clone, STATE_B).stale == ("pkg/models/foo.py",)
    assert snapshot(clone) == before  # check made no cache

    age(clone, STATE_A)
    before = snapshot(clone)
    report = write_output(clone, STATE_A, tool_version=VERSION)
    assert report.summary() == f"up to date: {len(STATE_A)} files"
    assert committed(clone) == before  # nothing committed was written
    assert (clone / CACHE_DIR / ".gitignore").read_bytes() == CACHE_GITIGNORE
    assert set(read_stat_cache(str(clone / CACHE_DIR))) == set(STATE_A)
    snap = snapshot(clone)
    write_output(clone, STATE_A, tool_version=VERSION)
    assert snapshot(clone) == snap  # and now a no-op writes nothing at all


def test_a_stat_record_is_trusted_only_with_the_manifest_digest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    stats = read_stat_cache(str(out / CACHE_DIR))
    _, size, mtime = stats["pkg/models/foo.py"]
    # A record claiming B's content for the very same size and mtime: the
    # manifest says A, so the record is not trusted and the file is read.
    stats["pkg/models/foo.py"] = (STATE_B["pkg/models/foo.py"].digest, size, mtime)
    (out / STAT_CACHE).write_bytes(stat_cache_bytes(stats))
    assert check_output(out, STATE_B).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_B, tool_version=VERSION)
    assert contents(out) == expected(STATE_B)


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\xe3" + b"\xff" * 50, b"{}", None], ids=str)
def test_a_damaged_or_missing_stat_cache_means_hashing(out: Path, damage: Optional[bytes]) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    age(out, STATE_A)  # else files hashed now are too young to be recorded
    target = out / "pkg/models/foo.py"
    st = target.stat()
    target.write_text("class Foo: !!\n")  # same size; then the old mtime back: only reading can tell
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    if damage is None:
        shutil.rmtree(out / CACHE_DIR)
    else:
        (out / STAT_CACHE).write_bytes(damage)
    assert read_stat_cache(str(out / CACHE_DIR)) == {}
    assert check_output(out, STATE_A).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A)
    assert set(read_stat_cache(str(out / CACHE_DIR))) == set(STATE_A)
    assert (out / CACHE_DIR / ".gitignore").read_bytes() == CACHE_GITIGNORE


def test_a_just_modified_file_is_hashed_but_not_recorded(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    age(out, STATE_A)
    os.utime(out / "pkg/models/foo.py")  # now: a same-size edit could still follow in this tick
    write_output(out, STATE_A, tool_version=VERSION)
    assert set(read_stat_cache(str(out / CACHE_DIR))) == set(STATE_A) - {"pkg/models/foo.py"}
    age(out, ["pkg/models/foo.py"])
    write_output(out, STATE_A, tool_version=VERSION)
    assert set(read_stat_cache(str(out / CACHE_DIR))) == set(STATE_A)


def test_a_written_file_is_recorded_only_once_the_clock_has_passed_it(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "clock-probe").write_bytes(b"")  # a file modified after the run gets a later mtime
    newest = max(os.stat(out / path).st_mtime_ns for path in STATE_A)
    assert os.stat(out / "clock-probe").st_mtime_ns > newest


def test_a_changed_file_with_the_old_stat_is_still_compared_by_content(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    target = out / "pkg/models/foo.py"
    target.write_text("class Foo: !!\n")  # same size as before, new mtime
    assert check_output(out, STATE_A).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_A, tool_version=VERSION)
    assert target.read_bytes() == STATE_A["pkg/models/foo.py"].load()


def test_files_hashed_ahead_are_taken_as_they_were_then(
        out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files a compare would hash can be hashed ahead (by the build's
    workers, while the main process resolves): the compare takes those
    records, with no second look, and reads nothing itself."""
    write_output(out, STATE_A, tool_version=VERSION)
    clone = tmp_path / "clone"
    for path in [*STATE_A, MANIFEST_NAME]:  # a fresh clone: nothing vouches for any file
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_bytes((out / path).read_bytes())
    target = clone / "pkg/models/foo.py"
    target.write_text("class Foo: !!\n")  # hand-edited before the run
    listed = write.to_hash(clone, read_manifest(str(clone / MANIFEST_NAME)))
    root = os.path.realpath(clone)
    assert sorted(listed) == sorted(f"{root}/{path}" for path in STATE_A)
    hashed = {path[len(root) + 1:]: record for path, record in write.hash_files(listed).items()}
    read: list[str] = []
    hash_file = write._hash_file
    monkeypatch.setattr(write, "_hash_file", lambda path: read.append(path) or hash_file(path))
    assert check_output(clone, STATE_A, hashed=hashed).stale == ("pkg/models/foo.py",) and read == []
    report = write_output(clone, STATE_A, tool_version=VERSION, hashed=hashed)
    assert report.updated == ("pkg/models/foo.py",) and contents(clone) == expected(STATE_A) and read == []
    # the stat cache vouches for all of them now: nothing to hash ahead
    age(clone, STATE_A)
    write_output(clone, STATE_A, tool_version=VERSION)
    assert write.to_hash(clone, read_manifest(str(clone / MANIFEST_NAME))) == []


def test_generate_and_check_leave_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's worker processes (here on a small spec) are joined before the command returns."""
    specs = REPO / "tests" / "golden" / "cycles" / "specs"
    out = tmp_path / "out"
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    started = []
    real_init = workers.Workers.__init__

    def init(self: workers.Workers, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        started.append(self.count)

    monkeypatch.setattr(workers.Workers, "__init__", init)
    assert api.generate(specs, out, "pkg", jobs=2)[0].created
    (next((out / "docs").rglob("*.md"))).write_text("edited\n")
    assert not api.check(specs, out, "pkg", jobs=2)[0].up_to_date
    assert started == [2, 0]  # the cold run parsed in two workers; the check parsed nothing
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


# --- check ------------------------------------------------------------------


def test_check_reports_each_category_and_never_writes(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg" / "custom.py").write_text("# mine\n")
    before = snapshot(out.parent)
    report = check_output(out, STATE_B)
    assert report.stale == ("pkg/models/foo.py",)
    assert report.missing == ("docs/models/baz.md",)
    assert report.orphaned == ("pkg/old/gone.py",)
    assert not report.up_to_date and not report.interrupted
    format_check(report, "output", color=True, quiet=False, load_new=lambda p: STATE_B[p].load())
    check_report_json(report)
    assert snapshot(out.parent) == before
    assert check_output(out, STATE_A).up_to_date
    assert snapshot(out.parent) == before
    age(out, STATE_A)  # stale stat records: check hashes, and still records nothing
    shutil.rmtree(out / CACHE_DIR)
    before = snapshot(out.parent)
    assert check_output(out, STATE_A).up_to_date
    assert check_output(out, STATE_B).stale == ("pkg/models/foo.py",)
    assert snapshot(out.parent) == before


def test_check_of_a_missing_out(out: Path) -> None:
    report = check_output(out, STATE_A)
    assert report.missing == tuple(sorted(STATE_A)) and not report.up_to_date
    assert not out.parent.exists()


def test_format_check_diffs_and_summary(out: Path) -> None:
    write_output(out, {**STATE_A, **outputs({"pkg/blob.bin": "x"})}, tool_version=VERSION)
    (out / "pkg" / "blob.bin").write_bytes(b"\xff\xfe")
    files = {**STATE_B, **outputs({"pkg/blob.bin": "x"})}
    report = check_output(out, files)
    text = format_check(report, "output", color=False, quiet=False, load_new=lambda p: files[p].load())
    assert "\033[" not in text
    assert (
        "--- a/output/pkg/models/foo.py\n+++ b/output/pkg/models/foo.py\n@@ -1 +1,2 @@\n"
        "-class Foo: ...\n+class Foo:\n+    x: int\n" in text
    )
    assert "--- /dev/null\n+++ b/output/docs/models/baz.md\n@@ -0,0 +1 @@\n+# Baz\n" in text
    assert "--- a/output/pkg/old/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-# removed in B\n" in text
    assert "--- a/output/pkg/blob.bin\n+++ b/output/pkg/blob.bin\nbinary files differ" in text
    assert text.splitlines()[-1] == "2 stale, 1 missing, 1 orphaned: run `md2models generate` to update"
    quiet = format_check(report, "output", color=False, quiet=True, load_new=lambda p: files[p].load())
    assert quiet == text.splitlines()[-1]
    colored = format_check(report, "output", color=True, quiet=False, load_new=lambda p: files[p].load())
    assert "\033[31m-class Foo: ...\033[0m" in colored and "\033[32m+# Baz\033[0m" in colored


def test_format_check_marks_a_missing_final_newline(out: Path) -> None:
    write_output(out, outputs({"pkg/a.py": "x\n"}), tool_version=VERSION)
    files = outputs({"pkg/a.py": "x"})
    text = format_check(check_output(out, files), "", color=False, quiet=False, load_new=lambda p: files[p].load())
    assert "-x\n+x\n\\ No newline at end of file" in text


def test_up_to_date_summary(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    report = check_output(out, STATE_A)
    text = format_check(report, "output", color=False, quiet=False, load_new=lambda p: b"")
    assert text == f"up to date: {len(STATE_A)} files"


def test_check_report_json_shape(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    data = check_report_json(check_output(out, STATE_B))
    assert data == {
        "up_to_date": False,
        "stale": ["pkg/models/foo.py"],
        "missing": ["docs/models/baz.md"],
        "orphaned": ["pkg/old/gone.py"],
        "interrupted": False,
        "manifest_stale": True,
        "counts": {"unchanged": 5, "stale": 1, "missing": 1, "orphaned": 1},
    }
    assert json.loads(json.dumps(data)) == data


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_want_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert want_color(FakeTty())
    assert not want_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not want_color(FakeTty())


# --- SIGKILL at random moments ---------------------------------------------


def kill_states(n: int) -> tuple[dict[str, OutputFile], dict[str, OutputFile]]:
    """Two big states: B renames the package (`pkg/` -> `pkg2/`), changes a
    tenth of the docs and drops a thirteenth of them."""
    a, b = {}, {}
    for i in range(n):
        folder = f"{'pkg' if i % 2 else 'docs'}/d{i % 50}"
        a[f"{folder}/f{i}.txt"] = OutputFile.from_bytes(f"{i} A\n".encode())
        if i % 13:
            b[f"{folder.replace('pkg/', 'pkg2/')}/f{i}.txt"] = OutputFile.from_bytes(
                f"{i} {'B' if i % 10 == 0 else 'A'}\n".encode())
    return a, b


def child_write(out: str, state: str, n: int) -> None:
    """Run in a subprocess: build a state, say so, write it."""
    files = kill_states(n)[state == "B"]
    print("ready", flush=True)
    write_output(Path(out), files, tool_version=VERSION)


def start_child(out: Path, state: str, n: int) -> subprocess.Popen[str]:
    code = (
        "import sys; from tests.test_write import child_write; child_write(sys.argv[1], sys.argv[2], int(sys.argv[3]))"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(out), state, str(n)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def run_kill_trials(out: Path, n: int, trials: int, seed: int) -> list[str]:
    """Kill a write of A -> B at spread-out moments.  After each kill every
    file is whole (A's or B's bytes at its path; a temporary file aside),
    `check` fails unless the run had finished, and the next run, to B or
    back to A (a reverted package rename), leaves exactly its state."""
    a, b = kill_states(n)
    out.mkdir(parents=True)
    (out / "README.md").write_bytes(b"hand-written\n")
    (out / "pkg").mkdir()
    (out / "pkg" / "custom.py").write_bytes(b"# mine\n")
    hand = {"README.md": b"hand-written\n", "pkg/custom.py": b"# mine\n"}
    want = {"A": expected(a, hand), "B": expected(b, hand)}
    whole = {path: {tree[path] for tree in want.values() if path in tree} for path in want["A"].keys() | want["B"].keys()}
    write_output(out, a, tool_version=VERSION)
    started = time.monotonic()
    assert start_child(out, "B", n).wait() == 0
    duration = time.monotonic() - started
    write_output(out, a, tool_version=VERSION)
    rng = random.Random(seed)
    outcomes = []
    for trial in range(trials):
        child = start_child(out, "B", n)
        time.sleep(1.2 * duration * rng.random())
        child.send_signal(signal.SIGKILL)
        child.wait()
        found = contents(out)
        temporary = [path for path in found if path.endswith(TMP_SUFFIX)]
        partial = [path for path in found.keys() - set(temporary) if found[path] not in whole.get(path, ())]
        assert not partial, f"trial {trial}: partial or foreign files {partial[:5]}"
        finished = not (out / JOURNAL).exists() and found == want["B"]
        outcomes.append("finished" if finished else "stopped" if (out / JOURNAL).exists() else "not started")
        if not finished:
            assert found.keys() - set(temporary) <= want["A"].keys() | want["B"].keys()
            assert not check_output(out, b).up_to_date and not check_output(out, a).up_to_date or found == want["A"]
        repair = (a, b)[trial % 2]
        write_output(out, repair, tool_version=VERSION)
        assert contents(out) == want["AB"[trial % 2]], f"trial {trial}: {outcomes[-1]}"
        assert check_output(out, repair).up_to_date
        assert_no_leftovers(out)
        if repair is b:
            write_output(out, a, tool_version=VERSION)
    return outcomes


def test_sigkill_never_leaves_a_partial_file(out: Path) -> None:
    run_kill_trials(out, n=1_500, trials=4, seed=1)


@pytest.mark.slow
def test_sigkill_never_leaves_a_partial_file_many_trials(out: Path) -> None:
    outcomes = run_kill_trials(out, n=20_000, trials=30, seed=2)
    assert "stopped" in outcomes  # kills landed while files were being replaced


def test_ctrl_c_stops_the_workers_at_once_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: here a worker sends it to itself and the
    main process while parsing.  The command ends with one line and exit 130, no traceback
    from any process, nothing written and no process left."""
    specs = REPO / "tests" / "golden" / "cycles" / "specs"
    out = tmp_path / "interrupted-out"
    code = (
        "import os, signal, sys, time\n"
        "from generator import cli, workers\n"
        "workers.PARALLEL_THRESHOLD = 1\n"
        "main, real = os.getpid(), workers._parse_one\n"
        "def parse_one(*args, **kwargs):\n"
        "    if os.getpid() != main:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        os.kill(main, signal.SIGINT)\n"
        "        time.sleep(5)\n"
        "    return real(*args, **kwargs)\n"
        "workers._parse_one = parse_one\n"
        f"sys.argv = ['md2models', 'generate', {str(specs)!r}, '--out', {str(out)!r}, '--package', 'pkg', '-j', '2']\n"
        "cli.run()\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 4, f"the workers were waited for, not stopped: {done.stderr}"
    assert done.returncode == 130 and done.stderr.strip() == "md2models: interrupted", done.stderr
    assert not out.exists()
    left = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split()
    assert left == [], left


def test_ctrl_c_while_the_write_stage_makes_out_leaves_nothing(tmp_path: Path) -> None:
    """A Ctrl-C that lands while a claim makes OUT and its cache folder
    (here sent from inside, just after the cache folder is made) is held
    until the claim is whole, so the run's abort removes all it made."""
    specs = REPO / "tests" / "golden" / "cycles" / "specs"
    out = tmp_path / "interrupted-out"
    code = (
        "import os, signal, sys\n"
        "from generator import cli, write\n"
        "real = write.ensure_cache_dir\n"
        "def ensure_cache_dir(cache):\n"
        "    real(cache)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "write.ensure_cache_dir = ensure_cache_dir\n"
        f"sys.argv = ['md2models', 'generate', {str(specs)!r}, '--out', {str(out)!r}, '--package', 'pkg']\n"
        "cli.run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 130 and done.stderr.strip() == "md2models: interrupted", done.stderr
    assert not out.exists()


def test_ctrl_c_just_after_a_temporary_file_is_opened_leaves_no_temporary_file(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C lands when a system call returns: here right after the open of a temporary file."""
    real_open, opened = os.open, []

    def interrupted_open(path: str, *args: int) -> int:
        fd = real_open(path, *args)
        if path.endswith(TMP_SUFFIX):
            opened.append(path)
            if len(opened) == 3:  # the journal's, then two files'
                os.close(fd)
                raise KeyboardInterrupt
        return fd

    monkeypatch.setattr(write.os, "open", interrupted_open)
    with pytest.raises(KeyboardInterrupt):
        write_output(out, STATE_A, tool_version=VERSION)
    monkeypatch.undo()
    assert not [p for p in out.rglob("*") if p.name.endswith(TMP_SUFFIX)]
    assert check_output(out, STATE_A).interrupted
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A)
    assert_no_leftovers(out)
