"""The memo's content, top to bottom: header block, sections, actors table, quotations, sources,
closing block, and the page header and footer. Every paragraph gets a named style from `Look`;
direct formatting is kept to what a style cannot say (the rule under the header block, muted
affiliations, the bold short name in the footer).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from reportgen.brief.markup import Inline, ListBlock, Span, Text
from reportgen.brief.markup import Paragraph as TextParagraph
from reportgen.document.typography import nonbreaking_join
from reportgen.labels import PLACEHOLDER
from reportgen.profile import Profile
from reportgen.writers.docx.look import Numbering, StyleIds
from reportgen.writers.docx.ooxml import (
    Border,
    Hyperlinks,
    TextSettings,
    add_field,
    add_run,
    add_spans,
    bidi_language,
    borders,
    is_right_to_left,
    mark_direction,
    mirror_story,
    put,
    run_look,
    spacing,
    tab_stops,
    twips,
)
from reportgen.writers.docx.plan import LOGO_HEIGHT_PT, FigureBox, memo_body_pt

if TYPE_CHECKING:
    from reportgen.document import ActorEntry, Document, Section, SourceEntry
    from reportgen.document.labels import Labels
    from reportgen.document.model import ImageFigure
    from reportgen.writers.docx.pictures import Media

# The actors table's columns: the label of each heading and its share of the text width.
ACTOR_COLUMNS = (("table_name", 0.24), ("table_role", 0.28), ("table_stance", 0.48))
ATTRIBUTION_DASH = nonbreaking_join("—", "")  # "— Name": the dash never ends a line
W_P, W_PPR, W_PSTYLE, W_VAL = (qn(t) for t in ("w:p", "w:pPr", "w:pStyle", "w:val"))
# Word's caption sequence: "Insert Table of Figures" lists the captions that count it.
FIGURE_SEQUENCE = "SEQ Figure \\* ARABIC"


@dataclass(frozen=True)
class Pictures:
    """What the memo's pictures need besides the document: the package's media, each
    picture's size on the page (the plan's), and the map drawn as a PNG."""

    media: Media
    map_box: FigureBox | None = None
    map_png: bytes | None = None
    image_boxes: tuple[FigureBox, ...] = ()
    value_column_pt: float = 0.0


def caption_pieces(labels: Labels, number: int, caption: str | None,
                   label: str) -> list[tuple[str, str]] | None:
    """The caption `label` ("Figure 2: Basra's waterway", made by the document from the
    `figure_caption` label) as (kind, text) pieces in the label's order: "text", "number"
    (where a Word SEQ field goes) and "caption". None when the pieces do not give back the
    label exactly (a profile's label without {number}): it is then printed as plain text."""
    pattern = labels.words["figure_caption" if caption else "figure"]
    values = {"number": str(number), "caption": caption or ""}
    pieces: list[tuple[str, str]] = []
    at = 0
    for m in PLACEHOLDER.finditer(pattern):
        if m.group(1) not in values:
            return None
        if m.start() > at:
            pieces.append(("text", pattern[at:m.start()]))
        pieces.append((m.group(1), values[m.group(1)]))
        at = m.end()
    if at < len(pattern):
        pieces.append(("text", pattern[at:]))
    numbers = sum(kind == "number" for kind, _ in pieces)
    if numbers != 1 or "".join(text for _, text in pieces) != label:
        return None
    return pieces


class StyleVals:
    """The style value python-docx's `Paragraph.style =` or `Table.style =` writes for a style
    id (`part.get_style_id(styles.get_by_id(style_id, kind), kind)`): None for the default
    style of its kind, else the style's id. python-docx scans every style for the default on
    each assignment; here it is found once per kind and each answer kept, for one memo."""

    def __init__(self, styles) -> None:
        self.styles = styles
        self._defaults: dict[object, object] = {}
        self._vals: dict[tuple[str, object], str | None] = {}

    def __call__(self, style_id: str, kind) -> str | None:
        key = (style_id, kind)
        if key not in self._vals:
            if kind not in self._defaults:
                self._defaults[kind] = self.styles.default(kind)
            style = self.styles.get_by_id(style_id, kind)
            self._vals[key] = (None if style is None or style == self._defaults[kind]
                               else style.style_id)
        return self._vals[key]


@dataclass
class MemoWriter:
    doc: object  # docx.Document
    document: Document
    ids: StyleIds
    numbering: Numbering
    text_width_pt: float
    pictures: Pictures | None = None
    # Styles whose side rules the look drew for a right-to-left memo (on the right).
    rtl_styles: frozenset[str] = frozenset()
    style_vals: StyleVals | None = None  # shared with the header and footer

    def __post_init__(self) -> None:
        self.profile: Profile = self.document.look
        self.labels: Labels = self.document.labels
        self.rtl = self.document.meta.direction == "rtl"
        self.ts = TextSettings(arabic_font=self.profile.fonts.arabic,
                               hyperlink_style=self.ids.hyperlink,
                               arabic_lang=bidi_language(self.document.meta.language, self.rtl),
                               links=Hyperlinks(self.doc.part))
        # Paragraphs in a style with a rule on one side (the bottom line's box, quotations):
        # one whose direction is not the memo's gets the rule on its own start side.
        self._ruled: list[tuple[object, str]] = []
        # A brief can make a hundred thousand paragraphs, and python-docx's per-paragraph
        # APIs are not cheap: `Paragraph.style =` finds the styles part among all
        # relationships and the default style among all styles, `Document.add_paragraph`
        # finds w:sectPr among all body children. Each is resolved once here and paragraphs
        # are built as XML (w:p elements, not Paragraph proxies), in linear time.
        if self.style_vals is None:
            self.style_vals = StyleVals(self.doc.styles)
        self._num: dict[str, int] = {}
        self._body = self.doc.element.body
        self._body_end = self._body.sectPr

    # ----------------------------------------------------------------------------------------
    def write(self) -> None:
        self.header_block()
        figures_placed = False
        for section in self.document.sections:
            self.heading(section.heading)
            self.section(section)
            if section.key == "summary" and self.document.key_figures:
                self.key_figures_table()
            # The figures show where and what the situation describes; the brief links no
            # picture to a section, and the map is figure 1, so all follow the situation
            # in the document's numbering order (Word's SEQ fields count in reading order).
            if section.key == "situation":
                self.figures()
                figures_placed = True
        if not figures_placed:
            self.figures()
        self.closing()
        if self.rtl:
            mirror_story(self._body)
        for p, style_id in self._ruled:
            if is_right_to_left(p) != (style_id in self.rtl_styles):
                self._mirror_side_rules(p, style_id)

    def _mirror_side_rules(self, p, style_id: str) -> None:
        """Direct paragraph borders: the style's, with left and right swapped (a mainly
        Arabic quotation in an English memo has its rule on the right, where it starts)."""
        style = self.doc.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)
        while style is not None:
            pbdr = style.element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
            if pbdr is not None:
                break
            style = style.base_style
        if pbdr is None:
            return
        sides = {child.tag: child for child in pbdr}
        left, right = sides.get(qn("w:left")), sides.get(qn("w:right"))
        if left is None and right is None:
            return
        box = put(p.get_or_add_pPr(), "w:pBdr")
        for child in list(box):
            box.remove(child)
        for tag in ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"):
            source = {"w:left": right, "w:right": left}.get(tag, sides.get(qn(tag)))
            el = put(box, tag)
            if source is None:
                el.set(qn("w:val"), "nil")
            else:
                for key, value in source.attrib.items():
                    el.set(key, value)

    def section(self, section: Section) -> None:
        if section.key == "summary":
            self.blocks(section.text, self.ids.bottom_line)
        elif section.key == "actors":
            self.actors_table(section.actors, section.heading)
            quoted = [a for a in section.actors if a.quote]
            if quoted:
                self.heading(self.labels["in_their_own_words"], level=2)
                for actor in quoted:
                    self.quotation(actor)
        elif section.key == "leverage":
            self.leverage(section)
        elif section.key == "sources":
            self.sources(section.sources)
        else:  # situation, outlook: running text
            self.blocks(section.text, self.ids.body)

    # ----------------------------------------------------------------------------------------
    def para(self, style_id: str, container=None):
        """A new w:p in `style_id` at the end of the body, or of `container` (a w:tc)."""
        if container is not None:
            p = etree.SubElement(container, W_P)
        elif self._body_end is None:
            p = etree.SubElement(self._body, W_P)
        else:
            p = self._body.makeelement(W_P)
            self._body_end.addprevious(p)
        self._set_style(p, style_id)
        return p

    def _set_style(self, p, style_id: str) -> None:
        """Style the new, empty w:p `p` (w:pPr first, as python-docx's `Paragraph.style =`
        leaves it even for the default style)."""
        ppr = etree.SubElement(p, W_PPR)
        val = self.style_vals(style_id, WD_STYLE_TYPE.PARAGRAPH)
        if val is not None:
            etree.SubElement(ppr, W_PSTYLE, {W_VAL: val})

    def text_para(self, style_id: str, spans: Inline, container=None, **kw):
        p = self.para(style_id, container)
        add_spans(p, spans, self.ts, **kw)
        if style_id in (self.ids.bottom_line, self.ids.quote):
            self._ruled.append((p, style_id))
        return p

    def heading(self, text: str, level: int = 1) -> None:
        style = self.ids.heading1 if level == 1 else self.ids.heading2
        self.text_para(style, (Span(text),))

    def header_block(self) -> None:
        """MEMORANDUM, then the TO / FROM / CC / DATE / SUBJECT lines the document gives."""
        meta = self.document.meta
        self.text_para(self.ids.title, (Span(self.labels["memorandum"]),))
        last = None
        for line in self.document.memo:
            p = self.para(self.ids.message_header)
            add_run(p, self.document.labels.fill("memo_label", label=line.label), self.ts,
                    style_id=self.ids.memo_label)
            add_run(p, "\t", self.ts)
            add_run(p, line.text, self.ts)
            mark_direction(p, line.text)  # the value's direction, not the label's
            last = p
        if last is not None:  # the rule that closes the header block
            ppr = last.get_or_add_pPr()
            borders(ppr, "w:pBdr", bottom=Border(1.5, self.profile.colors.accent, 9))
            spacing(ppr, after=18)
        subject = next((m.text for m in self.document.memo if m.key == "subject"), meta.title)
        if meta.title != subject:
            self.text_para(self.ids.subtitle, (Span(meta.title),))
        if meta.subtitle:
            self.text_para(self.ids.standfirst, (Span(meta.subtitle),))

    # ----------------------------------------------------------------------------------------
    def blocks(self, text: Text, style_id: str, container=None) -> None:
        """Paragraphs in `style_id`; lists as List Bullet / List Number (or, inside a table or
        the bottom-line box, `style_id` numbered directly so the box keeps its look)."""
        for block in text.blocks:
            if isinstance(block, TextParagraph):
                self.text_para(style_id, block.spans, container)
            else:
                self.list_block(block, style_id, container)

    def list_block(self, block: ListBlock, style_id: str, container=None) -> None:
        plain_list = style_id == self.ids.body and container is None
        if block.ordered:
            style = self.ids.list_number if plain_list else style_id
            num_id = self.numbering.restarted(self._num_of(self.ids.list_number))
        else:
            style = self.ids.list_bullet if plain_list else style_id
            num_id = None if plain_list else self._num_of(self.ids.list_bullet)
        for item in block.items:
            p = self.text_para(style, item, container)
            if num_id is not None:
                numpr = put(p.get_or_add_pPr(), "w:numPr")
                put(numpr, "w:ilvl", val=0)
                put(numpr, "w:numId", val=num_id)

    def _num_of(self, style_id: str) -> int:
        if style_id not in self._num:
            style = self.doc.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)
            num = self.numbering.style_num_id(style)
            self._num[style_id] = num if num is not None else self.numbering.bullet_num()
        return self._num[style_id]

    def leverage(self, section: Section) -> None:
        """One leverage point (one paragraph, as the brief's schema requires) = one bullet."""
        for block in section.blocks:
            if isinstance(block, ListBlock):
                for item in block.items:
                    self.text_para(self.ids.list_bullet, item)

    # ----------------------------------------------------------------------------------------
    def actors_table(self, actors: tuple[ActorEntry, ...], heading: str) -> None:
        table = self.doc.add_table(rows=1 + len(actors), cols=len(ACTOR_COLUMNS))
        table._tbl.tblStyle_val = self.style_vals(self.ids.table, WD_STYLE_TYPE.TABLE)
        widths = [twips(self.text_width_pt * share) for _, share in ACTOR_COLUMNS]
        widths[-1] = twips(self.text_width_pt) - sum(widths[:-1])
        self._table_geometry(table, widths)
        # What a screen reader announces before the table (Word's Table Properties > Alt
        # Text): its title, the section's heading, and what a row holds, in the brief's
        # language ("Actors: Name, Role and affiliation, Stance").
        tblpr = table._tbl.tblPr
        put(tblpr, "w:tblCaption", val=heading)
        columns = self.labels["list_separator"].join(self.labels[k] for k, _ in ACTOR_COLUMNS)
        put(tblpr, "w:tblDescription",
            val=f"{self.labels.fill('memo_label', label=heading)} {columns}")
        # Cells straight from the XML: python-docx's `_Row.cells` resolves merged cells on each
        # call, and this table has none.
        trs = table._tbl.tr_lst
        rows = [tr.tc_lst for tr in trs]
        put(trs[0].get_or_add_trPr(), "w:tblHeader")
        for tc, (label, _) in zip(rows[0], ACTOR_COLUMNS, strict=True):
            p = tc.p_lst[0]
            self._set_style(p, self.ids.table_heading)
            add_run(p, self.labels[label], self.ts)
        for tr, row, actor in zip(trs[1:], rows[1:], actors, strict=True):
            put(tr.get_or_add_trPr(), "w:cantSplit")
            name_cell, role_cell, stance_cell = row
            self._cell_name(name_cell, actor)
            self._cell_role(role_cell, actor)
            if actor.stance:
                self.blocks(actor.stance, self.ids.table_text, stance_cell)
            else:
                self._cell_dash(stance_cell)
            for tc in row:
                self._drop_leading_empty(tc)
        if len(actors) >= 3:  # no lone row under the header at a page foot: keep two together
            for tc in rows[1]:
                for p in tc.p_lst:
                    put(p.get_or_add_pPr(), "w:keepNext")

    def _table_geometry(self, table, widths: list[int]) -> None:
        tbl = table._tbl
        tblpr = tbl.tblPr
        put(tblpr, "w:tblW", w=sum(widths), type="dxa")
        # Before Word 2013 (compatibility mode < 15) a table's edge hangs out by the cell
        # margin; indent it back so the rules line up with the text.
        hang = self._cell_margin_left(table) if compat_mode(self.doc) < 15 else 0
        put(tblpr, "w:tblInd", w=hang, type="dxa")
        put(tblpr, "w:tblLayout", type="fixed")
        look = put(tblpr, "w:tblLook")
        for attr, value in (("firstRow", 1), ("lastRow", 0), ("firstColumn", 0),
                            ("lastColumn", 0), ("noHBand", 0), ("noVBand", 1)):
            look.set(qn(f"w:{attr}"), str(value))
        look.set(qn("w:val"), "0420")
        for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(w))
        for tr in tbl.tr_lst:
            for tc, w in zip(tr.tc_lst, widths, strict=True):
                put(tc.get_or_add_tcPr(), "w:tcW", w=w, type="dxa")

    def _cell_margin_left(self, table) -> int:
        style = table.style
        while style is not None:
            mar = style.element.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:left')}")
            if mar is None:
                mar = style.element.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:start')}")
            if mar is not None:
                return int(mar.get(qn("w:w")))
            style = style.base_style
        return 108  # Word's default cell margin, 0.075 in

    def _cell_name(self, cell, actor: ActorEntry) -> None:
        span = Span(actor.name, bold=True, href=actor.url)
        self.text_para(self.ids.table_text, (span,), cell)

    def _cell_role(self, cell, actor: ActorEntry) -> None:
        role, affiliation = actor.role, actor.affiliation
        if not role and not affiliation:
            self._cell_dash(cell)
            return
        if role:
            self.text_para(self.ids.table_text, (Span(role),), cell)
        if affiliation:
            p = self.para(self.ids.table_text, cell)
            add_run(p, affiliation, self.ts, colour=self.profile.colors.muted)
            mark_direction(p, affiliation)

    def _cell_dash(self, cell) -> None:
        p = self.para(self.ids.table_text, cell)
        add_run(p, "—", self.ts, colour=self.profile.colors.muted)

    @staticmethod
    def _drop_leading_empty(tc) -> None:
        """python-docx starts every cell with an empty paragraph; we appended ours after it."""
        paragraphs = tc.p_lst
        first = paragraphs[0]
        if len(paragraphs) > 1 and not first.text and not first.r_lst:
            tc.remove(first)

    # ----------------------------------------------------------------------------------------
    def key_figures_table(self) -> None:
        """The key figures under the bottom line: a Memo Table whose header row, across both
        columns, names it; then one row a figure, its value big in the primary colour on the
        left, its label (and source, small and muted) on the right."""
        entries = self.document.key_figures
        value_pt = self.pictures.value_column_pt if self.pictures else 0.0
        value_pt = value_pt or self.text_width_pt * 0.25
        self._space_after_last(memo_body_pt(self.profile) * 0.9)
        table = self.doc.add_table(rows=1 + len(entries), cols=2)
        table._tbl.tblStyle_val = self.style_vals(self.ids.table, WD_STYLE_TYPE.TABLE)
        widths = [twips(value_pt), twips(self.text_width_pt) - twips(value_pt)]
        self._table_geometry(table, widths)
        tblpr = table._tbl.tblPr
        look = put(tblpr, "w:tblLook")  # a few rows: no banding
        look.set(qn("w:noHBand"), "1")
        look.set(qn("w:val"), "0620")  # firstRow, noHBand, noVBand, as the attributes say
        put(tblpr, "w:tblCaption", val=self.labels["key_figures"])
        trs = table._tbl.tr_lst
        put(trs[0].get_or_add_trPr(), "w:tblHeader")
        head, spare = trs[0].tc_lst
        put(head.get_or_add_tcPr(), "w:tcW", w=sum(widths), type="dxa")
        put(head.tcPr, "w:gridSpan", val=2)
        trs[0].remove(spare)
        p = head.p_lst[0]
        self._set_style(p, self.ids.table_heading)
        add_run(p, self.labels["key_figures"], self.ts)
        mark_direction(p, self.labels["key_figures"])
        for tr, entry in zip(trs[1:], entries, strict=True):
            put(tr.get_or_add_trPr(), "w:cantSplit")
            value_cell, label_cell = tr.tc_lst
            for tc in (value_cell, label_cell):
                put(tc.get_or_add_tcPr(), "w:vAlign", val="center")
            self.text_para(self.ids.key_figure, (Span(entry.value),), value_cell)
            self.text_para(self.ids.key_figure_label, (Span(entry.label),), label_cell)
            if entry.source_text:
                self.text_para(self.ids.figure_note, (Span(entry.source_text),), label_cell)
            for tc in (value_cell, label_cell):
                self._drop_leading_empty(tc)
        for tr in trs[:-1]:  # the figures stay together, and with their header
            for tc in tr.tc_lst:
                for p in tc.p_lst:
                    put(p.get_or_add_pPr(), "w:keepNext")

    def _space_after_last(self, pt: float) -> None:
        """More room under the paragraph written last (a table has no space before)."""
        last = (self._body_end.getprevious() if self._body_end is not None
                else self._body[-1] if len(self._body) else None)
        if last is not None and last.tag == W_P:
            spacing(last.get_or_add_pPr(), after=pt)

    # ----------------------------------------------------------------------------------------
    def figures(self) -> None:
        """The map, then each image: the picture, its numbered caption, then the map's
        boundaries note or the image's credit in small type."""
        if self.pictures is None:
            return
        media = self.pictures.media
        figure = self.document.map
        if figure is not None and self.pictures.map_png and self.pictures.map_box:
            box = self.pictures.map_box
            r_id = media.relate(self.doc.part, self.pictures.map_png, "png")
            name = self.labels.fill("map_heading", country=figure.country_name)
            self._picture(r_id, box, name, figure.alt, figure.label)
            self._caption(figure.number, figure.caption, figure.label, followed=True)
            self.text_para(self.ids.figure_note, (Span(figure.note),))
        for image, box in zip(self.document.images, self.pictures.image_boxes, strict=True):
            self._image(image, box)

    def _image(self, image: ImageFigure, box: FigureBox) -> None:
        assert self.pictures is not None
        r_id = self.pictures.media.relate(self.doc.part, image.image.data, image.image.kind)
        self._picture(r_id, box, image.label, image.alt, image.label)
        self._caption(image.number, image.caption, image.label, followed=bool(image.credit))
        if image.credit:
            self.text_para(self.ids.figure_note, (Span(image.credit),))

    def _picture(self, r_id: str, box: FigureBox, name: str, alt: str, label: str) -> None:
        from reportgen.writers.docx.pictures import add_picture_run, inline_picture

        assert self.pictures is not None
        p = self.para(self.ids.figure)
        drawing = inline_picture(r_id, box.width_pt, box.height_pt,
                                 self.pictures.media.drawing_id(), name, alt)
        add_picture_run(p, drawing)
        mark_direction(p, label)  # on the side its caption starts from

    def _caption(self, number: int, caption: str | None, label: str, followed: bool) -> None:
        """"Figure 1: caption" in Word's Caption style, the number a SEQ field (cached, so
        it reads right before Word or LibreOffice recount), "Figure 1:" in bold."""
        p = self.para(self.ids.caption)
        pieces = caption_pieces(self.labels, number, caption, label)
        if pieces is None:
            add_run(p, label, self.ts)
        else:
            bold = True
            for kind, text in pieces:
                if kind == "caption":
                    bold = False
                if kind == "number":
                    add_field(p, FIGURE_SEQUENCE, text, bold=bold)
                elif text:
                    add_run(p, text, self.ts, bold=bold)
        mark_direction(p, label)
        if followed:
            put(p.get_or_add_pPr(), "w:keepNext")

    # ----------------------------------------------------------------------------------------
    def quotation(self, actor: ActorEntry) -> None:
        assert actor.quote is not None
        spans = (Span(actor.quote_open), *actor.quote, Span(actor.quote_close))
        self.text_para(self.ids.quote, spans, invert_italic=True)
        source = (Span(ATTRIBUTION_DASH), Span(actor.name, bold=True, href=actor.url),
                  Span(actor.credit_after_name))
        self.text_para(self.ids.quote_source, tuple(s for s in source if s.text))

    def sources(self, entries: tuple[SourceEntry, ...]) -> None:
        num_id = self.numbering.restarted(self._num_of(self.ids.list_number))
        comma = self.labels["list_separator"]  # "، " in Arabic, as the deck joins them
        for src in entries:
            spans = [Span(src.title, italic=True)]
            if src.details:
                spans.append(Span(comma + comma.join(src.details)))
            spans.append(Span("."))
            if src.url:
                spans += [Span(" "), Span(src.url, href=src.url)]
            p = self.text_para(self.ids.list_number, tuple(spans))
            numpr = put(p.get_or_add_pPr(), "w:numPr")
            put(numpr, "w:ilvl", val=0)
            put(numpr, "w:numId", val=num_id)

    def closing(self) -> None:
        """Disclaimer and donor note, verbatim; the link words are a hyperlink and the address
        is printed too, for readers of a printed copy."""
        c = self.document.closing
        first = self.text_para(self.ids.closing, (Span(c.disclaimer),))
        spacing(first.get_or_add_pPr(), before=28)
        url = c.donor_url
        spans = (Span(c.donor_before), Span(c.donor_link_text, href=url), Span(c.donor_after),
                 Span(" ("), Span(url, href=url), Span(")"))
        self.text_para(self.ids.closing, tuple(s for s in spans if s.text))


# --------------------------------------------------------------------------------------------
# Page furniture

COMPAT_URI = "http://schemas.microsoft.com/office/word"


def compat_mode(doc) -> int:
    """Word's layout compatibility mode of the document (11 = 2003, 14 = 2010, 15 = 2013+)."""
    for el in doc.settings.element.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode" and el.get(qn("w:uri")) == COMPAT_URI:
            return int(el.get(qn("w:val")))
    return 11 if doc.settings.element.find(qn("w:compat")) is not None else 15


def set_compat_mode(doc, mode: int) -> None:
    """Built-in look: lay out as current Word does, so it opens without 'Compatibility Mode'."""
    for el in doc.settings.element.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode" and el.get(qn("w:uri")) == COMPAT_URI:
            el.set(qn("w:val"), str(mode))


def write_footer(section, doc, document: Document, ids: StyleIds, text_width_pt: float,
                 builtin: bool, style_vals: StyleVals | None = None) -> None:
    """Organisation short name, then "Page X of Y" in the brief's language with PAGE and
    NUMPAGES fields where the label has {page} and {pages}, on every page (and on the first
    and even pages too when the section distinguishes them)."""
    profile = document.look
    rtl = document.meta.direction == "rtl"
    footers = [section.footer]
    if section.different_first_page_header_footer:
        footers.append(section.first_page_footer)
    if doc.settings.odd_and_even_pages_header_footer:
        footers.append(section.even_page_footer)
    style = doc.styles.get_by_id(ids.footer, WD_STYLE_TYPE.PARAGRAPH)
    style_val = (style_vals or StyleVals(doc.styles))(ids.footer, WD_STYLE_TYPE.PARAGRAPH)
    ts = TextSettings(profile.fonts.arabic, ids.hyperlink,
                      arabic_lang=bidi_language(document.meta.language, rtl))
    for footer in footers:
        footer.is_linked_to_previous = False
        root = footer._element
        for child in list(root):
            root.remove(child)
        p = footer.add_paragraph()
        p._p.style = style_val
        if not builtin:  # the reference's Footer tabs were set for its own page width
            tab_stops(p._p.get_or_add_pPr(), [("right", text_width_pt)],
                      clear=_inherited_tabs(style))
        add_run(p._p, document.meta.short_name, ts, bold=True)
        pieces = page_of_pieces(document.labels["page_of"])
        if rtl:  # the page furniture is mirrored, whatever script its words are in
            put(p._p.get_or_add_pPr(), "w:bidi")
        # An Arabic "صفحة 1 من 3" reads right to left: the footer is mirrored, the short name
        # on the right and the page numbers, in their order, on the left.
        mark_direction(p._p, "".join(literal for literal, _ in pieces))
        tab = "\t"
        for literal, field in pieces:
            if literal or tab:
                add_run(p._p, tab + literal, ts)
            tab = ""
            if field:
                add_field(p._p, field, "1")


PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}


def page_of_pieces(pattern: str) -> list[tuple[str, str | None]]:
    """"Page {page} of {pages}" -> [("Page ", "PAGE"), (" of ", "NUMPAGES")]: each piece of
    text and the Word field after it, in the label's order (which differs by language)."""
    return [(literal, PAGE_FIELDS[name] if name else None)
            for literal, name, _, _ in string.Formatter().parse(pattern)]


def _inherited_tabs(style) -> list[float]:
    """Tab stops (points) a paragraph in `style` inherits, so it can clear them."""
    positions = []
    while style is not None:
        for tab in style.element.findall(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"):
            if tab.get(qn("w:val")) != "clear":
                positions.append(int(tab.get(qn("w:pos"))) / 20)  # twips -> points
        style = style.base_style
    return positions


LOGO_MAX_WIDTH_SHARE = 0.4  # of the text width: a very wide logo is made lower instead
LOGO_HEADER_DISTANCE_PT = 24.0  # from the page's top edge, so the logo clears the margin


def write_header(section, doc, document: Document, ids: StyleIds,
                 media: Media | None = None, text_width_pt: float = 468.0,
                 style_vals: StyleVals | None = None) -> None:
    """Built-in look only (a reference document brings its own header): the organisation's
    logo, when the profile has one, then its name on the left and its web address on the
    right, over an accent hairline. Nothing dated, so a memo saved as a reference document
    does not carry a stale date."""
    profile = document.look
    header = section.header
    header.is_linked_to_previous = False
    root = header._element
    for child in list(root):
        root.remove(child)
    p = header.add_paragraph()
    p._p.style = (style_vals or StyleVals(doc.styles))(ids.header, WD_STYLE_TYPE.PARAGRAPH)
    rtl = document.meta.direction == "rtl"
    if rtl:  # mirrored: the logo and name on the right, the web address on the left
        put(p._p.get_or_add_pPr(), "w:bidi")
    ts = TextSettings(profile.fonts.arabic, ids.hyperlink,
                      arabic_lang=bidi_language(document.meta.language, rtl))
    if document.logo is not None and media is not None:
        # The logo first; the name and address stand on its foot, a letterhead's line.
        _header_logo(section, header, p._p, document, media, text_width_pt)
        add_run(p._p, "\u2002", ts)  # an en space between the logo and the name
    add_run(p._p, document.meta.organisation.upper(), ts)
    if profile.url:
        add_run(p._p, "\t", ts)
        site = urlparse(profile.url).netloc or profile.url
        for r in add_run(p._p, site, ts, colour=profile.colors.muted):
            run_look(r.get_or_add_rPr(), bold=False, tracking=0)


def add_logo_to_reference_header(section, document: Document, media: Media,
                                 text_width_pt: float) -> None:
    """A reference brings its own header, but the profile's logo is the organisation's mark:
    it goes at the start of the header's first paragraph, unless that header already shows a
    picture (the reference's own logo), which is kept alone. A reference without a header
    gets one holding the logo. The reference's page set-up is left as it is."""
    if document.logo is None:
        return
    header = section.header
    header.is_linked_to_previous = False  # a header of its own, if the reference had none
    root = header._element
    pictures = (f"{{{WP_NS}}}inline", f"{{{WP_NS}}}anchor", f"{{{VML_NS}}}imagedata")
    if next(root.iter(*pictures), None) is not None:
        return
    ps = root.findall(f".//{W_P}")
    p = ps[0] if ps else header.add_paragraph()._p
    ppr = p.find(W_PPR)
    runs_at = list(p).index(ppr) + 1 if ppr is not None else 0
    start = len(p)
    _header_logo(section, header, p, document, media, text_width_pt, move_header=False)
    added = list(p)[start:]
    if start > runs_at:  # there was content: the logo, a space, then that content
        ts = TextSettings(document.look.fonts.arabic, None)
        added += add_run(p, "\u2002", ts)
    for offset, el in enumerate(added):
        p.insert(runs_at + offset, el)


WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
VML_NS = "urn:schemas-microsoft-com:vml"


def _header_logo(section, header, p, document: Document, media: Media,
                 text_width_pt: float, move_header: bool = True) -> None:
    """The logo as an inline picture at the start of the header paragraph `p`, about
    0.45 in high (lower if it would be wider than 40 % of the text width); the header moves
    up so that logo and rule stay clear of the top margin."""
    from reportgen.writers.docx.pictures import add_picture_run, inline_picture

    logo = document.logo
    assert logo is not None
    height = LOGO_HEIGHT_PT
    width = height * logo.image.aspect
    if width > LOGO_MAX_WIDTH_SHARE * text_width_pt:
        width = LOGO_MAX_WIDTH_SHARE * text_width_pt
        height = width / logo.image.aspect
    r_id = media.relate(header.part, logo.image.data, logo.image.kind)
    add_picture_run(p, inline_picture(r_id, width, height, media.drawing_id(), logo.alt,
                                      logo.alt))
    if move_header:
        section.header_distance = Pt(LOGO_HEADER_DISTANCE_PT)


def set_page(section, profile: Profile) -> None:
    """Built-in look: the profile's paper; margins at least an inch, as memos are printed."""
    width, height = profile.page_size_pt
    section.page_width, section.page_height = Pt(width), Pt(height)
    margin = Pt(max(profile.page.margin_pt, 72.0))
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin
    section.header_distance = Pt(36)
    section.footer_distance = Pt(30)


__all__ = ["MemoWriter", "StyleVals", "add_logo_to_reference_header", "compat_mode",
           "page_of_pieces", "set_compat_mode", "set_page", "write_footer", "write_header"]
