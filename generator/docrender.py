"""The docs renderer: IR -> Speakeasy-style markdown model docs.

Byte-faithful to the format (`FORMAT.md`, "Whole-document shapes"): a doc
parsed into the IR and rendered back comes out identical.  The shape of each
doc lives in `templates/docs/{object,enum,union}.md.j2` (with the shared
pieces in `_macros.md.j2`); this module holds the decisions: the text of each
cell from the type tree, the escapes, and the table-wide width.

    render_docs(spec)  -> {"docs/<model.path>": text} for every model
    render_doc(model)  -> the text of one doc
"""

from __future__ import annotations

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



class _Cell(str):
    """A cell as written, with the width the table-wide width counts for it."""

    width: int

    def __new__(cls, written: str, width: int) -> "_Cell":
        cell = super().__new__(cls, written)
        cell.width = width
        return cell


def _text_cell(text: str) -> _Cell:
    """A cell from spec text: escaped, measured before escaping.  A literal
    `<br/>` kept in the text (not a newline) counts five, as it did."""
    return _Cell(escape_cell(text), len(text))


def _written_cell(written: str) -> _Cell:
    """A cell already in its written form (enum values keep theirs)."""
    return _Cell(written, cell_width(written))


def _pad(cell: str, width: int) -> str:
    # The width counts `<br/>` as one, the padding does not: a cell with
    # `<br/>` in it comes out shorter than the others, or sticks out.
    return cell.ljust(width)


def _dashes(cell: str, width: int) -> str:
    return "-" * width


def _table_width(header: tuple[str, ...], rows: list[tuple[_Cell, ...]]) -> int:
    """W: the longest cell, header included."""
    return max([len(cell) for cell in header] + [cell.width for row in rows for cell in row])


_FILTERS = (("pad", _pad), ("dashes", _dashes))


def _description_text(field: Field) -> str:
    if field.deprecated:
        text = FIELD_DEPRECATED + field.deprecated
        if field.deprecated_has_body:
            text += "\n\n" + field.description
        return text
    return field.description or NO_DESCRIPTION


def _field_row(field: Field, with_example: bool) -> tuple[_Cell, ...]:
    name = f"~~`{field.name}`~~" if field.deprecated else f"`{field.name}`"
    row = (
        _text_cell(name),
        _text_cell(type_cell(field.type)),
        _text_cell(REQUIRED if field.required else OPTIONAL),
        _text_cell(_description_text(field)),
    )
    return row + (_text_cell(field.example),) if with_example else row


def _enum_list_value(value: EnumValue) -> str:
    if isinstance(value.value, str):
        return f'"{value.value}"'
    return str(value.value)


# --- documents ------------------------------------------------------------------


def _render_object(model: ObjectModel) -> str:
    with_example = any(f.example for f in model.fields)
    header = FIELD_HEADER + ((EXAMPLE_HEADER,) if with_example else ())
    rows = [_field_row(f, with_example) for f in model.fields]
    context = {"model": model, "header": header, "rows": rows, "width": _table_width(header, rows)}
    return render("docs/object.md.j2", context, _FILTERS)


def _render_enum(model: EnumModel) -> str:
    header = ENUM_HEADER
    rows: list[tuple[_Cell, ...]] = []
    values: list[str] = []
    if model.form == "table":
        rows = [(_text_cell(f"`{v.member}`"), _written_cell(v.raw)) for v in model.values]
    else:
        values = [_enum_list_value(v) for v in model.values]
    context = {
        "model": model,
        "header": header,
        "rows": rows,
        "width": _table_width(header, rows),
        "values": values,
    }
    return render("docs/enum.md.j2", context, _FILTERS)


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
