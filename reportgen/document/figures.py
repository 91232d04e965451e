"""The brief's pictures in the document plan: key figures, the locator map, images, the logo.

Every picture is read here, once, and checked (reportgen.figures.images); every problem in the
brief is collected and raised together, each at its key, so `validate` lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.brief import LoadedBrief
from reportgen.document import typography as ty
from reportgen.document.labels import Labels
from reportgen.document.model import ImageFigure, KeyFigureEntry, Logo, MapFigure
from reportgen.errors import Diagnostic, InputError
from reportgen.figures import countries, geo
from reportgen.figures.images import ImageProblem, read_image, resolve_inside
from reportgen.profile import LoadedProfile


@dataclass(frozen=True)
class Figures:
    key_figures: tuple[KeyFigureEntry, ...]
    map: MapFigure | None
    images: tuple[ImageFigure, ...]
    logo: Logo | None
    warnings: tuple[Diagnostic, ...]


def build_figures(doc: LoadedBrief, lp: LoadedProfile, labels: Labels) -> Figures:
    b, tag = doc.brief, doc.brief.language
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    line = lambda s: ty.set_line(s, tag) if s else None  # noqa: E731

    key_figures = tuple(
        KeyFigureEntry(line(k.value), line(k.label), line(k.source),
                       labels.fill("key_figure_source", source=line(k.source))
                       if k.source else None, i)
        for i, k in enumerate(b.key_figures or ()))

    number = 1
    map_figure = None
    if b.map is not None:
        map_figure = _map(doc, labels, number, errors, warnings)
        number += 1
    images = []
    for i, picture in enumerate(b.images):
        try:
            path = resolve_inside(doc.path.parent, picture.path)
            image = read_image(path, picture.path)
        except ImageProblem as exc:
            errors.append(doc.where.diagnostic(("images", i, "path"), str(exc)))
            continue
        caption = line(picture.caption)
        # Alt text is read out, never laid out: it stays as the analyst wrote it.
        images.append(ImageFigure(image, " ".join(picture.alt.split()), caption,
                                  line(picture.credit), number,
                                  _figure_label(labels, number, caption), i))
        number += 1
    logo = _logo(lp, labels, errors)
    if errors:
        raise InputError(errors)
    return Figures(key_figures, map_figure, tuple(images), logo, tuple(warnings))


def _figure_label(labels: Labels, number: int, caption: str | None) -> str:
    if caption:
        return labels.fill("figure_caption", number=str(number), caption=caption)
    return labels.fill("figure", number=str(number))


def country_name(code: str, tag: str) -> str:
    """The country's name in the brief's language (CLDR, through Babel), else countryinfo's."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag.replace("-", "_")).territories.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    country = countries.lookup(code)
    return name or (country.name if country else code)


def _map(doc: LoadedBrief, labels: Labels, number: int, errors: list[Diagnostic],
         warnings: list[Diagnostic]) -> MapFigure | None:
    spec, tag = doc.brief.map, doc.brief.language
    assert spec is not None
    country = countries.lookup(spec.country)
    assert country is not None and country.has_outline  # the model checked both
    proj = geo.projection_for(country)
    region = geo.region_codes(country, tuple(spec.region) if spec.region is not None else None)
    for i, code in enumerate(spec.region or ()):
        other = countries.lookup(code)
        if other is not None and not other.has_outline:
            warnings.append(doc.where.diagnostic(
                ("map", "region", i), f"the map data (countryinfo) has no outline of "
                f"{other.name}; it is left out of the map", level="warning"))
    places = []
    for i, place in enumerate(spec.places):
        if not proj.inside(place.lon, place.lat):
            lat0, lat1 = proj.ymin, proj.ymax
            errors.append(doc.where.diagnostic(
                ("map", "places", i), f"{place.name} ({place.lat:g}, {place.lon:g}) lies "
                f"outside the map of {country.name} (latitudes {lat0:.1f} to {lat1:.1f} and "
                "the longitudes of the country and its margin); check the signs (south and "
                "west are negative) or leave it out"))
            continue
        u, v = proj.frame(place.lon, place.lat)
        places.append(geo.Place(ty.set_line(place.name, tag), round(u, geo.ROUND),
                                round(v, geo.ROUND)))
    name = country_name(country.alpha2, tag)
    spoken = tuple(p.name for p in spec.places if proj.inside(p.lon, p.lat))
    alt = (labels.fill("map_alt_places", country=name, places=labels.join(spoken))
           if spoken else labels.fill("map_alt", country=name))
    caption = ty.set_line(spec.caption, tag) if spec.caption else None
    return MapFigure(country.alpha2, name, round(proj.aspect, geo.ROUND),
                     geo.shapes(country, region, proj), tuple(places), caption, alt,
                     labels["boundaries_note"], number, _figure_label(labels, number, caption))


def _logo(lp: LoadedProfile, labels: Labels, errors: list[Diagnostic]) -> Logo | None:
    p = lp.profile
    if p.logo is None:
        return None
    try:
        image = read_image(resolve_inside(lp.folder, p.logo), p.logo)
        if image.kind != "png":
            raise ImageProblem(f"{p.logo!r} is a JPEG; a logo is a PNG (it keeps sharp edges "
                               "and a transparent background)")
    except ImageProblem as exc:
        errors.append(lp.diagnostic(("logo",), str(exc)))
        return None
    alt = p.logo_alt or labels.fill("logo_alt", organisation=p.name)
    return Logo(image, alt)
