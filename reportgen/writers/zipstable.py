"""Byte-stable Office packages: python-docx and python-pptx stamp zip entries with the current
time; this rewrites a package with every entry dated by the document clock, in a fixed order
with fixed attributes, so the same input always gives the same bytes.

It is also the last look at a package before it is written: no relationship may point outside
it except the brief's own web and mail links.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree

from reportgen.writers.reference import XML_PARSER

CONTENT_TYPES = "[Content_Types].xml"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
LINK_SCHEMES = ("http", "https", "mailto")


def stable_zip(data: bytes, when: datetime) -> bytes:
    """`data`, a zip, rewritten byte-stable (see `stable_zip_members`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return stable_zip_members([(name, src.read(name)) for name in src.namelist()], when)


def stable_zip_members(members: Sequence[tuple[str, bytes]], when: datetime) -> bytes:
    """A zip of `members` (name, bytes), in their order but [Content_Types].xml first, every
    entry dated `when` and deflated once (at level 6). A name given twice is written twice with
    its last bytes, as rewriting a zip that holds it twice would. `package_members` takes a
    package's members straight from python-docx or python-pptx, so nothing is compressed only
    to be decompressed again (~150 KB of embedded fonts in a memo); members deflated before in
    this process come from DEFLATED.

    The bytes are those Python's zipfile writes for these entries (`ZipFile.writestr` with a
    ZipInfo of this date, system 0, no attributes, to a seekable file), laid out here so that
    a member's deflated bytes can be reused: zipfile has no way to take them."""
    utc = when.astimezone(UTC)
    # A zip records 1980..2107; clamp rather than fail for dates outside.
    year, month, day, hour, minute, second = (1980, 1, 1, 0, 0, 0) if utc.year < 1980 else \
        (min(utc.year, 2107),) + tuple(utc.timetuple())[1:6]
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | second // 2
    contents = dict(members)
    names = [name for name, _ in members]
    # [Content_Types].xml first (some readers sniff it), then the writer's own stable order.
    order = [n for n in names if n == CONTENT_TYPES] + [n for n in names if n != CONTENT_TYPES]
    if len(order) > MAX_MEMBERS:  # zipfile would switch to zip64 records; no package does
        raise ValueError(f"{len(order):,} members is too many for a package")
    out = io.BytesIO()
    directory = []
    for name in order:
        member = contents[name]
        if name.endswith(".rels"):
            check_external_targets(name, member)
        if len(member) * 1.05 > ZIP64_LIMIT:  # zipfile would switch to zip64 records
            raise ValueError(f"{name}: {len(member):,} bytes is too large for a package member")
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), UTF8_NAMES
        deflated = DEFLATED.deflate(member)
        fields = (VERSION, 0, flags, zipfile.ZIP_DEFLATED, dostime, dosdate,
                  zlib.crc32(member), len(deflated), len(member), len(encoded), 0)
        offset = out.tell()
        out.write(struct.pack(LOCAL_HEADER, b"PK\x03\x04", *fields))
        out.write(encoded)
        out.write(deflated)
        directory.append(struct.pack(CENTRAL_ENTRY, b"PK\x01\x02", VERSION, 0, *fields,
                                     0, 0, 0, FILE_MODE, offset) + encoded)
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(struct.pack(END_RECORD, b"PK\x05\x06", 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))
    return out.getvalue()


# The zip records zipfile writes (its structFileHeader, structCentralDir, structEndArchive):
# signature, versions, flags, method, time, date, CRC, sizes, name and extra lengths, ...
LOCAL_HEADER = "<4s2B4HL2L2H"
CENTRAL_ENTRY = "<4s4B4HL2L5H2L"
END_RECORD = "<4s4H2LH"
VERSION = 20  # zipfile's DEFAULT_VERSION: "made by" and "needed to extract", deflate
UTF8_NAMES = 0x800
ZIP64_LIMIT = (1 << 31) - 1
MAX_MEMBERS = 0xFFFF  # (and at most 2 GiB in all: a package holds a few hundred KB)
FILE_MODE = 0o600 << 16  # what writestr records for an entry without attributes
DEFLATE_LEVEL = 6


class DeflatedMembers:
    """Deflated bytes of package members, by the sha256 of their bytes: the embedded font
    subsets, theme, styles and layouts of one profile's documents are the same brief after
    brief, and deflating them was ~15% of a memo's time. Bounded: members of at least
    MIN_BYTES only (smaller ones deflate faster than they hash), and at most `budget` bytes of
    deflated data, least recently used dropped first."""

    MIN_BYTES = 2048

    def __init__(self, budget: int = 16 << 20) -> None:
        self.budget = budget
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()
        self._held = 0
        self.hits = self.misses = 0

    def deflate(self, data: bytes) -> bytes:
        if len(data) < self.MIN_BYTES:
            return _deflate(data)
        key = hashlib.sha256(data).digest()
        found = self._kept.get(key)
        if found is not None:
            self.hits += 1
            self._kept.move_to_end(key)
            return found
        self.misses += 1
        found = self._kept[key] = _deflate(data)
        self._held += len(found)
        while self._held > self.budget and self._kept:
            self._held -= len(self._kept.popitem(last=False)[1])
        return found

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()
        self._held = 0
        self.hits = self.misses = 0


def _deflate(data: bytes) -> bytes:
    """Raw deflate as zipfile does it for one `writestr`: one compress call, then flush."""
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


DEFLATED = DeflatedMembers()


class _Collector:
    """Stands in for python-docx's and python-pptx's zip writers: keeps (name, bytes)."""

    def __init__(self) -> None:
        self.members: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.members.append((pack_uri.membername, blob))


def docx_members(document) -> list[tuple[str, bytes]]:
    """The members `document.save()` (python-docx) would zip, in its order, uncompressed:
    the same steps as `OpcPackage.save` and `PackageWriter.write`."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    out = _Collector()
    PackageWriter._write_content_types_stream(out, parts)
    PackageWriter._write_pkg_rels(out, package.rels)
    PackageWriter._write_parts(out, parts)
    return out.members


def pptx_members(presentation) -> list[tuple[str, bytes]]:
    """The members `presentation.save()` (python-pptx) would zip, in its order, uncompressed:
    the same steps as `OpcPackage.save` and `PackageWriter._write`."""
    from pptx.opc.serialized import PackageWriter

    package = presentation.part.package
    writer = PackageWriter(None, package._rels, tuple(package.iter_parts()))
    out = _Collector()
    writer._write_content_types_stream(out)
    writer._write_pkg_rels(out)
    writer._write_parts(out)
    return out.members


def check_external_targets(name: str, rels: bytes) -> None:
    """A reference's external relationships are dropped before we write (writers.reference)
    and the brief's URLs are checked in the model, so anything else here is our bug."""
    for rel in etree.fromstring(rels, XML_PARSER).iter(f"{{{PR}}}Relationship"):
        if rel.get("TargetMode") != "External":
            continue
        target = rel.get("Target") or ""
        if rel.get("Type") != HYPERLINK or urlsplit(target).scheme.lower() not in LINK_SCHEMES:
            raise RuntimeError(f"{name}: an external {rel.get('Type')} relationship to "
                               f"{target!r} would be written")
