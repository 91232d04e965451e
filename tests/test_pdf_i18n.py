"""The one-pager in the brief's language and typography, read back with pdfplumber and pypdf.

Headings and dates come from the label files (read here with PyYAML, not through reportgen),
straight quotes never reach the page, and no line ends on an article prefix or on the dash
that introduces a quote's source.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import yaml

from reportgen.pipeline import prepare, render

LABELS = Path(__file__).resolve().parent.parent / "reportgen" / "labels"
ENGLISH = yaml.safe_load((LABELS / "en.yaml").read_text(encoding="utf-8"))
FRENCH = yaml.safe_load((LABELS / "fr.yaml").read_text(encoding="utf-8"))
ARABIC = yaml.safe_load((LABELS / "ar.yaml").read_text(encoding="utf-8"))
SPACES = re.compile(r"[\s\u00a0\u202f]+")
URL = re.compile(r"(?:https?|mailto):\S+")


def pdf_of(brief: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{brief.stem}.pdf"
    target.write_bytes(render(prepare(brief), "pdf").data)
    return target


def flat_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return SPACES.sub(" ", " ".join(page.extract_text() or "" for page in pdf.pages))


def headings(labels: dict, holder: str) -> list[str]:
    return [labels["summary"], labels["situation"], labels["actors"],
            labels["leverage"].format(holder=holder), labels["outlook"], labels["sources"]]


def outline(path: Path) -> list[str]:
    return [item.title for item in pypdf.PdfReader(path).outline]


def visual_lines(path: Path, gutter: float = 14.0) -> list[str]:
    """The lines a reader sees: words on one baseline, cut where a gap wider than a word space
    (the gutter between the columns, the masthead's two sides) separates them."""
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words()
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["bottom"], w["x0"])):
        if rows and word["bottom"] - rows[-1][-1]["bottom"] <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        line = [row[0]]
        for word in row[1:]:
            if word["x0"] - line[-1]["x1"] > gutter:
                lines.append(" ".join(w["text"] for w in line))
                line = []
            line.append(word)
        lines.append(" ".join(w["text"] for w in line))
    return lines


def with_dated_source(sample_data: dict) -> list[dict]:
    return [dict(sample_data["sources"][0], date="2017-10-24")]


# ---------------------------------------------------------------------------------------------
# French


@pytest.fixture
def french_pdf(write_brief, sample_data, tmp_path) -> Path:
    brief = write_brief("fr", language="fr", sources=with_dated_source(sample_data))
    return pdf_of(brief, tmp_path)


def test_a_french_brief_has_the_french_headings_in_the_page_and_the_outline(french_pdf):
    expected = headings(FRENCH, "Iran")
    expected[3] = "Les leviers d’Iran"  # French elides « de » before a vowel
    assert outline(french_pdf) == expected
    text = flat_text(french_pdf)
    assert expected[0].upper() in text  # the bottom-line box: « L’ESSENTIEL »
    for heading in expected[1:]:
        assert heading in text, heading


def test_a_french_brief_has_the_french_date_and_masthead_label(french_pdf):
    text = flat_text(french_pdf)
    assert f"{FRENCH['document_label']} · 24 octobre 2017".upper() in text
    assert "Middle East Institute, 24 octobre 2017." in text  # the source line


def test_a_french_brief_prints_none_of_the_english_headings(french_pdf):
    text = flat_text(french_pdf)
    english = {h for h in headings(ENGLISH, "Iran") if h not in headings(FRENCH, "Iran")}
    english |= {h.upper() for h in english} | {ENGLISH["document_label"].upper(), "OCTOBER"}
    assert sorted(h for h in english if h in text) == []
    assert not set(outline(french_pdf)) & english


def test_french_quotes_are_guillemets_that_never_end_or_start_a_line_alone(write_brief,
                                                                         sample_data, tmp_path):
    # quote lengths where ReportLab, given U+202F, broke the line before two closing »
    words = sample_data["situation"].split()
    actors = [dict(sample_data["actors"][i % 5], quote=" ".join(words[:n]))
              for i, n in enumerate((4, 4, 11, 10, 6, 19, 7, 11))]
    brief = write_brief("guillemets", language="fr", actors=actors)
    path = pdf_of(brief, tmp_path)
    text = flat_text(path)
    assert f"« {' '.join(words[:4])} »" in text
    lines = visual_lines(path)
    assert [ln for ln in lines if ln.endswith("«") or ln.startswith("»")] == []


# ---------------------------------------------------------------------------------------------
# Arabic labels and date (the page itself is still laid out left to right: a later issue)


def arabic_words(path: Path) -> list[str]:
    """The page's Arabic words as poppler's pdftotext reads them: from the /ActualText the
    writer attaches to every piece it draws, in the order they were typed."""
    out = "\n".join(poppler_lines(path))
    return re.findall("[\u0621-\u065f\u0670-\u06d3]+", out)


def poppler_lines(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return BIDI_CONTROLS.sub("", out).splitlines()


BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def same_letters(a: str, b: str) -> bool:
    return a == b


@pytest.fixture
def arabic_pdf(write_brief, sample_data, tmp_path) -> Path:
    brief = write_brief("ar", language="ar", sources=with_dated_source(sample_data))
    return pdf_of(brief, tmp_path)


def test_an_arabic_brief_declares_its_language_and_has_arabic_outline_titles(arabic_pdf):
    reader = pypdf.PdfReader(arabic_pdf)
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert outline(arabic_pdf) == headings(ARABIC, "Iran")


def test_an_arabic_brief_prints_the_arabic_headings_label_and_date(arabic_pdf):
    found = arabic_words(arabic_pdf)
    wanted = [*" ".join(headings(ARABIC, "Iran")).replace("Iran", "").split(),
              *ARABIC["document_label"].split(), "أكتوبر"]
    missing = [w for w in wanted if not any(same_letters(w, f) for f in found)]
    assert missing == []
    # the month is one word between the day and the year, on the masthead and the source line
    # (poppler puts a line of an Arabic page in typed order, or in display order when most of
    # the page around it is English, and the space beside a number on either side)
    lines = [ln for ln in poppler_lines(arabic_pdf) if "2017" in ln]
    dated = [m.group(1) or m.group(2) for ln in lines
             for m in re.finditer(r"24\s*(\S+?)\s*2017|2017\s*(\S+?)\s*24", ln)]
    assert dated[:1] == ["أكتوبر"], lines  # the masthead's
    assert len(lines) == 2 and all("أكتوبر" in ln and "24" in ln for ln in lines), lines
    assert "OCTOBER" not in flat_text(arabic_pdf)


# ---------------------------------------------------------------------------------------------
# Straight quotes


def test_a_brief_written_with_straight_quotes_has_none_left_on_the_page(write_brief,
                                                                        sample_data, tmp_path):
    actors = [dict(sample_data["actors"][0], name="Rex 'T-Rex' Tillerson",
                   stance='Wants the "Iranian militias" gone; it\'s "time".',
                   quote='they must "go home" and that\'s final',
                   quote_source="Tillerson's remarks in Riyadh"),
              *sample_data["actors"][1:]]
    leverage = dict(sample_data["leverage"], holder="Iran's allies",
                    points=['Tehran\'s "guidance" reaches the units.'])
    url = "https://example.org/it%27s-a-report?x=%221%22"  # the model refuses raw quotes
    sources = [dict(sample_data["sources"][0], title='The "P.M.F." and Iraq\'s army', url=url)]
    brief = write_brief(
        "straight", title='Iraq\'s militias say "no" to Tillerson',
        subtitle="'Go home', he said; they won't", situation='He said "go home".\n\nIt\'s over.',
        outlook=['Expect "more" rhetoric.'], actors=actors, leverage=leverage, sources=sources)
    path = pdf_of(brief, tmp_path)
    visible = URL.sub(" ", flat_text(path))
    assert [ch for ch in visible if ch in "\"'"] == []
    for written in ("Iraq’s militias say “no” to Tillerson", "‘Go home’, he said; they won’t",
                    "Rex ‘T-Rex’ Tillerson", "“they must “go home” and that’s final”",
                    "Tillerson’s remarks in Riyadh", "Iran’s allies’ leverage",
                    "The “P.M.F.” and Iraq’s army", "It’s over.", "Expect “more” rhetoric."):
        assert written in visible, written
    # the address is printed and linked exactly as written
    assert url in flat_text(path)
    page = pypdf.PdfReader(path).pages[0]
    assert url in {a.get_object()["/A"].get("/URI") for a in page["/Annots"]
                   if "/A" in a.get_object()}


# ---------------------------------------------------------------------------------------------
# Line ends


ENDS_BADLY = re.compile(r"(?:\b(?:al|el|ad|ar|as|ash|at|az|bin|ibn|abu)[-\u2010\u2011]|—)$",
                        re.IGNORECASE)


def test_no_line_of_the_sample_ends_on_an_article_prefix_or_an_attribution_dash(sample_brief,
                                                                                tmp_path):
    lines = visual_lines(pdf_of(sample_brief, tmp_path))
    assert any("al\u2011Abadi" in ln for ln in lines)
    assert [ln for ln in lines if ENDS_BADLY.search(ln)] == []


def test_no_line_ends_on_al_or_the_dash_before_a_quote_source(write_brief, sample_data,
                                                              tmp_path):
    # quote lengths where a plain space after the dash let "—" end a line three times
    sentence = "the militias will stay in Iraq until the last American soldier leaves our land"
    words = sentence.split()
    names = ["Hadi al-Amiri", "Qais al-Khazali", "Abu Mahdi al-Muhandis", "Haider al-Abadi",
             "Nouri al-Maliki", "Ammar al-Hakim", "Muqtada al-Sadr", "Ahmad al-Asadi"]
    actors = [{"name": name, "role": "Leader", "affiliation": "Badr",
               "quote": " ".join(words[:n]),
               "quote_source": f"Statement of al-{'Khazali' if i % 2 else 'Amiri'} office to the "
                               "press"}
              for i, (name, n) in enumerate(zip(names, (10, 15, 10, 10, 13, 9, 15, 6),
                                                strict=True))]
    brief = write_brief("names", actors=actors, sources=None)
    lines = visual_lines(pdf_of(brief, tmp_path))
    assert sum("—" in ln for ln in lines) == len(actors)
    assert [ln for ln in lines if ENDS_BADLY.search(ln)] == []


