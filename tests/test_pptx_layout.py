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


def text_frames(slide) -> list:
    """The text frames below the title: shapes' frames and the cells of native tables."""
    out = []
    for shape in content_shapes(slide):
        if shape.has_text_frame:
            out.append(shape.text_frame)
        elif shape.has_table:
            out += [cell.text_frame for row in shape.table.rows for cell in row.cells]
    return out


def sizes_of(slide) -> set[float]:
    return {r.font.size.pt for frame in text_frames(slide)
            for p in frame.paragraphs for r in p.runs if r.font.size}


def table_rows(slide) -> int:
    """Body rows of the slide's native tables (the header row not counted)."""
    return sum(len(shape.table.rows) - 1 for shape in content_shapes(slide) if shape.has_table)


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
            1 for frame in text_frames(s) for p in frame.paragraphs for r in p.runs
            if r.font.size and r.font.size.pt == pt)) for s in slides]
        assert len(set(body)) == 1, f"{title}: parts at {body}"
        counts = [sum(1 for shape in content_shapes(s) if shape.has_text_frame
                      for p in shape.text_frame.paragraphs if p.text.strip())
                  if title == "Situation" else table_rows(s) if title.endswith("at a glance")
                  else sum(1 for shape in content_shapes(s) if has_text(shape)) for s in slides]
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
    # The table slides first (12 rows over two), then the cards; the quote slide on its own.
    plan = pptx.plan(prepare(path).document)
    kinds = [s.kind for s in plan.slides if s.section == "actors"]
    assert kinds == ["table"] * 2 + ["cards"] * (actors.slides - 2)
    quote = found.section("quote")
    assert quote.slides == 1 and len(quote.fill) == 1 and 20 <= quote.type_pt <= 40


@pytest.mark.skipif(__import__("shutil").which("soffice") is None,
                    reason="LibreOffice is not installed")
@pytest.mark.parametrize("name", ["one", "five", "eight"])
def test_libreoffice_keeps_every_word_inside_its_frame(briefs, name, tmp_path):
    from tests.test_pptx import assert_every_word_is_inside_a_frame, libreoffice_pdf, plan_of

    path, _ = briefs[name]
    pdf = libreoffice_pdf(render(path), tmp_path, name)
    assert_every_word_is_inside_a_frame(pdf, plan_of(path))


# ---------------------------------------------------------------------------------------------
# The quote slide, "at a glance", and the review's small fixes (issue 11, second part)


def write_variant(folder, name: str, **changes):
    import yaml

    base = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**base, **changes}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def sample_actors() -> list[dict]:
    import yaml

    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["actors"]


def quote_slide_of(prs):
    """The slide after the last 'Actors' card slide."""
    slides = list(prs.slides)
    last = max(i for i, s in enumerate(slides) if base_title(title_of(s)) == "Actors")
    return slides[last + 1]


def text_paragraphs(slide) -> list[tuple[str, float]]:
    """(text, largest run size) of each paragraph of the slide's content text frames."""
    return [(" ".join(untypeset(p.text).split()), max(r.font.size.pt for r in p.runs))
            for shape in content_shapes(slide) if has_text(shape)
            for p in shape.text_frame.paragraphs if p.runs]


def test_the_first_quote_gets_a_slide_of_its_own_in_large_type(briefs):
    from tests.test_pptx import assert_every_frame_fits, notes_of

    _, prs = briefs["sample"]
    slide = quote_slide_of(prs)
    assert untypeset(title_of(slide)) == "Rex Tillerson"  # the speaker names the slide
    paras = text_paragraphs(slide)
    assert paras[0] == ("“go home”", 40.0)  # a short quote at the largest size
    assert [t for t, _ in paras[1:]] == ["Secretary of State, United States",
                                         "— To reporters in Riyadh, before leaving for Baghdad"]
    assert all(size < 40.0 for _, size in paras[1:])
    notes = notes_of(slide)
    for text, _ in paras:
        assert text in notes  # the notes say what the slide shows
    assert assert_every_frame_fits(prs) > 30


def test_the_featured_actor_or_else_the_first_with_a_quote_gets_the_quote_slide(tmp_path):
    from tests.test_pptx import assert_every_frame_fits

    actors = sample_actors()
    featured = [dict(a, featured=True) if a["name"] == "Hadi al-Amiri" else a for a in actors]
    prs = open_deck(render(write_variant(tmp_path, "featured", actors=featured)))
    slide = quote_slide_of(prs)
    assert untypeset(title_of(slide)) == "Hadi al-Amiri"
    assert text_paragraphs(slide)[0][0] == "“no one welcomes his trip to Baghdad”"
    assert text_paragraphs(slide)[0][1] >= 20.0
    assert assert_every_frame_fits(prs) > 30

    # No one featured (Soleimani, who has no quote, first): the first actor with a quote.
    reordered = [actors[5], *actors[1:5], actors[0]]
    prs = open_deck(render(write_variant(tmp_path, "first", actors=reordered)))
    slide = quote_slide_of(prs)
    assert untypeset(title_of(slide)) == "Qais al-Khazali"
    quote, size = text_paragraphs(slide)[0]
    assert quote.startswith("“The Foreign Minister of America") and quote.endswith("delays”")
    assert 20.0 <= size <= 40.0


def test_a_long_quote_is_set_as_large_as_fits_and_nothing_overflows(briefs):
    from tests.test_pptx import assert_every_frame_fits

    _, prs = briefs["twelve"]
    slide = quote_slide_of(prs)
    quote, size = text_paragraphs(slide)[0]
    assert quote == f"“{twelve_actors()[0]['quote']}”"
    assert 20.0 <= size < 40.0
    assert assert_every_frame_fits(prs) > 60


def glance_tables(prs) -> list[tuple[str, object]]:
    return [(untypeset(title_of(s)), sh.table) for s in prs.slides for sh in s.shapes
            if sh.has_table]


def cell_text(cell) -> str:
    return " ".join(untypeset(cell.text_frame.text).split())


def test_six_actors_open_with_a_native_table_of_all_of_them(briefs):
    _, prs = briefs["sample"]
    (title, table), = glance_tables(prs)
    assert title == "Actors at a glance"
    slides = list(prs.slides)
    at = next(i for i, s in enumerate(slides) if title_of(s) == "Actors at a glance")
    assert base_title(title_of(slides[at + 1])) == "Actors"  # then the cards
    rows = [[cell_text(c) for c in row.cells] for row in table.rows]
    assert rows[0] == ["Name", "Role and affiliation", "Stance"]
    actors = sample_actors()
    assert len(rows) == len(actors) + 1
    for row, actor in zip(rows[1:], actors, strict=True):
        assert row[:2] == [actor["name"], f"{actor['role']}, {actor['affiliation']}"]
        assert row[2] == actor["stance"]
    sizes = {r.font.size.pt for row in table.rows for c in row.cells
             for p in c.text_frame.paragraphs for r in p.runs}
    assert min(sizes) >= 12.0


def test_twelve_actors_with_long_stances_split_the_table_evenly_and_every_cell_fits(tmp_path):
    from tests.test_pptx import assert_every_frame_fits, table_cells

    actors = twelve_actors()
    for a in actors:
        a["stance"] = a["stance"] + " " + a["stance"].replace("Calls", "It calls")
    prs = open_deck(render(write_variant(tmp_path, "long", actors=actors)))
    tables = glance_tables(prs)
    assert len(tables) >= 2
    assert [t for t, _ in tables] == [f"Actors at a glance ({n} of {len(tables)})"
                                      for n in range(1, len(tables) + 1)]
    counts = [len(table.rows) - 1 for _, table in tables]
    assert sum(counts) == 12 and max(counts) - min(counts) <= 1
    names = [cell_text(row.cells[0]) for _, table in tables for row in list(table.rows)[1:]]
    assert names == [untypeset(a["name"]) for a in actors]
    for _, table in tables:
        assert cell_text(table.rows[0].cells[0]) == "Name"  # the header on every part
        for row in list(table.rows)[1:]:
            stance = cell_text(row.cells[2])
            full = " ".join(untypeset(actors[names.index(cell_text(row.cells[0]))]
                                      ["stance"]).split())
            # Whole: a larger size that would cut the stance short is not taken.
            assert stance == full
    # Every cell holds its text when measured again from the saved rows, columns and margins.
    shapes = [sh for s in prs.slides for sh in s.shapes if sh.has_table]
    assert sum(len(table_cells(sh)) for sh in shapes) == 3 * (12 + len(tables))
    assert assert_every_frame_fits(prs) > 60


def test_fewer_than_five_actors_give_no_table(tmp_path, briefs):
    prs = open_deck(render(write_variant(tmp_path, "four", actors=sample_actors()[:4])))
    assert glance_tables(prs) == []
    assert not any("at a glance" in title_of(s) for s in prs.slides)
    _, one = briefs["one"]
    assert glance_tables(one) == []


def test_actor_notes_use_the_documents_wording_for_role_and_attribution(briefs):
    from tests.test_pptx import section_notes

    _, prs = briefs["sample"]
    notes = section_notes(prs)["Actors"]
    assert "Rex Tillerson Secretary of State, United States" in notes
    assert "“go home” — To reporters in Riyadh, before leaving for Baghdad" in notes
    assert "(To reporters in Riyadh" not in notes and "Tillerson — Secretary" not in notes


def test_the_reference_deck_is_the_file_the_registry_names(tmp_path, monkeypatch):
    import dataclasses
    import shutil

    from reportgen import writers
    from tests.test_pptx import office_default_deck, plan_of

    writer = dataclasses.replace(writers.get_writer("pptx"), reference="brand.pptx")
    monkeypatch.setitem(writers.REGISTRY, "pptx", writer)
    templates = tmp_path / "templates"
    (templates / "mei").mkdir(parents=True)
    shutil.copy(SAMPLE.parent.parent / "templates" / "mei" / "profile.yaml",
                templates / "mei" / "profile.yaml")
    shutil.copy(office_default_deck(tmp_path), templates / "mei" / "brand.pptx")
    plan = plan_of(SAMPLE, templates)
    assert plan.reference is not None and plan.reference.name == "brand.pptx"


def test_a_one_word_field_is_counted_as_one_word(write_brief):
    from reportgen.errors import RenderError
    from reportgen.pipeline import prepare
    from reportgen.writers import get_writer

    document = prepare(write_brief("word", situation="x" * 300_000)).document
    with pytest.raises(RenderError) as caught:
        get_writer("pptx").check(document)
    assert "(this field has 1 word)" in str(caught.value)
