"""Read a brief's picture (or a profile's logo) once, safely, before any writer sees it.

A picture must stay inside the brief's folder (no absolute path, no `..`, no symbolic link
that leads out), be a regular file of at most 10 MB, be a PNG or a JPEG by its first bytes, and
say in its header that it has at most 25 megapixels; only then is it decoded, once, to prove
that the whole file is a picture (a truncated or corrupt file would otherwise crash a writer).
Pillow reads the header without decoding, so a 50,000 x 50,000 pixel PNG of a few kilobytes
(a decompression bomb) is refused in microseconds. The writers embed the file's own bytes, except
for a photo stored on its side with an EXIF orientation: Word, PowerPoint and PDF readers do not
all honour that tag, so it is turned upright once here and kept as a lossless PNG.
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
            if image.getexif().get(0x0112, 1) != 1:
                data, kind = _upright(image), "png"
                width, height = Image.open(io.BytesIO(data)).size
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


def _upright(image) -> bytes:
    from PIL import ImageOps

    out = io.BytesIO()
    upright = ImageOps.exif_transpose(image)
    upright.info.pop("exif", None)
    upright.save(out, format="PNG", optimize=False)
    return out.getvalue()
