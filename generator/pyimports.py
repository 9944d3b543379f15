"""Import statements as isort and black write them, and isort's orders.

What `pysyntax.Ctx` lists as a module's imports becomes statements here:
`import x`, `from x import a, b` (on one line if it fits, else exploded
with a trailing comma, as black does), the late imports that break an import
cycle, and isort's order of sections, modules and names (from 3.10 on).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Iterable, Mapping, Optional, Sequence, Union

from . import pylayout as L
from .pylayout import Tok

# A `from`/`import` statement as isort places it: (section: standard library,
# third party, the package's own; its order in the section; the statement).
IsortEntry = tuple[int, tuple[int, int, tuple[Union[str, int], ...]], str]

_DIGIT_RUNS = re.compile(r"(\d+)")


@lru_cache(maxsize=None)
def natural(text: str, fold: bool = True) -> tuple[Union[str, int], ...]:
    """isort's natural order: digit runs as numbers (`a2` < `a10`);
    case-insensitive unless not `fold`."""
    parts: list[Union[str, int]] = list(_DIGIT_RUNS.split(text.lower() if fold else text))
    parts[1::2] = map(int, parts[1::2])  # (the odd parts are the digit runs)
    return tuple(parts)


@lru_cache(maxsize=None)
def isort_key(name: str, fold: bool = True) -> tuple[int, tuple[Union[str, int], ...], str]:
    """isort's (and ruff's) order of imported names, and (not `fold`:
    case-sensitive) ruff's of `__all__`: CONSTANTS, then Classes, then the
    rest, each in natural order."""
    base = name.split(" as ")[0]
    kind = 0 if len(base) > 1 and base.isupper() else 1 if base[:1].isupper() else 2
    return kind, natural(base, fold), name


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def module_key(module: str) -> tuple[int, tuple[Union[str, int], ...]]:
    """isort's order of modules: relative ones furthest first."""
    name = module.lstrip(".")
    return len(name) - len(module), natural(name)


def isort_entries(module: str, names: Iterable[str]) -> list[IsortEntry]:
    """`from module import names` as isort writes it: an aliased name in a statement of its own."""
    level = len(module) - len(module.lstrip("."))
    section = 2 if level else 0 if is_stdlib(module) else 1
    key = (1, -level, natural(module.lstrip(".")))
    names = sorted(names, key=isort_key)
    plain_names = [n for n in names if " as " not in n]
    entries = [(section, key, from_import(module, plain_names))] if plain_names else []
    return entries + [(section, key, from_import(module, [n])) for n in names if " as " in n]


def isort_lines(entries: Iterable[IsortEntry]) -> list[str]:
    """The imports (from 3.10 on) as isort writes them: `__future__`,
    standard library, third party, the package's own modules; in each,
    `import x` first, then `from x import ...` by module."""
    sections: list[list[tuple[tuple[int, int, tuple[Union[str, int], ...]], str]]] = [[], [], []]
    for section, key, stmt in entries:
        sections[section].append((key, stmt))
    stmts = [from_import("__future__", ["annotations"])]
    for in_section in sections:
        if in_section:
            stmts.append("\n")
            stmts.extend(stmt for _, stmt in sorted(in_section, key=lambda entry: entry[0]))
    return stmts


# Ruff's E402 (an import below code): the imports that break an import cycle must be.
LATE_IMPORT = "# noqa: E402"


def late_import(module: str, names: list[str]) -> str:
    """`from module import names  # noqa: E402`, laid out as black keeps it:
    on one line if it fits with the comment, else exploded with the
    comment after the bracket (where ruff looks for it, on the first line)."""
    stmt = from_import(module, names).rstrip("\n")
    if "\n" not in stmt and len(stmt) + 2 + len(LATE_IMPORT) <= L.LINE_LENGTH:
        return f"{stmt}  {LATE_IMPORT}\n"
    return f"from {module} import (  {LATE_IMPORT}\n" + "".join(f"    {n},\n" for n in names) + ")\n"


def pairs(names: Mapping[str, str]) -> list[str]:
    return [n if n == local else f"{n} as {local}" for n, local in sorted(names.items())]


@lru_cache(maxsize=None)
def import_stmt(module: str, alias: Optional[str] = None) -> str:
    """`import module` or `import module as alias` (a few modules, imported by thousands)."""
    toks = [L.name("import"), L.name(module, " ")]
    return L.layout(toks + [L.name("as", " "), L.name(alias, " ")] if alias else toks)


def from_import(module: str, names: Sequence[str]) -> str:
    """`from module import names` as black writes it: on one line if it
    fits, else one name a line with a trailing comma (all `layout` can make
    of an import: black never omits its parentheses, and it has no others)."""
    line = f"from {module} import {', '.join(names)}"
    if not (names and line.isascii()) or "\n" in line:  # `layout` refuses it
        toks: list[Tok] = []
        for i, n in enumerate(names):
            if i:
                toks.append(L.op(L.COMMA, ","))
            toks.append(L.name(n, " " if i else ""))
        return L.layout([L.name("from"), L.name(module, " "), L.name("import", " "),
                         *L.invisible_parens(toks, " ", L.IMPORT)])
    if len(line) <= L.LINE_LENGTH:
        return line + "\n"
    return f"from {module} import (\n" + "".join([f"    {n},\n" for n in names]) + ")\n"
