"""PDF one-pager (ReportLab platypus), set from the document plan.

The page is always exactly one: the story is set at the largest body size, in quarter points
from the profile's maximum (`type.max_body_pt`) down to its floor, that fits; the spacing then
opens as far as the page allows. Where each block goes is decided before drawing (`pour`, with
ReportLab's own measures): two columns that end level, a table carried into the next column
under "Actors (continued)", or, for a short brief, one column of 60-75 characters a line with
its headings in the margin. The fill of the text area is reported in the findings. If even the
floor does not fit, rendering fails with how much it overflows and which sections (or which
field) to shorten, as positioned diagnostics and as findings. A brief far too long is refused
from a lower bound on its height, before any of it is laid out. Links are passed to ReportLab
as escaped attribute values, never pasted into its markup as they come. Fonts are the
profile's TrueType family, embedded. Every word comes from the `Document`: headings, dates,
byline and quote marks are made there.

Pictures (reportgen.writers.pdf_figures draws them): the key figures as a strip under the bottom
line, the locator map at the top of the right column (of the single column, its caption in the
margin), the first image after the situation, the logo in the masthead. The map and the image
take part in the fit: at the profile's body size they narrow before the type shrinks, and are
left out (the image first) before it shrinks below that size; what is left out is in the
findings, for `validate` to warn about.
"""

from __future__ import annotations

import dataclasses
import io
import math
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

# isort: off
from reportgen.writers import platypus  # noqa: F401 - first: ReportLab's platypus, quicker
# isort: on
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    LayoutError,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reportgen.bidi_lines import mainly_rtl, visual_pieces
from reportgen.brief.markup import Inline, ListBlock
from reportgen.brief.markup import Paragraph as TextParagraph
from reportgen.document.findings import Findings, Overflow, Rendered, SectionFindings
from reportgen.errors import RenderError
from reportgen.fonts import FontFamily, script_segments
from reportgen.glyphs import profile_families
from reportgen.kept import Kept
from reportgen.profile import Profile
from reportgen.writers import pdf_figures as pf
from reportgen.writers.colour import RULE_GREY, STRIPE, map_palette
from reportgen.writers.pdf_rtl import MIRRORED, Para, canvas_piece, has_arabic_letter
from reportgen.writers.pdf_tags import FIRST, LAST, Group, Tagger, finish
from reportgen.xmlescape import escape

if TYPE_CHECKING:
    from reportgen.document import ActorEntry, Document, Section, SourceEntry
    from reportgen.document.model import Logo

# Streams (images above all) are stored binary, not ASCII85-encoded: ASCII85 makes a photo's
# stream a quarter larger and takes ReportLab seconds in pure Python (a 7.24 MB one-pager built
# in 3.1 s became 5.80 MB in 0.79 s). ReportLab reads the setting when it stores each stream;
# it has no per-canvas equivalent.
rl_config.useA85 = 0

STEP_PT = 0.25
SMALLEST_PT = 7.0  # secondary lines: roles, sources, the disclaimer
GUTTER_PT = 18.0  # between the two columns
BAND_PT = 6.0  # the brand band across the top of the page
MASTHEAD_TOP_PT = 30.0  # from the page's top edge to the organisation line
ACTORS_RULE_PT = 1.2  # the rule over the actors table
# set across the page (the key figures: across the column on a single-column page); every
# other section in the columns
SPANNING = ("masthead", "summary", "key_figures")
TOP_SLACK_PT = 1.0  # added to the spanning sections' frame, for rounding
LOGO_TOP_PT = 9.0  # from the brand band to the logo's top
LOGO_GAP_PT = 8.0  # between the logo and the organisation's name


# ---------------------------------------------------------------------------------------------
# Fonts and styles


class ShapingTTFont(TTFont):
    """ReportLab's TTFont, with the private-use character a shaped glyph without one of its own
    (a joining form, a ligature half) is given derived from the glyph itself: U+E000 plus its
    glyph id, with the glyph's own advance. ReportLab numbers them in the order it meets them in
    the process, so the same brief set after another one got other codes in its ToUnicode map
    and its widths: other bytes from a batch worker than from a single run."""

    def hbFont(self, fontSize=10):
        font = super().hbFont(fontSize)
        self.hbAddPrivate = self._stable_private  # TTFont.hbFont sets its own every time
        return font

    def _stable_private(self, name, gid, advance):
        face = self.face
        uchar = PRIVATE_USE + gid
        if face.charToGlyph.get(uchar) != gid:
            if uchar in face.charToGlyph or uchar > PRIVATE_USE_END:
                raise RenderError(f"{self.fontName}: glyph {gid} ({name}) has no private-use "
                                  "character left to stand for it")
            face.charToGlyph[uchar] = gid
            face.glyphToChar.setdefault(gid, []).append(uchar)
            # the glyph's own advance, per 1000 em like every width ReportLab keeps
            units = face.hmetrics[min(gid, len(face.hmetrics) - 1)][0]
            face.charWidths[uchar] = units * 1000 / face.unitsPerEm
        return uchar


PRIVATE_USE, PRIVATE_USE_END = 0xE000, 0xF8FF


def _register(fam: FontFamily) -> str:
    base = fam.ps_prefix
    # the family's name is not a font name: ask for one of its fonts, else every render
    # would read all its TrueType files again
    if f"{base}-regular" not in pdfmetrics.getRegisteredFontNames():
        names = {style: f"{base}-{style}" for style in fam.files}
        for style, path in fam.files.items():
            pdfmetrics.registerFont(ShapingTTFont(names[style], str(path)))
        pdfmetrics.registerFontFamily(base, normal=names["regular"], bold=names["bold"],
                                      italic=names["italic"], boldItalic=names["bolditalic"])
    return base


# Families named to a render but registered only when a run is first set in them (`_face`):
# reading a family's four TrueType files is ~11 ms, and an English or French brief's text
# never needs the Arabic one. ReportLab embeds only the fonts a page uses, so the bytes are
# the same either way.
_LATER: dict[str, FontFamily] = {}


def _register_later(fam: FontFamily) -> str:
    """`_register(fam)` put off until a run asks for one of its faces: its base name."""
    base = fam.ps_prefix
    if f"{base}-regular" not in pdfmetrics.getRegisteredFontNames():
        _LATER[base] = fam
    return base


def _face(base: str, weight: str) -> str:
    """The font name of `weight` ("-regular", "-bold") of family `base`, registered now if it
    was put off."""
    fam = _LATER.pop(base, None)
    if fam is not None:
        _register(fam)
    return base + weight


@dataclass(frozen=True)
class Styles:
    arabic_face: str  # registered ReportLab family for Arabic-script runs
    body: ParagraphStyle
    lead: ParagraphStyle
    label: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    byline: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_name: ParagraphStyle
    cell_muted: ParagraphStyle
    quote: ParagraphStyle
    small: ParagraphStyle
    fine: ParagraphStyle
    fine_right: ParagraphStyle
    spacing: float = 1.0  # how far the vertical spaces are opened (1: as designed)
    rtl: bool = False  # the document reads right to left: the page is mirrored


def make_styles(body_pt: float, font: str, arabic_face: str, profile: Profile,
                spacing: float = 1.0, direction: str = "ltr") -> Styles:
    """The one-pager's styles at one body size; `spacing` opens the space between paragraphs,
    sections and table rows (never the leading), to fill a page the text leaves short."""
    c = profile.colors
    text, muted, primary = (colors.HexColor(c.text), colors.HexColor(c.muted),
                            colors.HexColor(c.primary))
    bold = f"{font}-bold"

    def style(name: str, size: float, leading: float = 1.32, **kw) -> ParagraphStyle:
        kw.setdefault("fontName", f"{font}-regular")
        kw.setdefault("textColor", text)
        kw.setdefault("bulletFontName", kw["fontName"])
        kw["direction"] = direction  # read by Para: which paragraphs run right to left
        return ParagraphStyle(name, fontSize=size, leading=round(size * leading, 2),
                              allowWidows=0, allowOrphans=0, **kw)

    s, o = body_pt, spacing
    # Body text, the actors' stances and quotes included, never goes below the profile's floor;
    # secondary lines (roles, sources, the disclaimer) are smaller but never below SMALLEST_PT.
    secondary = max(SMALLEST_PT, s * 0.86)
    # The fine print (masthead line, disclaimer) does not grow with a short brief's body text:
    # it is page furniture, set from the profile's size (and shrinks with the body).
    fine = max(SMALLEST_PT, min(s, profile.type.body_pt) * 0.72)
    return Styles(
        arabic_face=arabic_face,
        body=style("body", s, spaceAfter=s * 0.45 * o),
        lead=style("lead", s * 1.08, spaceAfter=s * 0.3 * o),
        label=style("label", max(SMALLEST_PT, s * 0.78), fontName=bold, textColor=primary,
                    spaceAfter=s * 0.2),
        title=style("title", s * 2.0, 1.12, fontName=bold, textColor=primary,
                    spaceAfter=s * 0.35),
        subtitle=style("subtitle", s * 1.2, 1.25, textColor=muted, spaceAfter=s * 0.3),
        byline=style("byline", s * 0.9, textColor=muted, spaceAfter=s * 0.9 * o),
        # kept with the section's first block by `pour` (not by keepWithNext, which would
        # regroup the columns' explicit contents)
        heading=style("heading", s * 1.22, 1.2, fontName=bold, textColor=primary,
                      spaceBefore=s * 0.95 * o, spaceAfter=s * 0.35 * o),
        cell=style("cell", s, 1.25),
        cell_name=style("cell_name", s, 1.25, spaceAfter=s * 0.1),
        cell_muted=style("cell_muted", secondary, 1.25, textColor=muted),
        quote=style("quote", s, 1.25, fontName=f"{font}-italic", spaceBefore=s * 0.15),
        small=style("small", secondary, 1.3, textColor=muted, spaceAfter=s * 0.1 * o),
        fine=style("fine", fine, 1.3, textColor=muted),
        fine_right=style("fine_right", fine, 1.3, textColor=muted, alignment=TA_RIGHT),
        spacing=spacing,
        rtl=direction == "rtl",
    )


# ---------------------------------------------------------------------------------------------
# Markup: the brief's inline model to ReportLab's paragraph mini-language


def without_format_marks(text: str) -> str:
    """Drop the format characters (Unicode category Cf) the document plan keeps: ZWJ and ZWNJ
    inside Arabic words. The PDF shapes Arabic itself (HarfBuzz), so they would only be
    drawn as empty glyphs."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def for_reportlab(text: str) -> str:
    """ReportLab breaks lines at U+202F NARROW NO-BREAK SPACE (and drops it): French quotes
    « like this » would lose the space and could leave « at a line's end. U+00A0 is the no-break
    space ReportLab honours, so it stands in for it (a word space wide, not a fine space)."""
    return without_format_marks(text).replace("\u202f", "\u00a0")


def rl(text: str, st: Styles, bold: bool = False) -> str:
    """Plain text to ReportLab paragraph markup: escaped, with Arabic-script runs set in the
    profile's Arabic family (bold where the text is), still in logical order: `Para` shapes
    them and puts them in display order, line by line in a right-to-left paragraph."""
    if len(text) > 4_000:  # not kept: the cache is bounded by count, so entries stay small
        return _markup.__wrapped__(text, st.arabic_face, bold)
    return _markup(text, st.arabic_face, bold)


# The fit search sets the same texts up to twenty times: their markup is made once (bounded).
@lru_cache(maxsize=512)
def _markup(text: str, arabic_face: str, bold: bool) -> str:
    out = []
    for piece, arabic in script_segments(for_reportlab(text)):
        if arabic:
            face = _face(arabic_face, "-bold" if bold else "-regular")
            out.append(f'<font face="{face}">{escape(piece)}</font>')
        else:
            out.append(escape(piece))
    return "".join(out)


def runs(text: str, st: Styles, bold: bool = False) -> pf.Runs:
    """A line drawn on the canvas rather than set as a paragraph (a place name on the map, a
    key figure), as `rl` would set it: (text, font) pieces, Arabic runs shaped."""
    weight = "-bold" if bold else "-regular"
    latin = font_of(st) + weight
    text = for_reportlab(text)
    segments = script_segments(text)
    if len(segments) == 1 and not segments[0][1]:
        return [(text, latin)]
    arabic_face = _face(st.arabic_face, weight)
    # In display order, as a line of a paragraph: "50 ألف" in an Arabic document reads
    # from the right, the number left of the word it counts.
    cuts, at, arabic_at = [], 0, []
    for piece, arabic in segments:
        arabic_at += [arabic] * len(piece)
        at += len(piece)
        cuts.append(at)
    out: pf.Runs = []
    for p in visual_pieces(text, st.rtl or mainly_rtl(text), cuts):
        piece = text[p.start:p.end]
        font = arabic_face if arabic_at[p.start] else latin
        if has_arabic_letter(piece):
            piece = canvas_piece(piece, font)
        elif p.rtl:
            piece = piece[::-1].translate(MIRRORED)
        out.append((piece, font))
    return out


# ReportLab reads other href forms as jumps inside the document ("#x", "document:x") or as a
# command to open another file ("pdf:x"): only these become plain /URI actions.
LINK_SCHEMES = ("http", "https", "mailto")


def link(url: str, label: str, colour: str, underline: bool = True) -> str:
    """`label` (paragraph markup) as a link to `url`.

    The address is data, not markup: every character that could end the attribute or start a
    tag or an entity (& < > " ') is escaped, and ReportLab's parser (html.parser) unescapes it
    back, so the /URI in the PDF is exactly `url` and a quote in it cannot add an attribute.
    """
    if urlsplit(url).scheme.lower() not in LINK_SCHEMES:
        raise ValueError(f"{url!r} reached the PDF writer without an http, https or mailto "
                         "scheme; the model must refuse it")
    href = escape(url, {'"': "&quot;", "'": "&#39;"})
    line = ' underline="1"' if underline else ""
    return f'<a href="{href}" color="{colour}"{line}>{label}</a>'


def markup(spans: Inline, link_colour: str, st: Styles) -> str:
    out = []
    for span in spans:
        piece = rl(span.text, st, bold=span.bold)
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if span.href:
            piece = link(span.href, piece, link_colour)
        out.append(piece)
    return "".join(out)


def text_flowables(blocks: Iterable[TextParagraph | ListBlock], style: ParagraphStyle,
                   colour: str, st: Styles, group: Group = ()) -> list[Flowable]:
    """Paragraphs and lists of the document's running text (a section's or a stance's);
    `group`: where they sit in the tagged structure (an actor's list item)."""
    out: list[Flowable] = []
    for block in blocks:
        if isinstance(block, TextParagraph):
            out.append(Para(markup(block.spans, colour, st), style).tagged("P", group))
        else:
            out.extend(bullets(block, style, colour, st, group))
    return out


def bullets(block: ListBlock, style: ParagraphStyle, colour: str,
            st: Styles, group: Group = ()) -> list[Flowable]:
    """One flowable per item (so a heading can be kept with the first item alone), evenly
    spaced, the block's own space after the last. Tagged as a list (L, LI, LBody); the
    bullets and numbers ReportLab draws are artifacts."""
    key = f"list-{id(block)}"
    item_style = ParagraphStyle(f"{style.name}-item", parent=style, spaceAfter=0)
    gap = style.fontSize * 0.3 * st.spacing
    out: list[Flowable] = []
    indent = style.fontSize * 1.3
    # the bullet or number stands at the start of the line: on the right, right to left
    side = {"bulletDir": "rtl", "rightIndent": indent} if st.rtl else {"leftIndent": indent}
    for i, spans in enumerate(block.items):
        last = i == len(block.items) - 1
        out.append(ListFlowable(
            [ListItem(Para(markup(spans, colour, st), item_style).tagged("P", (
                *group, ("L", key), ("LI", f"{key}-{i}"), ("LBody", f"{key}-{i}"))))],
            bulletType="1" if block.ordered else "bullet",
            start=i + 1 if block.ordered else "•", **side,
            bulletFontName=style.fontName, bulletFontSize=style.fontSize * 0.95,
            bulletColor=colors.HexColor(colour), spaceAfter=style.spaceAfter if last else gap))
    return out


def section(heading: Flowable, flows: list[Flowable]) -> list[Flowable]:
    """A heading never ends a column: it travels with the section's first block."""
    return [KeepTogether([heading, flows[0]]), *flows[1:]] if flows else [heading]


class Heading(Para):
    """A section heading; the document template adds it to the PDF outline."""

    role = "H2"

    def __init__(self, text: str, st: Styles, key: str):
        super().__init__(rl(text, st, bold=True), st.heading)
        self.outline_title, self.outline_key = text, key

    def split(self, avail_width, avail_height):
        """A heading moves whole to the next column: it is never left half at a column's
        foot (and ReportLab's Paragraph.split would rebuild it with Paragraph's arguments)."""
        return []


class SideHeading(Heading):
    """A heading set in the margin to the left of the single column, its first baseline level
    with its section's first line; it takes no room in the column beyond its extra lines."""

    def __init__(self, text: str, st: Styles, key: str, side: float):
        super().__init__(text, st, key)
        self.side, self.mirrored = side, st.rtl
        self.style = ParagraphStyle("side-heading", parent=st.heading, spaceAfter=0)
        # raise it so that its first baseline is the body's (its type is larger)
        self.lift = (pdfmetrics.getAscent(st.heading.fontName, st.heading.fontSize)
                     - pdfmetrics.getAscent(st.body.fontName, st.body.fontSize))

    def wrap(self, avail_width, avail_height):
        self.column = avail_width
        _, h = super().wrap(self.side, avail_height)
        self.taken = max(0.0, h - self.style.leading)
        return avail_width, self.taken

    def drawOn(self, canvas, x, y, _sW=0):
        # in the margin at the column's start: its left, or its right in a mirrored page
        x = x + self.column + GUTTER_PT if self.mirrored else x - self.side - GUTTER_PT
        super().drawOn(canvas, x, y + self.taken - self.height + self.lift)


class OutlineMark(Flowable):
    """An invisible point in the story that becomes a PDF outline entry (for boxed sections)."""

    def __init__(self, title: str, key: str):
        super().__init__()
        self.outline_title, self.outline_key = title, key
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# The story


def build_story(document: Document, st: Styles, width: float, column: float,
                side: float = 0.0) -> list[tuple[str, list[Flowable]]]:
    """The one-pager's content as (key, flowables), in the document's reading order.

    The masthead and the bottom-line box span the page (`width`); every other section is set
    in two columns (`column` wide each), which keeps lines to a readable 60-75 characters;
    or, for a short brief, in one column of that measure with its headings in a margin `side`
    points wide to its left.
    """
    meta, look = document.meta, document.look
    sections: list[tuple[str, list[Flowable]]] = []

    masthead: list[Flowable] = [Para(rl(no_widow(meta.title), st), st.title).tagged("H1")]
    if meta.subtitle:
        masthead.append(Para(rl(no_widow(meta.subtitle), st), st.subtitle))
    if meta.byline:
        masthead.append(Para(rl(meta.byline, st), st.byline))
    else:
        masthead.append(Spacer(1, st.byline.spaceAfter))
    sections.append(("masthead", masthead))
    for sec in document.sections:
        sections.append((sec.key, section_flowables(sec, st, look, width, column, side)))
        if sec.key == "summary" and document.key_figures:
            sections.append(("key_figures", [key_figure_strip(document, st, width, side)]))
    return sections


def section_flowables(sec: Section, st: Styles, look: Profile, width: float,
                      column: float, side: float = 0.0) -> list[Flowable]:
    colour = look.colors.primary
    if sec.key == "summary":
        return bottom_line(sec, st, look, width)
    heading = SideHeading(sec.heading, st, sec.key, side) if side else Heading(
        sec.heading, st, sec.key)
    if sec.key == "actors":
        return section(heading, actor_rows(sec.actors, st, look, column))
    if sec.key == "sources":
        return section(heading, [Para(source_line(src, st, colour), st.small).tagged(
            "P", (("L", "sources"), ("LI", f"source-{i}"), ("LBody", f"source-{i}")))
            for i, src in enumerate(sec.sources)])
    return section(heading, text_flowables(sec.blocks, st.body, colour, st))


def bottom_line(sec: Section, st: Styles, look: Profile, width: float) -> list[Flowable]:
    """The summary in a tinted box across the page, labelled with its heading in capitals."""
    box_content = [Para(rl(sec.heading.upper(), st, bold=True), st.label).tagged("H2"),
                   *text_flowables(sec.blocks, st.lead, look.colors.primary, st)]
    box = CellTable([[box_content]], colWidths=[width])
    # in one column it is the column's width, not the page's, at the column's start
    box.hAlign = "RIGHT" if st.rtl else "LEFT"
    pad = st.body.fontSize * 0.8
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.body.fontName),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(look.colors.tint)),
        # the accent rule and the wider padding on the start side (the right, right to left)
        ("LINEAFTER" if st.rtl else "LINEBEFORE", (0, 0), (0, -1), 3,
         colors.HexColor(look.colors.accent)),
        ("RIGHTPADDING" if st.rtl else "LEFTPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("LEFTPADDING" if st.rtl else "RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * .5),
    ]))
    return [OutlineMark(sec.heading, sec.key), box, Spacer(1, st.body.fontSize * 0.4 * st.spacing)]


def key_figure_strip(document: Document, st: Styles, width: float,
                     side: float = 0.0) -> Flowable:
    """The key figures under the bottom line, across the page (`width`); on a single-column
    page (`side`: the margin's width) across the column, their label in the margin like a
    section heading. A label takes at most two lines where the smallest type allows. The
    numbers stay at least pf.VALUE_LEAST times the body size: where they do not all fit across
    at that size, the strip takes two rows (then one figure a row)."""
    c, s = document.look.colors, st.body.fontSize
    entries = document.key_figures
    indent = side + GUTTER_PT if side else 0.0
    values = [runs(e.value, st, bold=True) for e in entries]
    least = round(s * pf.VALUE_LEAST, 2)
    per_row = pf.cells_per_row(values, width - indent, GUTTER_PT, least)
    cell = (width - indent - (per_row - 1) * GUTTER_PT) / per_row

    def labels(size: float) -> list[Paragraph]:
        style = ParagraphStyle("figure-label", parent=st.small, fontSize=size,
                               leading=round(size * 1.25, 2), textColor=colors.HexColor(c.text),
                               spaceAfter=0)
        return [Para(rl(no_widow(e.label), st), style).tagged("P", pf.figure_group(i))
                for i, e in enumerate(entries)]

    def lines(para: Paragraph) -> int:
        para.wrap(cell, 10_000)
        return len(para.blPara.lines)

    set_labels = labels(st.small.fontSize)
    if max(lines(p) for p in set_labels) > 2:
        set_labels = labels(SMALLEST_PT)
    text = document.labels["key_figures"]
    heading = (Para(rl(text, st, bold=True), ParagraphStyle(
        "side-figures", parent=st.heading, spaceBefore=0, spaceAfter=0)) if side else
        Para(rl(text.upper(), st, bold=True), st.label)).tagged("H2")
    style = pf.StripStyle(value_pt=round(s * 2.3, 2),
                          value_colour=c.primary, rule_colour=RULE_GREY, pad=s * 0.6,
                          gap=s * 0.2, gutter=GUTTER_PT, space_after=s * 0.9 * st.spacing,
                          value_least_pt=least)
    return pf.KeyFigureStrip(
        entries, values, set_labels,
        [Para(rl(e.source_text, st), st.fine).tagged("P", pf.figure_group(i))
         if e.source_text else None for i, e in enumerate(entries)],
        heading, style, indent=indent, side=side, side_gap=GUTTER_PT, per_row=per_row,
        mirrored=st.rtl)


def source_line(src: SourceEntry, st: Styles, colour: str) -> str:
    """Title in italics, then publisher and date, then the address, linked and printed."""
    bits = [f"<i>{rl(src.title, st)}</i>", *(rl(x, st) for x in src.details)]
    line = ", ".join(bits) + "."
    if src.url:
        line += " " + link(src.url, escape(src.url), colour)
    return line


RUNT_JOIN_CHARS = 24  # the longest pair of last words joined: longer could overrun a line


def no_widow(text: str) -> str:
    """Keep the last two words of a line of display text (headline, subtitle, role line,
    quote source) together with a no-break space, so its last line never holds a single word;
    not when the pair is too long to be sure it fits a line (it would run past it)."""
    head, sep, last = text.rstrip().rpartition(" ")
    before = head.rpartition(" ")[2]
    if sep and head and len(before) + 1 + len(last) <= RUNT_JOIN_CHARS:
        return f"{head}\u00a0{last}"
    return text


class CellHeights(Kept[tuple[float, float]]):
    """The size of a one-cell table (an actor's row, the bottom line's box) at a width, kept
    by what decides it: each paragraph's key in the line heights (`pdf_rtl.HEIGHTS`) with its
    space before and after, the column widths and the cell's paddings. ReportLab's Table.wrap
    lays the cell out again on every measurement, about 160 a one-pager (12 % of its time),
    mostly for rows the fit search has measured before at that width. Only tables whose cell
    holds nothing but paragraphs measured from HEIGHTS get a key. Bounded: `size` entries,
    least recently used dropped first."""

    def __init__(self, size: int = 2048) -> None:
        super().__init__(size)


CELL_HEIGHTS = CellHeights()


class CellTable(Table):
    """A table of one cell whose size may come from CELL_HEIGHTS. It is then laid out for
    real only when something needs its geometry: drawing it (`draw`), or splitting it
    (ReportLab's `split` lays the table out itself)."""

    _lay_out_for: tuple[float, float] | None = None  # measured from CELL_HEIGHTS at this size

    def _size_key(self, avail_width: float) -> tuple | None:
        if len(self._cellvalues) != 1 or len(self._cellvalues[0]) != 1:
            return None
        cell = self._cellvalues[0][0]
        if not isinstance(cell, (list, tuple)):
            return None
        parts = []
        for f in cell:
            if not isinstance(f, Para) or f.bidi or f._breaking is None:
                return None
            parts.append((type(f), f._breaking, f.getSpaceBefore(), f.getSpaceAfter()))
        s = self._cellStyles[0][0]
        return (tuple(parts), tuple(self._argW), tuple(self._argH), s.leftPadding,
                s.rightPadding, s.topPadding, s.bottomPadding, avail_width)

    def wrap(self, availWidth, availHeight):
        key = self._size_key(availWidth)
        size = None if key is None else CELL_HEIGHTS.get(key)
        if size is None:
            self._lay_out_for = None
            size = super().wrap(availWidth, availHeight)
            if key is not None:
                CELL_HEIGHTS.put(key, size)
            return size
        self._width, self._height = size
        self.availWidth = availWidth
        self._lay_out_for = (availWidth, availHeight)
        return size

    def draw(self):
        if self._lay_out_for is not None:
            super().wrap(*self._lay_out_for)
            self._lay_out_for = None
        super().draw()


def actor_rows(actors: tuple[ActorEntry, ...], st: Styles, look: Profile,
               width: float) -> list[Table]:
    """The actors table, one row per actor (each its own flowable so the table can break
    between columns at any row): who they are (name, role and affiliation), their stance,
    and their own words set as a quotation with its source."""
    c = look.colors
    rows = []
    for i, actor in enumerate(actors):
        name = rl(actor.name, st, bold=True)
        if actor.url:
            name = link(actor.url, name, c.text, underline=False)
        who = f"<b>{name}</b>"
        if actor.role_line:
            who += (f' <font color="{c.muted}" size="{st.cell_muted.fontSize}">'
                    f"· {rl(no_widow(actor.role_line), st)}</font>")
        item: Group = (("L", "actors"), ("LI", f"actor-{i}"), ("LBody", f"actor-{i}"))
        cell: list[Flowable] = [Para(who, st.cell_name).tagged("P", item)]
        if actor.stance:
            cell += text_flowables(actor.stance.blocks, st.cell, c.primary, st, item)
        if actor.quote:
            source = (f' <font color="{c.muted}" name="{st.cell.fontName}">'
                      f"{rl(no_widow(actor.attribution), st)}</font>" if actor.attribution
                      else "")
            cell.append(Para(f"{rl(actor.quote_open, st)}{markup(actor.quote, c.primary, st)}"
                             f"{rl(actor.quote_close, st)}{source}", st.quote).tagged(
                "P", (*item, ("BlockQuote", f"quote-{i}"))))
        row = CellTable([[cell]], colWidths=[width])
        pad = st.cell.fontSize * 0.45 * st.spacing
        style = [
            ("FONTNAME", (0, 0), (-1, -1), st.cell.fontName),  # else Helvetica is referenced
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.2), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE_GREY)),
        ]
        if i == 0:
            style.append(("LINEABOVE", (0, 0), (-1, 0), ACTORS_RULE_PT,
                          colors.HexColor(c.primary)))
        if i % 2:
            style.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(STRIPE)))
        row.setStyle(TableStyle(style))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Page furniture: masthead band and the disclaimer footer, drawn on the canvas


def footer_flowables(document: Document, st: Styles) -> list[Flowable]:
    """The disclaimer and the donor note, verbatim; the link's address follows the note for
    readers of the printed page."""
    closing, primary = document.closing, document.look.colors.primary
    url = closing.donor_url
    donor = (f"{rl(closing.donor_before, st)}"
             f"{link(url, rl(closing.donor_link_text, st), primary)}"
             f"{rl(closing.donor_after, st)} "
             f'<font color="{primary}">{escape(url)}</font>')
    return [Para(rl(closing.disclaimer, st), st.fine).tagged("P", order=LAST),
            Para(donor, st.fine).tagged("P", order=LAST)]


class _SecondPage(Exception):
    """Raised as soon as the story spills onto a second page: that size does not fit."""


class OnePager(BaseDocTemplate):
    def handle_pageBegin(self) -> None:
        if self.page >= 1:  # stop here rather than lay out every page of a long brief
            raise _SecondPage
        super().handle_pageBegin()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, (Heading, OutlineMark)):
            key = f"sec-{flowable.outline_key}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_title, key, level=0, closed=False)


def _canvas_with_clock(epoch: float, font: str, tagger: Tagger | None = None):
    from reportlab.lib.utils import TimeStamp

    class ClockedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            self.tagger = tagger  # marks what is drawn for the structure tree (pdf_tags)
            kwargs["invariant"] = 1
            kwargs["initialFontName"] = f"{font}-regular"  # else Helvetica, unembedded
            # Streams uncompressed: pdf_tags.finish compresses them as it saves (qpdf's
            # deflate gives the same bytes), and reads the page's content back without
            # inflating what ReportLab had just deflated.
            kwargs["pageCompression"] = 0
            super().__init__(*args, **kwargs)
            stamp = TimeStamp(invariant=True)
            stamp.t, stamp.lt = epoch, time.gmtime(epoch)
            stamp.YMDhms = tuple(stamp.lt)[:6]
            self._doc._timeStamp = stamp

    return ClockedCanvas


@dataclass
class Attempt:
    body_pt: float
    pages: int  # 1, or 2 for "does not fit at this size"
    data: bytes
    sections: tuple[SectionFindings, ...] = ()  # the size each section's text was set at
    fill: float | None = None  # percent of the text area used
    columns: int | None = None  # 1 or 2
    # the pictures: what was left out to fit (brief key, why), what was set (key, share of
    # its column) and, once drawn, where each is with its alternate description
    dropped: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    figures: tuple[tuple[tuple[str | int, ...], float], ...] = ()
    placed: tuple[pf.Placed, ...] = ()


@dataclass(frozen=True)
class PageGrid:
    """Where things go on the page, in points from the bottom-left corner."""

    page_w: float
    page_h: float
    margin: float
    width: float  # full text width
    column: float  # each of the two columns
    org_top: float  # top of the organisation / date line
    rule_y: float  # the accent rule under it
    content_top: float  # where the title starts
    footer_h: float  # disclaimer block, rule included
    logo: tuple[float, float, float, float] | None = None  # x, y, width, height

    @property
    def body_bottom(self) -> float:
        return self.margin + self.footer_h


# ---------------------------------------------------------------------------------------------
# Measuring: exactly (ReportLab's line breaking), or a lower bound in time linear in the text


Height = Callable[[Flowable, float], float]


@lru_cache(maxsize=1)
def scratch_canvas() -> Canvas:
    """The canvas flowables are measured against (wrapOn), never drawn on or saved: one per
    process. A new one for every measurement cost ~0.15 ms, ~200 times a one-pager."""
    return Canvas(io.BytesIO())


def _height(flowable: Flowable, width: float) -> float:
    if isinstance(flowable, KeepTogether):  # its wrap() answers "huge" when it cannot fit
        return sum(_height(f, width) for f in flowable._content)
    _, h = flowable.wrapOn(scratch_canvas(), width, 10_000)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _paragraphs(flowable: Flowable) -> Iterator[Paragraph]:
    """The paragraphs inside `flowable`, through the containers this module builds."""
    if isinstance(flowable, Paragraph):
        yield flowable
    elif isinstance(flowable, KeepTogether):
        for f in flowable._content:
            yield from _paragraphs(f)
    elif isinstance(flowable, Table):
        for row in flowable._cellvalues:
            for cell in row:
                for f in cell if isinstance(cell, (list, tuple)) else [cell]:
                    yield from _paragraphs(f)
    elif isinstance(flowable, ListFlowable):
        for item in flowable._flowables:
            for f in item._flowables if isinstance(item, ListItem) else [item]:
                yield from _paragraphs(f)


def _height_at_least(flowable: Flowable, width: float) -> float:
    """A lower bound of `_height`, without line breaking (ReportLab's takes time that grows
    with the square of a paragraph's length): no line holds more than `width` points of ink,
    and the spaces where lines break take no room, so a paragraph has at least ink / width
    lines. Spacing, padding and indents are left out, which only lowers the bound. The key
    figures' strip is measured exactly: it is small and bounded (four labels of 90 characters)."""
    if isinstance(flowable, pf.KeyFigureStrip):
        return _height(flowable, width)
    total = 0.0
    for para in _paragraphs(flowable):
        # a paragraph with Arabic is measured shaped (its letters joined), as it
        # is set: the sum of its isolated forms would be about a fifth too wide
        ink = para.ink() if getattr(para, "bidi", False) else sum(
            pdfmetrics.stringWidth("".join(frag.text.split()), frag.fontName, frag.fontSize)
            for frag in para.frags if getattr(frag, "text", ""))
        if ink:
            total += max(1, math.ceil(ink / width - 1e-6)) * para.style.leading
    return total


def page_grid(profile: Profile, st: Styles, foot: list[Flowable],
              height: Height = _height, logo: Logo | None = None) -> PageGrid:
    page_w, page_h = profile.page_size_pt
    margin = profile.page.margin_pt
    width = page_w - 2 * margin
    org_top = page_h - MASTHEAD_TOP_PT
    under = st.fine.leading + 3 - st.fine.fontSize  # from the masthead line's baseline to the rule
    logo_box = None
    if logo is not None:  # it hangs below the band; the masthead line's baseline is its foot
        w, h = pf.logo_size(logo, width)
        foot_y = page_h - BAND_PT - LOGO_TOP_PT - h
        logo_box = (margin, foot_y, w, h)
        org_top = min(org_top, foot_y + st.fine.fontSize)
    rule_y = org_top - st.fine.fontSize - under
    footer_h = sum(height(f, width) for f in foot) + st.fine.fontSize * 1.2
    return PageGrid(page_w, page_h, margin, width, (width - GUTTER_PT) / 2, org_top, rule_y,
                    rule_y - st.body.fontSize * 1.1, footer_h, logo_box)


def section_sizes(document: Document, st: Styles) -> tuple[SectionFindings, ...]:
    """The size each section's running text is set at: the bottom line's lead, the sources'
    secondary size, the body size elsewhere (stances and quotes are body text)."""
    size = {"summary": st.lead.fontSize, "sources": st.small.fontSize}
    found = [SectionFindings(s.key, round(size.get(s.key, st.body.fontSize), 2))
             for s in document.sections]
    return (*found, SectionFindings("closing", round(st.fine.fontSize, 2)))


# ---------------------------------------------------------------------------------------------
# Pouring the columns: where each block goes is decided here, then drawn as decided


FUZZ = 1e-6  # ReportLab's frames' tolerance
SPACING_MOST = 1.6  # how far the spacing may open on a short brief (1: as designed)
SPACING_STEP = 0.02  # ... found to this precision
# A body that, set in the single column at the profile's size, fills less than this share of
# its height is set in one column: it can then grow to the maximum size and open its spacing.
# (In the two columns' measure that is a body about half a column tall.)
SINGLE_COLUMN_SHARE = 0.6
MEASURE_CHARS = 72  # the single column's measure, in average characters a line
SIDE_MIN_PT = 100.0  # the narrowest margin the single column's headings are set in
BALANCE_SCAN_LINES = 6  # how much taller than the shortest the balanced columns may be
LEVEL_MOST_LINES = 2.0  # the most space added at one place to level two columns, in lines
# average character width of running English text, for the single column's measure
MEASURE_SAMPLE = ("The coalition of mostly Shiite militias is now part of the armed forces, yet "
                  "some of its units still take guidance from Iran rather than from Baghdad.")

Item = tuple[str, Flowable]  # (section key, a block of it)


class ContinuedHeading(Para):
    """"Actors (continued)" at the top of the next column: not an outline entry, and an
    artifact in the tagged structure (it repeats a heading). Over a table it repeats the
    table's top rule, `rule` (a colour), where the table begins."""

    role = None

    def __init__(self, text: str, style: ParagraphStyle, rule: str | None = None):
        super().__init__(text, style)
        self.rule = rule

    def drawOn(self, canvas, x, y, _sW=0):
        super().drawOn(canvas, x, y, _sW)
        if self.rule:
            canvas.saveState()
            canvas.setStrokeColor(colors.HexColor(self.rule))
            canvas.setLineWidth(ACTORS_RULE_PT)
            top = y - self.getSpaceAfter()
            canvas.line(x, top, x + self.width, top)
            canvas.restoreState()


class Level(Spacer):
    """Space added between blocks so that a column ends level with the other. It adds to the
    space around it rather than overlapping it (ReportLab's _SPACETRANSFER)."""

    _SPACETRANSFER = True


@dataclass
class Column:
    flows: list[Flowable]
    bottom: float  # from the column's top to the foot of its last block


class _Filler:
    """One column being filled, with ReportLab's Frame arithmetic (space before is dropped at
    the top and overlaps the space after the previous block; a block that does not fit is
    split, its first part kept), so what is decided here is what the frames will draw."""

    def __init__(self, width: float, height: float, canv: Canvas):
        self.width, self.height, self.canv = width, height, canv
        self.y, self.after, self.top, self.bottom = 0.0, 0.0, True, 0.0
        self.flows: list[Flowable] = []

    def snapshot(self) -> tuple:
        return self.y, self.after, self.top, self.bottom, len(self.flows)

    def restore(self, snap: tuple) -> None:
        self.y, self.after, self.top, self.bottom, n = snap
        del self.flows[n:]

    def add(self, f: Flowable) -> list[Flowable] | None:
        """Place `f` or its first part: what is left of it ([] if nothing), None if no part
        of it fits."""
        s = 0.0 if self.top or getattr(f, "_SPACETRANSFER", False) else max(
            f.getSpaceBefore() - self.after, 0.0)
        room = self.height - self.y - s
        if room <= 0:
            return None
        _, h = f.wrapOn(self.canv, self.width, room)
        if self.y + s + h <= self.height + FUZZ:
            self._commit(f, s, h)
            return []
        parts = f.splitOn(self.canv, self.width, room)
        if len(parts) < 2:
            return None
        _, h = parts[0].wrapOn(self.canv, self.width, room)
        if self.y + s + h > self.height + FUZZ:
            return None
        self._commit(parts[0], s, h)
        return list(parts[1:])

    def _commit(self, f: Flowable, s: float, h: float) -> None:
        self.flows.append(f)
        after = f.getSpaceAfter()
        moved = s + h + after
        self.bottom = self.y + s + h
        self.y += moved
        if not getattr(f, "_SPACETRANSFER", False):
            self.after = after
        if moved:
            self.top = False


Continued = Callable[[str, Flowable], "Flowable | None"]


def pour(items: list[Item], width: float, heights: list[float],
         continued: Continued, heads: Sequence[Sequence[Flowable]] = ()) -> list[Column] | None:
    """Fill columns of `heights` in turn with `items`; None if they do not all fit. A heading
    never ends a column (it goes with the first lines of its section), and a table or list that
    carries on in the next column gets its "(continued)" heading there from `continued`.
    `heads[n]` is set at the top of column n before anything else (the map)."""
    canv = scratch_canvas()
    pending = list(reversed(items))  # the next block is pending[-1]
    cols: list[Column] = []
    key_before = None
    for n, height in enumerate(heights):
        col = _Filler(width, height, canv)
        for head in heads[n] if n < len(heads) else ():
            if col.add(head) != []:
                return None
        if pending and n and pending[-1][0] == key_before \
                and not isinstance(pending[-1][1], KeepTogether):
            head = continued(pending[-1][0], pending[-1][1])
            if head is not None and col.add(head) is None:
                return None
        while pending:
            key, f = pending[-1]
            snap = col.snapshot()
            blocks = f._content if isinstance(f, KeepTogether) else [f]
            rest: list[Flowable] | None = []
            for block in blocks:  # a heading and the first block of its section, or a block
                rest = col.add(block)
                if rest is None or (rest and block is not blocks[-1]):
                    rest = None
                    break
            if rest is None:
                col.restore(snap)
                break
            pending.pop()
            pending.extend((key, part) for part in reversed(rest))
            key_before = key
        if pending and not col.flows:
            return None  # the next block is taller than an empty column
        cols.append(Column(col.flows, col.bottom))
    return None if pending else cols


def balance(items: list[Item], width: float, height: float, continued: Continued,
            leading: float, heads: Sequence[Sequence[Flowable]] = ()) -> list[Column] | None:
    """Two columns that end as level as the blocks allow: the shortest column height that
    still holds everything, found by bisection to half a point. A block that cannot break (an
    actor's entry) may leave the first column short there; so a few heights up to
    BALANCE_SCAN_LINES lines taller are tried too, which move it into the first column, and
    the pair whose ends differ least is kept (for `level` to even out).

    Columns poured at a height h that end at b1 and b2 are what every height from max(b1, b2)
    to h pours: each block placed fits lower down to there, and each left out (or split where
    it was) did not fit at h, so not lower either. Such a height is answered from the pour
    already made (`Pours`): about half of the bisection's pours, the same columns."""
    pours = Pours(items, width, continued, heads)
    best = pours.at(height)
    if best is None:
        return None
    lo, hi = 0.45 * (best[0].bottom + best[1].bottom), height
    while hi - lo > 0.5:
        mid = (lo + hi) / 2
        tried = pours.at(mid)
        if tried is None:
            lo = mid
        else:
            hi, best = mid, tried

    def difference(cols: list[Column]) -> float:
        return abs(cols[0].bottom - cols[1].bottom)

    for step in range(1, 2 * BALANCE_SCAN_LINES + 1):
        if difference(best) <= leading / 2:
            break
        tried = pours.at(min(height, hi + step * leading / 2))
        if tried is not None and difference(tried) < difference(best) - 1:
            best = tried
    return best


class Pours:
    """Two equal columns of one set of items poured at various heights, each height a pour
    unless one already made answers it: the columns poured at h, ending at b1 and b2, are
    what any height from max(b1, b2) up to h pours (see `balance`)."""

    def __init__(self, items: list[Item], width: float, continued: Continued,
                 heads: Sequence[Sequence[Flowable]] = ()) -> None:
        self._args = items, width, continued, heads
        self._known: list[tuple[float, float, list[Column]]] = []  # (lowest, highest, cols)

    def at(self, height: float) -> list[Column] | None:
        for low, high, cols in self._known:
            if low <= height <= high:
                return cols
        items, width, continued, heads = self._args
        cols = pour(items, width, [height, height], continued, heads)
        if cols is not None:
            self._known.append((max(c.bottom for c in cols), height, cols))
        return cols


def level(cols: list[Column], leading: float) -> None:
    """End the shorter column on the other's last line by adding space between its blocks:
    first where a section begins (up to LEVEL_MOST_LINES lines at each), then, for what is
    left, between its paragraphs, list items and table rows (up to half a line at each), so
    that running text keeps its even rhythm. Never after a heading."""
    short, tall = sorted(cols, key=lambda c: c.bottom)
    flows = short.flows
    after_heading = (Heading, ContinuedHeading, OutlineMark, pf.MapBlock)
    places = [i for i in range(1, len(flows)) if not isinstance(flows[i - 1], after_heading)]
    major = [i for i in places if isinstance(flows[i], Heading)]
    minor = [i for i in places if i not in major]
    added: dict[int, float] = {}
    gap = tall.bottom - short.bottom
    for group, most in ((major, LEVEL_MOST_LINES * leading), (minor, leading / 2)):
        if gap >= 0.5 and group:
            each = min(gap / len(group), most)
            for i in group:
                added[i] = each
            gap -= each * len(group)
    for i in sorted(added, reverse=True):
        flows.insert(i, Level(1, added[i]))
    short.bottom += sum(added.values())


@dataclass
class Plan:
    """The one-pager at one body size and spacing: its styles, the page grid, the spanning
    blocks and what each column holds."""

    body_pt: float
    spacing: float
    st: Styles
    grid: PageGrid
    spanning: list[Flowable]
    top_h: float
    width: float  # of a column
    column_h: float
    items: list[Item]
    continued: Continued
    cols: list[Column]
    x: float  # the first column's left edge
    heads: list[list[Flowable]] = field(default_factory=list)  # set first in each column
    figures: tuple[pf.Figure, ...] = ()  # the pictures set in the columns

    @property
    def fill(self) -> float:
        """Percent of the text area (masthead top to footer rule) the content uses."""
        room = self.grid.content_top - self.grid.body_bottom
        return round(100 * (self.top_h + max(c.bottom for c in self.cols)) / room, 1)


def single_measure(st: Styles, full: float) -> float:
    """The width of one column of about MEASURE_CHARS characters a line (at most the page's)."""
    per_char = pdfmetrics.stringWidth(MEASURE_SAMPLE, st.body.fontName, st.body.fontSize) \
        / len(MEASURE_SAMPLE)
    return min(full, round(MEASURE_CHARS * per_char, 1))


@dataclass(frozen=True)
class Pictures:
    """Which of the brief's pictures a plan sets (the map, the first image) and how wide: each
    at its designed width (pf.figure_share), but at most `share` of the column."""

    map: bool = False
    image: bool = False
    share: float = 1.0

    @property
    def any(self) -> bool:
        return self.map or self.image


NO_PICTURES = Pictures()


def all_pictures(document: Document) -> Pictures:
    return Pictures(map=document.map is not None, image=bool(document.images))


def picture_blocks(document: Document, st: Styles, pictures: Pictures, column: float,
                   column_h: float, side: float) -> tuple[pf.Figure | None, pf.Figure | None]:
    """The map and the image as set in a column `column` wide (None: not set). A figure
    narrower than the column has its caption beside it where there is room; on a
    single-column page (`side`: the margin's width) its caption stands in the margin. An image
    is never wider than pf.MAX_PT_PER_PIXEL points a pixel: one held to that is centred in
    the column with its caption below it."""
    look, s = document.look, st.body.fontSize
    caption_style = ParagraphStyle("caption", parent=st.small, textColor=colors.HexColor(
        look.colors.text), spaceAfter=s * 0.15)

    def common(aspect: float, caption: list[Flowable], most_w: float | None = None) -> dict:
        share = min(pictures.share, pf.figure_share(aspect, column, column_h))
        w = round(share * column, 2)
        held = most_w is not None and w > most_w
        if held:
            w = round(most_w, 2)
            share = w / column
        place: pf.CaptionPlace = "margin" if side else "below" if held else "beside" if (
            column - w - s * 0.9 >= pf.CAPTION_BESIDE_MIN_PT) else "below"
        return dict(picture_w=w, share=round(share, 3), caption=caption, place=place,
                    gap=s * (0.9 if place == "beside" else 0.45), space_after=s * 1.2,
                    margin=side, margin_gap=GUTTER_PT, centred=held, mirrored=st.rtl)

    the_map = the_image = None
    m = document.map
    if pictures.map and m is not None:
        caption: list[Flowable] = [Para(rl(m.caption, st), caption_style)] \
            if m.caption else []
        caption.append(Para(rl(m.note, st), st.fine))
        palette = map_palette(look.colors)
        the_map = pf.MapBlock(m, palette, lambda text: runs(text, st),
                              max(SMALLEST_PT, st.small.fontSize * 0.92),
                              **common(m.aspect, caption))
    if pictures.image and document.images:
        image = document.images[0]
        caption = [Para(rl(image.caption, st), caption_style)] if image.caption else []
        if image.credit:
            caption.append(Para(rl(image.credit, st), st.fine))
        the_image = pf.ImageBlock(image, **common(
            image.image.aspect, caption, image.image.width * pf.MAX_PT_PER_PIXEL))
    return the_map, the_image


def plan(document: Document, body_pt: float, spacing: float, columns: int, font: str,
         arabic_face: str, marks: bool = True,
         pictures: Pictures = NO_PICTURES) -> Plan | None:
    """The one-pager poured at this size and spacing, or None if it does not fit the page.
    `marks`: "(continued)" headings where a table or list carries on in the next column.
    `pictures`: the map heads the right column (the single column), the image follows the
    situation."""
    profile = document.look
    st = make_styles(body_pt, font, arabic_face, profile, spacing, document.meta.direction)
    g = page_grid(profile, st, footer_flowables(document, st), logo=document.logo)
    width, side = g.column, 0.0
    if columns == 1:
        width = single_measure(st, g.width)
        side = g.width - width - GUTTER_PT
        if side < SIDE_MIN_PT:  # a small page: the column takes its whole width
            width, side = g.width, 0.0
    sections = build_story(document, st, g.width, width, side)
    spanning = [f for key, flows in sections if key in SPANNING for f in flows]
    top_h = sum(_height(f, g.width) for f in spanning) + TOP_SLACK_PT
    column_h = g.content_top - top_h - g.body_bottom
    if column_h <= 0:  # the masthead and the bottom line alone fill the page
        return None
    headings = {sec.key: sec.heading for sec in document.sections}

    def continued(key: str, block: Flowable) -> Flowable | None:
        if marks and key in ("actors", "sources") or isinstance(block, ListFlowable):
            text = document.labels.fill("heading_continued", heading=headings[key])
            return ContinuedHeading(rl(text, st, bold=True), st.heading,
                                    profile.colors.primary if key == "actors" else None)
        return None

    the_map, the_image = picture_blocks(document, st, pictures, width, column_h, side)
    items: list[Item] = []
    for key, flows in sections:
        if key not in SPANNING:
            items += [(key, f) for f in flows]
        if key == "situation" and the_image is not None:
            items.append(("image", the_image))
    heads: list[list[Flowable]] = [[] for _ in range(columns)]
    if the_map is not None:
        heads[-1].append(the_map)
    cols = pour(items, width, [column_h] * columns, continued, heads)
    if cols is None:
        return None
    placed = tuple(f for f in (the_map, the_image) if f is not None)
    return Plan(body_pt, spacing, st, g, spanning, top_h, width, column_h, items, continued,
                cols, g.margin + (side + GUTTER_PT if side else 0.0), heads, placed)


def draw(document: Document, p: Plan) -> Attempt:
    """Draw the plan: the spanning blocks, then each column's blocks in its own frame."""
    profile, meta, st, g = document.look, document.meta, p.st, p.grid
    columns_top = g.content_top - p.top_h

    def frame(x: float, y: float, w: float, h: float, name: str) -> Frame:
        return Frame(x, y, w, h, id=name, leftPadding=0, rightPadding=0, topPadding=0,
                     bottomPadding=0)

    def across(x: float, w: float) -> float:
        """The left edge of a box `w` wide whose start is `x` from the left: mirrored on a
        right-to-left page, so the first column is the right one."""
        return g.page_w - x - w if st.rtl else x

    frames = [frame(g.margin, columns_top, g.width, p.top_h, "top")]
    frames += [frame(across(p.x + i * (p.width + GUTTER_PT), p.width), g.body_bottom, p.width,
                     p.column_h, f"column-{i + 1}") for i in range(len(p.cols))]

    logo_placed: list[pf.Placed] = []
    tagger = Tagger()

    def furniture(canvas: Canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(profile.colors.primary))
        canvas.rect(0, g.page_h - BAND_PT, g.page_w, BAND_PT, stroke=0, fill=1)
        org_x = g.margin
        if g.logo is not None and document.logo is not None:
            x, y, w, h = g.logo
            tagger.begin(canvas, "Figure", (across(x, w), y, across(x, w) + w, y + h),
                         alt=document.logo.alt, order=FIRST)
            logo_placed.append(pf.draw_logo(canvas, document.logo, across(x, w), y, w, h))
            tagger.end(canvas)
            org_x += w + LOGO_GAP_PT
        # the organisation at the start (the logo first), the date at the end
        org = at_start(Para(f"<b>{rl(meta.organisation.upper(), st, bold=True)}</b>",
                            ParagraphStyle("org", parent=st.fine,
                                           textColor=colors.HexColor(profile.colors.primary))),
                       st.rtl).tagged("P", order=FIRST)
        org_w = g.margin + g.width * 0.6 - org_x
        org.wrapOn(canvas, org_w, 40)
        org.drawOn(canvas, across(org_x, org_w), g.org_top - org.height)
        label = f"{meta.document_label} · {meta.date_text}".upper()
        when = Para(rl(label, st), st.fine_right).tagged("P", order=FIRST)
        when.wrapOn(canvas, g.width * 0.4, 40)
        when.drawOn(canvas, across(g.margin + g.width * 0.6, g.width * 0.4),
                    g.org_top - when.height)
        canvas.setStrokeColor(colors.HexColor(profile.colors.accent))
        canvas.setLineWidth(0.8)
        canvas.line(g.margin, g.rule_y, g.margin + g.width, g.rule_y)
        canvas.setStrokeColor(colors.HexColor(RULE_GREY))
        canvas.setLineWidth(0.5)
        line_y = g.body_bottom - st.fine.fontSize * 0.5
        canvas.line(g.margin, line_y, g.margin + g.width, line_y)
        y = line_y - st.fine.fontSize * 0.5
        for f in footer_flowables(document, st):
            _, h = f.wrapOn(canvas, g.width, g.page_h)
            f.drawOn(canvas, g.margin, y - h)
            y -= h
        canvas.restoreState()

    story: list[Flowable] = [*p.spanning]
    for col in p.cols:
        story += [FrameBreak(), *col.flows]
    buf = io.BytesIO()
    pdf = OnePager(buf, pagesize=(g.page_w, g.page_h), leftMargin=g.margin,
                   rightMargin=g.margin, topMargin=g.margin, bottomMargin=g.margin,
                   title=meta.title, author=meta.author, subject=meta.subject,
                   creator="reportgen", keywords=list(meta.keywords), lang=meta.language,
                   invariant=1, displayDocTitle=1)
    pdf.addPageTemplates([PageTemplate("one", frames=frames, onPage=furniture)])
    try:
        pdf.build(story, canvasmaker=_canvas_with_clock(meta.created.timestamp(), font_of(st),
                                                        tagger))
    except (_SecondPage, LayoutError):
        return Attempt(p.body_pt, 2, b"")
    placed = [*logo_placed, *(pf.Placed(f.key, f.alt, f.box) for f in p.figures
                              if f.box is not None)]
    data = finish(buf.getvalue(), tagger, meta.title, meta.language,
                  meta.created.isoformat(timespec="seconds"), meta.author)
    return Attempt(p.body_pt, 1, data, section_sizes(document, st), p.fill,
                   len(p.cols), figures=tuple((f.key, f.share) for f in p.figures),
                   placed=tuple(placed))


def at_start(para: Para, rtl_page: bool) -> Para:
    """`para` set against the start of a mirrored page (its right) whichever way its own
    text runs (an organisation's Latin name on an Arabic page)."""
    if rtl_page and not para.rtl:
        para.style = ParagraphStyle(f"{para.style.name}-start", parent=para.style,
                                    alignment=TA_RIGHT)
    return para


def font_of(st: Styles) -> str:
    """The registered family name the styles are set in ("SourceSans3-regular" -> family)."""
    return st.body.fontName.rsplit("-", 1)[0]



@dataclass(frozen=True)
class Measure:
    """Each section's height at one body size (at the width it is set in) and the room the
    page gives the masthead, the bottom line and the two columns, in points."""

    heights: dict[str, float]
    room: float
    column: float

    @property
    def top(self) -> float:
        return sum(v for k, v in self.heights.items() if k in SPANNING)

    @property
    def column_h(self) -> float:
        return self.room - self.top - TOP_SLACK_PT

    @property
    def overflow(self) -> float:
        """How far the text runs past the page: past the two columns, plus whatever the
        spanning sections alone take beyond the room."""
        columns = sum(v for k, v in self.heights.items() if k not in SPANNING)
        return max(0.0, -self.column_h) + max(0.0, columns - 2 * max(0.0, self.column_h))


def measure(document: Document, st: Styles, height: Height) -> Measure:
    g = page_grid(document.look, st, footer_flowables(document, st), height, document.logo)
    heights = {key: sum(height(f, g.width if key in SPANNING else g.column) for f in flows)
               for key, flows in build_story(document, st, g.width, g.column)}
    return Measure(heights, g.content_top - g.body_bottom, g.column)


def render(document: Document) -> Rendered:
    return render_with_figures(document)[0]


def render_with_figures(document: Document) -> tuple[Rendered, tuple[pf.Placed, ...]]:
    """The one-pager and, for each picture on it (the logo, the map, the image), its
    alternate description and its box on the page: what tagging it as a Figure needs."""
    attempt = fit_one_page(document)
    return Rendered(attempt.data, findings(document, attempt)), attempt.placed


def check(document: Document) -> Findings:
    """What `validate` needs: the size the one-pager will be set at, per section; raises
    RenderError (with positioned diagnostics and an `Overflow`) where it cannot be made."""
    return findings(document, fit_one_page(document))


def findings(document: Document, attempt: Attempt) -> Findings:
    return Findings("pdf", body_pt=attempt.body_pt, start_pt=document.look.type.body_pt,
                    pages=attempt.pages, sections=attempt.sections, fill=attempt.fill,
                    columns=attempt.columns, dropped=attempt.dropped, figures=attempt.figures)


def type_sizes(start: float, floor: float) -> list[float]:
    """start, start - 0.25, … down to the floor (at least one size, never below the floor)."""
    sizes = [start]
    while sizes[-1] - STEP_PT >= floor - 1e-9:
        sizes.append(round(sizes[-1] - STEP_PT, 2))
    return sizes


def is_short(document: Document, font: str, arabic_face: str,
             pictures: Pictures = NO_PICTURES) -> bool:
    """Whether the body (with its pictures at their designed size), set in one column at the
    profile's size, would fill less than SINGLE_COLUMN_SHARE of its height: two columns would
    then leave most of the page blank."""
    one = plan(document, document.look.type.body_pt, 1.0, 1, font, arabic_face,
               pictures=pictures)
    if one is None:
        return False
    poured = pour(one.items, one.width, [1e6], one.continued, one.heads)
    return poured is not None and poured[0].bottom < SINGLE_COLUMN_SHARE * one.column_h


SHARE_STEP = 0.02  # the pictures' width is found to this share of a column
# How far below the profile's size the type may go to keep a picture on the page: a map is
# worth most of a point of type; a brief that needs more loses its pictures instead.
FIGURE_ALLOWANCE_PT = 1.0


def fit_one_page(document: Document) -> Attempt:
    """Lay the one-pager out at the largest body size, in quarter points from the profile's
    maximum down to its floor, that fits on one page; then open the spacing as far as the
    page allows, and level the two columns (a short brief is set in one column instead).

    The pictures take part: above the profile's size they are set at their designed width; at
    the profile's size they narrow, down to pf.MIN_SHARE of a column, before the type shrinks;
    then the type may shrink by up to FIGURE_ALLOWANCE_PT with the pictures at their narrowest
    (a map is worth most of a point of type, not more); if even that does not fit, the image is
    left out, then the map (each reported in the findings, for `validate` to warn), and the
    text alone is set at the largest size that fits.

    Raises RenderError (saying by how much it overflows, or which field cannot be placed) if
    even the floor size does not fit.
    """
    profile = document.look
    body, arabic = profile_families(document.profile)
    font, arabic_face = _register(body), _register_later(arabic)
    sizes = type_sizes(profile.type.max_body_pt, profile.type.min_body_pt)
    floor_st = make_styles(sizes[-1], font, arabic_face, profile,
                           direction=document.meta.direction)
    # A brief far too long for the page is refused before ReportLab breaks a line of it: an
    # 850 KB brief kept it busy for minutes. A lower bound that overflows is proof enough.
    at_least = measure(document, floor_st, _height_at_least)
    if at_least.overflow > 0:
        raise _refusal(document, floor_st, at_least, exact=False)
    wanted = all_pictures(document)
    columns = 1 if is_short(document, font, arabic_face) else 2
    # sizes[:own] are above the profile's size, sizes[own] is it (or the next below it)
    own = next((i for i, size in enumerate(sizes) if size <= profile.type.body_pt + 1e-9),
               len(sizes) - 1)

    marks = True

    def at(i: int, spacing: float = 1.0, pictures: Pictures = NO_PICTURES) -> Plan | None:
        return plan(document, sizes[i], spacing, columns, font, arabic_face, marks, pictures)

    def largest(lo: int, hi: int, pictures: Pictures,
                smallest_first: bool = False) -> tuple[Plan | None, int]:
        """Bisect sizes[lo:hi]: sizes[too_big] does not fit, sizes[fits] is the largest known
        to fit (hi: none yet). The text's height grows with the type size, so this finds the
        size stepping down a quarter point at a time would, in 1 + log2(n) pours, not n.
        `smallest_first`: try sizes[hi - 1] first, where none of the sizes is the likely
        answer (one pour instead of 1 + log2(n) when the smallest does not fit either; one
        more when it does). The same size either way."""
        if lo >= hi:
            return None, hi
        best, fits = None, hi
        if smallest_first and hi - lo > 2:
            best, fits = at(hi - 1, pictures=pictures), hi - 1
            if best is None:
                return None, hi
        first = at(lo, pictures=pictures)
        if first is not None:
            return first, lo
        too_big = lo
        while fits - too_big > 1:
            mid = (too_big + fits) // 2
            tried = at(mid, pictures=pictures)
            if tried is None:
                too_big = mid
            else:
                fits, best = mid, tried
        return best, fits

    # A picture may cost the text up to FIGURE_ALLOWANCE_PT of type before it is left out.
    allow = max((i for i, size in enumerate(sizes)
                 if size >= profile.type.body_pt - FIGURE_ALLOWANCE_PT - 1e-9), default=own)
    allow = max(allow, own)

    def widest_share(i: int, pictures: Pictures, best: Plan) -> tuple[Plan, Pictures]:
        """At sizes[i], where `pictures` fit at the narrowest: as wide as they fit."""
        lo, hi = pf.MIN_SHARE, 1.0
        while hi - lo > SHARE_STEP:
            mid = round((lo + hi) / 2, 3)
            tried = at(i, pictures=dataclasses.replace(pictures, share=mid))
            if tried is None:
                hi = mid
            else:
                lo, best = mid, tried
        return best, dataclasses.replace(pictures, share=lo)

    def narrowed() -> tuple[Plan | None, int, Pictures]:
        """From the profile's size: the pictures as wide as fits; then the type a little
        smaller (down to `allow`) with the pictures at their narrowest; the image left out
        before the map."""
        ladder = [wanted] + ([Pictures(map=True)] if wanted.map and wanted.image else [])
        for pictures in ladder:
            best = at(own, pictures=pictures)
            if best is not None:
                return best, own, pictures
            narrowest = dataclasses.replace(pictures, share=pf.MIN_SHARE)
            best, fits = largest(own, allow + 1, narrowest)
            if best is not None:
                best, pictures = widest_share(fits, pictures, best)
                return best, fits, pictures
        return None, own, NO_PICTURES

    def search() -> tuple[Plan | None, int, Pictures]:
        if not wanted.any:
            return (*largest(0, len(sizes), NO_PICTURES), NO_PICTURES)
        # Above the profile's size with the pictures as designed: a brief that fills the
        # page (most do) fits at none of these sizes
        best, fits = largest(0, own, wanted, smallest_first=True)
        if best is not None:
            return best, fits, wanted
        best, fits, pictures = narrowed()
        if best is not None:
            return best, fits, pictures
        return (*largest(own, len(sizes), NO_PICTURES), NO_PICTURES)

    best, fits, pictures = search()
    if columns == 1 and pictures != wanted:
        # A short text whose pictures would have to narrow (or go) in one column: two columns,
        # with the map heading the right one, may hold them as designed. (A short brief that
        # does not fit one column at all is not expected, but is set in two as well.)
        single = (best, fits, pictures)
        columns = 2
        best, fits, pictures = search()
        if single[0] is not None and (best is None or kept(single[2]) > kept(pictures)):
            columns = 1
            best, fits, pictures = single
    if best is None:  # a brief that fits only without its "(continued)" heading keeps fitting
        marks = False
        best, fits, pictures = search()
    if best is None:
        raise _refusal(document, floor_st, measure(document, floor_st, _height), exact=True)
    # Room left over (less than a quarter point of type, or the maximum size reached): open
    # the spacing before leaving white space at the foot of the page.
    spacing = SpacingSearch(lambda x: at(fits, x, pictures))
    if fits > 0:
        # The text was held back by the page, not by the largest size: the room left is
        # less than a quarter point of type takes, which opens the spacing by a few percent
        # (under SPACING_LIKELY for 4 briefs in 7). Poured first, a spacing that does not fit
        # rules out the larger ones the search would try (half of its pours).
        spacing.fits(SPACING_LIKELY)
    widest = spacing.fits(SPACING_MOST)
    if widest is not None:
        best = widest
    else:  # bisect: the spacing that fits is between best's and SPACING_MOST
        lo, hi = best.spacing, SPACING_MOST
        while hi - lo > SPACING_STEP:
            mid = round((lo + hi) / 2, 3)
            tried = spacing.fits(mid)
            if tried is None:
                hi = mid
            else:
                lo, best = mid, tried
    if len(best.cols) == 2:
        cols = balance(best.items, best.width, best.column_h, best.continued,
                       best.st.body.leading, best.heads)
        if cols is not None:
            level(cols, best.st.body.leading)
            best.cols = cols
    dropped = left_out(document, wanted, pictures, sizes[own])
    drawn = draw(document, best)
    if drawn.pages == 1:
        return dataclasses.replace(drawn, dropped=dropped)
    # ReportLab drew otherwise than poured (it should not): the next smaller sizes, unlevelled
    for i in range(fits + 1, len(sizes)):
        smaller = at(i, pictures=pictures)
        drawn = draw(document, smaller) if smaller is not None else drawn
        if drawn.pages == 1:
            return dataclasses.replace(drawn, dropped=dropped)
    raise _refusal(document, floor_st, measure(document, floor_st, _height), exact=True)


SPACING_LIKELY = 1.075  # one of the bisection's own steps (1.6, 1.3, 1.15, 1.075, ...)


class SpacingSearch:
    """The plans of one size at each spacing tried, each poured once. The taller the spacing,
    the taller the text, so a spacing that does not fit rules out every larger one without
    a pour; a spacing that fits is poured (its plan is the answer if nothing wider fits)."""

    def __init__(self, pour_at: Callable[[float], Plan | None]) -> None:
        self._pour_at = pour_at
        self._plans: dict[float, Plan] = {}
        self._too_tall = math.inf  # the smallest spacing known not to fit
        self.poured = 0

    def fits(self, spacing: float) -> Plan | None:
        if spacing >= self._too_tall:
            return None
        found = self._plans.get(spacing)
        if found is None:
            self.poured += 1
            found = self._pour_at(spacing)
            if found is None:
                self._too_tall = spacing
            else:
                self._plans[spacing] = found
        return found


def kept(pictures: Pictures) -> tuple[int, float]:
    """How much of the pictures a layout keeps: how many, then how wide."""
    return int(pictures.map) + int(pictures.image), pictures.share


def left_out(document: Document, wanted: Pictures, set_: Pictures,
             size: float) -> tuple[tuple[tuple[str | int, ...], str], ...]:
    """What the fit left out of the page, at the brief's key, in words for `validate`."""
    why = (f"even at {pf.MIN_SHARE:.0%} of a column's width it does not fit on the page with "
           f"the text at {size - FIGURE_ALLOWANCE_PT:g} pt or more; shorten the text to bring it "
           "back (the memo and the deck show it)")
    out: list[tuple[tuple[str | int, ...], str]] = []
    if wanted.map and not set_.map and document.map is not None:
        out.append((("map",), f"the locator map was left out of the one-pager: {why}"))
    if wanted.image and not set_.image:
        image = document.images[0]
        out.append((image.key, f"the image ({image.alt}) was left out of the one-pager: {why}"))
    return tuple(out)


def _refusal(document: Document, st: Styles, m: Measure, exact: bool) -> RenderError:
    """Why the one-pager cannot be made at the floor size `st`, at the field to change: the
    actor whose entry is taller than a column, else the longest section (the profile's
    disclaimer when the page has no room at all); the measures go in the findings."""
    profile = document.look
    floor = profile.type.min_body_pt
    leading = st.body.leading
    # the masthead is the title and subtitle, not a section to shorten
    longest = tuple(sorted(((k, round(v, 1)) for k, v in m.heights.items() if k in
                            {s.key for s in document.sections}), key=lambda kv: -kv[1]))
    lines = max(1, round(m.overflow / leading) if exact else int(m.overflow // leading))

    def refused(diagnostic, overflow_pt: float, n_lines: int) -> RenderError:
        over = Overflow(round(overflow_pt, 1), n_lines, exact, longest)
        return RenderError(diagnostics=[diagnostic], findings=Findings(
            "pdf", body_pt=None, start_pt=profile.type.body_pt, overflow=over))

    if m.room <= 0:
        return refused(document.profile.diagnostic(("disclaimer",), (
            f"at {floor:g} pt the disclaimer and the donor note fill the whole page, leaving no "
            "room for any brief; shorten them")), m.overflow, lines)
    actors = document.section("actors")
    if exact and m.column_h > 0 and actors is not None:
        for row, actor in zip(actor_rows(actors.actors, st, profile, m.column), actors.actors,
                              strict=True):
            tall = _height(row, m.column)
            if tall > m.column_h:
                return refused(document.diagnostic(("actors", actor.index), (
                    f"at {floor:g} pt body text this actor's entry is {tall:.0f} pt tall and a "
                    f"column only {m.column_h:.0f} pt; an entry cannot break between columns, "
                    "so shorten its stance or quote; nothing was written.")),
                    tall - m.column_h, max(1, round((tall - m.column_h) / leading)))
    top = longest[:3]
    if exact:
        by = f"{m.overflow:.0f} pt (about {lines} lines)"
        detail = ", ".join(f"{k} {v:.0f} pt" for k, v in top)
    else:
        by = f"at least {m.overflow:.0f} pt ({lines} lines or more)"
        detail = ", ".join(f"{k} at least {v:.0f} pt" for k, v in top)
    return refused(document.where.diagnostic((top[0][0],), (
        f"the one-pager does not fit on one page even at {floor:g} pt body text: "
        f"it overflows by {by}. Longest sections: {detail}. Shorten them; nothing was written."),
        of_key=True), m.overflow, lines)

