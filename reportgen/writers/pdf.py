"""PDF one-pager (ReportLab platypus).

The page is always exactly one: the story is laid out at the profile's body size and shrunk in
quarter-point steps down to the floor; if it still does not fit, rendering fails with how much
it overflows and which sections are longest. Fonts are the profile's TrueType family, embedded.
"""

from __future__ import annotations

import io
import time
import unicodedata
from dataclasses import dataclass
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


def markup(spans: Inline, link_colour: str, st: Styles) -> str:
    out = []
    for span in spans:
        piece = rl(span.text, st, bold=span.bold)
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if span.href:
            piece = (f'<a href="{escape(span.href, {chr(34): "&quot;"})}" '
                     f'color="{link_colour}" underline="1">{piece}</a>')
        out.append(piece)
    return "".join(out)


def text_flowables(text: Text, style: ParagraphStyle, link: str, st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    for block in text.blocks:
        if isinstance(block, TextParagraph):
            out.append(Paragraph(markup(block.spans, link, st), style))
        else:
            out.extend(bullets(block, style, link, st))
    return out


def bullets(block: ListBlock, style: ParagraphStyle, link: str, st: Styles) -> list[Flowable]:
    """One flowable per item (so a heading can be kept with the first item alone), evenly
    spaced, the block's own space after the last."""
    item_style = ParagraphStyle(f"{style.name}-item", parent=style, spaceAfter=0)
    gap = style.fontSize * 0.3
    out: list[Flowable] = []
    for i, spans in enumerate(block.items):
        last = i == len(block.items) - 1
        out.append(ListFlowable(
            [ListItem(Paragraph(markup(spans, link, st), item_style))],
            bulletType="1" if block.ordered else "bullet",
            start=i + 1 if block.ordered else "•", leftIndent=style.fontSize * 1.3,
            bulletFontName=style.fontName, bulletFontSize=style.fontSize * 0.95,
            bulletColor=colors.HexColor(link), spaceAfter=style.spaceAfter if last else gap))
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
    link = profile.colors.primary
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
                   *text_flowables(b.summary, st.lead, link, st)]
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
                                          text_flowables(b.situation, st.body, link, st))))
    sections.append(("actors", section(Heading("Actors", st, "actors"),
                                       actor_rows(doc, st, profile, column))))
    # one list, so every point sits at the same spacing
    points = ListBlock(tuple(spans for point in b.leverage.points for spans in point.inlines()))
    sections.append(("leverage", section(Heading(b.leverage.heading, st, "leverage"),
                                         bullets(points, st.body, link, st))))
    sections.append(("outlook", section(Heading("Outlook", st, "outlook"),
                                        text_flowables(b.outlook, st.body, link, st))))
    if b.sources:
        items = []
        for src in b.sources:
            bits = [f"<i>{rl(src.title, st)}</i>"]
            bits += [rl(x, st) for x in (src.publisher, long_date(src.date) if src.date else None)
                     if x]
            line = ", ".join(bits) + "."
            if src.url:
                line += (f' <a href="{escape(src.url)}" color="{link}" underline="1">'
                         f"{escape(src.url)}</a>")
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
    link = profile.colors.primary
    rows = []
    for i, actor in enumerate(doc.brief.actors):
        name = rl(actor.name, st, bold=True)
        if actor.url:
            name = f'<a href="{escape(actor.url)}" color="{profile.colors.text}">{name}</a>'
        who = f"<b>{name}</b>"
        if actor.role_line:
            who += (f' <font color="{profile.colors.muted}" size="{st.cell_muted.fontSize}">'
                    f"· {rl(actor.role_line, st)}</font>")
        cell: list[Flowable] = [Paragraph(who, st.cell_name)]
        if actor.stance:
            cell += text_flowables(actor.stance, st.cell, link, st)
        if actor.quote:
            source = (f' <font color="{profile.colors.muted}" name="{st.cell.fontName}">'
                      f"— {rl(actor.quote_source, st)}</font>" if actor.quote_source else "")
            cell.append(Paragraph(f"“{markup(actor.quote, link, st)}”{source}", st.quote))
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
    donor = (f'{rl(before, st)}<a href="{escape(url)}" color="{profile.colors.primary}" '
             f'underline="1">{rl(words, st)}</a>{rl(after, st)} '
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


def page_grid(profile: Profile, st: Styles, foot: list[Flowable]) -> PageGrid:
    page_w, page_h = profile.page_size_pt
    margin = profile.page.margin_pt
    width = page_w - 2 * margin
    org_top = page_h - MASTHEAD_TOP_PT
    rule_y = org_top - st.fine.leading - 3
    footer_h = sum(_height(f, width) for f in foot) + st.fine.fontSize * 1.2
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
    top_h = sum(_height(f, g.width) for f in spanning) + 1  # +1: rounding slack
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


def measure_overflow(doc: LoadedBrief, lp: LoadedProfile, body_pt: float, font: str,
                     arabic_face: str) -> tuple[float, dict[str, float]]:
    """For the error message when even the floor does not fit: how far the column text runs
    past the two columns, and each section's height (at the width it is set in)."""
    profile = lp.profile
    st = make_styles(body_pt, font, arabic_face, profile)
    g = page_grid(profile, st, footer_flowables(profile, st))
    heights = {key: sum(_height(f, g.width if key in SPANNING else g.column) for f in flows)
               for key, flows in build_story(doc, st, profile, g.width, g.column)}
    top = sum(v for k, v in heights.items() if k in SPANNING)
    capacity = 2 * max(0.0, g.content_top - top - g.body_bottom)
    return max(0.0, sum(v for k, v in heights.items() if k not in SPANNING) - capacity), heights


def _height(flowable: Flowable, width: float) -> float:
    if isinstance(flowable, KeepTogether):  # its wrap() answers "huge" when it cannot fit
        return sum(_height(f, width) for f in flowable._content)
    _, h = flowable.wrapOn(Canvas(io.BytesIO()), width, 10_000)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def render(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    return fit(doc, lp).data


def type_sizes(start: float, floor: float) -> list[float]:
    """start, start - 0.25, … down to the floor (at least one size, never below the floor)."""
    sizes = [start]
    while sizes[-1] - STEP_PT >= floor - 1e-9:
        sizes.append(round(sizes[-1] - STEP_PT, 2))
    return sizes


def fit(doc: LoadedBrief, lp: LoadedProfile) -> Attempt:
    """Lay the one-pager out at the largest body size that fits on one page.

    Raises RenderError (saying by how much it overflows) if even the floor size does not fit.
    """
    profile = lp.profile
    # The clock first: a bad SOURCE_DATE_EPOCH is a usage error before any layout (ReportLab
    # reads the variable itself whenever a canvas is made).
    epoch = document_time(doc.brief.date).timestamp()
    check_glyphs(doc, lp)
    body, arabic = profile_families(lp)
    font, arabic_face = _register(body), _register(arabic)
    for size in type_sizes(profile.type.body_pt, profile.type.min_body_pt):
        attempt = layout(doc, lp, size, font, arabic_face, epoch)
        if attempt.pages == 1:
            return attempt
    floor = attempt.body_pt
    overflow, heights = measure_overflow(doc, lp, floor, font, arabic_face)
    longest = sorted(heights.items(), key=lambda kv: -kv[1])[:3]
    lines = max(1, round(overflow / (floor * 1.32)))
    detail = ", ".join(f"{k} {v:.0f} pt" for k, v in longest)
    raise RenderError(
        f"{doc.path}: the one-pager does not fit on one page even at "
        f"{profile.type.min_body_pt:g} pt body text: it overflows by {overflow:.0f} pt "
        f"(about {lines} lines). Longest sections: {detail}. Shorten them; nothing was written.")

