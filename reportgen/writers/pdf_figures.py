"""The one-pager's pictures in ReportLab's terms: the key-figures strip, the locator map as
vector paths, one image, and the logo in the masthead.

pdf.py decides where each goes and how wide (they take part in its fit); this module draws them.
Every picture keeps its alternate description and, once drawn, its box on the page (`Placed`), so
the tagging of issue 14 can mark it as a Figure with /Alt without measuring anything again.
Text on a picture (place names, the big numbers) comes in as `Runs`: pieces already shaped and
put in visual order by pdf.py, each with its font, so widths here are the PDF's own.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import FILL_EVEN_ODD
from reportlab.platypus import Flowable, Paragraph

from reportgen.document.model import ImageFigure, KeyFigureEntry, Logo, MapFigure
from reportgen.figures.images import ImageData
from reportgen.figures.labels import place_labels
from reportgen.writers.pdf_rtl import piece_width
from reportgen.writers.pdf_tags import Group, box_of, tagger_of, utf16

KeyPath = tuple[str | int, ...]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1: PDF points from the page's bottom left
Runs = list[tuple[str, str]]  # (text, ReportLab font name) pieces, in visual order
Shaper = Callable[[str], Runs]
CaptionPlace = Literal["below", "beside", "margin"]

MIN_SHARE = 0.4  # the narrowest a figure is set, as a share of a column, before it drops out
# A picture at its designed size is a column wide, but never taller than this share of the
# column: a locator map shows where, it is not the page's subject.
MOST_OF_COLUMN = 0.42
CAPTION_BESIDE_MIN_PT = 84.0  # the narrowest caption set beside a narrowed figure
# An image is never shown larger than this many points a pixel: a small picture blown up to a
# column only shows its pixels. Held to it, it is centred in its column, the caption under it
# across the column.
MAX_PT_PER_PIXEL = 2.0
BORDER_PT = 0.5  # the white lines between countries
FRAME_PT = 0.8  # the map's frame
DOT_PT = 2.3  # a place's dot radius
HALO_PT = 0.9  # the white ring round it
LABEL_PAD_PT = 1.2  # the pale ground behind a place name, round its text
LABEL_GROUND_ALPHA = 0.82
VALUE_CAP = 0.72  # a key figure's height above its baseline, as a share of its size (digits)
VALUE_DEPTH = 1.0  # from the top of a key figure to the top of its label's line
# A key figure's number stays at least this many times the body size, however small the type
# gets: a number printed big must read as bigger than the text. Where four do not fit across
# at that size, the strip takes two rows (then one a row).
VALUE_LEAST = 1.6
LOGO_PT = 28.0  # the logo's height in the masthead
LOGO_MOST_WIDTH = 0.3  # of the text width: a wide logo is set lower rather than wider


@dataclass(frozen=True)
class Placed:
    """A picture as drawn: where its alternate description belongs on the page."""

    key: KeyPath  # ("map",), ("images", 0) in the brief; ("logo",) in the profile
    alt: str
    box: Box


def runs_width(runs: Runs, size: float) -> float:
    return sum(piece_width(text, font, size) for text, font in runs)


def draw_runs(canvas, runs: Runs, x: float, baseline: float, size: float) -> None:
    """Draw the pieces left to right. An Arabic piece (shaped for the canvas,
    `pdf_rtl.canvas_piece`) carries the characters it stands for as /ActualText, in the order
    they stand on the page, and its language."""
    for text, font in runs:
        actual = getattr(text, "actual", None)
        if actual is not None:
            canvas._code.append(f"/Span <</Lang (ar) /ActualText {utf16(actual)}>> BDC")
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, text)
        if actual is not None:
            canvas._code.append("EMC")
        x += piece_width(text, font, size)


def figure_share(aspect: float, reference: float, column_h: float) -> float:
    """A figure's designed width, as a share of the `reference` column: the whole column, or
    less where that would make it taller than MOST_OF_COLUMN of the column's height."""
    tallest = MOST_OF_COLUMN * column_h
    return round(max(MIN_SHARE, min(1.0, tallest * aspect / reference)), 3)


# ---------------------------------------------------------------------------------------------
# Figures in the columns: the map and an image, each with its caption


class Figure(Flowable):
    """A picture and its caption, `picture_w` points wide, set as one block: it never splits.
    The caption goes below the picture, beside it (when the picture is narrower than the
    column), or in the margin to the left of a single column (`margin` points wide), where the
    section headings are. A `centred` picture (a small image held to MAX_PT_PER_PIXEL) stands
    in the middle of the column, its caption below it set the column's width. `mirrored` (a
    right-to-left page): the picture at the column's right, a caption beside it on its left,
    the margin on the column's right."""

    def __init__(self, key: KeyPath, alt: str, aspect: float, picture_w: float, share: float,
                 caption: Sequence[Flowable], place: CaptionPlace, gap: float,
                 space_after: float, margin: float = 0.0, margin_gap: float = 0.0,
                 centred: bool = False, mirrored: bool = False):
        super().__init__()
        self.key, self.alt, self.share, self.mirrored = key, alt, share, mirrored
        self.aspect, self.picture_w = aspect, picture_w
        self.caption, self.place, self.gap = list(caption), place, gap
        self.space_after, self.margin, self.margin_gap = space_after, margin, margin_gap
        self.centred = centred and place == "below"
        self.picture_x = 0.0  # from the block's left edge; set by wrap
        self.box: Box | None = None  # the picture's, where it was last drawn on the page

    @property
    def picture_h(self) -> float:
        return self.picture_w / self.aspect

    def caption_width(self, avail_width: float) -> float:
        if self.place == "beside":
            return max(1.0, avail_width - self.picture_w - self.gap)
        if self.place == "margin":
            return self.margin
        return avail_width if self.centred else self.picture_w

    def wrap(self, avail_width, avail_height):
        cw = self.caption_width(avail_width)
        self._caption_h = [p.wrap(cw, 10_000)[1] for p in self.caption]
        caption_h = sum(self._caption_h)
        if self.place == "below":
            self.height = self.picture_h + (self.gap + caption_h if self.caption else 0.0)
        else:
            self.height = max(self.picture_h, caption_h)
        self.width = avail_width
        self.picture_x = (max(0.0, (avail_width - self.picture_w) / 2) if self.centred else
                          max(0.0, avail_width - self.picture_w) if self.mirrored else 0.0)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        return []  # moves whole to the next column

    def getSpaceAfter(self) -> float:
        return self.space_after

    def draw(self) -> None:
        canvas = self.canv
        px, py = self.picture_x, self.height - self.picture_h
        # The box is taken where the picture is drawn, from the canvas's own transform, so it
        # follows the picture whatever moved it (another column, an alignment, a scale).
        self.box = box_of(canvas, self.picture_w, self.picture_h, px, py)
        tagger = tagger_of(canvas)
        if tagger is not None:  # the picture, place names and all, is one Figure
            tagger.begin(canvas, "Figure", self.box, alt=self.alt)
        self.draw_picture(canvas, px, py)
        if tagger is not None:
            tagger.end(canvas)
        cw = self.caption_width(self.width)
        if self.place == "below":
            cx = 0.0 if self.centred else px
            top = self.height - self.picture_h - self.gap
        else:  # beside or in the margin: the caption's foot level with the picture's
            if self.mirrored:
                cx = 0.0 if self.place == "beside" else self.width + self.margin_gap
            else:
                cx = self.picture_w + self.gap if self.place == "beside" else \
                    -self.margin - self.margin_gap
            top = min(self.height, self.height - self.picture_h + sum(self._caption_h))
        for para, h in zip(self.caption, self._caption_h, strict=True):
            para.wrap(cw, 10_000)
            para.drawOn(canvas, cx, top - h)
            top -= h

    def draw_picture(self, canvas, x: float, y: float) -> None:
        raise NotImplementedError


class MapBlock(Figure):
    """The locator map: sea, then land, the region and the country as filled vector paths with
    white borders, clipped to a frame of the map's aspect; place dots and their names, set
    where they collide with nothing (reportgen.figures.labels) on a pale ground that keeps
    them readable over the dark country."""

    def __init__(self, figure: MapFigure, palette: dict[str, str], shape: Shaper,
                 label_size: float, **kw):
        super().__init__(("map",), figure.alt, figure.aspect, **kw)
        self.figure, self.palette, self.shape, self.label_size = (figure, palette, shape,
                                                                  label_size)

    def draw_picture(self, canvas, x: float, y: float) -> None:
        draw_map(canvas, self.figure, self.palette, self.shape, self.label_size,
                 x, y, self.picture_w, self.picture_h)


class ImageBlock(Figure):
    def __init__(self, figure: ImageFigure, **kw):
        super().__init__(figure.key, figure.alt, figure.image.aspect, **kw)
        self.figure = figure

    def draw_picture(self, canvas, x: float, y: float) -> None:
        draw_image(canvas, self.figure.image, x, y, self.picture_w, self.picture_h)


def draw_image(canvas, image: ImageData, x: float, y: float, w: float, h: float) -> None:
    reader = ImageReader(io.BytesIO(image.data))
    canvas.drawImage(reader, x, y, w, h, mask="auto" if image.kind == "png" else None)


def draw_map(canvas, figure: MapFigure, palette: dict[str, str], shape: Shaper,
             label_size: float, x: float, y: float, w: float, h: float) -> None:
    """The map in the box (x, y, w, h), y up; frame units (u, v), v down, scale to it."""

    def at(u: float, v: float) -> tuple[float, float]:
        return x + u * w, y + h - v * h

    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(x, y, w, h)
    canvas.clipPath(clip, stroke=0, fill=0)
    canvas.setFillColor(colors.HexColor(palette["sea"]))
    canvas.rect(x, y, w, h, stroke=0, fill=1)
    canvas.setStrokeColor(colors.HexColor(palette["border"]))
    canvas.setLineWidth(BORDER_PT)
    canvas.setLineJoin(1)
    for s in figure.shapes:  # land, then the region, then the country
        path = canvas.beginPath()
        for ring in s.rings:
            path.moveTo(*at(*ring[0]))
            for point in ring[1:]:
                path.lineTo(*at(*point))
            path.close()
        canvas.setFillColor(colors.HexColor(palette[s.kind]))
        canvas.drawPath(path, stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    places = [(p.name, p.u * w, p.v * h) for p in figure.places]
    canvas.setFillColor(colors.HexColor(palette["dot"]))
    canvas.setStrokeColor(colors.HexColor(palette["halo"]))
    canvas.setLineWidth(HALO_PT)
    for _, px, py in places:
        canvas.circle(x + px, y + h - py, DOT_PT, stroke=1, fill=1)
    runs = {name: shape(name) for name, _, _ in places}
    labels = place_labels(places, w, h, label_size,
                          lambda text, size: runs_width(runs[text], size) + 2 * LABEL_PAD_PT,
                          dot_radius=DOT_PT + HALO_PT)
    for label in labels:
        x0, top, x1, bottom = label.box
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(palette["halo"]))
        canvas.setFillAlpha(LABEL_GROUND_ALPHA)
        canvas.roundRect(x + x0, y + h - bottom - LABEL_PAD_PT / 2, x1 - x0,
                         bottom - top + LABEL_PAD_PT, LABEL_PAD_PT, stroke=0, fill=1)
        canvas.restoreState()
        canvas.setFillColor(colors.HexColor(palette["label"]))
        draw_runs(canvas, runs[label.name], x + x0 + LABEL_PAD_PT, y + h - label.baseline,
                  label_size)
    canvas.restoreState()
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor(palette["frame"]))
    canvas.setLineWidth(FRAME_PT)
    canvas.rect(x, y, w, h, stroke=1, fill=0)
    canvas.restoreState()


# ---------------------------------------------------------------------------------------------
# The key figures: a strip of big numbers under the bottom line


@dataclass(frozen=True)
class StripStyle:
    value_pt: float  # the numbers' size before fitting them to their cells
    value_colour: str
    rule_colour: str
    pad: float  # above and below the cells, inside the rules
    gap: float  # between a label and its source
    gutter: float  # between cells
    space_after: float
    value_least_pt: float = 0.0  # the numbers never go below this size (VALUE_LEAST x body)


def cells_per_row(values: Sequence[Runs], width: float, gutter: float, least_pt: float) -> int:
    """How many key figures a row of the strip holds: all of them, else half (rounded up),
    else one, the most at which the widest number fits its cell at `least_pt`."""
    n = len(values)
    widest = max(runs_width(v, least_pt) for v in values)
    for per_row in sorted({n, math.ceil(n / 2), 1}, reverse=True):
        if widest <= (width - (per_row - 1) * gutter) / per_row:
            return per_row
    return 1


def figure_group(i: int) -> Group:
    """Where the i-th key figure's number, label and source sit in the tagged structure."""
    return (("L", "key-figures"), ("LI", f"figure-{i}"), ("LBody", f"figure-{i}"))


class KeyFigureStrip(Flowable):
    """1 to 4 key figures in cells of equal width between two hairlines, `per_row` a row (rows
    parted by a hairline): the number big (one line, never broken: its size is the largest, up
    to `value_pt`, at which the widest number fits its cell, and never below
    `value_least_pt`), its label under it, then its source; numbers, labels and sources each on
    one baseline across a row. `heading` is the strip's label, set above the cells; with
    `side` (a single-column page) it stands in the margin instead, like a section heading, and
    the cells take the column: `indent` points from the frame's left edge."""

    def __init__(self, entries: Sequence[KeyFigureEntry], values: Sequence[Runs],
                 labels: Sequence[Flowable], sources: Sequence[Flowable | None],
                 heading: Paragraph | None, style: StripStyle, indent: float = 0.0,
                 side: float = 0.0, side_gap: float = 0.0, per_row: int = 0,
                 mirrored: bool = False):
        super().__init__()
        self.mirrored = mirrored  # right to left: cells from the right, the margin on the right
        self.entries, self.values = list(entries), list(values)
        self.labels, self.sources = list(labels), list(sources)
        self.heading, self.style = heading, style
        self.indent, self.side, self.side_gap = indent, side, side_gap
        self.per_row = per_row or len(self.entries)

    @property
    def rows(self) -> int:
        return math.ceil(len(self.entries) / self.per_row)

    def cell_width(self, avail_width: float) -> float:
        n = self.per_row
        return (avail_width - self.indent - (n - 1) * self.style.gutter) / n

    def wrap(self, avail_width, avail_height):
        s = self.style
        cw = self.cell_width(avail_width)
        widest = max(runs_width(v, 1.0) for v in self.values)
        self.value_pt = min(s.value_pt, round(cw / widest * 4 - 0.5) / 4) if widest else \
            s.value_pt
        self.value_pt = max(self.value_pt, s.value_least_pt)
        self._heading_h = self.heading.wrap(self.side or avail_width, 10_000)[1] \
            if self.heading is not None else 0.0
        self._label_h = max(p.wrap(cw, 10_000)[1] for p in self.labels)
        heights = [p.wrap(cw, 10_000)[1] for p in self.sources if p is not None]
        self._source_h = max(heights, default=0.0)
        above = self._heading_h + s.gap * 2 if self.heading is not None and not self.side \
            else 0.0
        self._row_h = (self.value_pt * VALUE_DEPTH + self._label_h
                       + (s.gap + self._source_h if heights else 0.0))
        self.height = (2 * s.pad + above + self.rows * self._row_h
                       + (self.rows - 1) * 2 * s.pad)
        self.width = avail_width
        return self.width, self.height

    def split(self, avail_width, avail_height):
        return []

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def draw(self) -> None:
        canvas, s = self.canv, self.style
        cw = self.cell_width(self.width)
        x0, x1 = (0.0, self.width - self.indent) if self.mirrored else (self.indent, self.width)
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor(s.rule_colour))
        canvas.setLineWidth(0.5)
        canvas.line(x0, self.height, x1, self.height)
        canvas.line(x0, 0, x1, 0)
        y = self.height - s.pad
        if self.heading is not None and not self.side:
            self.heading.drawOn(canvas, x0, y - self._heading_h)
            y -= self._heading_h + s.gap * 2
        if self.heading is not None and self.side:  # its baseline on the first numbers'
            h = self._heading_h
            size = self.heading.style.fontSize
            self.heading.drawOn(canvas, x1 + self.side_gap if self.mirrored else
                                x0 - self.side - self.side_gap,
                                y - self.value_pt * VALUE_CAP - h + size)
        canvas.setFillColor(colors.HexColor(s.value_colour))
        cells = list(zip(self.values, self.labels, self.sources, strict=True))
        for row in range(self.rows):
            value_top = y
            baseline = y - self.value_pt * VALUE_CAP
            labels_top = y - self.value_pt * VALUE_DEPTH
            sources_top = labels_top - self._label_h - s.gap
            row_bottom = y - self._row_h
            for i, (runs, label, source) in enumerate(
                    cells[row * self.per_row:(row + 1) * self.per_row]):
                cx = x1 - cw - i * (cw + s.gutter) if self.mirrored else x0 + i * (cw + s.gutter)
                shift = cw - runs_width(runs, self.value_pt) if self.mirrored else 0.0
                tagger = tagger_of(canvas)
                if tagger is not None:
                    tagger.begin(canvas, "P", box_of(
                        canvas, runs_width(runs, self.value_pt), self.value_pt, cx + shift,
                        baseline), figure_group(row * self.per_row + i))
                draw_runs(canvas, runs, cx + shift, baseline, self.value_pt)
                if tagger is not None:
                    tagger.end(canvas)
                _, h = label.wrap(cw, 10_000)
                label.drawOn(canvas, cx, labels_top - h)
                if source is not None:
                    _, h = source.wrap(cw, 10_000)
                    source.drawOn(canvas, cx, sources_top - h)
                if i:  # a hairline in the middle of the gutter, as tall as the row's content
                    mid = cx + cw + s.gutter / 2 if self.mirrored else cx - s.gutter / 2
                    canvas.line(mid, value_top, mid, row_bottom)
            if row < self.rows - 1:  # a hairline between rows, in the middle of their gap
                canvas.line(x0, row_bottom - s.pad, x1, row_bottom - s.pad)
            y = row_bottom - 2 * s.pad
        canvas.restoreState()


# ---------------------------------------------------------------------------------------------
# The logo


def logo_size(logo: Logo, text_width: float) -> tuple[float, float]:
    """(width, height) of the logo in the masthead: LOGO_PT high, its aspect kept, lower for a
    logo so wide it would take more than LOGO_MOST_WIDTH of the text width."""
    h = LOGO_PT
    w = h * logo.image.aspect
    most = LOGO_MOST_WIDTH * text_width
    if w > most:
        w, h = most, most / logo.image.aspect
    return round(w, 2), round(h, 2)


def draw_logo(canvas, logo: Logo, x: float, y: float, w: float, h: float) -> Placed:
    draw_image(canvas, logo.image, x, y, w, h)
    return Placed(("logo",), logo.alt, (round(x, 2), round(y, 2), round(x + w, 2),
                                        round(y + h, 2)))
