"""Shared fixtures: the sample brief, and a factory for brief variants written to tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "pmf-tillerson.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DISCLAIMER = (
    "The Middle East Institute (MEI) is an independent, non-partisan, non-for-profit, "
    "educational organization. It does not engage in advocacy and its scholars’ opinions are "
    "their own. MEI welcomes financial donations, but retains sole editorial control over its "
    "work and its publications reflect only the authors’ views."
)
DONOR_NOTE = "For a listing of MEI donors, please click here."
DONOR_URL = "https://mei.edu/policies/donor-policy"


@pytest.fixture
def sample_brief() -> Path:
    return SAMPLE


@pytest.fixture
def sample_data() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def write_brief(tmp_path: Path, sample_data: dict):
    """write_brief(name, **changes) -> path of a copy of the sample with top-level changes.

    A change of None removes the key.
    """

    def make(name: str = "brief", **changes) -> Path:
        return write_changed(tmp_path / f"{name}.yaml", sample_data, changes)

    return make


@pytest.fixture
def immutable(tmp_path):
    """make(folder): a folder even root cannot write into (chattr +i), undone afterwards."""
    made: list[Path] = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("needs chattr +i (root on a file system with immutable files)")
        made.append(folder)
        return folder

    yield make
    for folder in made:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture
def briefs(tmp_path: Path, sample_data: dict):
    """briefs(*names, **changes) writes variants of the sample into tmp_path/briefs, titled
    "Nightly brief NAME"; a name may be bytes (a file name that is not UTF-8)."""
    import os

    folder = tmp_path / "briefs"

    def make(*names: str | bytes, **changes) -> list[Path]:
        folder.mkdir(exist_ok=True)
        paths = []
        for name in names:
            shown = name if isinstance(name, str) else "with a bad name"
            data = dict(sample_data, title=f"Nightly brief {shown}")
            data.update(changes)
            path = Path(os.fsdecode(os.path.join(os.fsencode(folder),
                                                 os.fsencode(name) + b".yaml")))
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
            paths.append(path)
        return paths

    make.folder = folder
    return make


# ---------------------------------------------------------------------------------------------
# Briefs with pictures (format 1.1): key figures, a map, images, and a profile with a logo

KEY_FIGURES = [
    {"value": "3", "label": "Iran-aligned P.M.F. units named in the commentary",
     "source": "MEI, 2017"},
    {"value": "Nov. 2016", "label": "parliament makes the P.M.F. a separate military corps"},
]
IRAQ_MAP = {
    "country": "IQ",
    "places": [{"name": "Baghdad", "lat": 33.31, "lon": 44.37},
               {"name": "Basra", "lat": 30.51, "lon": 47.78},
               {"name": "Mosul", "lat": 36.34, "lon": 43.13},
               {"name": "Erbil", "lat": 36.19, "lon": 44.01}],
    "caption": "Iraq and its neighbours",
}


def make_picture(path: Path, width: int = 1200, height: int = 800, kind: str = "PNG",
                 colour: tuple[int, int, int] = (40, 90, 140)) -> Path:
    """A picture with some structure (a gradient and a band), so it compresses like a photo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        shade = int(255 * y / height)
        draw.rectangle((0, y, width, y + 7), fill=(colour[0], shade, 255 - shade))
    draw.rectangle((width // 4, height // 3, width // 2, height // 2), fill=(230, 200, 60))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=kind)
    return path


@pytest.fixture
def figure_brief(tmp_path: Path, sample_data: dict):
    """figure_brief(**changes) -> (brief path, templates folder): the sample with two key
    figures, a map of Iraq with four places, two pictures (a PNG and a JPEG) beside it, and an
    MEI profile with a logo in its own templates folder (pass it as `--templates`). A change of
    None removes the key; `logo=False` leaves the logo out."""

    def make(name: str = "figures", logo: bool = True, **changes) -> tuple[Path, Path]:
        return write_figure_brief(tmp_path, sample_data, name, logo, **changes)

    return make


def write_figure_brief(root: Path, base: dict, name: str = "figures", logo: bool = True,
                       **changes) -> tuple[Path, Path]:
    """The `figure_brief` fixture's work, in `root`, from the brief data `base` (the sample, or
    another brief such as the Arabic sample): (brief path, templates folder)."""
    folder = root / "with-figures"
    make_picture(folder / "images" / "ship.png", 1200, 800)
    make_picture(folder / "images" / "street.jpg", 900, 1200, "JPEG", (120, 60, 30))
    data = dict(base, key_figures=KEY_FIGURES, map=IRAQ_MAP, images=[
        {"path": "images/ship.png", "alt": "A patrol boat on the Shatt al-Arab",
         "caption": "Basra's waterway", "credit": "Photo: Test"},
        {"path": "images/street.jpg", "alt": "A street in Baghdad at dusk"},
    ])
    path = write_changed(folder / f"{name}.yaml", data, changes)
    templates = root / "templates"
    profile = templates / "mei"
    profile.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "templates" / "mei" / "profile.yaml").read_text(encoding="utf-8")
    if logo:
        make_picture(profile / "logo.png", 600, 200, colour=(15, 53, 87))
        text += "logo: logo.png\nlogo_alt: Middle East Institute\n"
    (profile / "profile.yaml").write_text(text, encoding="utf-8")
    return path, templates


# ---------------------------------------------------------------------------------------------
# Office outputs made once per session, for the validators and the accessibility checks

SAMPLE_AR = ROOT / "briefs" / "pmf-tillerson-ar.yaml"


def office_builds(root: Path) -> dict[str, dict[str, bytes]]:
    """name -> {"docx": bytes, "pptx": bytes} for the briefs whose Office files the validators
    and accessibility checks read: the samples in English and Arabic, a brief with every kind
    of figure (key figures, map, two pictures, the profile's logo) in English and in Arabic,
    and the sample built on reference files (python-docx's and python-pptx's own templates)."""


    from reportgen.pipeline import prepare, render

    def both(brief: Path, templates: Path | None = None) -> dict[str, bytes]:
        job = prepare(brief, templates)
        return {fmt: render(job, fmt).data for fmt in ("docx", "pptx")}

    english = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    arabic = yaml.safe_load(SAMPLE_AR.read_text(encoding="utf-8"))
    out = {"sample": both(SAMPLE), "sample-ar": both(SAMPLE_AR)}
    out["figures"] = both(*write_figure_brief(root / "en", english))
    out["figures-ar"] = both(*write_figure_brief(root / "ar", arabic, "figures-ar"))

    out["reference"] = both(SAMPLE, write_reference_templates(root / "reference"))
    return out


@pytest.fixture(scope="session")
def office_files(tmp_path_factory) -> dict[str, Path]:
    """"NAME.docx" / "NAME.pptx" -> the saved file, for every build of `office_builds`: made
    once per session and shared by the validator and accessibility tests."""
    root = tmp_path_factory.mktemp("office")
    files = {}
    for name, formats in office_builds(root / "briefs").items():
        for fmt, data in formats.items():
            path = root / f"{name}.{fmt}"
            path.write_bytes(data)
            files[path.name] = path
    return files


def write_reference_templates(root: Path) -> Path:
    """A templates folder under `root` whose MEI profile has a reference memo.docx (python-docx's
    default document) and deck.pptx (python-pptx's 4:3 default, one slide); its path."""
    import io

    import docx
    from pptx import Presentation

    profile = root / "templates" / "mei"
    profile.mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "mei" / "profile.yaml", profile / "profile.yaml")
    docx.Document().save(str(profile / "memo.docx"))
    deck = Presentation()  # 4:3, PowerPoint's standard layout names
    deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "A slide of the template"
    buf = io.BytesIO()
    deck.save(buf)
    (profile / "deck.pptx").write_bytes(buf.getvalue())
    return profile.parent


def office_to_pdf(data: bytes, folder: Path, name: str, suffix: str) -> Path:
    """A memo or deck (`suffix` docx or pptx) converted by LibreOffice, which sees the static
    fonts reportgen measured it with, through a private fontconfig: the cuts in the user cache
    and those shipped with reportgen (Noto Sans Arabic's, never in the cache on a new machine)."""
    import os
    import subprocess

    from reportgen.fonts import SHIPPED_DIR, cache_dir

    source = folder / f"{name}.{suffix}"
    source.write_bytes(data)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{cache_dir()}</dir><dir>{SHIPPED_DIR}</dir>"
        f"<cachedir>{folder / 'fc'}</cachedir></fontconfig>")
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=240,
                   env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    return folder / f"{name}.pdf"


def write_changed(path: Path, base: dict, changes: dict) -> Path:
    """`base` with top-level `changes` (None removes a key) written as YAML at `path`."""
    data = dict(base)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path
