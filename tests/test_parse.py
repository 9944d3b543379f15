"""The parse stage: every shape of doc and cell, positions, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ir import EnumModel, Generic, LiteralType, Markup, ObjectModel, Primitive, Ref, UnionModel
from generator.parse import decode, parse_doc, parse_spec
from generator.typecell import TypeCellError, parse_cell

from .support import CORPORA, ROOT, corpus_docs


def table(rows: list[tuple[str, ...]], header: tuple[str, ...] = ("Field", "Type", "Required", "Description")) -> str:
    cells = [header, *rows]
    width = max(len(c) for row in cells for c in row)
    line = lambda row: "| " + " | ".join(c.ljust(width) for c in row) + " |"  # noqa: E731
    return "\n".join([line(header), "| " + " | ".join("-" * width for _ in header) + " |", *map(line, rows)])


def obj(title: str, rows: list[tuple[str, ...]], pre: str = "") -> str:
    return f"# {title}\n\n{pre}\n## Fields\n\n" + table(rows)


def parsed(text: str, path: str = "models/x.md"):  # type: ignore[no-untyped-def]
    model, problems = parse_doc(text, path)
    assert not [p for p in problems if p.severity == "error"], problems
    return model


def errors(text: str, path: str = "models/x.md") -> list[str]:
    model, problems = parse_doc(text, path)
    assert model is None
    return [p.format() for p in problems if p.severity == "error"]


def test_seed_parses_into_twelve_fields() -> None:
    model = parsed((ROOT / "specs/models/getsessionresponsebody.md").read_text(), "models/getsessionresponsebody.md")
    assert isinstance(model, ObjectModel)
    assert model.name == "GetSessionResponseBody" and model.description == "Session"
    assert [f.name for f in model.fields][:3] == ["id", "external_id", "duration"]
    assert len(model.fields) == 12
    billing = model.fields[4]
    assert billing.type == Markup("link", Ref("models", "GetSessionBilling"), "../models/getsessionbilling.md")
    assert billing.pos.line == 14 and billing.required
    project = model.fields[9]
    assert project.type == Markup("italic", Generic("OptionalNullable", (Primitive("str"),)))
    assert not project.required and project.description == "The project id"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("*str*", Markup("italic", Primitive("str"))),
        ("List[*Nullable[str]*]", Generic("List", (Markup("italic", Generic("Nullable", (Primitive("str"),))),))),
        ("Dict[str, Any]", Generic("Dict", (Primitive("Any"),))),
        ("Dict[str, Dict[str, *bool*]]", Generic("Dict", (Generic("Dict", (Markup("italic", Primitive("bool")),)),))),
        ('*Optional[Literal["x"]]*', Markup("italic", Generic("Optional", (LiteralType(("x",)),)))),
        ("*Literal[True]*", Markup("italic", LiteralType((True,)))),
        ("[Optional[Union[shared.A, shared.B]]](../../models/shared/a.md)",
         Markup("link", Generic("Optional", (Generic("Union", (Ref("shared", "A"), Ref("shared", "B"))),)),
                "../../models/shared/a.md")),
        ("*Union[bytes, IO[bytes], io.BufferedReader]*",
         Markup("italic", Generic("Union", (Primitive("bytes"), Primitive("IO[bytes]"), Primitive("io.BufferedReader"))))),
        ("*Optional[errors.X]*", Markup("italic", Generic("Optional", (Ref("errors", "X"),)))),
    ],
)
def test_type_cells(cell: str, expected: object) -> None:
    assert parse_cell(cell) == expected


@pytest.mark.parametrize(
    "cell, message, offset",
    [
        ("*str", "unbalanced markup", 0),
        ("List[*str*", "missing ']'", 10),
        ("*Foo*", "unknown type 'Foo'", 1),
        ("*Optional[str, int]*", "takes one type", 1),
        ("*List[str*", "unbalanced markup", 0),
        ("", "empty type", 0),
        ("List[" * 40 + "*str*" + "]" * 40, "nested deeper", 125),
    ],
)
def test_bad_type_cells(cell: str, message: str, offset: int) -> None:
    with pytest.raises(TypeCellError) as info:
        parse_cell(cell)
    assert message in str(info.value) and info.value.offset == offset


def test_description_with_structure_lookalikes() -> None:
    pre = "Intro\n\n```md\n## Fields\n```\n\n- `\"not a value\"`\n\n## Notes\n<b>x</b>\n\n"
    model = parsed(obj("Thing", [("`a`", "*str*", ":heavy_check_mark:", "x<br/>y \\| z")], pre))
    assert isinstance(model, ObjectModel)
    assert model.description == pre[:-2]
    assert model.fields[0].description == "x\ny | z"


def test_deprecations() -> None:
    pre = "Old thing\n\n> :warning: **DEPRECATED**: Use New instead.\n\n"
    rows = [("~~`a`~~", "*str*", ":heavy_minus_sign:", ": warning: ** DEPRECATED **: gone soon<br/><br/>The a")]
    model = parsed(obj("~~Thing~~", rows, pre))
    assert model.name == "Thing" and model.deprecated == "Use New instead." and model.description == "Old thing"
    field = model.fields[0]
    assert (field.deprecated, field.description, field.deprecated_has_body) == ("gone soon", "The a", True)


def test_example_column_and_empty_table() -> None:
    header = ("Field", "Type", "Required", "Description", "Example")
    text = "# T\n\n\n## Fields\n\n" + table([("`a`", "*int*", ":heavy_check_mark:", "N/A", "42")], header)
    assert parsed(text).fields[0].example == "42"
    assert parsed("# Empty\n\n\n## Fields\n\n" + table([])).fields == ()


def test_enums_list_table_open() -> None:
    listed = ('# Color\n\n## Example Usage\n\n```python\nfrom sdk.models import Color\n'
              'value: Color = "red"\n\n# Open enum: unrecognized values are captured as UnrecognizedStr\n```\n\n\n'
              '## Values\n\nThis is an open enum. Unrecognized values will not fail type checks.\n\n- `"red"`\n- `"blue"`\n')
    model = parsed(listed)
    assert isinstance(model, EnumModel)
    assert [v.value for v in model.values] == ["red", "blue"] and model.open and model.style == "literal"
    tabled = "# Level\n\n\n## Values\n\n" + table([("`ONE`", "1"), ("`MINUS_X`", "-x")], ("Name", "Value"))
    model = parsed(tabled)
    assert [(v.member, v.value) for v in model.values] == [("ONE", 1), ("MINUS_X", "-x")]
    assert model.form == "table" and model.style == "" and not model.open


def test_union_members() -> None:
    text = ("# Pet\n\n\n## Supported Types\n\n### `models.Cat`\n\n```python\nvalue: models.Cat = /* values here */\n```\n\n"
            "### `List[str]`\n\n```python\nvalue: List[str] = /* values here */\n```\n\n")
    model = parsed(text)
    assert isinstance(model, UnionModel)
    assert [m.type for m in model.members] == [Ref("models", "Cat"), Generic("List", (Primitive("str"),))]
    assert model.members[0].heading == "`models.Cat`"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "x.md:1:1: error: empty file"),
        ("# T\n\nno sections\n", "x.md:1:1: error: no '## Fields'"),
        ("just text\n\n## Fields\n", "x.md:1:1: error: no title"),
        ("# T\n\n\n## Fields\n\n| Name | Kind |\n| --- | --- |", "x.md:6:1: error: table header must be"),
        ("# T\n\n\n## Fields\n\nnot a table", "x.md:6:1: error: table header must be"),
        ("# T\n\n\n## Fields\n\n" + table([("`a`", "*str*", ":heavy_check_mark:")], ("Field", "Type", "Required")),
         "x.md:6:1: error: table header must be"),
        ("# T\n\n\n## Fields\n\n" + table([("`a`", "*str*", ":heavy_check_mark:", "N/A")]) + " x |",
         "x.md:8:1: error: extra columns"),
        ("# T\n\n\n## Fields\n\n" + table([("`a`", "*str*", "yes", "N/A")]), "x.md:8:31: error: Required must be"),
        ("# T\n\n\n## Fields\n\n" + table([("`a`", "*Frob*", ":heavy_check_mark:", "N/A")]),
         "x.md:8:25: error: bad type '*Frob*': unknown type 'Frob'"),
        ("# T\n\n\n## Fields\n\n" + table([("`a`", "List[*str*", ":heavy_check_mark:", "N/A")]),
         "x.md:8:34: error: bad type 'List[*str*': missing ']'"),
        ("# T\n\n\n## Fields\n\n" + table([("a", "*str*", ":heavy_check_mark:", "N/A")]), "x.md:8:3: error: field cell"),
        ("# Bad Title\n\n\n## Fields\n\n" + table([]), "x.md:1:3: error: title 'Bad Title'"),
    ],
)
def test_bad_docs(text: str, expected: str) -> None:
    assert any(e.startswith("models/" + expected) for e in errors(text)), errors(text)


def test_decode_bom_crlf_binary_latin1() -> None:
    assert decode("\ufeff# T\r\n\r\nx\r\n".encode(), "a.md")[0] == "# T\n\nx\n"
    assert decode(b"# T\n\na\rb\n", "a.md")[0] == "# T\n\na\rb\n"  # a raw \r mid-cell stays
    assert "binary file" in decode(b"# T\n\x00\x01", "a.md")[1][0].format()
    assert decode("# T\n\ncaf\u00e9".encode("latin-1"), "a.md")[1][0].format() == (
        "a.md:3:4: error: not UTF-8: byte 0xe9 cannot be decoded")


@pytest.mark.parametrize("version", CORPORA)
def test_every_corpus_doc_parses(version: str) -> None:
    spec, problems = parse_spec(corpus_docs(version))
    assert problems == []
    assert spec.skipped == ("models/utils/retryconfig.md",)
    total = sum(1 for _ in (corpus_docs(version) / "models").rglob("*.md"))
    assert len(spec.models) == total - 1
    print(f"\n{version}: {len(spec.models)} of {total} docs parsed (1 hand-written page skipped)")


def test_spec_order_is_sorted(tmp_path: Path) -> None:
    for name in ("b", "a", "c"):
        (tmp_path / "models").mkdir(exist_ok=True)
        (tmp_path / "models" / f"{name}.md").write_text(obj(name.upper(), []))
    spec, _ = parse_spec(tmp_path)
    assert [m.path for m in spec.models] == ["models/a.md", "models/b.md", "models/c.md"]


def test_exclude_patterns_match_the_end_of_a_path_part_by_part() -> None:
    """Literal patterns (the default) take a fast path; both kinds match as `PurePosixPath.match`."""
    from pathlib import PurePosixPath

    from generator.parse import exclude_matcher

    rels = ["utils/retryconfig.md", "models/utils/retryconfig.md", "xutils/retryconfig.md", "retryconfig.md",
            "a.md", "b/a.md", "x/y.md", "q/x/y.md", "b/c.md", "ab/c.md", "a/x/b/c.md"]
    for patterns in [("utils/retryconfig.md",), ("retryconfig.md", "b/c.md"), ("x/*.md",), ("a*/c.md", "a.md")]:
        excluded = exclude_matcher(patterns)
        for rel in rels:
            assert excluded(rel) == any(PurePosixPath(rel).match(p) for p in patterns), (patterns, rel)
