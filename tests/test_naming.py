"""Naming rules: modules, classes, attributes (safe name + wire alias), members."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given, strategies as st

from generator import naming


@pytest.mark.parametrize(
    "doc, expected",
    [
        ("from_", ("from_", "from")),
        ("schema_", ("schema_", "schema")),
        ("format_", ("format_", "format")),
        ("bytes_", ("bytes_", "bytes")),
        ("type", ("type", None)),
        ("id", ("id", None)),
        ("object", ("object", None)),
        ("schema", ("schema_", "schema")),
        ("json", ("json_", "json")),
        ("model_config", ("model_config_", "model_config")),
        ("model_dump", ("model_dump_", "model_dump")),
        ("model_type", ("model_type", None)),
        ("copy", ("copy_", "copy")),
        ("str", ("str", None)),
        ("next", ("next", None)),
        ("hash", ("hash", None)),
        ("fields", ("fields", None)),
        ("deprecated", ("deprecated", None)),
        ("UNSET", ("UNSET", None)),
        ("BaseModel", ("BaseModel", None)),
        ("class", ("class_", "class")),
        ("class_", ("class_", "class")),
        ("date_", ("date_", "date")),
        ("validate", ("validate_", "validate")),
        ("_id", ("id", "_id")),
        ("1st", ("f_1st", "1st")),
        ("mimeType", ("mimeType", None)),
        ("naïve", ("na_ve", "naïve")),
    ],
)
def test_attribute(doc: str, expected: tuple[str, str | None]) -> None:
    assert naming.attribute(doc) == expected


@given(st.text(min_size=1, max_size=30))
def test_attribute_always_safe(name: str) -> None:
    safe, alias = naming.attribute(name)
    assert safe.isidentifier() and safe.isascii() and not keyword.iskeyword(safe)
    assert not safe.startswith("_")
    assert safe not in naming.PYDANTIC_ATTRIBUTES
    assert alias is None or safe != alias


@pytest.mark.parametrize(
    "path, expected",
    [
        ("models/getsessionresponsebody.md", "models/getsessionresponsebody"),
        ("models/from_.md", "models/from_"),
        ("models/in.md", "models/in_"),
        ("models/json.md", "models/json_"),
        ("shared/type.md", "shared/type_"),
        ("models/1x.md", "models/_1x"),
        ("models/a-b.md", "models/a_b"),
    ],
)
def test_module_path(path: str, expected: str) -> None:
    assert naming.module_path(path) == expected


@pytest.mark.parametrize(
    "title, expected",
    [("GetSessionResponseBody", "GetSessionResponseBody"), ("None", "None_"), ("List", "List_"),
     ("BaseModel", "BaseModel_"), ("str", "str_"), ("1X", "_1X")],
)
def test_class_name(title: str, expected: str) -> None:
    assert naming.class_name(title) == expected


def test_enum_members() -> None:
    assert naming.enum_member("-created_at") == "MINUS_CREATED_AT"
    assert naming.enum_member("image_url") == "IMAGE_URL"
    assert naming.enum_member(100) == "VALUE_100"
    assert naming.enum_member("") == "EMPTY"
    assert naming.enum_member("1d") == "VALUE_1D"
    assert naming.safe_member("ONE", 1) == "ONE"
    assert naming.safe_member("class", "x") == "X"
