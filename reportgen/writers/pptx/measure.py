"""Text measurement for the deck: widths from the real TrueType advances, greedy line breaking.

The same static TTF files the PDF embeds (`reportgen.fonts.family`) give each glyph's advance.
Widths ignore kerning (it only ever tightens Latin text) and lines break only at ordinary spaces,
never at hyphens or dashes: a renderer with more break opportunities and tighter spacing can only
need fewer lines than we count, so a box that fits here fits in PowerPoint and LibreOffice. Line
heights are exact (the deck sets `spcPts` line spacing), so a frame's text height is simply
lines x line pitch plus the space between paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from reportgen.fonts import family

# Plan lines as if the text were this much wider than the font's advances say: covers renderer
# rounding, hinting and justification differences, and small metric differences of a
# substitute font, while keeping planned line breaks close to what viewers show.
WIDTH_SAFETY = 1.04

# A space directly before closing punctuation is not a break opportunity in UAX #14
# (LibreOffice uses ICU), so it must not be one here either.
_NO_BREAK_BEFORE = set(")]}!?,.;:%»›”’")
_SPACES = re.compile(r"[ \t\n]+")


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
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            self.upm = font["head"].unitsPerEm
            hmtx = font["hmtx"]
            cmap = font.getBestCmap()
            self.advances = {code: hmtx[name][0] for code, name in cmap.items()}
            self.fallback = hmtx[".notdef"][0] if ".notdef" in hmtx.metrics else self.upm // 2

    @lru_cache(maxsize=65536)  # noqa: B019 - faces live for the process; the cache is the point
    def units(self, text: str) -> int:
        adv = self.advances
        return sum(adv.get(ord(ch), self.fallback) for ch in text)


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
# Line breaking


@dataclass(frozen=True)
class Piece:
    """A slice of one run: part of a word, or the spaces after a word."""

    run: int
    start: int
    end: int
    width: float
    space: bool


@dataclass(frozen=True)
class Line:
    start: tuple[int, int]  # (run index, offset) where the line's first word starts
    width: float


def _pieces(runs: Sequence[Run]) -> list[Piece]:
    out: list[Piece] = []
    for i, run in enumerate(runs):
        pos = 0
        for m in _SPACES.finditer(run.text):
            if m.start() > pos:
                out.append(Piece(i, pos, m.start(), run_width(run, run.text[pos:m.start()]),
                                 False))
            out.append(Piece(i, m.start(), m.end(), run_width(run, " " * (m.end() - m.start())),
                             True))
            pos = m.end()
        if pos < len(run.text):
            out.append(Piece(i, pos, len(run.text), run_width(run, run.text[pos:]), False))
    return out


def _words(runs: Sequence[Run]) -> list[tuple[list[Piece], float]]:
    """Group pieces into unbreakable words, each (pieces, trailing space width)."""
    pieces = _pieces(runs)
    words: list[tuple[list[Piece], float]] = []
    current: list[Piece] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if p.space:
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            glue = nxt is not None and current and \
                runs[nxt.run].text[nxt.start] in _NO_BREAK_BEFORE
            if glue:  # keep "word !" together; the space counts as part of the word
                current.append(Piece(p.run, p.start, p.end, p.width, False))
            else:
                words.append((current, p.width))
                current = []
        else:
            current.append(p)
        i += 1
    if current:
        words.append((current, 0.0))
    return [(w, s) for w, s in words if w]


def break_lines(runs: Sequence[Run], width: float) -> list[Line]:
    """Greedy lines for a paragraph set in `width` points; an empty paragraph is one line."""
    lines: list[Line] = []
    cur_start: tuple[int, int] | None = None
    cur_w = 0.0
    pending = 0.0
    for pieces, space_after in _words(runs):
        word_w = sum(p.width for p in pieces)
        if cur_start is not None and cur_w + pending + word_w <= width:
            cur_w += pending + word_w
        else:
            if cur_start is not None:
                lines.append(Line(cur_start, cur_w))
            if word_w <= width:
                cur_start, cur_w = (pieces[0].run, pieces[0].start), word_w
            else:  # a word wider than the line: renderers break it between characters
                chunks = _split_long_word(runs, pieces, width)
                lines.extend(chunks[:-1])
                cur_start, cur_w = chunks[-1].start, chunks[-1].width
        pending = space_after
    if cur_start is not None:
        lines.append(Line(cur_start, cur_w))
    return lines or [Line((0, 0), 0.0)]


def _split_long_word(runs: Sequence[Run], pieces: list[Piece], width: float) -> list[Line]:
    lines: list[Line] = []
    start: tuple[int, int] | None = None
    w = 0.0
    for p in pieces:
        run = runs[p.run]
        for k in range(p.start, p.end):
            cw = run_width(run, run.text[k])
            if start is not None and w + cw > width:
                lines.append(Line(start, w))
                start, w = None, 0.0
            if start is None:
                start = (p.run, k)
            w += cw
    assert start is not None
    lines.append(Line(start, w))
    return lines


def paragraph_lines(para: Para, width: float) -> list[Line]:
    return break_lines(para.runs, max(1.0, width - para.indent))


def paragraph_height(para: Para, width: float, first: bool = False) -> float:
    return len(paragraph_lines(para, width)) * para.line_pt + (0.0 if first else
                                                               para.space_before)


def text_height(paras: Sequence[Para], width: float) -> float:
    """Height of paragraphs stacked in one text frame of inner width `width`."""
    return sum(paragraph_height(p, width, first=(i == 0)) for i, p in enumerate(paras))


def split_paragraph(para: Para, width: float, keep_lines: int) -> tuple[Para, Para]:
    """Cut a paragraph after `keep_lines` measured lines; the rest loses its bullet.

    Used for column and slide breaks inside a long paragraph; nothing is dropped: the two
    halves' text, joined with a space, is the original text.
    """
    lines = paragraph_lines(para, width)
    if not 0 < keep_lines < len(lines):
        raise ValueError(f"cannot keep {keep_lines} of {len(lines)} lines")
    run_i, offset = lines[keep_lines].start
    head = list(para.runs[:run_i])
    tail = list(para.runs[run_i + 1:])
    cut = para.runs[run_i]
    if offset:
        head.append(_with_text(cut, cut.text[:offset].rstrip()))
    tail.insert(0, _with_text(cut, cut.text[offset:]))
    while head and not head[-1].text.strip():
        head.pop()
    if head:
        head[-1] = _with_text(head[-1], head[-1].text.rstrip())
    first = Para(tuple(r for r in head if r.text), para.line_pt, para.space_before, para.indent,
                 para.bullet, para.bullet_color, para.align, para.rtl, para.origin)
    rest = Para(tuple(r for r in tail if r.text), para.line_pt, 0.0, para.indent, None, None,
                para.align, para.rtl, para.origin)
    return first, rest


def _with_text(run: Run, text: str) -> Run:
    return Run(text, run.font, run.size, run.bold, run.italic, run.href, run.color, run.rtl)
