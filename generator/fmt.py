"""`md2models fmt`: model docs rewritten in place, in the canonical form.

The canonical form of a doc is what `generate` writes to OUT/docs: the doc
parsed into the IR and rendered back by `docrender.render_doc`, the one
renderer.  The new text is parsed again and must mean what the old one did
(the IR, positions aside); a doc that would not is a bug of ours
(`MeaningChanged`) and nothing is written.

    format_text(text, relpath) -> the canonical text of one doc (editors call this)
    format_docs(specs, ...)    -> FormatReport: which docs change, written or not
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Sequence

from .diagnostics import Diagnostic, SpecError
from .discovery import find_docs, spec_root
from .docrender import render_doc
from .ir import AnyModel, to_jsonable
from .parse import DEFAULT_EXCLUDE, exclude_matcher, decode, parse_doc, read_doc
from .write import replace_atomically

__all__ = ["FormatReport", "MeaningChanged", "Reformatted", "format_docs", "format_text"]


class MeaningChanged(Exception):
    """The canonical text of a doc parses into another IR: a bug of ours, never written."""


def format_text(text: str, relpath: str) -> str:
    """The canonical text of one doc, given its text and its path relative
    to the spec root (its folder names its namespace).  A BOM and CRLF line
    ends are accepted, as on disk.  Raises SpecError (the doc's diagnostics)
    when it does not parse, MeaningChanged when the canonical text would
    mean something else."""
    return _canonical(text.encode("utf-8", "surrogatepass"), relpath)


def _canonical(data: bytes, relpath: str) -> str:
    source, problems = decode(data, relpath)
    model, found = parse_doc(source, relpath) if source is not None else (None, [])
    if model is None:
        raise SpecError(problems + found)
    canonical = render_doc(model)
    if canonical != source:
        again, _ = parse_doc(canonical, relpath)
        if again is None or _meaning(again) != _meaning(model):
            raise MeaningChanged(f"the canonical form of {relpath} would change what it means; nothing written")
    return canonical


def _meaning(model: AnyModel) -> Any:
    """What a doc says: its IR as data, without the positions."""
    return _without_positions(to_jsonable(model))


def _without_positions(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_positions(value) for key, value in data.items() if key != "pos"}
    if isinstance(data, list):
        return [_without_positions(item) for item in data]
    return data


@dataclass(frozen=True)
class Reformatted:
    """A doc whose text is not canonical: `path` as the user named it (below
    SPECS), the file written (`real`: a symlink's target inside SPECS)."""

    path: str
    real: str
    old: bytes
    new: bytes


@dataclass
class FormatReport:
    changed: list[Reformatted] = field(default_factory=list)
    unchanged: int = 0
    # Each at the path as the user named it (below SPECS): bad docs, and links that lead out of SPECS.
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def summary(self, written: bool) -> str:
        verb = "reformatted" if written else "would be reformatted"
        bad = len({d.path for d in self.errors})
        found = [f"{len(self.changed)} doc{'s' if len(self.changed) != 1 else ''} {verb}",
                 f"{self.unchanged} unchanged"] + ([f"{bad} with errors, left as they are"] if bad else [])
        return ", ".join(found)


def format_docs(specs: Sequence[Path], *, exclude: Sequence[str] = DEFAULT_EXCLUDE, write: bool = True,
                templates: Optional[Path] = None) -> FormatReport:
    """Format the docs of each of `specs` (a spec folder, or one doc; as
    `generate` takes SPECS, but a doc is that doc alone).  Docs that do not
    parse are reported and left as they are; the others are rewritten
    (`write`), each atomically, its mode kept, a canonical one untouched.
    Nothing is written unless every doc to rewrite keeps its meaning
    (else MeaningChanged).  A doc that is a symlink is formatted at its
    target, and only when that lies inside SPECS."""
    report = FormatReport()
    seen: set[str] = set()
    for where in specs:
        try:
            root, paths, inside = _docs_of(where, exclude)
        except SpecError as exc:
            report.diagnostics.extend(_shown(d, spec_root(where)) for d in exc.diagnostics)
            continue
        for rel in paths:
            shown = f"{root.as_posix()}/{rel}" if root != Path(".") else rel
            real = os.path.realpath(os.path.join(root, rel))
            if os.path.commonpath([real, inside]) != inside:
                report.diagnostics.append(Diagnostic(shown, 1, 1, "warning",
                                                     "a symlink that leads out of SPECS: left as it is",
                                                     "symlink-outside-specs"))
            elif real not in seen:
                seen.add(real)
                _format_one(report, root, rel, shown, real)
    if write:
        for doc in list(report.changed):
            try:
                replace_atomically(doc.real, doc.new)
            except OSError as exc:  # a read-only folder: the doc stays as it was
                report.changed.remove(doc)
                report.diagnostics.append(Diagnostic(doc.path, 1, 1, "error", f"cannot write: {exc.strerror or exc}",
                                                     "unwritable-doc"))
    return report


def _docs_of(where: Path, exclude: Sequence[str]) -> tuple[Path, list[str], str]:
    """(spec root, docs to format below it, the real folder they must stay in)."""
    if where.is_file() or where.is_symlink() and not where.is_dir():  # a dangling link is a doc that cannot be read
        root = spec_root(where)
        rel = Path(os.path.relpath(where, root)).as_posix()
        if not rel.endswith(".md"):
            raise SpecError([Diagnostic(rel, 1, 1, "error", "not a model doc (*.md)", "not-a-doc")])
        return root, [] if exclude_matcher(exclude)(rel) else [rel], os.path.realpath(root)
    found = find_docs(where, exclude)
    return found.root, found.paths, os.path.realpath(where)


def _shown(diagnostic: Diagnostic, root: Path) -> Diagnostic:
    return replace(diagnostic, path=posixpath.normpath(diagnostic.where(root.as_posix())))


def _format_one(report: FormatReport, root: Path, rel: str, shown: str, real: str) -> None:
    data, problems = read_doc(root, rel)
    try:
        if data is None:
            raise SpecError(problems)
        new = _canonical(data, rel).encode("utf-8")
    except SpecError as exc:
        report.diagnostics.extend(_shown(d, root) for d in exc.diagnostics)
        return
    except MeaningChanged:
        raise MeaningChanged(f"the canonical form of {shown} would change what it means; nothing written") from None
    if new == data:
        report.unchanged += 1
    else:
        report.changed.append(Reformatted(shown, real, data, new))
