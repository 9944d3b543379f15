#!/usr/bin/env python3
"""How right each wire-name source is on the corpora: a markdown table.

    python bench/wirenames.py [SPEC_ROOT ...]   # default: the two orq corpora

Per spec root: the docs' example-JSON evidence (pieces, fields it names,
how many of those the `as-is` and `camelCase` policies name alike), and,
where a `truth.json` sits beside the docs (the real SDK's models), how many
real fields each source names right: the policies over every field, the
evidence over the fields it names.  An accuracy measurement, not a timing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import naming, wirenames  # noqa: E402
from generator.build import parse_summaries  # noqa: E402
from generator.parse import DEFAULT_EXCLUDE, spec_paths  # noqa: E402
from generator.resolve import resolve  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_ROOTS = [CORPUS / "orq-python-3.4.0" / "docs", CORPUS / "orq-python-4.13.19" / "docs"]


def measure(root: Path) -> dict[str, str]:
    paths, _ = spec_paths(root, DEFAULT_EXCLUDE)
    summaries, _ = parse_summaries(root, paths, 0)
    resolved, _ = resolve(summaries)
    found = wirenames.collect(summaries, resolved.by_key)
    named = [(name, f.wire) for fields in found.evidence.values() for name, f in fields.items()]

    def agree(policy: str) -> int:
        return sum(wirenames.policy_name(policy, name, *naming.attribute(name)) == wire for name, wire in named)

    row = {"spec root": root.parent.name, "docs": str(len(paths)),
           "evidence pieces": str(sum(len(s.evidence) for s in summaries)), "fields named": str(len(named)),
           "as-is agrees": str(agree("as-is")), "camelCase agrees": str(agree("camelCase"))}
    truth = root.parent / "truth.json"
    if truth.is_file():
        row.update(_against_truth(json.loads(truth.read_text()), summaries, found))
    return row


def _against_truth(truth: dict, summaries: list, found: wirenames.WireNames) -> dict[str, str]:  # type: ignore[type-arg]
    """Real wire names (alias, else the attribute) of the fields the docs name."""
    real = {(m["name"], f["name"]): f["alias"] or f["name"] for m in truth["models"] for f in m["fields"]}
    counts = {"fields": 0, "as-is": 0, "camelCase": 0, "evidence": 0, "evidence right": 0}
    for summary in summaries:
        cls = naming.class_name(summary.name)
        for name, _, _ in summary.field_names:
            attr, alias = naming.attribute(name)
            wire = real.get((cls, attr))
            if wire is None:
                continue
            counts["fields"] += 1
            for policy in wirenames.POLICIES:
                counts[policy] += wirenames.policy_name(policy, name, attr, alias) == wire
            shown = found.evidence.get(summary.key, {}).get(name)
            if shown is not None:
                counts["evidence"] += 1
                counts["evidence right"] += shown.wire == wire
    return {"real fields": str(counts["fields"]), "as-is right": str(counts["as-is"]),
            "camelCase right": str(counts["camelCase"]),
            "evidence right": f"{counts['evidence right']}/{counts['evidence']}"}


def main() -> None:
    roots = [Path(a) for a in sys.argv[1:]] or [r for r in DEFAULT_ROOTS if (r / "models").is_dir()]
    rows = [measure(root) for root in roots]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row.get(c, "–") for c in columns) + " |")


if __name__ == "__main__":
    main()
