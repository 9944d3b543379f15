"""What the last run generated: the committed manifest and the stat cache,
and where they live (`Bookkeeping`).

The manifest (`OUT/.md2models-manifest.json` in the default layout,
`STATE/manifest.json` with a state dir) maps each generated path to its
sha256 and each doc to the key of the inputs its outputs were rendered from
(see `build.py`: the doc, what its module reads of other docs, and
everything global: md2models' code, templates, overrides, options), the
package's own files (`__init__`s, runtime) likewise under `PACKAGE_INPUTS`,
each doc to the digest of its bytes (with one salt for all: everything
global and where the files go), plus the format and the tool version.
Users commit it with the output, so it holds nothing that changes unless
the generated files or their inputs do (no sizes, no mtimes) and is
byte-for-byte deterministic: one line per file and two per doc, sorted,
so a one-doc change changes a few lines.  A `check` on a fresh clone (no
cache) whose docs all are as recorded, under the same salt, only compares
the files (`quickcheck`); otherwise it re-renders the docs whose inputs
key changed.  The digests are always compared with the files on disk.

`stat.marshal` in the cache folder (`OUT/.md2models-cache/` or
`STATE/cache/`; never committed: the folder ignores itself) maps each
generated path to (sha256, size, mtime_ns) as last seen, so a run can trust
a file's digest without reading it.  It is only a cache: missing or
damaged, it reads as empty and every file is hashed.  See `write.py` for
when a record is trusted.
"""

from __future__ import annotations

import json
import marshal
import os
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

MANIFEST_NAME = ".md2models-manifest.json"
# 4: path -> sha256, doc path -> inputs key, doc path -> its sha256 and
# their salt.  3 (still read) had no doc digests; 2 (still read) no inputs
# either; 1 (still read) also held size and mtime_ns per file, which
# changed whenever a file was touched or checked out.
MANIFEST_FORMAT = 4

# The inputs entry of the package's own files: no doc path (those end in .md).
PACKAGE_INPUTS = "(package)"
# The build stage keeps its own state here too.
CACHE_DIR = ".md2models-cache"
CACHE_GITIGNORE = b"# Created by md2models: a cache, never commit it.\n*\n"


def ensure_cache_dir(cache: str) -> None:
    """Create the cache directory with the `.gitignore` that keeps it out of
    git; a `.gitignore` already there (or edited by the user) stays."""
    os.makedirs(cache, exist_ok=True)
    try:
        with open(os.path.join(cache, ".gitignore"), "xb") as file:
            file.write(CACHE_GITIGNORE)
    except FileExistsError:
        pass


def store_marshal(path: str, state: dict[str, Any]) -> None:
    """A cache file, replaced atomically (a temp name per process: runs may race)."""
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "wb") as file:
        file.write(marshal.dumps(state))
    os.replace(temp, path)


# A state dir (`state_dir`) holds the manifest and, git-ignored, the cache.
STATE_MANIFEST = "manifest.json"
STATE_CACHE = "cache"

# In the cache folder: the stat records, the journal of a run under way,
# and the sha256 of the manifest the last run wrote (`manifest_bytes`).
STAT_FILE = "stat.marshal"
JOURNAL_FILE = "journal.marshal"
MANIFEST_DIGEST_FILE = "manifest.sha256"
_STAT_FORMAT = 1


@dataclass(frozen=True)
class Bookkeeping:
    """Where a run keeps its own files: the committed manifest and the cache
    folder (stat records, journal, run lock, the build's and black's state).
    `retired`: a folder holding the bookkeeping of the default layout
    (`OUT/.md2models-manifest.json` and `OUT/.md2models-cache/`), left by
    runs before `state_dir` was set: its manifest's files count as generated
    (so those no longer produced are orphans), and the next generate removes it."""

    manifest: Path
    cache: Path
    retired: Optional[Path] = None

    @classmethod
    def in_output(cls, out: Path) -> Bookkeeping:
        """The default layout: both in OUT."""
        return cls(out / MANIFEST_NAME, out / CACHE_DIR)

    @classmethod
    def in_state_dir(cls, state: Path, out: Path) -> Bookkeeping:
        return cls(state / STATE_MANIFEST, state / STATE_CACHE, retired=out)

# (sha256 hex, size, mtime_ns): a plain tuple, which marshal stores and loads fast.
StatRecord = tuple[str, int, int]


class OutputError(Exception):
    """An I/O problem with the output directory, worded for the user."""


@dataclass(frozen=True)
class Manifest:
    tool_version: str
    files: Mapping[str, str]  # path -> sha256 hex
    format: int = MANIFEST_FORMAT
    # doc path (spec-root-relative) -> key of what its outputs were rendered from; PACKAGE_INPUTS -> that of
    # the package's own files
    inputs: Mapping[str, str] = field(default_factory=dict)
    # doc path -> its bytes' sha256 (32 hex digits), and what they were recorded under (`build.docs_salt`):
    # with the same salt and every doc as recorded, `check` needs only compare the files (see `quickcheck`);
    # none when the run had warnings
    docs: Mapping[str, str] = field(default_factory=dict)
    docs_salt: str = ""
    raw: bytes = field(default=b"", compare=False, repr=False)  # the file's bytes, as read


# Format 0: equal to no manifest a run makes, so an absent one is always written.
EMPTY = Manifest(tool_version="", files={}, format=0)


# The ending of our temporary files (see `write._tmp_name`).
TMP_SUFFIX = ".md2models-tmp"

# An empty, "." or ".." component, a backslash, our own names at the top, or a temporary file's name.
_BAD_PATH = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|\\|^\.md2models-|\.md2models-tmp$")


def check_relpaths(paths: Iterable[str]) -> None:
    """Reject paths that could escape OUT or clash with our own files."""
    for path in paths:
        # A cheap screen first (74k paths a run): a bad path has one of these.
        if ((not path or path[0] in "/." or path[-1] in "/p" or "//" in path or "/." in path or "\\" in path)
                and _BAD_PATH.search(path)):
            raise ValueError(f"not a valid output path: {path!r}")


def read_manifest(path: str) -> Manifest:
    """The manifest at `path`, or EMPTY when there is none."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        data = json.loads(raw)
    except FileNotFoundError:
        return EMPTY
    except OSError as e:
        raise OutputError(f"cannot read {path}: {e.strerror}") from e
    except ValueError as e:
        raise OutputError(f"{path} is not valid JSON; delete it and run `md2models generate`") from e
    try:
        version = data["format"]
        if version not in (1, 2, 3, MANIFEST_FORMAT):
            raise OutputError(f"{path} has format {version!r}; this md2models reads {MANIFEST_FORMAT}")
        files = _manifest_files(data["files"], version)
        inputs = _strings(data["inputs"], "key") if version >= 3 else {}
        docs = _strings(data["docs"], "digest") if version >= 4 else {}
        return Manifest(tool_version=str(data["tool_version"]), files=files, format=version, inputs=inputs,
                        docs=docs, docs_salt=str(data.get("docs_salt", "")), raw=raw)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise OutputError(f"{path} is malformed ({e}); delete it and run `md2models generate`") from e


def _manifest_files(files: Any, version: int) -> dict[str, str]:
    if version == 1:
        files = {name: entry["sha256"] for name, entry in files.items()}
    check_relpaths(files)  # a tampered manifest must not name paths outside OUT
    return _strings(files, "digest")


def _strings(values: Any, what: str) -> dict[str, str]:
    """A JSON object of strings, as a dict (the keys are strings in JSON)."""
    if not set(map(type, values.values())) <= {str}:
        name = next(name for name, value in values.items() if type(value) is not str)
        raise TypeError(f"the {what} of {name!r} is not a string")
    return dict(values)


def manifest_bytes(manifest: Manifest, previous: Optional[Manifest] = None) -> bytes:
    """Deterministic JSON: sorted keys, one line per file and per doc.
    `previous`: a manifest whose `raw` bytes are its own `manifest_bytes`
    (the caller knows it by their digest): where `manifest` differs from
    it in a few values only, those are replaced in its bytes (building the
    text of 37k files costs a tenth of a one-edit run)."""
    patched = _patched(previous, manifest) if previous is not None else None
    if patched is not None:
        return patched
    text = (f' "docs": {_object_lines(manifest.docs)},\n "docs_salt": {json.dumps(manifest.docs_salt)},\n'
            f' "files": {_object_lines(manifest.files)},\n "format": {MANIFEST_FORMAT},\n'
            f' "inputs": {_object_lines(manifest.inputs)},\n "tool_version": {json.dumps(manifest.tool_version)}\n')
    return ("{\n" + text + "}\n").encode()


# Past this many changed values, building the text is cheaper than finding them.
_PATCH_LIMIT = 64


def _patched(old: Manifest, new: Manifest) -> Optional[bytes]:
    """`manifest_bytes(new)` from `old.raw`, when `new` differs from `old`
    in at most `_PATCH_LIMIT` values, each as long as the one it replaces
    (digests are); else None."""
    if not old.raw or (old.format, old.tool_version, old.docs_salt) != (MANIFEST_FORMAT, new.tool_version,
                                                                       new.docs_salt):
        return None
    text = bytearray(old.raw)
    changes = 0
    for name, before, after in (("docs", old.docs, new.docs), ("files", old.files, new.files),
                                ("inputs", old.inputs, new.inputs)):
        if before.keys() != after.keys():
            return None
        changed = after.items() - before.items()
        changes += len(changed)
        if changes > _PATCH_LIMIT:
            return None
        start = text.find(f'\n "{name}": {{'.encode())
        end = text.find(b"\n }", start)
        for key, value in changed:
            line = f'\n  {encode_basestring_ascii(key)}: "'.encode()
            at = text.find(line, start, end) + len(line)
            if at < len(line) or len(value) != len(before[key]) or text[at : at + len(value)] != before[key].encode():
                return None
            text[at : at + len(value)] = value.encode()
    return bytes(text)


def _object_lines(values: Mapping[str, str]) -> str:
    """A JSON object of strings, one sorted entry a line (the values need no escaping: hex digests)."""
    # encode_basestring_ascii is what json.dumps(str) calls, minus ~1 us of
    # overhead per call that shows at 37k files.
    lines = [f'  {encode_basestring_ascii(name)}: "{value}"' for name, value in sorted(values.items())]
    return "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"


def read_stat_cache(cache: str) -> dict[str, StatRecord]:
    """The stat records in the cache folder `cache`; empty when missing or damaged."""
    try:
        with open(os.path.join(cache, STAT_FILE), "rb") as f:
            data = marshal.loads(f.read())
        files = data["files"] if type(data) is dict and data.get("format") == _STAT_FORMAT else None
        # marshal yields only builtin types, whose == never raises: checking
        # the shape is enough to make every later comparison safe.
        if type(files) is dict and set(map(type, files.values())) <= {tuple} and set(map(len, files.values())) <= {3}:
            return files
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        pass
    return {}


def stat_cache_bytes(records: Mapping[str, StatRecord]) -> bytes:
    return marshal.dumps({"format": _STAT_FORMAT, "files": dict(records)})
