"""What the memo can know before python-docx opens anything: the styles it needs and their
sizes, the text width, and whether the profile's reference memo can take the memo at all.

`plan_memo` reads the reference (checked and cleaned by `writers.reference`, cached) with lxml
only, so `validate` learns of a page too narrow or a style of the wrong kind without the cost of
a python-docx document; `render` makes the same plan first and draws with it.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.document.findings import Findings, SectionFindings
from reportgen.errors import RenderError
from reportgen.profile import Profile

if TYPE_CHECKING:
    from reportgen.document import Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MIN_TEXT_WIDTH_PT = 72.0
WORD_DEFAULT_PT = 10.0  # a run's size when neither its style nor the defaults give one


@dataclass(frozen=True)
class StyleSpec:
    key: str  # the StyleIds field the memo writer uses
    name: str  # the style's name in Word (python-docx's UI name)
    kind: str  # paragraph, character or table
    builtin: bool  # one of Word's own styles
    based_on: str | None
    scale: float | None  # its size as a multiple of the memo body size; None: inherited


P, C, T = "paragraph", "character", "table"
STYLES = (
    StyleSpec("body", "Normal", P, True, None, 1.0),
    StyleSpec("title", "Title", P, True, "Normal", 2.1),
    StyleSpec("subtitle", "Subtitle", P, True, "Normal", 1.45),
    StyleSpec("standfirst", "Standfirst", P, False, "Normal", 1.1),
    StyleSpec("memo_label", "Memo Label", C, False, None, 0.8),
    StyleSpec("message_header", "Message Header", P, True, "Normal", 1.0),
    StyleSpec("heading1", "Heading 1", P, True, "Normal", 1.3),
    StyleSpec("heading2", "Heading 2", P, True, "Normal", 1.05),
    StyleSpec("bottom_line", "Bottom Line", P, False, "Normal", 1.05),
    StyleSpec("list_bullet", "List Bullet", P, True, "Normal", None),
    StyleSpec("list_bullet2", "List Bullet 2", P, True, "Normal", None),
    StyleSpec("list_number", "List Number", P, True, "Normal", None),
    StyleSpec("list_continue", "List Continue", P, True, "Normal", None),
    StyleSpec("quote", "Quote", P, True, "Normal", 1.0),
    StyleSpec("quote_source", "Quote Source", P, False, "Normal", 0.85),
    StyleSpec("table_text", "Table Text", P, False, "Normal", 0.88),
    StyleSpec("table_heading", "Table Heading", P, False, "Table Text", 0.74),
    StyleSpec("hyperlink", "Hyperlink", C, True, None, None),
    StyleSpec("closing", "Closing Note", P, False, "Normal", 0.76),
    StyleSpec("header", "Header", P, True, "Normal", 0.72),
    StyleSpec("footer", "Footer", P, True, "Normal", 0.76),
    StyleSpec("table", "Memo Table", T, False, "Normal Table", None),
    StyleSpec("key_figure", "Key Figure", P, False, "Table Text", 1.8),
    StyleSpec("key_figure_label", "Key Figure Label", P, False, "Table Text", 0.95),
    StyleSpec("figure", "Figure", P, False, "Normal", None),
    StyleSpec("caption", "Caption", P, True, "Normal", 0.88),
    StyleSpec("figure_note", "Figure Note", P, False, "Normal", 0.72),
)
SPECS = {s.key: s for s in STYLES}
SCALE = {s.key: s.scale for s in STYLES if s.scale is not None}
# The style each section's running text is set in (the actors' in the table's cells).
SECTION_STYLE = {"summary": "bottom_line", "situation": "body", "actors": "table_text",
                 "leverage": "list_bullet", "outlook": "body", "sources": "list_number",
                 "closing": "closing"}
# Word's UI names that styles.xml spells in lower case (python-docx's BabelFish).
INTERNAL_NAMES = {"Caption": "caption", "Footer": "footer", "Header": "header",
                  **{f"Heading {n}": f"heading {n}" for n in range(1, 10)}}
TYPE_NAMES = {"numbering": "list"}  # how python-docx names a w:type, where it differs


def memo_body_pt(profile: Profile) -> float:
    """A memo is read on screen and printed on a full page: a touch larger than the one-pager."""
    return round(profile.type.body_pt * 1.1 * 2) / 2


@dataclass(frozen=True)
class FigureBox:
    """A picture's size on the page, in points."""

    key: tuple[str | int, ...]  # its key in the brief: ("map",) or ("images", i)
    width_pt: float
    height_pt: float


@dataclass(frozen=True)
class MemoPlan:
    reference: Path | None  # the profile's memo.docx, or None for the built-in look
    text_width_pt: float  # between the page's margins
    findings: Findings
    label_column_pt: float  # where the header's values start: past its longest label
    text_height_pt: float = 648.0  # between the top and bottom margins
    map: FigureBox | None = None
    map_px: int = 0  # the map picture's width in pixels, map_dpi at its width on the page
    map_dpi: int = 300
    images: tuple[FigureBox, ...] = ()  # in the document's order
    value_column_pt: float = 0.0  # the key figures table's first column


LABEL_COLUMN_MIN_PT = 72.0  # one inch, as memo headers have it
# A picture spans the text width, unless that would make it taller than this share of the
# text height (a portrait photo, a square map): then it is as tall as that, its width follows.
# At 0.38 two figures with their captions and notes share a page (0.45 left each alone on a
# half-empty page of a Letter memo).
FIGURE_MAX_HEIGHT_SHARE = 0.38
MAP_DPI = 300
# An image is never enlarged past this many points a pixel (36 dpi): beyond it pixels show.
MAX_PT_PER_PIXEL = 2.0
# A page far larger than Letter (a reference memo can set one) would ask for a map of tens of
# megapixels, drawn at three times that; past this many pixels the map's dpi goes down.
MAP_MAX_PIXELS = 4_000_000
LOGO_HEIGHT_PT = 0.45 * 72
# The key figures' value column: wide enough for the widest value, within these shares.
VALUE_COLUMN_SHARES = (0.16, 0.45)
TABLE_CELL_MARGIN_PT = 6.0  # left and right, as the Memo Table style sets them


def figure_box(key: tuple[str | int, ...], aspect: float, text_width: float,
               text_height: float, pixels_wide: int | None = None) -> FigureBox:
    """The picture's box: the text width, or lower (FIGURE_MAX_HEIGHT_SHARE), and for an
    image of `pixels_wide` no more than MAX_PT_PER_PIXEL a pixel: a 40 x 30 icon stays small
    rather than a blur of squares across the page."""
    width = min(text_width, FIGURE_MAX_HEIGHT_SHARE * text_height * aspect)
    if pixels_wide:
        width = min(width, MAX_PT_PER_PIXEL * pixels_wide)
    return FigureBox(key, round(width, 3), round(width / aspect, 3))


def map_pixels(box: FigureBox) -> tuple[int, int]:
    """(width in pixels, dpi) of the map's picture: MAP_DPI, or fewer dots per inch where
    that would pass MAP_MAX_PIXELS."""
    inches_w, inches_h = box.width_pt / 72, box.height_pt / 72
    dpi = min(MAP_DPI, int((MAP_MAX_PIXELS / (inches_w * inches_h)) ** 0.5))
    return max(1, round(inches_w * dpi)), dpi


def _advance(text: str, name: str, style: str, size: float) -> float | None:
    """`text`'s width in points at `size` in face `style` of family `name`, from the font's
    advance widths (no kerning or shaping: a little wide, which is the safe side); None when
    the family is not installed."""
    from reportgen.facts import font_facts
    from reportgen.fonts import family

    try:
        path = family(name).files[style]
    except RenderError:
        return None
    facts = font_facts(path)  # kept per process and on disk (parsing took ~25 ms a render)
    advances = facts.advances
    em = sum(advances[code] for code in map(ord, text) if code in advances)
    return em / facts.upm * size


def value_column_pt(document: Document, value_pt: float, text_width: float) -> float:
    """The key figures' value column: the widest value in bold at its size, plus the cell
    margins and a gap, within VALUE_COLUMN_SHARES of the text width; rounded up to 6 pt."""
    from reportgen.fonts import has_arabic

    if not document.key_figures:
        return 0.0
    widest = 0.0
    for entry in document.key_figures:
        fonts = document.look.fonts
        name = fonts.arabic if has_arabic(entry.value) else fonts.body
        width = _advance(entry.value, name, "bold", value_pt)
        widest = max(widest, 0.6 * value_pt * len(entry.value) if width is None else width)
    needed = -(-(widest + 2 * TABLE_CELL_MARGIN_PT + value_pt * 0.4) // 6) * 6
    low, high = VALUE_COLUMN_SHARES
    return round(min(max(needed, low * text_width), high * text_width), 2)


def label_column_pt(document: Document, body_pt: float) -> float:
    """The header's value column: one inch, or wider where a label of the brief's language
    (DESTINATAIRES) would run past it. Measured with the font's own advance widths at the
    label's size and tracking (memo_label: bold, 0.8 of the body size, 0.08 of it between
    letters), then a gap, rounded up to 6 pt."""
    from reportgen.fonts import has_arabic

    size, tracking = body_pt * 0.8, body_pt * 0.08
    widest = 0.0
    for line in document.memo:
        label = document.labels.fill("memo_label", label=line.label)
        name = document.look.fonts.arabic if has_arabic(label) else document.look.fonts.body
        width = _advance(label, name, "bold", size)
        if width is None:  # the family is not installed: the memo only names it; estimate
            width = 0.62 * len(label) * size
        widest = max(widest, width + tracking * len(label))
    needed = widest + body_pt * 1.2
    return max(LABEL_COLUMN_MIN_PT, -(-needed // 6) * 6)


def plan_memo(document: Document) -> MemoPlan:
    """The memo's plan; RenderError where its page or a style of the reference cannot take it."""
    profile = document.look
    body = memo_body_pt(profile)
    from reportgen.writers import get_writer

    reference = document.profile.reference(get_writer("docx").reference)
    if reference is None:
        width_tw, margin_tw = (_docx_twips(profile.page_size_pt[0]),
                               _docx_twips(max(profile.page.margin_pt, 72.0)))
        text_width = (width_tw - 2 * margin_tw) / 20
        text_height = (_docx_twips(profile.page_size_pt[1]) - 2 * margin_tw) / 20
        if text_width <= MIN_TEXT_WIDTH_PT:
            raise RenderError(diagnostics=[document.profile.diagnostic(("page", "margin_pt"), (
                f"the page leaves only {text_width:.0f} pt between the margins (at least an "
                "inch each); the memo needs more room"))])
        styles = None
    else:
        document_xml, styles = _reference_parts(reference)
        text_width = _text_width(document_xml)
        text_height = _text_height(document_xml)
        if text_width <= MIN_TEXT_WIDTH_PT:
            raise RenderError(f"{reference}: its page leaves only {text_width:.0f} pt between "
                              "the margins; the memo needs more room")
        _check_style_kinds(reference, styles)
    size = _Sizes(styles, body)
    sections = tuple(SectionFindings(key, size.of(SECTION_STYLE[key]))
                     for key in [*(s.key for s in document.sections), "closing"])
    map_box = (figure_box(("map",), document.map.aspect, text_width, text_height)
               if document.map is not None else None)
    images = tuple(figure_box(f.key, f.image.aspect, text_width, text_height, f.image.width)
                   for f in document.images)
    boxes = ((map_box,) if map_box else ()) + images
    findings = Findings("docx", body_pt=size.of("body"), sections=sections,
                        figures=tuple((b.key, round(b.width_pt / text_width, 3))
                                      for b in boxes))
    map_px, map_dpi = map_pixels(map_box) if map_box else (0, MAP_DPI)
    return MemoPlan(reference, text_width, findings, label_column_pt(document, body),
                    text_height_pt=text_height, map=map_box, map_px=map_px, map_dpi=map_dpi,
                    images=images,
                    value_column_pt=value_column_pt(document, size.of("key_figure"),
                                                    text_width))


def _docx_twips(pt: float) -> int:
    """`pt` as python-docx writes it into w:pgSz and w:pgMar (via EMU, rounded to twips)."""
    return int(round(int(pt * 12700) / 635))


# ---------------------------------------------------------------------------------------------
# The reference memo, read with lxml


def _reference_parts(reference: Path):
    """(main document part, styles part or None) of the cleaned reference, as lxml trees."""
    from lxml import etree

    from reportgen.writers.reference import XML_PARSER, clean_reference

    def parse_xml(data: bytes):  # the cleaner has checked every part and refused DTDs
        return etree.fromstring(data, XML_PARSER)

    with zipfile.ZipFile(io.BytesIO(clean_reference(reference, "memo"))) as z:
        names = set(z.namelist())

        def related(source: str, reltype: str) -> str | None:
            folder, name = posixpath.split(source)
            rels = posixpath.join(folder, "_rels", f"{name}.rels")
            if rels not in names:
                return None
            for rel in parse_xml(z.read(rels)).findall(f"{{{PR}}}Relationship"):
                if rel.get("Type") == reltype and rel.get("TargetMode") != "External":
                    target = rel.get("Target", "")
                    path = (target.lstrip("/") if target.startswith("/")
                            else posixpath.normpath(posixpath.join(folder, target)))
                    return path if path in names else None
            return None

        main = related("", f"{OD}/officeDocument")
        styles = related(main, f"{OD}/styles") if main else None
        return (parse_xml(z.read(main)) if main else None,
                parse_xml(z.read(styles)) if styles else None)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _text_width(root) -> float:
    """Page width less the left and right margins of the body's section, in points (the
    cleaner has checked they are whole numbers of twips)."""
    sect = root.find(f"{_w('body')}/{_w('sectPr')}")
    width = int(sect.find(_w("pgSz")).get(_w("w")))
    margins = sect.find(_w("pgMar"))
    return (width - int(margins.get(_w("left"))) - int(margins.get(_w("right")))) / 20


def _text_height(root) -> float:
    """Page height less the top and bottom margins, in points (a negative margin, which
    Word keeps whatever the header's height, counts by its size; an absent one is an inch)."""
    sect = root.find(f"{_w('body')}/{_w('sectPr')}")
    height = int(sect.find(_w("pgSz")).get(_w("h")))
    margins = sect.find(_w("pgMar"))
    top, bottom = (abs(int(margins.get(_w(side), "1440"))) for side in ("top", "bottom"))
    return max(height - top - bottom, 1440) / 20


def _style_by_name(styles, name: str):
    """The w:style python-docx's `styles[name]` finds: the first of that name."""
    if styles is None:
        return None
    internal = INTERNAL_NAMES.get(name, name)
    for style in styles.iterfind(_w("style")):
        el = style.find(_w("name"))
        if el is not None and el.get(_w("val")) == internal:
            return style
    return None


def _check_style_kinds(reference: Path, styles) -> None:
    for spec in STYLES:
        style = _style_by_name(styles, spec.name)
        if style is None:
            continue
        kind = style.get(_w("type")) or P
        if kind != spec.kind:
            raise RenderError(
                f"{reference}: its style '{spec.name}' is a {TYPE_NAMES.get(kind, kind)} style, "
                f"but the memo needs a {spec.kind} style of that name; rename that style in the "
                "reference memo")


class _Sizes:
    """The size a style sets text at: the built-in look's scale of the memo body size; with a
    reference, its own style where it has one (through w:basedOn, then the document defaults),
    and the built-in definition of a style it lacks (the memo adds it)."""

    def __init__(self, styles, body_pt: float):
        self.styles = styles
        self.body = body_pt
        self.by_id = ({s.get(_w("styleId")): s for s in styles.iterfind(_w("style"))}
                      if styles is not None else {})

    def of(self, key: str) -> float:
        return round(self._named(SPECS[key].name), 2)

    def _named(self, name: str) -> float:
        spec = next((s for s in STYLES if s.name == name), None)
        style = _style_by_name(self.styles, name)
        if style is not None:
            return self._resolved(style)
        if spec is not None and spec.scale is not None:
            return self.body * spec.scale
        if spec is not None and spec.based_on:
            return self._named(spec.based_on)
        return self.body if self.styles is None else self._default()

    def _resolved(self, style, depth: int = 0) -> float:
        sz = style.find(f"{_w('rPr')}/{_w('sz')}")
        if sz is not None and (sz.get(_w("val")) or "").isdigit():
            return int(sz.get(_w("val"))) / 2
        based = style.find(_w("basedOn"))
        parent = self.by_id.get(based.get(_w("val"))) if based is not None else None
        if parent is not None and depth < 20:
            return self._resolved(parent, depth + 1)
        return self._default()

    def _default(self) -> float:
        sz = (self.styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('sz')}")
              if self.styles is not None else None)
        if sz is not None and (sz.get(_w("val")) or "").isdigit():
            return int(sz.get(_w("val"))) / 2
        return WORD_DEFAULT_PT
