"""Fidelity against the real models of orq-python 3.4.0 (`truth.json`).

Generates the 3.4.0 docs into a tmp dir and scores it with
`tests/fidelity.compare` (per real field: name, core annotation, default).
FORMAT.md says about 96% is reachable from these docs alone; the misses are
printed by cause (`pytest -s` shows them), each one a fact the docs do not
carry:

  spec default         `= 10`, `= False`, `= 'hybrid_search'`, isoparse(...)
  hidden nullability   a List/Dict cell that is really Nullable/OptionalNullable
  hand-written classes error classes with a `data` attribute, APIError, ...
  other                anything else (printed in full)

Wire aliases are not part of the score; their coverage is printed too.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from generator import api

from .fidelity import compare, fields_of, generated_classes
from .support import corpus_docs

VERSION = "orq-python-3.4.0"
PACKAGE = "orq_models"
MIN_SHARE = 0.96


def cause(what: str, want: str, got: str) -> str:
    if what == "default" and want not in ("None", "UNSET"):
        return "spec default"
    if what == "type" and want.startswith(("Nullable[", "OptionalNullable[")) and not got.startswith(
            ("Nullable[", "OptionalNullable[")):
        return "hidden nullability"
    if what == "missing field":
        return "hand-written classes"
    if what == "type" and want.replace("IO[bytes]", "IOBytes") == got:
        return "IO[bytes] spelled IOBytes (runtime alias)"
    return "other"


def test_fidelity_3_4_0(tmp_path: Path) -> None:
    docs = corpus_docs(VERSION)
    truth = docs.parent / "truth.json"
    if not truth.is_file():
        pytest.skip(f"no {truth}")
    api.generate(docs, tmp_path, PACKAGE)
    report = compare(truth, tmp_path / PACKAGE)

    causes = Counter(cause(what, want, got) for _, _, what, want, got in report.misses)
    lines = [f"\n[{VERSION}] fidelity: {report.matched}/{report.total} fields = {report.share:.2%}",
             f"  misses by check: {dict(report.categories())}",
             f"  misses by cause: {dict(causes)}",
             f"  real classes without a doc (hand-written): {', '.join(report.models_missing)}"]
    for model, name, what, want, got in report.misses:
        if cause(what, want, got) in ("other", "hidden nullability", "hand-written classes",
                                      "IO[bytes] spelled IOBytes (runtime alias)"):
            lines.append(f"    {model}.{name}: {what}: want {want!r}, got {got!r}")

    # wire aliases: not scored by compare(), shown for the record
    ours = generated_classes(tmp_path / PACKAGE)
    real = json.loads(truth.read_text(encoding="utf-8"))
    aliased = matched = 0
    for model in real["models"]:
        by_name = {f.name: f for f in fields_of(ours, model) or []}
        for field in model["fields"]:
            if field["alias"]:
                aliased += 1
                got_field = by_name.get(field["name"])
                matched += got_field is not None and got_field.alias == field["alias"]
    lines.append(f"  wire aliases (not scored): {matched}/{aliased} reproduced (reserved-word renames only; "
                 f"the rest, e.g. `_id`/`mimeType`, are not in the docs)")
    print("\n".join(lines))

    assert report.total > 2000
    assert report.share >= MIN_SHARE, "\n".join(lines)
    assert causes["other"] == 0, "\n".join(lines)
