"""PPTX briefing deck: plan the slides with measured text (layout), then draw them (output).

`plan(doc, lp)` is cheap and needs no python-pptx: it is what tests and other tools inspect.
`render(doc, lp)` draws the plan and returns the .pptx bytes (the pipeline writes them).
"""

from __future__ import annotations

from reportgen.brief import LoadedBrief
from reportgen.profile import LoadedProfile
from reportgen.writers.pptx.layout import plan_deck
from reportgen.writers.pptx.model import DeckPlan, Frame, Rect, SlidePlan


def plan(doc: LoadedBrief, lp: LoadedProfile) -> DeckPlan:
    return plan_deck(doc, lp)


def render(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    from reportgen.writers.pptx.output import write_deck

    return write_deck(plan(doc, lp), lp)


__all__ = ["DeckPlan", "Frame", "Rect", "SlidePlan", "plan", "render"]
