"""Runtime support shared by the generated models (no import of md2models).

Choices:
- `UNSET` (the only `Unset`) marks an `OptionalNullable` field that was not
  given; it is falsy, validates only itself and is never serialized.
- `BaseModel.model_dump()` / `model_dump_json()` send what the SDKs send:
  a field whose value is `UNSET` is omitted; `None` is omitted for every
  optional field (one with a default, whatever the default) that is not
  `Nullable` / `OptionalNullable`, and kept (`null`) for a nullable or a
  required field.  Keys follow `by_alias`.  So that the serializer can tell
  them apart, `Nullable[T]` and `OptionalNullable[T]` are, at run time,
  `Optional[T]` / `Union[T, Unset, None]` annotated with the `NULLABLE`
  marker (type checkers see the plain unions).
- Discriminated unions find their member with `tag_of(attr, key)`: the tag
  is the wire key `key` of a dict (or `attr`, as `populate_by_name`
  allows), or attribute `attr` of a model.
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

from enum import Enum
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Literal,
    NewType,
    TypeVar,
    Union,
    cast,
    final,
)

import pydantic
from pydantic_core import core_schema
from typing_extensions import Annotated, get_args

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
    "tag_of",
]


@final
class Unset:
    """The type of `UNSET`: a value that was not given at all."""

    _instance: Union[Unset, None] = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __copy__(self) -> Unset:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Unset:
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


class _Nullable:
    """The marker of a field whose `None` is sent as `null`."""

    def __repr__(self) -> str:
        return "NULLABLE"


NULLABLE = _Nullable()

T = TypeVar("T")
if TYPE_CHECKING:
    Nullable = Union[T, None]
    OptionalNullable = Union[T, Unset, None]
else:
    Nullable = Annotated[Union[T, None], NULLABLE]
    OptionalNullable = Annotated[Union[T, Unset, None], NULLABLE]


def _is_nullable(spec: Any) -> bool:
    """Whether a field is `Nullable`: the marker on it, or on a member of its
    union (an override's `Optional[Nullable[T]]`)."""
    if NULLABLE in spec.metadata:
        return True
    return any(
        NULLABLE in getattr(arg, "__metadata__", ())
        for arg in get_args(spec.annotation)
    )


def tag_of(attr: str, key: str) -> Callable[[Any], Union[str, None]]:
    """The discriminator of a discriminated union (None: no tag, an error)."""

    def tag(value: Any) -> Union[str, None]:
        found: object
        if isinstance(value, dict):
            items = cast("dict[str, object]", value)
            found = items.get(key, items.get(attr))
        else:
            found = getattr(value, attr, None)
        if isinstance(found, Enum):
            found = found.value
        return found if isinstance(found, str) else None

    return tag


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
    member: Any
    if issubclass(cls, int):
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
    elif isinstance(value, str):
        member = str.__new__(cls, value)
    else:
        return None
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

    _md2models_fields: ClassVar[Union[tuple[tuple[str, str, bool], ...], None]] = None

    @classmethod
    def _md2models_optional(cls) -> tuple[tuple[str, str, bool], ...]:
        """(name, wire name, keep None?) of each optional field, cached per
        class: only those can hold `UNSET` or a `None` to leave out."""
        found: Union[tuple[tuple[str, str, bool], ...], None] = cls.__dict__.get(
            "_md2models_fields"
        )
        if found is None:
            found = tuple(
                (
                    name,
                    spec.serialization_alias or spec.alias or name,
                    _is_nullable(spec),
                )
                for name, spec in cls.model_fields.items()
                if not spec.is_required()
            )
            cls._md2models_fields = found
        return found

    @pydantic.model_serializer(mode="wrap")
    def _md2models_serialize(
        self,
        handler: pydantic.SerializerFunctionWrapHandler,
        info: pydantic.SerializationInfo,
    ) -> Any:
        data = handler(self)
        if not isinstance(data, dict):
            return data
        dumped = cast("dict[str, Any]", data)
        by_alias = info.by_alias
        values = self.__dict__
        for name, alias, keep_none in type(self)._md2models_optional():
            value = values.get(name)
            if isinstance(value, Unset) or (value is None and not keep_none):
                dumped.pop(alias if by_alias else name, None)
        return dumped
