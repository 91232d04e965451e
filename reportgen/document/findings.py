"""What a writer measured while laying a document out, for `validate` and `build` to read.

Findings are data, by section key: nobody parses a writer's message or a slide title.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionFindings:
    key: str  # summary, situation, actors, leverage, outlook, sources, closing
    type_pt: float | None = None  # the size its body text was set at
    slides: int = 0  # deck: slides the section runs to ("Actors (2 of 3)" counts 3)
    continued: int = 0  # deck: "(continued)" pieces of a card carried to the next slide
    # deck: each slide's content block height as a share of its body area (0-1), in order
    fill: tuple[float, ...] = ()


@dataclass(frozen=True)
class Overflow:
    """How far a fixed-size document (the one-pager) runs past its page at the floor size."""

    pt: float
    lines: int
    exact: bool  # False: a lower bound, from the fast check before layout
    longest: tuple[tuple[str, float], ...]  # (section key, its height in pt), longest first


@dataclass(frozen=True)
class Findings:
    format: str
    body_pt: float | None = None  # the size body text was set at (None: it varies)
    start_pt: float | None = None  # the profile's size, where shrinking started
    pages: int | None = None
    slides: int | None = None
    sections: tuple[SectionFindings, ...] = ()
    overflow: Overflow | None = None  # set on the RenderError of a document that cannot fit
    fill: float | None = None  # one-pager: percent of the page's text area the content uses
    columns: int | None = None  # one-pager: 1 (a short brief, one column) or 2
    # What the layout left out to fit (the one-pager's map or image), each with the brief key
    # it came from and a sentence for `validate`: never dropped silently.
    dropped: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    # The pictures the layout placed: (brief key, width as a share of the column or text width
    # it was set in), for reports and tests.
    figures: tuple[tuple[tuple[str | int, ...], float], ...] = ()

    def section(self, key: str) -> SectionFindings | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def continuation_slides(self) -> int:
        """Slides beyond the first of each section."""
        return sum(max(0, s.slides - 1) for s in self.sections)

    @property
    def shrunk(self) -> bool:
        return (self.body_pt is not None and self.start_pt is not None
                and self.body_pt < self.start_pt - 1e-9)


@dataclass(frozen=True)
class Rendered:
    """A writer's output: the file's bytes and what the layout found."""

    data: bytes
    findings: Findings
