"""Parse stage: one markdown model doc -> one IR model, with positions.

markdown-it-py finds the block structure (headings, fences, quotes, lists
and the paragraphs that hold the tables) so that headings inside fenced
code or quotes in a description never count as structure.  Its table rule
is off: table rows are split here, because the format's only escape is
`\\|`, every column count must be checked, and markdown-it's table rule
costs four times the rest of the parse.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .diagnostics import Diagnostic
from .ir import (
    AnyModel,
    EnumModel,
    EnumValue,
    Field,
    ObjectModel,
    Position,
    Spec,
    UnionMember,
    UnionModel,
)
from .naming import namespace_of
from .plainblocks import Block, plain_blocks
from .typecell import TypeCellError, parse_cell, parse_pytext

STRUCTURAL = ("Fields", "Values", "Supported Types", "Example Usage")
FIELD_COLUMNS = ("Field", "Type", "Required", "Description")
ENUM_COLUMNS = ("Name", "Value")
REQUIRED = {":heavy_check_mark:": True, ":heavy_minus_sign:": False}
DEPRECATION_NOTE = "> :warning: **DEPRECATED**: "
FIELD_DEPRECATION = ": warning: ** DEPRECATED **: "
OPEN_ENUM_NOTICE = "This is an open enum. Unrecognized values will not fail type checks."
TITLE = re.compile(r"[A-Za-z0-9_]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A pipe not preceded by a backslash separates cells.
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
MEMBER_CODE = re.compile(r"(?P<var>[A-Za-z_][A-Za-z0-9_]*): (?P<type>.+?) = /\* values here \*/\s*")
LIST_VALUE = re.compile(r'- `(?:"(?P<string>.*)"|(?P<int>-?[0-9]+))`')
SEPARATOR_CELL = re.compile(r":?-+:?")
INTEGER = re.compile(r"-?[0-9]+")
LITERAL_STYLE = re.compile(r"^value: \w+ = ", re.M)
ENUM_STYLE = re.compile(r"^value = \w+\.\w+", re.M)

# A block token: markdown-it's, or the plain-doc scan's (`plainblocks`).
AnyToken = Union[Token, Block]

_MARKDOWN = MarkdownIt("commonmark")
# No inline parse (cells are parsed here), no newline normalisation (a few
# real rows hold a raw "\r" mid-cell).
_MARKDOWN.disable(["inline", "text_join", "normalize"])


@dataclass
class _Doc:
    """One doc being parsed: its text, lines and the problems found."""

    path: str
    text: str
    lines: list[str]
    problems: list[Diagnostic] = field(default_factory=list)
    only_spaces: bool = False  # " " is its only whitespace but "\n" (`_only_spaces`)

    def error(self, rule: str, line: int, col: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line + 1, col + 1, "error", message, rule))

    def pos(self, line: int, col: int = 0) -> Position:
        return Position(self.path, line + 1, col + 1)

    @property
    def namespace(self) -> str:
        return namespace_of(self.path)


def decode(data: bytes, path: str) -> tuple[Optional[str], list[Diagnostic]]:
    """Bytes of a doc -> text; a BOM and CRLF endings are accepted."""
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        return None, [Diagnostic(path, line, 1, "error", "binary file (NUL byte): not a markdown doc", "binary-doc")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded"
        return None, [Diagnostic(path, line, col, "error", message, "not-utf8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    # "\r" first: one character is found ten times faster than two, and most docs hold none.
    if "\r" in text and "\r\n" in text and text.count("\r\n") == text.count("\n"):
        text = text.replace("\r\n", "\n")
    return text, []


def parse_doc(text: str, path: str) -> tuple[Optional[AnyModel], list[Diagnostic]]:
    """Parse one doc; `path` is its spec-root-relative POSIX path."""
    doc = _Doc(path, text, text.split("\n"), only_spaces=_only_spaces(text))
    model = _parse(doc)
    return (model if not any(p.severity == "error" for p in doc.problems) else None), doc.problems


def _parse(doc: _Doc) -> Optional[AnyModel]:
    if not doc.text or doc.text.isspace():  # (not a copy of the text as strip() is)
        doc.error("empty-doc", 0, 0,
                  "empty file: expected a '# Title' and a '## Fields', '## Values' or '## Supported Types' section")
        return None
    tokens: Sequence[AnyToken] = plain_blocks(doc.lines) or _MARKDOWN.parse(doc.text)
    title_index = next((i for i, t in enumerate(tokens) if _is_heading(t, "h1")), None)
    if title_index is None:
        doc.error("missing-title", 0, 0, "no title: a model doc starts with '# Title'")
        return None
    title_line = _line(tokens[title_index])
    raw_title = tokens[title_index + 1].content.strip()
    struck = raw_title.startswith("~~") and raw_title.endswith("~~") and len(raw_title) > 4
    name = raw_title[2:-2] if struck else raw_title
    if not TITLE.fullmatch(name):
        doc.error("invalid-title", title_line, 2, f"title {name!r} is not a model name: use letters, digits and '_'")
        return None
    sections = _sections(tokens)
    if not sections:
        doc.error("missing-section", title_line, 0, "no '## Fields', '## Values' or '## Supported Types' section")
        return None
    first_name, first_index = sections[0]
    description, deprecated = _preamble(doc, title_line, _line(tokens[first_index]), first_name)
    common = dict(
        name=name,
        namespace=doc.namespace,
        path=doc.path,
        description=description,
        deprecated=deprecated,
        pos=doc.pos(title_line),
    )
    kinds = [section for section, _ in sections]
    if kinds == ["Fields"]:
        return ObjectModel(**common, fields=_fields(doc, tokens, first_index))  # type: ignore[arg-type]
    if kinds in (["Values"], ["Example Usage", "Values"]):
        example = _example(doc, tokens, first_index) if kinds[0] == "Example Usage" else ""
        return _enum(doc, tokens, sections[-1][1], example, common)
    if kinds == ["Supported Types"]:
        return UnionModel(**common, members=_members(doc, tokens, first_index))  # type: ignore[arg-type]
    line = _line(tokens[sections[1][1]]) if len(sections) > 1 else _line(tokens[first_index])
    doc.error("unexpected-section", line, 0, f"unexpected sections {', '.join('## ' + k for k in kinds)}: a doc has "
              "exactly one of '## Fields', '## Values' (optionally after '## Example Usage') or '## Supported Types'")
    return None


def _is_heading(token: AnyToken, tag: str) -> bool:
    return token.type == "heading_open" and token.tag == tag and token.level == 0


def _line(token: AnyToken) -> int:
    return token.map[0] if token.map else 0


def _sections(tokens: Sequence[AnyToken]) -> list[tuple[str, int]]:
    """The structural `## ` headings at top level, from the first one on."""
    found: list[tuple[str, int]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:  # (_is_heading, inline: every token)
            text = tokens[i + 1].content.strip()
            if text in STRUCTURAL:
                found.append((text, i))
            elif found:
                found.append((text, i))
    return found


def _preamble(doc: _Doc, title_line: int, section_line: int, first: str) -> tuple[str, str]:
    """The description and deprecation message between title and structure.

    The canonical layout is `# T\\n\\n` PRE `\\n## Fields` (no blank line
    before `## Example Usage`), PRE = "" | DESC "\\n\\n" [DEPR "\\n\\n"]."""
    start = title_line + 2 if title_line + 1 < len(doc.lines) and doc.lines[title_line + 1] == "" else title_line + 1
    end = section_line if first == "Example Usage" else section_line - 1
    body = "\n".join(doc.lines[start:max(start, end)]) if end > start else ""
    body = body[:-1] if body.endswith("\n") and first == "Example Usage" else body
    body = body[:-1] if body.endswith("\n") else body.rstrip("\n")
    deprecated = ""
    at = body.rfind(DEPRECATION_NOTE)
    if at == 0 or (at > 0 and body[at - 2 : at] == "\n\n"):
        deprecated = body[at + len(DEPRECATION_NOTE) :]
        body = body[: max(0, at - 2)]
    return body, deprecated


def _block_after(tokens: Sequence[AnyToken], index: int) -> Optional[AnyToken]:
    """The first block token after the heading at `index`, if before the next heading."""
    for token in tokens[index + 3 :]:
        if token.type == "heading_open":
            return None
        if token.level == 0 and token.type in ("paragraph_open", "fence", "bullet_list_open", "code_block", "html_block"):
            return token
    return None


class _Row(NamedTuple):
    """A table row: its line, its cells (stripped of spaces) and the text
    between its pipes as written, from which a cell's column is found
    when it is needed (a few cells of a row are ever reported)."""

    line: int
    cells: list[str]
    pieces: list[str]

    def col(self, index: int) -> int:
        """The 0-based column of cell `index` in the line."""
        piece = self.pieces[index]
        start = 1 + index + sum(map(len, self.pieces[:index])) if index else 1  # (the name column: every row)
        return start + len(piece) - len(piece.lstrip(" "))


class _Table(NamedTuple):
    header: tuple[str, ...]  # the column names
    width: int  # of the separator row's first cell
    body: list[_Row]  # without the rows reported as malformed


def _table(doc: _Doc, tokens: Sequence[AnyToken], index: int, columns: Sequence[str], section: str,
           optional_last: Sequence[str] = ()) -> Optional[_Table]:
    """The table under the heading at `index`."""
    heading_line = _line(tokens[index])
    block = _block_after(tokens, index)
    if block is None or block.type != "paragraph_open" or not block.map:
        doc.error("missing-table", heading_line, 0, f"'## {section}' has no table")
        return None
    first, last = block.map
    names = _layout_cells(doc.lines[first], doc.only_spaces)
    if names is None or (names != tuple(columns) and names != tuple(columns) + tuple(optional_last)):
        expected = " | ".join(columns)
        doc.error("table-header", first, 0, f"table header must be '| {expected} |'" + (
            f" (optionally '| {' | '.join(optional_last)} |' last)" if optional_last else ""
        ) + f", found {doc.lines[first].strip()[:80]!r}")
        return None
    separator = _layout_cells(doc.lines[first + 1], doc.only_spaces) if first + 1 < last else None
    if separator is None or not all(SEPARATOR_CELL.fullmatch(cell) for cell in separator):
        doc.error("table-separator", first + 1, 0, "table has no '| --- |' separator row under its header")
        return None
    if len(separator) != len(names):
        doc.error("table-separator", first + 1, 0, f"separator row has {len(separator)} cells, the header {len(names)}")
        return None
    body: list[_Row] = []
    lines, only_spaces = doc.lines, doc.only_spaces
    for line in range(first + 2, last):
        row = _split(lines[line], line, only_spaces)
        if row is None:
            doc.error("table-row", line, 0, "table row must start and end with '|'")
        elif len(row.cells) != len(names):
            word = "missing" if len(row.cells) < len(names) else "extra"
            doc.error("table-row", line, 0, f"{word} columns: row has {len(row.cells)} cells, the header {len(names)}")
        else:
            body.append(row)
    trailing = next((n for n in range(last, len(doc.lines)) if doc.lines[n].strip()), None)
    if trailing is not None:
        doc.error("text-after-table", trailing, 0, f"unexpected text after the '## {section}' table")
    return _Table(names, len(separator[0]), body)


def split_row(line: str) -> Optional[list[tuple[str, int]]]:
    """`| a | b |` -> [(a, col), (b, col)], splitting on unescaped pipes."""
    row = _split(line, 0, _only_spaces(line))
    return None if row is None else [(cell, row.col(index)) for index, cell in enumerate(row.cells)]


def _split(text: str, line: int, only_spaces: bool) -> Optional[_Row]:
    """The row at `line` whose text is `text` (`| a | b |`, split on
    unescaped pipes), or None when it is no row.  `only_spaces`: `text`
    holds no whitespace but " " (`_only_spaces`)."""
    stripped = text.rstrip(" ")
    if not stripped.startswith("|") or not stripped.endswith("|") or stripped.endswith("\\|") or len(stripped) < 2:
        return None
    # Most rows hold no backslash, so no escaped pipe: str.split is ten times
    # faster than the regex on rows that average 900 characters.
    pieces = (CELL_SEPARATOR.split(stripped) if "\\" in stripped else stripped.split("|"))[1:-1]
    # str.strip() skips a cell's padding much faster than str.strip(" "),
    # and strips the same where " " is the only whitespace.
    if only_spaces:
        return _Row(line, [piece.strip() for piece in pieces], pieces)
    return _Row(line, [piece.strip(" ") for piece in pieces], pieces)


# Speakeasy pads the header and separator rows of a table alike: thousands
# of tables share a few hundred, split once.
@lru_cache(maxsize=1024)
def _layout_cells(text: str, only_spaces: bool) -> Optional[tuple[str, ...]]:
    """The cells of a header or separator row (`_split`)."""
    row = _split(text, 0, only_spaces)
    return None if row is None else tuple(row.cells)


# The whitespace of str.strip() besides " " in ASCII text (a line holds no "\n").
_OTHER_ASCII_WHITESPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _only_spaces(text: str) -> bool:
    """Whether " " is the only whitespace (of `str.isspace`) in `text` but "\\n"."""
    if not text.isascii():
        return False
    for char in _OTHER_ASCII_WHITESPACE:  # (a loop, not any(): this runs once a doc)
        if char in text:
            return False
    return True


def _unescape(cell: str) -> str:
    return cell.replace("<br/>", "\n").replace("\\|", "|")


def cell_width(cell: str) -> int:
    """The width of a cell as written: `<br/>` and `\\|` count as one
    character (FORMAT.md).  They cannot overlap, so counting them is exact
    (and much faster than a regex substitution on long cells)."""
    return len(cell) - 4 * cell.count("<br/>") - cell.count("\\|")


def _kept_cells(doc: _Doc, table: _Table, free: Sequence[int], joined: int) -> dict[tuple[int, int], str]:
    """{(line, column): text} for the one free-text cell (`free` columns)
    whose source form the table's width W needs, when the stripped cells
    fall short of W.  The cell's text then keeps what the width counted:
    its trailing spaces (a description ending in ". "), or, in the `joined`
    column, its `<br/>`s as literal text (Speakeasy joins several examples
    with a literal `<br/>`, five characters wide).  Other cells lose their
    padding as usual."""
    if not table.body:
        return {}
    width = table.width
    # A cell is no wider than its length: only rows with a cell that long are measured.
    if any(max(map(len, cells)) >= width and any(cell_width(text) >= width for text in cells)
           for cells in [table.header, *(row.cells for row in table.body)]):
        return {}
    best: Optional[tuple[int, tuple[int, int], str]] = None
    for row in table.body:
        for column in free:
            if column >= len(row.cells) or row.cells[column] in ("", "N/A"):
                continue
            text = row.cells[column]
            literal = text.replace("\\|", "|")
            if column == joined and "<br/>" in text and len(literal) == width:
                return {(row.line, column): literal}
            own = cell_width(text)
            source = doc.lines[row.line]
            end = row.col(column) + len(text)
            spaces = len(source) - end - len(source[end:].lstrip(" "))
            if width - own <= spaces - 1 and (best is None or own > best[0]):
                best = (own, (row.line, column), _unescape(text) + " " * (width - own))
    return {best[1]: best[2]} if best else {}


def _fields(doc: _Doc, tokens: Sequence[AnyToken], index: int) -> tuple[Field, ...]:
    table = _table(doc, tokens, index, FIELD_COLUMNS, "Fields", ("Example",))
    if table is None:
        return ()
    fields: list[Field] = []
    kept = _kept_cells(doc, table, (3, 4), joined=4)
    for row in table.body:
        line, cells = row.line, row.cells
        name_cell, type_cell, req_cell, desc_cell = cells[:4]
        example = _unescape(cells[4]) if len(cells) > 4 else ""
        struck = name_cell.startswith("~~") and name_cell.endswith("~~") and len(name_cell) > 4
        bare = name_cell[2:-2] if struck else name_cell
        if not (len(bare) > 2 and bare[0] == bare[-1] == "`"):
            doc.error("field-name", line, row.col(0), f"field cell must be `name` in backticks, found {name_cell[:60]!r}")
            continue
        name = bare[1:-1]  # any text: naming turns it into a safe attribute
        if "`" in name or not name.strip():
            doc.error("field-name", line, row.col(0) + 1, f"field name {name!r} is empty or holds a backtick")
            continue
        try:
            type_node = parse_cell(type_cell)
        except TypeCellError as exc:
            doc.error("invalid-type", line, row.col(1) + exc.offset, f"bad type {type_cell[:80]!r}: {exc}")
            continue
        if req_cell not in REQUIRED:
            doc.error("required-cell", line, row.col(2),
                      f"Required must be ':heavy_check_mark:' or ':heavy_minus_sign:', found {req_cell[:40]!r}")
            continue
        description = "" if desc_cell == "N/A" else _unescape(desc_cell)
        if kept:  # (rarely: most tables keep no cell)
            example, description = kept.get((line, 4), example), kept.get((line, 3), description)
        deprecated, has_body = "", False
        if struck or description.startswith(FIELD_DEPRECATION):
            note, sep, rest = description.partition("\n\n")
            if note.startswith(FIELD_DEPRECATION):
                deprecated, description, has_body = note[len(FIELD_DEPRECATION):], rest, bool(sep)
            deprecated = deprecated or "deprecated"
        fields.append(Field(name, type_node, REQUIRED[req_cell], description, example, deprecated, has_body,
                            doc.pos(line, row.col(0))))
    return tuple(fields)


def _example(doc: _Doc, tokens: Sequence[AnyToken], index: int) -> str:
    block = _block_after(tokens, index)
    if block is None or block.type != "fence":
        doc.error("missing-example", _line(tokens[index]), 0, "'## Example Usage' has no code block")
        return ""
    return block.content[:-1] if block.content.endswith("\n") else block.content


def _enum(doc: _Doc, tokens: Sequence[AnyToken], index: int, example: str, common: dict[str, Any]
          ) -> Optional[EnumModel]:
    style = ""
    if LITERAL_STYLE.search(example):
        style = "literal"
    elif ENUM_STYLE.search(example):
        style = "enum"
    is_open = "# Open enum" in example
    block = _block_after(tokens, index)
    values: list[EnumValue] = []
    if block is not None and block.type == "paragraph_open" and block.map and doc.lines[block.map[0]].startswith("|"):
        form = "table"
        table = _table(doc, tokens, index, ENUM_COLUMNS, "Values")
        for row in table.body if table else ():
            (member, raw), line, col = row.cells, row.line, row.col(0)
            if not (len(member) > 2 and member[0] == member[-1] == "`" and IDENTIFIER.fullmatch(member[1:-1])):
                doc.error("enum-member", line, col,
                          f"enum member name must be `NAME` in backticks, found {member[:60]!r}")
                continue
            value: Union[str, int] = int(raw) if INTEGER.fullmatch(raw) else _unescape(raw)
            values.append(EnumValue(value, member[1:-1], raw, doc.pos(line, col)))
    else:
        form = "list"
        start = _line(tokens[index]) + 1
        for n in range(start, len(doc.lines)):
            source = doc.lines[n]
            if not source.strip() or source == OPEN_ENUM_NOTICE:
                is_open = is_open or source == OPEN_ENUM_NOTICE
                continue
            match = LIST_VALUE.fullmatch(source)
            if match is None:
                doc.error("enum-value", n, 0, f"enum value must be - `\"value\"` or - `123`, found {source[:60]!r}")
                continue
            text = match.group("string")
            values.append(EnumValue(text if text is not None else int(match.group("int")), "", "", doc.pos(n)))
    if not values and not any(p.severity == "error" for p in doc.problems):
        doc.error("empty-enum", _line(tokens[index]), 0, "'## Values' lists no values")
    return EnumModel(**common, values=tuple(values), form=form, style=style, open=is_open, example=example)  # type: ignore[arg-type]


def _members(doc: _Doc, tokens: Sequence[AnyToken], index: int) -> tuple[UnionMember, ...]:
    members: list[UnionMember] = []
    heading: Optional[tuple[str, int]] = None
    for i in range(index + 3, len(tokens)):
        token = tokens[i]
        if token.type == "heading_open" and token.tag == "h3":
            heading = (tokens[i + 1].content, _line(token))
        elif token.type == "fence" and token.level == 0:
            line = _line(token) + 1
            code = token.content.rstrip("\n")
            match = MEMBER_CODE.fullmatch(code)
            if heading is None or match is None:
                doc.error("union-member", line, 0,
                          "a union member is '### Name' then ```python value: T = /* values here */```")
                heading = None
                continue
            try:
                member_type = parse_pytext(match.group("type"))
            except TypeCellError as exc:
                doc.error("invalid-type", line, match.start("type") + exc.offset,
                          f"bad type {match.group('type')[:80]!r}: {exc}")
                continue
            members.append(UnionMember(heading[0], match.group("var"), member_type, doc.pos(heading[1])))
            heading = None
    if not members and not any(p.severity == "error" for p in doc.problems):
        doc.error("empty-union", _line(tokens[index]), 0, "'## Supported Types' lists no member types")
    return tuple(members)


# Real docs stay far below this; anything larger is not a model doc.
MAX_DOC_BYTES = 4 * 1024 * 1024
# Hand-written pages that live among the model docs of every Speakeasy SDK.
DEFAULT_EXCLUDE = ("utils/retryconfig.md",)


def spec_paths(folder: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE, under: str = "") -> tuple[list[str], list[str]]:
    """(doc paths, excluded paths) below `folder`, sorted, each led by
    `under` (the folder's path in the spec root, "models/" or "").

    Sorting makes the result independent of the file system's listing order."""
    docs: list[str] = []
    skipped: list[str] = []
    excluded = exclude_matcher(exclude)
    for found, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        prefix = os.path.relpath(found, folder).replace(os.sep, "/")
        for name in files:
            if name.endswith(".md"):
                rel = under + (name if prefix == "." else f"{prefix}/{name}")
                (skipped if excluded(rel) else docs).append(rel)
    return sorted(docs), sorted(skipped)


def exclude_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Glob patterns matched against the end of a relative path, part by
    part, as `PurePosixPath.match` does (`utils/*.md` matches `models/utils/x.md`)."""
    # A pattern without wildcards (the default) matches the path or a "/"-led end of it.
    literal = tuple(p for p in patterns if not any(c in p for c in "*?["))
    ends = tuple(f"/{p}" for p in literal)
    compiled = [(p.count("/") + 1, re.compile(fnmatch.translate(p))) for p in patterns if p not in literal]

    def excluded(rel: str) -> bool:
        if rel.endswith(ends) or rel in literal:
            return True
        if not compiled:
            return False
        parts = rel.split("/")
        return any(len(parts) >= n and regex.match("/".join(parts[-n:])) for n, regex in compiled)

    return excluded


def read_doc(root: Path, rel: str) -> tuple[Optional[bytes], list[Diagnostic]]:
    """The bytes of the doc at spec-root-relative `rel`, or why not."""
    try:
        # os.read, not a file object: making one costs more than reading a doc.
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(fd).st_size
            if size > MAX_DOC_BYTES:
                return None, [Diagnostic(rel, 1, 1, "error", f"file is {size} bytes; a model doc is at most {MAX_DOC_BYTES}",
                                         "doc-too-large")]
            # A byte more than the size: a shorter read reached the end.
            data = os.read(fd, size + 1)
            if len(data) > size:  # it grew since, or is no regular file
                data += b"".join(iter(lambda: os.read(fd, 1 << 16), b""))
            return data, []
        finally:
            os.close(fd)
    except OSError as exc:
        return None, [Diagnostic(rel, 1, 1, "error", f"cannot read: {exc.strerror or exc}", "unreadable-doc")]


def parse_bytes(data: bytes, rel: str) -> tuple[Optional[AnyModel], list[Diagnostic]]:
    text, problems = decode(data, rel)
    if text is None:
        return None, problems
    model, more = parse_doc(text, rel)
    return model, problems + more


def parse_file(root: Path, rel: str) -> tuple[Optional[AnyModel], list[Diagnostic]]:
    """Read and parse the doc at spec-root-relative `rel`."""
    data, problems = read_doc(root, rel)
    return parse_bytes(data, rel) if data is not None else (None, problems)


def parse_files(root: Path, paths: Sequence[str]) -> tuple[list[AnyModel], list[Diagnostic]]:
    """Parse the docs at `paths` (in this process): the models and every problem."""
    models: list[AnyModel] = []
    problems: list[Diagnostic] = []
    for rel in paths:
        model, found = parse_file(root, rel)
        problems.extend(found)
        if model is not None:
            models.append(model)
    return models, problems


def parse_spec(root: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> tuple[Spec, list[Diagnostic]]:
    """Parse every doc below `root` (in one process)."""
    docs, skipped = spec_paths(root, exclude)
    models, problems = parse_files(root, docs)
    return Spec(tuple(models), tuple(skipped)), problems
