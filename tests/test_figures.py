"""The locator map's geometry (projection, frame, clipping), label placement and the
figures in the document plan."""

from __future__ import annotations

import io
import math
import re

import pytest

from reportgen.figures import countries, geo
from reportgen.figures.labels import overlaps, place_labels
from reportgen.pipeline import prepare
from tests.conftest import IRAQ_MAP


def iraq_map(write_brief, **changes):
    return prepare(write_brief(map=dict(IRAQ_MAP, **changes))).document.map


def test_the_shaded_outline_is_the_packages_polygon_projected(write_brief):
    figure = iraq_map(write_brief)
    iraq = countries.lookup("IQ")
    proj = geo.projection_for(iraq)
    drawn = [s for s in figure.shapes if s.kind == "country"]
    assert [s.code for s in drawn] == ["IQ"] and drawn == [figure.shapes[-1]]
    expected = [[proj.frame(lon, lat) for lon, lat in ring]
                for polygon in iraq.polygons for ring in polygon]
    assert len(drawn[0].rings) == len(expected)
    for ring, want in zip(drawn[0].rings, expected, strict=True):
        assert len(ring) == len(want)  # inside the frame, so nothing was clipped
        for (u, v), (eu, ev) in zip(ring, want, strict=True):
            assert abs(u - eu) < 1e-6 and abs(v - ev) < 1e-6
    # Equirectangular, centred: one degree of latitude is cos(lat0) degrees of longitude long.
    (u0, v0), (u1, v1) = proj.frame(44.0, 33.0), proj.frame(45.0, 34.0)
    width, height = proj.xmax - proj.xmin, proj.ymax - proj.ymin
    assert (u1 - u0) * width == pytest.approx(math.cos(math.radians(proj.lat0)))
    assert (v0 - v1) * height == pytest.approx(1.0)


def test_neighbours_are_tinted_and_other_land_in_the_frame_is_plain(write_brief):
    figure = iraq_map(write_brief)
    kinds = {s.code: s.kind for s in figure.shapes}
    assert {c for c, k in kinds.items() if k == "region"} == {"IR", "JO", "KW", "SA", "SY", "TR"}
    assert kinds["IQ"] == "country"
    assert kinds["AZ"] == "land"  # in the frame, not a neighbour
    order = [s.kind for s in figure.shapes]
    assert order == sorted(order, key=["land", "region", "country"].index)
    chosen = iraq_map(write_brief, region=["IRN", "KW"])
    assert {s.code for s in chosen.shapes if s.kind == "region"} == {"IR", "KW"}


def test_every_ring_is_clipped_to_the_frame_and_rounded(write_brief):
    figure = iraq_map(write_brief)
    for shape in figure.shapes:
        for ring in shape.rings:
            assert len(ring) >= 3
            for u, v in ring:
                assert 0.0 <= u <= 1.0 and 0.0 <= v <= 1.0
                assert round(u, 6) == u and round(v, 6) == v
    saudi = next(s for s in figure.shapes if s.code == "SA")
    assert any(u == 1.0 or v == 1.0 for ring in saudi.rings for u, v in ring)  # cut by the frame


@pytest.mark.parametrize("code", ["RU", "FJ", "US", "CL", "NZ", "ID", "NO", "YE", "LB"])
def test_awkward_countries_get_a_sane_frame(code):
    country = countries.lookup(code)
    proj = geo.projection_for(country)
    assert geo.MIN_ASPECT - 1e-9 <= proj.aspect <= geo.MAX_ASPECT + 1e-9
    assert -90 <= proj.ymin < proj.ymax <= 90
    shapes = geo.shapes(country, geo.region_codes(country, None), proj)
    subject = [s for s in shapes if s.kind == "country"]
    assert subject, code
    # No ring torn across the antimeridian: a torn ring jumps across the frame's inside in
    # one edge (clipping only adds long edges along the frame's border).
    for shape in shapes:
        for ring in shape.rings:
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                on_border = any(a[i] == b[i] in (0.0, 1.0) for i in (0, 1))
                assert on_border or abs(a[0] - b[0]) < 0.5, (code, shape.code, a, b)


@pytest.mark.parametrize("code", ["IQ", "RU", "FJ", "US", "CL", "NO", "ID"])
def test_rings_skipped_by_latitude_are_the_ones_the_frame_would_not_show(code):
    """The latitude pre-filter only saves work: every country framed with it gives the rings
    it gives when every ring is projected and tested."""
    country = countries.lookup(code)
    proj = geo.projection_for(country)
    unbounded = ((-math.inf, math.inf),)
    for other in countries.everyone():
        for poly in other.polygons:
            spans = geo._lat_spans(other.alpha2)[other.polygons.index(poly)]
            assert geo._framed(poly, proj, spans) == geo._framed(
                poly, proj, unbounded * len(poly)), (code, other.alpha2)


def test_framed_maps_are_kept_bounded_and_shared():
    cache = geo.FramedShapes(size=2)
    iraq, syria, iran = (countries.lookup(c) for c in ("IQ", "SY", "IR"))
    first = cache.shapes("IQ", ("SY",), geo.projection_for(iraq))
    assert cache.shapes("IQ", ("SY",), geo.projection_for(iraq)) is first
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.shapes("IQ", ("IR",), geo.projection_for(iraq)) is not first  # another region
    cache.shapes("SY", (), geo.projection_for(syria))
    cache.shapes("IR", (), geo.projection_for(iran))
    assert len(cache) == 2 and cache.misses == 4
    again = cache.shapes("IQ", ("SY",), geo.projection_for(iraq))  # dropped, framed anew
    assert again == first and again is not first and cache.misses == 5
    # geo.shapes goes through the process's cache
    geo.FRAMED.clear()
    region = geo.region_codes(iraq, None)
    assert geo.shapes(iraq, region, geo.projection_for(iraq)) is geo.shapes(
        iraq, region, geo.projection_for(iraq))
    assert geo.FRAMED.hits == 1


def test_every_country_with_an_outline_can_be_mapped():
    mapped = 0
    for country in countries.everyone():
        if not country.has_outline:
            continue
        proj = geo.projection_for(country)
        shapes = geo.shapes(country, geo.region_codes(country, None), proj)
        assert any(s.kind == "country" for s in shapes), country.alpha2
        mapped += 1
    assert mapped >= 170


def test_the_map_speaks_the_briefs_language(write_brief):
    en = iraq_map(write_brief)
    assert en.alt == "Locator map of Iraq, with Baghdad, Basra, Mosul and Erbil marked"
    assert en.label == "Figure 1: Iraq and its neighbours"
    assert en.note == "Boundaries are approximate and imply no endorsement."
    fr = prepare(write_brief(language="fr", map=IRAQ_MAP)).document.map
    assert fr.country_name == "Irak"
    assert fr.alt.startswith("Carte de situation\u202f: Irak, avec Baghdad, Basra")
    assert fr.label == "Figure 1\u202f: Iraq and its neighbours"
    bare = prepare(write_brief(map={"country": "YE"})).document.map
    assert bare.alt == "Locator map of Yemen" and bare.label == "Figure 1"


def test_figures_are_numbered_map_first_then_images(figure_brief):
    brief, templates = figure_brief()
    document = prepare(brief, templates).document
    assert document.map.number == 1
    assert [(i.number, i.label) for i in document.images] == [
        (2, "Figure 2: Basra’s waterway"), (3, "Figure 3")]
    assert [k.value for k in document.key_figures] == ["3", "Nov.\u00a02016"] or \
        [k.value for k in document.key_figures][0] == "3"
    assert document.key_figures[0].source_text == "Source: MEI, 2017"
    assert document.key_figures[1].source_text is None
    assert document.logo.alt == "Middle East Institute"
    assert [name for name, _ in document.picture_bytes()] == ["images/0", "images/1", "logo"]


def test_the_same_brief_gives_the_same_map(write_brief):
    assert iraq_map(write_brief) == iraq_map(write_brief)


# ---------------------------------------------------------------------------------------------
# Label placement


def width_of(text: str, size: float) -> float:
    return 0.5 * size * len(text)


def test_labels_do_not_collide_with_each_other_or_the_dots():
    places = [("Baghdad", 50, 50), ("Karbala", 52, 58), ("Hillah", 58, 56),
              ("Ramadi", 40, 49), ("Fallujah", 45, 51), ("Najaf", 50, 66)]
    labels = place_labels(places, 200, 160, 7, width_of, dot_radius=2)
    assert [lab.name for lab in labels] == [p[0] for p in places]
    assert all(lab.clear for lab in labels)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlaps(a.box, b.box), (a.name, b.name)
        for _, x, y in places:
            dot = (x - 2, y - 2, x + 2, y + 2)
            assert not overlaps(a.box, dot) or (x, y) == a.dot
        assert a.box[0] >= 0 and a.box[2] <= 200 and a.box[1] >= 0 and a.box[3] <= 160


def test_a_label_at_the_right_edge_goes_left():
    (label,) = place_labels([("Basra", 195, 80)], 200, 160, 7, width_of, dot_radius=2)
    assert label.box[2] <= 195 and label.clear


def test_crowded_places_are_reported_not_hidden():
    places = [(f"Place {i}", 10, 10 + i) for i in range(8)]
    labels = place_labels(places, 60, 40, 7, width_of, dot_radius=2)
    assert len(labels) == 8 and not all(lab.clear for lab in labels)
    assert place_labels(places, 60, 40, 7, width_of, dot_radius=2) == labels


# ---------------------------------------------------------------------------------------------
# Map data gaps, crowded names, bounded captions and strict coordinates (review of #12)


def validate_findings(brief, templates=None) -> list:
    from reportgen.authoring.checks import validate_paths

    return validate_paths([brief], templates).diagnostics()


def model_errors(path) -> list[str]:
    from reportgen.brief import load_brief
    from reportgen.errors import InputError

    with pytest.raises(InputError) as caught:
        load_brief(path)
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def test_countries_the_map_cannot_frame_are_left_out_of_the_mappable_set():
    mappable = {c.alpha2 for c in countries.everyone() if geo.map_problem(c) is None}
    # Palestine's and Andorra's data is a bounding rectangle; Antarctica goes round the pole;
    # Kiribati and Bahrain have no outline at all.
    assert not {"PS", "AD", "AQ", "KI", "BH", "HU", "RS"} & mappable
    # Russia, Fiji and the United States straddle the 180th meridian in pieces: drawable.
    assert {"RU", "FJ", "US", "IQ", "YE", "IL", "JO"} <= mappable
    assert countries.lookup("PS").polygons == () and countries.lookup("PS").boxed
    assert len(mappable) >= 170
    for code in ("RU", "FJ", "US"):  # framed whole: every outline point inside the frame
        country = countries.lookup(code)
        proj = geo.projection_for(country)
        assert all(proj.inside(lon, lat) for poly in country.polygons for lon, lat in poly[0])


@pytest.mark.parametrize("code, words", [
    ("PS", "only a rectangle (its bounding box) as the outline of Palestine"),
    ("AQ", "the outline of Antarctica (AQ) goes round the pole"),
])
def test_a_map_of_palestine_or_antarctica_is_refused_at_map_country(write_brief, code, words):
    errors = model_errors(write_brief(map={"country": code}))
    assert len(errors) == 1 and "map.country" in errors[0] and words in errors[0]
    if code == "PS":
        assert "map a neighbour that has one (e.g. IL, EG or JO)" in errors[0]


def test_default_neighbours_without_an_outline_are_warned_at_map_country(write_brief):
    found = validate_findings(write_brief(map={"country": "AL"}))
    (warning,) = [d for d in found if d.key == "map.country"]
    assert warning.level == "warning"
    assert warning.message.startswith("the map data (countryinfo) has no outline of Albania's "
                                      "neighbours Montenegro, Kosovo and Serbia; they are left "
                                      "out of the map (drawn as sea)")
    # Israel does not list Palestine among its neighbours, Palestine lists Israel: both ways.
    found = validate_findings(write_brief(map={"country": "IL"}))
    assert [d.message.split(";")[0] for d in found if d.key == "map.country"] == [
        "the map data (countryinfo) has no outline of Israel's neighbour Palestine"]
    # An explicit region is warned at its code; Palestine in the frame, though not named, too.
    found = validate_findings(write_brief(map={"country": "SY", "region": ["TR", "PSE"]}))
    assert [d.key for d in found if "countryinfo" in d.message] == ["map.region[1]"]
    assert not [d for d in validate_findings(write_brief(map={"country": "IQ"}))
                if "countryinfo" in d.message]
    found = validate_findings(write_brief(map={"country": "LB", "region": ["SY", "IL"]}))
    assert [d.key for d in found if "countryinfo" in d.message] == []
    found = validate_findings(write_brief(map={"country": "EG", "region": ["SD", "LY"]}))
    assert [d.message for d in found if d.key == "map.country"] == [
        "Palestine lies in the map's frame, but the map data (countryinfo) has only a "
        "rectangle round it, not its outline; it is left out of the map (drawn as sea or as "
        "its neighbours' land)"]


def test_names_that_crowd_each_other_on_the_map_are_warned_not_hidden(write_brief):
    # eight places within about 3 km of Baghdad's centre: no layout keeps their names apart
    places = [{"name": f"Checkpoint {i + 1}", "lat": 33.31 + 0.004 * (i % 3),
               "lon": 44.37 + 0.004 * (i // 3)} for i in range(8)]
    found = validate_findings(write_brief(map={"country": "IQ", "places": places}))
    (warning,) = [d for d in found if d.key == "map.places"]
    assert warning.level == "warning"
    assert "cannot all be placed clear of each other" in warning.message
    assert "mark fewer places" in warning.message and "shorten their names" in warning.message
    named = [p["name"] for p in places if re.search(rf"\b{p['name']}\b", warning.message)]
    assert len(named) >= 2  # the names that crowd are named
    assert not [d for d in validate_findings(write_brief(map=IRAQ_MAP)) if d.key == "map.places"]


def test_captions_sources_and_credits_are_bounded_where_they_are_written(write_brief):
    errors = model_errors(write_brief(
        map=dict(IRAQ_MAP, caption="c" * 201),
        key_figures=[{"value": "3", "label": "n", "source": "s" * 121}],
        images=[{"path": "a.png", "alt": "a", "caption": "c" * 201, "credit": "k" * 121}]))
    for key, limit, n in (("map.caption", 200, 201), ("key_figures[0].source", 120, 121),
                          ("images[0].caption", 200, 201), ("images[0].credit", 120, 121)):
        assert any(f" {key}: is {n} characters long; at most {limit} allowed" in e
                   for e in errors), (key, errors)
    from reportgen.authoring.schema import brief_schema

    defs = brief_schema()["$defs"]
    for model, field, limit in (("LocatorMap", "caption", 200), ("KeyFigure", "source", 120),
                                ("Picture", "caption", 200), ("Picture", "credit", 120)):
        prop = defs[model]["properties"][field]
        assert prop["anyOf"][0]["maxLength"] == limit
        assert f"at most {limit} characters" in prop["description"]


def test_captions_credits_and_sources_at_their_limits_render_in_every_format(figure_brief):
    import docx
    import pptx

    from reportgen.pipeline import render

    map_caption = ("Iraq and the neighbours whose borders matter " * 5)[:200].strip()
    image_caption = ("Boats on the Shatt al Arab waterway near Basra " * 5)[:200].strip()
    credit = ("Photo: a photographer for a news agency " * 4)[:120].strip()
    source = ("Ministry of Planning survey " * 5)[:120].strip()
    brief, templates = figure_brief(
        map=dict(IRAQ_MAP, caption=map_caption),
        key_figures=[{"value": "3", "label": "wars", "source": source}],
        images=[{"path": "images/ship.png", "alt": "A boat", "caption": image_caption,
                 "credit": credit}])
    assert [d for d in validate_findings(brief, templates) if d.level == "error"] == []
    prepared = prepare(brief, templates)
    deck = pptx.Presentation(io.BytesIO(render(prepared, "pptx").data))
    deck_text = " ".join(" ".join(shape.text_frame.text.split()) for slide in deck.slides
                         for shape in slide.shapes if shape.has_text_frame)
    memo = docx.Document(io.BytesIO(render(prepared, "docx").data))
    memo_text = " ".join(" ".join(p.text.split()) for p in memo.paragraphs) + " ".join(
        " ".join(cell.text.split()) for table in memo.tables for row in table.rows
        for cell in row.cells)
    # (typography may join words with no-break spaces: compare with plain ones)
    deck_text, memo_text = (t.replace("\u00a0", " ").replace("\u202f", " ")
                            for t in (deck_text, memo_text))
    for text in (map_caption, image_caption, credit, source):
        assert text in deck_text, text
        assert text in memo_text, text
    assert render(prepared, "pdf").findings.pages == 1


@pytest.mark.parametrize("value, words", [
    (True, "expected a number of degrees such as 33.31, got true"),
    ("33.31", "expected a number of degrees such as 33.31, got the text '33.31'; write the "
              "number without quotes"),
])
def test_coordinates_are_numbers_not_booleans_or_text(write_brief, value, words):
    errors = model_errors(write_brief(map={"country": "IQ", "places": [
        {"name": "Baghdad", "lat": value, "lon": 44.37},
        {"name": "Basra", "lat": 30.51, "lon": value}]}))
    assert len(errors) == 2
    assert " map.places[0].lat: " + words in errors[0]
    assert " map.places[1].lon: " + words in errors[1]
    from reportgen.brief import load_brief

    ok = load_brief(write_brief(map={"country": "IQ", "places": [
        {"name": "Baghdad", "lat": 33, "lon": 44.37}]})).brief
    assert ok.map.places[0].lat == 33.0 and isinstance(ok.map.places[0].lat, float)


def test_logo_errors_speak_of_the_profiles_folder(figure_brief):
    from reportgen.errors import InputError

    brief, templates = figure_brief()
    profile = templates / "mei" / "profile.yaml"
    text = profile.read_text("utf-8").replace("logo: logo.png", "logo: ../logo.png")
    profile.write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        prepare(brief, templates)
    (line,) = [e for e in caught.value.lines() if "logo: " in e]
    assert "the profile's folder" in line and "brief's folder" not in line
    assert "put the logo in the profile's folder" in line


def test_validate_says_how_to_bring_back_what_the_one_pager_left_out(sample_data):
    from types import SimpleNamespace

    from reportgen.authoring.checks import left_out_warnings

    image = SimpleNamespace(key=("images", 0), alt="A boat")
    both = SimpleNamespace(images=(image,), map=object())
    image_only = SimpleNamespace(dropped=((("images", 0), ""),), figures=((("map",), 0.4),),
                                 start_pt=10.0)
    (only,) = left_out_warnings(both, image_only)
    assert only == (("images", 0), "the image (A boat) was left out of the one-pager: even at "
                    "40% of a column's width it does not fit on the page with the text at 9 pt "
                    "or more; the one-pager has room for the text and the map only; shorten "
                    "the text or remove the map to keep the image; the memo and the deck show it")
    gone = SimpleNamespace(dropped=((("map",), ""), (("images", 0), "")), figures=(),
                           start_pt=10.0)
    map_w, image_w = left_out_warnings(both, gone)
    assert map_w[1].endswith("shorten the text to bring it back (the map comes back first, "
                             "then the image); the memo and the deck show it")
    assert "shorten the text to bring back the map, then the image" in image_w[1]
    alone = SimpleNamespace(images=(image,), map=None)
    (w,) = left_out_warnings(alone, SimpleNamespace(dropped=((("images", 0), ""),),
                                                    figures=(), start_pt=10.0))
    assert "; shorten the text to bring it back;" in w[1]


def test_the_schema_id_names_format_1_1():
    from reportgen.authoring.schema import brief_schema

    assert brief_schema()["$id"] == "urn:reportgen:schema:brief:1.1"
