"""Golden tests: small hand-written specs -> the exact expected output.

Each case is `tests/golden/<case>/specs/models/...` (canonical docs, as
FORMAT.md describes them: cells padded to one table-wide width) and
`tests/golden/<case>/expected/` (the package `golden_<case>/` and `docs/`).
Every generated file must equal its expected file byte for byte, and the file
sets must be equal (the manifest `.md2models-manifest.json` and any other
`.md2models-*` file are ignored).

Cases:
  objects  every type-cell shape: italic primitives, Optional /
           OptionalNullable / Nullable, List / Dict nesting, links (plain and
           wrapped), the swapped date/datetime links, Literal consts,
           `__pydantic_extra__`, reserved names (`from_`, `schema_`, a
           `filter_.md` doc stem), deprecated fields and a deprecated model,
           the Example column, `<br/>` and `\\|`, an empty table, structural-
           looking text inside a description
  enums    list (Literal alias), open list (str and int), int values, table +
           `value = X.MEMBER` (Enum class, str and int), open Enum class,
           table without Example Usage, an empty value
  unions   models, primitives, List / Dict members, Nullable member,
           datetime member, old-style headings (`### Jpeg`, empty heading)
  nested   `models/shared/` + `models/operations/` linking across, the same
           title in two namespaces
  cycles   a self-reference, a 2-cycle of objects, a cycle through a union

Each case is generated for every output kind (`--target`): `expected/` is
the default (pydantic) target, `expected-dataclasses/` and
`expected-typeddict/` the others; all are compared byte for byte.

To regenerate the expected files after an intended change, run

    MD2MODELS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff (`git diff tests/golden`) before committing it.
"""

from __future__ import annotations

import difflib
import importlib
import os
import shutil
import subprocess
import sys
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import pydantic
import pytest
import typing_extensions

from generator import api

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "specs").is_dir())
OTHER_TARGETS = ("dataclasses", "typeddict")  # the default target's files are in expected/
UPDATE = os.environ.get("MD2MODELS_UPDATE_GOLDEN") == "1"


def package_of(case: str) -> str:
    return f"golden_{case}"


def tree(root: Path) -> dict[str, bytes]:
    """{posix path relative to root: bytes}, without md2models' own files."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".md2models-") or part == "__pycache__" for part in p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case generated once: {case: OUT}."""
    outs = {}
    for case in CASES:
        out = tmp_path_factory.mktemp(case)
        api.generate(GOLDEN / case / "specs", out, package_of(case))
        outs[case] = out
    return outs


@pytest.fixture(scope="module")
def packages(generated: dict[str, Path]) -> Iterator[dict[str, Any]]:
    """Every case imported in-process; dropped from sys.modules afterwards."""
    paths = [str(out) for out in generated.values()]
    sys.path[:0] = paths
    importlib.invalidate_caches()
    try:
        yield {case: importlib.import_module(package_of(case)) for case in CASES}
    finally:
        for path in paths:
            sys.path.remove(path)
        names = tuple(package_of(case) for case in CASES)
        for name in [m for m in sys.modules if m.split(".")[0] in names]:
            del sys.modules[name]


def mod(case: str, module: str) -> Any:
    return importlib.import_module(f"{package_of(case)}.models.{module}")


# --- byte for byte ------------------------------------------------------------


def test_cases_present() -> None:
    assert CASES == ["cycles", "enums", "nested", "objects", "unions"]


@pytest.fixture(scope="module")
def generated_targets(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every case generated once per other target: {(case, target): OUT}."""
    outs = {}
    for target in OTHER_TARGETS:
        for case in CASES:
            out = tmp_path_factory.mktemp(f"{case}-{target}")
            api.generate(GOLDEN / case / "specs", out, package_of(case), target=target)
            outs[case, target] = out
    return outs


@pytest.mark.parametrize("case", CASES)
def test_golden_output(case: str, generated: dict[str, Path]) -> None:
    _compare(generated[case], GOLDEN / case / "expected")


@pytest.mark.parametrize("target", OTHER_TARGETS)
@pytest.mark.parametrize("case", CASES)
def test_golden_output_of_target(case: str, target: str, generated_targets: dict[tuple[str, str], Path]) -> None:
    _compare(generated_targets[case, target], GOLDEN / case / f"expected-{target}")


def _compare(out: Path, expected_dir: Path) -> None:
    got = tree(out)
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, data in got.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(data)
        return
    assert expected_dir.is_dir(), f"no expected output; run: MD2MODELS_UPDATE_GOLDEN=1 python -m pytest {__file__}"
    want = tree(expected_dir)
    assert sorted(got) == sorted(want), "file sets differ"
    diffs = []
    for rel in sorted(want):
        if got[rel] != want[rel]:
            diffs.extend(difflib.unified_diff(
                want[rel].decode("utf-8", "replace").splitlines(keepends=True),
                got[rel].decode("utf-8", "replace").splitlines(keepends=True),
                f"expected/{rel}", f"generated/{rel}"))
    assert not diffs, "".join(diffs[:200])


@pytest.mark.parametrize("case", CASES)
def test_specs_are_canonical_and_docs_round_trip(case: str, generated: dict[str, Path]) -> None:
    """The hand-written specs are canonical, so the regenerated docs are the
    specs themselves (this also pins the golden specs' padding)."""
    specs = tree(GOLDEN / case / "specs")
    docs = {rel: data for rel, data in tree(generated[case]).items() if rel.startswith("docs/")}
    assert {f"docs/{rel}": data for rel, data in specs.items()} == docs


@pytest.mark.parametrize("case", CASES)
def test_black_stable(case: str, generated: dict[str, Path]) -> None:
    run = subprocess.run([sys.executable, "-m", "black", "--check", "--diff", "-q", str(generated[case])],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


# --- the packages work --------------------------------------------------------


def test_objects(packages: dict[str, Any]) -> None:
    ks = mod("objects", "kitchensink")
    K = ks.KitchenSink
    payload = {
        "name": "n", "count": 1, "enabled": True, "anything": {"x": [1]}, "parent_id": None,
        "tags": ["a"], "matrix": [[1, 2]], "nested_flags": {"a": {"b": True}}, "nullable_items": ["x", None],
        "child": {"id": "c"}, "required_nullable_child": None, "children": [{"id": "d", "score": 1.5}],
        "created_at": "2024-05-01T12:00:00Z", "birthday": "2024-01-02", "from": "wire name",
        "schema": "s", "filter": {"query": "q"}, "child_map": {"k": None}, "extra_key": 5,
    }
    k = K.model_validate(payload)
    assert isinstance(k.created_at, datetime) and type(k.birthday) is date  # the swapped date links
    assert (k.from_, k.schema_, k.filter_.query) == ("wire name", "s", "q")
    assert (k.kind, k.strict, k.mode) == ("kitchen", True, "fast")  # Literal consts default to the literal
    assert k.model_extra == {"extra_key": 5}
    dumped = k.model_dump(by_alias=True)
    assert dumped["from"] == "wire name" and "from_" not in dumped and dumped["extra_key"] == 5
    assert "nickname" not in dumped and "ratio" not in dumped and dumped["parent_id"] is None
    assert K.model_validate({**payload, "nickname": None}).model_dump()["nickname"] is None
    for bad in ({"kind": "other"}, {"extra_key": "not an int"}, {"parent_id": 5}, {"nullable_items": [1]},
                {"child": None}, {"children": [{"score": 1}]}, {"created_at": "soon"}):
        with pytest.raises(pydantic.ValidationError):
            K.model_validate({**payload, **bad})
    missing = {k: v for k, v in payload.items() if k != "parent_id"}
    with pytest.raises(pydantic.ValidationError):
        K.model_validate(missing)  # Nullable required: present, may be null
    twin = ks.KitchenSinkTypedDict
    assert "from_" in twin.__required_keys__ and "nickname" in twin.__optional_keys__
    assert "__pydantic_extra__" not in typing_extensions.get_type_hints(twin)
    assert mod("objects", "empty").Empty.model_validate({}).model_dump() == {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mod("objects", "oldthing").OldThing(id="x")
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_enums(packages: dict[str, Any]) -> None:
    Holder = mod("enums", "holder").Holder
    SortOrder = mod("enums", "sortorder").SortOrder
    Level = mod("enums", "level").Level
    OpenColor = mod("enums", "opencolor").OpenColor
    h = Holder.model_validate({"status": "with space", "open_status": "unknown", "priority": 10,
                               "open_priority": 999, "order": "-created_at", "level": 2, "color": "purple",
                               "kind": "", "statuses": ['quote"d']})
    assert h.order is SortOrder.MINUS_CREATED_AT and h.level is Level.TWO
    assert isinstance(h.color, OpenColor) and h.color.value == "purple"
    assert (h.open_status, h.open_priority) == ("unknown", 999)
    assert h.model_dump(mode="json")["color"] == "purple"
    assert OpenColor("red") is OpenColor.RED
    for bad in ({"status": "nope"}, {"priority": 3}, {"order": "x"}, {"level": 3}, {"kind": "gamma"},
                {"open_priority": "str"}, {"open_status": 1}):
        with pytest.raises(pydantic.ValidationError):
            Holder.model_validate({"status": "active", **bad})


def test_unions(packages: dict[str, Any]) -> None:
    m = lambda name: mod("unions", name)  # noqa: E731
    Owner = m("owner").Owner
    o = Owner.model_validate({"pet": {"kind": "dog"}, "content": [{"text": "t"}], "maybe": None,
                              "scalars": ["a", 1, 2.5, True], "mapping": {"a": "b"},
                              "when": "2024-01-01T00:00:00Z", "image": {"data": "d"}})
    assert isinstance(o.pet, m("dog").Dog) and isinstance(o.content[0], m("part").Part)
    assert o.scalars == ["a", 1, 2.5, True] and [type(s) for s in o.scalars] == [str, int, float, bool]
    assert isinstance(o.when, datetime) and isinstance(o.image, m("jpeg").Jpeg)
    o = Owner.model_validate({"pet": {"kind": "cat", "lives": 9}, "content": "text", "mapping": [{"a": 1}],
                              "image": "s"})
    assert isinstance(o.pet, m("cat").Cat) and o.content == "text" and o.image == "s"
    assert pydantic.TypeAdapter(m("maybepet").MaybePet).validate_python(None) is None
    for bad in ({"pet": {"kind": "cow"}}, {"content": 5}, {"scalars": [[1]]}, {"mapping": 5}):
        with pytest.raises(pydantic.ValidationError):
            Owner.model_validate({"pet": {"kind": "dog"}, "content": "c", **bad})


def test_nested(packages: dict[str, Any]) -> None:
    ops = importlib.import_module("golden_nested.models.operations.createuserrequest")
    Address = importlib.import_module("golden_nested.models.shared.address").Address
    c = ops.CreateUserRequest.model_validate({
        "name": "n", "address": {"street": "s", "kind": "work"}, "addresses": [{"street": "t"}],
        "shared_status": "ok", "op_status": 2, "result": {"street": "x"}})
    assert isinstance(c.address, Address) and isinstance(c.result, Address)
    # the two `Status` enums stay apart: shared is str, operations is int
    for bad in ({"shared_status": 1}, {"op_status": "ok"}, {"address": {"street": "s", "kind": "office"}}):
        with pytest.raises(pydantic.ValidationError):
            ops.CreateUserRequest.model_validate({"name": "n", "address": {"street": "s"}, **bad})
    assert packages["nested"].Address is Address  # unambiguous: in the top-level index


def test_cycles(packages: dict[str, Any]) -> None:
    Node = mod("cycles", "node").Node
    n = Node.model_validate({"name": "a", "children": [{"name": "b", "parent": None, "children": []}]})
    assert isinstance(n.children[0], Node)
    assert n.model_dump() == {"name": "a", "children": [{"name": "b", "children": [], "parent": None}]}
    a = mod("cycles", "author").Author.model_validate({"name": "x", "books": [{"title": "t", "author": {"name": "y"}}]})
    assert a.books[0].author.name == "y"
    book = packages["cycles"].Book.model_validate({"title": "t", "author": {"name": "n", "books": []}})
    assert book.author.books == []
    BinOp = mod("cycles", "binop").BinOp
    b = BinOp.model_validate({"op": "+", "left": {"value": 1},
                              "right": {"op": "*", "left": {"value": 2}, "right": {"value": 3}}})
    assert isinstance(b.right, BinOp) and b.right.right.value == 3.0
    with pytest.raises(pydantic.ValidationError):
        BinOp.model_validate({"op": "+", "left": {"value": 1}, "right": {"op": "-"}})


def test_nested_top_level_does_not_silently_pick_one_of_two_same_named_models(packages: dict[str, Any]) -> None:
    top = packages["nested"]
    shared_status = importlib.import_module("golden_nested.models.shared.status").Status
    ops_status = importlib.import_module("golden_nested.models.operations.status").Status
    assert shared_status != ops_status
    # unambiguous names are exported at the top ...
    assert top.Address is importlib.import_module("golden_nested.models.shared.address").Address
    # ... an ambiguous one must not be bound to whichever namespace sorts last
    assert "Status" not in top.__all__
