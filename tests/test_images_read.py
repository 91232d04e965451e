"""Pictures as the writers get them: a photo stored on its side is turned upright and stays a
JPEG of about its own size; 16-bit greyscale becomes 8-bit; the PNG and JPEG modes every
writer embeds pass through byte for byte; a CMYK JPEG stays CMYK. The PDFs are opened with
pypdf (and the 16-bit case drawn with pdfium), not with ReportLab, which wrote them."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.figures.images import check_image
from reportgen.pipeline import prepare, render

ORIENTATION = 0x0112


def exif_bytes(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()


def srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def marked_photo(width: int, height: int, mode: str = "RGB", **save) -> bytes:
    """make_picture's photo-like gradient with a black square in the stored top-left corner,
    so where that corner went shows which way the picture was turned."""
    from PIL import Image, ImageDraw

    buffer = io.BytesIO()
    picture = Image.new("RGB", (width, height), (40, 90, 140))
    draw = ImageDraw.Draw(picture)
    for y in range(0, height, 8):
        shade = int(255 * y / height)
        draw.rectangle((0, y, width, y + 7), fill=(40, shade, 255 - shade))
    draw.rectangle((0, 0, width // 8, height // 8), fill=(0, 0, 0))
    picture.convert(mode).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def opened(data: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def dark(pixel) -> bool:
    """A pixel of the black marker: near black in RGB, near full ink in CMYK."""
    if len(pixel) == 4:
        return sum(pixel) > 700
    return sum(pixel) < 90


def pdf_images(pdf: bytes) -> list[dict]:
    """Every image XObject of the PDF: filters, size, colour space, stream length, object."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for name in xobjects:
            obj = xobjects[name].get_object()
            if obj.get("/Subtype") != "/Image":
                continue
            filters = obj.get("/Filter")
            filters = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)]
            found.append({"filters": filters, "size": (obj["/Width"], obj["/Height"]),
                          "colour": str(obj.get("/ColorSpace")), "length": len(obj._data),
                          "object": obj})
    return found


def photo_brief(figure_brief, data: bytes) -> Path:
    """The figure brief, without the map, with one picture (the one-pager shows only the
    first): street.jpg, holding `data`."""
    brief, _ = figure_brief(map=None, logo=False, images=[
        {"path": "images/street.jpg", "alt": "A street in Baghdad at dusk"}])
    (brief.parent / "images" / "street.jpg").write_bytes(data)
    return brief


# ---------------------------------------------------------------------------------------------
# A photo on its side: upright, still a JPEG, about its own size


def test_a_sideways_jpeg_is_turned_upright_and_stays_a_jpeg_of_about_its_size():
    source = marked_photo(1200, 800, quality=85, exif=exif_bytes(6), icc_profile=srgb_icc())
    image = check_image(source, "side.jpg")
    assert (image.kind, image.width, image.height) == ("jpeg", 800, 1200)
    assert image.data.startswith(b"\xff\xd8\xff")
    assert len(image.data) < 1.6 * len(source)  # a lossless PNG of it is over 3 times larger
    upright = opened(image.data)
    assert upright.format == "JPEG" and upright.size == (800, 1200)
    # Orientation 6 shows the stored picture turned 90 degrees clockwise: the stored top-left
    # corner is now at the top right.
    assert dark(upright.getpixel((800 - 20, 20))) and not dark(upright.getpixel((20, 20)))
    assert ORIENTATION not in upright.getexif() and "exif" not in upright.info
    assert upright.info.get("icc_profile") == srgb_icc()
    assert check_image(source, "side.jpg").data == image.data  # same file, same bytes


@pytest.mark.parametrize("orientation, size, corner", [
    (3, (1200, 800), (1200 - 20, 800 - 20)),  # turned 180 degrees: bottom right
    (8, (800, 1200), (20, 1200 - 20)),  # turned 90 degrees anticlockwise: bottom left
])
def test_every_turn_is_undone(orientation, size, corner):
    image = check_image(marked_photo(1200, 800, exif=exif_bytes(orientation)), "p.jpg")
    upright = opened(image.data)
    assert image.kind == "jpeg" and upright.size == size == (image.width, image.height)
    assert dark(upright.getpixel(corner))


@pytest.mark.parametrize("orientation", [1, 0, 9])
def test_a_jpeg_upright_or_with_a_meaningless_orientation_is_embedded_as_it_is(orientation):
    source = marked_photo(300, 200, exif=exif_bytes(orientation))
    assert check_image(source, "p.jpg").data == source


def test_the_pdf_embeds_the_turned_photo_as_an_upright_jpeg(figure_brief):
    source = marked_photo(900, 1200, quality=85, exif=exif_bytes(6))
    job = prepare(photo_brief(figure_brief, source))
    pdf = render(job, "pdf").data
    jpegs = [i for i in pdf_images(pdf) if "/DCTDecode" in i["filters"]]
    assert [i["size"] for i in jpegs] == [(1200, 900)], pdf_images(pdf)
    # The stream is the JPEG (ASCII85-wrapped by ReportLab at most: 5 bytes for 4), not
    # pixels: a 1200 x 900 RGB raster is 3.2 MB.
    assert jpegs[0]["length"] < 1.3 * 1.6 * len(source)
    embedded = opened(jpegs[0]["object"].get_data())
    assert embedded.format == "JPEG" and embedded.size == (1200, 900)
    assert dark(embedded.getpixel((1200 - 20, 20)))


def test_a_sideways_png_is_turned_upright_and_stays_a_png():
    from PIL import Image

    buffer = io.BytesIO()
    stored = Image.new("RGB", (60, 30), (200, 30, 30))
    stored.putpixel((0, 0), (0, 0, 0))
    stored.save(buffer, format="PNG", exif=exif_bytes(6))
    image = check_image(buffer.getvalue(), "side.png")
    upright = opened(image.data)
    assert (image.kind, upright.format, upright.size) == ("png", "PNG", (30, 60))
    assert upright.getpixel((29, 0)) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Pixel formats: 16-bit grey is made 8-bit; what every writer embeds passes through


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def grey16_png(width: int = 64, height: int = 16, value=lambda x: 100 * 257,
               extra: bytes = b"") -> bytes:
    """A 16-bit greyscale PNG (Pillow opens it as mode I;16), written byte by byte."""
    row = b"\0" + b"".join(struct.pack(">H", value(x)) for x in range(width))
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra
            + _chunk(b"IDAT", zlib.compress(row * height)) + _chunk(b"IEND", b""))


def test_a_16_bit_grey_png_becomes_8_bit_grey_with_the_same_tones():
    assert opened(grey16_png()).mode.startswith("I")  # what the writers could not embed
    ramp = grey16_png(value=lambda x: x * 65535 // 63)
    image = check_image(ramp, "scan.png")
    grey = opened(image.data)
    assert (image.kind, grey.format, grey.mode, grey.size) == ("png", "PNG", "L", (64, 16))
    assert [grey.getpixel((x, 0)) for x in (0, 32, 63)] == [0, 130, 255]
    assert check_image(ramp, "scan.png").data == image.data


def test_a_16_bit_grey_png_keeps_its_transparent_grey_as_alpha():
    clear = grey16_png(value=lambda x: 0 if x < 8 else 50_000,
                       extra=_chunk(b"tRNS", struct.pack(">H", 0)))
    grey = opened(check_image(clear, "scan.png").data)
    assert grey.mode == "LA"
    assert grey.getpixel((0, 0)) == (0, 0) and grey.getpixel((20, 0)) == (195, 255)


def test_a_16_bit_grey_png_is_grey_not_white_in_the_pdf(figure_brief):
    import pypdfium2

    brief, _ = figure_brief(map=None, logo=False)
    (brief.parent / "images" / "ship.png").write_bytes(grey16_png(1200, 800))
    pdf = render(prepare(brief), "pdf").data
    pictures = [i for i in pdf_images(pdf) if i["size"] == (1200, 800)]
    assert pictures and all(i["colour"] == "/DeviceGray" for i in pictures), pdf_images(pdf)
    drawn = pypdfium2.PdfDocument(pdf)
    try:
        for page in drawn:
            for obj in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]):
                if tuple(obj.get_px_size()) == (1200, 800):
                    pixels = obj.get_bitmap(render=False).to_pil().convert("L")
                    assert pixels.getpixel((600, 400)) == 100  # 100 * 257 of 65535: not white
                    return
    finally:
        drawn.close()
    raise AssertionError("the 16-bit picture is not in the PDF")


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _embeddable_pngs() -> dict[str, bytes]:
    from PIL import Image

    rgb = Image.new("RGB", (40, 30), (200, 30, 30))
    return {"1": _png(Image.new("1", (40, 30), 1)), "L": _png(Image.new("L", (40, 30), 100)),
            "LA": _png(Image.new("LA", (40, 30), (100, 128))), "P": _png(rgb.convert("P")),
            "RGB": _png(rgb), "RGBA": _png(Image.new("RGBA", (40, 30), (200, 30, 30, 128)))}


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_a_png_every_writer_embeds_passes_through_unchanged(mode):
    data = _embeddable_pngs()[mode]
    assert opened(data).mode == mode
    assert check_image(data, "p.png").data == data


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_reportlab_draws_each_png_mode_passed_through_with_its_colours(mode):
    """Why those modes pass through: the PDF shows them as Pillow reads them."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    data = _embeddable_pngs()[mode]
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(40, 30))
    page.drawImage(ImageReader(io.BytesIO(data)), 0, 0, 40, 30, mask="auto")
    page.showPage()
    page.save()
    drawn = pypdfium2.PdfDocument(out.getvalue())
    try:
        shown = drawn[0].render(scale=1).to_pil().convert("RGB").getpixel((20, 15))
    finally:
        drawn.close()
    source = opened(data)
    expected = source.convert("RGBA").getpixel((20, 15))
    alpha = expected[3] / 255
    expected = tuple(round(c * alpha + 255 * (1 - alpha)) for c in expected[:3])  # on white
    assert all(abs(a - b) <= 12 for a, b in zip(shown, expected, strict=True)), (shown, expected)


# ---------------------------------------------------------------------------------------------
# CMYK JPEGs (print photos)


def test_a_sideways_cmyk_jpeg_is_turned_upright_and_stays_a_cmyk_jpeg():
    source = marked_photo(600, 400, "CMYK", quality=90, exif=exif_bytes(6))
    image = check_image(source, "print.jpg")
    upright = opened(image.data)
    assert (image.kind, upright.format, upright.mode, upright.size) == (
        "jpeg", "JPEG", "CMYK", (400, 600))
    assert dark(upright.getpixel((400 - 20, 20))) and not dark(upright.getpixel((20, 20)))
    assert ORIENTATION not in upright.getexif()
    # The ink planes are not subsampled: the colours of the stored photo come back.
    stored = opened(source).rotate(-90, expand=True)
    for x, y in ((200, 300), (100, 500), (350, 100)):
        assert all(abs(a - b) <= 8 for a, b in zip(upright.getpixel((x, y)),
                                                  stored.getpixel((x, y)), strict=True))


def test_a_cmyk_jpeg_renders_into_the_pdf_as_a_cmyk_jpeg(figure_brief):
    upright = marked_photo(1200, 900, "CMYK", quality=90)
    sideways = marked_photo(900, 1200, "CMYK", quality=90, exif=exif_bytes(8))
    assert check_image(upright, "print.jpg").data == upright
    for data in (upright, sideways):
        pdf = render(prepare(photo_brief(figure_brief, data)), "pdf").data
        cmyk = [i for i in pdf_images(pdf) if i["colour"] == "/DeviceCMYK"]
        assert len(cmyk) == 1 and "/DCTDecode" in cmyk[0]["filters"], pdf_images(pdf)
        assert cmyk[0]["size"] == (1200, 900)
        assert opened(cmyk[0]["object"].get_data()).mode == "CMYK"
