"""Black-compatible layout for the few Python statement shapes md2models emits.

Running black over 18,000 generated modules costs minutes; this module lays
out the statements the Python templates emit exactly as black 26 (default
mode, line length 88) would, so the output is black-stable by construction.

How: the renderer describes each logical line as a flat list of tokens
(`Tok`) -- names, strings, numbers, operators, brackets -- with the
*invisible parentheses* black itself inserts (after `=` and `:` of
assignments, around the names of `from x import ...`).  `layout()` then runs
a faithful, reduced port of black's line splitting (`black/linegen.py`):

* `transform_line`: a line that fits is kept; otherwise
  `delimiter_split` (only for lines inside brackets) and then
  `right_hand_split_with_omits` are tried, recursively;
* `right_hand_split` with `_maybe_split_omitting_optional_parens`,
  `_prefer_split_rhs_oop_over_rhs`, `can_omit_invisible_parens`,
  `generate_trailers_to_omit` and the "second opinion" of `run_transformer`
  (`FORCE_OPTIONAL_PARENTHESES`);
* trailing commas: added to exploded comma-delimited bodies, and always for
  imports (black explodes imports one name per line).

Tokens are shared, mutable objects exactly like black's leaves (black makes
invisible parens visible in place, and that side effect is observable: e.g.
`x: VeryLongName = (None)`), so the port keeps that aliasing on purpose.

The reduced token set has no comments, no multi-line strings, no unary
operators and of the binary ones only `|` (a union type), no magic trailing
commas (the renderer never emits one into a logical line), and so only comma
and `|` delimiters, which is what lets the port stay small.  The renderer only builds lines from that set (ASCII, escaped
strings); a line outside it is a renderer bug and raises `LayoutError`.

Splits are memoised by the line's shape (see `layout`), which is what makes
laying out 18k modules take a second, not minutes.

Docstrings are laid out by `docstring()` (black's docstring normalisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Sequence

LINE_LENGTH = 88
COMMA_PRIORITY = 18
VBAR_PRIORITY = 9  # black's MATH_PRIORITIES[VBAR]: split before the `|`

# token kinds
NAME, STRING, NUMBER, OP, COMMA, COLON, EQUAL = "NAME STRING NUMBER OP COMMA COLON EQUAL".split()
LPAR, RPAR, LSQB, RSQB, LBRACE, RBRACE = "LPAR RPAR LSQB RSQB LBRACE RBRACE".split()
OPENING = {LPAR, LSQB, LBRACE}
CLOSING = {RPAR, RSQB, RBRACE}
OPENER = {RPAR: LPAR, RSQB: LSQB, RBRACE: LBRACE}  # closing bracket -> its opening kind
BRACKETS = OPENING | CLOSING

# what an opening bracket belongs to (black's `opening_bracket.parent.type`)
TRAILER, ATOM, IMPORT, CLASSDEF = "trailer atom import_from classdef".split()


class LayoutError(Exception):
    """A line outside the token set this module lays out (a renderer bug)."""


class CannotSplit(Exception):
    pass


@dataclass(eq=False, slots=True)
class Tok:
    """One leaf: `kind`, `value` ("" for invisible parens) and the whitespace
    `prefix` before it.  `parent` is set on opening brackets only."""

    kind: str
    value: str
    prefix: str = ""
    parent: str = ""
    opening: Optional["Tok"] = None  # on closing brackets: the matching opener
    depth: int = 0  # black's `bracket_depth`, set by `_Tracker.mark`
    index: int = -1  # position in the logical line; -1 for a comma the split adds

    def __str__(self) -> str:
        return self.prefix + self.value


class _Tracker:
    """black's BracketTracker, reduced to comma and `|` delimiters."""

    __slots__ = ("depth", "match", "delimiters", "invisible", "previous")

    def __init__(self) -> None:
        self.depth = 0
        self.match: dict[tuple[int, str], Tok] = {}
        self.delimiters: dict[int, int] = {}
        self.invisible: list[Tok] = []
        self.previous: Optional[Tok] = None

    def mark(self, tok: Tok) -> None:
        kind, depth = tok.kind, self.depth
        if kind in CLOSING:
            depth -= 1
            tok.opening = self.match.pop((depth, OPENER[kind]))
            if not tok.value:
                self.invisible.append(tok)
        tok.depth = depth
        if depth == 0 and kind == COMMA:
            self.delimiters[id(tok)] = COMMA_PRIORITY
        elif depth == 0 and kind == OP and tok.value == "|" and self.previous is not None:
            self.delimiters[id(self.previous)] = VBAR_PRIORITY
        self.previous = tok
        if kind in OPENING:
            self.match[(depth, kind)] = tok
            depth += 1
            if not tok.value:
                self.invisible.append(tok)
        self.depth = depth

    def max_priority(self, exclude: Iterable[int] = ()) -> int:
        ex = set(exclude)
        return max(v for k, v in self.delimiters.items() if k not in ex)

    def count(self, priority: int) -> int:
        return sum(1 for p in self.delimiters.values() if p == priority)


@dataclass(eq=False, slots=True)
class Line:
    depth: int = 0
    inside_brackets: bool = False
    leaves: list[Tok] = field(default_factory=list)
    should_split_rhs: bool = False
    tracker: _Tracker = field(default_factory=_Tracker)

    def append(self, tok: Tok, preformatted: bool = True, track: bool = False) -> None:
        if self.inside_brackets or not preformatted or track:
            self.tracker.mark(tok)
        self.leaves.append(tok)

    def __bool__(self) -> bool:
        return bool(self.leaves)

    def __str__(self) -> str:
        if not self.leaves:
            return ""
        first = self.leaves[0]
        return first.prefix + "    " * self.depth + first.value + "".join([t.prefix + t.value for t in self.leaves[1:]])

    @property
    def is_import(self) -> bool:
        return bool(self.leaves) and self.leaves[0].kind == NAME and self.leaves[0].value == "from"

    @property
    def is_chained_assignment(self) -> bool:
        return sum(1 for t in self.leaves if t.kind == EQUAL) > 1

    def short(self, line_length: int = LINE_LENGTH) -> bool:
        return len(str(self)) <= line_length


def _new_line(tokens: Sequence[Tok], depth: int) -> Line:
    line = Line(depth=depth)
    for tok in tokens:
        line.append(tok, preformatted=False)
    return line


# --- black's linegen, reduced -----------------------------------------------


def _transform_line(line: Line, force_oop: bool = False, line_str: str = "") -> Iterator[Line]:
    line_str = line_str or str(line)
    if not line.should_split_rhs and len(line_str) <= LINE_LENGTH:
        yield line
        return
    transformers = [_delimiter_split, _rhs] if line.inside_brackets else [_rhs]
    for transform in transformers:
        try:
            result = _run_transformer(line, transform, force_oop, line_str)
        except CannotSplit:
            continue
        yield from result
        return
    yield line


def _run_transformer(line: Line, transform, force_oop: bool, line_str: str) -> list[Line]:  # type: ignore[no-untyped-def]
    optional_parens = [b for b in line.tracker.invisible if b.depth == 0]
    result: list[Line] = []
    for transformed in transform(line, force_oop):
        transformed_str = str(transformed)
        if transformed_str == line_str:
            raise CannotSplit("unchanged")
        result.extend(_transform_line(transformed, force_oop, transformed_str))
    if (
        force_oop
        or transform is not _rhs
        or not line.tracker.invisible
        or any(b.value for b in optional_parens)
        or result[0].short()
    ):
        return result
    # A second opinion with FORCE_OPTIONAL_PARENTHESES on *copies* of the
    # leaves, taken after the first attempt mutated them (black's
    # `append_leaves` duplicates leaves with their current values).
    copy = Line(depth=line.depth, inside_brackets=line.inside_brackets)
    for tok in _copy_tokens(line.leaves):
        copy.append(tok, preformatted=False)
    second = _run_transformer(copy, transform, True, line_str)
    if all(ln.short() for ln in second):
        result = second
    return result


def _copy_tokens(tokens: Sequence[Tok]) -> list[Tok]:
    return [Tok(tok.kind, tok.value, tok.prefix, tok.parent, index=tok.index) for tok in tokens]


def _delimiter_split(line: Line, force_oop: bool) -> Iterator[Line]:
    if not line.leaves:
        raise CannotSplit("empty")
    last = line.leaves[-1]
    try:
        priority = line.tracker.max_priority(exclude={id(last)})
    except ValueError:
        raise CannotSplit("no delimiters") from None
    current = Line(depth=line.depth, inside_brackets=line.inside_brackets)
    for tok in line.leaves:
        if not current.leaves:
            tok.prefix = ""  # dont_increase_indentation
        current.append(tok, preformatted=True)
        if line.tracker.delimiters.get(id(tok)) == priority:
            yield current
            current = Line(depth=line.depth, inside_brackets=line.inside_brackets)
    if current:
        if priority == COMMA_PRIORITY and current.leaves[-1].kind != COMMA:
            current.append(Tok(COMMA, ","), preformatted=True)
        yield current


def _generate_trailers_to_omit(line: Line) -> Iterator[set[int]]:
    omit: set[int] = set()
    yield omit
    length = 4 * line.depth
    opening: Optional[Tok] = None
    closing: Optional[Tok] = None
    inner: set[int] = set()
    leaves = line.leaves
    for index in range(len(leaves) - 1, -1, -1):
        tok = leaves[index]
        length += len(tok.prefix) + len(tok.value)
        if length > LINE_LENGTH:
            break
        if opening is not None:
            if tok is opening:
                opening = None
            elif tok.kind in CLOSING:
                inner.add(id(tok))
        elif tok.kind in CLOSING:
            prev = leaves[index - 1] if index > 0 else None
            if prev is not None and prev.kind in OPENING:
                inner.add(id(tok))
                continue
            if closing is not None:
                omit.add(id(closing))
                omit.update(inner)
                inner.clear()
                yield omit
            if tok.value:
                opening = tok.opening
                closing = tok


def _rhs(line: Line, force_oop: bool) -> Iterator[Line]:
    """black's right_hand_split_with_omits."""
    prefix_lengths: dict[int, int] = {}  # filled on the first omit
    first_lines: Optional[list[Line]] = None
    for omit in _generate_trailers_to_omit(line):
        if omit:
            if not prefix_lengths:
                cur = 4 * line.depth
                for tok in line.leaves:
                    prefix_lengths[id(tok)] = cur
                    cur += len(tok.prefix) + len(tok.value)
            target = None
            for tok in reversed(line.leaves):
                if tok.kind in CLOSING and id(tok) not in omit:
                    target = tok.opening
                    break
            if target is not None and target.value and prefix_lengths.get(id(target), 0) > LINE_LENGTH:
                continue
        lines = list(_right_hand_split(line, force_oop, omit))
        if first_lines is None and not omit:
            first_lines = lines
        if lines[0].short():
            yield from lines
            return
    if first_lines is not None:
        yield from first_lines
    else:
        yield from _right_hand_split(line, force_oop, ())


@dataclass
class _RHS:
    head: Line
    body: Line
    tail: Line
    opening: Tok
    closing: Tok


def _right_hand_split(line: Line, force_oop: bool, omit: Iterable[int]) -> Iterator[Line]:
    rhs = _first_rhs(line, omit)
    yield from _maybe_split_omitting_optional_parens(rhs, line, force_oop, omit)


def _first_rhs(line: Line, omit: Iterable[int] = ()) -> _RHS:
    omit = set(omit)
    tail: list[Tok] = []
    body: list[Tok] = []
    head: list[Tok] = []
    current = tail
    opening: Optional[Tok] = None
    closing: Optional[Tok] = None
    for tok in reversed(line.leaves):
        if current is body and tok is opening:
            current = head if body else tail
        current.append(tok)
        if current is tail and tok.kind in CLOSING and id(tok) not in omit:
            opening, closing = tok.opening, tok
            current = body
    if not (opening and closing and head):
        raise CannotSplit("no brackets")
    tail.reverse()
    body.reverse()
    head.reverse()
    h = _build_line(head, line, opening, "head")
    b = _build_line(body, line, opening, "body")
    t = _build_line(tail, line, opening, "tail")
    tail_len = len(str(t).strip())
    if not b:
        if tail_len == 0 or tail_len < 3:
            raise CannotSplit("not worth it")
    return _RHS(h, b, t, opening, closing)


def _build_line(leaves: list[Tok], original: Line, opening: Tok, component: str) -> Line:
    result = Line(depth=original.depth)
    if component == "body":
        result.inside_brackets = True
        result.depth += 1
        if leaves and original.is_import and leaves[-1].kind != COMMA:
            leaves = leaves + [Tok(COMMA, ",")]
    # what `Line.append(tok, preformatted=True, track=...)` does, leaf by leaf
    mark = result.tracker.mark
    if result.inside_brackets:
        for tok in leaves:
            mark(tok)
    elif component == "head":
        track = _inside_matching_brackets(leaves)
        for tok in leaves:
            if id(tok) in track:
                mark(tok)
    result.leaves = leaves
    if component == "body" and _should_split_line(result, opening):
        result.should_split_rhs = True
    return result


def _inside_matching_brackets(leaves: Sequence[Tok]) -> set[int]:
    start = next((i for i, t in enumerate(leaves) if t.kind in OPENING), None)
    if start is None:
        return set()
    ids: set[int] = set()
    stack: list[tuple[str, list[int]]] = []
    for tok in leaves[start:]:
        if tok.kind in OPENING:
            stack.append((next(c for c, o in OPENER.items() if o == tok.kind), [id(tok)]))
        elif tok.kind in CLOSING:
            if stack and tok.kind == stack[-1][0]:
                _, level = stack.pop()
                level.append(id(tok))
                ids.update(level)
            else:
                break
        elif stack:
            stack[-1][1].append(id(tok))
    return ids


def _should_split_line(line: Line, opening: Tok) -> bool:
    if not (opening.value in "[{(" and opening.parent):
        return False
    exclude = set()
    trailing_comma = False
    try:
        last = line.leaves[-1]
        if last.kind == COMMA:
            trailing_comma = True
            exclude.add(id(last))
        max_priority = line.tracker.max_priority(exclude)
    except (IndexError, ValueError):
        return False
    return max_priority == COMMA_PRIORITY and (trailing_comma or opening.parent in {ATOM, IMPORT})


def _maybe_split_omitting_optional_parens(
    rhs: _RHS, line: Line, force_oop: bool, omit: Iterable[int]
) -> Iterator[Line]:
    if (
        not force_oop
        and rhs.opening.kind == LPAR
        and not rhs.opening.value
        and rhs.closing.kind == RPAR
        and not rhs.closing.value
        and not line.is_import
        and _can_omit_invisible_parens(rhs)
    ):
        omit = {id(rhs.closing), *omit}
        try:
            rhs_oop = _first_rhs(line, omit)
            if _prefer_split_rhs_oop_over_rhs(rhs_oop, rhs):
                yield from _maybe_split_omitting_optional_parens(rhs_oop, line, force_oop, omit)
                return
        except CannotSplit as e:
            if line.is_chained_assignment:
                pass
            elif not _can_be_split(rhs.body) and not rhs.body.short():
                raise CannotSplit("body too long and unsplittable") from e
    for bracket in (rhs.opening, rhs.closing):  # black's ensure_visible
        if bracket.kind == LPAR:
            bracket.value = "("
        elif bracket.kind == RPAR:
            bracket.value = ")"
    for result in (rhs.head, rhs.body, rhs.tail):
        if result:
            yield result


def _prefer_split_rhs_oop_over_rhs(rhs_oop: _RHS, rhs: _RHS) -> bool:
    head = rhs.head.leaves
    if not (len(head) >= 2 and head[-2].kind == EQUAL):
        return True
    if not any(t.kind in BRACKETS for t in head[:-1]):
        return True
    if not rhs.head.short(LINE_LENGTH - 1):
        return True
    equal_count = sum(1 for t in head if t.kind == EQUAL)
    oop_equal_count = sum(1 for t in rhs_oop.head.leaves if t.kind == EQUAL)
    if equal_count > 1 and equal_count > oop_equal_count:
        return False
    has_closing_bracket_after_assign = False
    for tok in reversed(rhs_oop.head.leaves):
        if tok.kind == EQUAL:
            break
        if tok.kind in CLOSING:
            has_closing_bracket_after_assign = True
            break
    return has_closing_bracket_after_assign or (
        any(t.kind == EQUAL for t in rhs_oop.head.leaves) and rhs_oop.head.short()
    )


def _can_be_split(line: Line) -> bool:
    # black's extra rule for `"str".method()` chains cannot occur here
    return len(line.leaves) >= 2


def _can_omit_invisible_parens(rhs: _RHS) -> bool:
    line = rhs.body
    bt = line.tracker
    if not bt.delimiters:
        return True
    max_priority = bt.max_priority()
    if bt.count(max_priority) > 1:
        return False
    first, second = line.leaves[0], line.leaves[1]
    if first.kind in OPENING and second.kind not in CLOSING:
        if _can_omit_opening_paren(line, first):
            return True
    penultimate, last = line.leaves[-2], line.leaves[-1]
    if last.kind in (RPAR, RBRACE) or (last.kind == RSQB and last.opening is not None and last.opening.parent != TRAILER):
        if penultimate.kind in OPENING:
            return False
        if _can_omit_closing_paren(line, last):
            return True
    return False


def _can_omit_opening_paren(line: Line, first: Tok) -> bool:
    remainder = False
    length = 4 * line.depth
    index = -1
    for index, tok in enumerate(line.leaves):
        if tok.kind in CLOSING and tok.opening is first:
            remainder = True
        if remainder:
            length += len(tok.prefix) + len(tok.value)
            if length > LINE_LENGTH:
                break
            if tok.kind in OPENING:
                remainder = False
    else:
        if len(line.leaves) == index + 1:
            return True
    return False


def _can_omit_closing_paren(line: Line, last: Tok) -> bool:
    length = 4 * line.depth
    seen_other_brackets = False
    for tok in line.leaves:
        length += len(tok.prefix) + len(tok.value)
        if tok is last.opening:
            if seen_other_brackets or length <= LINE_LENGTH:
                return True
        elif tok.kind in OPENING:
            seen_other_brackets = True
    return False


# --- public API -------------------------------------------------------------


def layout(tokens: Sequence[Tok], depth: int = 0) -> str:
    """Lay out one logical line the way black does; returns the text with a
    trailing newline.  Tokens may be mutated (black's visible parens)."""
    first = tokens[0]
    flat = first.prefix + "    " * depth + first.value + "".join([t.prefix + t.value for t in tokens[1:]])
    if not flat.isascii() or "\n" in flat:
        _check(tokens)
    if len(flat) <= LINE_LENGTH:  # what `_transform_line` does first, without building a Line
        return flat + "\n"
    # Black's decisions depend only on each token's kind, bracket parent,
    # prefix and value length (and on a leading `from`), so one split is kept
    # per such shape and replayed with other names: the 56k long lines of an
    # 18k-model package have ~3k shapes.
    key = (depth, first.value == "from", tuple([(t.kind, t.parent, t.prefix, len(t.value)) for t in tokens]))
    recipe = _RECIPES.get(key)
    if recipe is None:
        _check(tokens)
        # Each decision compares a sum of lengths with at most the line
        # length, so a token longer than that decides as one just over it:
        # shapes that differ only there share a split (~2.5k shapes, not ~3.4k).
        longest = LINE_LENGTH + 1
        clamped = (*key[:2], tuple([(*shape[:3], min(shape[3], longest)) for shape in key[2]]))
        recipe = _RECIPES.get(clamped)
        if recipe is None:
            recipe = _RECIPES[clamped] = _recipe(tokens, depth)
        _RECIPES[key] = recipe
    return recipe.format(*[t.value for t in tokens])


# a split's text as a `str.format` template of the token values (`{index}`)
_RECIPES: dict[tuple[int, bool, tuple[tuple[str, str, str, int], ...]], str] = {}


def _recipe(tokens: Sequence[Tok], depth: int) -> str:
    """How `_transform_line` lays out `tokens`, as a template: per output
    line, per leaf, its prefix (the first with the line's indent), then
    `{index}` of its token, or its text if the split added or changed it;
    then a newline."""
    originals = [tok.value for tok in tokens]
    for index, tok in enumerate(tokens):
        tok.index = index
    out = []
    for line in _transform_line(_new_line(tokens, depth)):
        for n, tok in enumerate(line.leaves):
            out.append(tok.prefix + "    " * line.depth if n == 0 else tok.prefix)
            if tok.index < 0 or tok.value != originals[tok.index]:
                out.append(tok.value.replace("{", "{{").replace("}", "}}"))
            else:
                out.append(f"{{{tok.index}}}")
        out.append("\n")
    return "".join(out)


def _check(tokens: Sequence[Tok]) -> None:
    stack: list[str] = []
    for tok in tokens:
        if tok.kind in OPENING:
            stack.append(tok.kind)
        elif tok.kind in CLOSING:
            if not stack or stack.pop() != OPENER[tok.kind]:
                raise LayoutError("unbalanced brackets")
        if "\n" in tok.value or (tok.kind != STRING and not tok.value.isascii()):
            raise LayoutError(f"token {tok.value!r} cannot be laid out")
        if tok.kind == STRING and not tok.value.isascii():
            raise LayoutError("non-ASCII string literal (black measures display width)")
    if stack:
        raise LayoutError("unbalanced brackets")


def text(tokens: Sequence[Tok]) -> str:
    """The tokens on one line, without the first one's prefix (as inside
    invisible parentheses)."""
    return tokens[0].value + "".join([t.prefix + t.value for t in tokens[1:]])


def kept(line: str, depth: int = 0) -> Optional[str]:
    """`line` (a statement's text on one line) at `depth`, with its newline,
    when `layout` would keep it as it is: it fits, in ASCII, on one line.
    None otherwise: lay out its tokens.  Spares the tokens that most
    statements do not need."""
    line = "    " * depth + line
    if len(line) <= LINE_LENGTH and line.isascii() and "\n" not in line:
        return line + "\n"
    return None


# --- token builders used by the renderer --------------------------------------


def name(value: str, prefix: str = "") -> Tok:
    return Tok(NAME, value, prefix)


def op(kind: str, value: str, prefix: str = "") -> Tok:
    return Tok(kind, value, prefix)


def invisible_parens(inner: list[Tok], prefix: str = " ", parent: str = ATOM) -> list[Tok]:
    """Black's invisible parentheses around `inner` (after `=`, `:`, `import`)."""
    if inner:
        inner[0].prefix = ""
    return [Tok(LPAR, "", prefix, parent=parent), *inner, Tok(RPAR, "")]


# --- docstrings ---------------------------------------------------------------


def docstring(body: str, indent: str) -> str:
    """A class docstring statement (without the leading indent of its first
    line, with a trailing newline) in black's normal form.

    `body` is already escaped source text (see `pyescape.doc_escape`): no
    tabs, no non-printables, no quote at either end, no odd trailing
    backslashes, no leading/trailing blank lines.  Black then (a) strips
    trailing spaces of every line, (b) re-indents continuation lines to
    `indent` after removing their common indentation, (c) strips the first
    line, and (d) moves the closing quotes to their own line when the last
    line plus the quotes would exceed the line length (multi-line only).
    """
    lines = body.split("\n")
    first = lines[0].strip()
    rest = lines[1:]
    common = min((len(ln) - len(ln.lstrip(" ")) for ln in rest if ln.strip()), default=0)
    out = [first]
    for i, ln in enumerate(rest):
        stripped = ln[common:].rstrip()
        if stripped or i == len(rest) - 1:
            out.append(indent + stripped)
        else:
            out.append("")
    text = "\n".join(out)
    if len(out) > 1 and len(out[-1]) + 3 > LINE_LENGTH:
        return '"""' + text + "\n" + indent + '"""\n'
    return '"""' + text + '"""\n'
