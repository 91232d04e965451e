"""The memo is accessible as Word's accessibility checker and a screen reader see it (issue 14):
every picture has alt text and nothing decorative is drawn as a shape (rules are paragraph
borders, which no screen reader announces); the actors table has a header row, a title and a
description; the document's title is in its core properties; every run has a language, Arabic
ones through w:bidi.

Each check reads the saved memos (the samples in English and Arabic, the brief with every
kind of figure in both languages, the sample on python-docx's own template) back with zipfile
and lxml.
"""

from __future__ import annotations

import re
import zipfile

import pytest
import yaml
from lxml import etree

from tests.conftest import SAMPLE, SAMPLE_AR

BUILDS = ("sample", "sample-ar", "figures", "figures-ar", "reference")
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/",
      "v": "urn:schemas-microsoft-com:vml",
      "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
      "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
W = f"{{{NS['w']}}}"
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LABELS = {"sample": ("Actors", ["Name", "Role and affiliation", "Stance"], ", "),
          "sample-ar": ("الأطراف الفاعلة", None, "، ")}


def parts(path, pattern: str = r"word/(document|header\d*|footer\d*)\.xml$") -> dict:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if re.match(pattern, n)}


def text_of(element) -> str:
    return "".join(element.itertext())


# ---------------------------------------------------------------------------------------------
# Pictures


@pytest.mark.parametrize("name", BUILDS)
def test_every_picture_has_alt_text_and_no_shape_is_drawn(name, office_files):
    """Every drawing is an inline picture with a description (wp:docPr and pic:cNvPr alike);
    no rule or bar is a drawn shape (VML, a Word shape or an anchored drawing), so nothing needs
    marking decorative."""
    pictures = 0
    for part, root in parts(office_files[f"{name}.docx"]).items():
        for drawing in root.iterfind(".//w:drawing", NS):
            assert drawing.find("wp:anchor", NS) is None, part
            inline = drawing.find("wp:inline", NS)
            descr = inline.find("wp:docPr", NS).get("descr") or ""
            assert descr.strip(), part
            assert inline.find(".//pic:cNvPr", NS).get("descr") == descr, part
            pictures += 1
        for tag in ("v:shape", "v:line", "v:rect", "wps:wsp", "mc:AlternateContent", "w:pict"):
            assert root.find(f".//{tag}", NS) is None, (part, tag)
    assert pictures >= (1 if name != "figures" else 4)  # the map; + images and the logo


# ---------------------------------------------------------------------------------------------
# Tables


@pytest.mark.parametrize("name", ["sample", "sample-ar", "reference"])
def test_the_actors_table_has_a_header_row_a_title_and_a_description(name, office_files):
    heading, columns, comma = LABELS[name if name != "reference" else "sample"]
    root = parts(office_files[f"{name}.docx"], r"word/document\.xml$")["word/document.xml"]
    tables = root.findall("w:body/w:tbl", NS)
    table = next(t for t in tables
                 if t.find("w:tblPr/w:tblCaption", NS) is not None
                 and t.find("w:tblPr/w:tblCaption", NS).get(W + "val") == heading)
    rows = table.findall("w:tr", NS)
    header = [text_of(tc) for tc in rows[0].findall("w:tc", NS)]
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert len(rows) == 1 + 6  # the sample's six actors
    if columns:
        assert header == columns
    description = table.find("w:tblPr/w:tblDescription", NS).get(W + "val")
    assert description == f"{heading}: {comma.join(header)}"
    # Where the schema puts them: last in w:tblPr, the caption before the description.
    tags = [etree.QName(c).localname for c in table.find("w:tblPr", NS)]
    assert tags[-2:] == ["tblCaption", "tblDescription"]


def test_the_key_figures_table_is_titled(office_files):
    root = parts(office_files["figures.docx"], r"word/document\.xml$")["word/document.xml"]
    captions = [c.get(W + "val") for c in root.iterfind("w:body/w:tbl/w:tblPr/w:tblCaption", NS)]
    assert captions == ["Key figures", "Actors"]


# ---------------------------------------------------------------------------------------------
# Title and language


@pytest.mark.parametrize(("name", "brief"), [("sample", SAMPLE), ("sample-ar", SAMPLE_AR),
                                             ("reference", SAMPLE)])
def test_the_title_and_language_are_in_the_core_properties(name, brief, office_files):
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    core = parts(office_files[f"{name}.docx"], r"docProps/core\.xml$")["docProps/core.xml"]
    assert core.findtext("dc:title", namespaces=NS) == data["title"]
    assert core.findtext("dc:language", namespaces=NS) == data.get("language", "en")


@pytest.mark.parametrize(("name", "latin", "arabic"), [
    ("sample", "en", "ar-SA"), ("reference", "en", "ar-SA"), ("figures", "en", "ar-SA"),
    ("sample-ar", "en-US", "ar-SA"), ("figures-ar", "en-US", "ar-SA")])
def test_every_run_has_a_language_arabic_through_bidi(name, latin, arabic, office_files):
    """The document default (w:docDefaults) gives every run its language: the brief's for
    Latin text (English for the Latin names in an Arabic memo) and Arabic for complex-script
    text (w:bidi); no run says otherwise, and every mainly Arabic paragraph reads right to
    left."""
    path = office_files[f"{name}.docx"]
    styles = parts(path, r"word/styles\.xml$")["word/styles.xml"]
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert (lang.get(W + "val"), lang.get(W + "bidi")) == (latin, arabic)
    default_rtl = styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", NS) is not None
    assert default_rtl == name.endswith("-ar")
    arabic_paragraphs = 0
    for part, root in parts(path).items():
        for run_lang in root.iterfind(".//w:r/w:rPr/w:lang", NS):
            assert run_lang.get(W + "val") in (None, latin), part
            assert run_lang.get(W + "bidi") in (None, arabic), part
        for p in root.iterfind(".//w:p", NS):
            text = "".join(t.text or "" for t in p.iterfind(".//w:t", NS))
            if len(ARABIC.findall(text)) > len(text) / 2:
                arabic_paragraphs += 1
                bidi = p.find("w:pPr/w:bidi", NS)
                if bidi is None:
                    assert default_rtl, (part, text[:40])
                else:
                    assert bidi.get(W + "val") not in ("0", "false"), (part, text[:40])
    assert (arabic_paragraphs > 20) == name.endswith("-ar")
