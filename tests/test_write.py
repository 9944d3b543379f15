"""The write stage on real files: ownership, no-op runs, atomicity, check."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Mapping

import pytest

from generator import write
from generator.progress import Counter
from generator.manifest import (
    CACHE_DIR,
    CACHE_GITIGNORE,
    MANIFEST_NAME,
    STAT_CACHE,
    StatRecord,
    read_manifest,
    read_stat_cache,
    stat_cache_bytes,
)
from generator.write import (
    OutputError,
    OutputFile,
    check_output,
    check_report_json,
    format_check,
    want_color,
    write_output,
)

REPO = Path(__file__).resolve().parent.parent
VERSION = "1.2.3"


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


def settle(out: Path) -> None:
    """Wait until a detached job on the old tree (which holds the run lock on
    OUT's parent) is done."""
    with write._exclusive(os.path.dirname(os.path.realpath(out))):
        pass


def beside(out: Path) -> Path:
    return out.parent / f".{out.name}.md2models"


def assert_no_leftovers(out: Path) -> None:
    """Nothing of ours in OUT but the manifest and cache; beside it only our
    git-ignored folder, holding at most a spare that mirrors OUT."""
    settle(out)
    assert sorted(os.listdir(out.parent)) in ([out.name], sorted([out.name, beside(out).name]))
    ours = [name for _, _, names in os.walk(out) for name in names if "md2models" in name or name.endswith(".tmp")]
    assert set(ours) <= {MANIFEST_NAME}
    if beside(out).exists():
        assert (beside(out) / ".gitignore").read_bytes() == CACHE_GITIGNORE
        kept = set(os.listdir(beside(out))) - {".gitignore"}
        assert kept in (set(), {"staging", "spare.marshal"})
        if kept:
            assert_spare_mirrors(out)


def assert_spare_mirrors(out: Path) -> None:
    """The spare holds the very files of OUT (same inodes) and the same folders, bar the cache."""
    root = os.path.realpath(out)
    assert write._is_mirror(root, write._Beside.of(root))

    def tree(top: Path) -> dict[str, object]:
        found: dict[str, object] = {}
        for dirpath, dirnames, filenames in os.walk(top):
            if Path(dirpath) == top and CACHE_DIR in dirnames:
                dirnames.remove(CACHE_DIR)
            for name in dirnames:
                found[os.path.relpath(os.path.join(dirpath, name), top)] = os.lstat(os.path.join(dirpath, name)).st_mode
            for name in filenames:
                found[os.path.relpath(os.path.join(dirpath, name), top)] = os.lstat(os.path.join(dirpath, name)).st_ino
        return found

    assert tree(out) == tree(beside(out) / "staging")


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
    manifest = read_manifest(str(out))
    assert manifest.tool_version == VERSION
    assert manifest.files == {p: f.digest for p, f in STATE_A.items()}
    stats = read_stat_cache(str(out))
    assert stats == {p: (f.digest, os.stat(out / p).st_size, os.stat(out / p).st_mtime_ns) for p, f in STATE_A.items()}
    assert (out / CACHE_DIR / ".gitignore").read_bytes() == b"# Created by md2models: a cache, never commit it.\n*\n"
    assert_no_leftovers(out)


def test_first_write_into_empty_out(out: Path) -> None:
    out.mkdir(parents=True)
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A)
    assert check_output(out, STATE_A).up_to_date


def test_rewrite_is_a_no_op(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    settle(out)
    before = snapshot(out.parent)
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert (report.created, report.updated, report.removed, report.unchanged) == ((), (), (), len(STATE_A))
    assert report.summary() == f"up to date: {len(STATE_A)} files"
    assert snapshot(out.parent) == before


def test_one_changed_file_is_the_only_one_rewritten(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = snapshot(out)
    files = {**STATE_A, **outputs({"pkg/models/bar.py": "class Bar:\n    y: str\n"})}
    report = write_output(out, files, tool_version=VERSION)
    assert report.updated == ("pkg/models/bar.py",) and not report.created and not report.removed
    after = snapshot(out)
    for path in STATE_A:
        same = before[path] == after[path]
        assert same == (path != "pkg/models/bar.py"), path  # inode and mtime kept
    assert contents(out) == expected(files)


def test_orphans_removed_with_the_directories_they_emptied(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg" / "empty-by-hand").mkdir()
    report = write_output(out, STATE_B, tool_version=VERSION)
    assert report.removed == ("pkg/old/gone.py",)
    assert report.created == ("docs/models/baz.md",)
    assert report.updated == ("pkg/models/foo.py",)
    assert not (out / "pkg" / "old").exists()
    assert (out / "pkg" / "empty-by-hand").is_dir()
    assert contents(out) == expected(STATE_B)
    assert set(read_manifest(str(out)).files) == set(STATE_B)


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


def test_manifest_is_deterministic_and_does_not_churn(out: Path, tmp_path: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    manifest_path = out / MANIFEST_NAME
    text = manifest_path.read_text()
    data = json.loads(text)
    assert list(data) == ["files", "format", "tool_version"] and data["format"] == 2
    assert data["files"] == {path: STATE_A[path].digest for path in sorted(STATE_A)}
    assert list(data["files"]) == sorted(STATE_A)
    assert "mtime" not in text and "size" not in text
    written = snapshot(out)[MANIFEST_NAME]  # bytes, inode, mtime

    write_output(out, STATE_A, tool_version=VERSION)  # nothing changed: not even rewritten
    assert snapshot(out)[MANIFEST_NAME] == written

    age(out, STATE_A)  # as a git checkout would: same bytes, new mtimes
    before = committed(out)
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert not (report.created or report.updated or report.removed)
    assert committed(out) == before and before[MANIFEST_NAME] == written
    assert {mtime for _, _, mtime in read_stat_cache(str(out)).values()} == {10**18 + 1}  # stats refreshed

    write_output(out, STATE_B, tool_version=VERSION)
    write_output(out, STATE_A, tool_version=VERSION)  # another run, same files: same bytes
    assert manifest_path.read_text() == text
    other = tmp_path / "other"
    write_output(other, dict(reversed(STATE_A.items())), tool_version=VERSION)
    assert (other / MANIFEST_NAME).read_text() == text


def test_a_restored_file_leaves_the_manifest_file_alone(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    written = snapshot(out)[MANIFEST_NAME]
    (out / "pkg/models/foo.py").write_text("# hand-edited\n")
    report = write_output(out, STATE_A, tool_version=VERSION)
    assert report.updated == ("pkg/models/foo.py",)
    assert contents(out) == expected(STATE_A)
    assert snapshot(out)[MANIFEST_NAME] == written  # same content: the same file, linked into the new tree


def test_a_new_tool_version_rewrites_only_the_manifest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = committed(out)
    report = write_output(out, STATE_A, tool_version="9.9")
    assert report.summary() == f"up to date: {len(STATE_A)} files"
    after = committed(out)
    assert without_manifest(after) == without_manifest(before)
    assert read_manifest(str(out)).tool_version == "9.9"
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
    after = committed(out)
    assert without_manifest(after) == without_manifest(before)
    assert read_manifest(str(out)).format == 2
    write_output(out, STATE_B, tool_version=VERSION)
    assert not (out / "pkg/old/gone.py").exists()


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
    assert set(read_stat_cache(str(clone))) == set(STATE_A)
    snap = snapshot(clone)
    write_output(clone, STATE_A, tool_version=VERSION)
    assert snapshot(clone) == snap  # and now a no-op writes nothing at all


def test_a_stat_record_is_trusted_only_with_the_manifest_digest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    stats = read_stat_cache(str(out))
    _, size, mtime = stats["pkg/models/foo.py"]
    # A record claiming B's content for the very same size and mtime: the
    # manifest says A, so the record is not trusted and the file is read.
    stats["pkg/models/foo.py"] = (STATE_B["pkg/models/foo.py"].digest, size, mtime)
    (out / STAT_CACHE).write_bytes(stat_cache_bytes(stats))
    assert check_output(out, STATE_B).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_B, tool_version=VERSION)
    assert contents(out) == expected(STATE_B)


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\xe3" + b"\xff" * 50, b"{}", None], ids=str)
def test_a_damaged_or_missing_stat_cache_means_hashing(out: Path, damage: bytes | None) -> None:
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
    assert read_stat_cache(str(out)) == {}
    assert check_output(out, STATE_A).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A)
    assert set(read_stat_cache(str(out))) == set(STATE_A)
    assert (out / CACHE_DIR / ".gitignore").read_bytes() == CACHE_GITIGNORE


def test_a_just_modified_file_is_hashed_but_not_recorded(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    age(out, STATE_A)
    os.utime(out / "pkg/models/foo.py")  # now: a same-size edit could still follow in this tick
    write_output(out, STATE_A, tool_version=VERSION)
    assert set(read_stat_cache(str(out))) == set(STATE_A) - {"pkg/models/foo.py"}
    age(out, ["pkg/models/foo.py"])
    write_output(out, STATE_A, tool_version=VERSION)
    assert set(read_stat_cache(str(out))) == set(STATE_A)


def test_a_changed_file_with_the_old_stat_is_still_compared_by_content(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    target = out / "pkg/models/foo.py"
    target.write_text("class Foo: !!\n")  # same size as before, new mtime
    assert check_output(out, STATE_A).stale == ("pkg/models/foo.py",)
    write_output(out, STATE_A, tool_version=VERSION)
    assert target.read_bytes() == STATE_A["pkg/models/foo.py"].load()


def test_out_through_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-output"
    link = tmp_path / "output"
    link.symlink_to(real.name)
    write_output(link, STATE_A, tool_version=VERSION)
    report = write_output(link, STATE_B, tool_version=VERSION)
    assert report.summary() == "1 created, 1 updated, 1 removed, 5 unchanged"
    assert link.is_symlink() and contents(real) == expected(STATE_B)
    settle(link)
    assert sorted(os.listdir(tmp_path)) == [".real-output.md2models", "output", "real-output"]
    assert_spare_mirrors(real)


def test_out_that_is_a_file_is_an_output_error(out: Path) -> None:
    out.parent.mkdir(parents=True)
    out.write_text("oops")
    with pytest.raises(OutputError, match="not a directory"):
        write_output(out, STATE_A, tool_version=VERSION)
    with pytest.raises(OutputError, match="not a directory"):
        check_output(out, STATE_A)


def test_a_directory_where_a_file_goes_is_an_output_error(out: Path) -> None:
    (out / "pkg" / "models" / "foo.py").mkdir(parents=True)
    with pytest.raises(OutputError, match="pkg/models/foo.py: a directory is in the way"):
        write_output(out, STATE_A, tool_version=VERSION)
    assert_no_leftovers(out)


@pytest.mark.parametrize("spare", [False, True])
def test_hand_made_entries_in_the_way_are_output_errors(out: Path, spare: bool) -> None:
    """The same errors whether the run links afresh or updates the spare
    (made while the hand-made entries were already there)."""
    (out / "pkg" / "new").mkdir(parents=True)
    (out / "pkg" / "new" / "x.py").mkdir()
    (out / "docs" / "extra").mkdir(parents=True)
    (out / "docs" / "extra" / "sub").write_text("a file\n")
    write_a(out, spare)
    before = snapshot(out)
    with pytest.raises(OutputError, match="cannot write pkg/new/x.py: a directory is in the way"):
        write_output(out, {**STATE_A, **outputs({"pkg/new/x.py": ""})}, tool_version=VERSION)
    with pytest.raises(OutputError, match="cannot create directory docs/extra/sub: a file or link is in the way"):
        write_output(out, {**STATE_A, **outputs({"docs/extra/sub/y.md": ""})}, tool_version=VERSION)
    assert snapshot(out) == before
    assert_no_leftovers(out)


def test_invalid_paths_are_rejected(out: Path) -> None:
    for bad in ("../x.py", "/abs.py", "a//b.py", "pkg/./x.py", MANIFEST_NAME, STAT_CACHE, f"{CACHE_DIR}/x"):
        with pytest.raises(ValueError):
            write_output(out, outputs({bad: ""}), tool_version=VERSION)


def test_loaded_bytes_must_match_the_digest(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    before = snapshot(out)
    liar = {**STATE_A, "pkg/models/foo.py": OutputFile("0" * 64, lambda: b"whatever\n")}
    with pytest.raises(ValueError, match="do not match"):
        write_output(out, liar, tool_version=VERSION)
    assert snapshot(out) == before
    assert_no_leftovers(out)


# --- failures and leftovers ---------------------------------------------------


def write_a(out: Path, spare: bool) -> None:
    """Write STATE_A; with `spare`, so that a spare (a mirror of it) is ready beside it."""
    write_output(out, STATE_A, tool_version=VERSION)
    if spare:
        write_output(out, STATE_B, tool_version=VERSION)
        write_output(out, STATE_A, tool_version=VERSION)
        settle(out)
        assert_spare_mirrors(out)


@pytest.mark.parametrize("spare", [False, True])
def test_failure_while_staging_leaves_the_old_state(out: Path, monkeypatch: pytest.MonkeyPatch, spare: bool) -> None:
    write_a(out, spare)
    before = snapshot(out)
    real = write._write_new
    calls = []

    def failing(staging: str, path: str, new: OutputFile, written: Counter) -> StatRecord:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", path)
        return real(staging, path, new, written)

    monkeypatch.setattr(write, "_write_new", failing)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(out, STATE_B, tool_version=VERSION)
    assert snapshot(out) == before
    assert_no_leftovers(out)


@pytest.mark.parametrize("renameat2, spare", [("available", False), ("available", True), ("missing", False)])
def test_failure_at_commit_leaves_the_old_state(
    out: Path, monkeypatch: pytest.MonkeyPatch, renameat2: str, spare: bool
) -> None:
    write_a(out, spare)
    before = snapshot(out)
    if renameat2 == "missing":
        monkeypatch.setattr(write, "_renameat2", None)
        real_rename = os.rename

        def rename(src: str, dst: str) -> None:  # fail the second of the two renames
            if src.endswith("staging"):
                raise KeyboardInterrupt
            real_rename(src, dst)

        monkeypatch.setattr(os, "rename", rename)
    else:
        monkeypatch.setattr(write, "_exchange", lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_output(out, STATE_B, tool_version=VERSION)
    assert snapshot(out) == before
    assert_no_leftovers(out)


def test_fallback_commit_without_renameat2(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_renameat2", None)
    (out).mkdir(parents=True)
    (out / "README.md").write_text("hi\n")
    write_output(out, STATE_A, tool_version=VERSION)
    write_output(out, STATE_B, tool_version=VERSION)
    assert contents(out) == expected(STATE_B, {"README.md": b"hi\n"})
    assert_no_leftovers(out)


def test_leftovers_of_a_killed_run_are_ignored_by_check_and_cleaned_by_generate(out: Path) -> None:
    write_a(out, spare=True)
    staging = beside(out) / "staging"
    (beside(out) / "spare.marshal").unlink()  # as a run killed while staging on the spare leaves it
    (staging / "pkg" / "half.py").write_text("half")
    (beside(out) / "trash" / "pkg").mkdir(parents=True)  # a killed deletion's
    (out / ".md2models-manifest.json.tmp").write_text("{")
    (out / (STAT_CACHE + ".tmp")).write_bytes(b"half")
    assert check_output(out, STATE_A).up_to_date
    write_output(out, STATE_A, tool_version=VERSION)
    assert_no_leftovers(out)
    assert os.listdir(beside(out)) == [".gitignore"]


def test_a_killed_fallback_commit_is_rolled_back(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    out.rename(beside(out) / "old")  # killed between the two renames
    write_output(out, STATE_A, tool_version=VERSION)
    assert contents(out) == expected(STATE_A)
    assert_no_leftovers(out)


# --- the probe: OUT's files stat'ed by a forked process ---------------------------


def test_the_probe_reports_what_its_stat_records_cannot_vouch_for(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg/models/foo.py").write_text("class Foo: edited\n")  # another size
    (out / "docs/models/bar.md").unlink()
    (out / "pkg/py.typed").unlink()
    (out / "pkg/py.typed").mkdir()
    probe = write.OutputProbe.start(out)
    assert probe is not None
    found = probe.result()
    assert found is not None and sorted(found[1]) == ["docs/models/bar.md", "pkg/models/foo.py", "pkg/py.typed"]
    assert probe.result() is found  # collected once
    probe.close()
    report = check_output(out, STATE_A, write.OutputProbe.start(out))
    assert (report.stale, report.missing) == (("pkg/models/foo.py", "pkg/py.typed"), ("docs/models/bar.md",))


def test_a_probe_of_other_bookkeeping_is_not_trusted(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    probe = write.OutputProbe.start(out)
    assert probe is not None and probe.result() is not None  # vouches for STATE_A as it was
    write_output(out, STATE_B, tool_version=VERSION)  # a run in between: a new stat cache
    with open(out / "pkg/models/bar.py", "r+b") as f:  # then an edit the probe cannot know of
        f.write(b"#")
    assert check_output(out, STATE_B, probe).stale == ("pkg/models/bar.py",)
    write_output(out, STATE_B, tool_version=VERSION, probe=probe)
    assert contents(out) == expected(STATE_B)
    assert_no_leftovers(out)


def test_a_failed_or_unwanted_probe_costs_nothing(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert write.OutputProbe.start(out) is None  # no OUT yet
    write_output(out, STATE_A, tool_version=VERSION)
    monkeypatch.setattr(write, "_probe", lambda root: 1 / 0)  # dies in the forked process
    probe = write.OutputProbe.start(out)
    assert probe is not None and probe.result() is None
    assert check_output(out, STATE_B, probe).stale == ("pkg/models/foo.py",)
    monkeypatch.undo()
    probe = write.OutputProbe.start(out)
    assert probe is not None
    probe.close()  # a build that failed: the probe is stopped and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(probe.pid, os.WNOHANG)


# --- the spare: the old tree kept as the next staging tree ---------------------


def count_links(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many files each staging links."""
    counts: list[int] = []
    real = write._link_all

    def link_all(links: list[tuple[str, str, list[str]]]) -> None:
        counts.append(sum(len(names) for _, _, names in links))
        real(links)

    monkeypatch.setattr(write, "_link_all", link_all)
    return counts


def test_the_spare_spares_linking_every_file(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_SPARE_AFTER_FIRST_RUN", len(STATE_A))
    links = count_links(monkeypatch)
    write_output(out, STATE_A, tool_version=VERSION)  # a first run: a spare is linked in the background
    settle(out)
    assert_spare_mirrors(out)
    for state in (STATE_B, STATE_A, STATE_B):
        write_output(out, state, tool_version=VERSION)  # only the cache folder is linked
        assert contents(out) == expected(state)
        assert check_output(out, state).up_to_date
        assert_no_leftovers(out)
    assert links == [1, 1, 1]  # the cache's .gitignore (the first run's links were in another process)


def test_a_small_first_run_links_no_spare(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = count_links(monkeypatch)
    write_output(out, STATE_A, tool_version=VERSION)
    assert os.listdir(beside(out)) == [".gitignore"]  # no job left behind for a caller deleting OUT's parent
    write_output(out, STATE_B, tool_version=VERSION)  # links afresh; the old tree becomes the spare
    assert links == [len(STATE_B) - 2 + 1]  # bar the stale and the missing, plus the cache's .gitignore
    assert_no_leftovers(out)


def test_a_first_run_into_an_existing_out_links_afresh(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out.mkdir(parents=True)
    (out / "README.md").write_text("hi\n")
    links = count_links(monkeypatch)
    write_output(out, STATE_A, tool_version=VERSION)  # the old tree (the README) becomes the spare
    write_output(out, STATE_B, tool_version=VERSION)
    assert links == [1, 1]  # the README; then the cache's .gitignore
    assert contents(out) == expected(STATE_B, {"README.md": b"hi\n"})
    assert_no_leftovers(out)


def test_an_edit_in_place_is_seen_with_a_spare(out: Path) -> None:
    write_a(out, spare=True)
    with open(out / "pkg/models/bar.py", "r+b") as f:  # the same inode as the spare's
        f.write(b"#")
    age(out, ["pkg/models/bar.py"])
    assert check_output(out, STATE_B).stale == ("pkg/models/bar.py", "pkg/models/foo.py")
    write_output(out, STATE_B, tool_version=VERSION)
    assert contents(out) == expected(STATE_B)
    assert_no_leftovers(out)


@pytest.mark.parametrize("change", ["add", "remove", "rename", "chmod", "no stamps", "damaged stamps"])
def test_a_spare_that_no_longer_mirrors_is_not_used(
    out: Path, monkeypatch: pytest.MonkeyPatch, slow_delete: None, change: str
) -> None:
    write_a(out, spare=True)
    hand = {}
    if change == "add":
        (out / "docs" / "models" / "mine.md").write_text("# mine\n")
        hand = {"docs/models/mine.md": b"# mine\n"}
    elif change == "remove":
        (out / "pkg" / "models" / "bar.py").unlink()
    elif change == "rename":  # same bytes, new inode: as an editor or a checkout saves
        (out / "pkg" / "models" / "tmp").write_bytes((out / "pkg" / "models" / "bar.py").read_bytes())
        (out / "pkg" / "models" / "tmp").replace(out / "pkg" / "models" / "bar.py")
    elif change == "chmod":
        (out / "docs").chmod(0o700)
    elif change == "no stamps":  # a refresh killed half-way
        (beside(out) / "spare.marshal").unlink()
    else:
        (beside(out) / "spare.marshal").write_bytes(b"\x00junk")
    links = count_links(monkeypatch)
    started = time.monotonic()
    write_output(out, STATE_B, tool_version=VERSION)
    assert time.monotonic() - started < SLOW_DELETE / 2  # the stale spare is deleted in the background
    assert links[0] >= len(STATE_B) - 2  # linked afresh
    assert contents(out) == expected(STATE_B, hand)
    assert check_output(out, STATE_B).up_to_date
    assert_no_leftovers(out)


SLOW_DELETE = 1.0


@pytest.fixture
def slow_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rmtree takes SLOW_DELETE seconds longer (in forked children too)."""
    real = shutil.rmtree

    def rmtree(path: str, ignore_errors: bool = False) -> None:
        time.sleep(SLOW_DELETE)
        real(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(shutil, "rmtree", rmtree)


def test_the_old_tree_is_refreshed_in_the_background(out: Path, slow_delete: None) -> None:
    out.mkdir(parents=True)
    (out / "README.md").write_text("hi\n")
    write_output(out, STATE_A, tool_version=VERSION)
    settle(out)
    started = time.monotonic()
    write_output(out, STATE_B, tool_version=VERSION)
    assert time.monotonic() - started < SLOW_DELETE / 2
    assert contents(out) == expected(STATE_B, {"README.md": b"hi\n"})  # committed before the refresh
    assert (beside(out) / "staging" / "pkg/old/gone.py").exists()  # the old tree, being refreshed
    assert not (beside(out) / "spare.marshal").exists()
    started = time.monotonic()
    write_output(out, STATE_A, tool_version=VERSION)  # waits for the refresh rather than racing it
    assert time.monotonic() - started > SLOW_DELETE / 2
    assert contents(out) == expected(STATE_A, {"README.md": b"hi\n"})
    assert_no_leftovers(out)


def test_a_caller_reading_the_output_does_not_wait_for_the_background_job(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    code = (
        "import shutil, sys, time; from pathlib import Path; real = shutil.rmtree\n"
        f"shutil.rmtree = lambda path, ignore_errors=False: (time.sleep({SLOW_DELETE}), real(path, ignore_errors))\n"
        "from tests.test_write import STATE_B, VERSION, write_output\n"
        "print(write_output(Path(sys.argv[1]), STATE_B, tool_version=VERSION).summary())\n"
    )
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, capture_output=True, text=True, timeout=60)
    waited = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert run.stdout == "1 created, 1 updated, 1 removed, 5 unchanged\n" and run.stderr == ""  # printed once
    assert waited < SLOW_DELETE, "the caller waited for the detached job (an inherited pipe)"
    assert contents(out) == expected(STATE_B)
    assert_no_leftovers(out)


@pytest.mark.parametrize("renameat2", ["available", "missing"])
def test_without_fork_the_old_tree_is_handled_at_once(
    out: Path, monkeypatch: pytest.MonkeyPatch, renameat2: str
) -> None:
    monkeypatch.setattr(write, "_can_fork", False)
    if renameat2 == "missing":
        monkeypatch.setattr(write, "_renameat2", None)
    write_output(out, STATE_A, tool_version=VERSION)
    write_output(out, STATE_B, tool_version=VERSION)
    held = set(os.listdir(beside(out)))  # no settle() needed
    assert held == ({".gitignore", "staging", "spare.marshal"} if renameat2 == "available" else {".gitignore"})
    assert contents(out) == expected(STATE_B)
    assert_no_leftovers(out)


# --- check ------------------------------------------------------------------


def test_check_reports_each_category_and_never_writes(out: Path) -> None:
    write_output(out, STATE_A, tool_version=VERSION)
    (out / "pkg" / "custom.py").write_text("# mine\n")
    settle(out)
    before = snapshot(out.parent)
    report = check_output(out, STATE_B)
    assert report.stale == ("pkg/models/foo.py",)
    assert report.missing == ("docs/models/baz.md",)
    assert report.orphaned == ("pkg/old/gone.py",)
    assert not report.up_to_date
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
    """Two big states over both top-level dirs: B changes a tenth of A, drops
    a thirteenth and adds a fiftieth (few writes: kills spread over linking)."""
    a, b = {}, {}
    for i in range(n):
        path = f"{'pkg' if i % 2 else 'docs'}/d{i % 50}/f{i}.txt"
        a[path] = OutputFile.from_bytes(f"{i} A\n".encode())
        if i % 13:
            b[path] = OutputFile.from_bytes(f"{i} {'B' if i % 10 == 0 else 'A'}\n".encode())
    for i in range(n // 50):
        b[f"pkg/new{i % 10}/g{i}.txt"] = OutputFile.from_bytes(f"new {i}\n".encode())
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


def mix_summary(found: Mapping[str, bytes], want: Mapping[str, Mapping[str, bytes]]) -> str:
    def diff(tree: Mapping[str, bytes]) -> str:
        extra, lost = len(found.keys() - tree.keys()), len(tree.keys() - found.keys())
        differ = sum(found[p] != tree[p] for p in found.keys() & tree.keys())
        return f"{extra} extra, {lost} missing, {differ} differ"

    return "; ".join(f"vs {name}: {diff(tree)}" for name, tree in want.items())


KILLS_PER_TIMING = 4


def run_kill_trials(out: Path, n: int, trials: int, seed: int) -> list[str]:
    """Kill a write of A -> B at spread-out moments; return the states found."""
    a, b = kill_states(n)
    out.mkdir(parents=True)
    (out / "README.md").write_bytes(b"hand-written\n")
    (out / "pkg").mkdir()
    (out / "pkg" / "custom.py").write_bytes(b"# mine\n")
    hand = {"README.md": b"hand-written\n", "pkg/custom.py": b"# mine\n"}
    want = {"A": expected(a, hand), "B": expected(b, hand)}
    write_output(out, a, tool_version=VERSION)
    rng = random.Random(seed)
    outcomes = []
    for trial in range(trials):
        if trial % KILLS_PER_TIMING == 0:
            # Time a whole run now: durations drift (on this VM's ext4 each
            # file created costs more while many inodes were freed lately).
            child = start_child(out, "B", n)
            started = time.monotonic()
            assert child.wait() == 0
            settle(out)  # the detached refresh of the spare is part of the run's work
            duration = time.monotonic() - started
            write_output(out, a, tool_version=VERSION)
            settle(out)
        child = start_child(out, "B", n)
        # Spread over the run and past it, KILLS_PER_TIMING to a spread.
        time.sleep(1.5 * duration * (trial % KILLS_PER_TIMING + rng.random()) / KILLS_PER_TIMING)
        child.send_signal(signal.SIGKILL)
        child.wait()
        found = contents(out)
        state = next((name for name, tree in want.items() if found == tree), None)
        assert state is not None, f"trial {trial}: a mix of A and B: {mix_summary(found, want)}"
        assert set(read_manifest(str(out)).files) == set((a, b)[state == "B"])
        assert check_output(out, (a, b)[state == "B"]).up_to_date  # whatever the stat cache holds
        outcomes.append(state)
        write_output(out, a, tool_version=VERSION)
        assert contents(out) == want["A"]
        assert_no_leftovers(out)  # and settles
    return outcomes


def test_sigkill_leaves_old_or_new_state(out: Path) -> None:
    run_kill_trials(out, n=20_000, trials=5, seed=1)


@pytest.mark.slow
def test_sigkill_leaves_old_or_new_state_many_trials(out: Path) -> None:
    outcomes = run_kill_trials(out, n=20_000, trials=40, seed=2)
    assert set(outcomes) == {"A", "B"}  # kills landed on both sides of the commit
