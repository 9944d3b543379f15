"""Problems found in specs, as values: collected, sorted, printed together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]
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
