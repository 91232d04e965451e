"""The one-pager's layout fits its content (issue 11), read back with pdfplumber: balanced
columns, one column for a short brief, type and spacing that grow to fill the page, "(continued)"
over a table carried into the next column, no single word alone on a display line."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest

from reportgen.pipeline import prepare
from reportgen.writers import pdf

LEADING = 1.32  # body leading, as a multiple of the body size


def render(brief: Path):
    return pdf.render(prepare(brief).document)


def body_size(page) -> float:
    sizes = [round(c["size"], 2) for c in page.chars
             if c["text"].isalpha() and "Regular" in c["fontname"]]
    return max(set(sizes), key=sizes.count)


def footer_rule_top(page) -> float:
    """The hairline over the disclaimer: the lowest rule across the whole text width."""
    wide = [ln for ln in page.lines if ln["x1"] - ln["x0"] > page.width * 0.8]
    return max(ln["top"] for ln in wide)


def column_words(data: bytes) -> tuple[list[dict], list[dict], float]:
    """Words of the left and right columns (below the first section heading, above the footer)
    and the body size, from the PDF alone."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        words = page.extract_words(extra_attrs=["size", "fontname"])
        start = next(w for w in words if w["text"] in ("Situation", "Contexte"))["top"]
        end = footer_rule_top(page)
        middle = page.width / 2
        size = body_size(page)
    body = [w for w in words if start - 1 <= w["top"] and w["bottom"] < end]
    return ([w for w in body if w["x1"] < middle], [w for w in body if w["x0"] > middle], size)


def one_line_brief(write_brief, sample_data, name="one-line"):
    """The sample cut to one line a section, text only: the sample's map is left out, as these
    tests are about how short text fills the page (a short brief with pictures is in
    test_pdf_figures.py)."""
    return write_brief(
        name, situation="Tillerson told Iran-backed militias in Iraq to go home.",
        actors=sample_data["actors"][:1],
        leverage=dict(sample_data["leverage"], points=sample_data["leverage"]["points"][:1]),
        outlook=sample_data["outlook"][:1], map=None)


# ---------------------------------------------------------------------------------------------
# Balance


@pytest.mark.parametrize("shape", ["sample", "longer"])
def test_two_columns_end_within_two_body_lines_of_each_other(shape, sample_brief, write_brief,
                                                             sample_data):
    if shape == "sample":
        brief = sample_brief
    else:  # a situation of five paragraphs: the type shrinks, the columns still end level
        paras = sample_data["situation"].split("\n\n")
        brief = write_brief("longer", situation="\n\n".join([*paras, *paras, paras[0]]))
    rendered = render(brief)
    left, right, size = column_words(rendered.data)
    assert rendered.findings.columns == 2
    assert left and right, "no column is empty while the other has content"
    difference = abs(max(w["bottom"] for w in left) - max(w["bottom"] for w in right))
    assert difference <= 2 * LEADING * size, (difference, size)


def test_sources_never_head_the_right_column_alone(sample_brief):
    left, right, _ = column_words(render(sample_brief).data)
    first = min(right, key=lambda w: (w["top"], w["x0"]))
    assert first["text"] != "Sources"
    assert any(w["text"] == "Sources" for w in right)  # it follows Outlook, as written


# ---------------------------------------------------------------------------------------------
# A short brief: one column, larger type, opened spacing


def test_a_one_line_brief_is_set_in_one_column_at_a_larger_size(write_brief, sample_data):
    rendered = render(one_line_brief(write_brief, sample_data))
    found = rendered.findings
    assert found.columns == 1
    assert 10 < found.body_pt <= 11.5  # the profile's body_pt is 10, its max_body_pt 11.5
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        page = doc.pages[0]
        assert body_size(page) == found.body_pt > 10  # the real size in the PDF
        words = page.extract_words(extra_attrs=["size", "fontname"])
        lines = page.extract_text_lines()
    start = next(w for w in words if w["text"] == "Situation")["top"] - 1
    body = [w for w in words if w["top"] > start and round(w["size"], 2) == found.body_pt]
    # one text column: on no line is there a gap as wide as a gutter between two words
    for word in body:
        line = sorted((w for w in body if abs(w["top"] - word["top"]) < 2),
                      key=lambda w: w["x0"])
        gaps = [b["x0"] - a["x1"] for a, b in zip(line, line[1:], strict=False)]
        assert max(gaps, default=0) < 12, [w["text"] for w in line]
    # a readable measure: the body's longest line holds 60-75 characters
    left = min(w["x0"] for w in body)
    longest = max(len(ln["text"]) for ln in lines if ln["x0"] >= left - 1
                  and round(ln["chars"][0]["size"], 2) == found.body_pt)
    assert 60 <= longest <= 75, longest


def test_a_one_line_brief_puts_its_headings_in_the_margin_left_of_the_text(write_brief,
                                                                          sample_data):
    data = render(one_line_brief(write_brief, sample_data)).data
    with pdfplumber.open(io.BytesIO(data)) as doc:
        words = doc.pages[0].extract_words()
    heading = next(w for w in words if w["text"] == "Situation")
    first = next(w for w in words if w["text"] == "Tillerson" and w["top"] > heading["top"] - 3)
    assert heading["x1"] < first["x0"]
    assert abs(heading["bottom"] - first["bottom"]) < 2  # level baselines


def test_findings_report_the_fill_of_the_text_area(sample_brief, write_brief, sample_data):
    full = pdf.check(prepare(sample_brief).document)
    assert full.fill is not None and 95 <= full.fill <= 100
    brief = one_line_brief(write_brief, sample_data)
    short = render(brief)
    assert short.findings == pdf.check(prepare(brief).document)
    assert short.findings.fill is not None and 40 <= short.findings.fill < full.fill
    # the figure is the page's: the lowest line of the columns over the text area's height
    with pdfplumber.open(io.BytesIO(short.data)) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        top = min(w["top"] for w in words if w["top"] > 50 and w["x0"] < 60)  # the title
        end = footer_rule_top(page)
        lowest = max(w["bottom"] for w in words if w["bottom"] < end)
    measured = 100 * (lowest - top) / (end - top)
    assert abs(measured - short.findings.fill) < 8, (measured, short.findings.fill)


def test_a_short_brief_opens_its_spacing_and_keeps_the_footer_at_the_foot(write_brief,
                                                                         sample_data):
    data = render(one_line_brief(write_brief, sample_data)).data
    with pdfplumber.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        words = page.extract_words(extra_attrs=["size", "fontname"])
        size = body_size(page)
        assert footer_rule_top(page) > page.height * 0.85
    situation = next(w for w in words if w["text"] == "Situation")
    actors = next(w for w in words if w["text"] == "Actors")
    text = [w for w in words if situation["top"] - 3 < w["top"] < actors["top"] - 3
            and round(w["size"], 2) == size]
    # from the situation's last line to the next heading: by design a little more than 0.95
    # of the body size (the heading's space before); opened on a short brief
    space = actors["top"] - max(w["bottom"] for w in text)
    assert space > 1.5 * 0.95 * size, (space, size)


def test_one_column_briefs_give_identical_bytes(write_brief, sample_data):
    brief = one_line_brief(write_brief, sample_data)
    assert render(brief).data == render(brief).data


# ---------------------------------------------------------------------------------------------
# Continued headings


def test_an_actors_table_broken_between_columns_repeats_its_heading(write_brief):
    data = render(write_brief(map=None)).data  # the text alone: no map heads the right column
    _, right, _ = column_words(data)
    text = " ".join(w["text"] for w in sorted(right, key=lambda w: (round(w["top"]), w["x0"])))
    assert text.startswith("Actors (continued) Haider"), text[:60]
    bold = [w for w in right if w["text"] in ("Actors", "(continued)")]
    assert all("Bold" in w["fontname"] for w in bold)


def test_the_continued_heading_is_in_the_brief_language(write_brief):
    data = render(write_brief("fr", language="fr", map=None)).data
    _, right, _ = column_words(data)
    text = " ".join(w["text"] for w in sorted(right, key=lambda w: (round(w["top"]), w["x0"])))
    assert text.startswith("Acteurs (suite)"), text[:60]


# ---------------------------------------------------------------------------------------------
# No runts


def last_lines_of(data: bytes, size_of: float) -> list[str]:
    """The last line of each block set at `size_of` points (the headline's size)."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        lines = doc.pages[0].extract_text_lines()
    ours = [ln["text"] for ln in lines if abs(ln["chars"][0]["size"] - size_of) < 0.01]
    return ours[-1:]


TITLES = [
    "Iraq’s militias rebuff Tillerson’s call to go home, and Baghdad defends them as a state force",
    "Iraq’s Popular Mobilization Forces rebuff Tillerson’s call for “Iranian militias” to leave",
    "Commanders close to Tehran answer Secretary Tillerson with a call for all U.S. troops to go",
    "Baghdad defends the P.M.F. as a state institution after Tillerson tells Iran’s militias to go",
]


@pytest.mark.parametrize("title", TITLES)
def test_no_headline_ends_with_a_single_word_on_its_last_line(title, write_brief):
    rendered = render(write_brief("runt", title=title))
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        chars = doc.pages[0].chars
    title_size = max(c["size"] for c in chars)
    (last,) = last_lines_of(rendered.data, title_size)
    assert len(last.split()) >= 2, last


def test_role_lines_and_quote_sources_never_end_with_a_single_word(write_brief, sample_data):
    # entries whose role line or quote source would wrap just one word onto a line of its own
    base = sample_data["actors"][0]
    actors = []
    for n in range(8):
        filler = " ".join(["regional"] * n)
        actors.append(dict(base, name=f"Actor {n}", stance="Wants the militias out.",
                           role=f"Special envoy for {filler} security and the coalition",
                           quote="go home",
                           quote_source=f"To reporters {filler} in Riyadh before leaving for"
                                        " Baghdad"))
    rendered = render(write_brief("roles", actors=actors))
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        lines = [ln["text"] for ln in doc.pages[0].extract_text_lines()]
    for i, text in enumerate(lines):
        words = text.split()
        if words in (["coalition"], ["Baghdad"]):
            pytest.fail(f"a single word on a line: {lines[i - 1]!r} / {text!r}")
