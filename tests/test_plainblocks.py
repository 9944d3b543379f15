"""The plain-doc fast path (`plainblocks`) and the fast table-row split give
what markdown-it and the regex give: the same IR on every doc of the
corpora and on odd docs made up by hypothesis, and the same level-0 tokens
wherever the fast path answers."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from generator import parse
from generator.parse import _MARKDOWN, CELL_SEPARATOR, split_row, decode, parse_doc, spec_paths
from generator.plainblocks import Block, plain_blocks

from .support import CORPUS, corpus_docs


def level_zero(tokens: Sequence[Union[Token, Block]]) -> list[tuple[Any, ...]]:
    """What the parse reads of the tokens: the level-0 ones (a fence's
    content and info too) and the text of each heading."""
    seen: list[tuple[Any, ...]] = []
    for n, token in enumerate(tokens):
        if token.level == 0:
            seen.append((token.type, token.tag, token.map, token.content if token.type == "fence" else None,
                         token.info if token.type == "fence" else None))
        elif token.type == "inline" and tokens[n - 1].type == "heading_open":
            seen.append(("heading text", token.map, token.content))
    return seen


def slow_parse(text: str, path: str) -> Any:
    with mock.patch.object(parse, "plain_blocks", lambda lines: None):
        return parse_doc(text, path)


def assert_same(text: str, path: str) -> Optional[list[Block]]:
    """Fast and slow parse agree on `text`; the fast path's tokens (None: it declined)."""
    tokens = plain_blocks(text.split("\n"))
    if tokens is not None:
        assert level_zero(tokens) == level_zero(_MARKDOWN.parse(text)), path
    assert parse_doc(text, path) == slow_parse(text, path), path
    return tokens


@pytest.mark.parametrize("sdk", ["orq-python-3.4.0", pytest.param("orq-python-4.13.19", marks=pytest.mark.slow),
                                 "dub-python"])
def test_fast_and_slow_parse_agree_on_every_corpus_doc(sdk: str) -> None:
    root = corpus_docs(sdk) if sdk != "dub-python" else CORPUS / sdk / "docs"
    if not root.is_dir():
        pytest.skip(f"corpus {sdk} not present at {CORPUS}")
    paths = spec_paths(root / "models", under="models/")[0]
    answered = 0
    for rel in paths:
        text, _ = decode((root / rel).read_bytes(), rel)
        assert text is not None
        answered += assert_same(text, rel) is not None
    assert answered > 0.9 * len(paths)  # the fast path is the common case, or it buys nothing


TITLE = st.sampled_from(["# Pet", "# ~~Old~~", "#  Pet  ", "# Pet #", "#Pet", "# Pet\r", "# P#t", "## Pet"])
HEADINGS = st.sampled_from(["## Fields", "## Values", "## Supported Types", "## Example Usage", "### Member",
                            "### `Member`", "## Fields ##", "##Fields", "   ## Fields", "## Other", "#### Deep"])
CELL = st.text(alphabet=st.sampled_from(list("ab |\\`<br/>*_~-#>:\t\r")), max_size=12)
ROW = st.lists(CELL, min_size=0, max_size=5).map(lambda cells: "|" + "|".join(cells) + "|")
OTHER = st.sampled_from([
    "", " ", "\t", "Some text.", "`code` text", "``two`` ticks", "```", "```python", "````", "   ```", "``` x",
    "~~~", "- `\"a\"`", "- `1`", "- ```", "- text", "-", "---", "===", "***", "___", "> quoted", "<div>", "</div>",
    "<!-- c -->", "1. one", "2) two", "+ plus", "* star", "    indented", "  two spaces", "[ref]: /url",
    "| Field | Type | Required | Description |", "| ----- | ---- | -------- | ----------- |",
    "| `id` | *str* | :heavy_check_mark: | The id. |", "| `A` | a |", "| Name | Value |", "| --- | --- |",
    "from x import Y", "value: Pet = /* values here */", "This is an open enum. Unrecognized values will not fail type checks.",
    "> :warning: **DEPRECATED**: gone.", "é accented", "\u00a0nbsp", "|", "||", "| a \\| b |",
])
LINE = st.one_of(HEADINGS, OTHER, ROW, CELL)


@settings(max_examples=300, deadline=None)
@given(title=TITLE, body=st.lists(LINE, max_size=25), end=st.sampled_from(["", "\n", "\n\n"]))
def test_fast_and_slow_parse_agree_on_odd_docs(title: str, body: list[str], end: str) -> None:
    assert_same("\n".join([title, *body]) + end, "models/pet.md")


@settings(max_examples=300, deadline=None)
@given(title=TITLE, heading=HEADINGS, rows=st.lists(ROW, max_size=8), end=st.sampled_from(["", "\n"]))
def test_fast_and_slow_parse_agree_on_odd_tables(title: str, heading: str, rows: list[str], end: str) -> None:
    assert_same("\n".join([title, "", heading, "", *rows]) + end, "models/pet.md")


def regex_split(row: str) -> list[tuple[str, int]]:
    """The cells between the unescaped pipes of a row that starts and ends with one, stripped of spaces."""
    cells, start = [], 1
    for match in CELL_SEPARATOR.finditer(row, 1):
        raw = row[start : match.start()]
        cells.append((raw.strip(" "), start + len(raw) - len(raw.lstrip(" "))))
        start = match.end()
    return cells


@given(st.text(alphabet=st.sampled_from(list("ab |\\`<>/ \t\r\xa0")), max_size=40), st.sampled_from(["", " ", "  "]))
def test_the_fast_row_split_is_the_regex_split(inside: str, trailing: str) -> None:
    line = f"|{inside}|{trailing}"
    row = split_row(line)
    assert (row is None) == inside.endswith("\\")  # an escaped last pipe: no row
    if row is not None:
        assert row == regex_split(line.rstrip(" "))


def test_the_fast_path_declines_what_markdown_it_must_judge() -> None:
    for doc in ["# T\n\n> ## Fields\n", "# T\n\n```\n## Fields\n", "# T\n\n- `a`\nmore\n## Values\n",
                "# T\n\ntext\n- `a`\n", "# T\n\n    ## Fields\n", "# T\n\n<div>\n", "# T\n## F#elds\n"]:
        assert plain_blocks(doc.split("\n")) is None, doc


def test_a_fence_closed_by_a_longer_fence_is_left_to_markdown_it() -> None:
    doc = "# T\n\n## Example Usage\n\n```python\nvalue = 1\n````\n\n```\n\n## Values\n\n- `1`\n"
    assert plain_blocks(doc.split("\n")) is None
    assert_same(doc, "models/t.md")


def test_level_zero_sees_what_the_parse_reads() -> None:  # the comparison itself can fail
    text = "# T\n\n## Fields\n\n| a |\n"
    tokens = _MARKDOWN.parse(text)
    assert level_zero(tokens) != level_zero(_MARKDOWN.parse(text.replace("Fields", "Values")))
    assert ("heading text", [0, 1], "T") in level_zero(tokens)

