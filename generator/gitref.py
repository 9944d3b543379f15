"""A spec folder as it is at a git revision, for `md2models diff --base`."""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .config import ConfigError


@contextmanager
def git_tree(ref: str, specs: Path) -> Iterator[Path]:
    """The folder `specs` as it is at git `ref` of its repository, extracted
    (`git archive`) into a temporary folder that is removed afterwards; the
    work tree is never touched."""
    where = specs if specs.is_dir() else specs.parent
    top = _git(where, "rev-parse", "--show-toplevel").decode().strip()
    try:
        rel = specs.resolve().relative_to(Path(top).resolve()).as_posix() or "."
    except ValueError:
        raise ConfigError(f"{specs} is not inside the git repository {top}") from None
    _git(Path(top), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=f"unknown git revision {ref!r}")
    with tempfile.TemporaryDirectory(prefix="md2models-diff-") as temp:
        with subprocess.Popen(["git", "-C", top, "archive", "--format=tar", ref, "--", rel],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            unpacked = ""
            try:
                with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                    archive.extractall(temp, filter="data")  # nothing lands outside `temp`
            except tarfile.TarError as exc:  # no archive (git says why), or a member refused
                unpacked = str(exc)
                proc.stdout.read()
            error = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        if proc.returncode:
            raise ConfigError(f"{rel} is not in {ref}" if "did not match" in error else f"git archive: {error}")
        if unpacked:
            raise ConfigError(f"cannot unpack {rel} at {ref}: {unpacked}")
        if not (Path(temp) / rel).is_dir():
            raise ConfigError(f"{rel} is not a folder in {ref}")
        yield Path(temp) / rel


def _git(where: Path, *args: str, what: str = "") -> bytes:
    try:
        proc = subprocess.run(["git", "-C", str(where), *args], capture_output=True)
    except OSError as exc:
        raise ConfigError(f"cannot run git: {exc}") from None
    if proc.returncode:
        raise ConfigError(what or f"git {args[0]}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout
