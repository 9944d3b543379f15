"""The other output kinds (`--target dataclasses`, `--target typeddict`).

For the golden cases, `specs/` and (when present) the 3.4.0 corpus: the
output is black-stable and every module imports in a subprocess where the
third-party packages a target must not need cannot be imported at all
(a meta-path finder refuses them: pydantic for both, typing_extensions too
for dataclasses).  The classes are then built and inspected there:
dataclass field order, defaults, `UNSET` and aliases; TypedDict required and
optional keys.  Both outputs of `specs/` and of the golden cases pass
`mypy --strict` (no plugin).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import api, pyrender
from generator.config import TARGETS

from .support import ROOT, corpus_docs

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "specs").is_dir())
BLOCKED = {
    "dataclasses": ["pydantic", "pydantic_core", "typing_extensions"],
    "typeddict": ["pydantic", "pydantic_core"],
}

PRELUDE = '''
import importlib, json, os, sys

BLOCKED = set(json.loads(sys.argv[1]))


class _Refuse:
    """Makes the packages a target must not need unimportable."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None


for _name in list(sys.modules):
    if _name.split(".")[0] in BLOCKED:
        del sys.modules[_name]
sys.meta_path.insert(0, _Refuse())
sys.path.insert(0, os.getcwd())


def import_all(package):
    names = []
    for path in sorted((os.path.join(d, f) for d, _, fs in os.walk(package) for f in fs if f.endswith(".py"))):
        rel = os.path.relpath(path)[: -len(".py")].split(os.sep)
        if rel[-1] == "__init__":
            rel = rel[:-1]
        names.append(".".join(rel))
    for name in names:
        importlib.import_module(name)
    top = importlib.import_module(package)
    for name in top.__all__:  # the lazy index resolves every name it lists
        getattr(top, name)
    return len(names)
'''


def run_isolated(out: Path, target: str, body: str, python: str = sys.executable) -> str:
    """Run `body` (after PRELUDE) with OUT as the working directory and the
    target's forbidden packages blocked; return its stdout."""
    code = PRELUDE + textwrap.dedent(body)
    run = subprocess.run([python, "-c", code, json.dumps(BLOCKED[target])], cwd=out,
                         capture_output=True, text=True, env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": ""})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout


def black_check(out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "black", "--check", "--diff", "-q", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    outs = {}
    for target in BLOCKED:
        for case in CASES:
            out = tmp_path_factory.mktemp(f"{case}-{target}")
            api.generate(GOLDEN / case / "specs", out, f"golden_{case}", target=target)
            outs[case, target] = out
    return outs


@pytest.fixture(scope="module")
def from_specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outs = {}
    for target in BLOCKED:
        out = tmp_path_factory.mktemp(f"specs-{target}")
        api.generate(ROOT / "specs", out, "session_models", target=target)
        outs[target] = out
    return outs


def test_targets_listed_once() -> None:
    assert TARGETS == pyrender.TARGETS == ("pydantic", "dataclasses", "typeddict")
    assert pyrender.DEFAULT_TARGET == "pydantic"


@pytest.mark.parametrize("target", BLOCKED)
@pytest.mark.parametrize("case", CASES)
def test_golden_black_stable_and_imports(case: str, target: str, golden: dict[tuple[str, str], Path]) -> None:
    out = golden[case, target]
    black_check(out)
    text = run_isolated(out, target, f"print(import_all('golden_{case}'))")
    assert int(text.strip()) > 2


@pytest.mark.parametrize("target", BLOCKED)
def test_specs_black_stable_and_imports(target: str, from_specs: dict[str, Path]) -> None:
    black_check(from_specs[target])
    run_isolated(from_specs[target], target, "import_all('session_models')")


def other_pythons() -> list[str]:
    """Other CPythons >= 3.9 on this machine (pyenv's, or MD2MODELS_TEST_PYTHONS)."""
    listed = os.environ.get("MD2MODELS_TEST_PYTHONS")
    candidates = listed.split(os.pathsep) if listed else sorted(glob.glob(os.path.expanduser(
        "~/.pyenv/versions/3.*/bin/python3")))
    found = []
    for python in candidates:
        try:
            version = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                                     capture_output=True, text=True, timeout=30).stdout.split()
        except OSError:
            continue
        if len(version) == 2 and (3, 9) <= (int(version[0]), int(version[1])) != sys.version_info[:2]:
            found.append(python)
    return found


def test_dataclasses_output_runs_on_every_python_from_3_9(golden: dict[tuple[str, str], Path]) -> None:
    """Standard library only, so any interpreter will do: every golden case
    imports, and its classes are built, on each other Python found."""
    pythons = other_pythons()
    if not pythons:
        pytest.skip("no other CPython >= 3.9 found (set MD2MODELS_TEST_PYTHONS)")
    for python in pythons:
        for case in CASES:
            text = run_isolated(golden[case, "dataclasses"], "dataclasses", f"print(import_all('golden_{case}'))",
                                python)
            assert int(text.strip()) > 2, (python, case)
        run_isolated(golden["objects", "dataclasses"], "dataclasses", """
            from golden_objects import Child
            from golden_objects._runtime import UNSET
            assert Child(id="c") == Child(id="c") and repr(UNSET) == "UNSET"
        """, python)


def test_no_third_party_import_in_dataclasses_output(golden: dict[tuple[str, str], Path],
                                                     from_specs: dict[str, Path]) -> None:
    """Relative or standard-library imports only (at run time: the runtime's
    `if TYPE_CHECKING:` imports of httpx / requests are for type checkers);
    no `X | Y` annotations (3.9)."""
    stdlib = {"dataclasses", "datetime", "decimal", "enum", "importlib", "io", "typing", "__future__"}
    outs = [out for (case, target), out in golden.items() if target == "dataclasses"] + [from_specs["dataclasses"]]
    for out in outs:
        for path in out.rglob("*.py"):
            for line in path.read_text().splitlines():
                words = line.split()
                if words[:1] in (["import"], ["from"]) and not words[1].startswith(".") and line == line.lstrip():
                    assert words[1].split(".")[0] in stdlib, (path, line)
                if ": " in line and not line.lstrip().startswith(("#", '"')):
                    assert " | " not in line, (path, line)


def test_typeddict_output_imports_only_twins(golden: dict[tuple[str, str], Path]) -> None:
    for (case, target), out in golden.items():
        if target != "typeddict":
            continue
        for path in out.rglob("*.py"):
            if path.name == "_runtime.py":
                continue
            text = path.read_text()
            assert "pydantic" not in text and "BaseModel" not in text and "UNSET" not in text, path


def test_dataclasses_objects(golden: dict[tuple[str, str], Path]) -> None:
    run_isolated(golden["objects", "dataclasses"], "dataclasses", '''
        import dataclasses
        from datetime import datetime
        from golden_objects import KitchenSink, Child, Empty, OldThing
        from golden_objects._runtime import UNSET, Unset
        assert "golden_objects" in sys.modules and "pydantic" not in sys.modules
        assert "typing_extensions" not in sys.modules
        assert not UNSET and repr(UNSET) == "UNSET" and Unset() is UNSET
        fields = dataclasses.fields(KitchenSink)
        names = [f.name for f in fields]
        missing = dataclasses.MISSING
        required = [f.name for f in fields if f.default is missing and f.default_factory is missing]
        # fields without a default first, in doc order; then the defaulted ones
        assert names[: len(required)] == required
        assert required == ["name", "count", "enabled", "anything", "parent_id", "tags", "matrix", "nested_flags",
                            "nullable_items", "child", "required_nullable_child", "children", "created_at",
                            "from_"], required
        defaults = {f.name: f.default for f in fields if f.default is not missing}
        assert defaults["ratio"] is None and defaults["nickname"] is UNSET and defaults["nullable_child"] is UNSET
        assert (defaults["kind"], defaults["strict"], defaults["mode"]) == ("kitchen", True, "fast")
        aliases = {f.name: f.metadata["alias"] for f in fields if "alias" in f.metadata}
        assert aliases == {"from_": "from", "filter_": "filter", "schema_": "schema"}, aliases
        assert "__pydantic_extra__" not in names
        k = KitchenSink("n", 1, True, None, None, [], [], {}, [], Child(id="c"), None, [],
                        datetime(2024, 1, 1), from_="wire")
        assert k.nickname is UNSET and k.ratio is None and k.kind == "kitchen" and k.filter_ is None
        assert k.child == Child(id="c") and k.from_ == "wire"
        try:
            KitchenSink()
        except TypeError:
            pass
        else:
            raise AssertionError("required fields must be required")
        assert dataclasses.fields(Empty) == () and Empty() == Empty()
        assert "Deprecated" in (OldThing.__doc__ or "")
        assert dataclasses.is_dataclass(OldThing(id="x"))
    ''')


def test_dataclasses_enums_unions_cycles(golden: dict[tuple[str, str], Path]) -> None:
    run_isolated(golden["enums", "dataclasses"], "dataclasses", '''
        from golden_enums import Holder, SortOrder, Level, OpenColor
        assert OpenColor("red") is OpenColor.RED and OpenColor("purple").value == "purple"
        h = Holder(status="active")
        assert h.status == "active" and Level.TWO.value == 2
    ''')
    run_isolated(golden["unions", "dataclasses"], "dataclasses", '''
        import typing
        from golden_unions import Owner, Pet, Dog, Cat, MaybePet
        assert set(typing.get_args(Pet)) == {Dog, Cat}, typing.get_args(Pet)
        o = Owner(pet=Dog(), content="text")
        assert o.maybe is None
        assert typing.get_type_hints(Owner)["pet"] == Pet
    ''')
    run_isolated(golden["cycles", "dataclasses"], "dataclasses", '''
        import typing
        from golden_cycles import Node, BinOp, Num, Expr, Author, Book
        from golden_cycles._runtime import UNSET
        n = Node(name="a", children=[Node(name="b")])
        assert n.parent is UNSET and n.children[0].children is None
        b = BinOp(op="+", left=Num(value=1.0), right=BinOp(op="*", left=Num(value=2.0), right=Num(value=3.0)))
        assert b.right.right.value == 3.0
        hints = typing.get_type_hints(BinOp)  # the forward references resolve once imported
        assert set(typing.get_args(hints["left"])) == {Num, BinOp}, hints
        assert Book(title="t", author=Author(name="n")).author.name == "n"
    ''')


def test_typeddict_twins(golden: dict[tuple[str, str], Path]) -> None:
    run_isolated(golden["objects", "typeddict"], "typeddict", '''
        from golden_objects import KitchenSinkTypedDict, ChildTypedDict
        import golden_objects
        assert "KitchenSink" not in golden_objects.__all__ and "KitchenSinkTypedDict" in golden_objects.__all__
        twin = KitchenSinkTypedDict
        assert "from_" in twin.__required_keys__ and "name" in twin.__required_keys__
        assert {"nickname", "ratio", "kind", "filter_"} <= twin.__optional_keys__
        assert "__pydantic_extra__" not in twin.__annotations__
        assert ChildTypedDict.__required_keys__ == {"id"}
    ''')
    run_isolated(golden["cycles", "typeddict"], "typeddict", '''
        import typing
        from golden_cycles import BinOpTypedDict, ExprTypedDict, NodeTypedDict
        assert set(BinOpTypedDict.__required_keys__) == {"op", "left", "right"}
        assert NodeTypedDict.__optional_keys__ == {"children", "parent"}
        from golden_cycles.models.num import NumTypedDict
        assert NumTypedDict in typing.get_args(ExprTypedDict.__value__)
    ''')
    run_isolated(golden["enums", "typeddict"], "typeddict", '''
        from golden_enums import OpenColor, HolderTypedDict
        assert OpenColor("purple").value == "purple" and "status" in HolderTypedDict.__required_keys__
    ''')


def test_typeddict_output_equals_default_twins(golden: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    """The typeddict target's classes are the default target's twins, byte for byte."""
    for case in CASES:
        default = GOLDEN / case / "expected"
        for path in golden[case, "typeddict"].rglob("*.py"):
            rel = path.relative_to(golden[case, "typeddict"])
            text = path.read_text()
            if "class " not in text or rel.name == "_runtime.py":
                continue
            start = text.index("\n\nclass ") + 2
            twin = text[start:].split("\n\n\n# Models on an import cycle")[0]
            assert twin in (default / rel).read_text(), rel


def test_mypy_strict(from_specs: dict[str, Path], golden: dict[tuple[str, str], Path],
                                 tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n")
    outs = [(from_specs["dataclasses"], "session_models"), (from_specs["typeddict"], "session_models"),
            *((golden[case, target], f"golden_{case}") for case in CASES for target in BLOCKED)]
    for out, package in outs:
        run = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir",
                              str(tmp_path / "cache"), "-p", package], cwd=out, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.parametrize("target", BLOCKED)
def test_corpus_340_imports(target: str, tmp_path: Path) -> None:
    docs = corpus_docs("orq-python-3.4.0")
    out = tmp_path / "out"
    api.generate(docs, out, "orq", target=target)
    count = int(run_isolated(out, target, "print(import_all('orq'))").strip())
    assert count == len(list(out.rglob("*.py")))


def test_overrides_apply_to_other_targets(tmp_path: Path) -> None:
    from .test_overrides import MIXINS, OVERRIDES, SPECS

    (tmp_path / "o.toml").write_text(OVERRIDES, encoding="utf-8")
    for target in BLOCKED:
        out = tmp_path / target
        api.generate(SPECS, out, "ovr_pkg", overrides=tmp_path / "o.toml", target=target)
        (out / "ovr_mixins.py").write_text(MIXINS, encoding="utf-8")
        black_check(out / "ovr_pkg")
        run_isolated(out, target, "import_all('ovr_pkg')")
    run_isolated(tmp_path / "dataclasses", "dataclasses", '''
        import dataclasses
        from ovr_pkg import SessionBody, Usage, GetSessionBilling
        from ovr_pkg._runtime import UNSET
        from ovr_mixins import Greeting
        assert dataclasses.is_dataclass(SessionBody) and issubclass(SessionBody, Greeting)
        assert SessionBody.registered and SessionBody.__name__ == "SessionBody"
        fields = {f.name: f for f in dataclasses.fields(SessionBody)}
        assert fields["id"].metadata["alias"] == "_id"
        assert fields["billing"].default is UNSET and fields["tags"].default == "ignored"
        assert {f.name: f.default for f in dataclasses.fields(GetSessionBilling)}["input_cost"] == 0.5
    ''')
    run_isolated(tmp_path / "typeddict", "typeddict", '''
        from ovr_pkg import SessionBodyTypedDict, UsageTypedDict
        assert "billing" in SessionBodyTypedDict.__optional_keys__
    ''')


def test_target_is_part_of_the_cache_key(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.generate(ROOT / "specs", out, "session_models")
    report, _, _ = api.check(ROOT / "specs", out, "session_models", target="dataclasses")
    assert not report.up_to_date
    api.generate(ROOT / "specs", out, "session_models", target="dataclasses")
    assert api.check(ROOT / "specs", out, "session_models", target="dataclasses")[0].up_to_date
    assert not api.check(ROOT / "specs", out, "session_models")[0].up_to_date
    text = (out / "session_models" / "models" / "getsessionresponsebody.py").read_text()
    assert "@dataclasses.dataclass" in text and "BaseModel" not in text


def test_unknown_target_is_a_config_error(tmp_path: Path) -> None:
    from generator.config import ConfigError

    with pytest.raises(ConfigError):
        api.render(ROOT / "specs", "session_models", target="attrs")


def test_config_target_key_and_cli_option(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import main
    from generator.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\ntarget = "typeddict"\n', encoding="utf-8")
    assert load_config(tmp_path).target == "typeddict"
    (tmp_path / "pyproject.toml").write_text('[tool.md2models]\ntarget = "attrs"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path)
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(ROOT / "specs"), "-o", str(out), "-p", "pkg",
                                  "--target", "dataclasses"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["check", str(ROOT / "specs"), "-o", str(out), "-p", "pkg", "-q",
                                "--target", "dataclasses"]).exit_code == 0
    assert runner.invoke(main, ["check", str(ROOT / "specs"), "-o", str(out), "-p", "pkg", "-q"]).exit_code == 1
    assert "[default: pydantic]" in runner.invoke(main, ["check", "--help"]).output
