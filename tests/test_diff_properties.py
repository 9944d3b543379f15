"""`md2models diff` over generated specs: a spec against itself and against
its own docs rewritten (canonical form, field rows shuffled, tables wider)
has no changes; a field taken out is exactly one breaking `field-removed`."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diff import diff
from generator.docrender import render_doc
from generator.parse import parse_bytes
from .specgen import SpecPlan, valid_specs, write_spec
from .test_diff import widened

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reformatted(rel: str, text: str, order: list[int]) -> str:
    """The doc as md2models writes it, its field rows reordered by `order`, its table widened."""
    model, problems = parse_bytes(text.encode("utf-8"), rel)
    assert model is not None, problems
    canonical = render_doc(model)
    lines = canonical.split("\n")
    rows = [i for i, line in enumerate(lines) if line.startswith("| `")]
    moved = [lines[rows[i]] for i in sorted(range(len(rows)), key=lambda i: order[i])]  # at most 6 rows
    for index, line in zip(rows, moved):
        lines[index] = line
    return widened("\n".join(lines)) if "## Fields" in canonical else "\n".join(lines)


@SETTINGS
@given(valid_specs(max_models=4), st.permutations(range(6)))
def test_a_spec_against_its_rewritten_self_has_no_changes(plan: SpecPlan, order: list[int]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        old = write_spec(Path(temp) / "old", plan.docs)
        new = write_spec(Path(temp) / "new", {rel: reformatted(rel, text, list(order))
                                              for rel, text in plan.docs.items()})
        assert diff(old, old).changes == ()
        assert diff(old, new).changes == ()


@SETTINGS
@given(valid_specs(max_models=4), st.data())
def test_a_field_taken_out_is_one_breaking_change(plan: SpecPlan, data: st.DataObject) -> None:
    rows = [(rel, line) for rel, text in sorted(plan.docs.items()) for line in text.split("\n")
            if line.startswith("| `")]
    if not rows:
        return
    rel, line = data.draw(st.sampled_from(rows))
    name = re.match(r"\| `([^`]+)`", line)
    assert name is not None
    with tempfile.TemporaryDirectory() as temp:
        old = write_spec(Path(temp) / "old", plan.docs)
        new = Path(temp) / "new"
        shutil.copytree(old, new)
        doc = new / rel
        doc.write_text(doc.read_text(encoding="utf-8").replace(line + "\n", "").replace("\n" + line, ""),
                       encoding="utf-8")
        result = diff(old, new)
    assert [(c.field, c.kind, result.breaking(c)) for c in result.changes] == [(name[1], "field-removed", True)]
    assert result.semver == "major"
