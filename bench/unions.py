#!/usr/bin/env python3
"""Throughput of discriminated unions against the same members as a plain union.

    python bench/unions.py [--specs DIR] [--top N] [--rounds R] [--out DIR]

Generates SPECS (default: the orq 4.13.19 docs) into a temp dir (or uses the
package already in `--out`), takes the N discriminated unions with the most
members, builds payloads for every member (`tests/wire.py`: full,
required-only and random subsets, seeded), and times `validate_python` and
`dump_python(mode="json", by_alias=True)` through a `TypeAdapter` of the
generated (discriminated) union and of `Union[...]` over the same members in
the same order.  Prints a markdown table of microseconds per payload (best
of R rounds) and the speed-up.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import typing
import zlib
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import pydantic  # noqa: E402
import typing_extensions  # noqa: E402

from generator import api  # noqa: E402
from tests.wire import payloads  # noqa: E402

DEFAULT_SPECS = REPO.parent / "shared" / "corpus" / "orq-python-4.13.19" / "docs"
PACKAGE = "bench_unions"
KINDS = ("full", "required", "subset1", "subset2")


def members(union: Any) -> list[type]:
    """The member classes of a discriminated union alias, in order."""
    tagged_union = typing_extensions.get_args(union.__value__)[0]
    return [typing_extensions.get_args(m)[0] for m in typing_extensions.get_args(tagged_union)]


def best_of(rounds: int, work: Callable[[], None], count: int) -> float:
    """Microseconds per item of the fastest of `rounds` runs of `work`."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="a folder holding an already generated bench_unions package")
    args = parser.parse_args()
    if args.out is not None:
        return run(args, args.out)
    with tempfile.TemporaryDirectory(prefix="md2models-bench-unions-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, out: Path) -> int:
    if not (out / PACKAGE).is_dir():
        print(f"generating {args.specs} into {out} ...", file=sys.stderr)
        api.generate(args.specs, out, PACKAGE)
    sys.path.insert(0, str(out))
    pkg = importlib.import_module(PACKAGE)
    found: list[tuple[int, str, Any]] = []
    for path in sorted((out / PACKAGE).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "pydantic.Discriminator(" not in text:
            continue
        name = text.split(" = TypeAliasType(", 1)[0].rsplit("\n", 1)[-1]
        union = getattr(pkg, name)
        found.append((len(members(union)), name, union))
    found.sort(key=lambda item: (-item[0], item[1]))
    print(f"{len(found)} discriminated unions in {args.specs}; the {min(args.top, len(found))} largest:\n")
    print("| union | members | payloads | validate disc. µs | validate plain µs | speed-up | dump disc. µs | dump plain µs | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for count, name, union in found[: args.top]:
        classes = members(union)
        if not all(isinstance(cls, type) for cls in classes):  # forward references (import cycles)
            continue
        data = [p for cls in classes for kind, p in payloads(cls, zlib.crc32(cls.__name__.encode())).items()
                if kind in KINDS]
        tagged = pydantic.TypeAdapter(union)
        plain = pydantic.TypeAdapter(typing.Union[tuple(classes)])  # type: ignore[arg-type]
        valid = []
        for payload in data:
            try:
                valid.append((payload, tagged.validate_python(payload), plain.validate_python(payload)))
            except pydantic.ValidationError:
                continue
        if not valid:
            continue
        n = len(valid)
        timings = []
        for adapter, index in ((tagged, 1), (plain, 2)):
            timings.append(best_of(args.rounds, lambda a=adapter: [a.validate_python(v[0]) for v in valid], n))
            timings.append(best_of(args.rounds, lambda a=adapter, i=index: [a.dump_python(v[i], mode="json", by_alias=True)
                                                                           for v in valid], n))
        vt, dt, vp, dp = timings
        print(f"| {name} | {count} | {n} | {vt:.1f} | {vp:.1f} | {vp / vt:.1f}x | {dt:.1f} | {dp:.1f} | {dp / dt:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
