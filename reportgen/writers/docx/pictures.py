"""Pictures in the memo: image parts in the package and inline DrawingML pictures in the text.

python-docx's `add_picture` re-parses every picture with its own header reader (which refuses
some valid JPEGs) and numbers drawings per part, so a picture in the page header could share an
id with one in the body. Here the bytes the document read (`figures.images`, checked there) go
into /word/media as they are, identical pictures share one part, and every wp:docPr gets an id
unique across the body, headers and footers, with the picture's alt text as its description.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}
SUFFIXES = {"png": "png", "jpeg": "jpeg"}
EMU_PER_PT = 12700


def emu(pt: float) -> int:
    return int(round(pt * EMU_PER_PT))


@dataclass
class Media:
    """The package's pictures: one part per distinct picture, named /word/media/imageN.ext
    with N free whatever the extension, and drawing ids that never repeat in the document."""

    doc: object  # docx.Document
    _parts: dict[str, Part] = field(default_factory=dict)  # sha256 -> part
    _names: set[str] = field(default_factory=set)
    _next_id: int = 0

    def __post_init__(self) -> None:
        package = self.doc.part.package
        self._names = {str(p.partname).lower() for p in package.iter_parts()}
        # Drawings a reference keeps (in its headers and footers) hold their ids.
        used = [0]
        for part in package.iter_parts():
            if part.content_type.endswith("+xml") and str(part.partname).startswith("/word/"):
                element = getattr(part, "element", None)
                if element is not None:
                    used += [int(d.get("id")) for d in element.iter(f"{{{WP}}}docPr")
                             if (d.get("id") or "").isdigit()]
        self._next_id = max(used) + 1

    def drawing_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def relate(self, story_part, data: bytes, kind: str) -> str:
        """The rId by which `story_part` (the document or a header) refers to the picture."""
        digest = hashlib.sha256(data).hexdigest()
        part = self._parts.get(digest)
        if part is None:
            n = 1
            while any(f"/word/media/image{n}.{ext}" in self._names
                      for ext in ("png", "jpeg", "jpg", "gif", "bmp", "tiff", "emf", "wmf")):
                n += 1
            name = f"/word/media/image{n}.{SUFFIXES[kind]}"
            self._names.add(name)
            part = Part(PackURI(name), CONTENT_TYPES[kind], data, self.doc.part.package)
            self._parts[digest] = part
        return story_part.relate_to(part, RT.IMAGE)


def inline_picture(r_id: str, width_pt: float, height_pt: float, drawing_id: int, name: str,
                   descr: str):
    """A w:drawing holding an inline picture `width_pt` x `height_pt` that shows the image
    relationship `r_id`; `descr` is its alternative text, `name` what Word's selection pane
    lists. Built with lxml, the attributes set as data (never pasted into markup)."""
    cx, cy = str(emu(width_pt)), str(emu(height_pt))
    drawing = etree.Element(f"{{{W}}}drawing", nsmap={"w": W, "wp": WP, "a": A, "pic": PIC,
                                                        "r": R})
    inline = etree.SubElement(drawing, f"{{{WP}}}inline",
                              {"distT": "0", "distB": "0", "distL": "0", "distR": "0"})
    etree.SubElement(inline, f"{{{WP}}}extent", {"cx": cx, "cy": cy})
    etree.SubElement(inline, f"{{{WP}}}effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"})
    doc_pr = etree.SubElement(inline, f"{{{WP}}}docPr")
    doc_pr.set("id", str(drawing_id))
    doc_pr.set("name", name)
    doc_pr.set("descr", descr)
    frame = etree.SubElement(inline, f"{{{WP}}}cNvGraphicFramePr")
    etree.SubElement(frame, f"{{{A}}}graphicFrameLocks", {"noChangeAspect": "1"})
    graphic = etree.SubElement(inline, f"{{{A}}}graphic")
    data = etree.SubElement(graphic, f"{{{A}}}graphicData", {"uri": PIC})
    pic = etree.SubElement(data, f"{{{PIC}}}pic")
    nv = etree.SubElement(pic, f"{{{PIC}}}nvPicPr")
    c_nv = etree.SubElement(nv, f"{{{PIC}}}cNvPr")
    c_nv.set("id", str(drawing_id))
    c_nv.set("name", name)
    c_nv.set("descr", descr)
    locks = etree.SubElement(nv, f"{{{PIC}}}cNvPicPr")
    etree.SubElement(locks, f"{{{A}}}picLocks", {"noChangeAspect": "1",
                                                 "noChangeArrowheads": "1"})
    fill = etree.SubElement(pic, f"{{{PIC}}}blipFill")
    blip = etree.SubElement(fill, f"{{{A}}}blip")
    blip.set(f"{{{R}}}embed", r_id)
    stretch = etree.SubElement(fill, f"{{{A}}}stretch")
    etree.SubElement(stretch, f"{{{A}}}fillRect")
    sp = etree.SubElement(pic, f"{{{PIC}}}spPr")
    xfrm = etree.SubElement(sp, f"{{{A}}}xfrm")
    etree.SubElement(xfrm, f"{{{A}}}off", {"x": "0", "y": "0"})
    etree.SubElement(xfrm, f"{{{A}}}ext", {"cx": cx, "cy": cy})
    geom = etree.SubElement(sp, f"{{{A}}}prstGeom", {"prst": "rect"})
    etree.SubElement(geom, f"{{{A}}}avLst")
    return drawing


def add_picture_run(p, drawing) -> None:
    """Append a w:r holding `drawing` to the w:p `p`."""
    r = etree.SubElement(p, f"{{{W}}}r")
    r.append(drawing)
