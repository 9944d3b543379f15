"""Runtime support shared by the generated dataclasses (no import of md2models).

The `dataclasses` output kind: standard-library only (`dataclasses`,
`typing`, `enum`), no pydantic, no typing_extensions; Python 3.9+.

Choices:
- Classes are `@dataclasses.dataclass` with the fields of the docs, those
  without a default first (dataclasses require it; the order is otherwise
  the docs').  `Optional[T]` fields default to `None`, `OptionalNullable[T]`
  fields to `UNSET`, `Literal` consts to their literal.  No validation and
  no (de)serialization: the classes hold values, nothing more.
- `UNSET` (the only `Unset`) marks an `OptionalNullable` field that was not
  given; it is falsy.  `Nullable[T]` is `Optional[T]`;
  `OptionalNullable[T]` is `Union[T, Unset, None]`.
- Absent: an `Optional[T]` field left at `None`, an `OptionalNullable[T]`
  field at `UNSET`.  A dataclass has no serializer; code that sends one
  should do as the pydantic kind does: leave out `UNSET` and the `None` of
  every optional field that is not nullable, send `None` of a nullable
  (`Nullable` / `OptionalNullable`) or required field as `null`.
- Union members are in the SDK's order (by field count, fewest first);
  unions are plain (no discriminator without pydantic).
- A field whose wire name is not its attribute name (`from` -> `from_`)
  records the wire name in `dataclasses.field(metadata=...)` as `alias`:
  read it with `dataclasses.fields(cls)[i].metadata["alias"]`.
- Defaults are immutable (literals, `UNSET`, or an override's call such as
  `Decimal("1")`), so no `default_factory` is needed.
- Extra keys (a `__pydantic_extra__` row): a dataclass cannot hold keys it
  does not declare, so the class has no field for them, only a comment
  saying they exist on the wire.
- A deprecated model says so in its docstring (there is no stdlib
  `deprecated` decorator before Python 3.13).
- Unions are plain `Union[...]` aliases (`TypeAliasType` needs
  typing_extensions); a member on an import cycle is a string forward
  reference, resolved by type checkers and by `typing.get_type_hints` once
  the modules are imported.
- Enums, `UnrecognizedStr` / `UnrecognizedInt`, `open_enum_member` and the
  `HttpxResponse`, `HttpxRequest`, `RequestsResponse` are as in
  the pydantic output kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NewType, TypeVar, Union, final

__all__ = [
    "UNSET",
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

    def __reduce__(self) -> str:
        return "UNSET"


UNSET = Unset()

T = TypeVar("T")
Nullable = Union[T, None]
OptionalNullable = Union[T, Unset, None]

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
