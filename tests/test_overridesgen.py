"""`md2models overrides --from-package` (generator/fromcode.py, generator/overridesgen.py).

The synthetic SDKs under `tests/sdks/` (written for these tests, in the
shape of Speakeasy's output: pydantic era and the older dataclasses era,
flat `models/` and namespaced `models/shared|operations|components`) each
hold docs and the code they stand for.  The round trip: code -> overrides ->
generated code must give every documented field of every class its name,
annotation, default and wire alias.  The file holds only what the docs do
not imply: md2models' own output gives an empty one, and the generated
code gives back the same file.  What cannot be mapped is reported at its
file:line, without failing.
"""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import api
from generator.cli import main
from generator.diagnostics import SpecError
from generator.fromcode import CodeClass, module_files, read_module
from generator.overrides import toml_key, toml_str
from generator.overridesgen import bootstrap

from .support import ROOT

SDKS = ROOT / "tests" / "sdks"
# case -> the SDK's package (its models are under code/PACKAGE/models)
CASES = {"pydantic_flat": "acme", "pydantic_namespaced": "shop", "dataclasses_flat": "store",
         "dataclasses_namespaced": "petstore"}
# fields the docs do not list (Speakeasy adds them to response models): reported, not generated
UNDOCUMENTED = {("AddPetResponse", "raw_response")}


def classes(models: Path) -> dict[tuple[str, str], CodeClass]:
    found: dict[tuple[str, str], CodeClass] = {}
    for path, source, namespace, module in module_files([models]):
        for cls in read_module(Path(path).read_bytes(), source, namespace, module)[0]:
            found[(cls.namespace, cls.name)] = cls
    return found


def plain(annotation: ast.expr) -> str:
    """Module prefixes (`shared_pet.`, `components.`), quotes and spaces dropped."""
    return re.sub(r"\b[a-z_][a-z0-9_]*\.", "", ast.unparse(annotation)).replace('"', "").replace("'", "")


def overrides(case: str, package: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["overrides", str(SDKS / case / "docs"), "--from-package", str(package),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    return result.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip_code_overrides_generated_code(case: str, tmp_path: Path) -> None:
    models = SDKS / case / "code" / CASES[case] / "models"
    overrides(case, models, tmp_path / "o.toml")
    api.generate(SDKS / case / "docs", tmp_path / "out", "gen", overrides=tmp_path / "o.toml")
    want, got = classes(models), classes(tmp_path / "out" / "gen" / "models")
    assert set(want) <= set(got)
    compared = 0
    for key, cls in want.items():
        assert got[key].kind == cls.kind, key
        fields = {f.name: f for f in got[key].fields}
        for field in cls.fields:
            if (cls.name, field.name) in UNDOCUMENTED:
                assert field.name not in fields
                continue
            mine = fields[field.name]
            assert (plain(mine.annotation), mine.default, mine.alias) == \
                (plain(field.annotation), field.default, field.alias), f"{cls.name}.{field.name}"
            compared += 1
    assert compared >= 8


def test_what_the_files_say(tmp_path: Path) -> None:
    """One of each kind of key, in doc order, a comment naming the class's file:line."""
    overrides("pydantic_flat", SDKS / "pydantic_flat" / "code" / "acme" / "models", tmp_path / "o.toml")
    text = (tmp_path / "o.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["models"]
    assert data["ListResponse"] == {"class_name": "ListPetsResponse", "fields": {"next_cursor": {"alias": "nextCursor"}}}
    assert list(data["Pet"]["fields"]) == ["type", "created_by", "tags", "weight", "updated"]  # doc order
    assert data["Pet"]["fields"]["type"] == {"name": "TYPE"}  # the alias `type` follows from the rename
    assert data["Pet"]["fields"]["tags"] == {"type": "OptionalNullable[List[str]]", "default": "UNSET"}
    assert data["Pet"]["fields"]["updated"] == {"default": "dateutil.parser.isoparse('2025-01-01T00:00:00Z')"}
    assert "Owner" in data and "PetKind" not in data
    # the code lists the union's members Pet first, where the docs' rule (fewest fields first) puts Owner
    assert data["PetOrOwner"] == {"members": ["Pet", "Owner"]}
    assert "# models/pet.py:33\n[models.Pet.fields.type]\n" in text
    namespaced = tmp_path / "n.toml"
    overrides("pydantic_namespaced", SDKS / "pydantic_namespaced" / "code" / "shop" / "models", namespaced)
    assert tomllib.loads(namespaced.read_text(encoding="utf-8"))["models"]["components.Status"] == {
        "fields": {"last_seen": {"alias": "lastSeen"}, "active": {"default": "True"}}}


@pytest.mark.parametrize("case", ["pydantic_flat", "dataclasses_namespaced"])
def test_nothing_the_docs_imply_is_written(case: str, tmp_path: Path) -> None:
    """On md2models' own output the file is empty; on the output generated with
    the overrides, it is the same file again (but for the comments' file:line)."""
    docs = SDKS / case / "docs"
    api.generate(docs, tmp_path / "plain", "gen")
    overrides(case, tmp_path / "plain" / "gen" / "models", tmp_path / "empty.toml")
    assert tomllib.loads((tmp_path / "empty.toml").read_text(encoding="utf-8")) == {}
    first = tmp_path / "first.toml"
    overrides(case, SDKS / case / "code" / CASES[case] / "models", first)
    api.generate(docs, tmp_path / "fixed", "gen", overrides=first)
    overrides(case, tmp_path / "fixed" / "gen" / "models", tmp_path / "again.toml")
    assert tomllib.loads((tmp_path / "again.toml").read_text(encoding="utf-8")) == \
        tomllib.loads(first.read_text(encoding="utf-8"))


def test_what_cannot_be_mapped_is_reported_not_fatal(tmp_path: Path) -> None:
    case = tmp_path / "sdk"
    shutil.copytree(SDKS / "pydantic_flat", case)
    models = case / "code" / "acme" / "models"
    (models / "errors.py").write_text('''\
class APIError(Exception):
    message: str


class Odd(BaseModel):
    value: Annotated[str, Unheard()] = pydantic.Field(default_factory=list)
''', encoding="utf-8")
    (case / "docs" / "models" / "lonely.md").write_text("# Lonely\n\n\n## Fields\n\n| Field | Type | Required | "
                                                         "Description |\n| - | - | - | - |\n| `x` | *str* | "
                                                         ":heavy_check_mark: | N/A |\n", encoding="utf-8")
    (models / "broken.py").write_text("class (:\n", encoding="utf-8")
    result = bootstrap(case / "docs", [models])
    notes = {(source, line) for source, line, _ in result.notes}
    assert {("models/errors.py", 1), ("models/errors.py", 5), ("models/errors.py", 6),
            ("models/broken.py", 1), ("models/lonely.md", 1)} <= notes
    assert result.counts == {"classes without a doc": 2, "docs without a class": 1, "constructs not understood": 3}
    assert "[models.Pet.fields.type]" in result.text  # the rest is mapped as before


def test_bad_specs_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        bootstrap(tmp_path, [SDKS / "pydantic_flat" / "code" / "acme" / "models"])
    result = CliRunner().invoke(main, ["overrides", str(tmp_path), "--from-package", str(tmp_path)])
    assert result.exit_code == 2 and "error" in result.stderr


@pytest.mark.parametrize("text", ["plain", 'quo"te', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "ünï€ode",
                                  "'single'", "a.b", "", "#hash", "[x]"])
def test_toml_strings_and_keys_read_back(text: str) -> None:
    assert tomllib.loads(f"{toml_key(text or 'k')} = {toml_str(text)}\n") == {text or "k": text}


def test_name_override_is_checked_and_renames_the_attribute(tmp_path: Path) -> None:
    bad = tmp_path / "o.toml"
    specs = ROOT / "specs"
    for name, why, line in (("class", "not a usable attribute name", 2), ("_private", "not a usable attribute name", 2),
                            ("model_dump", "not a usable attribute name", 2),
                            ("completion_tokens", "is taken by field", 1)):  # at the field's table
        bad.write_text(f'[models.GetSessionUsage.fields.prompt_tokens]\nname = "{name}"\n', encoding="utf-8")
        with pytest.raises(SpecError) as info:
            api.render(specs, "pkg", overrides=bad)
        assert why in info.value.errors[0].message and info.value.errors[0].line == line, info.value.errors
    bad.write_text('[models.GetSessionUsage.fields.prompt_tokens]\nname = "PROMPT_TOKENS"\n', encoding="utf-8")
    files = api.render(specs, "pkg", overrides=bad).files
    module = files["pkg/models/getsessionusage.py"].load().decode()
    assert 'PROMPT_TOKENS: Annotated[float, pydantic.Field(alias="prompt_tokens")]' in module
