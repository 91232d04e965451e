"""An organisation's reference files (templates/<profile>/memo.docx and deck.pptx), checked and
cleaned before python-docx, python-pptx or our own readers see a byte of them.

A reference lends styles, theme, numbering, fonts, masters, layouts, page set-up, headers and
footers. Everything else is dropped: the reference's own body or slides, macros, ActiveX and OLE
objects, custom XML, comments, thumbnails and every relationship to something outside the
package (remote templates, images, links). What cannot be read safely is refused with the
file's path, what is wrong and how to fix it: a zip that would unpack to too much, unsafe
member names, a bad CRC, XML with a DTD (XXE, "billion laughs"), a template (.dotx/.potx), or a
structure our writers rely on that is missing or malformed.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from reportgen.errors import RenderError
from reportgen.fsio import NotRegularFile, TooLarge, read_bounded

MAX_FILE_BYTES = 20 * 1024 * 1024  # the reference file itself, compressed
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all members together, decompressed
MAX_XML_PART_BYTES = 10 * 1024 * 1024  # one XML part: its tree costs several times this
MAX_MEMBERS = 1000
MAX_RATIO = 100  # decompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024

OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
VML_O = "urn:schemas-microsoft-com:office:office"
RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"
CONTENT_TYPES = "[Content_Types].xml"
DOCTYPE = "<!DOCTYPE"

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_PML = "application/vnd.openxmlformats-officedocument.presentationml."
DOCX_MAIN = _WML + "document.main+xml"
PPTX_MAIN = _PML + "presentation.main+xml"
COMMON = {
    PR + "/metadata/core-properties": "application/vnd.openxmlformats-package.core-properties+xml",
    OD + "/extended-properties":
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    OD + "/theme": "application/vnd.openxmlformats-officedocument.theme+xml",
}
# Raster and Office vector pictures; SVG is left out (it can point outside the package), Word
# keeps a PNG fallback beside every SVG picture.
IMAGE_TYPES = {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/tiff",
               "image/x-emf", "image/emf", "image/x-wmf", "image/wmf"}
FONT_TYPES = {"application/vnd.openxmlformats-officedocument.obfuscatedfont",
              "application/x-fontdata", "application/x-font-ttf", "application/x-font-otf",
              "font/ttf", "font/otf"}
IMAGE, FONT = OD + "/image", OD + "/font"


@dataclass(frozen=True)
class Kind:
    """What one kind of reference may contain and how to tell a user to fix it."""

    noun: str  # "reference memo"
    app: str  # the program to re-save it with
    extension: str
    main_type: str
    # content type of a main part -> None (use as is after dropping macros) or why it is refused
    main_types: dict[str, str | None]
    # relationship type -> the content type its target must have (IMAGE and FONT: a set)
    parts: dict[str, str]


MEMO = Kind(
    "reference memo", "Word", ".docx", DOCX_MAIN,
    {DOCX_MAIN: None,
     "application/vnd.ms-word.document.macroenabled.main+xml": None,
     _WML + "template.main+xml": "it is a Word template (.dotx)",
     "application/vnd.ms-word.template.macroenabledtemplate.main+xml":
         "it is a macro-enabled Word template (.dotm)"},
    {**COMMON,
     OD + "/officeDocument": DOCX_MAIN,
     OD + "/styles": _WML + "styles+xml",
     OD + "/numbering": _WML + "numbering+xml",
     OD + "/fontTable": _WML + "fonttable+xml",
     OD + "/settings": _WML + "settings+xml",
     OD + "/webSettings": _WML + "websettings+xml",
     OD + "/header": _WML + "header+xml",
     OD + "/footer": _WML + "footer+xml",
     OD + "/footnotes": _WML + "footnotes+xml",
     OD + "/endnotes": _WML + "endnotes+xml",
     IMAGE: "", FONT: ""},
)
DECK = Kind(
    "reference deck", "PowerPoint", ".pptx", PPTX_MAIN,
    {PPTX_MAIN: None,
     "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": None,
     _PML + "template.main+xml": "it is a PowerPoint template (.potx)",
     "application/vnd.ms-powerpoint.template.macroenabled.main+xml":
         "it is a macro-enabled PowerPoint template (.potm)",
     _PML + "slideshow.main+xml": "it is a PowerPoint show (.ppsx)",
     "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml":
         "it is a macro-enabled PowerPoint show (.ppsm)"},
    {**COMMON,
     OD + "/officeDocument": PPTX_MAIN,
     OD + "/slideMaster": _PML + "slidemaster+xml",
     OD + "/slideLayout": _PML + "slidelayout+xml",
     OD + "/notesMaster": _PML + "notesmaster+xml",
     OD + "/handoutMaster": _PML + "handoutmaster+xml",
     OD + "/presProps": _PML + "presprops+xml",
     OD + "/viewProps": _PML + "viewprops+xml",
     OD + "/tableStyles": _PML + "tablestyles+xml",
     OD + "/themeOverride": "application/vnd.openxmlformats-officedocument.themeoverride+xml",
     IMAGE: "", FONT: ""},
)
KINDS = {"memo": MEMO, "deck": DECK}

# An element whose relationship was dropped goes with it when the reference is its whole point;
# otherwise only the attribute goes (a picture keeps its embedded copy, a link its text).
DROP_WITH_REFERENCE = {
    "attachedTemplate", "hlinkClick", "hlinkHover", "hlinkMouseOver", "snd", "sldId",
    "sldMasterId", "sldLayoutId", "notesMasterId", "handoutMasterId", "sld", "tags", "custData",
    "dataSource", "headerSource", "saveThroughXslt", "headerReference", "footerReference",
    "svgBlip", "regular", "bold", "italic", "boldItalic", "embedRegular", "embedBold",
    "embedItalic", "embedBoldItalic", "altChunk", "subDoc",
}
# Objects (OLE, ActiveX, charts, diagrams, media): their whole frame goes.
OBJECTS = {"oleObj", "OLEObject", "control", "chart", "relIds", "videoFile", "audioFile",
           "wavAudioFile", "quickTimeFile", "media"}
OBJECT_FRAMES = {"AlternateContent", "drawing", "object", "pict", "graphicFrame", "pic"}
# Never contributed: the template link, mail merge (which can run a query on open), comments.
ALWAYS_DROPPED = {(W, "attachedTemplate"), (W, "mailMerge"), (W, "commentRangeStart"),
                  (W, "commentRangeEnd"), (W, "commentReference")}
# Fields that fetch, import or run something when Word or LibreOffice updates them.
UNSAFE_FIELDS = {"DDE", "DDEAUTO", "INCLUDE", "INCLUDEPICTURE", "INCLUDETEXT", "IMPORT", "LINK",
                 "DATABASE", "MACROBUTTON", "AUTOTEXT", "AUTOTEXTLIST"}
SAFE_LINK_SCHEMES = {"http", "https", "mailto"}
UNSAFE_ACTIONS = ("ppaction://program", "ppaction://macro", "ppaction://ole")
PLACEHOLDER_TYPES = {"title", "body", "ctrTitle", "subTitle", "dt", "sldNum", "ftr", "hdr",
                     "obj", "chart", "tbl", "clipArt", "dgm", "media", "sldImg", "pic"}
MIN_SLIDE_EMU, MAX_SLIDE_EMU = 914400, 51206400  # PowerPoint: 1 to 56 inches a side
MIN_PAGE_TWIPS, MAX_PAGE_TWIPS = 1440, 31680  # Word: 1 to 22 inches a side
MAX_COORDINATE = 27273042316900  # ST_Coordinate
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError,
              NotImplementedError, OverflowError, struct.error)


class Refused(Exception):
    """One thing wrong with the reference: what (`problem`) and how to fix it (`hint`)."""

    def __init__(self, problem: str, hint: str = ""):
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def clean_reference(path: Path, kind: str) -> bytes:
    """The reference at `path` ("memo" or "deck") as a checked, cleaned package; RenderError
    naming `path` if it cannot be used. The same unchanged file is cleaned once per process
    (the deck's planner and its writer both read it, and so see the same bytes)."""
    spec = KINDS[kind]
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _error(path, spec, Refused(f"it cannot be read ({exc.strerror or exc})")) from None
    return _clean_cached(str(path), kind, st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _clean_cached(path: str, kind: str, _ino: int, _size: int, _mtime_ns: int) -> bytes:
    spec = KINDS[kind]
    try:
        data = read_bounded(Path(path), MAX_FILE_BYTES)
        return _Cleaner(spec, _unpack(data, spec)).clean()
    except Refused as exc:
        raise _error(path, spec, exc) from None
    except NotRegularFile as exc:
        raise _error(path, spec, Refused(f"it is {exc.kind}, not a regular file")) from None
    except TooLarge:
        raise _error(path, spec, Refused(
            f"it is larger than {MAX_FILE_BYTES // 2**20} MB",
            "remove large pictures or embedded media from it")) from None
    except OSError as exc:
        raise _error(path, spec, Refused(f"it cannot be read ({exc.strerror or exc})")) from None


def _error(path, spec: Kind, exc: Refused) -> RenderError:
    hint = exc.hint or (f"open it in {spec.app} and save it again as a {spec.extension} file, "
                        f"or remove it to use the built-in look")
    return RenderError(f"{path}: the {spec.noun} cannot be used: {exc.problem}; {hint}")


# ---------------------------------------------------------------------------------------------
# The zip: bounded in size, count, ratio and names; every member read in full (CRC checked)


def _unpack(data: bytes, spec: Kind) -> dict[str, bytes]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(f"it is an old binary {spec.app} file (97-2003), not {spec.extension}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise Refused(f"it is not a {spec.extension} file (not a readable zip package: {exc})")\
            from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise Refused(f"its zip has {len(infos):,} members; at most {MAX_MEMBERS:,} are "
                          f"accepted")
        declared = 0
        seen: set[str] = set()
        for info in infos:
            _check_name(info.filename)
            if info.filename.lower() in seen:  # part names are case-insensitive (OPC)
                raise Refused(f"its zip holds {info.filename!r} twice")
            seen.add(info.filename.lower())
            if info.flag_bits & 0x1:
                raise Refused(f"{info.filename} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Refused(f"{info.filename} uses a compression Office does not write")
            declared += info.file_size
            if declared > MAX_UNPACKED_BYTES:
                raise _too_big()
            if info.file_size > RATIO_FLOOR and \
                    info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(f"{info.filename} would unpack {info.file_size:,} bytes from "
                              f"{info.compress_size:,} (a zip bomb?)")
        members: dict[str, bytes] = {}
        total = 0
        for info in infos:
            # The sizes above come from the central directory, which can lie: count what the
            # decompressor actually yields, chunk by chunk.
            chunks = []
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(CHUNK):
                        total += len(chunk)
                        if total > MAX_UNPACKED_BYTES:
                            raise _too_big()
                        chunks.append(chunk)
            except ZIP_ERRORS as exc:
                raise Refused(f"its zip is damaged at {info.filename} ({exc})") from None
            members[info.filename] = b"".join(chunks)
    return members


def _too_big() -> Refused:
    return Refused(f"it unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB",
                   "remove large pictures or embedded media from it")


def _check_name(name: str) -> None:
    parts = name.split("/")
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name) or \
            any(p in ("", ".", "..") for p in parts) or any(ord(c) < 32 for c in name):
        raise Refused(f"its zip has an unsafe member name {name!r} (absolute, '..' or odd "
                      f"characters)")


# ---------------------------------------------------------------------------------------------
# XML: no DTD, no entities, no network


# For every XML part we read, the reference's or our own.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, dtd_validation=False)


def parse_xml(data: bytes, name: str):
    """A part's root element, parsed without DTDs, entities or network access; Refused if it is
    not well-formed or declares a DTD (Office never writes one)."""
    if len(data) > MAX_XML_PART_BYTES:
        raise Refused(f"{name} is {len(data):,} bytes of XML; at most "
                      f"{MAX_XML_PART_BYTES // 2**20} MB a part are accepted")
    dtd = Refused(f"{name} declares a DTD (<!DOCTYPE>), which Office documents never do: it "
                  f"could read local files (XXE) or expand without end (billion laughs)")
    # Refused before libxml2 reads the declarations (it would expand entities in attributes).
    if any(DOCTYPE.encode(enc) in data for enc in ("ascii", "utf-16-le", "utf-16-be")):
        raise dtd
    try:
        root = etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise Refused(f"{name} is not well-formed XML ({exc})") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise dtd
    return root


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------
# The package: keep what is reachable through relationships a reference may contribute


@dataclass
class Rel:
    id: str
    type: str
    target: str
    part: str  # the target's member name


@dataclass
class _Part:
    name: str
    content_type: str
    rels: list[Rel] = field(default_factory=list)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


class _Cleaner:
    def __init__(self, spec: Kind, members: dict[str, bytes]):
        self.spec, self.members = spec, members
        self.defaults, self.overrides = self._content_types()
        self.kept: dict[str, _Part] = {}
        self.main = ""

    def _content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        if CONTENT_TYPES not in self.members:
            raise Refused(f"it has no {CONTENT_TYPES}, so it is not an Office document")
        root = parse_xml(self.members[CONTENT_TYPES], CONTENT_TYPES)
        defaults, overrides = {}, {}
        for el in root.iter(f"{{{CT_NS}}}Default"):
            ext, ct = el.get("Extension"), el.get("ContentType")
            if ext and ct:
                defaults[ext.lower()] = ct
        for el in root.iter(f"{{{CT_NS}}}Override"):
            name, ct = el.get("PartName"), el.get("ContentType")
            if name and ct:
                overrides[name.lstrip("/").lower()] = ct
        return defaults, overrides

    def content_type(self, name: str) -> str | None:
        ext = posixpath.splitext(name)[1].lstrip(".").lower()
        return self.overrides.get(name.lower()) or self.defaults.get(ext)

    def clean(self) -> bytes:
        self._walk()
        self._check_layouts_have_masters()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(CONTENT_TYPES, self._content_types_xml())
            zf.writestr("_rels/.rels", self._rels_xml(self.kept[""].rels))
            for name, part in self.kept.items():
                if not name:
                    continue
                zf.writestr(name, self._part_data(part))
                if part.rels:
                    zf.writestr(_rels_name(name), self._rels_xml(part.rels))
        return out.getvalue()

    def _check_layouts_have_masters(self) -> None:
        for part in self.kept.values():
            if part.content_type.lower() == _PML + "slidelayout+xml" and \
                    not any(r.type == OD + "/slideMaster" for r in part.rels):
                raise Refused(f"{_rels_name(part.name)}: the layout {part.name} names no slide "
                              f"master")

    def _walk(self) -> None:
        """Follow relationships from the package root, keeping only the allowed kinds."""
        self.kept[""] = _Part("", "")
        queue = [""]
        while queue:
            source = self.kept[queue.pop(0)]
            for rel in self._read_rels(source.name):
                if rel is None or not self._accept(source.name, rel):
                    continue
                source.rels.append(rel)
                if rel.part not in self.kept:
                    self.kept[rel.part] = _Part(rel.part, self._kept_type(rel))
                    queue.append(rel.part)
        if not self.main:
            raise Refused(f"its package names no main {self.spec.app} part")

    def _read_rels(self, source: str) -> list[Rel | None]:
        """The relationships of `source` ("" = the package); None for an external one."""
        name = _rels_name(source) if source else "_rels/.rels"
        if name not in self.members:
            return []
        root = parse_xml(self.members[name], name)
        folder = posixpath.dirname(source)
        out: list[Rel | None] = []
        ids: set[str] = set()
        for el in root.iter(f"{{{PR}}}Relationship"):
            rid, rtype, target = el.get("Id"), el.get("Type"), el.get("Target")
            if not rid or not rtype or target is None or not target.strip():
                raise Refused(f"{name}: the relationship {rid or '(no Id)'} has no "
                              f"{'Id' if not rid else 'Type' if not rtype else 'Target'}")
            if rid in ids:
                raise Refused(f"{name}: two relationships have the Id {rid}")
            ids.add(rid)
            if el.get("TargetMode", "Internal") == "External":
                out.append(None)
                continue
            ref = unquote(target.split("#", 1)[0])
            joined = ref.lstrip("/") if ref.startswith("/") else posixpath.join(folder, ref)
            part = posixpath.normpath(joined)
            if part.startswith("../") or part == ".." or part.startswith("/"):
                raise Refused(f"{name}: the relationship {rid} points outside the package "
                              f"({target!r})")
            out.append(Rel(rid, rtype, target, part))
        return out

    def _accept(self, source: str, rel: Rel) -> bool:
        if rel.type not in self.spec.parts:
            return False
        where = _rels_name(source) if source else "_rels/.rels"
        if rel.part not in self.members:
            raise Refused(f"{where}: the relationship {rel.id} points at {rel.part}, which is "
                          f"not in the package")
        ct = (self.content_type(rel.part) or "").lower()
        if rel.type == IMAGE:
            return ct in IMAGE_TYPES
        if rel.type == FONT:
            return ct in FONT_TYPES
        if rel.type == OD + "/officeDocument":
            if source or self.main:
                return False
            why = self.spec.main_types.get(ct, "unknown")
            if why == "unknown":
                raise Refused(f"its main part {rel.part} is {ct or 'untyped'}, not a "
                              f"{self.spec.app} {self.spec.extension} document")
            if why:
                raise Refused(why, f"open it in {self.spec.app} and save it as a "
                                   f"{self.spec.extension} file (File > Save As)")
            self.main = rel.part
            return True
        expected = self.spec.parts[rel.type]
        if ct != expected:
            raise Refused(f"{where}: {rel.part} has the content type {ct or '(none)'}, "
                          f"where {expected} belongs")
        return True

    def _kept_type(self, rel: Rel) -> str:
        if rel.part == self.main:  # a macro-enabled document without its macros is a plain one
            return self.spec.main_type
        return self.content_type(rel.part) or ""

    # -- writing the clean package

    def _content_types_xml(self) -> bytes:
        root = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})
        etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="rels", ContentType=RELS_CT)
        for name, part in self.kept.items():
            if name:
                etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + name,
                                 ContentType=part.content_type)
        return _serialise(root)

    @staticmethod
    def _rels_xml(rels: list[Rel]) -> bytes:
        root = etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
        for rel in rels:
            etree.SubElement(root, f"{{{PR}}}Relationship", Id=rel.id, Type=rel.type,
                             Target=rel.target)
        return _serialise(root)

    def _part_data(self, part: _Part) -> bytes:
        data = self.members[part.name]
        if not part.content_type.lower().endswith("xml"):
            return data
        root = parse_xml(data, part.name)
        if part.name == self.main and root.tag == _w("document"):
            _empty_body(root)
        _drop_dangling(root, {r.id for r in part.rels})
        _drop_unsafe(root)
        if root.tag.startswith(f"{{{W}}}"):
            _check_fields(root, part.name)
            _check_word(root, part.name, part.name == self.main)
        elif root.tag.startswith(f"{{{P}}}"):
            _check_presentation(root, part.name, part.name == self.main)
        return _serialise(root)


# ---------------------------------------------------------------------------------------------
# Inside the parts


def _empty_body(root) -> None:
    """A reference memo lends its page set-up (the body's closing w:sectPr), not its text."""
    body = root.find(_w("body"))
    if body is None:
        return
    closing = body[-1] if len(body) and body[-1].tag == _w("sectPr") else None
    for child in list(body):
        if child is not closing:
            body.remove(child)


def _drop_dangling(root, kept: set[str]) -> None:
    """Remove what refers to a relationship that is gone (external, or of a dropped kind)."""
    doomed, stripped = [], []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if not (attr.startswith(f"{{{OD}}}") or attr == f"{{{VML_O}}}relid"):
                continue
            if value in kept or (value == "" and attr == f"{{{OD}}}id"):
                continue  # r:id="" is an action without a target (PowerPoint's jump buttons)
            local = etree.QName(el).localname
            if local in OBJECTS:
                doomed.append(_object_frame(el))
            elif local in DROP_WITH_REFERENCE:
                doomed.append(el)
            else:
                stripped.append((el, attr))
    for el, attr in stripped:
        el.attrib.pop(attr, None)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _object_frame(el):
    frame = el
    for ancestor in el.iterancestors():
        if isinstance(ancestor.tag, str) and etree.QName(ancestor).localname in OBJECT_FRAMES:
            frame = ancestor
    return frame if frame.getparent() is not None else el


def _drop_unsafe(root) -> None:
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        unsafe_action = qname.namespace == A and qname.localname.startswith("hlink") and \
            (el.get("action") or "").lower().startswith(UNSAFE_ACTIONS)
        # p14:sldId: a section's list of the reference's own (dropped) slides
        if (qname.namespace, qname.localname) in ALWAYS_DROPPED or unsafe_action or \
                (qname.namespace == P14 and qname.localname == "sldId"):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _check_fields(root, name: str) -> None:
    """Refuse fields that fetch or run something when updated (INCLUDEPICTURE, DDE, ...)."""
    instructions = [el.get(f"{{{W}}}instr") or "" for el in root.iter(f"{{{W}}}fldSimple")]
    stack: list[list[str]] = []
    for el in root.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText"):
        if el.tag == f"{{{W}}}instrText":
            if stack:
                stack[-1].append(el.text or "")
        elif el.get(f"{{{W}}}fldCharType") == "begin":
            stack.append([])
        elif el.get(f"{{{W}}}fldCharType") in ("separate", "end") and stack:
            instructions.append("".join(stack.pop()))
    instructions += ["".join(s) for s in stack]
    for instr in instructions:
        words = instr.split()
        if not words:
            continue
        code = words[0].upper()
        if code in UNSAFE_FIELDS:
            raise Refused(f"{name} has a {code} field, which fetches or runs something when "
                          f"the document is updated", "remove that field from the reference")
        if code == "HYPERLINK" and len(words) > 1 and not words[1].startswith("\\"):
            scheme = urlsplit(words[1].strip('"')).scheme.lower()
            if scheme not in SAFE_LINK_SCHEMES:
                raise Refused(f"{name} has a HYPERLINK field to {words[1]}",
                              "remove that link from the reference")


def _int(el, attr: str, name: str, lo: int, hi: int, required: bool = True) -> int | None:
    value = el.get(attr)
    if value is None and not required:
        return None
    what = f"{etree.QName(el).localname}/@{etree.QName(attr).localname}"
    if value is None or not re.fullmatch(r"-?[0-9]{1,15}", value.strip()):
        raise Refused(f"{name}: {what} is {value!r}, not a whole number")
    number = int(value)
    if not lo <= number <= hi:
        raise Refused(f"{name}: {what} is {number:,}, outside {lo:,}..{hi:,}")
    return number


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _check_word(root, name: str, main: bool) -> None:
    """The facts the memo writer reads from the reference: page set-up, tab stops, cell
    margins, list numbers and the compatibility mode are whole numbers."""
    big = 2**31 - 1
    if main:
        if root.tag != _w("document") or root.find(_w("body")) is None:
            raise Refused(f"{name} is not a Word document body")
        sect = root.find(f"{_w('body')}/{_w('sectPr')}")
        if sect is None or sect.find(_w("pgSz")) is None or sect.find(_w("pgMar")) is None:
            raise Refused(f"{name} has no page set-up (w:sectPr with page size and margins at "
                          f"the end of its body)")
        size = sect.find(_w("pgSz"))
        for attr in ("w", "h"):
            _int(size, _w(attr), name, MIN_PAGE_TWIPS, MAX_PAGE_TWIPS)
        margins = sect.find(_w("pgMar"))
        for attr in ("left", "right"):
            _int(margins, _w(attr), name, 0, MAX_PAGE_TWIPS)
        for attr in ("top", "bottom", "header", "footer", "gutter"):
            _int(margins, _w(attr), name, -MAX_PAGE_TWIPS, MAX_PAGE_TWIPS, required=False)
    for el in root.iter(_w("tab")):
        _int(el, _w("pos"), name, -big, big, required=False)
    for mar in root.iter(_w("tblCellMar")):
        for side in mar:
            if isinstance(side.tag, str) and side.get(_w("type"), "dxa") == "dxa":
                _int(side, _w("w"), name, -big, big, required=False)
    for el in root.iter(_w("numId")):
        _int(el, _w("val"), name, 0, big)
    for el in root.iter(_w("abstractNum")):
        _int(el, _w("abstractNumId"), name, 0, big)
    for el in root.iter(_w("num")):
        _int(el, _w("numId"), name, 0, big)
        ref = el.find(_w("abstractNumId"))
        if ref is None:
            raise Refused(f"{name}: list {el.get(_w('numId'))} names no abstractNumId")
        _int(ref, _w("val"), name, 0, big)
    for el in root.iter(_w("compatSetting")):
        if el.get(_w("name")) == "compatibilityMode":
            _int(el, _w("val"), name, 0, 1000)


def _p(tag: str) -> str:
    return f"{{{P}}}{tag}"


def _check_presentation(root, name: str, main: bool) -> None:
    """The facts python-pptx and the deck planner read: slide size, at least one master with
    layouts, and numeric placeholder indexes, kinds and positions."""
    if main:
        if root.tag != _p("presentation"):
            raise Refused(f"{name} is not a PowerPoint presentation")
        size = root.find(_p("sldSz"))
        if size is None:
            raise Refused(f"{name} has no slide size (p:sldSz)")
        try:
            for attr in ("cx", "cy"):
                _int(size, attr, name, MIN_SLIDE_EMU, MAX_SLIDE_EMU)
        except Refused as exc:
            raise Refused(f"{exc.problem} (PowerPoint allows 1 to 56 inches a side)",
                          "set it in Design > Slide Size and save again") from None
        if root.find(f"{_p('sldMasterIdLst')}/{_p('sldMasterId')}") is None:
            raise Refused(f"{name} has no slide master")
    if root.tag in (_p("sldMaster"), _p("sldLayout"), _p("notesMaster"), _p("handoutMaster")) \
            and root.find(_p("cSld")) is None:
        raise Refused(f"{name} has no p:cSld (its shapes)")
    if root.tag == _p("sldMaster") and \
            root.find(f"{_p('sldLayoutIdLst')}/{_p('sldLayoutId')}") is None:
        raise Refused(f"{name} has no slide layouts")
    for ph in root.iter(_p("ph")):
        _int(ph, "idx", name, 0, 2**32 - 1, required=False)
        kind = ph.get("type", "obj")
        if kind not in PLACEHOLDER_TYPES:
            raise Refused(f"{name}: a placeholder has the unknown type {kind!r}")
        if ph.get("orient", "horz") not in ("horz", "vert") or \
                ph.get("sz", "full") not in ("full", "half", "quarter"):
            raise Refused(f"{name}: a placeholder has an unknown orientation or size")
    for tag in ("off", "chOff"):
        for el in root.iter(f"{{{A}}}{tag}"):
            for attr in ("x", "y"):
                _int(el, attr, name, -MAX_COORDINATE, MAX_COORDINATE)
    for tag in ("ext", "chExt"):
        for el in root.iter(f"{{{A}}}{tag}"):
            if el.getparent() is not None and etree.QName(el.getparent()).localname == "extLst":
                continue  # a:ext inside a:extLst is an extension, not a size
            for attr in ("cx", "cy"):
                _int(el, attr, name, 0, MAX_COORDINATE)
