"""The memo's styles: Word's own (Title, Heading 1/2, List Bullet, Quote, ...) plus a few
named reportgen styles (Bottom Line, Message Header, Memo Table, ...), all in the style sheet
so the navigation pane, a table of contents and restyling in Word work.

Without a reference document every style is (re)defined from the profile's colours and fonts.
With one, its styles win as they are (pandoc's reference-doc rule); only styles it lacks are
added, in the profile's colours, so every paragraph still has a proper style.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from lxml import etree

from reportgen.profile import Profile
from reportgen.writers.colour import RULE_GREY, brand_colour_scheme, mix
from reportgen.writers.docx.ooxml import (
    NO_BORDER,
    Border,
    bidi_language,
    borders,
    drop,
    fonts,
    indent,
    put,
    run_look,
    shade,
    spacing,
    tab_stops,
    twips,
)
from reportgen.writers.docx.plan import SCALE, STYLES, memo_body_pt
from reportgen.writers.reference import XML_PARSER

KINDS = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
         "table": WD_STYLE_TYPE.TABLE}
P = WD_STYLE_TYPE.PARAGRAPH
LIST_INDENT_PT = 18.0
LIST_HANGING_PT = 12.0
LATIN_IN_RTL = "en-US"  # the language of Latin runs in a right-to-left memo
# Pressing Enter after one of these in Word continues in body text.
FOLLOWED_BY_BODY_TEXT = ("Title", "Subtitle", "Standfirst", "Heading 1", "Heading 2", "Quote")


@dataclass(frozen=True)
class StyleIds:
    """Style ids the memo writer applies (ids, not names: a reference may rename nothing, but a
    Word-made reference can spell ids its own way)."""

    title: str
    subtitle: str
    standfirst: str
    message_header: str
    memo_label: str
    heading1: str
    heading2: str
    bottom_line: str
    body: str
    list_bullet: str
    list_bullet2: str
    list_number: str
    list_continue: str
    quote: str
    quote_source: str
    table: str
    table_text: str
    table_heading: str
    hyperlink: str
    closing: str
    header: str
    footer: str
    key_figure: str
    key_figure_label: str
    figure: str
    caption: str
    figure_note: str


class StyleIndex:
    """The style sheet's styles by name and by id, read once: python-docx's `name in styles`,
    `styles[name]` and `add_style` scan every style (reading each w:name) on every call, ~30
    look-ups a memo. Same answers: the first style of a name or id wins, as python-docx's
    XPath look-ups and scans find it. Only styles added through `add` are indexed after that,
    which is every style this writer adds; nothing renames a style or changes its id."""

    def __init__(self, styles):
        from docx.styles import BabelFish

        self._styles = styles
        self._internal = BabelFish.ui2internal
        self._by_name: dict[str, object] = {}
        self._by_id: dict[str, object] = {}
        for el in styles.element.style_lst:
            self._index(el)

    def _index(self, el) -> None:
        name = el.name_val
        if name is not None:
            self._by_name.setdefault(name, el)
        self._by_id.setdefault(el.styleId, el)

    def __contains__(self, name: str) -> bool:
        return self._internal(name) in self._by_name

    def __getitem__(self, name: str):
        from docx.styles.style import StyleFactory

        return StyleFactory(self._by_name[self._internal(name)])

    def add(self, name: str, kind, builtin: bool):
        """`styles.add_style(name, kind, builtin=builtin)` for a name not in the sheet."""
        from docx.styles.style import StyleFactory

        el = self._styles.element.add_style_of_type(self._internal(name), kind, builtin)
        self._index(el)
        return StyleFactory(el)

    def by_id(self, style_id: str | None, kind=None):
        """The style with `style_id`, None if there is none; with `kind`, as python-docx's
        `styles.get_by_id(style_id, kind)` (the default style of `kind` where the id is
        missing or names a style of another kind)."""
        from docx.styles.style import StyleFactory

        if kind is None:
            el = self._by_id.get(style_id)
            return None if el is None else StyleFactory(el)
        el = self._by_id.get(style_id) if style_id else None
        if el is None or el.type != kind:
            return self._styles.default(kind)
        return StyleFactory(el)


class Look:
    """Defines or completes the style sheet, numbering and theme of `doc`."""

    def __init__(self, doc, profile: Profile, builtin: bool, language: str,
                 label_column_pt: float = 72.0, rtl: bool = False):
        self.doc = doc
        self.rtl = rtl  # a right-to-left memo: side rules on the right, text reads from it
        self.rtl_styles: frozenset[str] = frozenset()  # the styles drawn right to left
        self.label_column = label_column_pt
        self.profile = profile
        self.builtin = builtin
        self.language = language
        self.s = memo_body_pt(profile)
        c = profile.colors
        self.primary, self.accent, self.text, self.muted = c.primary, c.accent, c.text, c.muted
        self.tint = c.tint
        self.band = mix("#FFFFFF", c.tint, 0.45)
        self.numbering = Numbering(doc, self.accent, rtl)
        self.styles = StyleIndex(doc.styles)

    # ----------------------------------------------------------------------------------------
    def apply(self, text_width_pt: float) -> StyleIds:
        self.text_width = text_width_pt
        self._doc_defaults()
        if self.builtin:
            self._theme()
        builders = {
            "body": self._normal, "title": self._title, "subtitle": self._subtitle,
            "standfirst": self._standfirst, "memo_label": self._memo_label,
            "message_header": self._message_header, "heading1": self._heading1,
            "heading2": self._heading2, "bottom_line": self._bottom_line,
            "list_bullet": self._list_item, "list_bullet2": self._list_item,
            "list_number": self._list_item, "list_continue": self._list_continue,
            "quote": self._quote, "quote_source": self._quote_source,
            "table_text": self._table_text, "table_heading": self._table_heading,
            "hyperlink": self._hyperlink, "closing": self._closing, "header": self._header,
            "footer": self._footer, "table": self._table,
            "key_figure": self._key_figure, "key_figure_label": self._key_figure_label,
            "figure": self._figure, "caption": self._caption,
            "figure_note": self._figure_note,
        }
        ids = {spec.key: self._ensure(spec.name, KINDS[spec.kind], spec.builtin, spec.based_on,
                                      builders[spec.key]) for spec in STYLES}
        self._link_lists(ids)
        return StyleIds(**ids)

    # ----------------------------------------------------------------------------------------
    def _ensure(self, name, kind, builtin_name, based_on, build) -> str:
        styles = self.styles
        created = name not in styles
        # A style of the right name but the wrong kind was refused by `plan_memo`.
        style = styles.add(name, kind, builtin=builtin_name) if created else styles[name]
        if created or self.builtin:
            el = style.element
            drop(el, "w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")
            if based_on and based_on in styles:
                style.base_style = styles[based_on]
            if kind == P:
                style.quick_style = name not in ("Header", "Footer", "Table Text")
                if created and name in FOLLOWED_BY_BODY_TEXT:
                    style.next_paragraph_style = styles["Normal"]
            build(style)
            self._sync_linked(style)
            if self.rtl:
                self.rtl_styles |= {style.style_id}
        return style.style_id

    def _sync_linked(self, style) -> None:
        """Word keeps a paragraph style and its linked character style in step; so do we."""
        link = style.element.find(qn("w:link"))
        if link is None:
            return
        twin = self.styles.by_id(link.get(qn("w:val")))
        ours = style.element.find(qn("w:rPr"))
        if twin is None or ours is None:
            return
        drop(twin.element, "w:rPr")
        put(twin.element, "w:rPr").extend(etree.fromstring(etree.tostring(ours)).iterchildren())

    def _sides(self, start: Border, end: Border | None = None) -> dict[str, Border]:
        """Paragraph borders on the side text starts from, and the other: w:pBdr's left and
        right are the page's sides whatever the paragraph's direction (Word and LibreOffice
        draw them so), unlike w:ind, whose left is the start of a right-to-left paragraph."""
        first, second = ("right", "left") if self.rtl else ("left", "right")
        sides = {first: start}
        if end is not None:
            sides[second] = end
        return sides

    def _size(self, key: str) -> float:
        """The size of style `key`: its scale (`plan.STYLES`) of the memo body size."""
        return self.s * SCALE[key]

    def _ppr(self, style):
        return put(style.element, "w:pPr")

    def _rpr(self, style):
        return put(style.element, "w:rPr")

    def _latin(self, rpr) -> None:
        if self.builtin:
            fonts(rpr, latin=self.profile.fonts.body, complex_script=self.profile.fonts.arabic)

    # ----------------------------------------------------------------------------------------
    # Document-wide defaults and theme

    def _doc_defaults(self) -> None:
        root = self.doc.styles.element
        defaults = root.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = OxmlElement("w:docDefaults")
            root.insert(0, defaults)
        rpr_default = put(defaults, "w:rPrDefault")
        rpr = put(rpr_default, "w:rPr")
        # The brief's language is content, not look: it applies with a reference too. In a
        # right-to-left memo the Latin runs are names, addresses and the profile's English
        # notes, so they are English (as Arabic Word and the deck tag them); the
        # complex-script language is the brief's own.
        put(rpr, "w:lang", val=LATIN_IN_RTL if self.rtl else self.language,
            bidi=bidi_language(self.language, self.rtl))
        if self.builtin:
            fonts(rpr, latin=self.profile.fonts.body, complex_script=self.profile.fonts.arabic)
            run_look(rpr, size=self.s)
        if self.builtin or self.rtl:
            ppr = put(put(defaults, "w:pPrDefault"), "w:pPr")
            if self.builtin:
                spacing(ppr, before=0, after=0, line=1.0)
            if self.rtl:  # direction is content too: a paragraph an editor adds reads RTL
                put(ppr, "w:bidi")

    def _theme(self) -> None:
        """Brand the theme too, so tables and shapes an editor adds pick up the profile (the same
        twelve colour slots as the deck's theme)."""
        try:
            part = self.doc.part.part_related_by(RT.THEME)
        except KeyError:
            return
        a = "http://schemas.openxmlformats.org/drawingml/2006/main"
        root = etree.fromstring(part.blob, XML_PARSER)
        scheme = root.find(f".//{{{a}}}clrScheme")
        if scheme is not None:
            brand_colour_scheme(scheme, self.profile.colors)
        for which in ("majorFont", "minorFont"):
            block = root.find(f".//{{{a}}}fontScheme/{{{a}}}{which}")
            if block is None:
                continue
            faces = (("latin", self.profile.fonts.body), ("cs", self.profile.fonts.arabic))
            for tag, face in faces:
                el = block.find(f"{{{a}}}{tag}")
                if el is not None:
                    el.set("typeface", face)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # ----------------------------------------------------------------------------------------
    # Paragraph and character styles (sizes are multiples of the memo body size `s`)

    def _normal(self, style) -> None:
        rpr = self._rpr(style)
        self._latin(rpr)
        run_look(rpr, size=self._size("body"), colour=self.text)
        ppr = self._ppr(style)
        spacing(ppr, before=0, after=self.s * 0.6, line=1.12)

    def _title(self, style) -> None:
        run_look(self._rpr(style), size=self._size("title"), bold=True, colour=self.primary,
                 tracking=self.s * 0.3)
        ppr = self._ppr(style)
        spacing(ppr, before=self.s * 0.4, after=self.s * 0.7, line=1.0)
        put(ppr, "w:keepNext")

    def _subtitle(self, style) -> None:
        run_look(self._rpr(style), size=self._size("subtitle"), bold=True, colour=self.primary)
        ppr = self._ppr(style)
        spacing(ppr, before=self.s * 0.2, after=self.s * 0.45, line=1.05)
        put(ppr, "w:keepNext")

    def _standfirst(self, style) -> None:
        run_look(self._rpr(style), size=self._size("standfirst"), colour=self.muted)
        spacing(self._ppr(style), after=self.s * 0.4, line=1.15)

    def _memo_label(self, style) -> None:
        run_look(self._rpr(style), size=self._size("memo_label"), bold=True, colour=self.muted,
                 tracking=self.s * 0.08)

    def _message_header(self, style) -> None:
        run_look(self._rpr(style), size=self._size("message_header"))
        ppr = self._ppr(style)
        spacing(ppr, before=0, after=self.s * 0.25, line=1.08)
        indent(ppr, left=self.label_column, hanging=self.label_column)
        tab_stops(ppr, [("left", self.label_column)])

    def _heading1(self, style) -> None:
        rpr = self._rpr(style)
        run_look(rpr, size=self._size("heading1"), bold=True, italic=False, colour=self.primary)
        ppr = self._ppr(style)
        put(ppr, "w:keepNext")
        put(ppr, "w:keepLines")
        spacing(ppr, before=self.s * 1.45, after=self.s * 0.4, line=1.0)
        put(ppr, "w:outlineLvl", val=0)

    def _heading2(self, style) -> None:
        run_look(self._rpr(style), size=self._size("heading2"), bold=True, italic=False,
                 colour=self.accent)
        ppr = self._ppr(style)
        put(ppr, "w:keepNext")
        put(ppr, "w:keepLines")
        spacing(ppr, before=self.s * 1.1, after=self.s * 0.3, line=1.0)
        put(ppr, "w:outlineLvl", val=1)

    def _bottom_line(self, style) -> None:
        run_look(self._rpr(style), size=self._size("bottom_line"))
        ppr = self._ppr(style)
        pad = Border(0.5, self.tint, self.s * 0.55)
        borders(ppr, "w:pBdr", top=pad, bottom=pad, **self._sides(
            start=Border(3, self.accent, 10), end=Border(0.5, self.tint, 8)))
        shade(ppr, self.tint)
        spacing(ppr, before=self.s * 0.2, after=self.s * 0.2, line=1.18)
        indent(ppr, left=13, right=8)

    def _list_item(self, style) -> None:
        ppr = self._ppr(style)
        spacing(ppr, after=self.s * 0.35)

    def _list_continue(self, style) -> None:
        ppr = self._ppr(style)
        spacing(ppr, after=self.s * 0.35)
        indent(ppr, left=LIST_INDENT_PT)

    def _quote(self, style) -> None:
        run_look(self._rpr(style), size=self._size("quote"), italic=True, colour=self.text)
        ppr = self._ppr(style)
        borders(ppr, "w:pBdr", **self._sides(start=Border(2, self.accent, 9)))
        indent(ppr, left=14, right=14)
        spacing(ppr, before=self.s * 0.7, after=self.s * 0.15, line=1.12)
        put(ppr, "w:keepNext")
        put(ppr, "w:keepLines")

    def _quote_source(self, style) -> None:
        run_look(self._rpr(style), size=self._size("quote_source"), colour=self.muted)
        ppr = self._ppr(style)
        indent(ppr, left=14, right=14)
        spacing(ppr, after=self.s * 0.3, line=1.1)
        put(ppr, "w:keepLines")

    def _table_text(self, style) -> None:
        run_look(self._rpr(style), size=self._size("table_text"))
        spacing(self._ppr(style), before=0, after=self.s * 0.15, line=1.08)

    def _table_heading(self, style) -> None:
        run_look(self._rpr(style), size=self._size("table_heading"), bold=True,
                 colour="#FFFFFF", caps=True, tracking=self.s * 0.06)
        ppr = self._ppr(style)
        spacing(ppr, before=self.s * 0.1, after=self.s * 0.1)
        put(ppr, "w:keepNext")

    def _hyperlink(self, style) -> None:
        run_look(self._rpr(style), colour=self.primary, underline=True)

    def _closing(self, style) -> None:
        run_look(self._rpr(style), size=self._size("closing"), colour=self.muted)
        ppr = self._ppr(style)
        put(ppr, "w:keepNext")
        put(ppr, "w:keepLines")
        borders(ppr, "w:pBdr", top=Border(0.5, RULE_GREY, self.s * 0.7))
        spacing(ppr, before=0, after=self.s * 0.3, line=1.12)

    def _header(self, style) -> None:
        run_look(self._rpr(style), size=self._size("header"), bold=True, colour=self.primary,
                 tracking=self.s * 0.1)
        ppr = self._ppr(style)
        tab_stops(ppr, [("right", self.text_width)])
        borders(ppr, "w:pBdr", bottom=Border(0.75, self.accent, 4))
        spacing(ppr, before=0, after=0, line=1.0)

    def _footer(self, style) -> None:
        run_look(self._rpr(style), size=self._size("footer"), colour=self.muted)
        ppr = self._ppr(style)
        tab_stops(ppr, [("right", self.text_width)])
        spacing(ppr, before=0, after=0, line=1.0)

    def _key_figure(self, style) -> None:
        """A key figure's value: big, bold, in the primary colour, tight lines."""
        run_look(self._rpr(style), size=self._size("key_figure"), bold=True,
                 colour=self.primary)
        spacing(self._ppr(style), before=0, after=0, line=1.0)

    def _key_figure_label(self, style) -> None:
        run_look(self._rpr(style), size=self._size("key_figure_label"))
        spacing(self._ppr(style), before=0, after=self.s * 0.1, line=1.08)

    def _figure(self, style) -> None:
        """The paragraph a picture stands in: single line spacing (a multiple would add to
        the picture's height), kept with its caption."""
        ppr = self._ppr(style)
        spacing(ppr, before=self.s * 0.9, after=self.s * 0.35, line=1.0)
        put(ppr, "w:keepNext")
        put(ppr, "w:keepLines")

    def _caption(self, style) -> None:
        run_look(self._rpr(style), size=self._size("caption"), italic=False, colour=self.text)
        spacing(self._ppr(style), before=0, after=self.s * 0.2, line=1.08)

    def _figure_note(self, style) -> None:
        """Credits, the map's boundaries note, a key figure's source: small and muted."""
        run_look(self._rpr(style), size=self._size("figure_note"), colour=self.muted)
        spacing(self._ppr(style), before=0, after=self.s * 0.15, line=1.08)

    def _table(self, style) -> None:
        """Header row in the primary colour (repeated on each page), hairlines between rows,
        every other row in a pale tint, no vertical rules."""
        el = style.element
        tbl = put(el, "w:tblPr")
        put(tbl, "w:tblStyleRowBandSize", val=1)
        rule = Border(0.5, RULE_GREY)
        borders(tbl, "w:tblBorders", top=Border(1, self.primary), left=NO_BORDER,
                bottom=Border(0.75, self.primary), right=NO_BORDER, insideH=rule,
                insideV=NO_BORDER)
        margins = put(tbl, "w:tblCellMar")
        for side, pt in (("top", self.s * 0.35), ("left", 6), ("bottom", self.s * 0.3),
                         ("right", 6)):
            put(margins, f"w:{side}", w=twips(pt), type="dxa")
        put(put(el, "w:tcPr"), "w:vAlign", val="top")
        first = self._conditional(el, "firstRow")
        run_look(put(first, "w:rPr"), bold=True, colour="#FFFFFF")
        put(put(first, "w:trPr"), "w:tblHeader")
        shade(put(first, "w:tcPr"), self.primary)
        band = self._conditional(el, "band2Horz")
        shade(put(band, "w:tcPr"), self.band)

    @staticmethod
    def _conditional(style_el, kind: str):
        cond = OxmlElement("w:tblStylePr")
        cond.set(qn("w:type"), kind)
        style_el.append(cond)
        return cond

    # ----------------------------------------------------------------------------------------
    def _link_lists(self, ids: dict[str, str]) -> None:
        """Make sure the list styles are numbered; a reference's own numbering is kept."""
        n = self.numbering
        for key, level, ordered in (("list_bullet", 0, False), ("list_bullet2", 1, False),
                                    ("list_number", 0, True)):
            style = self.styles.by_id(ids[key], P)
            if self.builtin or n.style_num_id(style) is None:
                num_id = n.ordered_num() if ordered else n.bullet_num()
                numpr = put(self._ppr(style), "w:numPr")
                put(numpr, "w:ilvl", val=level)
                put(numpr, "w:numId", val=num_id)


_W_NUM, _W_NUM_ID, _W_ABSTRACT_NUM_ID, _W_LVL_OVERRIDE, _W_ILVL, _W_START_OVERRIDE, _W_VAL = (
    qn(tag) for tag in ("w:num", "w:numId", "w:abstractNumId", "w:lvlOverride", "w:ilvl",
                        "w:startOverride", "w:val"))


class Numbering:
    """numbering.xml: our bullet and decimal definitions, and per-list restarts."""

    def __init__(self, doc, marker_colour: str, rtl: bool = False):
        self.doc = doc
        self.marker_colour = marker_colour
        # The number's alignment is taken on the page, not from the paragraph's start: a
        # right-to-left list's "1." aligned left at its place on the right would stand out in
        # the margin (LibreOffice draws it so), aligned right it ends where the text begins.
        self.marker_jc = "right" if rtl else "left"
        self._bullet: int | None = None
        self._ordered: int | None = None
        # Every ordered list restarts its numbering with a w:num of its own, so a brief can
        # add tens of thousands; the next ids, the numbering of each w:num and the place new
        # ones go are looked up once, not by scanning numbering.xml per list.
        self._next: dict[str, int] = {}
        self._abstract_of: dict[int, int] = {}
        try:
            self.part = doc.part.part_related_by(RT.NUMBERING)
        except KeyError:  # python-docx cannot create one (NumberingPart.new is unimplemented)
            root = parse_xml(f"<w:numbering {nsdecls('w')}/>")
            self.part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, root,
                                      doc.part.package)
            doc.part.relate_to(self.part, RT.NUMBERING)
        self.root = self.part.element
        self._cleanup = self.root.find(qn("w:numIdMacAtCleanup"))  # new w:num go before it

    def state(self) -> tuple:
        """What this object knows beyond numbering.xml itself, for `restored`."""
        return (self.marker_colour, self.marker_jc, self._bullet, self._ordered,
                dict(self._next), dict(self._abstract_of))

    @classmethod
    def restored(cls, doc, state: tuple) -> Numbering:
        """The Numbering of `doc`, a package saved with the numbering whose `state()` this is
        and opened again: the same definitions, ids to come and lists."""
        numbering = cls.__new__(cls)
        numbering.doc = doc
        (numbering.marker_colour, numbering.marker_jc, numbering._bullet, numbering._ordered,
         next_ids, abstract_of) = state
        numbering._next, numbering._abstract_of = dict(next_ids), dict(abstract_of)
        numbering.part = doc.part.part_related_by(RT.NUMBERING)
        numbering.root = numbering.part.element
        numbering._cleanup = numbering.root.find(qn("w:numIdMacAtCleanup"))
        return numbering

    def _next_id(self, tag: str, attr: str) -> int:
        """One more than the largest id in use; the caller adds an element with it."""
        if tag not in self._next:
            used = [int(el.get(qn(attr))) for el in self.root.findall(qn(tag))]
            self._next[tag] = max(used, default=0) + 1
        self._next[tag] += 1
        return self._next[tag] - 1

    def _add_abstract(self, name: str, levels: list[tuple[str, str, str | None]],
                      colour: str | None) -> int:
        abstract_id = self._next_id("w:abstractNum", "w:abstractNumId")
        el = OxmlElement("w:abstractNum")
        el.set(qn("w:abstractNumId"), str(abstract_id))
        put(el, "w:nsid", val=f"{zlib.crc32(name.encode()):08X}")
        put(el, "w:multiLevelType", val="multilevel" if len(levels) > 1 else "singleLevel")
        for ilvl, (fmt, text, font) in enumerate(levels):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(ilvl))
            el.append(lvl)
            put(lvl, "w:start", val=1)
            put(lvl, "w:numFmt", val=fmt)
            put(lvl, "w:lvlText", val=text)
            put(lvl, "w:lvlJc", val=self.marker_jc)
            ppr = put(lvl, "w:pPr")
            left = LIST_INDENT_PT * (ilvl + 1)
            tab_stops(ppr, [("num", left)])
            indent(ppr, left=left, hanging=LIST_HANGING_PT if fmt == "bullet" else 16)
            if colour or font:
                rpr = put(lvl, "w:rPr")
                if font:
                    fonts(rpr, latin=font)
                if colour:
                    run_look(rpr, colour=colour, bold=fmt != "bullet")
        existing = self.root.findall(qn("w:abstractNum"))
        if existing:
            existing[-1].addnext(el)
        else:
            first_num = self.root.find(qn("w:num"))
            if first_num is not None:
                first_num.addprevious(el)
            else:
                self.root.append(el)
        return abstract_id

    def _add_num(self, abstract_id: int, restart: bool = False) -> int:
        num_id = self._next_id("w:num", "w:numId")
        num = self.root.makeelement(_W_NUM, {_W_NUM_ID: str(num_id)})
        etree.SubElement(num, _W_ABSTRACT_NUM_ID, {_W_VAL: str(abstract_id)})
        if restart:
            override = etree.SubElement(num, _W_LVL_OVERRIDE, {_W_ILVL: "0"})
            etree.SubElement(override, _W_START_OVERRIDE, {_W_VAL: "1"})
        if self._cleanup is not None:
            self._cleanup.addprevious(num)
        else:
            self.root.append(num)
        self._abstract_of[num_id] = abstract_id
        return num_id

    def bullet_num(self) -> int:
        if self._bullet is None:
            abstract = self._add_abstract(
                "reportgen-bullets", [("bullet", "•", None), ("bullet", "–", None)],
                self.marker_colour)
            self._bullet = self._add_num(abstract)
        return self._bullet

    def ordered_num(self) -> int:
        if self._ordered is None:
            abstract = self._add_abstract(
                "reportgen-numbers", [("decimal", "%1.", None), ("lowerLetter", "%2.", None)],
                self.marker_colour)
            self._ordered = self._add_num(abstract)
        return self._ordered

    def style_num_id(self, style) -> int | None:
        """The numId a paragraph style (or a style it is based on) numbers its paragraphs with."""
        while style is not None:
            num = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            if num is not None:
                value = int(num.get(qn("w:val")))
                return value or None  # numId 0 switches numbering off
            style = style.base_style
        return None

    def restarted(self, num_id: int) -> int:
        """A fresh instance of `num_id`'s list that counts from 1 again (one per ordered list)."""
        if num_id not in self._abstract_of:
            num = next((el for el in self.root.findall(qn("w:num"))
                        if el.get(qn("w:numId")) == str(num_id)), None)
            if num is None:
                return num_id
            self._abstract_of[num_id] = int(num.find(qn("w:abstractNumId")).get(qn("w:val")))
        return self._add_num(self._abstract_of[num_id], restart=True)



def drop_unused_table_styles(styles, keep: set[str]) -> int:
    """Remove from the styles part (`styles`: its w:styles element) every table style but
    `keep` (style ids), the default table style and the styles they are based on; how many
    went. python-docx's default document carries 101 of Word 2010's table styles (Light Grid -
    Accent 1 and the rest, ~300 KB of its 355 KB styles.xml), which the built-in memo never
    uses: parsing, writing and hashing them was ~4 ms of every memo. Word and LibreOffice still
    offer their own table styles to whoever edits the memo."""
    by_id = {el.get(qn("w:styleId")): el for el in styles.iterchildren(qn("w:style"))}
    wanted, todo = set(), [*keep, *(sid for sid, el in by_id.items()
                                      if el.get(qn("w:type")) == "table"
                                      and el.get(qn("w:default")) in ("1", "true", "on"))]
    while todo:
        sid = todo.pop()
        if sid in wanted or sid not in by_id:
            continue
        wanted.add(sid)
        based = by_id[sid].find(qn("w:basedOn"))
        if based is not None:
            todo.append(based.get(qn("w:val")))
    dropped = 0
    for sid, el in by_id.items():
        if el.get(qn("w:type")) == "table" and sid not in wanted:
            styles.remove(el)
            dropped += 1
    return dropped
