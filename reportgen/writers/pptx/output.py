"""DeckPlan -> .pptx bytes with python-pptx (imported here only).

Text frames are written as DrawingML directly, with every property the measurement relied on
spelled out (insets, exact line pitch, paragraph spacing, sizes, fonts, no autofit), so no
inherited default can change the fit. The zip is rewritten with fixed timestamps and order:
the same plan gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC

from reportgen.profile import Profile
from reportgen.writers.colour import bare
from reportgen.writers.coreprops import clip, drop_unowned
from reportgen.writers.pptx.builtin import (
    DECORATIVE_NS,
    DECORATIVE_URI,
    NSDECL,
    builtin_presentation,
)
from reportgen.writers.pptx.geometry import emu
from reportgen.writers.pptx.measure import Para, Run, paragraph_lines
from reportgen.writers.pptx.model import (
    DeckPlan,
    Frame,
    MapDrawing,
    Picture,
    Rect,
    SlidePlan,
    Table,
)
from reportgen.writers.reference import clean_reference
from reportgen.writers.zipstable import pptx_members, stable_zip_members
from reportgen.xmlescape import escape, quoteattr

HLINK_COLOUR_EXT = ('<a:extLst><a:ext uri="{A12FA001-AC4F-418D-AE19-62706E023703}">'
                    '<ahyp:hlinkClr xmlns:ahyp="http://schemas.microsoft.com/office/drawing/2018/'
                    'hyperlinkcolor" val="tx"/></a:ext></a:extLst>')
ANCHORS = {"t": "t", "ctr": "ctr", "b": "b"}
# Frames whose every paragraph the plan set as one line (a key figure's value, a place name on
# the map, a short caption or credit) are written unwrapped (a:bodyPr wrap="none"), so a viewer
# whose text metrics differ a little from the plan's never breaks them; the plan measured each
# line to fit its frame's inner width, so unwrapped it stays inside the frame.
ONE_LINE_ROLES = ("key figure", "map label", "caption", "credit")
# The region PowerPoint expects with a right-to-left language's bare tag (its proofing tools
# and its own Arabic templates name one): Arabic runs are lang="ar-SA" unless the brief's tag
# names another region of the same language.
RTL_REGIONS = {"ar": "ar-SA", "fa": "fa-IR", "ur": "ur-PK", "ps": "ps-AF", "sd": "sd-Arab-PK",
               "ug": "ug-CN", "ckb": "ckb-IQ"}
ALT_LANG = "en-US"
# Boxes closer than this (in points) are not told apart when ordering them for reading.
READING_GAP_PT = 0.5


@dataclass(frozen=True)
class Tongue:
    """The languages the deck's runs are tagged with: `lang` for Latin runs (the brief's tag,
    or English in an Arabic deck, whose Latin runs are names, the URL and the profile's English
    disclaimer), `arabic` for Arabic-script runs (with altLang English, as PowerPoint writes),
    `paragraph` for paragraph ends."""

    lang: str
    arabic: str
    paragraph: str

    @classmethod
    def of(cls, tag: str, rtl: bool) -> Tongue:
        base = tag.split("-")[0].lower()
        arabic = (tag if "-" in tag else RTL_REGIONS.get(base, tag)) if base in RTL_REGIONS \
            else "ar-SA"
        if not rtl:
            return cls(tag, arabic, tag)
        return cls(ALT_LANG, arabic, arabic)


def write_deck(plan: DeckPlan, profile: Profile) -> bytes:
    from pptx import Presentation

    rtl = plan.meta.direction == "rtl"
    if plan.reference:  # masters and layouts only: its slides, macros and links are gone
        prs = Presentation(io.BytesIO(clean_reference(plan.reference, "deck")))
    else:
        prs = builtin_presentation(profile, rtl)
    tongue = Tongue.of(plan.language, rtl)
    layouts = {}
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            layouts.setdefault(layout.name, layout)
    boxes = {}
    for lb in plan.geometry.layouts:
        boxes.setdefault(lb.name, lb)

    footers = LayoutPlaceholders()
    clones = PlaceholderClones(prs)
    rects = RectShapes()
    for number, sp in enumerate(plan.slides, 1):
        slide = clones.add_slide(layouts[sp.layout])
        _draw_slide(slide, sp, boxes[sp.layout].idx, layouts[sp.layout], number, tongue, rtl,
                    footers, rects)
        _write_notes(slide, sp, tongue, clones)

    _core_properties(prs, plan)
    _drop_template_leftovers(prs, builtin=plan.reference is None)
    _app_properties(prs, plan, plan.meta.organisation)
    return stable_zip_members(pptx_members(prs), plan.meta.created)


# ---------------------------------------------------------------------------------------------
# Slides


class PlaceholderClones:
    """New slides and notes pages with their placeholders, as python-pptx makes them, made
    faster: python-pptx clones a layout's placeholders onto every new slide, and the notes
    master's onto every notes page, finding each by XPath among all shapes. The clones come
    out the same for every slide of a layout (shape ids and names are counted within the
    slide), so the first slide's are copied for the next ones. Kept for one deck: at most one
    set of clones per layout, and one notes page."""

    def __init__(self, prs) -> None:
        self.prs = prs
        self._slide: dict[object, list] = {}
        self._notes = None

    def add_slide(self, layout):
        """`prs.slides.add_slide(layout)`."""
        slides = self.prs.slides
        r_id, slide = self.prs.part.add_slide(layout)
        tree = slide.shapes._spTree
        clones = self._slide.get(layout.element)
        if clones is None:
            before = len(tree)
            slide.shapes.clone_layout_placeholders(layout)
            self._slide[layout.element] = [copy.deepcopy(el) for el in tree[before:]]
        else:
            tree.extend(copy.deepcopy(el) for el in clones)
        slides._sldIdLst.add_sldId(r_id)
        return slide

    def notes(self, slide):
        """(notes part, notes text body) of a new notes page for `slide`, which has none: as
        `slide.notes_slide.notes_text_frame` would make it, the first by python-pptx, the
        others as copies of the first (before its text was written)."""
        from pptx.opc.constants import CONTENT_TYPE as CT
        from pptx.opc.constants import RELATIONSHIP_TYPE as RT
        from pptx.opc.packuri import PackURI
        from pptx.parts.slide import NotesSlidePart

        part = slide.part
        if self._notes is None:
            notes = slide.notes_slide
            body = notes.notes_text_frame._txBody
            tree = notes.shapes._spTree
            self._notes = (copy.deepcopy(notes.part._element), tree.index(body.getparent()))
            package = part.package
            self._notes_names = {str(p.partname) for p in package.iter_parts()}
            return notes.part, body
        # NotesSlidePart.new without cloning the master's placeholders one by one, and
        # OpcPackage.next_partname without walking every part of the deck for each page.
        element, body_at = self._notes
        package = part.package
        n = 1
        while NOTES_PARTNAME % n in self._notes_names:
            n += 1
        name = NOTES_PARTNAME % n
        self._notes_names.add(name)
        notes_part = NotesSlidePart(PackURI(name), CT.PML_NOTES_SLIDE, package,
                                    copy.deepcopy(element))
        notes_part.relate_to(package.presentation_part.notes_master_part, RT.NOTES_MASTER)
        notes_part.relate_to(part, RT.SLIDE)
        part.relate_to(notes_part, RT.NOTES_SLIDE)
        tree = notes_part.notes_slide.shapes._spTree
        return notes_part, tree[body_at].get_or_add_txBody()


NOTES_PARTNAME = "/ppt/notesSlides/notesSlide%d.xml"


class LayoutPlaceholders:
    """A deck's layout placeholders by index, read once per layout: the footers are copied
    from them onto every slide, and finding one among a layout's shapes took ~5 ms a deck.
    Bounded by the deck's layouts (a handful), and kept only while the deck is written."""

    def __init__(self) -> None:
        self._by_layout: dict[object, dict[int, object]] = {}

    def get(self, layout, idx: int):
        """The p:sp element of `layout`'s placeholder `idx` (the first, as a scan finds it)."""
        found = self._by_layout.get(layout.element)
        if found is None:
            found = self._by_layout[layout.element] = {}
            for ph in layout.placeholders:
                found.setdefault(ph.placeholder_format.idx, ph._element)
        return found[idx]


def _draw_slide(slide, sp: SlidePlan, idx: dict[str, int], layout, number: int,
                lang: Tongue, rtl: bool = False,
                footer_sources: LayoutPlaceholders | None = None,
                rect_shapes: RectShapes | None = None) -> None:
    from pptx.oxml import parse_xml
    from pptx.shapes.shapetree import SlideShapeFactory

    placeholders = placeholder_elements(slide.shapes._spTree)
    tree = slide.shapes._spTree
    used: set[int] = set()
    add_rect = rect_shapes.add if rect_shapes is not None else _add_rect
    rects = [(rect, add_rect(slide, rect, f"{sp.kind.title()} shape {n}"))
             for n, rect in enumerate(sp.shapes, 1)]
    filled = []  # (frame, element) of the frames with a ground of their own
    footer_keys = ("dt", "ftr", "sldNum")

    def draw(n: int, frame: Frame) -> None:
        if frame.placeholder in footer_keys:
            shape_el = _clone_footer(slide, layout, idx[frame.placeholder], frame,
                                     footer_sources or LayoutPlaceholders())
        elif frame.placeholder:
            ph = SlideShapeFactory(placeholders[idx[frame.placeholder]], slide.placeholders)
            used.add(idx[frame.placeholder])
            if frame.move:
                move(ph._element, emu(frame.x), emu(frame.y), emu(frame.w), emu(frame.h))
            if frame.fill:
                ph.fill.solid()
                ph.fill.fore_color.rgb = _rgb(frame.fill)
            shape_el = ph._element
            tree.remove(shape_el)  # where it comes in the reading order
            tree.append(shape_el)
        else:
            box = slide.shapes.add_textbox(emu(frame.x), emu(frame.y), emu(frame.w),
                                           emu(frame.h))
            box.name = f"{frame.role.title()} {n}"
            if frame.fill:
                box.fill.solid()
                box.fill.fore_color.rgb = _rgb(frame.fill)
            shape_el = box._element
        if frame.fill:
            filled.append((frame, shape_el))
        body = _tx_body(slide.part, frame, lang, number)
        old = shape_el.find(f"{{{_P}}}txBody")
        if old is not None:
            shape_el.remove(old)
        shape_el.append(parse_xml(body))

    # Reading order is the shapes' order in the tree (what a screen reader and the Tab key
    # follow): the title, then the slide's text, pictures, map and tables as they show (see
    # `reading_order`), then the footers. A map's place names are drawn in its group.
    numbered = list(enumerate(sp.frames, 1))
    titles = [(n, f) for n, f in numbered if f.role == "title" and not f.in_figure]
    footers = [(n, f) for n, f in numbered if f.role in footer_keys and not f.in_figure]
    content = []  # (x, y, w, h), how to draw it
    for n, frame in numbered:
        if frame.role != "title" and frame.role not in footer_keys and not frame.in_figure:
            content.append(((frame.x, frame.y, frame.w, frame.h),
                            lambda n=n, frame=frame: draw(n, frame)))
    for picture in sp.pictures:
        content.append(((picture.x, picture.y, picture.w, picture.h),
                         lambda picture=picture: _add_picture(slide, picture)))
    for drawing in sp.maps:
        x0, y0, x1, y1 = drawing.bounds
        content.append(((x0, y0, x1 - x0, y1 - y0),
                        lambda drawing=drawing: _add_map(slide, drawing, lang, number)))
    for n, table in enumerate(sp.tables, 1):
        content.append(((table.x, table.y, table.w, table.h),
                        lambda n=n, table=table: _add_table(slide, table, f"Table {n}", lang)))
    for n, frame in titles:
        draw(n, frame)
    for i in reading_order([b for b, _ in content], rtl=rtl):
        content[i][1]()
    for i in reading_order([(f.x, f.y, f.w, f.h) for _, f in footers], rtl=rtl):
        draw(*footers[i])
    # The plain shapes lie beneath everything, except that one on a frame with a ground of its
    # own (a panel's accent bar) lies just above that frame. Screen readers skip them either way.
    for rect, el in reversed(rects):
        on = [f_el for f, f_el in filled if _overlap(rect, f)]
        if on:
            max(on, key=tree.index).addnext(el)
    for i, el in placeholders.items():
        if i not in used:  # an empty placeholder would show "Click to add text" when editing
            el.getparent().remove(el)



_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


# The children of p:spTree that are shapes (python-pptx's CT_GroupShape._shape_tags)
_SHAPE_TAGS = frozenset(f"{{{_P}}}{tag}" for tag in (
    "sp", "grpSp", "graphicFrame", "cxnSp", "pic", "contentPart"))


def placeholder_elements(tree) -> dict[int, object]:
    """The slide's placeholder shapes by idx: `{ph.placeholder_format.idx: ph._element for ph
    in slide.placeholders}` (of two with one idx, the later in the tree), found with plain
    child look-ups: python-pptx runs three XPath queries a shape to list them and to sort and
    type them, ~0.3 ms a slide."""
    found = {}
    for el in tree.iterchildren():
        if el.tag not in _SHAPE_TAGS or not len(el):
            continue
        ph = el[0].find(f"{{{_P}}}nvPr/{{{_P}}}ph")
        if ph is not None:
            found[int(ph.get("idx", "0"))] = el
    return dict(sorted(found.items()))


def reading_order(boxes: list[tuple[float, float, float, float]], rtl: bool = False
                  ) -> list[int]:
    """The indexes of `boxes` (x, y, w, h in points) in the order a reader takes them: cut
    the slide recursively at its widest clear band, across (rows, top first) or down
    (columns, from the side the text starts: left, or right in a right-to-left deck), so a
    column (text beside a map and its caption, a key figure's value over its label) is read
    whole before the next; boxes no clear band separates go by their start edge, then top."""
    def span(i: int, axis: int) -> tuple[float, float]:
        x, y, w, h = boxes[i]
        return (x, x + w) if axis == 0 else (y, y + h)

    def start(i: int) -> tuple[float, float]:
        x, y, w, _ = boxes[i]
        return (-(x + w) if rtl else x, y)

    def cut(group: list[int]) -> list[int]:
        if len(group) < 2:
            return group
        best = None  # (gap, axis, where)
        for axis in (1, 0):  # rows first when the clear bands are as wide
            ordered = sorted(group, key=lambda i, axis=axis: span(i, axis))
            reach = span(ordered[0], axis)[1]
            for i in ordered[1:]:
                low, high = span(i, axis)
                if low - reach > READING_GAP_PT and (best is None or low - reach > best[0]):
                    best = (low - reach, axis, reach)
                reach = max(reach, high)
        if best is None:
            return sorted(group, key=start)
        _, axis, where = best
        before = [i for i in group if span(i, axis)[1] <= where]
        after = [i for i in group if span(i, axis)[1] > where]
        if axis == 0 and rtl:
            before, after = after, before
        return cut(before) + cut(after)

    return cut(list(range(len(boxes))))


def _clone_footer(slide, layout, idx: int, frame: Frame, sources: LayoutPlaceholders):
    """Copy the layout's footer placeholder onto the slide (python-pptx leaves them off), at
    the layout's position, or at the frame's when it moves (a reference deck's footers in a
    right-to-left deck change sides)."""
    from pptx.oxml import parse_xml

    el = copy.deepcopy(sources.get(layout, idx))
    tree = slide.shapes._spTree
    el.find(f"{{{_P}}}nvSpPr/{{{_P}}}cNvPr").set("id", str(_next_id(tree)))
    sppr = el.find(f"{{{_P}}}spPr")
    for child in list(sppr):
        sppr.remove(child)  # inherit the layout's position
    if frame.move:
        sppr.append(parse_xml(f'<a:xfrm {NSDECL}><a:off x="{emu(frame.x)}" y="{emu(frame.y)}"/>'
                              f'<a:ext cx="{emu(frame.w)}" cy="{emu(frame.h)}"/></a:xfrm>'))
    tree.append(el)
    return el


def move(shape_el, x: int, y: int, w: int, h: int) -> None:
    """`shape.left, shape.top, shape.width, shape.height = x, y, w, h` (EMU) as python-pptx
    sets them: an a:xfrm first in p:spPr (every other child of p:spPr comes after it), its
    a:off and a:ext made as needed. Without python-pptx's look-ups of each child's successors
    (~0.4 ms a placeholder)."""
    from pptx.oxml.xmlchemy import OxmlElement

    sppr = shape_el.find(f"{{{_P}}}spPr")
    xfrm = sppr.find(f"{{{_A}}}xfrm")
    if xfrm is None:
        xfrm = OxmlElement("a:xfrm")
        sppr.insert(0, xfrm)
    for tag, attrs in (("off", (("x", x), ("y", y))), ("ext", (("cx", w), ("cy", h)))):
        child = xfrm.find(f"{{{_A}}}{tag}")
        if child is None:
            child = OxmlElement(f"a:{tag}")
            if tag == "off":
                xfrm.insert(0, child)
            else:
                xfrm.append(child)
        for name, value in attrs:
            child.set(name, str(value))


def _next_id(tree) -> int:
    ids = [int(v) for v in tree.xpath("//p:cNvPr/@id") if str(v).isdigit()]
    return max(ids, default=1) + 1


def _overlap(a, b) -> bool:
    return (min(a.x + a.w, b.x + b.w) - max(a.x, b.x) > 0
            and min(a.y + a.h, b.y + b.h) - max(a.y, b.y) > 0)


def _add_rect(slide, rect: Rect, name: str):
    """A plain filled rectangle marked decorative; its p:sp element."""
    from pptx.enum.shapes import MSO_SHAPE

    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(rect.x), emu(rect.y), emu(rect.w),
                                   emu(rect.h))
    shape.name = name
    style = shape._element.find(f"{{{_P}}}style")
    if style is not None:  # the theme's shape style would add an outline and a shadow
        shape._element.remove(style)
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(rect.fill)
    shape.line.fill.background()
    mark_decorative(shape._element.nvSpPr.cNvPr)
    return shape._element


class RectShapes:
    """Plain rectangles (`_add_rect`), made faster: python-pptx builds each from its XML
    template and sets its fill and line through a chain of proxies (~0.5 ms a rectangle, a
    dozen or so a deck). The first is made that way and copied for the next ones, with its
    id, name, box and colour set: the same elements, attributes and order. Kept for one deck."""

    def __init__(self) -> None:
        self._model = None

    def add(self, slide, rect: Rect, name: str):
        if self._model is None:
            element = _add_rect(slide, rect, name)
            self._model = copy.deepcopy(element)
            return element
        shapes = slide.shapes
        element = copy.deepcopy(self._model)
        c_nv_pr = element.find(f"{{{_P}}}nvSpPr/{{{_P}}}cNvPr")
        c_nv_pr.set("id", str(shapes._next_shape_id))  # before it joins the slide, as there
        c_nv_pr.set("name", name)
        xfrm = element.find(f"{{{_P}}}spPr/{{{_A}}}xfrm")
        off, ext = xfrm.find(f"{{{_A}}}off"), xfrm.find(f"{{{_A}}}ext")
        off.set("x", str(int(emu(rect.x))))
        off.set("y", str(int(emu(rect.y))))
        ext.set("cx", str(int(emu(rect.w))))
        ext.set("cy", str(int(emu(rect.h))))
        element.find(f"{{{_P}}}spPr/{{{_A}}}solidFill/{{{_A}}}srgbClr").set(
            "val", str(_rgb(rect.fill)))
        shapes._spTree.insert_element_before(element, "p:extLst")
        return element


def mark_decorative(c_nv_pr) -> None:
    """Mark the shape whose p:cNvPr this is as decorative (a card's ground, an accent bar, a
    rule): no alt text, skipped by screen readers."""
    from pptx.oxml import parse_xml

    c_nv_pr.attrib.pop("descr", None)
    c_nv_pr.append(parse_xml(f'<a:extLst {NSDECL}><a:ext uri="{DECORATIVE_URI}">'
                             f'<adec:decorative xmlns:adec="{DECORATIVE_NS}" val="1"/>'
                             '</a:ext></a:extLst>'))


def _add_picture(slide, picture: Picture) -> None:
    """The picture's own bytes at its box; its alt text in p:cNvPr/@descr."""
    shape = slide.shapes.add_picture(io.BytesIO(picture.image.data), emu(picture.x),
                                     emu(picture.y), emu(picture.w), emu(picture.h))
    shape.name = picture.name
    shape._element.nvPicPr.cNvPr.set("descr", picture.alt)


# ---------------------------------------------------------------------------------------------
# The locator map: one group of DrawingML shapes, every country a freeform (a:custGeom) that
# PowerPoint edits point by point


def _solid(colour: str, alpha: float | None = None) -> str:
    inner = "" if alpha is None else f'<a:alpha val="{round(alpha * 100000)}"/>'
    return f'<a:solidFill><a:srgbClr val="{bare(colour)}">{inner}</a:srgbClr></a:solidFill>'


def _line(colour: str | None, width_pt: float = 0.0) -> str:
    if colour is None:
        return "<a:ln><a:noFill/></a:ln>"
    return (f'<a:ln w="{emu(width_pt)}">{_solid(colour)}<a:round/></a:ln>')


def _xfrm(x: int, y: int, cx: int, cy: int) -> str:
    return f'<a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'


def _nv_sp(sid: int, name: str, text_box: bool = False) -> str:
    flag = ' txBox="1"' if text_box else ""
    return (f'<p:nvSpPr><p:cNvPr id="{sid}" name={quoteattr(name)}/><p:cNvSpPr{flag}/>'
            f'<p:nvPr/></p:nvSpPr>')


def _preset(sid: int, name: str, box: tuple[int, int, int, int], geom: str, fill: str,
            line: str) -> str:
    return (f'<p:sp>{_nv_sp(sid, name)}<p:spPr>{_xfrm(*box)}<a:prstGeom prst="{geom}">'
            f'<a:avLst/></a:prstGeom>{fill}{line}</p:spPr></p:sp>')


def map_points(drawing: MapDrawing, ring) -> list[tuple[int, int]]:
    """A ring's points on the slide, in EMU: the frame's units scaled to the map's box, each
    rounded once from the box's own EMU origin and size (a reader can redo the sum)."""
    x0, y0, w, h = emu(drawing.x), emu(drawing.y), emu(drawing.w), emu(drawing.h)
    return [(x0 + round(u * w), y0 + round(v * h)) for u, v in ring]


def _freeform(sid: int, name: str, rings: list[list[tuple[int, int]]], fill: str,
              line: str) -> str:
    """One shape of several contours (an island, a hole), its path in EMU from its corner."""
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    left, top = min(xs), min(ys)
    cx, cy = max(max(xs) - left, 1), max(max(ys) - top, 1)
    path = []
    for ring in rings:
        (fx, fy), rest = ring[0], ring[1:]
        path.append(f'<a:moveTo><a:pt x="{fx - left}" y="{fy - top}"/></a:moveTo>')
        path += [f'<a:lnTo><a:pt x="{x - left}" y="{y - top}"/></a:lnTo>' for x, y in rest]
        path.append("<a:close/>")
    return (f'<p:sp>{_nv_sp(sid, name)}<p:spPr>{_xfrm(left, top, cx, cy)}<a:custGeom>'
            '<a:avLst/><a:gdLst/><a:ahLst/><a:cxnLst/><a:rect l="l" t="t" r="r" b="b"/>'
            f'<a:pathLst><a:path w="{cx}" h="{cy}">{"".join(path)}</a:path></a:pathLst>'
            f'</a:custGeom>{fill}{line}</p:spPr></p:sp>')


def _add_map(slide, drawing: MapDrawing, lang: Tongue, number: int) -> None:
    """The map as one group named "Locator map" whose descr is the figure's alt text: the sea,
    a freeform per country shape (land, region, the country last), the frame, the dots and the
    names on their plates. The group's child space is the slide's, so every child's position
    is where it shows."""
    from pptx.oxml import parse_xml

    tree = slide.shapes._spTree
    first = _next_id(tree)
    ids = iter(range(first + 1, first + 10_000))
    c = drawing.colour
    box = (emu(drawing.x), emu(drawing.y), emu(drawing.w), emu(drawing.h))
    children = [_preset(next(ids), "Sea", box, "rect", _solid(c("sea")), _line(None))]
    names = {"country": "Country", "region": "Region", "land": "Land"}
    for shape in drawing.figure.shapes:
        rings = [map_points(drawing, ring) for ring in shape.rings if len(ring) >= 3]
        if rings:
            children.append(_freeform(next(ids), f"{names[shape.kind]} {shape.code}", rings,
                                      _solid(c(shape.kind)), _line(c("border"), 0.5)))
    children.append(_preset(next(ids), "Frame", box, "rect", "<a:noFill/>",
                            _line(c("frame"), 0.75)))
    r = drawing.dot_r
    for k, (x, y) in enumerate(drawing.dots):
        dot = (emu(x - r), emu(y - r), emu(2 * r), emu(2 * r))
        name = f"Dot {drawing.figure.places[k].name}"
        children.append(_preset(next(ids), name, dot, "ellipse", _solid(c("dot")),
                                _line(c("halo"), 1.0)))
    for frame in drawing.labels:
        plate = (emu(frame.x), emu(frame.y), emu(frame.w), emu(frame.h))
        body = _tx_body(slide.part, frame, lang, number)
        children.append(
            f'<p:sp>{_nv_sp(next(ids), "Label " + frame.text, text_box=True)}<p:spPr>'
            f'{_xfrm(*plate)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'{_solid(frame.fill or c("halo"), 0.9)}{_line(None)}</p:spPr>{body}</p:sp>')
    x0, y0, x1, y1 = (emu(v) for v in drawing.bounds)
    group = (f'<p:grpSp {NSDECL}><p:nvGrpSpPr><p:cNvPr id="{first}" '
             f'name={quoteattr(drawing.name)} descr={quoteattr(drawing.alt)}/><p:cNvGrpSpPr/>'
             f'<p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="{x0}" y="{y0}"/>'
             f'<a:ext cx="{x1 - x0}" cy="{y1 - y0}"/><a:chOff x="{x0}" y="{y0}"/>'
             f'<a:chExt cx="{x1 - x0}" cy="{y1 - y0}"/></a:xfrm></p:grpSpPr>'
             f'{"".join(children)}</p:grpSp>')
    tree.append(parse_xml(group))


def _add_table(slide, table: Table, name: str, lang: Tongue) -> None:
    """A native table (a:tbl): column widths and row heights as planned, each cell's
    paragraphs written as the frames' are, margins and fills spelled out."""
    from pptx.enum.text import MSO_ANCHOR
    from pptx.oxml import parse_xml

    rows, cols = len(table.cells), len(table.widths)
    frame = slide.shapes.add_table(rows, cols, emu(table.x), emu(table.y), emu(table.w),
                                   emu(table.h))
    frame.name = name
    tbl = frame.table
    tbl.first_row, tbl.horz_banding = True, False
    for c, w in enumerate(table.widths):
        tbl.columns[c].width = emu(w)
    for r, h in enumerate(table.heights):
        tbl.rows[r].height = emu(h)
    left, top, right, bottom = (emu(v) for v in table.inset)
    for r, row in enumerate(table.cells):
        for c, paras in enumerate(row):
            cell = tbl.cell(r, c)
            cell.margin_left, cell.margin_top = left, top
            cell.margin_right, cell.margin_bottom = right, bottom
            cell.vertical_anchor = MSO_ANCHOR.TOP
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(table.header_fill if r == 0 else table.fill)
            body = "".join(_para(slide.part, p, lang, first=(i == 0))
                           for i, p in enumerate(paras)) or "<a:p/>"
            tc = cell._tc
            old = tc.find(f"{{{_A}}}txBody")
            tc.replace(old, parse_xml(f'<a:txBody {NSDECL}><a:bodyPr/><a:lstStyle/>{body}'
                                      '</a:txBody>'))
            _cell_rule(tc, table.rule)


def _cell_rule(tc, colour: str) -> None:
    """A thin rule below each cell, none at the sides: rows read across."""
    from pptx.oxml import parse_xml

    tcpr = tc.get_or_add_tcPr()
    for tag in ("lnL", "lnR", "lnT", "lnB"):
        for old in tcpr.findall(f"{{{_A}}}{tag}"):
            tcpr.remove(old)
    lines = [f'<a:{tag} {NSDECL} w="0"><a:noFill/></a:{tag}>' for tag in ("lnL", "lnR")]
    lines += [f'<a:{tag} {NSDECL} w="12700"><a:solidFill><a:srgbClr val="'
              f'{colour.lstrip("#")}"/></a:solidFill></a:{tag}>' for tag in ("lnT", "lnB")]
    # Borders come first in a:tcPr, before the fill.
    for i, xml in enumerate(lines):
        tcpr.insert(i, parse_xml(xml))


def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


# ---------------------------------------------------------------------------------------------
# Text as DrawingML


def _tx_body(part, frame: Frame, lang: Tongue, number: int) -> str:
    left, top, right, bottom = (emu(v) for v in frame.inset)
    paras = []
    for i, para in enumerate(frame.paras):
        if frame.role == "sldNum":
            paras.append(_slide_number_para(para, lang, number))
        else:
            paras.append(_para(part, para, lang, first=(i == 0)))
    # A placeholder keeps its layout's vertical anchor (it does not change the fit).
    anchor = "" if frame.placeholder else f' anchor="{ANCHORS[frame.anchor]}"'
    wrap = "none" if one_line(frame) else "square"
    return (f'<p:txBody {NSDECL}><a:bodyPr vert="horz" wrap="{wrap}" lIns="{left}" tIns="{top}" '
            f'rIns="{right}" bIns="{bottom}" rtlCol="0"{anchor}><a:noAutofit/>'
            f'</a:bodyPr><a:lstStyle/>{"".join(paras)}</p:txBody>')


def one_line(frame: Frame) -> bool:
    """Whether the frame is written unwrapped: one of ONE_LINE_ROLES, each of its paragraphs
    set as one line at the frame's inner width."""
    return (frame.placeholder is None and frame.role in ONE_LINE_ROLES
            and all(len(paragraph_lines(p, frame.inner_w)) == 1 for p in frame.paras))


def _ppr(para: Para, first: bool) -> str:
    attrs = f' marL="{emu(para.indent)}" indent="{-emu(para.indent) if para.bullet else 0}"'
    attrs += (f' algn="{para.align}"' if para.align else "") + f' rtl="{int(para.rtl)}"'
    spacing = (f'<a:lnSpc><a:spcPts val="{round(para.line_pt * 100)}"/></a:lnSpc>'
               f'<a:spcBef><a:spcPts val="{0 if first else round(para.space_before * 100)}"/>'
               f'</a:spcBef><a:spcAft><a:spcPts val="0"/></a:spcAft>')
    if para.bullet is None:
        bullet = "<a:buNone/>"
    else:
        colour = (f'<a:buClr><a:srgbClr val="{para.bullet_color.lstrip("#")}"/></a:buClr>'
                  if para.bullet_color else "")
        font = para.runs[0].font if para.runs else None
        face = f'<a:buFont typeface={quoteattr(font)}/>' if font else ""
        if para.bullet.endswith(".") and para.bullet[:-1].isdigit():
            bullet = (f'{colour}{face}<a:buAutoNum type="arabicPeriod" '
                      f'startAt="{para.bullet[:-1]}"/>')
        else:
            bullet = f'{colour}{face}<a:buChar char={quoteattr(para.bullet)}/>'
    return f"<a:pPr{attrs}>{spacing}{bullet}</a:pPr>"


def _rpr(part, run: Run, lang: Tongue, tag: str = "a:rPr") -> str:
    tagged = (f' lang="{escape(lang.arabic)}" altLang="{ALT_LANG}"' if run.rtl
              else f' lang="{escape(lang.lang)}"')
    attrs = f'{tagged} sz="{round(run.size * 100)}"'
    attrs += f' b="{int(run.bold)}" i="{int(run.italic)}"'
    if run.href:
        attrs += ' u="sng"'
    attrs += ' dirty="0"'
    inner = ""
    if run.color:
        inner += f'<a:solidFill><a:srgbClr val="{run.color.lstrip("#")}"/></a:solidFill>'
    # One face per run, in both slots: a viewer sets the spaces and punctuation between
    # scripts in the complex-script face, and they were measured in the run's. (A Latin run
    # with the Arabic face as a:cs had LibreOffice set a two-line Arabic source on one line.)
    inner += f'<a:latin typeface={quoteattr(run.font)}/><a:cs typeface={quoteattr(run.font)}/>'
    if run.href and part is not None:
        rid = _hyperlink_rid(part, run.href)
        ext = HLINK_COLOUR_EXT if run.color else ""
        inner += f'<a:hlinkClick r:id="{rid}">{ext}</a:hlinkClick>'
    if run.rtl:
        inner += '<a:rtl val="1"/>'
    return f"<{tag}{attrs}>{inner}</{tag}>"


_LINK_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hyperlink_rid(part, url: str) -> str:
    """The relationship id of a hyperlink from `part` to `url`, made once per (part, url).

    python-pptx's `relate_to` re-indexes every relationship of the part on each call, so a
    slide or notes page with thousands of links took quadratic time (4,000 sources: 66 s).
    """
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    ids = _LINK_IDS.get(part)
    if ids is None:
        ids = _LINK_IDS[part] = {rel.target_ref: rid for rid, rel in part.rels.items()
                                 if rel.is_external and rel.reltype == RT.HYPERLINK}
    if url not in ids:
        # The add without python-pptx's look-up for an existing one: `ids` is that look-up.
        ids[url] = part.rels._add_relationship(RT.HYPERLINK, url, is_external=True)
    return ids[url]


def _para(part, para: Para, lang: Tongue, first: bool) -> str:
    runs = "".join(f"<a:r>{_rpr(part, run, lang)}<a:t>{escape(run.text)}</a:t></a:r>"
                   for run in para.runs)
    end = ""
    if para.runs:
        last = para.runs[-1]
        end = (f'<a:endParaRPr lang="{escape(lang.paragraph)}" sz="{round(last.size * 100)}" '
               f'dirty="0"/>')
    return f"<a:p>{_ppr(para, first)}{runs}{end}</a:p>"


def _slide_number_para(para: Para, lang: Tongue, number: int) -> str:
    run = para.runs[0]
    field_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"reportgen:slidenum:{number}")).upper() \
        + "}"
    return (f'<a:p>{_ppr(para, True)}<a:fld id="{field_id}" type="slidenum">'
            f'{_rpr(None, run, lang)}<a:t>{number}</a:t></a:fld></a:p>')


# ---------------------------------------------------------------------------------------------
# Notes, properties, package


def _write_notes(slide, sp: SlidePlan, lang: Tongue,
                 clones: PlaceholderClones | None = None) -> None:
    from pptx.oxml import parse_xml

    if not sp.notes:
        return
    if clones is None:
        notes = slide.notes_slide
        notes_part, body = notes.part, notes.notes_text_frame._txBody
    else:
        notes_part, body = clones.notes(slide)
    for p in body.findall(f"{{{_A}}}p"):
        body.remove(p)
    for para in sp.notes:
        runs = "".join(f"<a:r>{_rpr(notes_part, run, lang)}<a:t>{escape(run.text)}</a:t></a:r>"
                       for run in para.runs)
        # Direction as on the slide: an Arabic note reads from the right.
        direction = (f' algn="{para.align}"' if para.align else "") + \
            (' rtl="1"' if para.rtl else "")
        body.append(parse_xml(f'<a:p {NSDECL}><a:pPr{direction}><a:spcBef><a:spcPts val="'
                              f'{300 if para.runs and para.runs[0].bold else 0}"/></a:spcBef>'
                              f'</a:pPr>{runs}</a:p>'))


def _core_properties(prs, plan: DeckPlan) -> None:
    """The file's properties, from the document's: the same title, author, subject and keywords
    as the PDF and the memo."""
    cp, meta = prs.core_properties, plan.meta
    cp.title, cp.author, cp.subject = clip(meta.title), clip(meta.author), clip(meta.subject)
    cp.keywords, cp.comments = clip("; ".join(meta.keywords)), clip(meta.subject)
    cp.last_modified_by = clip(meta.author)
    cp.language, cp.revision = meta.language, 1
    cp.created = cp.modified = meta.created.astimezone(UTC).replace(tzinfo=None)
    drop_unowned(cp._element)


def _drop_template_leftovers(prs, builtin: bool) -> None:
    """The package thumbnail shows the template, not this deck; the built-in look also sheds
    python-pptx's stored Mac printer settings."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    pkg = prs.part.package
    for rid, rel in list(pkg._rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            pkg._rels.pop(rid)
    if builtin:
        for rid, rel in list(prs.part.rels.items()):
            if rel.reltype == RT.PRINTER_SETTINGS:
                prs.part.drop_rel(rid)


def _app_properties(prs, plan: DeckPlan, company: str) -> None:
    n = len(plan.slides)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://'
           'schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://'
           'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><TotalTime>0'
           '</TotalTime><Application>reportgen</Application><PresentationFormat>Widescreen'
           f'</PresentationFormat><Slides>{n}</Slides><Notes>{n}</Notes><HiddenSlides>0'
           f'</HiddenSlides><Company>{escape(company)}</Company><ScaleCrop>false</ScaleCrop>'
           '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
           '<HyperlinksChanged>false</HyperlinksChanged></Properties>')
    for part in prs.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = xml.encode("utf-8")
