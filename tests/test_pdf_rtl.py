"""The one-pager right to left (issue 13): an Arabic paragraph broken into lines in logical
order and each line reordered for display, shaped (joining forms, lam-alef, marks), right
aligned, with its typed text recoverable; the page mirrored for an Arabic brief; an Arabic quote
in an English brief set right to left. Read back with pdfplumber (positions), poppler's
pdftotext (text, through /ActualText) and pypdf (links).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from reportgen.fonts import family
from reportgen.pipeline import prepare, render
from reportgen.profile import find_profile
from reportgen.writers import pdf as onepager
from reportgen.writers.pdf_rtl import Para
from reportgen.writers.pdf_rtl import piece_width as pf_width
from tests.conftest import ROOT

ARABIC_BRIEF = ROOT / "briefs" / "pmf-tillerson-ar.yaml"
no_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils is not installed")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC_LETTERS = re.compile("[\u0621-\u064a\u0671-\u06d3]")

# Five lines and more at the width below: the situation of the sample brief, in Arabic.
LONG = ("في الرياض، قُبيل توجّهه إلى بغداد، قال تيلرسون إنّ الحرب على تنظيم الدولة الإسلامية "
        "«تقترب من نهايتها»، وإنّ الوقت قد حان لكي تعود «الميليشيات الإيرانية» في العراق «إلى "
        "ديارها». وردّ قادة الحشد الشعبي على ذلك بغضب، وطالبوا بانسحاب القوات الأمريكية من "
        "العراق فور هزيمة التنظيم، فيما دافع رئيس الوزراء حيدر العبادي عن الحشد بوصفه مؤسسة "
        "رسمية من مؤسسات الدولة العراقية منذ عام 2016.")
WIDTH = 220.0
LEFT, TOP = 100.0, 700.0


@pytest.fixture(scope="module")
def styles():
    profile = find_profile("mei").profile
    latin = onepager._register(family(profile.fonts.body))
    arabic = onepager._register(family("Noto Sans Arabic"))
    return {d: onepager.make_styles(10.0, latin, arabic, profile, direction=d)
            for d in ("ltr", "rtl")}


def one_frame_pdf(flowables, path: Path) -> Path:
    """The flowables in one frame WIDTH wide at (LEFT, TOP - 600)."""
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1)
    doc.addPageTemplates([PageTemplate("p", frames=[Frame(
        LEFT, TOP - 600, WIDTH, 600, leftPadding=0, rightPadding=0, topPadding=0,
        bottomPadding=0)])])
    doc.build(list(flowables))
    path.write_bytes(buf.getvalue())
    return path


def poppler_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return BIDI_CONTROLS.sub("", out)


def lines_of(path: Path) -> list[list[dict]]:
    """The page's characters grouped into lines, top to bottom: a line's glyphs (a mark is
    raised, a letter's box follows its font) lie within a few points of each other; lines are
    a leading apart."""
    with pdfplumber.open(path) as pdf:
        # by baseline (the text matrix), not by box: a Latin and an Arabic face on one line
        # have boxes of their own fonts' ascent and descent
        chars = sorted((c for c in pdf.pages[0].chars if c["text"].strip()),
                       key=lambda c: -c["matrix"][5])
    rows: list[list[dict]] = []
    for c in chars:
        if rows and rows[-1][0]["matrix"][5] - c["matrix"][5] < 6:
            rows[-1].append(c)
        else:
            rows.append([c])
    return [sorted(row, key=lambda c: c["x0"]) for row in rows]


def words(text: str) -> list[str]:
    """Arabic words (letters and marks, no punctuation) and numbers, in order."""
    return re.findall("[\u0621-\u065f\u0670-\u06d3]+|[0-9]+", text)


@pytest.fixture(scope="module")
def long_pdf(styles, tmp_path_factory) -> Path:
    para = Para(onepager.rl(LONG, styles["rtl"]), styles["rtl"].body)
    return one_frame_pdf([para], tmp_path_factory.mktemp("rtl") / "long.pdf")


def test_a_wrapped_arabic_paragraph_has_its_lines_right_aligned(long_pdf):
    rows = lines_of(long_pdf)
    assert len(rows) >= 5
    for row in rows:  # every line, the last too, ends at the frame's right edge
        assert abs(max(c["x1"] for c in row) - (LEFT + WIDTH)) < 1.0
    # ragged on the left: not every line starts at the left edge
    assert max(min(c["x0"] for c in row) for row in rows) > LEFT + 10


@no_poppler
def test_its_lines_come_in_reading_order_and_copy_as_typed(long_pdf):
    text = poppler_text(long_pdf)
    assert words(text) == words(LONG)
    first = next(line for line in text.splitlines() if line.strip())
    # the first line holds the paragraph's first words …
    assert words(first) == words(LONG)[:len(words(first))] and len(words(first)) >= 4


def test_the_first_words_stand_at_the_right_of_the_first_line(long_pdf, styles):
    """On the page, the first line's rightmost glyphs are those of the paragraph's first word:
    in Noto Sans Arabic "في" is two glyphs, drawn right of everything else on the line."""
    para = Para(onepager.rl(LONG, styles["rtl"]), styles["rtl"].body)
    para.wrap(WIDTH, 1000)
    first = para.line_glyphs(para._lines[0])
    assert "في" in first[-1].shown[::-1].split()[0]  # the rightmost piece starts the line
    rows = lines_of(long_pdf)
    assert max(c["x1"] for c in rows[0]) == pytest.approx(LEFT + WIDTH, abs=1.0)


def test_lam_alef_is_set_as_the_fonts_ligature(styles, tmp_path):
    """Noto Sans Arabic sets lam-alef with its required ligature (rlig) as two glyphs drawn to
    join as one: neither is the letter's own (isolated) glyph, which the font's cmap gives for
    U+0644 and U+0627 and which an unshaped PDF would draw, and together they are as wide as
    HarfBuzz says, narrower than the two letters apart."""
    from reportgen import shaping

    path = one_frame_pdf([Para(onepager.rl("لا", styles["rtl"]), styles["rtl"].body)],
                         tmp_path / "la.pdf")
    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    assert len(chars) == 2 and not {c["text"] for c in chars} & {"\u0644", "\u0627"}
    font = str(family("Noto Sans Arabic").files["regular"])
    drawn = max(c["x1"] for c in chars) - min(c["x0"] for c in chars)
    assert drawn == pytest.approx(shaping.width("لا", font, 10.0), abs=0.05)
    assert drawn < shaping.width("ل", font, 10.0) + shaping.width("ا", font, 10.0) - 1.0


def test_marks_sit_on_their_letters(long_pdf):
    """A damma or a shadda takes no room of its own: it is drawn over its letter, where the
    font's mark positioning (GPOS) puts it."""
    with pdfplumber.open(long_pdf) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    marks = [c for c in chars if c["text"] in "\u064b\u064c\u064d\u064e\u064f\u0650\u0651"
             "\u0652"]
    assert len(marks) >= 5  # the paragraph has ُ ّ ً and more
    letters = [c for c in chars if c["x1"] - c["x0"] > 0.5]
    for m in marks:
        assert m["x1"] - m["x0"] < 0.5
        assert any(c["x0"] - 0.5 <= m["x0"] <= c["x1"] + 0.5
                   and abs(c["bottom"] - m["bottom"]) < 6 for c in letters), m


def test_splitting_keeps_the_lines_in_order_and_leaves_no_single_line(styles):
    para = Para(onepager.rl(LONG, styles["rtl"]), styles["rtl"].body)
    _, h = para.wrap(WIDTH, 1000)
    lines = list(para._lines)
    leading = styles["rtl"].body.leading
    first, second = para.split(WIDTH, leading * 2.5)
    assert [*first._lines, *second._lines] == lines and len(first._lines) == 2
    assert para.split(WIDTH, leading * 1.5) == []  # one line alone at a column's foot: no
    last_but_one = para.split(WIDTH, h - leading * 0.5)
    assert len(last_but_one[1]._lines) >= 2  # nor alone at the next column's top


def test_a_bracket_in_arabic_is_mirrored_in_display_order(styles, tmp_path):
    """python-bidi orders a right-to-left run but does not mirror its brackets: the Arabic
    continued heading came out as 'الأطراف الفاعلة )تابع('."""
    para = Para(onepager.rl("الأطراف الفاعلة (تابع)", styles["rtl"]), styles["rtl"].heading)
    rows = lines_of(one_frame_pdf([para], tmp_path / "b.pdf"))
    row = rows[0]
    # leftmost on the page is the end of the line: the bracket that closes "(تابع)", drawn "("
    assert row[0]["text"] == "("
    closing = next(i for i, c in enumerate(row) if c["text"] == ")")
    assert closing > 3 and all(c["text"] not in "() " for c in row[1:closing])


@no_poppler
def test_latin_inside_arabic_keeps_its_own_order_and_its_link(styles, tmp_path):
    url = "https://www.mei.edu"
    markup = (onepager.rl("راجع تعليق MEI على ", styles["rtl"])
              + onepager.link(url, url, "#1f4e79") + onepager.rl(" قبل الاجتماع.", styles["rtl"]))
    path = one_frame_pdf([Para(markup, styles["rtl"].body)], tmp_path / "l.pdf")
    assert "MEI" in poppler_text(path) and "https://www.mei.edu" in poppler_text(path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        found = [w for w in page.extract_words() if w["text"].startswith("https://www.mei.edu")]
        height = page.height
    assert len(found) == 1
    (annot,) = [a.get_object() for a in pypdf.PdfReader(path).pages[0]["/Annots"]]
    assert annot["/A"]["/URI"] == "https://www.mei.edu"
    x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
    word = found[0]
    assert x0 <= word["x0"] + 1 and word["x1"] - 1 <= x1
    assert y0 <= height - word["bottom"] + 2 and height - word["top"] - 2 <= y1


def test_an_english_paragraph_with_an_arabic_name_stays_left_to_right(styles):
    para = Para(onepager.rl("Hadi al-Amiri (هادي العامري) leads the Badr Organization.",
                            styles["ltr"]), styles["ltr"].body)
    assert not para.rtl
    quote = Para(onepager.rl("«لا أحد يرحّب بزيارته إلى بغداد» said al-Khazali", styles["ltr"]),
                 styles["ltr"].body)
    assert quote.rtl  # mainly Arabic: right to left even in an English document
    disclaimer = Para("The Middle East Institute is an independent organization.",
                      styles["rtl"].fine)
    assert not disclaimer.rtl  # Latin only: left to right even in an Arabic document


@pytest.fixture(scope="module")
def arabic_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ar") / "ar.pdf"
    path.write_bytes(render(prepare(ARABIC_BRIEF), "pdf").data)
    return path


def _heading_x(path: Path, text: str) -> float:
    """The right edge of the line that holds `text` (a heading), found with pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    for line in re.findall(r"<line xMin=\"([\d.]+)\"[^>]*xMax=\"([\d.]+)\"[^>]*>(.*?)</line>",
                           out, re.S):
        said = "".join(re.findall(r">([^<]*)</word>", line[2]))
        said = BIDI_CONTROLS.sub("", said).replace(" ", "")
        if text.replace(" ", "") in (said, said[::-1]):  # -bbox-layout keeps display order
            return float(line[1])
    raise AssertionError(f"{text!r} not found")


@no_poppler
def test_the_arabic_page_is_mirrored(arabic_page):
    document = prepare(ARABIC_BRIEF).document
    headings = {s.key: s.heading for s in document.sections}
    with pdfplumber.open(arabic_page) as pdf:
        page = pdf.pages[0]
        width = page.width
        chars = page.chars
        strokes = page.lines
    # the situation opens the first column, which is the right one
    situation = _heading_x(arabic_page, headings["situation"])
    outlook = _heading_x(arabic_page, headings["outlook"])
    assert situation > width / 2 > outlook
    # the summary's accent rule is on the box's right
    accent = document.look.colors.accent.lstrip("#").lower()
    bars = [r for r in strokes if r["x1"] - r["x0"] < 1 and r["bottom"] - r["top"] > 20
            and _hex(r.get("stroking_color")) == accent]
    assert len(bars) == 1 and bars[0]["x0"] > width * 0.9
    # bullets stand right of their items' text
    bullets = [c for c in chars if c["text"] == "•"]
    assert bullets
    for b in bullets:  # its item's text to its left; nothing of its column to its right
        same_line = [c for c in chars if abs(c["bottom"] - b["bottom"]) < 6
                     and c["text"].strip() and c is not b]
        assert any(b["x0"] - 40 < c["x1"] <= b["x0"] for c in same_line)
        assert not any(b["x1"] < c["x0"] < b["x1"] + 12 for c in same_line)
    # the organisation's name at the masthead's right, the date at its left
    org = [c for c in chars if c["text"] == "M" and c["top"] < 60]
    assert org and min(c["x0"] for c in org) > width / 2


def _hex(colour) -> str:
    if not colour or len(colour) != 3:
        return ""
    return "".join(f"{round(v * 255):02x}" for v in colour)


@no_poppler
def test_the_arabic_page_copies_as_typed(arabic_page):
    document = prepare(ARABIC_BRIEF).document
    text = poppler_text(arabic_page)
    assert " ".join(document.meta.title.split()[:4]) in " ".join(text.split())
    for sec in document.sections:
        assert sec.heading.split()[0] in text


@pytest.fixture(scope="module")
def arabic_variants(tmp_path_factory):
    """The Arabic sample with key figures, and cut down to a short brief (one column)."""
    import yaml

    folder = tmp_path_factory.mktemp("variants")
    data = yaml.safe_load(ARABIC_BRIEF.read_text(encoding="utf-8"))
    figures = dict(data, key_figures=[
        {"value": "2014", "label": "سنة تأسيس الحشد الشعبي", "source": "MEI"},
        {"value": "3", "label": "فصائل موالية لإيران"},
        {"value": "1111", "label": "رقم للاختبار"}])
    short = {k: v for k, v in data.items() if k not in ("map", "sources")}
    short["actors"] = data["actors"][:1]
    short["situation"] = data["situation"].split("\n\n")[0]
    short["outlook"] = data["outlook"][:1]
    out = {}
    for name, brief in (("figures", figures), ("short", short)):
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        pdf = folder / f"{name}.pdf"
        result = render(prepare(path), "pdf")
        pdf.write_bytes(result.data)
        out[name] = (pdf, result.findings)
    return out


def _word_boxes(path: Path) -> list[tuple[str, float, float]]:
    with pdfplumber.open(path) as pdf:
        return [(w["text"], w["x0"], w["top"]) for w in pdf.pages[0].extract_words()]


def test_key_figures_run_from_the_right(arabic_variants):
    pdf, _ = arabic_variants["figures"]
    boxes = {text: x for text, x, _ in _word_boxes(pdf) if text in ("2014", "3", "1111")}
    assert boxes["2014"] > boxes["3"] > boxes["1111"]


@no_poppler
def test_a_short_arabic_brief_has_its_headings_in_the_right_margin(arabic_variants):
    pdf, findings = arabic_variants["short"]
    assert findings.columns == 1
    document = prepare(ARABIC_BRIEF).document
    situation = _heading_x(pdf, document.sections[1].heading)
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        width = page.width
        body = [c for c in page.chars if c["top"] > 250 and c["size"] < 12 and c["text"].strip()
                and c["x0"] < width * 0.75]
    # the heading stands right of every line of the column's text
    assert situation > max(c["x1"] for c in body) and situation > width * 0.85


def test_arabic_indic_digits_read_left_to_right(styles, tmp_path):
    """A number runs left to right even in Arabic digits: ١٢٣ is not drawn ٣٢١ (the shaper
    would reverse a run it takes for Arabic)."""
    para = Para(onepager.rl("بلغ العدد ١٢٣ في عام ٢٠١٧م.", styles["rtl"]), styles["rtl"].body)
    (row,) = lines_of(one_frame_pdf([para], tmp_path / "d.pdf"))
    digits = "".join(c["text"] for c in row if "\u0660" <= c["text"] <= "\u0669")
    assert digits in ("٢٠١٧١٢٣", "١٢٣٢٠١٧") and "١٢٣" in digits and "٢٠١٧" in digits


def test_a_part_set_in_a_narrower_frame_breaks_only_its_own_text(styles):
    para = Para(onepager.rl(LONG, styles["rtl"]), styles["rtl"].body)
    leading = styles["rtl"].body.leading
    first, second = para.split(200, leading * 2.5)
    second.wrap(120, 1000)
    said = [para._text[ln.start:ln.end] for part in (first, second) for ln in part._lines]
    assert words(" ".join(said)) == words(LONG)


def test_an_arabic_phrase_wrapping_in_english_text_keeps_its_words_in_order(styles, tmp_path):
    text = ("The banner the marchers carried through central Baghdad on Friday read الحشد "
            "الشعبي جزء من الدولة and the crowd in the square cheered it for a long time.")
    para = Para(onepager.rl(text, styles["ltr"]), styles["ltr"].body)
    assert not para.rtl
    para.wrap(150, 1000)
    lines = [para._text[ln.start:ln.end] for ln in para._lines]
    assert len(lines) >= 3 and words(" ".join(lines)) == words(text)
    path = one_frame_pdf([Para(onepager.rl(text, styles["ltr"]), styles["ltr"].body)],
                         tmp_path / "m.pdf")
    rows = lines_of(path)
    assert all(min(c["x0"] for c in row) < LEFT + 30 for row in rows[:-1])  # set from the left
    if shutil.which("pdftotext"):
        assert words(poppler_text(path)) == words(text)


def test_a_key_figure_mixing_digits_and_arabic_reads_from_the_right(styles):
    pieces = onepager.runs("50 ألف", styles["rtl"])
    assert pieces[-1][0] == "50" and pieces[0][0] not in ("50", " ")
    assert [p for p, _ in onepager.runs("$1.2bn", styles["rtl"])] == ["$1.2bn"]


def test_lines_drawn_on_the_canvas_are_shaped_by_harfbuzz_with_their_marks(styles):
    """A place name or key figure is shaped as a paragraph is: its width is HarfBuzz's, and
    its marks (a damma, a shadda) are there, placed by the font, not dropped."""
    from reportgen import shaping

    name = "مُحَمَّدٌ"
    ((piece, font),) = onepager.runs(name, styles["rtl"])
    assert getattr(piece, "__shapeData__", None) is not None and piece.actual == name[::-1]
    path = str(family("Noto Sans Arabic").files["regular"])
    assert pf_width(piece, font, 10.0) == pytest.approx(shaping.width(name, path, 10.0),
                                                        abs=0.01)
    marks = [d for d in piece.__shapeData__ if d.x_advance == 0]
    assert len(marks) >= 3 and any(d.y_offset for d in marks)


@no_poppler
def test_a_place_name_on_the_map_copies_as_typed(arabic_page):
    """Names drawn on the canvas in presentation forms carry the letters they stand for."""
    document = prepare(ARABIC_BRIEF).document
    names = [p.name for p in document.map.places]
    lines = [line.strip() for line in poppler_text(arabic_page).splitlines()]
    assert names and all(name in lines for name in names)


def test_an_arabic_pdf_has_the_same_bytes_whatever_the_process_set_before(tmp_path):
    """Shaped glyphs without a character of their own get private-use codes from their glyph
    ids: a batch worker that set another Arabic brief first writes the same bytes as a single
    run (ReportLab numbered them in the order it met them in the process)."""
    import subprocess
    import sys

    import yaml

    other = yaml.safe_load(ARABIC_BRIEF.read_text(encoding="utf-8"))
    other["situation"] = LONG[::-1] + "\n\nثانيا: " + LONG
    first = tmp_path / "other.yaml"
    first.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    script = ("import hashlib, sys; from reportgen.pipeline import prepare, render\n"
              "for path in sys.argv[1:]: data = render(prepare(path), 'pdf').data\n"
              "print(hashlib.sha256(data).hexdigest())")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1514764800"}
    alone = subprocess.run([sys.executable, "-c", script, str(ARABIC_BRIEF)], env=env,
                           capture_output=True, text=True, check=True).stdout
    after = subprocess.run([sys.executable, "-c", script, str(first), str(ARABIC_BRIEF)],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert alone == after
