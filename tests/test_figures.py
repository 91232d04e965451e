"""The locator map's geometry (projection, frame, clipping), label placement and the
figures in the document plan."""

from __future__ import annotations

import math

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
