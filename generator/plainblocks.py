"""The block structure of a plain doc, without markdown-it.

Most model docs hold only headings, paragraphs (the tables among them),
fenced code and a list of enum values, each line starting so that it can
open one kind of block only.  For such a doc `plain_blocks` finds the level-0
blocks by a line scan, as markdown-it's commonmark rules would (the parse
reads the table rows from the lines, and only the level-0 tokens, the
headings' text and the fences' content from the tokens), at a fraction of
the cost.  Any line it is not sure of (a quote, an HTML block, an indented
line, a list that is not a run of `` - `value` `` items, a fence that is
not closed by a plain ```` ``` ````, a heading with a `#` in its text, ...)
makes it return None, and the doc goes to markdown-it.
`tests/test_parse.py` checks that both give the same IR on every doc of the
corpora, and the same level-0 tokens wherever the scan answers.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

_HEADING = re.compile(r"(#{1,6}) ([^#]*)")
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*")
_FENCE_END = "```"


class Block(NamedTuple):
    """A block token as the parse reads it: markdown-it's `Token` has these
    attributes too, but costs ten times as much to make.  A paragraph's
    content is left empty (the parse reads the lines)."""

    type: str
    tag: str
    level: int
    map: Optional[list[int]] = None
    content: str = ""
    info: str = ""


def _is_blank(line: str) -> bool:
    return not line.strip(" \t")


def _is_item(line: str) -> bool:
    """A list item holding an inline code span (an enum value), not a fence."""
    return line.startswith("- `") and not line.startswith("- ```")


def _is_text(line: str) -> bool:
    """A line that can only open or continue a paragraph: led by an ASCII
    letter or a code span's backtick (not three); a table's pipe is
    checked first."""
    first = line[0]
    return (first.isascii() and first.isalpha()) or (first == "`" and not line.startswith("```"))


def plain_blocks(lines: list[str]) -> Optional[list[Block]]:
    """The block tokens of the doc whose lines (split at "\\n") are `lines`,
    as markdown-it gives them at level 0 (list items' insides left out,
    which the parse never reads), or None when the doc is not plain."""
    tokens: list[Block] = []
    paragraph: Optional[int] = None  # the first line of the open paragraph

    def close_paragraph(end: int) -> None:
        nonlocal paragraph
        if paragraph is not None:
            tokens.append(Block("paragraph_open", "p", 0, [paragraph, end]))
            tokens.append(Block("inline", "", 1, [paragraph, end]))
            tokens.append(Block("paragraph_close", "p", 0))
            paragraph = None

    n, count = 0, len(lines)
    while n < count:
        line = lines[n]
        if line[:1] == "|":  # a table row (most lines): paragraph text
            if paragraph is None:
                paragraph = n
        elif _is_blank(line):
            close_paragraph(n)
        elif line[0] == "#":
            match = _HEADING.fullmatch(line)
            if match is None:
                return None
            close_paragraph(n)
            tag = f"h{len(match.group(1))}"
            tokens.append(Block("heading_open", tag, 0, [n, n + 1]))
            tokens.append(Block("inline", "", 1, [n, n + 1], match.group(2).strip()))
            tokens.append(Block("heading_close", tag, 0))
        elif line.startswith("```"):
            try:
                end = lines.index(_FENCE_END, n + 1)
            except ValueError:  # not closed
                return None
            body = lines[n + 1 : end]
            # another fence-like line inside (```` or an indented ```) may close it first
            if not _FENCE.fullmatch(line) or any(text.lstrip().startswith("```") for text in body):
                return None
            close_paragraph(n)
            content = "".join(f"{text}\n" for text in body)
            tokens.append(Block("fence", "code", 0, [n, end + 1], content, line[3:]))
            n = end
        elif _is_item(line):
            if paragraph is not None:  # a list interrupting a paragraph: markdown-it decides
                return None
            last = n
            while last + 1 < count and (_is_item(lines[last + 1]) or _is_blank(lines[last + 1])):
                last += 1
            while _is_blank(lines[last]):
                last -= 1
            after = last + 1  # right after an item: a heading ends the list, other text would continue it
            if after < count and not _is_blank(lines[after]) and lines[after][0] != "#":
                return None
            while after < count and _is_blank(lines[after]):  # markdown-it's list takes the blank lines after it
                after += 1
            # markdown-it has no line after a final "\n"
            end = after if after < count or lines[-1] != "" else count - 1
            tokens.append(Block("bullet_list_open", "ul", 0, [n, end]))
            tokens.append(Block("bullet_list_close", "ul", 0))
            n = last
        elif _is_text(line):
            if paragraph is None:
                paragraph = n
        else:
            return None
        n += 1
    close_paragraph(count)
    return tokens
