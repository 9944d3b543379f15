"""Type cells of `## Fields` tables and union members, parsed into the type tree.

Grammar (FORMAT.md, "Type cells"):

    cell   := "List[" cell "]" | "Dict[str, " cell "]"
            | "*" PYTEXT "*" | "[" PYTEXT "](" TARGET ")" | PYTEXT
    PYTEXT := NAME [ "[" PYTEXT { "," PYTEXT } "]" ] | literal

`List[`/`Dict[str, ` stand outside the markup; every other wrapper inside.
Errors carry the 0-based offset into the cell so callers can point at the
column.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Optional, TypeVar, Union

_Item = TypeVar("_Item")

from .ir import Generic, LiteralType, Markup, Primitive, Ref, TypeNode

ATOMS = frozenset(
    {"str", "int", "float", "bool", "Any", "bytes", "Decimal", "date", "datetime"}
    | {"httpx.Response", "httpx.Request", "requests.Response"}
    | {"io.BufferedReader", "io.IOBase"}
)
WRAPPERS = frozenset({"List", "Dict", "Optional", "Nullable", "OptionalNullable", "Union"})
# The SDKs' server-sent-event streams, seen as union members of responses.
STREAMS = frozenset({"eventstreaming.EventStream", "eventstreaming.EventStreamAsync"})
_ONE_TYPE_WRAPPERS = (WRAPPERS | STREAMS) - {"Dict"}  # (Dict takes `str, ` first)
# Deeper than this is no real type; it also keeps the recursion bounded.
MAX_DEPTH = 24

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<int>-?[0-9]+)
      | (?P<punct>[\[\],])
    )""",
    re.VERBOSE,
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")  # as _TOKEN's


# What ends a markup span (`*...*`, `[...]`) and what it skips: a string
# literal (whole, unterminated to the end), a bracket, the closing character.
_SPAN_MARKS = {close: re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]' + re.escape(close) + "]", re.S) for close in "*]"}


class TypeCellError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


# Type nodes are immutable values and cells repeat across docs (most of the
# 38k cells of a big SDK are one of 14k): a cell is parsed once per process.
@lru_cache(maxsize=1 << 15)
def parse_cell(cell: str) -> TypeNode:
    """Parse a whole `Type` cell (markup included)."""
    node, end = _cell(cell, 0, 0)
    if end != len(cell):
        raise TypeCellError(f"unexpected text {cell[end:]!r} after the type", end)
    return node


@lru_cache(maxsize=1 << 15)
def parse_pytext(text: str, offset: int = 0) -> TypeNode:
    """Parse plain Python type text (union members, the inside of markup)."""
    node = _simple(text)
    if node is not None:
        return node
    parser = _PyText(text, offset)
    node = parser.type(0)
    parser.expect_end()
    return node


def _cell(cell: str, pos: int, depth: int) -> tuple[TypeNode, int]:
    if depth > MAX_DEPTH:
        raise TypeCellError(f"type nested deeper than {MAX_DEPTH} levels", pos)
    for prefix, origin in (("List[", "List"), ("Dict[str, ", "Dict")):
        if cell.startswith(prefix, pos):
            if origin == "Dict" and cell.startswith("Any]", pos + len(prefix)):
                inner: TypeNode = Primitive("Any")
                end = pos + len(prefix) + 3
            else:
                inner, end = _cell(cell, pos + len(prefix), depth + 1)
            if not cell.startswith("]", end):
                raise TypeCellError(f"missing ']' to close {prefix!r}", end)
            return Generic(origin, (inner,)), end + 1  # type: ignore[arg-type]
    if cell.startswith("*", pos):
        close = _matching_close(cell, pos + 1, "*")
        return Markup("italic", parse_pytext(cell[pos + 1 : close], pos + 1)), close + 1
    if cell.startswith("[", pos):
        close = _matching_close(cell, pos + 1, "]")
        if not cell.startswith("(", close + 1):
            raise TypeCellError("a link needs '(target)' after ']'", close + 1)
        target_end = cell.find(")", close + 2)
        if target_end < 0:
            raise TypeCellError("unclosed link target: missing ')'", close + 1)
        target = cell[close + 2 : target_end]
        if not target.strip():
            raise TypeCellError("empty link target", close + 2)
        inner = parse_pytext(cell[pos + 1 : close], pos + 1)
        return Markup("link", inner, target), target_end + 1
    if pos >= len(cell):
        raise TypeCellError("empty type", pos)
    # Some writers leave the type unmarked: accept plain Python text.
    end = _plain_end(cell, pos)
    return parse_pytext(cell[pos:end], pos), end


def _matching_close(cell: str, pos: int, close: str) -> int:
    """Index of `close` ending a span that starts at pos, skipping brackets."""
    if '"' not in cell:  # no string literal (most cells): the first `close` after balanced brackets
        end = cell.find(close, pos)
        while end >= 0 and cell.count("[", pos, end) != cell.count("]", pos, end):
            end = cell.find(close, end + 1)
        if end < 0:
            raise TypeCellError(f"unbalanced markup: missing {close!r}", pos - 1)
        return end
    depth = 0
    for match in _SPAN_MARKS[close].finditer(cell, pos):
        mark = match.group()
        if mark == close and depth == 0:
            return match.start()
        if mark == "[":
            depth += 1
        elif mark == "]":
            depth -= 1
    raise TypeCellError(f"unbalanced markup: missing {close!r}", pos - 1)


def _plain_end(cell: str, pos: int) -> int:
    """End of unmarked type text: where a ']' closes an outer List/Dict."""
    depth = 0
    for i in range(pos, len(cell)):
        if cell[i] == "[":
            depth += 1
        elif cell[i] == "]":
            if depth == 0:
                return i
            depth -= 1
    return len(cell)


def _simple(text: str) -> Optional[TypeNode]:
    """The type of a text that is a name or a wrapper of one name
    (`models.Pet`, `Optional[models.Pet]`: most texts), read without the
    tokenizer; None for any other text (or a wrong one)."""
    wrapper, bracket, rest = text.partition("[")
    if not bracket:
        return _named(text) if _NAME.fullmatch(text) else None
    if wrapper in _ONE_TYPE_WRAPPERS and rest.endswith("]") and _NAME.fullmatch(rest[:-1]):
        inner = _named(rest[:-1])
        return Generic(wrapper, (inner,)) if inner is not None else None  # type: ignore[arg-type]
    return None


def _named(name: str) -> Optional[TypeNode]:
    """The type a name stands for alone: an atom or a `namespace.Title`
    reference (None: a wrapper, which takes brackets, or unknown)."""
    if name in ATOMS:
        return Primitive(name)
    namespace, _, title = name.rpartition(".")
    if namespace and "." not in namespace and name not in STREAMS:
        return Ref(namespace, title)
    return None


class _PyText:
    def __init__(self, text: str, offset: int):
        self.offset = offset
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        for match in _TOKEN.finditer(text):  # tokens must follow each other: a gap is an unexpected character
            if match.start() != pos:
                break
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), offset + match.start(kind)))
            pos = match.end()
        if pos < len(text) and not text[pos:].isspace():
            raise TypeCellError(f"unexpected character {text[pos]!r} in type", offset + pos)
        self.index = 0
        self.end_offset = offset + len(text)

    def peek(self) -> tuple[str, str, int]:
        if self.index < len(self.tokens):
            return self.tokens[self.index]
        return ("end", "", self.end_offset)

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        kind, text, at = self.take()
        if text != value or kind != "punct":
            found = repr(text) if kind != "end" else "the end"
            raise TypeCellError(f"expected {value!r}, found {found}", at)

    def expect_end(self) -> None:
        kind, text, at = self.peek()
        if kind != "end":
            raise TypeCellError(f"unexpected {text!r} after the type", at)

    def type(self, depth: int) -> TypeNode:
        if depth > MAX_DEPTH:
            raise TypeCellError(f"type nested deeper than {MAX_DEPTH} levels", self.peek()[2])
        kind, name, at = self.take()
        if kind != "name":
            found = repr(name) if kind != "end" else "nothing"
            raise TypeCellError(f"expected a type, found {found}", at)
        if name == "Literal":
            return LiteralType(tuple(self.bracketed(self.literal)))
        if name == "IO":
            self.expect("[")
            self.expect_name("bytes")
            self.expect("]")
            return Primitive("IO[bytes]")
        if name in WRAPPERS or name in STREAMS:
            if name == "Dict":
                self.expect("[")
                self.expect_name("str")
                self.expect(",")
                value = self.type(depth + 1)
                self.expect("]")
                return Generic("Dict", (value,))
            args = self.bracketed(lambda: self.type(depth + 1))
            if name != "Union" and len(args) != 1:
                raise TypeCellError(f"{name}[...] takes one type, got {len(args)}", at)
            return Generic(name, tuple(args))  # type: ignore[arg-type]
        node = _named(name)
        if node is None:
            raise TypeCellError(f"unknown type {name!r}", at)
        return node

    def expect_name(self, value: str) -> None:
        kind, text, at = self.take()
        if kind != "name" or text != value:
            raise TypeCellError(f"expected {value!r}, found {text!r}", at)

    def bracketed(self, item: Callable[[], _Item]) -> list[_Item]:
        self.expect("[")
        items = [item()]
        while self.peek()[1] == ",":
            self.take()
            items.append(item())
        self.expect("]")
        return items

    def literal(self) -> Union[str, int, bool]:
        kind, text, at = self.take()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "int":
            return int(text)
        if text in ("True", "False"):
            return text == "True"
        raise TypeCellError(f"expected a literal value, found {text!r}", at)
