"""The deck plan: slides of measured text frames and plain shapes, in points.

`layout.plan_deck` makes it from the Document; `output.write_deck` turns it into python-pptx calls.
Everything a test needs to check the fitting (frame boxes, insets, paragraphs with sizes and
line pitch, the measured text height) is here, without opening PowerPoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.document.findings import Findings
from reportgen.document.model import MapFigure, Meta
from reportgen.figures.images import ImageData
from reportgen.writers.pptx.geometry import Geometry
from reportgen.writers.pptx.measure import Para, fits_height, text_height

FIT_TOLERANCE_PT = 0.01


@dataclass(frozen=True)
class Frame:
    """A text frame: a placeholder of the slide's layout (`placeholder` = its key, e.g. "title",
    "body") or a text box / card drawn by the deck (`placeholder` None)."""

    role: str
    x: float
    y: float
    w: float
    h: float
    paras: tuple[Para, ...]
    inset: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom
    anchor: str = "t"  # t | ctr | b
    placeholder: str | None = None
    fill: str | None = None
    move: bool = False  # placeholder whose box differs from the layout's: write the position
    # Drawn inside a figure's group (a map's place names), not as a shape of its own; it is
    # listed with the slide's frames all the same, so every check of text in frames sees it.
    in_figure: bool = False

    @property
    def inner_w(self) -> float:
        return self.w - self.inset[0] - self.inset[2]

    @property
    def inner_h(self) -> float:
        return self.h - self.inset[1] - self.inset[3]

    @property
    def text_height(self) -> float:
        return text_height(self.paras, self.inner_w)

    @property
    def fits(self) -> bool:
        return fits_height(self.paras, self.inner_w, self.inner_h + FIT_TOLERANCE_PT)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


@dataclass(frozen=True)
class Rect:
    """A plain filled rectangle (card background, accent bar)."""

    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Table:
    """A native table: rows of cells (each cell's paragraphs), the first row the header. Row
    heights come from the measured lines of each row's tallest cell, so no cell overflows.
    Columns are in the order they show, left to right (a right-to-left table's first column
    is its last here)."""

    x: float
    y: float
    widths: tuple[float, ...]
    heights: tuple[float, ...]
    cells: tuple[tuple[tuple[Para, ...], ...], ...]
    inset: tuple[float, float, float, float]  # each cell's margins: left, top, right, bottom
    header_fill: str
    fill: str  # the body rows' background
    rule: str  # the line between rows

    @property
    def w(self) -> float:
        return sum(self.widths)

    @property
    def h(self) -> float:
        return sum(self.heights)

    def cell_fits(self, r: int, c: int) -> bool:
        inner_w = self.widths[c] - self.inset[0] - self.inset[2]
        inner_h = self.heights[r] - self.inset[1] - self.inset[3]
        return fits_height(self.cells[r][c], inner_w, inner_h + FIT_TOLERANCE_PT)

    @property
    def fits(self) -> bool:
        return all(self.cell_fits(r, c) for r in range(len(self.cells))
                   for c in range(len(self.widths)))


@dataclass(frozen=True)
class Picture:
    """A picture (an image of the brief, the profile's logo) placed at its box, aspect kept;
    `alt` becomes its p:cNvPr/@descr."""

    x: float
    y: float
    w: float
    h: float
    image: ImageData
    alt: str
    name: str


@dataclass(frozen=True)
class MapDrawing:
    """The locator map as DrawingML, in one group: the sea, one freeform per country shape,
    the frame, a dot per place and the place names (`labels`, text frames placed clear of each
    other). (x, y, w, h) is the frame the figure's units (0-1, y down) scale to; w / h is the
    figure's aspect."""

    x: float
    y: float
    w: float
    h: float
    figure: MapFigure
    colours: tuple[tuple[str, str], ...]  # map_palette's (role, "#RRGGBB"), in a fixed order
    dots: tuple[tuple[float, float], ...]  # each place's centre, in points
    dot_r: float
    labels: tuple[Frame, ...]
    name: str = "Locator map"

    @property
    def alt(self) -> str:
        return self.figure.alt

    def colour(self, role: str) -> str:
        return dict(self.colours)[role]

    def point(self, u: float, v: float) -> tuple[float, float]:
        return self.x + u * self.w, self.y + v * self.h

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of everything drawn: the frame, and any label that leaves it."""
        xs0 = [self.x] + [f.x for f in self.labels]
        ys0 = [self.y] + [f.y for f in self.labels]
        xs1 = [self.x + self.w] + [f.x + f.w for f in self.labels]
        ys1 = [self.y + self.h] + [f.y + f.h for f in self.labels]
        return min(xs0), min(ys0), max(xs1), max(ys1)


@dataclass
class SlidePlan:
    # title | bottom_line | key_figures | flow | map | image | table | cards | quote | sources
    # | closing
    kind: str
    section: str  # the brief's section key: title, summary, situation, actors, leverage, ...
    title: str
    layout: str  # the slide layout's name, looked up by name when drawing
    frames: list[Frame] = field(default_factory=list)
    shapes: list[Rect] = field(default_factory=list)  # drawn beneath the frames
    tables: list[Table] = field(default_factory=list)
    notes: list[Para] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    maps: list[MapDrawing] = field(default_factory=list)


@dataclass
class DeckPlan:
    slides: list[SlidePlan]
    geometry: Geometry
    meta: Meta  # the file's properties
    findings: Findings  # by section: the body size chosen, slides, "(continued)" pieces

    @property
    def reference(self) -> Path | None:
        return self.geometry.reference

    @property
    def language(self) -> str:
        return self.meta.language
