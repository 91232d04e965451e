"""The one-pager as a tagged PDF (PDF/UA-1): structure tree, artifacts, metadata.

ReportLab's open-source edition writes no structure tree, but whatever it draws goes through the
canvas's content stream, where marked content can be opened and closed. So:

1. while the page is drawn, every piece of real content is wrapped in a marked-content
   sequence with its own MCID (`Tagger.begin`/`end`: paragraphs in `pdf_rtl.Para.draw`, the
   pictures in `pdf_figures`, the key figures' numbers, the masthead's lines and the footer's
   disclaimer and donor note), and the tagger records, for each MCID, its structure type
   (H1, H2, P, Figure …), where it sits in the structure (inside which list, item, quote),
   its alternate text and language, and its box on the page;
2. once ReportLab has written the file, pikepdf wraps everything else the page draws (the
   brand band, rules, tints, bullets, "(continued)" headings repeated at a column's top) in
   `/Artifact` sequences, builds the structure tree from the records in reading order (the
   masthead, the bottom line, the first column top to bottom, the second, then the footer's
   notes, whatever order they were drawn in), ties every link annotation to a `Link` element
   through an object reference, and writes the catalog's `MarkInfo`, the page's `Tabs` and
   `StructParents`, and XMP metadata declaring PDF/UA-1 with the document's title.

Everything is derived from the drawing and the document: the same brief gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportgen.lazy_patterns import import_module
from reportgen.xmlescape import escape

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page space
Group = tuple[tuple[str, str], ...]  # (structure type, key) of the enclosing elements

# Structure order: the masthead's lines first, then the body in pour order, the notes last.
FIRST, BODY, LAST = 0, 1, 2

# Operators that paint (or clip) and therefore must be inside tagged content or an artifact.
_PATH_START = {"m", "re"}
_PATH_END = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
_XOBJECT = {"Do", "sh", "INLINE IMAGE"}


@dataclass
class Tag:
    role: str
    mcid: int
    group: Group = ()
    alt: str | None = None
    lang: str | None = None
    box: Box | None = None
    order: int = BODY
    joins: int | None = None  # the MCID of the first part of the same paragraph, split


@dataclass
class Tagger:
    """The records of one page's tagged content, in drawing order."""

    tags: list[Tag] = field(default_factory=list)
    first_part: dict[int, int] = field(default_factory=dict)  # split paragraph -> its MCID

    def begin(self, canvas, role: str, box: Box | None = None, group: Group = (),
              alt: str | None = None, lang: str | None = None, order: int = BODY,
              part_of: int | None = None) -> None:
        """Open the marked content of one element; `part_of` names a paragraph split over
        columns, whose parts are one element with a marked-content sequence each."""
        mcid = len(self.tags)
        joins = self.first_part.setdefault(part_of, mcid) if part_of is not None else None
        self.tags.append(Tag(role, mcid, group, alt, lang, box, order,
                             joins if joins != mcid else None))
        canvas._code.append(f"/{role} <</MCID {mcid}>> BDC")

    @staticmethod
    def end(canvas) -> None:
        canvas._code.append("EMC")

    @staticmethod
    def artifact(canvas) -> None:
        canvas._code.append("/Artifact BMC")


def utf16(text: str) -> str:
    """`text` as a PDF hex string (UTF-16BE with its byte-order mark)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def tagger_of(canvas) -> Tagger | None:
    return getattr(canvas, "tagger", None)


def box_of(canvas, width: float, height: float, x: float = 0.0, y: float = 0.0) -> Box:
    """The page-space box of (x, y)-(x + width, y + height) in the canvas's current
    coordinates."""
    corners = [canvas.absolutePosition(u, v) for u in (x, x + width) for v in (y, y + height)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))


# ---------------------------------------------------------------------------------------------
# After ReportLab: artifacts, the structure tree, metadata


def finish(data: bytes, tagger: Tagger, title: str, language: str, created_iso: str,
           author: str = "") -> bytes:
    """`data` (a one-page PDF drawn with `tagger`) as a tagged PDF."""
    pikepdf = import_module("pikepdf")  # its XMP editor's patterns (unused) not compiled

    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[0]
    _mark_artifacts(pdf, page)
    _structure(pdf, page, tagger, language)
    root = pdf.Root
    root.MarkInfo = pikepdf.Dictionary(Marked=True)
    prefs = root.get("/ViewerPreferences", pikepdf.Dictionary())
    prefs.DisplayDocTitle = True
    root.ViewerPreferences = prefs
    root.Lang = pikepdf.String(language)
    page.obj.Tabs = pikepdf.Name.S
    root.Metadata = pdf.make_stream(_xmp(title, language, created_iso, author).encode("utf-8"))
    root.Metadata.Type = pikepdf.Name.Metadata
    root.Metadata.Subtype = pikepdf.Name.XML
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _mark_artifacts(pdf, page) -> None:
    """Wrap every graphics object drawn outside tagged content in /Artifact BMC … EMC: a text
    object (BT … ET), a path (its construction to its painting), an image or shading."""
    import pikepdf

    ops = pikepdf.parse_content_stream(page)
    names = [str(op.operator) for op in ops]  # each operator's name, looked at many times
    out: list = []
    depth = 0
    i = 0

    def emit(op: str, operands=()) -> None:
        out.append(pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(op)))

    while i < len(ops):
        operator = names[i]
        if operator in ("BDC", "BMC"):
            depth += 1
        elif operator == "EMC":
            depth -= 1
        if depth > 0 or operator in ("BDC", "BMC", "EMC"):
            out.append(ops[i])
            i += 1
            continue
        end = None
        if operator == "BT":
            end = names.index("ET", i)
        elif operator in _PATH_START:
            end = next(j for j in range(i, len(ops)) if names[j] in _PATH_END)
        elif operator in _XOBJECT:
            end = i
        if end is None:
            out.append(ops[i])
            i += 1
            continue
        if any(name in ("BDC", "BMC", "EMC") for name in names[i:end + 1]):
            raise RuntimeError("marked content opened or closed inside a text object or a "
                               "path: the artifact around it would be mis-nested")
        emit("BMC", [pikepdf.Name.Artifact])
        out.extend(ops[i:end + 1])
        emit("EMC")
        i = end + 1
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))


def _structure(pdf, page, tagger: Tagger, language: str) -> None:
    import pikepdf

    def elem(role: str, parent) -> pikepdf.Dictionary:
        e = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                 S=pikepdf.Name("/" + role), P=parent,
                                                 K=pikepdf.Array()))
        parent.K.append(e)
        return e

    tree = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot,
                                                K=pikepdf.Array()))
    document = elem("Document", tree)
    document.Lang = pikepdf.String(language)
    by_mcid: dict[int, pikepdf.Dictionary] = {}
    chain: list[tuple[tuple[str, str], pikepdf.Dictionary]] = []
    for tag in sorted(tagger.tags, key=lambda t: (t.order, t.mcid)):
        if tag.joins is not None:  # the rest of a split paragraph: the same element
            leaf = by_mcid[tag.joins]
            kids = leaf.K if isinstance(leaf.K, pikepdf.Array) else pikepdf.Array([leaf.K])
            kids.append(tag.mcid)
            leaf.K = kids
            by_mcid[tag.mcid] = leaf
            continue
        keep = 0
        while keep < min(len(chain), len(tag.group)) and chain[keep][0] == tag.group[keep]:
            keep += 1
        del chain[keep:]
        for role, key in tag.group[keep:]:
            parent = chain[-1][1] if chain else document
            chain.append(((role, key), elem(role, parent)))
        parent = chain[-1][1] if chain else document
        leaf = elem(tag.role, parent)
        leaf.Pg = page.obj
        leaf.K = tag.mcid
        if tag.alt:
            leaf.Alt = pikepdf.String(tag.alt)
        if tag.lang and tag.lang != language:
            leaf.Lang = pikepdf.String(tag.lang)
        if tag.role == "Figure" and tag.box:
            leaf.A = pikepdf.Dictionary(O=pikepdf.Name.Layout, Placement=pikepdf.Name.Block,
                                        BBox=pikepdf.Array(list(tag.box)))
        by_mcid[tag.mcid] = leaf
    nums = pikepdf.Array([0, pikepdf.Array([by_mcid[i] for i in range(len(tagger.tags))])])
    next_key = 1
    for annot in page.obj.get("/Annots", pikepdf.Array()):
        if annot.get("/Subtype") != pikepdf.Name.Link:
            continue
        owner = _owner(tagger, by_mcid, [float(v) for v in annot.Rect])
        if owner is None:
            continue
        link = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=owner,
            K=pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot,
                                                 Pg=page.obj)])))
        kids = owner.K if isinstance(owner.K, pikepdf.Array) else pikepdf.Array([owner.K])
        kids.append(link)
        owner.K = kids
        uri = annot.get("/A", {}).get("/URI")
        if uri is not None and "/Contents" not in annot:
            annot.Contents = pikepdf.String(f"Link to {uri}")
        annot.StructParent = next_key
        nums.extend([next_key, link])
        next_key += 1
    tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree.ParentTreeNextKey = next_key
    page.obj.StructParents = 0
    pdf.Root.StructTreeRoot = tree


def _owner(tagger: Tagger, by_mcid, rect: list[float]):
    """The smallest tagged box that holds the middle of `rect`: the paragraph a link is in."""
    cx, cy = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    holding = [t for t in tagger.tags if t.box and t.mcid in by_mcid
               and t.box[0] - 1 <= cx <= t.box[2] + 1 and t.box[1] - 1 <= cy <= t.box[3] + 1]
    if not holding:
        return None
    best = min(holding, key=lambda t: (t.box[2] - t.box[0]) * (t.box[3] - t.box[1]))
    return by_mcid[best.mcid]


def _xmp(title: str, language: str, created_iso: str, author: str) -> str:
    t, lang = escape(title), escape(language)
    creator = (f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>"
               if author else "")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{t}</rdf:li></rdf:Alt></dc:title>'
        f"{creator}<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>"
        f"<xmp:CreateDate>{created_iso}</xmp:CreateDate>"
        f"<xmp:ModifyDate>{created_iso}</xmp:ModifyDate>"
        "<xmp:CreatorTool>reportgen</xmp:CreatorTool><pdf:Producer>ReportLab PDF Library - "
        "www.reportlab.com</pdf:Producer><pdfuaid:part>1</pdfuaid:part>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>')
