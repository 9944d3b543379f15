"""Colour on a terminal, for the reports of `check` and `diff`."""

from __future__ import annotations

import os
from typing import TextIO

RED, GREEN, CYAN, BOLD = "\033[31m", "\033[32m", "\033[36m", "\033[1m"
_RESET = "\033[0m"


def want_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, color: bool) -> str:
    """`text` in `style` (one of the constants above, or "" for none) when `color`."""
    return f"{style}{text}{_RESET}" if color and style else text
