"""Overrides (`generator/overrides.py`): facts the docs cannot say.

1. Loading and checking: every problem is an error at the overrides file's
   line (the key's, or the header of the table holding it), exit 2; what
   the spec no longer has (stale entries) is a warning (test_warnings.py).
2. Each kind applied to the seed `specs/`: the package imports, validates a
   payload under the alias, applies the default, the renamed class is
   referenced (and indexed) under its new name, bases and decorators apply,
   the twin follows; the build cache is keyed by the overrides.
3. Fidelity: with `tests/overrides/orq-python-3.4.0.toml` (written by
   `md2models overrides` from the real sources), every field of the real orq 3.4.0
   models matches in name, core annotation, default and wire alias.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import tomllib
import typing
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from generator import api
from generator.cli import main
from generator.config import load_config
from generator.diagnostics import SpecError
from generator.overrides import Default, _Bad, load_overrides, parse_default
from generator.overridesgen import bootstrap

from .fidelity import compare, fields_of, generated_classes
from .support import ROOT, corpus_docs

SPECS = ROOT / "specs"
ORQ_OVERRIDES = ROOT / "tests" / "overrides" / "orq-python-3.4.0.toml"


def errors_of(path: Path, text: str, specs: Path = SPECS) -> list[tuple[int, str]]:
    """(line, message) of each error that overrides `text` cause on `specs`."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        api.render(specs, "pkg", overrides=path)
    assert all(d.path == str(path.resolve()) for d in info.value.diagnostics)
    return [(d.line, d.message) for d in info.value.errors]


# --- 1. loading and checking ------------------------------------------------------


def test_file_problems_have_lines(tmp_path: Path) -> None:
    found = errors_of(tmp_path / "o.toml", """\
# overrides
colour = 1

[models.GetSessionResponseBody]
clas_name = "X"
class_name = "class"
bases = ["not a module", "os:BaseModel"]

[models.GetSessionResponseBody.fields.id]
type = "List[str"
default = "foo()"
alias = 3
colour = 1
""")
    lines = {line for line, _ in found}
    assert lines == {2, 5, 6, 7, 10, 11, 12, 13}, found
    messages = " | ".join(m for _, m in found)
    for part in ("unknown key 'colour'", "unknown key 'clas_name'", "'class' is not a usable class name",
                 "'not a module' is not", "would shadow a name", "was never closed", "calls allowed are",
                 "alias must be a string"):
        assert part in messages


def test_spec_problems_have_lines(tmp_path: Path) -> None:
    found = errors_of(tmp_path / "o.toml", """\
[models.Nope]
class_name = "X"

[models.GetSessionResponseBody.fields.missing]
alias = "m"

[models.GetSessionResponseBody.fields.id]
type = "Optional[os.system]"

[models.GetSessionBilling.fields.input_cost]
type = "Dict[int, str]"

[models.GetSessionUsage]
class_name = "GetSessionBilling"

[models.GetSessionResponseBody.fields.duration]
type = "Optional[Datetime]"
""")
    assert [line for line, _ in found] == [8, 11, 14, 14, 17], found
    assert "unknown name 'os.system'" in found[0][1]
    assert "Dict keys must be str" in found[1][1]
    assert "is taken by GetSessionBilling" in found[2][1]
    # a built-in type misspelt is an error, not a model the spec no longer has
    assert "unknown name 'Datetime': did you mean 'datetime'?" in found[4][1]
    # What the spec does not (or no longer) have is stale: reported with the errors, as warnings.
    with pytest.raises(SpecError) as info:
        api.render(SPECS, "pkg", overrides=tmp_path / "o.toml")
    stale = [(d.line, d.message) for d in info.value.diagnostics if d.severity == "warning"]
    assert [line for line, _ in stale] == [1, 4], stale
    assert "stale override: unknown model 'Nope'" in stale[0][1]
    assert "stale override: model 'GetSessionResponseBody' has no field 'missing'" in stale[1][1]


def test_a_model_named_only_by_its_field_tables_is_reported_at_the_first(tmp_path: Path) -> None:
    """`[models.X.fields.y]` without `[models.X]` (as `md2models overrides` writes them)."""
    overrides = tmp_path / "o.toml"
    overrides.write_text('# comment\n\n[models.Nope.fields.id]\nalias = "i"\n\n'
                         '[models.GetSessionUsage.fields.x]\nalias = "x"\n', encoding="utf-8")
    stale = [(d.line, d.message) for d in api.lint(SPECS, overrides=overrides)]
    assert [line for line, _ in stale] == [3, 6], stale
    assert "unknown model 'Nope'" in stale[0][1] and "has no field 'x'" in stale[1][1]


def test_a_file_that_is_no_toml_is_an_error_where_the_toml_breaks(tmp_path: Path) -> None:
    bad = tmp_path / "o.toml"
    bad.write_text('# ok\n[models.GetSessionUsage]\nclass_name = "Usage"\n[models.Z\n', encoding="utf-8")
    found = api.lint(SPECS, overrides=bad)
    assert [(d.line, d.col, d.message) for d in found] == [
        (4, 10, "cannot read overrides: Expected ']' at the end of a table declaration")]


def test_pyproject_table_and_config(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("""\
[tool.md2models]
package = "pkg"

[tool.md2models.overrides.models.GetSessionResponseBody.fields.id]
alias = "_id"
typo = 1
""", encoding="utf-8")
    assert load_config(tmp_path).overrides is not None
    assert load_config(tmp_path).overrides.name == "pyproject.toml"  # type: ignore[union-attr]
    with pytest.raises(SpecError) as info:
        load_overrides(pyproject)
    assert [(d.line, "typo" in d.message) for d in info.value.errors] == [(6, True)]
    (tmp_path / "o.toml").write_text("", encoding="utf-8")
    pyproject.write_text('[tool.md2models]\noverrides = "o.toml"\n', encoding="utf-8")
    assert load_config(tmp_path).overrides.name == "o.toml"  # type: ignore[union-attr]


@pytest.mark.parametrize("text, want", [
    ("None", Default("literal", None)), ("UNSET", Default("unset")), ("-1", Default("literal", -1)),
    ("0.5", Default("literal", 0.5)), ("'auto'", Default("literal", "auto")), ("False", Default("literal", False)),
    ("dateutil.parser.isoparse('2025-01-01T00:00:00Z')",
     Default("call", "2025-01-01T00:00:00Z", "dateutil.parser.isoparse")),
])
def test_defaults(text: str, want: Default) -> None:
    assert parse_default(text) == want


@pytest.mark.parametrize("text", [10, "auto", "[1]", "1e999", "os.system('x')", "isoparse(x)", "1 +", "1j"])
def test_bad_defaults(text: object) -> None:
    with pytest.raises(_Bad):
        parse_default(text)


def test_cli_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "o.toml"
    bad.write_text('[models.GetSessionUsage]\nclass_name = "class"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(SPECS), "-o", str(tmp_path / "out"), "--overrides", str(bad)])
    assert result.exit_code == 2
    assert f"{bad.resolve()}:2:1: error: class_name 'class' is not a usable class name" in result.output
    assert not (tmp_path / "out").exists()


# --- 2. each kind applied ---------------------------------------------------------

MIXINS = '''\
class Greeting:
    def hello(self) -> str:
        return "hi"


def register(cls):
    cls.registered = True
    return cls
'''

OVERRIDES = """\
[models.GetSessionResponseBody]
class_name = "SessionBody"
bases = ["ovr_mixins:Greeting"]
decorators = ["ovr_mixins.register"]

[models.GetSessionResponseBody.fields.id]
alias = "_id"

[models.GetSessionResponseBody.fields.billing]
type = "OptionalNullable[GetSessionBilling]"
default = "UNSET"

[models.GetSessionResponseBody.fields.tags]
default = "'ignored'"
type = "Union[List[str], str]"

[models.GetSessionBilling.fields.input_cost]
default = "0.5"

[models.GetSessionUsage]
class_name = "Usage"
"""


@pytest.fixture()
def package(tmp_path: Path) -> Iterator[Any]:
    (tmp_path / "ovr_mixins.py").write_text(MIXINS, encoding="utf-8")
    (tmp_path / "o.toml").write_text(OVERRIDES, encoding="utf-8")
    api.generate(SPECS, tmp_path / "out", "ovr_pkg", overrides=tmp_path / "o.toml")
    sys.path[:0] = [str(tmp_path), str(tmp_path / "out")]
    importlib.invalidate_caches()
    try:
        yield importlib.import_module("ovr_pkg")
    finally:
        del sys.path[:2]
        for name in [n for n in sys.modules if n.split(".")[0] in ("ovr_pkg", "ovr_mixins")]:
            del sys.modules[name]


PAYLOAD = {"_id": "s1", "external_id": "e", "duration": 1.0, "contact_ids": [], "traces_count": 2.0,
           "workspace_id": "w", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}


def test_kinds_applied(package: Any, tmp_path: Path) -> None:
    body = package.SessionBody.model_validate(PAYLOAD)
    assert body.id == "s1" and body.model_dump(by_alias=True)["_id"] == "s1"  # the alias
    assert body.tags == "ignored"  # a default on a required field
    assert "billing" not in body.model_dump()  # UNSET is omitted
    assert isinstance(body.usage, package.Usage)  # a renamed class, referenced from another module
    assert body.hello() == "hi" and package.SessionBody.registered  # bases and decorators
    assert package.GetSessionBilling(output_cost=1, total_cost=2).input_cost == 0.5
    assert not hasattr(package, "GetSessionResponseBody") and not hasattr(package, "GetSessionUsage")

    twin = package.SessionBodyTypedDict
    hints = typing.get_type_hints(twin)
    assert hints["usage"] is package.UsageTypedDict
    assert {"billing", "tags"} <= twin.__optional_keys__ and {"usage", "id"} <= twin.__required_keys__
    assert hints["billing"] == typing.Optional[package.GetSessionBillingTypedDict]  # Nullable[...] in the twin

    text = (tmp_path / "out" / "ovr_pkg" / "models" / "getsessionresponsebody.py").read_text()
    assert "from ovr_mixins import Greeting, register\n" in text
    assert "@register\nclass SessionBody(Greeting, BaseModel):" in text
    assert 'id: Annotated[str, pydantic.Field(alias="_id")]' in text
    assert "from .getsessionusage import Usage, UsageTypedDict\n" in text
    assert "tags: Union[List[str], str] = \"ignored\"" in text


def test_overrides_key_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    overrides = tmp_path / "o.toml"
    api.generate(SPECS, out, "pkg")
    plain = (out / "pkg/models/getsessionbilling.py").read_text()
    overrides.write_text('[models.GetSessionBilling.fields.input_cost]\ndefault = "0.5"\n', encoding="utf-8")
    api.generate(SPECS, out, "pkg", overrides=overrides)
    assert "input_cost: float = 0.5" in (out / "pkg/models/getsessionbilling.py").read_text()
    overrides.write_text('[models.GetSessionBilling.fields.input_cost]\ndefault = "1"\n', encoding="utf-8")
    api.generate(SPECS, out, "pkg", overrides=overrides)
    assert "input_cost: float = 1" in (out / "pkg/models/getsessionbilling.py").read_text()
    api.generate(SPECS, out, "pkg")
    assert (out / "pkg/models/getsessionbilling.py").read_text() == plain


# --- 3. fidelity ------------------------------------------------------------------


def test_fidelity_3_4_0_with_overrides(tmp_path: Path) -> None:
    """100% of the fields of the real orq 3.4.0 models match (name, core
    annotation, default, wire alias) once the overrides file is applied.

    The SDK's error classes (real `bases` include `Exception`) are no models:
    each carries the model the doc describes as `data` (`HonoAPIErrorData`),
    which the overrides name (`class_name`), so the exception classes
    themselves have no generated class and the `...Data` models are scored.
    The overrides file is also checked to be what `md2models overrides`
    writes (commit both)."""
    docs = corpus_docs("orq-python-3.4.0")
    truth_path = docs.parent / "truth.json"
    if not truth_path.is_file():
        pytest.skip(f"no {truth_path}")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    exceptions = {m["name"] for m in truth["models"] if "Exception" in m["bases"]}
    api.generate(docs, tmp_path, "orq_models", overrides=ORQ_OVERRIDES)
    report = compare(truth_path, tmp_path / "orq_models", aliases=True)
    assert report.total > 2000
    assert not report.misses, report.misses
    assert set(report.models_missing) == exceptions | {"APIError"}
    assert {"HonoAPIErrorData", "GetPromptVersionPromptsResponseBodyData"} <= {
        m["name"] for m in truth["models"]} - set(report.models_missing)

    ours = generated_classes(tmp_path / "orq_models")
    aliases = [(m["name"], f["name"], f["alias"], by[f["name"]].alias)
               for m in truth["models"] if m["name"] not in exceptions
               for by in [{g.name: g for g in fields_of(ours, m) or []}] for f in m["fields"] if f["name"] in by]
    assert len(aliases) > 1000
    assert [a for a in aliases if a[2] != a[3]] == []


DUB_MIN_SHARE = 0.995


def test_fidelity_dub_with_bootstrapped_overrides(tmp_path: Path) -> None:
    """dub (Speakeasy 2.915.1: enum-member defaults, paginated `next`, three namespaces):
    with the overrides `md2models overrides` writes from its sources, the fields of its
    documented models are exact (name, core annotation, default, wire alias) on 99.5% or
    more; the SDK's exception classes carry the doc's model as `data` and are no models."""
    docs = corpus_docs("dub-python")
    truth_path = docs.parent / "truth.json"
    if not truth_path.is_file():
        pytest.skip(f"no {truth_path}")
    result = bootstrap(docs, [docs.parent / "src" / "dub" / "models"])
    (tmp_path / "o.toml").write_text(result.text, encoding="utf-8")
    api.generate(docs, tmp_path / "out", "dub_models", overrides=tmp_path / "o.toml")
    report = compare(truth_path, tmp_path / "out" / "dub_models", aliases=True)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    exceptions = {m["name"] for m in truth["models"] if set(m["bases"]) & {"DubError", "Exception"}}
    print(f"\n[dub-python] fidelity with bootstrapped overrides: {report.matched}/{report.total} fields = "
          f"{report.share:.2%}; {result.summary()}")
    assert report.total > 2000 and report.share >= DUB_MIN_SHARE, report.misses[:20]
    assert set(report.models_missing) <= exceptions, set(report.models_missing) - exceptions
    written = [spec for entry in tomllib.loads(result.text)["models"].values()
               for spec in entry.get("fields", {}).values()]
    # dub's 30 enum-member defaults (`Region.WILDCARD_`) and 4 paginated `next` fields
    members = [spec["default"] for spec in written
               if re.fullmatch(r"[A-Za-z][\w.]*\.[A-Z0-9_]+", spec.get("default", ""))]
    assert len(members) == 30, members
    assert [spec["type"] for spec in written if spec.get("added")] == [
        f"Callable[[], Optional[{name}]]" for name in ("GetCustomersResponse", "GetLinksResponse",
                                                      "ListCommissionsResponse", "ListDomainsResponse")]


def test_orq_overrides_file_is_what_the_command_writes(tmp_path: Path) -> None:
    """The committed file is `md2models overrides` run on the real sources: regenerate it with
    `md2models overrides ../shared/corpus/orq-python-3.4.0/docs --from-package
    ../shared/corpus/orq-python-3.4.0/src/orq_ai_sdk/models -o tests/overrides/orq-python-3.4.0.toml`."""
    docs = corpus_docs("orq-python-3.4.0")
    fresh = tmp_path / "fresh.toml"
    result = CliRunner().invoke(main, ["overrides", str(docs), "--from-package",
                                       str(docs.parent / "src" / "orq_ai_sdk" / "models"), "-o", str(fresh)])
    assert result.exit_code == 0, result.output
    assert fresh.read_bytes() == ORQ_OVERRIDES.read_bytes()
    # what it could not map: the hand-written error classes and their payload classes, nothing else
    assert result.stderr.splitlines()[-1].endswith(
        "2497 fields mapped, 0 noted; notes by reason: 4 classes without a doc; "
        "overrides for 297 field(s) of 149 model(s)")
    assert "not understood" not in result.stderr and "not reproduced" not in result.stderr
    # in one process as in worker processes
    alone = bootstrap(docs, [docs.parent / "src" / "orq_ai_sdk" / "models"], jobs=1)
    assert alone.text == ORQ_OVERRIDES.read_text(encoding="utf-8")


def test_lint_checks_an_overrides_file_as_generate_would(tmp_path: Path) -> None:
    bad = tmp_path / "o.toml"
    bad.write_text('[models.NoSuchModel]\nclass_name = "X"\n\n[models.GetSessionUsage]\nclass_name = "class"\n',
                   encoding="utf-8")
    found = api.lint(SPECS, overrides=bad)
    assert [(d.path, d.line) for d in found] == [(str(bad.resolve()), 5)]  # the file's own problems first
    assert "'class' is not a usable class name" in found[0].message
    bad.write_text('[models.NoSuchModel]\nclass_name = "X"\n', encoding="utf-8")
    assert [(d.line, d.severity, d.message) for d in api.lint(SPECS, overrides=bad)] == [
        (1, "warning", "stale override: unknown model 'NoSuchModel' (the spec has no such model; entry ignored)")]
    result = CliRunner().invoke(main, ["lint", str(SPECS), "--overrides", str(bad), "--format", "json", "--strict"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["problems"][0]["path"] == str(bad.resolve())
    assert api.lint(SPECS, overrides=ORQ_OVERRIDES.parent / "nothing.toml")[0].message.startswith("cannot read")


def test_lint_accepts_the_orq_overrides_on_their_corpus() -> None:
    assert api.lint(corpus_docs("orq-python-3.4.0"), overrides=ORQ_OVERRIDES) == []
