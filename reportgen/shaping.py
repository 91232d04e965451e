"""Shaped text widths: HarfBuzz (uharfbuzz) lays out Arabic as a reader sees it.

Arabic letters change shape with their neighbours (initial, medial, final and isolated forms),
lam and alef join into one ligature, and the harakat sit on their letters with no advance of
their own. Summing per-character advance widths measures none of that: a line of Arabic measured
that way can be several percent too wide or too narrow, enough to break a fitting guarantee.
HarfBuzz applies the font's own GSUB and GPOS tables, so a width from here is the width the text
is drawn with (by ReportLab, which shapes with HarfBuzz too) or very close to what Word and
PowerPoint draw.

One HarfBuzz font per font file lives for the process; widths of the same (text, file) pair are
cached, since the planners measure the same words many times.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

# Kerning and the required ligatures; no discretionary ligatures (Word and PowerPoint do not
# switch those on by default, and the widths must agree with theirs).
FEATURES = {"kern": True, "liga": True}


@cache
def _font(path: str):
    import uharfbuzz as hb

    blob = hb.Blob(Path(path).read_bytes())
    face = hb.Face(blob)
    return hb.Font(face), face.upem


@lru_cache(maxsize=65536)
def units(text: str, path: str) -> int:
    """The advance of `text` set in the font file at `path`, in font units (script and
    direction guessed from the text, as a paragraph of one script would be)."""
    import uharfbuzz as hb

    font, _ = _font(path)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, FEATURES)
    return sum(pos.x_advance for pos in buf.glyph_positions)


def upem(path: str) -> int:
    return _font(path)[1]


def width(text: str, path: str, size: float) -> float:
    """The advance of `text` at `size` points, in points."""
    return units(text, path) * size / upem(path)


def glyphs(text: str, path: str) -> list[tuple[int, int, int, int, int]]:
    """(glyph id, cluster, x advance, x offset, y offset) in drawing order, font units: for
    tests that check a ligature or a mark's placement."""
    import uharfbuzz as hb

    font, _ = _font(path)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, FEATURES)
    return [(info.codepoint, info.cluster, pos.x_advance, pos.x_offset, pos.y_offset)
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)]
