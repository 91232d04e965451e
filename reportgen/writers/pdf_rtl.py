"""Paragraphs of the one-pager with Arabic in them: broken into lines in logical order, then
each line put in display order (`reportgen.bidi_lines`) and drawn piece by piece.

ReportLab's own right-to-left support needs rlbidi, which is not on the package registries, and
without it ReportLab sets Arabic left to right, a run at a time. So the one-pager's paragraph
class (`Para`) parses ReportLab's markup as usual (fonts, bold, colours, links); a paragraph
without Arabic is then set by ReportLab, and one with Arabic is set here:

- its words are measured with their shaped advances (HarfBuzz, through ReportLab's
  `shapeStr`: joining forms, lam-alef, marks placed by the font's GPOS) and lines are filled
  greedily in logical order;
- each line is reordered by the bidi algorithm, from the paragraph's base direction: right to
  left for any paragraph with Arabic in a right-to-left document and for a mainly Arabic one
  (a quote) in a left-to-right document, set against the right; left to right for an English
  paragraph with an Arabic name or phrase, which then wraps in the right order too;
- every piece drawn carries its characters as `/ActualText`, in the order they stand on the
  page (as the glyphs of any Arabic PDF do), so a reader's text extraction, which runs the bidi
  algorithm over them, gets the words as typed rather than joining-form glyph codes.

Such a paragraph splits between lines like ReportLab's, with the same rule against a single
line left at a column's foot or top (the styles here set allowOrphans=allowWidows=0).
"""

from __future__ import annotations

import copy
import unicodedata
import weakref
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from types import SimpleNamespace

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from reportgen.bidi_lines import mainly_rtl, visual_pieces
from reportgen.fonts import has_arabic, is_arabic
from reportgen.kept import Kept
from reportgen.writers.pdf_tags import BODY, Group, box_of, tagger_of, utf16

# python-bidi puts a right-to-left run in visual order but does not mirror its brackets
# (Unicode's Bidi_Mirrored): "(تابع)" came out as ")تابع(". Also used for a right-to-left piece
# with no Arabic letter (brackets, quote marks between Arabic words), which is not shaped (the
# shaper would mirror it in an Arabic run).
MIRRORED = str.maketrans("()[]{}«»‹›<>", ")(][}{»«›‹><")


def canvas_piece(piece: str, font: str) -> str:
    """An Arabic right-to-left piece of a line drawn on the canvas rather than set as a
    paragraph (a place name on the map, a key figure's number): shaped by HarfBuzz, as a
    paragraph's are (joining forms, lam-alef, marks placed by the font), its glyphs in display
    order, with `actual`: its characters in that order, for /ActualText (`piece_width` and
    `pdf_figures.draw_runs` take it)."""
    shaped = _shaped(piece, font, SHAPING_PT)
    if getattr(shaped, "__shapeData__", None) is None:  # nothing to shape after all
        shaped = ShapedText(piece[::-1].translate(MIRRORED))
    shaped.actual = piece[::-1]
    return shaped


class ShapedText(str):
    """A piece drawn as it is (no glyph positions), with room for `actual`."""

    actual: str


SHAPING_PT = 10.0  # HarfBuzz is asked at one size: its advances are per 1000 em whatever it


def piece_width(text: str, font: str, size: float) -> float:
    """The advance of a piece `canvas_piece` or plain text made, at `size` points."""
    data = getattr(text, "__shapeData__", None)
    if data is not None:
        return sum(d.x_advance for d in data) * size / 1000.0
    return pdfmetrics.stringWidth(text, font, size)


def has_arabic_letter(text: str) -> bool:
    """Arabic letters or marks: what must be shaped (not Arabic-Indic digits or punctuation,
    which keep their own forms and, as numbers, run left to right)."""
    return any(is_arabic(ch) and unicodedata.category(ch)[0] in "LM" for ch in text)


def is_rtl(plain: str, direction: str) -> bool:
    """Does a paragraph with this text read right to left in a document of `direction`?"""
    return has_arabic(plain) and (direction == "rtl" or mainly_rtl(plain))


@lru_cache(maxsize=16384)
def _shaped(text: str, font: str, size: float):
    from reportlab.pdfbase.ttfonts import shapeStr

    return shapeStr(text, font, size)


def _shaped_width(shaped, size: float) -> float:
    data = getattr(shaped, "__shapeData__", None)
    if data is None:  # nothing changed in shaping: plain advances
        return None
    return sum(d.x_advance for d in data) * size / 1000.0


@dataclass(frozen=True, slots=True)
class _Glyphs:
    """One piece of a line as it is drawn: what to draw, in which font, how wide."""

    text: str  # a ShapedStr for a shaped Arabic piece
    font: str
    size: float
    width: float
    frag: object
    shown: str  # the characters in display order (a right-to-left piece reversed)


def glyphs_of(text: str, frag, rtl: bool) -> _Glyphs:
    """`text` (logical order) of one frag, at one bidi level, ready to draw left to right."""
    font, size = frag.fontName, frag.fontSize
    shown = text[::-1] if rtl else text
    if has_arabic_letter(text) and getattr(pdfmetrics.getFont(font), "shapable", False):
        shaped = _shaped(text, font, size)
        width = _shaped_width(shaped, size)
        if width is not None:
            return _Glyphs(shaped, font, size, width, frag, shown)
        text = text[::-1] if rtl else text
    elif rtl:  # neutrals and Latin letters at an odd level: reversed, brackets mirrored
        text = text[::-1].translate(MIRRORED)
    return _Glyphs(text, font, size, pdfmetrics.stringWidth(text, font, size), frag, shown)


def _width(text: str, frag) -> float:
    """The advance of `text` set in `frag`'s font (shaped when it has Arabic letters)."""
    return _advance(text, frag.fontName, frag.fontSize) if text else 0.0


@lru_cache(maxsize=65536)
def _advance(text: str, font: str, size: float) -> float:
    # the fit search sets the same words at the same sizes many times over
    return glyphs_of(text, SimpleNamespace(fontName=font, fontSize=size), rtl=False).width


_PARTS = count()  # numbers shared by the parts of a split paragraph


@dataclass
class _Line:
    start: int  # offsets into the paragraph's logical text, trailing spaces left out
    end: int


class ParsedMarkup(Kept[tuple]):
    """ReportLab's parse of paragraph markup, kept per (markup, style) so the one-pager's fit
    search, which sets the same paragraphs at the same size up to twenty times (spacing and
    picture widths vary, the text does not), parses each once: the parse (an HTML parser over
    the markup) was a fifth of a one-pager's time.

    Bounded: at most `size` entries, the least recently used dropped first. Every paragraph
    gets its own copies of the frags (ReportLab sets attributes on them while breaking and
    splitting lines), so no paragraph sees another's changes. A style is keyed by what the
    parser reads of it (font, size, colour, text transform, the bullet's font, size, colour).
    Markup longer than MAX_CACHED_MARKUP characters is parsed every time, so the cache holds
    at most `size` x that (about 2 MB of text, 20 MB with its frags)."""

    def __init__(self, size: int = 512) -> None:
        super().__init__(size)

    @staticmethod
    def _key(text: str, style) -> tuple:
        return (text, *style_keys(style)[0])

    def parse(self, text: str, style, cleaner, key: tuple | None = None):
        """(cleaned text, frags, bullet frags) of `text` in `style`, as ReportLab's Paragraph
        would parse them; None when the markup changes the style (a `<para>` tag with
        attributes: not kept, parsed by ReportLab as usual). `key`: `_key(text, style)`, if
        the caller has it already."""
        if len(text) > MAX_CACHED_MARKUP:  # kept small: the bound is on memory, not count
            return None
        key = key or self._key(text, style)
        entry = self.get(key)
        if entry is None:
            cleaned = cleaner(text)
            parser = ParaParser()
            parser.caseSensitive = 1
            parsed_style, frags, bullet = parser.parse(cleaned, style)
            if frags is None or parsed_style is not style:
                return None
            textTransformFrags(frags, style)
            entry = self.put(key, (cleaned, frags, bullet))
        cleaned, frags, bullet = entry
        return cleaned, _copies(frags), _copies(bullet) if bullet else bullet


MAX_CACHED_MARKUP = 4_000  # characters: a long paragraph of a brief is about 1,500
MAX_HEIGHT = 0x7FFFFFFF  # ReportLab's own "unbounded" height


def _copies(frags: list) -> list:
    out = []
    for f in frags:
        c = f.clone()
        if isinstance(getattr(f, "link", None), list):
            c.link = list(f.link)
        out.append(c)
    return out


PARSED = ParsedMarkup()


class LineHeights(Kept[float]):
    """The height ReportLab's line breaking gives a paragraph at a width, kept per (markup,
    what of the style breaking reads, width), so the fit search measures each paragraph once
    per width: it wraps about 1,000 paragraphs a brief, only about 150 of them distinct (the
    spacing and the pictures' width change between attempts, most of the text's widths do
    not), and breaking lines was over half of a one-pager's time.

    Only the height is kept, never ReportLab's lines: they are objects that splitting a
    paragraph changes (it appends spaces to words), so a paragraph measured from here breaks
    its own lines, once, when something needs them (a split, drawing; see `Para.blPara`).
    Bounded: at most `size` entries, least recently used dropped first; keys hold markup of
    at most MAX_CACHED_MARKUP characters."""

    def __init__(self, size: int = 4096) -> None:
        super().__init__(size)


HEIGHTS = LineHeights()
# What ReportLab's Paragraph.wrap and breakLines read of a style besides what the parse reads
# (ParsedMarkup._key): with the markup and the width, they decide the lines.
_BREAKING = ("leading", "leftIndent", "rightIndent", "firstLineIndent", "bulletIndent",
             "wordWrap", "splitLongWords", "hyphenationLang", "hyphenationMinWordLength",
             "embeddedHyphenation", "uriWasteReduce", "justifyBreaks", "spaceShrinkage",
             "endDots", "autoLeading", "shaping")


def _breaking_key(parse_key: tuple, breaking: tuple, bullet) -> tuple | None:
    """The key in HEIGHTS of markup parsed under `parse_key`, set in a style that breaks
    lines by `breaking` (`style_keys(style)[1]`), with `bullet`."""
    if bullet is not None and not isinstance(bullet, str):
        return None  # a bullet of frags: not worth a key
    return (parse_key, bullet, *breaking)


_STYLE_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def style_keys(style) -> tuple[tuple, tuple]:
    """(what the parser reads of `style`, what line breaking reads besides), as the keys of
    PARSED and HEIGHTS: worked out once per style object, not once per paragraph (the reprs
    of its colours and sixteen attributes cost more than the look-up they key). Held weakly,
    so kept no longer than the style; styles are made anew for each type size and never
    changed once made (a variant is a new ParagraphStyle with the old one as its parent)."""
    keys = _STYLE_KEYS.get(style)
    if keys is None:
        keys = _STYLE_KEYS[style] = (
            (style.fontName, style.fontSize, repr(style.textColor), style.textTransform,
             style.bulletFontName, style.bulletFontSize,
             repr(getattr(style, "bulletColor", None))),
            tuple(repr(getattr(style, name, None)) for name in _BREAKING))
    return keys


class Para(Paragraph):
    """ReportLab's Paragraph, right to left when its text says so (see the module's docstring).
    `style.direction` ("ltr" or "rtl") is the document's direction.

    In a tagged PDF (`pdf_tags`) it is one marked-content sequence: `role` is its structure
    type (None: an artifact, such as a heading repeated at a column's top), `group` the
    elements it sits in (a list item, a quotation), `order` where the structure puts it."""

    role: str | None = "P"
    group: Group = ()
    order: int = BODY
    part_of: int | None = None  # once split: the number its parts share (one element)
    _breaking: tuple | None = None  # its key in HEIGHTS (None: measured by breaking lines)
    _lines_for: float | None = None  # measured from HEIGHTS at this width, lines not broken
    _bl = None

    def __init__(self, text, style=None, *args, **kwargs):
        super().__init__(text, style, *args, **kwargs)
        self._lines: list[_Line] | None = None
        self._for_width: float | None = None
        self._space_before: float | None = None
        self._space_after: float | None = None
        plain = "".join(getattr(f, "text", "") for f in self.frags)
        split_from = kwargs.get("frags") is not None or (len(args) >= 2 and args[1] is not None)
        direction = getattr(self.style, "direction", "ltr")
        # Any paragraph with Arabic is broken into lines here, then reordered line by line;
        # `rtl` is its base direction (right to left: set against the right).
        self.bidi = not split_from and has_arabic(plain)
        self.rtl = self.bidi and is_rtl(plain, direction)
        # the language of a paragraph that reads against the document's direction: an
        # Arabic quote in an English document, the English disclaimer in an Arabic one
        self.lang = ("ar" if self.rtl and direction != "rtl" else
                     "en" if direction == "rtl" and plain.strip() and not has_arabic(plain)
                     else None)
        self._range: tuple[int, int] | None = None  # a part's characters, once split
        if self.bidi:
            self._logical()

    def _setup(self, text, style, bulletText, frags, cleaner):
        if frags is not None or not self.caseSensitive:
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        parsing, breaking = style_keys(style)
        key = (text, *parsing)  # PARSED._key(text, style)
        parsed = PARSED.parse(text, style, cleaner, key)
        if parsed is None:
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        cleaned, frags, bullet = parsed
        super()._setup(cleaned, style, bullet or bulletText, frags, cleaner)
        if not getattr(style, "autoLeading", ""):
            self._breaking = _breaking_key(key, breaking, self.bulletText)

    # -- the logical text ---------------------------------------------------------------------

    def _logical(self) -> None:
        """The paragraph as one string in logical order, with the frag of every character
        (a forced line break is a newline)."""
        chars, owner = [], []
        for f in self.frags:
            text = "\n" if getattr(f, "lineBreak", False) else getattr(f, "text", "")
            chars.append(text)
            owner += [f] * len(text)
        self._text = "".join(chars)
        self._owner = owner

    def _runs(self, start: int, end: int):
        """(a, b, frag): the stretches of start:end set in one frag."""
        a = start
        for i in range(start + 1, end + 1):
            if i == end or self._owner[i] is not self._owner[a]:
                yield a, i, self._owner[a]
                a = i

    def _word_width(self, start: int, end: int) -> float:
        return sum(_width(self._text[a:b], f) for a, b, f in self._runs(start, end))

    def ink(self) -> float:
        """The width of all the words side by side, spaces left out (for a lower bound on the
        paragraph's height)."""
        if not self.bidi:
            raise AttributeError("ink")
        return sum(self._word_width(a, b) for a, b in self._words())

    def _words(self) -> list[tuple[int, int]]:
        """(start, end) of each word, of the part's own range once split."""
        text = self._text
        i, stop = self._range or (0, len(text))
        words = []
        while i < stop:
            if text[i] in " \n":
                i += 1
                continue
            j = i
            while j < len(text) and text[j] not in " \n":
                j += 1
            words.append((i, j))
            i = j
        return words

    # -- line breaking ------------------------------------------------------------------------

    def _indents(self) -> tuple[float, float]:
        """(left, right) margins inside the frame: right to left, the style's start indent
        is on the right."""
        if self.rtl:
            return self.style.rightIndent, self.style.leftIndent
        return self.style.leftIndent, self.style.rightIndent

    def _break(self, width: float) -> list[_Line]:
        text = self._text
        lines: list[_Line] = []
        start = end = None
        used = 0.0
        for a, b in self._words():
            forced = start is not None and "\n" in text[end:a]
            w = self._word_width(a, b)
            if start is not None and not forced:
                gap = self._word_width(end, a)  # the spaces between, in their own font
                if used + gap + w <= width + 1e-6:
                    end, used = b, used + gap + w
                    continue
            if start is not None:
                lines.append(_Line(start, end))
            if w > width:  # a word longer than the line (an address): cut where it must
                *whole, (a, _) = self._cut(a, b, width)
                lines += [_Line(a2, b2) for a2, b2 in whole]
                w = self._word_width(a, b)
            start, end, used = a, b, w
        if start is not None:
            lines.append(_Line(start, end))
        return lines

    def _cut(self, a: int, b: int, width: float) -> list[tuple[int, int]]:
        parts, s = [], a
        while s < b:
            e = s + 1
            while e < b and self._word_width(s, e + 1) <= width:
                e += 1
            parts.append((s, e))
            s = e
        return parts

    # -- the Flowable protocol ----------------------------------------------------------------

    @property
    def blPara(self):
        """ReportLab's lines; broken now if the height came from HEIGHTS."""
        if self._bl is None and self._lines_for is not None:
            width, self._lines_for = self._lines_for, None
            Paragraph.wrap(self, width, MAX_HEIGHT)
        if self._bl is None:
            raise AttributeError("blPara")  # not wrapped yet: ReportLab asks with hasattr
        return self._bl

    @blPara.setter
    def blPara(self, value):
        self._bl = value

    @blPara.deleter
    def blPara(self):
        self._bl = self._lines_for = None

    def wrap(self, availWidth, availHeight):
        if not self.bidi:
            if self._breaking is None or availWidth < 1e-8:
                return super().wrap(availWidth, availHeight)
            key = (self._breaking, availWidth)
            height = HEIGHTS.get(key)
            if height is None:
                self._lines_for = None
                width, height = super().wrap(availWidth, availHeight)
                HEIGHTS.put(key, height)
                return width, height
            self.width, self.height = availWidth, height
            self._bl, self._lines_for = None, availWidth
            return availWidth, height
        left, right = self._indents()
        if self._lines is None or self._for_width != availWidth:
            self._lines = self._break(availWidth - left - right)
            self._for_width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        self.blPara = SimpleNamespace(lines=self._lines, kind=1)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        if not self.bidi:
            parts = super().split(availWidth, availHeight)
            whole = self._whole()
            for part in parts:  # ReportLab rebuilds them from frags: keep their place
                if part is not self and isinstance(part, Para):
                    part.role, part.group, part.order = self.role, self.group, self.order
                    part.lang, part.part_of = self.lang, whole
            return parts
        self.wrap(availWidth, availHeight)
        total = len(self._lines)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= total:
            return [self]
        if not self.style.allowWidows and total - fit < 2:
            fit = total - 2
        if fit < (1 if self.style.allowOrphans else 2):
            return []
        whole = self._whole()
        return [self._part(self._lines[:fit], True, whole),
                self._part(self._lines[fit:], False, whole)]

    def _whole(self) -> int:
        """The number the parts of this paragraph share, once it is split."""
        return self.part_of if self.part_of is not None else next(_PARTS)

    def _part(self, lines: list[_Line], first: bool, whole: int) -> Para:
        part = copy.copy(self)
        part.part_of = whole
        part._lines = lines
        # set into a frame of another width, a part breaks its own text again, not the whole
        part._range = (lines[0].start, lines[-1].end)
        part.height = len(lines) * self.style.leading
        part.blPara = SimpleNamespace(lines=lines, kind=1)
        if first:
            part._space_after = 0.0
        else:
            part._space_before = 0.0
        return part

    def getSpaceBefore(self):
        return self._space_before if self._space_before is not None else super().getSpaceBefore()

    def getSpaceAfter(self):
        return self._space_after if self._space_after is not None else super().getSpaceAfter()

    def minWidth(self):
        if not self.bidi:
            return super().minWidth()
        return max((self._word_width(a, b) for a, b in self._words()), default=0.0)

    def tagged(self, role: str | None = "P", group: Group = (), order: int = BODY) -> Para:
        """This paragraph with its place in the structure tree."""
        self.role, self.group, self.order = role, group, order
        return self

    def draw(self):
        tagger = tagger_of(self.canv)
        if tagger is not None:
            if self.role is None:
                tagger.artifact(self.canv)
            else:
                tagger.begin(self.canv, self.role, box_of(self.canv, self.width, self.height),
                             self.group, lang=self.lang, order=self.order,
                             part_of=self.part_of)
        if self.bidi:
            self._draw_lines()
        else:
            super().draw()
        if tagger is not None:
            tagger.end(self.canv)

    def _draw_lines(self):
        canvas = self.canv
        left, right = self._indents()
        measure = self.width - left - right
        align = self.style.alignment
        y = self.height - max((f.fontSize for f in self.frags), default=self.style.fontSize)
        for line in self._lines:
            pieces = self.line_glyphs(line)
            used = sum(p.width for p in pieces)
            # The start of a right-to-left line is its right: a style's left becomes right.
            # TA_JUSTIFY is set ragged, against the start.
            if align == TA_CENTER:
                x = left + (measure - used) / 2
            elif (align == TA_RIGHT) != self.rtl:  # against the right
                x = left + measure - used
            else:
                x = left
            for p in pieces:
                # The piece's characters in the order they stand on the page, as in any
                # PDF of Arabic text (Word's, LibreOffice's): a reader's text extraction runs
                # the bidi algorithm over them and gets the typed order back. The glyphs alone
                # would not do: a joining form or a lam-alef has no character of its own.
                lang = "/Lang (ar) " if not self.rtl and has_arabic_letter(p.shown) else ""
                canvas._code.append(f"/Span <<{lang}/ActualText {utf16(p.shown)}>> BDC")
                self._draw_piece(canvas, p, x, y)
                canvas._code.append("EMC")
                x += p.width
            y -= self.style.leading

    def line_glyphs(self, line: _Line) -> list[_Glyphs]:
        """The line's pieces in display order, left to right."""
        text = self._text[line.start:line.end].replace("\n", " ")
        owner = self._owner[line.start:line.end]
        cuts = [i for i in range(1, len(text)) if owner[i] is not owner[i - 1]]
        return [glyphs_of(text[p.start:p.end], owner[p.start], p.rtl)
                for p in visual_pieces(text, self.rtl, cuts)]

    @staticmethod
    def _draw_piece(canvas, p: _Glyphs, x: float, y: float) -> None:
        frag = p.frag
        canvas.setFillColor(frag.textColor)
        canvas.setFont(p.font, p.size)
        canvas.drawString(x, y + getattr(frag, "rise", 0), p.text)
        url = next((u for *_, u in getattr(frag, "link", None) or () if isinstance(u, str)),
                   None)
        if getattr(frag, "us_lines", None) and p.text.strip():
            canvas.saveState()
            canvas.setStrokeColor(frag.textColor)
            canvas.setLineWidth(max(0.4, p.size * 0.05))
            canvas.line(x, y - p.size * 0.125, x + p.width, y - p.size * 0.125)
            canvas.restoreState()
        if url and p.text.strip():
            canvas.linkURL(url, (x, y - p.size * 0.25, x + p.width, y + p.size * 0.85),
                           relative=1, thickness=0)


