"""Spec discovery: which folder the docs' paths are relative to (the spec
root), and which docs make the spec.

The first stage of every command: discovery -> build (parse -> resolve ->
render) -> write.  SPECS may be the folder holding `models/` (an SDK's
`docs/`), `models/` itself, an SDK's repository, or one doc; whichever, a
doc's path is `models/x.md` below the same root, so the package, its imports
and OUT/docs come out the same.  For one doc, the spec is that doc and every
doc its references reach: following them reads each doc of that closure's
links, with the parse stage's own functions (the build then parses the
closure as it parses any spec).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Sequence

from . import naming
from .diagnostics import Diagnostic, SpecError
from .parse import parse_bytes, read_doc, spec_paths
from .resolve import link_path, spec_root_names, summarize


class SpecDocs(NamedTuple):
    """The docs of a spec."""

    root: Path  # the spec root: what the paths are relative to
    paths: list[str]  # the docs, spec-root-relative, sorted
    skipped: list[str]  # the docs the exclude globs leave out


def spec_root(specs: Path) -> Path:
    """The folder the docs' paths are relative to: SPECS, or its parent when
    SPECS is a folder named `models` (the folder that holds the model docs,
    as the docs' own links `../models/x.md` name it).  Either way a doc is
    `models/x.md`: the package, its imports and OUT/docs are the same.
    SPECS may be one doc: then the folder above its `models` folder
    (`models/x.md`, `models/components/x.md`), or else its own folder."""
    if specs.is_file():
        folders = specs.resolve().parents[:2]  # the doc's folder, and the one above
        up = next((n + 1 for n, folder in enumerate(folders) if folder.name == "models"), 0)
        return Path(os.path.normpath(specs.parent / "/".join([".."] * up))) if up else specs.parent
    if specs.name == "models":
        return specs.parent
    if Path(specs).resolve().name == "models":
        return specs / ".."
    if not (specs / "models").is_dir() and (specs / "docs" / "models").is_dir():  # an SDK's repository
        return specs / "docs"
    return specs


def find_docs(specs: Path, exclude: Sequence[str]) -> SpecDocs:
    """The spec root, the doc paths below it and the excluded ones; an error
    when there is no doc at all.  SPECS may be one doc: then it and the docs
    its links reach."""
    root = spec_root(specs)
    if specs.is_file():
        start = Path(os.path.relpath(specs, root)).as_posix()
        if not start.endswith(".md"):
            raise SpecError([Diagnostic(start, 1, 1, "error", "not a model doc (*.md)", "not-a-doc")])
        return SpecDocs(root, _linked_docs(root, start, exclude), [])
    where = "." if root == specs else "models"
    if not specs.is_dir():
        nearby = next((f" such as {folder}" for folder in ("docs", "specs") if (specs.parent / folder / "models").is_dir()
                       and specs.parent / folder != specs), "")
        raise SpecError([Diagnostic(where, 1, 1, "error", f"spec folder does not exist or is not a folder (give SPECS"
                                    f"{nearby}, or `specs` under [tool.md2models] in pyproject.toml)",
                                    "no-spec-folder")])
    paths, skipped = _all_docs(root, exclude)
    if not paths:
        raise SpecError([Diagnostic(where, 1, 1, "error", "no model docs (*.md) in the spec folder", "no-docs")])
    return SpecDocs(root, paths, skipped)


def _all_docs(root: Path, exclude: Sequence[str]) -> tuple[list[str], list[str]]:
    """(doc paths, excluded paths) of the spec root.  Model docs live in
    models/ where there is one: an SDK's docs/ also holds its operations'
    pages (sdks/)."""
    models = root / "models"
    return spec_paths(models, exclude, "models/") if models.is_dir() else spec_paths(root, exclude)


def _linked_docs(root: Path, start: str, exclude: Sequence[str]) -> list[str]:
    """`start` and every doc its references reach, transitively (spec-root-
    relative, sorted).  A link is followed to its target; a reference
    without one (a union's member) to the doc named after it in its
    namespace's folder, as Speakeasy names docs (`models.Pet`: `pet.md`).
    A doc that does not parse refers to nothing: the build reports it."""
    listed = _all_docs(root, exclude)[0]
    by_name = {(naming.namespace_of(path), naming.doc_model_name(path)): path
               for path in reversed(listed)}  # the first by path wins
    names, known = spec_root_names(str(root)), set(listed)
    found, todo = {start}, [start]
    while todo:
        rel = todo.pop()
        data = read_doc(root, rel)[0]
        model = parse_bytes(data, rel)[0] if data is not None else None
        for link in summarize(model).links if model is not None else ():
            path = (link_path(rel, link.target, names) if link.target
                    else by_name.get((link.namespace, link.name.lower())))
            if path in known and path not in found:
                found.add(path)
                todo.append(path)
    return sorted(found)
