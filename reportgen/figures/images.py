"""Read a brief's picture (or a profile's logo) once, safely, before any writer sees it.

A picture must stay inside the brief's folder (no absolute path, no `..`, no symbolic link
that leads out), be a regular file of at most 10 MB, be a PNG or a JPEG by its first bytes, and
say in its header that it has at most 25 megapixels; only then is it decoded, once, to prove
that the whole file is a picture (a truncated or corrupt file would otherwise crash a writer).
Pillow reads the header without decoding, so a 50,000 x 50,000 pixel PNG of a few kilobytes
(a decompression bomb) is refused in microseconds.

The writers embed the bytes found here, which are the file's own bytes except in two cases,
each re-encoded once, deterministically (same file, same bytes):

- a picture stored on its side with an EXIF orientation (2 to 8): Word, PowerPoint and PDF
  readers do not all honour that tag, so it is turned upright. A JPEG stays a JPEG (quality
  90, the photo's own chroma subsampling, its ICC profile, no EXIF): a lossless PNG of a
  4 MB, 20-megapixel photo was 32 MB and made a 65 MB PDF. A CMYK JPEG stays CMYK (see
  `_upright_jpeg`). A PNG stays a PNG.
- a PNG whose pixels the writers cannot embed faithfully (16-bit greyscale, which ReportLab
  draws white): it becomes an 8-bit greyscale PNG. 1-bit, 8-bit grey, grey with alpha,
  palette, RGB and RGBA PNGs pass through unchanged, and so do 16-bit colour ones (Pillow,
  hence ReportLab, reads them as 8-bit RGB or RGBA; Word and PowerPoint read them as they are).
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from reportgen.fsio import NotRegularFile, TooLarge, read_bounded

MAX_IMAGE_BYTES = 10_000_000
MAX_PIXELS = 25_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}

ImageKind = Literal["png", "jpeg"]

JPEG_QUALITY = 90  # of a photo re-encoded upright
_TURNED = range(2, 9)  # EXIF orientations other than "as stored" (1); others are ignored
# Pillow modes every writer embeds as they are (ReportLab decodes each faithfully; Word and
# PowerPoint read any PNG or JPEG). Anything else (16-bit grey: I;16, I) is made 8-bit.
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA"})
_JPEG_MODES = frozenset({"L", "RGB", "CMYK"})


@dataclass(frozen=True)
class ImageData:
    data: bytes
    kind: ImageKind
    width: int  # pixels
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def suffix(self) -> str:
        return ".png" if self.kind == "png" else ".jpg"


class ImageProblem(ValueError):
    """What is wrong with a picture, in words for the analyst (the caller adds the place)."""


def resolve_inside(folder: Path, relative: str) -> Path:
    """`relative` as a path inside `folder`, following links; ImageProblem if it leaves it."""
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or relative.startswith("~"):
        raise ImageProblem(f"{relative!r} is an absolute path; give a path relative to the "
                           "brief's folder, such as images/photo.jpg")
    if "\\" in relative:
        raise ImageProblem(f"{relative!r} uses '\\'; write paths with '/'")
    if ".." in posix.parts:
        raise ImageProblem(f"{relative!r} goes up out of the brief's folder with '..'; put the "
                           "picture in the brief's folder or below it")
    base = Path(os.path.realpath(folder))
    target = Path(os.path.realpath(base / posix))
    if target != base and base not in target.parents:
        raise ImageProblem(f"{relative!r} is a link that leads out of the brief's folder (to "
                           f"{target}); copy the picture into the folder instead")
    return target


def read_image(path: Path, shown: str, *, limit: int = MAX_IMAGE_BYTES) -> ImageData:
    """The picture at `path` (`shown` is how the message names it), checked as above."""
    try:
        data = read_bounded(path, limit)
    except FileNotFoundError:
        raise ImageProblem(f"{shown!r} does not exist") from None
    except TooLarge as exc:
        raise ImageProblem(f"{shown!r} is {exc.size:,} bytes; a picture may have at most "
                           f"{limit:,} (save it smaller, e.g. as a JPEG of 2,000 pixels "
                           "across)") from None
    except NotRegularFile as exc:
        raise ImageProblem(f"{shown!r} is {exc.kind}, not a picture file") from None
    except OSError as exc:
        raise ImageProblem(f"{shown!r} cannot be read ({exc.strerror or exc})") from None
    return check_image(data, shown)


def check_image(data: bytes, shown: str) -> ImageData:
    kind = next((k for magic, k in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise ImageProblem(f"{shown!r} is not a PNG or JPEG file (its first bytes say "
                           f"{data[:8]!r}); save it as PNG or JPEG")
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG" if kind == "png" else "JPEG"])
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise ImageProblem(
                    f"{shown!r} is {width:,} x {height:,} pixels; a picture may have at most "
                    f"{MAX_PIXELS // 1_000_000} megapixels (a print page needs about 2,000 "
                    "pixels across)")
            image.load()  # the whole file decodes: not truncated, not corrupt
            turn = image.getexif().get(0x0112, 1) in _TURNED
            if kind == "jpeg" and (turn or image.mode not in _JPEG_MODES):
                image, data = _upright_jpeg(image)
            elif kind == "png" and (turn or image.mode not in _PNG_MODES):
                image, data = _embeddable_png(image)
            width, height = image.size
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"{shown!r} says it has more than {MAX_PIXELS // 1_000_000} "
                           "megapixels (a decompression bomb, or a picture far larger than a "
                           "page needs); save it smaller") from None
    except UnidentifiedImageError:
        raise ImageProblem(f"{shown!r} starts like a {kind.upper()} but is not one; export "
                           "it again") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageProblem(f"{shown!r} starts like a {kind.upper()} but cannot be decoded "
                           f"({exc}); export it again") from None
    return ImageData(data, kind, width, height)  # type: ignore[arg-type]


def _upright_jpeg(image):
    """The photo turned upright, as a JPEG: (the new image, its bytes).

    Quality 90 and no optimisation pass keep the size near the input (a 4 MB photo at
    quality 85 becomes about 4.7 MB) and the bytes the same on every run. Chroma is subsampled
    as the photo was (4:2:0 when Pillow cannot tell): a 4:4:4 picture keeps its sharp colour
    edges. A CMYK JPEG (a print photo) stays CMYK, with 4:4:4 sampling (Pillow's 4:2:0 would
    halve the resolution of the magenta, yellow and black planes) and its ICC profile: turning
    it into RGB here would be a colour conversion without colour management, shifting its
    colours, while as CMYK an upright and a sideways print photo take the same path through
    every writer (ReportLab embeds it as a DeviceCMYK DCTDecode image; Word and PowerPoint show
    CMYK JPEGs).
    """
    from PIL import ImageOps, JpegImagePlugin

    if image.mode == "CMYK":
        sampling = 0
    else:
        sampling = JpegImagePlugin.get_sampling(image)
        sampling = sampling if sampling in (0, 1, 2) else 2
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in _JPEG_MODES:  # not met with Pillow's JPEG reader; stay safe
        upright = upright.convert("RGB")
    out = io.BytesIO()
    # No exif= argument: Pillow writes no EXIF (the orientation would turn it again).
    upright.save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=sampling,
                 icc_profile=icc, optimize=False, progressive=False)
    return upright, out.getvalue()


def _embeddable_png(image):
    """The picture upright and in a mode every writer embeds, as a PNG: (image, bytes)."""
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image)
    upright.info.pop("exif", None)
    if upright.mode not in _PNG_MODES:
        upright = _eight_bit(upright)
    out = io.BytesIO()
    upright.save(out, format="PNG", optimize=False)
    return upright, out.getvalue()


def _eight_bit(image):
    """A 16- or 32-bit greyscale picture as 8-bit grey (LA when one grey value was marked
    transparent); any other mode as RGB, or RGBA when it has alpha."""
    if image.mode.startswith("I"):  # I;16, I;16B, I: 16-bit PNG grey, 0..65535
        wide = image if image.mode == "I" else image.convert("I")
        grey = wide.point([v >> 8 for v in range(65536)], "L")
        clear = image.info.get("transparency")
        if isinstance(clear, int):
            alpha = wide.point([0 if v == clear else 255 for v in range(65536)], "L")
            grey = grey.convert("LA")
            grey.putalpha(alpha)
        return grey
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")
