"""A user's code against the dataclasses target's classes (golden
`objects`): pyright strict and mypy --strict must pass it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from objects_dataclasses import Child, KitchenSink
from objects_dataclasses._runtime import UNSET


def nickname_or(sink: KitchenSink, default: str) -> str:
    nickname = sink.nickname  # OptionalNullable[str]: str, None or UNSET
    return nickname if nickname else default


def build() -> KitchenSink:
    child = Child(id="c", score=1.5)
    return KitchenSink(
        name="n", count=1, enabled=True, anything=None, parent_id=None, tags=["a"], matrix=[[1]],
        nested_flags={"a": {"b": True}}, nullable_items=[None], child=child, required_nullable_child=None,
        children=[child], created_at=datetime(2024, 5, 1), from_="wire name", nickname=UNSET,
    )


def round_trip() -> dict[str, Any]:
    sink = build()
    assert nickname_or(sink, "none") == "none"
    scores = [child.score for child in sink.children if child.score is not None]
    wire = {f.name: f.metadata.get("alias", f.name) for f in dataclasses.fields(sink)}
    assert scores == [1.5] and wire["from_"] == "from"
    return dataclasses.asdict(sink)
