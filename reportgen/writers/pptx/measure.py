"""Text measurement for the deck: widths from the real TrueType advances, greedy line breaking.

The same static TTF files the PDF embeds (`reportgen.fonts.family`) give each glyph's advance.
Latin widths ignore kerning (it only ever tightens Latin text); a word with Arabic letters is
measured shaped (HarfBuzz, `reportgen.shaping`: joining forms, lam-alef, marks without advance),
since its letters summed one by one in their isolated forms come out about a fifth too wide and
would waste that much of every Arabic line. Lines break only at ordinary spaces,
never at hyphens or dashes: a renderer with more break opportunities and tighter spacing can only
need fewer lines than we count, so a box that fits here fits in PowerPoint and LibreOffice. Line
heights are exact (the deck sets `spcPts` line spacing), so a frame's text height is simply
lines x line pitch plus the space between paragraphs.

Cost is linear in the text: a paragraph's words are measured once (`Words`, only as far as
anyone has looked), lines are found greedily from any point with an optional limit, and a long
paragraph is cut into parts by position (`part`) instead of re-measuring what is left of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportgen.fonts import family
from reportgen.kept import Kept

# Plan lines as if the text were this much wider than the font's advances say: covers renderer
# rounding, hinting and justification differences, and small metric differences of a
# substitute font, while keeping planned line breaks close to what viewers show.
WIDTH_SAFETY = 1.04

# A space directly before closing punctuation is not a break opportunity in UAX #14
# (LibreOffice uses ICU), so it must not be one here either.
_NO_BREAK_BEFORE = set(")]}!?,.;:%»›”’")
_SPACES = re.compile(r"[ \t\n]+")
# The Arabic blocks of `reportgen.fonts.is_arabic`: text with any of these is shaped to measure.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Run:
    """A stretch of text in one face and size; presentation fields ride along for the writer."""

    text: str
    font: str
    size: float
    bold: bool = False
    italic: bool = False
    href: str | None = None
    color: str | None = None  # "#RRGGBB"; None inherits from the layout/placeholder
    rtl: bool = False


@dataclass(frozen=True)
class Para:
    """One paragraph with exact line pitch; `space_before` is ignored on a frame's first one."""

    runs: tuple[Run, ...]
    line_pt: float
    space_before: float = 0.0
    indent: float = 0.0  # left margin; a bullet hangs in it
    bullet: str | None = None  # a bullet character, or "1." style for numbered items
    bullet_color: str | None = None
    align: str | None = None  # l | ctr | r; None keeps the placeholder's own alignment
    rtl: bool = False
    origin: int | None = None  # which paragraph of the section; both halves of a split keep it

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


class Face:
    """Advance widths of one TrueType file, in font units."""

    def __init__(self, path: str):
        from reportgen.facts import font_facts

        self.path = path
        facts = font_facts(Path(path))
        self.upm, self.advances, self.fallback = facts.upm, facts.advances, facts.fallback

    @lru_cache(maxsize=65536)  # noqa: B019 - faces live for the process; the cache is the point
    def units(self, text: str) -> int:
        """The advance of `text`: shaped when it has Arabic letters (their joined forms are
        what a viewer draws), else the sum of the characters' advances."""
        if _ARABIC.search(text):
            return self.shaped(text)
        adv = self.advances
        return sum(adv.get(ord(ch), self.fallback) for ch in text)

    def shaped(self, text: str) -> int:
        """HarfBuzz's advance of `text` in this file (the same units: one head table)."""
        from reportgen.shaping import units

        return units(text, self.path)


@cache
def face(font: str, bold: bool, italic: bool) -> Face:
    style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
    return Face(str(family(font).files[style]))


def text_width(text: str, font: str, size: float, bold: bool = False,
               italic: bool = False) -> float:
    f = face(font, bold, italic)
    return f.units(text) * size / f.upm * WIDTH_SAFETY


def run_width(run: Run, text: str | None = None) -> float:
    return text_width(run.text if text is None else text, run.font, run.size, run.bold,
                      run.italic)


# ---------------------------------------------------------------------------------------------
# Words


@dataclass(frozen=True, slots=True)
class Piece:
    """A slice of one run: part of a word, or the spaces after a word; its advance in font
    units (sizes scale it: the same words are measured once for every size tried)."""

    run: int
    start: int
    end: int
    units: int
    space: bool


@dataclass(frozen=True, slots=True)
class Shape:
    """An unbreakable word (its pieces may span runs) and the spaces after it, in font units."""

    pieces: tuple[Piece, ...]
    space_run: int
    space_units: int


def _pieces(runs: Sequence[Run]) -> Iterator[Piece]:
    for i, run in enumerate(runs):
        units = face(run.font, run.bold, run.italic).units
        text, pos = run.text, 0
        for m in _SPACES.finditer(text):
            if m.start() > pos:
                yield Piece(i, pos, m.start(), units(text[pos:m.start()]), False)
            yield Piece(i, m.start(), m.end(), units(" " * (m.end() - m.start())), True)
            pos = m.end()
        if pos < len(text):
            yield Piece(i, pos, len(text), units(text[pos:]), False)


def _shapes(runs: Sequence[Run]) -> Iterator[Shape]:
    """Pieces grouped into words, one piece of look-ahead: a space before closing punctuation
    glues "word !" together and counts as part of the word."""
    pieces = _pieces(runs)
    current: list[Piece] = []
    p = next(pieces, None)
    while p is not None:
        nxt = next(pieces, None)
        if p.space:
            if nxt is not None and current and runs[nxt.run].text[nxt.start] in _NO_BREAK_BEFORE:
                current.append(Piece(p.run, p.start, p.end, p.units, False))
            else:
                if current:
                    yield Shape(tuple(current), p.run, p.units)
                current = []
        else:
            current.append(p)
        p = nxt
    if current:
        yield Shape(tuple(current), 0, 0)


class Shapes:
    """The word shapes of one text, found only as far as anyone has looked: a frame that
    overflows after a few lines never measures the rest of a long text."""

    def __init__(self, runs: Sequence[Run]):
        self._found: list[Shape] = []
        self._more: Iterator[Shape] | None = _shapes(runs)
        # The words measured so far at each set of run sizes (and units per em) the planner
        # tried, the most recent `SCALES_KEPT`: it asks for the same text at a few sizes.
        self.scaled: Kept[list[Word]] = Kept(SCALES_KEPT)

    def get(self, i: int) -> Shape | None:
        found = self._found
        while len(found) <= i and self._more is not None:
            shape = next(self._more, None)
            if shape is None:
                self._more = None
            else:
                found.append(shape)
        return found[i] if i < len(found) else None


# Shapes are the same at every size: kept by the runs' text and faces, not their sizes, for
# the most recently measured texts; with each, its words measured at the last few sizes.
_SHAPES: Kept[Shapes] = Kept(512)
SCALES_KEPT = 8


def _shapes_of(runs: Sequence[Run]) -> Shapes:
    return _SHAPES.get_or_make(tuple((r.text, r.font, r.bold, r.italic) for r in runs),
                               lambda: Shapes(runs))


@dataclass(frozen=True, slots=True)
class Word:
    """A word set at its runs' sizes: its width and that of the spaces after it, in points."""

    shape: Shape
    width: float
    space_after: float


class Words:
    """The words of a sequence of runs at their sizes, measured once each: the list is shared
    by every `Words` of the same text at the same sizes (`Shapes.scaled`), so breaking a
    paragraph again at another width measures nothing."""

    def __init__(self, runs: Sequence[Run]):
        self.runs = runs
        self.shapes = _shapes_of(runs)
        self.scale = scale = tuple((r.size, face(r.font, r.bold, r.italic).upm) for r in runs)
        self.found: list[Word] = self.shapes.scaled.get_or_make(scale, list)

    def get(self, i: int) -> Word | None:
        found = self.found
        if i < len(found):
            return found[i]
        scale, shapes = self.scale, self.shapes
        while len(found) <= i:
            shape = shapes.get(len(found))
            if shape is None:
                return None
            # The same arithmetic, in the same order, as text_width and a sum of the pieces:
            # equal widths to the last bit, whichever way a word was measured.
            width = 0
            for p in shape.pieces:
                size, upm = scale[p.run]
                width += p.units * size / upm * WIDTH_SAFETY
            size, upm = scale[shape.space_run]
            found.append(Word(shape, width, shape.space_units * size / upm * WIDTH_SAFETY))
        return found[i]


# ---------------------------------------------------------------------------------------------
# Line breaking


@dataclass(frozen=True)
class Line:
    start: tuple[int, int]  # (run index, offset) where the line's first word starts
    width: float
    word: int = 0  # index of that word: a line can be where breaking resumes


class LineBreaks(Kept[tuple[Line, ...]]):
    """The lines of paragraphs already broken, by (runs, width, limit): the planner asks the
    same paragraph at the same width again as it tries layouts (half of a deck's ~700 breaks).
    Kept for one deck (`plan_deck` clears it) and for at most `size` paragraphs."""

    def __init__(self, size: int = 2048):
        super().__init__(size)


LINE_BREAKS = LineBreaks()


def break_lines(text: Sequence[Run] | Words, width: float, start: Line | None = None,
                limit: int | None = None) -> list[Line]:
    """Greedy lines set in `width` points, from the beginning or from the line `start` on;
    an empty paragraph is one line. With a `limit`, stop after that many complete lines (the
    caller only needs to know that there are more). Whole paragraphs given as runs are
    remembered in `LINE_BREAKS`."""
    if isinstance(text, Words) or start is not None:
        return _break_lines(text, width, start, limit)
    key = (tuple(text), width, limit)
    found = LINE_BREAKS.get(key)
    if found is None:
        lines = _break_lines(text, width, None, limit)
        LINE_BREAKS.put(key, tuple(lines))
        return lines
    return list(found)


def _break_lines(text: Sequence[Run] | Words, width: float, start: Line | None,
                 limit: int | None) -> list[Line]:
    words = text if isinstance(text, Words) else Words(text)
    runs = words.runs
    lines: list[Line] = []
    cur_start: tuple[int, int] | None = None
    cur_w = 0.0
    cur_word = 0
    pending = 0.0
    i = start.word if start else 0
    found = words.found
    while (word := found[i] if i < len(found) else words.get(i)) is not None:
        pieces, word_w = word.shape.pieces, word.width
        first = pieces[0]
        if start is not None and i == start.word and start.start != (first.run, first.start):
            pieces = _remainder(pieces, start.start)
            first = pieces[0]
            word_w = sum(run_width(runs[p.run], runs[p.run].text[p.start:p.end])
                         for p in pieces)
        if cur_start is not None and cur_w + pending + word_w <= width:
            cur_w += pending + word_w
        else:
            if cur_start is not None:
                lines.append(Line(cur_start, cur_w, cur_word))
                if limit is not None and len(lines) >= limit:
                    return lines
            if word_w <= width:
                cur_start, cur_w, cur_word = (first.run, first.start), word_w, i
            else:  # a word wider than the line: renderers break it between characters
                room = None if limit is None else limit - len(lines)
                chunks = _split_long_word(runs, pieces, width, i, room)
                lines.extend(chunks[:-1])
                if limit is not None and len(lines) >= limit:
                    return lines[:limit]
                cur_start, cur_w, cur_word = chunks[-1].start, chunks[-1].width, i
        pending = word.space_after
        i += 1
    if cur_start is not None:
        lines.append(Line(cur_start, cur_w, cur_word))
    return lines or [Line((0, 0), 0.0)]


def _remainder(pieces: Sequence[Piece], at: tuple[int, int]) -> list[Piece]:
    """What is left of a word broken between characters, from `at` (run, offset) on."""
    run_i, offset = at
    return [Piece(p.run, max(p.start, offset) if p.run == run_i else p.start, p.end, 0, False)
            for p in pieces if (p.run, p.end) > (run_i, offset)]


def _split_long_word(runs: Sequence[Run], pieces: Sequence[Piece], width: float,
                     word: int, limit: int | None = None) -> list[Line]:
    """The lines a word wider than `width` breaks into between characters; with a `limit`,
    no more than limit + 1 (a 900,000-character word was split whole at every size tried)."""
    lines: list[Line] = []
    start: tuple[int, int] | None = None
    w = 0.0
    for p in pieces:
        run = runs[p.run]
        for k in range(p.start, p.end):
            cw = run_width(run, run.text[k])
            if start is not None and w + cw > width:
                lines.append(Line(start, w, word))
                start, w = None, 0.0
                if limit is not None and len(lines) > limit:
                    return lines
            if start is None:
                start = (p.run, k)
            w += cw
    assert start is not None
    lines.append(Line(start, w, word))
    return lines


def line_width(para: Para, width: float) -> float:
    """The width a paragraph's lines are set in: a frame's inner width less its indent."""
    return max(1.0, width - para.indent)


def paragraph_lines(para: Para, width: float) -> list[Line]:
    return break_lines(para.runs, line_width(para, width))


def paragraph_height(para: Para, width: float, first: bool = False) -> float:
    return len(paragraph_lines(para, width)) * para.line_pt + (0.0 if first else
                                                               para.space_before)


def text_height(paras: Sequence[Para], width: float) -> float:
    """Height of paragraphs stacked in one text frame of inner width `width`."""
    return sum(paragraph_height(p, width, first=(i == 0)) for i, p in enumerate(paras))


def fits_height(paras: Sequence[Para], width: float, height: float) -> bool:
    """Whether the paragraphs stack to at most `height` points: the same sum as `text_height`,
    but measuring no further than the box, so an overflowing long text costs no more than a
    full box."""
    used = 0.0
    for i, para in enumerate(paras):
        room = max(0, int(height // para.line_pt)) + 1  # more lines than this overflow
        lines = break_lines(para.runs, line_width(para, width), limit=room)
        used += len(lines) * para.line_pt + (0.0 if i == 0 else para.space_before)
        if used > height:
            return False
    return True


def part(para: Para, start: Line | None, end: Line | None) -> Para:
    """The paragraph from line `start` (None: its beginning) up to line `end` (None: its end).

    Used for column and slide breaks inside a long paragraph; nothing is dropped: the parts'
    text, joined with spaces, is the original text. Only the first part keeps the bullet and
    the space before.
    """
    if start is None and end is None:
        return para
    runs = para.runs
    a_run, a_off = start.start if start else (0, 0)
    b_run, b_off = end.start if end else (len(runs) - 1, len(runs[-1].text))
    out: list[Run] = []
    for i in range(a_run, b_run + 1):
        text = runs[i].text
        text = text[a_off if i == a_run else 0:b_off if i == b_run else len(text)]
        out.append(_with_text(runs[i], text))
    if end is not None:
        while out and not out[-1].text.strip():
            out.pop()
        if out:
            out[-1] = _with_text(out[-1], out[-1].text.rstrip())
    whole = start is None
    return Para(tuple(r for r in out if r.text), para.line_pt,
                para.space_before if whole else 0.0, para.indent,
                para.bullet if whole else None, para.bullet_color if whole else None,
                para.align, para.rtl, para.origin)


def _with_text(run: Run, text: str) -> Run:
    return Run(text, run.font, run.size, run.bold, run.italic, run.href, run.color, run.rtl)
