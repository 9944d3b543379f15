"""Laid-out statements as `str.format` templates of the names in them.

The renderer memoises a statement (a field's, a `Literal` alias) by what it
is made of, with the names that vary from module to module (the models a
field refers to, an alias's own name) known only by their length: the
layout depends on a token's length alone (`pylayout.layout`).  A memo holds
the statement with each such name a format field, and a later statement of
the same key fills in its own names.
"""

from __future__ import annotations

from typing import Optional, Sequence


def template(text: str, names: Sequence[str], first: int = 0) -> Optional[str]:
    """`text` with the i-th of `names` its format field `first + i`, the rest
    escaped; None when one of them is not there exactly once as a whole
    word (it is in a string too, or is the field's name: which is the token
    cannot be told)."""
    spots = []
    for i, name in enumerate(names):
        found = _words_at(text, name)
        if len(found) != 1:
            return None
        spots.append((found[0], i))
    pieces: list[str] = []
    done = 0
    for at, i in sorted(spots):
        pieces += [_escaped(text[done:at]), f"{{{first + i}}}"]
        done = at + len(names[i])
    pieces.append(_escaped(text[done:]))
    return "".join(pieces)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _words_at(text: str, word: str) -> list[int]:
    """Where `word` is in `text` as a whole word (not part of a longer name)."""
    found = []
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and _is_word(text[at - 1]) or end < len(text) and _is_word(text[end])):
            found.append(at)
        at = text.find(word, at + 1)
    return found


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
