"""PDF one-pager (ReportLab platypus).

The page is always exactly one: the story is set at the largest body size, in quarter points
from the profile's size down to its floor, that fits; if even the floor does not, rendering
fails with how much it overflows and which sections (or which field) to shorten. A brief far
too long is refused from a lower bound on its height, before any of it is laid out. Links are
passed to ReportLab as escaped attribute values, never pasted into its markup as they come.
Fonts are the profile's TrueType family, embedded.
"""

from __future__ import annotations

import io
import math
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

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

from reportgen.brief import LoadedBrief
from reportgen.brief.markup import Inline, ListBlock, Text
from reportgen.brief.markup import Paragraph as TextParagraph
from reportgen.clock import document_time
from reportgen.errors import RenderError
from reportgen.fonts import FontFamily, script_segments
from reportgen.glyphs import check_glyphs, profile_families
from reportgen.profile import LoadedProfile, Profile
from reportgen.writers.wording import author_of, join_names, long_date

STEP_PT = 0.25
SMALLEST_PT = 7.0  # secondary lines: roles, sources, the disclaimer
GUTTER_PT = 18.0  # between the two columns
BAND_PT = 6.0  # the brand band across the top of the page
MASTHEAD_TOP_PT = 30.0  # from the page's top edge to the organisation line
RULE = "#D5DBE1"  # hairlines between table rows and above the footer
STRIPE = "#F6F8FA"  # every other actor row
SPANNING = ("masthead", "summary")  # set across the page; every other section in the columns
TOP_SLACK_PT = 1.0  # added to the spanning sections' frame, for rounding


# ---------------------------------------------------------------------------------------------
# Fonts and styles


def _register(fam: FontFamily) -> str:
    base = fam.ps_prefix
    if base not in pdfmetrics.getRegisteredFontNames():
        names = {style: f"{base}-{style}" for style in fam.files}
        for style, path in fam.files.items():
            pdfmetrics.registerFont(TTFont(names[style], str(path)))
        pdfmetrics.registerFontFamily(base, normal=names["regular"], bold=names["bold"],
                                      italic=names["italic"], boldItalic=names["bolditalic"])
    return base


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


def make_styles(body_pt: float, font: str, arabic_face: str, profile: Profile) -> Styles:
    c = profile.colors
    text, muted, primary = (colors.HexColor(c.text), colors.HexColor(c.muted),
                            colors.HexColor(c.primary))
    bold = f"{font}-bold"

    def style(name: str, size: float, leading: float = 1.32, **kw) -> ParagraphStyle:
        kw.setdefault("fontName", f"{font}-regular")
        kw.setdefault("textColor", text)
        kw.setdefault("bulletFontName", kw["fontName"])
        return ParagraphStyle(name, fontSize=size, leading=round(size * leading, 2),
                              allowWidows=0, allowOrphans=0, **kw)

    s = body_pt
    # Body text, the actors' stances and quotes included, never goes below the profile's floor;
    # secondary lines (roles, sources, the disclaimer) are smaller but never below SMALLEST_PT.
    secondary = max(SMALLEST_PT, s * 0.86)
    return Styles(
        arabic_face=arabic_face,
        body=style("body", s, spaceAfter=s * 0.45),
        lead=style("lead", s * 1.08, spaceAfter=s * 0.3),
        label=style("label", max(SMALLEST_PT, s * 0.78), fontName=bold, textColor=primary,
                    spaceAfter=s * 0.2),
        title=style("title", s * 2.0, 1.12, fontName=bold, textColor=primary,
                    spaceAfter=s * 0.35),
        subtitle=style("subtitle", s * 1.2, 1.25, textColor=muted, spaceAfter=s * 0.3),
        byline=style("byline", s * 0.9, textColor=muted, spaceAfter=s * 0.9),
        heading=style("heading", s * 1.22, 1.2, fontName=bold, textColor=primary,
                      spaceBefore=s * 0.95, spaceAfter=s * 0.35, keepWithNext=1),
        cell=style("cell", s, 1.25),
        cell_name=style("cell_name", s, 1.25, spaceAfter=s * 0.1),
        cell_muted=style("cell_muted", secondary, 1.25, textColor=muted),
        quote=style("quote", s, 1.25, fontName=f"{font}-italic", spaceBefore=s * 0.15),
        small=style("small", secondary, 1.3, textColor=muted, spaceAfter=s * 0.1),
        fine=style("fine", max(SMALLEST_PT, s * 0.72), 1.3, textColor=muted),
        fine_right=style("fine_right", max(SMALLEST_PT, s * 0.72), 1.3, textColor=muted,
                         alignment=TA_RIGHT),
    )


# ---------------------------------------------------------------------------------------------
# Markup: the brief's inline model to ReportLab's paragraph mini-language


def without_format_marks(text: str) -> str:
    """Drop bidi marks and zero-width joiners (Unicode category Cf), often pasted with Arabic
    names: they are invisible, and the PDF orders and shapes Arabic itself."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def rl(text: str, st: Styles, bold: bool = False) -> str:
    """Plain text to ReportLab paragraph markup: escaped, with Arabic-script runs shaped,
    put in visual order and set in the profile's Arabic family (bold where the text is)."""
    out = []
    for piece, arabic in script_segments(without_format_marks(text)):
        if arabic:
            import arabic_reshaper
            from bidi import get_display

            face = st.arabic_face + ("-bold" if bold else "-regular")
            out.append(f'<font face="{face}">'
                       f"{escape(get_display(arabic_reshaper.reshape(piece)))}</font>")
        else:
            out.append(escape(piece))
    return "".join(out)


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


def text_flowables(text: Text, style: ParagraphStyle, colour: str,
                   st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    for block in text.blocks:
        if isinstance(block, TextParagraph):
            out.append(Paragraph(markup(block.spans, colour, st), style))
        else:
            out.extend(bullets(block, style, colour, st))
    return out


def bullets(block: ListBlock, style: ParagraphStyle, colour: str,
            st: Styles) -> list[Flowable]:
    """One flowable per item (so a heading can be kept with the first item alone), evenly
    spaced, the block's own space after the last."""
    item_style = ParagraphStyle(f"{style.name}-item", parent=style, spaceAfter=0)
    gap = style.fontSize * 0.3
    out: list[Flowable] = []
    for i, spans in enumerate(block.items):
        last = i == len(block.items) - 1
        out.append(ListFlowable(
            [ListItem(Paragraph(markup(spans, colour, st), item_style))],
            bulletType="1" if block.ordered else "bullet",
            start=i + 1 if block.ordered else "•", leftIndent=style.fontSize * 1.3,
            bulletFontName=style.fontName, bulletFontSize=style.fontSize * 0.95,
            bulletColor=colors.HexColor(colour), spaceAfter=style.spaceAfter if last else gap))
    return out


def section(heading: Flowable, flows: list[Flowable]) -> list[Flowable]:
    """A heading never ends a column: it travels with the section's first block."""
    return [KeepTogether([heading, flows[0]]), *flows[1:]] if flows else [heading]


class Heading(Paragraph):
    """A section heading; the document template adds it to the PDF outline."""

    def __init__(self, text: str, st: Styles, key: str):
        super().__init__(rl(text, st), st.heading)
        self.outline_title, self.outline_key = text, key


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


def build_story(doc: LoadedBrief, st: Styles, profile: Profile, width: float,
                column: float) -> list[tuple[str, list[Flowable]]]:
    """The one-pager's content as (section key, flowables), in reading order.

    The masthead and the bottom-line box span the page (`width`); every other section is set
    in two columns (`column` wide each), which keeps lines to a readable 70-90 characters.
    """
    b = doc.brief
    colour = profile.colors.primary
    sections: list[tuple[str, list[Flowable]]] = []

    masthead: list[Flowable] = [Paragraph(rl(no_widow(b.title), st), st.title)]
    if b.subtitle:
        masthead.append(Paragraph(rl(no_widow(b.subtitle), st), st.subtitle))
    if b.authors:
        masthead.append(Paragraph("By " + rl(join_names(b.authors), st), st.byline))
    else:
        masthead.append(Spacer(1, st.byline.spaceAfter))
    sections.append(("masthead", masthead))

    box_content = [Paragraph("BOTTOM LINE", st.label),
                   *text_flowables(b.summary, st.lead, colour, st)]
    box = Table([[box_content]], colWidths=[width])
    pad = st.body.fontSize * 0.8
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.body.fontName),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(profile.colors.tint)),
        ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(profile.colors.accent)),
        ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.2), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * .5),
    ]))
    sections.append(("summary", [OutlineMark("Bottom line", "summary"), box,
                                 Spacer(1, st.body.fontSize * 0.4)]))

    sections.append(("situation", section(Heading("Situation", st, "situation"),
                                          text_flowables(b.situation, st.body, colour, st))))
    sections.append(("actors", section(Heading("Actors", st, "actors"),
                                       actor_rows(doc, st, profile, column))))
    # one list, so every point sits at the same spacing
    points = ListBlock(tuple(spans for point in b.leverage.points for spans in point.inlines()))
    sections.append(("leverage", section(Heading(b.leverage.heading, st, "leverage"),
                                         bullets(points, st.body, colour, st))))
    sections.append(("outlook", section(Heading("Outlook", st, "outlook"),
                                        text_flowables(b.outlook, st.body, colour, st))))
    if b.sources:
        items = []
        for src in b.sources:
            bits = [f"<i>{rl(src.title, st)}</i>"]
            bits += [rl(x, st) for x in (src.publisher, long_date(src.date) if src.date else None)
                     if x]
            line = ", ".join(bits) + "."
            if src.url:
                line += " " + link(src.url, escape(src.url), colour)
            items.append(line)
        sections.append(("sources", section(Heading("Sources", st, "sources"),
                                            [Paragraph(item, st.small) for item in items])))
    return sections


def no_widow(text: str) -> str:
    """Keep the last two words of a headline together, so no line holds a single word."""
    head, sep, last = text.rstrip().rpartition(" ")
    return f"{head}\u00a0{last}" if sep and head and len(last) < 20 else text


def actor_rows(doc: LoadedBrief, st: Styles, profile: Profile, width: float) -> list[Table]:
    """The actors table, one row per actor (each its own flowable so the table can break
    between columns at any row): who they are (name, role and affiliation), their stance,
    and their own words set as a quotation with its source."""
    colour = profile.colors.primary
    rows = []
    for i, actor in enumerate(doc.brief.actors):
        name = rl(actor.name, st, bold=True)
        if actor.url:
            name = link(actor.url, name, profile.colors.text, underline=False)
        who = f"<b>{name}</b>"
        if actor.role_line:
            who += (f' <font color="{profile.colors.muted}" size="{st.cell_muted.fontSize}">'
                    f"· {rl(actor.role_line, st)}</font>")
        cell: list[Flowable] = [Paragraph(who, st.cell_name)]
        if actor.stance:
            cell += text_flowables(actor.stance, st.cell, colour, st)
        if actor.quote:
            source = (f' <font color="{profile.colors.muted}" name="{st.cell.fontName}">'
                      f"— {rl(actor.quote_source, st)}</font>" if actor.quote_source else "")
            cell.append(Paragraph(f"“{markup(actor.quote, colour, st)}”{source}", st.quote))
        row = Table([[cell]], colWidths=[width])
        pad = st.cell.fontSize * 0.45
        style = [
            ("FONTNAME", (0, 0), (-1, -1), st.cell.fontName),  # else Helvetica is referenced
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.2), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.3),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
        ]
        if i == 0:
            style.append(("LINEABOVE", (0, 0), (-1, 0), 1.2,
                          colors.HexColor(profile.colors.primary)))
        if i % 2:
            style.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(STRIPE)))
        row.setStyle(TableStyle(style))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Page furniture: masthead band and the disclaimer footer, drawn on the canvas


def footer_flowables(profile: Profile, st: Styles) -> list[Flowable]:
    """The disclaimer and the donor note, verbatim; the link's address follows the note for
    readers of the printed page."""
    before, words, after = profile.donor_note.split()
    url = profile.donor_note.url
    donor = (f"{rl(before, st)}{link(url, rl(words, st), profile.colors.primary)}"
             f"{rl(after, st)} "
             f'<font color="{profile.colors.primary}">{escape(url)}</font>')
    return [Paragraph(rl(profile.disclaimer, st), st.fine), Paragraph(donor, st.fine)]


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


def _canvas_with_clock(epoch: float, font: str):
    from reportlab.lib.utils import TimeStamp

    class ClockedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            kwargs["initialFontName"] = f"{font}-regular"  # else Helvetica, unembedded
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

    @property
    def body_bottom(self) -> float:
        return self.margin + self.footer_h


# ---------------------------------------------------------------------------------------------
# Measuring: exactly (ReportLab's line breaking), or a lower bound in time linear in the text


Height = Callable[[Flowable, float], float]


def _height(flowable: Flowable, width: float) -> float:
    if isinstance(flowable, KeepTogether):  # its wrap() answers "huge" when it cannot fit
        return sum(_height(f, width) for f in flowable._content)
    _, h = flowable.wrapOn(Canvas(io.BytesIO()), width, 10_000)
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
    lines. Spacing, padding and indents are left out, which only lowers the bound."""
    total = 0.0
    for para in _paragraphs(flowable):
        ink = sum(pdfmetrics.stringWidth("".join(frag.text.split()), frag.fontName,
                                         frag.fontSize)
                  for frag in para.frags if getattr(frag, "text", ""))
        if ink:
            total += max(1, math.ceil(ink / width - 1e-6)) * para.style.leading
    return total


def page_grid(profile: Profile, st: Styles, foot: list[Flowable],
              height: Height = _height) -> PageGrid:
    page_w, page_h = profile.page_size_pt
    margin = profile.page.margin_pt
    width = page_w - 2 * margin
    org_top = page_h - MASTHEAD_TOP_PT
    rule_y = org_top - st.fine.leading - 3
    footer_h = sum(height(f, width) for f in foot) + st.fine.fontSize * 1.2
    return PageGrid(page_w, page_h, margin, width, (width - GUTTER_PT) / 2, org_top, rule_y,
                    rule_y - st.body.fontSize * 1.1, footer_h)


def layout(doc: LoadedBrief, lp: LoadedProfile, body_pt: float, font: str,
           arabic_face: str, epoch: float) -> Attempt:
    profile = lp.profile
    b = doc.brief
    st = make_styles(body_pt, font, arabic_face, profile)
    foot = footer_flowables(profile, st)
    g = page_grid(profile, st, foot)

    sections = build_story(doc, st, profile, g.width, g.column)
    spanning = [f for key, flows in sections if key in SPANNING for f in flows]
    top_h = sum(_height(f, g.width) for f in spanning) + TOP_SLACK_PT
    columns_top = g.content_top - top_h
    col_h = columns_top - g.body_bottom
    if col_h <= 0:  # the masthead and the bottom line alone fill the page
        return Attempt(body_pt, 2, b"")
    frames = [
        Frame(g.margin, columns_top, g.width, top_h, id="top",
              leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
        Frame(g.margin, g.body_bottom, g.column, col_h, id="left",
              leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
        Frame(g.margin + g.column + GUTTER_PT, g.body_bottom, g.column, col_h, id="right",
              leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
    ]

    def furniture(canvas: Canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(profile.colors.primary))
        canvas.rect(0, g.page_h - BAND_PT, g.page_w, BAND_PT, stroke=0, fill=1)
        org = Paragraph(f"<b>{rl(profile.name.upper(), st)}</b>",
                        ParagraphStyle("org", parent=st.fine,
                                       textColor=colors.HexColor(profile.colors.primary)))
        org.wrapOn(canvas, g.width * 0.6, 40)
        org.drawOn(canvas, g.margin, g.org_top - org.height)
        label = f"{profile.document_label} · {long_date(b.date)}".upper()
        when = Paragraph(rl(label, st), st.fine_right)
        when.wrapOn(canvas, g.width * 0.4, 40)
        when.drawOn(canvas, g.margin + g.width * 0.6, g.org_top - when.height)
        canvas.setStrokeColor(colors.HexColor(profile.colors.accent))
        canvas.setLineWidth(0.8)
        canvas.line(g.margin, g.rule_y, g.margin + g.width, g.rule_y)
        canvas.setStrokeColor(colors.HexColor(RULE))
        canvas.setLineWidth(0.5)
        line_y = g.body_bottom - st.fine.fontSize * 0.5
        canvas.line(g.margin, line_y, g.margin + g.width, line_y)
        y = line_y - st.fine.fontSize * 0.5
        for f in foot:
            _, h = f.wrapOn(canvas, g.width, g.page_h)
            f.drawOn(canvas, g.margin, y - h)
            y -= h
        canvas.restoreState()

    story = spanning + [FrameBreak()] + [f for key, flows in sections
                                         if key not in SPANNING for f in flows]
    buf = io.BytesIO()
    author = author_of(b.authors, profile.name)
    pdf = OnePager(buf, pagesize=(g.page_w, g.page_h), leftMargin=g.margin,
                   rightMargin=g.margin, topMargin=g.margin, bottomMargin=g.margin,
                   title=b.title, author=author, subject=b.summary.plain, creator="reportgen",
                   keywords=[profile.short_name, "policy brief", b.leverage.holder],
                   lang=b.language, invariant=1, displayDocTitle=1)
    pdf.addPageTemplates([PageTemplate("one", frames=frames, onPage=furniture)])
    try:
        pdf.build(story, canvasmaker=_canvas_with_clock(epoch, font))
    except (_SecondPage, LayoutError):
        return Attempt(body_pt, 2, b"")
    return Attempt(body_pt, 1, buf.getvalue())


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


def measure(doc: LoadedBrief, lp: LoadedProfile, st: Styles, height: Height) -> Measure:
    profile = lp.profile
    g = page_grid(profile, st, footer_flowables(profile, st), height)
    heights = {key: sum(height(f, g.width if key in SPANNING else g.column) for f in flows)
               for key, flows in build_story(doc, st, profile, g.width, g.column)}
    return Measure(heights, g.content_top - g.body_bottom, g.column)


def render(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    return fit(doc, lp).data


def type_sizes(start: float, floor: float) -> list[float]:
    """start, start - 0.25, … down to the floor (at least one size, never below the floor)."""
    sizes = [start]
    while sizes[-1] - STEP_PT >= floor - 1e-9:
        sizes.append(round(sizes[-1] - STEP_PT, 2))
    return sizes


def fit(doc: LoadedBrief, lp: LoadedProfile) -> Attempt:
    """Lay the one-pager out at the largest body size, in quarter points, that fits on one page.

    Raises RenderError (saying by how much it overflows, or which field cannot be placed) if
    even the floor size does not fit.
    """
    profile = lp.profile
    # The clock first: a bad SOURCE_DATE_EPOCH is a usage error before any layout (ReportLab
    # reads the variable itself whenever a canvas is made).
    epoch = document_time(doc.brief.date).timestamp()
    check_glyphs(doc, lp)
    body, arabic = profile_families(lp)
    font, arabic_face = _register(body), _register(arabic)
    sizes = type_sizes(profile.type.body_pt, profile.type.min_body_pt)
    floor_st = make_styles(sizes[-1], font, arabic_face, profile)
    # A brief far too long for the page is refused before ReportLab breaks a line of it: an
    # 850 KB brief kept it busy for minutes. A lower bound that overflows is proof enough.
    at_least = measure(doc, lp, floor_st, _height_at_least)
    if at_least.overflow > 0:
        raise _refusal(doc, lp, floor_st, at_least, exact=False)

    def attempt(i: int) -> Attempt:
        return layout(doc, lp, sizes[i], font, arabic_face, epoch)

    first = attempt(0)
    if first.pages == 1:  # most briefs: the profile's size
        return first
    # Bisect the smaller sizes: sizes[too_big] does not fit, sizes[fits] is the largest known
    # to fit (len(sizes): none yet). The text's height grows with the type size, so this finds
    # the size stepping down a quarter point at a time found, in 1 + log2(n) layouts, not n.
    too_big, fits, best = 0, len(sizes), None
    while fits - too_big > 1:
        mid = (too_big + fits) // 2
        tried = attempt(mid)
        if tried.pages == 1:
            fits, best = mid, tried
        else:
            too_big = mid
    if best is None:
        raise _refusal(doc, lp, floor_st, measure(doc, lp, floor_st, _height), exact=True)
    return best


def _refusal(doc: LoadedBrief, lp: LoadedProfile, st: Styles, m: Measure,
             exact: bool) -> RenderError:
    """Why the one-pager cannot be made at the floor size `st`, naming the field to change
    where one field is the cause."""
    profile = lp.profile
    floor = profile.type.min_body_pt
    if m.room <= 0:
        return RenderError(lp.diagnostic(("disclaimer",), (
            f"at {floor:g} pt the disclaimer and the donor note fill the whole page, leaving no "
            "room for any brief; shorten them")).format())
    if exact and m.column_h > 0:
        for i, row in enumerate(actor_rows(doc, st, profile, m.column)):
            tall = _height(row, m.column)
            if tall > m.column_h:
                return RenderError(
                    f"{doc.path}: actors[{i}]: at {floor:g} pt body text this actor's entry is "
                    f"{tall:.0f} pt tall and a column only {m.column_h:.0f} pt; an entry cannot "
                    "break between columns, so shorten its stance or quote; nothing was written.")
    longest = sorted(m.heights.items(), key=lambda kv: -kv[1])[:3]
    leading = st.body.leading
    if exact:
        by = f"{m.overflow:.0f} pt (about {max(1, round(m.overflow / leading))} lines)"
        detail = ", ".join(f"{k} {v:.0f} pt" for k, v in longest)
    else:
        by = f"at least {m.overflow:.0f} pt ({max(1, int(m.overflow // leading))} lines or more)"
        detail = ", ".join(f"{k} at least {v:.0f} pt" for k, v in longest)
    return RenderError(
        f"{doc.path}: the one-pager does not fit on one page even at {floor:g} pt body text: "
        f"it overflows by {by}. Longest sections: {detail}. Shorten them; nothing was written.")
