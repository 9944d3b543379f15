"""The seed spec (`specs/`, three docs) end to end through `api.generate`.

Generates into a tmp dir, imports the package in-process (its modules are
dropped from `sys.modules` afterwards) and checks `GetSessionResponseBody`
field by field against FORMAT.md ("From a cell to a model field"): the
annotations, defaults and requiredness, JSON validation, dumping (UNSET
omitted, explicit None kept), rejections, and the TypedDict twin.  Last: the
committed `output/` is exactly what `specs/` generates (`api.check`).
"""

from __future__ import annotations

import importlib
import json
import sys
import typing_extensions
from datetime import datetime, timezone
from typing import Any, Iterator, List, Optional

import pydantic
import pytest
from pydantic_core import PydanticUndefined

from generator import api

from .support import ROOT

PACKAGE = "seed_session_models"  # not the committed name: no clash with output/ on sys.path

FIELDS = ["id", "external_id", "duration", "contact_ids", "billing", "usage", "traces_count", "tags",
          "workspace_id", "project_id", "started_at", "updated_at"]
REQUIRED = FIELDS[:9]
OPTIONAL = FIELDS[9:]

PAYLOAD = {
    "id": "sess_01HZX",
    "external_id": "ext-42",
    "duration": 1234.5,
    "contact_ids": ["c1", "c2"],
    "billing": {"input_cost": 0.001, "output_cost": 0.002, "total_cost": 0.003},
    "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    "traces_count": 3,
    "tags": ["prod", "eu"],
    "workspace_id": "ws_1",
    "started_at": "2024-05-01T12:00:00Z",
    "updated_at": "2024-05-01T12:05:30.250Z",
}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("seed")
    report, warnings = api.generate(ROOT / "specs", out, PACKAGE)
    assert not [w for w in warnings if w.severity == "error"]
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(f"{PACKAGE}.models.getsessionresponsebody")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def runtime(pkg: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}._runtime")


@pytest.fixture(scope="module")
def body(pkg: Any) -> Any:
    return pkg.GetSessionResponseBody


def test_lazy_package_exports_the_same_classes(pkg: Any) -> None:
    top = importlib.import_module(PACKAGE)
    assert top.GetSessionResponseBody is pkg.GetSessionResponseBody
    assert set(top.__all__) == {"GetSessionBilling", "GetSessionBillingTypedDict", "GetSessionResponseBody",
                                "GetSessionResponseBodyTypedDict", "GetSessionUsage", "GetSessionUsageTypedDict"}


def test_exactly_the_twelve_fields_in_doc_order(body: Any) -> None:
    # all nine required fields come first in the doc already, so the stable
    # "no default first" reordering keeps the doc order
    assert list(body.model_fields) == FIELDS


def test_annotations_defaults_requiredness(body: Any, pkg: Any, runtime: Any) -> None:
    want = {
        "id": str, "external_id": str, "duration": float, "contact_ids": List[str],
        "billing": pkg.GetSessionBilling, "usage": pkg.GetSessionUsage, "traces_count": float,
        "tags": List[str], "workspace_id": str,
        # at run time OptionalNullable[T] is the union annotated with the NULLABLE marker
        "project_id": typing_extensions.get_args(runtime.OptionalNullable[str])[0],
        # FORMAT.md: the `[date](...#date-objects)` link is a datetime
        "started_at": Optional[datetime], "updated_at": Optional[datetime],
    }
    fields = body.model_fields
    for name in FIELDS:
        info = fields[name]
        assert info.annotation == want[name], (name, info.annotation)
        assert info.alias is None, name
    for name in REQUIRED:
        assert fields[name].is_required(), name
        assert fields[name].default is PydanticUndefined, name
    assert not fields["project_id"].is_required()
    assert fields["project_id"].default is runtime.UNSET
    assert runtime.NULLABLE in fields["project_id"].metadata
    for name in ("started_at", "updated_at"):
        assert not fields[name].is_required()
        assert fields[name].default is None


def test_realistic_payload_validates(body: Any, pkg: Any, runtime: Any) -> None:
    m = body.model_validate_json(json.dumps(PAYLOAD))
    assert m.id == "sess_01HZX" and m.duration == 1234.5 and m.traces_count == 3.0
    assert isinstance(m.billing, pkg.GetSessionBilling) and m.billing.total_cost == 0.003
    assert isinstance(m.usage, pkg.GetSessionUsage) and m.usage.total_tokens == 30.0
    assert m.started_at == datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert m.updated_at is not None and m.updated_at.microsecond == 250000
    assert m.project_id is runtime.UNSET
    # a JSON round trip gives the same model
    assert body.model_validate_json(m.model_dump_json()) == m


def test_dump_omits_unset_keeps_explicit_none(body: Any) -> None:
    unset = body.model_validate(PAYLOAD).model_dump()
    assert "project_id" not in unset
    assert json.loads(body.model_validate(PAYLOAD).model_dump_json()).keys() == unset.keys()
    explicit = body.model_validate({**PAYLOAD, "project_id": None}).model_dump()
    assert "project_id" in explicit and explicit["project_id"] is None
    assert json.loads(body.model_validate({**PAYLOAD, "project_id": None}).model_dump_json())["project_id"] is None
    given = body.model_validate({**PAYLOAD, "project_id": "p1"}).model_dump()
    assert given["project_id"] == "p1"
    # optional (not nullable) fields: None is the default and is omitted
    minimal = {k: v for k, v in PAYLOAD.items() if k in REQUIRED}
    dumped = body.model_validate(minimal).model_dump()
    assert set(dumped) == set(REQUIRED)
    assert dumped["billing"] == PAYLOAD["billing"]


@pytest.mark.parametrize("key, value", [
    ("duration", "not a number"),
    ("contact_ids", "c1"),
    ("contact_ids", [1, 2]),
    ("billing", {"input_cost": 1.0}),
    ("usage", "lots"),
    ("started_at", "yesterday"),
    ("project_id", 12),
    ("tags", {"a": 1}),
])
def test_wrong_type_rejected(body: Any, key: str, value: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        body.model_validate({**PAYLOAD, key: value})
    assert info.value.errors()[0]["loc"][0] == key


@pytest.mark.parametrize("key", REQUIRED)
def test_missing_required_rejected(body: Any, key: str) -> None:
    payload = {k: v for k, v in PAYLOAD.items() if k != key}
    with pytest.raises(pydantic.ValidationError) as info:
        body.model_validate(payload)
    assert [(e["type"], e["loc"]) for e in info.value.errors()] == [("missing", (key,))]


@pytest.mark.parametrize("key", REQUIRED)
def test_null_where_not_nullable_rejected(body: Any, key: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        body.model_validate({**PAYLOAD, key: None})


def test_typeddict_twin(pkg: Any, runtime: Any) -> None:
    twin = pkg.GetSessionResponseBodyTypedDict
    assert typing_extensions.is_typeddict(twin)
    hints = typing_extensions.get_type_hints(twin)
    assert list(hints) == FIELDS
    assert twin.__required_keys__ == frozenset(REQUIRED)
    assert twin.__optional_keys__ == frozenset(OPTIONAL)
    assert hints["billing"] is pkg.GetSessionBillingTypedDict
    assert hints["usage"] is pkg.GetSessionUsageTypedDict
    assert hints["project_id"] == typing_extensions.get_args(runtime.Nullable[str])[0]  # the hint less its marker
    assert hints["started_at"] is datetime
    assert typing_extensions.is_typeddict(pkg.GetSessionBillingTypedDict)
    assert typing_extensions.is_typeddict(pkg.GetSessionUsageTypedDict)
    # the twin describes what the model accepts
    pydantic.TypeAdapter(twin).validate_python({**PAYLOAD, "project_id": None})


def test_committed_output_is_up_to_date() -> None:
    report, _files, _warnings = api.check(ROOT / "specs", ROOT / "output", "session_models")
    assert report.up_to_date, report
