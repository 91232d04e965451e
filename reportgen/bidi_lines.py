"""The Unicode bidi algorithm, one line at a time.

A right-to-left paragraph is broken into lines in logical order (the order it is typed and read
in); only then is each line put in display order. Reordering a whole paragraph first and then
breaking it (or reordering each run on its own) puts a wrapped paragraph's lines, or the words
of a mixed line, in the wrong order. Word and PowerPoint do this themselves from `w:bidi` and
`rtl="1"`; the PDF draws glyphs where we say, so its writer asks this module.

python-bidi's `get_display` returns only the reordered string. The levels are what a writer
needs (which pieces of a line run right to left, in which order, each with its own font and
link), so they come from python-bidi's reference implementation of the algorithm (rules P to
I), followed by the bracket-pair rule (N0) it predates, and the reordering (L2) is done here on
pieces rather than on characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.fonts import is_arabic

_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›"}


def mainly_rtl(text: str) -> bool:
    """True when most of the letters of `text` are Arabic script: a paragraph that reads right
    to left even inside a left-to-right document (an Arabic quote in an English brief)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(map(is_arabic, letters)) * 2 > len(letters)


def levels(text: str, rtl: bool) -> list[int]:
    """The resolved embedding level of each character of one line (even: left to right, odd:
    right to left), for a paragraph whose base direction is `rtl`."""
    from bidi import algorithm as ba

    storage = ba.get_empty_storage()
    storage["base_level"] = int(rtl)
    storage["base_dir"] = "R" if rtl else "L"
    ba.get_embedding_levels(text, storage)
    ba.explicit_embed_and_overrides(storage)
    ba.resolve_weak_types(storage)
    ba.resolve_neutral_types(storage, False)
    ba.resolve_implicit_levels(storage, False)
    out = [c["level"] for c in storage["chars"]]
    _bracket_pairs(text, out, int(rtl))
    # L1: trailing white space takes the paragraph's level.
    i = len(text)
    while i > 0 and text[i - 1] in " \t\u00a0":
        i -= 1
        out[i] = int(rtl)
    return out


def _strong(ch: str) -> int | None:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return 1
    if kind in ("L",):
        return 0
    if kind in ("EN", "AN"):
        return 1  # numbers count as right-to-left for the bracket rule (BD16, N0)
    return None


def _bracket_pairs(text: str, out: list[int], base: int) -> None:
    """Rule N0, simplified to the pairs that occur in prose: a bracket pair takes the paragraph's
    direction when the text inside has a strong character of that direction, else the other
    direction when the text inside has one and so does the text before the pair; both brackets
    end up on the same level, so they mirror together."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _PAIRS:
            stack.append(i)
        elif stack and _PAIRS.get(text[stack[-1]]) == ch:
            o = stack.pop()
            inside = {_strong(c) for c in text[o + 1:i]} - {None}
            if not inside:
                continue
            if base in inside:
                level = base
            else:
                before = next((s for c in reversed(text[:o]) if (s := _strong(c)) is not None),
                              base)
                level = 1 - base if before != base else base
            # a level of the right parity at or above the paragraph's
            lvl = base if level == base else base + 1
            out[o] = out[i] = lvl


@dataclass(frozen=True, slots=True)
class Piece:
    """Characters start:end of the line, one level and one style, in display order."""

    start: int
    end: int
    level: int

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def visual_pieces(text: str, rtl: bool, cuts: Sequence[int] = ()) -> list[Piece]:
    """The line `text` as pieces in display order, left to right on the page. A piece never
    spans a `cuts` offset (where the font, the weight or a link changes) or a change of level.
    The characters inside a right-to-left piece are still in logical order: the shaper (or a
    reversal, for a piece in a font that does not shape) puts them in display order."""
    if not text:
        return []
    lv = levels(text, rtl)
    bounds = sorted({0, len(text), *(c for c in cuts if 0 < c < len(text))} |
                    {i for i in range(1, len(text)) if lv[i] != lv[i - 1]})
    pieces = [Piece(a, b, lv[a]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return reorder(pieces)


def reorder(pieces: list[Piece]) -> list[Piece]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every maximal
    sequence of pieces at that level or higher."""
    if not pieces:
        return pieces
    top = max(p.level for p in pieces)
    low = min(p.level for p in pieces)
    low = low + 1 if low % 2 == 0 else low
    out = list(pieces)
    for level in range(top, low - 1, -1):
        i = 0
        while i < len(out):
            if out[i].level >= level:
                j = i
                while j < len(out) and out[j].level >= level:
                    j += 1
                out[i:j] = out[i:j][::-1]
                i = j
            else:
                i += 1
    return out
