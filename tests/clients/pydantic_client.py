"""A user's code against the pydantic target's models (golden `objects`):
pyright strict and mypy --strict must pass it, as they pass the SDK's own."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from objects_pydantic import Child, ChildTypedDict, KitchenSink, KitchenSinkTypedDict


def nickname_or(sink: KitchenSink, default: str) -> str:
    nickname = sink.nickname  # OptionalNullable[str]: str, None or UNSET
    return nickname if nickname else default


def child_twin() -> ChildTypedDict:
    return {"id": "c", "score": 1.5}


def sink_twin() -> KitchenSinkTypedDict:
    return {
        "name": "n", "count": 1, "enabled": True, "anything": {"x": [1]}, "parent_id": None,
        "tags": ["a"], "matrix": [[1, 2]], "nested_flags": {"a": {"b": True}}, "nullable_items": ["x", None],
        "child": child_twin(), "required_nullable_child": None, "children": [child_twin()],
        "created_at": datetime(2024, 5, 1, 12), "from_": "wire name",
    }


def scores(sink: KitchenSink) -> list[float]:
    return [child.score for child in sink.children if child.score is not None]


def round_trip() -> dict[str, Any]:
    child = Child(id="c", score=2.0)
    sink = KitchenSink.model_validate({**sink_twin(), "child": child})
    assert nickname_or(sink, "none") == "none" and sink.child.id == "c"
    assert sink.created_at.year == 2024 and scores(sink) == [1.5]
    labels: dict[str, str] = sink.labels if sink.labels else {}
    dumped: dict[str, Any] = sink.model_dump(by_alias=True)
    assert json.loads(sink.model_dump_json(by_alias=True))["from"] == dumped["from"] and not labels
    return dumped
