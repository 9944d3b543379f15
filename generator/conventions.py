"""Speakeasy conventions for fields the docs describe by name only.

Facts every pydantic-era Speakeasy SDK shares and no doc states (the docs
mark these fields required):

- a response wrapper's `http_meta` field (a link to `HTTPMetadata`) holds
  the raw HTTP exchange of the call, filled in by the SDK, not data: it is
  `Annotated[Optional[HTTPMetadata], pydantic.Field(exclude=True)] = None`;
- `HTTPMetadata`'s `request` and `response` (httpx / requests objects) are
  `Optional[...] = None`.

Overrides of a field's type or default win over these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .ir import Field, Generic, Primitive, Ref, TypeNode, unmarked

HTTP_METADATA = "HTTPMetadata"
HTTP_OBJECTS = frozenset({"httpx.Response", "httpx.Request", "requests.Response"})


@dataclass(frozen=True)
class Convention:
    optional: bool  # `Optional[T] = None`, whatever the Required cell says
    exclude: bool  # left out of `model_dump` (pydantic target)


_HTTP_META = Convention(optional=True, exclude=True)
_HTTP_OBJECT = Convention(optional=True, exclude=False)


def _core(node: TypeNode) -> TypeNode:
    """The type under its markdown spans and `Optional`s."""
    node = unmarked(node)
    while isinstance(node, Generic) and node.origin == "Optional":
        node = unmarked(node.args[0])
    return node


def convention(model_name: str, field: Field) -> Optional[Convention]:
    """The convention that applies to `field` of model `model_name`, if any."""
    if field.name != "http_meta" and model_name != HTTP_METADATA:  # (asked of each field a render)
        return None
    core = _core(field.type)
    if field.name == "http_meta" and isinstance(core, Ref) and core.name == HTTP_METADATA:
        return _HTTP_META
    if (model_name == HTTP_METADATA and field.name in ("request", "response")
            and isinstance(core, Primitive) and core.name in HTTP_OBJECTS):
        return _HTTP_OBJECT
    return None
