"""Byte-stable Office packages: python-docx and python-pptx stamp zip entries with the current
time; this rewrites a package with every entry dated by the document clock, in a fixed order
with fixed attributes, so the same input always gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

CONTENT_TYPES = "[Content_Types].xml"


def stable_zip(data: bytes, when: datetime) -> bytes:
    utc = when.astimezone(timezone.utc)
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
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
