"""The one-pager is a tagged PDF (issue 14): its structure tree read back with pikepdf, its
marked content with pdfplumber, and checked by the validators we can run here: the `pdfua`
checker (the machine-checkable subset of PDF/UA-1), pikepdf's and qpdf's syntax checks, and
poppler's pdffonts and pdfinfo.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from reportgen.pipeline import prepare, render
from tests.conftest import ROOT, SAMPLE

ARABIC_BRIEF = ROOT / "briefs" / "pmf-tillerson-ar.yaml"
no_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None,
                                reason="poppler-utils is not installed")
no_qpdf = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")


def _pdf(brief: Path, folder: Path, templates: Path | None = None) -> tuple[Path, object]:
    prepared = prepare(brief, templates)
    path = folder / f"{brief.stem}.pdf"
    path.write_bytes(render(prepared, "pdf").data)
    return path, prepared.document


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return _pdf(SAMPLE, tmp_path_factory.mktemp("tagged"))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    return _pdf(ARABIC_BRIEF, tmp_path_factory.mktemp("tagged-ar"))


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    """The sample with key figures, the map and an image: every kind of tagged content."""
    import yaml

    from tests.conftest import write_figure_brief
    from tests.test_pdf_figures import short_text

    folder = tmp_path_factory.mktemp("tagged-fig")
    data = yaml.safe_load(SAMPLE.read_text("utf-8"))
    brief, templates = write_figure_brief(folder, dict(data, **short_text(data)))
    return _pdf(brief, folder, templates)


_OPEN: dict[Path, pikepdf.Pdf] = {}  # the elements below live as long as their file


def leaves(path: Path) -> list[pikepdf.Dictionary]:
    """The structure elements that hold marked content, in structure (reading) order."""
    pdf = _OPEN.setdefault(path, pikepdf.open(path))
    out = []

    def walk(e):
        kids = list(e.K) if isinstance(e.K, pikepdf.Array) else [e.K]
        if any(isinstance(k, int) for k in kids):
            out.append(e)
        for k in kids:
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.StructElem:
                walk(k)

    for top in pdf.Root.StructTreeRoot.K:
        walk(top)
    return out


def mcid(e) -> int:
    kids = list(e.K) if isinstance(e.K, pikepdf.Array) else [e.K]
    return next(int(k) for k in kids if isinstance(k, int))


def text_by_mcid(path: Path) -> dict[int | None, str]:
    out: dict[int | None, str] = defaultdict(str)
    with pdfplumber.open(path) as pdf:
        for c in pdf.pages[0].chars:
            out[c.get("mcid")] += c["text"]
    return out


def pdfua(path: Path) -> subprocess.CompletedProcess:
    """The pdfua checker, from this interpreter (its script is not on PATH under `make`)."""
    return subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)],
                          capture_output=True, text=True)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_catalog_says_tagged_with_title_language_and_pdfua_metadata(english):
    path, document = english
    pdf = pikepdf.open(path)
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(root.Lang) == "en"
    assert pdf.pages[0].obj.Tabs == pikepdf.Name.S
    with pdf.open_metadata() as meta:
        assert meta["dc:title"] == document.meta.title
        assert meta["pdfuaid:part"] == "1"
    assert str(pdf.docinfo["/Title"]) == document.meta.title


def test_every_mcid_on_the_page_is_in_the_tree_exactly_once(english):
    path, _ = english
    pdf = pikepdf.open(path)
    content = pdf.pages[0].Contents.read_bytes()
    on_page = [int(n) for n in re.findall(rb"<<\s*/MCID\s+(\d+)\s*>>\s*BDC", content)]
    in_tree = [mcid(e) for e in leaves(path)]
    assert len(on_page) == len(set(on_page)) > 40
    assert Counter(in_tree) == Counter(on_page)


def test_all_text_is_tagged_or_an_artifact(english):
    """Untagged text (no MCID) is only what the page repeats or decorates: the bullets and a
    heading repeated at a column's top; the prose is all in tagged content."""
    path, _ = english
    untagged = squash(text_by_mcid(path).get(None, ""))
    assert set(untagged) <= set("•Actors(continued)0123456789.")
    pdf = pikepdf.open(path)
    content = pikepdf.parse_content_stream(pdf.pages[0])
    depth = 0
    for ins in content:  # no text object or painting outside a marked-content sequence
        op = str(ins.operator)
        depth += op in ("BDC", "BMC")
        depth -= op == "EMC"
        if op in ("BT", "Tj", "TJ", "S", "f", "f*", "B", "Do"):
            assert depth > 0, op


def test_headings_are_in_document_order(english):
    path, document = english
    texts = text_by_mcid(path)
    h1 = [texts[mcid(e)] for e in leaves(path) if e.S == pikepdf.Name.H1]
    h2 = [squash(texts[mcid(e)]) for e in leaves(path) if e.S == pikepdf.Name.H2]
    assert squash(h1[0]) == squash(document.meta.title)
    wanted = [squash(s.heading.upper() if s.key == "summary" else s.heading)
              for s in document.sections]
    assert h2 == wanted


def test_structure_order_is_the_reading_order(english):
    """Masthead, bottom line, the first column top to bottom, then the second, then the
    footer's disclaimer and donor note, whatever order they were drawn in."""
    path, document = english
    texts = text_by_mcid(path)
    order = [squash(texts[mcid(e)]) for e in leaves(path)]
    flat = "".join(order)
    expected = [document.meta.organisation.upper(), document.meta.title]
    expected += [s.heading for s in document.sections if s.key != "summary"]
    expected += [document.closing.disclaimer]
    positions = [flat.find(squash(x)) for x in expected]
    assert -1 not in positions and positions == sorted(positions)
    assert order[-1].startswith(squash(document.closing.donor_before))


def test_actors_are_a_list_with_quotations(english):
    path, document = english
    pdf = pikepdf.open(path)
    found = []

    def walk(e):
        found.append(str(e.S))
        kids = list(e.K) if isinstance(e.K, pikepdf.Array) else [e.K]
        for k in kids:
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.StructElem:
                walk(k)

    walk(pdf.Root.StructTreeRoot.K[0])
    actors = next(s for s in document.sections if s.key == "actors").actors
    assert found.count("/LI") >= len(actors)
    assert found.count("/BlockQuote") == sum(1 for a in actors if a.quote)


def test_every_link_has_an_object_reference_and_a_description(english):
    path, _ = english
    pdf = pikepdf.open(path)
    page = pdf.pages[0].obj
    links = [a for a in page.Annots if a.Subtype == pikepdf.Name.Link]
    assert links
    parents = dict(zip(pdf.Root.StructTreeRoot.ParentTree.Nums[::2],
                       pdf.Root.StructTreeRoot.ParentTree.Nums[1::2], strict=True))
    for annot in links:
        elem = parents[int(annot.StructParent)]
        assert pikepdf.Name.Link == elem.S
        (objr,) = [k for k in elem.K if k.get("/Type") == pikepdf.Name.OBJR]
        assert objr.Obj.objgen == annot.objgen
        assert str(annot.Contents)


def test_every_figure_has_alt_text_and_a_box(figures):
    path, document = figures
    shapes = [e for e in leaves(path) if pikepdf.Name.Figure == e.S]
    alts = sorted(str(e.Alt) for e in shapes)
    wanted = sorted([document.map.alt, document.images[0].alt,
                     *([document.logo.alt] if document.logo else [])])
    assert alts == wanted
    for e in shapes:
        x0, y0, x1, y1 = (float(v) for v in e.A.BBox)
        assert x1 - x0 > 20 and y1 - y0 > 10


def test_key_figures_are_tagged_list_items(figures):
    path, document = figures
    texts = text_by_mcid(path)
    flat = "".join(squash(texts[mcid(e)]) for e in leaves(path))
    for entry in document.key_figures:
        assert squash(entry.value) + squash(entry.label) in flat


def test_an_arabic_page_is_tagged_arabic_and_the_english_notes_english(arabic):
    path, document = arabic
    pdf = pikepdf.open(path)
    assert str(pdf.Root.Lang) == "ar"
    english_notes = [e for e in leaves(path) if str(e.get("/Lang", "")) == "en"]
    assert len(english_notes) >= 2  # the disclaimer and the donor note (and the organisation)


@pytest.mark.parametrize("which", ["english", "arabic", "figures"])
def test_the_pdfua_checker_finds_nothing(which, request):
    path, _ = request.getfixturevalue(which)
    out = pdfua(path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no findings" in out.stdout


@pytest.mark.parametrize("which", ["english", "arabic", "figures"])
def test_pikepdf_finds_no_syntax_problem(which, request):
    path, _ = request.getfixturevalue(which)
    assert pikepdf.open(path).check_pdf_syntax() == []


@no_qpdf
@pytest.mark.parametrize("which", ["english", "arabic"])
def test_qpdf_check_passes(which, request):
    path, _ = request.getfixturevalue(which)
    out = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert out.returncode == 0 and "No syntax or stream encoding errors" in out.stdout, \
        out.stdout + out.stderr


@no_poppler
@pytest.mark.parametrize("which", ["english", "arabic"])
def test_every_font_is_embedded_with_unicode_and_poppler_says_tagged(which, request):
    path, _ = request.getfixturevalue(which)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        emb, sub, uni = line.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), line
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)


def test_a_validator_catches_untagged_content(english, tmp_path):
    """The checks above can fail: the same page with its structure tree removed."""
    path, _ = english
    pdf = pikepdf.open(path)
    del pdf.Root["/StructTreeRoot"]
    broken = tmp_path / "untagged.pdf"
    buf = io.BytesIO()
    pdf.save(buf)
    broken.write_bytes(buf.getvalue())
    out = pdfua(broken)
    assert out.returncode != 0 and "UA-01-005" in out.stdout


@pytest.mark.parametrize("arabic_text", [False, True])
def test_a_paragraph_split_over_two_columns_is_one_element(arabic_text, tmp_path):
    """Its two parts are two marked-content sequences of one P, not two paragraphs."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from reportgen.fonts import family
    from reportgen.profile import find_profile
    from reportgen.writers import pdf as onepager
    from reportgen.writers.pdf_rtl import Para
    from reportgen.writers.pdf_tags import Tagger, finish
    from tests.test_pdf_rtl import LONG

    profile = find_profile("mei").profile
    latin = onepager._register(family(profile.fonts.body))
    arabic = onepager._register(family("Noto Sans Arabic"))
    st = onepager.make_styles(10.0, latin, arabic, profile, direction="rtl" if arabic_text
                              else "ltr")
    text = LONG if arabic_text else " ".join(["The militias answered angrily."] * 12)
    tagger = Tagger()
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(400, 400), invariant=1)
    doc.addPageTemplates([PageTemplate("p", frames=[
        Frame(20, 300, 160, 40, id="a", leftPadding=0, rightPadding=0, topPadding=0,
              bottomPadding=0),
        Frame(200, 20, 160, 360, id="b", leftPadding=0, rightPadding=0, topPadding=0,
              bottomPadding=0)])])
    doc.build([Para(onepager.rl(text, st), st.body)],
              canvasmaker=onepager._canvas_with_clock(0, latin, tagger))
    path = tmp_path / "split.pdf"
    path.write_bytes(finish(buf.getvalue(), tagger, "t", "ar" if arabic_text else "en",
                            "2017-10-24T00:00:00+00:00"))
    (leaf,) = leaves(path)
    assert leaf.S == pikepdf.Name.P and [int(k) for k in leaf.K] == [0, 1]
