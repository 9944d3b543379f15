"""The manifest: which files under OUT the last run generated, as they were.

`OUT/.md2models-manifest.json` maps each generated path to its sha256, size
and mtime_ns.  The digest says what the file held when written; (size,
mtime_ns) let the next run trust that digest without reading the file.
One line per file, sorted, so the JSON is byte-for-byte deterministic.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Mapping, NamedTuple

MANIFEST_NAME = ".md2models-manifest.json"
MANIFEST_FORMAT = 1


class OutputError(Exception):
    """An I/O problem with the output directory, worded for the user."""


class Entry(NamedTuple):
    """One generated file as last written (a tuple: 37k of them load fast)."""

    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Manifest:
    tool_version: str
    files: Mapping[str, Entry]


EMPTY = Manifest(tool_version="", files={})


# An empty, "." or ".." component, a backslash, or our own files at the top.
_BAD_PATH = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|\\|^" + re.escape(MANIFEST_NAME))


def check_relpath(path: str) -> None:
    """Reject paths that could escape OUT or clash with our own files."""
    # Cheap screen first (37k paths per run): a bad path has one of these.
    suspect = not path or path[0] in "/." or path[-1] == "/" or "//" in path or "/." in path or "\\" in path
    if suspect and _BAD_PATH.search(path):
        raise ValueError(f"not a valid output path: {path!r}")


def read_manifest(out: str) -> Manifest:
    """The manifest under `out`, or an empty one when there is none."""
    path = os.path.join(out, MANIFEST_NAME)
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except FileNotFoundError:
        return EMPTY
    except OSError as e:
        raise OutputError(f"cannot read {path}: {e.strerror}") from e
    except ValueError as e:
        raise OutputError(f"{path} is not valid JSON; delete it and run `md2models generate`") from e
    try:
        if data["format"] != MANIFEST_FORMAT:
            raise OutputError(f"{path} has format {data['format']!r}; this md2models reads {MANIFEST_FORMAT}")
        files = {name: Entry(e["sha256"], e["size"], e["mtime_ns"]) for name, e in data["files"].items()}
        for name in files:
            check_relpath(name)
        return Manifest(tool_version=data["tool_version"], files=files)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise OutputError(f"{path} is malformed ({e}); delete it and run `md2models generate`") from e


def manifest_bytes(manifest: Manifest) -> bytes:
    """Deterministic JSON: sorted keys, one line per file."""
    lines = [
        f"  {json.dumps(name)}: {json.dumps(entry._asdict(), sort_keys=True)}"
        for name, entry in sorted(manifest.files.items())
    ]
    files = "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"
    text = f' "files": {files},\n "format": {MANIFEST_FORMAT},\n "tool_version": {json.dumps(manifest.tool_version)}\n'
    return ("{\n" + text + "}\n").encode()
