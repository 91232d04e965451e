"""The built-in look, used when a profile ships no deck.pptx: a 16:9 master and six named layouts
in the profile's colours and fonts, made from python-pptx's default package.

Geometry comes from `geometry.py` (the planner measures against the same boxes). The theme's
colour scheme is the profile's palette and its font scheme the profile's body and Arabic
families, so anything a presenter adds later matches.
"""

from __future__ import annotations

import io

from reportgen.kept import Kept
from reportgen.profile import Profile
from reportgen.writers.colour import RULE_GREY, bare, brand_colour_scheme, mix
from reportgen.writers.pptx.geometry import (
    CLOSING_BODY,
    CLOSING_TITLE,
    CONTENT,
    COVER_SUBTITLE,
    COVER_TITLE,
    FOOT_RULE_Y,
    MARGIN,
    RULE_Y,
    SLIDE_H,
    SLIDE_W,
    TITLE,
    Box,
    emu,
    footers,
    two_columns,
)
from reportgen.xmlescape import escape

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECL = f'xmlns:a="{A}" xmlns:r="{R}" xmlns:p="{P}"'
# Office's "Mark as decorative" (the a16 decorative extension of p:cNvPr, PowerPoint 2019 and
# later): screen readers skip the shape and the accessibility checker asks no alt text of it.
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"
DECORATIVE = (f'<a:extLst><a:ext uri="{DECORATIVE_URI}"><adec:decorative '
              f'xmlns:adec="{DECORATIVE_NS}" val="1"/></a:ext></a:extLst>')

# Layouts kept from the default package (by file), each rewritten below; the rest are dropped.
KEEP = {"slideLayout1.xml": "Title Slide", "slideLayout2.xml": "Title and Content",
        "slideLayout3.xml": "Section Header", "slideLayout4.xml": "Two Content",
        "slideLayout6.xml": "Title Only", "slideLayout7.xml": "Blank"}

class Palette:
    def __init__(self, profile: Profile):
        c = profile.colors
        self.primary, self.accent = c.primary.lstrip("#"), c.accent.lstrip("#")
        self.text, self.muted, self.tint = (c.text.lstrip("#"), c.muted.lstrip("#"),
                                            c.tint.lstrip("#"))
        self.on_dark = bare(mix(c.tint, c.primary, 0.12))  # body text on the primary ground
        self.on_dark_muted = bare(mix(c.tint, c.primary, 0.42))  # footers on the primary ground
        self.band = bare(mix(c.primary, "#000000", 0.22))


# ---------------------------------------------------------------------------------------------
# XML pieces


def _xfrm(box: Box) -> str:
    return (f'<a:xfrm><a:off x="{emu(box.x)}" y="{emu(box.y)}"/>'
            f'<a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></a:xfrm>')


def _fill(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'


def _rect(sid: int, name: str, box: Box, colour: str) -> str:
    """A band or rule of the master or a layout, marked decorative."""
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name}">{DECORATIVE}</p:cNvPr>'
            '<p:cNvSpPr/>'
            f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr>{_xfrm(box)}'
            f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{_fill(colour)}<a:ln><a:noFill/>'
            f'</a:ln></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/>'
            f'</a:p></p:txBody></p:sp>')


def _label(sid: int, box: Box, text: str, colour: str, font: str, size: float,
           rtl: bool = False) -> str:
    ppr = '<a:pPr algn="r"/>' if rtl else ""
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="Label"/><p:cNvSpPr txBox="1"/>'
            f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr>{_xfrm(box)}<a:prstGeom prst="rect">'
            f'<a:avLst/></a:prstGeom><a:noFill/></p:spPr><p:txBody><a:bodyPr wrap="square" '
            f'lIns="0" tIns="0" rIns="0" bIns="0" anchor="t"><a:noAutofit/></a:bodyPr>'
            f'<a:lstStyle/><a:p>{ppr}<a:r><a:rPr lang="en-US" sz="{int(size * 100)}" b="1" '
            f'spc="200">{_fill(colour)}<a:latin typeface="{escape(font)}"/></a:rPr>'
            f'<a:t>{escape(text)}</a:t></a:r></a:p></p:txBody></p:sp>')


def _label_size(text: str, font: str, width: float) -> float:
    """12 pt, or smaller for a very long organisation name, so the label stays on one line."""
    from reportgen.writers.pptx.measure import text_width

    size = 12.0
    while size > 7 and text_width(text, font, size, bold=True) + 2 * len(text) > width:
        size -= 0.5
    return size


def _ph(sid: int, name: str, ph: str, box: Box | None, prompt: str, lst: str = "",
        anchor: str = "t") -> str:
    geom = (f"{_xfrm(box)}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom>" if box else "")
    body = (f'<a:p><a:r><a:rPr lang="en-US"/><a:t>{escape(prompt)}</a:t></a:r></a:p>'
            if prompt else '<a:p><a:endParaRPr lang="en-US"/></a:p>')
    if "sldNum" in ph:
        body = ('<a:p><a:fld id="{C1FF6DA9-008F-8B48-92A6-B652298478BF}" type="slidenum">'
                '<a:rPr lang="en-US"/><a:t>‹#›</a:t></a:fld></a:p>')
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name}"/><p:cNvSpPr>'
            f'<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr>'
            f'<p:spPr>{geom}</p:spPr><p:txBody><a:bodyPr vert="horz" wrap="square" lIns="0" '
            f'tIns="0" rIns="0" bIns="0" rtlCol="0" anchor="{anchor}"><a:noAutofit/></a:bodyPr>'
            f'<a:lstStyle>{lst}</a:lstStyle>{body}</p:txBody></p:sp>')


def _lvl1(size: float | None = None, colour: str | None = None, bold: bool | None = None,
          align: str | None = None, rtl: bool = False) -> str:
    attrs = (f' sz="{int(size * 100)}"' if size else "") + \
        (f' b="{int(bold)}"' if bold is not None else "")
    fill = _fill(colour) if colour else ""
    if align is None:  # the side the text starts from
        align = "r" if rtl else "l"
    direction = ' rtl="1"' if rtl else ""
    return (f'<a:lvl1pPr marL="0" indent="0" algn="{align}"{direction}><a:buNone/>'
            f'<a:defRPr{attrs}>{fill}</a:defRPr></a:lvl1pPr>')


def _footers(pal: Palette, dark: bool, start_id: int, master: bool = False,
             rtl: bool = False) -> str:
    """Date, footer and slide number; mirrored in a right-to-left deck (the organisation on
    the right, the number on the left)."""
    colour = pal.on_dark_muted if dark else pal.muted
    strong = pal.on_dark if dark else pal.primary
    idx = {"dt": 2, "ftr": 3, "sldNum": 4} if master else {"dt": 10, "ftr": 11, "sldNum": 12}
    boxes = footers(rtl)
    start, end = ("r", "l") if rtl else ("l", "r")
    return "".join([
        _ph(start_id, "Date Placeholder", f'<p:ph type="dt" sz="half" idx="{idx["dt"]}"/>',
            boxes["dt"], "", _lvl1(10, colour, False, "ctr", rtl), "ctr"),
        _ph(start_id + 1, "Footer Placeholder", f'<p:ph type="ftr" sz="quarter" '
            f'idx="{idx["ftr"]}"/>', boxes["ftr"], "", _lvl1(10, strong, True, start), "ctr"),
        _ph(start_id + 2, "Slide Number Placeholder", f'<p:ph type="sldNum" sz="quarter" '
            f'idx="{idx["sldNum"]}"/>', boxes["sldNum"], "",
            _lvl1(10, colour, False, end, rtl), "ctr"),
    ])


def _at(box: Box, rtl: bool) -> Box:
    """A shape's box, mirrored in a right-to-left deck."""
    return box.mirrored(SLIDE_W) if rtl else box


def _tree(shapes: str) -> str:
    return ('<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
            '</p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '<a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>'
            f'{shapes}</p:spTree>')


def _bg(colour: str) -> str:
    return f'<p:bg><p:bgPr>{_fill(colour)}<a:effectLst/></p:bgPr></p:bg>'


def _body_levels(pal: Palette, rtl: bool = False) -> str:
    # A right-to-left level keeps marL and indent: PowerPoint (and LibreOffice) read them from
    # the side the paragraph starts on, so the bullet hangs at the right.
    align, direction = ("r", "1") if rtl else ("l", "0")
    levels = []
    for n in range(1, 10):
        mar = 0 if n == 1 else emu(22 * (n - 1))
        bullet = '<a:buNone/>' if n == 1 else \
            f'<a:buClr><a:srgbClr val="{pal.accent}"/></a:buClr><a:buChar char="•"/>'
        indent = 0 if n == 1 else -emu(16)
        levels.append(
            f'<a:lvl{n}pPr marL="{mar}" indent="{indent}" algn="{align}" rtl="{direction}">'
            f'<a:lnSpc><a:spcPct val="100000"/></a:lnSpc><a:spcBef><a:spcPts val="600"/>'
            f'</a:spcBef>{bullet}<a:defRPr sz="{2000 if n == 1 else 1800}" kern="0">'
            f'{_fill(pal.text)}<a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/>'
            f'<a:cs typeface="+mn-cs"/></a:defRPr></a:lvl{n}pPr>')
    return "".join(levels)


def master_xml(pal: Palette, layout_ids: list[tuple[int, str]], font: str, name: str,
               rtl: bool = False) -> str:
    """The slide master; a right-to-left deck's has its title rule on the right, its footers
    mirrored and text styles that set from the right (algn="r" rtl="1")."""
    align, direction = ("r", "1") if rtl else ("l", "0")
    shapes = "".join([
        _rect(7, "Top band", Box(0, 0, SLIDE_W, 6), pal.primary),
        _rect(8, "Title rule", _at(Box(MARGIN, RULE_Y, 56, 3), rtl), pal.accent),
        _rect(9, "Footer rule", Box(MARGIN, FOOT_RULE_Y, SLIDE_W - 2 * MARGIN, 0.75),
              bare(RULE_GREY)),
        _ph(2, "Title Placeholder 1", '<p:ph type="title"/>', TITLE,
            "Click to edit Master title style", anchor="b"),
        _ph(3, "Text Placeholder 2", '<p:ph type="body" idx="1"/>', CONTENT,
            "Click to edit Master text styles"),
        _footers(pal, False, 4, master=True, rtl=rtl),
    ])
    ids = "".join(f'<p:sldLayoutId id="{i}" r:id="{rid}"/>' for i, rid in layout_ids)
    return (
        f'<p:sldMaster {NSDECL}><p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/>'
        f'</p:bgRef></p:bg>{_tree(shapes)}</p:cSld>'
        '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" '
        'accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" '
        'accent6="accent6" hlink="hlink" folHlink="folHlink"/>'
        f'<p:sldLayoutIdLst>{ids}</p:sldLayoutIdLst>'
        f'<p:txStyles><p:titleStyle><a:lvl1pPr algn="{align}" rtl="{direction}"><a:lnSpc>'
        '<a:spcPct val="100000"/>'
        '</a:lnSpc><a:spcBef><a:spcPct val="0"/></a:spcBef><a:buNone/>'
        f'<a:defRPr sz="3000" b="1" kern="0">{_fill(pal.primary)}<a:latin typeface="+mj-lt"/>'
        '<a:ea typeface="+mj-ea"/><a:cs typeface="+mj-cs"/></a:defRPr></a:lvl1pPr>'
        f'</p:titleStyle><p:bodyStyle>{_body_levels(pal, rtl)}</p:bodyStyle>'
        '<p:otherStyle><a:defPPr><a:defRPr lang="en-US"/></a:defPPr><a:lvl1pPr marL="0" '
        f'algn="{align}" rtl="{direction}"><a:defRPr sz="1800" kern="0">{_fill(pal.text)}'
        '<a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/>'
        '</a:defRPr></a:lvl1pPr></p:otherStyle></p:txStyles></p:sldMaster>')


def layout_xml(name: str, pal: Palette, profile: Profile, rtl: bool = False) -> str:
    """One named layout of the built-in look; mirrored for a right-to-left deck (the accent
    bar on the right edge, the title rules under the titles' right end, footers swapped)."""
    font = profile.fonts.body
    bg, show_master, shapes, kind = "", True, "", ""
    if name == "Title Slide":
        kind, bg, show_master = ' type="title"', _bg(pal.primary), False
        shapes = "".join([
            _rect(20, "Footer band", Box(0, FOOT_RULE_Y - 8, SLIDE_W, SLIDE_H - FOOT_RULE_Y + 8),
                  pal.band),
            _rect(21, "Accent bar", _at(Box(0, 0, 12, FOOT_RULE_Y - 8), rtl), pal.accent),
            _rect(22, "Title rule", _at(Box(COVER_TITLE.x, COVER_TITLE.bottom + 12, 64, 4), rtl),
                  pal.accent),
            _label(23, Box(COVER_TITLE.x, 58, COVER_TITLE.w, 20), profile.name.upper(),
                   pal.accent, font, _label_size(profile.name.upper(), font, COVER_TITLE.w),
                   rtl),
            _ph(2, "Title 1", '<p:ph type="ctrTitle"/>', COVER_TITLE, "Title",
                _lvl1(40, "FFFFFF", True, rtl=rtl), "b"),
            _ph(3, "Subtitle 2", '<p:ph type="subTitle" idx="1"/>', COVER_SUBTITLE, "Subtitle",
                _lvl1(22, pal.on_dark, False, rtl=rtl)),
            _footers(pal, True, 4, rtl=rtl),
        ])
    elif name == "Section Header":
        kind, bg, show_master = ' type="secHead"', _bg(pal.primary), False
        shapes = "".join([
            _rect(20, "Footer band", Box(0, FOOT_RULE_Y - 8, SLIDE_W, SLIDE_H - FOOT_RULE_Y + 8),
                  pal.band),
            _rect(21, "Accent bar", _at(Box(0, 0, 12, FOOT_RULE_Y - 8), rtl), pal.accent),
            _rect(22, "Title rule", _at(Box(CLOSING_TITLE.x, CLOSING_TITLE.bottom + 12, 64, 4),
                                        rtl), pal.accent),
            _ph(2, "Title 1", '<p:ph type="title"/>', CLOSING_TITLE, "Title",
                _lvl1(36, "FFFFFF", True, rtl=rtl), "b"),
            _ph(3, "Text Placeholder 2", '<p:ph type="body" idx="1"/>', CLOSING_BODY, "Text",
                _lvl1(18, pal.on_dark, False, rtl=rtl)),
            _footers(pal, True, 4, rtl=rtl),
        ])
    elif name == "Title and Content":
        kind = ' type="obj"'
        shapes = _ph(2, "Title 1", '<p:ph type="title"/>', TITLE, "Title", anchor="b") + \
            _ph(3, "Content Placeholder 2", '<p:ph idx="1"/>', CONTENT, "Text") + \
            _footers(pal, False, 4, rtl=rtl)
    elif name == "Two Content":
        kind = ' type="twoObj"'
        first, second = two_columns(rtl)  # the first column on the right when mirrored
        shapes = _ph(2, "Title 1", '<p:ph type="title"/>', TITLE, "Title", anchor="b") + \
            _ph(3, "Content Placeholder 2", '<p:ph sz="half" idx="1"/>', first, "Text") + \
            _ph(4, "Content Placeholder 3", '<p:ph sz="half" idx="2"/>', second, "Text") + \
            _footers(pal, False, 5, rtl=rtl)
    elif name == "Title Only":
        kind = ' type="titleOnly"'
        shapes = _ph(2, "Title 1", '<p:ph type="title"/>', TITLE, "Title", anchor="b") + \
            _footers(pal, False, 3, rtl=rtl)
    elif name == "Blank":
        kind = ' type="blank"'
        shapes = _footers(pal, False, 2, rtl=rtl)
    else:  # pragma: no cover - KEEP lists the names above
        raise ValueError(name)
    show = "" if show_master else ' showMasterSp="0"'
    return (f'<p:sldLayout {NSDECL}{kind} preserve="1"{show}><p:cSld name="{escape(name)}">'
            f'{bg}{_tree(shapes)}</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>'
            f'</p:sldLayout>')


def theme_xml(original: bytes, profile: Profile, pal: Palette) -> bytes:
    from lxml import etree

    root = etree.fromstring(original)
    ns = {"a": A}
    root.set("name", f"{profile.short_name} briefing")
    scheme = root.find("a:themeElements/a:clrScheme", ns)
    scheme.set("name", profile.short_name)
    brand_colour_scheme(scheme, profile.colors)
    fonts = root.find("a:themeElements/a:fontScheme", ns)
    fonts.set("name", profile.fonts.body)
    for which in ("a:majorFont", "a:minorFont"):
        group = fonts.find(which, ns)
        group.find("a:latin", ns).set("typeface", profile.fonts.body)
        group.find("a:cs", ns).set("typeface", profile.fonts.arabic)
        for script in group.findall("a:font", ns):
            if script.get("script") == "Arab":
                script.set("typeface", profile.fonts.arabic)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class TemplateCache(Kept[bytes]):
    """The built-in template's bytes for the last few (profile, direction) pairs, so a worker
    builds each profile's master, layouts and theme once and only reopens them from bytes for
    each deck (~10 ms a deck). Keyed by the profile's full JSON: two profiles that differ in
    anything get their own template. Bounded: at most `size` templates are kept."""

    def __init__(self, size: int = 8):
        super().__init__(size)

    def template(self, profile: Profile, rtl: bool) -> bytes:
        return self.get_or_make((profile.model_dump_json(), rtl),
                                lambda: _builtin_template(profile, rtl))


TEMPLATES = TemplateCache()


def builtin_presentation(profile: Profile, rtl: bool = False):
    """A python-pptx Presentation with the built-in master and layouts, and no slides; their
    furniture and text styles mirrored for a right-to-left deck. Opened from the template's
    bytes (`TEMPLATES`), as the template was always reopened after building it."""
    from pptx import Presentation

    return Presentation(io.BytesIO(TEMPLATES.template(profile, rtl)))


def _builtin_template(profile: Profile, rtl: bool) -> bytes:
    """The built-in template for `profile`, saved by python-pptx."""
    from pptx import Presentation
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml import parse_xml

    prs = Presentation()
    pal = Palette(profile)
    prs.slide_width, prs.slide_height = emu(SLIDE_W), emu(SLIDE_H)
    size = prs.part._element.find(f"{{{P}}}sldSz")
    size.attrib.pop("type", None)
    master_part = prs.slide_masters[0].part
    theme_part = master_part.part_related_by(RT.THEME)
    theme_part._blob = theme_xml(theme_part.blob, profile, pal)

    kept: list[tuple[int, str]] = []
    old_ids = {el.get(f"{{{R}}}id"): el.get("id") for el in
               master_part._element.iter(f"{{{P}}}sldLayoutId")}
    for rid, rel in list(master_part.rels.items()):
        if rel.reltype != RT.SLIDE_LAYOUT:
            continue
        filename = str(rel.target_part.partname).rsplit("/", 1)[-1]
        if filename in KEEP:
            rel.target_part._element = parse_xml(layout_xml(KEEP[filename], pal, profile, rtl))
            kept.append((int(old_ids[rid]), rid))
    kept.sort()
    master_part._element = parse_xml(master_xml(pal, kept, profile.fonts.body, profile.name,
                                                     rtl))
    for rid, rel in list(master_part.rels.items()):
        if rel.reltype == RT.SLIDE_LAYOUT and rid not in {r for _, r in kept}:
            master_part.drop_rel(rid)
    # Saved and reopened so python-pptx's cached objects see the new parts.
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
