"""The byte-stable zip writer (issue 15): it lays the zip out itself so that members deflated
before can be reused, and must give exactly the bytes Python's zipfile gave for the same
entries, so that no output changed."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from datetime import UTC, datetime

import pytest

from reportgen.writers import zipstable
from reportgen.writers.zipstable import DeflatedMembers, stable_zip_members

WHEN = datetime(2017, 10, 25, 12, 30, 15, tzinfo=UTC)


def zipfile_bytes(members, when: datetime) -> bytes:
    """What the writer did with zipfile before: writestr with a ZipInfo of the clock."""
    utc = when.astimezone(UTC)
    stamp = (1980, 1, 1, 0, 0, 0) if utc.year < 1980 else \
        (min(utc.year, 2107),) + tuple(utc.timetuple())[1:6]
    contents, names = dict(members), [name for name, _ in members]
    order = [n for n in names if n == "[Content_Types].xml"] + \
        [n for n in names if n != "[Content_Types].xml"]
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(out, "w") as dst:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0
                dst.writestr(info, contents[name], compresslevel=6)
    return out.getvalue()


SETS = {
    "package": [("word/document.xml", b"<w:document>" + b"text " * 4000 + b"</w:document>"),
                ("[Content_Types].xml", b"<Types/>"),
                ("word/fonts/font1.odttf", os.urandom(3000) + bytes(30_000)),
                ("docProps/core.xml", b"")],
    "non-ascii name, a name twice": [("a.xml", b"first"), ("m\u00e9dia/caf\u00e9.xml", b"x" * 5000),
                                     ("a.xml", b"second, longer" * 300)],
    "one empty member": [("[Content_Types].xml", b"")],
}


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("when", [WHEN, datetime(1970, 1, 1, tzinfo=UTC),
                                  datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC)])
def test_the_zip_is_byte_for_byte_what_zipfile_writes(name, when):
    members = SETS[name]
    zipstable.DEFLATED.clear()
    first = stable_zip_members(members, when)
    assert first == zipfile_bytes(members, when)
    assert stable_zip_members(members, when) == first  # with deflated members reused
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
        types_first = any(n == "[Content_Types].xml" for n, _ in members)
        assert z.namelist()[0] == ("[Content_Types].xml" if types_first else members[0][0])
        assert z.read(members[-1][0]) == dict(members)[members[-1][0]]


def test_a_real_memo_and_deck_zip_as_zipfile_zips_them():
    from reportgen.pipeline import prepare, render
    from tests.conftest import ROOT

    job = prepare(ROOT / "briefs" / "pmf-tillerson.yaml")
    for fmt in ("docx", "pptx"):
        data = render(job, fmt).data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [(info.filename, z.read(info)) for info in z.infolist()]
        assert zipfile_bytes(members, WHEN) == stable_zip_members(members, WHEN), fmt


def test_deflated_members_are_kept_by_content_and_bounded_by_bytes():
    kept = DeflatedMembers(budget=3000)
    big = bytes(range(256)) * 20  # 5,120 bytes, deflates to well under 1,000
    assert kept.deflate(big) == zipstable._deflate(big) and kept.misses == 1
    assert kept.deflate(bytes(big)) is kept.deflate(big) and kept.hits == 2  # by content
    kept.deflate(b"small" * 100)  # under MIN_BYTES: deflated, not kept
    assert len(kept) == 1
    noise = [os.urandom(DeflatedMembers.MIN_BYTES) for _ in range(3)]  # incompressible
    for data in noise:
        kept.deflate(data)
    assert kept._held <= 3000 and len(kept) == 1  # only the newest random member fits
    assert kept.deflate(noise[-1]) is not None and kept.hits == 3
