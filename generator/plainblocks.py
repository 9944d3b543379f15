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


# What a paragraph, a heading and a list end with: the same token every time.
_PARAGRAPH_CLOSE = Block("paragraph_close", "p", 0)
_HEADING_TAGS = {"#" * level: f"h{level}" for level in range(1, 7)}
_HEADING_CLOSE = {tag: Block("heading_close", tag, 0) for tag in _HEADING_TAGS.values()}
_LIST_CLOSE = Block("bullet_list_close", "ul", 0)
# The first characters of a paragraph's line besides a table's pipe (a backtick: not three).
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _is_blank(line: str) -> bool:
    return not line.strip(" \t")


def _is_item(line: str) -> bool:
    """A list item holding an inline code span (an enum value), not a fence."""
    return line.startswith("- `") and not line.startswith("- ```")


def _paragraph(first: int, end: int) -> tuple[Block, Block, Block]:
    return Block("paragraph_open", "p", 0, [first, end]), Block("inline", "", 1, [first, end]), _PARAGRAPH_CLOSE


def plain_blocks(lines: list[str]) -> Optional[list[Block]]:
    """The block tokens of the doc whose lines (split at "\\n") are `lines`,
    as markdown-it gives them at level 0 (list items' insides left out,
    which the parse never reads), or None when the doc is not plain."""
    tokens: list[Block] = []
    paragraph = -1  # the first line of the open paragraph, -1 when none is open
    n, count = 0, len(lines)
    # One test of the first character sorts most lines: this loop sees every line of every doc.
    while n < count:
        line = lines[n]
        first = line[:1]
        if first == "|" or first in _LETTERS or (first == "`" and not line.startswith("```")):  # paragraph text
            if paragraph < 0:
                paragraph = n
            n += 1
            continue
        if paragraph >= 0:  # any other line ends the paragraph
            if _is_item(line):  # a list interrupting a paragraph: markdown-it decides
                return None
            tokens += _paragraph(paragraph, n)
            paragraph = -1
        if first == "" or (first in " \t" and _is_blank(line)):
            pass
        elif first == "#":
            match = _HEADING.fullmatch(line)
            if match is None:
                return None
            tag = _HEADING_TAGS[match.group(1)]
            tokens += (Block("heading_open", tag, 0, [n, n + 1]),
                       Block("inline", "", 1, [n, n + 1], match.group(2).strip()), _HEADING_CLOSE[tag])
        elif first == "`":  # a fence: ``` and more
            try:
                end = lines.index(_FENCE_END, n + 1)
            except ValueError:  # not closed
                return None
            body = lines[n + 1 : end]
            content = "\n".join(body) + "\n" if body else ""
            # another fence-like line inside (```` or an indented ```) may close it first
            if not _FENCE.fullmatch(line) or ("```" in content and any(text.lstrip().startswith("```") for text in body)):
                return None
            tokens.append(Block("fence", "code", 0, [n, end + 1], content, line[3:]))
            n = end
        elif _is_item(line):
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
            tokens += (Block("bullet_list_open", "ul", 0, [n, end]), _LIST_CLOSE)
            n = last
        else:
            return None
        n += 1
    if paragraph >= 0:
        tokens += _paragraph(paragraph, count)
    return tokens
