"""Reports CI systems read, for `lint`, `check` and `diff`: GitHub Actions
workflow commands (`--format github`) and SARIF 2.1.0 (`--format sarif`).

Each command turns what it found into `Finding`s (a path relative to the
current directory, which is the repository's root in CI; a line and column;
a level; a rule id; a message); one renderer per format writes them.  The
rule ids are the diagnostics' (`diagnostics.RULES`), check's output rules
(`OUTPUT_RULES`) and diff's change rules (`diffrules.RULES`)."""

from __future__ import annotations

import json
import os
from typing import Callable, Iterable, Literal, Mapping, NamedTuple, Optional
from urllib.parse import quote

from . import __version__
from .diagnostics import RULES, Diagnostic
from .diff import Diff
from .diffrender import phrase, subject
from .diffrules import RULES as CHANGE_RULES
from .manifest import MANIFEST_NAME
from .write import CheckReport, read_if_file

REPORT_FORMATS = ("github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

Level = Literal["error", "warning", "note"]

OUTPUT_RULES: Mapping[str, str] = {
    "stale-output": "A generated file is not what the specs generate now.",
    "stale-manifest": "The committed manifest does not list the files generated (a generate stopped before it).",
    "missing-output": "A file the specs generate is missing from the output.",
    "orphaned-output": "A file an earlier generate wrote is generated no more.",
    "interrupted-generate": "A generate was stopped half-way: the output is part old, part new.",
}


def catalogue() -> dict[str, str]:
    """Every rule id a report can name, with its one-line description."""
    changes = {rule.name: f"A change: {rule.says}." for rule in CHANGE_RULES}
    return {**RULES, **OUTPUT_RULES, **changes}


class Finding(NamedTuple):
    """One problem or change as a CI report shows it."""

    path: str  # relative to the current directory, POSIX
    line: int
    col: int
    level: Level
    rule: str
    message: str


def shown(path: str) -> str:
    """A path as the current directory sees it (the repository root in CI)."""
    return os.path.relpath(path).replace(os.sep, "/")


def diagnostic_findings(diagnostics: Iterable[Diagnostic], root: str) -> list[Finding]:
    """Diagnostics whose paths are below the spec root `root` (or absolute)."""
    return [Finding(shown(d.where(root)), d.line, d.col, d.severity, d.rule, d.message) for d in diagnostics]


def check_findings(report: CheckReport, root: str, load_new: Callable[[str], bytes]) -> list[Finding]:
    """Each stale, missing or orphaned output file at its first line that
    differs, naming the doc it is generated from; an interrupted generate at
    the manifest.  `root`: the spec root; `load_new`: a generated file's bytes."""
    out = report.out.as_posix()
    fix = "run `md2models generate`"

    def generates(path: str) -> str:
        doc = report.sources.get(path)
        return f"{shown(f'{root}/{doc}')} generates" if doc else f"the docs in {shown(root)}/ generate"

    found: list[Finding] = []
    for path in report.stale:
        line = first_difference(read_if_file(f"{out}/{path}"), load_new(path))
        found.append(Finding(shown(f"{out}/{path}"), line, 1, "error", "stale-output",
                             f"stale from line {line} on: {generates(path)} other content now; {fix}"))
    for path in report.missing:
        found.append(Finding(shown(f"{out}/{path}"), 1, 1, "error", "missing-output",
                             f"missing: {generates(path)} it; {fix}"))
    for path in report.orphaned:
        found.append(Finding(shown(f"{out}/{path}"), 1, 1, "error", "orphaned-output",
                             f"no doc generates it any more; {fix} to remove it"))
    manifest = shown(str(report.manifest or f"{out}/{MANIFEST_NAME}"))
    if report.interrupted:
        found.append(Finding(manifest, 1, 1, "error", "interrupted-generate",
                             f"a generate was interrupted: the output is part old, part new; {fix} to finish it"))
    if report.manifest_stale and not found:
        found.append(Finding(manifest, 1, 1, "error", "stale-manifest",
                             f"the manifest does not list the files generated; {fix} to update it"))
    return found


def first_difference(old: Optional[bytes], new: bytes) -> int:
    """The first line (from 1) where `old` and `new` differ."""
    old_lines, new_lines = (old or b"").split(b"\n"), new.split(b"\n")
    return next((n for n, (a, b) in enumerate(zip(old_lines, new_lines), 1) if a != b),
                min(len(old_lines), len(new_lines)))


def diff_findings(result: Diff, old_root: str, new_root: str) -> list[Finding]:
    """Each change at its doc and row in NEW (a removed model: at its doc in
    OLD); breaking ones, by the diff's view, are errors, the others notes."""
    found: list[Finding] = []
    for change in result.changes:
        if change.in_new is not None:
            (path, line), root = change.in_new, new_root
        else:
            where, _, line_text = change.where.rpartition(":")
            (path, line), root = (where, int(line_text)), old_root
        view = change.breaking_view(result.view)
        message = f"{subject(change)}: {phrase(change)}" + (f" (breaking: {view} view)" if view else "")
        found.append(Finding(shown(f"{root}/{path}"), line, 1, "error" if view else "note", change.rule.name, message))
    return found


def render(format: str, findings: Iterable[Finding]) -> str:
    """The report in one of `REPORT_FORMATS`, findings sorted by place."""
    return github(findings) if format == "github" else sarif(findings)


_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def github(findings: Iterable[Finding]) -> str:
    """`::error file=F,line=L,col=C,title=RULE::message`, one line each."""
    return "".join(
        f"::{_COMMANDS[f.level]} file={escape_property(f.path)},line={f.line},col={f.col},"
        f"title={escape_property(f.rule)}::{escape_data(f.message)}\n" for f in sorted(findings))


def escape_data(text: str) -> str:
    """A workflow command's message, as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also no ':' or ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def sarif(findings: Iterable[Finding]) -> str:
    """A SARIF 2.1.0 log of one run: the rules, then the results."""
    rules = sorted(catalogue().items())
    index = {rule: n for n, (rule, _) in enumerate(rules)}
    results = [{
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": f.level,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": f.line, "startColumn": f.col},
        }}],
    } for f in sorted(findings)]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "md2models",
                "version": __version__,
                "rules": [{"id": rule, "shortDescription": {"text": text}} for rule, text in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
