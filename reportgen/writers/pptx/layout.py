"""Document -> DeckPlan: which slides, and every text frame measured and fitted.

Fitting rules, the same for every section: try the section's largest body size and step down
(0.5 pt) to the floor (BODY_MIN_PT, 14 pt); count the slides the section needs at the floor and
keep the largest size that needs no more (bisecting, for a section of many slides). A section
that does not fit one slide at the floor continues on "(2 of 3)" slides; long paragraphs break
between lines, tall cards carry on in a "(continued)" card. Text is never cut: every word of
the brief is on some slide, and a section that would need more than MAX_SECTION_SLIDES is
refused at its field instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

from reportgen.bidi_lines import mainly_rtl
from reportgen.brief.loader import KeyPath
from reportgen.brief.markup import Inline, ListBlock, Span, Text, plain
from reportgen.brief.markup import Paragraph as TextParagraph
from reportgen.document.findings import Findings, SectionFindings
from reportgen.document.model import ActorEntry, Document, Section
from reportgen.errors import Diagnostic, RenderError
from reportgen.fonts import script_segments
from reportgen.profile import Profile
from reportgen.writers.pptx.geometry import (
    FOOTERS,
    SLIDE_H,
    SLIDE_W,
    Box,
    Geometry,
    LayoutBoxes,
    builtin_geometry,
    read_geometry,
)
from reportgen.writers.pptx.measure import (
    Line,
    Para,
    Run,
    Words,
    break_lines,
    fits_height,
    line_width,
    part,
    run_width,
    text_height,
    text_width,
)
from reportgen.writers.pptx.model import (
    FIT_TOLERANCE_PT,
    DeckPlan,
    Frame,
    MapDrawing,
    Picture,
    Rect,
    SlidePlan,
    Table,
)

BODY_MAX_PT = 20.0  # cards of actors start here
FLOW_MAX_PT = 24.0  # running text (situation, outlook) starts larger
LEVER_MAX_PT = 22.0
BODY_MIN_PT = 14.0  # the floor for body text: below this a deck is no longer readable
# A section may run to this many slides at the floor size and no further: about 10,000 words
# of running text at a readable measure, far beyond what a briefing is read for. The cap also
# bounds the time and memory a hostile brief can cost (each slide is planned and drawn).
MAX_SECTION_SLIDES = 40
SCAN_UP_TO = 3  # sections of up to this many slides at the floor try every size (see choose)
STEP_PT = 0.5
LINE = 1.28  # line pitch of running text, as a multiple of the size
CARD_GAP = 16.0
MIN_CARD_W = 240.0  # narrower cards (a 4:3 reference deck) go two abreast instead of three
# A card alone or in pairs keeps a readable measure instead of stretching across the slide.
MAX_CARD_W = 560.0
# Running text is one frame whose width gives about this many characters a line (60-90 read
# well); the width follows the size, up to the whole body.
MEASURE_CHARS = 78
MEASURE_SAMPLE = ("The quick brown fox jumps over the lazy dog while officials in the capital "
                  "said the operation would go ahead.")
# The quote slide: the quote in the largest type that fits, at a display measure.
QUOTE_MAX_PT = 40.0
QUOTE_MIN_PT = 20.0
QUOTE_CHARS = 46
# "At a glance": a table of every actor first, from this many actors on.
GLANCE_FROM = 5
TABLE_MAX_PT = 16.0
TABLE_MIN_PT = 12.0
TABLE_INSET = (8.0, 5.0, 8.0, 5.0)
TABLE_COLUMNS = (0.23, 0.27, 0.50)  # name, role line, stance: shares of the width
# A cell holds at most this many lines (name, role, stance): a glance, not the card; longer
# text ends in "…" (the card that follows and the notes give it whole).
TABLE_LINES = (2, 3, 4)
SLACK_PT = 1.0  # frames drawn tight around their text get this much air below the last line
FOOTER_PT = 10.0


At = Callable[[str], Diagnostic]  # a message -> a finding at one field of the brief or profile


def sizes(hi: float, lo: float, step: float = STEP_PT) -> list[float]:
    out, s = [], hi
    while s >= lo - 1e-9:
        out.append(round(s, 2))
        s -= step
    return out


# ---------------------------------------------------------------------------------------------
# Text: the brief's inline model to measured runs and paragraphs


@dataclass(frozen=True)
class Style:
    font: str
    arabic: str
    primary: str
    accent: str
    text: str
    muted: str
    tint: str
    lang: str
    rtl: bool = False  # the document's direction: right to left (an Arabic brief)

    @classmethod
    def of(cls, profile: Profile, lang: str, rtl: bool = False) -> Style:
        c = profile.colors
        return cls(profile.fonts.body, profile.fonts.arabic, c.primary, c.accent, c.text,
                   c.muted, c.tint, lang, rtl)

    def direction(self, runs: Sequence[Run]) -> tuple[bool, str | None]:
        """(right to left, alignment) of a paragraph of these runs: it reads right to left when
        most of its letters are Arabic, or, in a right-to-left document, when it has no letters
        at all (a number, a date in digits); it is set against the side it starts from. A Latin
        paragraph of an Arabic deck (the profile's English disclaimer) reads left to right from
        the left, as an Arabic quote in an English deck reads from the right."""
        if any(r.rtl for r in runs):  # some Arabic: count the letters (once per text)
            rtl = _mainly_rtl("".join(r.text for r in runs))
        else:  # none: no letter scan for a Latin paragraph (a 900,000-letter word was slow)
            rtl = self.rtl and not any(_LETTER.search(r.text) for r in runs)
        return rtl, "r" if rtl else ("l" if self.rtl else None)

    def runs(self, spans: Inline | str, size: float, *, bold: bool = False,
             italic: bool = False, color: str | None = None,
             href: str | None = None) -> tuple[Run, ...]:
        """Runs for text; Arabic-script stretches get the Arabic family and are marked RTL.
        They are never italic: Arabic has no italic (its family's italic is the upright face,
        as the PDF sets it), and a viewer would only slant the letters."""
        if isinstance(spans, str):
            spans = (Span(spans),)
        out: list[Run] = []
        for span in spans:
            for chunk, arabic in _segments(span.text):
                out.append(Run(chunk, self.arabic if arabic else self.font, size,
                               bold or span.bold, (italic or span.italic) and not arabic,
                               span.href or href, color, arabic))
        return tuple(out)

    def para(self, spans: Inline | str, size: float, line: float = LINE, **kw) -> Para:
        run_kw = {k: kw.pop(k) for k in ("bold", "italic", "color", "href") if k in kw}
        runs = self.runs(spans, size, **run_kw)
        rtl, align = self.direction(runs)
        if align and "align" not in kw:
            kw["align"] = align
        return Para(runs, round(size * line, 2), rtl=rtl, **kw)

    def blocks(self, text: Text, size: float, color: str | None = None,
               gap: float = 0.55) -> list[Para]:
        """A rich-text field as paragraphs; list items hang from a bullet or a number."""
        out: list[Para] = []
        for block in text.blocks:
            if isinstance(block, TextParagraph):
                out.append(self.para(block.spans, size, color=color,
                                     space_before=round(size * gap, 2)))
            else:
                out.extend(self.list_items(block, size, color, gap))
        return out

    def list_items(self, block: ListBlock, size: float, color: str | None,
                   gap: float) -> list[Para]:
        indent = round(size * (1.5 if block.ordered else 1.1), 2)
        return [self.para(item, size, color=color, space_before=round(size * gap * 0.7, 2),
                          indent=indent, bullet=f"{n}." if block.ordered else "•",
                          bullet_color=self.accent)
                for n, item in enumerate(block.items, 1)]


# Every size tried sets the same texts again: split each into scripts, and find which way it
# reads, once.
_segments = lru_cache(maxsize=1024)(script_segments)
_mainly_rtl = lru_cache(maxsize=1024)(mainly_rtl)
_LETTER = re.compile(r"[^\W\d_]")


# ---------------------------------------------------------------------------------------------
# Column flow: paragraphs poured into column frames, slide after slide


class NoRoom(Exception):
    """Not one line of a paragraph fits an empty column: the layout's box is too small.
    `item` is the card (actor or lever) the paragraph belongs to, if any."""

    def __init__(self, para: Para, cap: float, item: int | None = None):
        super().__init__(para, cap, item)
        self.para, self.cap, self.item = para, cap, item


class TooManySlides(Exception):
    """A section needs more slides than it may have at the size being tried."""


class Stream:
    """A section's paragraphs poured into columns one after the other. What is not placed yet
    starts at paragraph `i`, at its line `line` (None: at its start); each paragraph's words
    are measured once, however often its rest moves to another column or slide."""

    def __init__(self, paras: Sequence[Para]):
        self.paras = list(paras)
        self.words = [Words(p.runs) for p in self.paras]
        self.i = 0
        self.line: Line | None = None

    @property
    def done(self) -> bool:
        return self.i >= len(self.paras)

    def mark(self) -> tuple[int, Line | None]:
        return self.i, self.line

    def restore(self, mark: tuple[int, Line | None]) -> None:
        self.i, self.line = mark

    def lines(self, width: float, limit: int | None = None) -> list[Line]:
        """Lines of what is left of the current paragraph, set in a frame `width` wide."""
        para = self.paras[self.i]
        return break_lines(self.words[self.i], line_width(para, width), self.line, limit)


def take(s: Stream, cap: float, width: float, must_place: bool) -> list[Para]:
    """Paragraphs from the stream that fit in `cap` points; one may be split between lines.

    A paragraph of four or more lines may split, leaving at least two lines on each side;
    shorter ones move whole. An empty column (`must_place`) takes at least one line. Lines are
    counted only a little beyond the room left, so a long paragraph costs what one column holds.
    """
    taken: list[Para] = []
    used = 0.0
    while not s.done:
        para, start = s.paras[s.i], s.line
        first = not taken
        gap = 0.0 if first else para.space_before
        room = int((cap - used - gap + FIT_TOLERANCE_PT) // para.line_pt)
        # room + 3 lines settle every rule below: with more, the paragraph neither fits nor
        # leaves fewer than two lines behind.
        lines = s.lines(width, limit=max(room, 0) + 3)
        n = len(lines)
        if used + (n * para.line_pt + gap) <= cap + FIT_TOLERANCE_PT:
            taken.append(part(para, start, None))
            used += n * para.line_pt + gap
            s.i, s.line = s.i + 1, None
            continue
        keep = min(room, n - 2) if n >= 4 else 0
        if keep < 2 and first and must_place:
            keep = min(room, n - 1)
            if keep < 1:
                raise NoRoom(para, cap)
        if keep >= 1 and (keep >= 2 or (first and must_place)):
            taken.append(part(para, start, lines[keep]))
            s.line = lines[keep]
        break
    return taken


def flow(paras: Sequence[Para], columns: Sequence[Box], limit: int | None = None
         ) -> list[list[list[Para]]]:
    """Slides of columns of paragraphs. Full slides fill each column in turn; the last slide
    is balanced so its columns end at about the same height. More than `limit` slides raise
    TooManySlides as soon as they are known, without laying out the rest."""
    s = Stream(paras)
    slides: list[list[list[Para]]] = []
    while not s.done:
        start = s.mark()
        cols: list[list[Para]] = []
        for box in columns:
            cols.append(take(s, box.h, box.w, must_place=True))
            if s.done:
                break
        if s.done and len(columns) > 1:
            cols = balance(s, start, columns)
        slides.append(cols)
        if limit is not None and len(slides) > limit:
            raise TooManySlides
    return slides


def balance(s: Stream, start: tuple[int, Line | None], columns: Sequence[Box]
            ) -> list[list[Para]]:
    """The lowest common column height that holds the rest of the stream from `start` (one
    slide's worth): columns end level, and where they cannot, the earlier ones are the longer."""
    width = columns[0].w
    s.restore(start)
    heights, pitches = [], []
    while not s.done:
        para = s.paras[s.i]
        heights.append(len(s.lines(width)) * para.line_pt
                       + (0.0 if not heights else para.space_before))
        pitches.append(para.line_pt)
        s.i, s.line = s.i + 1, None
    total = sum(heights)
    pitch = min(pitches)
    cap = max(pitch, total / len(columns))
    while cap <= max(box.h for box in columns) + pitch:
        s.restore(start)
        cols = []
        for box in columns:
            cols.append(take(s, min(cap, box.h), box.w, must_place=True))
            if s.done:
                break
        if s.done:
            return cols + [[] for _ in range(len(columns) - len(cols))]
        cap += pitch / 4
    raise AssertionError("balance: content of one slide did not fit its own columns")


def even_counts(n: int, k: int) -> list[int]:
    """n items over k parts, the first parts one larger where they cannot be equal."""
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def paginate(paras: Sequence[Para], height: float, width: float, limit: int | None = None
             ) -> list[list[Para]]:
    """Slides of one frame each, holding whole paragraphs (a paragraph or list item is never
    split across frames), divided as evenly as they fit: equal counts where the heights allow,
    else the lowest common height. A paragraph taller than a whole frame at this size is the
    one case that breaks between lines (`flow`)."""
    if not paras:
        return []
    for p in paras:
        if not fits_height((replace(p, space_before=0.0),), width,
                           height + FIT_TOLERANCE_PT):
            return [cols[0] for cols in flow(paras, [Box(0, 0, width, height)], limit)]
    hs = [text_height((replace(p, space_before=0.0),), width) for p in paras]
    gaps = [p.space_before for p in paras]

    acc = [0.0]  # acc[j]: height of paragraphs 0..j-1 with every gap; gaps[i] drops at a top
    for h, g in zip(hs, gaps, strict=True):
        acc.append(acc[-1] + h + g)

    def group_h(i: int, j: int) -> float:
        return acc[j] - acc[i] - gaps[i]

    def greedy(cap: float, limit: int | None = None) -> list[tuple[int, int]]:
        out, i = [], 0
        while i < len(paras):
            j = i + 1
            while j < len(paras) and group_h(i, j + 1) <= cap + FIT_TOLERANCE_PT:
                j += 1
            out.append((i, j))
            if limit is not None and len(out) > limit:
                raise TooManySlides
            i = j
        return out

    groups = greedy(height, limit)
    k = len(groups)
    if k > 1:
        bounds, i = [], 0
        for c in even_counts(len(paras), k):
            bounds.append((i, i + c))
            i += c
        if all(group_h(i, j) <= height + FIT_TOLERANCE_PT for i, j in bounds):
            groups = bounds
        else:  # the lowest cap that still needs only k slides
            lo, hi = max(hs), height
            for _ in range(24):
                mid = (lo + hi) / 2
                if len(greedy(mid)) <= k:
                    hi = mid
                else:
                    lo = mid
            groups = greedy(hi)
    return [list(paras[i:j]) for i, j in groups]


@dataclass(frozen=True)
class Beside:
    """A figure that shares a section's one slide with its text (the map beside the
    situation): the text flows in `column` at `lo` to `hi` pt, and the figure's frames, maps
    and notes go on the slide as they are. `height` is the figure block's height (for the
    slide's fill); `text_right` sets the text against the column's right edge (right-to-left
    documents put the figure on the left)."""

    column: Box
    lo: float
    hi: float
    frames: tuple[Frame, ...]
    maps: tuple[MapDrawing, ...]
    notes: tuple[Para, ...]
    height: float
    text_right: bool = False


# ---------------------------------------------------------------------------------------------
# Cards: one per actor or lever, in a grid; a card taller than the slide continues


@dataclass(frozen=True)
class Card:
    """A card's content at one size: paragraphs, and a label drawn in a side column."""

    paras: tuple[Para, ...]
    head: tuple[Para, ...] = ()  # repeated at the top of a continuation card
    label: Para | None = None  # e.g. the lever's number, set beside the text
    item: int = 0  # which actor or lever: its pieces share it, and the notes follow it
    # The continuation's head when `head` would fill more than half the card (a very long name).
    short_head: tuple[Para, ...] = ()


@dataclass(frozen=True)
class CardStyle:
    inset: tuple[float, float, float, float]
    label_w: float = 0.0
    bar: float = 0.0  # height of the accent bar across the card's top


def card_text_width(width: float, cs: CardStyle) -> float:
    return width - cs.inset[0] - cs.inset[2] - cs.label_w


def card_height(card: Card, width: float, cs: CardStyle) -> float:
    text = text_height(card.paras, card_text_width(width, cs))
    label = text_height((card.label,), cs.label_w) if card.label else 0.0
    return max(text, label) + cs.inset[1] + cs.inset[3]


def card_fits(card: Card, width: float, cs: CardStyle, max_h: float) -> bool:
    # A text taller than the whole region is known without measuring all of it; anything
    # shorter is measured exactly, as the grid measures it.
    if not fits_height(card.paras, card_text_width(width, cs), max_h + FIT_TOLERANCE_PT):
        return False
    return card_height(card, width, cs) <= max_h + FIT_TOLERANCE_PT


def split_card(card: Card, width: float, cs: CardStyle, max_h: float) -> Iterator[Card]:
    if card_fits(card, width, cs, max_h):
        yield card
        return
    inner_w = card_text_width(width, cs)
    inner_h = max_h - cs.inset[1] - cs.inset[3]
    head = card.head
    if head and text_height(head, inner_w) > inner_h / 2:
        head = card.short_head
        if head and text_height(head, inner_w) > inner_h / 2:
            head = ()
    s = Stream(card.paras)
    shown: tuple[Para, ...] = ()
    while not s.done:
        head_h = text_height(shown, inner_w) if shown else 0.0
        rest_gap = s.paras[s.i].space_before if s.line is None else 0.0
        gap = (rest_gap or round(shown[-1].line_pt * 0.3, 2)) if shown else 0.0
        try:
            taken = take(s, inner_h - head_h - gap, inner_w, must_place=True)
        except NoRoom as exc:
            raise NoRoom(exc.para, exc.cap, card.item) from None
        if shown:  # the continuation's first paragraph keeps its gap below the head
            taken[0] = replace(taken[0], space_before=gap)
        yield Card(shown + tuple(taken), card.head, card.label, card.item, card.short_head)
        shown = head


def grid(cards: Iterable[Card], ncols: int, region: Box, cs: CardStyle,
         limit: int | None = None) -> list[list[tuple[float, list[Card]]]]:
    """Slides of rows (row height, cards) in reading order; rows are whole, the tallest card
    sets the height. A card taller than the region continues because it did not fit, so its
    "(continued)" piece opens the next slide, never sitting beside its own first piece. More
    than `limit` slides raise TooManySlides as soon as they are known."""
    width = (region.w - CARD_GAP * (ncols - 1)) / ncols
    slides: list[list[tuple[float, list[Card]]]] = []
    rows: list[tuple[float, list[Card]]] = []
    used = 0.0

    def close_slide() -> None:
        nonlocal rows, used
        slides.append(rows)
        rows, used = [], 0.0
        if limit is not None and len(slides) > limit:
            raise TooManySlides

    def place(row: list[Card]) -> None:
        nonlocal used
        if not row:
            return
        h = max(card_height(c, width, cs) for c in row)
        if h > region.h + FIT_TOLERANCE_PT:  # only when pieces are narrower than they split at
            raise AssertionError("a card piece is taller than the region")
        need = h + (CARD_GAP if rows else 0.0)
        if rows and used + need > region.h + FIT_TOLERANCE_PT:
            close_slide()
            need = h
        rows.append((h, row))
        used += need

    row: list[Card] = []
    for card in cards:
        for k, piece in enumerate(split_card(card, width, cs, region.h)):
            if k or len(row) == ncols:
                place(row)
                row = []
            if k and rows:
                close_slide()
            row.append(piece)
    place(row)
    if rows:
        close_slide()
    return slides


@dataclass(frozen=True)
class CardSlide:
    """One slide of cards: their width, columns, and rows (row height, cards)."""

    width: float
    ncols: int
    rows: list[tuple[float, list[Card]]]


def continuations(slides: list[list[tuple[float, list[Card]]]]) -> int:
    """How many "(continued)" pieces a grid has."""
    items = [card.item for rows in slides for _, row in rows for card in row]
    return len(items) - len(set(items))


def grid_columns(n: int) -> int:
    return {1: 1, 2: 2, 3: 3, 4: 2}.get(n, 3)


# ---------------------------------------------------------------------------------------------
# The deck


class Planner:
    def __init__(self, document: Document, geometry: Geometry):
        self.doc, self.meta, self.labels = document, document.meta, document.labels
        self.lp, self.profile = document.profile, document.look
        self.geo = geometry
        # A right-to-left document is the left-to-right one in a mirror: cards, columns, bars,
        # insets and footers change sides (x becomes width - x - w), text sets from the right.
        self.rtl = document.meta.direction == "rtl"
        self.st = Style.of(document.look, document.meta.language, self.rtl)
        self.slides: list[SlidePlan] = []
        self.found: dict[str, SectionFindings] = {}
        # (brief key, width as a share of the body width) of each figure placed, for reports
        self.figures: list[tuple[KeyPath, float]] = []

    # -- shared pieces ---------------------------------------------------------------------

    def in_brief(self, path: KeyPath) -> At:
        return lambda message: self.doc.diagnostic(path, message)

    def in_profile(self, path: KeyPath) -> At:
        return lambda message: self.lp.diagnostic(path, message)

    def flip(self, x: float, w: float, within: Box | None = None) -> float:
        """Where a shape at `x`, `w` wide in the left-to-right deck goes in this one: mirrored
        in `within` (a frame, the body area), else in the slide."""
        if not self.rtl:
            return x
        lo, hi = (within.x, within.right) if within else (0.0, self.geo.width)
        return round(lo + hi - x - w, 2)

    def side(self, inset: tuple[float, float, float, float]) -> tuple[float, float, float,
                                                                      float]:
        """A frame's insets (left, top, right, bottom), left and right swapped when mirrored."""
        left, top, right, bottom = inset
        return (right, top, left, bottom) if self.rtl else inset

    def logo(self) -> tuple[Rect, Picture] | None:
        """The logo's plate and picture, on the cover's far side from where the text starts:
        top right, or top left in a right-to-left deck."""
        from reportgen.writers.pptx.figures import logo_plate

        logo = logo_plate(self)
        if logo is None or not self.rtl:
            return logo
        plate, picture = logo
        if plate.x + plate.w / 2 < self.geo.width / 2:  # already on the left
            return logo
        return (replace(plate, x=self.flip(plate.x, plate.w)),
                replace(picture, x=self.flip(picture.x, picture.w)))

    def clear(self, box: Box, plate: Rect | None) -> Box:
        """`figures.clear_of` for a plate on either side: a plate on the left is cleared in
        the mirror image, where it is on the right."""
        from reportgen.writers.pptx.figures import clear_of

        if plate is None or plate.x + plate.w / 2 >= self.geo.width / 2:
            return clear_of(box, plate)
        width = self.geo.width
        mirrored = clear_of(Box(width - box.right, box.y, box.w, box.h),
                            replace(plate, x=width - plate.x - plate.w))
        return Box(round(width - mirrored.right, 2), mirrored.y, mirrored.w, mirrored.h)

    def numbered(self, heading: str, n: int, total: int) -> str:
        """A section's slide title: "Actors", or "Actors (2 of 3)" in the brief's language."""
        return heading if total == 1 else self.labels.fill("part_of", heading=heading, n=n,
                                                           total=total)

    def fit_frame(self, what: str, sizes_pt: list[float], build: Callable[[float], Frame],
                  at: At) -> tuple[Frame, float]:
        """The frame at the largest size whose text fits; if none does, an error `at` the
        field whose text it is."""
        frame = None
        for size in sizes_pt:
            frame = build(size)
            if frame.fits:
                return frame, size
        assert frame is not None
        raise RenderError(diagnostics=[at(
            f"the {what} does not fit its box even at {sizes_pt[-1]:g} pt (it needs "
            f"{frame.text_height:.0f} pt, the box has {frame.inner_h:.0f} pt); shorten it, or "
            f"give {reference_name()} a larger placeholder")])

    def title_frame(self, layout: LayoutBoxes, title: str, field: KeyPath) -> Frame:
        """A slide's title; `field` is the brief's key the title comes from."""
        box = layout.get("title") or Box(self.geo.width * 0.05, self.geo.height * 0.05,
                                         self.geo.width * 0.9, self.geo.height * 0.12)
        ph = "title" if layout.get("title") else None
        # Titles stand where the title rule is, whatever their script: on the right of a
        # right-to-left deck.
        align = {"align": "r"} if self.rtl else {}
        return self.fit_frame(f"slide title {_quoted(title)}", sizes(30, 20, 1), lambda s: Frame(
            "title", box.x, box.y, box.w, box.h,
            (self.st.para(title, s, 1.1, bold=True,
                          color=None if ph else self.st.primary, **align),),
            anchor="b", placeholder=ph), self.in_brief(field))[0]

    def footers(self, layout: LayoutBoxes, number: int) -> list[Frame]:
        sx, sy = self.geo.width / SLIDE_W, self.geo.height / SLIDE_H
        start, end = ("r", "l") if self.rtl else ("l", "r")
        texts = {"ftr": (self.meta.short_name, start, True),
                 "dt": (self.meta.date_text, "ctr", False),
                 "sldNum": (str(number), end, False)}
        frames = []
        for key, (text, align, bold) in texts.items():
            box = layout.get(key)
            # The built-in layouts of a right-to-left deck are drawn mirrored already; a
            # reference deck's footers (and the stand-ins for missing ones) change sides here.
            mirror = self.rtl and (box is None or self.geo.reference is not None)
            if box is None:
                f = FOOTERS[key]
                box = Box(f.x * sx, f.y * sy, f.w * sx, f.h * sy)
            if mirror:
                box = Box(self.flip(box.x, box.w), box.y, box.w, box.h)
            ph = key if layout.get(key) else None
            runs = self.st.runs(text, FOOTER_PT, bold=bold, color=None if ph else self.st.muted)
            # An Arabic date ("24 أكتوبر 2017") reads in the right order only in an RTL paragraph.
            para = Para(runs, round(FOOTER_PT * 1.2, 2), align=align,
                        rtl=self.st.direction(runs)[0])
            frames.append(Frame(key, box.x, box.y, box.w, box.h, (para,), anchor="ctr",
                                placeholder=ph, move=mirror and ph is not None))
        return frames

    def add(self, slide: SlidePlan, layout: LayoutBoxes) -> None:
        # The cover names the date and the organisation once, in its own lines: no footers.
        if slide.kind != "title":
            slide.frames.extend(self.footers(layout, len(self.slides) + 1))
        self.slides.append(slide)

    def sources_notes(self) -> list[Para]:
        section = self.doc.section("sources")
        if section is None or not section.sources:
            return []
        out = [self.note(section.heading, bold=True)]
        comma = self.labels["list_separator"]  # "، " in Arabic
        for n, src in enumerate(section.sources, 1):
            runs = self.st.runs(f"{n}. " + comma.join([src.title, *src.details]) + ".", 12)
            if src.url:
                runs += self.st.runs(" ", 12) + self.st.runs(src.url, 12, href=src.url)
            rtl, align = self.st.direction(runs)
            out.append(Para(runs, 14.4, align=align, rtl=rtl))
        return out

    def note(self, text: Inline | str, **kw) -> Para:
        return self.st.para(text, 12, 1.2, **kw)

    def text_notes(self, text: Text) -> list[Para]:
        out = []
        for block in text.blocks:
            if isinstance(block, TextParagraph):
                out.append(self.note(block.spans))
            else:
                for n, item in enumerate(block.items, 1):
                    out.append(self.note((Span(f"{n}. " if block.ordered else "• "), *item)))
        return out

    def slide_notes(self, title: str, shown: Sequence[int], told: set[int],
                    item_notes: Sequence[list[Para]], resumed: Callable[[int], str],
                    last: bool) -> list[Para]:
        """Notes for one slide of a section: the full notes of each item (paragraph, actor,
        lever) that starts on it, a pointer for one carried over from the slide before, and the
        section's sources once, on its last slide. Across the section every item's notes are
        there exactly once; `told` collects the items already given."""
        out = [self.note(title, bold=True)]
        for item in dict.fromkeys(shown):
            if item in told:
                out.append(self.note(resumed(item), italic=True))
            else:
                out += item_notes[item]
                told.add(item)
        if last:
            out += self.sources_notes()
        return out

    def record(self, key: str, size: float, slides: int, continued: int = 0,
               fill: tuple[float, ...] = ()) -> None:
        self.found[key] = SectionFindings(key, type_pt=size, slides=slides, continued=continued,
                                          fill=fill)

    # -- slides ----------------------------------------------------------------------------

    def title_slide(self) -> None:
        meta, st = self.meta, self.st
        layout = self.geo.find("title")
        logo = self.logo()
        plate = logo[0] if logo else None
        given = layout.get("title") or Box(self.geo.width * 0.1, self.geo.height * 0.2,
                                           self.geo.width * 0.8, self.geo.height * 0.35)
        title_box = self.clear(given, plate)
        ph = "title" if layout.get("title") else None
        align = {"align": "r"} if self.rtl else {}
        title, _ = self.fit_frame("title", sizes(40, 24, 1), lambda s: Frame(
            "title", title_box.x, title_box.y, title_box.w, title_box.h,
            (st.para(no_runt(meta.title), s, 1.08, bold=True,
                     color=None if ph else st.primary, **align),),
            anchor="b", placeholder=ph, move=title_box != given), self.in_brief(("title",)))

        given = layout.get("subtitle") or Box(title_box.x, title_box.bottom + 12, title_box.w,
                                              self.geo.height * 0.88 - title_box.bottom - 12)
        sub_box = self.clear(given, plate)
        sub_ph = "subtitle" if layout.get("subtitle") else None
        # The authors as a list of names ("A and B"): the slide sets them beside the date and
        # the organisation, where "By" would read as a sentence.
        by = meta.author if meta.authors else ""
        line = [meta.date_text]
        # The built-in cover prints the organisation in its label above the title; a
        # reference deck's cover may not, so there it stays in this line.
        if self.geo.reference:
            line.append(meta.organisation)
        if by and by != meta.organisation:
            line.insert(0, by)

        def subtitle(s: float) -> Frame:
            small = max(12.0, round(s * 0.8, 1))
            paras = []
            if meta.subtitle:
                paras.append(st.para(meta.subtitle, s, 1.22))
            paras.append(st.para(" · ".join(line), small, 1.3, bold=True,
                                 color=st.accent if sub_ph is None or not self.geo.reference
                                 else None, space_before=round(s * 1.1, 2)))
            return Frame("subtitle", sub_box.x, sub_box.y, sub_box.w, sub_box.h, tuple(paras),
                         placeholder=sub_ph, move=sub_box != given)

        # The subtitle frame holds the subtitle, the authors and the profile's name: an
        # overflow is blamed on the longest of them.
        texts = [(len(meta.subtitle or ""), self.in_brief(("subtitle",))),
                 (len(by), self.in_brief(("authors",))),
                 (len(meta.organisation), self.in_profile(("name",)))]
        at = max(texts, key=lambda t: t[0])[1]
        sub, _ = self.fit_frame("subtitle", sizes(22, 14), subtitle, at)
        notes = [self.note(meta.title, bold=True)]
        if meta.subtitle:
            notes.append(self.note(meta.subtitle))
        notes.append(self.note(" · ".join(line)))
        summary = self.doc.section("summary")
        if summary is not None and summary.text is not None:
            notes.append(self.note(summary.heading, bold=True))
            notes += self.text_notes(summary.text)
        self.add(SlidePlan("title", "title", meta.title, layout.name, [title, sub],
                           shapes=[logo[0]] if logo else [], notes=notes,
                           pictures=[logo[1]] if logo else []), layout)

    def measure(self, size: float) -> float:
        """The frame width that sets running text at about MEASURE_CHARS a line."""
        per_char = text_width(MEASURE_SAMPLE, self.st.font, size) / len(MEASURE_SAMPLE)
        return per_char * MEASURE_CHARS

    def section_paras(self, section: Section, kind: str = "flow"
                      ) -> Callable[[float], list[Para]]:
        """A section's running text as paragraphs at a size."""
        text = section.text
        assert text is not None
        color = self.st.primary if kind == "panel" else self.st.text
        # Breaks between paragraphs show: a line of space rather than a hairline.
        gap = 0.55 if kind == "panel" else 0.85
        return lambda size: self.st.blocks(text, size, color, gap)

    def flow_section(self, section: Section, hi: float, kind: str = "flow",
                     beside: Beside | None = None) -> None:
        key, heading, text = section.key, section.heading, section.text
        assert text is not None
        # text_notes gives one note per paragraph or list item, as blocks gives one Para.
        item_notes = [[para] for para in self.text_notes(text)]
        self.flow_slides(key, heading, self.section_paras(section, kind), item_notes, hi, kind,
                         (key,), beside)

    def flow_slides(self, key: str, heading: str, make: Callable[[float], list[Para]],
                    item_notes: list[list[Para]], hi: float, kind: str, field: KeyPath,
                    beside: Beside | None = None) -> None:
        """A section of paragraphs on slides of one text frame each: the largest size whose
        slide count is the floor's, whole paragraphs divided evenly over the slides, and each
        frame drawn tight around its text and centred in the body area. With a figure
        `beside` (checked to leave the text one slide at `beside.lo`), the text flows in the
        column beside it."""
        layout = self.geo.find("content")
        box = layout.get("body") or self.geo.content_region()
        column = beside.column if beside else box
        ph = "body" if layout.get("body") else None
        # The panel's accent bar stands in its left inset (the right one, mirrored).
        inset = (0.0, 0.0, 0.0, 0.0) if kind != "panel" else self.side((26.0, 20.0, 24.0, 20.0))
        inner_h = box.h - inset[1] - inset[3]

        def width(size: float) -> float:
            full = column.w - inset[0] - inset[2]
            return full if kind == "panel" else min(full, self.measure(size))

        def pages(size: float, limit: int) -> list[list[Para]]:
            paras = [replace(p, origin=i) for i, p in enumerate(make(size))]
            return paginate(paras, inner_h, width(size), limit)

        with self.placing(heading, layout, lambda item: field):
            size, slides = self.choose(sizes(min(hi, beside.hi), beside.lo) if beside
                                       else sizes(hi, BODY_MIN_PT), pages)
        assert beside is None or len(slides) == 1, "a figure beside text that needs two slides"
        labels = self.labels

        def resumed(i: int) -> str:
            words = item_notes[i][0].text.split()
            start = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
            return labels.fill("continued_from",
                               name=labels["quote_open"] + start + labels["quote_close"])

        told: set[int] = set()
        fills = []
        w = width(size)
        for n, col in enumerate(slides, 1):
            title = self.numbered(heading, n, len(slides))
            frames = [self.title_frame(layout, title, field)]
            shapes: list[Rect] = []
            h = min(box.h, text_height(col, w) + inset[1] + inset[3] + SLACK_PT)
            y = box.y + (box.h - h) / 2
            fills.append(round(max(h, beside.height if beside else 0.0) / box.h, 3))
            frame_w = w + inset[0] + inset[2]
            # Against the side the text starts from: the right in a right-to-left deck (and
            # beside a figure placed on the left).
            right = self.rtl or (beside is not None and beside.text_right)
            x = column.right - frame_w if right else column.x
            frames.append(Frame("body", x, y, frame_w, h, tuple(col), inset,
                                placeholder=ph, move=True,
                                fill=self.st.tint if kind == "panel" else None))
            if kind == "panel":
                shapes.append(Rect(self.flip(x, 6, Box(x, y, frame_w, h)), y, 6, h,
                                   self.st.accent))
            shown = [p.origin for p in col if p.origin is not None]
            last = n == len(slides) and key != "sources"  # sources: not twice in the notes
            notes = self.slide_notes(title, shown, told, item_notes, resumed, last)
            maps: list[MapDrawing] = []
            if beside:
                frames += beside.frames
                maps += beside.maps
                notes += beside.notes
            slide = SlidePlan("bottom_line" if kind == "panel" else kind, key, title,
                              layout.name, frames, shapes, notes=notes, maps=maps)
            self.add(slide, layout)
        self.record(key, size, len(slides), fill=tuple(fills))

    def choose(self, sizes_pt: list[float], pages: Callable[[float, int], list],
               breaks: Callable[[list], int] = lambda slides: 0) -> tuple[float, list]:
        """The largest size needing no more slides, and no more `breaks` (cards cut into a
        "(continued)" piece), than the floor size does.

        The floor may take MAX_SECTION_SLIDES; a larger size gives up as soon as it needs more
        slides than the floor. A section of a few slides tries every size from the largest
        down: the slide count is not quite monotone in the size (a paragraph splits only with
        two lines on each side). A longer one, where each attempt lays out many slides,
        bisects as if it were: the size found needs no more than the floor, and is the largest
        such size but for rare ties.
        """
        floor = pages(sizes_pt[-1], MAX_SECTION_SLIDES)

        def attempt(size: float) -> list | None:
            try:
                slides = pages(size, len(floor))
            except TooManySlides:
                return None
            return slides if breaks(slides) <= breaks(floor) else None

        if len(floor) <= SCAN_UP_TO:
            for size in sizes_pt[:-1]:
                if (slides := attempt(size)) is not None:
                    return size, slides
            return sizes_pt[-1], floor
        good, bad, best = len(sizes_pt) - 1, -1, floor  # indices into sizes_pt
        while good - bad > 1:
            mid = (good + bad) // 2
            if (slides := attempt(sizes_pt[mid])) is not None:
                good, best = mid, slides
            else:
                bad = mid
        return sizes_pt[good], best

    @contextmanager
    def placing(self, heading: str, layout: LayoutBoxes,
                field: Callable[[int | None], KeyPath]) -> Iterator[None]:
        """The flow's and the grid's refusals as errors at the brief's field: `field` gives the
        key of an item (a card's actor or lever), or of the whole section for None."""
        try:
            yield
        except TooManySlides:
            path, words = self.longest(field(None))
            raise RenderError(diagnostics=[self.doc.diagnostic(path, (
                f"the section “{heading}” needs more than {MAX_SECTION_SLIDES} slides even at "
                f"{BODY_MIN_PT:g} pt, more than a briefing deck can hold; shorten it (this "
                f"field has {words:,} word{'' if words == 1 else 's'})"))]) from None
        except NoRoom as exc:
            path, _ = self.longest(field(exc.item))
            where = self.geo.reference or "the built-in deck"
            raise RenderError(diagnostics=[self.doc.diagnostic(path, (
                f"a line of {exc.para.line_pt:g} pt does not fit the {max(exc.cap, 0):.0f} pt "
                f"that the {heading} slides leave for it in layout '{layout.name}' of {where}; "
                f"give {reference_name()} taller placeholders"))]) from None

    def longest(self, prefix: KeyPath) -> tuple[KeyPath, int]:
        """The field to blame for text under `prefix`, and its number of words: the longest
        text field if it holds at least half of the text, else `prefix` itself (many short
        items are too many together, not each)."""
        found = [(path, len(text.split())) for path, text in text_fields(self.doc)
                 if path[:len(prefix)] == prefix]
        total = sum(words for _, words in found)
        path, words = max(found, key=lambda pw: pw[1], default=(prefix, 0))
        return (path, words) if 2 * words >= total else (prefix, total)

    def cards_section(self, section: Section, make: Callable[[float], Iterable[Card]],
                      cs: CardStyle, item_notes: list[list[Para]], resumed: Callable[[int], str],
                      hi: float, item_key: Callable[[int | None], KeyPath],
                      title_key: KeyPath) -> None:
        key, heading = section.key, section.heading
        layout = self.geo.find("cards")
        region = self.geo.content_region()
        fit_across = max(1, int((region.w + CARD_GAP) // (MIN_CARD_W + CARD_GAP)))
        n_items = len(item_notes)

        def arrange(group: list[Card]) -> CardSlide | None:
            """One slide's cards in rows at a readable width, or None if they do not fit."""
            ncols = min(grid_columns(len(group)), fit_across)
            width = min(MAX_CARD_W, (region.w - CARD_GAP * (ncols - 1)) / ncols)
            rows, used = [], 0.0
            for r in range(0, len(group), ncols):
                row = group[r:r + ncols]
                if not all(card_fits(c, width, cs, region.h) for c in row):
                    return None
                h = max(card_height(c, width, cs) for c in row)
                used += h + (CARD_GAP if rows else 0.0)
                if used > region.h + FIT_TOLERANCE_PT:
                    return None
                rows.append((h, row))
            return CardSlide(width, ncols, rows)

        def pages(size: float, limit: int) -> list[CardSlide]:
            cards = list(make(size))
            # Even parts first (8 actors: 4 + 4): the fewest slides whose even split fits.
            for k in range(1, n_items + 1):
                if k > limit:
                    raise TooManySlides
                out, start = [], 0
                for c in even_counts(n_items, k):
                    placed = arrange(cards[start:start + c])
                    if placed is None:
                        break
                    out.append(placed)
                    start += c
                else:
                    return out
            # A card taller than a slide even alone: the grid carries it on in a piece.
            ncols = min(grid_columns(n_items), fit_across)
            width = (region.w - CARD_GAP * (ncols - 1)) / ncols
            return [CardSlide(width, ncols, rows)
                    for rows in grid(cards, ncols, region, cs, limit)]

        def breaks(slides: list[CardSlide]) -> int:
            return continuations([s.rows for s in slides])

        with self.placing(heading, layout, item_key):
            size, slides = self.choose(sizes(hi, BODY_MIN_PT), pages, breaks)
        told: set[int] = set()
        fills = []
        for n, cslide in enumerate(slides, 1):
            title = self.numbered(heading, n, len(slides))
            frames = [self.title_frame(layout, title, title_key)]
            shapes: list[Rect] = []
            width = cslide.width
            total = sum(h for h, _ in cslide.rows) + CARD_GAP * (len(cslide.rows) - 1)
            fills.append(round(min(1.0, total / region.h), 3))
            y = region.y + (region.h - total) / 2
            for h, row in cslide.rows:
                # The group is centred; a short last row is centred under the others.
                row_w = len(row) * width + CARD_GAP * (len(row) - 1)
                x0 = region.x + (region.w - row_w) / 2
                for c, card in enumerate(row):
                    # Mirrored, the first card is on the right and its label (the lever's
                    # number) on its right edge.
                    x = self.flip(x0 + c * (width + CARD_GAP), width, region)
                    card_box = Box(x, y, width, h)
                    shapes.append(Rect(x, y, width, h, self.st.tint))
                    if cs.bar:
                        shapes.append(Rect(x, y, width, cs.bar, self.st.accent))
                    if card.label:
                        label_w = cs.inset[0] + cs.label_w
                        frames.append(Frame("label", self.flip(x, label_w, card_box), y, label_w,
                                            h, (card.label,),
                                            self.side((cs.inset[0], cs.inset[1], 0,
                                                       cs.inset[3]))))
                    frames.append(Frame("card", self.flip(x + cs.label_w, width - cs.label_w,
                                                          card_box), y, width - cs.label_w, h,
                                        card.paras, self.side(cs.inset)))
                y += h + CARD_GAP
            shown = [card.item for _, row in cslide.rows for card in row]
            notes = self.slide_notes(title, shown, told, item_notes, resumed, n == len(slides))
            self.add(SlidePlan("cards", key, title, layout.name, frames, shapes, notes=notes),
                     layout)
        self.record(key, size, len(slides), breaks(slides), fill=tuple(fills))

    def actor_card(self, actor: ActorEntry, size: float, item: int) -> Card:
        st = self.st
        small = max(12.0, round(size * 0.85, 1))
        name = st.para(actor.name, round(size * 1.12, 1), 1.18, bold=True, color=st.primary,
                       href=actor.url)
        head = [name]
        if actor.role_line:
            head.append(st.para(actor.role_line, small, 1.25, color=st.muted,
                                space_before=round(size * 0.1, 2)))
        body: list[Para] = []
        if actor.stance:
            body += st.blocks(actor.stance, size, color=st.text, gap=0.5)
        if actor.quote:
            quote = (Span(actor.quote_open), *actor.quote, Span(actor.quote_close))
            body.append(st.para(quote, size, LINE, italic=True, color=st.primary,
                                space_before=round(size * 0.6, 2)))
            if actor.attribution:
                body.append(st.para(actor.attribution, small, 1.25, color=st.muted,
                                    space_before=round(size * 0.2, 2)))
        if body:
            body[0] = replace(body[0], space_before=round(size * 0.55, 2))
        # "(continued)" alone heads a piece whose name is too long to repeat.
        cont, short = (st.para(text, round(size * 1.12, 1), 1.18, bold=True, color=st.primary)
                       for text in (self.labels.fill("continued", name=actor.name),
                                    self.labels["continued_alone"]))
        return Card(tuple(head + body), (cont,), item=item, short_head=(short,))

    def actor_notes(self, actor: ActorEntry) -> list[Para]:
        """An actor's notes in the Document's wording: name, role line, stance, and the quote
        in the language's marks followed by its attribution."""
        notes = [self.note(actor.name, bold=True, href=actor.url)]
        if actor.role_line:
            notes.append(self.note(actor.role_line))
        if actor.stance:
            notes += self.text_notes(actor.stance)
        if actor.quote:
            notes.append(self.note((Span(actor.quote_open), *actor.quote,
                                    Span(actor.quote_close))))
            if actor.attribution:
                notes.append(self.note(actor.attribution))
        return notes

    def actors(self, section: Section) -> None:
        cs = CardStyle((16.0, 18.0, 16.0, 14.0), bar=4.0)
        actors = section.actors
        item_notes = [self.actor_notes(a) for a in actors]
        glance = self.at_a_glance(section) if len(actors) >= GLANCE_FROM else ()
        self.cards_section(
            section, lambda s: (self.actor_card(a, s, i) for i, a in enumerate(actors)), cs,
            item_notes, lambda i: self.labels.fill("continued_from", name=actors[i].name),
            BODY_MAX_PT, lambda i: ("actors",) if i is None else ("actors", actors[i].index),
            ("actors",))
        if glance:  # the table's slides belong to the section: counted, their fill reported
            cards = self.found[section.key]
            self.found[section.key] = replace(cards, slides=cards.slides + len(glance),
                                              fill=tuple(glance) + cards.fill)
        self.quote_slide(section)

    # -- at a glance: one table row per actor --------------------------------------------

    def clipped(self, text: str, size: float, width: float, lines: int, **kw
                ) -> tuple[Para, bool]:
        """A table cell's paragraph, cut at a word with "…" if it needs more than `lines`;
        and whether it was cut."""
        para = self.st.para(text, size, 1.2, **kw)
        room = lines * para.line_pt + FIT_TOLERANCE_PT
        if fits_height((para,), width, room):
            return para, False
        words = text.split()
        lo, hi = 0, len(words)  # lo words (with "…") fit; hi do not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fits_height((self.st.para(" ".join(words[:mid]) + " …", size, 1.2, **kw),),
                           width, room):
                lo = mid
            else:
                hi = mid
        return self.st.para(" ".join(words[:lo]).rstrip(",;:") + "…", size, 1.2, **kw), True

    def at_a_glance(self, section: Section) -> list[float]:
        """Name, role line and stance of every actor in a native table, before the cards; the
        rows divided evenly over as few slides as hold them at a readable size. Returns each
        slide's fill."""
        st, labels, actors = self.st, self.labels, section.actors
        layout = self.geo.find("content")
        region = self.geo.content_region()
        widths = tuple(round(region.w * share, 2) for share in TABLE_COLUMNS)
        inner = [w - TABLE_INSET[0] - TABLE_INSET[2] for w in widths]
        pad = TABLE_INSET[1] + TABLE_INSET[3]
        stances = [plain(a.stance.blocks[0].spans) if a.stance and a.stance.blocks
                   and isinstance(a.stance.blocks[0], TextParagraph)
                   else (a.stance.plain.split("\n")[0] if a.stance else "") for a in actors]

        def header(size: float) -> tuple[tuple[Para, ...], ...]:
            return tuple((st.para(labels[k], size, 1.2, bold=True, color="#FFFFFF"),)
                         for k in ("table_name", "table_role", "table_stance"))

        def row(i: int, size: float) -> tuple[tuple[tuple[Para, ...], ...], int]:
            """The row's cells, and how many of them had to be cut."""
            a = actors[i]
            texts = (a.name, a.role_line, stances[i])
            looks = ({"bold": True, "color": st.primary, "href": a.url},
                     {"color": st.muted}, {"color": st.text})
            cells = [self.clipped(t, size, inner[c], TABLE_LINES[c], **looks[c]) if t else None
                     for c, t in enumerate(texts)]
            return (tuple((c[0],) if c else () for c in cells),
                    sum(1 for c in cells if c and c[1]))

        def height(cells: tuple[tuple[Para, ...], ...]) -> float:
            return round(max(text_height(p, inner[c]) if p else 0.0
                             for c, p in enumerate(cells)) + pad + SLACK_PT, 2)

        def pages(size: float, limit: int) -> list[list[tuple]]:
            head = header(size)
            made = [row(i, size) for i in range(len(actors))]
            rows = [cells for cells, _ in made]
            hs = [height(r) for r in rows]
            room = region.h - height(head) + FIT_TOLERANCE_PT
            for k in range(1, len(actors) + 1):
                if k > limit:
                    raise TooManySlides
                out, start = [], 0
                for c in even_counts(len(actors), k):
                    if sum(hs[start:start + c]) > room:
                        break
                    out.append([(head, height(head))]
                               + [(rows[j], hs[j]) for j in range(start, start + c)])
                    start += c
                else:
                    parts = _Parts(out)
                    parts.cuts = sum(cut for _, cut in made)
                    return parts
            raise TooManySlides  # a row taller than the slide: cannot happen with clipped cells

        heading = labels.fill("at_a_glance", heading=section.heading)
        with self.placing(section.heading, layout, lambda i: ("actors",)):
            # No larger size that cuts more cells than the smallest does: whole text first.
            _, slides = self.choose(sizes(TABLE_MAX_PT, TABLE_MIN_PT), pages,
                                    lambda parts: parts.cuts)
        fills = []
        for n, part_rows in enumerate(slides, 1):
            title = self.numbered(heading, n, len(slides))
            heights = tuple(h for _, h in part_rows)
            total = sum(heights)
            rows = tuple(cells for cells, _ in part_rows)
            # Right to left, the name's column is on the right. The columns are written in
            # the order they show: LibreOffice 7.4 ignores a:tblPr/@rtl.
            order = slice(None, None, -1 if self.rtl else 1)
            table = Table(region.x, round(region.y + (region.h - total) / 2, 2), widths[order],
                          heights, tuple(cells[order] for cells in rows), TABLE_INSET,
                          st.primary, st.tint, "#FFFFFF")
            fills.append(round(min(1.0, total / region.h), 3))
            notes = [self.note(title, bold=True)]
            for cells, _ in part_rows[1:]:
                notes.append(self.note(" · ".join(p[0].text for p in cells if p)))
            self.add(SlidePlan("table", section.key, title, layout.name,
                               [self.title_frame(layout, title, ("actors",))], tables=[table],
                               notes=notes), layout)
        return fills

    # -- the quote slide ---------------------------------------------------------------

    def quote_slide(self, section: Section) -> None:
        """The featured actor's quote (else the first actor's with one) on a slide of its own,
        in the largest type that fits, the attribution below.

        The slide's title is the actor's name: the eye learns who speaks before reading the
        words, the layout's title and rule stay meaningful (without a title the rule under it
        is left orphaned), and the outline and screen readers name the slide. The attribution
        under the quote then gives the role line and the source, without the name twice. A
        quote that does not fit even at QUOTE_MIN_PT keeps to its card."""
        actors = section.actors
        actor = (next((a for a in actors if a.featured and a.quote), None)
                 or next((a for a in actors if a.quote), None))
        if actor is None or actor.quote is None:
            return
        st = self.st
        layout = self.geo.find("content")
        box = self.geo.content_region()
        # the accent rule sits in the left inset (the right one, mirrored)
        inset = self.side((28.0, 6.0, 0.0, 6.0))
        quote = (Span(actor.quote_open), *actor.quote, Span(actor.quote_close))

        def paras(size: float) -> tuple[Para, ...]:
            small = max(14.0, round(size * 0.5, 1))
            out = [st.para(quote, size, 1.16, color=st.primary)]
            after = [t for t in (actor.role_line, actor.attribution) if t]
            for k, text in enumerate(after):
                out.append(st.para(text, small, 1.25, color=st.muted,
                                   space_before=round(size * 0.7 if k == 0 else small * 0.3,
                                                      2)))
            return tuple(out)

        def frame(size: float) -> Frame:
            per_char = text_width(MEASURE_SAMPLE, st.font, size) / len(MEASURE_SAMPLE)
            w = min(box.w, per_char * QUOTE_CHARS + inset[0])
            ps = paras(size)
            # A short quote: the frame only as wide as its longest line, so the block (rule,
            # quote, attribution) centres as a group instead of hugging the left.
            widest = max(sum(run_width(r) for r in p.runs) for p in ps) + 2.0
            w = min(w, widest + inset[0] + inset[2])
            return Frame("quote", box.x + (box.w - w) / 2, box.y, w, box.h, ps, inset)

        chosen = next((f for f in map(frame, sizes(QUOTE_MAX_PT, QUOTE_MIN_PT, 1)) if f.fits),
                      None)
        if chosen is None:
            return
        h = min(box.h, chosen.text_height + inset[1] + inset[3] + SLACK_PT)
        y = box.y + (box.h - h) / 2
        chosen = replace(chosen, y=y, h=h)
        try:
            title = self.title_frame(layout, actor.name, ("actors", actor.index, "name"))
        except RenderError:  # a name too long for a title: the section's heading instead
            title = self.title_frame(layout, section.heading, ("actors",))
        # The notes say what the slide shows, in the same words.
        notes = [self.note(actor.name, bold=True, href=actor.url), self.note(quote)]
        notes += [self.note(t) for t in (actor.role_line, actor.attribution) if t]
        # A slide of its own, like the sources: its own key in the plan and the findings.
        self.add(SlidePlan("quote", "quote", actor.name, layout.name, [title, chosen],
                           [Rect(self.flip(chosen.x, 6.0, Box(chosen.x, y, chosen.w, h)), y,
                                 6.0, h, st.accent)], notes=notes), layout)
        self.record("quote", chosen.paras[0].runs[0].size, 1, fill=(round(h / box.h, 3),))

    def leverage(self, section: Section) -> None:
        st = self.st
        cs = CardStyle((18.0, 16.0, 18.0, 16.0), label_w=40.0)
        points = [item for block in section.blocks if isinstance(block, ListBlock)
                  for item in block.items]

        def cards(size: float) -> Iterator[Card]:
            for n, point in enumerate(points, 1):
                para = st.para(point, size, color=st.text, space_before=round(size * 0.4, 2))
                label = st.para(str(n), round(size * 1.6, 1), 1.0, bold=True, color=st.accent)
                yield Card((para,), (), label, n - 1)

        item_notes: list[list[Para]] = []
        for n, point in enumerate(points, 1):
            note = self.note(point)
            item_notes.append([replace(note, runs=self.st.runs(f"{n}. ", 12) + note.runs)])
        self.cards_section(section, cards, cs, item_notes,
                           lambda i: self.labels.fill(
                               "continued_from", name=self.labels.fill("point", n=i + 1)),
                           LEVER_MAX_PT,
                           lambda i: ("leverage", "points") + (() if i is None else (i,)),
                           ("leverage", "holder"))

    def sources_slides(self) -> None:
        """The sources as a numbered list with working links, before the closing slide (they
        stay in the notes of each section's last slide too, for the presenter)."""
        section = self.doc.section("sources")
        if section is None or not section.sources:
            return
        st, sources = self.st, section.sources
        comma = self.labels["list_separator"]  # "، " in Arabic

        def make(size: float) -> list[Para]:
            small = round(size * 0.55, 2)
            out = []
            for n, src in enumerate(sources, 1):
                runs = st.runs(src.title, size, italic=True)
                if src.details:
                    runs += st.runs(comma + comma.join(src.details), size)
                runs += st.runs(".", size)
                if src.url:
                    runs += st.runs(" ", size) + st.runs(src.url, size, href=src.url,
                                                          color=st.primary)
                rtl, align = st.direction(runs)
                out.append(Para(runs, round(size * LINE, 2), space_before=small,
                                indent=round(size * 1.5, 2), bullet=f"{n}.",
                                bullet_color=st.accent, rtl=rtl, align=align))
            return out

        notes = [[self.note(comma.join([src.title, *src.details])
                            + (f" ({src.url})" if src.url else ""))] for src in sources]
        self.flow_slides("sources", section.heading, make, notes, 20.0, "sources",
                         ("sources",))

    def closing(self) -> None:
        closing, st, url = self.doc.closing, self.st, self.profile.url
        layout = self.geo.find("closing")
        logo = self.logo()
        plate = logo[0] if logo else None
        given = layout.get("title") or self.geo.content_region()
        title_box = self.clear(given, plate)
        align = {"align": "r"} if self.rtl else {}  # where the title rule is
        frames = [self.fit_frame("closing title", sizes(36, 20, 1), lambda s: Frame(
            "title", *_xywh(title_box),
            (st.para(self.meta.organisation, s, 1.1, bold=True, **align),), anchor="b",
            placeholder="title" if layout.get("title") else None, move=title_box != given),
            self.in_profile(("name",)))[0]]
        given = layout.get("body") or self.geo.content_region()
        body_box = self.clear(given, plate)
        # The built-in closing slide is dark: its links take the accent colour. A reference
        # deck's links keep its theme's hyperlink colour.
        link = None if self.geo.reference else st.accent

        def body(s: float) -> Frame:
            paras = [st.para(closing.disclaimer, s, 1.32)]
            donor = (st.runs(closing.donor_before, s)
                     + st.runs(closing.donor_link_text, s, href=closing.donor_url, color=link)
                     + st.runs(closing.donor_after, s)
                     # The address itself, after "click here", for a printed deck (as the PDF).
                     + st.runs(" ", s) + st.runs(closing.donor_url, s, href=closing.donor_url,
                                                 color=link))
            rtl, align = st.direction(donor)
            paras.append(Para(donor, round(s * 1.32, 2), space_before=round(s * 0.9, 2),
                              align=align, rtl=rtl))
            if url:
                paras.append(st.para(url.removeprefix("https://").removeprefix("http://")
                                     .rstrip("/"), s, 1.32, bold=True, href=url, color=link,
                                     space_before=round(s * 0.9, 2)))
            return Frame("body", *_xywh(body_box), tuple(paras),
                         placeholder="body" if layout.get("body") else None,
                         move=body_box != given)

        texts = [(len(closing.disclaimer), ("disclaimer",)),
                 (len(closing.donor_note), ("donor_note", "text")), (len(url or ""), ("url",))]
        at = self.in_profile(max(texts, key=lambda t: t[0])[1])
        frame, _ = self.fit_frame("disclaimer and donor note", sizes(18, 11), body, at)
        frames.append(frame)
        notes = [self.note(closing.disclaimer),
                 self.note(closing.donor_note + f" ({closing.donor_url})")]
        notes += self.sources_notes()
        self.add(SlidePlan("closing", "closing", self.meta.organisation, layout.name, frames,
                           shapes=[logo[0]] if logo else [], notes=notes,
                           pictures=[logo[1]] if logo else []), layout)

    def build(self) -> list[SlidePlan]:
        # figures.py plans on top of this class: imported here, where both are complete.
        from reportgen.writers.pptx import figures

        self.title_slide()
        for section in self.doc.sections:
            if section.key == "summary":
                self.flow_section(section, 28.0, kind="panel")
                figures.key_figures_slide(self)
            elif section.key == "situation":
                figures.situation_and_figures(self, section)
            elif section.key == "outlook":
                self.flow_section(section, FLOW_MAX_PT)
            elif section.key == "actors":
                self.actors(section)
            elif section.key == "leverage":
                self.leverage(section)
        self.sources_slides()
        self.closing()
        return self.slides


class _Parts(list):
    """A table's slides, with how many cells were cut to their line limit at this size."""

    cuts = 0


def no_runt(text: str) -> str:
    """The last two words joined by a no-break space, so a headline never ends on one word
    alone (a short second-last word only: two long words together could not wrap at all)."""
    head, sep, last = text.rstrip().rpartition(" ")
    if not sep or " " not in head.strip() or len(last) + len(head.rpartition(" ")[2]) > 24:
        return text
    return head + "\u00a0" + last


def _xywh(box: Box) -> tuple[float, float, float, float]:
    return box.x, box.y, box.w, box.h


def _quoted(text: str, most: int = 60) -> str:
    """A text for a message: quoted, and cut short if it is long."""
    return f"'{text}'" if len(text) <= most else f"'{text[:most].rstrip()}…'"


def text_fields(document: Document) -> Iterator[tuple[KeyPath, str]]:
    """(key path in the brief, printed text) of each field a deck section sets, to name the
    field an overflow comes from."""
    for section in document.sections:
        if section.text is not None:
            yield (section.key,), section.text.plain
        for actor in section.actors:
            at = ("actors", actor.index)
            yield (*at, "name"), actor.name
            yield (*at, "role"), actor.role_line
            if actor.stance:
                yield (*at, "stance"), actor.stance.plain
            if actor.quote:
                yield (*at, "quote"), plain(actor.quote)
            if actor.quote_source:
                yield (*at, "quote_source"), actor.quote_source
        if section.key == "leverage":
            items = [item for block in section.blocks if isinstance(block, ListBlock)
                     for item in block.items]
            yield from ((("leverage", "points", i), plain(item)) for i, item in enumerate(items))


def reference_name() -> str:
    """The profile's reference deck's file name, as the writer registry gives it."""
    from reportgen.writers import get_writer

    name = get_writer("pptx").reference
    assert name is not None  # the deck takes a reference file
    return name


def deck_geometry(document: Document) -> Geometry:
    ref = document.profile.reference(reference_name())
    return read_geometry(ref) if ref else builtin_geometry(document.meta.direction == "rtl")


def plan_deck(document: Document) -> DeckPlan:
    """The deck's slides, every frame measured and fitted, and the findings of the fitting."""
    from reportgen.writers.pptx.measure import LINE_BREAKS

    LINE_BREAKS.clear()  # a deck's own paragraphs: nothing another brief measured
    geometry = deck_geometry(document)
    planner = Planner(document, geometry)
    slides = planner.build()
    findings = Findings("pptx", slides=len(slides), sections=tuple(planner.found.values()),
                        figures=tuple(planner.figures))
    return DeckPlan(slides, geometry, document.meta, findings)
