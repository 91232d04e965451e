"""The deck writer's shortcuts (issue 15) give the bytes python-pptx's own calls give."""

from __future__ import annotations

from reportgen.pipeline import prepare, render
from reportgen.writers.pptx import output
from tests.conftest import ROOT


def test_copied_rectangles_are_the_ones_python_pptx_makes(monkeypatch):
    for brief in ("pmf-tillerson.yaml", "pmf-tillerson-ar.yaml"):
        job = prepare(ROOT / "briefs" / brief)
        made: list[int] = []
        original = output.RectShapes.add

        def counted(self, slide, rect, name, original=original, made=made):
            made.append(1)
            return original(self, slide, rect, name)

        with monkeypatch.context() as m:
            m.setattr(output.RectShapes, "add", counted)
            copied = render(job, "pptx").data
        assert len(made) > 3, brief  # several rectangles, most of them copies
        with monkeypatch.context() as m:
            m.setattr(output.RectShapes, "add",
                      lambda self, slide, rect, name: output._add_rect(slide, rect, name))
            assert render(job, "pptx").data == copied, brief


def test_placeholders_are_found_as_python_pptx_lists_them():
    import copy as copy_module

    from pptx import Presentation

    from reportgen.writers.pptx.output import placeholder_elements

    deck = Presentation()  # every layout of python-pptx's template: all placeholder kinds
    for layout in deck.slide_layouts:
        slide = deck.slides.add_slide(layout)
        tree = slide.shapes._spTree
        expected = {ph.placeholder_format.idx: ph._element for ph in slide.placeholders}
        assert placeholder_elements(tree) == expected
        assert list(placeholder_elements(tree)) == list(expected)  # in idx order
    # two placeholders with one idx: the later in the tree, as the dict of python-pptx's
    # sorted list keeps it
    first = next(iter(slide.placeholders))._element
    twin = copy_module.deepcopy(first)
    slide.shapes._spTree.append(twin)
    expected = {ph.placeholder_format.idx: ph._element for ph in slide.placeholders}
    found = placeholder_elements(slide.shapes._spTree)
    assert found == expected and found[0] is twin


def test_moving_a_shape_writes_the_xml_python_pptx_writes():
    import copy

    from lxml import etree
    from pptx import Presentation

    from reportgen.writers.pptx.output import move

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])  # title and content: no a:xfrm yet
    box = slide.shapes.add_textbox(10, 20, 30, 40)  # one with its a:xfrm
    for shape in [*slide.placeholders, box]:
        ours, theirs = copy.deepcopy(shape._element), copy.deepcopy(shape._element)
        move(ours, 914400, 457200, 1828800, 2743200)
        # what shape.left, .top, .width, .height = ... do (placeholders and shapes alike)
        theirs.x, theirs.y, theirs.cx, theirs.cy = 914400, 457200, 1828800, 2743200
        assert etree.tostring(ours) == etree.tostring(theirs)
        assert b"<a:off " in etree.tostring(ours)
