"""Payloads for the wire test: built from a pydantic model class by walking
its annotations, seeded and deterministic.

`payloads(cls, seed)` gives one JSON-ready dict per kind in `KINDS`:

  full       every field, a non-null value where the type allows one
  required   the required fields only
  nulls      every field that admits `None` given `None`, the rest as full
  subset1/2  the required fields and a random half of the others
  unknown    full, with an unknown value for the first enum or literal met
  missing    the required fields less one (only for models that have one)

Nested models get their required fields and a random half of the others.
The walker reads what both the real SDK's models and md2models' models are
made of: `TypeAliasType`s (`Nullable`, `OptionalNullable`, unions),
`Annotated`, `NewType`, `Union`, `Literal`, `Enum`, `List`, `Dict`, models.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import random
import types
import typing
from typing import Any, Optional

import pydantic
import typing_extensions

KINDS = ("full", "required", "nulls", "subset1", "subset2", "unknown", "missing")
UNKNOWN = "zz_not_a_known_value"
MAX_DEPTH = 5


class Unbuildable(Exception):
    """A type no JSON value can stand for (streams, files, responses)."""


def _is_alias(tp: Any) -> bool:
    return isinstance(tp, (typing_extensions.TypeAliasType, getattr(typing, "TypeAliasType", ())))


def normalize(tp: Any) -> Any:
    """The type behind aliases, `Annotated`, `NewType` and the runtimes'
    `Nullable` / `OptionalNullable` (whatever their run-time form)."""
    while True:
        origin = typing_extensions.get_origin(tp)
        if _is_alias(tp):
            tp = tp.__value__
        elif origin is not None and _is_alias(origin):
            tp = origin.__value__[typing_extensions.get_args(tp)]
        elif origin is typing_extensions.Annotated:
            tp = typing_extensions.get_args(tp)[0]
        elif isinstance(tp, typing.NewType):
            tp = tp.__supertype__
        else:
            return tp


def _is_union(tp: Any) -> bool:
    origin = typing_extensions.get_origin(tp)
    return origin is typing.Union or origin is types.UnionType


def _is_unset(tp: Any) -> bool:
    return isinstance(tp, type) and tp.__name__ == "Unset"


def admits_none(tp: Any) -> bool:
    tp = normalize(tp)
    if tp is Any or tp is type(None) or tp is None:
        return True
    return _is_union(tp) and any(admits_none(arg) for arg in typing_extensions.get_args(tp))


def model_fields(cls: type[pydantic.BaseModel]) -> list[tuple[str, Any, bool]]:
    """(wire name, annotation, required) per field."""
    return [(spec.alias or name, spec.annotation, spec.is_required()) for name, spec in cls.model_fields.items()]


class Walker:
    def __init__(self, seed: int, nulls: bool = False, unknown: bool = False):
        self.rng = random.Random(seed)
        self.nulls = nulls
        self.unknown = unknown  # an unknown enum value still to place

    def model(self, cls: type[pydantic.BaseModel], keys: Optional[set[str]], depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise Unbuildable(f"{cls.__name__}: too deep")
        out: dict[str, Any] = {}
        for key, tp, required in model_fields(cls):
            if keys is None:
                if not required and self.rng.random() < 0.5:
                    continue
            elif key not in keys:
                continue
            try:
                out[key] = self.value(tp, depth + 1)
            except Unbuildable:
                if required:
                    raise
        return out

    def value(self, tp: Any, depth: int) -> Any:
        tp = normalize(tp)
        if self.nulls and admits_none(tp):
            return None
        rng = self.rng
        if tp is Any:
            return rng.choice(["any", 7, 2.5, True, {"a": 1}, ["x"]])
        if tp is type(None) or tp is None:
            return None
        if _is_union(tp):
            args = [a for a in typing_extensions.get_args(tp) if not _is_unset(normalize(a))]
            concrete = [a for a in args if normalize(a) is not type(None)] or args
            return self.value(rng.choice(concrete), depth)
        origin = typing_extensions.get_origin(tp)
        args = typing_extensions.get_args(tp)
        if origin is typing.Literal:
            if self.unknown and all(isinstance(a, str) for a in args):
                self.unknown = False
                return UNKNOWN
            return rng.choice(args)
        if origin in (list, typing.List):
            return [self.value(args[0], depth + 1) for _ in range(rng.randint(1, 2))]
        if origin in (dict, typing.Dict):
            return {f"k{i}": self.value(args[1], depth + 1) for i in range(rng.randint(1, 2))}
        if isinstance(tp, type):
            if issubclass(tp, pydantic.BaseModel):
                return self.model(tp, None, depth)
            if issubclass(tp, enum.Enum):
                if self.unknown and issubclass(tp, str):
                    self.unknown = False
                    return UNKNOWN
                return rng.choice(list(tp)).value
            if tp is bool:
                return rng.choice([True, False])
            if tp is int:
                return rng.randint(-5, 1000)
            if tp is float:
                return rng.choice([0.5, 3.0, 12.25])
            if tp is str:
                return rng.choice(["a", "hello", "1"])
            if tp is datetime.datetime:
                return "2024-05-06T07:08:09Z"
            if tp is datetime.date:
                return "2024-05-06"
            if tp is decimal.Decimal:
                return "1.5"
        raise Unbuildable(repr(tp))


def payloads(cls: type[pydantic.BaseModel], seed: int) -> dict[str, dict[str, Any]]:
    """One payload per kind of `KINDS` that can be built for `cls`."""
    fields = model_fields(cls)
    everything = {key for key, _, _ in fields}
    required = {key for key, _, req in fields if req}
    out: dict[str, dict[str, Any]] = {}
    for n, kind in enumerate(KINDS):
        walker = Walker(seed * 31 + n, nulls=kind == "nulls", unknown=kind == "unknown")
        keys: set[str] = everything
        if kind in ("required", "missing"):
            keys = set(required)
        elif kind.startswith("subset"):
            keys = required | {key for key in sorted(everything - required) if walker.rng.random() < 0.5}
        try:
            payload = walker.model(cls, keys, 0)
        except Unbuildable:
            continue
        if kind == "missing":
            present = sorted(set(payload) & required)
            if not present:
                continue
            del payload[walker.rng.choice(present)]
        out[kind] = payload
    return out
