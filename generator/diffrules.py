"""Which spec changes break the code that uses the models (`md2models diff`).

Two views, because a models library cannot see whether a class is sent or
received:
- constructor: code or data valid against the old models fails against the
  new (removals, narrowings, new requirements);
- reader: code reading values of the new models meets something it never
  saw (removals, widenings: `T` -> `Nullable[T]`, a new enum value or union member).
Each rule says what it breaks in each; `diff` picks by view.  The ids B1,
B2, B3, B5, B9, B10, B11 are those of the orq release history's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A type in plain tuples, as `diff.norm` writes it (marshal passes and stores them fast):
#   ("P", name) | ("L", values) | ("R", namespace, title) | ("G", origin, args)
Norm = tuple[Any, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    constructor: bool  # breaks code or data valid against the old models
    reader: bool  # breaks code reading values of the new models
    says: str  # for the README's table


RULES = (
    Rule("B1", "model-removed", True, True, "a model removed"),
    Rule("B2", "model-added", False, False, "a model added"),
    Rule("B3", "field-removed", True, True, "a field removed"),
    Rule("B4", "required-field-added", True, False, "a required field (no default) added"),
    Rule("B5", "field-added", False, False, "an optional field (or one with a default) added"),
    Rule("B6", "became-required", True, False, "optional → required"),
    Rule("B7", "became-optional", False, True, "required → optional"),
    Rule("B8", "type-widened", False, True,
         "type widened: `T` → `Nullable[T]`, `Union[T, U]`, `Any`; `int` → `float`; a `Literal` gains values"),
    Rule("B9", "type-changed", True, True, "type changed incompatibly: another class, `str` → `int`, ..."),
    Rule("B10", "default-changed", False, False, "a default changed (`None` → `UNSET`)"),
    Rule("B11", "enum-value-added", False, True, "a value added to a closed enum"),
    Rule("B12", "enum-value-removed", True, True, "an enum value removed"),
    Rule("B13", "union-member-added", False, True, "a union member added"),
    Rule("B14", "union-member-removed", True, True, "a union member removed"),
    Rule("B15", "description-changed", False, False, "a description (or deprecation note) changed"),
    Rule("B16", "kind-changed", True, True, "a model changed kind (object → union, ...)"),
    Rule("B17", "enum-closed", True, False, "an open enum closed"),
    Rule("B18", "enum-opened", False, True, "a closed enum opened"),
    Rule("B19", "open-enum-value-added", False, False, "a value added to an open enum"),
    Rule("B20", "type-narrowed", True, False, "type narrowed: `Nullable[T]` → `T`, `float` → `int`, ..."),
    Rule("B21", "became-required-with-default", False, False, "optional → required, with a default (a const)"),
    Rule("B22", "enum-became-literal", True, True, "an enum class became a `Literal` (its members are gone)"),
    Rule("B23", "literal-became-enum", False, True,
         "a `Literal` enum became an enum class (values read are its members; strings still validate)"),
)
_BY_NAME = {rule.name: rule for rule in RULES}


def rule_for(name: str) -> Rule:
    return _BY_NAME[name]


def field_type_rule(old: Norm, new: Norm) -> Rule:
    """The rule for a field whose type changed from `old` to `new`."""
    wider, narrower = accepts(new, old), accepts(old, new)
    if wider:
        return rule_for("type-widened")
    return rule_for("type-narrowed" if narrower else "type-changed")


_NONE: Norm = ("None",)
_NULLABLE = ("Nullable", "Optional", "OptionalNullable")


def _members(node: Norm) -> list[Norm]:
    """The alternatives a type accepts: Union and null wrappers flattened."""
    if node[0] == "G" and node[1] == "Union":
        return [m for arg in node[2] for m in _members(arg)]
    if node[0] == "G" and node[1] in _NULLABLE:
        return [_NONE, *_members(node[2][0])]
    if node[0] == "L" and len(node[1]) > 1:
        return [("L", (value,)) for value in node[1]]
    return [node]


def accepts(wide: Norm, narrow: Norm) -> bool:
    """Whether every value valid for `narrow` is valid for `wide` (as pydantic validates)."""
    options = _members(wide)
    return all(any(_accepts_one(w, n) for w in options) for n in _members(narrow))


def _accepts_one(wide: Norm, narrow: Norm) -> bool:
    if wide == narrow or wide == ("P", "Any"):
        return True
    if narrow[0] == "L" and wide[0] == "P":
        value = narrow[1][0]
        kind = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "str"
        return wide[1] == kind or (kind == "int" and wide[1] == "float")
    if wide == ("P", "float") and narrow == ("P", "int"):
        return True
    if wide[0] == narrow[0] == "G" and wide[1] == narrow[1] and wide[1] in ("List", "Dict"):
        return accepts(wide[2][-1], narrow[2][-1])
    return False
