"""The PDF writer against hostile briefs and profiles (issue 9): links are data, never markup,
and a brief far too long for the page is refused at once, naming what to shorten.

Links are read back from the PDF with pypdf, not with the library that wrote them.
"""

from __future__ import annotations

import dataclasses
import io
import random
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import yaml
from typer.testing import CliRunner

from reportgen.brief import LoadedBrief, load_brief
from reportgen.brief.markup import Paragraph, Span, Text
from reportgen.cli import app
from reportgen.document import build_document
from reportgen.errors import RenderError
from reportgen.profile import LoadedProfile, find_profile
from reportgen.writers import pdf
from tests.conftest import DONOR_URL

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

INJECTION = 'https://ex.com/" href="javascript:app.alert(1)'


def pdf_of(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    return pdf.render(build_document(doc, lp)).data


def uris(data: bytes) -> list[str]:
    """Every link annotation's /URI, in page order."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    found = []
    for annot in page.get("/Annots", []):
        action = annot.get_object().get("/A")
        if action is not None and "/URI" in action:
            found.append(str(action["/URI"]))
    return found


def model_urls(doc: LoadedBrief, lp: LoadedProfile) -> set[str]:
    """Every URL the brief and the profile hold, as the model parsed them."""
    b = doc.brief
    texts = [b.summary, b.situation, b.outlook, *b.leverage.points,
             *(a.stance for a in b.actors if a.stance)]
    found = {href for text in texts for href in text.links()}
    found |= {s.href for a in b.actors if a.quote for s in a.quote if s.href}
    found |= {a.url for a in b.actors if a.url} | {s.url for s in b.sources if s.url}
    return found | {lp.profile.donor_note.url}


@pytest.fixture(scope="module")
def sample() -> tuple[LoadedBrief, LoadedProfile]:
    doc = load_brief(ROOT / "briefs" / "pmf-tillerson.yaml")
    return doc, find_profile(doc.brief.profile, None)


def with_urls(doc: LoadedBrief, lp: LoadedProfile, actor: str, sources: list[str], span: str,
              donor: str) -> tuple[LoadedBrief, LoadedProfile]:
    """The sample with these addresses put straight into the model, past its URL checks: the
    writer must be safe on its own."""
    b = doc.brief
    situation = Text((Paragraph((Span("See "), Span("the report", href=span), Span("."))),),
                     "See [the report](…).")
    first = b.sources[0]
    brief = b.model_copy(update={
        "actors": [b.actors[0].model_copy(update={"url": actor}), *b.actors[1:]],
        "sources": [first.model_copy(update={"url": url}) for url in sources],
        "situation": situation,
    })
    note = lp.profile.donor_note.model_copy(update={"url": donor})
    profile = lp.profile.model_copy(update={"donor_note": note})
    return dataclasses.replace(doc, brief=brief), dataclasses.replace(lp, profile=profile)


# ---------------------------------------------------------------------------------------------
# Links


def test_a_quote_in_any_link_cannot_add_a_javascript_action(sample):
    doc, lp = with_urls(*sample, actor=INJECTION, sources=[INJECTION + "&s"],
                        span=INJECTION + "&m", donor=INJECTION + "&d")
    found = uris(pdf_of(doc, lp))
    assert not [u for u in found if u.lower().startswith("javascript")], found
    assert set(found) == {INJECTION, INJECTION + "&s", INJECTION + "&m", INJECTION + "&d"}


def test_every_uri_is_exactly_the_address_given_whatever_it_escapes(sample):
    tricky = ["https://ex.com/a%20b?a=1&b=2#part", "https://ex.com/it's?x=1&copy=2",
              'https://ex.com/q="a"', "https://ex.com/&amp;&lt;&#39;", "https://ex.com/<b>x</b>",
              "https://ex.com/#top"]
    actor, span, donor = ("https://ex.com/who?a=1&b=2", "mailto:press@ex.com?subject=a%20b&body=c",
                          "https://ex.com/donors?x=%22'")
    doc, lp = with_urls(*sample, actor=actor, sources=tricky, span=span, donor=donor)
    assert set(uris(pdf_of(doc, lp))) == {*tricky, actor, span, donor}


def test_the_link_markup_keeps_the_address_inside_one_attribute():
    made = pdf.link(INJECTION + "'&<>", "label", "#000000")
    assert made == ('<a href="https://ex.com/&quot; href=&quot;javascript:app.alert(1)&#39;'
                    '&amp;&lt;&gt;" color="#000000" underline="1">label</a>')


@pytest.mark.parametrize("url", ["javascript:app.alert(1)", "#sec-actors", "document:x",
                                 "pdf:other.pdf", "file:///etc/passwd"])
def test_the_writer_links_nothing_but_http_https_and_mailto(url):
    # ReportLab reads '#…' and 'document:' as jumps inside the PDF and 'pdf:' as "open that
    # file": should the model ever let one through, the writer stops instead of linking it
    with pytest.raises(ValueError, match="without an http, https or mailto scheme"):
        pdf.link(url, "label", "#000000")


def test_every_uri_in_the_sample_is_a_url_of_the_brief_or_the_profile(sample):
    found = uris(pdf_of(*sample))
    assert set(found) <= model_urls(*sample)
    assert {"https://www.mei.edu", DONOR_URL} <= set(found)


def test_links_in_actors_sources_text_and_profile_come_out_as_written(write_brief, sample_data,
                                                                      tmp_path):
    actor_url, source_url = "https://ex.com/who?a=1&b=2", "https://ex.com/a%20b?a=1&b=2#frag"
    situation = ("See [the report](https://ex.com/r?x=1&y=2#s) and "
                 "[the office](mailto:press@ex.com?subject=a%20b).")
    actors = [dict(sample_data["actors"][0], url=actor_url), *sample_data["actors"][1:]]
    sources = [dict(sample_data["sources"][0], url=source_url)]
    brief = write_brief("links", actors=actors, sources=sources, situation=situation)
    result = runner.invoke(app, ["pdf", str(brief), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = load_brief(brief)
    expected = model_urls(doc, find_profile("mei", None))
    found = set(uris((tmp_path / "links.pdf").read_bytes()))
    assert found == expected
    assert {actor_url, source_url, "https://ex.com/r?x=1&y=2#s",
            "mailto:press@ex.com?subject=a%20b", DONOR_URL} <= found


def _profile_with_donor_url(tmp_path: Path, url: str) -> Path:
    templates = tmp_path / "templates"
    (templates / "mei").mkdir(parents=True)
    data = yaml.safe_load((ROOT / "templates" / "mei" / "profile.yaml").read_text("utf-8"))
    data["donor_note"]["url"] = url
    (templates / "mei" / "profile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                    encoding="utf-8")
    return templates


@pytest.mark.parametrize("field", ["actors[0].url", "sources[0].url", "donor_note.url"])
def test_a_quote_in_a_url_is_refused_at_its_field_or_stays_inside_the_link(
        field, write_brief, sample_data, tmp_path):
    actors, sources, extra = sample_data["actors"], sample_data["sources"], []
    if field == "actors[0].url":
        actors = [dict(actors[0], url=INJECTION), *actors[1:]]
    elif field == "sources[0].url":
        sources = [dict(sources[0], url=INJECTION)]
    else:
        extra = ["--templates", str(_profile_with_donor_url(tmp_path, INJECTION))]
    brief = write_brief("hostile", actors=actors, sources=sources)
    result = runner.invoke(app, ["pdf", str(brief), "--out", str(tmp_path / "out"), *extra])
    assert result.exit_code in (0, 1), result.output  # never 70: a URL is the user's input
    if result.exit_code == 1:  # the model refuses it, where it was written
        assert f": {field}: " in result.output, result.output
        return
    found = uris((tmp_path / "out" / "hostile.pdf").read_bytes())
    assert INJECTION in found
    assert not [u for u in found if "javascript" in u.split('"', 1)[0]], found


# ---------------------------------------------------------------------------------------------
# Briefs far too long for the page


def _words(n: int, seed: int, sample_data: dict) -> str:
    rng = random.Random(seed)
    words = sample_data["situation"].split()
    return " ".join(rng.choice(words) for _ in range(n))


def _line_of(path: Path, start: str) -> int:
    return next(i for i, text in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text.startswith(start))


def _run_pdf(brief: Path, out: Path) -> subprocess.CompletedProcess:
    # a subprocess, so that a regression shows as a timeout here rather than a stuck suite
    return subprocess.run([sys.executable, "-m", "reportgen", "pdf", str(brief), "--out",
                           str(out)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("case", ["850 KB brief", "20,000-word paragraph"])
def test_a_brief_far_too_long_is_refused_quickly_naming_its_longest_sections(
        case, write_brief, sample_data, tmp_path):
    if case == "850 KB brief":  # took minutes: ReportLab's line breaking is quadratic
        actor = sample_data["actors"][1]
        brief = write_brief("huge", situation=_words(60_000, 1, sample_data),
                            actors=[dict(actor, name=f"Actor {i}") for i in range(1_100)])
        assert brief.stat().st_size > 800_000
    else:
        brief = write_brief("huge", situation=_words(20_000, 2, sample_data))
    result = _run_pdf(brief, tmp_path / "out")
    assert result.returncode == 1, result.stderr
    # placed at the key of the longest section, the first one the message names
    longest = result.stderr.split("Longest sections: ", 1)[1]
    key = longest.split(" ", 1)[0]
    assert key == ("actors" if case == "850 KB brief" else "situation")
    assert result.stderr.startswith(f"{brief}:{_line_of(brief, key + ':')}:1: {key}: the "
                                    "one-pager does not fit on one page even at 8 pt body text: "
                                    "it overflows by at least ")
    assert "situation at least " in longest and "Shorten them; nothing was written." in longest
    assert not (tmp_path / "out" / "huge.pdf").exists()


def test_the_lower_bound_never_exceeds_the_height_reportlab_lays_out(sample, sample_data):
    doc, lp = sample
    document = build_document(doc, lp)
    body, arabic = pdf.profile_families(lp)
    st = pdf.make_styles(8.0, pdf._register(body), pdf._register(arabic), lp.profile)
    exact = pdf.measure(document, st, pdf._height)
    at_least = pdf.measure(document, st, pdf._height_at_least)
    assert at_least.room >= exact.room
    for key, height in exact.heights.items():
        assert 0.5 * height < at_least.heights[key] <= height, key


def test_an_actor_taller_than_a_column_is_named_at_its_key(write_brief, sample_data, tmp_path):
    # one table row per actor, and a row cannot break between the columns: today's message
    # said "it overflows by 0 pt"
    actor = dict(sample_data["actors"][0], stance=_words(700, 3, sample_data))
    brief = write_brief("tall", actors=[sample_data["actors"][1], actor], situation="Short.",
                        outlook="Short.", sources=None)
    result = runner.invoke(app, ["pdf", str(brief), "--out", str(tmp_path)])
    assert result.exit_code == 1
    line = brief.read_text("utf-8").splitlines().index("- name: Rex Tillerson") + 1
    assert result.output.startswith(f"{brief}:{line}:3: actors[1]: at 8 pt body text this "
                                    "actor's entry is ")
    assert "an entry cannot break between columns, so shorten its stance or quote" in \
        result.output
    validated = runner.invoke(app, ["validate", str(brief)])
    assert f"{brief}:{line}:3: error: actors[1]: at 8 pt body text" in validated.output


def test_a_disclaimer_that_fills_the_page_is_named_in_the_profile(sample, sample_data):
    doc, lp = sample
    profile = lp.profile.model_copy(update={"disclaimer": _words(8_000, 4, sample_data)})
    document = build_document(doc, dataclasses.replace(lp, profile=profile))
    with pytest.raises(RenderError, match=r"profile.yaml:\d+:\d+: disclaimer: at 8 pt the "
                                          "disclaimer and the donor note fill the whole page"):
        pdf.check(document)
