"""Countries from the countryinfo package: ISO codes, names, land neighbours and outlines.

countryinfo (MIT) ships one JSON file per country with its ISO 3166-1 codes, its land
neighbours and a GeoJSON outline at Natural Earth's 1:110m scale: enough for a locator map a few
inches wide, read offline, the same bytes on every machine with the same version. Its gaps are
reported as such: 78 small or split territories have no outline at all (Bahrain, Serbia,
Montenegro and Hungary among them), Kosovo is missing altogether (its neighbours list it as KOS
or XKX), and for Palestine and Andorra the "outline" is only a rectangle, their bounding box,
which would be drawn as a box: it is read as no outline. A brief cannot ask for a map of a
country with no outline, and a neighbour with none is left out of the picture (`validate` says
so). Whether a country with an outline can be framed is geo's business (`geo.map_problem`).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

Ring = tuple[tuple[float, float], ...]  # (lon, lat) points, closed implicitly

# Codes countryinfo uses in its neighbour lists for a country it has no entry for.
NOT_IN_PACKAGE = {"KOS": "Kosovo", "XKX": "Kosovo"}
# A neighbour smaller than this (km², as countryinfo gives it) is too small to show on a
# locator map of its neighbour; its missing outline is not worth a warning (Monaco, Andorra,
# San Marino, Liechtenstein, Gibraltar, Hong Kong, Macau are all within a neighbour's outline or
# a few points across).
TOO_SMALL_TO_SHOW_KM2 = 1_500.0
# Entries for a country that no longer exists (ISO 3166-1 withdrew CS in 2006): not anyone's
# neighbour on today's map.
WITHDRAWN = frozenset({"CS"})


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str  # English, as countryinfo spells it
    neighbours: tuple[str, ...]  # alpha-3 codes of its land neighbours
    centre: tuple[float, float]  # (lat, lon) countryinfo gives
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then its holes
    area_km2: float | None = None  # as countryinfo gives it (None: not given)
    boxed: bool = False  # the package's "outline" was only a bounding rectangle (dropped)

    @property
    def has_outline(self) -> bool:
        return bool(self.polygons)

    @property
    def outline_gap(self) -> str | None:
        """Why the map data cannot draw this country, in words for the analyst; None if it can
        draw its outline."""
        if self.boxed:
            return (f"the map data (countryinfo) gives only a rectangle (its bounding box) as "
                    f"the outline of {self.name}, not its shape")
        if not self.polygons:
            return f"the map data (countryinfo) has no outline of {self.name}"
        return None


@cache
def _index() -> tuple[dict[str, Country], tuple[Country, ...]]:
    """(every country by its alpha-2 and alpha-3 code, the countries by alpha-2 code).

    Kept between processes (reportgen/facts.py): countryinfo reads its 270 JSON files (~13 ms
    of every command whose brief names a country) where the kept index is one file (~3 ms).
    The entry is named by the package folders (installing or upgrading countryinfo changes
    them) and by countryinfo's own folders with their modification times."""
    from reportgen.facts import installed_identity, kept

    return kept("countries", (INDEX_REVISION, installed_identity(), _package_folders()),
                _read_index, _encode_index, _decode_index)


INDEX_REVISION = 1  # bump when what _read_index keeps of a country changes


def _package_folders() -> tuple:
    """countryinfo's folders (its data among them) with their modification times."""
    import importlib.util

    spec = importlib.util.find_spec("countryinfo")
    roots = list(spec.submodule_search_locations or ()) if spec else []
    found = []
    for root in roots:
        for folder, subfolders, _files in os.walk(root):
            subfolders.sort()
            found.append((folder, os.stat(folder).st_mtime_ns))
    return tuple(found)


def _encode_index(index: tuple[dict[str, Country], tuple[Country, ...]]) -> dict:
    by_code, _unique = index
    countries = list({id(c): c for c in by_code.values()}.values())
    at = {id(c): i for i, c in enumerate(countries)}
    return {"countries": [[c.alpha2, c.alpha3, c.name, c.neighbours, c.centre, c.polygons,
                           c.area_km2, c.boxed] for c in countries],
            "codes": {code: at[id(c)] for code, c in by_code.items()}}


def _decode_index(data: dict) -> tuple[dict[str, Country], tuple[Country, ...]]:
    countries = [
        Country(str(a2), str(a3), str(name), tuple(map(str, neighbours)),
                (float(centre[0]), float(centre[1])),
                tuple(tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in poly)
                      for poly in polygons),
                None if area is None else float(area), bool(boxed))
        for a2, a3, name, neighbours, centre, polygons, area, boxed in data["countries"]]
    by_code = {str(code): countries[i] for code, i in data["codes"].items()}
    return by_code, _unique(by_code)


def _unique(by_code: dict[str, Country]) -> tuple[Country, ...]:
    return tuple(sorted({c.alpha2: c for c in by_code.values()}.values(),
                        key=lambda c: c.alpha2))


def _read_index() -> tuple[dict[str, Country], tuple[Country, ...]]:
    from countryinfo import CountryInfo

    by_code: dict[str, Country] = {}
    for info in sorted(CountryInfo.all().values(), key=lambda i: i.get("name", "")):
        iso = info.get("ISO") or {}
        a2, a3 = iso.get("alpha2"), iso.get("alpha3")
        if not (a2 and a3) or a2 in by_code:
            continue
        polygons = _polygons(info.get("geoJSON"))
        boxed = len(polygons) == 1 and _is_box(polygons[0][0])
        country = Country(a2, a3, info["name"], tuple(info.get("borders") or ()),
                          _centre(info), () if boxed else polygons, _area(info), boxed)
        by_code[a2] = by_code[a3] = country
    return by_code, _unique(by_code)


def _centre(info: dict[str, Any]) -> tuple[float, float]:
    latlng = info.get("latlng") or [0.0, 0.0]
    return float(latlng[0]), float(latlng[1])


def _area(info: dict[str, Any]) -> float | None:
    area = info.get("area")
    return float(area) if isinstance(area, int | float) and area > 0 else None


def _is_box(ring: Ring) -> bool:
    """A ring that is only a longitude/latitude rectangle: a placeholder, not an outline."""
    return len({lon for lon, _ in ring}) <= 2 and len({lat for _, lat in ring}) <= 2


def _polygons(geojson: Any) -> tuple[tuple[Ring, ...], ...]:
    if not isinstance(geojson, dict):
        return ()
    out: list[tuple[Ring, ...]] = []
    for feature in geojson.get("features") or ():
        geometry = feature.get("geometry") or {}
        kind, coords = geometry.get("type"), geometry.get("coordinates") or ()
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for polygon in polygons:
            rings = tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in polygon)
            if rings and len(rings[0]) >= 3:
                out.append(rings)
    return tuple(out)


def lookup(code: str) -> Country | None:
    """The country of an ISO 3166-1 alpha-2 or alpha-3 code (any case); None if unknown."""
    return _index()[0].get(code.strip().upper()) if code.isascii() else None


def everyone() -> tuple[Country, ...]:
    return _index()[1]


def land_neighbours(country: Country) -> tuple[str, ...]:
    """The codes of the countries that share a land border with `country`, as the package
    lists them, either way round (Palestine lists Israel; Israel does not list Palestine), in a
    stable order: its own list first, then the others by code."""
    own = list(country.neighbours)
    others = sorted(c.alpha3 for c in everyone() if country.alpha3 in c.neighbours
                    and c.alpha3 not in own and c.alpha2 != country.alpha2
                    and c.alpha2 not in WITHDRAWN)
    return (*own, *others)


def gaps_among(codes: tuple[str, ...] | list[str]) -> list[str]:
    """The names of the countries among `codes` the map cannot draw though a reader would see
    them missing: no usable outline (or not in the package at all), and not too small to show.
    In the order given, each once."""
    out: list[str] = []
    for code in codes:
        country = lookup(code)
        if country is None:
            name = NOT_IN_PACKAGE.get(code.strip().upper())
        elif country.outline_gap is None or (
                country.area_km2 is not None and country.area_km2 < TOO_SMALL_TO_SHOW_KM2):
            name = None
        else:
            name = country.name
        if name and name not in out:
            out.append(name)
    return out


def suggest(text: str) -> str | None:
    """The alpha-2 code a name most likely means: "Yemen" -> "YE", "Irak" -> "IQ"."""
    from countryinfo import CountryInfo

    words = text.strip()
    if not words:
        return None
    try:  # countryinfo's own lookup: names, other spellings, native names
        iso = CountryInfo(words).iso()
        if isinstance(iso, dict) and iso.get("alpha2") and lookup(iso["alpha2"]):
            return iso["alpha2"]
    except Exception:  # noqa: BLE001 - countryinfo raises its own error for unknown names
        pass
    names = {c.name.lower(): c.alpha2 for c in everyone()}
    close = difflib.get_close_matches(words.lower(), list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None
