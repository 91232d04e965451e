"""The PDF one-pager, read back with pypdf and pdfplumber (not with the library that wrote it)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from tests.conftest import DISCLAIMER, DONOR_NOTE, DONOR_URL

runner = CliRunner()


def build_pdf(brief: Path, out: Path, *extra: str):
    return runner.invoke(app, ["pdf", str(brief), "--out", str(out), *extra])


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    result = build_pdf(Path(__file__).parent.parent / "briefs" / "pmf-tillerson.yaml", out)
    assert result.exit_code == 0, result.output
    return out / "pmf-tillerson.pdf"


def flat_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    return re.sub(r"\s+", " ", text)


def test_sample_is_exactly_one_page(sample_pdf):
    assert len(pypdf.PdfReader(sample_pdf).pages) == 1


def test_every_section_heading_is_present_in_reading_order(sample_pdf):
    # two columns: reading order is down the left column, then down the right one
    headings = ["BOTTOM", "Situation", "Actors", "Iran’s", "Outlook", "Sources"]
    with pdfplumber.open(sample_pdf) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["fontname"])
        middle = page.width / 2
    found = {w["text"]: w for w in words if w["text"] in headings and "Bold" in w["fontname"]}
    assert set(found) == set(headings), sorted(found)

    def reading_position(word):
        full_width = word["text"] == "BOTTOM"  # the bottom-line box spans both columns
        return (0 if full_width else 1 + (word["x0"] > middle), word["top"])

    assert sorted(headings, key=lambda h: reading_position(found[h])) == headings


def test_body_sections_are_set_in_two_columns_of_readable_measure(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        page = pdf.pages[0]
        middle = page.width / 2
        situation = next(w for w in page.extract_words() if w["text"] == "Situation")
        below = situation["top"]
        left = page.crop((0, below, middle, page.height * 0.85)).extract_text_lines()
        right = page.crop((middle, below, page.width, page.height * 0.85)).extract_text_lines()
    assert any(ln["text"].startswith("In Riyadh") for ln in left)
    assert any(ln["text"].startswith("Outlook") for ln in right)
    for column in (left, right):
        longest = max(len(ln["text"]) for ln in column)
        assert 50 <= longest <= 95, longest  # a readable measure, not 150 characters


def test_masthead_has_organisation_title_and_date(sample_pdf):
    text = flat_text(sample_pdf)
    assert "MIDDLE EAST INSTITUTE" in text
    assert "Popular Mobilization Forces rebuff" in text
    assert "24 OCTOBER 2017" in text


def test_disclaimer_and_donor_note_are_verbatim_with_printed_url(sample_pdf):
    text = flat_text(sample_pdf)
    assert DISCLAIMER in text
    assert f"{DONOR_NOTE} {DONOR_URL}" in text


def test_click_here_is_a_link_annotation_over_those_words(sample_pdf):
    page = pypdf.PdfReader(sample_pdf).pages[0]
    links = [a.get_object() for a in page.get("/Annots", [])
             if a.get_object()["/Subtype"] == "/Link" and "/A" in a.get_object()]
    donor = [a for a in links if a["/A"].get("/URI") == DONOR_URL]
    assert len(donor) == 1
    x0, y0, x1, y1 = (float(v) for v in donor[0]["/Rect"])
    with pdfplumber.open(sample_pdf) as pdf:
        pg = pdf.pages[0]
        words = pg.extract_words()
        height = float(pg.height)
    click = [w for w in words if w["text"] == "click"]
    assert click, "no 'click' word on the page"
    inside = [w for w in click if x0 - 1 <= w["x0"] <= x1
              and height - w["bottom"] < y1 and height - w["top"] > y0]  # vertical overlap
    assert inside, (click, (x0, y0, x1, y1))


def test_links_in_the_brief_become_link_annotations(sample_pdf):
    page = pypdf.PdfReader(sample_pdf).pages[0]
    uris = {a.get_object()["/A"].get("/URI") for a in page.get("/Annots", [])
            if "/A" in a.get_object()}
    assert "https://www.mei.edu" in uris


def _fonts(reader: pypdf.PdfReader) -> list[dict]:
    fonts = reader.pages[0]["/Resources"]["/Font"]
    return [fonts[name].get_object() for name in fonts]


def test_all_fonts_are_embedded_source_sans(sample_pdf):
    fonts = _fonts(pypdf.PdfReader(sample_pdf))
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
        assert "SourceSans3" in font["/BaseFont"]
    names = {str(f["/BaseFont"]).split("+")[-1] for f in fonts}
    assert {"SourceSans3-Regular", "SourceSans3-Bold", "SourceSans3-It"} <= names  # Adobe's names


def test_metadata_title_author_subject_language_and_outline(sample_pdf):
    reader = pypdf.PdfReader(sample_pdf)
    meta = reader.metadata
    assert meta.title.startswith("Iraq’s Popular Mobilization Forces")
    assert meta.author == "Middle East Institute"
    assert meta.subject.startswith("Secretary of State Rex Tillerson’s call")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert [o.title for o in reader.outline] == [
        "Bottom line", "Situation", "Actors", "Iran’s leverage", "Outlook", "Sources"]


def test_same_input_gives_identical_bytes(sample_brief, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build_pdf(sample_brief, a).exit_code == 0
    assert build_pdf(sample_brief, b).exit_code == 0
    assert (a / "pmf-tillerson.pdf").read_bytes() == (b / "pmf-tillerson.pdf").read_bytes()


def test_creation_date_comes_from_the_brief_date_or_source_date_epoch(sample_brief, tmp_path,
                                                                       monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_pdf(sample_brief, tmp_path / "a").exit_code == 0
    meta = pypdf.PdfReader(tmp_path / "a" / "pmf-tillerson.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20171024000000")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    assert build_pdf(sample_brief, tmp_path / "b").exit_code == 0
    meta = pypdf.PdfReader(tmp_path / "b" / "pmf-tillerson.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20231114221320")
    assert meta["/ModDate"] == meta["/CreationDate"]


def test_bad_source_date_epoch_is_a_usage_error(sample_brief, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = build_pdf(sample_brief, tmp_path)
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH='yesterday' is not a whole number" in result.output


def test_diacritics_and_typographic_punctuation_are_set_in_the_embedded_font(write_brief,
                                                                             tmp_path):
    name = "Ḥādī al-ʿĀmirī, Łukasz Nöth – “quoted” — it’s"
    brief = write_brief("diacritics", subtitle=name)
    assert build_pdf(brief, tmp_path).exit_code == 0
    # the document plan joins the article to the name with a no-break hyphen (U+2011)
    assert name.replace("al-", "al\u2011") in flat_text(tmp_path / "diacritics.pdf")


def test_a_glyph_the_font_lacks_is_an_error_at_the_field_and_nothing_is_written(write_brief,
                                                                               tmp_path):
    brief = write_brief("snowman", subtitle="Winter ☃ is coming")
    line = brief.read_text(encoding="utf-8").splitlines().index("subtitle: Winter ☃ is coming")
    result = build_pdf(brief, tmp_path)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{brief}:{line + 1}:11: subtitle: the character '☃' (U+2603 SNOWMAN) is not in the font "
        "Source Sans 3; it would print as an empty box. Replace it, or choose a profile font "
        "that has it")
    assert not (tmp_path / "snowman.pdf").exists()


def test_arabic_names_are_shaped_and_set_in_the_arabic_font(write_brief, sample_data, tmp_path):
    actors = [dict(sample_data["actors"][0], name="Haider al-Abadi (حيدر العبادي)")]
    brief = write_brief("arabic", actors=actors)
    assert build_pdf(brief, tmp_path).exit_code == 0, "an Arabic name must not stop the PDF"
    with pdfplumber.open(tmp_path / "arabic.pdf") as pdf:
        chars = pdf.pages[0].chars
    arabic = [c for c in chars if "NotoSansArabic" in c["fontname"]]
    # shaped by HarfBuzz with the font's own joining forms: the name is as wide as HarfBuzz
    # sets it, narrower than its 11 letters in their isolated forms side by side; the Latin
    # part of the name stays in the body font
    from reportgen import shaping
    from reportgen.fonts import family

    bold = str(family("Noto Sans Arabic").files["bold"])
    size = arabic[0]["size"]
    drawn = max(c["x1"] for c in arabic) - min(c["x0"] for c in arabic)
    assert drawn == pytest.approx(shaping.width("حيدر العبادي", bold, size), abs=0.3)
    isolated = sum(shaping.width(ch, bold, size) for ch in "حيدر العبادي")
    assert drawn < isolated - size
    assert "Haider al\u2011Abadi (" in flat_text(tmp_path / "arabic.pdf")


def test_body_text_never_goes_below_the_floor_and_secondary_lines_not_below_7pt(
        write_brief, sample_data, tmp_path):
    situation = sample_data["situation"] + "\n\n" + sample_data["situation"]
    brief = write_brief("floor", situation=situation)
    assert build_pdf(brief, tmp_path).exit_code == 0
    with pdfplumber.open(tmp_path / "floor.pdf") as pdf:
        sizes = {round(c["size"], 2) for c in pdf.pages[0].chars if c["text"].strip()}
    assert min(sizes) >= 7
    assert body_size(tmp_path / "floor.pdf") >= 8
    # stances and quotes are body text: set at the body size, not smaller
    with pdfplumber.open(tmp_path / "floor.pdf") as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size"])
    quote = next(w for w in words if w["text"] == "“baseless”")
    assert round(quote["size"], 2) == body_size(tmp_path / "floor.pdf")


def body_size(pdf_path: Path) -> float:
    with pdfplumber.open(pdf_path) as pdf:
        sizes = [round(c["size"], 2) for c in pdf.pages[0].chars
                 if c["text"].isalpha() and "Regular" in c["fontname"]]
    return max(set(sizes), key=sizes.count)


def test_a_short_brief_grows_the_type_up_to_the_profile_maximum(write_brief, sample_data,
                                                                tmp_path):
    # issue 11: short content is set larger (up to type.max_body_pt) rather than leaving the
    # page half blank; it used to keep the profile's 10 pt
    brief = write_brief("short", actors=sample_data["actors"][:2], sources=None)
    assert build_pdf(brief, tmp_path).exit_code == 0
    assert 10 < body_size(tmp_path / "short.pdf") <= 11.5


def test_a_longer_brief_shrinks_the_type_but_stays_on_one_page(write_brief, sample_data,
                                                               tmp_path):
    situation = sample_data["situation"] + "\n\nOne more paragraph of two lines. " * 1 + \
        "It is long enough to need a second line at the sample's type size on a Letter page."
    brief = write_brief("longer", situation=situation)
    assert build_pdf(brief, tmp_path).exit_code == 0
    pdf_path = tmp_path / "longer.pdf"
    assert len(pypdf.PdfReader(pdf_path).pages) == 1
    assert 8 <= body_size(pdf_path) < 10


def test_overflow_exits_1_with_amount_and_longest_sections_and_writes_nothing(
        write_brief, sample_data, sample_brief, tmp_path):
    out = tmp_path / "out"
    # the last good output of this brief name must survive the failed build
    good = write_brief("long")
    assert build_pdf(good, out).exit_code == 0
    before = (out / "long.pdf").read_bytes()
    brief = write_brief("long", situation="\n\n".join([sample_data["situation"]] * 6))
    result = build_pdf(brief, out)
    assert result.exit_code == 1
    assert "does not fit on one page even at 8 pt body text: it overflows by" in result.output
    assert re.search(r"Longest sections: situation \d+ pt", result.output)
    # a plausible figure: more than nothing, less than a whole page of columns
    overflow = int(re.search(r"overflows by (\d+) pt", result.output).group(1))
    assert 0 < overflow < 1400
    assert "Traceback" not in result.output
    assert (out / "long.pdf").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["long.pdf"]


def test_a4_profile_gives_an_a4_page(sample_brief, tmp_path):
    templates = tmp_path / "templates" / "mei"
    templates.mkdir(parents=True)
    src = Path(__file__).parent.parent / "templates" / "mei" / "profile.yaml"
    (templates / "profile.yaml").write_text(
        src.read_text(encoding="utf-8").replace("size: letter", "size: a4"), encoding="utf-8")
    result = build_pdf(sample_brief, tmp_path / "out", "--templates", str(tmp_path / "templates"))
    assert result.exit_code == 0, result.output
    box = pypdf.PdfReader(tmp_path / "out" / "pmf-tillerson.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_bytes_render_without_the_cli(sample_brief):
    from reportgen.pipeline import prepare, render

    data = render(prepare(sample_brief), "pdf").data
    assert data.startswith(b"%PDF-") and len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1


def test_invisible_bidi_marks_pasted_with_a_name_are_not_missing_glyphs(write_brief, sample_data,
                                                                        tmp_path):
    actors = [dict(sample_data["actors"][0], name="\u200fحيدر\u200d العبادي\u200e (al-Abadi)")]
    brief = write_brief("marks", actors=actors)
    assert build_pdf(brief, tmp_path).exit_code == 0
    text = flat_text(tmp_path / "marks.pdf")
    assert "(al\u2011Abadi)" in text
    assert not any(ch in text for ch in "\u200d\u200e\u200f")


def test_the_masthead_label_comes_from_the_profile(sample_brief, tmp_path):
    templates = tmp_path / "templates" / "mei"
    templates.mkdir(parents=True)
    src = Path(__file__).parent.parent / "templates" / "mei" / "profile.yaml"
    (templates / "profile.yaml").write_text(
        src.read_text(encoding="utf-8").replace("short_name: MEI",
                                                "short_name: MEI\ndocument_label: Issue brief"),
        encoding="utf-8")
    result = build_pdf(sample_brief, tmp_path / "out", "--templates", str(tmp_path / "templates"))
    assert result.exit_code == 0, result.output
    assert "ISSUE BRIEF · 24 OCTOBER 2017" in flat_text(tmp_path / "out" / "pmf-tillerson.pdf")


# ---------------------------------------------------------------------------------------------
# Findings: what `validate` and `build` read, instead of the writer's messages


def _document(brief: Path):
    from reportgen.pipeline import prepare

    return prepare(brief).document


def test_check_reports_the_body_size_per_section_and_one_page(write_brief):
    from reportgen.writers import pdf

    found = pdf.check(_document(write_brief(map=None)))  # the text alone fits at 10 pt
    assert (found.format, found.body_pt, found.start_pt, found.pages) == ("pdf", 10, 10, 1)
    assert not found.shrunk
    assert [s.key for s in found.sections] == ["summary", "situation", "actors", "leverage",
                                               "outlook", "sources", "closing"]
    assert found.section("situation").type_pt == 10
    assert found.section("summary").type_pt == 10.8  # the bottom line is set a little larger


def test_rendered_findings_are_those_of_check_and_say_when_text_was_shrunk(write_brief,
                                                                          sample_data):
    from reportgen.writers import pdf

    situation = "\n\n".join([sample_data["situation"]] * 2)
    document = _document(write_brief("longer", situation=situation))
    rendered = pdf.render(document)
    assert rendered.findings == pdf.check(document)
    assert rendered.findings.shrunk and 8 <= rendered.findings.body_pt < 10
    assert body_size_of(rendered.data) == rendered.findings.section("situation").type_pt


def body_size_of(data: bytes) -> float:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = [round(c["size"], 2) for c in pdf.pages[0].chars
                 if c["text"].isalpha() and "Regular" in c["fontname"]]
    return max(set(sizes), key=sizes.count)


def test_overflow_is_a_positioned_error_at_the_longest_section_with_its_measures(
        write_brief, sample_data):
    from reportgen.errors import RenderError
    from reportgen.writers import pdf

    brief = write_brief("long", situation="\n\n".join([sample_data["situation"]] * 6))
    with pytest.raises(RenderError) as caught:
        pdf.check(_document(brief))
    (diagnostic,) = caught.value.diagnostics
    line = next(i for i, text in enumerate(brief.read_text("utf-8").splitlines(), 1)
                if text.startswith("situation:"))
    assert (diagnostic.path, diagnostic.line, diagnostic.key) == (str(brief), line, "situation")
    over = caught.value.findings.overflow
    assert over.exact and 0 < over.pt < 1400 and over.lines >= 1
    assert over.longest[0][0] == "situation"
    assert f"it overflows by {over.pt:.0f} pt (about {over.lines} lines)" in diagnostic.message
