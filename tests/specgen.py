"""Shared helpers for the bad-input, hostile-input, lint and property tests.

* Spec writers: canonical docs (FORMAT.md, "Whole-document shapes") from
  plain Python values, and `write_spec` to lay a spec root out on disk.
* `md2models(...)`: the CLI in-process (click's CliRunner), with stdout and
  stderr apart and the diagnostics parsed; any exception other than
  `SystemExit` (a traceback) fails the test at once.
* Output checks: snapshots of OUT, importing the generated package in a
  fresh interpreter, `black --check`.
* Hypothesis strategies: valid specs, and manglings of them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence, Union

from click.testing import CliRunner
from hypothesis import strategies as st

# --- the docs -----------------------------------------------------------------

FIELD_HEADER = ("Field", "Type", "Required", "Description")
REQUIRED = ":heavy_check_mark:"
OPTIONAL = ":heavy_minus_sign:"

Row = tuple[str, ...]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table padded the canonical way: W is the longest cell counting
    `<br/>` and `\\|` as one character; every cell is `ljust(W)`."""
    cells = [tuple(header), *map(tuple, rows)]
    width = max((len(re.sub(r"<br/>|\\\|", "x", c)) for row in cells for c in row), default=3)
    width = max(width, 3)

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(width) for c in row) + " |"

    return "\n".join([line(header), "| " + " | ".join("-" * width for _ in header) + " |", *map(line, rows[:])])


def escape_cell(text: str) -> str:
    """Text -> a table cell: `|` escaped, newlines as `<br/>`."""
    return text.replace("|", "\\|").replace("\n", "<br/>") or "N/A"


def row(name: str, type_cell: str, required: bool = True, description: str = "N/A",
        example: Optional[str] = None) -> Row:
    """One `## Fields` row; `name` is put in backticks."""
    cells: Row = (f"`{name}`", type_cell, REQUIRED if required else OPTIONAL, description)
    return cells + ((example,) if example is not None else ())


def pre(description: str = "") -> str:
    return f"{description}\n\n" if description else ""


def object_doc(title: str, rows: Sequence[Row] = (), description: str = "") -> str:
    header = FIELD_HEADER + (("Example",) if any(len(r) == 5 for r in rows) else ())
    rows = [r + ("",) * (len(header) - len(r)) for r in rows]
    return f"# {title}\n\n{pre(description)}\n## Fields\n\n" + table(header, rows)


def enum_doc(title: str, values: Sequence[Union[str, int]], description: str = "") -> str:
    """A list-form enum with its `## Example Usage` (a Literal alias)."""
    first = _list_value(values[0]) if values else '""'
    items = "".join(f"- `{_list_value(v)}`\n" for v in values)
    return (f"# {title}\n\n{pre(description)}## Example Usage\n\n```python\nfrom models import {title}\n\n"
            f"value: {title} = {first}\n```\n\n\n## Values\n\n{items}")


def _list_value(value: Union[str, int]) -> str:
    # FORMAT.md: list values need no escaping, strings are written "value".
    return str(value) if isinstance(value, int) else f'"{value}"'


def enum_table_doc(title: str, members: Sequence[tuple[str, str]], description: str = "") -> str:
    """A table-form enum: [(MEMBER_NAME, raw value)]."""
    return f"# {title}\n\n{pre(description)}\n## Values\n\n" + table(("Name", "Value"), [(f"`{m}`", v) for m, v in members])


def union_doc(title: str, members: Sequence[tuple[str, str]], description: str = "") -> str:
    """A union: [(### heading text, python type text)]."""
    body = "".join(f"### {heading}\n\n```python\nvalue: {type_text} = /* values here */\n```\n\n"
                   for heading, type_text in members)
    return f"# {title}\n\n{pre(description)}\n## Supported Types\n\n{body}"


def link(name: str, namespace: str = "models", stem: Optional[str] = None, wrapper: str = "") -> str:
    """A type cell linking a model doc: `models/x.md` of the flat layout, or
    `models/<namespace>/x.md` of the nested one."""
    inner = f"{namespace}.{name}"
    inner = f"{wrapper}[{inner}]" if wrapper else inner
    target = f"../models/{stem or name.lower()}.md" if namespace == "models" else \
        f"../../models/{namespace}/{stem or name.lower()}.md"
    return f"[{inner}]({target})"


def write_spec(root: Path, docs: Mapping[str, Union[str, bytes]]) -> Path:
    """Write {spec-root-relative path: text or bytes} under root/specs."""
    specs = root / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    for rel, content in docs.items():
        path = specs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return specs


# --- running the CLI ----------------------------------------------------------

DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.*)$")
# The one line the CLI prints after the diagnostics.
SUMMARY = re.compile(r"^md2models: ")


@dataclass(frozen=True)
class Diag:
    path: str
    line: int
    col: int
    severity: str
    message: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    diagnostics: list[Diag] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)  # stderr lines that are no diagnostic

    @property
    def errors(self) -> list[Diag]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diag]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def explain(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def md2models(*args: Union[str, Path]) -> Run:
    """Run the CLI in-process; a traceback fails the calling test."""
    from generator.cli import main  # imported late: collection must not need the renderer

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        raise AssertionError(f"md2models {' '.join(map(str, args))} raised instead of reporting:\n{trace}")
    run = Run(result.exit_code, result.stdout, result.stderr)
    for line in result.stderr.splitlines():
        match = DIAGNOSTIC.match(line)
        if match:
            run.diagnostics.append(Diag(match["path"], int(match["line"]), int(match["col"]),
                                        match["severity"], match["message"]))
        else:
            run.other_lines.append(line)
    return run


def generate(specs: Path, out: Path, package: str = "pkg") -> Run:
    return md2models("generate", specs, "--out", out, "--package", package)


def assert_well_formed(run: Run) -> None:
    """Every stderr line is `path:line:col: severity: message` or the summary."""
    odd = [line for line in run.other_lines if not SUMMARY.match(line)]
    assert not odd, f"stderr lines that are no diagnostic:\n{odd}\n{run.explain()}"
    assert len([line for line in run.other_lines if SUMMARY.match(line)]) <= 1, run.explain()
    assert "Traceback" not in run.stderr + run.stdout, run.explain()
    keys = [(d.path, d.line, d.col, d.severity, d.message) for d in run.diagnostics]
    assert keys == sorted(keys), f"diagnostics not sorted:\n{run.explain()}"
    for d in run.diagnostics:
        assert d.line >= 1 and d.col >= 1, d


def assert_rejected(run: Run, out: Optional[Path] = None, before: Optional[dict[str, bytes]] = None) -> list[Diag]:
    """Exit 2, well-formed diagnostics with at least one error, OUT untouched."""
    assert run.code == 2, run.explain()
    assert_well_formed(run)
    assert run.errors, f"exit 2 without any 'error:' line:\n{run.explain()}"
    if out is not None:
        if before is None:
            assert not out.exists(), f"{out} was created by a failing run"
        else:
            assert snapshot(out) == before, f"{out} was changed by a failing run"
    return run.errors


def errors_at(run: Run, specs: Path) -> list[tuple[str, int, int, str]]:
    """(spec-root-relative path, line, col, message) of every error."""
    root = specs.as_posix().rstrip("/") + "/"
    found = []
    for d in run.errors:
        assert d.path.startswith(root), f"diagnostic path {d.path!r} is not below {root!r}"
        found.append((d.path[len(root):], d.line, d.col, d.message))
    return found


# --- the output ---------------------------------------------------------------


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under OUT (hidden ones included) -> its bytes; stats too."""
    files: dict[str, bytes] = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files[path.relative_to(out).as_posix()] = path.read_bytes() + f"\0{stat.st_mtime_ns}".encode()
    return files


def contents(out: Path, *, manifest: bool = False) -> dict[str, bytes]:
    """Generated files -> bytes (without md2models' own bookkeeping, the
    manifest and the cache, unless asked)."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and (manifest or not path.relative_to(out).parts[0].startswith(".md2models"))
    }


def python_files(out: Path, package: str) -> list[Path]:
    return sorted((out / package).rglob("*.py"))


def module_names(out: Path, package: str) -> list[str]:
    names = []
    for path in python_files(out, package):
        parts = list(path.relative_to(out).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, sys
    sys.path.insert(0, sys.argv[1])
    docs = {}
    for name in json.loads(sys.argv[2]):
        module = importlib.import_module(name)
        for attr, value in sorted(vars(module).items()):
            if isinstance(value, type) and value.__module__ == name and value.__doc__ is not None:
                docs[f"{name}.{attr}"] = value.__doc__
    print(json.dumps(docs))
    """
)


def import_all(out: Path, package: str, cwd: Path) -> dict[str, str]:
    """Import every generated module in a fresh interpreter (cwd=`cwd`;
    `-B`: no `__pycache__` left in OUT, which tests read whole after);
    return {module.Class: __doc__} of the classes each module defines."""
    names = module_names(out, package)
    assert names, f"no Python modules under {out / package}"
    proc = subprocess.run([sys.executable, "-B", "-c", IMPORT_ALL, str(out), json.dumps(names)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"importing the generated package failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


def black_check(*paths: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "black", "--check", "--quiet", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"black --check fails on the generated code:\n{proc.stderr}"


def black_check_in_process(out: Path, package: str) -> None:
    """`black --check` without starting a process (for the property tests)."""
    import black

    mode = black.Mode()
    for path in python_files(out, package):
        source = path.read_text(encoding="utf-8")
        try:
            black.format_file_contents(source, fast=False, mode=mode)
        except black.NothingChanged:
            continue
        raise AssertionError(f"black would reformat {path.relative_to(out)}")


# --- hypothesis strategies ----------------------------------------------------

# Titles that stay distinct in every naming scheme: a capital, lower letters.
_TITLES = st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True)
_FIELD_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,7}(_[a-z0-9]{1,4})?", fullmatch=True)
_PRIMITIVES = ["str", "int", "float", "bool", "Any", "bytes", "Decimal"]
_WORDS = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs", "P", "S"],
                               exclude_characters="|\\`*<>#[]\n\r~"), max_size=30).map(str.strip)


@dataclass(frozen=True)
class SpecPlan:
    """A valid spec: {path: text}, and what each model is."""

    docs: dict[str, str]
    kinds: dict[str, str]  # title -> object/enum/union


@st.composite
def type_cells(draw: st.DrawFn, objects: Sequence[tuple[str, str]], enums: Sequence[tuple[str, str]],
               depth: int = 0) -> str:
    """A `## Fields` type cell over primitives and the given (namespace,
    title) models."""
    targets = list(objects) + list(enums)
    choices = ["prim", "wrapped", "literal"] + (["link", "link_wrapped"] if targets else [])
    if depth < 2:
        choices += ["list", "dict"]
    kind = draw(st.sampled_from(choices))
    if kind == "prim":
        return f"*{draw(st.sampled_from(_PRIMITIVES))}*"
    if kind == "wrapped":
        wrapper = draw(st.sampled_from(["Optional", "OptionalNullable", "Nullable"]))
        return f"*{wrapper}[{draw(st.sampled_from(_PRIMITIVES))}]*"
    if kind == "literal":
        return f'*Literal["{draw(st.from_regex(r"[a-z]{1,6}", fullmatch=True))}"]*'
    if kind == "link":
        namespace, title = draw(st.sampled_from(targets))
        return link(title, namespace)
    if kind == "link_wrapped":
        wrapper = draw(st.sampled_from(["Optional", "OptionalNullable", "Nullable"]))
        namespace, title = draw(st.sampled_from(targets))
        return link(title, namespace, wrapper=wrapper)
    inner = draw(type_cells(objects, enums, depth + 1))
    return f"List[{inner}]" if kind == "list" else f"Dict[str, {inner}]"


# Nested layouts (`models/<ns>/x.md` only) are off until the bug pinned by
# test_properties.test_nested_only_layout_is_black_clean is fixed.
NESTED_LAYOUTS = True


@st.composite
def valid_specs(draw: st.DrawFn, max_models: int = 5, nested_layouts: Optional[bool] = None) -> SpecPlan:
    """A flat or nested spec of objects, enums and unions that link each
    other, across namespaces too (cycles included)."""
    titles = draw(st.lists(_TITLES, min_size=1, max_size=max_models, unique_by=str.lower))
    kinds = {t: draw(st.sampled_from(["object", "object", "enum", "union"])) for t in titles}
    nested = draw(st.booleans()) if (NESTED_LAYOUTS if nested_layouts is None else nested_layouts) else False
    spaces = {t: draw(st.sampled_from(["shared", "operations"])) if nested else "models" for t in titles}
    objects = [(spaces[t], t) for t, k in kinds.items() if k == "object"]
    enums = [(spaces[t], t) for t, k in kinds.items() if k == "enum"]
    docs: dict[str, str] = {}
    for title, kind in kinds.items():
        path = f"models/{title.lower()}.md" if not nested else f"models/{spaces[title]}/{title.lower()}.md"
        description = draw(_WORDS)
        if kind == "object":
            names = draw(st.lists(_FIELD_NAMES, max_size=6, unique=True))
            rows = [row(name, draw(type_cells(objects, enums)), draw(st.booleans()), escape_cell(draw(_WORDS)))
                    for name in names]
            docs[path] = object_doc(title, rows, description)
        elif kind == "enum":
            values = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), min_size=1, max_size=5,
                                   unique=True))
            docs[path] = enum_doc(title, values, description)
        else:
            members = draw(st.lists(st.sampled_from(["str", "int", "bool", "float"] + [f"{n}.{o}" for n, o in objects]),
                                    min_size=1, max_size=4, unique=True))
            docs[path] = union_doc(title, [(f"`{m}`", m) for m in members], description)
    return SpecPlan(docs, kinds)


_NOISE = ["|", "`", "[", "]", "*", "(", ")", "#", "\n", "\r", "\\", "~", "<br/>", ":heavy_check_mark:", " ",
          "List[", "Dict[str, ", "Optional[", "## Fields", "## Values", "```", "\ufeff", "é", "\t", "-", '"']


@st.composite
def mangled_specs(draw: st.DrawFn) -> dict[str, Union[str, bytes]]:
    """A valid spec with 1-3 edits: characters or lines deleted, inserted,
    duplicated; markup characters sprinkled; sometimes invalid UTF-8."""
    docs: dict[str, Union[str, bytes]] = dict(draw(valid_specs(max_models=4)).docs)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(sorted(docs)))
        text = docs[path]
        if isinstance(text, bytes):
            continue
        op = draw(st.sampled_from(["del_char", "ins_char", "dup_char", "del_line", "dup_line", "swap_lines",
                                   "ins_noise", "del_span", "bytes"]))
        at = draw(st.integers(0, max(0, len(text) - 1)))
        lines = text.split("\n")
        n = draw(st.integers(0, len(lines) - 1))
        if op == "del_char":
            text = text[:at] + text[at + 1:]
        elif op == "ins_char":
            text = text[:at] + draw(st.characters(codec="utf-8")) + text[at:]
        elif op == "dup_char":
            text = text[:at] + text[at:at + 1] + text[at:]
        elif op == "del_line":
            text = "\n".join(lines[:n] + lines[n + 1:])
        elif op == "dup_line":
            text = "\n".join(lines[:n + 1] + lines[n:])
        elif op == "swap_lines":
            m = draw(st.integers(0, len(lines) - 1))
            lines[n], lines[m] = lines[m], lines[n]
            text = "\n".join(lines)
        elif op == "ins_noise":
            text = text[:at] + draw(st.sampled_from(_NOISE)) + text[at:]
        elif op == "del_span":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        if op == "bytes":
            data = text.encode("utf-8")
            docs[path] = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xe2\x80"])) + data[at:]
        else:
            docs[path] = text
    return docs


# --- the generated package, in-process ----------------------------------------


def load_package(out: Path, package: str) -> dict[str, type]:
    """Import every generated module in this process and return the pydantic
    model classes they define, by class name.  An earlier package of the
    same name is dropped from `sys.modules` first (the modules stay loaded
    afterwards: pydantic resolves forward references through them)."""
    import importlib

    from pydantic import BaseModel

    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    classes: dict[str, type] = {}
    try:
        for name in module_names(out, package):
            module = importlib.import_module(name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__.startswith(package):
                    classes.setdefault(value.__name__, value)
    finally:
        sys.path.remove(str(out))
    return classes


def model_class(classes: Mapping[str, type], title: str) -> type:
    """The generated class of the doc titled `title` (named by `naming`)."""
    from generator import naming

    name = naming.class_name(title)
    assert name in classes, f"no class {name!r} for model {title!r}; classes: {sorted(classes)}"
    return classes[name]


def field_for_key(cls: type, key: str) -> tuple[str, object]:
    """(attribute, FieldInfo) of the field read from JSON key `key`."""
    for attr, info in cls.model_fields.items():  # type: ignore[attr-defined]
        if (info.validation_alias or info.alias or attr) == key or info.alias == key:
            return attr, info
    raise AssertionError(f"{cls.__name__} has no field for key {key!r}: {list(cls.model_fields)}")  # type: ignore[attr-defined]
