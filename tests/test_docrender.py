"""The docs renderer: IR -> markdown model docs, byte for byte.

Golden tests on hand-made IR for every shape of FORMAT.md ("Whole-document
shapes"), then the round trip over the real corpora (skipped when
`/work/shared/corpus` is absent).
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from .support import CORPORA, corpus_docs
from generator.docrender import cell_width, pytext, render_doc, render_docs, type_cell
from generator.ir import (
    EnumModel,
    EnumValue,
    Field,
    Generic,
    LiteralType,
    Markup,
    ObjectModel,
    Position,
    Primitive,
    Ref,
    Spec,
    UnionMember,
    UnionModel,
)

POS = Position("models/x.md", 1)


def italic(node):
    return Markup("italic", node)


def link(node, target):
    return Markup("link", node, target)


def optional(node):
    return Generic("Optional", (node,))


def field(name, type_, required=True, description="", example="", deprecated="", has_body=False):
    return Field(name, type_, required, description, example, deprecated, has_body, POS)


def obj(name, fields, description="", deprecated="", path=None):
    return ObjectModel(
        name=name,
        namespace="models",
        path=path or f"models/{name.lower()}.md",
        description=description,
        deprecated=deprecated,
        pos=POS,
        fields=tuple(fields),
    )


def enum(name, values, form="list", example="", open_=False, description="", deprecated="", style=""):
    return EnumModel(
        name=name,
        namespace="models",
        path=f"models/{name.lower()}.md",
        description=description,
        deprecated=deprecated,
        pos=POS,
        values=tuple(values),
        form=form,
        style=style,
        open=open_,
        example=example,
    )


def union(name, members, description="", deprecated="", namespace="models"):
    return UnionModel(
        name=name,
        namespace=namespace,
        path=f"{namespace}/{name.lower()}.md",
        description=description,
        deprecated=deprecated,
        pos=POS,
        members=tuple(UnionMember(h, v, t, POS) for h, v, t in members),
    )


def table(*rows: tuple[str, ...], width: int) -> str:
    """A table as the format pads it (the cells given as written)."""
    lines = ["| " + " | ".join(c.ljust(width) for c in rows[0]) + " |"]
    lines.append("| " + " | ".join("-" * width for _ in rows[0]) + " |")
    lines += ["| " + " | ".join(c.ljust(width) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


# --- type cells ------------------------------------------------------------------


@pytest.mark.parametrize(
    "node, cell",
    [
        (italic(Primitive("str")), "*str*"),
        (italic(optional(Primitive("str"))), "*Optional[str]*"),
        (italic(Generic("OptionalNullable", (Primitive("float"),))), "*OptionalNullable[float]*"),
        (link(Ref("models", "X"), "../models/x.md"), "[models.X](../models/x.md)"),
        (link(optional(Ref("models", "X")), "../models/x.md"), "[Optional[models.X]](../models/x.md)"),
        (Generic("List", (link(Ref("models", "X"), "../models/x.md"),)), "List[[models.X](../models/x.md)]"),
        (Generic("List", (italic(Generic("Nullable", (Primitive("str"),))),)), "List[*Nullable[str]*]"),
        (
            Generic("Dict", (link(Generic("Nullable", (Ref("models", "X"),)), "../models/x.md"),)),
            "Dict[str, [Nullable[models.X]](../models/x.md)]",
        ),
        (Generic("Dict", (Generic("Dict", (italic(Primitive("bool")),)),)), "Dict[str, Dict[str, *bool*]]"),
        (Generic("Dict", (Primitive("Any"),)), "Dict[str, Any]"),
        (Generic("List", (Generic("List", (link(Ref("models", "X"), "t.md"),)),)), "List[List[[models.X](t.md)]]"),
        (italic(LiteralType(("x",))), '*Literal["x"]*'),
        (italic(optional(LiteralType(("x",)))), '*Optional[Literal["x"]]*'),
        (italic(LiteralType((True,))), "*Literal[True]*"),
        (italic(LiteralType(("a", 1, False))), '*Literal["a", 1, False]*'),
        (
            link(optional(Generic("Union", (Ref("shared", "A"), Ref("shared", "B")))), "../../models/shared/u.md"),
            "[Optional[Union[shared.A, shared.B]]](../../models/shared/u.md)",
        ),
        (
            link(Primitive("date"), "https://docs.python.org/3/library/datetime.html#date-objects"),
            "[date](https://docs.python.org/3/library/datetime.html#date-objects)",
        ),
        (italic(optional(Ref("errors", "X"))), "*Optional[errors.X]*"),
        (
            italic(Generic("Union", (Primitive("bytes"), Primitive("IO[bytes]"), Primitive("io.BufferedReader")))),
            "*Union[bytes, IO[bytes], io.BufferedReader]*",
        ),
    ],
)
def test_type_cell(node, cell):
    assert type_cell(node) == cell


def test_pytext_drops_markup_and_spells_dict_keys():
    node = Generic("List", (Generic("Dict", (italic(Primitive("int")),)),))
    assert pytext(node) == "List[Dict[str, int]]"


def test_cell_width_counts_br_and_escaped_pipe_as_one():
    assert cell_width("a<br/>b\\|c") == 5


# --- objects ---------------------------------------------------------------------


def test_object_golden():
    model = obj(
        "Pet",
        [
            field("id", italic(Primitive("str")), True, "The id"),
            field("tag", italic(optional(Primitive("str"))), False),
            field("owner", link(Ref("models", "Owner"), "../models/owner.md"), True, "Who"),
        ],
        description="A pet.",
    )
    expected = "# Pet\n\nA pet.\n\n\n## Fields\n\n" + table(
        ("Field", "Type", "Required", "Description"),
        ("`id`", "*str*", ":heavy_check_mark:", "The id"),
        ("`tag`", "*Optional[str]*", ":heavy_minus_sign:", "N/A"),
        ("`owner`", "[models.Owner](../models/owner.md)", ":heavy_check_mark:", "Who"),
        width=len("[models.Owner](../models/owner.md)"),
    )
    assert render_doc(model) == expected
    assert not expected.endswith("\n")


def test_object_without_description():
    model = obj("A", [field("x", italic(Primitive("int")))])
    assert render_doc(model).startswith("# A\n\n\n## Fields\n\n| Field ")


def test_empty_table_keeps_header_and_separator():
    expected = (
        "# ServiceAccountOwner\n\n\n## Fields\n\n"
        "| Field       | Type        | Required    | Description |\n"
        "| ----------- | ----------- | ----------- | ----------- |"
    )
    assert render_doc(obj("ServiceAccountOwner", [])) == expected


def test_example_column_only_when_some_field_has_one():
    model = obj(
        "A",
        [
            field("a", italic(Primitive("str")), True, "x", example="hello"),
            field("b", italic(Primitive("int")), False, "y"),
        ],
    )
    expected = "# A\n\n\n## Fields\n\n" + table(
        ("Field", "Type", "Required", "Description", "Example"),
        ("`a`", "*str*", ":heavy_check_mark:", "x", "hello"),
        ("`b`", "*int*", ":heavy_minus_sign:", "y", ""),
        width=18,
    )
    assert render_doc(model) == expected


def test_br_and_pipe_count_as_one_for_width_but_pad_as_written():
    # The width W counts `<br/>` and `\|` as one; the padding is `ljust(W)`
    # of the written cell, so such a cell is shorter or sticks out.
    description = "first line\nsecond | line with some more words"
    model = obj("A", [field("a", italic(Primitive("str")), True, description, example='[\n"hr"\n]')])
    written = "first line<br/>second \\| line with some more words"
    width = len(description)
    assert cell_width(written) == width
    lines = render_doc(model).split("\n")
    assert lines[5] == "| " + " | ".join(c.ljust(width) for c in ("Field", "Type", "Required", "Description", "Example")) + " |"
    assert lines[7] == (
        "| " + " | ".join(c.ljust(width) for c in ("`a`", "*str*", ":heavy_check_mark:", written, '[<br/>"hr"<br/>]'))
        + " |"
    )
    assert len(lines[7]) > len(lines[5])


def test_literal_br_in_text_counts_five():
    # A `<br/>` that the spec text itself holds (not a newline) counts as
    # written: five characters.
    model = obj("A", [field("a", italic(Primitive("str")), True, "x<br/>" + "y" * 20)])
    assert render_doc(model).split("\n")[6] == "| " + " | ".join(["-" * 26] * 4) + " |"


def test_deprecated_doc_with_description():
    model = obj("Contact", [field("id", italic(Primitive("str")))], description="Old.", deprecated="Going away.")
    assert render_doc(model).startswith(
        "# ~~Contact~~\n\nOld.\n\n> :warning: **DEPRECATED**: Going away.\n\n\n## Fields\n\n"
    )


def test_deprecated_doc_without_description():
    model = obj("Contact", [], deprecated="Going away.")
    assert render_doc(model).startswith("# ~~Contact~~\n\n> :warning: **DEPRECATED**: Going away.\n\n\n## Fields\n\n")


def test_deprecated_fields():
    message = "This will be removed in a future release."
    model = obj(
        "A",
        [
            field("contact", italic(Primitive("str")), False, "Use identity.\nReally.", deprecated=message, has_body=True),
            field("old", italic(Primitive("int")), False, "", deprecated=message),
        ],
    )
    with_body = f": warning: ** DEPRECATED **: {message}<br/><br/>Use identity.<br/>Really."
    without = f": warning: ** DEPRECATED **: {message}"
    expected = "# A\n\n\n## Fields\n\n" + table(
        ("Field", "Type", "Required", "Description"),
        ("~~`contact`~~", "*str*", ":heavy_minus_sign:", with_body),
        ("~~`old`~~", "*int*", ":heavy_minus_sign:", without),
        width=cell_width(with_body),
    )
    assert render_doc(model) == expected


def test_spec_text_stays_inert():
    # Template syntax, HTML and backslashes in spec text are written back as
    # they were: never evaluated, never escaped into something else.
    text = "{{ model }} {% if x %} <b>bold</b> \\d+ `code` \ufeff\r"
    model = obj("A", [field("a", italic(Primitive("str")), True, text, example="{{ x }}")], description=text)
    doc = render_doc(model)
    assert doc.startswith(f"# A\n\n{text}\n\n\n## Fields")
    assert f"| {text} |" in doc and "| {{ x }}" in doc
    assert "<br/>" not in doc and "&" not in doc


# --- enums -----------------------------------------------------------------------


def test_list_enum_with_example_usage():
    code = 'from sdk.models import Ttl\nvalue: Ttl = "5m"'
    model = enum(
        "Ttl",
        [EnumValue("5m", "", "", POS), EnumValue("1h", "", "", POS)],
        example=code,
        description="- `5m`: 5 minutes\n- `1h`: 1 hour",
        style="literal",
    )
    expected = (
        "# Ttl\n\n- `5m`: 5 minutes\n- `1h`: 1 hour\n\n## Example Usage\n\n```python\n"
        + code
        + '\n```\n\n\n## Values\n\n- `"5m"`\n- `"1h"`\n'
    )
    assert render_doc(model) == expected


def test_open_int_list_enum():
    code = "from sdk.models import Code\n\n# Open enum: unrecognized values are captured as UnrecognizedInt\nvalue: Code = 100"
    model = enum("Code", [EnumValue(100, "", "", POS), EnumValue(-2, "", "", POS)], example=code, open_=True)
    expected = (
        "# Code\n\n## Example Usage\n\n```python\n"
        + code
        + "\n```\n\n\n## Values\n\n"
        + "This is an open enum. Unrecognized values will not fail type checks.\n\n"
        + "- `100`\n- `-2`\n"
    )
    assert render_doc(model) == expected


def test_table_enum():
    model = enum(
        "Model9",
        [
            EnumValue("google-ai/text-embedding-004", "GOOGLE_AI_TEXT_EMBEDDING_004", "google-ai/text-embedding-004", POS),
            EnumValue(1, "ONE", "1", POS),
            EnumValue("", "EMPTY", "", POS),
        ],
        form="table",
    )
    expected = "# Model9\n\n\n## Values\n\n" + table(
        ("Name", "Value"),
        ("`GOOGLE_AI_TEXT_EMBEDDING_004`", "google-ai/text-embedding-004"),
        ("`ONE`", "1"),
        ("`EMPTY`", ""),
        width=30,
    )
    assert render_doc(model) == expected


def test_table_enum_with_example_usage_and_deprecation():
    code = "from sdk.models import Sort\n\nvalue = Sort.MINUS_CREATED_AT"
    model = enum(
        "Sort",
        [EnumValue("-created_at", "MINUS_CREATED_AT", "-created_at", POS)],
        form="table",
        example=code,
        style="enum",
        description="Sort order.",
        deprecated="Old.",
    )
    expected = (
        "# ~~Sort~~\n\nSort order.\n\n> :warning: **DEPRECATED**: Old.\n\n## Example Usage\n\n```python\n"
        + code
        + "\n```\n\n\n## Values\n\n"
        + table(("Name", "Value"), ("`MINUS_CREATED_AT`", "-created_at"), width=18)
    )
    assert render_doc(model) == expected


# --- unions ----------------------------------------------------------------------


def test_union_golden():
    model = union(
        "Parts",
        [
            ("`models.TextPart`", "value", Ref("models", "TextPart")),
            ("`List[models.DataPart]`", "value", Generic("List", (Ref("models", "DataPart"),))),
            ("`Dict[str, Any]`", "value", Generic("Dict", (Primitive("Any"),))),
            ("`Nullable[str]`", "value", Generic("Nullable", (Primitive("str"),))),
            ("`datetime`", "value", Primitive("datetime")),
        ],
        description="One of these.",
    )
    expected = (
        "# Parts\n\nOne of these.\n\n\n## Supported Types\n\n"
        "### `models.TextPart`\n\n```python\nvalue: models.TextPart = /* values here */\n```\n\n"
        "### `List[models.DataPart]`\n\n```python\nvalue: List[models.DataPart] = /* values here */\n```\n\n"
        "### `Dict[str, Any]`\n\n```python\nvalue: Dict[str, Any] = /* values here */\n```\n\n"
        "### `Nullable[str]`\n\n```python\nvalue: Nullable[str] = /* values here */\n```\n\n"
        "### `datetime`\n\n```python\nvalue: datetime = /* values here */\n```\n\n"
    )
    assert render_doc(model) == expected


def test_union_odd_headings_are_written_as_they_were():
    model = union(
        "Image",
        [
            ("Jpeg", "frontImage", Ref("shared", "Jpeg")),
            ("", "value", italic(Primitive("str"))),
            ("`Literal[\"a\"]` <i>", "value", LiteralType(("a",))),
        ],
        namespace="shared",
        deprecated="Gone.",
    )
    expected = (
        "# ~~Image~~\n\n> :warning: **DEPRECATED**: Gone.\n\n\n## Supported Types\n\n"
        "### Jpeg\n\n```python\nfrontImage: shared.Jpeg = /* values here */\n```\n\n"
        "### \n\n```python\nvalue: str = /* values here */\n```\n\n"
        '### `Literal["a"]` <i>\n\n```python\nvalue: Literal["a"] = /* values here */\n```\n\n'
    )
    assert render_doc(model) == expected


# --- the whole spec -----------------------------------------------------------------


def test_render_docs_keys_by_path():
    models = (obj("A", [], path="models/a.md"), union("U", [("`str`", "value", Primitive("str"))], namespace="shared"))
    docs = render_docs(Spec(models))
    assert list(docs) == ["docs/models/a.md", "docs/shared/u.md"]
    assert docs["docs/shared/u.md"] == render_doc(models[1])


# --- docs -> IR -> docs ------------------------------------------------------------


def _without_positions(node):
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            changes[f.name] = POS if isinstance(value, Position) else _without_positions(value)
        return dataclasses.replace(node, **changes)
    if isinstance(node, tuple):
        return tuple(_without_positions(item) for item in node)
    return node


ROUND_TRIP_MODELS = [
    obj(
        "Pet",
        [
            field("id", italic(Primitive("str")), True, "The id\nwith | pipe", example="a\nb"),
            field("tags", Generic("List", (italic(Primitive("str")),)), False),
            field("old", link(optional(Ref("models", "Owner")), "../models/owner.md"), False, "Body.", "", "Gone.", True),
        ],
        description="A pet.\n\n## Not structure\n\n```\n## Fields\n```",
        deprecated="Old.",
    ),
    obj("Empty", []),
    enum("Ttl", [EnumValue("5m", "", "", POS)], example='from sdk.models import Ttl\nvalue: Ttl = "5m"', style="literal"),
    enum("Model9", [EnumValue("a-b", "A_B", "a-b", POS), EnumValue(1, "ONE", "1", POS)], form="table"),
    enum(
        "Code",
        [EnumValue(100, "", "", POS), EnumValue(200, "", "", POS)],
        example="from sdk.models import Code\n\n# Open enum: unrecognized values are captured as UnrecognizedInt\nvalue: Code = 100",
        open_=True,
        style="literal",
    ),
    enum(
        "Sort",
        [EnumValue("-created_at", "MINUS_CREATED_AT", "-created_at", POS)],
        form="table",
        example="from sdk.models import Sort\n\nvalue = Sort.MINUS_CREATED_AT",
        style="enum",
        description="Sort order.",
    ),
    union("Parts", [("`models.TextPart`", "value", Ref("models", "TextPart"))], description="Either."),
]


@pytest.mark.parametrize("model", ROUND_TRIP_MODELS, ids=lambda m: m.name)
def test_parse_of_render_gives_the_model_back(model):
    parse = pytest.importorskip("generator.parse")
    text = render_doc(model)
    parsed, problems = parse.parse_doc(text, model.path)
    assert parsed is not None, problems
    assert _without_positions(parsed) == _without_positions(model)
    assert render_doc(parsed) == text


# --- the corpora ------------------------------------------------------------------


def _round_trip(root: Path, rel: str) -> tuple[str, str]:
    """(rel, "same" | "differs" | "unparsed") for one corpus doc."""
    from generator.parse import parse_file

    model, _ = parse_file(root, rel)
    if model is None:
        return rel, "unparsed"
    same = render_doc(model).encode("utf-8") == (root / rel).read_bytes()
    return rel, "same" if same else "differs"


def _round_trip_chunk(root: Path, rels: list[str]) -> list[tuple[str, str]]:
    return [_round_trip(root, rel) for rel in rels]


def corpus_round_trip(root: Path) -> tuple[int, int, list[str], list[str]]:
    """(identical, parsed, differing paths, unparsed paths) over a spec root."""
    from generator.parse import spec_paths

    rels, _ = spec_paths(root)
    workers = min(8, os.cpu_count() or 1)
    chunks = [rels[i :: workers * 4] for i in range(workers * 4)]
    with ProcessPoolExecutor(workers) as pool:
        results = [r for chunk in pool.map(_round_trip_chunk, [root] * len(chunks), chunks) for r in chunk]
    differing = sorted(rel for rel, status in results if status == "differs")
    unparsed = sorted(rel for rel, status in results if status == "unparsed")
    parsed = len(results) - len(unparsed)
    return parsed - len(differing), parsed, differing, unparsed


# Every doc of both corpora comes back byte for byte; the 18,577 docs of
# 4.13.19 take a while, so that one runs with `-m slow`.
@pytest.mark.parametrize("corpus", [CORPORA[0], pytest.param(CORPORA[1], marks=pytest.mark.slow)])
def test_corpus_round_trip(corpus: str):
    root = corpus_docs(corpus)
    identical, parsed, differing, unparsed = corpus_round_trip(root)
    summary = (
        f"{corpus}: {identical}/{parsed} docs byte-identical, "
        f"{len(unparsed)} unparsed; first differing: {differing[:5]}"
    )
    print(summary)
    assert identical == parsed and not unparsed, summary


# --- tables whose width counts more than the stripped cells ---------------------


def _table_doc(rows, header=("Field", "Type", "Required", "Description"), width=None):
    cells = [header, *rows]
    width = width or max(len(c.replace("<br/>", "_")) for row in cells for c in row)
    line = lambda row: "| " + " | ".join(c.ljust(width) for c in row) + " |"
    return "# Pet\n\n\n## Fields\n\n" + "\n".join(
        [line(header), "| " + " | ".join("-" * width for _ in header) + " |", *map(line, rows)])


def _parse_back(text):
    parse = pytest.importorskip("generator.parse")
    model, problems = parse.parse_doc(text, "models/pet.md")
    assert model is not None, problems
    assert render_doc(model) == text
    return model


def test_description_ending_in_a_space_keeps_it_when_the_width_counts_it():
    widest = "A description that ends with a space. "
    text = _table_doc([("`id`", "*str*", ":heavy_check_mark:", widest),
                       ("`name`", "*str*", ":heavy_minus_sign:", "Shorter. ")])
    model = _parse_back(text)
    assert [f.description for f in model.fields] == [widest, "Shorter."]


def test_padding_is_never_kept():
    model = _parse_back(_table_doc([("`id`", "*str*", ":heavy_check_mark:", "The id."),
                                    ("`name`", "*str*", ":heavy_minus_sign:", "N/A")]))
    assert [f.description for f in model.fields] == ["The id.", ""]


def test_examples_joined_by_a_literal_br_count_it_five_wide():
    examples = "**Example 1:** https://example.com/a.png<br/>**Example 2:** data:image/png;base64,AAAA"
    text = _table_doc([("`url`", "*str*", ":heavy_check_mark:", "The image.", examples),
                       ("`detail`", "*str*", ":heavy_minus_sign:", "N/A", "")],
                      header=("Field", "Type", "Required", "Description", "Example"), width=len(examples))
    model = _parse_back(text)
    assert model.fields[0].example == examples
    # where the width counts `<br/>` as one, it is a newline as before
    text = _table_doc([("`url`", "*str*", ":heavy_check_mark:", "The image.", examples)],
                      header=("Field", "Type", "Required", "Description", "Example"))
    assert _parse_back(text).fields[0].example == examples.replace("<br/>", "\n")
