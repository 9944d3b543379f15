"""The write stage: put the rendered files under OUT atomically; and `check`.

Ownership.  A path the run produces is generated.  A path it no longer
produces is removed only if the manifest (see `manifest.py`) says an earlier
run generated it.  Everything else under OUT (a hand-written module, a
README, a .git) is never modified.

Comparing.  The manifest holds digests only, since users commit it; the
(size, mtime_ns) of each generated file as last seen is in the uncommitted
stat cache.  A file is taken to hold its recorded digest without being read
when its size and mtime_ns equal its record AND that digest is the
manifest's (a cache that disagrees with the committed manifest is from
another state of OUT, e.g. a checkout), so a no-op run costs one lstat per
file, which `generate` and `check` have an `OutputProbe` (a forked process)
do while they build the new files; anything else (a fresh clone: no cache)
is hashed.  As with git's
index, an edit that kept both size and mtime_ns would go unseen, so a
record is only made where no later edit can reproduce its mtime: for files
we write, the commit waits until the clock has passed their mtimes; a file
we hash is recorded only once its mtime is a few seconds old.

Atomicity.  Generated files span several top-level directories of OUT (the
package, docs/) plus the manifest.  Exchanging each directory in turn would
leave new package + old docs + old manifest if killed between two swaps, so
the commit swaps OUT itself, in one system call.  Our trees beside OUT live
in `.<OUT>.md2models/` (git-ignored by its own `.gitignore`, as pytest's
and mypy's caches are):

1. stage the complete new OUT in `staging/` there: hard links for every file
   that stays (unchanged generated files keep inode and mtime; hand-written
   and unrelated files stay the very same files), new inodes for changed
   ones, then the manifest (linked when its content is unchanged) and the
   stat cache;
2. `renameat2(RENAME_EXCHANGE)` swaps it with OUT;
3. the old OUT, now at `staging/`, is made a mirror of the new one (hard
   links, again) by a detached process that holds the run lock until done
   (see `_detach`): it only has to redo what this run changed.

The spare.  Linking every file of OUT into a fresh staging tree costs ~0.2 s
per 37k files (kernel work), more than the rest of a one-doc edit; so the
old tree is kept as the next run's staging tree instead of being deleted.
It is trusted only while `spare.marshal` there vouches for it: the identity,
mode, mtime and ctime of every directory of both trees, recorded once the
clock has passed them.  Any entry added, removed or renamed in OUT (a
checkout, a save by rename) changes a directory's mtime and ctime, so the
spare is then deleted (in the background) and the run links afresh; an edit
in place changes a file both trees share, which the compare below sees like
any edit.  A run updating the spare first deletes `spare.marshal`.

Killed before 2, OUT is untouched; after 2, it is complete.  Leftovers live
beside OUT, where `check` never looks, and the next generate deletes them
(under the lock, so never while a detached process still works on them).
Where RENAME_EXCHANGE is missing (not Linux, some filesystems) the commit
falls back to two renames through `old/`, and keeps no spare; the next run
rolls that back if OUT is missing.  A run that changes no file touches
nothing committed, bar the manifest if its content changed (a new tool
version): one `os.replace`; the stat cache is refreshed the same way when
stats moved.

A first run into a missing OUT has no old tree, so for a big OUT a detached
process links a spare after it.  Costs and limits: a run without a spare (the first into
an existing OUT, any run after OUT's directories changed) links every file
under OUT, so OUT should not hold big unrelated trees; OUT must not be a mount point; an editor
saving a file under OUT by rename while a run stages may lose that save; a
shell whose cwd is inside OUT is left in the old tree; no fsync, so this
covers the process dying, not power loss.  Concurrent runs on one OUT are
excluded by flock on OUT's parent.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import hashlib
import io
import marshal
import os
import shutil
import signal
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, NoReturn, Optional, Sequence, TextIO

from generator.manifest import (
    CACHE_DIR,
    ensure_cache_dir,
    MANIFEST_NAME,
    STAT_CACHE,
    Manifest,
    OutputError,
    StatRecord,
    check_relpath,
    manifest_bytes,
    read_manifest,
    read_stat_cache,
    stat_cache_bytes,
)
from generator.progress import NO_PROGRESS, Counter, Progress

try:
    import fcntl
except ImportError:  # Windows: no run lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "CheckReport",
    "OutputProbe",
    "OutputError",
    "OutputFile",
    "WriteReport",
    "check_output",
    "check_report_json",
    "format_check",
    "want_color",
    "write_output",
]

# Our temporary files under OUT, only ever written under the run lock, so
# fixed names do; a killed run's are deleted by the next.
_MANIFEST_TMP = MANIFEST_NAME + ".tmp"
_STAT_TMP = STAT_CACHE + ".tmp"

# A first run links a spare in the background only for an OUT this big: for
# fewer files the next run links them in milliseconds, and a caller that
# deletes OUT's parent right after a small run never races the job.
_SPARE_AFTER_FIRST_RUN = 5000

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


def check_output(out: Path, files: Mapping[str, OutputFile], probe: Optional[OutputProbe] = None) -> CheckReport:
    """Compare OUT with the new files; never writes anything (not even the
    stat cache).  `probe`: an `OutputProbe` of OUT started earlier."""
    _check_paths(files)
    root = _resolve(out)
    with _as_output_error(root):
        if not os.path.isdir(root):
            return CheckReport(Path(root), (), (), tuple(sorted(files)), ())
        return _compare(root, files, *_read_bookkeeping(root, probe))[0]


def _read_bookkeeping(root: str, probe: Optional[OutputProbe]
                      ) -> tuple[Manifest, dict[str, StatRecord], Optional[frozenset[str]]]:
    """The manifest, the stat cache, and, if the probe read the very same
    two files, the generated files it could not vouch for."""
    identity = _identity(root)
    manifest, stats = read_manifest(root), read_stat_cache(root)
    found = probe.result() if probe is not None else None
    if found is None or found[0] != identity:
        return manifest, stats, None
    return manifest, stats, frozenset(found[1])


def _compare(
    root: str,
    files: Mapping[str, OutputFile],
    manifest: Manifest,
    stats: Mapping[str, StatRecord],
    unvouched: Optional[frozenset[str]] = None,
) -> tuple[CheckReport, dict[str, StatRecord]]:
    """The report, and the stat records of the unchanged files fit to keep.
    With `unvouched` (from an `OutputProbe`), every other file the manifest
    lists is known to hold its digest: no `lstat` for those."""
    known = manifest.files
    vouched = known.keys() - unvouched if unvouched is not None else frozenset()
    settled = time.time_ns() - _RACY_NS
    unchanged: list[str] = []
    records: dict[str, StatRecord] = {}
    stale: list[str] = []
    missing: list[str] = []
    lstat, is_file = os.lstat, stat.S_ISREG
    for path, new in files.items():
        if path in vouched:
            if known[path] == new.digest:
                unchanged.append(path)
                records[path] = stats[path]
            else:
                stale.append(path)
            continue
        full = f"{root}/{path}"  # os.path.join costs a third of a no-op run
        try:
            st = lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            missing.append(path)
            continue
        if not is_file(st.st_mode):
            stale.append(path)
            continue
        record = stats.get(path)
        keep = True
        if record is None or not _vouches(record, known.get(path), st):
            record = (_hash_file(full), st.st_size, st.st_mtime_ns)
            keep = st.st_mtime_ns < settled
        if record[0] != new.digest:
            stale.append(path)
            continue
        unchanged.append(path)
        if keep:
            records[path] = record
    orphaned = [p for p in known if p not in files and (p in vouched or _is_file(f"{root}/{p}"))]
    report = CheckReport(
        Path(root), tuple(sorted(unchanged)), tuple(sorted(stale)), tuple(sorted(missing)), tuple(sorted(orphaned))
    )
    return report, records


def _vouches(record: StatRecord, digest: Optional[str], st: os.stat_result) -> bool:
    """Whether a file's stat record lets us take it to hold `digest`, the manifest's."""
    return record[0] == digest and record[1] == st.st_size and record[2] == st.st_mtime_ns


def _hash_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _is_file(path: str) -> bool:
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


class OutputProbe:
    """The `lstat` of every generated file of OUT, done by a forked process
    while the caller builds the new files (on two cores, that hides it: it
    is a quarter of a no-op run).  It reports the files whose stat record
    does not vouch for them (see "Comparing" above); the compare then
    treats the others as holding their manifest digest, and looks only at
    those.  Its report counts only if it read the same manifest and stat
    cache as the compare (by inode, size and mtime): any run that commits
    writes a new stat cache.  A probe that fails reports nothing, and the
    compare stats every file as without one."""

    def __init__(self, pid: int, pipe: int):
        self.pid, self.pipe = pid, pipe
        self.found: Optional[tuple[Any, list[str]]] = None
        self.done = False

    @classmethod
    @contextmanager
    def running(cls, out: Path) -> Iterator[Optional[OutputProbe]]:
        """`start`, and `close` on the way out (a build that failed no longer wants it)."""
        probe = cls.start(out)
        try:
            yield probe
        finally:
            if probe is not None:
                probe.close()

    @classmethod
    def start(cls, out: Path) -> Optional[OutputProbe]:
        """Fork the probe; None where it cannot help (no OUT, no manifest, no fork)."""
        root = os.path.realpath(out)
        if not _can_fork or not os.path.isfile(os.path.join(root, MANIFEST_NAME)):
            return None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the probe: report, then leave without running any of the caller's code
            try:
                os.close(read_end)
                data = memoryview(marshal.dumps(_probe(root)))
                while data:
                    data = data[os.write(write_end, data):]
            finally:
                os._exit(0)
        os.close(write_end)
        return cls(pid, read_end)

    def result(self) -> Optional[tuple[Any, list[str]]]:
        """(what identifies the bookkeeping it read, the files it could not vouch for)."""
        if not self.done:
            chunks = []
            while chunk := os.read(self.pipe, 1 << 16):
                chunks.append(chunk)
            self._finish()
            try:
                found = marshal.loads(b"".join(chunks))
                if type(found) is tuple and len(found) == 2 and type(found[1]) is list:
                    self.found = found
            except (EOFError, ValueError, TypeError):
                pass
        return self.found

    def close(self) -> None:
        """Stop the probe if its report is no longer wanted (a failed build)."""
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self._finish()

    def _finish(self) -> None:
        self.done = True
        os.close(self.pipe)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _probe(root: str) -> tuple[Any, list[str]]:
    """In the probe: the generated files whose stat record does not vouch for them."""
    identity = _identity(root)
    known, stats = read_manifest(root).files, read_stat_cache(root)
    unvouched = []
    lstat, is_file = os.lstat, stat.S_ISREG
    for path, digest in known.items():
        record = stats.get(path)
        try:
            st = lstat(f"{root}/{path}")
        except OSError:
            unvouched.append(path)
            continue
        if record is None or not is_file(st.st_mode) or not _vouches(record, digest, st):
            unvouched.append(path)
    return identity, unvouched


def _identity(root: str) -> tuple[Optional[tuple[int, ...]], ...]:
    """Inode, size and mtime of the manifest and the stat cache (None: missing)."""
    found: list[Optional[tuple[int, ...]]] = []
    for path in (MANIFEST_NAME, STAT_CACHE):
        try:
            st = os.stat(os.path.join(root, path))
            found.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            found.append(None)
    return tuple(found)


# --- write ------------------------------------------------------------------


def write_output(out: Path, files: Mapping[str, OutputFile], *, tool_version: str,
                 progress: Progress = NO_PROGRESS, probe: Optional[OutputProbe] = None) -> WriteReport:
    """Make OUT hold `files`, atomically; see the module docstring.
    `probe`: an `OutputProbe` of OUT started earlier."""
    _check_paths(files)
    root = _resolve(out)
    beside = _Beside.of(root)
    with _as_output_error(root):
        os.makedirs(os.path.dirname(root), exist_ok=True)
        with _exclusive(os.path.dirname(root)) as lock:
            spare = _clean_leftovers(root, beside, lock)
            manifest, stats, unvouched = _read_bookkeeping(root, probe)
            report, records = _compare(root, files, manifest, stats, unvouched)
            new_manifest = Manifest(tool_version, {path: new.digest for path, new in files.items()})
            same_manifest = new_manifest == manifest
            if report.up_to_date:
                if os.path.isdir(root):
                    if not same_manifest:
                        _write_file(os.path.join(root, _MANIFEST_TMP), manifest_bytes(new_manifest))
                        os.replace(os.path.join(root, _MANIFEST_TMP), os.path.join(root, MANIFEST_NAME))
                        if spare:  # it holds the old manifest
                            _drop_spare(beside, lock)
                    if records != stats:
                        _save_stat_cache(root, records)
                return WriteReport((), (), (), len(report.unchanged))
            try:
                records = _stage(root, beside, files, report, records, link_manifest=same_manifest, spare=spare,
                                 progress=progress)
                if not same_manifest:
                    _write_file(os.path.join(beside.staging, MANIFEST_NAME), manifest_bytes(new_manifest))
                _save_stat_cache(beside.staging, records)
                garbage = _commit(root, beside)
            except BaseException:
                shutil.rmtree(beside.staging, ignore_errors=True)
                raise
            if garbage == beside.staging:
                changed = [*report.stale, *report.missing, *report.orphaned]
                _detach(partial(_refresh_spare, root, beside, changed if same_manifest else [*changed, MANIFEST_NAME]),
                        lock)
            elif garbage:
                _detach(partial(shutil.rmtree, garbage, ignore_errors=True), lock)
            elif _renameat2 is not None and len(files) >= _SPARE_AFTER_FIRST_RUN:  # no old tree to keep: link one
                _detach(partial(_make_spare, root, beside), lock)
    return WriteReport(report.missing, report.stale, report.orphaned, len(report.unchanged))


class _Beside(NamedTuple):
    """Our trees beside OUT, all in one git-ignored folder `.<OUT>.md2models/`."""

    home: str
    staging: str  # the new OUT being built, or the spare: a mirror of OUT kept ready
    stamps: str  # what vouches for the spare
    old: str  # the old OUT, in the two-rename fallback commit
    trash: str  # a spare found stale, being deleted

    @classmethod
    def of(cls, root: str) -> _Beside:
        parent, name = os.path.split(root)
        home = os.path.join(parent, f".{name}.md2models")
        return cls(home, *(os.path.join(home, leaf) for leaf in ("staging", "spare.marshal", "old", "trash")))


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
def _exclusive(parent: str) -> Iterator[Optional[int]]:
    """Serialize runs with a lock on OUT's parent (no lock file to leave);
    yield the locked descriptor, None where there is no flock."""
    if fcntl is None:
        yield None
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _clean_leftovers(root: str, beside: _Beside, lock: Optional[int]) -> bool:
    """Undo what a killed run left: roll back a half fallback commit, delete
    the trees a killed run or job left and half-written bookkeeping files;
    delete the spare (in the background) unless it still mirrors OUT.
    Return whether it does."""
    if os.path.isdir(beside.old) and not os.path.lexists(root):
        os.rename(beside.old, root)
    for tree in (beside.old, beside.trash):
        if os.path.lexists(tree):
            shutil.rmtree(tree)
    for tmp in (os.path.join(root, _MANIFEST_TMP), os.path.join(root, _STAT_TMP), beside.stamps + ".tmp"):
        _unlink_if_there(tmp)
    if not os.path.lexists(beside.staging):
        return False
    if _is_mirror(root, beside):
        return True
    _drop_spare(beside, lock)
    return False


def _drop_spare(beside: _Beside, lock: Optional[int]) -> None:
    """Delete the spare, in the background."""
    _unlink_if_there(beside.stamps)
    os.rename(beside.staging, beside.trash)
    _detach(partial(shutil.rmtree, beside.trash, ignore_errors=True), lock)


def _unlink_if_there(path: str) -> None:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        pass


def _save_stat_cache(root: str, records: Mapping[str, StatRecord]) -> None:
    """Write the stat cache under `root` (OUT or the staging tree).  Best
    effort: without it the next run hashes every file, nothing worse."""
    cache = os.path.join(root, CACHE_DIR)
    tmp = os.path.join(root, _STAT_TMP)
    try:
        ensure_cache_dir(cache)
        _write_file(tmp, stat_cache_bytes(records))
        os.replace(tmp, os.path.join(root, STAT_CACHE))
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _stage(
    root: str,
    beside: _Beside,
    files: Mapping[str, OutputFile],
    report: CheckReport,
    records: Mapping[str, StatRecord],
    *,
    link_manifest: bool,
    spare: bool,
    progress: Progress,
) -> dict[str, StatRecord]:
    """Build the new OUT at `beside.staging` (from the `spare` there, if
    one), bar the stat cache and (unless linked) the manifest; return the
    stat records of its generated files."""
    staging = beside.staging
    writes = report.stale + report.missing
    skip = [*report.stale, *report.orphaned]
    if not link_manifest:
        skip.append(MANIFEST_NAME)
    if spare:
        os.unlink(beside.stamps)  # from here on it is no mirror: killed, the next run deletes it
        _unlink_from_spare(staging, skip, _ancestors(writes))
        cache = f"{root}/{CACHE_DIR}"
        if os.path.isdir(cache):  # the spare holds no cache folder: link OUT's, as below
            links: list[tuple[str, str, list[str]]] = []
            _mirror_folder(cache, f"{staging}/{CACHE_DIR}", CACHE_DIR + "/", _by_dir([STAT_CACHE]), {}, files, links)
            _link_all(links)
    else:
        ensure_cache_dir(beside.home)
        os.mkdir(staging)
        if os.path.isdir(root):
            os.chmod(staging, stat.S_IMODE(os.stat(root).st_mode))
            links = []
            _mirror(root, staging, "", _by_dir([*skip, STAT_CACHE]), _by_dir(_ancestors(writes)), files, links)
            _link_all(links)
    new_records = dict(records)
    new_records.update(zip(writes, _write_all(staging, writes, files, progress)))
    _wait_past(staging, max((new_records[path][2] for path in writes), default=0))
    return new_records


def _unlink_from_spare(spare: str, paths: Iterable[str], needed: set[str]) -> None:
    """Remove `paths` from the spare, then the folders that held only them
    (unless new files go there), as `_mirror` leaves them out."""
    emptied: set[str] = set()
    for path in paths:
        try:
            os.unlink(f"{spare}/{path}")
        except FileNotFoundError:
            pass
        except OSError as e:  # EISDIR, or EPERM on some systems, for a folder
            if os.path.isdir(f"{spare}/{path}"):
                raise OutputError(f"cannot write {path}: a directory is in the way") from e
            raise
        emptied.update(_ancestors([path]))
    for folder in sorted(emptied - needed, key=lambda folder: -folder.count("/")):
        if not os.listdir(f"{spare}/{folder}"):
            os.rmdir(f"{spare}/{folder}")


def _by_dir(paths: Iterable[str]) -> dict[str, set[str]]:
    """{"a/b/": {"c"}} for "a/b/c": names grouped under their parent's prefix
    (top level: ""), so the mirror checks a directory's entries with one
    set operation, not a string concatenation and lookup per file."""
    groups: dict[str, set[str]] = {}
    for path in paths:
        parent, _, name = path.rpartition("/")
        groups.setdefault(parent + "/" if parent else "", set()).add(name)
    return groups


def _ancestors(paths: Iterable[str]) -> set[str]:
    """Every directory above the paths: "a", "a/b" for "a/b/c"."""
    found: set[str] = set()
    for path in paths:
        parent = path.rpartition("/")[0]
        while parent and parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found


_NOTHING: frozenset[str] = frozenset()


def _mirror(
    src: str,
    dst: str,
    prefix: str,
    skip: Mapping[str, set[str]],
    needed: Mapping[str, set[str]],
    files: Mapping[str, OutputFile],
    links: list[tuple[str, str, list[str]]],
) -> bool:
    """Mirror the directories of the tree `src` under `dst` and add to
    `links` the (source dir, target dir, names) to hard-link, all but the
    names in `skip`.

    `needed` holds the directories the new files go in.  Drops directories
    that only held skipped files (we emptied them) and returns whether `dst`
    keeps anything."""
    subdirs: list[str] = []
    names: list[str] = []
    with os.scandir(src) as scan:
        for item in scan:
            (subdirs if item.is_dir(follow_symlinks=False) else names).append(item.name)
    kept = not (subdirs or names)  # an empty directory was made by someone: keep it
    skipped = skip.get(prefix)
    if skipped:
        names = [name for name in names if name not in skipped]
    here = needed.get(prefix, _NOTHING)
    blocked = here.intersection(names)
    if blocked:
        raise OutputError(f"cannot create directory {prefix}{min(blocked)}: a file or link is in the way")
    if names:
        links.append((src, dst, names))
        kept = True
    for name in subdirs:
        rel = prefix + name
        if rel in files:
            raise OutputError(f"cannot write {rel}: a directory is in the way")
        if _mirror_folder(f"{src}/{name}", f"{dst}/{name}", rel + "/", skip, needed, files, links, name in here):
            kept = True
    return kept


def _mirror_folder(
    src: str,
    dst: str,
    prefix: str,
    skip: Mapping[str, set[str]],
    needed: Mapping[str, set[str]],
    files: Mapping[str, OutputFile],
    links: list[tuple[str, str, list[str]]],
    keep: bool = False,
) -> bool:
    """Make the folder `dst` (with the mode of `src`) and `_mirror` into it;
    remove it again if it keeps nothing and `keep` is false."""
    os.mkdir(dst)
    os.chmod(dst, stat.S_IMODE(os.lstat(src).st_mode))
    if _mirror(src, dst, prefix, skip, needed, files, links) or keep:
        return True
    os.rmdir(dst)
    return False


def _link_all(links: Sequence[tuple[str, str, list[str]]]) -> None:
    """Hard-link every (source dir, target dir, names).  This is the cost of a
    run that changes anything: links into different directories take
    different locks, so two threads (the package's and the docs' models)
    nearly halve it; dir fds spare the kernel a path walk per link."""
    if len(links) < 2:
        for job in links:
            _link_names(*job)
        return
    with ThreadPoolExecutor(2) as pool:
        for _ in pool.map(lambda job: _link_names(*job), sorted(links, key=lambda job: -len(job[2]))):
            pass


def _link_names(src: str, dst: str, names: Sequence[str]) -> None:
    if not _LINK_AT:
        for name in names:
            os.link(f"{src}/{name}", f"{dst}/{name}", follow_symlinks=False)
        return
    src_fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY)
    try:
        dst_fd = os.open(dst, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name in names:
                os.link(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd, follow_symlinks=False)
        finally:
            os.close(dst_fd)
    finally:
        os.close(src_fd)


_LINK_AT = os.link in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


def _write_all(staging: str, paths: Sequence[str], files: Mapping[str, OutputFile],
               progress: Progress = NO_PROGRESS) -> list[StatRecord]:
    """Write the new files into staging.  One thread: creating a file is
    kernel CPU work, and threads only add lock contention to it (measured:
    37k files in 1.1 s on one thread, 2.2-2.9 s on 4-16)."""
    for folder in sorted({path.rpartition("/")[0] for path in paths} - {""}):
        try:
            os.makedirs(f"{staging}/{folder}", exist_ok=True)
        except (FileExistsError, NotADirectoryError) as e:  # only a spare can hold one: `_mirror` checks
            parts = folder.split("/")
            shallow_first = ("/".join(parts[:n]) for n in range(1, len(parts) + 1))
            blocked = next(p for p in shallow_first if not os.path.isdir(f"{staging}/{p}"))
            raise OutputError(f"cannot create directory {blocked}: a file or link is in the way") from e
    written = progress.counter()
    progress.show("writing", len(paths), written)
    return [_write_new(staging, path, files[path], written) for path in paths]


def _write_new(staging: str, path: str, new: OutputFile, written: Counter) -> StatRecord:
    data = new.load()
    digest = hashlib.sha256(data).hexdigest()
    if digest != new.digest:  # the manifest must never record a wrong digest
        raise ValueError(f"{path}: loaded bytes do not match the digest {new.digest}")
    st = _write_file(os.path.join(staging, path), data)
    written.add()
    return (digest, st.st_size, st.st_mtime_ns)


def _write_file(path: str, data: bytes) -> os.stat_result:
    """Create `path` holding `data`; its stat.  O_EXCL: never open an
    existing file, which in staging may be a hard link shared with OUT: we
    only ever write fresh inodes.  (os.open: half the system calls of open().)"""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


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


def _commit(root: str, beside: _Beside) -> Optional[str]:
    """Put the staging tree in place of `root` atomically; return where the
    old tree now is, if there was one."""
    try:
        if not os.path.lexists(root):
            os.rename(beside.staging, root)
            return None
        if _exchange(beside.staging, root):
            return beside.staging
        os.rename(root, beside.old)
        try:
            os.rename(beside.staging, root)
        except BaseException:
            os.rename(beside.old, root)
            raise
        return beside.old
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


# --- the spare: keeping the old tree as the next staging tree ---------------

_STAMPS_FORMAT = 1


def _refresh_spare(root: str, beside: _Beside, changed: Sequence[str]) -> None:
    """Make the old tree at `beside.staging` a mirror of OUT again (it
    differs by the `changed` paths and the cache folder) and record the
    stamps that vouch for it; on any surprise delete it instead."""
    spare = beside.staging
    try:
        shutil.rmtree(f"{spare}/{CACHE_DIR}", ignore_errors=True)
        for path in changed:
            _unlink_if_there(f"{spare}/{path}")
        touched = {""} | _ancestors(changed)
        for folder in sorted(touched, key=lambda folder: -folder.count("/")):
            if folder and os.path.isdir(f"{spare}/{folder}") and not os.path.isdir(f"{root}/{folder}"):
                os.rmdir(f"{spare}/{folder}")
        for path in changed:
            if os.path.lexists(f"{root}/{path}"):
                _make_folders_like(root, spare, path.rpartition("/")[0])
                os.link(f"{root}/{path}", f"{spare}/{path}", follow_symlinks=False)
        for folder in touched:
            if os.path.isdir(f"{root}/{folder}") and _entries(root, folder) != _entries(spare, folder):
                raise OSError(f"{folder}: the spare does not mirror OUT")
        _vouch(root, beside)
    except OSError:
        _unlink_if_there(beside.stamps)
        shutil.rmtree(spare, ignore_errors=True)


def _make_spare(root: str, beside: _Beside) -> None:
    """Link a spare mirror of OUT, which a first run made from scratch."""
    try:
        links: list[tuple[str, str, list[str]]] = []
        _mirror_folder(root, beside.staging, "", {}, {}, {}, links, keep=True)
        _link_all(links)
        shutil.rmtree(f"{beside.staging}/{CACHE_DIR}", ignore_errors=True)
        _vouch(root, beside)
    except OSError:
        _unlink_if_there(beside.stamps)
        shutil.rmtree(beside.staging, ignore_errors=True)


def _vouch(root: str, beside: _Beside) -> None:
    """Record the stamps of both trees, once the clock has passed them."""
    stamps = [(folder, _stamp(f"{root}/{folder}"), _stamp(f"{beside.staging}/{folder}")) for folder in _folders(root)]
    _wait_past(beside.home, max(max(a[-2:] + b[-2:]) for _, a, b in stamps))
    _write_file(beside.stamps + ".tmp", marshal.dumps({"format": _STAMPS_FORMAT, "folders": stamps}))
    os.replace(beside.stamps + ".tmp", beside.stamps)


def _is_mirror(root: str, beside: _Beside) -> bool:
    """Whether the stamps vouch for the spare: no folder of either tree
    changed since they were recorded."""
    try:
        with open(beside.stamps, "rb") as f:
            data = marshal.loads(f.read())
        if type(data) is not dict or data.get("format") != _STAMPS_FORMAT or not data["folders"]:
            return False
        return all(_stamp(f"{root}/{folder}") == of_out and _stamp(f"{beside.staging}/{folder}") == of_spare
                   for folder, of_out, of_spare in data["folders"])
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return False


def _stamp(folder: str) -> tuple[int, ...]:
    """What changes whenever an entry of the folder is added, removed or
    renamed (mtime, and ctime, which no one can set back), or the folder
    itself is replaced or changes mode."""
    st = os.lstat(folder)
    return (st.st_dev, st.st_ino, st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns)


def _folders(root: str) -> list[str]:
    """Every folder under OUT ("" for OUT itself, "a/b" below), bar the cache."""
    found, todo = [], [""]
    while todo:
        folder = todo.pop()
        found.append(folder)
        with os.scandir(f"{root}/{folder}") as scan:
            for item in scan:
                if item.is_dir(follow_symlinks=False) and (folder or item.name != CACHE_DIR):
                    todo.append(f"{folder}/{item.name}" if folder else item.name)
    return sorted(found)


def _entries(root: str, folder: str) -> list[str]:
    names = os.listdir(f"{root}/{folder}")
    return sorted(name for name in names if folder or name != CACHE_DIR)


def _make_folders_like(root: str, spare: str, folder: str) -> None:
    """Create `folder` and its missing parents in the spare, with OUT's modes."""
    if not folder or os.path.isdir(f"{spare}/{folder}"):
        return
    _make_folders_like(root, spare, folder.rpartition("/")[0])
    os.mkdir(f"{spare}/{folder}")
    os.chmod(f"{spare}/{folder}", stat.S_IMODE(os.lstat(f"{root}/{folder}").st_mode))


# --- working in the background ----------------------------------------------

_can_fork = hasattr(os, "fork")


def _detach(job: Callable[[], object], lock: Optional[int]) -> None:
    """Run `job` (deleting or refreshing a tree as big as OUT, which must
    not raise) without making the caller wait for it.

    A detached grandchild runs it, holding its copy of the run lock `lock`
    until done: the next run on this OUT waits for it rather than working on
    the same tree alongside it, and a job killed half-way leaves its tree to
    the next run's cleanup.  It touches nothing of OUT bar its cache folder.
    Without fork or a lock, run it here."""
    if lock is None or not _can_fork:
        job()
        return
    try:
        pid = os.fork()
    except OSError:
        job()
        return
    if pid == 0:
        _run_detached(job, lock)
    try:
        os.waitpid(pid, 0)  # the middle process exits at once
    except ChildProcessError:  # SIGCHLD ignored by the caller: already reaped
        pass


def _run_detached(job: Callable[[], object], lock: int) -> NoReturn:
    """In the forked child: fork again and exit, so the worker is adopted by
    init and never becomes the caller's zombie; the worker leaves the
    caller's session, so a Ctrl-C or hangup meant for the CLI spares it."""
    try:
        os.setsid()
        if os.fork() == 0:
            # Hold no descriptor but the lock: a caller reading the CLI's
            # output to EOF (CI, subprocess.run) must not wait for us.
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            for fd in _open_fds():
                if fd > 2 and fd != lock:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            job()
    except BaseException:
        pass
    finally:
        # Never return into the caller's code (it would run twice), nor run
        # its exit handlers or flush its buffered output.
        os._exit(0)


def _open_fds() -> list[int]:
    """The descriptors open in this process.  Listed, not closerange'd up to
    SC_OPEN_MAX: without the close_range call that is a close per possible
    descriptor, and the limit can be a billion."""
    for listing in ("/proc/self/fd", "/dev/fd"):
        try:
            return [int(name) for name in os.listdir(listing)]
        except (OSError, ValueError):
            pass
    return list(range(1024))


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
