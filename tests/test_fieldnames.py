"""Field names as the docs show them (issue 11, item 4).

A spec with a field of every builtin name, every keyword-with-underscore,
every `BaseModel` attribute and every name a generated module binds, over
fields of every kind of type: md2models keeps each name unless Python or
pydantic cannot take it, and the models validate and dump payloads keyed by
the wire names, in all three output kinds, and pass `mypy --strict`.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import keyword
import sys
import typing
from pathlib import Path

import pytest

from generator import api, naming
from generator.docrender import render_doc
from generator.ir import Field, Generic, LiteralType, Markup, ObjectModel, Position, Primitive, Ref

from .specgen import black_check_in_process
from .test_typing import mypy_strict

pydantic = pytest.importorskip("pydantic")

KEYWORDS_ = [k + "_" for k in keyword.kwlist]
BASEMODEL = sorted(set(dir(pydantic.BaseModel)))
BUILTINS = sorted(dir(builtins))
# What the generated modules bind or write in class bodies.
MODULE_NAMES = sorted(naming.MODULE_LEVEL_NAMES | {"builtins", "dataclasses", "field", "dict", "Other",
                                                   "OtherTypedDict", "dateutil", "Iterator"})
# (`__pydantic_extra__` is no field: the docs' row for extra keys)
NAMES = sorted(set(KEYWORDS_ + BASEMODEL + BUILTINS + MODULE_NAMES) - {"__pydantic_extra__"})

DATE_URL = "https://docs.python.org/3/library/datetime.html#date-objects"
# (type cell node, required, a wire value, that value as dumped to JSON)
KINDS = [
    (Markup("italic", Primitive("str")), True, "s", "s"),
    (Markup("italic", Generic("Optional", (Primitive("int"),))), False, 1, 1),
    (Markup("italic", Generic("OptionalNullable", (Primitive("float"),))), False, None, None),
    (Markup("italic", Generic("Nullable", (Primitive("bool"),))), True, True, True),
    (Generic("List", (Markup("italic", Primitive("str")),)), False, ["a"], ["a"]),
    (Generic("Dict", (Markup("italic", Primitive("int")),)), True, {"k": 1}, {"k": 1}),
    (Markup("link", Primitive("date"), DATE_URL), False, "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
    (Markup("italic", LiteralType(("x",))), True, "x", "x"),
    (Markup("link", Ref("models", "Other"), "../models/other.md"), True, {"n": 1}, {"n": 1}),
    (Markup("italic", Generic("Optional", (Primitive("Decimal"),))), False, "1.5", "1.5"),
    (Markup("italic", Primitive("Any")), False, [1, {"a": None}], [1, {"a": None}]),
]


def wire_name(doc_name: str) -> str:
    """The docs write a reserved word with a trailing `_`; the wire has the word."""
    return doc_name[:-1] if doc_name in KEYWORDS_ else doc_name


def models_of(names: list[str]) -> list[list[str]]:
    """The names split over models so that no two of a model clash once renamed."""
    groups: list[tuple[set[str], list[str]]] = []
    for n in names:
        attr = naming.attribute(n)[0]
        group = next((g for g in groups if attr not in g[0]), None)
        if group is None:
            group = (set(), [])
            groups.append(group)
        group[0].add(attr)
        group[1].append(n)
    return [g[1] for g in groups]


def spec(root: Path) -> list[tuple[str, list[str]]]:
    """Write the spec; return [(title, field names)]."""
    models = root / "models"
    models.mkdir(parents=True)
    pos = Position("models/x.md", 1)
    other = ObjectModel("Other", "models", "models/other.md", "", "", pos,
                        (Field("n", Markup("italic", Primitive("int")), True, "", "", "", False, pos),))
    (models / "other.md").write_text(render_doc(other), encoding="utf-8")
    out = []
    for i, names in enumerate(models_of(NAMES)):
        title = f"Names{i}"
        fields = tuple(Field(n, KINDS[j % len(KINDS)][0], KINDS[j % len(KINDS)][1], "", "", "", False, pos)
                       for j, n in enumerate(names))
        model = ObjectModel(title, "models", f"models/names{i}.md", "", "", pos, fields)
        (models / f"names{i}.md").write_text(render_doc(model), encoding="utf-8")
        out.append((title, list(names)))
    return out


def payload(names: list[str]) -> tuple[dict[str, object], dict[str, object]]:
    """(input keyed by wire names, the expected JSON dump)."""
    given, dumped = {}, {}
    for j, n in enumerate(names):
        _, _, value, json_value = KINDS[j % len(KINDS)]
        given[wire_name(n)] = value
        dumped[wire_name(n)] = json_value
    return given, dumped


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, list[str]]]]:
    root = tmp_path_factory.mktemp("names")
    models = spec(root / "specs")
    for target in ("pydantic", "dataclasses", "typeddict"):
        api.generate(root / "specs", root / target, f"names_{target}", target=target)
    return root, models


def _module(out: Path, package: str, i: int) -> typing.Any:
    sys.path.insert(0, str(out / package[len("names_"):]))
    try:
        return importlib.import_module(f"{package}.models.names{i}")
    finally:
        sys.path.pop(0)


def test_the_rule() -> None:
    """Kept: builtins, module-level names, `x_` of keywords.  Renamed (with
    the name as alias): keywords, `_x`, the BaseModel attributes."""
    for n in NAMES:
        attr, alias = naming.attribute(n)
        if n in KEYWORDS_:
            assert (attr, alias) == (n, n[:-1])
        elif keyword.iskeyword(n) or n.startswith("_") or n in BASEMODEL:
            assert attr != n and alias == n, n
        else:
            assert (attr, alias) == (n, None), n
    assert {n for n in BASEMODEL if not n.startswith("_")} == naming.PYDANTIC_ATTRIBUTES


def test_pydantic_models_validate_and_dump_wire_names(generated) -> None:
    out, models = generated
    for i, (title, names) in enumerate(models):
        cls = getattr(_module(out, "names_pydantic", i), title)
        assert [naming.attribute(n)[0] for n in names] == list(cls.model_fields)  # the doc order and names
        given, dumped = payload(names)
        model = cls.model_validate(given)
        assert model.model_dump(mode="json", by_alias=True) == dumped
        assert cls.model_validate_json(model.model_dump_json(by_alias=True)) == model
        for n in names:  # attribute access by the kept name
            assert getattr(model, naming.attribute(n)[0]) is not None or given[wire_name(n)] is None


def test_dataclasses_hold_every_name(generated) -> None:
    out, models = generated
    for i, (title, names) in enumerate(models):
        cls = getattr(_module(out, "names_dataclasses", i), title)
        wire = {f.name: f.metadata.get("alias", f.name) for f in dataclasses.fields(cls)}
        assert sorted(wire.values()) == sorted(wire_name(n) for n in names)
        given, _ = payload(names)
        obj = cls(**{attr: given[w] for attr, w in wire.items()})
        assert {wire[k]: v for k, v in dataclasses.asdict(obj).items()} == given
        hints = typing.get_type_hints(cls)
        assert set(hints) == set(wire)


def test_typeddicts_hold_every_name(generated) -> None:
    out, models = generated
    for i, (title, names) in enumerate(models):
        td = getattr(_module(out, "names_typeddict", i), title + "TypedDict")
        twin = getattr(_module(out, "names_pydantic", i), title + "TypedDict")
        attrs = [naming.attribute(n)[0] for n in names]
        assert list(typing.get_type_hints(td)) == attrs == list(typing.get_type_hints(twin))


def test_mypy_strict_and_black_clean(generated, tmp_path: Path) -> None:
    out, _ = generated
    for target in ("pydantic", "dataclasses", "typeddict"):
        black_check_in_process(out / target, f"names_{target}")
        (tmp_path / target).mkdir()
        mypy_strict(out / target, f"names_{target}", tmp_path / target)
