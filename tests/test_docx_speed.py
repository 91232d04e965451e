"""The memo writer stays linear on the largest briefs the loader accepts (issue 9, item 3).

Not timed in process (timings are flaky on shared machines): the lookups python-docx makes by
scanning every style or every relationship are counted instead, and must not grow with the
brief. One subprocess run of a 4,900-actor brief, read back with a fresh python-docx load,
guards the whole command with a generous bound.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml
from docx.opc.rel import Relationships
from docx.oxml.styles import CT_Styles

from reportgen.pipeline import prepare, render
from tests.conftest import ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# python-docx methods that walk every style or every relationship of a part on each call:
# once per paragraph or per link, they make rendering quadratic.
SCANS = {
    "default style": (CT_Styles, "default_for"),
    "style by id": (CT_Styles, "get_by_id"),
    "relationship by type": (Relationships, "_get_rel_of_type"),
    "matching relationship": (Relationships, "_get_matching"),
}


def linked_actors(n: int) -> list[dict]:
    return [{"name": f"Actor {i:04d}", "role": "Adviser", "affiliation": "Ministry",
             "url": f"https://example.org/actors/{i:04d}"} for i in range(n)]


def count_scans(monkeypatch, brief: Path) -> Counter:
    """The scans one memo of `brief` makes once its look is kept (`StyledBases`): rendered
    once first, so the count is the same whichever test ran before."""
    render(prepare(brief), "docx")
    counts: Counter = Counter()
    for label, (cls, name) in SCANS.items():
        original = getattr(cls, name)

        def counted(*args, _original=original, _label=label, **kwargs):
            counts[_label] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)
    free_rid = Relationships._next_rId

    def next_rid(self):
        counts["free relationship id"] += 1
        return free_rid.fget(self)

    monkeypatch.setattr(Relationships, "_next_rId", property(next_rid))
    render(prepare(brief), "docx")
    monkeypatch.undo()
    return counts


def test_style_and_relationship_scans_do_not_grow_with_the_number_of_actors(write_brief,
                                                                            monkeypatch):
    few = count_scans(monkeypatch, write_brief("few", actors=linked_actors(20)))
    many = count_scans(monkeypatch, write_brief("many", actors=linked_actors(2_000)))
    assert many == few


def test_a_4900_actor_brief_renders_as_a_full_table_with_working_links(tmp_path, sample_data):
    actors = [{"name": f"Actor {i:04d}", "role": "Adviser"} for i in range(4_900)]
    actors[0]["url"] = "https://example.org/first-actor"
    brief = tmp_path / "crowded.yaml"
    brief.write_text(yaml.safe_dump(dict(sample_data, actors=actors), allow_unicode=True,
                                    sort_keys=False), encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "reportgen", "docx", str(brief), "--out", str(tmp_path)],
            capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("reportgen docx did not finish a 4,900-actor brief within 60 s")
    assert proc.returncode == 0, proc.stderr

    memo = docx.Document(io.BytesIO((tmp_path / "crowded.docx").read_bytes()))
    table = memo.tables[0]
    assert len(table.rows) == 1 + 4_900
    assert table.rows[4_900].cells[0].text == "Actor 4899"
    first = table.rows[1].cells[0].paragraphs[0]._p
    link = first.find(f"{{{W}}}hyperlink")
    assert link is not None
    rel = memo.part.rels[link.get(f"{{{R}}}id")]
    assert rel.is_external and rel.target_ref == "https://example.org/first-actor"
    assert "".join(t.text for t in link.iter(f"{{{W}}}t")) == "Actor 0000"


def test_memos_are_written_into_a_kept_styled_base_with_the_same_bytes():
    """The built-in look is applied once per profile and language (issue 15); a memo written
    with it kept is the memo written with it applied afresh."""
    from reportgen.writers.docx import STYLED, StyledBases

    english = prepare(ROOT / "briefs" / "pmf-tillerson.yaml")
    arabic = prepare(ROOT / "briefs" / "pmf-tillerson-ar.yaml")
    STYLED.clear()
    fresh = render(english, "docx").data
    assert (STYLED.misses, STYLED.hits) == (1, 0)
    assert render(english, "docx").data == fresh and STYLED.hits == 1
    fresh_arabic = render(arabic, "docx").data  # another language and direction
    assert STYLED.misses == 2
    assert render(arabic, "docx").data == fresh_arabic and STYLED.hits == 2
    with zipfile_of(fresh) as memo:  # the look is there: styles, numbering, page
        styles = memo.read("word/styles.xml").decode()
        assert 'w:styleId="Title"' in styles and "reportgen-bullets" not in styles
        assert b"w:abstractNum" in memo.read("word/numbering.xml")
    small = StyledBases(size=1)
    from reportgen.writers.docx.plan import plan_memo

    for job in (english, arabic, english):
        plan = plan_memo(job.document)
        small.open(plan, job.document.look, job.document.meta.language,
                   job.document.meta.direction == "rtl")
    assert len(small) == 1 and small.misses == 3


def zipfile_of(data: bytes):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data))


def test_memo_finds_each_default_style_once_and_writes_what_python_docx_writes(monkeypatch):
    """`StyleVals` answers `Paragraph.style =` / `Table.style =` with the default style found
    once per kind (python-docx scanned every style for it on each assignment), and its answers
    are python-docx's own: None for the default style, the id for any other."""
    from docx.enum.style import WD_STYLE_TYPE

    from reportgen.writers.docx.memo import StyleVals

    counts = count_scans(monkeypatch, ROOT / "briefs" / "pmf-tillerson.yaml")
    assert counts["default style"] <= 2  # paragraphs and tables, once each
    doc = docx.Document(io.BytesIO(render(prepare(ROOT / "briefs" / "pmf-tillerson.yaml"),
                                          "docx").data))
    vals = StyleVals(doc.styles)
    checked = 0
    for style in doc.styles:
        for kind in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.TABLE):
            if style.type == kind:
                assert vals(style.style_id, kind) == doc.part.get_style_id(style, kind)
                checked += 1
    assert vals("NoSuchStyle", WD_STYLE_TYPE.PARAGRAPH) is None  # the default, as python-docx
    assert checked > 10


def test_the_built_in_memo_carries_only_the_table_styles_it_uses():
    # python-docx's default document brings 101 of Word 2010's table styles (~300 KB of XML
    # that every memo parsed, wrote and hashed again); the built-in look uses one of its own.
    import zipfile

    data = render(prepare(ROOT / "briefs" / "pmf-tillerson.yaml"), "docx").data
    styles_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")
    assert len(styles_xml) < 100_000
    memo = docx.Document(io.BytesIO(data))  # a fresh load: the styles it needs are all there
    styles = memo.styles.element
    table_ids = {el.get(f"{{{W}}}styleId") for el in styles.iterchildren(f"{{{W}}}style")
                 if el.get(f"{{{W}}}type") == "table"}
    used = {el.get(f"{{{W}}}val") for el in memo.element.iter(f"{{{W}}}tblStyle")}
    assert used and used <= table_ids
    default = [el.get(f"{{{W}}}styleId") for el in styles.iterchildren(f"{{{W}}}style")
               if el.get(f"{{{W}}}type") == "table" and el.get(f"{{{W}}}default") == "1"]
    assert table_ids == used | set(default)
    assert len(memo.styles) > 60  # paragraph and character styles all stay (Heading 3 etc.)


def test_dropping_table_styles_keeps_what_a_kept_one_is_based_on():
    from docx.oxml import parse_xml

    from reportgen.writers.docx.look import drop_unused_table_styles

    def style(sid, kind="table", based=None, default=False):
        return (f'<w:style w:type="{kind}" w:styleId="{sid}"'
                + (' w:default="1"' if default else "") + ">"
                + (f'<w:basedOn w:val="{based}"/>' if based else "") + "</w:style>")

    styles = parse_xml(f'<w:styles xmlns:w="{W}">' + "".join([
        style("Plain", default=True), style("Grid", based="Plain"), style("Mine", based="Grid"),
        style("Other"), style("Another", based="Other"), style("Para", "paragraph"),
        style("Loop", based="Loop2"), style("Loop2", based="Loop")]) + "</w:styles>")
    assert drop_unused_table_styles(styles, {"Mine", "Loop"}) == 2
    assert [el.get(f"{{{W}}}styleId") for el in styles] == [
        "Plain", "Grid", "Mine", "Para", "Loop", "Loop2"]


def test_font_subsets_are_kept_recorded_and_bounded(tmp_path, monkeypatch):
    """A memo's font subsets come from the cache after the first cut; a damaged cached subset
    is cut again (never embedded); the cache keeps SUBSETS_KEPT subsets, the most recently
    cut or used."""
    from fontTools.subset import Subsetter
    from fontTools.ttLib import TTFont

    from reportgen.fonts import family
    from reportgen.writers.docx import package

    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "cache"))
    face = family("Source Sans 3").files["regular"]
    text = frozenset(map(ord, "Situation"))
    first = package.subset_font(face, text)
    [entry] = (tmp_path / "cache" / "fonts" / "docx-subsets").glob("*.ttf")
    assert entry.read_bytes() == first and entry.with_name(entry.name + ".sha256").is_file()
    assert set(TTFont(io.BytesIO(first)).getBestCmap()) == text

    entry.write_bytes(first[:100])  # damaged: its record no longer matches
    cut: list[int] = []
    monkeypatch.setattr(Subsetter, "subset", _spy(cut, Subsetter.subset))
    assert package.subset_font(face, text) == first and cut == [1]
    assert entry.read_bytes() == first
    assert package.subset_font(face, text) == first and cut == [1]  # from the cache

    monkeypatch.setattr(package, "SUBSETS_KEPT", 3)
    os.utime(entry, ns=(1, 10**9))  # the oldest, then used again: kept

    def cut_with(extra: str) -> Path:
        before = set(entry.parent.glob("*.ttf"))
        package.subset_font(face, text | {ord(extra)})
        [made] = set(entry.parent.glob("*.ttf")) - before
        return made

    a, b = cut_with("x"), cut_with("y")
    assert package.subset_font(face, text) == first  # a hit: marked used
    os.utime(a, ns=(1, 2 * 10**9))  # now the least recently cut or used
    c = cut_with("z")
    assert sorted(entry.parent.glob("*.ttf")) == sorted([entry, b, c])
    assert len(list(entry.parent.glob("*.sha256"))) == 3


def _spy(calls: list, method):
    def spied(self, *args, **kwargs):
        calls.append(1)
        return method(self, *args, **kwargs)

    return spied
