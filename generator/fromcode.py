"""Read the models of an existing SDK statically (ast only: never imported or run).

Both eras of Speakeasy's Python output are understood:

- pydantic: `class X(BaseModel)` with `name: Annotated[T, pydantic.Field(alias="w"),
  FieldMetadata(...)] = default`, `Nullable`/`OptionalNullable`/`UNSET`,
  `Annotated[Literal["c"], AfterValidator(validate_const("c"))]` consts,
  `class E(str, Enum)` enums and `X = TypeAliasType("X", Union[...])` unions;
- dataclasses: `@dataclass_json @dataclasses.dataclass class X` with
  `name: T = dataclasses.field(default=d, metadata={'dataclasses_json':
  {'letter_case': utils.get_field_name('w'), ...}})` (or `'field_name': 'w'`).

What is read is plain data (`CodeClass`, `CodeField`): names, the core
annotation as ast (the `Annotated` metadata stripped), default text, wire
alias and exclusion from dumps; a union's members and discriminator; the
field names a class's serializer lists (`optional_fields = [...]`); the
model an exception class carries as `data`.  What cannot be read is counted
as an `Unknown` at its file:line.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal, Optional, Sequence

Kind = Literal["object", "enum", "union", "exception"]
# Calls inside `Annotated[...]` that say nothing about name, type, default or alias.
KNOWN_METADATA = {"FieldMetadata", "AfterValidator", "BeforeValidator", "PlainValidator", "WrapValidator",
                  "PlainSerializer", "WrapSerializer", "validate_open_enum", "validate_const", "pydantic.Field",
                  "Field", "pydantic.Discriminator", "Discriminator", "pydantic.Tag", "Tag"}
ENUM_BASES = {"Enum", "IntEnum", "StrEnum"}  # as the last part of a base's dotted name
# Keyword arguments of pydantic.Field / dataclasses.field that do not change the model's fields.
IGNORED_FIELD_ARGS = {"metadata", "repr", "compare", "hash", "init", "kw_only", "discriminator",
                      "description", "title", "examples", "deprecated", "serialization_alias", "validation_alias"}


@dataclass(frozen=True)
class CodeField:
    name: str
    annotation: ast.expr  # the core annotation: the outer `Annotated[...]` metadata stripped
    default: Optional[str]  # Python text, None when the field has no default
    alias: Optional[str]
    line: int
    text: str = ""  # the statement's source lines, "\n"-terminated
    exclude: bool = False  # `pydantic.Field(exclude=True)`: never dumped


@dataclass(frozen=True)
class CodeClass:
    name: str
    kind: Kind
    namespace: str  # the folder holding the module: `models`, `shared`, `errors`, ...
    source: str  # `models/foo.py`, relative to the folder above the package root read
    module: str  # the module's file name without `.py`
    line: int
    fields: tuple[CodeField, ...] = ()
    members: tuple[ast.expr, ...] = ()  # a union's, in code order
    tag: str = ""  # a union's discriminator field (attribute), "" when none
    wraps: str = ""  # an exception class's `data` annotation: the model it carries
    # the wire names its serializer lists as optional or nullable; None: a Speakeasy class
    # without a serializer (its dumps lose every None)
    serialized: Optional[tuple[str, ...]] = ()


@dataclass(frozen=True)
class Unknown:
    source: str
    line: int
    what: str


def module_files(roots: Sequence[Path]) -> list[tuple[str, str, str, str]]:
    """(path, shown source, namespace, module) of every module under the folders
    `roots` but `__init__.py`, in path order; the namespace is the folder holding it."""
    found = []
    for root in roots:
        root = root.resolve()
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            shown = Path(root.name, os.path.relpath(folder, root)).as_posix()  # `models/.` is `models`
            for name in sorted(names):
                if name.endswith(".py") and name != "__init__.py":
                    found.append((os.path.join(folder, name), f"{shown}/{name}", os.path.basename(folder), name[:-3]))
    return found


def read_module(data: bytes, source: str, namespace: str, module: str) -> tuple[list[CodeClass], list[Unknown]]:
    try:
        tree = ast.parse(data, source)
    except (SyntaxError, ValueError) as exc:
        return [], [Unknown(source, getattr(exc, "lineno", None) or 1, f"not Python: {exc}")]
    reader = _Reader(source, namespace, module, data.decode("utf-8", "replace").splitlines(keepends=True))
    # Speakeasy's marshaller drops None unless a class's serializer keeps it (see `CodeClass.serialized`)
    reader.speakeasy = "Speakeasy" in (ast.get_docstring(tree) or "")
    for node in tree.body:
        reader.statement(node)
    return reader.classes, reader.unknown


def dotted(node: ast.expr) -> str:
    """`a.b.c` for a Name/Attribute chain, "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _head(node: ast.expr) -> str:
    """The bare name a subscript or call starts with: `typing_extensions.Annotated` -> `Annotated`."""
    return dotted(node).rpartition(".")[2]


def _union(node: ast.expr) -> tuple[tuple[ast.expr, ...], str]:
    """The members (code order, `Tag` annotations dropped) and discriminator field of a union's
    `Union[...]` or `Annotated[Union[Annotated[A, Tag("a")], ...], Discriminator(lambda m:
    get_discriminator(m, "type", "type"))]`."""
    core, metadata = strip_annotated(node)
    if not (isinstance(core, ast.Subscript) and _head(core.value) == "Union"):
        return (), ""
    members = core.slice.elts if isinstance(core.slice, ast.Tuple) else [core.slice]
    tag = ""
    for meta in metadata:
        for call in ast.walk(meta):
            if (isinstance(call, ast.Call) and _head(call.func) == "get_discriminator" and len(call.args) > 1
                    and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str)):
                tag = call.args[1].value
    return tuple(strip_annotated(m)[0] for m in members), tag


def _serialized(node: ast.ClassDef) -> Optional[tuple[str, ...]]:
    """The names in `optional_fields = [...]` / `set([...])` (and `nullable_fields`) of the
    class's serializer: the wire names it leaves out when None (or keeps when null); None
    when the class has no serializer (a `@model_serializer` method)."""
    names: list[str] = []
    methods = [item for item in node.body if isinstance(item, ast.FunctionDef) and any(
        "model_serializer" in dotted(d.func if isinstance(d, ast.Call) else d) for d in item.decorator_list)]
    if not methods:
        return None
    for item in methods:
        for stmt in ast.walk(item):
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id in ("optional_fields", "nullable_fields")):
                names += [c.value for c in ast.walk(stmt.value)
                          if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return tuple(names)


def strip_annotated(node: ast.expr) -> tuple[ast.expr, list[ast.expr]]:
    """(the core type, the metadata) of `Annotated[T, m...]`, nested ones too."""
    metadata: list[ast.expr] = []
    while isinstance(node, ast.Subscript) and _head(node.value) == "Annotated" and isinstance(node.slice, ast.Tuple):
        node, *more = node.slice.elts
        metadata = more + metadata
    return node, metadata


class _Reader:
    def __init__(self, source: str, namespace: str, module: str, lines: list[str]):
        self.source, self.namespace, self.module, self.lines = source, namespace, module, lines
        self.speakeasy = False
        self.classes: list[CodeClass] = []
        self.unknown: list[Unknown] = []

    def note(self, node: ast.AST, what: str) -> None:
        self.unknown.append(Unknown(self.source, getattr(node, "lineno", 1), what))

    def add(self, name: str, kind: Kind, line: int, fields: Sequence[CodeField] = (),
            union: tuple[tuple[ast.expr, ...], str] = ((), ""), wraps: str = "",
            serialized: Optional[tuple[str, ...]] = ()) -> None:
        self.classes.append(CodeClass(name, kind, self.namespace, self.source, self.module, line, tuple(fields),
                                      *union, wraps, serialized))

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ClassDef):
            self.class_def(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None:
                self.alias(targets[0].id, node.value, node.lineno)

    def alias(self, name: str, value: ast.expr, line: int) -> None:
        """`X = TypeAliasType("X", Union[...])`, `X = Union[...]`, `X = Literal[...]`."""
        if name.endswith("TypedDict") or not name[:1].isupper():
            return
        if isinstance(value, ast.Call) and _head(value.func) == "TypeAliasType":
            self.add(name, "union", line, union=_union(value.args[1] if len(value.args) > 1 else value))
        elif isinstance(value, ast.Subscript):
            head = _head(value.value)
            if head == "Literal":
                self.add(name, "enum", line)
            elif head in ("Union", "Annotated"):
                self.add(name, "union", line, union=_union(value))

    def class_def(self, node: ast.ClassDef) -> None:
        if node.name.endswith("TypedDict"):
            return
        bases = {dotted(b).rpartition(".")[2] for b in node.bases}
        if bases & ENUM_BASES or any(k.arg == "metaclass" and _head(k.value) == "OpenEnumMeta" for k in node.keywords):
            self.add(node.name, "enum", node.lineno)
            return
        # hand-written error classes (`APIError`, `class HonoAPIError(APIError)`): matched, but reported apart
        exception = any(b.endswith(("Exception", "Error")) for b in bases)
        fields = [f for item in node.body if isinstance(item, ast.AnnAssign) for f in self.field(item)]
        wraps = next((dotted(f.annotation) for f in fields if f.name == "data"), "") if exception else ""
        serialized = _serialized(node)
        self.add(node.name, "exception" if exception else "object", node.lineno, fields, wraps=wraps,
                 serialized=() if serialized is None and not self.speakeasy else serialized)

    def field(self, item: ast.AnnAssign) -> Iterator[CodeField]:
        if not isinstance(item.target, ast.Name):
            return
        name = item.target.id
        if name.startswith("__") or name == "model_config" or _head(item.annotation) == "ClassVar":
            return
        core, metadata = strip_annotated(item.annotation)
        alias: Optional[str] = None
        for meta in metadata:
            if not isinstance(meta, ast.Call) or dotted(meta.func) not in KNOWN_METADATA:
                self.note(meta, f"annotation metadata {ast.unparse(meta)[:60]!r}")
            elif dotted(meta.func) in ("pydantic.Field", "Field"):
                alias = self.field_call(meta, alias)[1]
        default: Optional[str] = None
        value = item.value
        if isinstance(value, ast.Call) and dotted(value.func) in ("pydantic.Field", "Field", "dataclasses.field", "field"):
            default, alias = self.field_call(value, alias)
        elif value is not None:
            default = ast.unparse(value)
        exclude = any(k.arg == "exclude" and isinstance(k.value, ast.Constant) and k.value.value is True
                      for call in [value, *metadata] if isinstance(call, ast.Call) for k in call.keywords)
        # dataclasses-era code names every field's wire name, most the same as the attribute
        text = "".join(self.lines[item.lineno - 1:item.end_lineno])
        yield CodeField(name, core, default, alias if alias != name else None, item.lineno, text, exclude)

    def field_call(self, call: ast.Call, alias: Optional[str]) -> tuple[Optional[str], Optional[str]]:
        """(default text, alias) of `pydantic.Field(...)` / `dataclasses.field(...)`."""
        default: Optional[str] = ast.unparse(call.args[0]) if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "default":
                default = ast.unparse(keyword.value)
            elif keyword.arg == "alias":
                alias = self.text(keyword.value)
            elif keyword.arg == "metadata":
                alias = self.dataclasses_json(keyword.value, alias)
            elif keyword.arg == "exclude":
                continue  # read by `field`
            elif keyword.arg not in IGNORED_FIELD_ARGS:
                self.note(keyword.value, f"field argument {keyword.arg}={ast.unparse(keyword.value)[:60]}")
        return default, alias

    def dataclasses_json(self, node: ast.expr, alias: Optional[str]) -> Optional[str]:
        """The wire name in `metadata={'dataclasses_json': {'letter_case': utils.get_field_name('w')}}`
        (or `'field_name': 'w'`, or `dataclasses_json.config(field_name='w')`)."""
        pairs: list[tuple[object, ast.expr]]
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "dataclasses_json":
                    return self.dataclasses_json(value, alias)
            pairs = [(k.value, v) for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)]
        elif isinstance(node, ast.Call) and _head(node.func) == "config":
            pairs = [(k.arg, k.value) for k in node.keywords if k.arg]
        else:
            self.note(node, f"field metadata {ast.unparse(node)[:60]}")
            return alias
        for name, value in pairs:
            if name == "field_name":
                alias = self.text(value)
            elif name == "letter_case":
                if isinstance(value, ast.Call) and _head(value.func) == "get_field_name" and len(value.args) == 1:
                    alias = self.text(value.args[0])
                else:
                    self.note(value, f"letter_case {ast.unparse(value)[:60]}")
        return alias

    def text(self, node: ast.expr) -> Optional[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        self.note(node, f"a wire name that is no string literal: {ast.unparse(node)[:60]}")
        return None

