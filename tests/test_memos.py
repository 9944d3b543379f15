"""The statement memos (`pyblocks._FIELDS`, `pyblocks._LITERALS`, and the
library imports `pysyntax._LIBRARIES`, `pysyntax._ISORT_LIBRARIES`): a
statement replayed with other names of the same lengths is what rendering it
afresh gives, in every target and Python version, whatever the names
collide with."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator import pyblocks, pyrender, pysyntax
from generator.config import PYTHON_VERSIONS, TARGETS
from generator.ir import Generic, LiteralType, ObjectModel, Primitive, Ref

from .test_pyrender import F, enum, it, link, obj, resolved, union


def _refs(*names: str) -> tuple[Any, ...]:
    return tuple(link(Ref("models", n)) for n in names)


def _holder(name: str, a: str, b: str) -> Any:
    """Fields of the same shapes whatever `a` and `b` (models) are."""
    return obj(name, [
        F("one", _refs(a)[0]),
        F("maybe", link(Generic("Optional", _refs(a))), False),
        F("many", Generic("List", _refs(b)), False, "the same doc"),
        F("either", it(Generic("Union", _refs(a, b))), True),
        F("either_or_none", it(Generic("Optional", (Generic("Union", (*_refs(a, b), Primitive("str"))),))), False),
        F("by_key", Generic("Dict", _refs(b))),
        F("nullable", it(Generic("OptionalNullable", _refs(a))), False),
        F("kind", it(LiteralType((a, "x{}"))), True),  # the name in a string, braces
        F("tagged", it(Generic("Union", (LiteralType(("Abc",)), *_refs(b)))), True),  # a name twice
        F("data-" + a, _refs(b)[0], False),  # aliased: the name in the alias
        F("x" * 60, it(Generic("Optional", (Generic("Union", _refs(a, b, a)),))), False),  # laid out; a repeated member
    ])


def _models() -> list[Any]:
    return [
        obj("Abc", [F("x", it(Primitive("int")))]),
        obj("Xyz", [F("y", it(Primitive("int")))]),
        replace(obj("Deep", [F("x", it(Primitive("int")))]), path="models/sub/deep.md"),  # `...._runtime`
        obj("Plain", [F("a", it(Primitive("str"))), F("b", it(Primitive("int")))]),
        obj("Shadow", [F("str", it(Primitive("str"))), F("b", it(Primitive("int")))]),  # `builtins.str as _str`
        obj("Cyc", [F("back", link(Ref("models", "HolderD")), False)]),
        # the same shapes, with names of the same lengths: each a memo replay of the first
        _holder("HolderA", "Xyz", "Abc"),
        _holder("HolderB", "Abc", "Xyz"),
        _holder("HolderC", "Xyz", "Xyz"),  # the two the same name
        _holder("HolderD", "Cyc", "Abc"),  # on an import cycle: quoted before 3.10
        _holder("HolderE", "Abc", "HolderE"),  # itself
        obj("HolderF", [F("Abc", _refs("Xyz")[0]), F("one", _refs("Abc")[0])]),  # a field of a model's name
        obj("Branch", [F("Node", link(Generic("Optional", _refs("Abcd"))), False)]),
        obj("Abcd", []),
        obj("Node", [F("Node", link(Generic("Optional", _refs("Node"))), False)]),  # shadows itself: an error from 3.10 on
        union("Pair", [Ref("models", "Abc"), Ref("models", "Xyz")]),
        enum("Lit", ["a", "b"]),
        enum("Mix", ["a", "b"]),
        enum("One", [1, 2]),
        enum("Tru", [True, 2]),  # `True` is no `1`
        enum("Bbb", ["Bbb"]),  # its name in a value
        enum("Ccc", ["Bbb"]),
        enum("Opn", ["x", "y"], open_=True),
        enum("Pqr", ["x", "y"], open_=True),
        enum("Num", [1, 2], open_=True),
        enum("LongA", [f"value_{i}_" * 4 for i in range(6)]),  # laid out
        enum("LongB", [f"value_{i}_" * 4 for i in range(6)]),
        enum("Ab", ["a" * 30, "b" * 30]),  # fits on a line
        enum("Abcdefghijklmnop", ["a" * 30, "b" * 30]),  # does not
    ]


def test_replayed_statements_are_rendered_afresh() -> None:
    """Every model afresh (the memos emptied), then all of them in every
    target and version in one go (a watch or a language server renders many
    times in one process)."""
    models, res = resolved(_models(), cycles=[[("models", "Cyc"), ("models", "HolderD")], [("models", "HolderE")],
                                                      [("models", "Node")]])
    kinds = [(target, version) for target in TARGETS for version in PYTHON_VERSIONS]

    def module(model: Any, target: str, python_version: str) -> str:
        try:
            return pyrender.render_module(model, res, target=target, python_version=python_version)[1]
        except AssertionError as exc:
            return repr(exc)

    def forget() -> None:
        pyblocks._FIELDS.clear()
        pyblocks._LITERALS.clear()
        pysyntax._LIBRARIES.clear()
        pysyntax._ISORT_LIBRARIES.clear()

    def statements(model: Any) -> str:  # the default target's model class alone (`md2models overrides`)
        return "".join(pyrender.field_statements(model, res, {})) if isinstance(model, ObjectModel) else ""

    afresh = []
    for kind in kinds:
        for m in models:
            forget()
            afresh.append(module(m, *kind))
    for m in models:
        forget()
        afresh.append(statements(m))
    forget()
    assert [module(m, *kind) for kind in kinds for m in models] + [statements(m) for m in models] == afresh
    by_name = dict(zip((m.name for m in models), afresh))  # the first kind's
    assert "one: Abc" in by_name["HolderB"] and "one: Xyz" in by_name["HolderA"]  # each its own name
    assert "Mix = Literal" in by_name["Mix"]
