"""Compare generated models with the real models of an SDK (`truth.json`).

Per field of every real model that has a doc: the attribute name, the core
annotation (`Annotated[T, ...]` reduced to `T`) and the default must match
(`compare`), and with `aliases=True` the wire alias too.  A real class is
matched to the generated class of the same name in the same namespace
folder (`components`, `operations`: namespaced SDKs repeat class names).
The generated side is read statically with `ast`, like the truth was.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class GeneratedField:
    name: str
    core: str
    default: Optional[str]
    alias: Optional[str]


@dataclass
class Report:
    total: int = 0
    matched: int = 0
    misses: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # model, field, what, want, got
    models_missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 0.0

    def categories(self) -> Counter[str]:
        return Counter(what for _, _, what, _, _ in self.misses)


def normalize(text: Optional[str]) -> Optional[str]:
    """Drop namespace prefixes, forward-reference quotes and spaces."""
    if text is None:
        return None
    # `components.X`, and `components_linkschema.X` (a module imported under its namespace's name)
    text = re.sub(r"\b(?:models|shared|operations|components|errors)(?:_[a-z0-9_]+)?\.", "", text)
    text = text.replace("'", "").replace('"', "").replace(" ", "")
    return text


def _core(annotation: ast.expr) -> str:
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) in ("Annotated", "typing_extensions.Annotated"):
        inner = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
        return _core(inner)
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value
    return ast.unparse(annotation)


def _field_call(value: Optional[ast.expr]) -> tuple[Optional[str], Optional[str]]:
    """(default, alias) of `= x` or `= pydantic.Field(default=x, alias=...)`."""
    if value is None:
        return None, None
    if isinstance(value, ast.Call) and ast.unparse(value.func) in ("pydantic.Field", "Field"):
        keywords = {k.arg: k.value for k in value.keywords}
        alias = keywords.get("alias")
        default = keywords.get("default", value.args[0] if value.args else None)
        return (ast.unparse(default) if default is not None else None,
                alias.value if isinstance(alias, ast.Constant) else None)
    return ast.unparse(value), None


def _alias_of(annotation: ast.expr) -> Optional[str]:
    for node in ast.walk(annotation):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("alias", "serialization_alias") and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


Classes = dict[tuple[str, str], list[GeneratedField]]


def generated_classes(package_dir: Path) -> Classes:
    """Every non-TypedDict class with annotated fields in the package, by (its folder, name)."""
    classes: Classes = {}
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name.endswith("TypedDict"):
                continue
            fields = []
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    name = item.target.id
                    if name.startswith("__") or name == "model_config":
                        continue
                    default, alias = _field_call(item.value)
                    fields.append(GeneratedField(name, _core(item.annotation), default, alias or _alias_of(item.annotation)))
            classes[(path.parent.name, node.name)] = fields
    return classes


def fields_of(classes: Classes, model: dict) -> Optional[list[GeneratedField]]:  # type: ignore[type-arg]
    """The generated fields of a truth model: its class in the same folder, else
    the one class of its name."""
    found = classes.get((Path(model["module"]).parent.name, model["name"]))
    if found is None:
        named = [fields for (_, name), fields in classes.items() if name == model["name"]]
        found = named[0] if len(named) == 1 else None
    return found


def compare(truth_path: Path, package_dir: Path, aliases: bool = False) -> Report:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    ours = generated_classes(package_dir)
    report = Report()
    for model in truth["models"]:
        fields = fields_of(ours, model)
        if fields is None:  # hand-written SDK classes (APIError) have no doc
            report.models_missing.append(model["name"])
            continue
        by_name = {f.name: f for f in fields}
        for real in model["fields"]:
            report.total += 1
            got = by_name.get(real["name"])
            want_default = real["default"] if real["has_default"] else None
            if got is None:
                report.misses.append((model["name"], real["name"], "missing field", real["name"], ", ".join(by_name)))
            elif normalize(got.core) != normalize(real["core"]):
                report.misses.append((model["name"], real["name"], "type", real["core"], got.core))
            elif normalize(got.default) != normalize(want_default):
                report.misses.append((model["name"], real["name"], "default", str(want_default), str(got.default)))
            elif aliases and got.alias != real["alias"]:
                report.misses.append((model["name"], real["name"], "alias", str(real["alias"]), str(got.alias)))
            else:
                report.matched += 1
    return report
