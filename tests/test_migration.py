"""The override keys of exact migration (`generator/overrides.py`, `pyblocks`, `unions`):
enum-member defaults, fields the docs lack (`added`), a union's member order and
discriminator; and the bootstrap writing them from code (`overridesgen`).

A small namespaced spec of our own (`components/`): an enum with table-form
member names, a model whose field links to it, two tagged members and their
union, a paginated response.  Errors are at the overrides file's line:col.
"""

from __future__ import annotations

import importlib
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import api
from generator.cli import main
from generator.diagnostics import SpecError

ROW = "| `{name}` | {type} | {req} | {text} |"
HEADER = "| Field | Type | Required | Description |\n| ----- | ---- | -------- | ----------- |"
REQUIRED, OPTIONAL = ":heavy_check_mark:", ":heavy_minus_sign:"


def _object(title: str, *rows: tuple[str, str, str]) -> str:
    body = "\n".join(ROW.format(name=n, type=t, req=r, text="N/A") for n, t, r in rows)
    return f"# {title}\n\n\n## Fields\n\n{HEADER}\n{body}\n"


def _link(title: str, wrap: str = "{}") -> str:
    return f"[{wrap.format('components.' + title)}](../../models/components/{title.lower()}.md)"


SPEC = {
    "region.md": "# Region\n\n## Example Usage\n\n```python\nfrom acme.models.components import Region\n\n"
                 "value = Region.WILDCARD_\n```\n\n\n## Values\n\n"
                 "| Name | Value |\n| ---- | ----- |\n| `WILDCARD_` | * |\n| `EU` | eu |\n",
    "query.md": _object("Query", ("region", _link("Region", "Optional[{}]"), OPTIONAL),
                        ("limit", "*Optional[int]*", OPTIONAL)),
    "cat.md": _object("Cat", ("type", "*Literal[\"cat\"]*", REQUIRED), ("name", "*str*", REQUIRED),
                      ("lives", "*int*", REQUIRED)),
    "dog.md": _object("Dog", ("type", "*Literal[\"dog\"]*", REQUIRED), ("name", "*str*", REQUIRED)),
    "pet.md": "# Pet\n\n\n## Supported Types\n\n" + "".join(
        f"### `components.{m}`\n\n```python\nvalue: components.{m} = /* values here */\n```\n\n"
        for m in ("Cat", "Dog")),
    "listpetsresponse.md": _object("ListPetsResponse", ("result", f"List[{_link('Pet')}]", REQUIRED)),
}


def _write_spec(root: Path) -> Path:
    folder = root / "docs" / "models" / "components"
    folder.mkdir(parents=True)
    for name, text in SPEC.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root / "docs"


@pytest.fixture()
def spec(tmp_path: Path) -> Path:
    return _write_spec(tmp_path)


def _errors(spec: Path, text: str) -> list[tuple[int, int, str]]:
    path = spec.parent / "o.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        api.render(spec, "pkg", overrides=path)
    return [(d.line, d.col, d.message) for d in info.value.errors]


def _generate(spec: Path, text: str, package: str, target: str = "pydantic") -> Path:
    path = spec.parent / "o.toml"
    path.write_text(text, encoding="utf-8")
    api.generate(spec, spec.parent / "out", package, overrides=path, target=target)
    return spec.parent / "out" / package / "models" / "components"


MIGRATION = """\
[models.Query.fields.region]
default = "Region.WILDCARD_"

[models.Query.fields.limit]
default = "10"

[models.ListPetsResponse.fields.next]
added = true
type = "Callable[[], Optional[ListPetsResponse]]"

[models.ListPetsResponse.fields.raw_response]
added = true
type = "Optional[httpx.Response]"
default = "None"
exclude = true

[models.Pet]
members = ["Dog", "Cat"]
discriminator = ""
"""


def test_enum_member_defaults_and_added_fields_render_as_the_sdk_has_them(spec: Path) -> None:
    out = _generate(spec, MIGRATION, "mig_pydantic")
    query = (out / "query.py").read_text(encoding="utf-8")
    assert "    region: Optional[Region] = Region.WILDCARD_\n" in query
    assert "    region: NotRequired[Region]\n" in query  # the twin: no default, as before
    response = (out / "listpetsresponse.py").read_text(encoding="utf-8")
    # a function is never dumped (no JSON value stands for it)
    assert ('    next: Annotated[\n        Callable[[], Optional["ListPetsResponse"]], pydantic.Field(exclude=True)\n'
            in response)
    assert "raw_response: Annotated[Optional[HttpxResponse], pydantic.Field(exclude=True)] = (" in response
    assert "next" not in response.partition("TypedDict):")[2]  # what the SDK sets is no wire data
    pet = (out / "pet.py").read_text(encoding="utf-8")
    assert 'TypeAliasType("Pet", Union[Dog, Cat])' in pet and "Discriminator" not in pet

    sys.path.insert(0, str(spec.parent / "out"))
    try:
        models: Any = importlib.import_module("mig_pydantic.models.components.query")
        assert models.Query().model_dump(mode="json") == {"region": "*", "limit": 10}
        listing: Any = importlib.import_module("mig_pydantic.models.components.listpetsresponse")
        page = listing.ListPetsResponse(next=lambda: None, result=[{"type": "dog", "name": "Rex"}],
                                        raw_response=object())
        assert page.next() is None
        assert page.model_dump(mode="json", by_alias=True) == {"result": [{"type": "dog", "name": "Rex"}]}
    finally:
        sys.path.remove(str(spec.parent / "out"))


def test_a_member_default_of_a_literal_enum_is_its_value(spec: Path) -> None:
    region = spec / "models" / "components" / "region.md"
    region.write_text(SPEC["region.md"].replace("value = Region.WILDCARD_", 'value: Region = "*"'), encoding="utf-8")
    query = (_generate(spec, MIGRATION, "mig_literal") / "query.py").read_text(encoding="utf-8")
    assert 'Region = Literal["*", "eu"]' in (region.parent.parent.parent.parent / "out" / "mig_literal" / "models"
                                             / "components" / "region.py").read_text(encoding="utf-8")
    assert '    region: Optional[Region] = "*"\n' in query


def test_member_defaults_in_the_dataclasses_target_and_by_value(spec: Path) -> None:
    by_value = MIGRATION.replace('default = "Region.WILDCARD_"', "default = \"'eu'\"")
    query = (_generate(spec, by_value, "mig_dc", "dataclasses") / "query.py").read_text(encoding="utf-8")
    assert "    region: Optional[Region] = Region.EU\n" in query
    typeddict = (_generate(spec, MIGRATION, "mig_td", "typeddict") / "query.py").read_text(encoding="utf-8")
    assert "WILDCARD_" not in typeddict and "    region: NotRequired[Region]\n" in typeddict


def test_discriminator_stated(spec: Path) -> None:
    pet = (_generate(spec, '[models.Pet]\ndiscriminator = "type"\n', "mig_tag") / "pet.py").read_text(encoding="utf-8")
    assert 'pydantic.Tag("cat")' in pet and 'tag_of("type", "type")' in pet
    assert pet.index("Annotated[Dog") < pet.index("Annotated[Cat")  # no order stated: fewest fields first


def test_bad_migration_keys_are_errors_at_line_and_column(spec: Path) -> None:
    # what the file says on its own is checked first
    found = _errors(spec, '[models.Pet]\nmembers = ["Dog"]\n\n[models.Cat.fields.name]\nadded = "yes"\n')
    assert [(line, message) for line, _, message in found] == [
        (2, "members must be a list of two or more type strings (model titles, `str`, `List[str]`...)"),
        (5, "added must be true or false")]
    found = _errors(spec, """\
[models.Query.fields.region]
default = "Region.WILDCARD"

[models.Query.fields.limit]
default =   "Regio.EU"

[models.ListPetsResponse.fields.next]
added = true

[models.ListPetsResponse.fields.result]
added = true
type = "str"

[models.Region]
discriminator = "type"

[models.Cat.fields.owner]
added = true
type = "Callable[[int], str]"
""")
    assert (2, 11, "default 'Region.WILDCARD': enum 'Region' has no member 'WILDCARD': "
            "did you mean Region.WILDCARD_?") in found
    assert (5, 13, "default 'Regio.EU': the field's type names no enum") in found
    messages = {line: message for line, _, message in found}
    assert "needs a `type`" in messages[7]
    assert "is in the doc of 'ListPetsResponse': drop `added`" in messages[10]
    assert "model 'Region' is an enum: members and discriminator apply to unions only" in messages[15]
    assert "Callable takes `[]` and a return type" in messages[19]


def test_member_given_by_a_value_the_enum_lacks_suggests_the_member(spec: Path) -> None:
    found = _errors(spec, '[models.Query.fields.region]\ndefault = "Region.EU_"\n')
    assert found == [(2, 11, "default 'Region.EU_': enum 'Region' has no member 'EU_': did you mean Region.EU?")]
    found = _errors(spec, '[models.Query.fields.region]\ndefault = "Region.eu"\n')  # the value, not the member
    assert found[0][2].endswith("did you mean Region.EU?")


def test_union_keys_are_checked_against_the_members(spec: Path) -> None:
    found = _errors(spec, '[models.Pet]\nmembers = ["Dog", "Query"]\ndiscriminator = "name"\n')
    messages = [m for _, _, m in found]
    assert any("missing: Cat; not members: Query" in m for m in messages), messages
    assert any("member 'Cat' has no required one-value field 'name'" in m for m in messages), messages


_VALUES = st.one_of(st.booleans(), st.integers(), st.text(max_size=12), st.lists(st.text(max_size=8), max_size=3),
                   st.sampled_from(["Region.WILDCARD_", "Region.X", "'eu'", "Callable[[], str]", "Query", "type",
                                    "Callable[[int], str]", "List[Query]", "Dog", "Cat", ""]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(["Query", "Pet", "Region", "ListPetsResponse"]),
       field=st.sampled_from(["region", "limit", "next", "type"]),
       model_key=st.sampled_from(["members", "discriminator"]), model_value=_VALUES,
       field_key=st.sampled_from(["added", "exclude", "default", "type"]), field_value=_VALUES)
def test_any_migration_key_value_is_generated_or_an_error_at_the_file(
        tmp_path: Path, model: str, field: str, model_key: str, model_value: object, field_key: str,
        field_value: object) -> None:
    """Whatever a migration key holds: the package is rendered, or errors at the
    overrides file's lines, never another exception."""
    spec = tmp_path / "spec" / "docs"
    if not spec.is_dir():
        _write_spec(tmp_path / "spec")
    text = (f"[models.{model}]\n{model_key} = {json.dumps(model_value)}\n\n"
            f"[models.{model}.fields.{field}]\n{field_key} = {json.dumps(field_value)}\n")
    path = tmp_path / "o.toml"
    path.write_text(text, encoding="utf-8")
    try:
        api.render(spec, "pkg", overrides=path)
    except SpecError as exc:
        assert exc.diagnostics and all(d.path == str(path.resolve()) and 1 <= d.line <= 5 for d in exc.diagnostics)


# --- the bootstrap writes them ------------------------------------------------------------


CODE = '''\
from __future__ import annotations
from .region import Region
from .pet import Pet
from dub.types import BaseModel
import httpx
import pydantic
from typing import Callable, List, Optional, Union
from typing_extensions import Annotated, TypeAliasType


class Query(BaseModel):
    region: Optional[Region] = Region.WILDCARD_

    limit: Optional[int] = None


class ListPetsResponse(BaseModel):
    next: Callable[[], Optional[ListPetsResponse]]

    result: List[Pet]

    raw_response: Annotated[Optional[httpx.Response], pydantic.Field(exclude=True)] = None

    @model_serializer(mode="wrap")
    def serialize_model(self, handler):
        optional_fields = set(["Result"])


Pet = TypeAliasType("Pet", Union[Cat, Dog])
'''


def test_the_bootstrap_writes_the_new_keys_and_notes_a_generator_bug(spec: Path, tmp_path: Path) -> None:
    code = tmp_path / "src" / "components"
    code.mkdir(parents=True)
    (code / "query.py").write_text(CODE, encoding="utf-8")
    (code / "region.py").write_text("from enum import Enum\n\n\nclass Region(str, Enum):\n    WILDCARD_ = '*'\n"
                                    "    EU = 'eu'\n", encoding="utf-8")
    (code / "pet.py").write_text("from dub.types import BaseModel\nfrom typing import Literal\n\n\n"
                                 "class Cat(BaseModel):\n    type: Literal['cat'] = 'cat'\n    name: str\n"
                                 "    lives: int\n\n\nclass Dog(BaseModel):\n    type: Literal['dog'] = 'dog'\n"
                                 "    name: str\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["overrides", str(spec), "--from-package", str(code), "-o",
                                       str(tmp_path / "o.toml")])
    assert result.exit_code == 0, result.output
    data = tomllib.loads((tmp_path / "o.toml").read_text(encoding="utf-8"))["models"]
    assert data["Query"] == {"fields": {"region": {"default": "Region.WILDCARD_"}}}
    assert data["ListPetsResponse"]["fields"] == {
        "next": {"added": True, "type": "Callable[[], Optional[ListPetsResponse]]"},
        "raw_response": {"added": True, "type": "Optional[httpx.Response]", "default": "None", "exclude": True}}
    assert data["Pet"] == {"members": ["Cat", "Dog"]}  # md2models puts Dog (fewer fields) first
    summary = result.stderr.splitlines()[-1]
    assert "fields mapped, 0 noted" in summary and "1 SDK generator bugs not copied" in summary, summary
    assert "its serializer lists 'Result', no field's wire name" in result.stderr

    # the round trip: generated with these overrides, the code gives back an empty file
    api.generate(spec, tmp_path / "gen", "gen", overrides=tmp_path / "o.toml")
    again = CliRunner().invoke(main, ["overrides", str(spec), "--from-package",
                                      str(tmp_path / "gen" / "gen" / "models" / "components"),
                                      "-o", str(tmp_path / "again.toml")])
    assert again.exit_code == 0, again.output
    assert tomllib.loads((tmp_path / "again.toml").read_text(encoding="utf-8"))["models"] == data
