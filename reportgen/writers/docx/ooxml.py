"""WordprocessingML building blocks python-docx has no API for: ordered children, borders,
shading, tab stops, hyperlinks, fields, right-to-left runs.

Word rejects a document whose property children are out of schema order, so every child is
added through `put`, which knows the order of the containers we touch. Lengths go in as points
and are converted here, at the XML boundary, by `twips`, `half_points` and `eighths`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from reportgen.brief.markup import Inline, Span
from reportgen.fonts import is_arabic, script_segments
from reportgen.writers.colour import bare

# --------------------------------------------------------------------------------------------
# Units: the writer thinks in points; OOXML wants twentieths, halves or eighths of a point.


def twips(pt: float) -> int:
    return int(round(pt * 20))


def half_points(pt: float) -> int:
    return int(round(pt * 2))


def eighths(pt: float) -> int:
    """Border widths are in eighths of a point."""
    return int(round(pt * 8))


# --------------------------------------------------------------------------------------------
# Children in schema order

_PPR = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
        "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")
_RPR = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
        "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
        "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
        "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
        "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
        "w:specVanish", "w:oMath")
_ORDER: dict[str, tuple[str, ...]] = {
    "w:pPr": _PPR,
    "w:rPr": _RPR,
    "w:style": ("w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine",
                "w:hidden", "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat",
                "w:locked", "w:personal", "w:personalCompose", "w:personalReply", "w:rsid",
                "w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"),
    "w:tblStylePr": ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual",
                "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc",
                "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders",
               "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
               "w:hideMark"),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:tblBorders": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH",
                     "w:insideV"),
    "w:tcBorders": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH",
                    "w:insideV", "w:tl2br", "w:tr2bl"),
    "w:tblCellMar": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"),
    "w:font": ("w:altName", "w:panose1", "w:charset", "w:family", "w:notTrueType", "w:pitch",
               "w:sig", "w:embedRegular", "w:embedBold", "w:embedItalic", "w:embedBoldItalic"),
    "w:docDefaults": ("w:rPrDefault", "w:pPrDefault"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr",
                 "w:type", "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType",
                 "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
                 "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
                 "w:sectPrChange"),
    "w:lvl": ("w:start", "w:numFmt", "w:lvlRestart", "w:pStyle", "w:isLgl", "w:suff",
              "w:lvlText", "w:lvlPicBulletId", "w:legacy", "w:lvlJc", "w:pPr", "w:rPr"),
}


def _prefixed(tag: str) -> str:
    """'{namespace}local' -> 'w:local' for the WordprocessingML namespace."""
    return "w:" + tag.split("}", 1)[1] if tag.startswith("{http://schemas.openxmlformats.org/"
                                                         "wordprocessingml/2006/main}") else tag


# Clark name of each container -> Clark name of each child -> its place in the schema sequence
_RANK: dict[str, dict[str, int]] = {
    qn(container): {qn(tag): i for i, tag in enumerate(children)}
    for container, children in _ORDER.items()}


@cache
def _clark(tag: str) -> str:
    return qn(tag)


def put(parent, tag: str, **attrs) -> object:
    """Get or create `tag` under `parent` at its schema position; set its w: attributes.

    A new child goes before the first present child of the earliest later kind in the schema
    sequence (one pass over the children: `put` runs for every run of a long memo).
    An attribute given as None is removed.
    """
    name = _clark(tag)
    el = parent.find(name)
    if el is None:
        el = parent.makeelement(name)
        rank = _RANK.get(parent.tag, {})
        mine = rank.get(name)
        follower, follower_rank = None, len(rank)
        if mine is not None:
            for child in parent:
                r = rank.get(child.tag)
                if r is not None and mine < r < follower_rank:
                    follower, follower_rank = child, r
        if follower is not None:
            follower.addprevious(el)
        else:
            parent.append(el)
    for key, value in attrs.items():
        name = qn(key if ":" in key else f"w:{key}")
        if value is None:
            el.attrib.pop(name, None)
        else:
            el.set(name, str(value))
    return el


def put_after(parent, tag: str, predecessors: tuple[str, ...]) -> object:
    """Get or create `tag` right after the last of `predecessors` present (or first): for
    containers with a long schema sequence such as w:settings."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        before = [c for c in parent if _prefixed(c.tag) in predecessors]
        if before:
            before[-1].addnext(el)
        else:
            parent.insert(0, el)
    return el


def drop(parent, *tags: str) -> None:
    for tag in tags:
        for el in parent.findall(qn(tag)):
            parent.remove(el)


def on_off(parent, tag: str, value: bool | None) -> None:
    """A toggle property: present and true, present and false, or absent (None)."""
    if value is None:
        drop(parent, tag)
    else:
        put(parent, tag, val=None if value else "0")


# --------------------------------------------------------------------------------------------
# Paragraph and run properties, in points


@dataclass(frozen=True)
class Border:
    width_pt: float
    colour: str
    space_pt: float = 0.0
    kind: str = "single"

    def apply(self, el) -> None:
        el.set(qn("w:val"), self.kind)
        el.set(qn("w:sz"), str(eighths(self.width_pt)))
        el.set(qn("w:space"), str(int(round(self.space_pt))))
        el.set(qn("w:color"), bare(self.colour))


NO_BORDER = Border(0, "#000000", 0, "nil")


def borders(container, tag: str, **sides: Border) -> None:
    """Set borders of a pPr (pBdr), tblPr (tblBorders) or tcPr (tcBorders)."""
    box = put(container, tag)
    for side, border in sides.items():
        el = put(box, f"w:{side}")
        el.attrib.clear()
        if border.kind == "nil":
            el.set(qn("w:val"), "nil")
        else:
            border.apply(el)


def shade(container, fill: str) -> None:
    put(container, "w:shd", val="clear", color="auto", fill=bare(fill))


def spacing(ppr, before: float | None = None, after: float | None = None,
            line: float | None = None) -> None:
    """Space before/after in points; `line` is a multiple of single spacing."""
    el = put(ppr, "w:spacing")
    if before is not None:
        el.set(qn("w:before"), str(twips(before)))
    if after is not None:
        el.set(qn("w:after"), str(twips(after)))
    if line is not None:
        el.set(qn("w:line"), str(int(round(line * 240))))
        el.set(qn("w:lineRule"), "auto")


def indent(ppr, left: float = 0, right: float = 0, hanging: float = 0,
           first_line: float = 0) -> None:
    el = put(ppr, "w:ind")
    el.attrib.clear()
    el.set(qn("w:left"), str(twips(left)))
    el.set(qn("w:right"), str(twips(right)))
    if hanging:
        el.set(qn("w:hanging"), str(twips(hanging)))
    elif first_line:
        el.set(qn("w:firstLine"), str(twips(first_line)))


def tab_stops(ppr, stops: list[tuple[str, float]], clear: list[float] = ()) -> None:
    """Replace the tab stops of `ppr`: (alignment, position pt); `clear` removes inherited ones."""
    tabs = put(ppr, "w:tabs")
    for child in list(tabs):
        tabs.remove(child)
    entries = [("clear", pos) for pos in clear] + list(stops)
    for kind, pos in sorted(entries, key=lambda e: e[1]):
        tab = OxmlElement("w:tab")
        tab.set(qn("w:val"), kind)
        tab.set(qn("w:pos"), str(twips(pos)))
        tabs.append(tab)


def fonts(rpr, latin: str | None = None, complex_script: str | None = None) -> None:
    """Set run fonts explicitly, dropping theme-font references that would override them."""
    el = put(rpr, "w:rFonts")
    for theme_attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        el.attrib.pop(qn(f"w:{theme_attr}"), None)
    if latin:
        for attr in ("ascii", "hAnsi", "eastAsia"):
            el.set(qn(f"w:{attr}"), latin)
    if complex_script:
        el.set(qn("w:cs"), complex_script)


def run_look(rpr, *, size: float | None = None, bold: bool | None = None,
             italic: bool | None = None, colour: str | None = None, caps: bool | None = None,
             tracking: float | None = None, underline: bool | None = None) -> None:
    """Character formatting in points; complex-script twins (bCs, iCs, szCs) follow along so
    Arabic text gets the same weight and size as the Latin around it."""
    if bold is not None:
        on_off(rpr, "w:b", bold)
        on_off(rpr, "w:bCs", bold)
    if italic is not None:
        on_off(rpr, "w:i", italic)
        on_off(rpr, "w:iCs", italic)
    if caps is not None:
        on_off(rpr, "w:caps", caps)
    if colour is not None:
        el = put(rpr, "w:color", val=bare(colour))
        for theme_attr in ("themeColor", "themeShade", "themeTint"):
            el.attrib.pop(qn(f"w:{theme_attr}"), None)
    if tracking is not None:
        put(rpr, "w:spacing", val=twips(tracking))
    if size is not None:
        put(rpr, "w:sz", val=half_points(size))
        put(rpr, "w:szCs", val=half_points(size))
    if underline is not None:
        put(rpr, "w:u", val="single" if underline else "none")


# --------------------------------------------------------------------------------------------
# Text: spans to runs, split by script so Arabic gets right-to-left runs

_W_R, _W_RPR, _W_T, _W_TAB, _W_BR, _W_HYPERLINK, _W_HISTORY, _R_ID = (
    qn(tag) for tag in ("w:r", "w:rPr", "w:t", "w:tab", "w:br", "w:hyperlink", "w:history",
                        "r:id"))
_XML_SPACE = qn("xml:space")


def mainly_arabic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(map(is_arabic, letters)) * 2 > len(letters)


def latin_only(text: str) -> bool:
    """Letters, and none of them Arabic script: in a right-to-left memo such a paragraph (the
    profile's English disclaimer and donor note) keeps its own left-to-right direction."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and not any(map(is_arabic, letters))


# The region Word writes with a right-to-left language's bare tag (Arabic Word's own default
# is w:lang w:bidi="ar-SA"; its proofing tools and language list name regions, not bare "ar"):
# a tag that names a region ("ar-EG") is kept as it is. The deck tags its runs the same way.
RTL_REGIONS = {"ar": "ar-SA", "fa": "fa-IR", "ur": "ur-PK", "ps": "ps-AF", "sd": "sd-Arab-PK",
               "ug": "ug-CN", "ckb": "ckb-IQ", "he": "he-IL", "yi": "yi-001", "dv": "dv-MV"}
ARABIC_DEFAULT_LANG = "ar-SA"  # Arabic runs inside a left-to-right memo


def bidi_language(tag: str, rtl: bool) -> str:
    """The w:lang w:bidi of complex-script runs: for a right-to-left brief its own tag (with
    Word's region when it has none), else Arabic as Word writes it."""
    if not rtl:
        return ARABIC_DEFAULT_LANG
    base = tag.split("-")[0].lower()
    return tag if "-" in tag else RTL_REGIONS.get(base, tag)


class Hyperlinks:
    """The external hyperlink relationships of one part, by URL.

    python-docx's `Part.relate_to` walks every relationship of the part twice per call (for a
    match, then for the lowest free rId), which is quadratic over a memo with thousands of
    linked actors. This index gives the same ids at constant cost: the first existing
    relationship to the URL, else the lowest free `rIdN`. It assumes, as the memo writer
    guarantees, that nothing else adds or removes the part's relationships while it is used.
    """

    def __init__(self, part):
        self._rels = part.rels
        self._ids: dict[str, str] = {}
        for r_id, rel in self._rels.items():
            if rel.is_external and rel.reltype == RT.HYPERLINK:
                self._ids.setdefault(rel.target_ref, r_id)
        self._free = 1  # every rIdN below this is taken

    def r_id(self, url: str) -> str:
        r_id = self._ids.get(url)
        if r_id is None:
            while f"rId{self._free}" in self._rels:
                self._free += 1
            r_id = f"rId{self._free}"
            self._rels.add_relationship(RT.HYPERLINK, url, r_id, is_external=True)
            self._ids[url] = r_id
        return r_id


@dataclass(frozen=True)
class TextSettings:
    """What every run needs to know: the Arabic font, the hyperlink character style, the
    language tag Arabic runs are marked with, and the hyperlink relationships of the part the
    runs go into (None where no links are written: the page header and footer)."""

    arabic_font: str
    hyperlink_style: str | None
    arabic_lang: str = "ar-SA"
    links: Hyperlinks | None = None


def add_run(container, text: str, ts: TextSettings, *, bold: bool = False,
            italic: bool | None = None, style_id: str | None = None,
            colour: str | None = None) -> list:
    """Append `text` as one or more w:r (one per script) to `container` (a w:p or a
    w:hyperlink) and return them. Bold is set only when true; italic None inherits from the
    style. Built with lxml directly, as for every per-paragraph step: python-docx's proxies
    cost more than the XML they make, and a brief can hold a hundred thousand paragraphs."""
    runs = []
    for piece, arabic in script_segments(text):
        r = etree.SubElement(container, _W_R)
        if style_id or arabic or bold or italic is not None or colour is not None:
            rpr = etree.SubElement(r, _W_RPR)
            if style_id:
                put(rpr, "w:rStyle", val=style_id)
            if arabic:
                fonts(rpr, latin=ts.arabic_font, complex_script=ts.arabic_font)
            run_look(rpr, bold=True if bold else None, italic=italic, colour=colour)
            if arabic:
                # Letter-spacing a style gives its Latin text (labels, table headings) would
                # pull Arabic letters apart and break their joins.
                run_look(rpr, tracking=0)
                put(rpr, "w:rtl")
                put(rpr, "w:lang", bidi=ts.arabic_lang)
        append_text(r, piece)
        runs.append(r)
    return runs


_RUN_BREAKS = re.compile(r"([\t\r\n])")


def append_text(r, text: str) -> None:
    """Run content for `text`, as python-docx's `Run.text` writes it (a tab is w:tab, a line
    end w:br, the rest w:t, space-preserving where it has outer white space), but a piece at a
    time rather than a character at a time: a situation can be one 500 KB paragraph."""
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            etree.SubElement(r, _W_TAB)
        elif piece in ("\r", "\n"):
            etree.SubElement(r, _W_BR)
        elif piece:
            t = etree.SubElement(r, _W_T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_XML_SPACE, "preserve")


def add_hyperlink(p, url: str, spans: Inline, ts: TextSettings,
                  invert_italic: bool = False) -> None:
    """A real Word hyperlink in the w:p `p`: w:hyperlink pointing at an external
    relationship."""
    if ts.links is None:
        raise ValueError("TextSettings without hyperlink relationships cannot write a link")
    link = etree.SubElement(p, _W_HYPERLINK)
    link.set(_R_ID, ts.links.r_id(url))
    link.set(_W_HISTORY, "1")
    for span in spans:
        add_run(link, span.text, ts, bold=span.bold, italic=_italic(span, invert_italic),
                style_id=ts.hyperlink_style)


def _italic(span: Span, invert: bool) -> bool | None:
    """Direct italic for emphasis; in an italic context (a quotation) emphasis is set upright,
    as typographers do. None leaves it to the paragraph style."""
    if not span.italic:
        return None
    return not invert


def add_spans(p, spans: Inline, ts: TextSettings, invert_italic: bool = False) -> None:
    """The markup model's spans as runs of the empty w:p `p`; consecutive spans with one
    target share a link."""
    i = 0
    while i < len(spans):
        span = spans[i]
        if span.href:
            j = i
            while j < len(spans) and spans[j].href == span.href:
                j += 1
            add_hyperlink(p, span.href, spans[i:j], ts, invert_italic)
            i = j
            continue
        add_run(p, span.text, ts, bold=span.bold, italic=_italic(span, invert_italic))
        i += 1
    mark_direction(p, "".join(span.text for span in spans))


def mark_direction(p, text: str) -> None:
    """A paragraph (w:p) whose `text` is mainly Arabic reads right to left (w:bidi)."""
    if mainly_arabic(text):
        put(p.get_or_add_pPr(), "w:bidi")


_W_P, _W_PPR, _W_TBL, _W_TBLPR, _W_BIDI, _W_VAL = (
    qn(tag) for tag in ("w:p", "w:pPr", "w:tbl", "w:tblPr", "w:bidi", "w:val"))


def paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_W_T))


def is_right_to_left(p) -> bool:
    """The w:p `p` has direct w:bidi, on."""
    ppr = p.find(_W_PPR)
    el = ppr.find(_W_BIDI) if ppr is not None else None
    return el is not None and el.get(_W_VAL) not in ("0", "false", "off")


def mirror_story(root, keep_latin: bool = True) -> None:
    """A right-to-left story (the body, a header, a footer): every paragraph w:bidi, except,
    when `keep_latin`, those whose text is Latin only, which say w:bidi w:val="0" (the
    document default reads right to left); every table w:bidiVisual, its first column on the
    right. A nested table is met too: `iter` walks the whole tree once."""
    for el in root.iter(_W_P, _W_TBL):
        if el.tag == _W_TBL:
            tblpr = el.find(_W_TBLPR)
            if tblpr is None:
                tblpr = etree.Element(_W_TBLPR)
                el.insert(0, tblpr)
            put(tblpr, "w:bidiVisual")
            continue
        ppr = el.find(_W_PPR)
        if ppr is None:
            ppr = etree.Element(_W_PPR)
            el.insert(0, ppr)
        if keep_latin and latin_only(paragraph_text(el)):
            put(ppr, "w:bidi", val="0")
        else:
            put(ppr, "w:bidi", val=None)


def mirror_section(sect_pr) -> None:
    """The section reads right to left (w:bidi: page numbers, columns, the default direction
    Word gives new text) and its gutter is on the right (w:rtlGutter)."""
    put(sect_pr, "w:bidi")
    put(sect_pr, "w:rtlGutter")


# --------------------------------------------------------------------------------------------
# Fields


def add_field(p, instruction: str, cached: str, bold: bool = False) -> None:
    """A complex field (begin / instruction / separate / cached result / end) in the w:p `p`,
    which Word and LibreOffice recompute when they lay the page out; `bold` sets every run
    of it bold (the result takes the formatting of the field's runs)."""

    def run_with(child) -> None:
        r = OxmlElement("w:r")
        if bold:
            run_look(put(r, "w:rPr"), bold=True)
        r.append(child)
        p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    result = OxmlElement("w:t")
    result.text = cached
    run_with(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


_RID = re.compile(r'\{http://schemas\.openxmlformats\.org/officeDocument/2006/relationships\}')


def referenced_rids(element) -> set[str]:
    """Every relationship id an XML tree points at (r:id, r:embed, r:link, ...)."""
    found = set()
    for el in element.iter():
        for key, value in el.attrib.items():
            if _RID.match(key):
                found.add(value)
    return found
