"""Wire names (`generator/wirenames.py`): the `wire_names` policy, the docs'
example JSON as evidence, and overrides above both.

The fixture spec: Order links Address (an Example cell showing its JSON,
`postalCode` in camelCase and, nested, Geo's `lat_deg` in snake_case),
Address links Geo.  Every output kind is generated under each policy, a
value is dumped to JSON and its keys are compared with the wire JSON the
policy, evidence and overrides call for.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import typing
from pathlib import Path
from typing import Any, Iterator

import pytest

from generator import api, wirenames
from generator.parse import parse_bytes

from generator.build import parse_summaries
from generator.parse import DEFAULT_EXCLUDE, spec_paths
from generator.resolve import resolve, summarize

from .specgen import (assert_well_formed, contents, link, load_package, md2models, model_class, object_doc, row,
                      union_doc, write_spec)
from .support import corpus_docs

ADDRESS_EXAMPLE = '{<br/>"postalCode": "1000",<br/>"geo": {"lat_deg": 1.5}<br/>}'
DOCS = {
    "models/order.md": object_doc("Order", [
        row("order_id", "*str*"),
        row("created_by", "*Optional[str]*", required=False),
        row("from_", "*Optional[str]*", required=False),
        row("shipping_address", link("Address", wrapper="Optional"), required=False, example=ADDRESS_EXAMPLE),
    ]),
    "models/address.md": object_doc("Address", [
        row("postal_code", "*str*"),
        row("street_name", "*Optional[str]*", required=False),
        row("geo", link("Geo", wrapper="Optional"), required=False),
    ]),
    "models/geo.md": object_doc("Geo", [row("lat_deg", "*float*"), row("lon_deg", "*float*")]),
}
# The order line of the Example cell: title, blank, blank, "## Fields", blank, header, rule, 4 rows.
EXAMPLE_AT = ("models/order.md", 11, 3)
# One value, keyed by the Python names (as the TypedDict twins are).
VALUE = {"order_id": "o1", "created_by": "u1", "from_": "shop",
         "shipping_address": {"postal_code": "1000", "street_name": "Main", "geo": {"lat_deg": 1.5, "lon_deg": 2.5}}}
# What goes on the wire: evidence (postalCode, lat_deg) under either policy.
WIRE = {
    "as-is": {"order_id": "o1", "created_by": "u1", "from": "shop",
              "shipping_address": {"postalCode": "1000", "street_name": "Main",
                                   "geo": {"lat_deg": 1.5, "lon_deg": 2.5}}},
    "camelCase": {"orderId": "o1", "createdBy": "u1", "from": "shop",
                  "shippingAddress": {"postalCode": "1000", "streetName": "Main",
                                      "geo": {"lat_deg": 1.5, "lonDeg": 2.5}}},
}
OVERRIDES = """\
[models.Order.fields.created_by]
alias = "author"

[models.Address.fields.postal_code]
alias = "zip"
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("wn"), DOCS)


def generated(specs: Path, tmp: Path, target: str, policy: str, overrides: Path | None = None) -> Path:
    out = tmp / f"{target}-{policy}"
    api.generate(specs, out, package(target, policy), target=target, wire_names=policy, overrides=overrides)
    return out


def package(target: str, policy: str) -> str:
    return f"wn_{target}_{policy.replace('-', '')}".lower()


@pytest.fixture
def importing() -> Iterator[list[Path]]:
    """Folders put on sys.path for the test; removed afterwards."""
    added: list[Path] = []
    yield added
    for path in added:
        sys.path.remove(str(path))


def import_module(out: Path, name: str, added: list[Path]) -> Any:
    for loaded in [m for m in sys.modules if m.split(".")[0] == name.split(".")[0]]:
        del sys.modules[loaded]
    sys.path.insert(0, str(out))
    added.append(out)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def dataclass_json(value: object) -> object:
    """A dataclass as the JSON its fields' metadata names (the alias, else the attribute)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.metadata.get("alias", f.name): dataclass_json(getattr(value, f.name))
                for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
    return value


# --- the policy and the evidence, unit by unit ---------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("created_by", "createdBy"), ("v2_model_id", "v2ModelId"), ("a_1", "a1"),
    ("id", None), ("from_", None), ("_id", None), ("Created_By", None), ("createdBy", None), ("a__b", None),
])
def test_camel(name: str, expected: str | None) -> None:
    assert wirenames.camel(name) == expected


def test_policy_name_keeps_naming_renames() -> None:
    assert wirenames.policy_name("camelCase", "from_", "from_", "from") == "from"
    assert wirenames.policy_name("as-is", "created_by", "created_by", None) == "created_by"
    assert wirenames.policy_name("camelCase", "created_by", "created_by", None) == "createdBy"


def test_evidence_in_examples_and_descriptions() -> None:
    doc = object_doc("Cart", [
        row("items", f"List[{link('Item')}]", example='[<br/>{"itemId": 1},<br/>{"unit_price": 2, "tags": [1]}<br/>]'),
        row("owner", link("Person", wrapper="Optional"), required=False,
            description='Who, e.g. {"fullName": "Ann"} or {not json}'),
        row("extra", "Dict[str, *Any*]", example='{"someKey": 1}'),  # a dict's keys are no fields
        row("note", "*str*", example='{"x_y": 1}'),
    ], description='Shown as {"cartId": "c1", "items": [{"itemId": 3}]}.')
    model, problems = parse_bytes(doc.encode(), "models/cart.md")
    assert model is not None and not problems
    items = wirenames.model_evidence(model)
    assert [(ns, name, line) for ns, name, line, _, _ in items] == [
        ("models", "Cart", 1), ("models", "Item", 10), ("models", "Person", 11)]
    assert items[0][4] == (("cartId", ()), ("items", (("itemId", ()),)))
    assert items[1][4] == (("itemId", ()), ("unit_price", ()), ("tags", ()))
    assert items[2][4] == (("fullName", ()),)


def test_hostile_examples_are_no_evidence(tmp_path: Path) -> None:
    """JSON nested past the interpreter's recursion, and text of many unclosed
    objects, give no evidence and no error (the scan stays bounded)."""
    deep = '{"a_b": ' + '{"x": ' * 5000 + "1" + "}" * 5000 + "}"
    specs = write_spec(tmp_path, {**DOCS, "models/order.md": DOCS["models/order.md"].replace(
        ADDRESS_EXAMPLE, deep + " " + "{" * 3000)})
    run = md2models("lint", specs)
    assert run.code == 0 and not run.diagnostics, run.explain()
    assert api.load(specs).spec.models


def test_evidence_binds_through_links_and_unions(tmp_path: Path) -> None:
    """Nested keys follow the field's link; JSON for a union names the fields
    of the members that have every key; an elided value (`{...}`) is empty."""
    specs = write_spec(tmp_path, {
        "models/settings.md": object_doc("Settings", [
            row("response_format", link("Format", wrapper="Optional"), required=False,
                description='Setting `{ "type": "json_schema", "json_schema": {...} }` enables it.'),
            row("retry_policy", link("Retry", wrapper="Optional"), required=False,
                example='{"maxTries": 3, "back_off": {"initialMs": 10}}'),
        ]),
        "models/format.md": union_doc("Format", [("`models.SchemaFormat`", "models.SchemaFormat"),
                                                 ("`models.TextFormat`", "models.TextFormat")]),
        "models/schemaformat.md": object_doc("SchemaFormat", [row("type", "*str*"), row("json_schema", "*str*")]),
        "models/textformat.md": object_doc("TextFormat", [row("type", "*str*")]),
        "models/retry.md": object_doc("Retry", [row("max_tries", "*int*"), row("back_off", link("BackOff"))]),
        "models/backoff.md": object_doc("BackOff", [row("initial_ms", "*int*"), row("id", "*str*"), row("ID", "*str*")],
                                        description='As JSON: {"id": "a"}'),
    })
    loaded = api.load(specs)
    found = wirenames.collect([summarize(m) for m in loaded.spec.models], loaded.resolved.by_key)
    named = {key[1]: {name: (f.wire, f.path, f.line) for name, f in fields.items()}
             for key, fields in found.evidence.items()}
    assert named == {
        "SchemaFormat": {"type": ("type", "models/settings.md", 8), "json_schema": ("json_schema", "models/settings.md", 8)},
        "Retry": {"max_tries": ("maxTries", "models/settings.md", 9), "back_off": ("back_off", "models/settings.md", 9)},
        "BackOff": {"initial_ms": ("initialMs", "models/settings.md", 9)},  # `id` is ambiguous: no evidence
    }
    assert found.alias(("models", "BackOff"), "initial_ms", "initial_ms", None) == "initialMs"
    assert found.alias(("models", "Retry"), "back_off", "back_off", None) is None


def test_evidence_is_right_on_the_real_sdk() -> None:
    """orq 3.4.0: every wire name its docs' JSON shows is the real model's (truth.json)."""
    root = corpus_docs("orq-python-3.4.0")
    truth = json.loads((root.parent / "truth.json").read_text())
    real = {(m["name"], f["name"]): f["alias"] or f["name"] for m in truth["models"] for f in m["fields"]}
    summaries, _ = parse_summaries(root, spec_paths(root, DEFAULT_EXCLUDE)[0], 1)
    found = wirenames.collect(summaries, resolve(summaries)[0].by_key)
    shown = [((key[1], name), f.wire) for key, fields in found.evidence.items() for name, f in fields.items()]
    assert len(shown) >= 10
    assert [(field, wire, real.get(field)) for field, wire in shown if real.get(field) != wire] == []


# --- the three output kinds dump the wire JSON --------------------------------------------


@pytest.mark.parametrize("policy", wirenames.POLICIES)
def test_pydantic_dumps_the_wire_json(policy: str, specs: Path, tmp_path: Path) -> None:
    out = generated(specs, tmp_path, "pydantic", policy)
    classes = load_package(out, package("pydantic", policy))
    order = model_class(classes, "Order").model_validate(VALUE)  # type: ignore[attr-defined]
    wire = json.loads(order.model_dump_json(by_alias=True))
    assert wire == WIRE[policy]
    assert model_class(classes, "Order").model_validate(wire) == order  # type: ignore[attr-defined]


@pytest.mark.parametrize("policy", wirenames.POLICIES)
def test_dataclasses_name_the_wire_json(policy: str, specs: Path, tmp_path: Path, importing: list[Path]) -> None:
    out = generated(specs, tmp_path, "dataclasses", policy)
    pkg = package("dataclasses", policy)
    order_module = import_module(out, f"{pkg}.models.order", importing)
    address_module = importlib.import_module(f"{pkg}.models.address")
    geo = importlib.import_module(f"{pkg}.models.geo").Geo(lat_deg=1.5, lon_deg=2.5)
    address = address_module.Address(postal_code="1000", street_name="Main", geo=geo)
    order = order_module.Order(order_id="o1", created_by="u1", from_="shop", shipping_address=address)
    assert dataclass_json(order) == WIRE[policy]


def test_typeddicts_keep_python_names(specs: Path, tmp_path: Path, importing: list[Path]) -> None:
    """The TypedDicts (twins and the typeddict kind) are keyed by attribute
    names under every policy, as the SDKs' twins are: the same bytes either
    way, and a value of them validates into the model, which dumps the wire JSON."""
    outs = {policy: generated(specs, tmp_path, "typeddict", policy) for policy in wirenames.POLICIES}
    texts = [{path.split("/", 1)[1]: data for path, data in contents(out).items() if "/models/" in path}
             for out in outs.values()]
    assert texts[0] == texts[1] and len(texts[0]) == 7  # docs too: 3 docs, 3 modules, the folder __init__
    module = import_module(outs["camelCase"], f"{package('typeddict', 'camelCase')}.models.order", importing)
    hints = typing.get_type_hints(module.OrderTypedDict)
    assert set(hints) == set(VALUE)
    classes = load_package(generated(specs, tmp_path, "pydantic", "camelCase"), package("pydantic", "camelCase"))
    twin_value: Any = module.OrderTypedDict(**VALUE)  # type: ignore[typeddict-item]
    order = model_class(classes, "Order").model_validate(twin_value)  # type: ignore[attr-defined]
    assert json.loads(order.model_dump_json(by_alias=True)) == WIRE["camelCase"]


def test_docs_name_python_fields_under_every_policy(specs: Path, tmp_path: Path) -> None:
    docs = [{path: data for path, data in contents(generated(specs, tmp_path, "pydantic", policy)).items()
             if path.startswith("docs/")} for policy in wirenames.POLICIES]
    assert docs[0] == docs[1] and docs[0]


# --- precedence ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", wirenames.POLICIES)
def test_overrides_win_over_evidence_and_policy(policy: str, specs: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "o.toml"
    overrides.write_text(OVERRIDES)
    out = generated(specs, tmp_path, "pydantic", policy, overrides)
    pkg = package("pydantic", policy)
    classes = load_package(out, pkg)
    order = model_class(classes, "Order").model_validate(VALUE)  # type: ignore[attr-defined]
    expected = json.loads(json.dumps(WIRE[policy]))
    expected["author"] = expected.pop("createdBy" if policy == "camelCase" else "created_by")
    address = expected["shippingAddress" if policy == "camelCase" else "shipping_address"]
    address["zip"] = address.pop("postalCode")
    assert json.loads(order.model_dump_json(by_alias=True)) == expected


def test_policy_from_the_config_and_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = write_spec(tmp_path, DOCS)
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\npackage = "cfg"\nwire_names = "camelCase"\n')
    monkeypatch.chdir(tmp_path)
    run = md2models("generate", "specs", "-o", "out")
    assert run.code == 0, run.explain()
    geo = (tmp_path / "out" / "cfg" / "models" / "geo.py").read_text()
    assert 'alias="lonDeg"' in geo
    run = md2models("check", "specs", "-o", "out", "--wire-names", "as-is")  # the option wins
    assert run.code == 1 and 'alias="lonDeg"' in run.stdout, run.explain()
    run = md2models("generate", "specs", "-o", "out", "--wire-names", "kebab")
    assert run.code == 2 and "kebab" in run.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\nwire_names = "snake"\n')
    run = md2models("generate", "specs")
    assert run.code == 2 and "wire_names must be one of as-is, camelCase, not 'snake'" in run.stderr, run.explain()
    assert specs.is_dir()


# --- the build cache ------------------------------------------------------------------


def test_policy_and_evidence_rebuild_what_they_change(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, DOCS)
    out = tmp_path / "out"
    api.generate(specs, out, "pkg")
    geo = out / "pkg" / "models" / "geo.py"
    assert 'alias="lat_deg"' not in geo.read_text() and "alias" not in geo.read_text()
    api.generate(specs, out, "pkg", wire_names="camelCase")  # the policy is part of the cache key
    assert 'alias="lonDeg"' in geo.read_text()
    # Another doc's example changes Geo's module on an incremental run.
    order = specs / "models" / "order.md"
    order.write_text(order.read_text().replace('"lat_deg"', '"LatDeg"  '))
    api.generate(specs, out, "pkg", wire_names="camelCase")
    assert 'alias="LatDeg"' in geo.read_text()
    assert api.check(specs, out, "pkg", wire_names="camelCase")[0].up_to_date


# --- lint ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy, field, wire, ruled", [
    ("as-is", "postal_code", "postalCode", "postal_code"),
    ("camelCase", "lat_deg", "lat_deg", "latDeg"),
])
def test_lint_shows_where_evidence_and_policy_disagree(policy: str, field: str, wire: str, ruled: str,
                                                       specs: Path) -> None:
    run = md2models("lint", specs, "--wire-names", policy)
    assert_well_formed(run)
    assert run.code == 0, run.explain()
    root = specs.as_posix() + "/"
    found = [(d.path.removeprefix(root), d.line, d.col, d.message) for d in run.warnings]
    assert found == [(*EXAMPLE_AT, f"the example gives field {field!r} of {'Address' if field == 'postal_code' else 'Geo'}"
                      f" the wire name {wire!r}, wire_names {policy!r} gives {ruled!r} (the example wins; "
                      "an override alias wins over both)")]
    assert md2models("lint", specs, "--wire-names", policy, "--strict").code == 1


# --- two fields, one wire name ------------------------------------------------------


CLASH_DOCS = {"models/user.md": object_doc("User", [
    row("created_by", "*str*"),  # camelCase would make it createdBy, the next field's name
    row("createdBy", "*Optional[str]*", required=False),
    row("v2_id", "*Optional[str]*", required=False),  # v2Id ...
    row("v_2_id", "*Optional[str]*", required=False),  # ... and v2Id again: the first keeps it
])}


def test_camel_case_never_gives_two_fields_one_wire_name(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, CLASH_DOCS)
    out = tmp_path / "out"
    report, warnings = api.generate(specs, out, "pkg", wire_names="camelCase")
    where = [(Path(w.path).name, w.line, w.message) for w in warnings]
    assert where == [
        ("user.md", 8, "wire_names 'camelCase' would give field 'created_by' of User the wire name 'createdBy' of "
                       "field 'createdBy': it keeps 'created_by' (an override alias can name it)"),
        ("user.md", 11, "wire_names 'camelCase' would give field 'v_2_id' of User the wire name 'v2Id' of "
                        "field 'v2_id': it keeps 'v_2_id' (an override alias can name it)")]
    assert [(Path(d.path).name, d.line) for d in api.lint(specs, wire_names="camelCase")] == [
        ("user.md", 8), ("user.md", 11)]
    assert api.generate(specs, out, "pkg", wire_names="camelCase")[1] == warnings  # a no-op run says it again
    assert api.lint(specs) == [] and api.generate(specs, tmp_path / "plain", "pkg")[1] == ()
    user = model_class(load_package(out, "pkg"), "User")
    wire = {"created_by": "a", "createdBy": "b", "v2Id": "c", "v_2_id": "d"}
    value = user.model_validate(wire)  # type: ignore[attr-defined]
    assert (value.created_by, value.createdBy, value.v2_id, value.v_2_id) == ("a", "b", "c", "d")
    assert json.loads(value.model_dump_json(by_alias=True)) == wire
    # An override alias names the field: no warning, and it is the wire name.
    overrides = tmp_path / "o.toml"
    overrides.write_text('[models.User.fields.created_by]\nalias = "author"\n')
    report, warnings = api.generate(specs, out, "pkg", wire_names="camelCase", overrides=overrides)
    assert [w.line for w in warnings] == [11]
    assert [d.line for d in api.lint(specs, wire_names="camelCase", overrides=overrides)] == [11]
    user = model_class(load_package(out, "pkg"), "User")
    assert "author" in json.loads(user.model_validate({**wire, "author": "a"}).model_dump_json(by_alias=True))
