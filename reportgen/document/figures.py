"""The brief's pictures in the document plan: key figures, the locator map, images, the logo.

Every picture is read here, once, and checked (reportgen.figures.images); every problem in the
brief is collected and raised together, each at its key, so `validate` lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.brief import LoadedBrief
from reportgen.document import cldr
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
    name = cldr.territory_name(code, tag)
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
    warnings += _missing_neighbours(doc, country, spec.region, proj)
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
    warnings += _crowded_labels(doc, places, proj.aspect)
    name = country_name(country.alpha2, tag)
    spoken = tuple(p.name for p in spec.places if proj.inside(p.lon, p.lat))
    alt = (labels.fill("map_alt_places", country=name, places=labels.join(spoken))
           if spoken else labels.fill("map_alt", country=name))
    caption = ty.set_line(spec.caption, tag) if spec.caption else None
    return MapFigure(country.alpha2, name, round(proj.aspect, geo.ROUND),
                     geo.shapes(country, region, proj), tuple(places), caption, alt,
                     labels["boundaries_note"], number, _figure_label(labels, number, caption))


def _missing_neighbours(doc: LoadedBrief, country: countries.Country,
                        region: list[str] | None, proj: geo.Projection) -> list[Diagnostic]:
    """A warning for each country in the map that the map data cannot draw: it is left as sea.
    At its code in an explicit `region`; at `map.country` for the default region (the
    country's land neighbours), naming them all in one warning; and at `map.country` for a
    country whose data is only a rectangle (Palestine) that lies in the frame all the same."""
    out = []
    if region is not None:
        named = list(region)
        out += [doc.where.diagnostic(
            ("map", "region", i), f"the map data (countryinfo) has no outline of {missing[0]}; "
            "it is left out of the map (drawn as sea)", level="warning")
            for i, code in enumerate(region) if (missing := countries.gaps_among([code]))]
    else:
        named = list(countries.land_neighbours(country))
        missing = countries.gaps_among(named)
        if missing:
            out.append(doc.where.diagnostic(
                ("map", "country"), f"the map data (countryinfo) has no outline of "
                f"{country.name}'s neighbour{'s' if len(missing) > 1 else ''} {_and(missing)}; "
                f"{'they are' if len(missing) > 1 else 'it is'} left out of the map (drawn as "
                "sea); name the region yourself with `region` to choose what is tinted",
                level="warning"))
    codes = {c.alpha2 for c in map(countries.lookup, named) if c is not None}
    out += [doc.where.diagnostic(
        ("map", "country"), f"{other.name} lies in the map's frame, but the map data "
        "(countryinfo) has only a rectangle round it, not its outline; it is left out of the "
        "map (drawn as sea or as its neighbours' land)", level="warning")
        for other in countries.everyone()
        if other.boxed and other.alpha2 not in codes | {country.alpha2}
        and countries.gaps_among([other.alpha2])
        and proj.inside(other.centre[1], other.centre[0])]
    return out


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# The map as the one-pager sets it at its designed size (a column wide, place names in small
# type): where labels collide there, they collide at least as much when it narrows.
CHECK_MAP_WIDTH_PT = 240.0
CHECK_LABEL_PT = 7.0
CHECK_DOT_PT = 3.2  # the dot and its white ring
CHECK_EM = 0.56  # an average sans-serif letter, as a share of the type size (a little wide)


def _crowded_labels(doc: LoadedBrief, places: list[geo.Place],
                    aspect: float) -> list[Diagnostic]:
    """A warning when the places' names cannot all be set clear of each other and of the
    dots: every writer then draws some names overlapping (never silently)."""
    from reportgen.figures.labels import place_labels

    if len(places) < 2:
        return []
    w = CHECK_MAP_WIDTH_PT
    h = w / aspect
    placed = place_labels([(p.name, p.u * w, p.v * h) for p in places], w, h, CHECK_LABEL_PT,
                          lambda text, size: CHECK_EM * size * len(text) + 2.4,
                          dot_radius=CHECK_DOT_PT)
    crowded = [label.name for label in placed if not label.clear]
    if not crowded:
        return []
    return [doc.where.diagnostic(
        ("map", "places"), f"the names of {_and(crowded)} cannot all be placed clear of each "
        "other and of the dots on the map: some will overlap; mark fewer places (those close "
        "together can share one name) or shorten their names", level="warning")]


def _for_logo(message: str) -> str:
    """An image problem in the logo's words: its path is relative to the profile's folder."""
    return (message.replace("a path relative to the brief's folder, such as images/photo.jpg",
                            "a file name beside profile.yaml, such as logo.png")
            .replace("the brief's folder", "the profile's folder")
            .replace("the picture", "the logo"))


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
        errors.append(lp.diagnostic(("logo",), _for_logo(str(exc))))
        return None
    alt = p.logo_alt or labels.fill("logo_alt", organisation=p.name)
    return Logo(image, alt)
