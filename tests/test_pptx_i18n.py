"""The deck speaks the brief's language: its labels, dates and quotation marks come from the
document plan, and the author's straight quotes reach no slide. Decks are read back with a
fresh python-pptx load; the plan's findings are checked against the slides they describe.
"""

from __future__ import annotations

import io
import re

from pptx import Presentation

from reportgen.pipeline import prepare
from reportgen.writers import get_writer
from reportgen.writers import pptx as deck
from tests.test_pptx import LONG_QUOTE, twelve_actors

# Words only the English labels print (not the brief: "Situation" and "Sources" are French too).
ENGLISH_LABELS = ("Bottom line", "Actors", "Outlook", "’s leverage", " of 2)", " of 3)",
                  "October 2017", "(continued", "continued from the previous slide", "Point ")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
URL = re.compile(r"(?:https?://|mailto:|www\.)\S+")


def deck_of(path):
    data = deck.render(prepare(path).document).data
    return Presentation(io.BytesIO(data))


def titles(prs) -> list[str]:
    return [s.shapes.title.text_frame.text for s in prs.slides if s.shapes.title is not None]


def slide_texts(prs) -> list[str]:
    """Every paragraph a reader sees on the slides (titles, cards, footers)."""
    return [p.text for s in prs.slides for shape in s.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs]


def notes_texts(prs) -> list[str]:
    return [p.text for s in prs.slides if s.has_notes_slide
            for p in s.notes_slide.notes_text_frame.paragraphs]


def footer(prs, kind: str) -> set[str]:
    return {ph.text_frame.text for s in prs.slides for ph in s.placeholders
            if ph.placeholder_format.type.name == kind}


def test_a_french_deck_has_the_french_headings_and_date_and_none_of_the_english(write_brief):
    prs = deck_of(write_brief("fr", language="fr"))
    shown = titles(prs)
    # The sample's six actors need two slides: the part label is French too.
    # Then the table of all six first, and the first quote on its own slide, its speaker's
    # name for title (issue 11).
    assert shown[1:-1] == ["L’essentiel", "Situation", "Acteurs en un coup d’œil",
                           "Acteurs (1 sur 2)", "Acteurs (2 sur 2)", "Rex Tillerson",
                           "Les leviers d’Iran", "Perspectives", "Sources"]
    assert footer(prs, "DATE") == {"24 octobre 2017"}
    # The cover's label names the organisation; its line gives the date once (issue 11).
    assert "24 octobre 2017" in slide_texts(prs)
    notes = notes_texts(prs)
    assert {"L’essentiel", "Sources"} <= set(notes)
    everything = "\n".join(slide_texts(prs) + notes)
    assert not [w for w in ENGLISH_LABELS if w in everything]


def test_french_continuations_say_suite_on_cards_slides_and_notes(write_brief):
    huge = dict(twelve_actors()[0], quote=" ".join([LONG_QUOTE] * 7))
    sentence = "Iran-aligned commanders answered Washington with demands for a withdrawal."
    long = "Opening paragraph. " + " ".join([sentence] * 45)
    path = write_brief("suite", language="fr", actors=[huge],
                       situation=f"{long}\n\nA closing remark.")
    prs = deck_of(path)
    shown = titles(prs)
    situation = [t for t in shown if t.startswith("Situation")]
    n = len(situation)
    assert n >= 2 and situation == [f"Situation ({i} sur {n})" for i in range(1, n + 1)]
    texts = slide_texts(prs)
    assert "Commander 1 al\u2011Example (suite)" in texts  # the card carried to the next slide
    notes = notes_texts(prs)
    assert "Commander 1 al\u2011Example (suite de la diapositive précédente)" in notes
    # A paragraph carried over is pointed at by its first words, in French quotes.
    assert ("«\u202fOpening paragraph. Iran-aligned commanders answered Washington with "
            "demands …\u202f» (suite de la diapositive précédente)") in notes
    everything = "\n".join(texts + notes)
    assert not [w for w in ENGLISH_LABELS if w in everything]


def test_an_arabic_language_deck_has_the_arabic_labels_and_date(write_brief):
    prs = deck_of(write_brief("ar", language="ar"))
    shown = titles(prs)
    assert shown[1:-1] == ["الخلاصة", "الوضع", "الأطراف الفاعلة في لمحة",
                           "الأطراف الفاعلة (1 من 2)", "الأطراف الفاعلة (2 من 2)",
                           "Rex Tillerson", "أوراق ضغط Iran", "الآفاق", "المصادر"]
    assert footer(prs, "DATE") == {"24 أكتوبر 2017"}
    # ... set in a right-to-left paragraph, or it would show as "24 2017 أكتوبر".
    dates = [ph.text_frame.paragraphs[0]._p.find(f"{A}pPr") for s in prs.slides
             for ph in s.placeholders if ph.placeholder_format.type.name == "DATE"]
    assert dates and all(p.get("rtl") == "1" for p in dates)
    notes = notes_texts(prs)
    assert {"الخلاصة", "المصادر"} <= set(notes)
    # The quotes the deck puts around an actor's words are the language's.
    assert any(t.startswith("«go home»") for t in notes)
    everything = "\n".join(slide_texts(prs) + notes)
    assert not [w for w in ENGLISH_LABELS if w in everything]


def test_straight_quotes_in_the_brief_reach_no_slide_and_no_note(write_brief, sample_data):
    actors = [dict(sample_data["actors"][0], name="Qais al-Khazali",
                   stance='Says "leave now" and means it', quote="it's over, 'finally'",
                   quote_source='"On Twitter"', url="https://example.org/a%27b")]
    path = write_brief(
        "straight", title="Iraq's militias say \"go home\"", subtitle="'Iran-aligned' units",
        summary='The "P.M.F." answered [Tillerson\'s call](https://example.org/it%27s).',
        situation="It's \"coming to a close\".", actors=actors,
        leverage={"holder": "Iran", "points": ['The "Badr" ties.']},
        outlook=["It's likely.", 'A "state institution".'],
        sources=[{"title": "MEI's \"commentary\"", "url": "https://example.org/q%27uote"}])
    prs = deck_of(path)
    visible = [URL.sub("", t) for t in slide_texts(prs) + notes_texts(prs)]
    assert not [t for t in visible if '"' in t or "'" in t]
    everything = "\n".join(visible)
    assert "Iraq’s militias say “go home”" in everything
    assert "“it’s over, ‘finally’”" in everything
    assert "—\u00a0“On Twitter”" in everything
    # Link targets and URLs are the author's, untouched.
    links = {r.hyperlink.address for s in prs.slides for shape in s.shapes
             if shape.has_text_frame for p in shape.text_frame.paragraphs for r in p.runs
             if r.hyperlink.address}
    assert {"https://example.org/it%27s", "https://example.org/a%27b"} <= links
    assert any("https://example.org/q%27uote" in t for t in notes_texts(prs))


def test_deck_findings_count_slides_sizes_and_continued_pieces_by_section(write_brief):
    huge = dict(twelve_actors()[0], quote=" ".join([LONG_QUOTE] * 7))
    path = write_brief("findings", actors=[huge, twelve_actors()[1]])
    document = prepare(path).document
    plan = deck.plan(document)
    found = get_writer("pptx").check(document)
    assert found == plan.findings == deck.render(document).findings
    assert found.format == "pptx" and found.slides == len(plan.slides)
    for key in ("summary", "situation", "actors", "leverage", "outlook"):
        slides = [s for s in plan.slides if s.section == key]
        sizes = {r.size for s in slides for f in s.frames if f.role in ("body", "body2", "card")
                 for p in f.paras[:1] for r in p.runs[:1]}
        section = found.section(key)
        assert section.slides == len(slides), key
        if key != "actors":  # a card's name is set larger than its body
            assert sizes == {section.type_pt}, key
    cards = [f.paras[0].text for s in plan.slides if s.section == "actors" for f in s.frames
             if f.role == "card"]
    assert found.section("actors").continued == sum(
        t.endswith("(continued)") for t in cards) >= 1
    assert found.continuation_slides == sum(max(0, s.slides - 1) for s in found.sections)
