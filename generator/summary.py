"""The whole-spec types: what every doc tells the rest of the spec
(`Summary`), and the checked spec the resolve stage makes of them
(`Resolved`).

They sit below every module that decides something across docs (resolve,
unions, wire names, overrides, the renderers), so those import them from
here and imports flow one way.  Plain tuples all the way down: a run loads
thousands of summaries from the cache, and tuples cost a fraction of
dataclasses to rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, NamedTuple, Union

from .ir import Position, Ref

# A model's identity across the spec: (namespace, title).
Key = tuple[str, str]

# What a union of a model needs of it (see `unions`).  A Candidate is a
# required field whose type may be a tag: (field name, enum namespace, enum
# title, literal): a link to an enum (namespace and title) or a string
# literal (the literal, namespace and title "").  A UnionShape is an
# object's (number of fields, tag candidates); an enum's is (0, its one
# closed string value as a candidate ("", "", "", value)) or (0, ()).
Candidate = tuple[str, str, str, str]
UnionShape = tuple[int, tuple[Candidate, ...]]
NO_SHAPE: UnionShape = (0, ())

# The JSON a doc shows for a model (see `wirenames`): a key's nested keys,
# ((key, shape), ...), for the value of each key that holds an object; and
# one piece of evidence: (namespace, title, line, col, shape).
JsonShape = tuple[tuple[str, "JsonShape"], ...]
Evidence = tuple[str, str, int, int, JsonShape]


EnumFacts = tuple[str, bool, tuple[tuple[str, Union[str, int]], ...]]


class Link(NamedTuple):
    """One reference made by a model, as written, and where."""

    namespace: str
    name: str
    target: str  # the link path around it, "" when not a link
    line: int
    col: int


class Summary(NamedTuple):
    """What the rest of the spec needs to know about one model."""

    kind: str
    name: str
    namespace: str
    path: str
    line: int
    col: int
    links: tuple[Link, ...]
    field_names: tuple[tuple[str, int, int], ...]  # (name, line, col)
    evidence: tuple[Evidence, ...] = ()  # JSON the doc shows for models (`wirenames.model_evidence`)
    shape: UnionShape = NO_SHAPE  # what a union of this model needs of it (`unions.shape`)
    # an enum's (style as the doc says or "", open, ((member name as rendered, value), ...)):
    # what an override's member default is checked against and rendered from
    enum: EnumFacts = ("", False, ())

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def pos(self) -> Position:
        return Position(self.path, self.line, self.col)


@dataclass(frozen=True)
class Resolved:
    """A checked spec: every model's summary by key, and the import cycles."""

    by_key: Mapping[Key, Summary]
    # Models on an import cycle (self-references included) -> a cycle id.
    cycle_of: Mapping[Key, int]

    def target(self, ref: Ref) -> Summary:
        return self.by_key[(ref.namespace, ref.name)]

    def same_cycle(self, a: Key, b: Key) -> bool:
        cycle = self.cycle_of.get(a)
        return cycle is not None and cycle == self.cycle_of.get(b)
