"""The document: what every writer sets, built once per brief and free of any output format.

It holds the words as they are printed (labels in the brief's language, dates written out,
typography done), the sections in reading order and the closing block. A writer reads only a
`Document`; it never builds a heading, a date, a byline or a source line itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportgen.brief.loader import KeyPath, Loaded
from reportgen.brief.markup import Inline, ListBlock, Paragraph, Text
from reportgen.document.labels import Labels
from reportgen.errors import Diagnostic
from reportgen.figures.geo import Place, Shape
from reportgen.figures.images import ImageData
from reportgen.profile import LoadedProfile, Profile

SectionKey = Literal["summary", "situation", "actors", "leverage", "outlook", "sources"]
Direction = Literal["ltr", "rtl"]
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "dv", "ckb"})


@dataclass(frozen=True)
class Meta:
    """What a document says about itself (file properties) and its masthead lines."""

    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    author: str  # "A, B and C", or the organisation when the brief names no author
    byline: str | None  # "By A and B"; None without authors
    subject: str  # the bottom line, as plain text: the same in every format
    keywords: tuple[str, ...]
    language: str  # the brief's BCP 47 tag
    direction: Direction
    date: dt.date
    date_text: str  # "24 October 2017", in the brief's language
    created: dt.datetime  # the one clock: SOURCE_DATE_EPOCH, else the brief's date
    organisation: str
    short_name: str
    document_label: str  # what the one-pager calls itself: "Policy brief"


@dataclass(frozen=True)
class ActorEntry:
    name: str
    role_line: str  # "Prime Minister, Iraq" (may be empty)
    url: str | None
    stance: Text | None
    quote: Inline | None  # without quotation marks; `quote_open`/`quote_close` wrap it
    quote_open: str
    quote_close: str
    attribution: str | None  # "— Source", the dash joined to it so it never ends a line
    quote_source: str | None
    index: int  # position in the brief's actors list, for errors that point at it
    role: str = ""  # the role line's two parts, for writers that set them apart (the memo)
    affiliation: str = ""
    featured: bool = False  # the brief asks for this actor's quote to have a slide of its own
    # After the name, where a quote stands apart from its speaker (the memo's quotations):
    # ", Prime Minister, Iraq · Meeting with Tillerson in Baghdad".
    credit_after_name: str = ""


@dataclass(frozen=True)
class SourceEntry:
    title: str
    publisher: str | None
    date_text: str | None
    url: str | None

    @property
    def details(self) -> list[str]:
        """Publisher and date, the parts printed after the italic title."""
        return [x for x in (self.publisher, self.date_text) if x]


Block = Paragraph | ListBlock | ActorEntry | SourceEntry


@dataclass(frozen=True)
class Section:
    key: SectionKey
    heading: str
    blocks: tuple[Block, ...]
    text: Text | None = None  # the section's running text, where it is one (summary, …)

    @property
    def actors(self) -> tuple[ActorEntry, ...]:
        return tuple(b for b in self.blocks if isinstance(b, ActorEntry))

    @property
    def sources(self) -> tuple[SourceEntry, ...]:
        return tuple(b for b in self.blocks if isinstance(b, SourceEntry))


@dataclass(frozen=True)
class Closing:
    """The profile's disclaimer and donor note, verbatim, never translated."""

    disclaimer: str
    donor_before: str
    donor_link_text: str
    donor_after: str
    donor_url: str

    @property
    def donor_note(self) -> str:
        return self.donor_before + self.donor_link_text + self.donor_after


@dataclass(frozen=True)
class MemoLine:
    label: str  # "TO", in the brief's language
    text: str
    key: str  # to, from, cc, date, subject


@dataclass(frozen=True)
class KeyFigureEntry:
    value: str
    label: str
    source: str | None  # "WFP, 2023", as the analyst wrote it
    source_text: str | None  # "Source: WFP, 2023", in the brief's language
    index: int


@dataclass(frozen=True)
class MapFigure:
    """The locator map, projected, framed and clipped (reportgen.figures.geo): writers scale
    frame units (0-1, y down) to the box they give it; `aspect` is the frame's width/height."""

    country: str  # ISO alpha-2
    country_name: str  # in the brief's language ("Irak")
    aspect: float
    shapes: tuple[Shape, ...]  # land, then region, then the country
    places: tuple[Place, ...]
    caption: str | None
    alt: str  # "Locator map of Iraq, with Baghdad marked"
    note: str  # the boundaries note, a label
    number: int  # its figure number in the memo
    label: str  # "Figure 1: Iraq and its neighbours" (or "Figure 1")


@dataclass(frozen=True)
class ImageFigure:
    image: ImageData
    alt: str
    caption: str | None
    credit: str | None
    number: int
    label: str  # "Figure 2: Ships rerouted around the Cape"
    index: int  # in the brief's images list

    @property
    def key(self) -> tuple[str | int, ...]:
        return ("images", self.index)


@dataclass(frozen=True)
class Logo:
    image: ImageData
    alt: str


@dataclass(frozen=True)
class Document:
    meta: Meta
    sections: tuple[Section, ...]
    closing: Closing
    memo: tuple[MemoLine, ...]
    labels: Labels
    profile: LoadedProfile
    source: Path  # the brief file
    where: Loaded  # positions in the brief, so render errors can name a field
    key_figures: tuple[KeyFigureEntry, ...] = ()
    map: MapFigure | None = None
    images: tuple[ImageFigure, ...] = ()
    logo: Logo | None = None
    warnings: tuple[Diagnostic, ...] = ()  # for `validate`: what the plan left out, and why

    def picture_bytes(self) -> list[tuple[str, bytes]]:
        """(name, bytes) of every picture read for this document, for build fingerprints."""
        out = [(f"images/{f.index}", f.image.data) for f in self.images]
        return out + ([("logo", self.logo.image.data)] if self.logo else [])

    @property
    def look(self) -> Profile:
        return self.profile.profile

    def section(self, key: SectionKey) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def diagnostic(self, path: KeyPath, message: str) -> Diagnostic:
        return self.where.diagnostic(path, message)
