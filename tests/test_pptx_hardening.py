"""The deck planner against huge and awkward input (issue 9): linear measuring, a cap on the
slides of a section, and refusals that name the brief's field with its position.

Slow paths are run in a subprocess with a generous timeout, so a regression to quadratic time
fails the test instead of hanging the suite; the real timings live in bench/worst_case.py.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from reportgen.writers.pptx.geometry import Box
from reportgen.writers.pptx.layout import MAX_SECTION_SLIDES, flow
from reportgen.writers.pptx.measure import Face, Para, Run, break_lines, paragraph_lines
from tests.conftest import ROOT
from tests.test_pptx import assert_every_frame_fits, base_title, plan_of, title_of

FONT = "Source Sans 3"
UNITS = Face.units.__wrapped__  # past the cache: every measurement counts
TIMEOUT_S = 30  # generous: each of these takes a few seconds; before the fix, minutes or forever


def words(n: int, seed: int = 0, distinct: bool = False) -> str:
    """n words of plain prose; `distinct` ones, so that no cache can hide repeated measuring."""
    rng = random.Random(seed)
    vocab = ["the", "militias", "of", "Iraq", "said", "that", "forces", "would", "leave", "after",
             "Islamic", "State", "defeat", "government", "and", "Tehran"]
    return " ".join(rng.choice(vocab) + (str(i) if distinct else "") for i in range(n))


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT_S)


def line_of(path: Path, prefix: str) -> int:
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(prefix))


# ---------------------------------------------------------------------------------------------
# Linear time


def count_measured_pieces(monkeypatch, text: str) -> int:
    """How many strings get their advances summed while one paragraph flows into columns."""
    calls = 0

    def counting(self, s: str) -> int:
        nonlocal calls
        calls += 1
        return UNITS(self, s)

    monkeypatch.setattr(Face, "units", counting)
    para = Para((Run(text, FONT, 14.0),), 17.92)
    flow([para], [Box(0, 0, 400, 366), Box(440, 0, 400, 366)])
    return calls


def test_measuring_a_paragraph_grows_linearly_with_its_words(monkeypatch):
    small = count_measured_pieces(monkeypatch, words(600, seed=1, distinct=True))
    large = count_measured_pieces(monkeypatch, words(1200, seed=2, distinct=True))
    # Each word and each space is measured once, however many columns the paragraph crosses
    # (before: the rest of the paragraph was measured again for every column).
    assert small <= 2 * 600 + 10
    assert large <= 2.1 * small


def test_breaking_resumes_from_any_line_as_if_the_rest_were_broken_afresh():
    runs = (Run(words(300, seed=3) + " https://" + "x" * 120 + " end.", FONT, 16.0),)
    lines = break_lines(runs, 180.0)
    for k in (1, 7, len(lines) - 2):
        again = break_lines(runs, 180.0, start=lines[k])
        assert [(x.start, round(x.width, 6)) for x in again] == \
            [(x.start, round(x.width, 6)) for x in lines[k:]]
    assert len(break_lines(runs, 180.0, limit=5)) == 5


def write(tmp_path: Path, name: str, sample_data: dict, **changes) -> Path:
    data = {**sample_data, **changes}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9),
                    encoding="utf-8")
    return path


def test_a_9000_word_paragraph_runs_to_numbered_slides_without_losing_a_word(
        tmp_path, sample_data):
    text = words(9_000, seed=4)
    brief = write(tmp_path, "long", sample_data, situation=text)
    result = run_cli("pptx", brief, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    prs = Presentation(io.BytesIO((tmp_path / "out" / "long.pptx").read_bytes()))
    situation = [s for s in prs.slides if base_title(title_of(s)) == "Situation"]
    n = len(situation)
    assert 2 <= n <= MAX_SECTION_SLIDES
    assert [title_of(s) for s in situation] == [f"Situation ({i} of {n})" for i in range(1, n + 1)]
    shown = [shape.text_frame.text for s in situation for shape in s.placeholders
             if shape.placeholder_format.idx != 0 and shape.has_text_frame
             and shape.placeholder_format.type not in (13, 15, 16)]  # not the number/date/footer
    assert " ".join(shown).split() == text.split()
    assert assert_every_frame_fits(prs) > 2 * n


def test_a_20000_word_paragraph_is_refused_at_its_field_in_pptx_and_validate(
        tmp_path, sample_data):
    brief = write(tmp_path, "huge", sample_data, situation=words(20_000, seed=5))
    line = line_of(brief, "situation:")
    result = run_cli("pptx", brief, "--out", tmp_path / "out")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        f"{brief}:{line}:12: situation: the section “Situation” needs more than "
        f"{MAX_SECTION_SLIDES} slides even at 14 pt, more than a briefing deck can hold; "
        "shorten it (this field has 20,000 words)"), result.stderr
    assert not (tmp_path / "out" / "huge.pptx").exists()

    result = run_cli("validate", "--format", "json", brief)
    assert result.returncode == 1
    deck = [d for d in json.loads(result.stdout)["diagnostics"]
            if "briefing deck" in d["message"]]
    assert [(d["key"], d["line"], d["level"]) for d in deck] == [("situation", line, "error")]


def test_validate_and_pptx_finish_on_the_largest_brief_the_loader_accepts(tmp_path,
                                                                         sample_data):
    # Just under the loader's 1 MB: a summary of many short sentences, a situation full of
    # http links (each gets a warning at its own position) and a long outlook.
    sentences = " ".join(f"Item {i} moved." for i in range(20_000))
    links = " ".join(f"[source {i}](http://example.org/{i})" for i in range(9_000))
    brief = write(tmp_path, "largest", sample_data, summary=sentences, situation=links,
                  outlook=words(40_000, seed=6))
    assert 900_000 < brief.stat().st_size < 1_000_000
    result = run_cli("validate", "--format", "json", brief)
    report = json.loads(result.stdout)
    warnings = [d for d in report["diagnostics"] if d["message"].startswith("link 'http://")]
    assert len(warnings) == 9_000
    assert len({(d["line"], d["col"]) for d in warnings}) == 9_000  # each at its own link
    assert any(d["key"] == "summary" and "slides" in d["message"]
               for d in report["diagnostics"])
    result = run_cli("pptx", brief, "--out", tmp_path / "out")
    assert result.returncode == 1 and ": summary: the section “Bottom line”" in result.stderr


# ---------------------------------------------------------------------------------------------
# Long words and long names


def card_frames(plan) -> list:
    return [f for s in plan.slides if s.section == "actors" for f in s.frames
            if f.role == "card"]


def test_an_actor_name_of_many_words_continues_under_a_short_head(write_brief, sample_data):
    # Before: the "<name> (continued)" head alone was taller than the card, leaving it
    # "-61 pt" for the text.
    name = " ".join(["Abcdefghij"] * 60)
    actors = [dict(a) for a in sample_data["actors"]]
    actors[3]["name"] = name
    plan = plan_of(write_brief("long-name", actors=actors))
    assert all(f.fits for s in plan.slides for f in s.frames)
    cards = card_frames(plan)
    continued = [f.paras[0].text for f in cards if f.paras[0].text.endswith("(continued)")]
    assert all(len(t) < len(name) for t in continued)
    # The name itself runs on from card to card below the "(continued)" heads.
    shown = " ".join(p.text for f in cards for p in f.paras
                     if not p.text.endswith("(continued)"))
    assert name in shown


def test_unbroken_words_wider_than_a_card_break_inside_the_word(write_brief, sample_data):
    name = "Y" * 3000
    url = "https://example.org/" + "a" * 280
    actors = [dict(a) for a in sample_data["actors"]]
    actors[3]["name"] = name
    actors[0]["stance"] = f"See {url} for the whole statement."
    plan = plan_of(write_brief("long-words", actors=actors))
    assert all(f.fits for s in plan.slides for f in s.frames)
    cards = card_frames(plan)
    shown = "".join(p.text for f in cards for p in f.paras
                    if not p.text.endswith("(continued)"))
    assert name in shown
    card = next(f for f in cards if "statement" in f.text)
    stance = next(p for p in card.paras if url in p.text)
    assert len(paragraph_lines(stance, card.inner_w)) >= 3


# ---------------------------------------------------------------------------------------------
# Every refusal names its field


def test_a_leverage_holder_too_long_for_a_slide_title_is_refused_at_its_position(
        tmp_path, sample_data):
    leverage = dict(sample_data["leverage"], holder=" ".join(["Holder"] * 100))
    brief = write(tmp_path, "holder", sample_data, leverage=leverage)
    line = line_of(brief, "  holder:")
    result = run_cli("pptx", brief, "--out", tmp_path / "out")
    assert result.returncode == 1
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"{brief}:{line}:11: leverage.holder: the slide title 'Holder ")
    assert "…' does not fit its box even at 20 pt" in message and len(message) < 400
    assert "shorten it" in message


def test_an_overlong_subtitle_is_refused_at_the_subtitle(tmp_path, sample_data):
    brief = write(tmp_path, "subtitle", sample_data, subtitle=words(2_000, seed=7))
    result = run_cli("pptx", brief, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"{brief}:{line_of(brief, 'subtitle:')}:11: subtitle: the subtitle does not fit its "
        "box even at 14 pt"), result.stderr
    result = run_cli("validate", "--format", "json", brief)
    errors = [(d["key"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]
              if d["level"] == "error" and "does not fit its box" in d["message"]]
    assert errors == [("subtitle", line_of(brief, "subtitle:"))]


def test_a_reference_deck_too_small_for_the_text_is_named_at_the_field_it_refuses(tmp_path):
    from pptx.util import Pt

    from tests.test_pptx import SAMPLE, office_default_deck, reference_profile

    ref = office_default_deck(tmp_path)
    prs = Presentation(str(ref))
    layout = next(x for x in prs.slide_layouts if x.name == "Title and Content")
    body = next(ph for ph in layout.placeholders if ph.placeholder_format.idx == 1)
    body.left, body.top, body.width, body.height = Pt(40), Pt(120), Pt(300), Pt(30)
    prs.save(str(ref))
    templates = reference_profile(tmp_path, ref)
    result = run_cli("pptx", SAMPLE, "--templates", templates, "--out", tmp_path / "out")
    assert result.returncode == 1
    # Before: "a line of 17.92 pt does not fit a column -10 pt high", naming nothing.
    assert result.stderr == (
        f"{SAMPLE}:{line_of(SAMPLE, 'summary:')}:10: summary: a line of 17.92 pt does not fit "
        "the 0 pt that the Bottom line slides leave for it in layout 'Title and Content' of "
        f"{templates / 'mei' / 'deck.pptx'}; give deck.pptx taller placeholders\n")


def test_thousands_of_source_links_are_related_without_rescanning_the_part(
        write_brief, monkeypatch):
    """python-pptx's relate_to re-indexes every relationship of a part on each call; the deck
    repeats the sources in its notes, so 4,000 sources took 66 s. Each link is now related
    once per part, with no look-up through python-pptx."""
    from pptx.opc.package import _Relationships

    from reportgen.pipeline import prepare, render

    scans = 0
    original = _Relationships._get_matching

    def counting(self, *args, **kwargs):
        nonlocal scans
        scans += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_Relationships, "_get_matching", counting)
    urls = [f"https://example.org/s/{i}" for i in range(300)]
    brief = write_brief(sources=[{"title": f"Source {i}", "url": u} for i, u in enumerate(urls)])
    data = render(prepare(brief), "pptx").data
    deck = Presentation(io.BytesIO(data))
    # The template's own parts and a few per slide (the sources slides), not one per link.
    # (The deck's table and quote slides, issue 11, brought 50 + 8 per slide near 300 links.)
    assert scans < min(50 + 8 * len(deck.slides), len(urls))
    linked = {rel.target_ref for slide in deck.slides
              for rel in slide.notes_slide.part.rels.values() if rel.is_external}
    assert linked >= set(urls)


def test_a_single_enormous_word_is_split_no_further_than_the_slides_need(write_brief,
                                                                         monkeypatch):
    """A word wider than a line is broken between characters; it used to be split whole at
    every size and every resumption tried (a 900,000-character word: 19 s), now only as far
    as the lines asked for."""
    from reportgen.errors import RenderError
    from reportgen.pipeline import prepare
    from reportgen.writers import get_writer
    from reportgen.writers.pptx import measure

    calls = 0
    original = measure.run_width

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(measure, "run_width", counting)
    document = prepare(write_brief("word", situation="x" * 300_000)).document
    with pytest.raises(RenderError) as caught:
        get_writer("pptx").check(document)
    assert "situation" in str(caught.value)
    assert calls < 300_000  # before: over 2,000,000 (the word, per size tried)
