"""The memo speaks the brief's language: every word it prints that the analyst did not write
comes from the label files (read here with PyYAML, not through reportgen), dates are the
locale's, the author's straight quotes never reach the page, and the theme is the deck's.
Memos are read back with a fresh python-docx load, docx2python and the raw package XML.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm
from docx2python import docx2python
from lxml import etree

from reportgen.errors import RenderError
from reportgen.pipeline import prepare, render
from reportgen.writers import get_writer
from reportgen.writers.colour import theme_colours
from tests.test_docx import SHORT, reference_templates

LABELS = Path(__file__).resolve().parent.parent / "reportgen" / "labels"
ENGLISH = yaml.safe_load((LABELS / "en.yaml").read_text(encoding="utf-8"))
FRENCH = yaml.safe_load((LABELS / "fr.yaml").read_text(encoding="utf-8"))
ARABIC = yaml.safe_load((LABELS / "ar.yaml").read_text(encoding="utf-8"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS = {"w": W}
LINK_TAG = re.compile(r'<a href="[^"]*">|</a>')
URL = re.compile(r"(?:https?://|mailto:|www\.)\S+")


def memo_of(brief: Path, templates: Path | None = None) -> bytes:
    return render(prepare(brief, templates), "docx").data


def load(data: bytes):
    return docx.Document(io.BytesIO(data))


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def flatten(nested) -> list[str]:
    if isinstance(nested, str):
        return [nested]
    return [text for item in nested for text in flatten(item)]


def visible(data: bytes) -> list[str]:
    """Every paragraph a reader sees: body, tables, page header and footer (docx2python, its
    <a href="…"> markup around link text taken out)."""
    with docx2python(io.BytesIO(data)) as read:
        texts = flatten(read.header) + flatten(read.body) + flatten(read.footer)
    return [LINK_TAG.sub("", t) for t in texts if t]


def headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def header_labels(doc) -> list[str]:
    return [p.text.split("\t")[0] for p in doc.paragraphs if p.style.name == "Message Header"]


def footer_runs(data: bytes) -> list[str]:
    """The footer paragraph as pieces: its text (adjacent runs joined), and each field as
    [INSTRUCTION] (its cached result left out)."""
    p = load(data).sections[0].footer.paragraphs[0]._p
    out: list[str] = []
    state, text = "text", ""
    for r in p.iter(f"{{{W}}}r"):
        fld = r.find("w:fldChar", NS)
        if fld is not None:
            kind = fld.get(f"{{{W}}}fldCharType")
            if kind == "begin" and text:
                out.append(text)
                text = ""
            state = {"begin": "instruction", "separate": "result", "end": "text"}[kind]
        elif state == "instruction":
            out.append(f"[{r.find('w:instrText', NS).text.strip()}]")
        elif state == "text":
            text += "".join("\t" if el.tag == f"{{{W}}}tab" else el.text or ""
                            for el in r if el.tag in (f"{{{W}}}t", f"{{{W}}}tab"))
    return out + ([text] if text else [])


def english_words_in(texts: list[str]) -> list[str]:
    """English labels (those that differ from the French and Arabic ones) found in `texts`."""
    keys = ("summary", "actors", "outlook", "in_their_own_words", "memorandum", "memo_to",
            "memo_from", "memo_subject", "table_name", "table_role", "table_stance")
    everything = "\n".join(texts)
    found = [ENGLISH[k] for k in keys if re.search(rf"\b{re.escape(ENGLISH[k])}\b", everything)]
    return found + [w for w in ("October", "’s leverage") if w in everything]


# ---------------------------------------------------------------------------------------------
# French


@pytest.fixture(scope="module")
def french_memo(tmp_path_factory) -> bytes:
    sample = yaml.safe_load((Path(__file__).resolve().parent.parent / "briefs" /
                             "pmf-tillerson.yaml").read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("fr") / "fr.yaml"
    path.write_text(yaml.safe_dump(dict(sample, language="fr"), allow_unicode=True),
                    encoding="utf-8")
    return memo_of(path)


def test_a_french_memo_has_the_french_headings_in_reading_order(french_memo):
    assert headings(load(french_memo)) == [
        FRENCH["summary"], FRENCH["situation"], FRENCH["actors"], FRENCH["in_their_own_words"],
        "Les leviers d’Iran", FRENCH["outlook"], FRENCH["sources"]]


def test_a_french_memo_header_block_says_note_and_has_the_french_labels_and_date(french_memo):
    doc = load(french_memo)
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == FRENCH["memorandum"] == "NOTE"
    # French puts a narrow no-break space before the colon
    assert header_labels(doc) == [f"{FRENCH[k]}\u202f:" for k in
                                  ("memo_to", "memo_from", "memo_date", "memo_subject")]
    assert header_labels(doc) == ["DESTINATAIRES\u202f:", "DE\u202f:", "DATE\u202f:",
                                  "OBJET\u202f:"]
    date = next(p.text for p in doc.paragraphs if p.text.startswith("DATE"))
    assert date == "DATE\u202f:\t24 octobre 2017"
    assert doc.core_properties.category == "Note"


def test_a_french_memo_table_headers_and_footer_are_french(french_memo):
    table = load(french_memo).tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        FRENCH["table_name"], FRENCH["table_role"], FRENCH["table_stance"]]
    assert footer_runs(french_memo) == ["MEI\tPage ", "[PAGE]", " sur ", "[NUMPAGES]"]


def test_a_french_memo_prints_none_of_the_english_labels(french_memo):
    assert english_words_in(visible(french_memo)) == []


def test_a_french_memo_quotes_actors_in_guillemets(french_memo):
    quotes = [p.text for p in load(french_memo).paragraphs if p.style.name == "Quote"]
    assert quotes and all(q.startswith("«\u202f") and q.endswith("\u202f»") for q in quotes)


# ---------------------------------------------------------------------------------------------
# Arabic labels and date (the brief's text stays English: right-to-left layout is a later issue)


def test_an_arabic_language_memo_has_the_arabic_labels_and_date(write_brief):
    data = memo_of(write_brief("ar", language="ar"))
    doc = load(data)
    assert doc.paragraphs[0].text == ARABIC["memorandum"]
    assert headings(doc) == [
        ARABIC["summary"], ARABIC["situation"], ARABIC["actors"], ARABIC["in_their_own_words"],
        ARABIC["leverage"].format(holder="Iran"), ARABIC["outlook"], ARABIC["sources"]]
    assert header_labels(doc) == [f"{ARABIC[k]}:" for k in
                                  ("memo_to", "memo_from", "memo_date", "memo_subject")]
    assert f"{ARABIC['memo_date']}:\t24 أكتوبر 2017" in [p.text for p in doc.paragraphs]
    assert [c.text for c in doc.tables[0].rows[0].cells] == [
        ARABIC["table_name"], ARABIC["table_role"], ARABIC["table_stance"]]
    assert footer_runs(data) == ["MEI\tصفحة ", "[PAGE]", " من ", "[NUMPAGES]"]
    # "صفحة 1 من 3" reads right to left only in a right-to-left paragraph (LibreOffice showed
    # "3 صفحة 1 من" in a left-to-right one).
    footer = doc.sections[0].footer.paragraphs[0]._p
    assert footer.find("w:pPr/w:bidi", NS) is not None
    # The table headings' letter-spacing would pull the Arabic letters apart: none on them.
    heading_runs = doc.tables[0].rows[0]._tr.iter(f"{{{W}}}r")
    assert {r.find("w:rPr/w:spacing", NS).get(f"{{{W}}}val") for r in heading_runs} == {"0"}
    assert english_words_in(visible(data)) == []
    assert load(data).core_properties.language == "ar"


def test_the_page_fields_follow_the_labels_order(tmp_path):
    """A label may put the page count first: the fields go where its placeholders stand."""
    templates = reference_templates(tmp_path, None, {
        "labels": {"en": {"page_of": "{pages} pages, this is {page}"}}})
    assert footer_runs(memo_of(SHORT, templates)) == [
        "MEI\t", "[NUMPAGES]", " pages, this is ", "[PAGE]"]


# ---------------------------------------------------------------------------------------------
# Typography


def test_straight_quotes_in_the_brief_leave_none_in_the_memo(write_brief, sample_data):
    actors = [dict(sample_data["actors"][0], name="Qais al-Khazali", role="Head",
                   affiliation="Asa'ib Ahl al-Haq", stance='Says "leave now" and means it',
                   quote="it's over, 'finally'", quote_source='"On Twitter"',
                   url="https://example.org/a%27b")]
    path = write_brief(
        "straight", title="Iraq's militias say \"go home\"", subtitle="'Iran-aligned' units",
        summary='The "P.M.F." answered [Tillerson\'s call](https://example.org/it%27s).',
        situation="It's \"coming to a close\".", actors=actors,
        memo={"to": "The 'Iraq' team", "subject": 'The "P.M.F." replies'},
        leverage={"holder": "Iran", "points": ['The "Badr" ties.']},
        outlook=["It's likely.", 'A "state institution".'],
        sources=[{"title": "MEI's \"commentary\"", "url": "https://example.org/q%27uote"}])
    data = memo_of(path)
    shown = [URL.sub("", t) for t in visible(data)]
    assert not [t for t in shown if '"' in t or "'" in t]
    everything = "\n".join(shown)
    assert "Iraq’s militias say “go home”" in everything
    assert "SUBJECT:\tThe “P.M.F.” replies" in everything
    assert "“it’s over, ‘finally’”" in everything
    assert "—\u00a0Qais al\u2011Khazali, Head, Asa’ib Ahl al\u2011Haq · “On Twitter”" in everything
    # Link targets are the author's, untouched.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "https://example.org/it%27s" in rels and "https://example.org/a%27b" in rels


# ---------------------------------------------------------------------------------------------
# Theme and findings


def test_the_memo_theme_has_the_decks_twelve_colours(write_brief):
    path = write_brief("theme")
    data = memo_of(path)
    scheme = part(data, "word/theme/theme1.xml").find(f".//{{{A}}}clrScheme")
    found = {etree.QName(slot).localname: slot.find(f"{{{A}}}srgbClr").get("val")
             for slot in scheme}
    want = theme_colours(prepare(path).profile.profile.colors)
    assert found == {slot: colour.lstrip("#").upper() for slot, colour in want.items()}


def test_check_gives_the_memo_sizes_by_section_without_python_docx(write_brief, monkeypatch):
    document = prepare(write_brief("sizes")).document
    with monkeypatch.context() as m:
        for name in [n for n in sys.modules if n == "docx" or n.startswith("docx.")]:
            m.setitem(sys.modules, name, None)  # any import of python-docx now fails
        found = get_writer("docx").check(document)
    body = round(document.look.type.body_pt * 1.1 * 2) / 2
    assert found.format == "docx" and found.body_pt == body
    assert [s.key for s in found.sections] == [
        "summary", "situation", "actors", "leverage", "outlook", "sources", "closing"]
    assert found.section("situation").type_pt == found.section("outlook").type_pt == body
    assert found.section("summary").type_pt == round(body * 1.05, 2)
    assert found.section("actors").type_pt == round(body * 0.88, 2)
    assert found == render(prepare(write_brief("sizes")), "docx").findings


def test_check_reads_a_reference_memos_own_sizes_and_refuses_a_style_of_the_wrong_kind(
        tmp_path):
    def sized(ref):
        ref.styles["Normal"].font.size = docx.shared.Pt(13)

    found = get_writer("docx").check(prepare(SHORT, reference_templates(tmp_path, sized))
                                     .document)
    assert found.body_pt == 13 and found.section("situation").type_pt == 13

    clash = reference_templates(
        tmp_path / "clash", lambda ref: ref.styles.add_style("Quote Source",
                                                             WD_STYLE_TYPE.CHARACTER))
    with pytest.raises(RenderError, match=r"memo\.docx: its style 'Quote Source' is a "
                                          r"character style, but the memo needs a paragraph"):
        get_writer("docx").check(prepare(SHORT, clash).document)


def test_check_refuses_a_reference_page_with_no_room_between_its_margins(tmp_path):
    def narrow(ref):
        section = ref.sections[0]
        section.page_width = Mm(60)
        section.left_margin = section.right_margin = Mm(20)

    templates = reference_templates(tmp_path, narrow)
    document = prepare(SHORT, templates).document
    with pytest.raises(RenderError, match=r"memo\.docx: its page leaves only 57 pt between the "
                                          r"margins; the memo needs more room"):
        get_writer("docx").check(document)


def header_tab_pt(data: bytes) -> float:
    style = docx.Document(io.BytesIO(data)).styles["Message Header"]
    [tab] = style.element.findall("w:pPr/w:tabs/w:tab", NS)
    return int(tab.get(f"{{{W}}}pos")) / 20


def test_the_header_value_column_clears_the_longest_label_of_the_language(write_brief):
    """DESTINATAIRES: is wider than the inch an English memo gives its labels, so the values
    would start at two different places; the column widens for it, English keeps its inch."""
    assert header_tab_pt(memo_of(write_brief("en"))) == 72
    french = header_tab_pt(memo_of(write_brief("fr", language="fr")))
    from fontTools.ttLib import TTFont

    from reportgen.fonts import family

    font = TTFont(family("Source Sans 3").files["bold"])
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    size = 11 * 0.8  # the label's size in the sample profile's memo
    label = "DESTINATAIRES\u202f:"
    width = sum(hmtx[cmap[ord(c)]][0] for c in label) * size / 1000 + 0.88 * len(label)
    assert french > width + 6
