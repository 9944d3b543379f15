"""Wire names: the JSON key of each field (its pydantic alias), by policy
and by the docs' own evidence.

Precedence, first that applies: an override's `alias`; the evidence of
the docs; the `wire_names` policy (`camelCase`: `created_by` -> `createdBy`);
the name itself (less the renames of `naming.attribute`: `from_` -> `from`).
A policy never gives two fields of a model one wire name (`clashes`).

Evidence: a field's Example cell or description, or a model's description,
may hold JSON for a model (`{"createdBy": "u1"}`).  A key that names a
field of that model in the same words (case and `_` aside) is that field's
wire name; the value of a key whose field links to one model is evidence
for that model in turn, and JSON for a union is evidence for the members
that have all its keys.  Each doc's evidence is kept in its resolve
`Summary` as plain tuples (`model_evidence`), so cached docs keep theirs,
and is bound to the fields it names across the whole spec (`collect`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, NamedTuple, Optional

from .diagnostics import Diagnostic
from .ir import AnyModel, Generic, Markup, ObjectModel, Ref, TypeNode
from .naming import attribute
from .summary import Evidence, JsonShape, Key, Summary

# The policies, the default first.
POLICIES = ("as-is", "camelCase")

_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_DECODER = json.JSONDecoder()
# Objects tried per text: a failed try costs a scan to the end of it, and a doc shows a few.
_MAX_TRIES = 32
_ELIDED = re.compile(r"\{\s*(?:\.\.\.|…)\s*\}|\[\s*(?:\.\.\.|…)\s*\]")


def camel(name: str) -> Optional[str]:
    """`created_by` -> `createdBy`; None for a name that is not multi-word snake_case."""
    if not _SNAKE.fullmatch(name):
        return None
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def words(name: str) -> str:
    """A name reduced to its words: `created_by`, `createdBy`, `CreatedBy` agree."""
    return name.lower().replace("_", "").replace("-", "")


def policy_name(policy: str, field_name: str, attr: str, alias: Optional[str]) -> str:
    """The wire name `policy` gives a field (`attr`, `alias`: from `naming.attribute`)."""
    if policy == "camelCase":
        wire = camel(field_name)
        if wire is not None:
            return wire
    return alias if alias is not None else attr


@dataclass(frozen=True)
class Found:
    """A wire name the docs show for a field, and where."""

    wire: str
    path: str
    line: int
    col: int


@dataclass(frozen=True)
class WireNames:
    """The policy and the evidence, by model key and the doc's field name;
    what the renderer asks for a field that no override aliases."""

    policy: str = POLICIES[0]
    evidence: Mapping[tuple[str, str], Mapping[str, Found]] = field(default_factory=dict)
    # The fields the policy leaves as they are, by model: see `clashes`.
    kept: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def alias(self, key: tuple[str, str], field_name: str, attr: str, alias: Optional[str]) -> Optional[str]:
        """The pydantic alias of a field: its wire name, None when that is `attr`."""
        found = self.evidence.get(key, {}).get(field_name)
        policy = POLICIES[0] if field_name in self.kept.get(key, ()) else self.policy
        wire = found.wire if found is not None else policy_name(policy, field_name, attr, alias)
        return None if wire == attr else wire

    def of(self, key: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        """A model's evidence as (field, wire name) pairs, and its kept fields: part of its module's build key."""
        if key not in self.evidence and key not in self.kept:  # most models: asked for 37k times a cold run
            return ()
        return (*sorted((name, found.wire) for name, found in self.evidence.get(key, {}).items()),
                *((name, "") for name in sorted(self.kept.get(key, ()))))


NO_WIRE_NAMES = WireNames()


class Clash(NamedTuple):
    """A field the policy would give the wire name of another field of its model."""

    path: str  # the model's doc
    key: tuple[str, str]
    name: str
    line: int
    col: int
    wire: str  # what the policy would make of it
    other: str  # the field that has that wire name

    def warning(self, policy: str) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, "warning",
                          f"wire_names {policy!r} would give field {self.name!r} of {self.key[1]} the wire name "
                          f"{self.wire!r} of field {self.other!r}: it keeps {self.name!r} (an override alias "
                          "can name it)", "wire-name-clash")


def clashes(policy: str, models: Iterable[tuple[str, tuple[str, str], Iterable[tuple[str, int, int]]]]) -> list[Clash]:
    """Each field that keeps its own name because the policy would give it
    the wire name of another field of its model (`foo_bar` beside `fooBar`
    under camelCase): the field spelt as on the wire, or the first in doc
    order, wins.  `models`: (doc path, key, fields)."""
    found: list[Clash] = []
    if policy == POLICIES[0]:
        return found
    for path, key, fields in models:
        own = {name: policy_name(POLICIES[0], name, *attribute(name)) for name, _, _ in fields}
        owner = {wire: name for name, wire in own.items()}  # a field's own wire name -> the field
        taken: dict[str, str] = {}  # wire names given so far -> the field
        for name, line, col in fields:
            wire = policy_name(policy, name, *attribute(name))
            other = owner.get(wire) or taken.get(wire)
            if wire != own[name] and other is not None:
                found.append(Clash(path, key, name, line, col, wire, other))
                wire = own[name]
            taken.setdefault(wire, name)
    return found


def kept(found: Iterable[Clash]) -> dict[tuple[str, str], frozenset[str]]:
    """The fields of each model that keep their own name."""
    by_model: dict[tuple[str, str], set[str]] = {}
    for clash in found:
        by_model.setdefault(clash.key, set()).add(clash.name)
    return {key: frozenset(names) for key, names in sorted(by_model.items())}


# --- evidence in one doc ------------------------------------------------------------


def model_evidence(model: AnyModel) -> tuple[Evidence, ...]:
    """The JSON objects a doc shows for models, as plain tuples."""
    items: list[Evidence] = []
    for shape in _shapes(model.description):
        items.append((model.namespace, model.name, model.pos.line, model.pos.col, shape))
    if isinstance(model, ObjectModel):
        for f in model.fields:
            ref = _single_ref(f.type)
            if ref is None:
                continue
            for text in (f.example, f.description):
                for shape in _shapes(text):
                    items.append((ref.namespace, ref.name, f.pos.line, f.pos.col, shape))
    return tuple(items)


def _single_ref(node: TypeNode) -> Optional[Ref]:
    """The one model a field's value is (or is a list of); None for dicts, unions, atoms."""
    while True:
        if isinstance(node, Markup):
            node = node.inner
        elif isinstance(node, Generic) and node.origin in ("Optional", "Nullable", "OptionalNullable", "List"):
            node = node.args[0]
        else:
            return node if isinstance(node, Ref) else None


def _shapes(text: str) -> Iterator[JsonShape]:
    """The key shapes of the JSON objects (or lists of them) written in `text`;
    an elided value (`{...}`, `[...]`) counts as empty."""
    if "{" not in text:
        return
    text = _ELIDED.sub(lambda m: m[0][0] + m[0][-1], text)
    start = text.find("{")
    square = text.rfind("[", 0, start)
    if square >= 0 and not text[square + 1 : start].strip():  # a list of objects
        start = square
    for _ in range(_MAX_TRIES):
        if start < 0:
            return
        try:
            value, end = _DECODER.raw_decode(text, start)
            shape = _shape(value)
        except ValueError:  # not JSON from here: try the next object
            start = text.find("{", start + 1)
            continue
        except RecursionError:  # nested past what a doc can mean
            return
        if shape:
            yield shape
        start = text.find("{", end)


def _shape(value: object) -> JsonShape:
    """The keys of an object (of the objects of a list), each with its value's shape."""
    if isinstance(value, dict):
        objects = [value]
    elif isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
    else:
        return ()
    merged: dict[str, JsonShape] = {}
    for obj in objects:
        for key, sub in obj.items():
            merged[key] = _merge(merged.get(key, ()), _shape(sub))
    return tuple(merged.items())


def _merge(a: JsonShape, b: JsonShape) -> JsonShape:
    if not a or not b:
        return a or b
    merged = dict(a)
    for key, sub in b:
        merged[key] = _merge(merged.get(key, ()), sub)
    return tuple(merged.items())


# --- evidence across the spec ---------------------------------------------------------


def collect(summaries: Iterable[Summary], by_key: Mapping[Key, Summary]) -> WireNames:
    """Bind every doc's evidence to the fields it names (the first doc, in
    path order, wins a field two docs disagree on); the policy is added by
    the caller (`dataclasses.replace`)."""
    evidence: dict[tuple[str, str], dict[str, Found]] = {}
    for summary in summaries:
        for namespace, name, line, col, shape in summary.evidence:
            _bind(evidence, by_key, (namespace, name), shape, Found("", summary.path, line, col))
    return WireNames(evidence={key: dict(sorted(fields.items())) for key, fields in sorted(evidence.items())})


def _bind(evidence: dict[tuple[str, str], dict[str, Found]], by_key: Mapping[Key, Summary],
          key: tuple[str, str], shape: JsonShape, where: Found) -> None:
    target = by_key.get(key)
    if target is not None and target.kind == "union":  # the members that have every key
        for link in {(link.namespace, link.name) for link in target.links}:
            member = by_key.get(link)
            if member is not None and member.kind == "object" and _fits(member, shape):
                _bind(evidence, by_key, link, shape, where)
        return
    if target is None or target.kind != "object":
        return
    by_words: dict[str, Optional[str]] = {}
    for field_name, _, _ in target.field_names:  # two fields in the same words: a key names neither
        if field_name != "__pydantic_extra__":
            by_words[words(field_name)] = None if words(field_name) in by_words else field_name
    lines = {field_name: line for field_name, line, _ in target.field_names}
    for wire, sub in shape:
        name = by_words.get(words(wire))
        if name is None:
            continue
        evidence.setdefault(key, {}).setdefault(name, Found(wire, where.path, where.line, where.col))
        if sub:
            links = {(link.namespace, link.name) for link in target.links if link.line == lines[name]}
            if len(links) == 1:
                _bind(evidence, by_key, links.pop(), sub, where)


def _fits(summary: Summary, shape: JsonShape) -> bool:
    names = {words(name) for name, _, _ in summary.field_names}
    return all(words(key) in names for key, _ in shape)


def disagreements(wire_names: WireNames) -> list[Diagnostic]:
    """Warnings where the docs' evidence and the policy name a field differently, at the evidence."""
    problems = []
    for key, fields in wire_names.evidence.items():
        for name, found in fields.items():
            attr, alias = attribute(name)
            ruled = policy_name(wire_names.policy, name, attr, alias)
            if ruled != found.wire:
                problems.append(Diagnostic(
                    found.path, found.line, found.col, "warning",
                    f"the example gives field {name!r} of {key[1]} the wire name {found.wire!r}, wire_names "
                    f"{wire_names.policy!r} gives {ruled!r} (the example wins; an override alias wins over both)",
                    "wire-name-disagreement"))
    return problems

