"""Where text may go: slide size and the boxes of each slide layout's placeholders, by name.

Read straight from the package XML (zip + lxml, no python-pptx) so planning stays cheap: from a
profile's `deck.pptx` when it has one, otherwise from the built-in layouts described here, which
`builtin.py` turns into real masters and layouts. Lengths are points.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import RenderError

EMU_PER_PT = 12700
MIN_REGION_PT = 72.0  # an inch each way: the least room for a card of body text

NS = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}

# The layouts the deck uses, each with the names tried in order (the first is the standard
# PowerPoint name, so any reference deck made from PowerPoint's defaults has them all).
LAYOUTS = {
    "title": ("Title Slide",),
    "content": ("Title and Content", "Title Only"),
    "two": ("Two Content", "Comparison", "Title and Content"),
    "cards": ("Title Only", "Title and Content"),
    "closing": ("Section Header", "Title and Content", "Title Only"),
}


def pt(emu: int | str) -> float:
    return int(emu) / EMU_PER_PT


def emu(points: float) -> int:
    return int(round(points * EMU_PER_PT))


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w

    def mirrored(self, width: float) -> Box:
        """The box in a page `width` wide seen in a mirror: a right-to-left layout."""
        return Box(round(width - self.x - self.w, 2), self.y, self.w, self.h)


@dataclass(frozen=True)
class LayoutBoxes:
    """One slide layout: its name and the box of each placeholder the deck fills.

    Keys: title, subtitle, body, body2 (second body: the next column in reading order), dt,
    ftr, sldNum.
    """

    name: str
    boxes: dict[str, Box] = field(default_factory=dict)
    idx: dict[str, int] = field(default_factory=dict)  # placeholder idx behind each key

    def get(self, key: str) -> Box | None:
        return self.boxes.get(key)


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    layouts: tuple[LayoutBoxes, ...]  # in the order python-pptx will find them
    reference: Path | None = None

    def find(self, role: str) -> LayoutBoxes:
        """The first layout whose name matches one of the role's names, in preference order."""
        by_name = {}
        for layout in self.layouts:
            by_name.setdefault(layout.name, layout)
        for name in LAYOUTS[role]:
            if name in by_name:
                return by_name[name]
        where = self.reference or "the built-in deck"
        raise RenderError(
            f"{where}: no slide layout named {' or '.join(repr(n) for n in LAYOUTS[role])}; "
            f"the deck needs one for its {role} slides (layouts present: "
            f"{', '.join(sorted(by_name)) or 'none'})")

    def content_region(self) -> Box:
        """Where cards and other free shapes go: the body of 'Title and Content' if there is
        one, else the space between the title and the footer. Refused when too small to hold
        a card (a title placeholder at the foot of a reference deck's slide, say), so the
        planner never measures against a negative height."""
        for layout in self.layouts:
            if layout.name == "Title and Content" and layout.get("body"):
                return self._roomy(layout.boxes["body"], f"the body of {layout.name!r}")
        layout = self.find("cards")
        title = layout.get("title")
        top = (title.bottom if title else 0) + 14
        foot = min((b.y for k, b in layout.boxes.items() if k in ("dt", "ftr", "sldNum")),
                   default=self.height - 24)
        left = title.x if title else 36
        right = title.right if title else self.width - 36
        return self._roomy(Box(left, top, right - left, foot - 10 - top),
                           f"the space between the title and the footers of {layout.name!r}")

    def _roomy(self, box: Box, what: str) -> Box:
        if box.w < MIN_REGION_PT or box.h < MIN_REGION_PT:
            where = self.reference or "the built-in deck"
            raise RenderError(
                f"{where}: {what} is {max(box.w, 0):.0f} x {max(box.h, 0):.0f} pt, too small for "
                f"cards of text (at least {MIN_REGION_PT:g} x {MIN_REGION_PT:g} pt); give that "
                "layout a larger body placeholder")
        return box


# ---------------------------------------------------------------------------------------------
# The built-in look: 16:9 (13.333 x 7.5 in), laid out on a 48 pt margin


SLIDE_W, SLIDE_H = 960.0, 540.0
MARGIN = 48.0
TITLE = Box(MARGIN, 26, SLIDE_W - 2 * MARGIN, 62)
RULE_Y = 96.0  # the short accent rule under every content title
CONTENT = Box(MARGIN, 114, SLIDE_W - 2 * MARGIN, 366)
GUTTER = 40.0
COLUMN_W = (CONTENT.w - GUTTER) / 2
FOOT_RULE_Y = 494.0
FOOTER_Y, FOOTER_H = 502.0, 22.0
FOOTERS = {
    "ftr": Box(MARGIN, FOOTER_Y, 300, FOOTER_H),
    "dt": Box(SLIDE_W / 2 - 150, FOOTER_Y, 300, FOOTER_H),
    "sldNum": Box(SLIDE_W - MARGIN - 120, FOOTER_Y, 120, FOOTER_H),
}
COVER_TITLE = Box(96, 92, 768, 210)
COVER_SUBTITLE = Box(96, 332, 768, 142)
CLOSING_TITLE = Box(96, 70, 768, 90)
CLOSING_BODY = Box(96, 196, 768, 270)


BUILTIN_IDX = {"title": 0, "subtitle": 1, "body": 1, "body2": 2, "dt": 10, "ftr": 11,
               "sldNum": 12}


def footers(rtl: bool = False) -> dict[str, Box]:
    """The built-in footers' boxes; mirrored (the organisation on the right, the slide number
    on the left) for a right-to-left deck."""
    return {k: b.mirrored(SLIDE_W) for k, b in FOOTERS.items()} if rtl else dict(FOOTERS)


def two_columns(rtl: bool = False) -> tuple[Box, Box]:
    """The built-in 'Two Content' columns in reading order: the first on the left, or on the
    right in a right-to-left deck."""
    first = Box(CONTENT.x, CONTENT.y, COLUMN_W, CONTENT.h)
    second = Box(CONTENT.x + COLUMN_W + GUTTER, CONTENT.y, COLUMN_W, CONTENT.h)
    return (second, first) if rtl else (first, second)


def builtin_geometry(rtl: bool = False) -> Geometry:
    """The built-in layouts' boxes (`builtin.py` draws the same, mirrored when `rtl`; every
    box but the footers' is symmetric about the slide's middle)."""
    feet = footers(rtl)
    two = two_columns(rtl)

    def layout(name: str, **boxes: Box) -> LayoutBoxes:
        boxes = {**boxes, **feet}
        return LayoutBoxes(name, boxes, {k: BUILTIN_IDX[k] for k in boxes})

    return Geometry(SLIDE_W, SLIDE_H, (
        layout("Title Slide", title=COVER_TITLE, subtitle=COVER_SUBTITLE),
        layout("Title and Content", title=TITLE, body=CONTENT),
        layout("Section Header", title=CLOSING_TITLE, body=CLOSING_BODY),
        layout("Two Content", title=TITLE, body=two[0], body2=two[1]),
        layout("Title Only", title=TITLE),
    ))


# ---------------------------------------------------------------------------------------------
# A reference deck: read its layouts from the package


_PH_KEYS = {"title": "title", "ctrTitle": "title", "subTitle": "subtitle", "body": "body",
            "obj": "body", "dt": "dt", "ftr": "ftr", "sldNum": "sldNum"}


def read_geometry(path: Path) -> Geometry:
    """Slide size and placeholder boxes of every layout in a .pptx, masters in order."""
    from lxml import etree

    from reportgen.writers.reference import XML_PARSER, clean_reference

    # The cleaned package: the reference's limits, structure (numeric sizes and idx, resolved
    # relationships) and safe XML are checked there once for the planner and the writer.
    with zipfile.ZipFile(io.BytesIO(clean_reference(Path(path), "deck"))) as zf:

        def xml(name: str):
            return etree.fromstring(zf.read(name), XML_PARSER)

        def rels(part: str) -> dict[str, str]:
            folder, base = posixpath.split(part)
            name = posixpath.join(folder, "_rels", base + ".rels")
            if name not in zf.namelist():
                return {}
            return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target")))
                    for r in xml(name).findall("rel:Relationship", NS)}

        try:
            pres = xml("ppt/presentation.xml")
            size = pres.find("p:sldSz", NS)
            width, height = pt(size.get("cx")), pt(size.get("cy"))
            if width <= 0 or height <= 0:
                raise ValueError(f"slide size {width:g} x {height:g} pt")
            pres_rels = rels("ppt/presentation.xml")
            layouts: list[LayoutBoxes] = []
            for mid in pres.findall("p:sldMasterIdLst/p:sldMasterId", NS):
                master_part = pres_rels[mid.get(f"{{{NS['r']}}}id")]
                master, _ = _placeholders(xml(master_part), {})
                master_rels = rels(master_part)
                for lid in xml(master_part).findall("p:sldLayoutIdLst/p:sldLayoutId", NS):
                    layout_xml = xml(master_rels[lid.get(f"{{{NS['r']}}}id")])
                    name = layout_xml.find("p:cSld", NS).get("name", "")
                    boxes, idx = _placeholders(layout_xml, master)
                    layouts.append(LayoutBoxes(name, boxes, idx))
        # ValueError/TypeError: a placeholder idx="abc", a relationship without a Target, a
        # slide size that is not a number.
        except (KeyError, AttributeError, ValueError, TypeError, etree.XMLSyntaxError,
                zipfile.BadZipFile) as exc:
            raise RenderError(f"{path}: the reference deck's masters and layouts could not be "
                              f"read ({type(exc).__name__}: {exc})") from None
    return Geometry(width, height, tuple(layouts), Path(path))


def _placeholders(root, inherited: dict[str, Box]) -> tuple[dict[str, Box], dict[str, int]]:
    """Placeholder boxes (and idx) of a master or layout; a placeholder without its own
    position takes the master's box for the same kind. Of several body placeholders the
    largest is `body`; the next largest beside it (not above or below) is `body2`, and the
    two are ordered left to right."""
    found: list[tuple[str, int, Box]] = []
    for sp in root.iter(f"{{{NS['p']}}}sp"):
        ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
        if ph is None:
            continue
        key = _PH_KEYS.get(ph.get("type", "obj"))
        if key is None:
            continue
        off = sp.find("p:spPr/a:xfrm/a:off", NS)
        ext = sp.find("p:spPr/a:xfrm/a:ext", NS)
        base = "body" if key == "subtitle" else key
        if off is not None and ext is not None:
            box = Box(pt(off.get("x")), pt(off.get("y")), pt(ext.get("cx")), pt(ext.get("cy")))
        elif base in inherited:
            box = inherited[base]
        else:
            continue
        found.append((key, int(ph.get("idx", "0")), box))
    boxes: dict[str, Box] = {}
    idx: dict[str, int] = {}
    for key, i, box in found:
        if key != "body" and key not in boxes:
            boxes[key], idx[key] = box, i
    bodies = sorted(((b, i) for k, i, b in found if k == "body"), key=lambda bi: -bi[0].w *
                    bi[0].h)
    if bodies:
        chosen = [bodies[0]]
        first = bodies[0][0]
        beside = [(b, i) for b, i in bodies[1:] if b.x >= first.right or b.right <= first.x]
        if beside:
            chosen.append(beside[0])
        chosen.sort(key=lambda bi: bi[0].x)
        for key, (box, i) in zip(("body", "body2")[:len(chosen)], chosen, strict=True):
            boxes[key], idx[key] = box, i
    return boxes, idx
