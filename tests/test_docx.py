"""The DOCX memo, read back with a fresh python-docx load, raw package XML, docx2python,
fontTools and (where installed) LibreOffice + pypdf: never with the objects that wrote it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm, Pt, RGBColor
from docx2python import docx2python
from fontTools.ttLib import TTFont
from lxml import etree
from typer.testing import CliRunner

from reportgen.brief import load_brief
from reportgen.cli import app
from reportgen.errors import RenderError
from reportgen.fonts import script_segments
from reportgen.pipeline import prepare, render
from tests.conftest import DISCLAIMER, DONOR_NOTE, DONOR_URL, FIXTURES, ROOT, SAMPLE

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R}
SHORT = FIXTURES / "docx_short.yaml"
PROFILE = yaml.safe_load((ROOT / "templates" / "mei" / "profile.yaml").read_text("utf-8"))
runner = CliRunner()


def render_docx(brief: Path, templates: Path | None = None) -> bytes:
    return render(prepare(brief, templates), "docx").data


def xml(data: bytes, part: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(part))


def rels(data: bytes, part: str) -> dict[str, tuple[str, str, str]]:
    """rId -> (type, target, mode) of `part` (e.g. 'word/document.xml')."""
    folder, name = part.rsplit("/", 1)
    root = xml(data, f"{folder}/_rels/{name}.rels")
    return {r.get("Id"): (r.get("Type").rsplit("/", 1)[1], r.get("Target"),
                          r.get("TargetMode", "Internal"))
            for r in root.findall(f"{{{PR}}}Relationship")}


def no_break(text: str) -> str:
    """The brief's text as printed: the hyphen after al- or el- in a name does not break."""
    return re.sub(r"\b(al|el)-(?=[A-Z])", "\\1\u2011", text)


def load(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def hyperlinks(data: bytes) -> list[tuple[str, str, str]]:
    """(link text, target, target mode) of every w:hyperlink in the body."""
    targets = rels(data, "word/document.xml")
    out = []
    for link in xml(data, "word/document.xml").iter(f"{{{W}}}hyperlink"):
        text = "".join(t.text for t in link.iter(f"{{{W}}}t"))
        _, target, mode = targets[link.get(f"{{{R}}}id")]
        out.append((text, target, mode))
    return out


def flatten(nested) -> list[str]:
    """docx2python's nested lists (tables > rows > cells > paragraphs) as paragraph strings."""
    if isinstance(nested, str):
        return [nested]
    return [text for item in nested for text in flatten(item)]


@pytest.fixture(scope="module")
def sample_docx() -> bytes:
    return render_docx(SAMPLE)


@pytest.fixture(scope="module")
def short_docx() -> bytes:
    return render_docx(SHORT)


def reference_templates(root: Path, build, profile_changes: dict | None = None) -> Path:
    """templates/mei under `root`: the MEI profile (optionally changed) and, when `build` is
    given, a memo.docx made with python-docx and passed to `build` to customise."""
    folder = root / "templates" / "mei"
    folder.mkdir(parents=True)
    data = dict(PROFILE)
    data.update(profile_changes or {})
    (folder / "profile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    if build is not None:
        ref = docx.Document()
        build(ref)
        ref.save(folder / "memo.docx")
    return root / "templates"


# ---------------------------------------------------------------------------------------------
# Structure and styles


def test_headings_are_word_heading_styles_in_reading_order(sample_docx):
    paragraphs = load(sample_docx).paragraphs
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    holder = load_brief(SAMPLE).brief.leverage.holder
    assert headings == [
        ("Heading 1", "Bottom line"), ("Heading 1", "Situation"), ("Heading 1", "Actors"),
        ("Heading 2", "In their own words"), ("Heading 1", f"{holder}’s leverage"),
        ("Heading 1", "Outlook"), ("Heading 1", "Sources")]
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == "MEMORANDUM"


def test_heading_styles_carry_outline_levels_for_the_navigation_pane(sample_docx):
    styles = xml(sample_docx, "word/styles.xml")
    for style_id, level in (("Heading1", "0"), ("Heading2", "1")):
        lvl = styles.find(f"w:style[@w:styleId='{style_id}']/w:pPr/w:outlineLvl", NS)
        assert lvl is not None and lvl.get(f"{{{W}}}val") == level


def test_lists_and_quotes_use_words_list_and_quote_styles(sample_docx):
    brief = load_brief(SAMPLE).brief
    by_style: dict[str, list[str]] = {}
    for p in load(sample_docx).paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert len(by_style["List Bullet"]) >= len(brief.leverage.points)
    quotes = [a for a in brief.actors if a.quote]
    assert by_style["Quote"] == [f"“{''.join(s.text for s in a.quote)}”" for a in quotes]
    assert len(by_style["Quote Source"]) == len(quotes)
    assert by_style["List Number"][0].startswith(brief.sources[0].title)


def test_memo_header_lines_share_one_tab_stop_and_end_with_a_rule(short_docx):
    lines = [p for p in load(short_docx).paragraphs if p.style.name == "Message Header"]
    assert [p.text for p in lines] == [
        "TO:\tPolicy team", "FROM:\tJane Analyst and Omar Writer", "CC:\tDirector of research",
        "DATE:\t3 February 2020", "SUBJECT:\tShort test memo"]
    style = xml(short_docx, "word/styles.xml").find("w:style[@w:styleId='MessageHeader']", NS)
    ind = style.find("w:pPr/w:ind", NS)
    tab = style.find("w:pPr/w:tabs/w:tab", NS)
    assert ind.get(f"{{{W}}}left") == ind.get(f"{{{W}}}hanging") == tab.get(f"{{{W}}}pos")
    rule = lines[-1]._p.find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule is not None and rule.get(f"{{{W}}}val") == "single"


def test_subject_defaults_to_title_which_is_then_not_repeated(short_docx):
    styles = [p.style.name for p in load(short_docx).paragraphs]
    assert "Subtitle" not in styles


def test_actor_table_has_a_repeating_header_row_and_one_row_per_actor(sample_docx):
    brief = load_brief(SAMPLE).brief
    table = load(sample_docx).tables[0]
    assert table.style.name == "Memo Table"
    assert [c.text for c in table.rows[0].cells] == ["Name", "Role and affiliation", "Stance"]
    assert table.rows[0]._tr.find("w:trPr/w:tblHeader", NS) is not None
    body = table.rows[1:]
    assert [r.cells[0].text for r in body] == [no_break(a.name) for a in brief.actors]
    first = brief.actors[0]
    assert body[0].cells[1].text == "\n".join(x for x in (first.role, first.affiliation) if x)
    assert body[0].cells[2].text == no_break(first.stance.plain)


def test_disclaimer_and_donor_note_are_verbatim_with_the_url_printed(sample_docx):
    texts = [p.text for p in load(sample_docx).paragraphs]
    assert DISCLAIMER in texts
    assert f"{DONOR_NOTE} ({DONOR_URL})" in texts


def test_click_here_is_a_hyperlink_to_the_donor_page(sample_docx):
    links = hyperlinks(sample_docx)
    assert ("click here", DONOR_URL, "External") in links
    assert (DONOR_URL, DONOR_URL, "External") in links


def test_markup_gives_bold_italic_and_real_hyperlinks(short_docx):
    doc = load(short_docx)
    summary = next(p for p in doc.paragraphs if p.style.name == "Bottom Line")
    assert [r.text for r in summary.runs if r.bold] == ["bold"]
    assert ("link", "https://example.org/summary", "External") in hyperlinks(short_docx)
    situation = next(p for p in doc.paragraphs if p.text.startswith("A first paragraph"))
    assert [r.text for r in situation.runs if r.italic] == ["italic"]
    quote = next(p for p in doc.paragraphs if p.style.name == "Quote")
    assert quote.text == "“We will not wait”"
    # emphasis inside an italic quotation is set upright
    assert [r.text for r in quote.runs if r.italic is False] == ["not"]
    assert ("Example Actor", "https://example.org/actor", "External") in hyperlinks(short_docx)


def test_each_numbered_list_restarts_at_one(short_docx):
    numbering = xml(short_docx, "word/numbering.xml")
    doc = load(short_docx)
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered][:2] == ["first numbered point", "second numbered point"]
    ids = [p._p.find("w:pPr/w:numPr/w:numId", NS).get(f"{{{W}}}val") for p in numbered]
    assert ids[0] == ids[1] != ids[2]  # the situation list, then the sources list
    for num_id in set(ids):
        start = numbering.find(f"w:num[@w:numId='{num_id}']/w:lvlOverride/w:startOverride", NS)
        assert start is not None and start.get(f"{{{W}}}val") == "1"


def test_footer_on_every_page_has_short_name_and_page_x_of_y_fields(sample_docx):
    section = xml(sample_docx, "word/document.xml").find("w:body/w:sectPr", NS)
    refs = section.findall("w:footerReference", NS)
    assert [f.get(f"{{{W}}}type") for f in refs] == ["default"]
    assert section.find("w:titlePg", NS) is None  # no different first page
    target = rels(sample_docx, "word/document.xml")[refs[0].get(f"{{{R}}}id")][1]
    footer = xml(sample_docx, f"word/{target}")
    fields = [t.text.strip() for t in footer.iter(f"{{{W}}}instrText")]
    assert fields == ["PAGE", "NUMPAGES"]
    with docx2python(io.BytesIO(sample_docx)) as read:
        assert "MEI\tPage 1 of 1" in flatten(read.footer)  # cached results until laid out


# ---------------------------------------------------------------------------------------------
# Look: profile colours and fonts, or the reference document


def test_builtin_look_uses_the_profile_colours_fonts_and_paper(sample_docx):
    doc = load(sample_docx)
    primary = RGBColor.from_string(PROFILE["colors"]["primary"].lstrip("#"))
    assert doc.styles["Heading 1"].font.color.rgb == primary
    assert doc.styles["Normal"].font.name == PROFILE["fonts"]["body"]
    assert doc.sections[0].page_width == Pt(612) and doc.sections[0].page_height == Pt(792)
    assert doc.sections[0].header.paragraphs[0].text == "MIDDLE EAST INSTITUTE\twww.mei.edu"
    defaults = xml(sample_docx, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    fonts = defaults.find("w:rFonts", NS)
    assert fonts.get(f"{{{W}}}cs") == PROFILE["fonts"]["arabic"]
    assert fonts.get(f"{{{W}}}asciiTheme") is None  # a theme font would override the profile


def test_a4_profile_gives_an_a4_page(tmp_path):
    templates = reference_templates(tmp_path, None, {"page": {"size": "a4", "margin_pt": 40}})
    section = load(render_docx(SHORT, templates)).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.2)
    assert abs(section.page_height - Mm(297)) < Mm(0.2)


def test_reference_memo_supplies_styles_page_size_margins_and_header(tmp_path):
    def build(ref):
        heading = ref.styles["Heading 1"]
        heading.font.color.rgb = RGBColor(0xC0, 0x10, 0x20)
        heading.font.name = "Courier New"
        section = ref.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(30)
        section.header.paragraphs[0].text = "REFERENCE HEADER"
        section.footer.paragraphs[0].text = "OLD FOOTER"
        ref.add_paragraph("Body text of the template, which must not survive")

    data = render_docx(SAMPLE, reference_templates(tmp_path, build))
    doc = load(data)
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x10, 0x20)
    assert doc.styles["Heading 1"].font.name == "Courier New"
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.left_margin - Mm(30)) < Mm(0.1)
    assert section.header.paragraphs[0].text == "REFERENCE HEADER"
    assert "Page 1 of 1" in section.footer.paragraphs[0].text
    assert "OLD FOOTER" not in " ".join(p.text for p in section.footer.paragraphs)
    texts = [p.text for p in doc.paragraphs]
    assert not any("must not survive" in t for t in texts)
    assert "Bottom line" in texts
    # a style the reference lacks is added, so every paragraph still has a named style
    assert "Bottom Line" in [s.name for s in doc.styles]
    # the actor table spans the reference's text width
    widths = [int(c.get(f"{{{W}}}w")) for c in
              doc.tables[0]._tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert abs(sum(widths) - Mm(150).pt * 20) < 5  # twips


def test_a_saved_memo_works_as_reference_and_its_fonts_are_embedded_afresh(tmp_path,
                                                                           sample_docx):
    templates = reference_templates(tmp_path, None)
    (templates / "mei" / "memo.docx").write_bytes(sample_docx)
    data = render_docx(SHORT, templates)
    doc = load(data)
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][0] == "Bottom line"
    assert doc.sections[0].header.paragraphs[0].text == "MIDDLE EAST INSTITUTE\twww.mei.edu"
    assert not any("Tillerson" in p.text for p in doc.paragraphs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        fonts = [n for n in z.namelist() if n.endswith(".odttf")]
    assert len(fonts) == 4  # regular, bold, italic, bold italic: replaced, not added twice
    assert len(rels(data, "word/fontTable.xml")) == 4


def test_a_reference_that_is_not_a_word_document_is_a_clear_render_error(tmp_path):
    templates = reference_templates(tmp_path, None)
    (templates / "mei" / "memo.docx").write_bytes(b"not a zip file")
    with pytest.raises(RenderError, match=r"memo\.docx: the reference memo cannot be used"):
        render_docx(SAMPLE, templates)


def test_a_reference_style_of_the_wrong_kind_is_named_in_the_error(tmp_path):
    templates = reference_templates(
        tmp_path, lambda ref: ref.styles.add_style("Bottom Line", WD_STYLE_TYPE.CHARACTER))
    with pytest.raises(RenderError, match=r"memo\.docx: its style 'Bottom Line' is a character "
                                          r"style, but the memo needs a paragraph style"):
        render_docx(SAMPLE, templates)


# ---------------------------------------------------------------------------------------------
# Properties and reproducibility


def test_core_properties_come_from_the_brief(short_docx):
    props = load(short_docx).core_properties
    assert props.title == "Short test memo"
    assert props.author == "Jane Analyst and Omar Writer"
    # The same subject and keywords as the one-pager and the deck: the bottom line, and the
    # organisation, the document label and the leverage holder.
    assert props.subject == "One sentence with bold words and a link."
    assert props.keywords == "MEI; Policy brief; Tehran"
    assert props.language == "en-GB"
    stamp = datetime(2020, 2, 3, tzinfo=UTC)
    assert props.created == props.modified == stamp


def test_core_xml_claims_no_printing_and_holds_no_empty_properties(short_docx):
    core = xml(short_docx, "docProps/core.xml")
    names = [el.tag.rsplit("}", 1)[1] for el in core]
    assert "lastPrinted" not in names  # the memo was never printed
    assert not {"contentStatus", "identifier", "version"} & set(names)
    assert all((el.text or "").strip() for el in core), names
    assert sorted(names) == sorted(["title", "subject", "creator", "keywords", "description",
                                    "lastModifiedBy", "revision", "created", "modified",
                                    "category", "language"])


def test_a_reference_memos_own_status_version_and_print_date_do_not_carry_over(tmp_path):
    def stamped(ref):
        ref.core_properties.content_status = "Final"
        ref.core_properties.version = "7"
        ref.core_properties.identifier = "TEMPLATE-1"
        ref.core_properties.last_printed = datetime(2001, 1, 1)

    templates = reference_templates(tmp_path, stamped)
    core = xml(render_docx(SHORT, templates), "docProps/core.xml")
    names = {el.tag.rsplit("}", 1)[1] for el in core}
    assert not {"lastPrinted", "contentStatus", "identifier", "version"} & names


def test_same_input_gives_identical_bytes_with_entries_dated_by_the_brief(short_docx):
    assert render_docx(SHORT) == short_docx
    with zipfile.ZipFile(io.BytesIO(short_docx)) as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 2, 3, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_source_date_epoch_sets_the_property_dates(short_docx, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = render_docx(SHORT)
    props = load(data).core_properties
    stamp = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert props.created == props.modified == stamp
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert data != short_docx


def test_profile_fonts_travel_inside_the_memo(short_docx):
    table = xml(short_docx, "word/fontTable.xml")
    font = table.find(f"w:font[@w:name='{PROFILE['fonts']['body']}']", NS)
    embed = font.find("w:embedRegular", NS)
    target = rels(short_docx, "word/fontTable.xml")[embed.get(f"{{{R}}}id")][1]
    with zipfile.ZipFile(io.BytesIO(short_docx)) as z:
        blob = z.read(f"word/{target}")
    key = bytes.fromhex(embed.get(f"{{{W}}}fontKey").strip("{}").replace("-", ""))[::-1]
    plain = bytes(b ^ key[i % 16] for i, b in enumerate(blob[:32])) + blob[32:]
    ttf = TTFont(io.BytesIO(plain))
    assert ttf["name"].getDebugName(1) == PROFILE["fonts"]["body"]
    assert {ord(c) for c in "Short test memo —“”"} <= set(ttf.getBestCmap())
    assert xml(short_docx, "word/settings.xml").find("w:embedTrueTypeFonts", NS) is not None


def test_without_the_font_package_the_memo_writer_names_the_font_but_embeds_nothing(
        monkeypatch):
    import reportgen.fonts
    from reportgen.writers import docx as memo_writer

    document = prepare(SHORT).document  # the pipeline's glyph check needs the fonts

    def missing(name):
        raise RenderError(f"font family '{name}' is not installed")

    monkeypatch.setattr(reportgen.fonts, "family", missing)
    data = memo_writer.render(document).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.endswith(".odttf")]
    assert load(data).styles["Normal"].font.name == PROFILE["fonts"]["body"]


# ---------------------------------------------------------------------------------------------
# Right-to-left text


def test_script_segments_keep_an_arabic_name_in_one_run():
    assert script_segments("Haider al-Abadi (حيدر العبادي)") == (
        ("Haider al-Abadi (", False), ("حيدر العبادي", True), (")", False))
    assert script_segments("Plain Latin") == (("Plain Latin", False),)


def test_arabic_name_runs_are_right_to_left_in_the_arabic_font(write_brief, sample_data):
    actors = [dict(a) for a in sample_data["actors"]]
    actors[0]["name"] = "حيدر العبادي"
    data = render_docx(write_brief("arabic", actors=actors))
    cell = load(data).tables[0].rows[1].cells[0]
    paragraph = cell.paragraphs[0]
    assert paragraph.text == "حيدر العبادي"
    run = paragraph.runs[0]._r
    assert run.find("w:rPr/w:rtl", NS) is not None
    assert run.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}cs") == PROFILE["fonts"]["arabic"]
    assert paragraph._p.find("w:pPr/w:bidi", NS) is not None  # mainly Arabic: reads RTL
    latin = load(data).tables[0].rows[2].cells[0].paragraphs[0]
    assert latin._p.find("w:pPr/w:bidi", NS) is None
    assert all(r._r.find("w:rPr/w:rtl", NS) is None for r in latin.runs)
    fonts = xml(data, "word/fontTable.xml")
    arabic = fonts.find(f"w:font[@w:name='{PROFILE['fonts']['arabic']}']/w:embedRegular", NS)
    assert arabic is not None


# ---------------------------------------------------------------------------------------------
# Command line


def test_cli_writes_out_stem_docx(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["docx", str(SHORT), "--out", str(out)])
    assert result.exit_code == 0, result.output
    target = out / "docx_short.docx"
    assert result.output.strip() == str(target)
    assert load(target.read_bytes()).paragraphs[0].text == "MEMORANDUM"


def test_cli_invalid_brief_writes_nothing_and_keeps_the_last_good_file(write_brief, tmp_path):
    out = tmp_path / "out"
    good = write_brief("memo")
    assert runner.invoke(app, ["docx", str(good), "--out", str(out)]).exit_code == 0
    before = (out / "memo.docx").read_bytes()
    broken = write_brief("memo", summary=None)
    result = runner.invoke(app, ["docx", str(broken), "--out", str(out)])
    assert result.exit_code == 1
    assert "summary" in result.output
    assert (out / "memo.docx").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["memo.docx"]


def test_a_glyph_the_fonts_lack_stops_the_memo_at_its_field_and_writes_nothing(write_brief,
                                                                              tmp_path):
    out = tmp_path / "out"
    brief = write_brief("snowman", subtitle="Winter ☃ is coming")
    line = brief.read_text(encoding="utf-8").splitlines().index("subtitle: Winter ☃ is coming")
    result = runner.invoke(app, ["docx", str(brief), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{brief}:{line + 1}:11: subtitle: the character '☃' (U+2603 SNOWMAN) is not in the font "
        "Source Sans 3; it would print as an empty box. Replace it, or choose a profile font "
        "that has it")
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------------------------------------
# LibreOffice, an independent layout engine (slow: one conversion of two memos)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_lays_the_memos_out_with_the_expected_pages(tmp_path):
    short = tmp_path / "short.docx"
    short.write_bytes(render_docx(SHORT))
    templates = reference_templates(tmp_path, lambda ref: _a4(ref.sections[0]))
    a4 = tmp_path / "a4.docx"
    a4.write_bytes(render_docx(SAMPLE, templates))
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(short), str(a4)],
        check=True, capture_output=True, timeout=240)

    # The short memo fills Letter page 1; the closing block goes to page 2 (with Sources or
    # after them, as the font's line heights fall: Sources once, in order, either way).
    reader = pypdf.PdfReader(out / "short.pdf")
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Bottom line" in first and re.search(r"Page\s*1\s*of\s*2", first)
    assert (first + second).count("Sources") == 1 and re.search(r"Page\s*2\s*of\s*2", second)
    assert "Sources" in second or first.index("Sources") > first.index("Bottom line")
    flat = re.sub(r"\s+", " ", second)
    assert DISCLAIMER in flat and f"{DONOR_NOTE} ({DONOR_URL})" in flat
    assert float(reader.pages[0].mediabox.width) == 612

    # The sample on the A4 reference: every page is A4 and numbered "Page i of N".
    reader = pypdf.PdfReader(out / "a4.pdf")
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert re.search(rf"Page\s*{number}\s*of\s*{pages}\b", page.extract_text())
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1


def _a4(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
