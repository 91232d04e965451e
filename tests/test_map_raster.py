"""The memo's locator map as a PNG (reportgen.figures.raster), read back with Pillow and by
walking the PNG's chunks: 300 dpi, the country's pixels in the primary colour where the
countryinfo polygon lies (projected here, not taken from the document), the sea outside,
labels clear of each other, and the same bytes every time."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import subprocess
import sys
import zlib

import pytest
import yaml
from PIL import Image

from reportgen.document.model import MapFigure
from reportgen.figures import countries, geo
from reportgen.figures.labels import overlaps
from reportgen.figures.raster import MapPictureCache, draw_map, map_pictures, render_map_png
from reportgen.fonts import family
from reportgen.pipeline import prepare
from reportgen.writers.colour import map_palette
from tests.conftest import IRAQ_MAP, ROOT

WIDTH = 900  # pixels: 3 in at 300 dpi


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    """The sample brief with the four places of the figures fixture."""
    data = yaml.safe_load((ROOT / "briefs" / "pmf-tillerson.yaml").read_text("utf-8"))
    path = tmp_path_factory.mktemp("raster") / "iraq.yaml"
    path.write_text(yaml.safe_dump(dict(data, map=IRAQ_MAP), allow_unicode=True), "utf-8")
    return prepare(path).document


@pytest.fixture(scope="module")
def iraq(document) -> MapFigure:
    assert document.map is not None and len(document.map.places) == 4
    return document.map


@pytest.fixture(scope="module")
def palette(document) -> dict[str, str]:
    return map_palette(document.look.colors)


@pytest.fixture(scope="module")
def font():
    return family("Source Sans 3").files["bold"]


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + data) == crc
        out.append((kind, data))
        at += 12 + length
    return out


# ---------------------------------------------------------------------------------------------
# Geometry, computed here from the package's outline


def projected_rings(code: str, figure: MapFigure) -> list[list[tuple[float, float]]]:
    """The country's outer rings from countryinfo, projected into the map's frame by a
    projection made afresh for the map's subject (frame units, unclipped)."""
    proj = geo.projection_for(countries.lookup(figure.country))
    country = countries.lookup(code)
    return [[proj.frame(lon, lat) for lon, lat in polygon[0]] for polygon in country.polygons]


def inside(point, ring) -> bool:
    x, y = point
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def distance_to_edges(point, ring) -> float:
    px, py = point
    best = float("inf")
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy)
                                                   / (dx * dx + dy * dy)))
        best = min(best, ((px - x0 - t * dx) ** 2 + (py - y0 - t * dy) ** 2) ** 0.5)
    return best


def reaches_frame(ring) -> bool:
    us, vs = [p[0] for p in ring], [p[1] for p in ring]
    return max(us) > 0 and min(us) < 1 and max(vs) > 0 and min(vs) < 1


def in_pixels(ring, width: int, height: int) -> list[tuple[float, float]]:
    return [(u * width, v * height) for u, v in ring]


def centroid(ring) -> tuple[float, float]:
    """The area centroid of a simple polygon (shoelace)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (3 * a), cy / (3 * a)


def grid(width: int, height: int, step: int = 15):
    for y in range(step, height - step, step):
        for x in range(step, width - step, step):
            yield (x + 0.5, y + 0.5)


# ---------------------------------------------------------------------------------------------


def test_the_map_png_is_300_dpi_by_its_phys_chunk_and_holds_no_text_or_time(iraq, palette,
                                                                           font):
    png = render_map_png(iraq, palette, WIDTH, font)
    found = chunks(png)
    kinds = [k for k, _ in found]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"} & set(kinds)
    [phys] = [d for k, d in found if k == b"pHYs"]
    x_per_metre, y_per_metre, unit = struct.unpack(">IIB", phys)
    assert unit == 1  # metres
    assert round(x_per_metre * 0.0254) == round(y_per_metre * 0.0254) == 300


def test_a_map_drawn_again_comes_from_the_bounded_cache_with_the_same_bytes(iraq, palette,
                                                                             font):
    map_pictures.cache_clear()
    first = render_map_png(iraq, palette, WIDTH, font)
    again = render_map_png(iraq, dict(reversed(palette.items())), WIDTH, font)
    assert again is first and map_pictures.cache_info().hits == 1
    assert first == draw_map(iraq, palette, WIDTH, font).png
    # anything drawn differently is drawn anew: other places, width, colours, label size
    others = [render_map_png(dataclasses.replace(iraq, places=iraq.places[:1]), palette,
                             WIDTH, font),
              render_map_png(iraq, palette, WIDTH - 100, font),
              render_map_png(iraq, dict(palette, sea="#ffffff"), WIDTH, font)]
    assert len({first, *others}) == 4
    assert map_pictures.cache_info().maxsize == 8
    for width in range(WIDTH - 30, WIDTH - 20):
        render_map_png(iraq, palette, width, font)
    assert map_pictures.cache_info().currsize == 8


def test_the_picture_is_as_wide_as_asked_and_shaped_like_the_frame(iraq, palette, font):
    with Image.open(io.BytesIO(render_map_png(iraq, palette, WIDTH, font))) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.width == WIDTH
        assert image.height == round(WIDTH / iraq.aspect)


def test_the_country_is_primary_where_its_polygon_is_and_the_sea_is_sea_outside(iraq, palette,
                                                                                 font):
    bare = dataclasses.replace(iraq, places=())  # no dots or names over the fills
    with Image.open(io.BytesIO(render_map_png(bare, palette, WIDTH, font))) as image:
        image = image.convert("RGB")
        width, height = image.size
        [iraq_ring] = [in_pixels(r, width, height) for r in projected_rings("IQ", iraq)]
        middle = centroid(iraq_ring)
        assert inside(middle, iraq_ring)
        assert image.getpixel(middle) == rgb(palette["country"])

        land_rings = [in_pixels(r, width, height) for c in countries.everyone()
                      for r in projected_rings(c.alpha2, iraq) if reaches_frame(r)]
        inner, sea = [], []
        for point in grid(width, height):
            if inside(point, iraq_ring) and distance_to_edges(point, iraq_ring) > 6:
                inner.append(point)
            elif not any(inside(point, r) for r in land_rings) and \
                    min(distance_to_edges(point, r) for r in land_rings) > 6:
                sea.append(point)
        assert len(inner) > 300 and len(sea) > 20  # the Gulf and the Caspian's edge
        assert {image.getpixel(p) for p in inner} == {rgb(palette["country"])}
        assert {image.getpixel(p) for p in sea} == {rgb(palette["sea"])}


def test_the_neighbours_are_in_the_region_tint(iraq, palette, font):
    bare = dataclasses.replace(iraq, places=())
    with Image.open(io.BytesIO(render_map_png(bare, palette, WIDTH, font))) as image:
        width, height = image.size
        ring = max((in_pixels(r, width, height) for r in projected_rings("IR", iraq)),
                   key=len)
        points = [p for p in grid(width, height)
                  if inside(p, ring) and distance_to_edges(p, ring) > 6]
        assert len(points) > 50
        assert {image.convert("RGB").getpixel(p) for p in points} == {rgb(palette["region"])}


def test_a_hole_in_a_shape_shows_what_lies_under_it(palette, font):
    """Even-odd filling: a country with an enclave (South Africa around Lesotho, say) leaves
    the enclave in the colour drawn before it."""
    square = ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8))
    hole = ((0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6))
    land = geo.Shape("land", "AA", (((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)),))
    figure = MapFigure("ZZ", "Zedland", 1.0, (land, geo.Shape("country", "ZZ", (hole, square))),
                       (), None, "", "", 1, "Figure 1")
    with Image.open(io.BytesIO(render_map_png(figure, palette, 300, font))) as image:
        image = image.convert("RGB")
        assert image.getpixel((150, 150)) == rgb(palette["land"])  # the hole
        assert image.getpixel((90, 150)) == rgb(palette["country"])  # the ring around it
        assert image.getpixel((30, 150)) == rgb(palette["land"])


def test_place_names_sit_beside_their_dots_without_overlapping(iraq, palette, font):
    drawn = draw_map(iraq, palette, WIDTH, font)
    labels = drawn.labels
    assert [label.name for label in labels] == ["Baghdad", "Basra", "Mosul", "Erbil"]
    assert all(label.clear for label in labels)
    for i, a in enumerate(labels):
        x0, y0, x1, y1 = a.box
        assert 0 <= x0 < x1 <= drawn.width and 0 <= y0 < y1 <= drawn.height
        for b in labels[i + 1:]:
            assert not overlaps(a.box, b.box), (a.name, b.name)
        for b in labels:  # no name covers a dot, its own or another's
            dx, dy = b.dot
            assert not (x0 <= dx <= x1 and y0 <= dy <= y1)
    with Image.open(io.BytesIO(drawn.png)) as image:
        image = image.convert("RGB")
        ink = rgb(palette["label"])
        for label in labels:  # the name's letters are where its box says
            box = tuple(round(c) for c in label.box)
            data = image.crop(box).tobytes()
            pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
            dark = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, ink,
                                                                           strict=True)) < 24)
            assert dark > 30, label.name
        for place in iraq.places:  # each dot in the accent colour
            assert image.getpixel((place.u * drawn.width, place.v * drawn.height)) == \
                rgb(palette["dot"])


def test_the_same_map_gives_the_same_bytes_in_another_process(iraq, palette, font,
                                                              tmp_path):
    png = render_map_png(iraq, palette, WIDTH, font)
    assert render_map_png(iraq, palette, WIDTH, font) == png
    script = (
        "import hashlib, sys, yaml\n"
        "from reportgen.pipeline import prepare\n"
        "from reportgen.figures.raster import render_map_png\n"
        "from reportgen.fonts import family\n"
        "from reportgen.writers.colour import map_palette\n"
        "doc = prepare(sys.argv[1]).document\n"
        f"png = render_map_png(doc.map, map_palette(doc.look.colors), {WIDTH},\n"
        "                     family('Source Sans 3').files['bold'])\n"
        "print(hashlib.sha256(png).hexdigest())\n")
    data = yaml.safe_load((ROOT / "briefs" / "pmf-tillerson.yaml").read_text("utf-8"))
    brief = ROOT / "briefs" / "pmf-tillerson.yaml"
    assert data["map"]["country"] == "IQ"
    sample = prepare(brief).document
    local = render_map_png(sample.map, map_palette(sample.look.colors), WIDTH, font)
    # an empty cache: the other process draws the map itself rather than reading ours
    env = dict(os.environ, PYTHONHASHSEED="12345", REPORTGEN_CACHE=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script, str(brief)], capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env, timeout=120)
    assert out.stdout.strip() == hashlib.sha256(local).hexdigest()


def _picture(cache: MapPictureCache, figure: MapFigure, palette, font, width: int = 300):
    return cache.picture(figure, tuple(sorted(palette.items())), width, font, ())


def test_map_pictures_are_kept_on_disk_between_processes_and_checked(iraq, palette, font,
                                                                      tmp_path):
    drawn = draw_map(iraq, palette, 300, font).png
    first = MapPictureCache(tmp_path)
    assert _picture(first, iraq, palette, font) == drawn and first.misses == 1
    (kept,) = tmp_path.glob("map-*.png")
    assert kept.read_bytes() == drawn and kept.with_name(kept.name + ".sha256").is_file()
    later = MapPictureCache(tmp_path)  # another process, another night
    assert _picture(later, iraq, palette, font) == drawn and later.hits == 1
    # the caption is not in the picture: the same file
    _picture(later, dataclasses.replace(iraq, caption="Another caption"), palette, font)
    assert later.hits == 2
    # a damaged file is drawn again, and replaced
    kept.write_bytes(drawn[:-10])
    assert _picture(later, iraq, palette, font) == drawn and later.misses == 1
    assert kept.read_bytes() == drawn


def test_anything_the_pixels_depend_on_names_another_picture(iraq, palette, font):
    regular = family("Source Sans 3").files["regular"]
    args = (tuple(sorted(palette.items())), 300, font, ())
    key = MapPictureCache.key(iraq, *args)
    assert len({key,
                MapPictureCache.key(dataclasses.replace(iraq, places=iraq.places[:1]), *args),
                MapPictureCache.key(iraq, tuple(sorted(dict(palette, sea="#ffffff").items())),
                                    300, font, ()),
                MapPictureCache.key(iraq, args[0], 301, font, ()),
                MapPictureCache.key(iraq, args[0], 300, regular, ()),
                MapPictureCache.key(iraq, args[0], 300, font, (("dpi", 150),))}) == 6


def test_the_disk_cache_is_bounded_and_a_read_only_one_only_costs_the_drawing(
        iraq, palette, font, tmp_path):
    cache = MapPictureCache(tmp_path / "maps", keep=2)
    for width in (200, 201, 202):
        _picture(cache, iraq, palette, font, width)
    assert len(list((tmp_path / "maps").glob("map-*.png"))) == 2
    assert len(list((tmp_path / "maps").glob("*.sha256"))) == 2
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    refused = MapPictureCache(blocked / "maps")
    assert _picture(refused, iraq, palette, font) == draw_map(iraq, palette, 300, font).png


def test_an_entry_that_cannot_be_removed_does_not_stop_the_pruning(iraq, palette, font,
                                                                   tmp_path):
    folder = tmp_path / "maps"
    (folder / "map-0000.png").mkdir(parents=True)  # in the way: unlink refuses a folder
    os.utime(folder / "map-0000.png", (0, 0))
    (folder / "map-1111.png.sha256").write_text("0" * 64 + "  map-1111.png\n")  # orphan
    cache = MapPictureCache(folder, keep=2)
    for width in (200, 201, 202, 203):
        _picture(cache, iraq, palette, font, width)
    pictures = [p for p in folder.glob("map-*.png") if p.is_file()]
    assert len(pictures) <= 2
    assert not (folder / "map-1111.png.sha256").exists()
    assert all(r.with_name(r.name.removesuffix(".sha256")).exists()
               for r in folder.glob("*.sha256"))


def test_a_font_that_cannot_be_read_is_not_kept_under_another_fonts_name(iraq, palette,
                                                                         tmp_path):
    args = (tuple(sorted(palette.items())), 300)
    assert MapPictureCache.key(iraq, *args, tmp_path / "missing.ttf", ()) is None
    assert MapPictureCache.key(iraq, *args, tmp_path, ()) is None  # a folder
    assert MapPictureCache.key(iraq, *args, None, ()) is not None  # Pillow's own font
    cache = MapPictureCache(tmp_path / "maps")
    with pytest.raises(OSError):  # drawing says what is wrong; nothing is kept
        _picture(cache, iraq, palette, tmp_path / "missing.ttf")
    assert not list((tmp_path / "maps").glob("map-*"))
