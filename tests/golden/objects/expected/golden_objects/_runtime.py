"""Runtime support shared by the generated models (no import of md2models).

Choices:
- `UNSET` (the only `Unset`) marks an `OptionalNullable` field that was not
  given; it is falsy, validates only itself and is never serialized.
- `BaseModel.model_dump()` / `model_dump_json()` omit fields whose value is
  `UNSET`, and optional fields (default `None`) whose value is `None`; an
  explicit `None` of a `Nullable` / `OptionalNullable` field is kept.  Keys
  follow `by_alias`.
- `httpx.Response`, `httpx.Request` and `requests.Response` are
  `HttpxResponse`, `HttpxRequest`, `RequestsResponse`: the real types for
  type checkers (a `TYPE_CHECKING` import; `Any` where httpx / requests are
  not installed), `Any` at run time, so the package needs neither.
  `IO[bytes]` is `typing.IO[bytes]`; `io.BufferedReader` / `io.IOBase`
  and `Decimal` are the stdlib types.
- Open enums: `UnrecognizedStr` / `UnrecognizedInt` for `Literal` aliases;
  `open_enum_member` builds pseudo-members for Enum classes (`_missing_`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, NewType, Optional, TypeVar, Union

import pydantic
from pydantic_core import core_schema

__all__ = [
    "UNSET",
    "BaseModel",
    "HttpxRequest",
    "HttpxResponse",
    "Nullable",
    "OptionalNullable",
    "RequestsResponse",
    "UnrecognizedInt",
    "UnrecognizedStr",
    "Unset",
    "open_enum_member",
]


class Unset:
    """The type of `UNSET`: a value that was not given at all."""

    _instance: Optional["Unset"] = None

    def __new__(cls) -> "Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __copy__(self) -> "Unset":
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Unset":
        return self

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: pydantic.GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.is_instance_schema(
            cls,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda _: None
            ),
        )


UNSET = Unset()

T = TypeVar("T")
Nullable = Union[T, None]
OptionalNullable = Union[Optional[T], Unset]

UnrecognizedStr = NewType("UnrecognizedStr", str)
UnrecognizedInt = NewType("UnrecognizedInt", int)

# Type checkers see the real httpx / requests types where those are installed
# (and `Any` where not); at run time they are `Any`: the package imports neither.
if TYPE_CHECKING:
    from httpx import Request as HttpxRequest  # type: ignore[import-not-found, unused-ignore]
    from httpx import Response as HttpxResponse  # type: ignore[import-not-found, unused-ignore]
    from requests import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
        Response as RequestsResponse,
    )
else:
    HttpxResponse = Any
    HttpxRequest = Any
    RequestsResponse = Any


def open_enum_member(cls: Any, value: object) -> Any:
    """A pseudo-member of Enum class `cls` for an unknown value (open enums)."""
    base = int if issubclass(cls, int) else str
    if not isinstance(value, base) or isinstance(value, bool):
        return None
    member = base.__new__(cls, value)
    member._name_ = f"UNRECOGNIZED_{value}"
    member._value_ = value
    return member


class BaseModel(pydantic.BaseModel):
    """Base of every generated model."""

    model_config = pydantic.ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
        defer_build=True,
    )

    @pydantic.model_serializer(mode="wrap")
    def _md2models_serialize(
        self,
        handler: pydantic.SerializerFunctionWrapHandler,
        info: pydantic.SerializationInfo,
    ) -> Any:
        data = handler(self)
        if not isinstance(data, dict):
            return data
        for name, spec in type(self).model_fields.items():
            key = (
                (spec.serialization_alias or spec.alias or name)
                if info.by_alias
                else name
            )
            if key not in data:
                continue
            value = getattr(self, name, None)
            if isinstance(value, Unset) or (
                value is None and spec.default is None and not spec.is_required()
            ):
                del data[key]
        return data
