"""The one-pager's pictures (issue 12), read back with pdfplumber: the key-figures strip under
the bottom line, the locator map drawn as vector paths inside its frame and clear of the text,
one image, the logo in the masthead; how they take part in the fit (narrowed, then left out
with a warning from `validate`, before the type shrinks); their alternate descriptions and boxes
for tagging; the same bytes for the same brief."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from conftest import IRAQ_MAP, KEY_FIGURES
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.pipeline import prepare
from reportgen.writers import pdf
from reportgen.writers import pdf_figures as pf
from reportgen.writers.colour import map_palette

TOLERANCE = 0.5  # points


def short_text(sample_data: dict) -> dict:
    """One line a section: the page has room for every picture."""
    return dict(situation="Tillerson told Iran-backed militias in Iraq to go home.",
                actors=sample_data["actors"][:1],
                leverage=dict(sample_data["leverage"],
                              points=sample_data["leverage"]["points"][:1]),
                outlook=sample_data["outlook"][:1])


def render(brief: Path, templates: Path):
    document = prepare(brief, templates).document
    rendered, placed = pdf.render_with_figures(document)
    return document, rendered, {p.key: p for p in placed}


def rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def colour_of(obj: dict, key: str = "non_stroking_color") -> tuple[float, ...]:
    return tuple(round(c, 3) for c in obj[key] or ())


def page_box(page, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A `Placed` box (PDF points, y up) as pdfplumber's (x0, top, x1, bottom)."""
    x0, y0, x1, y1 = box
    return x0, page.height - y1, x1, page.height - y0


def inside(obj: dict, frame: tuple[float, float, float, float], slack: float = TOLERANCE) -> bool:
    x0, top, x1, bottom = frame
    return (obj["x0"] >= x0 - slack and obj["x1"] <= x1 + slack and obj["top"] >= top - slack
            and obj["bottom"] <= bottom + slack)


def overlaps(a: dict, frame: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = frame
    return a["x0"] < x1 and a["x1"] > x0 and a["top"] < bottom and a["bottom"] > top


@pytest.fixture
def short_figures(figure_brief, sample_data):
    """Every kind of picture on a page with room for them all: rendered once."""
    brief, templates = figure_brief("short", **short_text(sample_data))
    return render(brief, templates)


# ---------------------------------------------------------------------------------------------
# The locator map


def test_the_map_is_drawn_as_vector_paths_inside_its_frame(short_figures):
    document, rendered, placed = short_figures
    assert ("map",) in placed
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        frame = page_box(page, placed[("map",)].box)
        curves, rects = page.curves, page.rects
    palette = map_palette(document.look.colors)
    # the sea fills the frame and the frame is stroked in the palette's frame colour
    assert any(inside(r, frame, 0.1) and r["fill"] and colour_of(r) == rgb(palette["sea"])
               and r["x1"] - r["x0"] > (frame[2] - frame[0]) - 0.2 for r in rects)
    assert any(r["stroke"] and colour_of(r, "stroking_color") == rgb(palette["frame"])
               and abs(r["x0"] - frame[0]) < 0.1 and abs(r["bottom"] - frame[3]) < 0.1
               for r in rects)
    # every shape the map holds is a path (land, region, the country, dots, label grounds),
    # and every one lies inside the frame
    rings = sum(len(s.rings) for s in document.map.shapes)
    assert len(curves) >= rings + len(document.map.places)
    outside = [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in curves
               if not inside(c, frame)]
    assert not outside, (frame, outside)
    kinds = {colour_of(c) for c in curves}
    assert {rgb(palette[k]) for k in ("land", "region", "country", "dot")} <= kinds
    # and the drawing is clipped to the frame: a clipping path of the frame's size
    from pypdf import PdfReader

    content = PdfReader(io.BytesIO(rendered.data)).pages[0].get_contents().get_data()
    clips = re.findall(rb"(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+) re\s+W\*?\s+n", content)
    x0, y0, x1, y1 = placed[("map",)].box
    assert any(abs(float(w) - (x1 - x0)) < 0.1 and abs(float(h) - (y1 - y0)) < 0.1
               for _, _, w, h in clips), clips


def test_the_countrys_path_is_its_outline_scaled_to_the_frame(short_figures):
    document, rendered, placed = short_figures
    x0, y0, x1, y1 = placed[("map",)].box
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        primary = rgb(document.look.colors.primary)
        drawn = [c["pts"] for c in page.curves if colour_of(c) == primary]
        height = page.height
    country = next(s for s in document.map.shapes if s.kind == "country")
    assert country.code == "IQ" and len(drawn) == len(country.rings)
    for ring, pts in zip(country.rings, drawn, strict=True):
        expected = [(x0 + u * (x1 - x0), height - y1 + v * (y1 - y0)) for u, v in ring]
        assert len(pts) in (len(expected), len(expected) + 1)  # (the closing point repeated)
        for (ex, ey), (x, y) in zip(expected, pts, strict=False):
            assert abs(ex - x) <= TOLERANCE and abs(ey - y) <= TOLERANCE, ((ex, ey), (x, y))


def test_place_names_are_text_on_the_map_and_never_collide(short_figures):
    document, rendered, placed = short_figures
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        frame = page_box(page, placed[("map",)].box)
        words = page.extract_words()
    names = [p.name for p in document.map.places]
    assert names == ["Baghdad", "Basra", "Mosul", "Erbil"]
    on_map = {w["text"]: w for w in words if inside(w, frame)}
    assert set(on_map) == set(names)  # each name once, and nothing else on the map
    boxes = list(on_map.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not overlaps(a, (b["x0"], b["top"], b["x1"], b["bottom"])), (a, b)


def test_no_line_of_text_overlaps_the_map(short_figures):
    document, rendered, placed = short_figures
    names = {p.name for p in document.map.places}
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        frame = page_box(page, placed[("map",)].box)
        words = page.extract_words()
    crossing = [w["text"] for w in words if overlaps(w, frame) and w["text"] not in names]
    assert not crossing
    text = page_text(rendered.data)
    assert "Iraq and its neighbours" in text  # the caption, not the memo's "Figure 1: …"
    assert "Figure 1" not in text
    assert document.map.note in text


def test_the_map_heads_the_right_column(short_figures):
    document, rendered, placed = short_figures
    assert rendered.findings.columns == 2
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        frame = page_box(page, placed[("map",)].box)
        words = page.extract_words()
    situation = next(w for w in words if w["text"] == "Situation")
    assert frame[0] > page.width / 2  # the right column
    assert abs(frame[1] - situation["top"]) < 12  # level with the left column's first heading


def page_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return " ".join(doc.pages[0].extract_text().split())


# ---------------------------------------------------------------------------------------------
# Key figures, the image and the logo


def test_key_figures_are_big_numbers_in_equal_cells_under_the_bottom_line(short_figures):
    document, rendered, _ = short_figures
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        words = page.extract_words(extra_attrs=["size", "fontname"])
        text = " ".join(page.extract_text().split())
    for entry in document.key_figures:
        assert entry.value.replace("\u00a0", " ") in text
        assert " ".join(entry.label.replace("\u00a0", " ").split()) in text
        if entry.source_text:
            assert entry.source_text in text
    body = rendered.findings.body_pt
    three = next(w for w in words if w["text"] == "3" and w["size"] > 2 * body)
    nov = next(w for w in words if w["text"] == "Nov.")
    year = next(w for w in words if w["text"] == "2016" and w["size"] > 2 * body)
    assert three["size"] == nov["size"] == year["size"]  # one size, and big
    assert three["bottom"] == nov["bottom"] == year["bottom"]  # one baseline, one line
    assert "Bold" in three["fontname"]
    # under the bottom line, above the first section; cells a column wide (two figures)
    bottom_line = next(w for w in words if w["text"] == "BOTTOM")
    situation = next(w for w in words if w["text"] == "Situation")
    assert bottom_line["top"] < three["top"] < situation["top"]
    margin = document.look.page.margin_pt
    column = (page.width - 2 * margin - pdf.GUTTER_PT) / 2
    assert abs(three["x0"] - margin) < 1
    assert abs(nov["x0"] - (margin + column + pdf.GUTTER_PT)) < 1
    label_tops = [next(w for w in words if w["text"] == first and w["top"] > three["top"])["top"]
                  for first in ("Iran-aligned", "parliament")]
    assert abs(label_tops[0] - label_tops[1]) < 0.5  # the labels start on one baseline


def test_a_long_value_never_wraps_and_stays_in_its_cell(figure_brief, sample_data):
    figures = [{"value": "1,234,567.89", "label": f"a long value, number {n}"}
               for n in range(1, 5)]
    brief, templates = figure_brief("values", key_figures=figures, map=None, images=None,
                                    **short_text(sample_data))
    document, rendered, _ = render(brief, templates)
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        words = page.extract_words(extra_attrs=["size"])
    values = [w for w in words if w["text"] == "1,234,567.89"]
    assert len(values) == 4  # each one word on one line, none broken
    # Four such numbers do not fit across the single column at 1.6 times the body size: two
    # rows of two equal cells, each value inside its own.
    rows = sorted({round(w["bottom"], 2) for w in values})
    assert len(rows) == 2
    right = page.width - document.look.page.margin_pt
    left0 = min(w["x0"] for w in values)
    cell = (right - left0 - pdf.GUTTER_PT) / 2
    for row in rows:
        in_row = sorted((w for w in values if round(w["bottom"], 2) == row),
                        key=lambda w: w["x0"])
        assert len(in_row) == 2
        for i, w in enumerate(in_row):
            left = left0 + i * (cell + pdf.GUTTER_PT)
            assert abs(w["x0"] - left) < 0.5 and w["x1"] <= left + cell + 0.5, (i, w, cell)


FILLER = ("Commanders of the units answered the call within hours, and the government in "
          "Baghdad repeated that the P.M.F. are a state institution under its command. ")
LONG_VALUES = [{"value": v, "label": f"figure {n}"}
               for n, v in enumerate(("1,234,567.89", "$12.5bn", "97%", "Nov. 2016"), 1)]


@pytest.mark.parametrize("length", ["short, one column", "long, smallest type"])
def test_key_figure_numbers_stay_well_above_the_body_size(figure_brief, sample_data, length):
    # A number printed big must read bigger than the text however the page shrinks: at least
    # pf.VALUE_LEAST times the body size, in one column (narrow cells) and at the smallest
    # body size the fit reaches with a long brief.
    if length.startswith("short"):
        changes = short_text(sample_data)
    else:
        changes = dict(situation=sample_data["situation"] + "".join(
            f"\n\n({n}) " + FILLER for n in range(7)))
    brief, templates = figure_brief("big", key_figures=LONG_VALUES, map=None, images=None,
                                    **changes)
    document, rendered, _ = render(brief, templates)
    body = rendered.findings.body_pt
    if length.startswith("long"):
        assert body <= document.look.type.min_body_pt + 0.25  # the fit's smallest sizes
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        words = page.extract_words(extra_attrs=["size"])
    values = [w for w in words if w["text"] in ("1,234,567.89", "$12.5bn", "97%", "Nov.")]
    assert len(values) == 4
    assert min(w["size"] for w in values) >= pf.VALUE_LEAST * body - 0.01, (body, values)
    text_size = max(w["size"] for w in words if w["text"] == "Commanders" or
                    w["text"] == "figure")
    assert min(w["size"] for w in values) >= 1.6 * text_size - 0.01
    # and none of them runs into another word
    for w in values:
        assert not [o["text"] for o in words if o is not w and overlaps(o, (
            w["x0"], w["top"], w["x1"], w["bottom"]))], w["text"]


def test_the_first_image_is_set_with_its_caption_and_credit(short_figures):
    document, rendered, placed = short_figures
    image = document.images[0]
    assert ("images", 0) in placed and ("images", 1) not in placed  # at most one
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        pictures = page.images
        words = page.extract_words()
    box = page_box(page, placed[("images", 0)].box)
    drawn = [im for im in pictures if im["srcsize"] == (image.image.width, image.image.height)]
    assert len(drawn) == 1 and inside(drawn[0], box, 0.1)
    assert abs((drawn[0]["x1"] - drawn[0]["x0"]) / (drawn[0]["bottom"] - drawn[0]["top"])
               - image.image.aspect) < 0.01  # its aspect kept
    assert not [w["text"] for w in words if overlaps(w, box)]
    text = page_text(rendered.data)
    assert "Basra’s waterway" in text and "Photo: Test" in text


@pytest.mark.parametrize("column", [1, 2])
def test_a_tiny_image_is_not_blown_up_and_keeps_its_alt_text_and_box(figure_brief, sample_data,
                                                                      column):
    # A 40 x 30 pixel picture is shown at most 2 pt a pixel (80 pt wide), centred in its
    # column with its caption under it; the box given with its alt text is where it is drawn,
    # whichever column it lands in (a longer situation pushes it to the second).
    from conftest import make_picture

    changes = short_text(sample_data)
    if column == 2:
        changes.update(map=None, key_figures=None, situation=sample_data["situation"] + "".join(
            f"\n\n({n}) " + FILLER for n in range(6)))
    brief, templates = figure_brief("tiny", **changes)
    make_picture(brief.parent / "images" / "tiny.png", 40, 30)
    text = brief.read_text(encoding="utf-8").replace("images/ship.png", "images/tiny.png")
    brief.write_text(text, encoding="utf-8")
    document, rendered, placed = render(brief, templates)
    assert ("images", 0) in placed, rendered.findings
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        (drawn,) = [im for im in page.images if im["srcsize"] == (40, 30)]
        words = page.extract_words()
    width = drawn["x1"] - drawn["x0"]
    assert width <= 80.01  # 40 px at 2 pt a pixel
    assert abs(width / (drawn["bottom"] - drawn["top"]) - 40 / 30) < 0.01
    # the alt text's box is the picture as drawn
    x0, top, x1, bottom = page_box(page, placed[("images", 0)].box)
    assert placed[("images", 0)].alt == "A patrol boat on the Shatt al-Arab"
    assert (abs(drawn["x0"] - x0) < 0.1 and abs(drawn["x1"] - x1) < 0.1
            and abs(drawn["top"] - top) < 0.1 and abs(drawn["bottom"] - bottom) < 0.1)
    # centred in its column (the one it landed in), the caption under it from the column's edge
    margin = document.look.page.margin_pt
    width_of = (page.width - 2 * margin - pdf.GUTTER_PT) / 2  # a column's
    lefts = [margin, margin + width_of + pdf.GUTTER_PT]
    left = min(lefts, key=lambda x: abs((x + width_of / 2) - (drawn["x0"] + drawn["x1"]) / 2))
    assert left == lefts[column - 1]
    assert abs((drawn["x0"] + drawn["x1"]) / 2 - (left + width_of / 2)) < 0.5
    caption = next(w for w in words if w["text"] == "Basra’s")
    assert caption["top"] > drawn["bottom"] and abs(caption["x0"] - left) < 0.5
    assert not [w["text"] for w in words if overlaps(w, (x0, top, x1, bottom))]


def test_image_streams_are_binary_not_ascii85(figure_brief, sample_data):
    # ASCII85 makes every image a quarter larger and slow to write; the same brief still gives
    # the same bytes.
    from pypdf import PdfReader

    brief, templates = figure_brief("binary", **short_text(sample_data))
    first = pdf.render(prepare(brief, templates).document).data
    assert first == pdf.render(prepare(brief, templates).document).data
    reader = PdfReader(io.BytesIO(first))
    images, filters = 0, []
    for number in range(1, len(reader.xref_objStm) + reader.trailer["/Size"]):
        try:
            obj = reader.get_object(number)
        except Exception:
            continue
        if hasattr(obj, "get") and obj.get("/Filter") is not None:
            found = obj["/Filter"]
            filters += list(found) if isinstance(found, list) else [found]
            images += obj.get("/Subtype") == "/Image"
    assert images >= 2  # the picture and the logo
    assert filters and "/ASCII85Decode" not in filters, filters


def test_the_logo_is_in_the_masthead_its_aspect_kept(short_figures):
    document, rendered, placed = short_figures
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        logo = next(im for im in page.images if im["srcsize"] == (600, 200))
        words = page.extract_words()
        baseline = next(page.height - c["matrix"][5] for c in page.chars if c["text"] == "M")
        rule = min((ln for ln in page.lines if ln["x1"] - ln["x0"] > page.width * 0.8),
                   key=lambda ln: ln["top"])  # the accent rule under the masthead
    w, h = logo["x1"] - logo["x0"], logo["bottom"] - logo["top"]
    assert 24 <= h <= 36 and abs(w / h - 3) < 0.01
    assert abs(logo["x0"] - document.look.page.margin_pt) < 0.1
    assert logo["bottom"] < rule["top"]  # above the masthead's rule, under the band
    assert logo["top"] > pdf.BAND_PT
    organisation = next(w for w in words if w["text"] == "MIDDLE")
    assert organisation["x0"] > logo["x1"]  # the name follows the logo, on its foot
    assert abs(baseline - logo["bottom"]) < 0.1
    title = next(w for w in words if w["text"] == "Iraq’s")
    assert title["top"] > rule["top"]
    assert page_box(page, placed[("logo",)].box) == pytest.approx(
        (logo["x0"], logo["top"], logo["x1"], logo["bottom"]), abs=0.1)


# ---------------------------------------------------------------------------------------------
# Taking part in the fit


def test_the_figure_brief_stays_one_page_leaving_out_image_then_map_with_warnings(
        figure_brief, tmp_path):
    # the whole sample fills the page at 10 pt: even at the narrowest and with the type a point
    # smaller the image and then the map do not fit; they are left out, each said, and the
    # text is set alone (here below 10 pt anyway, for the key figures' room)
    brief, templates = figure_brief()
    document, rendered, placed = render(brief, templates)
    found = rendered.findings
    assert found.pages == 1
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        assert len(doc.pages) == 1
        sources = {im["srcsize"] for im in doc.pages[0].images}
    assert sources == {(600, 200)}  # the logo alone
    assert [key for key, _ in found.dropped] == [("map",), ("images", 0)]
    assert found.dropped[0][1].startswith("the locator map was left out of the one-pager: ")
    assert found.dropped[1][1].startswith(
        "the image (A patrol boat on the Shatt al-Arab) was left out of the one-pager: ")
    assert found.figures == ()
    assert set(placed) == {("logo",)}
    assert pdf.check(document) == found

    result = CliRunner().invoke(app, ["validate", "--templates", str(templates), str(brief)])
    assert result.exit_code == 0, result.output
    lines = brief.read_text("utf-8").splitlines()
    map_line = lines.index("map:") + 1  # (the warning points at its value, on the next line)
    image_line = lines.index("- path: images/ship.png") + 1
    out = result.output
    assert re.search(rf"{re.escape(str(brief))}:{map_line + 1}:\d+: warning: map: the locator "
                     "map was left out of the one-pager: even at 40% of a column's width", out)
    assert re.search(rf"{re.escape(str(brief))}:{image_line}:\d+: warning: images\[0\]: the "
                     "image \\(A patrol boat", out)


def ladder(figure_brief, sample_data, images: bool) -> list:
    """Check briefs of growing length (one actor more each time, then the whole situation):
    (body size, what was left out, what was set at which share) for each."""
    out = []
    longer = [dict(short_text(sample_data), actors=sample_data["actors"][:n],
                   leverage=sample_data["leverage"], outlook=sample_data["outlook"])
              for n in range(1, 7)]
    longer.append(dict(longer[-1], situation=sample_data["situation"]))
    for i, text in enumerate(longer):
        changes = {} if images else {"images": None}
        brief, templates = figure_brief(f"ladder-{i}", **changes, **text)
        found = pdf.check(prepare(brief, templates).document)
        out.append((found.body_pt, [key for key, _ in found.dropped], dict(found.figures)))
    return out


def test_as_the_text_grows_the_map_narrows_then_costs_a_point_of_type_then_goes(
        figure_brief, sample_data):
    steps = ladder(figure_brief, sample_data, images=False)
    shares = [figures.get(("map",)) for _, _, figures in steps]
    kept = [s for s in shares if s is not None]
    assert shares.index(None) == len(kept)  # once left out, it stays out
    assert min(kept) >= pf.MIN_SHARE
    # at the profile's size, narrower as the text grows (above it, the type grows instead and
    # the map keeps its designed size, a share of that size's column height)
    at_10 = [s for (body_pt, _, _), s in zip(steps, shares, strict=True)
             if s is not None and body_pt == 10]
    assert len(at_10) >= 2 and at_10 == sorted(at_10, reverse=True) and at_10[-1] < at_10[0]
    for body_pt, dropped, figures in steps:
        assert (dropped == [("map",)]) == (("map",) not in figures)
        if ("map",) in figures:
            # the map costs the type at most FIGURE_ALLOWANCE_PT (only once it did not fit at
            # 10 pt even at its narrowest: the ladder's 10 pt steps above narrow first)
            assert body_pt >= 10 - pdf.FIGURE_ALLOWANCE_PT
    assert any(body_pt < 10 for body_pt, _, f in steps if ("map",) in f)  # the allowance used
    # the brief that loses the map is set alone, at the largest size its text fits
    assert steps[len(kept)][0] >= steps[len(kept) - 1][0]


def test_the_image_is_left_out_before_the_map(figure_brief, sample_data):
    steps = ladder(figure_brief, sample_data, images=True)
    outcomes = [tuple(dropped) for _, dropped, _ in steps]
    assert () in outcomes  # both set
    assert (("images", 0),) in outcomes  # the image out, the map kept
    assert (("map",), ("images", 0)) in outcomes
    assert (("map",),) not in outcomes  # never the map out and the image kept
    order = [outcomes.index(o) for o in ((), (("images", 0),), (("map",), ("images", 0)))]
    assert order == sorted(order)
    for body_pt, _, figures in steps:
        if figures:
            assert body_pt >= 10 - pdf.FIGURE_ALLOWANCE_PT
            # both narrow together, to one share (each at most its designed width)
            assert len(set(figures.values())) == 1 or len(figures) == 1


def test_a_short_brief_in_one_column_puts_the_map_atop_it_and_its_caption_in_the_margin(
        figure_brief, sample_data):
    brief, templates = figure_brief("single", images=None, key_figures=None,
                                    **short_text(sample_data))
    document, rendered, placed = render(brief, templates)
    assert rendered.findings.columns == 1 and rendered.findings.body_pt > 10
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        frame = page_box(page, placed[("map",)].box)
        words = page.extract_words()
    situation = next(w for w in words if w["text"] == "Situation")
    first = next(w for w in words if w["text"] == "Tillerson" and w["top"] > frame[3])
    assert abs(frame[0] - first["x0"]) < 0.5  # on the column's left edge
    assert frame[3] < situation["top"]  # above the first section
    note = next(w for w in words if w["text"] == "Boundaries")
    assert note["x1"] < frame[0] and note["top"] > frame[1]  # in the margin, beside the map
    assert note["x0"] == pytest.approx(situation["x0"], abs=0.5)  # under the headings
    names = {p.name for p in document.map.places}
    assert not [w["text"] for w in words if overlaps(w, frame) and w["text"] not in names]


def test_a_brief_without_pictures_is_laid_out_as_before(write_brief, sample_data):
    brief = write_brief("plain", map=None)
    rendered = pdf.render(prepare(brief).document)
    assert rendered.findings.dropped == () and rendered.findings.figures == ()
    assert rendered.findings.body_pt == 10


def test_the_sample_keeps_its_map_for_three_quarters_of_a_point_of_type(sample_brief):
    # The sample's text fills its page at 10 pt; even at 40 % of a column the map needs about
    # five lines more, so the type gives way by 0.75 pt (validate says so), not the map.
    found = pdf.check(prepare(sample_brief).document)
    assert found.body_pt == 9.25 and found.pages == 1 and found.dropped == ()
    assert dict(found.figures)[("map",)] >= pf.MIN_SHARE


# ---------------------------------------------------------------------------------------------
# Alternate descriptions and the same bytes


def test_render_gives_each_picture_its_alt_text_and_page_box(short_figures):
    document, rendered, placed = short_figures
    assert set(placed) == {("logo",), ("map",), ("images", 0)}
    assert placed[("logo",)].alt == "Middle East Institute"
    assert placed[("map",)].alt == document.map.alt == (
        "Locator map of Iraq, with Baghdad, Basra, Mosul and Erbil marked")
    assert placed[("images", 0)].alt == "A patrol boat on the Shatt al-Arab"  # as written
    assert [key for key, _ in rendered.findings.figures] == [("map",), ("images", 0)]
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        for p in placed.values():
            x0, y0, x1, y1 = p.box
            assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height


def test_same_brief_with_every_picture_gives_identical_bytes(figure_brief, sample_data):
    brief, templates = figure_brief("twice", **short_text(sample_data))
    first = pdf.render(prepare(brief, templates).document)
    assert ("map",) in dict(first.findings.figures)
    assert first.data == pdf.render(prepare(brief, templates).document).data


def test_a_french_brief_labels_its_key_figures_and_map_in_french(figure_brief, sample_data):
    brief, templates = figure_brief("fr", language="fr", images=None,
                                    key_figures=KEY_FIGURES[:1],
                                    map=dict(IRAQ_MAP, caption="L’Irak et ses voisins"),
                                    **short_text(sample_data))
    _, rendered, placed = render(brief, templates)
    text = page_text(rendered.data)
    assert "Source\u00a0: MEI, 2017" in text or "Source : MEI, 2017" in text
    assert "L’Irak et ses voisins" in text
    assert "Les frontières sont approximatives" in text
    assert placed[("map",)].alt.startswith("Carte de situation")


def test_the_fast_lower_bound_counts_the_key_figures(figure_brief):
    from reportgen.glyphs import profile_families

    brief, templates = figure_brief("bound")
    document = prepare(brief, templates).document
    body, arabic = profile_families(document.profile)
    st = pdf.make_styles(8.0, pdf._register(body), pdf._register(arabic), document.look)
    exact = pdf.measure(document, st, pdf._height)
    at_least = pdf.measure(document, st, pdf._height_at_least)
    assert 0 < at_least.heights["key_figures"] <= exact.heights["key_figures"]
    assert at_least.top <= exact.top
