"""`--format black` (config `format`): black run in-process on every
rendered `.py` file before it is compared and written, so custom templates
need not lay code out as black does.  Off by default: the built-in
templates are black-stable by construction (`pylayout`), and black is
imported only when a file has to be formatted.

What black made of each rendered file is remembered by digest in
`black.marshal` in the cache folder ({digest rendered: digest formatted}),
keyed by the installed black (its module file's path, size and mtime), so a
run formats only the files whose rendering changed (the digests of the
last run's files only are kept); a file whose formatted
bytes are needed again (to write it, or for `check`'s diff) is formatted
again then.  Black's defaults apply (line length 88), whatever `[tool.black]`
says, so the output does not depend on where md2models runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import multiprocessing
import os
from functools import partial
from pathlib import Path
from typing import AbstractSet, Mapping, Optional, Sequence

from .workers import worker_pool
from .config import FORMATS, ConfigError
from .manifest import ensure_cache_dir, store_marshal
from .write import OutputFile

__all__ = ["FORMATS", "Formatted", "format_files", "identity"]

CACHE_FILE = "black.marshal"
# Below this many files to format, worker processes cost more than they save.
PARALLEL_THRESHOLD = 64


class Formatted:
    """The files as formatted, and what to remember of it (`save`, after a write)."""

    def __init__(self, files: dict[str, OutputFile], cache: Optional[Path], key: str, known: dict[str, str],
                 dirty: bool):
        self.files, self.cache, self.key, self.known, self.dirty = files, cache, key, known, dirty

    def save(self) -> None:
        """Store the digests formatted this run; a cache, so I/O errors pass."""
        if self.cache is None or not self.dirty:
            return
        try:
            ensure_cache_dir(str(self.cache))
            store_marshal(str(self.cache / CACHE_FILE), {"key": self.key, "digests": self.known})
        except OSError:
            pass


def format_files(files: Mapping[str, OutputFile], how: str, cache: Optional[Path], jobs: int = 0,
                 final: AbstractSet[str] = frozenset()) -> Formatted:
    """`files` with every `.py` file formatted as `how` says (one of FORMATS).
    `final`: paths whose digest is already that of the formatted file (the
    committed manifest's); only their bytes, if loaded, are formatted."""
    if how not in FORMATS:
        raise ConfigError(f"unknown format {how!r} (one of: {', '.join(FORMATS)})")
    if how == "none":
        return Formatted(dict(files), None, "", {}, False)
    key = _black_key()
    known = _load(cache, key)
    todo = [path for path, file in files.items()
            if path.endswith(".py") and path not in final and file.digest not in known]
    formatted = dict(zip(todo, _format_all([files[path].load() for path in todo], todo, jobs)))
    result = dict(files)
    for path, file in files.items():
        if path in final and path.endswith(".py"):
            result[path] = OutputFile(file.digest, partial(_reformat, file, path))
        elif path in formatted:
            data = formatted[path]
            digest = hashlib.sha256(data).hexdigest()
            known[file.digest] = digest
            result[path] = OutputFile.of(data, digest)
        elif path.endswith(".py"):
            result[path] = OutputFile(known[file.digest], partial(_reformat, file, path))
    # Only this run's files are remembered, so the cache does not grow with every edit.
    kept = {file.digest: known[file.digest] for path, file in files.items()
            if path.endswith(".py") and path not in final}
    return Formatted(result, cache, key, kept, bool(todo) or len(kept) != len(known))


def identity(how: str) -> str:
    """The formatter as the manifest's inputs keys name it: "none", or black
    and its version (the same on every machine, unlike `_black_key`)."""
    if how == "none":
        return how
    _black_key()  # the error when black is missing
    from importlib.metadata import version  # here: its import costs every run 14 ms (email, zipfile, csv)

    return f"{how} {version('black')}"


def _black_key() -> str:
    """What identifies the installed black, found without importing it."""
    spec = importlib.util.find_spec("black")
    if spec is None or spec.origin is None:
        raise ConfigError("format = black needs black installed (pip install black)")
    st = os.stat(spec.origin)
    return f"{spec.origin}\0{st.st_size}\0{st.st_mtime_ns}"


def _load(cache: Optional[Path], key: str) -> dict[str, str]:
    if cache is None:
        return {}
    try:
        data = marshal.loads((cache / CACHE_FILE).read_bytes())
        if type(data) is dict and data.get("key") == key and type(data.get("digests")) is dict:
            return dict(data["digests"])
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return {}


def _format_all(sources: Sequence[bytes], paths: Sequence[str], jobs: int) -> list[bytes]:
    count = jobs or os.cpu_count() or 1
    fork = "fork" in multiprocessing.get_all_start_methods()
    if not fork or count < 2 or len(sources) < PARALLEL_THRESHOLD:
        return [_black(source, path) for source, path in zip(sources, paths)]
    import black  # noqa: F401  # once, before the fork, not once per worker

    with worker_pool(count) as pool:
        return pool.starmap(_black, zip(sources, paths), chunksize=max(1, len(sources) // (count * 8)))


def _reformat(file: OutputFile, path: str) -> bytes:
    return _black(file.load(), path)


def _black(source: bytes, path: str) -> bytes:
    import black

    try:
        return black.format_str(source.decode("utf-8"), mode=black.Mode()).encode("utf-8")
    except Exception as exc:  # black.InvalidInput: a custom template that renders no valid Python
        raise ConfigError(f"{path}: black cannot format the rendered file: {exc}") from None
