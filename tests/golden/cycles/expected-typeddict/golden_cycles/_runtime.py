"""Runtime support shared by the generated TypedDicts (no import of md2models).

The `typeddict` output kind: only the TypedDict twins of the models (named
`XTypedDict`, as in the pydantic output kind, so code typed against those
twins works unchanged), enums and union aliases.  Dependency:
typing_extensions (`TypedDict`, `NotRequired`, `TypeAliasType`).

Choices:
- A key that may be absent is `NotRequired[...]`; a key that may be null is
  `Nullable[T]` (`Optional[T]`).  There is no `UNSET`: in a dict an unset
  value is an absent key.  So a dict says on the wire what it holds: leave
  an optional key out to send nothing; `None` only types for a `Nullable`
  key, sent as `null` (the pydantic kind sends the same).
- Union members are in the SDK's order (by field count, fewest first) and
  unions are plain: a TypedDict carries no tag to dispatch on at run time.
- Extra keys (a `__pydantic_extra__` row) are not declared.
- Enums, `UnrecognizedStr` / `UnrecognizedInt`, `open_enum_member` and the
  `HttpxResponse`, `HttpxRequest`, `RequestsResponse` are as in
  the pydantic output kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NewType, TypeVar, Union

__all__ = [
    "HttpxRequest",
    "HttpxResponse",
    "Nullable",
    "RequestsResponse",
    "UnrecognizedInt",
    "UnrecognizedStr",
    "open_enum_member",
]

T = TypeVar("T")
Nullable = Union[T, None]

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
