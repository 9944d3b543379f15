"""A fresh clone's `check` when every doc is the one the committed manifest
records: then only the files need comparing.

The output is a function of the docs' bytes and of what `build.inputs_base`
and the layout's placement name.  The manifest records each doc's digest
and, once, the salt they were recorded under (both, `build.docs_salt`),
written only by a run without warnings.  So when the salt is today's and
the spec has exactly the recorded docs, each with its recorded digest, the
files the manifest records are what the docs generate, and `check` hashes
the docs, then the files (in worker processes), and compares the files,
parsing nothing.  This is the usual CI case: a commit that changes docs
commits their output too.  Anything else (a doc changed, added or removed,
another option, a file that differs) is left to the full check, which
renders what it must to show the differences; it gets the records of the
files hashed here, if any, so as not to hash them again.
"""

from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple, Optional, Sequence

from .manifest import Bookkeeping, Manifest, StatRecord
from .workers import PARALLEL_THRESHOLD, worker_pool
from .write import CheckReport, OutputFile, check_output, hash_files, to_hash


class Quick(NamedTuple):
    report: Optional[CheckReport]  # OUT is up to date; None: the full check must tell
    files: Mapping[str, OutputFile]  # with the report: the output, as recorded (and on disk)
    hashed: dict[str, StatRecord]  # OUT's files hashed on the way, by full path


def unchanged(specs: Path, paths: Sequence[str], manifest: Manifest, salt: str, out: Path, keep: Bookkeeping,
              jobs: int = 0) -> Quick:
    """Whether `manifest` recorded the docs under `salt` and they are those
    at `paths` below `specs`, and every file of OUT is as recorded (see
    `Quick`).  The docs are hashed first: when one differs, the files are
    left to the full check, which hashes them while it parses."""
    docs = manifest.docs
    if manifest.docs_salt != salt or len(docs) != len(paths) or not all(rel in docs for rel in paths):
        return Quick(None, {}, {})
    spec_root = os.path.realpath(specs)
    with _hashing(len(paths), jobs) as hash_files_at:
        found = hash_files_at([f"{spec_root}/{rel}" for rel in paths])
        for rel in paths:
            record = found.get(f"{spec_root}/{rel}")
            if record is None or record[0][:32] != docs[rel]:
                return Quick(None, {}, {})
        outputs = hash_files_at(to_hash(out, manifest, keep))
    prefix = f"{os.path.realpath(out)}/"
    files = {path: OutputFile(digest, partial(_on_disk, f"{prefix}{path}")) for path, digest in manifest.files.items()}
    hashed = {path[len(prefix):]: record for path, record in outputs.items() if path.startswith(prefix)}
    report = check_output(out, files, keep, hashed=hashed, manifest=manifest)
    return Quick(report, files, outputs) if report.up_to_date else Quick(None, {}, outputs)


def _on_disk(full: str) -> bytes:
    """An output file's bytes: those generated, once the report says it is up to date."""
    with open(full, "rb") as file:
        return file.read()


@contextmanager
def _hashing(work: int, jobs: int) -> Iterator[Callable[[list[str]], dict[str, StatRecord]]]:
    """`write.hash_files`, spread over worker processes when there is much to hash."""
    count = jobs or os.cpu_count() or 1
    if count < 2 or work < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        yield hash_files
        return
    with worker_pool(count) as pool:
        def spread(paths: list[str]) -> dict[str, StatRecord]:
            found: dict[str, StatRecord] = {}
            for part in pool.imap_unordered(hash_files, [paths[n :: count * 4] for n in range(count * 4)]):
                found.update(part)
            return found

        yield spread
