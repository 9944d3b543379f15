"""A user's code against the typeddict target's dicts (golden `objects`):
pyright strict and mypy --strict must pass it."""

from __future__ import annotations

import json
from datetime import datetime

from objects_typeddict import ChildTypedDict, KitchenSinkTypedDict


def nickname_or(sink: KitchenSinkTypedDict, default: str) -> str:
    nickname = sink.get("nickname")  # NotRequired[Nullable[str]]
    return nickname if nickname else default


def build() -> KitchenSinkTypedDict:
    child: ChildTypedDict = {"id": "c", "score": 1.5}
    return {
        "name": "n", "count": 1, "enabled": True, "anything": None, "parent_id": None, "tags": ["a"],
        "matrix": [[1]], "nested_flags": {"a": {"b": True}}, "nullable_items": [None], "child": child,
        "required_nullable_child": None, "children": [child], "created_at": datetime(2024, 5, 1),
        "from_": "wire name",
    }


def round_trip() -> str:
    sink = build()
    assert nickname_or(sink, "none") == "none"
    scores = [child.get("score", 0.0) for child in sink["children"]]
    assert scores == [1.5]
    return json.dumps(sink, default=str)
