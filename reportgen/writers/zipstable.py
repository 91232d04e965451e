"""Byte-stable Office packages: python-docx and python-pptx stamp zip entries with the current
time; this rewrites a package with every entry dated by the document clock, in a fixed order
with fixed attributes, so the same input always gives the same bytes.

It is also the last look at a package before it is written: no relationship may point outside
it except the brief's own web and mail links.
"""

from __future__ import annotations

import io
import zipfile
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
    entry dated `when` and deflated once. A name given twice is written twice with its last
    bytes, as rewriting a zip that holds it twice would. `package_members` takes a package's
    members straight from python-docx or python-pptx, so nothing is compressed only to be
    decompressed again (~150 KB of embedded fonts in a memo)."""
    utc = when.astimezone(UTC)
    # A zip records 1980..2107; clamp rather than fail for dates outside.
    stamp = (1980, 1, 1, 0, 0, 0) if utc.year < 1980 else \
        (min(utc.year, 2107),) + tuple(utc.timetuple())[1:6]
    contents = dict(members)
    names = [name for name, _ in members]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        # [Content_Types].xml first (some readers sniff it), then the writer's own stable order.
        order = [n for n in names if n == CONTENT_TYPES] + [n for n in names if n != CONTENT_TYPES]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            member = contents[name]
            if name.endswith(".rels"):
                check_external_targets(name, member)
            dst.writestr(info, member, compresslevel=6)
    return out.getvalue()


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
