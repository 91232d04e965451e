"""PDF one-pager (ReportLab platypus).

The page is always exactly one: the story is laid out at the profile's body size and shrunk in
quarter-point steps down to the floor; if it still does not fit, rendering fails with how much
it overflows and which sections are longest. Fonts are the profile's TrueType family, embedded.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
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

STEP_PT = 0.25
SMALLEST_PT = 7.0  # secondary lines: roles, sources, the disclaimer


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
    cell_head: ParagraphStyle
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
        label=style("label", max(SMALLEST_PT, s * 0.78), fontName=bold,
                    textColor=colors.HexColor(c.accent), spaceAfter=s * 0.2),
        title=style("title", s * 2.0, 1.12, fontName=bold, textColor=primary,
                    spaceAfter=s * 0.35),
        subtitle=style("subtitle", s * 1.2, 1.25, textColor=muted, spaceAfter=s * 0.3),
        byline=style("byline", s * 0.9, textColor=muted, spaceAfter=s * 0.9),
        heading=style("heading", s * 1.22, 1.2, fontName=bold, textColor=primary,
                      spaceBefore=s * 0.95, spaceAfter=s * 0.35, keepWithNext=1),
        cell=style("cell", s, 1.25),
        cell_head=style("cell_head", max(SMALLEST_PT, s * 0.8), 1.2, fontName=bold,
                        textColor=colors.white),
        cell_muted=style("cell_muted", secondary, 1.25, textColor=muted),
        quote=style("quote", s, 1.25, fontName=f"{font}-italic", spaceBefore=s * 0.15),
        small=style("small", secondary, 1.3, textColor=muted, spaceAfter=s * 0.1),
        fine=style("fine", max(SMALLEST_PT, s * 0.72), 1.3, textColor=muted),
        fine_right=style("fine_right", max(SMALLEST_PT, s * 0.72), 1.3, textColor=muted,
                         alignment=TA_RIGHT),
    )


# ---------------------------------------------------------------------------------------------
# Markup: the brief's inline model to ReportLab's paragraph mini-language


def rl(text: str, st: Styles) -> str:
    """Plain text to ReportLab paragraph markup: escaped, with Arabic-script runs shaped,
    put in visual order and set in the profile's Arabic family."""
    out = []
    for piece, arabic in script_segments(text):
        if arabic:
            import arabic_reshaper
            from bidi import get_display

            out.append(f'<font face="{st.arabic_face}">'
                       f"{escape(get_display(arabic_reshaper.reshape(piece)))}</font>")
        else:
            out.append(escape(piece))
    return "".join(out)


def markup(spans: Inline, link_colour: str, st: Styles) -> str:
    out = []
    for span in spans:
        piece = rl(span.text, st)
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
            out.append(bullets(block, style, link, st))
    return out


def bullets(block: ListBlock, style: ParagraphStyle, link: str, st: Styles,
            bullet_colour: str | None = None) -> ListFlowable:
    item_style = ParagraphStyle(f"{style.name}-item", parent=style, spaceAfter=style.fontSize * .2)
    items = [ListItem(Paragraph(markup(spans, link, st), item_style)) for spans in block.items]
    bullet_colour = colors.HexColor(bullet_colour or link)
    return ListFlowable(
        items, bulletType="1" if block.ordered else "bullet", start=None if block.ordered else "•",
        leftIndent=style.fontSize * 1.3, bulletFontName=style.fontName,
        bulletFontSize=style.fontSize * 0.95, bulletColor=bullet_colour,
        spaceAfter=style.spaceAfter)


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


def build_story(doc: LoadedBrief, st: Styles, profile: Profile, width: float
                ) -> list[tuple[str, list[Flowable]]]:
    """The one-pager's content as (section key, flowables), top to bottom."""
    b = doc.brief
    link = profile.colors.primary
    sections: list[tuple[str, list[Flowable]]] = []

    masthead: list[Flowable] = [Paragraph(rl(b.title, st), st.title)]
    if b.subtitle:
        masthead.append(Paragraph(rl(b.subtitle, st), st.subtitle))
    if b.authors:
        masthead.append(Paragraph("By " + rl(_join_names(b.authors), st), st.byline))
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
    sections.append(("summary", [OutlineMark("Bottom line", "summary"), box]))

    sections.append(("situation", [Heading("Situation", st, "situation"),
                                   *text_flowables(b.situation, st.body, link, st)]))
    sections.append(("actors", [Heading("Actors", st, "actors"),
                                actors_table(doc, st, profile, width)]))
    sections.append(("leverage", [Heading(b.leverage.heading, st, "leverage"),
                                  *[f for point in b.leverage.points
                                    for f in _as_bullets(point, st.body, link, st)]]))
    sections.append(("outlook", [Heading("Outlook", st, "outlook"),
                                 *text_flowables(b.outlook, st.body, link, st)]))
    if b.sources:
        items = []
        for src in b.sources:
            bits = [f"<i>{rl(src.title, st)}</i>"]
            bits += [rl(x, st) for x in (src.publisher, _long_date(src.date) if src.date else None)
                     if x]
            line = ", ".join(bits) + "."
            if src.url:
                line += f' <a href="{escape(src.url)}" color="{link}">{escape(src.url)}</a>'
            items.append(line)
        flow = [Heading("Sources", st, "sources")]
        flow += [Paragraph(item, st.small) for item in items]
        sections.append(("sources", flow))
    return sections


def _as_bullets(point: Text, style: ParagraphStyle, link: str, st: Styles) -> list[Flowable]:
    """Each leverage point is one bullet; a point with several paragraphs stays one item."""
    return [bullets(ListBlock(tuple(point.inlines())), style, link, st)]


def actors_table(doc: LoadedBrief, st: Styles, profile: Profile, width: float) -> Table:
    """Two columns: who they are, then their stance and, set as a quotation, their own words."""
    link = profile.colors.primary
    header = [Paragraph(h, st.cell_head) for h in ("ACTOR", "STANCE AND OWN WORDS")]
    rows = [header]
    for actor in doc.brief.actors:
        who = [Paragraph(f"<b>{rl(actor.name, st)}</b>", st.cell)]
        if actor.role_line:
            who.append(Paragraph(rl(actor.role_line, st), st.cell_muted))
        said: list[Flowable] = text_flowables(actor.stance, st.cell, link, st) if actor.stance \
            else []
        if actor.quote:
            source = (f' <font color="{profile.colors.muted}" name="{st.cell.fontName}">'
                      f"— {rl(actor.quote_source, st)}</font>" if actor.quote_source else "")
            said.append(Paragraph(f"“{markup(actor.quote, link, st)}”{source}", st.quote))
        rows.append([who, said or [Paragraph("—", st.cell_muted)]])
    table = Table(rows, colWidths=[width * 0.3, width * 0.7], repeatRows=1)
    pad = st.cell.fontSize * 0.42
    rule = colors.HexColor("#D5DBE1")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), st.cell.fontName),  # else Helvetica is referenced
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(profile.colors.primary)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.3), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.2),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, rule),
    ]
    for r in range(2, len(rows), 2):
        style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F6F8FA")))
    table.setStyle(TableStyle(style))
    return table


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _long_date(d) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


# ---------------------------------------------------------------------------------------------
# Page furniture: masthead band and the disclaimer footer, drawn on the canvas


def footer_flowables(profile: Profile, st: Styles) -> list[Flowable]:
    before, words, after = profile.donor_note.split()
    url = profile.donor_note.url
    donor = (f'{rl(before, st)}<a href="{escape(url)}" color="{profile.colors.primary}" '
             f'underline="1">{rl(words, st)}</a>{rl(after, st)} ({escape(url)})')
    return [Paragraph(rl(profile.disclaimer, st), st.fine), Paragraph(donor, st.fine)]


class OnePager(BaseDocTemplate):
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
    pages: int
    overflow_pt: float
    heights: dict[str, float]
    data: bytes


def layout(doc: LoadedBrief, lp: LoadedProfile, body_pt: float, font: str,
           arabic_face: str) -> Attempt:
    profile = lp.profile
    b = doc.brief
    st = make_styles(body_pt, font, arabic_face, profile)
    page_w, page_h = profile.page_size_pt
    margin = profile.page.margin_pt
    width = page_w - 2 * margin
    band = 4.0
    mast_h = st.fine.leading + body_pt * 1.6

    foot = footer_flowables(profile, st)
    foot_h = sum(f.wrap(width, page_h)[1] for f in foot) + st.fine.fontSize * 1.2
    frame_y = margin + foot_h
    frame_top = page_h - margin - mast_h
    frame = Frame(margin, frame_y, width, frame_top - frame_y, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def furniture(canvas: Canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(profile.colors.primary))
        canvas.rect(0, page_h - band, page_w, band, stroke=0, fill=1)
        y = page_h - margin - st.fine.fontSize
        left = Paragraph(f"<b>{rl(profile.name.upper(), st)}</b>",
                         ParagraphStyle("m", parent=st.fine, textColor=colors.HexColor(
                             profile.colors.primary)))
        left.wrapOn(canvas, width * 0.7, 40)
        left.drawOn(canvas, margin, y - left.height + st.fine.fontSize)
        right_text = "POLICY BRIEF · " + _long_date(b.date).upper()
        right = Paragraph(escape(right_text), st.fine_right)
        right.wrapOn(canvas, width * 0.5, 40)
        right.drawOn(canvas, margin + width * 0.5, y - right.height + st.fine.fontSize)
        canvas.setStrokeColor(colors.HexColor(profile.colors.accent))
        canvas.setLineWidth(0.8)
        rule_y = page_h - margin - mast_h + body_pt * 0.7
        canvas.line(margin, rule_y, margin + width, rule_y)
        # footer: rule, disclaimer, donor note
        canvas.setStrokeColor(colors.HexColor("#C9D1D9"))
        canvas.setLineWidth(0.5)
        canvas.line(margin, margin + foot_h - st.fine.fontSize * 0.5, margin + width,
                    margin + foot_h - st.fine.fontSize * 0.5)
        y = margin + foot_h - st.fine.fontSize * 1.0
        for f in foot:
            _, h = f.wrapOn(canvas, width, page_h)
            f.drawOn(canvas, margin, y - h)
            y -= h
        canvas.restoreState()

    story = [f for _, flows in build_story(doc, st, profile, width) for f in flows]

    buf = io.BytesIO()
    author = _join_names(b.authors) if b.authors else profile.name
    pdf = OnePager(buf, pagesize=(page_w, page_h), leftMargin=margin, rightMargin=margin,
                   topMargin=margin, bottomMargin=margin, title=b.title, author=author,
                   subject=b.summary.plain, creator="reportgen", keywords=[profile.short_name,
                   "policy brief", b.leverage.holder], lang=b.language, invariant=1,
                   displayDocTitle=1)
    pdf.addPageTemplates([PageTemplate("one", frames=[frame], onPage=furniture)])
    epoch = document_time(b.date).timestamp()
    try:
        pdf.build(story, canvasmaker=_canvas_with_clock(epoch, font))
        pages = pdf.page
    except LayoutError:
        pages = 99
    heights: dict[str, float] = {}
    if pages != 1:  # only a failure needs the per-section figures
        fresh = build_story(doc, st, profile, width)
        heights = {key: sum(_height(f, width) for f in flows) for key, flows in fresh}
    overflow = max(0.0, sum(heights.values()) - frame.height)
    return Attempt(body_pt, pages, overflow, heights, buf.getvalue())


def _height(flowable: Flowable, width: float) -> float:
    _, h = flowable.wrapOn(Canvas(io.BytesIO()), width, 10_000)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def render(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    return fit(doc, lp).data


def fit(doc: LoadedBrief, lp: LoadedProfile) -> Attempt:
    """Lay the one-pager out at the largest body size that fits on one page.

    Raises RenderError (saying by how much it overflows) if even the floor size does not fit.
    """
    profile = lp.profile
    check_glyphs(doc, lp)
    body, arabic = profile_families(lp)
    font, arabic_face = _register(body), f"{_register(arabic)}-regular"
    size = profile.type.body_pt
    attempt = None
    while size >= profile.type.min_body_pt - 1e-9:
        attempt = layout(doc, lp, size, font, arabic_face)
        if attempt.pages == 1:
            return attempt
        size = round(size - STEP_PT, 2)
    assert attempt is not None
    longest = sorted(attempt.heights.items(), key=lambda kv: -kv[1])[:3]
    lines = max(1, round(attempt.overflow_pt / (attempt.body_pt * 1.32)))
    detail = ", ".join(f"{k} {v:.0f} pt" for k, v in longest)
    raise RenderError(
        f"{doc.path}: the one-pager does not fit on one page even at "
        f"{profile.type.min_body_pt:g} pt body text: it overflows by {attempt.overflow_pt:.0f} pt "
        f"(about {lines} lines). Longest sections: {detail}. Shorten them; nothing was written.")


__all__ = ["render", "TA_LEFT"]
