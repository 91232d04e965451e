"""The .docx package around the memo: the base document (python-docx's default or the profile's
reference memo.docx, emptied), document properties and embedded fonts.

The zip itself is made byte-stable by `reportgen.writers.zipstable`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from reportgen.writers.coreprops import clip, drop_unowned
from reportgen.writers.docx.ooxml import put, put_after, referenced_rids
from reportgen.writers.reference import XML_PARSER, clean_reference

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
# Relationships that only body content points at; emptied reference bodies leave them dangling.
BODY_CONTENT_RELS = {RT.IMAGE, RT.HYPERLINK, RT.CHART, RT.OLE_OBJECT, RT.PACKAGE,
                     RT.DIAGRAM_DATA, RT.DIAGRAM_LAYOUT, RT.DIAGRAM_QUICK_STYLE,
                     RT.DIAGRAM_COLORS, RT.VIDEO, RT.AUDIO,
                     "http://schemas.microsoft.com/office/2007/relationships/diagramDrawing"}


def open_base(reference: Path | None):
    """A Document to write into: the reference memo, checked and cleaned (`writers.reference`:
    its body emptied, nothing but styles, numbering, fonts, theme, page set-up, headers and
    footers kept), or python-docx's default."""
    import docx

    if reference is None:
        doc = docx.Document()
    else:
        doc = docx.Document(io.BytesIO(clean_reference(reference, "memo")))
    _drop_stale_parts(doc)
    return doc


def _drop_stale_parts(doc) -> None:
    """A thumbnail would show the template, not the memo; stylesWithEffects is a Word 2010
    duplicate of styles.xml that would go stale as soon as we restyle."""
    pkg_rels = doc.part.package.rels
    for r_id, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            pkg_rels.pop(r_id)
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            doc.part.rels.pop(r_id)


def prune_body_rels(doc) -> None:
    """Drop images, links and objects only the reference's old body pointed at."""
    used = referenced_rids(doc.element)
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype in BODY_CONTENT_RELS and r_id not in used:
            doc.part.rels.pop(r_id)


# ---------------------------------------------------------------------------------------------
# Properties


@dataclass(frozen=True)
class Properties:
    title: str
    author: str
    subject: str
    keywords: str
    language: str
    description: str
    category: str
    organisation: str
    when: datetime


def set_properties(doc, props: Properties) -> None:
    """Core properties (docProps/core.xml), every date from the one clock, and the extended
    ones Word shows under File > Info (application and company)."""
    naive_utc = props.when.astimezone(UTC).replace(tzinfo=None)
    cp = doc.core_properties
    cp.title = clip(props.title)
    cp.author = clip(props.author)
    cp.last_modified_by = clip(props.author)
    cp.subject = clip(props.subject)
    cp.keywords = clip(props.keywords)
    cp.language = props.language
    cp.comments = clip(props.description)
    cp.category = props.category
    cp.revision = 1
    cp.created = naive_utc
    cp.modified = naive_utc
    drop_unowned(cp._element)
    _set_app_properties(doc, props.organisation)


def _set_app_properties(doc, organisation: str) -> None:
    ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    part = next((rel.target_part for rel in doc.part.package.rels.values()
                 if rel.reltype == RT.EXTENDED_PROPERTIES), None)
    if part is None:
        return
    root = etree.fromstring(part.blob, XML_PARSER)
    # Statistics of the template, not of this memo (Word recounts), and its links and
    # signature, which describe the template too.
    stale = ("TotalTime", "Pages", "Words", "Characters", "Lines", "Paragraphs",
             "CharactersWithSpaces", "AppVersion", "Template", "HeadingPairs", "TitlesOfParts",
             "HLinks", "DigSig")
    for name in stale:
        for el in root.findall(f"{{{ep}}}{name}"):
            root.remove(el)
    for name, value in (("Application", "reportgen"), ("Company", organisation)):
        el = root.find(f"{{{ep}}}{name}")
        if el is None:
            el = etree.SubElement(root, f"{{{ep}}}{name}")
        el.text = value
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------
# Embedded fonts: the profile's families travel inside the memo, so Word and LibreOffice show
# it as designed on machines that do not have them. Subset to the Latin (or Arabic) repertoire
# an editor is likely to type, plus every character of the memo, to keep the file small.

# What an editor is likely to type in a Western-language memo, including the letters of
# Arabic transliteration (ā ḥ ṣ ṭ ẓ ʿ ʾ); anything else the memo itself contains is added.
LATIN_REPERTOIRE = (
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2BB, 0x2C0), *range(0x2010, 0x2028),
     *range(0x2030, 0x203B), 0x20AC, 0x2122, 0x2212,
     0x1E0C, 0x1E0D, 0x1E24, 0x1E25, 0x1E62, 0x1E63, 0x1E6C, 0x1E6D, 0x1E92, 0x1E93]
)
# The general punctuation row holds the list markers (• –): in a right-to-left paragraph
# Word and LibreOffice set the bullet in the complex-script font, so it must have them.
ARABIC_REPERTOIRE = (
    [*range(0x20, 0x7F), 0xA0, 0xAB, 0xBB, *range(0x600, 0x700), *range(0x750, 0x780),
     *range(0x200C, 0x2028)]
)
SETTINGS_BEFORE_EMBED = ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
                         "w:removeDateAndTime", "w:doNotDisplayPageBoundaries",
                         "w:displayBackgroundShape", "w:printPostScriptOverText",
                         "w:printFractionalCharacterWidth", "w:printFormsData")
SUBSET_RECIPE = "2"  # bump when the subsetting options change, to renew cached subsets
SUBSETS_KEPT = 128  # cached subsets, the most recently cut (up to ~80 KB each: ~10 MB)
MAX_SUBSET_BYTES = 16 << 20  # the faces reportgen ships are under 0.5 MB whole


@dataclass(frozen=True)
class EmbeddedFamily:
    name: str
    files: dict[str, Path]  # style -> static TTF
    repertoire: tuple[int, ...]


def _font_entry(font_table, name: str):
    return next((f for f in font_table.findall(qn("w:font")) if f.get(qn("w:name")) == name),
                None)


def embeds_font(doc, name: str) -> bool:
    try:
        root = etree.fromstring(doc.part.part_related_by(RT.FONT_TABLE).blob, XML_PARSER)
    except KeyError:
        return False
    font = _font_entry(root, name)
    return font is not None and any(child.tag.startswith(f"{{{NS_W}}}embed") for child in font)


def embed_fonts(doc, families: list[EmbeddedFamily], text: str) -> None:
    """Add each family to word/fontTable.xml with obfuscated font parts (ECMA-376 17.8.1)."""
    try:
        table_part = doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    root = etree.fromstring(table_part.blob, XML_PARSER)
    used = {ord(ch) for ch in text}
    for fam in families:
        font_el = _font_entry(root, fam.name)
        if font_el is None:
            font_el = etree.SubElement(root, qn("w:font"))
            font_el.set(qn("w:name"), fam.name)
        for tag in ("w:embedRegular", "w:embedBold", "w:embedItalic", "w:embedBoldItalic"):
            for el in font_el.findall(qn(tag)):  # e.g. a reference made from an earlier memo
                table_part.rels.pop(el.get(qn("r:id")), None)
                font_el.remove(el)
        put(font_el, "w:charset", val="00")
        put(font_el, "w:family", val="swiss")
        put(font_el, "w:pitch", val="variable")
        seen: set[Path] = set()
        for style, tag in (("regular", "w:embedRegular"), ("bold", "w:embedBold"),
                           ("italic", "w:embedItalic"), ("bolditalic", "w:embedBoldItalic")):
            path = fam.files[style]
            if path in seen:  # no true italic (Arabic): Word slants the upright face itself
                continue
            seen.add(path)
            data = subset_font(path, frozenset(fam.repertoire) | frozenset(used))
            if data is None:
                continue
            key = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
            name = doc.part.package.next_partname("/word/fonts/font%d.odttf")
            part = Part(PackURI(name), OBFUSCATED_FONT, obfuscate(data, key), doc.part.package)
            r_id = table_part.relate_to(part, RT.FONT)
            el = put(font_el, tag)
            el.set(qn("r:id"), r_id)
            el.set(qn("w:fontKey"), "{" + str(key).upper() + "}")
    table_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
    put_after(doc.settings.element, "w:embedTrueTypeFonts", SETTINGS_BEFORE_EMBED)


def obfuscate(data: bytes, key: uuid.UUID) -> bytes:
    """XOR the first 32 bytes with the GUID's bytes read from its end (ECMA-376 Part 2)."""
    mask = bytes.fromhex(key.hex)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def subset_font(path: Path, unicodes: frozenset[int]) -> bytes | None:
    """The font cut down to `unicodes` it covers, from a cache beside the font instances.

    A subset is kept as the cuts are: with its sha256 record (a damaged file is cut again,
    never embedded), named by the font file's identity (path, size, modification time,
    inode: an upgraded font is cut again) and the characters, the SUBSETS_KEPT most recently
    cut or used."""
    from reportgen.facts import file_identity
    from reportgen.fonts import cache_dir, read_recorded

    restricted, cmap = _font_facts(path)
    if restricted:
        return None
    wanted = tuple(sorted(unicodes & cmap))
    digest = hashlib.sha256(
        repr((SUBSET_RECIPE, file_identity(path), wanted)).encode()).hexdigest()[:20]
    target = cache_dir() / "docx-subsets" / f"{path.stem}-{digest}.ttf"
    data = read_recorded(target, MAX_SUBSET_BYTES, mark_used=True)
    if data is not None:
        return data
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()  # default layout features: kerning, ligatures, Arabic shaping
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.recalc_timestamp = False
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    font["head"].modified = font["head"].created  # no machine time inside the memo
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    _write_cache(target, data)
    return data


@cache
def _font_facts(path: Path) -> tuple[bool, frozenset[int]]:
    """(embedding forbidden by the font's licence bits, characters it covers)."""
    from reportgen.facts import font_facts

    facts = font_facts(path)
    return facts.restricted, facts.cmap


def _write_cache(target: Path, data: bytes) -> None:
    from reportgen.fonts import keep_newest, write_recorded

    with contextlib.suppress(OSError):  # a read-only cache only costs time
        target.parent.mkdir(parents=True, exist_ok=True)
        write_recorded(target, data)
        keep_newest(target.parent, ".ttf", lambda kind: SUBSETS_KEPT, lambda name: "subset")

