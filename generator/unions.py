"""Union decisions: the order of the members and whether a union is discriminated.

Both follow the SDKs these docs come from, so that a payload resolves to the
same member as in the real SDK:

- Order: the docs list members in spec order; the SDK's code lists them
  stably sorted by their number of fields, object members with fewer fields
  first, every other member (primitives, lists, enums, unions) counting as
  none.  Measured on orq 3.4.0: this reproduces the code order of all 161
  unions from their docs.  pydantic's smart union mode breaks ties by that
  order.
- Overrides may state both (`members`, `discriminator`): another generator
  version's order, read from its code by `md2models overrides`.
- Discriminator: when every member is an object model with a required field
  of the same name and wire name whose type is a single string constant (a
  `Literal["x"]`, or a link to a closed one-value enum), distinct per
  member, the union is discriminated on it: validation goes straight to the
  member its tag names.  The docs never mark a union open (FORMAT.md), so
  an unknown tag is an error, as it is for the plain union.

What a union depends on beyond its own doc (its members' field counts and
tag fields, the enums those name) is each model's `shape`, kept in its
resolve `Summary`; `facts` gathers it for the build cache's module key.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Optional, Sequence

from . import naming
from .ir import (AnyModel, EnumModel, Generic, LiteralType, ObjectModel, Ref, TypeNode, UnionMember, UnionModel,
                 unmarked)
from .overrides import NO_OVERRIDES, Overrides
from .summary import NO_SHAPE, Candidate, Resolved, UnionShape


class Discriminated(NamedTuple):
    """A discriminated union: the tag field's attribute and wire names, and
    each member's tag, in member order."""

    attr: str
    key: str
    tags: tuple[str, ...]


def shape(model: AnyModel) -> UnionShape:
    """What a union of this model needs of it (see the module docstring)."""
    if isinstance(model, ObjectModel):
        fields = [f for f in model.fields if not f.is_extra]
        candidates: list[Candidate] = []
        for f in fields:
            node = unmarked(f.type)
            if not f.required:
                continue
            if isinstance(node, Ref):
                candidates.append((f.name, node.namespace, node.name, ""))
            elif isinstance(node, LiteralType) and len(node.values) == 1 and isinstance(node.values[0], str):
                candidates.append((f.name, "", "", node.values[0]))
        return len(fields), tuple(candidates)
    if isinstance(model, EnumModel) and not model.open and len(model.values) == 1:
        value = model.values[0].value
        if isinstance(value, str):
            return 0, (("", "", "", value),)
    return NO_SHAPE


def _member_ref(member: UnionMember) -> Optional[Ref]:
    node = unmarked(member.type)
    return node if isinstance(node, Ref) else None


def _shape_of(resolved: Resolved, ref: Optional[Ref]) -> UnionShape:
    if ref is None:
        return NO_SHAPE
    summary = resolved.by_key.get((ref.namespace, ref.name))
    return summary.shape if summary is not None else NO_SHAPE


def _is_object(resolved: Resolved, ref: Optional[Ref]) -> bool:
    summary = resolved.by_key.get((ref.namespace, ref.name)) if ref is not None else None
    return summary is not None and summary.kind == "object"


def plain(node: TypeNode) -> TypeNode:
    """A type tree without its markdown spans, at every depth, and `Dict` by its value type
    alone (the docs' trees, whose keys are always `str`; an override's names the key)."""
    node = unmarked(node)
    if not isinstance(node, Generic):
        return node
    return Generic(node.origin, tuple(map(plain, node.args[-1:] if node.origin == "Dict" else node.args)))


def ordered(m: UnionModel, resolved: Resolved, overrides: Overrides = NO_OVERRIDES) -> list[UnionMember]:
    """The members in the SDK's order: the overrides' `members`, else stably
    by field count, fewest first; a member no doc defines (typed `Any`, it
    takes anything) goes last."""
    stated = overrides.model(m.key).members
    if stated is not None:
        place = {plain(node): n for n, node in enumerate(stated)}
        return sorted(m.members, key=lambda member: place.get(plain(member.type), len(place)))

    def order(member: UnionMember) -> tuple[bool, int]:
        ref = _member_ref(member)
        dangling = ref is not None and (ref.namespace, ref.name) not in resolved.by_key
        return dangling, _shape_of(resolved, ref)[0] if _is_object(resolved, ref) else 0
    return sorted(m.members, key=order)


def _tag(resolved: Resolved, candidate: Candidate) -> Optional[str]:
    _, namespace, name, literal = candidate
    if not namespace and not name:
        return literal
    target = resolved.by_key.get((namespace, name))
    if target is None or target.kind != "enum" or not target.shape[1]:
        return None
    return target.shape[1][0][3]


def discriminator(members: Sequence[UnionMember], resolved: Resolved,
                  overrides: Overrides = NO_OVERRIDES, stated: Optional[str] = None) -> Optional[Discriminated]:
    """The discriminator of a union of `members` (in order), or None; `stated`
    is the overrides' tag field ("": none)."""
    refs = [_member_ref(member) for member in members]
    if len(refs) < 2 or not all(_is_object(resolved, ref) for ref in refs) or stated == "":
        return None
    per_member: list[dict[str, tuple[str, str]]] = []  # field -> (wire name, tag)
    for ref in refs:
        assert ref is not None
        key = (ref.namespace, ref.name)
        fixes = overrides.model(key).fields
        found: dict[str, tuple[str, str]] = {}
        for candidate in _shape_of(resolved, ref)[1]:
            fix = fixes.get(candidate[0])
            tag = _tag(resolved, candidate)
            if tag is None or (fix is not None and (fix.type is not None or fix.default is not None)):
                continue
            attr, alias = naming.attribute(candidate[0])
            # the wire name as pyblocks gives it: the override's alias, else the policy and the docs' evidence
            alias = fix.alias if fix is not None and fix.alias is not None else overrides.wire.alias(
                key, candidate[0], attr, alias)
            found[candidate[0]] = (alias or attr, tag)
        per_member.append(found)
    for name in per_member[0]:
        if not all(name in found for found in per_member) or stated not in (None, name):
            continue
        wire = {found[name][0] for found in per_member}
        tags = tuple(found[name][1] for found in per_member)
        if len(wire) == 1 and len(set(tags)) == len(tags):
            return Discriminated(naming.attribute(name)[0], wire.pop(), tags)
    return None


def facts(deps: Iterable[tuple[str, str]], resolved: Resolved) -> tuple[object, ...]:
    """What a union's rendering depends on beyond its own doc and its
    members' names: the shapes of the models it refers to (`deps`) and of
    the enums their tag fields name (the build cache's module key)."""
    out: list[object] = []
    for key in deps:
        if key not in resolved.by_key:  # a dangling link: no doc, no shape
            continue
        dep_shape = resolved.by_key[key].shape
        out.append(dep_shape)
        for _, namespace, name, _ in dep_shape[1]:
            if namespace or name:
                target = resolved.by_key.get((namespace, name))
                out.append(target.shape if target is not None else None)
    return tuple(out)
