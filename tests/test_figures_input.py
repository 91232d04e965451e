"""Brief format 1.1 input: key figures, maps and pictures are validated where they are written;
hostile pictures are refused with positioned errors, exit 1 and nothing written."""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reportgen.brief import load_brief
from reportgen.cli import app
from reportgen.errors import InputError
from reportgen.pipeline import prepare
from tests.conftest import IRAQ_MAP, make_picture
from tests.test_authoring import _run_watch, _wait_for

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def errors_of(path: Path, templates: Path | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        prepare(path, templates)
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def load_errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_brief(path)
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height pixels, a few hundred bytes in all."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 4096, 9)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------------------
# The model: format 1.1 fields


def test_a_version_1_brief_is_a_valid_1_1_brief_with_no_pictures(sample_brief, write_brief):
    document = prepare(write_brief(map=None)).document
    assert document.key_figures == () and document.map is None and document.images == ()
    assert document.logo is None and document.picture_bytes() == []


def test_a_country_name_gets_its_code_suggested(write_brief):
    errors = load_errors(write_brief(map={"country": "Yemen"}))
    assert len(errors) == 1 and "map.country" in errors[0] and errors[0].endswith("use YE")


@pytest.mark.parametrize("code, expected", [("iq", "IQ"), ("IRQ", "IQ"), ("yem", "YE")])
def test_country_codes_are_alpha_2_or_alpha_3_in_any_case(write_brief, code, expected):
    brief = load_brief(write_brief(map={"country": code})).brief
    assert brief.map.country == expected


def test_unknown_codes_and_countries_without_outline_are_refused_at_their_key(write_brief):
    errors = load_errors(write_brief(map={"country": "BH", "region": ["SA", "XX"]}))
    assert any("map.country" in e and "no outline of Bahrain" in e for e in errors)
    assert any("map.region[1]" in e and "'XX' is not an ISO 3166-1" in e for e in errors)


def test_a_place_off_the_globe_or_outside_the_map_is_refused_where_it_is(write_brief):
    errors = load_errors(write_brief(map={"country": "IQ", "places": [
        {"name": "Nowhere", "lat": 91, "lon": 44}]}))
    assert errors == [e for e in errors if "map.places[0].lat" in e] and errors
    path = write_brief(map={"country": "IQ", "places": [
        {"name": "Baghdad", "lat": 33.31, "lon": 44.37},
        {"name": "Riyadh", "lat": 24.71, "lon": 46.68}]})
    errors = errors_of(path)
    assert len(errors) == 1 and "map.places[1]" in errors[0]
    assert "Riyadh (24.71, 46.68) lies outside the map of Iraq" in errors[0]


def test_key_figures_are_bounded_and_one_line(write_brief):
    errors = load_errors(write_brief(key_figures=[
        {"value": "1234567890123", "label": "too long a value"},
        {"value": "5", "label": "x" * 91},
        {"value": "5", "label": "two\nlines"}]))
    assert any("key_figures[0].value" in e and "at most 12 allowed" in e for e in errors)
    assert any("key_figures[1].label" in e and "at most 90 allowed" in e for e in errors)
    assert any("key_figures[2].label" in e and "one line" in e for e in errors)
    errors = load_errors(write_brief(key_figures=[{"value": str(i), "label": "n"}
                                                  for i in range(5)]))
    assert any("key_figures" in e and "at most 4" in e for e in errors)


def test_an_image_needs_alt_text_and_at_most_three_are_allowed(write_brief):
    errors = load_errors(write_brief(images=[{"path": "a.png"}]))
    assert any("images[0].alt" in e and "required" in e for e in errors)
    errors = load_errors(write_brief(images=[{"path": "a.png", "alt": "a"}] * 4))
    assert any("images" in e and "at most 3" in e for e in errors)


def test_the_schema_describes_the_new_fields(tmp_path):
    from reportgen.authoring.schema import brief_schema, undocumented_fields

    schema = brief_schema()
    assert {"key_figures", "map", "images"} <= set(schema["properties"])
    assert undocumented_fields(schema) == []
    assert schema["$defs"]["KeyFigure"]["properties"]["value"]["maxLength"] == 12


# ---------------------------------------------------------------------------------------------
# Hostile pictures: positioned errors, exit 1, nothing written


def _brief_with_image(folder: Path, sample_data: dict, path: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = dict(sample_data, images=[{"path": path, "alt": "A picture"}])
    brief = folder / "brief.yaml"
    brief.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                     encoding="utf-8")
    return brief


def _line_col_of_path(brief: Path) -> str:
    for number, line in enumerate(brief.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("- path:"):
            return f"{number}:{line.index('path:') + 7}"
    raise AssertionError("no path line")


HOSTILE = {
    "traversal": ("../outside.png", "goes up out of the brief's folder"),
    "absolute": ("/etc/passwd", "absolute path"),
    "home": ("~/photo.png", "absolute path"),
    "backslash": ("images\\a.png", "uses '\\'"),
    "symlink-out": ("images/link.png", "a link that leads out of the brief's folder"),
    "text-as-png": ("images/fake.png", "starts like a PNG but is not one"),
    "not-a-picture": ("images/notes.png", "is not a PNG or JPEG file"),
    "bomb": ("images/bomb.png", "megapixels"),
    "over-25-mp": ("images/big.png", "megapixels"),
    "missing": ("images/missing.png", "does not exist"),
    "folder": ("images", "is a folder"),
    "fifo": ("images/pipe.png", "named pipe"),
    "truncated": ("images/cut.png", "cannot be decoded"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_picture_is_refused_at_its_path_and_nothing_is_written(
        tmp_path, sample_data, case):
    folder = tmp_path / "brief"
    images = folder / "images"
    images.mkdir(parents=True)
    make_picture(tmp_path / "outside.png", 40, 30)
    os.symlink(tmp_path / "outside.png", images / "link.png")
    (images / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\nthis is a text file, not a picture")
    (images / "notes.png").write_text("# meeting notes\n", encoding="utf-8")
    (images / "bomb.png").write_bytes(png_bomb(50_000, 50_000))
    (images / "big.png").write_bytes(png_bomb(6_000, 5_000))  # 30 MP, under Pillow's limit
    os.mkfifo(images / "pipe.png")
    whole = make_picture(images / "whole.png", 300, 200).read_bytes()
    (images / "cut.png").write_bytes(whole[: len(whole) // 2])
    relative, expected = HOSTILE[case]
    brief = _brief_with_image(folder, sample_data, relative)
    out = tmp_path / "out"
    started = time.perf_counter()
    for command in ("pdf", "docx", "pptx", "validate"):
        result = invoke(command, brief, *(("--out", out) if command != "validate" else ()))
        assert result.exit_code == 1, (command, result.output)
        message = result.output + (result.stderr or "")
        where = f"{brief}:{_line_col_of_path(brief)}: "
        assert where + "images[0].path: " in message or \
            where + "error: images[0].path: " in message, message
        assert expected in message, message
        assert "Traceback" not in message
    assert time.perf_counter() - started < 10
    assert not out.exists() or not any(out.iterdir())


def test_a_link_inside_the_folder_is_followed(tmp_path, sample_data):
    folder = tmp_path / "brief"
    make_picture(folder / "assets" / "real.png", 60, 40)
    (folder / "images").mkdir()
    os.symlink(folder / "assets" / "real.png", folder / "images" / "alias.png")
    brief = _brief_with_image(folder, sample_data, "images/alias.png")
    assert prepare(brief).document.images[0].image.width == 60


def test_a_photo_stored_on_its_side_is_turned_upright(tmp_path, sample_data):
    from PIL import Image

    folder = tmp_path / "brief"
    folder.mkdir()
    image = Image.new("RGB", (80, 40), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to show
    image.save(folder / "side.jpg", format="JPEG", exif=exif.tobytes())
    picture = prepare(_brief_with_image(folder, sample_data, "side.jpg")).document.images[0]
    assert (picture.image.kind, picture.image.width, picture.image.height) == ("jpeg", 40, 80)
    upright = Image.open(__import__("io").BytesIO(picture.image.data))
    assert (upright.format, upright.size) == ("JPEG", (40, 80))


def test_a_bad_logo_is_an_error_in_the_profile(figure_brief):
    brief, templates = figure_brief()
    profile = templates / "mei" / "profile.yaml"
    (templates / "mei" / "logo.png").write_bytes(png_bomb(50_000, 50_000))
    errors = errors_of(brief, templates)
    assert any(str(profile) in e and "logo: " in e and "megapixels" in e for e in errors)
    make_picture(templates / "mei" / "logo.png", 60, 20, kind="JPEG")
    errors = errors_of(brief, templates)
    assert any("logo: " in e and "a logo is a PNG" in e for e in errors)


def test_every_picture_problem_is_listed_at_once(tmp_path, sample_data):
    folder = tmp_path / "brief"
    folder.mkdir()
    data = dict(sample_data, images=[{"path": "../a.png", "alt": "a"},
                                     {"path": "b.png", "alt": "b"}],
                map=dict(IRAQ_MAP, places=[{"name": "Paris", "lat": 48.85, "lon": 2.35}]))
    brief = folder / "b.yaml"
    brief.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = invoke("validate", brief)
    assert result.exit_code == 1
    for key in ("images[0].path", "images[1].path", "map.places[0]"):
        assert f"error: {key}: " in result.output, result.output


# ---------------------------------------------------------------------------------------------
# Builds: picture bytes are part of the fingerprint


def test_an_edited_picture_rebuilds_the_brief(figure_brief, tmp_path):
    import json

    brief, templates = figure_brief()
    out = tmp_path / "out"

    def build() -> dict:
        result = invoke("build", brief.parent, "--out", out, "--templates", templates,
                        "--formats", "pdf", "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        return {o["format"]: o["status"] for b in report["briefs"] for o in b["outputs"]}

    assert build() == {"pdf": "built"}
    assert build() == {"pdf": "skipped"}
    make_picture(brief.parent / "images" / "street.jpg", 900, 1200, "JPEG", (10, 200, 30))
    assert build() == {"pdf": "built"}
    assert build() == {"pdf": "skipped"}
    make_picture(templates / "mei" / "logo.png", 600, 200, colour=(200, 0, 0))
    assert build() == {"pdf": "built"}


def test_validate_says_the_one_pager_shows_only_the_first_image(figure_brief):
    brief, templates = figure_brief(situation="One line.", actors=[{"name": "A"}],
                                    outlook="Soon.", sources=None)
    result = invoke("validate", "--templates", templates, brief)
    assert result.exit_code == 0, result.output
    line = brief.read_text(encoding="utf-8").splitlines().index(
        "- path: images/street.jpg") + 1
    assert (f"{brief}:{line}:3: info: images[1]: the one-pager has room for one image: it "
            "shows the first; the memo and the deck show all 2") in result.output


# ---------------------------------------------------------------------------------------------
# watch: a saved picture or logo rebuilds the brief




def _pdf_image_sizes(path: Path) -> list[tuple[int, int]]:
    from pypdf import PdfReader

    sizes = []
    for page in PdfReader(path).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for name in xobjects:
            obj = xobjects[name].get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    return sorted(sizes)


def _one_picture(figure_brief, **changes) -> tuple[Path, Path]:
    # No map (its drawing is not what is tested) and the one picture the one-pager shows.
    return figure_brief(map=None, images=[{"path": "images/ship.png", "alt": "A boat"}],
                        **changes)


def _watch_until(brief: Path, templates: Path, out: Path, builds: int, edits) -> list[str]:
    thread, lines, stop = _run_watch(brief, out, max_builds=builds, templates=templates)
    try:
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines)), lines
        edits(lines)
        thread.join(timeout=20)
        assert not thread.is_alive(), lines
    finally:
        stop.set()
    return lines


def test_watch_rebuilds_when_a_picture_of_the_brief_is_saved(figure_brief, tmp_path):
    brief, templates = _one_picture(figure_brief)
    out = tmp_path / "out"

    def edit(_lines: list[str]) -> None:
        assert (1200, 800) in _pdf_image_sizes(out / "figures.pdf")
        make_picture(brief.parent / "images" / "ship.png", 1000, 700, colour=(200, 0, 0))

    lines = _watch_until(brief, templates, out, 2, edit)
    assert len([line for line in lines if " rebuilt " in line]) == 2, lines
    sizes = _pdf_image_sizes(out / "figures.pdf")
    assert (1000, 700) in sizes and (1200, 800) not in sizes


def test_watch_rebuilds_when_a_missing_picture_appears(figure_brief, tmp_path):
    brief, templates = _one_picture(figure_brief)
    picture = brief.parent / "images" / "ship.png"
    saved = picture.read_bytes()
    picture.unlink()
    out = tmp_path / "out"

    def edit(lines: list[str]) -> None:
        assert any("is invalid" in line for line in lines), lines
        picture.write_bytes(saved)

    lines = _watch_until(brief, templates, out, 2, edit)
    assert " rebuilt " in lines[-2], lines
    assert (1200, 800) in _pdf_image_sizes(out / "figures.pdf")


def test_watch_rebuilds_when_a_logo_below_the_profile_folder_is_saved(figure_brief, tmp_path):
    brief, templates = _one_picture(figure_brief, logo=False)
    profile = templates / "mei"
    make_picture(profile / "art" / "logo.png", 600, 200)
    with (profile / "profile.yaml").open("a", encoding="utf-8") as text:
        text.write("logo: art/logo.png\nlogo_alt: Middle East Institute\n")
    out = tmp_path / "out"

    def edit(_lines: list[str]) -> None:
        assert (600, 200) in _pdf_image_sizes(out / "figures.pdf")
        make_picture(profile / "art" / "logo.png", 500, 250, colour=(200, 0, 0))

    lines = _watch_until(brief, templates, out, 2, edit)
    assert len([line for line in lines if " rebuilt " in line]) == 2, lines
    assert (500, 250) in _pdf_image_sizes(out / "figures.pdf")


def test_watch_follows_the_pictures_the_brief_names_now(figure_brief, tmp_path):
    brief, templates = _one_picture(figure_brief)
    other = make_picture(brief.parent / "more" / "boat.png", 900, 600)
    out = tmp_path / "out"

    def edit(lines: list[str]) -> None:
        brief.write_text(brief.read_text(encoding="utf-8").replace(
            "images/ship.png", "more/boat.png"), encoding="utf-8")
        assert _wait_for(lambda: len([x for x in lines if " rebuilt " in x]) == 2), lines
        make_picture(other, 800, 500)

    lines = _watch_until(brief, templates, out, 3, edit)
    assert len([line for line in lines if " rebuilt " in line]) == 3, lines
    assert (800, 500) in _pdf_image_sizes(out / "figures.pdf")


def test_watch_ignores_a_picture_path_that_leaves_the_folder(figure_brief, tmp_path):
    from reportgen.authoring.watch import picture_files

    brief, _ = _one_picture(figure_brief)
    folder = brief.parent.resolve()
    os.symlink(tmp_path / "elsewhere.png", folder / "images" / "out.png")
    assert picture_files(folder, ["../x.png", "/etc/passwd", "images/out.png",
                                  "images/ship.png"], None, None) == (
        folder / "images" / "ship.png",)
