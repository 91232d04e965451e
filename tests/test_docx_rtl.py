"""The memo of an Arabic brief (issue 13): a right-to-left Word document. Every paragraph
reads right to left but the profile's English notes, the section and its gutter are
right-to-left, tables run from the right, the page header and footer are mirrored, the side
rules of the bottom line and quotations stand on the right, runs are tagged with the brief's
language; and an English memo with an Arabic quote stays left to right around it. Read back
with lxml on the package's parts, a fresh python-docx load and LibreOffice (pdfplumber).
"""

from __future__ import annotations

import difflib
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.enum.table import WD_TABLE_DIRECTION
from lxml import etree

from reportgen.fonts import is_arabic
from reportgen.pipeline import prepare, render
from tests.conftest import ROOT, SAMPLE, office_to_pdf

ARABIC_BRIEF = ROOT / "briefs" / "pmf-tillerson-ar.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R}
PAGE_W, PAGE_H, MARGIN = 612.0, 792.0, 72.0  # Letter, one-inch margins (the MEI profile)
LEFT, RIGHT = MARGIN, PAGE_W - MARGIN
ARABIC_QUOTE = ("وزير خارجية أمريكا: عليكم سحب القوات العسكرية من بلدنا العراق فورًا ومن دون "
                "أيّ تأخير")
no_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice is not installed")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def memo_of(path: Path) -> bytes:
    return render(prepare(path), "docx").data


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def story_parts(data: bytes, kind: str) -> list[str]:
    """The package paths of the headers (`kind` "header") or footers the body's section uses."""
    rels = part(data, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): "word/" + r.get("Target") for r in rels.findall(f"{{{PR}}}"
                                                                           "Relationship")}
    sect = part(data, "word/document.xml").find("w:body/w:sectPr", NS)
    return [targets[ref.get(f"{{{R}}}id")] for ref in sect.findall(f"w:{kind}Reference", NS)]


def text(p) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def bidi(p) -> bool | None:
    """A paragraph's direct direction: True (w:bidi on), False (w:bidi w:val="0"), None."""
    el = p.find("w:pPr/w:bidi", NS)
    if el is None:
        return None
    return el.get(w("val")) not in ("0", "false", "off")


def style_ids(data: bytes) -> dict[str, str]:
    """Style name -> id."""
    styles = part(data, "word/styles.xml")
    return {s.find("w:name", NS).get(w("val")): s.get(w("styleId"))
            for s in styles.findall("w:style", NS)}


def style_el(data: bytes, name: str):
    sid = style_ids(data)[name]
    return part(data, "word/styles.xml").find(f"w:style[@w:styleId='{sid}']", NS)


def latin_only(s: str) -> bool:
    letters = [ch for ch in s if ch.isalpha()]
    return bool(letters) and not any(map(is_arabic, letters))


@pytest.fixture(scope="module")
def arabic() -> tuple[object, bytes]:
    """(document, memo bytes) of the Arabic sample brief."""
    return prepare(ARABIC_BRIEF).document, memo_of(ARABIC_BRIEF)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> bytes:
    """The English sample with Qais al-Khazali's quote in Arabic."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    actors = [dict(a) for a in data["actors"]]
    next(a for a in actors if "Khazali" in a["name"])["quote"] = ARABIC_QUOTE
    path = tmp_path_factory.mktemp("mixed") / "mixed.yaml"
    path.write_text(yaml.safe_dump(dict(data, actors=actors), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return memo_of(path)


def arabic_brief_with(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(ARABIC_BRIEF.read_text(encoding="utf-8"))
    path = tmp_path / "ar.yaml"
    path.write_text(yaml.safe_dump(dict(data, **changes), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The XML, read back


def test_every_paragraph_reads_right_to_left_except_the_english_notes(arabic):
    document, data = arabic
    body = part(data, "word/document.xml").find("w:body", NS)
    paragraphs = list(body.iter(w("p")))
    assert len(paragraphs) > 60
    left_to_right = [p for p in paragraphs if bidi(p) is not True]
    # the profile's disclaimer and donor note, verbatim, and nothing else
    c = document.closing
    assert [text(p) for p in left_to_right] == [
        c.disclaimer, f"{c.donor_note} ({c.donor_url})"]
    for p in left_to_right:  # said outright, against the document default
        assert bidi(p) is False and latin_only(text(p))
    # the memo header's rows, table cells, list items, captions: all right to left
    in_cells = [p for tc in body.iter(w("tc")) for p in tc.iter(w("p"))]
    assert in_cells and all(bidi(p) for p in in_cells)
    from_row = next(p for p in paragraphs if "Middle East Institute" in text(p))
    assert bidi(from_row)  # an Arabic label with an English value: the label's direction


def test_numbered_and_bulleted_paragraphs_read_right_to_left(arabic):
    _, data = arabic
    ids = style_ids(data)
    listed = {ids["List Bullet"], ids["List Number"]}
    body = part(data, "word/document.xml").find("w:body", NS)
    items = [p for p in body.iter(w("p"))
             if p.find("w:pPr/w:numPr", NS) is not None
             or (p.find("w:pPr/w:pStyle", NS) is not None
                 and p.find("w:pPr/w:pStyle", NS).get(w("val")) in listed)]
    assert len(items) >= 7  # three leverage points, three outlooks, one source
    assert all(bidi(p) for p in items)


def test_the_section_reads_right_to_left_with_its_gutter_on_the_right(arabic):
    _, data = arabic
    sect = part(data, "word/document.xml").find("w:body/w:sectPr", NS)
    tags = [etree.QName(child).localname for child in sect]
    assert "bidi" in tags and "rtlGutter" in tags
    # in schema order: after the columns, before the document grid
    assert tags.index("cols") < tags.index("bidi") < tags.index("rtlGutter") \
        < tags.index("docGrid")


def test_every_table_runs_from_the_right(arabic):
    _, data = arabic
    tables = list(part(data, "word/document.xml").iter(w("tbl")))
    assert tables
    for tbl in tables:
        tblpr = tbl.find("w:tblPr", NS)
        assert tblpr.find("w:bidiVisual", NS) is not None
        order = [etree.QName(c).localname for c in tblpr]
        assert order.index("bidiVisual") < order.index("tblW")  # schema order
    fresh = docx.Document(io.BytesIO(data))
    assert [t.table_direction for t in fresh.tables] == [WD_TABLE_DIRECTION.RTL]
    assert fresh.tables[0].rows[1].cells[0].text == "ريكس تيلرسون"  # the name column first


def test_the_page_header_and_footer_are_mirrored(arabic):
    _, data = arabic
    names = story_parts(data, "header") + story_parts(data, "footer")
    assert len(names) == 2
    for name in names:
        paragraphs = list(part(data, name).iter(w("p")))
        assert paragraphs and all(bidi(p) for p in paragraphs), name
    header = part(data, story_parts(data, "header")[0])
    assert "MIDDLE EAST INSTITUTE" in text(header)  # Latin, and still mirrored


def test_the_document_defaults_read_right_to_left_in_the_briefs_language(arabic):
    _, data = arabic
    defaults = part(data, "word/styles.xml").find("w:docDefaults", NS)
    lang = defaults.find("w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(w("bidi")) == "ar-SA"  # "ar" with the region Arabic Word writes
    assert lang.get(w("val")) == "en-US"  # Latin runs: names, addresses, the English notes
    assert defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is not None
    body = part(data, "word/document.xml")
    arabic_runs = [r for r in body.iter(w("r")) if r.find("w:rPr/w:rtl", NS) is not None]
    assert arabic_runs
    assert {r.find("w:rPr/w:lang", NS).get(w("bidi")) for r in arabic_runs} == {"ar-SA"}


def test_a_tag_with_a_region_is_kept_on_the_defaults_and_the_runs(tmp_path):
    data = memo_of(arabic_brief_with(tmp_path, language="ar-EG"))
    lang = part(data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(w("bidi")) == "ar-EG"
    runs = [r for r in part(data, "word/document.xml").iter(w("r"))
            if r.find("w:rPr/w:rtl", NS) is not None]
    assert {r.find("w:rPr/w:lang", NS).get(w("bidi")) for r in runs} == {"ar-EG"}
    assert part(data, "word/document.xml").find("w:body/w:sectPr/w:bidi", NS) is not None


def test_the_bottom_line_and_quotation_rules_stand_on_the_right(arabic):
    _, data = arabic
    accent = "B08431"  # the MEI profile's accent
    box = style_el(data, "Bottom Line").find("w:pPr/w:pBdr", NS)
    assert box.find("w:right", NS).get(w("color")) == accent
    assert box.find("w:right", NS).get(w("sz")) == "24"  # 3 pt
    assert box.find("w:left", NS).get(w("color")) != accent
    quote = style_el(data, "Quote").find("w:pPr/w:pBdr", NS)
    assert quote.find("w:right", NS).get(w("color")) == accent
    assert quote.find("w:left", NS) is None
    # no quotation overrides its style's side: they all read right to left
    quotes = [p for p in part(data, "word/document.xml").iter(w("p"))
              if (s := p.find("w:pPr/w:pStyle", NS)) is not None
              and s.get(w("val")) == style_ids(data)["Quote"]]
    assert len(quotes) == 5
    assert all(p.find("w:pPr/w:pBdr", NS) is None and bidi(p) for p in quotes)


def test_a_fresh_python_docx_load_reads_the_arabic_memo(arabic):
    document, data = arabic
    fresh = docx.Document(io.BytesIO(data))
    assert fresh.core_properties.language == "ar"
    texts = [p.text for p in fresh.paragraphs]
    assert document.meta.title in texts and document.closing.disclaimer in texts
    assert fresh.sections[0].header.paragraphs[0].text.startswith("MIDDLE EAST INSTITUTE")


# ---------------------------------------------------------------------------------------------
# An English memo with an Arabic quote


def test_an_arabic_quote_reads_right_to_left_inside_an_english_memo(mixed):
    body = part(mixed, "word/document.xml").find("w:body", NS)
    paragraphs = list(body.iter(w("p")))
    rtl = [p for p in paragraphs if bidi(p)]
    assert len(rtl) == 1 and ARABIC_QUOTE in text(rtl[0])
    assert all(bidi(p) is None for p in paragraphs if p is not rtl[0])
    # its rule on the right, where it starts; the English quotations keep theirs on the left
    rule = rtl[0].find("w:pPr/w:pBdr", NS)
    assert rule.find("w:right", NS).get(w("color")) == "B08431"
    assert rule.find("w:left", NS).get(w("val")) == "nil"
    quote = style_el(mixed, "Quote").find("w:pPr/w:pBdr", NS)
    assert quote.find("w:left", NS).get(w("color")) == "B08431"
    # the rest of the memo is left to right
    assert body.find("w:sectPr/w:bidi", NS) is None
    assert not list(body.iter(w("bidiVisual")))
    defaults = part(mixed, "word/styles.xml").find("w:docDefaults", NS)
    assert defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is None
    lang = defaults.find("w:rPrDefault/w:rPr/w:lang", NS)
    assert (lang.get(w("val")), lang.get(w("bidi"))) == ("en", "ar-SA")
    for name in story_parts(mixed, "header") + story_parts(mixed, "footer"):
        assert all(bidi(p) is None for p in part(mixed, name).iter(w("p")))


# ---------------------------------------------------------------------------------------------
# LibreOffice, an independent layout engine


def libreoffice_pdf(data: bytes, folder: Path, name: str) -> Path:
    """The memo converted by LibreOffice with the project's static fonts in view."""
    return office_to_pdf(data, folder, name, "docx")


@pytest.fixture(scope="module")
def arabic_pdf(arabic, tmp_path_factory) -> Path:
    return libreoffice_pdf(arabic[1], tmp_path_factory.mktemp("lo-memo-ar"), "arabic")


# Letters that differ only by their dots, as one: LibreOffice's PDF maps some shaped glyphs
# back to a letter of the same shape (a medial teh read as yeh).
RASM = str.maketrans({**dict.fromkeys("بتثنيىئ", "ب"), **dict.fromkeys("جحخ", "ح"),
                      **dict.fromkeys("دذ", "د"), **dict.fromkeys("رز", "ر"),
                      **dict.fromkeys("سش", "س"), **dict.fromkeys("صض", "ص"),
                      **dict.fromkeys("طظ", "ط"), **dict.fromkeys("عغ", "ع"),
                      **dict.fromkeys("فق", "ف"), **dict.fromkeys("اأإآء", "ا"),
                      **dict.fromkeys("هة", "ه"), **dict.fromkeys("وؤ", "و")})


def skeleton(s: str) -> str:
    """The Arabic letters of `s` (hamza to yeh) by shape, without marks, spaces or
    punctuation: what survives LibreOffice's PDF of shaped text."""
    return "".join(ch for ch in s if "\u0621" <= ch <= "\u064a").translate(RASM)


def text_lines(page) -> list[dict]:
    """The page's lines: characters whose baselines lie within 4 pt, each line with its
    extent and its Arabic letters read from right to left (the logical order)."""
    chars = sorted(page.chars, key=lambda c: c["bottom"])
    groups: list[list[dict]] = []
    for c in chars:
        if groups and c["bottom"] - groups[-1][0]["bottom"] <= 4:
            groups[-1].append(c)
        else:
            groups.append([c])
    out = []
    for g in groups:
        ordered = sorted(g, key=lambda c: -c["x1"])
        out.append({"top": min(c["top"] for c in g), "bottom": max(c["bottom"] for c in g),
                    "x0": min(c["x0"] for c in g), "x1": max(c["x1"] for c in g),
                    "letters": skeleton("".join(c["text"] for c in ordered))})
    return out


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@no_soffice
def test_libreoffice_sets_a_wrapped_arabic_paragraph_from_the_right_in_its_order(
        arabic, arabic_pdf):
    import pdfplumber

    document, _ = arabic
    situation = next(s for s in document.sections if s.key == "situation")
    first = skeleton("".join(span.text for span in situation.blocks[0].spans))
    with pdfplumber.open(arabic_pdf) as pdf:
        lines = [(n, line) for n, page in enumerate(pdf.pages) for line in text_lines(page)]
    # the line that holds the paragraph's first letters: its opening, in logical order
    scored = [(similarity(line["letters"], first[:len(line["letters"])]), n, i)
              for i, (n, line) in enumerate(lines) if len(line["letters"]) > 20]
    score, page, i = max(scored)
    assert score > 0.9, score
    line = lines[i][1]
    # ... and not its end: the wrong line order would put the ending there
    assert score > similarity(line["letters"], first[-len(line["letters"]):]) + 0.3
    # flush with the right margin, running most of the width: a first line of a wrap
    assert abs(line["x1"] - RIGHT) <= 2, line["x1"]
    assert line["x0"] < LEFT + 0.25 * (RIGHT - LEFT)
    # the next line (marks set apart from their baseline aside) goes on with the paragraph,
    # also flush right
    following = next(other for _, other in lines[i + 1:] if len(other["letters"]) > 20)
    at = len(line["letters"])
    assert similarity(following["letters"],
                      first[at - 5:at + len(following["letters"]) + 5]) > 0.6
    assert abs(following["x1"] - RIGHT) <= 2


@no_soffice
def test_libreoffice_right_aligns_the_arabic_body_and_puts_the_list_markers_right(
        arabic_pdf):
    import pdfplumber

    with pdfplumber.open(arabic_pdf) as pdf:
        lines = [line for page in pdf.pages for line in text_lines(page)
                 if line["top"] > MARGIN and line["bottom"] < PAGE_H - MARGIN]
        bullets = [c for page in pdf.pages for c in page.chars if c["text"] == "•"]
    arabic = [line for line in lines if len(line["letters"]) > 3]
    assert len(arabic) > 60
    width = RIGHT - LEFT
    # Where a right-to-left line may end on the right: the text area's edge, or at most an
    # indent in from it (the bottom line's box, quotations, list items), or the start of a
    # column of the actors table (cells have a 6 pt margin); never ragged, as a left-aligned
    # line is.
    columns = [RIGHT - 6 - share * width for share in (0.24, 0.52)]
    for line in arabic:
        assert (RIGHT - 20 <= line["x1"] <= RIGHT + 1
                or any(abs(line["x1"] - edge) <= 1.5 for edge in columns)), line
    assert sum(abs(line["x1"] - RIGHT) <= 1 for line in arabic) >= 20  # the running text
    assert len(bullets) == 6  # three leverage points, three outlooks
    assert all(RIGHT - 30 <= b["x0"] <= RIGHT for b in bullets)


@no_soffice
def test_libreoffice_mirrors_the_page_header_and_footer(arabic_pdf):
    import pdfplumber

    with pdfplumber.open(arabic_pdf) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            head = {w["text"]: w for w in words if w["bottom"] < MARGIN}
            foot = [w for w in words if w["top"] > PAGE_H - MARGIN]
            assert abs(head["INSTITUTE"]["x1"] - RIGHT) <= 2  # the organisation at the right
            assert abs(head["www.mei.edu"]["x0"] - LEFT) <= 2  # the address at the left
            mei = next(w for w in foot if w["text"] == "MEI")
            assert abs(mei["x1"] - RIGHT) <= 2
            assert min(w["x0"] for w in foot) <= LEFT + 2  # the page numbers at the left


@no_soffice
def test_libreoffice_puts_the_actors_name_column_on_the_right(arabic, arabic_pdf):
    import pdfplumber

    document, _ = arabic
    actors = next(s for s in document.sections if s.key == "actors").actors
    name = skeleton(actors[0].name)
    stance_words = skeleton("".join(s.text for s in actors[0].stance.blocks[0].spans))
    width = RIGHT - LEFT
    with pdfplumber.open(arabic_pdf) as pdf:
        rows = {}
        for n, page in enumerate(pdf.pages):
            for line in text_lines(page):
                row = [c for c in page.chars
                       if line["top"] - 2 <= c["top"] <= line["bottom"] + 2]
                # the characters in the rightmost quarter: the name column, if it is there
                name_chars = [c for c in row if c["x0"] > RIGHT - 0.24 * width]
                read = skeleton("".join(c["text"] for c in sorted(name_chars,
                                                                   key=lambda c: -c["x1"])))
                if read == name:  # (a line of marks finds the same row again)
                    rows[n, round(min(c["top"] for c in name_chars))] = (row, name_chars)
        assert len(rows) == 1  # the first actor's row, and his name nowhere else on the right
        [(row, name_chars)] = rows.values()
        # against the column's right edge (a 6 pt cell margin)
        assert RIGHT - 9 <= max(c["x1"] for c in name_chars) <= RIGHT
        # the stance in the leftmost column (its first letters are on that row)
        stance = [c for c in row if c["x1"] < LEFT + 0.48 * (RIGHT - LEFT)]
        read = skeleton("".join(c["text"] for c in sorted(stance, key=lambda c: -c["x1"])))
        assert len(read) > 10 and similarity(read, stance_words[:len(read)]) > 0.8


@no_soffice
def test_libreoffice_draws_the_bottom_line_rule_on_the_right(arabic_pdf):
    import pdfplumber

    with pdfplumber.open(arabic_pdf) as pdf:
        page = pdf.pages[0]
        rules = [e for e in page.lines + page.rects
                 if e["bottom"] - e["top"] > 40 and e["x1"] - e["x0"] < 5
                 and e.get("stroking_color") not in (None, (1, 1, 1))]
    accent = (0xB0 / 255, 0x84 / 255, 0x31 / 255)
    coloured = [e for e in rules if all(abs(a - b) < 0.01 for a, b in
                                        zip(e["stroking_color"], accent, strict=False))]
    assert coloured, rules
    assert all(e["x0"] > RIGHT - 6 for e in coloured)


@no_soffice
def test_libreoffice_keeps_every_word_inside_the_text_area(arabic_pdf):
    """Body text between the margins; the header above and the footer below the text area,
    within its width."""
    import pdfplumber

    with pdfplumber.open(arabic_pdf) as pdf:
        assert len(pdf.pages) >= 3
        for page in pdf.pages:
            assert (page.width, page.height) == (PAGE_W, PAGE_H)
            for c in page.chars:
                if not c["text"].strip():
                    continue
                assert c["x0"] >= LEFT - 1 and c["x1"] <= RIGHT + 1, c
                assert c["top"] > 0 and c["bottom"] < PAGE_H
                if c["top"] < MARGIN - 6:  # only the header stands above the text area
                    assert c["bottom"] < 50, c
                if c["bottom"] > PAGE_H - MARGIN + 2:  # ... and only the footer below
                    assert c["top"] > PAGE_H - 50, c
