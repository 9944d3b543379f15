"""What an editor asks of a doc in a `Workspace`: where a diagnostic's
cell or token lies, where a reference leads, who refers to a model, what a
row becomes in Python, what may be typed in a cell, and quick fixes.

Positions are 0-based lines and 0-based characters (code points) of the
doc's text; the protocol layer (`lspserver`) converts them to the client's
units.  The IR keeps a row's line and its first cell's column; the cell or
token an editor shows is found again in the line's text here.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from pathlib import Path
from typing import NamedTuple, Optional

from . import naming
from .diagnostics import Diagnostic, SpecError
from .docrender import render_doc
from .fmt import MeaningChanged, format_text
from .ir import ObjectModel, Position
from .parse import CELL_SEPARATOR, FIELD_COLUMNS, REQUIRED, split_row
from .pyrender import model_views
from .resolve import link_path
from .summary import Key
from .typecell import ATOMS, WRAPPERS
from .workspace import Workspace

# A reference (`models.X` in a union's code, `components.X` inside a type cell's link)
REFERENCE = re.compile(r"(?<![\w.])(?P<ns>[A-Za-z_]\w*)\.(?P<name>\w+)(?![\w.])")
# The end of a markdown link, `](path)`: its start is the `[` that bracket counting finds.
LINK_END = re.compile(r"\]\((?P<target>[^()\s]*)\)")
NAMED = re.compile(r"no doc defines (?P<ns>[A-Za-z_]\w*)\.(?P<name>\w+)")
LINK_MESSAGE = re.compile(r"^link '(?P<target>[^']*)'")
# Most model names a completion lists (the client filters further as the user types).
COMPLETION_LIMIT = 100
REQUIRED_COLUMN = FIELD_COLUMNS.index("Required")
TYPE_COLUMN = FIELD_COLUMNS.index("Type")


class Span(NamedTuple):
    """Characters `start`..`end` of line `line` of the file at `path`."""

    path: str
    line: int
    start: int
    end: int


class Token(NamedTuple):
    key: Key
    target: str  # the path of the link around it, "" for a bare reference
    start: int  # where the link (or the bare reference) lies in the line
    end: int
    ref_start: int  # where `namespace.Name` lies
    ref_end: int
    target_start: int  # where the link's path lies (0, 0 without one)
    target_end: int


class Completion(NamedTuple):
    label: str
    kind: str  # "model", "type", "value"
    text: str  # what replaces `span`
    span: Span
    detail: str = ""


class Action(NamedTuple):
    title: str
    edits: tuple[tuple[Span, str], ...]
    create: Optional[tuple[str, str]] = None  # (path, text) of a new doc


def tokens(ws: Workspace, line: str) -> list[Token]:
    """The references in one line of a doc (to namespaces the spec knows, or inside a link)."""
    links = [(_link_start(line, m.start()), m) for m in LINK_END.finditer(line)]
    known = ws.namespaces() | {"models"}
    found = []
    for match in REFERENCE.finditer(line):
        key = (match.group("ns"), match.group("name"))
        around = next(((start, m) for start, m in links
                       if start is not None and start < match.start() and match.end() <= m.start()), None)
        if around is not None:
            start, link = around
            assert start is not None
            found.append(Token(key, link.group("target"), start, link.end(), *match.span(), *link.span("target")))
        elif key[0] in known:
            found.append(Token(key, "", *match.span(), *match.span(), 0, 0))
    return found


def _link_start(line: str, close: int) -> Optional[int]:
    """The `[` opening the link whose text ends at `close` (its `]`)."""
    depth = 0
    for at in range(close - 1, -1, -1):
        if line[at] == "]":
            depth += 1
        elif line[at] == "[":
            if depth == 0:
                return at
            depth -= 1
    return None


def _lines(ws: Workspace, rel: str) -> list[str]:
    return (ws.text(rel) or "").split("\n")


def _token_at(ws: Workspace, rel: str, line: int, char: int) -> Optional[Token]:
    lines = _lines(ws, rel)
    text = lines[line] if 0 <= line < len(lines) else ""
    return next((t for t in tokens(ws, text) if t.start <= char <= t.end), None)


def _block(lines: list[str], line: int) -> range:
    """The lines of a row, or of a union member from its heading to the next heading."""
    end = line + 1
    if 0 <= line < len(lines) and lines[line].startswith("#"):
        while end < len(lines) and not lines[end].startswith("#"):
            end += 1
    return range(line, min(end, len(lines)))


def _cell(text: str, col: int) -> Optional[tuple[int, int]]:
    """(start, end) of the table cell holding character `col` of a row, stripped of its padding."""
    if not text.startswith("|"):
        return None
    bounds = [m.start() for m in CELL_SEPARATOR.finditer(text)]
    for left, right in zip(bounds, bounds[1:]):
        if left < col < right or (col == left == 0 and right):
            raw = text[left + 1 : right]
            start = left + 1 + len(raw) - len(raw.lstrip(" "))
            return start, max(start, left + 1 + len(raw.rstrip(" ")))
    return None


def diagnostic_span(ws: Workspace, diagnostic: Diagnostic, lines: list[str]) -> Span:
    """Where a diagnostic shows: the reference or link path it is about, else
    the cell at its column, else the rest of its line."""
    line, col = max(diagnostic.line - 1, 0), max(diagnostic.col - 1, 0)
    if line >= len(lines):
        return Span(diagnostic.path, line, col, col)
    link = LINK_MESSAGE.match(diagnostic.message) if diagnostic.rule.startswith("link-") else None
    named = NAMED.search(diagnostic.message) if diagnostic.rule == "dangling-link" else None
    if link is not None or named is not None:
        for n in _block(lines, line):
            for token in tokens(ws, lines[n]):
                if link is not None and token.target and token.target == link.group("target"):
                    return Span(diagnostic.path, n, token.target_start, token.target_end)
                if named is not None and token.key == (named.group("ns"), named.group("name")):
                    return Span(diagnostic.path, n, token.start, token.end)
    text = lines[line]
    cell = _cell(text, col)
    if cell is not None:
        return Span(diagnostic.path, line, *cell)
    end = len(text.rstrip())
    return Span(diagnostic.path, line, min(col, end), max(end, min(col, end) + 1 if col < len(text) else col))


def _title(ws: Workspace, rel: str) -> Span:
    summary = ws.summaries.get(rel)
    line = summary.line - 1 if summary is not None else 0
    lines = _lines(ws, rel)
    return Span(rel, line, 0, len(lines[line]) if line < len(lines) else 0)


def definition(ws: Workspace, rel: str, line: int, char: int) -> list[Span]:
    """The title line of the doc a reference (or its link's path) leads to."""
    token = _token_at(ws, rel, line, char)
    if token is None:
        return []
    if token.target and token.target_start <= char <= token.target_end:
        path = link_path(rel, token.target, ws.root_names)
        # os.path: False, not an error, for a path the file system refuses (the link is the user's text)
        if path is not None and (path in ws.summaries or os.path.isfile(ws.root / path)):
            return [_title(ws, path)]
    target = ws.first.get(token.key)
    return [_title(ws, target.path)] if target is not None else []


def _model_at(ws: Workspace, rel: str, line: int, char: int) -> Optional[Key]:
    """The model a position names: a reference's, or the doc's own on its title line."""
    token = _token_at(ws, rel, line, char)
    if token is not None:
        return token.key
    own = ws.summaries.get(rel)
    return own.key if own is not None and own.line - 1 == line else None


def references(ws: Workspace, rel: str, line: int, char: int, declaration: bool = False) -> list[Span]:
    """Every row and union member naming the model at the position (and its title, with `declaration`)."""
    key = _model_at(ws, rel, line, char)
    if key is None:
        return []
    found = []
    if declaration and key in ws.first:
        found.append(_title(ws, ws.first[key].path))
    for path in sorted(ws.lookup("refname", key[1].lower())):
        lines = _lines(ws, path)
        for link in ws.summaries[path].links:
            if (link.namespace, link.name) != key:
                continue
            spans = [Span(path, n, t.start, t.end) for n in _block(lines, link.line - 1)
                     for t in tokens(ws, lines[n]) if t.key == key]
            found.append(spans[0] if spans else Span(path, link.line - 1, 0, 0))
    return sorted(set(found))


def _first_paragraph(text: str) -> str:
    return next((part.strip() for part in text.split("\n\n") if part.strip()), "")


def hover(ws: Workspace, rel: str, line: int, char: int) -> Optional[tuple[str, Span]]:
    """Markdown for the position: a reference's target (title and first
    paragraph); the title's class header, a row's field statement, as
    `generate` writes them (overrides and wire names included)."""
    lines = _lines(ws, rel)
    whole = Span(rel, line, 0, len(lines[line]) if 0 <= line < len(lines) else 0)
    token = _token_at(ws, rel, line, char)
    if token is not None:
        target = ws.first.get(token.key)
        name = ".".join(token.key)
        if target is None:
            return f"no doc defines `{name}`", Span(rel, line, token.start, token.end)
        model = ws.model(target.path)
        about = _first_paragraph(model.description) if model is not None else ""
        return f"**{name}** ({target.path})\n\n{about}".rstrip(), Span(rel, line, token.start, token.end)
    model = ws.model(rel)
    if model is None:
        return None
    views = model_views(model, ws.resolved(), overrides=ws.overrides(), target=ws.config.target,
                        python_version=ws.config.python_version)
    if line == model.pos.line - 1:
        block = views[0]
        code = "\n".join([*block.cls.decorators, block.cls.header]) if block.cls is not None else block.stmt
        code = code.strip()
        return _python(code), whole
    if isinstance(model, ObjectModel):
        rows = [f for f in model.fields if not f.is_extra]
        main = next((b.cls for b in views if b.cls is not None), None)
        for field, view in zip(rows, main.fields if main is not None else []):
            if field.pos.line - 1 == line:
                return _python(view.stmt.strip()), whole
    return None


def _python(code: str) -> str:
    return f"```python\n{code}\n```"


def doc_link(from_rel: str, to_rel: str) -> str:
    """The link a doc writes to another: up to the spec root, then down
    (`../models/x.md`, `../../models/components/x.md`), as Speakeasy writes them."""
    depth = len(posixpath.dirname(from_rel).split("/")) if posixpath.dirname(from_rel) else 0
    return "../" * depth + to_rel


def completion(ws: Workspace, rel: str, line: int, char: int) -> list[Completion]:
    """In a `## Fields` row's Type cell: the spec's models (as links), the
    types and wrappers; in its Required cell, the two marks."""
    lines = _lines(ws, rel)
    text = lines[line] if 0 <= line < len(lines) else ""
    column = _fields_column(lines, line, char)
    if column == REQUIRED_COLUMN:
        cell = _cell(text, char) or (char, char)
        span = Span(rel, line, cell[0], max(cell[1], char))
        return [Completion(mark, "value", mark, span) for mark in REQUIRED]
    if column != TYPE_COLUMN:
        return []
    word = re.search(r"[\w.]*$", text[:char])
    start = word.start() if word else char
    prefix = text[start:char]
    span = Span(rel, line, start, char)
    typed = prefix.rpartition(".")[2].lower()
    models = sorted((s for key, s in ws.first.items() if key[1].lower().startswith(typed)),
                    key=lambda s: (len(s.name), s.name))[:COMPLETION_LIMIT]
    found = [Completion(f"{s.namespace}.{s.name}", "model", f"[{s.namespace}.{s.name}]({doc_link(rel, s.path)})",
                        span, s.path) for s in models]
    found += [Completion(atom, "type", atom, span) for atom in sorted(ATOMS) if atom.lower().startswith(typed)]
    wrappers = ["Dict[str, " if w == "Dict" else f"{w}[" for w in sorted(WRAPPERS)]
    found += [Completion(w, "type", w, span) for w in wrappers if w.lower().startswith(typed)]
    return found


def _fields_column(lines: list[str], line: int, char: int) -> Optional[int]:
    """Which column of a `## Fields` table body row the position is in, if any."""
    if not (0 <= line < len(lines)) or not lines[line].startswith("|"):
        return None
    header = line
    while header > 0 and lines[header - 1].startswith("|"):
        header -= 1
    cells = split_row(lines[header]) or []
    if tuple(c for c, _ in cells[:4]) != FIELD_COLUMNS or line < header + 2:
        return None
    return len(CELL_SEPARATOR.findall(lines[line][:char])) - 1


def code_actions(ws: Workspace, rel: str, first: int, last: int) -> list[Action]:
    """Fixes for the dangling references on lines `first`..`last`: the
    model with the nearest name, and a new doc at the link's path."""
    summary = ws.summaries.get(rel)
    if summary is None:
        return []
    lines = _lines(ws, rel)
    actions = []
    for problem in ws.published.get(rel, ()):
        named = NAMED.search(problem.message)
        if not (problem.rule == "dangling-link" and first <= problem.line - 1 <= last and named):
            continue
        key = (named.group("ns"), named.group("name"))
        spots = [(n, t) for n in _block(lines, problem.line - 1) for t in tokens(ws, lines[n]) if t.key == key]
        for near in _near_names(ws, key):
            target = ws.first[(key[0], near)]
            edits = tuple(edit for n, t in spots for edit in (
                (Span(rel, n, t.ref_start, t.ref_end), f"{key[0]}.{near}"),
                *([(Span(rel, n, t.target_start, t.target_end), doc_link(rel, target.path))] if t.target else [])))
            actions.append(Action(f"did you mean {key[0]}.{near}?", edits))
        for n, token in spots:
            path = link_path(rel, token.target, ws.root_names) if token.target else None
            if path is not None and ws.contains(path) and _creatable(ws.root / path):
                skeleton = ObjectModel(key[1], naming.namespace_of(path), path, "", "", Position(path, 1), ())
                actions.append(Action(f"create the missing doc {path}", (), (path, render_doc(skeleton))))
                break
    return actions


def _creatable(full: Path) -> bool:
    """Whether nothing is at `full`, a path the file system takes (not a
    name too long, say: a link's target is the user's text)."""
    try:
        os.stat(full)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _near_names(ws: Workspace, key: Key) -> list[str]:
    names = [name for namespace, name in ws.first if namespace == key[0]]
    return difflib.get_close_matches(key[1], names, n=3, cutoff=0.75)


def formatted(ws: Workspace, rel: str) -> Optional[str]:
    """The doc's canonical text (`md2models fmt`), None when it does not parse or is canonical already."""
    text = ws.text(rel)
    if text is None:
        return None
    try:
        new = format_text(text, rel)
    except (SpecError, MeaningChanged):  # a doc with errors, or one fmt refuses: left as it is
        return None
    return new if new != text else None
