"""The write stage: make OUT hold the rendered files, and `check` it.

Every path is relative to one root (OUT in the default layout; see
`layout`), and the run's own files live where its `Bookkeeping` says.
Each changed file is written to a temporary file in its own folder and
renamed over the old one (mode kept), so a file is always wholly old or
wholly new (a file where nothing was, which a run `claim`s and journals
first, is written in place: see `write_claimed`); unchanged files are left
untouched and no folder is replaced.  Only
files md2models generated (the manifest lists them, or the journal of an
interrupted run, or the manifest of a retired layout) are replaced or
deleted, and nothing is written outside the root but the bookkeeping.  A
journal written before the first change and removed after the manifest
makes `check` fail, after an interrupted run, until the next `generate` has
finished it.

How: a run takes a `flock` on its cache folder (runs on other outputs
never wait), compares, loads every file to write (so all errors come before
any change), writes the journal, replaces the changed files, deletes the
orphans and the folders they emptied, then writes the stat cache, the
manifest, removes a retired layout's bookkeeping, and drops the journal.
No process outlives it; no fsync (this covers the process dying, not power
loss).  The compare trusts a file's
(size, mtime_ns) as recorded in the stat cache, as git's index does, only
with the manifest's digest and only where no later edit can reproduce that
mtime (see `_compare` and `_wait_past`); anything else is hashed.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import marshal
import os
import shutil
import stat
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

from generator.manifest import (CACHE_DIR, JOURNAL_FILE, MANIFEST_DIGEST_FILE, MANIFEST_NAME, STAT_FILE, TMP_SUFFIX,
                                Bookkeeping, Manifest, OutputError, StatRecord, check_relpaths, ensure_cache_dir,
                                manifest_bytes, read_manifest, read_stat_cache, stat_cache_bytes)
from generator.naming import ancestors
from generator.progress import NO_PROGRESS, Progress
from generator.terminal import BOLD, CYAN, GREEN, RED, paint

try:
    import fcntl
except ImportError:  # Windows: no run lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["CheckReport", "OutputError", "OutputFile", "WriteReport", "check_output", "check_report_json",
           "format_check", "hash_files", "to_hash", "write_output", "Writer"]

_JOURNAL_FORMAT = 1

# A file hashed now is recorded in the stat cache only if its mtime is older
# than this: an edit in the same timestamp tick as the one we read (ticks are
# up to 2 s, on FAT) could keep size and mtime, and the record would then
# vouch for the old content.  A younger file is just hashed again next run.
_RACY_NS = 3_000_000_000


@dataclass(frozen=True)
class OutputFile:
    """One rendered file: its digest now, its bytes only when needed."""

    digest: str  # sha256 hex of the bytes
    load: Callable[[], bytes] = field(compare=False, repr=False)

    @classmethod
    def from_bytes(cls, data: bytes) -> OutputFile:
        return cls.of(data, hashlib.sha256(data).hexdigest())

    @classmethod
    def of(cls, data: bytes, digest: str) -> OutputFile:
        """`data`, whose sha256 hex `digest` the caller has computed."""
        return cls(digest, lambda: data)


@dataclass(frozen=True)
class CheckReport:
    """How OUT differs from the new files; every tuple sorted."""

    out: Path  # the root the paths are relative to, as given
    unchanged: tuple[str, ...]
    stale: tuple[str, ...]  # on disk with other content
    missing: tuple[str, ...]  # produced, not on disk
    orphaned: tuple[str, ...]  # generated earlier (or a retired layout's bookkeeping), on disk, no longer produced
    interrupted: bool = False  # a generate was stopped half-way: its journal is there
    manifest: Optional[Path] = None  # the committed manifest, where the layout keeps it
    # The manifest does not list exactly the files and digests produced (a
    # generate stopped before writing it, on a clone without its journal).
    manifest_stale: bool = False
    # Output path -> the spec doc it is generated from (the package's own files: none), as the build knows it.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def up_to_date(self) -> bool:
        return not (self.stale or self.missing or self.orphaned or self.interrupted or self.manifest_stale)


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


def check_output(out: Path, files: Mapping[str, OutputFile], keep: Optional[Bookkeeping] = None, *,
                 trust_stats: bool = True, hashed: Mapping[str, StatRecord] = {},
                 manifest: Optional[Manifest] = None) -> CheckReport:
    """Compare OUT (the root the paths are relative to) with the new files;
    never writes anything (not even the stat cache).  `keep`: where the
    bookkeeping is (default: in OUT); `trust_stats`: False hashes every
    file, whatever the stat cache says; `hashed`: records found ahead (see
    `to_hash`); `manifest`: the manifest as this run already read it."""
    check_relpaths(files)
    root = _resolve(out)
    keep = keep or Bookkeeping.in_output(Path(root))
    with _as_output_error(root):
        if not os.path.isdir(root):
            return CheckReport(out, (), (), tuple(sorted(files)), ())
        journal = _read_journal(str(keep.cache))
        manifest = manifest or read_manifest(str(keep.manifest))
        stats = read_stat_cache(str(keep.cache)) if trust_stats else {}
        report = _compare(root, files, manifest, stats, journal, _retired(root, keep), hashed)[0]
        listed = len(manifest.files) == len(files) and all(manifest.files.get(path) == new.digest
                                                           for path, new in files.items())
        return replace(report, out=out, manifest=keep.manifest, manifest_stale=not listed)


@dataclass(frozen=True)
class _Retired:
    """What a retired layout's bookkeeping (see `Bookkeeping.retired`) leaves, relative to the root."""

    files: frozenset[str] = frozenset()  # what its manifest and journal name
    bookkeeping: tuple[str, ...] = ()  # its manifest and cache folder, where there


def _retired(root: str, keep: Bookkeeping) -> _Retired:
    if keep.retired is None:
        return _Retired()
    folder = os.path.realpath(keep.retired)
    prefix = os.path.relpath(folder, root)
    prefix = "" if prefix == "." else f"{prefix}/"
    old = Bookkeeping.in_output(Path(folder))
    named = set(read_manifest(str(old.manifest)).files) | (_read_journal(str(old.cache)) or set())
    there = tuple(f"{prefix}{name}" for name in (MANIFEST_NAME, CACHE_DIR) if os.path.lexists(f"{folder}/{name}"))
    return _Retired(frozenset(f"{prefix}{path}" for path in named), there)


def _compare(root: str, files: Mapping[str, OutputFile], manifest: Manifest, stats: Mapping[str, StatRecord],
             journal: Optional[frozenset[str]], retired: _Retired, hashed: Mapping[str, StatRecord] = {},
             written: Mapping[str, StatRecord] = {}) -> tuple[CheckReport, dict[str, StatRecord]]:
    """The report, and the stat records of the unchanged files fit to keep.
    A record vouches for a file's digest if its size and mtime_ns match and
    its digest is the manifest's (else it is from another state of OUT,
    e.g. a checkout); a file hashed now is recorded only if its mtime is
    older than `_RACY_NS`.  `hashed`: files hashed ahead in this run (see
    `to_hash`), taken as they were then, with no second look; `written`:
    files this run wrote, under its lock, with their records: unchanged, and
    recorded."""
    known = manifest.files
    settled = time.time_ns() - _RACY_NS
    unchanged: list[str] = []
    records: dict[str, StatRecord] = {}
    stale: list[str] = []
    missing: list[str] = []
    lstat, is_file = os.lstat, stat.S_ISREG
    for path, new in files.items():
        record = written.get(path)
        if record is not None and record[0] == new.digest:
            unchanged.append(path)
            records[path] = record
            continue
        record = hashed.get(path)
        if record is not None:
            if record[0] != new.digest:
                stale.append(path)
                continue
            unchanged.append(path)
            if record[2] < settled:
                records[path] = record
            continue
        record = stats.get(path)
        full = f"{root}/{path}"  # os.path.join costs a third of a no-op run
        try:
            st = lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            missing.append(path)
            continue
        if not is_file(st.st_mode):
            stale.append(path)
            continue
        keep = True
        if record is None or record[0] != known.get(path) or record[1] != st.st_size or record[2] != st.st_mtime_ns:
            record, keep = (_hash_file(full), st.st_size, st.st_mtime_ns), st.st_mtime_ns < settled
        if record[0] != new.digest:
            stale.append(path)
            continue
        unchanged.append(path)
        if keep:
            records[path] = record
    gone = known.keys() - files.keys()  # set operations in C: 37k paths
    if journal:
        gone |= journal - files.keys()
    gone |= retired.files - files.keys()
    orphaned = [p for p in gone if _is_file(f"{root}/{p}")] + list(retired.bookkeeping)
    report = CheckReport(Path(root), tuple(sorted(unchanged)), tuple(sorted(stale)), tuple(sorted(missing)),
                         tuple(sorted(orphaned)), journal is not None)
    return report, records


def _hash_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def to_hash(out: Path, manifest: Manifest, keep: Optional[Bookkeeping] = None, *,
            trust_stats: bool = True) -> list[str]:
    """The full paths of the files OUT's `manifest` lists that a compare
    would hash (no stat record vouches for them; `trust_stats`: as for
    `check_output`): work to hand out ahead (to the build's workers, while
    the main process resolves), with `hash_files`; pass what it finds to
    the compare as `hashed`, keyed by path relative to OUT."""
    root = os.path.realpath(out)
    stats = read_stat_cache(str((keep or Bookkeeping.in_output(Path(root))).cache)) if trust_stats else {}
    found: list[str] = []
    for path, digest in manifest.files.items():
        record = stats.get(path)
        if record is None or record[0] != digest:  # nothing vouches for it (`hash_files` skips what is no file)
            found.append(f"{root}/{path}")
            continue
        try:
            st = os.lstat(f"{root}/{path}")
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and record != (digest, st.st_size, st.st_mtime_ns):
            found.append(f"{root}/{path}")
    return found


def hash_files(paths: Iterable[str]) -> dict[str, StatRecord]:
    """{path: its record} of the regular files at `paths`; problems pass
    (the compare meets them again)."""
    found: dict[str, StatRecord] = {}
    for path in paths:
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                found[path] = (_hash_file(path), st.st_size, st.st_mtime_ns)
        except OSError:
            continue
    return found


def _is_file(path: str) -> bool:
    """Anything but a folder (a file, a link) is there."""
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _read_journal(cache: str) -> Optional[frozenset[str]]:
    """The paths an interrupted run may have written (its journal in the
    cache folder `cache`); None when no run was interrupted.  A damaged
    journal still says a run was interrupted."""
    try:
        with open(f"{cache}/{JOURNAL_FILE}", "rb") as f:
            data = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        found = marshal.loads(data)
        if type(found) is dict and found.get("format") == _JOURNAL_FORMAT and type(found["paths"]) is list:
            paths = [p for p in found["paths"] if type(p) is str]
            check_relpaths(paths)  # a tampered journal must not name paths outside OUT
            return frozenset(paths)
    except (EOFError, ValueError, TypeError, KeyError):
        pass
    return frozenset()


# --- write ------------------------------------------------------------------


def write_output(out: Path, files: Mapping[str, OutputFile], *, tool_version: str,
                 inputs: Mapping[str, str] = {}, progress: Progress = NO_PROGRESS,
                 keep: Optional[Bookkeeping] = None, hashed: Mapping[str, StatRecord] = {}) -> WriteReport:
    """Make OUT (the root the paths are relative to) hold `files`; `keep`:
    where the bookkeeping is (default: in OUT).  `inputs`: the manifest's
    keys of what each doc's outputs were rendered from; `hashed`: records
    found ahead (see `to_hash`).  See the module docstring."""
    return Writer(out, keep).finish(files, tool_version=tool_version, inputs=inputs, progress=progress,
                                    hashed=hashed)


class Writer:
    """One run's write stage.  `finish` is `write_output`; before it, the
    run may `claim` paths where nothing is on disk yet, to write the files
    there as they are rendered (a cold generate writes in its render
    workers, beside the rendering).  The first claim makes OUT, takes the
    lock and journals the claimed paths; if the run fails before `finish`,
    `abort` removes what was written at them, restores the journal, and
    leaves OUT as it found it."""

    def __init__(self, out: Path, keep: Optional[Bookkeeping] = None):
        self.out = out
        self.root = _resolve(out)
        self.keep = keep or Bookkeeping.in_output(Path(self.root))
        self.cache, self.manifest_path = os.path.abspath(self.keep.cache), os.path.abspath(self.keep.manifest)
        self.claimed: dict[str, str] = {}  # path -> its full path
        self._lock: Optional[ExitStack] = None
        self._journal: Optional[frozenset[str]] = None  # as found when the lock was taken
        self._journal_bytes: Optional[bytes] = None
        self._made: list[str] = []  # what the claims made: OUT, the cache folder, folders (full paths; outer first)
        self._finishing = False

    def _open(self) -> None:
        """Make OUT and the cache folder, take the lock, read the journal."""
        if self._lock is not None:
            return
        if not os.path.isdir(self.root):
            absent, folder = [], self.root
            while not os.path.lexists(folder):
                absent.append(folder)
                folder = os.path.dirname(folder)
            os.makedirs(self.root)
            self._made.extend(reversed(absent))
        if not os.path.isdir(self.cache):
            self._made.append(self.cache)
        ensure_cache_dir(self.cache)
        self._lock = ExitStack()
        self._lock.enter_context(_exclusive(self.cache))
        self._journal = _read_journal(self.cache)
        self._journal_bytes = read_if_file(f"{self.cache}/{JOURNAL_FILE}")  # to put back as it was

    def claim(self, paths: Iterable[str]) -> dict[str, str]:
        """The `paths` where nothing is on disk (nor in the way of their
        folders), each with its full path, journaled: the caller writes the
        files there (with `write_claimed`) and tells `finish`."""
        wanted = list(paths)
        check_relpaths(wanted)
        with _as_output_error(self.root):
            self._open()
            state: dict[str, str] = {"": "folder"}  # folder -> "folder", "absent" or "blocked"
            for folder in sorted(ancestors(wanted), key=lambda folder: folder.count("/")):
                state[folder] = state[folder.rpartition("/")[0]]
                if state[folder] == "folder":
                    try:
                        if not stat.S_ISDIR(os.lstat(f"{self.root}/{folder}").st_mode):
                            state[folder] = "blocked"
                    except FileNotFoundError:
                        state[folder] = "absent"
                if state[folder] == "absent":
                    self._made.append(f"{self.root}/{folder}")
            free = {}
            for path in wanted:
                where = state[path.rpartition("/")[0]]
                if where == "folder" and os.path.lexists(f"{self.root}/{path}"):
                    continue
                if where != "blocked":
                    free[path] = f"{self.root}/{path}"
            if free:
                _write_journal(self.cache, (self._journal or frozenset()) | self.claimed.keys() | free.keys())
                self.claimed.update(free)
        return free

    def abort(self) -> None:
        """Undo the claims (see the class), unless `finish` has begun (its
        journal then stands for what it did).  Errors pass: the run's own
        error is the one to report."""
        if self._lock is None or self._finishing:
            return
        try:
            for full in self.claimed.values():
                _unlink_if_there(full)
            if self._journal_bytes is not None:
                _save(f"{self.cache}/{JOURNAL_FILE}", self._journal_bytes)
            elif self.claimed:
                _unlink_if_there(f"{self.cache}/{JOURNAL_FILE}")
            for folder in reversed(self._made):
                if folder == self.cache:
                    shutil.rmtree(folder, ignore_errors=True)
                else:
                    with suppress(OSError):
                        os.rmdir(folder)
        except OSError:
            pass
        finally:
            self._lock.close()
            self._lock = None

    def finish(self, files: Mapping[str, OutputFile], *, tool_version: str, inputs: Mapping[str, str] = {},
               docs_salt: str = "", docs: Mapping[str, str] = {}, progress: Progress = NO_PROGRESS,
               hashed: Mapping[str, StatRecord] = {}, written: Mapping[str, StatRecord] = {}) -> WriteReport:
        """Make OUT hold `files` (see `write_output`); `docs_salt`, `docs`:
        the manifest's (see `manifest.Manifest`); `written`: the claimed
        paths written, each with its file's record."""
        check_relpaths(files)
        root, cache, manifest_path = self.root, self.cache, self.manifest_path
        self._finishing = True
        with _as_output_error(root):
            self._open()
            assert self._lock is not None
            with self._lock:
                manifest, stats, journal = read_manifest(manifest_path), read_stat_cache(cache), self._journal
                retired = _retired(root, self.keep)
                report, records = _compare(root, files, manifest, stats, journal, retired, hashed, written)
                made = [path for path in report.unchanged if path in written]  # created by this run
                if made:
                    report = replace(report, unchanged=tuple(path for path in report.unchanged if path not in written),
                                     missing=tuple(sorted([*report.missing, *made])))
                writes = [*report.stale, *(path for path in report.missing if path not in written)]
                data = {path: _load(path, files[path]) for path in writes}
                _check_in_the_way(root, report)
                if writes or report.orphaned:
                    _write_journal(cache, (journal or frozenset()) | self.claimed.keys() | set(writes))
                for full in (manifest_path, f"{cache}/{STAT_FILE}", f"{cache}/{JOURNAL_FILE}",
                             *(f"{root}/{path}" for path in journal or ())):  # a killed run's temporary files
                    _unlink_if_there(_tmp_name(full))
                counter = progress.counter()
                progress.show("writing", len(writes), counter)
                for path in writes:
                    records[path] = (files[path].digest, *replace_atomically(f"{root}/{path}", data.pop(path)))
                    counter.add()
                _remove(root, [path for path in report.orphaned if path not in retired.bookkeeping])
                if writes or made:
                    _wait_past(cache, max(records[path][2] for path in [*writes, *made]))
                if records != stats:
                    _save(f"{cache}/{STAT_FILE}", stat_cache_bytes(records), best_effort=True)
                new_manifest = Manifest(tool_version, {path: new.digest for path, new in files.items()},
                                        inputs=inputs, docs_salt=docs_salt, docs=docs)
                if new_manifest != manifest:
                    text = manifest_bytes(new_manifest, manifest if _ours(manifest, cache) else None)
                    _save(manifest_path, text)
                    _save(f"{cache}/{MANIFEST_DIGEST_FILE}", hashlib.sha256(text).hexdigest().encode(),
                          best_effort=True)
                for path in retired.bookkeeping:  # last: until the new manifest is there, it names the orphans
                    _remove_bookkeeping(f"{root}/{path}")
                if journal is not None or writes or report.orphaned or self.claimed:
                    os.unlink(f"{cache}/{JOURNAL_FILE}")
            self._lock = None
        return WriteReport(report.missing, report.stale, report.orphaned, len(report.unchanged))


def _ours(manifest: Manifest, cache: str) -> bool:
    """Whether the manifest's bytes are those a run wrote (`manifest_bytes`
    of it, patchable), by the digest it left in the cache folder."""
    try:
        with open(f"{cache}/{MANIFEST_DIGEST_FILE}", "rb") as f:
            recorded = f.read()
    except OSError:
        return False
    return bool(manifest.raw) and hashlib.sha256(manifest.raw).hexdigest().encode() == recorded


def _resolve(out: Path) -> str:
    """OUT's real path (a symlinked OUT is written through); it must be a folder if it exists."""
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


def _remove_bookkeeping(path: str) -> None:
    """A retired manifest, or a retired cache folder (ours: md2models' name, ignored by git)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        _unlink_if_there(path)


@contextmanager
def _exclusive(cache: str) -> Iterator[None]:
    """Serialize runs on one OUT with a flock on its cache folder (no lock file to leave)."""
    if fcntl is None:
        yield
        return
    fd = os.open(cache, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _load(path: str, new: OutputFile) -> bytes:
    data = new.load()
    if hashlib.sha256(data).hexdigest() != new.digest:  # the manifest must never record a wrong digest
        raise ValueError(f"{path}: loaded bytes do not match the digest {new.digest}")
    return data


def _check_in_the_way(root: str, report: CheckReport) -> None:
    """Fail before any change if a folder holds a place a file goes, or a
    file or link (which we will not write through) a place a folder goes."""
    for path in report.stale:
        if stat.S_ISDIR(os.lstat(f"{root}/{path}").st_mode):
            raise OutputError(f"cannot write {path}: a directory is in the way")
    folders = sorted(ancestors([*report.stale, *report.missing]), key=lambda folder: folder.count("/"))
    absent: set[str] = set()
    for folder in folders:
        if folder.rpartition("/")[0] in absent:
            absent.add(folder)
            continue
        try:
            if not stat.S_ISDIR(os.lstat(f"{root}/{folder}").st_mode):
                raise OutputError(f"cannot create directory {folder}: a file or link is in the way")
        except FileNotFoundError:
            absent.add(folder)


def _write_journal(cache: str, paths: Iterable[str]) -> None:
    _save(f"{cache}/{JOURNAL_FILE}", marshal.dumps({"format": _JOURNAL_FORMAT, "paths": sorted(paths)}))


def _tmp_name(full: str) -> str:
    """The temporary file beside `full`: one fixed name, so a killed run's is found and deleted."""
    folder, _, name = full.rpartition("/")
    return f"{folder}/.{name}{TMP_SUFFIX}"


def replace_atomically(full: str, data: bytes) -> tuple[int, int]:
    """Put `data` at `full` atomically, keeping the mode of the file it
    replaces; its size and mtime."""
    mode = None
    try:
        st = os.lstat(full)
        if stat.S_ISREG(st.st_mode):
            mode = stat.S_IMODE(st.st_mode)
    except (FileNotFoundError, NotADirectoryError):
        pass
    tmp = _tmp_name(full)
    try:  # the open too: Ctrl-C lands just after a system call returns (the name is ours alone, under the lock)
        st = _write_file(tmp, data, mode)
        os.replace(tmp, full)
    except BaseException:
        _unlink_if_there(tmp)
        raise
    return st.st_size, st.st_mtime_ns


def write_claimed(full: str, data: bytes) -> tuple[int, int]:
    """Write `data` at `full`, a path `Writer.claim` gave (nothing was
    there); its size and mtime.  Straight to the path, no temporary file:
    the journal names it, so a run stopped half-way removes it (`abort`) or
    leaves it to the next run and to `check` as a killed run's file, and a
    cold run creates each file once, not twice (each creation holds its
    folder's lock, which parallel workers otherwise queue for)."""
    st = _write_file(full, data, None)
    return st.st_size, st.st_mtime_ns


def _write_file(full: str, data: bytes, mode: Optional[int]) -> os.stat_result:
    """Create or truncate `full` (and its folder if need be), write `data`, keep `mode`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:  # os.open: half the system calls of open()
        fd = os.open(full, flags, 0o666)
    except FileNotFoundError:  # a new folder
        os.makedirs(full.rpartition("/")[0], exist_ok=True)
        fd = os.open(full, flags, 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _save(full: str, data: bytes, *, best_effort: bool = False) -> None:
    """A bookkeeping file, replaced atomically; `best_effort`: it is a cache, errors pass."""
    try:
        replace_atomically(full, data)
    except OSError:
        if not best_effort:
            raise


def _remove(root: str, orphans: Iterable[str]) -> None:
    """Delete the orphans, then the folders they leave empty (deepest first)."""
    for path in orphans:
        _unlink_if_there(f"{root}/{path}")
    for folder in sorted(ancestors(orphans), key=lambda folder: -folder.count("/")):
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:  # not empty (hand-written files), or gone
            pass


def _unlink_if_there(path: str) -> None:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        pass


def _wait_past(folder: str, mtime_ns: int) -> None:
    """Return once a file modified now gets an mtime above `mtime_ns`, so no
    later edit can reproduce a (size, mtime_ns) we record.  Timestamps tick
    every few ms (2 s on FAT); the deadline only guards against a clock
    stepped back."""
    probe = f"{folder}/clock"
    with open(probe, "wb"):
        pass
    deadline = time.monotonic() + 3
    while os.stat(probe).st_mtime_ns <= mtime_ns and time.monotonic() < deadline:
        time.sleep(0.001)
        os.utime(probe)
    os.unlink(probe)


# --- reporting --------------------------------------------------------------

def format_check(report: CheckReport, out_display: str, *, color: bool, quiet: bool,
                 load_new: Callable[[str], bytes]) -> str:
    """A unified diff per differing file (unless quiet), then a summary."""
    lines: list[str] = []
    if not quiet:
        changes = [(p, True, True) for p in report.stale]
        changes += [(p, False, True) for p in report.missing]
        changes += [(p, True, False) for p in report.orphaned]
        for path, on_disk, produced in sorted(changes):
            shown = f"{out_display.rstrip('/')}/{path}" if out_display not in ("", ".") else path
            if not produced and os.path.isdir(os.path.join(report.out, path)):  # a retired layout's cache folder
                lines += [paint(f"--- a/{shown}/", BOLD, color), paint("+++ /dev/null", BOLD, color),
                          "md2models' cache of an older layout: generate removes it"]
                continue
            old = read_if_file(os.path.join(report.out, path)) if on_disk else None
            new = load_new(path) if produced else None
            lines += unified_diff(shown, old, new, color)
    lines.append(paint(_summary(report), GREEN if report.up_to_date else RED, color))
    return "\n".join(lines)


def _summary(report: CheckReport) -> str:
    if report.up_to_date:
        return f"up to date: {len(report.unchanged)} files"
    counts = [(len(report.stale), "stale"), (len(report.missing), "missing"), (len(report.orphaned), "orphaned")]
    found = [f"{n} {what}" for n, what in counts if n] + (["a generate was interrupted"] if report.interrupted else [])
    if report.manifest_stale and not found:
        found = [f"{MANIFEST_NAME} does not list the files generated"]
    return ", ".join(found) + ": run `md2models generate` to update"


def check_report_json(report: CheckReport) -> dict[str, Any]:
    kinds = ("stale", "missing", "orphaned")
    return {"up_to_date": report.up_to_date, **{kind: list(getattr(report, kind)) for kind in kinds},
            "interrupted": report.interrupted, "manifest_stale": report.manifest_stale,
            "counts": {kind: len(getattr(report, kind)) for kind in ("unchanged", *kinds)}}


def read_if_file(path: str) -> Optional[bytes]:
    """The file's bytes; None (shown as /dev/null) if it is not a file."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def unified_diff(shown: str, old: Optional[bytes], new: Optional[bytes], color: bool) -> list[str]:
    a_label = f"a/{shown}" if old is not None else "/dev/null"
    b_label = f"b/{shown}" if new is not None else "/dev/null"
    header = [paint(f"--- {a_label}", BOLD, color), paint(f"+++ {b_label}", BOLD, color)]
    try:
        a_text = (old or b"").decode("utf-8")
        b_text = (new or b"").decode("utf-8")
    except UnicodeDecodeError:
        return header + ["binary files differ"]
    body = list(difflib.unified_diff(_lines(a_text), _lines(b_text), n=3))[2:]
    lines = list(header)
    for line in body:
        lines.append(paint(line.rstrip("\n"), {"@": CYAN, "-": RED, "+": GREEN}.get(line[0], ""), color))
        if not line.endswith("\n"):
            lines.append("\\ No newline at end of file")
    return lines


def _lines(text: str) -> list[str]:
    """Lines ending at newlines only, ends kept (str.splitlines also splits at form feeds)."""
    return io.StringIO(text, newline="\n").readlines()
