"""The memo's pictures (issue 12): key figures as a table under the bottom line, the map and
the images as numbered figures after the situation, the logo in the page header, alt text on
every picture. Read back with a fresh python-docx load, the raw package (zipfile + lxml),
Pillow and, where installed, LibreOffice + pdfplumber: never with the objects that wrote it."""

from __future__ import annotations

import io
import posixpath
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import RGBColor
from lxml import etree
from PIL import Image

from reportgen.pipeline import prepare, render
from tests.conftest import KEY_FIGURES, ROOT, SAMPLE, make_picture
from tests.test_docx import PROFILE, SHORT, reference_templates

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"w": W, "r": R, "wp": WP, "a": A}
EMU_PER_PT = 12700
TEXT_WIDTH_PT = 612 - 2 * 72  # Letter, one-inch margins (the MEI profile)
TEXT_HEIGHT_PT = 792 - 2 * 72
MAP_ALT = "Locator map of Iraq, with Baghdad, Basra, Mosul and Erbil marked"
IMAGE_ALTS = ["A patrol boat on the Shatt al-Arab", "A street in Baghdad at dusk"]
CAPTIONS = ["Figure 1: Iraq and its neighbours", "Figure 2: Basra’s waterway", "Figure 3"]


def memo(brief: Path, templates: Path | None = None) -> bytes:
    return render(prepare(brief, templates), "docx").data


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def read(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def targets(data: bytes, source: str) -> dict[str, str]:
    """rId -> package path of every internal relationship of `source`."""
    folder, name = posixpath.split(source)
    rels = part(data, f"{folder}/_rels/{name}.rels")
    return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target")))
            for r in rels.findall(f"{{{PR}}}Relationship") if r.get("TargetMode") != "External"}


def header_part(data: bytes) -> str:
    ref = part(data, "word/document.xml").find("w:body/w:sectPr/w:headerReference", NS)
    return targets(data, "word/document.xml")[ref.get(f"{{{R}}}id")]


def pictures(data: bytes, source: str) -> list[dict]:
    """Every inline picture of `source`: its docPr, size in points and picture bytes."""
    rids = targets(data, source)
    out = []
    for inline in part(data, source).iter(f"{{{WP}}}inline"):
        doc_pr = inline.find("wp:docPr", NS)
        extent = inline.find("wp:extent", NS)
        blip = inline.find(".//a:blip", NS)
        path = rids[blip.get(f"{{{R}}}embed")]
        out.append({"id": doc_pr.get("id"), "name": doc_pr.get("name"),
                    "descr": doc_pr.get("descr"), "path": path, "bytes": read(data, path),
                    "width": int(extent.get("cx")) / EMU_PER_PT,
                    "height": int(extent.get("cy")) / EMU_PER_PT})
    return out


def dpi_of(png: bytes) -> float:
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        if png[at + 4:at + 8] == b"pHYs":
            x, _, unit = struct.unpack(">IIB", png[at + 8:at + 17])
            assert unit == 1
            return x * 0.0254
        at += 12 + length
    raise AssertionError("no pHYs chunk")


def body_items(document) -> list[tuple[str, str]]:
    """(style name or 'table', text) of each block of the body, in order."""
    out = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{{{W}}}p":
            p = docx.text.paragraph.Paragraph(child, document)
            out.append((p.style.name, p.text))
        elif child.tag == f"{{{W}}}tbl":
            out.append(("table", ""))
    return out


@pytest.fixture
def figures_memo(figure_brief) -> tuple[bytes, Path]:
    brief, templates = figure_brief()
    return memo(brief, templates), brief.parent


# ---------------------------------------------------------------------------------------------
# Key figures


def test_key_figures_are_a_table_right_after_the_bottom_line(figures_memo):
    data, _ = figures_memo
    document = docx.Document(io.BytesIO(data))
    items = body_items(document)
    first_table = items.index(("table", ""))
    assert items[first_table - 1][0] == "Bottom Line"
    assert items[first_table + 1] == ("Heading 1", "Situation")
    table = document.tables[0]
    assert table.style.name == "Memo Table"
    header = table.rows[0]
    assert header._tr.find("w:trPr/w:tblHeader", NS) is not None
    assert [c.text for c in header.cells] == ["Key figures", "Key figures"]  # one wide cell
    assert len(header._tr.tc_lst) == 1
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [
        ["3", "Iran-aligned P.M.F. units named in the commentary\nSource: MEI, 2017"],
        ["Nov. 2016", "parliament makes the P.M.F. a separate military corps"]]
    assert len(KEY_FIGURES) == len(rows)


def test_a_key_figures_value_is_bold_larger_and_in_the_primary_colour(figures_memo):
    data, _ = figures_memo
    document = docx.Document(io.BytesIO(data))
    value = document.tables[0].rows[1].cells[0].paragraphs[0]
    label, source = document.tables[0].rows[1].cells[1].paragraphs
    assert (value.style.name, label.style.name, source.style.name) == (
        "Key Figure", "Key Figure Label", "Figure Note")
    styles = document.styles
    body = styles["Normal"].font.size
    assert styles["Key Figure"].font.bold
    assert styles["Key Figure"].font.size > 1.5 * body
    primary = RGBColor.from_string(PROFILE["colors"]["primary"].lstrip("#"))
    muted = RGBColor.from_string(PROFILE["colors"]["muted"].lstrip("#"))
    assert styles["Key Figure"].font.color.rgb == primary
    assert styles["Figure Note"].font.color.rgb == muted
    assert styles["Figure Note"].font.size < styles["Key Figure Label"].font.size
    # The value column holds "Nov. 2016" on one line and no more than it needs.
    widths = [int(c.get(f"{{{W}}}w")) / 20 for c in
              document.tables[0]._tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(widths) == pytest.approx(TEXT_WIDTH_PT, abs=0.1)
    assert 0.16 * TEXT_WIDTH_PT <= widths[0] <= 0.3 * TEXT_WIDTH_PT


# ---------------------------------------------------------------------------------------------
# Figures


def test_figures_follow_the_situation_with_numbered_captions_credit_and_boundaries_note(
        figures_memo):
    data, _ = figures_memo
    items = body_items(docx.Document(io.BytesIO(data)))
    start = items.index(("Heading 1", "Situation"))
    end = items.index(("Heading 1", "Actors"))
    figures = [item for item in items[start + 1:end] if item[0] != "Normal"]
    assert figures == [
        ("Figure", ""), ("Caption", CAPTIONS[0]),
        ("Figure Note", "Boundaries are approximate and imply no endorsement."),
        ("Figure", ""), ("Caption", CAPTIONS[1]), ("Figure Note", "Photo: Test"),
        ("Figure", ""), ("Caption", CAPTIONS[2])]
    captions = [text for style, text in items if style == "Caption"]
    assert captions == CAPTIONS  # and nowhere else


def test_caption_numbers_are_word_seq_fields_whose_cached_results_are_the_numbers(
        figures_memo):
    data, _ = figures_memo
    captions = [p for p in part(data, "word/document.xml").iter(f"{{{W}}}p")
                if p.find("w:pPr/w:pStyle", NS) is not None
                and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "Caption"]
    assert len(captions) == 3
    for number, p in enumerate(captions, start=1):
        [instr] = [t.text.strip() for t in p.iter(f"{{{W}}}instrText")]
        assert instr == "SEQ Figure \\* ARABIC"
        runs = p.findall("w:r", NS)
        kinds = [r.find("w:fldChar", NS).get(f"{{{W}}}fldCharType")
                 if r.find("w:fldChar", NS) is not None else None for r in runs]
        result = runs[kinds.index("separate") + 1]
        assert result.find("w:t", NS).text == str(number)
        # "Figure 1:" is bold, the caption's own words are not
        bold = "".join(t.text for r in runs if r.find("w:rPr/w:b", NS) is not None
                       for t in r.findall("w:t", NS))
        assert bold.strip() == ("Figure " + str(number) + (":" if number < 3 else ""))


def test_every_picture_carries_its_alt_text_a_name_and_a_drawing_id_of_its_own(figures_memo):
    data, _ = figures_memo
    body = pictures(data, "word/document.xml")
    header = pictures(data, header_part(data))
    assert [p["descr"] for p in body] == [MAP_ALT, *IMAGE_ALTS]
    assert [p["descr"] for p in header] == ["Middle East Institute"]
    assert [p["name"] for p in body] == ["Map: Iraq", CAPTIONS[1], CAPTIONS[2]]
    ids = [p["id"] for p in body + header]
    assert len(set(ids)) == len(ids) and all(i.isdigit() and int(i) > 0 for i in ids)
    # python-docx reads the same alt text back
    inline = docx.Document(io.BytesIO(data)).inline_shapes
    assert [s._inline.docPr.get("descr") for s in inline] == [MAP_ALT, *IMAGE_ALTS]


def test_the_media_parts_are_the_pictures_own_bytes_and_the_map_a_300_dpi_png(figures_memo):
    data, folder = figures_memo
    body = pictures(data, "word/document.xml")
    map_picture, ship, street = body
    assert ship["bytes"] == (folder / "images" / "ship.png").read_bytes()
    assert street["bytes"] == (folder / "images" / "street.jpg").read_bytes()
    assert ship["path"].endswith(".png") and street["path"].endswith(".jpeg")
    assert map_picture["bytes"][:8] == b"\x89PNG\r\n\x1a\n"
    assert round(dpi_of(map_picture["bytes"])) == 300
    with Image.open(io.BytesIO(map_picture["bytes"])) as image:
        # as many pixels as 300 dpi needs at the size the map is shown
        assert image.width == round(map_picture["width"] / 72 * 300)
        assert image.height / image.width == pytest.approx(
            map_picture["height"] / map_picture["width"], abs=0.002)
    types = part(data, "[Content_Types].xml")
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{{{CT}}}Default")}
    assert defaults["png"] == "image/png" and defaults["jpeg"] == "image/jpeg"


def test_pictures_keep_their_shape_within_the_text_width_and_a_share_of_its_height(
        figures_memo):
    data, _ = figures_memo
    map_picture, ship, street = pictures(data, "word/document.xml")
    for picture, aspect in ((ship, 1200 / 800), (street, 900 / 1200)):
        assert picture["width"] / picture["height"] == pytest.approx(aspect, rel=0.002)
    for picture in (map_picture, ship, street):
        assert picture["width"] <= TEXT_WIDTH_PT + 0.01
        assert picture["height"] <= 0.45 * TEXT_HEIGHT_PT
    # the portrait photo is made lower, not squeezed: narrower than the landscape one
    assert street["height"] == pytest.approx(ship["height"], abs=0.01)
    assert street["width"] < 0.5 * TEXT_WIDTH_PT


def test_the_header_shows_the_logo_before_the_organisation_name(figures_memo, figure_brief):
    data, _ = figures_memo
    name = header_part(data)
    [logo] = pictures(data, name)
    templates = figure_brief()[1]
    assert logo["bytes"] == (templates / "mei" / "logo.png").read_bytes()
    assert logo["height"] == pytest.approx(0.45 * 72, abs=0.5)
    assert logo["width"] == pytest.approx(logo["height"] * 600 / 200, rel=0.01)
    header = docx.Document(io.BytesIO(data)).sections[0].header.paragraphs
    assert len(header) == 1
    assert header[0].text.strip() == "MIDDLE EAST INSTITUTE\twww.mei.edu"
    first_run = header[0]._p.find("w:r", NS)
    assert first_run.find("w:drawing", NS) is not None  # the logo comes first


def test_a_french_memo_prints_the_french_captions_and_note(figure_brief):
    brief, templates = figure_brief(language="fr")
    data = memo(brief, templates)
    items = body_items(docx.Document(io.BytesIO(data)))
    assert [t for s, t in items if s == "Caption"] == [
        "Figure 1\u202f: Iraq and its neighbours", "Figure 2\u202f: Basra’s waterway",
        "Figure 3"]
    assert ("Figure Note", "Les frontières sont approximatives et n’impliquent aucune "
                           "reconnaissance.") in items
    table = docx.Document(io.BytesIO(data)).tables[0]
    assert table.rows[0].cells[0].text == "Chiffres clés"
    assert "Source\u202f: MEI, 2017" in table.rows[1].cells[1].text


def test_the_same_brief_with_every_kind_of_picture_gives_identical_bytes(figure_brief):
    brief, templates = figure_brief()
    assert memo(brief, templates) == memo(brief, templates)


def test_a_memo_without_pictures_has_no_media_figures_or_key_figures(tmp_path):
    data = memo(SHORT)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    styles = {s for s, _ in body_items(docx.Document(io.BytesIO(data)))}
    assert not {"Figure", "Caption", "Figure Note", "Key Figure"} & styles
    assert len(docx.Document(io.BytesIO(data)).tables) == 1  # the actors


def test_with_a_reference_memo_the_figures_come_and_drawing_ids_stay_unique(tmp_path):
    """A reference keeps its own header (with its own picture): the profile's logo is not
    added to it, and the body's drawings take ids the header's does not use."""
    logo = tmp_path / "ref-logo.png"
    Image.new("RGB", (300, 100), (200, 30, 30)).save(logo)

    def build(ref):
        ref.sections[0].header.paragraphs[0].add_run().add_picture(str(logo))

    templates = reference_templates(tmp_path, build)
    data = memo(SAMPLE, templates)
    body = pictures(data, "word/document.xml")
    header = pictures(data, header_part(data))
    assert [p["descr"] for p in body] == ["Locator map of Iraq, with Baghdad marked"]
    assert len(header) == 1 and header[0]["bytes"] == logo.read_bytes()
    ids = [p["id"] for p in body + header]
    assert len(set(ids)) == len(ids)


# ---------------------------------------------------------------------------------------------
# LibreOffice, an independent layout engine


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_the_pictures_and_numbers_the_captions(figure_brief, tmp_path):
    import pdfplumber

    brief, templates = figure_brief()
    source = tmp_path / "figures.docx"
    source.write_bytes(memo(brief, templates))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=240)
    with pdfplumber.open(tmp_path / "figures.pdf") as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
        images = [(number, image) for number, page in enumerate(pdf.pages, start=1)
                  for image in page.images]
        flat = " ".join(text.split())
    for caption in CAPTIONS:
        assert caption in flat
    assert flat.index(CAPTIONS[0]) < flat.index(CAPTIONS[1]) < flat.index(CAPTIONS[2])
    assert "KEY FIGURES" in flat and "Nov. 2016" in flat
    pages = {number for number, _ in images}
    # the logo in every page's header, the map and the two photos once each
    logos = [img for _, img in images if abs(img["height"] - 32.4) < 1]
    assert len(logos) == len(pages) == len(pdf.pages)
    body = sorted((round(img["width"]), round(img["height"])) for _, img in images
                  if abs(img["height"] - 32.4) >= 1)
    expected = sorted((round(p["width"]), round(p["height"]))
                      for p in pictures(source.read_bytes(), "word/document.xml"))
    assert len(body) == 3
    for (w, h), (ew, eh) in zip(body, expected, strict=True):
        assert abs(w - ew) <= 1 and abs(h - eh) <= 1
    for _, img in images:  # inside the page's margins
        assert img["x0"] >= 72 - 1 and img["x1"] <= 612 - 72 + 1


def test_the_sample_memo_has_its_map_of_baghdad(tmp_path):
    data = memo(ROOT / "briefs" / "pmf-tillerson.yaml")
    [picture] = pictures(data, "word/document.xml")
    assert picture["descr"] == "Locator map of Iraq, with Baghdad marked"
    items = body_items(docx.Document(io.BytesIO(data)))
    situation = items.index(("Heading 1", "Situation"))
    figure = items.index(("Figure", ""))
    assert situation < figure < items.index(("Heading 1", "Actors"))
    assert items[figure + 1][0] == "Caption" and items[figure + 1][1].startswith("Figure 1: ")


def test_check_reports_each_figures_width_without_python_docx(figure_brief, monkeypatch):
    import sys

    from reportgen.writers import get_writer

    brief, templates = figure_brief()
    document = prepare(brief, templates).document
    with monkeypatch.context() as m:
        for name in [n for n in sys.modules if n == "docx" or n.startswith("docx.")]:
            m.setitem(sys.modules, name, None)
        found = get_writer("docx").check(document)
    assert [key for key, _ in found.figures] == [("map",), ("images", 0), ("images", 1)]
    assert all(0 < share <= 1 for _, share in found.figures)
    assert found == render(prepare(brief, templates), "docx").findings


def test_a_map_on_a_very_large_page_is_drawn_at_fewer_dots_per_inch_not_more_pixels():
    from reportgen.writers.docx.plan import MAP_MAX_PIXELS, FigureBox, map_pixels

    assert map_pixels(FigureBox(("map",), 246.0, 246.0)) == (1025, 300)  # Letter: 300 dpi
    width, dpi = map_pixels(FigureBox(("map",), 1400.0, 1000.0))
    assert dpi < 300 and width == round(1400 / 72 * dpi)
    assert width * width * 1000 / 1400 <= MAP_MAX_PIXELS


# ---------------------------------------------------------------------------------------------
# Issue 12's review: a tiny image, the logo with a reference memo


def test_a_tiny_image_is_not_blown_up_past_two_points_a_pixel(figure_brief):
    brief, templates = figure_brief()
    make_picture(brief.parent / "images" / "icon.png", 40, 30)
    brief, templates = figure_brief(name="tiny", images=[
        {"path": "images/icon.png", "alt": "A small icon"},
        {"path": "images/ship.png", "alt": "A patrol boat on the Shatt al-Arab"}])
    body = {p["descr"]: p for p in pictures(memo(brief, templates), "word/document.xml")}
    icon, ship = body["A small icon"], body["A patrol boat on the Shatt al-Arab"]
    assert (icon["width"], icon["height"]) == pytest.approx((80.0, 60.0), abs=0.01)
    # 1200 px wide: as wide as the page allows (its height capped at 38 % of the text's)
    assert ship["width"] == pytest.approx(min(TEXT_WIDTH_PT, 0.38 * TEXT_HEIGHT_PT * 1.5),
                                          abs=0.01)


def test_with_a_reference_memo_the_profiles_logo_still_heads_the_page(figure_brief, tmp_path):
    """The reference's header keeps its own text, and the profile's logo comes before it."""
    brief, templates = figure_brief()

    def build(ref):
        ref.sections[0].header.paragraphs[0].text = "Reference letterhead"

    reference = tmp_path / "ref"
    reference_templates(reference, build)
    shutil.copy(reference / "templates" / "mei" / "memo.docx", templates / "mei" / "memo.docx")
    data = memo(brief, templates)
    name = header_part(data)
    [logo] = pictures(data, name)
    assert logo["bytes"] == (templates / "mei" / "logo.png").read_bytes()
    assert logo["descr"] == "Middle East Institute"
    assert logo["height"] == pytest.approx(0.45 * 72, abs=0.5)
    header = docx.Document(io.BytesIO(data)).sections[0].header.paragraphs
    assert header[0].text.strip() == "Reference letterhead"
    first_run = header[0]._p.find("w:r", NS)
    assert first_run.find("w:drawing", NS) is not None  # the logo first
    # and the body's drawings do not take its id
    ids = [p["id"] for p in pictures(data, "word/document.xml") + [logo]]
    assert len(set(ids)) == len(ids)


def test_a_reference_memo_without_a_header_gets_one_with_the_profiles_logo(figure_brief,
                                                                            tmp_path):
    brief, templates = figure_brief()
    reference = tmp_path / "ref"
    reference_templates(reference, lambda ref: None)
    shutil.copy(reference / "templates" / "mei" / "memo.docx", templates / "mei" / "memo.docx")
    data = memo(brief, templates)
    [logo] = pictures(data, header_part(data))
    assert logo["bytes"] == (templates / "mei" / "logo.png").read_bytes()
