"""The docs renderer: IR -> Speakeasy-style markdown model docs.

Byte-faithful to the format (`FORMAT.md`, "Whole-document shapes"): a doc
parsed into the IR and rendered back comes out identical.  The shape of each
doc lives in `templates/docs/{object,enum,union}.md.j2` (with the shared
pieces in `_macros.md.j2`); this module holds the decisions: the text of each
cell from the type tree, the escapes, and the table-wide width the cells are
padded to (the templates call no filter per cell).

    render_docs(spec)  -> {"docs/<model.path>": text} for every model
    render_doc(model)  -> the text of one doc
"""

from __future__ import annotations

from itertools import chain
from typing import Union

from .ir import (
    AnyModel,
    EnumModel,
    EnumValue,
    Field,
    Generic,
    LiteralType,
    Markup,
    ObjectModel,
    Primitive,
    Ref,
    Spec,
    TypeNode,
    UnionModel,
)
from .parse import cell_width
from .templating import render

__all__ = [
    "render_docs",
    "render_doc",
    "type_cell",
    "pytext",
    "cell_width",
    "escape_cell",
    "FIELD_HEADER",
    "EXAMPLE_HEADER",
    "ENUM_HEADER",
]

FIELD_HEADER = ("Field", "Type", "Required", "Description")
EXAMPLE_HEADER = "Example"
ENUM_HEADER = ("Name", "Value")
REQUIRED = ":heavy_check_mark:"
OPTIONAL = ":heavy_minus_sign:"
NO_DESCRIPTION = "N/A"
# Note the spaces: this is how the generator writes it inside a table cell.
FIELD_DEPRECATED = ": warning: ** DEPRECATED **: "


# --- type cells ---------------------------------------------------------------


def _literal(value: Union[str, int, bool]) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def pytext(node: TypeNode) -> str:
    """The Python type text of a node: `models.X`, `Optional[str]`,
    `Dict[str, int]`, `Literal["a", "b"]`.  Markup is transparent here."""
    if isinstance(node, Markup):
        return pytext(node.inner)
    if isinstance(node, Ref):
        return f"{node.namespace}.{node.name}"
    if isinstance(node, Primitive):
        return node.name
    if isinstance(node, LiteralType):
        return "Literal[" + ", ".join(_literal(v) for v in node.values) + "]"
    if isinstance(node, Generic):
        if node.origin == "Dict":
            return "Dict[str, " + ", ".join(pytext(a) for a in node.args) + "]"
        return node.origin + "[" + ", ".join(pytext(a) for a in node.args) + "]"
    raise TypeError(f"not a type node: {node!r}")


def type_cell(node: TypeNode) -> str:
    """The Type cell of a fields table, before escaping.

    `List[` and `Dict[str, ` stay outside the markup; the markup node says
    where the italic or link span goes.  A node with no markup around it
    (hand-made IR) is written as its bare type text."""
    if isinstance(node, Markup):
        if node.style == "italic":
            return f"*{pytext(node.inner)}*"
        if node.style == "link":
            return f"[{pytext(node.inner)}]({node.target})"
        raise ValueError(f"unknown markup style {node.style!r}")
    if isinstance(node, Generic) and node.origin == "List" and len(node.args) == 1:
        return f"List[{type_cell(node.args[0])}]"
    if isinstance(node, Generic) and node.origin == "Dict" and len(node.args) == 1:
        return f"Dict[str, {type_cell(node.args[0])}]"
    return pytext(node)


# --- cells and tables ---------------------------------------------------------


def escape_cell(text: str) -> str:
    """Spec text -> table cell: newlines become `<br/>`, `|` becomes `\\|`.
    Everything else is written back verbatim (it was verbatim in the doc)."""
    return text.replace("|", "\\|").replace("\n", "<br/>")


# Filters for a user's templates written when the cells came unpadded: the
# built-in ones call neither, and padding a padded cell changes nothing.
def _pad(cell: str, width: int) -> str:
    return cell.ljust(width)


def _dashes(cell: str, width: int) -> str:
    return "-" * width


_FILTERS = (("pad", _pad), ("dashes", _dashes))


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], longest: int) -> dict[str, object]:
    """The variables of a table (`header`, `rows`, `width`) from its escaped
    cells and the longest of them as the format counts it: every cell comes
    padded to the table-wide width W, the longest cell, header included.
    The width counts `<br/>` as one, the padding does not: a cell with
    `<br/>` in it comes out shorter than the others, or sticks out."""
    width = max(longest, *map(len, header))
    return {
        "header": [title.ljust(width) for title in header],
        "rows": [[cell.ljust(width) for cell in row] for row in rows],
        "width": width,
    }


def _description_text(field: Field) -> str:
    if field.deprecated:
        text = FIELD_DEPRECATED + field.deprecated
        if field.deprecated_has_body:
            text += "\n\n" + field.description
        return text
    return field.description or NO_DESCRIPTION


def _field_texts(field: Field, with_example: bool) -> tuple[str, ...]:
    """A fields-table row as spec text, before escaping."""
    name = f"~~`{field.name}`~~" if field.deprecated else f"`{field.name}`"
    row = (name, type_cell(field.type), REQUIRED if field.required else OPTIONAL, _description_text(field))
    return row + (field.example,) if with_example else row


def _longest_text(rows: list[tuple[str, ...]]) -> int:
    """The longest cell of rows of spec text: a cell counts as long as its
    text before escaping, so a literal `<br/>` kept in the text (not a
    newline) counts five, as it did."""
    return max(map(len, chain.from_iterable(rows)), default=0)


def _enum_list_value(value: EnumValue) -> str:
    if isinstance(value.value, str):
        return f'"{value.value}"'
    return str(value.value)


# --- documents ------------------------------------------------------------------


def _render_object(model: ObjectModel) -> str:
    with_example = any(f.example for f in model.fields)
    header = FIELD_HEADER + ((EXAMPLE_HEADER,) if with_example else ())
    texts = [_field_texts(f, with_example) for f in model.fields]
    rows = [tuple(map(escape_cell, row)) for row in texts]
    return render("docs/object.md.j2", {"model": model, **_table(header, rows, _longest_text(texts))}, _FILTERS)


def _render_enum(model: EnumModel) -> str:
    rows: list[tuple[str, ...]] = []
    longest = 0
    values: list[str] = []
    if model.form == "table":
        names = [f"`{v.member}`" for v in model.values]
        # The values keep their written form, and count as written.
        rows = [(escape_cell(name), v.raw) for name, v in zip(names, model.values)]
        longest = max([*map(len, names), *(cell_width(v.raw) for v in model.values)], default=0)
    else:
        values = [_enum_list_value(v) for v in model.values]
    return render("docs/enum.md.j2", {"model": model, **_table(ENUM_HEADER, rows, longest), "values": values},
                  _FILTERS)


def _render_union(model: UnionModel) -> str:
    members = [
        {"heading": m.heading, "variable": m.variable, "type": pytext(m.type)} for m in model.members
    ]
    return render("docs/union.md.j2", {"model": model, "members": members}, _FILTERS)


def render_doc(model: AnyModel) -> str:
    """The markdown text of one model doc, byte for byte as the format has it."""
    if isinstance(model, ObjectModel):
        return _render_object(model)
    if isinstance(model, EnumModel):
        return _render_enum(model)
    if isinstance(model, UnionModel):
        return _render_union(model)
    raise TypeError(f"not a model: {model!r}")


def render_docs(spec: Spec) -> dict[str, str]:
    """{"docs/<model.path>": text} for every model of the spec."""
    return {f"docs/{model.path}": render_doc(model) for model in spec.models}
