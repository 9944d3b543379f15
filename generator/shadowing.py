"""Fields that shadow the names a generated module uses.

The docs' field names are kept (`str`, `List`, `datetime`, `UNSET`,
`pydantic`...), but inside a class body such a field shadows the module-level
name for every later statement of the body: at run time a default assigned to
it (`str: Optional[int] = None`) turns a later annotation `name: str` into
`None`, and type checkers reject the later annotation.  So the class bodies of
a module whose fields shadow a name refer to that name through a private
module alias instead (`from builtins import str as _str`,
`import pydantic as _pydantic`).  Fields never start with `_` (naming), so the
aliases cannot be shadowed in turn.
"""

from __future__ import annotations

import builtins
from typing import Iterable, Iterator, Mapping, Sequence

from . import pylayout as L

_BUILTINS = frozenset(dir(builtins))


def referenced(toks: Sequence[L.Tok]) -> Iterator[tuple[L.Tok, str]]:
    """Each name of `toks` (an annotation or a default) with the module-level
    name it refers to (`pydantic` of `pydantic.Field`); keyword-argument
    names (`alias=`) refer to none."""
    for i, tok in enumerate(toks):
        if tok.kind != L.NAME:
            continue
        if i + 1 < len(toks) and toks[i + 1].kind == L.EQUAL and not toks[i + 1].prefix:
            continue
        yield tok, tok.value.partition(".")[0]


class Shadows:
    """The field names of one module and the aliases its class bodies use."""

    def __init__(self, fields: Iterable[str]):
        self.fields = frozenset(fields)
        self.aliases: dict[str, str] = {}  # shadowed name -> alias
        self.sources: dict[str, str] = {}  # shadowed name -> import source

    def rebind(self, toks: list[L.Tok], libs: Mapping[str, set[str]], taken: Mapping[str, object]) -> list[L.Tok]:
        """Rewrite, in place, the names in `toks` (an annotation or a default)
        that a field shadows."""
        for tok, name in referenced(toks):
            if name in self.fields:
                tok.value = self._alias(name, libs, taken) + tok.value[len(name):]
        return toks

    def _alias(self, name: str, libs: Mapping[str, set[str]], taken: Mapping[str, object]) -> str:
        alias = self.aliases.get(name)
        if alias is None:
            source = next((src for src, names in sorted(libs.items())
                           if name in names or (src == "import" and any(m.split(".")[0] == name for m in names))),
                          "builtins" if name in _BUILTINS else "")
            if not source:  # a model's local name: ref() already avoided the field names
                raise AssertionError(f"no import for shadowed name {name!r}")
            alias = "_" + name
            while alias in taken:
                alias += "_"
            self.aliases[name] = alias
            self.sources[name] = source
        return alias

    def names(self, source: str, names: Iterable[str], plain: frozenset[str]) -> list[str]:
        """What `from source import ...` lists: `n`, `n as _n` for an aliased
        name, both when a module-level statement (in `plain`) uses `n` too."""
        if not self.sources:  # nothing shadowed (most modules)
            return sorted(set(names))
        out: list[str] = []
        for n in sorted(set(names) | {k for k, src in self.sources.items() if src == source}):
            alias = self.aliases.get(n) if self.sources.get(n) == source else None
            if alias is None or n in plain:
                out.append(n)
            if alias is not None:
                out.append(f"{n} as {alias}")
        return out

    def module_aliases(self) -> list[tuple[str, str]]:
        """(module, alias) for each shadowed `import module` head."""
        return sorted((n, a) for n, a in self.aliases.items() if self.sources[n] == "import")
