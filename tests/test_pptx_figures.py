"""The deck's pictures (issue 12): key figures, the locator map, images and the logo.

Each check reads the saved .pptx back with a fresh python-pptx load and lxml: slide order and
titles, the text of the key-figures slide, the map's freeform shapes and their points, alt
text on every picture and on the map's group, and where everything sits. LibreOffice, where
installed, renders the deck to check the map's place names land inside the map.
"""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
import yaml
from lxml import etree

from reportgen.pipeline import prepare
from reportgen.writers import pptx as deck
from reportgen.writers.pptx.figures import BESIDE_MIN_PT, VALUE_MIN_PT
from reportgen.writers.pptx.measure import break_lines
from tests.conftest import IRAQ_MAP, KEY_FIGURES, SAMPLE
from tests.test_pptx import (
    assert_every_frame_fits,
    base_title,
    body_paragraphs,
    frame_paragraphs,
    notes_of,
    open_deck,
    title_of,
    untypeset,
)
from tests.test_pptx_layout import body_area, content_sections, content_shapes

EMU_PER_PT = 12700
NS = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
LONG_SITUATION = "\n\n".join(
    f"({n}) Iran-aligned commanders answered Washington with demands for a withdrawal, and "
    "the prime minister defended the P.M.F. as a state institution while Sunni politicians "
    "called the new law a Shiite dictatorship. " * 3 for n in range(1, 4))


def made(path, templates):
    """(document, plan, bytes, the deck read back) of a brief."""
    document = prepare(path, templates).document
    data = deck.render(document).data
    return document, deck.plan(document), data, open_deck(data)


@pytest.fixture
def figures(figure_brief):
    return made(*figure_brief())


def titles(prs) -> list[str]:
    return [untypeset(title_of(s)) for s in prs.slides]


def box(shape) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a shape in points."""
    return (shape.left / EMU_PER_PT, shape.top / EMU_PER_PT,
            (shape.left + shape.width) / EMU_PER_PT, (shape.top + shape.height) / EMU_PER_PT)


def overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.01 and min(a[3], b[3]) - max(a[1], b[1]) > 0.01


def map_groups(slide) -> list:
    return [sh for sh in slide.shapes if sh.shape_type is not None
            and sh.shape_type.name == "GROUP" and sh.name == "Locator map"]


def xml(shape):
    """The shape's element as plain lxml, read from its serialised XML (not python-pptx's
    element classes)."""
    return etree.fromstring(etree.tostring(shape._element))


def descr(shape) -> str | None:
    found = xml(shape).xpath("./*[1]/p:cNvPr/@descr", namespaces=NS)
    return found[0] if found else None


def text_frames_of(slide) -> list:
    """Top-level shapes with text (title, body, captions, footers): what a map must not
    cover."""
    return [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.strip()]


# ---------------------------------------------------------------------------------------------
# Key figures


def test_key_figures_slide_follows_the_bottom_line_with_every_value_label_and_source(figures):
    document, plan, _, prs = figures
    names = titles(prs)
    assert names[1:3] == ["Bottom line", "Key figures"]
    slide = prs.slides[2]
    text = untypeset(" ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame))
    for figure in KEY_FIGURES:
        assert figure["value"] in text and figure["label"] in text
    assert "Source: MEI, 2017" in text  # the Document's source line, in the brief's language
    notes = notes_of(slide)
    assert all(f["value"] in notes and f["label"] in notes for f in KEY_FIGURES)
    assert plan.slides[2].kind == "key_figures"


def key_figure_cells(slide) -> list:
    """The values' frames: each key figure's number stands alone in one."""
    return [sh for sh in slide.shapes if sh.has_text_frame and sh.name.startswith("Key Figure ")
            and not sh.name.startswith("Key Figure Label")]


def key_figure_labels(slide) -> list:
    """The frames under the values: each figure's label and source."""
    return [sh for sh in slide.shapes if sh.has_text_frame
            and sh.name.startswith("Key Figure Label")]


def test_key_figure_values_are_one_size_never_wrapped_and_big(figures):
    _, _, _, prs = figures
    cells = key_figure_cells(prs.slides[2])
    labels = key_figure_labels(prs.slides[2])
    assert len(cells) == len(labels) == len(KEY_FIGURES)
    values = []
    for cell, under in zip(cells, labels, strict=True):
        inner_w, inner_h, paras = frame_paragraphs(cell)
        (value,) = paras
        assert len(break_lines(value.runs, inner_w)) == 1, value.text  # never wrapped
        values.append(value.runs[0].size)
        inner_w, _, paras = frame_paragraphs(under)
        assert len(break_lines(paras[0].runs, inner_w)) <= 3  # the label
        # the label's frame starts under the value's, in the same column
        assert under.top >= cell.top + cell.height and under.left == cell.left
    assert len(set(values)) == 1 and values[0] >= VALUE_MIN_PT
    # Evenly spread: equal widths, one top, and the pair centred across the slide.
    assert len({c.width for c in cells}) == 1 and len({c.top for c in cells}) == 1
    left, right = min(c.left for c in cells), max(c.left + c.width for c in cells)
    assert abs((left + right) / 2 - prs.slide_width / 2) <= EMU_PER_PT


def test_four_long_key_figures_go_two_by_two_at_one_size(figure_brief):
    four = KEY_FIGURES + [
        {"value": "$1.6bn", "label": "P.M.F. budget in the 2017 Iraqi state budget, as "
         "reported by several outlets at the time", "source": "Reuters"},
        {"value": "60,000+", "label": "fighters on the P.M.F.'s payroll"}]
    document, plan, _, prs = made(*figure_brief("four", key_figures=four))
    cells = key_figure_cells(prs.slides[2])
    assert len(cells) == 4
    assert len({c.top for c in cells}) == 2  # two rows of two
    sizes = {frame_paragraphs(c)[2][0].runs[0].size for c in cells}
    assert len(sizes) == 1 and min(sizes) >= VALUE_MIN_PT
    text = " ".join(" ".join(c.text_frame.text
                             for c in cells + key_figure_labels(prs.slides[2])).split())
    assert [e.value for e in document.key_figures] == [f["value"] for f in four]
    assert all(e.value in text and e.label in text for e in document.key_figures)
    assert assert_every_frame_fits(prs) > 30
    assert plan.findings.section("key_figures").slides == 1


def test_no_key_figures_no_slide(figure_brief):
    _, plan, _, prs = made(*figure_brief("none", key_figures=None))
    assert "Key figures" not in titles(prs)
    assert plan.findings.section("key_figures") is None


# ---------------------------------------------------------------------------------------------
# The map


def freeforms(group) -> list:
    return xml(group).xpath("./p:sp[p:spPr/a:custGeom]", namespaces=NS)


def rings_on_slide(sp) -> list[list[tuple[int, int]]]:
    """A freeform's contours in slide EMU: its offset plus each path point (the group's child
    space is checked to be the slide's)."""
    off = sp.find("p:spPr/a:xfrm/a:off", NS)
    ox, oy = int(off.get("x")), int(off.get("y"))
    path = sp.find("p:spPr/a:custGeom/a:pathLst/a:path", NS)
    rings: list[list[tuple[int, int]]] = []
    for op in path:
        tag = etree.QName(op).localname
        if tag == "moveTo":
            rings.append([])
        if tag in ("moveTo", "lnTo"):
            pt = op.find("a:pt", NS)
            rings[-1].append((ox + int(pt.get("x")), oy + int(pt.get("y"))))
    return rings


def sea_box(group) -> tuple[int, int, int, int]:
    (sea,) = xml(group).xpath("./p:sp[p:nvSpPr/p:cNvPr/@name='Sea']", namespaces=NS)
    off, ext = sea.find("p:spPr/a:xfrm/a:off", NS), sea.find("p:spPr/a:xfrm/a:ext", NS)
    return int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy"))


def test_the_map_is_a_group_of_freeforms_one_per_shape_with_the_alt_text(figures):
    document, _, _, prs = figures
    fig = document.map
    groups = [(n, g) for n, s in enumerate(prs.slides) for g in map_groups(s)]
    assert len(groups) == 1
    _, group = groups[0]
    assert descr(group) == fig.alt == "Locator map of Iraq, with Baghdad, Basra, Mosul and " \
        "Erbil marked"
    shapes = freeforms(group)
    assert len(shapes) == len(fig.shapes)
    names = [sp.find("p:nvSpPr/p:cNvPr", NS).get("name") for sp in shapes]
    assert names[-1] == "Country IQ"  # the subject drawn last, whole
    xfrm = xml(group).find("p:grpSpPr/a:xfrm", NS)
    assert (xfrm.find("a:off", NS).attrib == xfrm.find("a:chOff", NS).attrib
            and xfrm.find("a:ext", NS).get("cx") == xfrm.find("a:chExt", NS).get("cx"))
    # A dot and a name on a plate for every place, the names in the group.
    dots = xml(group).xpath("./p:sp[p:spPr/a:prstGeom/@prst='ellipse']", namespaces=NS)
    assert len(dots) == len(fig.places) == 4
    label_text = [untypeset("".join(t.text for t in sp.iter(f"{{{NS['a']}}}t")))
                  for sp in xml(group).xpath("./p:sp[p:txBody]", namespaces=NS)]
    assert label_text == [p["name"] for p in IRAQ_MAP["places"]]


def test_the_country_outline_is_the_figures_rings_scaled_to_the_map_box(figures):
    document, _, _, prs = figures
    fig = document.map
    (group,) = [g for s in prs.slides for g in map_groups(s)]
    x0, y0, w, h = sea_box(group)
    assert abs(w / h - fig.aspect) < 0.005  # the figure's aspect kept
    (country,) = [sp for sp in freeforms(group)
                  if sp.find("p:nvSpPr/p:cNvPr", NS).get("name") == "Country IQ"]
    (shape,) = [s for s in fig.shapes if s.kind == "country"]
    drawn = rings_on_slide(country)
    assert len(drawn) == len(shape.rings)
    for ring, points in zip(shape.rings, drawn, strict=True):
        assert len(ring) == len(points)
        for (u, v), (x, y) in zip(ring, points, strict=True):
            assert abs(x - (x0 + u * w)) <= 1 and abs(y - (y0 + v * h)) <= 1
    # Every freeform lies inside the map box, and the box inside the slide.
    for sp in freeforms(group):
        for ring in rings_on_slide(sp):
            assert all(x0 - 1 <= x <= x0 + w + 1 and y0 - 1 <= y <= y0 + h + 1 for x, y in ring)
    assert x0 >= 0 and x0 + w <= prs.slide_width and y0 >= 0 and y0 + h <= prs.slide_height


def test_the_map_sits_beside_the_situation_without_touching_its_text(figures):
    document, plan, _, prs = figures
    names = titles(prs)
    at = names.index("Situation")
    slide = prs.slides[at]
    (group,) = map_groups(slide)
    g = box(group)
    assert g[0] >= 0 and g[2] <= prs.slide_width / EMU_PER_PT
    assert g[1] >= 0 and g[3] <= prs.slide_height / EMU_PER_PT
    for shape in text_frames_of(slide):
        assert not overlap(g, box(shape)), shape.name
    # The text flows in the column to the left, at a size no smaller than BESIDE_MIN_PT.
    body = next(sh for sh in text_frames_of(slide) if sh.is_placeholder
                and sh.placeholder_format.type.name in ("BODY", "OBJECT"))
    assert box(body)[2] <= g[0]
    assert plan.findings.section("situation").type_pt >= BESIDE_MIN_PT
    caption = " ".join(sh.text_frame.text for sh in text_frames_of(slide))
    assert untypeset(IRAQ_MAP["caption"]) in untypeset(caption)
    assert document.map.note in caption  # the boundaries note, a label
    assert "Map: Iraq" not in names  # no slide of its own
    assert document.map.alt in notes_of(slide)


def test_a_situation_too_long_to_share_its_slide_puts_the_map_on_its_own_slide(figure_brief):
    document, plan, _, prs = made(*figure_brief("long", situation=LONG_SITUATION))
    names = [base_title(t) for t in titles(prs)]
    last = max(i for i, t in enumerate(names) if t == "Situation")
    assert names[last + 1] == "Map: Iraq"  # labels.fill("map_heading", country=...)
    assert names[last + 2:last + 4] == ["Basra’s waterway", "Figure 3"]
    slide = prs.slides[last + 1]
    (group,) = map_groups(slide)
    for shape in text_frames_of(slide):
        assert not overlap(box(group), box(shape)), shape.name
    assert not any(map_groups(prs.slides[i]) for i, t in enumerate(names) if t == "Situation")
    found = plan.findings
    assert found.section("map").slides == 1
    assert found.slides == len(prs.slides)


def test_a_one_line_situation_keeps_the_map_beside_it(figure_brief):
    _, plan, _, prs = made(*figure_brief("short", situation="Tillerson told them to go home."))
    slide = prs.slides[titles(prs).index("Situation")]
    assert map_groups(slide)
    assert assert_every_frame_fits(prs) > 30
    assert plan.findings.section("map") is None


def test_a_right_to_left_deck_puts_the_map_on_the_left(figure_brief):
    situation = "قال تيلرسون إن على الميليشيات الإيرانية في العراق أن تعود إلى ديارها."
    _, _, _, prs = made(*figure_brief("ar", language="ar", situation=situation))
    (slide,) = [s for s in prs.slides if map_groups(s)]
    (group,) = map_groups(slide)
    body = next(sh for sh in text_frames_of(slide) if situation in sh.text_frame.text)
    assert box(group)[2] <= box(body)[0]


def test_the_samples_map_is_beside_its_situation_and_changes_no_other_slide():
    prs = open_deck(deck.render(prepare(SAMPLE).document).data)
    slide = prs.slides[titles(prs).index("Situation")]
    (group,) = map_groups(slide)
    assert descr(group) == "Locator map of Iraq, with Baghdad marked"
    assert sum(len(map_groups(s)) for s in prs.slides) == 1
    assert not any(sh.shape_type.name == "PICTURE" for s in prs.slides for sh in s.shapes)


# ---------------------------------------------------------------------------------------------
# Images and the logo


def pictures(slide) -> list:
    return [sh for sh in slide.shapes if sh.shape_type is not None
            and sh.shape_type.name == "PICTURE"]


def test_each_image_has_its_slide_in_order_with_caption_credit_and_alt(figures):
    document, _, _, prs = figures
    names = titles(prs)
    at = names.index("Situation")
    assert names[at + 1:at + 3] == ["Basra’s waterway", "Figure 3"]  # caption, else label
    first, second = prs.slides[at + 1], prs.slides[at + 2]
    (pic1,), (pic2,) = pictures(first), pictures(second)
    # The alt text as the brief wrote it: read out, never laid out, so never typeset.
    assert [descr(pic1), descr(pic2)] == [f.alt for f in document.images]
    assert descr(pic1) == "A patrol boat on the Shatt al-Arab"
    assert descr(pic2) == "A street in Baghdad at dusk"
    credit = [sh for sh in text_frames_of(first) if sh.text_frame.text == "Photo: Test"]
    assert len(credit) == 1
    assert credit[0].top >= pic1.top + pic1.height  # under the picture
    assert abs((credit[0].left + credit[0].width) - (pic1.left + pic1.width)) <= 2
    # The image's own aspect, as large as the body area lets it be.
    for pic, image in zip((pic1, pic2), document.images, strict=True):
        assert abs(pic.width / pic.height - image.image.aspect) < 0.01
    assert pic2.height / EMU_PER_PT >= 360  # no caption or credit: the whole body height
    for pic, slide in ((pic1, first), (pic2, second)):
        x0, y0, x1, y1 = box(pic)
        assert x0 >= 0 and x1 <= prs.slide_width / EMU_PER_PT
        for shape in text_frames_of(slide):
            assert not overlap(box(pic), box(shape)), shape.name
    assert "A street in Baghdad at dusk" in notes_of(second)


def test_a_caption_too_long_for_a_title_goes_under_the_picture(figure_brief):
    caption = ("A patrol boat of the Iraqi navy on the Shatt al-Arab near Basra, where the "
               "Tigris and the Euphrates meet before they reach the Gulf, photographed during "
               "the exercise the P.M.F. commanders criticised")
    images = [{"path": "images/ship.png", "alt": "A patrol boat", "caption": caption,
               "credit": "Photo: Test"}]
    _, _, _, prs = made(*figure_brief("longcap", images=images))
    names = titles(prs)
    assert "Figure 2" in names
    slide = prs.slides[names.index("Figure 2")]
    (pic,) = pictures(slide)
    under = [sh for sh in text_frames_of(slide) if caption in untypeset(sh.text_frame.text)]
    assert len(under) == 1 and under[0].top >= pic.top + pic.height
    assert "Photo: Test" in under[0].text_frame.text
    assert assert_every_frame_fits(prs) > 30


def test_the_logo_is_on_the_cover_and_the_closing_slide_with_its_alt_text(figures):
    document, _, _, prs = figures
    slides = list(prs.slides)
    for slide in (slides[0], slides[-1]):
        (logo,) = [p for p in pictures(slide) if p.name == "Logo"]
        assert descr(logo) == document.logo.alt == "Middle East Institute"
        x0, y0, x1, y1 = box(logo)
        width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
        assert x0 > width / 2 and y1 < height / 4  # small, in the top right corner
        assert (x1 - x0) <= 130 and (y1 - y0) <= 30
        for shape in text_frames_of(slide):
            assert not overlap(box(logo), box(shape)), shape.name
    # The same corner on both slides.
    a, b = ([p for p in pictures(s) if p.name == "Logo"][0] for s in (slides[0], slides[-1]))
    assert (a.left, a.top, a.width, a.height) == (b.left, b.top, b.width, b.height)
    assert not any(p.name == "Logo" for s in slides[1:-1] for p in pictures(s))


def test_without_a_logo_no_picture_on_cover_or_closing(figure_brief):
    _, _, _, prs = made(*figure_brief("nologo", logo=False))
    assert not pictures(prs.slides[0]) and not pictures(prs.slides[-1])


# ---------------------------------------------------------------------------------------------
# The whole deck


CROWDED_PLACES = [{"name": "Baghdad", "lat": 33.31, "lon": 44.37},
                  {"name": "Baqubah", "lat": 33.75, "lon": 44.64},
                  {"name": "Fallujah", "lat": 33.35, "lon": 43.78},
                  {"name": "Ramadi", "lat": 33.42, "lon": 43.30},
                  {"name": "Karbala", "lat": 32.62, "lon": 44.02},
                  {"name": "Hillah", "lat": 32.48, "lon": 44.42}]


def plates_and_dots(group) -> tuple[list, list]:
    """([(name, box)] of the place names' plates, [box] of the dots), in points, read from the
    map group's XML."""

    def box_of(sp) -> tuple[float, float, float, float]:
        off, ext = sp.find("p:spPr/a:xfrm/a:off", NS), sp.find("p:spPr/a:xfrm/a:ext", NS)
        x, y = int(off.get("x")) / EMU_PER_PT, int(off.get("y")) / EMU_PER_PT
        return x, y, x + int(ext.get("cx")) / EMU_PER_PT, y + int(ext.get("cy")) / EMU_PER_PT

    root = xml(group)
    plates = [(sp.find("p:nvSpPr/p:cNvPr", NS).get("name"), box_of(sp))
              for sp in root.xpath("./p:sp[p:txBody]", namespaces=NS)]
    dots = [box_of(sp) for sp in root.xpath(
        "./p:sp[p:spPr/a:prstGeom/@prst='ellipse']", namespaces=NS)]
    return plates, dots


def test_place_name_plates_are_the_boxes_kept_clear_of_other_names_and_dots(figure_brief):
    # Six towns round Baghdad: their names are placed tight against each other. A plate taller
    # than the box the placement kept clear covered its neighbour's name (Baghdad's plate
    # over Baqubah's) or another town's dot.
    crowded = dict(IRAQ_MAP, places=CROWDED_PLACES)
    _, _, _, prs = made(*figure_brief("crowded", map=crowded))
    (group,) = [g for s in prs.slides for g in map_groups(s)]
    plates, dots = plates_and_dots(group)
    assert len(plates) == len(dots) == len(CROWDED_PLACES)
    for i, (name, plate) in enumerate(plates):
        for other, box_ in plates[i + 1:]:
            assert not overlap(plate, box_), (name, other)
        for k, dot in enumerate(dots):
            assert not overlap(plate, dot), (name, CROWDED_PLACES[k]["name"])
        # and each name still fits its plate on one line
        sp = next(sp for sp in xml(group).xpath("./p:sp[p:txBody]", namespaces=NS)
                  if sp.find("p:nvSpPr/p:cNvPr", NS).get("name") == name)
        pr = sp.find("p:txBody/a:bodyPr", NS)
        inner_w = plate[2] - plate[0] - (int(pr.get("lIns")) + int(pr.get("rIns"))) / EMU_PER_PT
        inner_h = plate[3] - plate[1] - (int(pr.get("tIns")) + int(pr.get("bIns"))) / EMU_PER_PT
        (para,) = body_paragraphs(sp.find("p:txBody", NS))
        assert len(break_lines(para.runs, inner_w)) == 1 and para.line_pt <= inner_h + 0.01


def wraps(shape_el) -> str:
    return shape_el.find(".//a:bodyPr", NS).get("wrap")


def test_one_line_items_are_written_unwrapped_and_fit_their_frames(figures):
    # A viewer whose metrics differ a little from the plan's must not break a number, a place
    # name or a one-line caption: these frames say wrap="none"; everything else wraps.
    _, _, _, prs = figures
    slide = prs.slides[2]
    unwrapped = []
    for cell in key_figure_cells(slide):
        assert wraps(xml(cell)) == "none", cell.name
        unwrapped.append(cell)
    for under in key_figure_labels(slide):
        assert wraps(xml(under)) == "square", under.name  # a label may take three lines
    (group,) = [g for s in prs.slides for g in map_groups(s)]
    labels = xml(group).xpath("./p:sp[p:txBody]", namespaces=NS)
    assert labels and all(wraps(sp) == "none" for sp in labels)
    situation = next(s for s in prs.slides if map_groups(s))
    captions = [sh for sh in situation.shapes if sh.has_text_frame
                and sh.name.startswith("Caption")]
    assert captions and all(wraps(xml(c)) == "none" for c in captions)  # one line each
    unwrapped += captions
    # the measured fit holds: each line of an unwrapped frame fits its inner width
    for shape in unwrapped:
        inner_w, inner_h, paras = frame_paragraphs(shape)
        assert all(len(break_lines(p.runs, inner_w)) == 1 for p in paras), shape.name
    for sp in labels:
        ext, pr = sp.find("p:spPr/a:xfrm/a:ext", NS), sp.find("p:txBody/a:bodyPr", NS)
        inner_w = (int(ext.get("cx")) - int(pr.get("lIns")) - int(pr.get("rIns"))) / EMU_PER_PT
        (para,) = body_paragraphs(sp.find("p:txBody", NS))
        assert len(break_lines(para.runs, inner_w)) == 1
    # the body text beside the map wraps as before
    body = [sh for sh in situation.shapes if sh.has_text_frame and sh.is_placeholder
            and sh.text_frame.text.strip() and sh != situation.shapes.title]
    assert body and all(wraps(xml(b)) == "square" for b in body)


def test_a_caption_of_several_lines_keeps_wrapping(figure_brief):
    long_caption = ("Iraq and its neighbours, with the four cities the commentary names, "
                    "where the P.M.F. units named in it hold ground, and the roads between")
    _, _, _, prs = made(*figure_brief("longcap", map=dict(IRAQ_MAP, caption=long_caption)))
    captions = [sh for s in prs.slides for sh in s.shapes if sh.has_text_frame
                and sh.name.startswith("Caption")]
    assert captions and all(wraps(xml(c)) == "square" for c in captions)


def test_the_figure_deck_keeps_the_layout_invariants(figures):
    _, plan, _, prs = figures
    # Slides: cover, bottom line, key figures, situation (with the map), two images, ...
    assert plan.findings.slides == len(prs.slides) == len(plan.slides)
    # A slide per image, the map's slide and the key figures are not continuations: the
    # deck's continuation count is the text's alone (validate reads it).
    found = plan.findings
    assert [found.section(f"images[{i}]").slides for i in (0, 1)] == [1, 1]
    assert found.section("key_figures").slides == 1
    assert found.continuation_slides == sum(max(0, s.slides - 1) for s in found.sections
                                            if s.key in ("situation", "actors", "leverage",
                                                         "outlook", "sources"))
    assert dict(found.figures).keys() == {("map",), ("images", 0), ("images", 1)}
    kinds = [s.kind for s in plan.slides]
    assert kinds[:6] == ["title", "bottom_line", "key_figures", "flow", "image", "image"]
    assert assert_every_frame_fits(prs) > 30
    # The map's place names fit their plates too (they are inside the group).
    (group,) = [g for s in prs.slides for g in map_groups(s)]
    for sp in xml(group).xpath("./p:sp[p:txBody]", namespaces=NS):
        ext = sp.find("p:spPr/a:xfrm/a:ext", NS)
        body = sp.find("p:txBody", NS)
        pr = body.find("a:bodyPr", NS)
        inner_w = (int(ext.get("cx")) - int(pr.get("lIns")) - int(pr.get("rIns"))) / EMU_PER_PT
        (para,) = body_paragraphs(body)
        assert len(break_lines(para.runs, inner_w)) == 1
    # Every slide between cover and close keeps its content in the body area, centred.
    top, height = body_area(prs)
    for title, slides in content_sections(prs):
        for slide in slides:
            shapes = content_shapes(slide)
            y0 = min(sh.top for sh in shapes) / EMU_PER_PT
            y1 = max(sh.top + sh.height for sh in shapes) / EMU_PER_PT
            assert top - 1 <= y0 and y1 <= top + height + 1, title
            assert abs((y0 - top) - (top + height - y1)) <= 2, title
            assert notes_of(slide), title


def test_same_figure_brief_gives_the_same_bytes(figure_brief):
    path, templates = figure_brief()
    first = deck.render(prepare(path, templates).document).data
    again = deck.render(prepare(path, templates).document).data
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        media = sorted(n for n in zf.namelist() if n.startswith("ppt/media/"))
    assert len(media) == 3  # two images and the logo, each stored once


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("situation", [None, LONG_SITUATION], ids=["beside", "own-slide"])
def test_libreoffice_draws_the_place_names_inside_the_map(figure_brief, tmp_path, situation):
    import pdfplumber

    from tests.test_pptx import assert_every_word_is_inside_a_frame, libreoffice_pdf

    changes = {"situation": situation} if situation else {}
    document, plan, data, _ = made(*figure_brief("lo", **changes))
    pdf = libreoffice_pdf(data, tmp_path, "figures")
    assert_every_word_is_inside_a_frame(pdf, plan)
    (n, slide), = [(n, s) for n, s in enumerate(plan.slides) if s.maps]
    drawing = slide.maps[0]
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[n]
        scale = page.width / plan.geometry.width
        words = page.extract_words()
    for place in document.map.places:
        hits = [w for w in words if w["text"] == place.name]
        assert len(hits) == 1, place.name
        w = hits[0]
        x0, x1 = w["x0"] / scale, w["x1"] / scale
        top, bottom = w["top"] / scale, w["bottom"] / scale
        assert drawing.x - 1 <= x0 and x1 <= drawing.x + drawing.w + 1, place.name
        assert drawing.y - 1 <= top and bottom <= drawing.y + drawing.h + 1, place.name


def test_a_brief_without_pictures_gives_the_deck_it_gave_before(tmp_path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data.pop("map")
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    prs = open_deck(deck.render(prepare(path).document).data)
    assert not any(map_groups(s) or pictures(s) for s in prs.slides)
    order = []
    for t in titles(prs):
        if not order or order[-1] != base_title(t):
            order.append(base_title(t))
    assert order[1:3] == ["Bottom line", "Situation"]
