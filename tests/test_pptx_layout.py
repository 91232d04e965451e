"""The deck's layout responds to its content (issue 11), checked on the saved file.

Every check reads the .pptx back with a fresh python-pptx load and measures shapes as drawn,
independent of the planner: which frame holds which paragraph, how much of the body area the
content block covers, how a continuing section divides its items, where the links point.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.conftest import SAMPLE
from tests.test_pptx import base_title, open_deck, render, title_of, twelve_actors, untypeset

EMU_PER_PT = 12700
FOOTERS = ("FOOTER", "DATE", "SLIDE_NUMBER")
PARAGRAPH = ("President Erdoğan said Turkey would clear a 30-km zone along the border of the "
             "Kurdish fighters it calls terrorists, and that the operation would go ahead "
             "whatever Washington decided. Officials in Ankara briefed that planning was "
             "complete and that the army was waiting only for the political order, while "
             "opposition parties questioned the cost. ") * 2


def body_area(prs) -> tuple[float, float]:
    """(top, height) in pt of the body placeholder of the deck's 'Title and Content' layout."""
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            if layout.name == "Title and Content":
                for ph in layout.placeholders:
                    if ph.placeholder_format.type.name in ("BODY", "OBJECT"):
                        return ph.top / EMU_PER_PT, ph.height / EMU_PER_PT
    raise AssertionError("no body placeholder")


def content_shapes(slide) -> list:
    """The shapes below the title: text frames, cards and bars, without title and footers."""
    out = []
    for shape in slide.shapes:
        if shape.is_placeholder and (shape.placeholder_format.type.name in FOOTERS
                                     or shape == slide.shapes.title):
            continue
        out.append(shape)
    return out


def content_sections(prs) -> list[tuple[str, list]]:
    """(section title without "(n of m)", its slides), for the slides between cover and close."""
    out: list[tuple[str, list]] = []
    for slide in list(prs.slides)[1:-1]:
        name = base_title(title_of(slide))
        if out and out[-1][0] == name:
            out[-1][1].append(slide)
        else:
            out.append((name, [slide]))
    return out


def has_text(shape) -> bool:
    """A text frame with text: card backgrounds and bars are shapes with empty frames."""
    return shape.has_text_frame and bool(shape.text_frame.text.strip())


def frame_paragraphs(shape) -> list[str]:
    return [" ".join(untypeset(p.text).split()) for p in shape.text_frame.paragraphs
            if p.text.strip()]


def sizes_of(slide) -> set[float]:
    return {r.font.size.pt for shape in content_shapes(slide) if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs if r.font.size}


@pytest.fixture(scope="module")
def briefs(tmp_path_factory) -> dict:
    import yaml

    base = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("layout")
    shapes = {
        "sample": {},
        "one": {"actors": base["actors"][:1], "situation": "Tillerson told them to go home.",
                "outlook": ["A limited operation before the summer is likely."]},
        "eight": {"actors": [dict(base["actors"][(0, 2, 3, 4, 5)[i % 5]], name=f"Actor {i}")
                             for i in range(8)]},
        "twelve": {"actors": twelve_actors()},
        "five": {"situation": "\n\n".join(f"({n}) {PARAGRAPH}" for n in range(1, 6))},
    }
    out = {}
    for name, changes in shapes.items():
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump({**base, **changes}, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        out[name] = (path, open_deck(render(path)))
    return out


@pytest.mark.parametrize("name", ["sample", "five", "twelve"])
def test_no_paragraph_of_the_brief_is_split_across_two_frames(briefs, name):
    path, prs = briefs[name]
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    wanted = [" ".join(p.split()) for p in re.split(r"\n\s*\n", data["situation"])]
    wanted += [" ".join(o.split()) for o in data["outlook"]]
    held = [para for slide in prs.slides for shape in content_shapes(slide)
            if shape.has_text_frame for para in frame_paragraphs(shape)]
    for text in wanted:
        assert any(text in para for para in held), f"split across frames: {text[:60]!r}"


@pytest.mark.parametrize("name", ["sample", "one", "eight", "twelve", "five"])
def test_every_content_slide_fills_its_body_area_or_ends_its_section(briefs, name):
    _, prs = briefs[name]
    top, height = body_area(prs)
    for title, slides in content_sections(prs):
        for n, slide in enumerate(slides, 1):
            shapes = content_shapes(slide)
            y0 = min(s.top for s in shapes) / EMU_PER_PT
            y1 = max(s.top + s.height for s in shapes) / EMU_PER_PT
            assert top - 1 <= y0 and y1 <= top + height + 1, title
            if n < len(slides):
                assert (y1 - y0) / height >= 0.65, (
                    f"{title} ({n} of {len(slides)}) uses {(y1 - y0) / height:.0%} of its body")
            # A short block is centred in the body area, not left hugging the top.
            assert abs((y0 - top) - (top + height - y1)) <= 2, title


@pytest.mark.parametrize("name", ["eight", "twelve", "five"])
def test_continuing_sections_use_one_size_and_even_item_counts(briefs, name):
    _, prs = briefs[name]
    continuing = [(t, s) for t, s in content_sections(prs) if len(s) > 1]
    assert continuing
    for title, slides in continuing:
        assert len(set().union(*(sizes_of(s) for s in slides))) <= 4, title  # one body size
        body = [max(sizes_of(s), key=lambda pt: sum(
            1 for shape in content_shapes(s) if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs
            if r.font.size and r.font.size.pt == pt)) for s in slides]
        assert len(set(body)) == 1, f"{title}: parts at {body}"
        counts = [sum(1 for shape in content_shapes(s) if shape.has_text_frame
                      for p in shape.text_frame.paragraphs if p.text.strip())
                  if title == "Situation" else
                  sum(1 for shape in content_shapes(s) if has_text(shape)) for s in slides]
        assert max(counts) - min(counts) <= 1, f"{title}: {counts}"


def test_eight_actors_go_four_and_four_and_a_single_card_does_not_stretch(briefs):
    _, prs = briefs["eight"]
    actors = [s for t, s in content_sections(prs) if t == "Actors"][0]
    assert [sum(1 for sh in content_shapes(s) if has_text(sh)) for s in actors] == [4, 4]
    _, one = briefs["one"]
    (slide,) = [s for t, s in content_sections(one) if t == "Actors"][0]
    (card,) = [sh for sh in content_shapes(slide) if has_text(sh)]
    width = one.slide_width / EMU_PER_PT
    assert card.width / EMU_PER_PT <= 0.6 * width
    middle = (card.left + card.width / 2) / EMU_PER_PT
    assert abs(middle - width / 2) <= 1  # the group is centred


def test_running_text_is_one_frame_at_a_readable_measure(briefs):
    _, prs = briefs["five"]
    for slide in [s for t, s in content_sections(prs) if t == "Situation"][0]:
        (frame,) = [sh for sh in content_shapes(slide) if has_text(sh)]
        for p in frame.text_frame.paragraphs:
            size = p.runs[0].font.size.pt
            # Average advance of the body face is about half the size: 60-90 characters.
            assert 55 <= frame.width / EMU_PER_PT / (0.5 * size) <= 95


def test_sources_slide_comes_before_the_closing_slide_with_working_links(briefs):
    _, prs = briefs["sample"]
    slides = list(prs.slides)
    assert title_of(slides[-2]) == "Sources"
    links = [r.hyperlink.address for sh in slides[-2].shapes if sh.has_text_frame
             for p in sh.text_frame.paragraphs for r in p.runs if r.hyperlink.address]
    assert links == ["https://www.mei.edu"]


def test_cover_gives_date_and_organisation_once_and_no_runt_headline(briefs):
    _, prs = briefs["sample"]
    cover = prs.slides[0]
    text = "\n".join(sh.text_frame.text for sh in cover.shapes if sh.has_text_frame)
    assert Counter(re.findall(r"24 October 2017", text))["24 October 2017"] == 1
    assert "Middle East Institute" not in text  # the built-in cover's label names it
    assert cover.shapes.title.text_frame.text.endswith("go\u00a0home")


def test_fill_of_each_slide_is_in_the_findings(briefs):
    from reportgen.pipeline import prepare
    from reportgen.writers import pptx

    path, _ = briefs["twelve"]
    found = pptx.check(prepare(path).document)
    actors = found.section("actors")
    assert len(actors.fill) == actors.slides
    assert all(0 < f <= 1 for f in actors.fill)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None,
                    reason="LibreOffice is not installed")
@pytest.mark.parametrize("name", ["one", "five", "eight"])
def test_libreoffice_keeps_every_word_inside_its_frame(briefs, name, tmp_path):
    import os
    import subprocess

    import pdfplumber

    from reportgen.fonts import cache_dir
    from tests.test_pptx import plan_of

    path, _ = briefs[name]
    deck_path = tmp_path / f"{name}.pptx"
    deck_path.write_bytes(render(path))
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{cache_dir()}</dir><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(deck_path)], check=True, capture_output=True, timeout=240,
                   env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    plan = plan_of(path)
    with pdfplumber.open(tmp_path / f"{name}.pdf") as doc:
        assert len(doc.pages) == len(plan.slides)
        for slide, page in zip(plan.slides, doc.pages, strict=True):
            if slide.kind == "title":
                continue  # its layout carries a decorative label outside any frame
            scale = page.width / plan.geometry.width
            for w in page.extract_words():
                x0, x1 = w["x0"] / scale, w["x1"] / scale
                top, bottom = w["top"] / scale, w["bottom"] / scale
                assert any(f.x - 3 <= x0 and x1 <= f.x + f.w + 3 and f.y - 6 <= top
                           and bottom <= f.y + f.h + 3 for f in slide.frames), (
                    f"{slide.title}: {w['text']!r} at ({x0:.0f}, {top:.0f}) is outside its frame")
