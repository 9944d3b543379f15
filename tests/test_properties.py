"""Property tests: whatever the spec, `md2models generate` either succeeds
with code that imports and is black-clean, or exits 2 with nothing but
`path:line:col: severity: message` lines (and the summary); never a
traceback, never output from a failed run.

The default run keeps a small budget (the whole file well under a minute);
`-m slow` runs the large one.  Each test prints how many cases it ran and
how they ended (see them with `-s`)."""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from pathlib import Path
from typing import Mapping, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .specgen import (
    SpecPlan,
    assert_rejected,
    assert_well_formed,
    black_check_in_process,
    generate,
    load_package,
    mangled_specs,
    valid_specs,
    write_spec,
)

SMALL = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
LARGE = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

_packages = itertools.count()


def run_generate(docs: Mapping[str, Union[str, bytes]]) -> str:
    """Generate from `docs`; check the property; return how it ended."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = write_spec(root, docs)
        out = root / "out"
        package = f"prop_pkg_{next(_packages)}"
        run = generate(specs, out, package)
        if run.code == 2:
            assert_rejected(run, out)
            return "rejected"
        assert run.code == 0, run.explain()
        assert_well_formed(run)
        assert not run.errors, run.explain()
        black_check_in_process(out, package)
        load_package(out, package)
        return "generated"


def report(name: str, outcomes: Counter) -> None:
    total = sum(outcomes.values())
    print(f"\n{name}: {total} cases: " + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())))


def check_valid(plan: SpecPlan, outcomes: Counter) -> None:
    outcome = run_generate(plan.docs)
    assert outcome == "generated", f"a valid spec was rejected:\n{plan.docs}"
    outcomes[outcome] += 1


def test_valid_specs_generate() -> None:
    outcomes: Counter = Counter()

    @SMALL
    @given(valid_specs())
    def prop(plan: SpecPlan) -> None:
        check_valid(plan, outcomes)

    prop()
    report("valid specs", outcomes)
    assert outcomes["generated"] >= 1


def test_mangled_specs_generate_or_fail_cleanly() -> None:
    outcomes: Counter = Counter()

    @SMALL
    @given(mangled_specs())
    def prop(docs: dict) -> None:
        outcomes[run_generate(docs)] += 1

    prop()
    report("mangled specs", outcomes)


@pytest.mark.slow
def test_valid_specs_generate_large_budget() -> None:
    outcomes: Counter = Counter()

    @LARGE
    @given(valid_specs(max_models=8))
    def prop(plan: SpecPlan) -> None:
        check_valid(plan, outcomes)

    prop()
    report("valid specs (large)", outcomes)


@pytest.mark.slow
def test_mangled_specs_large_budget() -> None:
    outcomes: Counter = Counter()

    @LARGE
    @given(mangled_specs())
    def prop(docs: dict) -> None:
        outcomes[run_generate(docs)] += 1

    prop()
    report("mangled specs (large)", outcomes)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None)
@given(st.text(st.characters(codec="utf-8"), max_size=400), st.sampled_from(["models/x.md", "models/ns/x.md"]))
def test_arbitrary_text_never_crashes(text: str, path: str) -> None:
    run_generate({path: text})


def test_nested_only_layout_is_black_clean() -> None:
    docs = {"models/shared/pet.md": "# Pet\n\n\n## Fields\n\n| Field       | Type        | Required    | Description |\n"
            "| ----------- | ----------- | ----------- | ----------- |"}
    assert run_generate(docs) == "generated"
