"""Countries from the countryinfo package: ISO codes, names, land neighbours and outlines.

countryinfo (MIT) ships one JSON file per country with its ISO 3166-1 codes, its land
neighbours and a GeoJSON outline at Natural Earth's 1:110m scale: enough for a locator map a few
inches wide, read offline, the same bytes on every machine with the same version. Its gaps
(no outline for 80 small or split territories, Bahrain, Palestine, Serbia, Montenegro and Hungary
among them; no Kosovo at all) are reported as such: a brief cannot ask for a map of a country
with no outline, and a neighbour with none is left out of the picture (`validate` says so).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

Ring = tuple[tuple[float, float], ...]  # (lon, lat) points, closed implicitly


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    name: str  # English, as countryinfo spells it
    neighbours: tuple[str, ...]  # alpha-3 codes of its land neighbours
    centre: tuple[float, float]  # (lat, lon) countryinfo gives
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then its holes

    @property
    def has_outline(self) -> bool:
        return bool(self.polygons)


@cache
def _index() -> tuple[dict[str, Country], tuple[Country, ...]]:
    from countryinfo import CountryInfo

    by_code: dict[str, Country] = {}
    for info in sorted(CountryInfo.all().values(), key=lambda i: i.get("name", "")):
        iso = info.get("ISO") or {}
        a2, a3 = iso.get("alpha2"), iso.get("alpha3")
        if not (a2 and a3) or a2 in by_code:
            continue
        country = Country(a2, a3, info["name"], tuple(info.get("borders") or ()),
                          _centre(info), _polygons(info.get("geoJSON")))
        by_code[a2] = by_code[a3] = country
    unique = tuple(sorted({c.alpha2: c for c in by_code.values()}.values(),
                          key=lambda c: c.alpha2))
    return by_code, unique


def _centre(info: dict[str, Any]) -> tuple[float, float]:
    latlng = info.get("latlng") or [0.0, 0.0]
    return float(latlng[0]), float(latlng[1])


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
