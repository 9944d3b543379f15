"""The write stage: put the rendered files under OUT atomically; and `check`.

Ownership.  A path the run produces is generated.  A path it no longer
produces is removed only if the manifest (see `manifest.py`) says an earlier
run generated it.  Everything else under OUT (a hand-written module, a
README, a .git) is never modified.

Comparing.  A file whose (size, mtime_ns) on disk equal its manifest entry
is taken to hold the manifest's digest without being read, so a no-op run
costs one lstat per file.  As with git's index, an edit that kept both size
and mtime_ns would go unseen; for the files we write, the commit waits until
the clock has passed their mtimes, so no later edit can reproduce them.

Atomicity.  Generated files span several top-level directories of OUT (the
package, docs/) plus the manifest.  Exchanging each directory in turn would
leave new package + old docs + old manifest if killed between two swaps, so
the commit swaps OUT itself, in one system call:

1. stage the complete new OUT in the sibling `.<OUT>.md2models-staging`:
   hard links for every file that stays (unchanged generated files keep
   inode and mtime; hand-written and unrelated files stay the very same
   files), new inodes for changed ones, then the manifest;
2. `renameat2(RENAME_EXCHANGE)` swaps it with OUT;
3. delete the old tree, now under the staging name.

Killed before 2, OUT is untouched; after 2, it is complete.  Leftovers live
beside OUT, where `check` never looks, and the next generate deletes them.
Where RENAME_EXCHANGE is missing (not Linux, some filesystems) the commit
falls back to two renames through `.<OUT>.md2models-old`; the next run rolls
that back if OUT is missing.  A run that changes nothing touches nothing,
bar refreshing manifest stats with one `os.replace`.

Costs and limits: a run that changes anything links every file under OUT
(~0.5 s per 37k files), so OUT should not hold big unrelated trees; OUT must
not be a mount point; an editor saving a file under OUT by rename while a
run stages may lose that save; a shell whose cwd is inside OUT is left in the
old, deleted tree; no fsync, so this covers the process dying, not power
loss.  Concurrent runs on one OUT are excluded by flock on OUT's parent.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import hashlib
import io
import os
import shutil
import stat
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, TextIO

from generator.manifest import (
    MANIFEST_NAME,
    Entry,
    Manifest,
    OutputError,
    check_relpath,
    manifest_bytes,
    read_manifest,
)

try:
    import fcntl
except ImportError:  # Windows: no run lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "CheckReport",
    "OutputError",
    "OutputFile",
    "WriteReport",
    "check_output",
    "check_report_json",
    "format_check",
    "want_color",
    "write_output",
]

_MANIFEST_TMP = MANIFEST_NAME + ".tmp"


@dataclass(frozen=True)
class OutputFile:
    """One rendered file: its digest now, its bytes only when needed."""

    digest: str  # sha256 hex of the bytes
    load: Callable[[], bytes] = field(compare=False, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes) -> OutputFile:
        return cls(hashlib.sha256(data).hexdigest(), lambda: data)


@dataclass(frozen=True)
class CheckReport:
    """How OUT differs from the new files; every tuple sorted."""

    out: Path
    unchanged: tuple[str, ...]
    stale: tuple[str, ...]  # on disk with other content
    missing: tuple[str, ...]  # produced, not on disk
    orphaned: tuple[str, ...]  # generated earlier, on disk, no longer produced

    @property
    def up_to_date(self) -> bool:
        return not (self.stale or self.missing or self.orphaned)


@dataclass(frozen=True)
class WriteReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int

    def summary(self) -> str:
        """`2 created, 1 updated, 1 removed, 40 unchanged` or `up to date: 40 files`."""
        if not (self.created or self.updated or self.removed):
            return f"up to date: {self.unchanged} files"
        counts = [(len(self.created), "created"), (len(self.updated), "updated"), (len(self.removed), "removed")]
        return ", ".join(f"{n} {what}" for n, what in counts if n) + f", {self.unchanged} unchanged"


# --- compare ----------------------------------------------------------------


def check_output(out: Path, files: Mapping[str, OutputFile]) -> CheckReport:
    """Compare OUT with the new files; never writes anything."""
    _check_paths(files)
    root = _resolve(out)
    with _as_output_error(root):
        if not os.path.isdir(root):
            return CheckReport(Path(root), (), (), tuple(sorted(files)), ())
        return _compare(root, files, read_manifest(root))[0]


def _compare(root: str, files: Mapping[str, OutputFile], manifest: Manifest) -> tuple[CheckReport, dict[str, Entry]]:
    """The report, and the current entries of the unchanged files."""
    unchanged: dict[str, Entry] = {}
    stale: list[str] = []
    missing: list[str] = []
    for path, new in files.items():
        full = f"{root}/{path}"  # os.path.join costs a third of a no-op run
        try:
            st = os.lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            missing.append(path)
            continue
        if not stat.S_ISREG(st.st_mode):
            stale.append(path)
            continue
        entry = manifest.files.get(path)
        if entry is None or entry.size != st.st_size or entry.mtime_ns != st.st_mtime_ns:
            entry = Entry(_hash_file(full), st.st_size, st.st_mtime_ns)
        if entry.sha256 == new.digest:
            unchanged[path] = entry
        else:
            stale.append(path)
    orphaned = [p for p in manifest.files if p not in files and _is_file(f"{root}/{p}")]
    report = CheckReport(
        Path(root), tuple(sorted(unchanged)), tuple(sorted(stale)), tuple(sorted(missing)), tuple(sorted(orphaned))
    )
    return report, unchanged


def _hash_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _is_file(path: str) -> bool:
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


# --- write ------------------------------------------------------------------


def write_output(out: Path, files: Mapping[str, OutputFile], *, tool_version: str) -> WriteReport:
    """Make OUT hold `files`, atomically; see the module docstring."""
    _check_paths(files)
    root = _resolve(out)
    parent, name = os.path.split(root)
    staging = os.path.join(parent, f".{name}.md2models-staging")
    old = os.path.join(parent, f".{name}.md2models-old")
    with _as_output_error(root):
        os.makedirs(parent, exist_ok=True)
        with _exclusive(parent):
            _clean_leftovers(root, staging, old)
            manifest = read_manifest(root)
            report, unchanged = _compare(root, files, manifest)
            if report.up_to_date:
                _refresh_manifest(root, manifest, Manifest(tool_version, unchanged))
                return WriteReport((), (), (), len(unchanged))
            try:
                entries = _stage(root, staging, files, report, unchanged)
                _write_file(os.path.join(staging, MANIFEST_NAME), manifest_bytes(Manifest(tool_version, entries)))
                garbage = _commit(root, staging, old)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            if garbage:
                shutil.rmtree(garbage, ignore_errors=True)  # else the next run does it
    return WriteReport(report.missing, report.stale, report.orphaned, len(unchanged))


def _check_paths(files: Mapping[str, OutputFile]) -> None:
    for path in files:
        check_relpath(path)


def _resolve(out: Path) -> str:
    root = os.path.realpath(out)
    if os.path.exists(root) and not os.path.isdir(root):
        raise OutputError(f"output {out} exists and is not a directory")
    return root


@contextmanager
def _as_output_error(root: str) -> Iterator[None]:
    try:
        yield
    except OSError as e:
        where = f": {e.filename}" if e.filename else ""
        raise OutputError(f"cannot update output {root}: {e.strerror or e}{where}") from e


@contextmanager
def _exclusive(parent: str) -> Iterator[None]:
    """Serialize runs with a lock on OUT's parent (no lock file to leave)."""
    if fcntl is None:
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _clean_leftovers(root: str, staging: str, old: str) -> None:
    """Undo what a killed run left: roll back a half fallback commit, delete
    the staging tree and a half-written manifest."""
    if os.path.isdir(old) and not os.path.lexists(root):
        os.rename(old, root)
    for tree in (staging, old):
        if os.path.lexists(tree):
            shutil.rmtree(tree)
    try:
        os.unlink(os.path.join(root, _MANIFEST_TMP))
    except (FileNotFoundError, NotADirectoryError):
        pass


def _refresh_manifest(root: str, old: Manifest, new: Manifest) -> None:
    """Record fresh stats (e.g. after a git checkout) so the next run is fast."""
    if new == old or not os.path.isdir(root):
        return
    tmp = os.path.join(root, _MANIFEST_TMP)
    _write_file(tmp, manifest_bytes(new))
    os.replace(tmp, os.path.join(root, MANIFEST_NAME))


def _stage(
    root: str, staging: str, files: Mapping[str, OutputFile], report: CheckReport, unchanged: dict[str, Entry]
) -> dict[str, Entry]:
    """Build the new OUT at `staging`; return its manifest entries."""
    os.mkdir(staging)
    dirs: set[str] = set()
    for path in files:
        parent = path.rpartition("/")[0]
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    if os.path.isdir(root):
        os.chmod(staging, stat.S_IMODE(os.stat(root).st_mode))
        _mirror(root, staging, "", set(report.stale) | set(report.orphaned), files, dirs)
    entries = dict(unchanged)
    for path in report.stale + report.missing:
        entries[path] = _write_new(staging, path, files[path])
    written = [entries[path].mtime_ns for path in report.stale + report.missing]
    _wait_past(staging, max(written, default=0))
    return entries


def _mirror(src: str, dst: str, prefix: str, skip: set[str], files: Mapping[str, OutputFile], dirs: set[str]) -> bool:
    """Hard-link the tree `src` into `dst` except the paths in `skip`.

    Drops directories that only held skipped files (we emptied them) and
    returns whether `dst` keeps anything."""
    with os.scandir(src) as scan:
        items = list(scan)
    kept = not items  # an empty directory was made by someone: keep it
    for item in items:
        rel = prefix + item.name
        target = os.path.join(dst, item.name)
        if rel in (MANIFEST_NAME, _MANIFEST_TMP):
            continue
        if item.is_dir(follow_symlinks=False):
            if rel in files:
                raise OutputError(f"cannot write {rel}: a directory is in the way")
            os.mkdir(target)
            os.chmod(target, stat.S_IMODE(item.stat(follow_symlinks=False).st_mode))
            if _mirror(item.path, target, rel + "/", skip, files, dirs) or rel in dirs:
                kept = True
            else:
                os.rmdir(target)
        elif rel in skip:
            continue
        elif rel in dirs:
            raise OutputError(f"cannot create directory {rel}: a file or link is in the way")
        else:
            os.link(item.path, target, follow_symlinks=False)
            kept = True
    return kept


def _write_new(staging: str, path: str, new: OutputFile) -> Entry:
    data = new.load()
    digest = hashlib.sha256(data).hexdigest()
    if digest != new.digest:  # the manifest must never record a wrong digest
        raise ValueError(f"{path}: loaded bytes do not match the digest {new.digest}")
    full = os.path.join(staging, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    _write_file(full, data)
    st = os.stat(full)
    return Entry(digest, st.st_size, st.st_mtime_ns)


def _write_file(path: str, data: bytes) -> None:
    # "x": never open an existing file, which in staging may be a hard link
    # shared with OUT: we only ever write fresh inodes.
    with open(path, "xb") as f:
        f.write(data)


def _wait_past(directory: str, mtime_ns: int) -> None:
    """Return once a file modified now gets an mtime above `mtime_ns`, so no
    later edit can reproduce a (size, mtime_ns) we record.  Timestamps tick
    every few ms (2 s on FAT); the deadline only guards against a clock
    stepped back."""
    probe = os.path.join(directory, ".md2models-clock")
    _write_file(probe, b"")
    deadline = time.monotonic() + 3
    while os.stat(probe).st_mtime_ns <= mtime_ns and time.monotonic() < deadline:
        time.sleep(0.001)
        os.utime(probe)
    os.unlink(probe)


def _commit(root: str, staging: str, old: str) -> Optional[str]:
    """Put `staging` in place of `root` atomically; return where the old tree
    now is, if there was one."""
    try:
        if not os.path.lexists(root):
            os.rename(staging, root)
            return None
        if _exchange(staging, root):
            return staging
        os.rename(root, old)
        try:
            os.rename(staging, root)
        except BaseException:
            os.rename(old, root)
            raise
        return old
    except OSError as e:
        if e.errno in (errno.EBUSY, errno.EXDEV):
            raise OutputError(f"cannot replace {root}: it is a mount point; write to a directory inside it") from e
        raise


def _load_renameat2() -> Optional[Callable[..., int]]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one step; False where the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), b)


# --- reporting --------------------------------------------------------------

_RED, _GREEN, _CYAN, _BOLD, _RESET = "\033[31m", "\033[32m", "\033[36m", "\033[1m", "\033[0m"


def want_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def format_check(
    report: CheckReport, out_display: str, *, color: bool, quiet: bool, load_new: Callable[[str], bytes]
) -> str:
    """A unified diff per differing file (unless quiet), then a summary."""
    lines: list[str] = []
    if not quiet:
        changes = [(p, True, True) for p in report.stale]
        changes += [(p, False, True) for p in report.missing]
        changes += [(p, True, False) for p in report.orphaned]
        for path, on_disk, produced in sorted(changes):
            shown = f"{out_display.rstrip('/')}/{path}" if out_display else path
            old = _read_old(os.path.join(report.out, path)) if on_disk else None
            new = load_new(path) if produced else None
            lines += _diff(shown, old, new, color)
    lines.append(_paint(_summary(report), (_GREEN if report.up_to_date else _RED) if color else ""))
    return "\n".join(lines)


def _summary(report: CheckReport) -> str:
    if report.up_to_date:
        return f"up to date: {len(report.unchanged)} files"
    counts = [(len(report.stale), "stale"), (len(report.missing), "missing"), (len(report.orphaned), "orphaned")]
    return ", ".join(f"{n} {what}" for n, what in counts if n) + ": run `md2models generate` to update"


def check_report_json(report: CheckReport) -> dict[str, Any]:
    return {
        "up_to_date": report.up_to_date,
        "stale": list(report.stale),
        "missing": list(report.missing),
        "orphaned": list(report.orphaned),
        "counts": {
            "unchanged": len(report.unchanged),
            "stale": len(report.stale),
            "missing": len(report.missing),
            "orphaned": len(report.orphaned),
        },
    }


def _read_old(path: str) -> Optional[bytes]:
    """The file's bytes; None (shown as /dev/null) if it is not a file."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _diff(shown: str, old: Optional[bytes], new: Optional[bytes], color: bool) -> list[str]:
    a_label = f"a/{shown}" if old is not None else "/dev/null"
    b_label = f"b/{shown}" if new is not None else "/dev/null"
    header = [_paint(f"--- {a_label}", _BOLD if color else ""), _paint(f"+++ {b_label}", _BOLD if color else "")]
    try:
        a_text = (old or b"").decode("utf-8")
        b_text = (new or b"").decode("utf-8")
    except UnicodeDecodeError:
        return header + ["binary files differ"]
    body = list(difflib.unified_diff(_lines(a_text), _lines(b_text), n=3))[2:]
    lines = list(header)
    for line in body:
        style = {"@": _CYAN, "-": _RED, "+": _GREEN}.get(line[0], "") if color else ""
        lines.append(_paint(line.rstrip("\n"), style))
        if not line.endswith("\n"):
            lines.append("\\ No newline at end of file")
    return lines


def _lines(text: str) -> list[str]:
    """Lines ending at newlines only, ends kept (str.splitlines also splits at form feeds)."""
    return io.StringIO(text, newline="\n").readlines()


def _paint(text: str, style: str) -> str:
    return f"{style}{text}{_RESET}" if style else text
