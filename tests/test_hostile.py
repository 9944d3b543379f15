"""Hostile specs: text that tries to escape its string, its template or its
markdown, and names that shadow Python, pydantic or the runtime.

Text: every payload is put everywhere the format carries free text (model
and field descriptions, deprecation notes, examples, enum values, Literal
values, union headings).  The generated package is imported in a fresh
interpreter whose cwd is the test's tmp dir; nothing may run (no `PWNED`),
no template may evaluate (`{{ 7*7 }}` never becomes `49`), the text must
survive verbatim, `black --check` must pass and the docs may hold no HTML
the spec did not.

Names: every field and model name must generate; the attribute is a safe
identifier with an alias to the original key, and a payload under the
original keys validates and dumps back under them.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import re
from pathlib import Path

import pytest

from .specgen import (
    assert_rejected,
    black_check,
    contents,
    enum_doc,
    enum_table_doc,
    FIELD_HEADER,
    escape_cell,
    field_for_key,
    generate,
    import_all,
    link,
    load_package,
    model_class,
    object_doc,
    python_files,
    row,
    table,
    union_doc,
    write_spec,
)

PACKAGE = "hostile_pkg"

PAYLOADS = {
    "triple-double": '"""; import os; os.system("touch PWNED"); """',
    "triple-single": "'''; import os; os.system('touch PWNED'); '''",
    "quote-end": 'ends with a quote"',
    "backslashes": r"C:\new\table \x00 \u0041 \N{BULLET} \" \' ends\\",
    "trailing-backslash": "ends with a backslash \\",
    "carriage-return": "before\rafter",
    "jinja-expr": "{{ 7*7 }} {{ config }} {{ ''.__class__ }}",
    "jinja-raw": "{% raw %}{{ 7*7 }}{% endraw %} {% endraw %} {# c #}",
    "html": "</script><script>alert(1)</script>",
    "format": "%s %(x)s {0} {x!r} ${HOME} `$(touch PWNED)`",
    "fence": "```python\nimport os; os.system('touch PWNED')\n```",
    "heading": "text\n\n## Fields\n\n# Title",
    "unicode": "naïve ☃ \u2028 \u2029 \u0085 \ufeff end",
}
# Where a payload spans lines, a table cell carries it with `<br/>`.
SINGLE_LINE = {k: v for k, v in PAYLOADS.items() if "\n" not in v}


def _description(payload: str) -> str:
    """The payload as a model description: code-fenced when it holds
    markdown structure, so the doc stays one doc (as the format allows)."""
    if "## " in payload or payload.startswith("#"):
        return f"```\n{payload}\n```"
    return payload


def literal_ok(payload: str) -> bool:
    """Literal values with quotes or backslashes are tested on their own
    (see the tests below)."""
    return not any(c in payload for c in '"\\\n')


def hostile_spec(payload: str) -> dict[str, str]:
    one_line = payload.replace("\n", " ")
    fields = [
        row("text", "*str*", description=escape_cell(payload), example=escape_cell(payload)),
        ("~~`old`~~", "*Optional[str]*", ":heavy_minus_sign:",
         escape_cell(": warning: ** DEPRECATED **: " + payload.replace("\n", " ")), ""),
        row("kind", link("Kind")),
        row("code", link("Code"), required=False),
        row("either", link("Either"), required=False),
    ]
    if literal_ok(payload):
        fields.append(row("lit", f'*Literal["{escape_cell(payload)}"]*', required=False))
    return {
        "models/victim.md": object_doc("Victim", fields, _description(payload)),
        "models/kind.md": enum_doc("Kind", [one_line, "plain"], _description(payload)),
        "models/code.md": enum_table_doc("Code", [("HOSTILE", escape_cell(one_line)), ("PLAIN", "plain")]),
        "models/either.md": union_doc("Either", [(one_line, "str"), ("`models.Kind`", "models.Kind")],
                                      _description(payload)),
        "models/gone.md": f"# ~~Gone~~\n\n> :warning: **DEPRECATED**: {one_line}\n\n\n## Fields\n\n"
        + table(FIELD_HEADER, []),
    }


def string_constants(out: Path) -> list[str]:
    found = []
    for path in python_files(out, PACKAGE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return found


HTML_TAG = re.compile(r"</?[A-Za-z!][^>]*>")


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_hostile_text_stays_text(tmp_path: Path, payload: str) -> None:
    docs = hostile_spec(payload)
    specs = write_spec(tmp_path, docs)
    out = tmp_path / "out"
    run = generate(specs, out, PACKAGE)
    assert run.code == 0, run.explain()

    # Importing runs nothing (cwd is tmp_path: a `touch PWNED` would land there).
    classes_doc = import_all(out, PACKAGE, cwd=tmp_path)
    assert not list(tmp_path.rglob("PWNED")) and not Path("PWNED").exists()
    black_check(out / PACKAGE)

    generated = {path: data.decode("utf-8") for path, data in contents(out).items()}
    for path, text in generated.items():
        if "49" in text:
            assert "49" in "".join(docs.values()), f"{path} holds a 49: a template evaluated {{{{ 7*7 }}}}"
    spec_tags = set(HTML_TAG.findall("".join(docs.values())))
    for path, text in generated.items():
        if path.endswith(".md"):
            assert set(HTML_TAG.findall(text)) <= spec_tags, f"{path} holds HTML the spec did not"
    for rel, text in docs.items():
        assert generated[f"docs/{rel}"] == text, f"docs/{rel} is not the spec doc"

    # Verbatim: the model's docstring, the field texts, the enum values.
    classes = load_package(out, PACKAGE)
    victim = model_class(classes, "Victim")
    # (read as Python reads docstrings: `inspect.cleandoc` drops the indentation)
    assert _description(payload) in inspect.cleandoc(victim.__doc__ or ""), victim.__doc__
    assert any(_description(payload) in inspect.cleandoc(doc) for doc in classes_doc.values())
    constants = string_constants(out)
    one_line = payload.replace("\n", " ")
    assert any(payload in c for c in constants), "the field description is not in the code verbatim"
    assert one_line in constants, "the enum value is not a string constant of the code"

    # The hostile values are the values: they validate.
    ok = {"text": payload, "kind": one_line, "code": one_line, "either": one_line}
    if literal_ok(payload):
        ok["lit"] = payload
    loaded = victim.model_validate(ok)  # type: ignore[attr-defined]
    dumped = loaded.model_dump(mode="json", by_alias=True)
    assert {k: dumped[k] for k in ok} == ok


@pytest.mark.parametrize(
    "title",
    ['Victim"""', "Vic tim", "Victim;import os", "{{Victim}}", "</script>", "Vic\rtim", "Victim\0"],
)
def test_hostile_titles_are_rejected_cleanly(tmp_path: Path, title: str) -> None:
    specs = write_spec(tmp_path, {"models/victim.md": object_doc(title, [row("a", "*str*")])})
    run = generate(specs, tmp_path / "out", PACKAGE)
    assert_rejected(run, tmp_path / "out")
    assert not list(tmp_path.rglob("PWNED"))


def test_hostile_field_names_become_aliased_attributes(tmp_path: Path) -> None:
    """Any field name is a wire key: it lands in code only as an escaped alias."""
    assert_names_round_trip(tmp_path, ['a"""', "a;b", "{{a}}", "a\\", "</td>", "x'y"])
    assert not list(tmp_path.rglob("PWNED"))


# --- names ----------------------------------------------------------------------

FIELD_NAMES = [
    # keywords and soft keywords
    "class", "from", "import", "def", "lambda", "None", "True", "async", "await", "match", "type", "_",
    # builtins
    "id", "list", "dict", "str", "int", "print", "input", "object", "property", "classmethod", "bytes",
    # dunders and private-looking names (pydantic ignores leading underscores)
    "__init__", "__class__", "__dict__", "__annotations__", "__slots__", "_key", "__private",
    # the runtime of generated code
    "BaseModel", "UNSET", "Nullable", "OptionalNullable", "Optional", "Field", "Literal", "Any", "Union",
    "List", "Dict", "date", "datetime", "Decimal", "Enum", "annotations", "pydantic", "typing",
    # pydantic attributes
    "model_dump", "model_config", "model_fields", "model_validate", "model_post_init", "model_extra",
    "json", "copy", "schema", "validate", "construct", "fields", "parse_obj", "Config",
    "model_computed_fields",
]
NON_IDENTIFIER_NAMES = ["名前", "café", "1st", "2"]

SAMPLE = {"*str*": "x", "*int*": 7, "*Optional[bool]*": True, "List[*str*]": ["a", "b"]}


def names_spec(names: list[str]) -> dict[str, str]:
    cells = list(SAMPLE)
    rows = [row(name, cells[i % len(cells)], required=i % 3 != 0) for i, name in enumerate(names)]
    return {"models/named.md": object_doc("Named", rows)}


def _payload(names: list[str]) -> dict[str, object]:
    cells = list(SAMPLE)
    return {name: SAMPLE[cells[i % len(cells)]] for i, name in enumerate(names)}


def assert_names_round_trip(tmp_path: Path, names: list[str]) -> None:
    specs = write_spec(tmp_path, names_spec(names))
    out = tmp_path / "out"
    run = generate(specs, out, "named_pkg")
    assert run.code == 0, run.explain()
    black_check(out / "named_pkg")
    import_all(out, "named_pkg", cwd=tmp_path)
    cls = model_class(load_package(out, "named_pkg"), "Named")
    reserved = set(dir(cls.__mro__[1])) | set(keyword.kwlist)
    for name in names:
        attr, _ = field_for_key(cls, name)
        assert attr.isidentifier() and not keyword.iskeyword(attr), attr
        assert not attr.startswith("_"), f"{name!r} -> {attr!r}: pydantic ignores private attributes"
        assert attr not in reserved, f"{name!r} -> {attr!r} shadows a BaseModel attribute"
    payload = _payload(names)
    loaded = cls.model_validate(payload)  # type: ignore[attr-defined]
    assert loaded.model_dump(mode="json", by_alias=True) == payload
    assert cls.model_validate_json(loaded.model_dump_json(by_alias=True)) == loaded  # type: ignore[attr-defined]


def test_field_names_that_shadow_python_and_pydantic(tmp_path: Path) -> None:
    assert_names_round_trip(tmp_path, FIELD_NAMES)


def test_underscore_key_and_its_bare_twin(tmp_path: Path) -> None:
    """`_id` becomes `id` (pydantic ignores `_x` attributes); with a real
    `id` beside it that is a clean collision error, or two fields."""
    specs = write_spec(tmp_path, names_spec(["_id", "id"]))
    run = generate(specs, tmp_path / "out", "named_pkg")
    if run.code == 2:
        assert_rejected(run, tmp_path / "out")
        assert "both become the attribute" in run.errors[0].message
    else:
        assert_names_round_trip(tmp_path / "again", ["_id", "id"])


def test_builtin_names_are_fields_too(tmp_path: Path) -> None:
    names = sorted(n for n in dir(builtins) if n.isidentifier() and not n.startswith("__"))[:80]
    assert_names_round_trip(tmp_path, names)


@pytest.mark.parametrize("name", NON_IDENTIFIER_NAMES)
def test_non_identifier_field_names_get_an_alias(tmp_path: Path, name: str) -> None:
    assert_names_round_trip(tmp_path, ["plain", name])


MODEL_TITLES = [
    "class", "None", "True", "type", "str", "list", "object", "BaseModel", "UNSET", "Nullable", "Field",
    "Optional", "Any", "Enum", "date", "datetime", "Decimal", "model_config", "json", "schema",
    "_private", "_", "Model", "Models", "TypedDict", "Literal", "annotations",
]


def _stem(title: str) -> str:
    lower = title.lower()
    return lower + "_" if keyword.iskeyword(lower) or lower in ("format", "filter") else lower


def titles_spec(titles: list[str]) -> dict[str, str]:
    docs = {f"models/{_stem(t)}.md": object_doc(t, [row("value", "*int*")], f"The {t} model.") for t in titles}
    holder_rows = [row(f"f{i}", link(t, stem=_stem(t)), required=False) for i, t in enumerate(titles)]
    docs["models/holder.md"] = object_doc("Holder", holder_rows)
    return docs






@pytest.mark.parametrize("titles", [
    pytest.param(MODEL_TITLES, id="many"),
    pytest.param(["__init__"], id="init"),
    pytest.param(["__main__", "__all__"], id="dunders"),
    pytest.param(["__Private", "__x"], id="double-underscore"),
    pytest.param(["1st", "9"], id="leading-digit"),
])
def test_model_titles_that_shadow_python_and_pydantic(tmp_path: Path, titles: list[str]) -> None:
    specs = write_spec(tmp_path, titles_spec(titles))
    out = tmp_path / "out"
    run = generate(specs, out, "titled_pkg")
    assert run.code == 0, run.explain()
    black_check(out / "titled_pkg")
    import_all(out, "titled_pkg", cwd=tmp_path)
    classes = load_package(out, "titled_pkg")
    holder = model_class(classes, "Holder")
    payload = {f"f{i}": {"value": i} for i in range(len(titles))}
    loaded = holder.model_validate(payload)  # type: ignore[attr-defined]
    assert loaded.model_dump(by_alias=True, exclude_unset=True) == payload
    for i, title in enumerate(titles):
        cls = model_class(classes, title)
        assert type(getattr(loaded, field_for_key(holder, f"f{i}")[0])) is cls
        assert f"The {title} model." in inspect.cleandoc(cls.__doc__ or "")


def test_module_stems_that_are_keywords(tmp_path: Path) -> None:
    """Stems the format would never write (`class.md`, `import.md`,
    `model_config.md`) still make importable modules."""
    docs = {
        "models/class.md": object_doc("Class", [row("a", "*int*")]),
        "models/import.md": object_doc("Import", [row("a", "*int*")]),
        "models/model_config.md": object_doc("ModelConfig", [row("a", "*int*")]),
        "models/my-model.md": object_doc("MyModel", [row("a", "*int*")]),
        "models/user.md": object_doc("User", [row("c", link("Class", stem="class")), row("i", link("Import")),
                                             row("m", link("ModelConfig", stem="model_config")),
                                             row("d", link("MyModel", stem="my-model"))]),
    }
    specs = write_spec(tmp_path, docs)
    out = tmp_path / "out"
    run = generate(specs, out, "stem_pkg")
    if run.code == 2:  # a clean refusal is acceptable; a broken package is not
        assert_rejected(run, out)
        return
    assert run.code == 0, run.explain()
    import_all(out, "stem_pkg", cwd=tmp_path)
    user = model_class(load_package(out, "stem_pkg"), "User")
    payload = {"c": {"a": 1}, "i": {"a": 2}, "m": {"a": 3}, "d": {"a": 4}}
    assert user.model_validate(payload).model_dump(by_alias=True) == payload  # type: ignore[attr-defined]


# --- Literal values holding quotes and backslashes ------------------------------


def test_literal_ending_in_a_backslash_parses(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {"models/victim.md": object_doc("Victim", [row("lit", '*Literal["a\\\\"]*')])})
    run = generate(specs, tmp_path / "out", PACKAGE)
    assert run.code == 0, run.explain()


def test_literal_with_a_quote_round_trips(tmp_path: Path) -> None:
    doc = object_doc("Victim", [row("lit", '*Literal["a\\"b"]*')])
    specs = write_spec(tmp_path, {"models/victim.md": doc})
    out = tmp_path / "out"
    run = generate(specs, out, PACKAGE)
    assert run.code == 0, run.explain()
    assert (out / "docs/models/victim.md").read_text() == doc
    victim = model_class(load_package(out, PACKAGE), "Victim")
    assert victim.model_validate({"lit": 'a"b'}).model_dump()["lit"] == 'a"b'  # type: ignore[attr-defined]


# --- a damaged or tampered cache under OUT ---------------------------------------


@pytest.mark.parametrize("damage", [b"", b"\0" * 64, b"garbage", b"\xe3" + b"\xff" * 200, b"{}"],
                         ids=["empty", "zeros", "text", "bad-marshal", "json"])
def test_damaged_cache_is_ignored(tmp_path: Path, damage: bytes) -> None:
    docs = titles_spec(["Alpha", "Beta"])
    specs = write_spec(tmp_path, docs)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert generate(specs, out, "cache_pkg").code == 0
    assert generate(specs, fresh, "cache_pkg").code == 0
    bookkeeping = [p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0].startswith(".md2models")
                   and p.name != ".gitignore"]
    damaged = [path for path in bookkeeping if "manifest" not in path.name]
    assert damaged, f"no cache files under {out}"
    for path in damaged:
        path.write_bytes(damage)
    (specs / "models/alpha.md").write_text(object_doc("Alpha", [row("value", "*str*")], "The Alpha model."))
    (specs / "models/alpha.md").touch()
    run = generate(specs, out, "cache_pkg")
    assert run.code == 0, run.explain()
    assert generate(specs, fresh, "cache_pkg").code == 0
    assert contents(out) == contents(fresh)


# --- hostile file names ------------------------------------------------------------


def test_newline_in_a_file_name_keeps_one_diagnostic_per_line(tmp_path: Path) -> None:
    specs = write_spec(tmp_path, {"models/x\ny.md": "# B\n"})
    run = generate(specs, tmp_path / "out", PACKAGE)
    assert_rejected(run, tmp_path / "out")


@pytest.mark.parametrize("stem", ["with space", "dash-ed", "dot.ted", "ünï", "$HOME;touch PWNED", "{{ 7*7 }}"])
def test_odd_file_names_make_importable_modules(tmp_path: Path, stem: str) -> None:
    docs = {f"models/{stem}.md": object_doc("Odd", [row("a", "*int*")]),
            "models/user.md": object_doc("User", [row("odd", f"[models.Odd](../models/{stem}.md)")])}
    specs = write_spec(tmp_path, docs)
    out = tmp_path / "out"
    run = generate(specs, out, PACKAGE)
    assert run.code == 0, run.explain()
    import_all(out, PACKAGE, cwd=tmp_path)
    assert not list(tmp_path.rglob("PWNED"))
    black_check(out / PACKAGE)
    user = model_class(load_package(out, PACKAGE), "User")
    assert user.model_validate({"odd": {"a": 1}}).model_dump() == {"odd": {"a": 1}}  # type: ignore[attr-defined]
