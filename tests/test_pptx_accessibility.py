"""The deck is accessible as PowerPoint's accessibility checker and a screen reader see it
(issue 14): every slide has a title placeholder holding its title, continuation slides too; the
shapes' order in the tree (the reading order) follows the slide top to bottom and from the side
the text starts; rules, bars and card grounds are marked decorative and every picture and the
map carry alt text; tables have a header row; every run names its language.

Each check reads the saved decks (the samples in English and Arabic, the brief with every
kind of figure in both languages, the sample on python-pptx's own template) back with lxml and
a fresh python-pptx load.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER

from reportgen.pipeline import prepare
from reportgen.writers import pptx as deck
from tests.conftest import SAMPLE, SAMPLE_AR
from tests.test_pptx import untypeset

BUILDS = ("sample", "sample-ar", "figures", "figures-ar", "reference")
NS = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "adec": "http://schemas.microsoft.com/office/drawing/2017/decorative"}
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
FOOTERS = (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
EMU_PER_PT = 12700


# Compiled with their namespaces, so they run on python-pptx's elements and plain lxml alike.
DECORATIVE_FLAGS = etree.XPath(
    f"(.//p:cNvPr)[1]/a:extLst/a:ext[@uri='{DECORATIVE_URI}']/adec:decorative/@val",
    namespaces=NS)
TEXTS = etree.XPath(".//a:t/text()", namespaces=NS)


def is_decorative(element) -> bool:
    """The shape's p:cNvPr carries Office's decorative flag, on."""
    return any(v in ("1", "true") for v in DECORATIVE_FLAGS(element))


def text_of(element) -> str:
    return "".join(TEXTS(element))


def right_to_left(name: str) -> bool:
    return name.endswith("-ar")


def slides_of(office_files, name: str):
    return list(Presentation(str(office_files[f"{name}.pptx"])).slides)


def placeholder_type(shape):
    return shape.placeholder_format.type if shape.is_placeholder else None


# ---------------------------------------------------------------------------------------------
# Titles


@pytest.mark.parametrize("name", BUILDS)
def test_every_slide_has_one_title_placeholder_with_its_title(name, office_files):
    for number, slide in enumerate(slides_of(office_files, name), 1):
        titles = [s for s in slide.shapes if placeholder_type(s) in TITLES]
        assert len(titles) == 1, (number, [s.name for s in slide.shapes])
        assert titles[0].text_frame.text.strip(), number


@pytest.mark.parametrize(("name", "brief"), [("sample", SAMPLE), ("sample-ar", SAMPLE_AR)])
def test_the_titles_are_the_plans_continuation_slides_included(name, brief, office_files):
    planned = [untypeset(s.title) for s in deck.plan(prepare(brief).document).slides]
    shown = [untypeset(next(s for s in slide.shapes if placeholder_type(s) in TITLES)
                       .text_frame.text) for slide in slides_of(office_files, name)]
    assert shown == planned
    continued = [t for t in shown if re.search(r"\((1|١) (of|من) (2|٢)\)", t)]
    assert continued, shown  # the actors run over two slides: both are titled


# ---------------------------------------------------------------------------------------------
# Reading order


def reading_order_faults(shapes, rtl: bool) -> list[str]:
    """What is wrong with the order of `shapes` (python-pptx shapes in tree order, decorative
    ones left out): the title must come first and the footers last; of the others, a shape
    above another in the same column, or before it on the text's starting side in the same
    row, must come before it."""
    def box(s):
        return (s.left / EMU_PER_PT, s.top / EMU_PER_PT, (s.left + s.width) / EMU_PER_PT,
                (s.top + s.height) / EMU_PER_PT)

    faults = []
    kinds = [placeholder_type(s) for s in shapes]
    if kinds and kinds[0] not in TITLES:
        faults.append(f"{shapes[0].name} comes before the title")
    seen_footer = False
    for s, kind in zip(shapes, kinds, strict=True):
        if kind in FOOTERS:
            seen_footer = True
        elif seen_footer:
            faults.append(f"{s.name} comes after a footer")
    for i, a in enumerate(shapes):
        if kinds[i] in TITLES:  # first whatever its place (a section header's is low)
            continue
        for b in shapes[i + 1:]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = box(a), box(b)
            same_column = min(ax1, bx1) - max(ax0, bx0) > 0.5
            same_row = min(ay1, by1) - max(ay0, by0) > 0.5
            if same_column and by1 <= ay0 + 0.5:
                faults.append(f"{b.name} is above {a.name} but comes after it")
            before = bx0 >= ax1 - 0.5 if rtl else bx1 <= ax0 + 0.5
            if same_row and before:
                faults.append(f"{b.name} starts the row before {a.name} but comes after it")
    return faults


def readable_shapes(slide) -> list:
    return [s for s in slide.shapes if not is_decorative(s._element)]


@pytest.mark.parametrize("name", BUILDS)
def test_shapes_are_in_reading_order_title_first_footers_last(name, office_files):
    faults = {}
    for number, slide in enumerate(slides_of(office_files, name), 1):
        found = reading_order_faults(readable_shapes(slide), right_to_left(name))
        if found:
            faults[number] = found
    assert not faults


def test_the_reading_order_check_catches_a_table_after_the_footers(office_files):
    """The check itself: the glance table moved behind the footers (as decks were drawn
    before issue 14) is reported."""
    slide = next(s for s in slides_of(office_files, "sample")
                 if any(sh.has_table for sh in s.shapes))
    assert not reading_order_faults(readable_shapes(slide), rtl=False)
    tree = slide.shapes._spTree
    table = next(sh for sh in slide.shapes if sh.has_table)._element
    tree.remove(table)
    tree.append(table)
    faults = reading_order_faults(readable_shapes(slide), rtl=False)
    assert any("comes after a footer" in f for f in faults), faults


def test_a_right_to_left_deck_reads_its_columns_from_the_right(office_files):
    """The key figures in Arabic: the right-hand figure (value, then label) before the
    left-hand one."""
    slide = next(s for s in slides_of(office_files, "figures-ar")
                 if any(sh.name.startswith("Key Figure") for sh in s.shapes))
    figures = [sh for sh in readable_shapes(slide) if sh.name.startswith("Key Figure")]
    lefts = [sh.left for sh in figures]
    assert lefts == sorted(lefts, reverse=True) and len(set(lefts)) == 2
    assert [sh.name.startswith("Key Figure Label") for sh in figures] == [False, True] * 2


# ---------------------------------------------------------------------------------------------
# Decorative shapes and alt text


def slide_parts(path, prefix: str = "ppt/slides/slide") -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist()
                if n.startswith(prefix) and n.endswith(".xml")}


@pytest.mark.parametrize("name", BUILDS)
def test_rules_bars_and_grounds_are_decorative_and_everything_else_has_words(name, office_files):
    """A top-level shape without text that is no placeholder (a card's ground, an accent bar,
    a rule, the logo's plate) is marked decorative and has no alt text; nothing with text or
    a picture is; every picture and the map's group describe themselves."""
    decorative = 0
    for part, root in slide_parts(office_files[f"{name}.pptx"]).items():
        for el in root.find(".//p:spTree", NS):
            tag = etree.QName(el).localname
            if tag in ("nvGrpSpPr", "grpSpPr"):
                continue
            c_nv_pr = el.find(".//p:cNvPr", NS)
            plain = (tag == "sp" and el.find("p:nvSpPr/p:nvPr/p:ph", NS) is None
                     and not text_of(el).strip())
            assert is_decorative(el) == plain, (part, c_nv_pr.get("name"))
            if plain:
                decorative += 1
                assert not c_nv_pr.get("descr"), (part, c_nv_pr.get("name"))
            if tag in ("pic", "grpSp"):
                assert (c_nv_pr.get("descr") or "").strip(), (part, c_nv_pr.get("name"))
    assert decorative >= 5  # the bottom line's bar, the cards' grounds and bars, the quote's


@pytest.mark.parametrize("name", ["sample", "sample-ar"])
def test_the_built_in_masters_bands_and_rules_are_decorative(name, office_files):
    parts = slide_parts(office_files[f"{name}.pptx"], "ppt/slide")  # masters and layouts
    bands = [el for part, root in parts.items() if not part.startswith("ppt/slides/")
             for el in root.iterfind(".//p:sp", NS)
             if el.find("p:nvSpPr/p:nvPr/p:ph", NS) is None and not text_of(el).strip()]
    assert len(bands) >= 3  # the top band, the title rule, the footer rule
    assert all(is_decorative(el) for el in bands)


# ---------------------------------------------------------------------------------------------
# Tables and languages


@pytest.mark.parametrize("name", BUILDS)
def test_every_table_has_a_header_row(name, office_files):
    tables = [(part, tbl) for part, root in slide_parts(office_files[f"{name}.pptx"]).items()
              for tbl in root.iterfind(".//a:tbl", NS)]
    assert tables
    for part, tbl in tables:
        assert tbl.find("a:tblPr", NS).get("firstRow") == "1", part
        header = tbl.find("a:tr", NS).findall("a:tc", NS)
        assert all(text_of(tc).strip() for tc in header), part


@pytest.mark.parametrize("name", BUILDS)
def test_every_run_names_its_language(name, office_files):
    """English decks: every run `lang="en"` (the brief's tag). Arabic decks: Arabic runs
    `lang="ar-SA" altLang="en-US"`, as PowerPoint tags them, Latin runs `lang="en-US"`."""
    rtl = right_to_left(name)
    count = 0
    for part, root in slide_parts(office_files[f"{name}.pptx"]).items():
        for run in root.xpath(".//a:r | .//a:fld", namespaces=NS):
            rpr = run.find("a:rPr", NS)
            text = text_of(run)
            assert rpr is not None and rpr.get("lang"), (part, text)
            count += 1
            if not rtl:
                assert rpr.get("lang") == "en", (part, text, rpr.attrib)
            elif ARABIC.search(text):
                assert (rpr.get("lang"), rpr.get("altLang")) == ("ar-SA", "en-US"), (part, text)
            else:
                assert rpr.get("lang") == "en-US", (part, text, rpr.attrib)
    assert count > 50
