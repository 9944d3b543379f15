"""Every diagnostic names a rule of `diagnostics.RULES`, read from the source:
each `Diagnostic(...)` in generator/ passes a rule id written out, or takes
it from a parameter of a helper whose every call passes one."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

from generator import api
from generator.diagnostics import RULES, Diagnostic, SpecError

from .specgen import enum_doc, link, object_doc, row, write_spec
from .support import ROOT

GENERATOR = ROOT / "generator"
RULE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _argument(call: ast.Call, index: int, name: str, last: bool = False) -> ast.expr | None:
    """Argument `index` or `name` of a call; `last`: the parameter is the
    last one, so after `*args` the last positional argument is it."""
    starred = [isinstance(a, ast.Starred) for a in call.args]
    if len(call.args) > index and not any(starred[: index + 1]):
        return call.args[index]
    if last and any(starred) and not starred[-1]:
        return call.args[-1]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _rule_uses(path: Path) -> list[tuple[str, str]]:
    """(where, rule id) for every rule a Diagnostic of this module can get;
    asserts that each Diagnostic gets one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    found: list[tuple[str, str]] = []
    for call in calls:
        if _called_name(call) != "Diagnostic":
            continue
        where = f"{path.name}:{call.lineno}"
        if len(call.args) == 1 and isinstance(call.args[0], ast.Starred) and not call.keywords:
            continue  # Diagnostic(*data): made again from Diagnostic.data()
        rule = _argument(call, 5, "rule", last=True)
        assert rule is not None, f"{where}: Diagnostic without a rule"
        if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
            found.append((where, rule.value))
            continue
        assert isinstance(rule, ast.Name), f"{where}: the rule must be a string or a helper's parameter"
        function = parents[call]
        while not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = parents[function]
        params = [a.arg for a in function.args.args]
        assert rule.id in params, f"{where}: rule {rule.id!r} is no parameter of {function.name}"
        index = params.index(rule.id) - (params[0] == "self")
        helper_calls = [c for c in calls if _called_name(c) == function.name]
        assert helper_calls, f"{where}: {function.name} is never called"
        for helper_call in helper_calls:
            value = _argument(helper_call, index, rule.id)
            assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
                f"{path.name}:{helper_call.lineno}: {function.name} needs its rule written out")
            found.append((f"{path.name}:{helper_call.lineno}", value.value))
    return found


def test_every_diagnostic_names_a_listed_rule() -> None:
    uses = [use for path in sorted(GENERATOR.glob("*.py")) for use in _rule_uses(path)]
    assert len(uses) > 40  # the scan found the sites
    unknown = [f"{where}: {rule}" for where, rule in uses if rule not in RULES]
    assert not unknown, unknown
    assert set(RULES) == {rule for _, rule in uses}, "a rule of RULES that no diagnostic uses"


def test_rule_table_is_kebab_case_and_described() -> None:
    for rule, description in RULES.items():
        assert RULE_ID.fullmatch(rule), rule
        assert description.endswith(".") and "\n" not in description and len(description) <= 120, rule


def test_the_rule_survives_sorting_pickling_and_the_text_format() -> None:
    first = Diagnostic("models/a.md", 3, 1, "error", "bad type 'x'", "invalid-type")
    second = Diagnostic("models/a.md", 3, 1, "warning", "dangling link", "dangling-link")
    assert sorted([second, first]) == [first, second]
    assert first.format("docs") == "docs/models/a.md:3:1: error: bad type 'x'"
    assert Diagnostic(*first.data()) == first
    error = pickle.loads(pickle.dumps(SpecError([second, first])))
    assert [d.rule for d in error.diagnostics] == ["invalid-type", "dangling-link"]


def test_lint_reports_the_rules_on_real_problems(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {
        "models/pet.md": object_doc("Pet", [row("owner", link("Owner")), row("age", "List[")]),
        "models/kind.md": enum_doc("Sort", ["a"]),
    })
    rules = {(d.path, d.rule) for d in api.lint(specs)}
    assert ("models/pet.md", "invalid-type") in rules
    assert ("models/kind.md", "title-file-mismatch") in rules

