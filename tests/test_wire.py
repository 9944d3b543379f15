"""On the wire like the real SDK: orq 3.4.0's and dub's own models against md2models'.

For every pydantic model of the real SDK (`src/orq_ai_sdk/models` in the
corpus) and md2models' model of the same name, payloads are built from both
classes (`tests/wire.py`: full, required-only, explicit nulls, random
subsets, an unknown enum value, a missing required key), validated by both
sides and, where both accept, dumped both ways: the real side through the
SDK's own `utils.unmarshal` / `utils.marshal_json` (how it parses responses
and serialises requests), md2models' through `model_validate` /
`model_dump(mode="json", by_alias=True)`, compared as canonical JSON text
(so `false` is not `0.0`).

With `tests/overrides/orq-python-3.4.0.toml` acceptance and dumps must
agree for every payload.  From the docs alone the figures are printed
(`pytest -s`), and every difference must be explained by facts the docs
cannot carry, which the overrides file records: each key where the dumps
differ, or where a side rejects, is a field that the overrides give a wire
name, default or type in the model or a model it reaches.  A third test
checks that a payload of any member of a real union becomes the member of
the same name on both sides.

The second oracle is dub's Python SDK (Speakeasy 2.915.1: Enum classes with
member defaults, paginated responses, three namespaces), against md2models
with the overrides `md2models overrides --from-package` writes from dub's
own sources at test time.  Acceptance must agree on every payload and dumps
on at least 99.5%; every dump that still differs must come from a generator
bug of the real SDK that the bootstrap noted (a serializer listing
`RequestBody`, which sends `"request_body": null` for an absent body), and
the reason is printed.
"""

from __future__ import annotations

import importlib
import json
import sys
import tomllib
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from generator import api
from generator.overridesgen import bootstrap

from .support import ROOT, corpus_docs
from .wire import KINDS, normalize, payloads

pydantic = pytest.importorskip("pydantic")
typing_extensions = pytest.importorskip("typing_extensions")

VERSION = "orq-python-3.4.0"
OVERRIDES = ROOT / "tests" / "overrides" / f"{VERSION}.toml"


@dataclass
class Figures:
    payloads: int = 0
    accept_agree: int = 0
    both_accept: int = 0
    dump_agree: int = 0
    models: int = 0
    missing: list[str] = field(default_factory=list)  # real models md2models has no class for
    # (model, payload kind, built from, what differs, detail: the keys where a
    # side rejects, or the two dumps (real, md2models))
    differences: list[tuple[str, str, str, str, Any]] = field(default_factory=list)

    def summary(self, title: str, sdk: str = VERSION) -> str:
        accept = self.accept_agree / self.payloads if self.payloads else 0.0
        dump = self.dump_agree / self.both_accept if self.both_accept else 0.0
        return (f"[{sdk}] wire, {title}: {self.models} models, {self.payloads} payloads; "
                f"acceptance agrees {self.accept_agree}/{self.payloads} = {accept:.2%}; "
                f"dumps agree {self.dump_agree}/{self.both_accept} = {dump:.2%}")


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


@dataclass
class Real:
    """The real SDK: its models and its own (un)marshalling."""

    models: Any
    unmarshal: Callable[[Any, Any], Any]
    marshal_json: Callable[[Any, Any], str]
    namespaces: tuple[tuple[str, Any], ...] = ()  # (folder, module) of each namespace; flat: ("models", models)

    def classes(self) -> Iterator[tuple[str, str, type]]:
        """(namespace folder, name, class) of every pydantic model the SDK exports."""
        for namespace, module in self.namespaces or (("models", self.models),):
            for name in sorted(module.__all__):
                cls = getattr(module, name)
                if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel) and cls.__name__ == name:
                    yield namespace, name, cls


@pytest.fixture(scope="module")
def real() -> Real:
    docs = corpus_docs(VERSION)
    src = docs.parent / "src"
    if not (src / "orq_ai_sdk" / "models").is_dir():
        pytest.skip(f"no real sources at {src}")
    for needed in ("httpx", "dateutil", "typing_inspection"):
        pytest.importorskip(needed)
    sys.path.insert(0, str(src))
    models = importlib.import_module("orq_ai_sdk.models")
    utils = importlib.import_module("orq_ai_sdk.utils.serializers")
    return Real(models, utils.unmarshal, utils.marshal_json)


def _generated(tmp: Path, package: str, overrides: Path | None) -> Any:
    api.generate(corpus_docs(VERSION), tmp, package, overrides=overrides)
    sys.path.insert(0, str(tmp))
    return importlib.import_module(package)


@pytest.fixture(scope="module")
def fixed(real: Real, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """md2models' package of the docs with the overrides file."""
    return _generated(tmp_path_factory.mktemp("fixed"), "wire_fixed", OVERRIDES)


@pytest.fixture(scope="module")
def plain(real: Real, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """md2models' package of the docs alone."""
    return _generated(tmp_path_factory.mktemp("plain"), "wire_plain", None)


def _classes_of(package: Any) -> Callable[[str, str], Any]:
    """md2models' class of (namespace folder, name): every module of the package imported."""
    found: dict[tuple[str, str], Any] = {}
    for path in sorted(Path(package.__file__).parent.rglob("*.py")):
        if path.name != "__init__.py" and path.stem != "_runtime":
            parts = path.relative_to(Path(package.__file__).parent.parent).with_suffix("").parts
            module = importlib.import_module(".".join(parts))
            for name, value in vars(module).items():
                if getattr(value, "__module__", None) == module.__name__ or (
                        isinstance(value, typing_extensions.TypeAliasType) and name == value.__name__):
                    found[(path.parent.name, name)] = value
    return lambda namespace, name: found.get((namespace, name))


def compare(real: Real, ours: Any) -> Figures:
    """Validate and dump every payload both ways; tally the agreements.  `ours`: md2models'
    package (flat: its index), or a function of (namespace folder, name) to the class."""
    figures = Figures()
    for namespace, name, real_cls in real.classes():
        our_cls = ours(namespace, name) if callable(ours) else getattr(ours, name, None)
        if our_cls is None:
            figures.missing.append(name)
            continue
        figures.models += 1
        real_cls.model_rebuild()
        our_cls.model_rebuild()
        seed = zlib.crc32(name.encode())
        for origin, cls in (("real", real_cls), ("md2models", our_cls)):
            for kind, payload in payloads(cls, seed).items():
                figures.payloads += 1
                _one(figures, real, real_cls, our_cls, f"{name}", kind, origin, payload)
    return figures


def _one(figures: Figures, real: Real, real_cls: type, our_cls: Any, name: str, kind: str, origin: str,
         payload: dict[str, Any]) -> None:
    errors: list[Any] = []
    try:
        real_obj = real.unmarshal(payload, real_cls)
    except pydantic.ValidationError as exc:
        real_obj, errors = None, exc.errors()
    try:
        our_obj = our_cls.model_validate(payload)
    except pydantic.ValidationError as exc:
        our_obj, errors = None, exc.errors()
    if (real_obj is None) != (our_obj is None):
        taker = "real" if our_obj is None else "md2models"
        where = {part for error in errors for part in error["loc"] if isinstance(part, str)}
        figures.differences.append((name, kind, origin, f"only {taker} accepts {_canonical(payload)}", where))
        return
    figures.accept_agree += 1
    if real_obj is None:
        return
    figures.both_accept += 1
    text = real.marshal_json(real_obj, real_cls)
    real_dump = _canonical(json.loads(text) if text else {})
    our_dump = _canonical(our_obj.model_dump(mode="json", by_alias=True))
    if real_dump == our_dump:
        figures.dump_agree += 1
    else:
        figures.differences.append((name, kind, origin, "dump", (json.loads(real_dump), json.loads(our_dump))))


def test_payloads_are_deterministic_and_cover_every_kind(real: Real) -> None:
    cls = real.models.Query  # a model with required, optional, nullable and union fields
    first, again = payloads(cls, 7), payloads(cls, 7)
    assert _canonical(first) == _canonical(again)
    assert set(first) == set(KINDS)
    assert _canonical(first) != _canonical(payloads(cls, 8))


def test_wire_with_overrides_agrees_on_every_payload(real: Real, fixed: Any) -> None:
    figures = compare(real, fixed)
    print("\n" + figures.summary("with overrides"))
    shown = "\n".join(f"{m} [{k}, from {o}] {w}: {d}" for m, k, o, w, d in figures.differences[:20])
    assert not figures.differences, shown
    assert figures.models > 500 and figures.payloads > 5000
    assert figures.accept_agree == figures.payloads and figures.dump_agree == figures.both_accept


def _override_keys() -> dict[str, dict[str, set[str]]]:
    """{model title: {a field's name or wire name: the kinds of facts the
    overrides give for that field ("alias", "default", "type")}}."""
    data = tomllib.loads(OVERRIDES.read_text(encoding="utf-8"))
    out: dict[str, dict[str, set[str]]] = {}
    for title, entry in data.get("models", {}).items():
        keys = out.setdefault(title, {})
        for name, spec in entry.get("fields", {}).items():
            for key in (name, spec.get("alias", name)):
                keys.setdefault(key, set()).update(spec)
    return out


def _reachable(cls: type, seen: set[str]) -> set[str]:
    """The names of the model and of the models reachable from its fields."""
    if cls.__name__ not in seen:
        seen.add(cls.__name__)
        stack = [spec.annotation for spec in cls.model_fields.values()]
        while stack:
            tp = normalize(stack.pop())
            if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
                _reachable(tp, seen)
            stack.extend(typing_extensions.get_args(tp))
    return seen


def _diff_keys(a: Any, b: Any, key: str = "") -> set[str]:
    """The keys at which two JSON trees differ (deepest first)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = set(a).symmetric_difference(b)
        for k in set(a) & set(b):
            out |= _diff_keys(a[k], b[k], k)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return set().union(*(_diff_keys(x, y, key) for x, y in zip(a, b)))
    return {key} if _canonical(a) != _canonical(b) else set()


def cause(real: Real, difference: tuple[str, str, str, str, Any], overrides: dict[str, dict[str, set[str]]]) -> str:
    """Why a payload differs: the kinds of override facts ("alias",
    "default", "type") of the fields where it differs, in the model or the
    models it reaches, or "unexplained"."""
    name, _, _, what, detail = difference
    where = _diff_keys(*detail) if what == "dump" else detail
    found: set[str] = set()
    for model in _reachable(getattr(real.models, name), set()):
        keys = overrides.get(model, {})
        found.update(*(keys.get(k, set()) for k in where))
    return "+".join(sorted(found)) or "unexplained"


def test_wire_from_the_docs_alone_differs_only_by_what_docs_cannot_say(real: Real, plain: Any) -> None:
    figures = compare(real, plain)
    overrides = _override_keys()
    causes = Counter((cause(real, d, overrides), "dump" if d[3] == "dump" else "acceptance")
                     for d in figures.differences)
    print("\n" + figures.summary("from the docs alone"))
    for (why, what), count in sorted(causes.items()):
        print(f"  {what} differences at fields the overrides give {why}: {count}")
    unexplained = [d for d in figures.differences if cause(real, d, overrides) == "unexplained"]
    shown = "\n".join(f"{m} [{k}, from {o}] {w}: {d}" for m, k, o, w, d in unexplained[:20])
    assert not unexplained, shown
    assert figures.models > 500 and figures.payloads > 5000


def _members(union: Any) -> list[type]:
    """The object members of a union alias (plain or discriminated)."""
    out: list[type] = []
    stack = [union]
    while stack:
        tp = normalize(stack.pop())
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            out.append(tp)
        elif typing_extensions.get_origin(tp) is not None:
            stack.extend(typing_extensions.get_args(tp))
    return out


def _resolve_unions(unions: Iterator[tuple[str, Any, Any]], unmarshal: Callable[[Any, Any], Any]
                    ) -> tuple[int, int, list[str]]:
    """(payloads resolved, unions md2models discriminates, the payloads that became another
    member) for (name, real union, md2models' union) triples."""
    checked = discriminated = 0
    wrong: list[str] = []
    for name, union, ours in unions:
        members = _members(union)
        if len(members) < 2:
            continue
        discriminated += "Discriminator" in repr(getattr(ours, "__value__", ours))
        adapter = pydantic.TypeAdapter(ours)
        for member in members:
            member.model_rebuild()
            for kind, payload in payloads(member, zlib.crc32(member.__name__.encode())).items():
                real_obj = our_obj = None
                try:
                    real_obj = unmarshal(payload, union)
                except (pydantic.ValidationError, ValueError):  # (dub's discriminator raises ValueError
                    pass                                          # for a payload without the tag)
                try:
                    our_obj = adapter.validate_python(payload)
                except pydantic.ValidationError:
                    pass
                checked += 1
                if type(real_obj).__name__ != type(our_obj).__name__:
                    wrong.append(f"{name} [{kind} of {member.__name__}]: real {type(real_obj).__name__}, "
                                 f"md2models {type(our_obj).__name__}")
    return checked, discriminated, wrong


def test_unions_resolve_to_the_same_member(real: Real, fixed: Any) -> None:
    """A payload built from any member of a real union is accepted by both
    sides or neither, and becomes the member of the same name (the SDK's
    member order; discriminators change no outcome).  Where pydantic's smart
    mode ties, the order decides: `test_unions.py` shows that case."""
    unions = ((name, getattr(real.models, name), getattr(fixed, name, None)) for name in sorted(real.models.__all__))
    checked, discriminated, wrong = _resolve_unions(
        ((name, union, ours) for name, union, ours in unions
         if isinstance(union, typing_extensions.TypeAliasType) and not name.endswith("TypedDict") and ours is not None),
        real.unmarshal)
    print(f"\n[{VERSION}] unions: {checked} payloads resolved; {discriminated} unions discriminated")
    assert not wrong, "\n".join(wrong[:20])
    assert checked > 500 and discriminated > 0


# --- the second oracle: dub ------------------------------------------------------------------

DUB = "dub-python"
DUB_NAMESPACES = ("components", "operations", "errors")


@dataclass
class Dub:
    real: Real
    ours: Callable[[str, str], Any]
    bugs: dict[str, str]  # class name -> a generator bug of its dumps that the bootstrap noted


# A generator bug of the SDK's runtime, not of a model, so no note of the bootstrap: its
# `Unset` is a model any object validates as, so an `OptionalNullable` object that fails
# validation is taken as UNSET and dropped; md2models' UNSET validates only itself.
UNSET_BUG = ("the SDK's Unset is a pydantic model any object validates as: an OptionalNullable object that "
             "fails validation is taken as UNSET (and dropped); md2models rejects it")


@pytest.fixture(scope="module")
def dub(tmp_path_factory: pytest.TempPathFactory) -> Dub:
    docs = corpus_docs(DUB)
    src = docs.parent / "src"
    if not (src / "dub" / "models").is_dir():
        pytest.skip(f"no real sources at {src}")
    for needed in ("httpx", "dateutil", "typing_inspection"):
        pytest.importorskip(needed)
    sys.path.insert(0, str(src))
    namespaces = tuple((ns, importlib.import_module(f"dub.models.{ns}")) for ns in DUB_NAMESPACES)
    utils = importlib.import_module("dub.utils.serializers")
    tmp = tmp_path_factory.mktemp("dub")
    result = bootstrap(docs, [src / "dub" / "models"])
    (tmp / "overrides.toml").write_text(result.text, encoding="utf-8")
    api.generate(docs, tmp / "out", "wire_dub", overrides=tmp / "overrides.toml")
    sys.path.insert(0, str(tmp / "out"))
    bugs = {message.partition(":")[0].partition(".")[0]: message for _, _, message in result.notes
            if "serializer lists" in message or "drops it from dumps" in message}
    return Dub(Real(None, utils.unmarshal, utils.marshal_json, namespaces),
               _classes_of(importlib.import_module("wire_dub")), bugs)


def _null_keys_only(a: Any, b: Any) -> bool:
    """Whether two JSON trees differ only by keys one side has with the value null."""
    if isinstance(a, dict) and isinstance(b, dict):
        return (all(a[k] is None for k in set(a) - set(b)) and all(b[k] is None for k in set(b) - set(a))
                and all(_null_keys_only(a[k], b[k]) for k in set(a) & set(b)))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return all(_null_keys_only(x, y) for x, y in zip(a, b))
    return _canonical(a) == _canonical(b)


def _bug(dub: Dub, real_cls: type, difference: tuple[str, str, str, str, Any]) -> str:
    """The generator bug of the real SDK that explains a difference, or ""."""
    _, _, _, what, detail = difference
    if what != "dump":  # only the real side accepts: the Unset bug, where ours rejects an OptionalNullable
        real_unset = importlib.import_module("dub.types.basemodel").Unset
        accepts_any = isinstance(real_unset.model_validate({"x": 1}), real_unset)  # (an Unset is falsy)
        return UNSET_BUG if "is-instance[Unset]" in detail and accepts_any else ""
    noted = [dub.bugs[name] for name in sorted(_reachable(real_cls, set())) if name in dub.bugs]
    return noted[0] if noted and _null_keys_only(*detail) else ""


def test_dub_wire_with_bootstrapped_overrides(dub: Dub) -> None:
    """dub's own models against md2models' with the bootstrapped overrides: every
    difference is a generator bug of the real SDK (printed with its reason), which
    md2models does not copy; acceptance and dumps agree on every other payload."""
    figures = compare(dub.real, dub.ours)
    classes = {name: cls for _, name, cls in dub.real.classes()}
    causes = [(_bug(dub, classes[d[0]], d), d) for d in figures.differences]
    print("\n" + figures.summary("with bootstrapped overrides", DUB))
    for reason, count in sorted(Counter(reason for reason, _ in causes).items()):
        print(f"  {count} difference(s) by a generator bug of the SDK, not copied: {reason or 'UNEXPLAINED'}")
    unexplained = [d for reason, d in causes if not reason]
    shown = "\n".join(f"{m} [{k}, from {o}] {w}: {d}" for m, k, o, w, d in unexplained[:20])
    assert not unexplained, shown
    assert figures.models > 250 and figures.payloads > 2500
    unset = sum(reason == UNSET_BUG for reason, _ in causes)
    print(f"  acceptance agrees on {figures.accept_agree + unset}/{figures.payloads} payloads once the SDK's "
          f"Unset bug is set aside")
    assert figures.accept_agree + unset == figures.payloads
    # the dumps the SDK's serializer bugs change are not copied: they count against the raw figure
    bugged = sum(bool(reason) for reason, d in causes if d[3] == "dump")
    print(f"  dumps agree on {figures.dump_agree + bugged}/{figures.both_accept} once the noted generator bugs "
          f"are set aside")
    assert figures.dump_agree + bugged == figures.both_accept
    # every real model has a class: the error classes' `...Data` models are named by the overrides
    assert not figures.missing, figures.missing


def test_dub_unions_resolve_to_the_same_member(dub: Dub) -> None:
    """As for orq: a payload of any member of one of dub's unions becomes the member of
    the same name on both sides, with the member order and discriminators the
    bootstrap read from dub's code."""
    def unions() -> Iterator[tuple[str, Any, Any]]:
        for namespace, module in dub.real.namespaces:
            for name in sorted(module.__all__):
                union, ours = getattr(module, name), dub.ours(namespace, name)
                if not isinstance(union, type) and not name.endswith("TypedDict") and ours is not None:
                    yield name, union, ours
    checked, discriminated, wrong = _resolve_unions(unions(), dub.real.unmarshal)
    print(f"\n[{DUB}] unions: {checked} payloads resolved; {discriminated} unions discriminated")
    assert not wrong, "\n".join(wrong[:20])
    assert checked > 200 and discriminated > 0
