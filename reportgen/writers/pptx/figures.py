"""The deck's pictures, planned in points with the deck's own text measure: a key-figures slide
after the bottom line, the locator map beside the situation (when the situation still fits one
slide beside it at a readable size) or on a slide of its own after it, a slide per image, and
the logo on the cover and the closing slide. `output.py` draws what is planned here.

Every word on these slides comes from the Document (values, labels, captions, notes, alt text);
nothing is cut or shrunk below a readable size, and every block is centred in the body area
like the text slides'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.errors import RenderError
from reportgen.figures.labels import place_labels
from reportgen.writers.colour import RULE_GREY, map_palette
from reportgen.writers.pptx.geometry import GUTTER, Box
from reportgen.writers.pptx.layout import (
    FLOW_MAX_PT,
    MEASURE_CHARS,
    SLACK_PT,
    Beside,
    TooManySlides,
    no_runt,
    paginate,
    sizes,
)
from reportgen.writers.pptx.measure import Para, break_lines, run_width, text_height
from reportgen.writers.pptx.model import (
    FIT_TOLERANCE_PT,
    Frame,
    MapDrawing,
    Picture,
    Rect,
    SlidePlan,
)

if TYPE_CHECKING:
    from reportgen.document.model import ImageFigure, KeyFigureEntry, MapFigure, Section
    from reportgen.writers.pptx.layout import Planner

# Key figures: the values as large as the widest lets every one stand on one line, all at one
# size, never below VALUE_MIN_PT (a number read from the back of a room); labels under them in
# at most LABEL_LINES lines of body type; the source in small muted type.
VALUE_MAX_PT = 88.0
VALUE_MIN_PT = 40.0
VALUE_STEP_PT = 2.0
VALUE_LINE = 1.15
LABEL_MAX_PT = 22.0
LABEL_MIN_PT = 14.0
LABEL_LINES = 3
# Labels keep at least this share of the values' size: a huge number over a tiny label reads
# as a poster, not a finding; the values step down before the labels shrink past it.
LABEL_RATIO = 0.22
LABEL_MEASURE = 400.0  # a lone figure's label stays a caption, not a banner across the slide
SOURCE_PT = 12.0
CELL_GAP = 48.0  # between figures in a row; a hairline stands in its middle
ROW_GAP = 40.0
# Arrangements of 1-4 figures, rows of how many each: one strip first; two rows when the
# strip's cells are too narrow for the values or the labels.
ARRANGEMENTS = {1: ((1,),), 2: ((2,), (1, 1)), 3: ((3,), (2, 1)), 4: ((4,), (2, 2))}

# The map: beside the situation at most this share of the body width (the larger first: the
# map shrinks before the text leaves its slide), only while the situation still fits one slide
# beside it at BESIDE_MIN_PT or more; running text smaller than that beside a picture reads as
# a squeeze, and the map then takes a slide of its own.
MAP_SHARES = (0.45, 0.40, 0.35)
BESIDE_MIN_PT = 18.0
# ... and while the column beside it holds this many characters a line at the size set (a
# narrower column reads as a newspaper's, not a slide's).
BESIDE_CHARS = 45
MAP_GAP = 8.0  # between the map and its caption
CAPTION_PT = 12.0
NOTE_PT = 10.0
PLACE_PT = 12.0  # place names on the map
DOT_R = 4.0
# Names sit on small white plates: legible on the country's dark fill and on the pale sea
# alike, and drawn the same by PowerPoint and LibreOffice (a text glow is not).
CHIP_PAD = (3.0, 1.0)  # left/right, top/bottom inside the plate
# place_labels reserves a box this many points high per point of its `size` (its ascent and
# descent); it is asked for boxes as high as the plates, so the plate drawn is the box kept
# clear of the other names and dots, never larger.
LABEL_BOX_HEIGHT = 0.94

# Images: as large as the body area allows, aspect kept, never shown larger than 2 pt a pixel
# (a small picture blown up to the whole slide only shows its pixels).
MAX_PT_PER_PIXEL = 2.0
CREDIT_PT = 12.0
UNDER_CAPTION_PT = 16.0
UNDER_GAP = 8.0

# The logo: small, top right, on a white plate (the built-in cover and closing slides are the
# primary colour; a logo drawn for white paper would vanish on them).
LOGO_H = 28.0
LOGO_W = 120.0
LOGO_PAD = 7.0
LOGO_TOP = 45.0 / 540.0  # of the slide's height: level with the built-in cover's label
LOGO_CLEAR = 16.0  # the least room between the plate and a text frame beside it


# ---------------------------------------------------------------------------------------------
# Key figures


@dataclass(frozen=True)
class Strip:
    """The key figures at one arrangement: rows of cells, each cell's paragraphs."""

    rows: tuple[int, ...]
    cell_w: float
    frame_w: float
    value_pt: float
    label_pt: float
    cells: tuple[tuple[Para, ...], ...]
    heights: tuple[float, ...]  # each row's

    @property
    def height(self) -> float:
        return sum(self.heights) + ROW_GAP * (len(self.rows) - 1)


def _strip(p: Planner, rows: tuple[int, ...], region: Box) -> Strip | None:
    """The key figures in these rows at the largest value size that keeps every value on one
    line and the whole within the body area, labels at the largest size that sets each in at
    most LABEL_LINES lines; None when nothing fits."""
    st, entries = p.st, p.doc.key_figures
    across = max(rows)
    cell_w = (region.w - CELL_GAP * (across - 1)) / across

    def value_w(size: float) -> float:
        return max(sum(run_width(r) for r in st.runs(e.value, size, bold=True))
                   for e in entries)

    def cell(e: KeyFigureEntry, value_pt: float, label_pt: float) -> tuple[Para, ...]:
        paras = [st.para(e.value, value_pt, VALUE_LINE, bold=True, color=st.primary,
                         align="ctr"),
                 st.para(e.label, label_pt, 1.25, color=st.text, align="ctr",
                         space_before=round(value_pt * 0.2, 2))]
        if e.source_text:
            paras.append(st.para(e.source_text, SOURCE_PT, 1.25, color=st.muted, align="ctr",
                                 space_before=round(label_pt * 0.6, 2)))
        return tuple(paras)

    for value_pt in sizes(VALUE_MAX_PT, VALUE_MIN_PT, VALUE_STEP_PT):
        if value_w(value_pt) + 2.0 > cell_w:
            continue
        frame_w = min(cell_w, max(LABEL_MEASURE, value_w(value_pt) + 2.0))
        least = max(LABEL_MIN_PT, float(round(value_pt * LABEL_RATIO)))
        for label_pt in sizes(LABEL_MAX_PT, least, 1.0):
            cells = tuple(cell(e, value_pt, label_pt) for e in entries)
            if any(len(break_lines(c[1].runs, frame_w)) > LABEL_LINES for c in cells):
                continue
            heights, start = [], 0
            for count in rows:
                heights.append(round(max(text_height(c, frame_w)
                                         for c in cells[start:start + count]) + SLACK_PT, 2))
                start += count
            strip = Strip(rows, cell_w, frame_w, value_pt, label_pt, cells, tuple(heights))
            if strip.height <= region.h + FIT_TOLERANCE_PT:
                return strip
    return None


def _cell_frames(x: float, y: float, w: float, h: float, cell: tuple[Para, ...]
                 ) -> list[Frame]:
    """A key figure as two frames: the value alone in one, a single line that the deck
    writes unwrapped (a viewer whose metrics differ a little must not break a number), and
    under it the label and source, where the label's space before becomes the gap between the
    frames (a frame's first paragraph has none). Together they take the cell's planned box."""
    value, label, *rest = cell
    value_h = round(text_height((value,), w), 2)
    top = round(y + value_h + label.space_before, 2)
    return [Frame("key figure", x, y, w, value_h, (value,)),
            Frame("key figure label", x, top, w, round(y + h - top, 2), (label, *rest))]


def key_figures_slide(p: Planner) -> None:
    """1-4 big numbers, evenly spread and centred in the body area, labels below, sources in
    small type: the arrangement with the largest values, one strip before two rows."""
    entries = p.doc.key_figures
    if not entries:
        return
    layout = p.geo.find("content")
    region = p.geo.content_region()
    title = p.labels["key_figures"]
    made = [s for rows in ARRANGEMENTS[len(entries)] if (s := _strip(p, rows, region))]
    if not made:
        raise RenderError(diagnostics=[p.doc.diagnostic(("key_figures",), (
            f"the key figures do not fit one slide even with values at {VALUE_MIN_PT:g} pt "
            f"and labels at {LABEL_MIN_PT:g} pt in {LABEL_LINES} lines; shorten the values "
            "or the labels"))])
    strip = max(made, key=lambda s: (s.value_pt, -len(s.rows), s.label_pt))
    rtl = p.meta.direction == "rtl"
    frames = [p.title_frame(layout, title, ("key_figures",))]
    shapes: list[Rect] = []
    y = region.y + (region.h - strip.height) / 2
    start = 0
    for count, row_h in zip(strip.rows, strip.heights, strict=True):
        row_w = count * strip.cell_w + CELL_GAP * (count - 1)
        x0 = region.x + (region.w - row_w) / 2
        for i in range(count):
            slot = count - 1 - i if rtl else i  # right to left: the first figure on the right
            x = x0 + slot * (strip.cell_w + CELL_GAP)
            frames += _cell_frames(x + (strip.cell_w - strip.frame_w) / 2, y, strip.frame_w,
                                   row_h, strip.cells[start + i])
            if slot:
                shapes.append(Rect(round(x - CELL_GAP / 2 - 0.5, 2), y, 1.0, row_h,
                                   RULE_GREY))
        start += count
        y += row_h + ROW_GAP
    notes = [p.note(title, bold=True)]
    for e in entries:
        notes += [p.note(e.value, bold=True), p.note(e.label)]
        if e.source_text:
            notes.append(p.note(e.source_text))
    p.add(SlidePlan("key_figures", "key_figures", title, layout.name, frames, shapes,
                    notes=notes), layout)
    p.record("key_figures", strip.value_pt, 1, fill=(round(strip.height / region.h, 3),))


# ---------------------------------------------------------------------------------------------
# The map


def caption_paras(p: Planner, fig: MapFigure) -> tuple[Para, ...]:
    """The map's caption and its boundaries note, in small type."""
    out = []
    if fig.caption:
        out.append(p.st.para(no_runt(fig.caption), CAPTION_PT, 1.25, color=p.st.text))
    out.append(p.st.para(fig.note, NOTE_PT, 1.25, color=p.st.muted,
                         space_before=3.0 if out else 0.0))
    return tuple(out)


@dataclass(frozen=True)
class MapSize:
    w: float
    h: float
    caption_h: float

    @property
    def block_h(self) -> float:
        return self.h + MAP_GAP + self.caption_h


def map_size(p: Planner, fig: MapFigure, max_w: float, max_h: float) -> MapSize:
    """The largest map (aspect kept) that leaves room under it for its caption and note, set
    as wide as the map, within max_w x max_h."""
    paras = caption_paras(p, fig)
    w = min(max_w, max_h * fig.aspect)
    for _ in range(50):  # the caption's height steps with its line count: a few rounds settle
        cap = text_height(paras, w) + SLACK_PT
        fitted = min(w, (max_h - MAP_GAP - cap) * fig.aspect)
        if fitted >= w - 0.01:
            break
        w = fitted
    w = round(w, 2)
    if w < 72.0:
        where = p.geo.reference or "the built-in deck"
        raise RenderError(diagnostics=[p.doc.diagnostic(("map",), (
            f"the map has only {max(w, 0):.0f} pt across in the body area of {where}; give "
            "the slide layouts a larger body placeholder"))])
    cap = round(text_height(paras, w) + SLACK_PT, 2)
    return MapSize(w, round(w / fig.aspect, 2), cap)


def place_map(p: Planner, fig: MapFigure, x: float, y: float, size: MapSize
              ) -> tuple[MapDrawing, Frame]:
    """The map drawn at (x, y), its place names placed clear of each other with the deck's
    measure, and the caption frame under it."""
    st = p.st
    colours = map_palette(p.profile.colors)
    w, h = size.w, size.h
    pad_x, pad_y = CHIP_PAD

    def measure(text: str, _size: float) -> float:
        # the plate's width: the name at PLACE_PT, its padding, and a point of slack so the
        # name is set on one line whatever rounding a viewer does
        return sum(run_width(r) for r in st.runs(text, PLACE_PT)) + 2 * pad_x + 1.0

    chip_h = PLACE_PT + 2 * pad_y
    placed = place_labels([(pl.name, pl.u * w, pl.v * h) for pl in fig.places], w, h,
                          chip_h / LABEL_BOX_HEIGHT, measure, dot_radius=DOT_R)
    labels = []
    for label in placed:
        x0, y0, x1, y1 = label.box
        bw, bh = round(x1 - x0, 2), round(y1 - y0, 2)
        # The plate is the box place_labels kept clear; only a box it could not keep inside
        # the map (a crowded map, reported as not clear) is moved back into it.
        lx = min(max(x0, 0.0), max(w - bw, 0.0))
        ly = min(max(y0, 0.0), max(h - bh, 0.0))
        # Centred on its plate: Arabic is measured from unjoined letters, a little wide.
        para = st.para(label.name, PLACE_PT, 1.0, color=colours["label"], align="ctr")
        labels.append(Frame("map label", round(x + lx, 2), round(y + ly, 2), bw, bh,
                            (para,), (pad_x, (bh - PLACE_PT) / 2, pad_x, (bh - PLACE_PT) / 2),
                            anchor="ctr", fill=colours["halo"], in_figure=True))
    dots = tuple((round(x + pl.u * w, 2), round(y + pl.v * h, 2)) for pl in fig.places)
    drawing = MapDrawing(x, y, w, h, fig, tuple(sorted(colours.items())), dots, DOT_R,
                         tuple(labels))
    caption = Frame("caption", x, round(y + h + MAP_GAP, 2), w, size.caption_h,
                    caption_paras(p, fig))
    return drawing, caption


def map_notes(p: Planner, fig: MapFigure) -> list[Para]:
    out = [p.note(fig.alt)]
    if fig.caption:
        out.append(p.note(fig.caption))
    return out + [p.note(fig.note)]


def beside_situation(p: Planner, section: Section) -> Beside | None:
    """The map beside the situation, if the situation then still fits one slide at
    BESIDE_MIN_PT or more in the column left beside it (measured, as the flow will set it);
    None if it does not."""
    fig = p.doc.map
    if fig is None:
        return None
    layout = p.geo.find("content")
    box = layout.get("body") or p.geo.content_region()
    make = p.section_paras(section)
    rtl = p.meta.direction == "rtl"
    def chars(size: float, width: float) -> float:
        return width / (p.measure(size) / MEASURE_CHARS)

    for share in MAP_SHARES:
        size = map_size(p, fig, box.w * share, box.h)
        column_w = box.w - size.w - GUTTER
        if chars(BESIDE_MIN_PT, column_w) < BESIDE_CHARS:
            continue
        width = min(column_w, p.measure(BESIDE_MIN_PT))
        try:
            paginate(make(BESIDE_MIN_PT), box.h, width, limit=1)
        except TooManySlides:
            continue
        map_x = box.x if rtl else box.right - size.w
        drawing, caption = place_map(p, fig, map_x, box.y + (box.h - size.block_h) / 2, size)
        column = Box(box.x + size.w + GUTTER if rtl else box.x, box.y, column_w, box.h)
        p.figures.append((("map",), round(size.w / box.w, 3)))
        hi = next(s for s in sizes(FLOW_MAX_PT, BESIDE_MIN_PT)
                  if chars(s, column_w) >= BESIDE_CHARS)
        return Beside(column, BESIDE_MIN_PT, hi, (caption, *drawing.labels), (drawing,),
                      tuple(map_notes(p, fig)), size.block_h, text_right=rtl)
    return None


def map_slide(p: Planner) -> None:
    """The map on a slide of its own, as large as the body area allows with its caption."""
    fig = p.doc.map
    assert fig is not None
    layout = p.geo.find("content")
    region = p.geo.content_region()
    title = p.labels.fill("map_heading", country=fig.country_name)
    title_frame = p.title_frame(layout, title, ("map",))
    size = map_size(p, fig, region.w, region.h)
    drawing, caption = place_map(p, fig, round(region.x + (region.w - size.w) / 2, 2),
                                 round(region.y + (region.h - size.block_h) / 2, 2), size)
    notes = [p.note(title, bold=True), *map_notes(p, fig)]
    p.add(SlidePlan("map", "map", title, layout.name, [title_frame, caption, *drawing.labels],
                    notes=notes, maps=[drawing]), layout)
    p.figures.append((("map",), round(size.w / region.w, 3)))
    p.record("map", CAPTION_PT, 1, fill=(round(size.block_h / region.h, 3),))


def situation_and_figures(p: Planner, section: Section) -> None:
    """The situation (with the map beside it when both fit), the map's own slide when they do
    not, then a slide for each image."""
    beside = beside_situation(p, section)
    p.flow_section(section, FLOW_MAX_PT, beside=beside)
    if p.doc.map is not None and beside is None:
        map_slide(p)
    image_slides(p)


# ---------------------------------------------------------------------------------------------
# Images


def _fit_picture(fig: ImageFigure, region: Box, below: Sequence[Para]) -> tuple[float, float,
                                                                              float]:
    """(width, height, height of the text under it) of the largest picture, aspect kept, that
    leaves room under it for `below` set as wide as the picture."""
    aspect = fig.image.aspect
    w = min(region.w, region.h * aspect, fig.image.width * MAX_PT_PER_PIXEL)
    under = 0.0
    for _ in range(50):
        under = text_height(below, w) + SLACK_PT + UNDER_GAP if below else 0.0
        fitted = min(w, (region.h - under) * aspect)
        if fitted >= w - 0.01:
            break
        w = fitted
    w = round(w, 2)
    under = round(text_height(below, w) + SLACK_PT if below else 0.0, 2)
    return w, round(w / aspect, 2), under


def image_slides(p: Planner) -> None:
    """Each image on a slide of its own, as large as fits. The caption is the slide's title:
    it is the line read first and the slide's name in the outline and for a screen reader, and
    the picture keeps the whole body area. A caption too long for a title goes under the
    picture, the slide then titled with the figure's label ("Figure 2"); an image without a
    caption is titled with its label. The credit sits under the picture's outer edge in small
    muted type."""
    images = p.doc.images
    if not images:
        return
    st = p.st
    layout = p.geo.find("content")
    region = p.geo.content_region()
    rtl = p.meta.direction == "rtl"
    for fig in images:
        under_caption = None
        title_frame = None
        if fig.caption:
            try:
                title_frame = p.title_frame(layout, fig.caption, (*fig.key, "caption"))
            except RenderError:
                under_caption = fig.caption
        if title_frame is None:
            label = fig.label if not fig.caption else p.labels.fill("figure",
                                                                    number=str(fig.number))
            title_frame = p.title_frame(layout, label, fig.key)
        title = title_frame.text
        below = []
        if under_caption:
            below.append(st.para(under_caption, UNDER_CAPTION_PT, 1.25, color=st.text))
        if fig.credit:
            below.append(st.para(fig.credit, CREDIT_PT, 1.25, color=st.muted,
                                 align="l" if rtl else "r",
                                 space_before=4.0 if below else 0.0))
        w, h, under = _fit_picture(fig, region, below)
        block = h + (UNDER_GAP + under if below else 0.0)
        x = round(region.x + (region.w - w) / 2, 2)
        y = round(region.y + (region.h - block) / 2, 2)
        frames = [title_frame]
        if below:
            frames.append(Frame("credit", x, round(y + h + UNDER_GAP, 2), w, under,
                                tuple(below)))
        picture = Picture(x, y, w, h, fig.image, fig.alt, f"Picture {fig.number}")
        notes = [p.note(title, bold=True), p.note(fig.alt)]
        notes += [p.note(t) for t in (under_caption, fig.credit) if t]
        p.add(SlidePlan("image", "images", title, layout.name, frames, notes=notes,
                        pictures=[picture]), layout)
        p.figures.append((fig.key, round(w / region.w, 3)))
        # A slide per image, each its own entry ("images[0]", as the brief's key path is
        # printed): several pictures are not one section running long.
        p.record(f"images[{fig.index}]", CREDIT_PT, 1, fill=(round(block / region.h, 3),))


# ---------------------------------------------------------------------------------------------
# The logo


def logo_plate(p: Planner) -> tuple[Rect, Picture] | None:
    """The logo's white plate and picture, top right, the same on the cover and the closing
    slide: the plate's right edge on the cover's title, level with the built-in cover's
    organisation label."""
    logo = p.doc.logo
    if logo is None:
        return None
    aspect = logo.image.aspect
    h = min(LOGO_H, LOGO_W / aspect)
    w = h * aspect
    title = p.geo.find("title").get("title")
    right = min(title.right if title else p.geo.width * 0.9, p.geo.width - LOGO_PAD)
    top = round(p.geo.height * LOGO_TOP, 2)
    plate = Rect(round(right - w - 2 * LOGO_PAD, 2), top, round(w + 2 * LOGO_PAD, 2),
                 round(h + 2 * LOGO_PAD, 2), "#FFFFFF")
    picture = Picture(round(plate.x + LOGO_PAD, 2), round(top + LOGO_PAD, 2), round(w, 2),
                      round(h, 2), logo.image, logo.alt, "Logo")
    return plate, picture


def clear_of(box: Box, plate: Rect | None) -> Box:
    """A text box kept clear of the logo's plate: narrowed to end LOGO_CLEAR before it when
    they share rows and that leaves most of its width, else started below it."""
    if plate is None:
        return box
    if not (box.y < plate.y + plate.h + 4.0 and plate.y < box.bottom
            and box.x < plate.x + plate.w and plate.x - LOGO_CLEAR < box.right):
        return box
    right = plate.x - LOGO_CLEAR
    if right - box.x >= box.w * 0.6:
        return Box(box.x, box.y, round(right - box.x, 2), box.h)
    top = plate.y + plate.h + LOGO_CLEAR
    return Box(box.x, top, box.w, round(box.bottom - top, 2))


__all__ = ["clear_of", "key_figures_slide", "logo_plate", "situation_and_figures"]
