"""The PPTX briefing deck, read back with a fresh python-pptx load, lxml and LibreOffice.

Fitting is checked twice: on the plan (cheap, no python-pptx), and on the saved file, where each
text frame's text, sizes, spacing and box are read back from the XML and measured again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.errors import RenderError
from reportgen.pipeline import prepare
from reportgen.writers import pptx as deck
from reportgen.writers.pptx.layout import BODY_MIN_PT, FLOW_MAX_PT, Stream, take
from reportgen.writers.pptx.measure import (
    Para,
    Run,
    break_lines,
    paragraph_lines,
    part,
    text_height,
)
from tests.conftest import DISCLAIMER, DONOR_NOTE, DONOR_URL, SAMPLE, office_to_pdf

runner = CliRunner()
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EMU_PER_PT = 12700

LONG_QUOTE = (
    "We will not accept any foreign forces on our soil once the pretext of fighting Daesh is "
    "gone, and we say this clearly to Washington and to every capital that thinks Iraq is a "
    "playground for its rivalries; the Popular Mobilization is a state institution and it "
    "will remain one, whatever the Americans and their friends in the region may wish.")


def twelve_actors() -> list[dict]:
    actors = []
    for i in range(1, 13):
        actors.append({
            "name": f"Commander {i} al-Example",
            "role": "Senior commander and spokesman",
            "affiliation": "A brigade with a rather long official name (P.M.F.)",
            "stance": "Calls any American presence after the Islamic State an occupation and "
                      f"promises to resist it politically and, if needed, by force ({i}).",
            "quote": f"{LONG_QUOTE} ({i})",
            "quote_source": "Televised speech in Baghdad, reported by several outlets",
            "url": f"https://example.org/actors/{i}",
        })
    actors[3]["name"] = "حيدر العبادي"  # an Arabic-script name: Arabic font, right to left
    return actors


def render(path: Path, templates: Path | None = None) -> bytes:
    job = prepare(path, templates)
    return deck.render(job.document).data


def plan_of(path: Path, templates: Path | None = None):
    job = prepare(path, templates)
    return deck.plan(job.document)


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return render(SAMPLE)


@pytest.fixture(scope="module")
def sample_deck(sample_bytes):
    return open_deck(sample_bytes)


@pytest.fixture(scope="module")
def brief():
    return prepare(SAMPLE).doc.brief


def untypeset(text: str) -> str:
    """The deck's text with the document plan's typography undone (no-break hyphens and spaces),
    to compare with the words of the brief as the analyst typed them."""
    return text.replace("\u2011", "-").replace("\u00a0", " ")


def slide_text(slide) -> str:
    return untypeset("\n".join(shape.text_frame.text for shape in slide.shapes
                                if shape.has_text_frame))


def title_of(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def base_title(title: str) -> str:
    return re.sub(r" \(\d+ of \d+\)$", "", title)


# ---------------------------------------------------------------------------------------------
# Reading text frames back from the file and measuring them again


def frame_paragraphs(shape) -> tuple[float, float, list[Para]]:
    """(inner width, inner height, paragraphs) of a shape's text frame, from its XML."""
    body = shape.text_frame._txBody
    body_pr = body.find(f"{A}bodyPr")
    insets = [int(body_pr.get(k, d)) / EMU_PER_PT for k, d in
              (("lIns", 91440), ("tIns", 45720), ("rIns", 91440), ("bIns", 45720))]
    inner_w = shape.width / EMU_PER_PT - insets[0] - insets[2]
    inner_h = shape.height / EMU_PER_PT - insets[1] - insets[3]
    return inner_w, inner_h, body_paragraphs(body)


def body_paragraphs(body) -> list[Para]:
    """The paragraphs of a text body (a shape's or a table cell's) as the measure takes them."""
    paras = []
    for p in body.findall(f"{A}p"):
        ppr = p.find(f"{A}pPr")
        if ppr is None and p.find(f"{A}r") is None:
            continue  # an empty paragraph of an empty table cell
        line = ppr.find(f"{A}lnSpc/{A}spcPts")
        before = ppr.find(f"{A}spcBef/{A}spcPts")
        assert line is not None, "a paragraph without exact line spacing"
        runs = []
        for r in p:
            if r.tag not in (f"{A}r", f"{A}fld"):
                continue
            rpr = r.find(f"{A}rPr")
            runs.append(Run(r.find(f"{A}t").text or "", rpr.find(f"{A}latin").get("typeface"),
                            int(rpr.get("sz")) / 100, rpr.get("b") == "1", rpr.get("i") == "1"))
        paras.append(Para(tuple(runs), int(line.get("val")) / 100,
                          int(before.get("val")) / 100 if before is not None else 0.0,
                          int(ppr.get("marL", "0")) / EMU_PER_PT))
    return paras


def table_cells(shape) -> list[tuple[int, int, float, float, list[Para]]]:
    """(row, column, inner width, inner height, paragraphs) of each cell of a native table,
    the box from the row's height, the column's width and the cell's margins in the XML."""
    tbl = shape.table
    out = []
    for r, row in enumerate(tbl.rows):
        for c, cell in enumerate(row.cells):
            tcpr = cell._tc.tcPr
            margins = [int(tcpr.get(k, d)) / EMU_PER_PT if tcpr is not None else d / EMU_PER_PT
                       for k, d in (("marL", 91440), ("marT", 45720), ("marR", 91440),
                                    ("marB", 45720))]
            inner_w = tbl.columns[c].width / EMU_PER_PT - margins[0] - margins[2]
            inner_h = row.height / EMU_PER_PT - margins[1] - margins[3]
            out.append((r, c, inner_w, inner_h, body_paragraphs(cell.text_frame._txBody)))
    return out


def assert_every_frame_fits(prs) -> int:
    """Every text frame, and every cell of a native table, holds its text when measured again
    from the saved XML; returns how many were checked."""
    checked = 0
    for number, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if shape.has_table:
                for r, c, inner_w, inner_h, paras in table_cells(shape):
                    if not any(p.runs for p in paras):
                        continue
                    height = text_height(paras, inner_w)
                    assert height <= inner_h + 0.01, (
                        f"slide {number} {shape.name!r} cell ({r}, {c}): text needs "
                        f"{height:.1f} pt, the row has {inner_h:.1f} pt")
                    checked += 1
                continue
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            body_pr = shape.text_frame._txBody.find(f"{A}bodyPr")
            assert body_pr.find(f"{A}noAutofit") is not None, shape.name
            inner_w, inner_h, paras = frame_paragraphs(shape)
            height = text_height(paras, inner_w)
            assert height <= inner_h + 0.01, (
                f"slide {number} {shape.name!r}: text needs {height:.1f} pt, box has "
                f"{inner_h:.1f} pt: {shape.text_frame.text[:60]!r}")
            checked += 1
    return checked


# ---------------------------------------------------------------------------------------------
# The sample deck


def test_slides_follow_the_briefing_order(sample_deck, brief):
    titles = [untypeset(title_of(s)) for s in sample_deck.slides]
    order = []
    for t in titles:
        if not order or order[-1] != base_title(t):
            order.append(base_title(t))
    # Six actors: the table of all of them first, then the cards, then the first quote on a
    # slide of its own, titled with its speaker's name (issue 11).
    assert order == [brief.title, "Bottom line", "Situation", "Actors at a glance", "Actors",
                     "Rex Tillerson", "Iran’s leverage", "Outlook", "Sources",
                     "Middle East Institute"]


def test_deck_is_16_by_9_and_every_slide_uses_a_named_layout(sample_deck):
    assert sample_deck.slide_width * 9 == sample_deck.slide_height * 16
    names = [s.slide_layout.name for s in sample_deck.slides]
    assert names[0] == "Title Slide" and names[-1] == "Section Header"
    assert set(names) <= {"Title Slide", "Title and Content", "Two Content", "Title Only",
                          "Section Header"}


def test_bottom_line_follows_the_title_slide(sample_deck, brief):
    second = sample_deck.slides[1]
    assert title_of(second) == "Bottom line"
    assert " ".join(brief.summary.plain.split()) in " ".join(slide_text(second).split())


def test_closing_slide_has_disclaimer_and_donor_note_verbatim(sample_deck):
    closing = sample_deck.slides[-1]
    paragraphs = [p.text for shape in closing.shapes if shape.has_text_frame
                  for p in shape.text_frame.paragraphs]
    assert DISCLAIMER in paragraphs
    # The address follows "click here", as on the one-pager (issue 11).
    assert f"{DONOR_NOTE} {DONOR_URL}" in paragraphs
    links = {r.text: r.hyperlink.address for shape in closing.shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs for r in p.runs if r.hyperlink.address}
    assert links["click here"] == DONOR_URL
    assert links[DONOR_URL] == DONOR_URL


def test_every_slide_has_a_footer_with_short_name_date_and_number(sample_deck):
    # The cover names the date and the organisation once, in its own lines (issue 11).
    for number, slide in enumerate(sample_deck.slides, 1):
        if number == 1:
            continue
        footer = {ph.placeholder_format.type.name: ph.text_frame.text
                  for ph in slide.placeholders
                  if ph.placeholder_format.type.name in ("FOOTER", "DATE", "SLIDE_NUMBER")}
        assert footer == {"FOOTER": "MEI", "DATE": "24 October 2017",
                          "SLIDE_NUMBER": str(number)}, number
        field = slide.shapes._spTree.xpath(".//a:fld[@type='slidenum']")
        assert len(field) == 1  # a real slide-number field, not frozen text


def notes_of(slide) -> str:
    return " ".join(untypeset(slide.notes_slide.notes_text_frame.text).split())


def section_notes(prs) -> dict[str, str]:
    """A section's notes, its continuation slides' notes joined."""
    out: dict[str, list[str]] = {}
    for slide in prs.slides:
        out.setdefault(base_title(title_of(slide)), []).append(notes_of(slide))
    return {k: " ".join(v) for k, v in out.items()}


def test_speaker_notes_carry_each_sections_full_text_quotes_and_sources(sample_deck, brief):
    slides = list(sample_deck.slides)
    for slide in slides:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
    flat = section_notes(sample_deck)
    for para in brief.situation.plain.split("\n"):
        assert " ".join(para.split()) in flat["Situation"]
    for actor in brief.actors:
        assert actor.name in flat["Actors"]
        if actor.quote:
            assert "".join(s.text for s in actor.quote) in flat["Actors"]
        if actor.quote_source:
            assert actor.quote_source in flat["Actors"]
    for key in ("Situation", "Actors", "Iran’s leverage", "Outlook"):
        assert brief.sources[0].title in flat[key]
    for point in brief.leverage.points:
        assert " ".join(point.plain.split()) in flat["Iran’s leverage"]


def test_every_text_frame_of_the_sample_fits_when_measured_again(sample_deck):
    assert assert_every_frame_fits(sample_deck) > 30


def test_runs_name_the_profile_font_and_never_autofit(sample_deck):
    fonts = {r.font.name for s in sample_deck.slides for shape in s.shapes
             if shape.has_text_frame for p in shape.text_frame.paragraphs for r in p.runs}
    assert fonts == {"Source Sans 3"}


def test_core_properties_come_from_the_brief_and_the_clock(sample_deck, brief):
    cp = sample_deck.core_properties
    assert cp.title == brief.title
    assert cp.author == "Middle East Institute"
    assert cp.language == "en"
    assert "MEI" in cp.keywords and "Iran" in cp.keywords
    assert cp.created == cp.modified == dt.datetime(2017, 10, 24)


def test_same_input_gives_the_same_bytes(sample_bytes):
    again = render(SAMPLE)
    assert again == sample_bytes
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2017, 10, 24, 0, 0, 0)}
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert "docProps/thumbnail.jpeg" not in zf.namelist()


def test_source_date_epoch_sets_the_deck_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    prs = open_deck(render(SAMPLE))
    assert prs.core_properties.created == dt.datetime(2023, 11, 14, 22, 13, 20)


def test_planning_does_not_need_python_pptx():
    code = ("import sys; from reportgen.pipeline import prepare; "
            "from reportgen.writers.pptx import plan; "
            f"job = prepare({str(SAMPLE)!r}); p = plan(job.document); "
            "assert p.slides[0].title; assert 'pptx' not in sys.modules, 'pptx imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cli_writes_the_deck(tmp_path):
    result = runner.invoke(app, ["pptx", str(SAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "pmf-tillerson.pptx"
    assert result.output.strip() == str(target)
    assert len(open_deck(target.read_bytes()).slides) >= 7


def test_a_glyph_the_fonts_lack_stops_the_deck_at_its_field_and_writes_nothing(write_brief,
                                                                               tmp_path):
    brief = write_brief("snowman", subtitle="Winter ☃ is coming")
    line = brief.read_text(encoding="utf-8").splitlines().index("subtitle: Winter ☃ is coming")
    result = runner.invoke(app, ["pptx", str(brief), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{brief}:{line + 1}:11: subtitle: the character '☃' (U+2603 SNOWMAN) is not in the font "
        "Source Sans 3; it would print as an empty box. Replace it, or choose a profile font "
        "that has it")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_core_xml_claims_no_printing_and_holds_no_empty_properties(sample_bytes):
    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as zf:
        core = etree.fromstring(zf.read("docProps/core.xml"))
    names = [el.tag.rsplit("}", 1)[1] for el in core]
    assert "lastPrinted" not in names
    assert not {"contentStatus", "identifier", "version"} & set(names)
    assert all((el.text or "").strip() for el in core), names
    assert {"title", "creator", "subject", "keywords", "language", "created",
            "modified"} <= set(names)


# ---------------------------------------------------------------------------------------------
# Fitting, on the plan


def test_plan_of_the_sample_fits_every_frame_at_readable_sizes():
    plan = plan_of(SAMPLE)
    assert all(f.fits for s in plan.slides for f in s.frames)
    sections = {s.section for s in plan.slides if s.kind in ("flow", "cards", "bottom_line")}
    for key in sections:
        assert plan.findings.section(key).type_pt >= BODY_MIN_PT


def test_long_situation_shrinks_before_it_continues(write_brief):
    text = " ".join(["The P.M.F. is a coalition made up mostly of Shiite militia groups, though "
                     "it also includes units drawn from Iraq’s other communities."] * 8)
    plan = plan_of(write_brief("shrink", situation=text))
    situation = [s for s in plan.slides if s.section == "situation"]
    assert [s.title for s in situation] == ["Situation"]
    assert BODY_MIN_PT <= plan.findings.section("situation").type_pt < FLOW_MAX_PT


def test_situation_beyond_the_floor_continues_without_losing_a_word(write_brief):
    paragraphs = [f"Paragraph {n}: " + " ".join(
        ["Iran-aligned commanders answered Washington with demands for a withdrawal."] * 6)
        for n in range(1, 9)]
    plan = plan_of(write_brief("long", situation="\n\n".join(paragraphs)))
    situation = [s for s in plan.slides if s.section == "situation"]
    n = len(situation)
    assert n >= 2
    assert [s.title for s in situation] == [f"Situation ({i} of {n})" for i in range(1, n + 1)]
    # One size for the whole section: shrunk first, but only as far as saves a slide.
    found = plan.findings.section("situation")
    assert found.slides == n and BODY_MIN_PT <= found.type_pt < FLOW_MAX_PT
    sizes = {r.size for s in situation for f in s.frames if f.role in ("body", "body2")
             for p in f.paras for r in p.runs}
    assert sizes == {found.type_pt}
    shown = " ".join(f.text for s in situation for f in s.frames if f.role in ("body", "body2"))
    assert shown.split() == " ".join(paragraphs).split()
    assert all(f.fits for s in situation for f in s.frames)


def test_twelve_actors_continue_on_numbered_slides_in_the_plan(write_brief):
    plan = plan_of(write_brief("twelve", actors=twelve_actors()))
    # The cards; the "at a glance" table and the quote slide come before and after them.
    actors = [s for s in plan.slides if s.section == "actors" and s.kind == "cards"]
    n = len(actors)
    assert n >= 3
    assert [s.title for s in actors] == [f"Actors ({i} of {n})" for i in range(1, n + 1)]
    assert all(f.fits for s in actors for f in s.frames)
    assert plan.findings.section("actors").type_pt >= BODY_MIN_PT
    # The section's findings count its "at a glance" table slides too (issue 11).
    glance = [s for s in plan.slides if s.section == "actors" and s.kind == "table"]
    assert len(glance) >= 1
    assert plan.findings.section("actors").slides == n + len(glance)
    cards = " ".join(f.text for s in actors for f in s.frames if f.role == "card")
    for actor in twelve_actors():
        assert actor["quote"] in " ".join(cards.split())


def test_one_enormous_quote_continues_in_a_second_card(write_brief):
    huge = dict(twelve_actors()[0], quote=" ".join([LONG_QUOTE] * 7))
    plan = plan_of(write_brief("huge", actors=[huge]))
    cards = [f for s in plan.slides if s.section == "actors" for f in s.frames
             if f.role == "card"]
    assert len(cards) >= 2
    assert cards[1].paras[0].text == "Commander 1 al\u2011Example (continued)"
    assert all(f.fits for f in cards)


def test_split_paragraph_keeps_every_word():
    runs = (Run("Iran’s leverage rests on ", "Source Sans 3", 18),
            Run("ties to the strongest units", "Source Sans 3", 18, bold=True),
            Run(" and a direct line of command that bypasses Baghdad entirely.",
                "Source Sans 3", 18))
    para = Para(runs, 23.0, 9.0, 20.0, "•")
    assert len(break_lines(runs, 200.0)) >= 4
    cut = paragraph_lines(para, 220.0)[2]
    head, tail = part(para, None, cut), part(para, cut, None)
    assert (head.text + " " + tail.text).split() == para.text.split()
    assert head.bullet == "•" and tail.bullet is None and tail.space_before == 0
    stream = Stream([para])
    taken = take(stream, 2 * 23.0, 220.0, must_place=True)
    assert len(taken) == 1 and not stream.done
    assert text_height(taken, 220.0) <= 2 * 23.0
    assert (taken[0].text + " " + take(stream, 400.0, 220.0, True)[0].text).split() == \
        para.text.split()


def test_a_word_wider_than_the_line_breaks_between_characters():
    lines = break_lines((Run("Supercalifragilisticexpialidocious", "Source Sans 3", 20),), 60.0)
    assert len(lines) > 1 and all(line.width <= 60.0 for line in lines)


# ---------------------------------------------------------------------------------------------
# Twelve actors, saved and read back


@pytest.fixture
def twelve_deck(write_brief) -> tuple[Path, bytes]:
    path = write_brief("twelve", actors=twelve_actors())
    return path, render(path)


def test_twelve_actor_deck_fits_every_text_frame_when_read_back(twelve_deck):
    _, data = twelve_deck
    prs = open_deck(data)
    titles = [title_of(s) for s in prs.slides]
    actor_titles = [t for t in titles if base_title(t) == "Actors"]
    assert len(actor_titles) >= 3 and actor_titles[0] == f"Actors (1 of {len(actor_titles)})"
    assert assert_every_frame_fits(prs) > 60
    text = " ".join(" ".join(slide_text(s) for s in prs.slides).split())
    for actor in twelve_actors():  # never cut: every quote is on some slide, whole
        assert f"“{actor['quote']}”" in text


def test_each_actor_slide_has_notes_for_its_own_actors_and_the_section_has_each_once(
        twelve_deck, brief):
    prs = open_deck(twelve_deck[1])
    slides = [s for s in prs.slides if base_title(title_of(s)) == "Actors"]
    assert len(slides) >= 3
    actors = twelve_actors()
    # The Document's wording: the quote, then its attribution "— source" (issue 11 review).
    quotes = [f"“{a['quote']}” — {a['quote_source']}" for a in actors]
    for slide in slides:
        shown = slide_text(slide)
        notes = notes_of(slide)
        assert notes.startswith(title_of(slide))
        for a, quote in zip(actors, quotes, strict=True):
            on_slide = f"{a['name']}\n" in shown + "\n"
            assert (a["stance"] in notes) == on_slide, (title_of(slide), a["name"])
            assert (quote in notes) == on_slide, (title_of(slide), a["name"])
        assert len(notes) < 2500  # three actors, not the whole section (was ~7,900)
    together = " ".join(notes_of(s) for s in slides)
    for a, quote in zip(actors, quotes, strict=True):
        assert together.count(quote) == 1
        assert together.count(a["stance"]) == 1
        assert together.count(f"{a['name']} {a['role']}, {a['affiliation']}") == 1
    assert together.count(brief.sources[0].title) == 1
    assert brief.sources[0].title in notes_of(slides[-1])  # sources close the section


def mixed_actors() -> list[dict]:
    """Twelve actors, two with a quote too long for one card at any size."""
    actors = twelve_actors()
    for i in (1, 7):
        actors[i]["quote"] = f"{LONG_QUOTE} {LONG_QUOTE} ({i + 1})"
    return actors


def test_a_continued_card_opens_the_next_slide_instead_of_sitting_beside_itself(write_brief):
    path = write_brief("mixed", actors=mixed_actors())
    plan = plan_of(path)
    actors = [s for s in plan.slides if s.section == "actors"]
    continued = 0
    for slide in actors:
        cards = sorted((f for f in slide.frames if f.role == "card"), key=lambda f: (f.y, f.x))
        names = [c.paras[0].text.removesuffix(" (continued)") for c in cards]
        assert len(names) == len(set(names)), f"{slide.title}: a card beside itself: {names}"
        for k, card in enumerate(cards):
            if card.paras[0].text.endswith(" (continued)"):
                assert k == 0, f"{slide.title}: a continuation that is not the slide's first card"
                continued += 1
    # Cards now take a wider measure when fewer share a slide, so fewer need a piece.
    assert continued <= 2
    # Still nothing cut, and every frame fits when the saved deck is measured again.
    prs = open_deck(render(path))
    assert assert_every_frame_fits(prs) > 60
    by_actor: dict[str, list[str]] = {}
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                head, _, rest = untypeset(shape.text_frame.text).partition("\n")
                by_actor.setdefault(head.removesuffix(" (continued)"), []).append(rest)
    for actor in mixed_actors():
        card = " ".join(" ".join(by_actor[actor["name"]]).split())
        assert f"“{actor['quote']}”" in card


def test_continued_situation_gives_each_paragraph_once_on_the_slide_it_starts(write_brief):
    paragraphs = [f"Paragraph {n}: " + " ".join(
        ["Iran-aligned commanders answered Washington with demands for a withdrawal."] * 6)
        for n in range(1, 9)]
    prs = open_deck(render(write_brief("long", situation="\n\n".join(paragraphs))))
    slides = [s for s in prs.slides if base_title(title_of(s)) == "Situation"]
    assert len(slides) >= 2
    together = " ".join(notes_of(s) for s in slides)
    for para in paragraphs:
        assert together.count(para) == 1
    for slide in slides:
        shown = " ".join(slide_text(slide).split())
        notes = notes_of(slide)
        for para in paragraphs:
            if para in notes:  # given where it starts: its first words are on this slide
                assert para[:40] in shown
        assert len(notes) < len(together)
    assert sum(notes_of(s).count("Sources") for s in slides) == 1


def test_a_paragraph_running_onto_the_next_slide_is_in_the_notes_once_with_a_pointer(
        write_brief):
    sentence = "Iran-aligned commanders answered Washington with demands for a withdrawal."
    huge = "Opening paragraph. " + " ".join([sentence] * 45)
    plan = plan_of(write_brief("huge", situation=f"{huge}\n\nA closing remark."))
    slides = [s for s in plan.slides if s.section == "situation"]
    assert len(slides) >= 2
    notes = [[p.text for p in s.notes] for s in slides]
    assert sum(n.count(huge) for n in notes) == 1 and huge in notes[0]
    # The label `continued_from`, around the paragraph's first words in the language's quotes.
    assert notes[1][1] == ("“Opening paragraph. Iran-aligned commanders answered Washington "
                           "with demands …” (continued from the previous slide)")
    assert sum(n.count("A closing remark.") for n in notes) == 1


def test_arabic_runs_get_the_arabic_font_and_run_right_to_left(twelve_deck):
    prs = open_deck(twelve_deck[1])
    hits = [(p, r) for s in prs.slides for shape in s.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs if r.text == "حيدر العبادي"]
    assert hits
    para, run = hits[0]
    assert run.font.name == "Noto Sans Arabic"
    assert run._r.find(f"{A}rPr/{A}rtl").get("val") == "1"
    # PowerPoint's own tagging of Arabic in a Latin deck: the language with its region, and
    # the alternative language its proofing tools fall back to.
    assert run._r.find(f"{A}rPr").get("lang") == "ar-SA"
    assert run._r.find(f"{A}rPr").get("altLang") == "en-US"
    assert para._p.find(f"{A}pPr").get("rtl") == "1"


def test_actor_names_link_to_their_page(twelve_deck):
    prs = open_deck(twelve_deck[1])
    links = {untypeset(r.text): r.hyperlink.address for s in prs.slides for shape in s.shapes
             if shape.has_text_frame for p in shape.text_frame.paragraphs for r in p.runs
             if r.hyperlink.address}
    assert links["Commander 1 al-Example"] == "https://example.org/actors/1"


def libreoffice_pdf(deck: bytes, tmp_path: Path, name: str) -> Path:
    """The deck converted by LibreOffice, which sees the same static fonts the deck was
    measured with (a private fontconfig)."""
    return office_to_pdf(deck, tmp_path, name, "pptx")


def assert_every_word_is_inside_a_frame(pdf: Path, plan) -> None:
    """Each word LibreOffice drew lies in a text frame or table of the plan's slide."""
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == len(plan.slides)
        for slide, page in zip(plan.slides, doc.pages, strict=True):
            if slide.kind == "title":
                continue  # its layout carries a decorative label outside any frame
            scale = page.width / plan.geometry.width
            for w in page.extract_words():
                if w["x1"] - w["x0"] < 0.5:
                    # An Arabic mark (a shadda, a damma) drawn as a glyph of its own, with no
                    # advance: it sits on its letter, which is checked; its box is the font's
                    # whole height raised by the mark's offset, not its ink.
                    continue
                x0, x1 = w["x0"] / scale, w["x1"] / scale
                top, bottom = w["top"] / scale, w["bottom"] / scale
                assert any(f.x - 3 <= x0 and x1 <= f.x + f.w + 3 and f.y - 6 <= top
                           and bottom <= f.y + f.h + 3 for f in [*slide.frames,
                                                                  *slide.tables]), (
                    f"{slide.title}: {w['text']!r} at ({x0:.0f}, {top:.0f}) is outside every "
                    f"text frame")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_one_page_per_slide_with_text_inside_its_frames(twelve_deck,
                                                                           tmp_path):
    import pypdf

    path, data = twelve_deck
    pdf = libreoffice_pdf(data, tmp_path, "twelve")
    assert len(pypdf.PdfReader(pdf).pages) == len(open_deck(data).slides)
    assert_every_word_is_inside_a_frame(pdf, plan_of(path))


# ---------------------------------------------------------------------------------------------
# A profile's own deck.pptx


def reference_profile(tmp_path: Path, deck_pptx: Path | None) -> Path:
    templates = tmp_path / "templates"
    (templates / "mei").mkdir(parents=True)
    shutil.copy(SAMPLE.parent.parent / "templates" / "mei" / "profile.yaml",
                templates / "mei" / "profile.yaml")
    if deck_pptx:
        shutil.copy(deck_pptx, templates / "mei" / "deck.pptx")
    return templates


def office_default_deck(tmp_path: Path, rename: dict[str, str] | None = None) -> Path:
    """python-pptx's own template (4:3, Office theme, the standard layout names)."""
    prs = Presentation()
    for layout in prs.slide_layouts:
        if rename and layout.name in rename:
            layout._element.cSld.set("name", rename[layout.name])
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "A slide of the template"
    path = tmp_path / "reference.pptx"
    prs.save(path)
    return path


def test_reference_deck_lends_its_masters_and_layouts(tmp_path):
    templates = reference_profile(tmp_path, office_default_deck(tmp_path))
    prs = open_deck(render(SAMPLE, templates))
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)  # the reference's 4:3
    assert "A slide of the template" not in [title_of(s) for s in prs.slides]
    assert title_of(prs.slides[0]).startswith("Iraq")
    theme = zipfile.ZipFile(io.BytesIO(render(SAMPLE, templates))).read("ppt/theme/theme1.xml")
    assert b'name="Office Theme"' in theme
    assert [s.slide_layout.name for s in prs.slides][0] == "Title Slide"
    assert assert_every_frame_fits(prs) > 30


def test_reference_deck_without_a_needed_layout_is_refused_with_its_name(tmp_path):
    ref = office_default_deck(tmp_path, rename={"Title Slide": "Cover"})
    templates = reference_profile(tmp_path, ref)
    with pytest.raises(RenderError, match="no slide layout named 'Title Slide'"):
        plan_of(SAMPLE, templates)


def test_the_deck_names_its_authors_as_the_memo_and_the_pdf_do(write_brief, tmp_path):
    brief = write_brief("two", authors=["Ann Lee", "Bob Roe"])
    assert runner.invoke(app, ["pptx", str(brief), "--out", str(tmp_path)]).exit_code == 0
    assert Presentation(str(tmp_path / "two.pptx")).core_properties.author == "Ann Lee and Bob Roe"


def test_a_paragraph_broken_again_at_another_width_measures_no_word_again():
    """The words of a text at its sizes are measured once and shared (`Shapes.scaled`):
    breaking at a second width reuses them, and gives what fresh measuring gives."""
    from reportgen.writers.pptx import measure

    runs = (Run("The PMF leaders answered the Secretary within hours " * 3, "Source Sans 3", 20),
            Run("and said so again.", "Source Sans 3", 20, bold=True))
    measure._SHAPES.clear()
    first = measure.Words(runs)
    wide = measure._break_lines(first, 400.0, None, None)
    again = measure.Words(runs)
    assert again.found is first.found and len(first.found) > 20
    count = len(first.found)
    narrow = measure._break_lines(again, 150.0, None, None)
    assert len(first.found) == count  # nothing measured twice
    measure._SHAPES.clear()  # fresh words: the same lines
    assert measure._break_lines(measure.Words(runs), 150.0, None, None) == narrow
    assert len(narrow) > len(wide)
    bigger = measure.Words(tuple(measure._with_text(r, r.text) for r in runs[:1])
                           + (Run(runs[1].text, "Source Sans 3", 24, bold=True),))
    assert bigger.found is not first.found  # another size: its own widths
