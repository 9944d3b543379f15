"""Spec text into Python source: string literals and docstring bodies that
no spec text can end, break or turn into code (the one place it is escaped).

Output is ASCII-safe and already in black's normal form (quote preference,
lowercase escapes, no trailing spaces), so the layout stays black-stable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import pylayout as L

_PLAIN = re.compile(r"[ !#-&(-\[\]-~]*")  # printable ASCII bar quotes and backslash


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def py_str(value: str) -> str:
    """A Python string literal for any text, in black's preferred quoting.

    ASCII-only (non-ASCII and non-printables become lowercase escapes, so
    black's width and escape normalisations are no-ops)."""
    if _PLAIN.fullmatch(value):  # the common case: names, module paths
        return f'"{value}"'
    body = "".join(ch if (" " <= ch <= "~" and ch not in "\\\"'") else (_escape_char(ch) if ch not in "\"'" else ch) for ch in value)
    dq, sq = value.count('"'), value.count("'")
    if dq and dq > sq:
        return "'" + body.replace("'", "\\'") + "'"
    return '"' + body.replace('"', '\\"') + '"'


def doc_escape(text: str) -> str:
    """Spec text -> the body of a triple-quoted string that nothing can end
    or break: backslashes doubled, non-printables escaped (`\\r`, NUL, tabs,
    U+FEFF...), no run of quotes, no quote at either end; trailing spaces and
    surrounding blank lines dropped (black would drop them too)."""
    lines = [ln.rstrip(" ") for ln in text.split("\n")]
    while lines and not lines[0].strip(" "):
        lines.pop(0)
    while lines and not lines[-1].strip(" "):
        lines.pop()
    if not lines:
        return ""
    lines[0] = lines[0].lstrip(" ")
    src = "\n".join(lines)
    if '"' not in src and "\\" not in src and src.replace("\n", "").isprintable():
        return src  # the common case, nothing to escape
    out: list[str] = []
    n = len(src)
    for i, ch in enumerate(src):
        if ch == '"':
            if i == 0 or i == n - 1:
                out.append("\\x22")
            elif src[i - 1] == '"' or src[i + 1] == '"':
                out.append('\\"')
            else:
                out.append(ch)
        elif ch == "\n" or (ch.isprintable() and ch != "\\"):
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


@lru_cache(maxsize=None)
def docstring(text: str, depth: int) -> str:
    """A laid-out docstring statement at `depth` (no leading indent); once
    per text (the docs of a spec repeat their field descriptions)."""
    return L.docstring(doc_escape(text), "    " * depth)
