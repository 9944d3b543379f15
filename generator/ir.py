"""The intermediate representation: the one contract between the stages.

parse (markdown -> IR) -> resolve (whole-spec checks) -> render (IR -> text)
-> write.  Every node is a frozen dataclass; stages never mutate it.

A `Spec` is a folder of model docs.  Each doc is one `Model`: an
`ObjectModel` (a `## Fields` table), an `EnumModel` (`## Values`) or a
`UnionModel` (`## Supported Types`).  Type cells are parsed into a small type
tree (`TypeNode`); the markdown markup around a type (italic or link) is kept
as a `Markup` node so the docs can be regenerated from the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, ClassVar, Literal, Union

# Bump when the JSON shape of `md2models ir` changes.
IR_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Position:
    """Where a node starts: spec-root-relative POSIX path, 1-based line/col."""

    path: str
    line: int
    col: int = 1


# --- type tree -------------------------------------------------------------


@dataclass(frozen=True)
class Primitive:
    """A built-in or external atom: `str`, `int`, `float`, `bool`, `Any`,
    `bytes`, `Decimal`, `date`, `datetime`, `httpx.Response`, `IO[bytes]`..."""

    name: str


@dataclass(frozen=True)
class LiteralType:
    """`Literal[...]` over strings, integers and booleans."""

    values: tuple[Union[str, int, bool], ...]


@dataclass(frozen=True)
class Ref:
    """A reference to another model doc, by namespace and title."""

    namespace: str
    name: str


@dataclass(frozen=True)
class Generic:
    """`List[T]`, `Dict[str, T]`, `Optional[T]`, `Nullable[T]`,
    `OptionalNullable[T]`, `Union[T, ...]` (Dict keys are always `str`), or
    a server-sent-event stream `eventstreaming.EventStream[T]` /
    `eventstreaming.EventStreamAsync[T]` (response unions hold those)."""

    origin: Literal[
        "List",
        "Dict",
        "Optional",
        "Nullable",
        "OptionalNullable",
        "Union",
        "Callable",  # `Callable[[], T]` (args: T): only overrides' added fields
        "eventstreaming.EventStream",
        "eventstreaming.EventStreamAsync",
    ]
    args: tuple[TypeNode, ...]


@dataclass(frozen=True)
class Markup:
    """The markdown span a type cell wraps around a type: `*T*` or `[T](target)`.

    Semantically transparent; it exists so docs can be written back."""

    style: Literal["italic", "link"]
    inner: TypeNode
    target: str = ""


TypeNode = Union[Primitive, LiteralType, Ref, Generic, Markup]


def unmarked(node: TypeNode) -> TypeNode:
    """The type a cell's markdown spans wrap."""
    while isinstance(node, Markup):
        node = node.inner
    return node


# --- models -----------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One row of a `## Fields` table."""

    name: str  # the Python attribute name as the doc writes it (`from_`)
    type: TypeNode
    required: bool
    # `<br/>` decoded to "\n", `\|` to "|"; "" for `N/A`.  Trailing spaces, or
    # `<br/>` kept literal, where the table's width counts them (parse).
    description: str
    example: str  # as description; "" when the doc has no example for it
    deprecated: str  # the deprecation message, "" when not deprecated
    deprecated_has_body: bool  # the description came after `<br/><br/>`
    pos: Position

    @property
    def is_extra(self) -> bool:
        """`__pydantic_extra__` rows type extra keys; they are no field."""
        return self.name == "__pydantic_extra__"


@dataclass(frozen=True)
class EnumValue:
    value: Union[str, int]
    member: str  # the member name of the table form, "" in the list form
    raw: str  # the value cell as written (table form), for the docs
    pos: Position


@dataclass(frozen=True)
class UnionMember:
    heading: str  # `### ...` text as written, e.g. "`models.TextPart`"
    variable: str  # the name left of ":" in the code block, usually "value"
    type: TypeNode
    pos: Position


@dataclass(frozen=True)
class Model:
    """What every kind of doc has."""

    kind: ClassVar[str]
    name: str  # the title, without `~~`
    namespace: str  # the doc's folder name: `models`, `shared`, ...
    path: str  # spec-root-relative POSIX path of the doc
    description: str  # the text before the structural part, verbatim
    deprecated: str  # the doc-level deprecation message, "" when none
    pos: Position

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


@dataclass(frozen=True)
class ObjectModel(Model):
    kind: ClassVar[str] = "object"
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class EnumModel(Model):
    kind: ClassVar[str] = "enum"
    values: tuple[EnumValue, ...]
    form: Literal["list", "table"]
    # How the SDK represents it, from `## Example Usage`: a `Literal` alias,
    # an `Enum` class, or "" when the doc does not say.
    style: Literal["literal", "enum", ""]
    open: bool
    example: str  # the Example Usage code, "" when none


@dataclass(frozen=True)
class UnionModel(Model):
    kind: ClassVar[str] = "union"
    members: tuple[UnionMember, ...]


AnyModel = Union[ObjectModel, EnumModel, UnionModel]


@dataclass(frozen=True)
class Spec:
    """A whole folder of docs, models sorted by path."""

    models: tuple[AnyModel, ...]
    skipped: tuple[str, ...] = ()  # paths left out (excluded pages)


def to_jsonable(node: Any) -> Any:
    """Turn an IR node into JSON-ready data; each node names its class."""
    if is_dataclass(node) and not isinstance(node, type):
        data: dict[str, Any] = {"node": type(node).__name__}
        for f in fields(node):
            data[f.name] = to_jsonable(getattr(node, f.name))
        kind = getattr(type(node), "kind", None)
        if kind is not None:
            data["kind"] = kind
        return data
    if isinstance(node, tuple):
        return [to_jsonable(item) for item in node]
    return node
