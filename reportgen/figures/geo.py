"""A locator map as plain geometry: projected, framed and clipped once, drawn by every writer.

An equirectangular projection centred on the country (x = longitude from the centre times the
cosine of the centre's latitude, y = latitude), framed on the country's bounding box with a
margin, the frame's shape kept between 4:5 and 3:2 so a long thin country still reads as a
place among its neighbours. Every country whose outline reaches into the frame is drawn: the
subject in the profile's colour, its region (by default its land neighbours) in a tint, the rest
as plain land. Rings are clipped to the frame here, so a writer that cannot clip (DrawingML
freeforms) draws the same shapes as one that can. Coordinates are in frame units, (0, 0) top
left to (1, 1) bottom right, rounded to 1e-6 so the same brief gives the same bytes whatever the
machine's libm does in the last bit.

A ring that crosses the meridian opposite the map's centre (Canada's on a map of Russia, the
east tip of Russia on a map of the United States) is unwrapped into one piece and drawn on the
side of the frame it reaches into. A ring that goes round a pole (Antarctica's) cannot be drawn
on a flat frame centred on it: it is left out of other maps (it lies far to the south of any
frame it could reach), and a map *of* a country whose outline does that is refused
(`map_problem`), as is a map of a country the data has no usable outline of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal

from reportgen.figures.countries import Country, Ring, everyone, land_neighbours, lookup
from reportgen.kept import Kept

MIN_ASPECT, MAX_ASPECT = 0.8, 1.5  # frame width / height
MARGIN = 0.18  # of the country's larger side, on every side
MIN_MARGIN_DEG = 0.6
ROUND = 6

Point = tuple[float, float]
ShapeKind = Literal["country", "region", "land"]


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat0: float
    xmin: float
    xmax: float
    ymin: float
    ymax: float

    @property
    def aspect(self) -> float:
        return (self.xmax - self.xmin) / (self.ymax - self.ymin)

    def xy(self, lon: float, lat: float) -> Point:
        """Projected, unframed: (x, y) in degrees of latitude, y up."""
        return (_wrap(lon - self.lon0) * math.cos(math.radians(self.lat0)), lat)

    def frame(self, lon: float, lat: float) -> Point:
        """(u, v) in frame units: 0..1 left to right and top to bottom inside the frame."""
        return self.frame_of(_wrap(lon - self.lon0), lat)

    def frame_of(self, east: float, lat: float) -> Point:
        """(u, v) of a point `east` degrees of longitude east of the centre (unwrapped: may
        lie beyond 180)."""
        x = east * math.cos(math.radians(self.lat0))
        return ((x - self.xmin) / (self.xmax - self.xmin),
                (self.ymax - lat) / (self.ymax - self.ymin))

    def inside(self, lon: float, lat: float) -> bool:
        u, v = self.frame(lon, lat)
        return 0.0 <= u <= 1.0 and 0.0 <= v <= 1.0


@dataclass(frozen=True)
class Shape:
    kind: ShapeKind
    code: str  # alpha-2
    rings: tuple[tuple[Point, ...], ...]  # frame units, clipped; outer rings and holes


@dataclass(frozen=True)
class Place:
    name: str
    u: float
    v: float


def _wrap(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


def map_problem(country: Country) -> str | None:
    """Why a locator map of `country` cannot be drawn, in words for the analyst; None if it
    can. The data may have no usable outline of it (`Country.outline_gap`: none, or only a
    bounding rectangle, Palestine's), or its outline may go round a pole (Antarctica), which no
    frame centred on it shows: the frame would span more than the globe and the outline would
    come out torn. Russia, Fiji and the United States, which straddle the 180th meridian in
    pieces, are framed whole across it and drawn."""
    what = f"{country.name} ({country.alpha2})"
    gap = country.outline_gap
    if gap is not None:
        nearby = [c.alpha2 for c in map(lookup, land_neighbours(country))
                  if c is not None and c.outline_gap is None]
        some = nearby[:3]
        listed = " or ".join([", ".join(some[:-1]), some[-1]] if len(some) > 2 else some)
        hint = f" (e.g. {listed})" if some else ""
        return (f"{gap}, so a map of {country.alpha2} cannot be drawn; map a neighbour that "
                f"has one{hint} and mark the place with `places`")
    lons = [lon for poly in country.polygons for lon, _ in poly[0]]
    if any(_round_a_pole(polygon[0]) for polygon in country.polygons) or (
            max(_wrap(lon - lons[0]) for lon in lons)
            - min(_wrap(lon - lons[0]) for lon in lons) >= 180.0):
        return (f"the outline of {what} goes round the pole, which a flat locator map "
                "centred on it cannot show; describe the place in the text instead")
    return None


def projection_for(country: Country) -> Projection:
    """The frame a map of `country` is drawn in (the caller has checked it has an outline)."""
    lat0, lon_guess = country.centre
    lons = [_wrap(lon - lon_guess) for poly in country.polygons for lon, _ in poly[0]]
    lats = [lat for poly in country.polygons for _, lat in poly[0]]
    lon0 = _wrap(lon_guess + (min(lons) + max(lons)) / 2)
    lat0 = (min(lats) + max(lats)) / 2
    scale = math.cos(math.radians(lat0))
    xs = [_wrap(lon - lon0) * scale for poly in country.polygons for lon, _ in poly[0]]
    xmin, xmax, ymin, ymax = min(xs), max(xs), min(lats), max(lats)
    pad = max(MARGIN * max(xmax - xmin, ymax - ymin), MIN_MARGIN_DEG)
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    width, height = xmax - xmin, ymax - ymin
    if width / height < MIN_ASPECT:
        grow = (MIN_ASPECT * height - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    elif width / height > MAX_ASPECT:
        grow = (width / MAX_ASPECT - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    if ymax > 90.0:  # never past a pole: slide the frame back onto the globe
        ymin, ymax = ymin - (ymax - 90.0), 90.0
    if ymin < -90.0:
        ymin, ymax = -90.0, ymax + (-90.0 - ymin)
    return Projection(lon0, lat0, xmin, xmax, ymin, ymax)


def shapes(country: Country, region: tuple[str, ...], proj: Projection) -> tuple[Shape, ...]:
    """Every outline that reaches into the frame, clipped: plain land first, then the region,
    then the country, so the subject is drawn last and whole. Kept in FRAMED: a night's
    briefs map the same few countries, and framing all 250 outlines took ~17 ms a map."""
    return FRAMED.shapes(country.alpha2, tuple(region), proj)


def _frame_all(code: str, region: tuple[str, ...], proj: Projection) -> tuple[Shape, ...]:
    regional = set(region)
    out: dict[ShapeKind, list[Shape]] = {"land": [], "region": [], "country": []}
    for other in everyone():
        kind: ShapeKind = ("country" if other.alpha2 == code else
                           "region" if other.alpha2 in regional else "land")
        rings = tuple(r for poly, spans in zip(other.polygons, _lat_spans(other.alpha2),
                                               strict=True)
                      for r in _framed(poly, proj, spans))
        if rings:
            out[kind].append(Shape(kind, other.alpha2, rings))
    return (*out["land"], *out["region"], *out["country"])


class FramedShapes(Kept[tuple[Shape, ...]]):
    """The shapes of a map, per (country, region, frame): a pure function of the three, kept
    because every brief of a night that maps Iraq frames the same outlines. Bounded: `size`
    maps (each about 50 KB of points), least recently used dropped first."""

    def __init__(self, size: int = 32) -> None:
        super().__init__(size)

    def shapes(self, code: str, region: tuple[str, ...],
               proj: Projection) -> tuple[Shape, ...]:
        return self.get_or_make((code, region, proj), lambda: _frame_all(code, region, proj))


FRAMED = FramedShapes()


@cache
def _lat_spans(code: str) -> tuple[tuple[tuple[float, float], ...], ...]:
    """(lowest, highest) latitude of each ring of each polygon of the country `code`."""
    country = lookup(code)
    assert country is not None
    return tuple(tuple((min(lat for _, lat in ring), max(lat for _, lat in ring))
                       for ring in poly) for poly in country.polygons)


def region_codes(country: Country, region: tuple[str, ...] | None) -> tuple[str, ...]:
    """Alpha-2 codes of the region: the brief's list, else the country's land neighbours."""
    codes = region if region is not None else land_neighbours(country)
    found = (lookup(code) for code in codes)
    return tuple(c.alpha2 for c in found if c is not None)


def _framed(polygon: tuple[Ring, ...], proj: Projection,
            spans: tuple[tuple[float, float], ...]) -> list[tuple[Point, ...]]:
    """The polygon's rings (with their latitude `spans`) in frame units, clipped to it."""
    out = []
    for ring, (low, high) in zip(polygon, spans, strict=True):
        # Above or below the frame whatever its longitude: skipped before any projecting.
        # The same test _far_outside makes on v (v falls as the latitude rises, and the
        # rounding of (ymax - lat) / height keeps that order), so nothing else changes.
        if proj.frame_of(0.0, low)[1] < 0 or proj.frame_of(0.0, high)[1] > 1:
            continue
        east = _unwrapped(ring, proj.lon0)
        if east is None:  # round a pole: see the module's docstring
            continue
        # Unwrapped, a ring may run past 180 degrees from the centre; the frame spans less
        # than the globe, so at most one of these copies reaches into it.
        for turn in (0.0, -360.0, 360.0):
            points = [proj.frame_of(e + turn, lat) for e, (_, lat) in zip(east, ring,
                                                                        strict=True)]
            if _far_outside(points):
                continue
            clipped = _clip(points)
            if len(clipped) >= 3:
                out.append(tuple((round(u, ROUND), round(v, ROUND)) for u, v in clipped))
    return out


def _unwrapped(ring: Ring, lon0: float) -> list[float] | None:
    """The ring's longitudes east of `lon0`, each step the short way round (an outline's edges
    are all far shorter than half the globe), so a ring across the meridian opposite the
    centre stays in one piece; None for a ring that goes round a pole (its steps add up to a
    whole turn)."""
    east = [_wrap(ring[0][0] - lon0)]
    for lon, _ in ring[1:]:
        east.append(east[-1] + _wrap(lon - lon0 - east[-1]))
    closing = east[-1] + _wrap(east[0] - east[-1])
    return east if abs(closing - east[0]) < 1e-6 else None


def _round_a_pole(ring: Ring) -> bool:
    return _unwrapped(ring, 0.0) is None


def _far_outside(points: list[Point]) -> bool:
    us = [p[0] for p in points]
    vs = [p[1] for p in points]
    return max(us) < 0 or min(us) > 1 or max(vs) < 0 or min(vs) > 1


def _clip(points: list[Point]) -> list[Point]:
    """Sutherland-Hodgman against the unit square: the ring's part inside the frame (a concave
    ring may keep zero-width edges along the frame, which fill and stroke nothing visible)."""
    edges = ((0, 0.0, True), (0, 1.0, False), (1, 0.0, True), (1, 1.0, False))
    for axis, limit, keep_above in edges:
        if not points:
            break
        def inside(p: Point, a: int = axis, lim: float = limit, k: bool = keep_above) -> bool:
            return p[a] >= lim if k else p[a] <= lim

        clipped: list[Point] = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    clipped.append(_cross(previous, current, axis, limit))
                clipped.append(current)
            elif inside(previous):
                clipped.append(_cross(previous, current, axis, limit))
            previous = current
        points = clipped
    return points


def _cross(a: Point, b: Point, axis: int, limit: float) -> Point:
    t = (limit - a[axis]) / (b[axis] - a[axis])
    p = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    return (limit, p[1]) if axis == 0 else (p[0], limit)
