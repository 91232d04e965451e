"""Byte-stable Office packages: python-docx and python-pptx stamp zip entries with the current
time; this rewrites a package with every entry dated by the document clock, in a fixed order
with fixed attributes, so the same input always gives the same bytes.

It is also the last look at a package before it is written: no relationship may point outside
it except the brief's own web and mail links.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree

from reportgen.writers.reference import XML_PARSER

CONTENT_TYPES = "[Content_Types].xml"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
LINK_SCHEMES = ("http", "https", "mailto")


def stable_zip(data: bytes, when: datetime) -> bytes:
    utc = when.astimezone(UTC)
    # A zip records 1980..2107; clamp rather than fail for dates outside.
    stamp = (1980, 1, 1, 0, 0, 0) if utc.year < 1980 else \
        (min(utc.year, 2107),) + tuple(utc.timetuple())[1:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        # [Content_Types].xml first (some readers sniff it), then the writer's own stable order.
        order = [n for n in names if n == CONTENT_TYPES] + [n for n in names if n != CONTENT_TYPES]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            member = src.read(name)
            if name.endswith(".rels"):
                check_external_targets(name, member)
            dst.writestr(info, member, compresslevel=6)
    return out.getvalue()


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
