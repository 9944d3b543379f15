"""Random sequences of runs, runs stopped half-way, and what users do to
OUT between them (write hand-made files and folders, edit generated files
in place or by rename, delete them, chmod a folder): after every completed
run OUT holds exactly the run's files plus the hand-made ones, `check`
agrees, nothing is left beside OUT or in it, and every folder that is
still there kept its inode."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import write
from generator.write import OutputFile, check_output, write_output

from .test_write import VERSION, assert_no_leftovers, contents, folders

GENERATED = ("pkg/__init__.py", "pkg/models/a.py", "pkg/models/b.py", "pkg/extra/c.py", "pkg/extra/deep/d.py",
             "docs/models/a.md", "docs/other/e.md", "f.txt")
HAND_MADE = ("hand.txt", "pkg/models/mine.py", "docs/other/mine.md", "pkg/extra/deep/mine.py")

states = st.dictionaries(st.sampled_from(GENERATED), st.sampled_from(["1\n", "2\n", "three\n"]), min_size=1)
actions = st.one_of(
    st.tuples(st.sampled_from(["run", "stopped run"]), states, st.integers(1, 8)),
    st.tuples(st.just("hand"), st.sampled_from(HAND_MADE)),
    st.tuples(st.sampled_from(["edit", "rename", "delete"]), st.integers(0, 100)),
    st.tuples(st.just("chmod"), st.sampled_from(["pkg", "docs", "pkg/models"])),
    st.tuples(st.just("mkdir"), st.sampled_from(["pkg/empty", "docs/other/empty"])),
)


def act(out: Path, action: tuple[object, ...], hand: dict[str, bytes], made: set[str]) -> None:
    kind, arg = action
    generated = sorted(set(contents(out)) - set(hand))
    if kind == "hand":
        path = out / str(arg)
        if path.exists():  # a generated file's place: not the user's to take here
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"# mine\n")
        hand[str(arg)] = b"# mine\n"
    elif kind == "mkdir":
        (out / str(arg)).mkdir(parents=True, exist_ok=True)
        made.add(str(arg))
    elif kind == "chmod" and (out / str(arg)).is_dir():
        (out / str(arg)).chmod(0o750)
    elif generated and isinstance(arg, int):
        path = out / generated[arg % len(generated)]
        if kind == "edit":
            with open(path, "r+b") as f:
                f.write(b"#")
        elif kind == "rename":  # same bytes, a new inode
            path.with_name("tmp").write_bytes(path.read_bytes())
            path.with_name("tmp").replace(path)
        else:
            path.unlink()


def stopped_run(out: Path, state: dict[str, OutputFile], after: int) -> None:
    """A run that dies after `after` replaces (the journal's first)."""
    real, calls = write.replace_atomically, []

    def replace(full: str, data: bytes) -> tuple[str, int, int]:
        calls.append(full)
        if len(calls) > after:
            raise KeyboardInterrupt
        return real(full, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(write, "replace_atomically", replace)
        try:
            write_output(out, state, tool_version=VERSION)
        except KeyboardInterrupt:
            assert not check_output(out, state).up_to_date


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(st.lists(actions, min_size=1, max_size=10))
def test_runs_and_user_edits_in_any_order(steps: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "root" / "output"
        hand: dict[str, bytes] = {}
        made: set[str] = set()  # empty folders someone made: they stay
        steps = [*steps, ("run", {"pkg/models/a.py": "last\n"}, 1)]
        for step in steps:
            if step[0] not in ("run", "stopped run"):
                if out.is_dir():
                    act(out, step[:2], hand, made)
                continue
            state = {path: OutputFile.from_bytes(text.encode()) for path, text in dict(step[1]).items()}  # type: ignore[call-overload]
            hand = {path: data for path, data in hand.items() if path not in state}  # taken over by the run
            before = folders(out) if out.is_dir() else {}
            if step[0] == "stopped run":
                stopped_run(out, state, int(step[2]))  # type: ignore[call-overload]
                continue
            write_output(out, state, tool_version=VERSION)
            assert contents(out) == {**{path: f.load() for path, f in state.items()}, **hand}
            assert check_output(out, state).up_to_date
            assert_no_leftovers(out)
            assert all((out / folder).is_dir() for folder in made)
            after = folders(out)
            assert {path: ino for path, ino in before.items() if path in after} == \
                {path: after[path] for path in before if path in after}
