"""Imports in generator/ flow one way: no module reaches itself through its
imports, counting those under TYPE_CHECKING and inside functions (a cycle
type checkers or a late import hide is a cycle all the same)."""

from __future__ import annotations

import ast
from pathlib import Path

from .support import ROOT

PACKAGE = ROOT / "generator"


def imports_of(path: Path) -> set[str]:
    """The generator modules a module imports, wherever the import stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 or (node.level == 0 and module.split(".")[0] == "generator"):
                inner = module.removeprefix("generator").lstrip(".") if node.level == 0 else module
                if inner:
                    found.add(inner.split(".")[0])
                else:  # `from . import naming`: modules, or names of the package itself
                    found.update(alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists())
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("generator.") and alias.name.count(".") >= 1)
    return found


def graph() -> dict[str, set[str]]:
    return {path.stem: imports_of(path) - {path.stem} for path in sorted(PACKAGE.glob("*.py"))}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(edges.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_reader_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nfrom . import naming, __version__\nfrom .ir import Spec\n"
                      "import generator.parse\nif TYPE_CHECKING:\n    from .resolve import Resolved\n"
                      "def late():\n    from generator.build import build\n")
    assert imports_of(source) == {"naming", "ir", "parse", "resolve", "build"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_generator_imports_have_no_cycle() -> None:
    edges = graph()
    assert len(edges) > 30 and edges["api"] >= {"build", "write"}
    assert cycles(edges) == []


def test_the_api_parses_nothing() -> None:
    """A spec goes discovery -> build (parse -> resolve -> render) -> write:
    the API takes from the parse stage its constants only, and reads no doc."""
    tree = ast.parse((PACKAGE / "api.py").read_text(encoding="utf-8"))
    from_parse = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  and node.level == 1 and node.module == "parse" for alias in node.names]
    assert from_parse and all(name.isupper() for name in from_parse), from_parse
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not names & {"parse", "parse_bytes", "parse_file", "parse_files", "parse_doc", "read_doc", "summarize",
                        "spec_paths"}
