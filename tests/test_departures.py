"""What real SDKs do where md2models once departed from the docs (issue 11,
item 5): required nullable `Optional[T]`, const defaults under
`OptionalNullable`, the doc's field order, Speakeasy's `http_meta` and the
httpx / requests stand-in types."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from generator import api

from .specgen import link, object_doc, row, write_spec
from .test_typing import mypy_strict

pydantic = pytest.importorskip("pydantic")

DOCS = {
    "models/pet.md": object_doc("Pet", [
        row("name", "*Optional[str]*", True),
        row("kind", '*OptionalNullable[Literal["pet"]]*', False),
        row("legacy", '*Optional[Literal["v1"]]*', False),
        row("nick", "*str*", False),
        row("age", "*int*", True),
        row("tag", "*OptionalNullable[str]*", False),
        row("id", "*str*", True),
    ]),
    "models/listpetsresponse.md": object_doc("ListPetsResponse", [
        row("http_meta", link("HTTPMetadata", stem="httpmetadata"), True),
        row("pets", f"List[{link('Pet')}]", True),
    ]),
    "models/httpmetadata.md": object_doc("HTTPMetadata", [
        row("response", "[httpx.Response](https://www.python-httpx.org/api/#response)", True),
        row("request", "[httpx.Request](https://www.python-httpx.org/api/#request)", True),
    ]),
}
ORDER = ["name", "kind", "legacy", "nick", "age", "tag", "id"]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("departures")
    specs = write_spec(root, DOCS)
    for target in ("pydantic", "dataclasses", "typeddict"):
        api.generate(specs, root / target, f"dep_{target}", target=target)
    return root


def _import(out: Path, target: str, module: str) -> typing.Any:
    sys.path.insert(0, str(out / target))
    try:
        return importlib.import_module(f"dep_{target}.models.{module}")
    finally:
        sys.path.pop(0)


def _source(out: Path, target: str, module: str) -> str:
    return (out / target / f"dep_{target}" / "models" / f"{module}.py").read_text()


def test_required_optional_is_required_and_nullable(out: Path) -> None:
    text = _source(out, "pydantic", "pet")
    assert "    name: Optional[str]\n" in text
    assert "    name: Optional[str]\n" in text.split("class PetTypedDict")[1]  # a required key, may be null
    pet = _import(out, "pydantic", "pet")
    with pytest.raises(pydantic.ValidationError):
        pet.Pet.model_validate({"age": 1, "id": "a"})
    assert pet.Pet.model_validate({"name": None, "age": 1, "id": "a"}).model_dump()["name"] is None
    assert "    name: Optional[str]\n" in _source(out, "dataclasses", "pet")


def test_optional_nullable_const_defaults_to_the_literal(out: Path) -> None:
    text = _source(out, "pydantic", "pet")
    assert '    kind: OptionalNullable[Literal["pet"]] = "pet"\n' in text
    assert '    legacy: Optional[Literal["v1"]] = "v1"\n' in text
    pet = _import(out, "pydantic", "pet").Pet.model_validate({"name": "n", "age": 1, "id": "a"})
    assert pet.kind == "pet" and pet.model_dump()["kind"] == "pet"


def test_field_order_is_the_docs(out: Path) -> None:
    pet = _import(out, "pydantic", "pet")
    assert list(pet.Pet.model_fields) == ORDER
    assert list(typing.get_type_hints(pet.PetTypedDict)) == ORDER
    dumped = pet.Pet.model_validate({"name": "n", "age": 1, "id": "a", "nick": "x"}).model_dump()
    assert list(dumped) == ["name", "kind", "legacy", "nick", "age", "id"]
    assert list(typing.get_type_hints(_import(out, "typeddict", "pet").PetTypedDict)) == ORDER
    # dataclasses need the fields without a default first; otherwise the doc's order
    names = [f.name for f in dataclasses.fields(_import(out, "dataclasses", "pet").Pet)]
    assert names == ["name", "age", "id", "kind", "legacy", "nick", "tag"]


def test_http_meta_is_optional_and_never_dumped(out: Path) -> None:
    text = _source(out, "pydantic", "listpetsresponse")
    assert "    http_meta: Annotated[Optional[HTTPMetadata], pydantic.Field(exclude=True)] = None\n" in text
    meta = _source(out, "pydantic", "httpmetadata")
    assert "    response: Optional[HttpxResponse] = None\n" in meta
    assert "    request: Optional[HttpxRequest] = None\n" in meta
    module = _import(out, "pydantic", "listpetsresponse")
    http = _import(out, "pydantic", "httpmetadata").HTTPMetadata
    response = module.ListPetsResponse.model_validate({"pets": []})
    assert response.http_meta is None
    with_meta = module.ListPetsResponse(http_meta=http(response=object()), pets=[])
    assert with_meta.model_dump() == {"pets": []}
    assert "http_meta: NotRequired[HTTPMetadataTypedDict]" in text
    assert "    http_meta: Optional[HTTPMetadata] = None\n" in _source(out, "dataclasses", "listpetsresponse")


def test_httpx_types_for_type_checkers_only(out: Path, tmp_path: Path) -> None:
    """No httpx at run time; the real types for mypy (where httpx is installed)."""
    probe = ("import sys; sys.modules['httpx'] = None; sys.modules['requests'] = None\n"
             "from dep_pydantic.models.httpmetadata import HTTPMetadata\n"
             "print(HTTPMetadata(response=1).response)")
    run = subprocess.run([sys.executable, "-c", probe], cwd=out / "pydantic", capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "1\n", run.stderr
    pytest.importorskip("httpx")
    user = out / "pydantic" / "dep_user.py"
    user.write_text("from dep_pydantic.models.httpmetadata import HTTPMetadata\n\n\n"
                    "def status(meta: HTTPMetadata) -> str:\n"
                    "    return meta.response.status_code if meta.response else 0\n")
    try:
        with pytest.raises(AssertionError, match=r'Incompatible return value type \(got "int", expected "str"\)'):
            mypy_strict(out / "pydantic", "dep_user", tmp_path)
    finally:
        user.unlink()
    for target in ("pydantic", "dataclasses", "typeddict"):
        (tmp_path / target).mkdir()
        mypy_strict(out / target, f"dep_{target}", tmp_path / target)


def test_httpx_absent_for_the_type_checker_too(out: Path, tmp_path: Path) -> None:
    """Where httpx / requests are not installed, mypy --strict still passes
    (they are `Any` then): the typeddict output needs no installed package."""
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\nno_site_packages = True\n")
    run = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir",
                          str(tmp_path / "cache"), "-p", "dep_typeddict"],
                         cwd=out / "typeddict", capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
