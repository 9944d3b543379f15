"""pylayout lays out each statement shape the renderer emits exactly as black
does, both when it splits a shape for the first time and when it replays a
memoised split of the same shape with other names (see `pylayout.layout`)."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import pylayout as L
from generator.pyimports import from_import
from generator.pysyntax import annassign, assign, call, class_header, literal_value, subscript, union

black = pytest.importorskip("black")

NAME = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"), min_size=1, max_size=70).map(
    lambda s: "N" + s
)
NAMES = st.lists(NAME, min_size=1, max_size=6)


def _same_lengths(names: list[str]) -> list[str]:
    """Other names of the same lengths: the same shape, so a memo replay."""
    return ["Z" * len(n) for n in names]


def _annotated(names: list[str]) -> str:
    field, *types = names
    ann = subscript("Optional", [subscript("List", [[L.name(t)] for t in types or ["str"]])])
    default = call("pydantic.Field", [], [("alias", [literal_value(field.lower())])])
    return annassign(field, subscript("Annotated", [ann, default]), [L.name("None")], 1)


def _alias(names: list[str]) -> str:
    alias, *members = names
    union = subscript("Union", [[L.name(m)] for m in members or ["str"]])
    return assign(alias, call("TypeAliasType", [[literal_value(alias)], union]), 0)


def _literal(names: list[str]) -> str:
    return assign(names[0], subscript("Literal", [[literal_value(n)] for n in names]), 0)


def _pipe_annotated(names: list[str]) -> str:
    """`x: list[A | B] | C | None = None` (3.10 on)."""
    field, *types = names
    inner = subscript("list", [union([[L.name(t)] for t in types or ["str"]])])
    return annassign(field, union([inner, *([L.name(t)] for t in types[:2]), [L.name("None")]]), [L.name("None")], 1)


def _pipe_alias(names: list[str]) -> str:
    alias, *members = names
    return assign(alias, call("TypeAliasType", [[literal_value(alias)], union([[L.name(m)] for m in members or ["str"]])]), 0)


def _metadata(names: list[str]) -> str:
    """`x: T = dataclasses.field(default=None, metadata={"alias": "..."})`."""
    field, *rest = names
    pairs = [[literal_value("alias"), L.op(L.COLON, ":"), literal_value(n, )] for n in rest or [field]]
    for pair in pairs:
        pair[2].prefix = " "
    literal = [L.Tok(L.LBRACE, "{", parent=L.ATOM)]
    for i, pair in enumerate(pairs):
        if i:
            literal.append(L.op(L.COMMA, ","))
            pair[0].prefix = " "
        literal += pair
    literal.append(L.Tok(L.RBRACE, "}"))
    value = call("dataclasses.field", [], [("default", [L.name("None")]), ("metadata", literal)])
    return annassign(field, [L.name(field)], value, 1)


SHAPES: list[Callable[[list[str]], str]] = [
    _pipe_annotated,
    _pipe_alias,
    _metadata,
    lambda names: from_import("." + names[0].lower(), names),
    lambda names: class_header(names[0], names[1:] or ["BaseModel"]),
    _annotated,
    _alias,
    _literal,
]


@settings(max_examples=150, deadline=None)
@given(shape=st.sampled_from(range(len(SHAPES))), names=NAMES)
def test_first_split_and_replay_match_black(shape: int, names: list[str]) -> None:
    make = SHAPES[shape]
    for variant in (names, _same_lengths(names), names):
        text = make(variant)
        source = "class C:\n" + text if text.startswith(" ") else text
        source += "    pass\n" if source.endswith(":\n") else ""  # a class header needs a body
        assert black.format_str(source, mode=black.Mode()) == source
