"""The Python renderer: hand-made IR -> package -> import, validate, dump,
black-stability (by construction, no black run), mypy --strict."""

from __future__ import annotations

import importlib
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Sequence

import pytest

from generator import pyrender
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
    UnionMember,
    UnionModel,
)

from generator.parse import parse_spec
from generator.resolve import resolve, summarize
from generator.summary import Resolved

from .support import corpus_docs

P = Position("x.md", 1)
HOSTILE = '"""; import os; os.system("touch PWNED"); """ \\ back\\slash \r cr \x00 nul {{ jinja }} \t tab \ufeff "'


def resolved(models: Sequence[Any], cycles: Sequence[Sequence[tuple[str, str]]] = ()) -> tuple[tuple[Any, ...], Resolved]:
    """The models (in path order) and their Resolved; `cycles` must match
    what resolve finds."""
    ordered = tuple(sorted(models, key=lambda m: m.path))
    res, problems = resolve([summarize(m) for m in ordered])
    assert not [p for p in problems if p.severity == "error"], problems
    expected = {key for group in cycles for key in group}
    assert set(res.cycle_of) == expected
    return ordered, res


def render(models_and_resolved: tuple[tuple[Any, ...], Resolved], package: str) -> dict[str, str]:
    return pyrender.render_python(*models_and_resolved, package)


def F(name: str, t: Any, req: bool = True, desc: str = "", dep: str = "") -> Field:
    return Field(name, t, req, desc, "", dep, False, P)


def it(t: Any) -> Markup:
    return Markup("italic", t)


def link(t: Any) -> Markup:
    return Markup("link", t, "../models/x.md")


def obj(name: str, fields: Sequence[Field], desc: str = "", dep: str = "", ns: str = "models") -> ObjectModel:
    return ObjectModel(name=name, namespace=ns, path=f"{ns}/{name.lower()}.md", description=desc,
                       deprecated=dep, pos=P, fields=tuple(fields))


def enum(name: str, values: Sequence[Any], style: Any = "literal", open_: bool = False, members: Sequence[str] = ()) -> EnumModel:
    vals = tuple(EnumValue(v, members[i] if members else "", str(v), P) for i, v in enumerate(values))
    return EnumModel(name=name, namespace="models", path=f"models/{name.lower()}.md", description="", deprecated="",
                     pos=P, values=vals, form="table" if members else "list", style=style, open=open_, example="")


def union(name: str, members: Sequence[Any], ns: str = "models") -> UnionModel:
    return UnionModel(name=name, namespace=ns, path=f"{ns}/{name.lower()}.md", description="", deprecated="", pos=P,
                      members=tuple(UnionMember("", "value", t, P) for t in members))


S = it(Primitive("str"))
LONG = "RetrieveAnnotationQueueItemEvaluationsAnnotationQueuesResponse200ApplicationJSONResponseBody2Attributes"


def sample_models() -> list[Any]:
    return [
        obj("Pet", [
            F("id", S),
            F("name", it(Generic("Optional", (Primitive("str"),))), False, "The name"),
            F("owner", link(Ref("models", "Owner")), False),
            F("kind", link(Ref("models", "Kind")), True),
            F("color", link(Ref("models", "Color")), False),
            F("born", link(Primitive("date")), False, "a datetime (swapped link)"),
            F("day", link(Primitive("datetime")), False, "a date (swapped link)"),
            F("tag", it(Generic("OptionalNullable", (Primitive("str"),))), False, HOSTILE),
            F("note", it(Generic("Nullable", (Primitive("str"),))), True, dep="use tag"),
            F("type", it(LiteralType(("pet",))), True),
            F("schema_", it(Primitive("int")), True),
            F("from_", it(Generic("Optional", (Primitive("int"),))), False),
            F("json", it(Generic("Optional", (Primitive("bool"),))), False),
            F("parent", link(Generic("Optional", (Ref("models", "Pet"),))), False),
            F("tags", Generic("List", (S,)), False),
            F("meta", Generic("Dict", (it(Primitive("Any")),)), False),
            F("blob", it(Generic("Optional", (Primitive("IO[bytes]"),))), False),
            F("raw", it(Generic("Optional", (Primitive("httpx.Response"),))), False),
            F("money", it(Generic("Optional", (Primitive("Decimal"),))), False),
            F("thing", link(Generic("Optional", (Ref("models", "Thing"),))), False),
        ], desc="A pet.\n\n  indented\nmore " + HOSTILE),
        obj("Owner", [
            F("pets", Generic("List", (link(Ref("models", "Pet")),)), True),
            F("__pydantic_extra__", Generic("Dict", (it(Primitive("int")),)), False),
        ], dep="Owners are going away"),
        enum("Kind", ["cat", "dog"], open_=True),
        enum("Color", ["red", "-green", "1blue"], style="enum", open_=True),
        enum("Level", [1, 2], style="enum", members=["ONE", "TWO"]),
        union("Thing", [Ref("models", "Pet"), Primitive("str"), Primitive("datetime")]),
        obj(LONG, [
            F("some_long_field_name_" * 3, link(Generic("Optional", (Ref("models", LONG + "Kind"),))), False, "x" * 200),
            F("aliased_" * 6, it(Generic("OptionalNullable", (Generic("Union", (Ref("models", LONG + "Kind"), Primitive("int"), Primitive("str"))),))), False),
            F("lit", it(LiteralType(tuple(f"value_number_{i}" for i in range(8)))), True),
            F("modelDump", S, True),
        ]),
        enum(LONG + "Kind", [f"value_{i}_" * 4 for i in range(6)], open_=True),
        obj("Empty", []),
        obj("Other", [F("pet", link(Ref("models", "Pet")), True)], ns="shared"),
        obj("Pet", [F("pet", link(Ref("models", "Pet")), True)], ns="shared"),
    ]


def sample_resolved() -> tuple[tuple[Any, ...], Resolved]:
    return resolved(sample_models(), cycles=[[("models", "Pet"), ("models", "Owner"), ("models", "Thing")]])


def write(files: dict[str, str], root: Path) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("out")
    write(render(sample_resolved(), "petpkg"), root)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("petpkg")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "petpkg" or m.startswith("petpkg.")]:
            del sys.modules[name]


def test_layout_is_black_stable() -> None:
    black = pytest.importorskip("black")
    for rel, text in render(sample_resolved(), "petpkg").items():
        if rel.endswith(".py"):
            assert black.format_str(text, mode=black.Mode()) == text, rel


def test_init_is_lazy(pkg: Any) -> None:
    assert not [m for m in sys.modules if m.startswith("petpkg.models")]
    assert "Owner" in dir(pkg) and "OwnerTypedDict" in pkg.__all__
    assert pkg.Owner.__name__ == "Owner"
    # models.Pet and shared.Pet: the index picks neither
    assert "Pet" not in pkg.__all__ and "PetTypedDict" not in pkg.__all__


def test_validate_and_dump(pkg: Any) -> None:
    from petpkg.models.pet import Pet

    pet = Pet.model_validate({"id": "1", "kind": "cat", "note": None, "schema": 3, "from": 4,
                              "owner": {"pets": [], "extra_key": 5}, "born": "2024-01-02T03:04:05Z", "day": "2024-01-02"})
    assert pet.schema_ == 3 and pet.from_ == 4 and pet.type == "pet"
    assert type(pet.born).__name__ == "datetime" and type(pet.day).__name__ == "date"
    dumped = pet.model_dump(by_alias=True)
    assert dumped["note"] is None  # Nullable keeps explicit None
    assert "tag" not in dumped  # UNSET omitted
    assert "name" not in dumped  # Optional None omitted
    assert dumped["schema"] == 3 and dumped["from"] == 4
    assert "schema_" in pet.model_dump()
    assert pet.owner is not None and pet.owner.model_extra == {"extra_key": 5}
    pet2 = Pet(id="1", kind="dog", note="n", schema_=1, tag=None)
    assert pet2.model_dump()["tag"] is None  # explicit None of OptionalNullable kept
    assert '"tag":null' in pet2.model_dump_json()
    with pytest.raises(Exception):
        Pet.model_validate({"id": "1", "kind": "cat", "schema": 1})  # note is required (Nullable)


def test_cycles_and_unions(pkg: Any) -> None:
    from petpkg.models.owner import Owner
    from petpkg.models.thing import Thing
    import pydantic

    o = Owner.model_validate({"pets": [{"id": "a", "kind": "x", "note": None, "schema": 1,
                                        "parent": {"id": "b", "kind": "cat", "note": None, "schema": 2},
                                        "thing": "s"}]})
    assert o.pets[0].parent is not None and o.pets[0].parent.id == "b"
    ta = pydantic.TypeAdapter(Thing)
    assert ta.validate_python("x") == "x"
    assert pkg.OwnerTypedDict.__name__ == "OwnerTypedDict"


def test_open_enums(pkg: Any) -> None:
    from petpkg.models.color import Color
    from petpkg.models.level import Level
    import pydantic

    assert Color("red") is Color.RED and Color("-green") is Color.MINUS_GREEN
    assert Color("purple").value == "purple"
    assert pydantic.TypeAdapter(pkg.Kind).validate_python("bird") == "bird"
    assert Level(1) is Level.ONE
    with pytest.raises(ValueError):
        Level(3)


def test_hostile_text_is_inert(pkg: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    from petpkg.models.pet import Pet

    assert not (tmp_path / "PWNED").exists()
    assert "os.system" in (Pet.__doc__ or "")
    assert "\r" in (Pet.__doc__ or "") and "\x00" in (Pet.__doc__ or "")


def test_deprecated_class_warns(pkg: Any) -> None:
    from petpkg.models.owner import Owner

    with pytest.warns(DeprecationWarning):
        Owner(pets=[])


def test_copy_under_other_name(tmp_path: Path) -> None:
    write(render(sample_resolved(), "petpkg"), tmp_path / "a")
    shutil.copytree(tmp_path / "a" / "petpkg", tmp_path / "b" / "renamed")
    code = "import renamed.models.pet as m, sys; p = m.Pet(id='1', kind='x', note=None, schema_=1); " \
           "assert 'generator' not in sys.modules; print(p.id)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "b", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    write(render(sample_resolved(), "petpkg"), tmp_path)
    (tmp_path / "use.py").write_text(
        "from petpkg import Kind\n"
        "from petpkg.models.pet import Pet, PetTypedDict\n"
        "p = Pet(id='1', kind='cat', note=None, schema_=1)\n"
        "d: PetTypedDict = {'id': '1', 'kind': 'cat', 'note': None, 'schema_': 1, 'type': 'pet'}\n"
        "k: Kind = 'cat'\n"
    )
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\nplugins = pydantic.mypy\n")
    out = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "petpkg", "use.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# --- the corpora: black-stable without running black ------------------------------


def _black_unchanged(item: tuple[str, str]) -> str:
    import black

    rel, text = item
    return "" if black.format_str(text, mode=black.Mode()) == text else rel


def _render_corpus(version: str) -> dict[str, str]:
    spec, _ = parse_spec(corpus_docs(version))
    res, _ = resolve([summarize(m) for m in spec.models])
    return pyrender.render_python(spec.models, res, "orq")


def _check_corpus(version: str) -> None:
    pytest.importorskip("black")
    files = {k: v for k, v in _render_corpus(version).items() if k.endswith(".py")}
    with multiprocessing.Pool() as pool:
        bad = [rel for rel in pool.imap_unordered(_black_unchanged, files.items(), chunksize=64) if rel]
    assert not bad, f"{len(bad)} modules not black-stable, e.g. {sorted(bad)[:5]}"


def test_corpus_340_black_stable() -> None:
    _check_corpus("orq-python-3.4.0")


@pytest.mark.slow
def test_corpus_41319_black_stable() -> None:
    _check_corpus("orq-python-4.13.19")
