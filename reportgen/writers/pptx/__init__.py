"""PPTX briefing deck: plan the slides with measured text (layout), then draw them (output).

`plan(document)` is cheap and needs no python-pptx: it is what tests and `validate` inspect
(`check` gives its findings). `render(document)` draws the plan and returns the .pptx bytes
with the findings (the pipeline writes them). The pictures (key figures, the locator map,
images, the logo) are planned in `figures.py` with the same measure and drawn by `output.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.writers.pptx.layout import plan_deck
from reportgen.writers.pptx.model import DeckPlan, Frame, Rect, SlidePlan, Table

if TYPE_CHECKING:
    from reportgen.document import Document
    from reportgen.document.findings import Findings, Rendered


def plan(document: Document) -> DeckPlan:
    return plan_deck(document)


def check(document: Document) -> Findings:
    """The deck's layout findings without drawing it; RenderError where it cannot be made."""
    return plan(document).findings


def render(document: Document) -> Rendered:
    from reportgen.document.findings import Rendered
    from reportgen.writers.pptx.output import write_deck

    deck = plan(document)
    return Rendered(write_deck(deck, document.look), deck.findings)


__all__ = ["DeckPlan", "Frame", "Rect", "SlidePlan", "Table", "check", "plan", "render"]
