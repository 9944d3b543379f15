"""`md2models diff` output: text for a terminal, a markdown release-notes
section, JSON (`Diff.to_json`).  Python words each change; the templates
under `templates/diff/` hold the layout."""

from __future__ import annotations

import re
from itertools import groupby

from .diff import Change, Diff
from .templating import render
from .terminal import BOLD, CYAN, GREEN, RED, paint

ADDITIONS = ("model-added", "field-added", "enum-value-added", "union-member-added")
_BACKTICKS = re.compile(r"`+")


def code(text: str) -> str:
    """`text` as a markdown code span, whatever backticks it holds."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def subject(change: Change) -> str:
    return code(change.model if change.field is None else f"{change.model}.{change.field}")


def phrase(change: Change) -> str:
    """What happened, in a few words (the subject aside)."""
    old, new = code(change.old or ""), code(change.new or "")
    kind = change.kind
    if kind == "model-added":
        renamed = f", renamed from {code(change.renamed_from)}" if change.renamed_from else ""
        return f"added ({change.new}{renamed})"
    if kind == "model-removed":
        return f"removed ({change.old})"
    if kind == "field-added":
        return f"added: {new}"
    if kind == "field-removed":
        return f"removed (was {old})"
    if kind == "type-changed":
        return f"changed from {change.old} to {change.new}" if change.field is None else f"type {old} → {new}"
    if kind == "required-changed":
        return f"{change.old} → {change.new}"
    if kind == "default-changed":
        return f"default {old} → {new}"
    if kind == "description-changed":
        return "description changed"
    what = "value" if kind.startswith("enum") else "member"
    return f"{what} {new} added" if kind.endswith("-added") else f"{what} {old} removed"


def format_text(result: Diff, *, color: bool) -> str:
    groups = []
    for (model, namespace), changes in groupby(result.changes, key=lambda c: (c.model, c.namespace)):
        lines = []
        for change in changes:
            view = change.breaking_view(result.view)
            mark, style = ("!", RED) if view else ("+", GREEN) if change.kind in ADDITIONS else ("~", "")
            field = f"{change.field}: " if change.field is not None else ""
            tail = f"  [breaking: {view} view]" if view else ""
            lines.append(paint(f"{mark} {change.where}: {field}{phrase(change)}{tail}", style, color))
        title = model if namespace == "models" else f"{model} ({namespace})"  # flat SDKs say nothing
        groups.append({"title": paint(title, BOLD, color), "lines": lines})
    style = RED if result.semver == "major" else GREEN if result.changes else CYAN
    return render("diff/text.j2", {"groups": groups, "summary": paint(summary(result), style, color)})


def summary(result: Diff) -> str:
    if not result.changes:
        return "no changes to the models: semver none"
    breaking = sum(1 for c in result.changes if result.breaking(c))
    count = len(result.changes)
    return (f"{count} change{'s' if count != 1 else ''}, {breaking} breaking ({result.view} view): "
            f"semver {result.semver}")


def format_markdown(result: Diff) -> str:
    """Breaking / Added / Changed, each change one bullet."""
    sections: dict[str, list[str]] = {"Breaking": [], "Added": [], "Changed": []}
    for change in result.changes:
        view = change.breaking_view(result.view)
        title = "Breaking" if view else "Added" if change.kind in ADDITIONS else "Changed"
        note = f" ({view} view)" if view and result.view == "strict" else ""
        sections[title].append(f"{subject(change)}: {phrase(change)}{note}")
    shown = [{"title": title, "entries": entries} for title, entries in sections.items() if entries]
    return render("diff/markdown.md.j2", {"semver": result.semver, "sections": shown})
