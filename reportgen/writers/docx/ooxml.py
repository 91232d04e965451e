"""WordprocessingML building blocks python-docx has no API for: ordered children, borders,
shading, tab stops, hyperlinks, fields, right-to-left runs.

Word rejects a document whose property children are out of schema order, so every child is
added through `put`, which knows the order of the containers we touch. Lengths go in as points
and are converted here, at the XML boundary, by `twips`, `half_points` and `eighths`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from reportgen.brief.markup import Inline, Span
from reportgen.fonts import is_arabic, script_segments

# --------------------------------------------------------------------------------------------
# Units: the writer thinks in points; OOXML wants twentieths, halves or eighths of a point.


def twips(pt: float) -> int:
    return int(round(pt * 20))


def half_points(pt: float) -> int:
    return int(round(pt * 2))


def eighths(pt: float) -> int:
    """Border widths are in eighths of a point."""
    return int(round(pt * 8))


def hex_colour(colour: str) -> str:
    return colour.lstrip("#").upper()


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
    "w:lvl": ("w:start", "w:numFmt", "w:lvlRestart", "w:pStyle", "w:isLgl", "w:suff",
              "w:lvlText", "w:lvlPicBulletId", "w:legacy", "w:lvlJc", "w:pPr", "w:rPr"),
}


def _prefixed(tag: str) -> str:
    """'{namespace}local' -> 'w:local' for the WordprocessingML namespace."""
    return "w:" + tag.split("}", 1)[1] if tag.startswith("{http://schemas.openxmlformats.org/"
                                                         "wordprocessingml/2006/main}") else tag


def put(parent, tag: str, **attrs) -> object:
    """Get or create `tag` under `parent` at its schema position; set its w: attributes.

    An attribute given as None is removed.
    """
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        order = _ORDER.get(_prefixed(parent.tag), ())
        successors = order[order.index(tag) + 1:] if tag in order else ()
        for follower in successors:
            found = parent.find(qn(follower))
            if found is not None:
                found.addprevious(el)
                break
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
        el.set(qn("w:color"), hex_colour(self.colour))


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
    put(container, "w:shd", val="clear", color="auto", fill=hex_colour(fill))


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
        el = put(rpr, "w:color", val=hex_colour(colour))
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


def mainly_arabic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(map(is_arabic, letters)) * 2 > len(letters)


@dataclass(frozen=True)
class TextSettings:
    """What every run needs to know: the Arabic font, the hyperlink character style, and the
    language tag Arabic runs are marked with."""

    arabic_font: str
    hyperlink_style: str | None
    arabic_lang: str = "ar-SA"


def add_run(container, paragraph: Paragraph, text: str, ts: TextSettings, *,
            bold: bool = False, italic: bool | None = None, style_id: str | None = None,
            colour: str | None = None) -> list[Run]:
    """Append `text` as one or more runs (one per script) to `container` (a w:p or a
    w:hyperlink). Bold is set only when true; italic None inherits from the style."""
    runs = []
    for piece, arabic in script_segments(text):
        r = OxmlElement("w:r")
        container.append(r)
        run = Run(r, paragraph)
        rpr = r.get_or_add_rPr()
        if style_id:
            put(rpr, "w:rStyle", val=style_id)
        if arabic:
            fonts(rpr, latin=ts.arabic_font, complex_script=ts.arabic_font)
        run_look(rpr, bold=True if bold else None, italic=italic, colour=colour)
        if arabic:
            put(rpr, "w:rtl")
            put(rpr, "w:lang", bidi=ts.arabic_lang)
        if len(rpr) == 0:
            r.remove(rpr)
        run.text = piece
        runs.append(run)
    return runs


def add_hyperlink(paragraph: Paragraph, url: str, spans: Inline, ts: TextSettings,
                  invert_italic: bool = False) -> None:
    """A real Word hyperlink: w:hyperlink pointing at an external relationship."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    for span in spans:
        add_run(link, paragraph, span.text, ts, bold=span.bold,
                italic=_italic(span, invert_italic), style_id=ts.hyperlink_style)


def _italic(span: Span, invert: bool) -> bool | None:
    """Direct italic for emphasis; in an italic context (a quotation) emphasis is set upright,
    as typographers do. None leaves it to the paragraph style."""
    if not span.italic:
        return None
    return not invert


def add_spans(paragraph: Paragraph, spans: Inline, ts: TextSettings,
              invert_italic: bool = False) -> None:
    """The markup model's spans as runs; consecutive spans with one target share a link."""
    i = 0
    while i < len(spans):
        span = spans[i]
        if span.href:
            j = i
            while j < len(spans) and spans[j].href == span.href:
                j += 1
            add_hyperlink(paragraph, span.href, spans[i:j], ts, invert_italic)
            i = j
            continue
        add_run(paragraph._p, paragraph, span.text, ts, bold=span.bold,
                italic=_italic(span, invert_italic))
        i += 1
    mark_direction(paragraph)


def mark_direction(paragraph: Paragraph) -> None:
    """A paragraph that is mainly Arabic reads right to left (w:bidi)."""
    if mainly_arabic(paragraph.text):
        put(paragraph._p.get_or_add_pPr(), "w:bidi")


# --------------------------------------------------------------------------------------------
# Fields


def add_field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A complex field (begin / instruction / separate / cached result / end), which Word and
    LibreOffice recompute when they lay the page out."""
    p = paragraph._p

    def run_with(child) -> None:
        r = OxmlElement("w:r")
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
