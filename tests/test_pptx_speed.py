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
