"""The locator map as a PNG picture, for the memo: Word and LibreOffice both show a PNG, while
neither reads the SVG python-docx cannot embed, and an EMF would have to be written by hand.

Drawn with Pillow at three times the final size and averaged down (a box filter), so edges
and type come out anti-aliased; at 300 dpi for print. The sea, then every shape in the order the
document gives (land, region, the country) with white borders, the frame, the places as dots
with a white ring, and their names with a white halo, placed by `figures.labels.place_labels`
measuring with the TrueType font the memo is set in. The same figure, palette and size give
the same bytes: no timestamp or text chunk, a fixed zlib level (the bytes still depend on the
Pillow build's zlib and FreeType, pinned with Pillow itself). Drawn pictures are kept in the
user's cache between processes (`MapPictureCache`), named by all of that.
"""

from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.figures.labels import PlacedLabel, place_labels
from reportgen.fonts import has_arabic

if TYPE_CHECKING:
    from PIL import Image as PILImage

    from reportgen.document.model import MapFigure

DPI = 300
SUPERSAMPLE = 3
# fixed: zlib's output depends on the level. 6 (zlib's default) is half the time of 9 for a
# map 0.7 % larger (64 ms and 73.9 KB against 134 ms and 73.4 KB for the sample's).
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class MapStyle:
    """Sizes of the map's marks, in points as printed (converted at the picture's dpi)."""

    label_pt: float = 8.0
    dot_pt: float = 2.6  # the dot's radius
    halo_pt: float = 1.0  # the white ring around a dot
    text_halo_pt: float = 0.55  # the white outline of each name, to read on any fill
    border_pt: float = 0.6  # white lines between countries
    frame_pt: float = 0.75
    bold_labels: bool = True


@dataclass(frozen=True)
class RasterMap:
    png: bytes
    width: int  # pixels
    height: int
    dpi: int
    labels: tuple[PlacedLabel, ...]  # the names as placed, in pixels of the picture, y down


def map_size_px(aspect: float, width_px: int) -> tuple[int, int]:
    """The picture's pixel size for a frame of `aspect` (width / height) `width_px` wide."""
    return width_px, max(1, round(width_px / aspect))


def render_map_png(map_figure: MapFigure, palette: dict[str, str], width_px: int,
                   font_path: Path | None, **options) -> bytes:
    """The map as PNG bytes (see `draw_map` for the options), from `map_pictures` when the same
    map was drawn before in this process."""
    return map_pictures(map_figure, tuple(sorted(palette.items())), width_px, font_path,
                        tuple(sorted(options.items())))


# A nightly build's briefs often share their map (the same country, region and places, in one
# profile's colours): each worker keeps the PNG (~40-75 KB) of the last few it drew. Bounded.
@lru_cache(maxsize=8)
def map_pictures(map_figure: MapFigure, palette: tuple[tuple[str, str], ...], width_px: int,
                 font_path: Path | None, options: tuple[tuple[str, object], ...]) -> bytes:
    return PICTURES.picture(map_figure, palette, width_px, font_path, options)


class MapPictureCache:
    """Map pictures kept on disk between processes, as the font subsets are: drawing a memo's
    map takes ~150 ms of CPU and ~45 MB of memory at its peak (three times its size in pixels,
    before scaling down), the largest part of a worker's peak, and most nights draw the same
    maps again. A picture is named by the sha256 of everything its pixels depend on: the
    figure, colours, width and options, the bytes of the fonts, the drawing code (this module,
    the label placer, fonts.has_arabic) and the Pillow, FreeType, HarfBuzz, FriBidi, raqm and
    zlib it runs on; and is used only if it still hashes to the record written beside it
    (`fonts.read_recorded`). A font that cannot be read keeps nothing. At most `keep`
    pictures: the least recently drawn or used (and records without a picture) are removed
    when one is written. A folder that cannot be written only costs the drawing."""

    def __init__(self, folder: Path | None = None, keep: int = 256) -> None:
        self._folder, self.keep = folder, keep
        self.hits = self.misses = 0

    @property
    def folder(self) -> Path:
        from reportgen.fonts import cache_dir

        return self._folder or cache_dir().parent / "maps"

    def picture(self, map_figure: MapFigure, palette: tuple[tuple[str, str], ...],
                width_px: int, font_path: Path | None,
                options: tuple[tuple[str, object], ...]) -> bytes:
        from reportgen.fonts import read_recorded

        def draw() -> bytes:
            return draw_map(map_figure, dict(palette), width_px, font_path,
                            **dict(options)).png

        key = self.key(map_figure, palette, width_px, font_path, options)
        if key is None:  # a font that cannot be read: drawing says why
            return draw()
        target = self.folder / f"map-{key}.png"
        data = read_recorded(target, MAX_PICTURE_BYTES, mark_used=True)
        if data is not None:
            self.hits += 1
            return data
        self.misses += 1
        data = draw()
        self._store(target, data)
        return data

    @staticmethod
    def key(map_figure: MapFigure, palette: tuple[tuple[str, str], ...], width_px: int,
            font_path: Path | None, options: tuple[tuple[str, object], ...]) -> str | None:
        """The picture's name; None if a font it names cannot be read (not kept then)."""
        from reportgen.fonts import _file_sha256

        fonts = [font_path, *(v for k, v in options if k == "arabic_font_path")]
        hashes = [_file_sha256(f) if f is not None else "Pillow's own" for f in fonts]
        if None in hashes:
            return None
        drawn = (map_figure.aspect, map_figure.shapes, map_figure.places)  # not the caption
        recipe = repr((_drawing_code(), drawn, palette, width_px, options, hashes))
        return hashlib.sha256(recipe.encode()).hexdigest()

    def _store(self, target: Path, data: bytes) -> None:
        from reportgen.fonts import keep_newest, write_recorded

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_recorded(target, data)
        except OSError:
            return  # a read-only or full cache only costs the drawing
        keep_newest(target.parent, ".png", lambda kind: self.keep, lambda name: "map")


MAX_PICTURE_BYTES = 16 << 20  # a memo's map at 300 dpi is under 100 KB
PICTURES = MapPictureCache()


@cache
def _drawing_code() -> tuple[str, ...]:
    """What the pixels depend on besides the figure: the drawing code and the libraries."""
    import zlib

    from PIL import __version__ as pillow
    from PIL import features

    from reportgen import fonts
    from reportgen.figures import labels

    # this module, the label placer, and fonts.has_arabic (which face draws each name)
    code = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (
        sys.modules[__name__], labels, fonts)))

    def version(lib: str) -> str:
        try:
            return str(features.version(lib))
        except ValueError:  # a Pillow that does not know the library
            return "unknown"

    return (code.hexdigest(), pillow, *map(version, (
        "freetype2", "raqm", "harfbuzz", "fribidi", "zlib")),
        zlib.ZLIB_RUNTIME_VERSION, str(SUPERSAMPLE), str(COMPRESS_LEVEL))


def draw_map(map_figure: MapFigure, palette: dict[str, str], width_px: int,
             font_path: Path | None, *, arabic_font_path: Path | None = None, dpi: int = DPI,
             style: MapStyle = MapStyle(), supersample: int = SUPERSAMPLE) -> RasterMap:
    """The map `width_px` wide (its height follows the frame's aspect) at `dpi`, in the
    colours of `palette` (`writers.colour.map_palette`). `font_path` is the regular (or, with
    `style.bold_labels`, bold) face of the memo's body font; None uses Pillow's own font.
    Names with Arabic letters are set in `arabic_font_path` when given."""
    from PIL import Image, ImageDraw

    width, height = map_size_px(map_figure.aspect, width_px)
    s = supersample
    px = dpi / 72.0  # pixels per point in the final picture
    canvas = Image.new("RGB", (width * s, height * s), _rgb(palette["sea"]))
    draw = ImageDraw.Draw(canvas)

    def at(u: float, v: float) -> tuple[float, float]:
        return (u * width * s, v * height * s)

    border = max(1, round(style.border_pt * px * s))
    for shape in map_figure.shapes:
        rings = [[at(u, v) for u, v in ring] for ring in shape.rings]
        _fill_even_odd(canvas, draw, rings, _rgb(palette[shape.kind]))
        for ring in rings:
            draw.line([*ring, ring[0]], fill=_rgb(palette["border"]), width=border,
                      joint="curve")

    frame = max(1, round(style.frame_pt * px * s))
    draw.rectangle((0, 0, width * s - 1, height * s - 1), outline=_rgb(palette["frame"]),
                   width=frame)

    fonts = _Fonts(font_path, arabic_font_path, style.label_pt * px, s)
    dot, halo = style.dot_pt * px, style.halo_pt * px
    placed = place_labels([(p.name, p.u * width, p.v * height) for p in map_figure.places],
                          width, height, style.label_pt * px, fonts.measure,
                          dot_radius=dot + halo, inset=frame / s + halo)
    for p in map_figure.places:
        x, y = at(p.u, p.v)
        for radius, colour in ((dot + halo, palette["halo"]), (dot, palette["dot"])):
            r = radius * s
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgb(colour))
    for label in placed:
        font = fonts.drawing(label.name)
        draw.text((label.x * s, label.baseline * s), label.name, font=font,
                  fill=_rgb(palette["label"]), anchor="ls",
                  stroke_width=max(1, round(style.text_halo_pt * px * s)),
                  stroke_fill=_rgb(palette["halo"]))

    # Drawn at `s` times the size and averaged down by blocks of s x s pixels: the box filter
    # is the anti-aliasing supersampling calls for, and 9x faster than a Lanczos resize.
    picture = canvas.reduce(s) if s > 1 else canvas
    return RasterMap(_png(picture, dpi), width, height, dpi, tuple(placed))


def _fill_even_odd(canvas: PILImage.Image, draw, rings: Sequence[Sequence[tuple[float, float]]],
                   colour: tuple[int, int, int]) -> None:
    """Fill `rings` (a shape's outer rings and holes, in no known order) by the even-odd rule:
    a point inside an odd number of rings is inside the shape. Rings that nest nowhere are
    filled directly; otherwise each is XORed into a mask of the shape's bounding box."""
    boxes = [_bbox(r) for r in rings]
    nested = any(i != j and _contains(a, b) for i, a in enumerate(boxes)
                 for j, b in enumerate(boxes))
    if not nested:
        for ring in rings:
            draw.polygon(ring, fill=colour)
        return
    from PIL import Image, ImageChops, ImageDraw

    x0 = int(min(b[0] for b in boxes))
    y0 = int(min(b[1] for b in boxes))
    x1 = int(max(b[2] for b in boxes)) + 2
    y1 = int(max(b[3] for b in boxes)) + 2
    mask = Image.new("1", (x1 - x0, y1 - y0), 0)
    for ring in rings:
        one = Image.new("1", mask.size, 0)
        ImageDraw.Draw(one).polygon([(x - x0, y - y0) for x, y in ring], fill=1)
        mask = ImageChops.logical_xor(mask, one)
    canvas.paste(colour, (x0, y0, x1, y1), mask)


def _bbox(ring: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _contains(a, b) -> bool:
    return a[0] <= b[0] and a[1] <= b[1] and b[2] <= a[2] and b[3] <= a[3]


class _Fonts:
    """The label faces at the supersampled size, and a measure in final pixels for
    `place_labels` (the same face that draws, so boxes and ink agree)."""

    def __init__(self, latin: Path | None, arabic: Path | None, size_px: float, s: int):
        self.latin, self.arabic, self.size, self.s = latin, arabic, size_px, s

    def drawing(self, text: str):
        arabic = has_arabic(text) and self.arabic is not None
        return _font(self.arabic if arabic else self.latin, round(self.size * self.s, 2),
                     arabic)

    def measure(self, text: str, size: float) -> float:
        arabic = has_arabic(text) and self.arabic is not None
        face = _font(self.arabic if arabic else self.latin, round(size * self.s, 2), arabic)
        return face.getlength(text) / self.s


@cache
def _font(path: Path | None, size: float, complex_layout: bool):
    """Latin names with the basic layout (no dependence on whether libraqm is installed);
    Arabic ones with raqm where present, which joins and orders the letters."""
    from PIL import ImageFont, features

    if path is None:
        return ImageFont.load_default(size)
    engine = (ImageFont.Layout.RAQM if complex_layout and features.check("raqm")
              else ImageFont.Layout.BASIC)
    return ImageFont.truetype(str(path), size, layout_engine=engine)


def _png(picture: PILImage.Image, dpi: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", dpi=(dpi, dpi), compress_level=COMPRESS_LEVEL,
                 optimize=False)
    return out.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


__all__ = ["DPI", "MapStyle", "RasterMap", "draw_map", "map_size_px", "render_map_png"]
