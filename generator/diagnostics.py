"""Problems found in specs, as values: collected, sorted, printed together.

Each problem names its rule: a stable kebab-case id per kind of problem,
described in `RULES` (for SARIF's rule list, editors and the docs).  The
message may change from release to release; the rule id does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

Severity = Literal["error", "warning"]
# (path, line, col, severity, message, rule)
DiagnosticData = tuple[str, int, int, Severity, str, str]

RULES: Mapping[str, str] = {
    # reading the spec
    "no-spec-folder": "The spec folder does not exist or is not a folder.",
    "no-docs": "The spec folder holds no model docs (*.md).",
    "not-a-doc": "SPECS names a file that is not a model doc (*.md).",
    "unreadable-doc": "A doc cannot be read (permissions, a dangling symlink, ...).",
    "doc-too-large": "A doc is larger than a model doc can be.",
    "binary-doc": "A doc holds a NUL byte: it is no markdown.",
    "not-utf8": "A doc is not UTF-8 text.",
    # one doc's layout
    "empty-doc": "A doc is empty.",
    "missing-title": "A doc has no '# Title'.",
    "invalid-title": "A doc's title is not a model name (letters, digits and '_').",
    "missing-section": "A doc has no '## Fields', '## Values' or '## Supported Types' section.",
    "unexpected-section": "A doc has sections other than exactly one model section.",
    "missing-table": "A model section has no table.",
    "table-header": "A table's header is not the one its section needs.",
    "table-separator": "A table's '| --- |' separator row is missing or has the wrong number of cells.",
    "table-row": "A table row does not start and end with '|' or has too few or too many cells.",
    "text-after-table": "Text follows a model section's table.",
    "field-name": "A field cell is not a `name` in backticks, or the name is empty.",
    "invalid-type": "A type cell or union member type does not parse.",
    "required-cell": "A Required cell is neither :heavy_check_mark: nor :heavy_minus_sign:.",
    "missing-example": "'## Example Usage' has no code block.",
    "enum-member": "An enum member name is not `NAME` in backticks.",
    "enum-value": "An enum value is not - `\"value\"` or - `123`.",
    "empty-enum": "'## Values' lists no values.",
    "union-member": "A union member is not '### Name' then a ```python value: T``` block.",
    "empty-union": "'## Supported Types' lists no member types.",
    # the spec as a whole
    "duplicate-title": "Two docs define the same model (namespace and title).",
    "dangling-link": "A type refers to a model no doc defines (typed Any).",
    "link-not-a-path": "A type's link is a URL or an anchor, not a path to the model's doc.",
    "link-outside-root": "A type's link leads out of the spec root.",
    "link-mismatch": "A type's link points at another doc than the one defining the model.",
    "module-collision": "Two docs become the same Python module.",
    "class-name-collision": "Two models become the same Python class name.",
    "duplicate-field": "A field is listed twice, or two fields become the same attribute.",
    # lint's style warnings
    "ambiguous-title": "A title is defined in several namespaces (the package's top level exports none).",
    "unreferenced-model": "No other model refers to a model (lint --unreferenced).",
    "title-file-mismatch": "A doc's title does not match its file name.",
    # wire names
    "wire-name-clash": "The wire_names policy would give a field the wire name of another field.",
    "wire-name-disagreement": "A doc's example JSON names a field otherwise than the wire_names policy.",
    # overrides
    "overrides-unreadable": "The overrides file cannot be read or is no TOML.",
    "invalid-override": "An overrides entry is malformed (unknown key, wrong kind of value, bad type or name).",
    "override-mismatch": "An overrides entry does not fit the spec (ambiguous model, wrong kind, no such field, ...).",
    "stale-override": "An overrides entry names a model, field or type the spec no longer has (ignored).",
    "override-class-clash": "A class name given by an override is taken by another class.",
    # custom templates
    "template-error": "A template does not compile or render.",
    # fmt
    "symlink-outside-specs": "fmt: a doc is a symlink that leads out of SPECS (left as it is).",
    "unwritable-doc": "fmt: a doc cannot be written (left as it was).",
}

# Control characters print escaped (`\n` as the two characters "\\n").
_CONTROL = {code: repr(chr(code))[1:-1] for code in (*range(32), 127)}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at `path:line:col` (path relative to the spec root, or
    absolute for files outside it: an overrides file)."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    rule: str  # a key of RULES

    def data(self) -> DiagnosticData:
        """As a plain tuple (`Diagnostic(*data)` makes it again): what
        workers send and caches keep (marshal stores tuples, not classes)."""
        return (self.path, self.line, self.col, self.severity, self.message, self.rule)

    def where(self, root: str = "") -> str:
        """The path below `root` (a spec root), or as it is when absolute (an overrides file)."""
        return f"{root.rstrip('/')}/{self.path}" if root and not self.path.startswith("/") else self.path

    def format(self, root: str = "") -> str:
        """`root/path:line:col: severity: message`, the editors' format."""
        # One line per problem, whatever a file name or message holds.
        text = f"{self.where(root)}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return text.translate(_CONTROL)


class SpecError(Exception):
    """Raised when a run found errors; carries every diagnostic of the run."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__(f"{len(self.errors)} error(s) in specs")

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def __reduce__(self) -> tuple[type[SpecError], tuple[tuple[Diagnostic, ...]]]:
        """Pickled by its diagnostics: a worker process sends it to the main one."""
        return SpecError, (self.diagnostics,)
