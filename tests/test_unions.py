"""Unions as the SDKs resolve them, and what the models send on the wire.

Hand-written specs, generated, imported and exercised: member order
(pydantic's smart mode breaks ties by it), discriminated unions, the
serialization of absent / `None` / `UNSET`, the other output kinds, and
incremental runs that must re-render a union when a member changes.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import api, unions
from generator.ir import Markup, Ref, UnionModel

from .specgen import enum_doc, link, object_doc, row, union_doc, write_spec
from .support import corpus_docs

pydantic = pytest.importorskip("pydantic")

WIDE = object_doc("Wide", [row("x", "*str*"), row("y", "*Optional[int]*", False)])
NARROW = object_doc("Narrow", [row("x", "*str*")])


def pet_docs(dog_tag: str = "dog") -> dict[str, str]:
    return {
        "models/catkind.md": enum_doc("CatKind", ["cat"]),
        "models/dogkind.md": enum_doc("DogKind", [dog_tag]),
        "models/cat.md": object_doc("Cat", [row("kind", link("CatKind")), row("meows", "*bool*")]),
        "models/dog.md": object_doc("Dog", [row("kind", link("DogKind")), row("barks", "*Optional[bool]*", False)]),
        "models/pet.md": union_doc("Pet", [("`models.Cat`", "models.Cat"), ("`models.Dog`", "models.Dog")]),
    }


SPEC = {
    "models/wide.md": WIDE,
    "models/narrow.md": NARROW,
    "models/either.md": union_doc("Either", [("`models.Wide`", "models.Wide"), ("`str`", "str"),
                                             ("`models.Narrow`", "models.Narrow")]),
    **pet_docs(),
    # the same tag in two members: no discriminator
    "models/twins.md": union_doc("Twins", [("`models.Cat`", "models.Cat"), ("`models.Narrow`", "models.Narrow"),
                                           ("`models.Cat2`", "models.Cat2")]),
    "models/cat2.md": object_doc("Cat2", [row("kind", link("CatKind"))]),
    # inline string constants discriminate too
    "models/a.md": object_doc("A", [row("type", '*Literal["a"]*'), row("v", "*int*")]),
    "models/b.md": object_doc("B", [row("type", '*Literal["b"]*')]),
    "models/ab.md": union_doc("AB", [("`models.A`", "models.A"), ("`models.B`", "models.B")]),
    "models/wire.md": object_doc("Wire", [
        row("need", "*Nullable[str]*"),
        row("opt", "*Optional[str]*", False),
        row("flag", "*Optional[bool]*", False),
        row("maybe", "*OptionalNullable[str]*", False),
        row("pets", "List[" + link("Pet") + "]", False),
    ]),
}
OVERRIDES = '[models.Wire.fields.flag]\ndefault = "True"\n'


def _build(tmp: Path, package: str, docs: dict[str, str], target: str = "pydantic") -> Any:
    specs = write_spec(tmp, docs)
    (tmp / "overrides.toml").write_text(OVERRIDES)
    api.generate(specs, tmp / "out", package, overrides=tmp / "overrides.toml", target=target)
    sys.path.insert(0, str(tmp / "out"))
    return importlib.import_module(package)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _build(tmp_path_factory.mktemp("unions"), "unions_pkg", SPEC)


def test_members_in_the_sdks_order(pkg: Any) -> None:
    # docs: Wide, str, Narrow -> code: str, Narrow (1 field), Wide (2 fields)
    members = [getattr(m, "__name__", m) for m in pkg.Either.__value__.__args__]
    assert members == ["str", "Narrow", "Wide"]
    # {"x": ...} fits both models equally: smart mode takes the first, as the SDK does
    assert type(pydantic.TypeAdapter(pkg.Either).validate_python({"x": "a"})).__name__ == "Narrow"
    assert type(pydantic.TypeAdapter(pkg.Either).validate_python({"x": "a", "y": 1})).__name__ == "Wide"
    twin = [m.__name__ for m in pkg.EitherTypedDict.__value__.__args__]
    assert twin == ["str", "NarrowTypedDict", "WideTypedDict"]


def test_discriminated_union_goes_straight_to_the_member(pkg: Any) -> None:
    assert "Discriminator" in repr(pkg.Pet.__value__)
    adapter = pydantic.TypeAdapter(pkg.Pet)
    assert type(adapter.validate_python({"kind": "dog"})).__name__ == "Dog"
    assert type(adapter.validate_python({"kind": "cat", "meows": True})).__name__ == "Cat"
    assert type(adapter.validate_python(pkg.Dog(kind="dog"))).__name__ == "Dog"
    with pytest.raises(pydantic.ValidationError) as bad:
        adapter.validate_python({"kind": "cat", "meows": "loud"})
    assert [e["loc"] for e in bad.value.errors()] == [("cat", "meows")]  # one error, in the tagged member
    with pytest.raises(pydantic.ValidationError) as unknown:
        adapter.validate_python({"kind": "cow"})
    assert [e["type"] for e in unknown.value.errors()] == ["union_tag_invalid"]
    with pytest.raises(pydantic.ValidationError) as untagged:
        adapter.validate_python({"meows": True})
    assert [e["type"] for e in untagged.value.errors()] == ["union_tag_not_found"]
    assert adapter.dump_python(pkg.Dog(kind="dog"), mode="json", by_alias=True) == {"kind": "dog"}
    assert "Discriminator" in repr(pkg.AB.__value__)
    assert type(pydantic.TypeAdapter(pkg.AB).validate_python({"type": "b"})).__name__ == "B"


def test_no_discriminator_without_distinct_tags_in_every_member(pkg: Any) -> None:
    assert "Discriminator" not in repr(pkg.Twins.__value__)  # Cat and Cat2 share "cat"; Narrow has none
    assert "Discriminator" not in repr(pkg.Either.__value__)
    assert "Discriminator" not in repr(pkg.PetTypedDict.__value__)  # twins stay plain unions


def test_absent_none_and_unset_on_the_wire(pkg: Any) -> None:
    def dump(**given: Any) -> dict[str, Any]:
        return pkg.Wire.model_validate(given).model_dump(mode="json", by_alias=True)  # type: ignore[no-any-return]

    # absent optional fields are not sent; the override's default is
    assert dump(need=None) == {"need": None, "flag": True}
    # an explicit None of an optional, non-nullable field is dropped, whatever its default
    assert dump(need="n", opt=None, flag=None, pets=None) == {"need": "n"}
    # an explicit None of a nullable field is sent as null; UNSET never is
    assert dump(need="n", maybe=None) == {"need": "n", "flag": True, "maybe": None}
    wire = pkg.Wire(need="n")
    assert wire.maybe is importlib.import_module("unions_pkg._runtime").UNSET
    assert wire.model_dump_json(by_alias=True) == '{"need":"n","flag":true}'
    nested = dump(need="n", pets=[{"kind": "dog", "barks": None}])
    assert nested == {"need": "n", "flag": True, "pets": [{"kind": "dog"}]}


def test_other_targets_order_members_too(tmp_path: Path) -> None:
    dc = _build(tmp_path / "dc", "unions_dc", SPEC, target="dataclasses")
    assert [getattr(m, "__name__", m) for m in dc.Either.__args__] == ["str", "Narrow", "Wide"]
    td = _build(tmp_path / "td", "unions_td", SPEC, target="typeddict")
    assert [m.__name__ for m in td.EitherTypedDict.__value__.__args__] == ["str", "NarrowTypedDict", "WideTypedDict"]


def test_incremental_run_follows_member_changes(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, SPEC)
    out = tmp_path / "out"
    api.generate(specs, out, "incr")
    either, pet = out / "incr/models/either.py", out / "incr/models/pet.py"
    assert "Union[str, Narrow, Wide]" in either.read_text()
    # Narrow grows past Wide: the union's order changes though its doc did not
    (specs / "models/narrow.md").write_text(object_doc("Narrow", [row("x", "*str*"), row("p", "*int*"),
                                                                  row("q", "*int*")]))
    # the enum a tag comes from changes: the union's tag follows
    (specs / "models/dogkind.md").write_text(enum_doc("DogKind", ["hound"]))
    api.generate(specs, out, "incr")
    assert "Union[str, Wide, Narrow]" in either.read_text()
    assert 'Tag("hound")' in pet.read_text()


def _member_name(text: str) -> str:
    """A member as the order rule sees it: a model's name, or "other"."""
    name = text.replace("models.", "").strip("'\"")
    return name if name.isidentifier() and name not in ("str", "int", "float", "bool", "Any") else "other"


def test_member_order_reproduces_every_union_of_orq_340() -> None:
    """The rule of `generator/unions.py`, measured on the 161 unions of orq
    3.4.0: their docs (spec order) against the real code (truth.json)."""
    docs = corpus_docs("orq-python-3.4.0")
    truth = json.loads((docs.parent / "truth.json").read_text(encoding="utf-8"))
    real = {u["name"]: [_member_name(m) for m in u["members"]] for u in truth["unions"]}
    loaded = api.load(docs)
    same = reordered = 0
    wrong = []
    for model in loaded.spec.models:
        if not isinstance(model, UnionModel) or model.name not in real:
            continue
        ours = []
        for member in unions.ordered(model, loaded.resolved):
            node = member.type
            while isinstance(node, Markup):
                node = node.inner
            ours.append(node.name if isinstance(node, Ref) else "other")
        docs_order = [m.heading.strip("`").replace("models.", "") for m in model.members]
        reordered += [_member_name(h) for h in docs_order] != ours
        if ours == real[model.name]:
            same += 1
        else:
            wrong.append(f"{model.name}: real {real[model.name]}, md2models {ours}")
    print(f"\n[orq-python-3.4.0] union member order: {same}/{len(real)} as in the SDK ({reordered} reordered)")
    assert not wrong, "\n".join(wrong[:10])
    assert same == len(real) == 161 and reordered > 0
