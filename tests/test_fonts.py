"""Static font faces: Adobe's own static Source Sans 3 files and the shipped Arabic cuts (the
very bytes the cutter makes), else cut once, byte-stable whatever the day they were cut, and
used only from a cache folder that is ours and only while each cut still matches its recorded
sha256."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import fontpkg
import pytest
from fontTools.ttLib import TTFont

from reportgen import fonts
from reportgen.errors import WriteError
from reportgen.pipeline import prepare, render
from tests.conftest import SAMPLE

ARABIC = "Noto Sans Arabic"  # the quickest family to cut (~0.5 s): tests that must cut use it


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> tuple[Path, str, bytes]:
    """(variable source, cut file name, the genuine cut's bytes), cut once for the module
    into an empty cache, as on a new machine without the shipped cuts."""
    src = Path(fontpkg.path(ARABIC, 400, "normal"))
    cache = tmp_path_factory.mktemp("genuine")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPORTGEN_CACHE", str(cache))
        cut = fonts._static_instance(src, "noto-sans-arabic", 400, ARABIC, "regular",
                                     use_shipped=False)
    assert cut.is_relative_to(cache)  # really cut, not taken from the shipped ones
    return src, cut.name, cut.read_bytes()


def test_a_cut_keeps_the_source_timestamp_so_every_machine_embeds_the_same_bytes(arabic):
    # fontTools would otherwise stamp head.modified with the time of the cut, and the PDF,
    # which embeds a subset, would differ between a new machine and one with a warm cache.
    src, _name, data = arabic
    with TTFont(src, lazy=True) as original, TTFont(io.BytesIO(data)) as cut:
        assert cut["head"].modified == original["head"].modified
        assert "fvar" not in cut
        assert cut["OS/2"].usWeightClass == 400
        assert cut["name"].getDebugName(6) == "NotoSansArabic-Regular"


def test_script_segments_keep_neutral_characters_between_arabic_letters_arabic():
    assert fonts.script_segments("al-Abadi (حيدر العبادي)") == (
        ("al-Abadi (", False), ("حيدر العبادي", True), (")", False))
    assert fonts.script_segments("plain Latin") == (("plain Latin", False),)


def cut_arabic(arabic) -> Path:
    src, _name, _data = arabic
    return fonts._static_instance(src, "noto-sans-arabic", 400, ARABIC, "regular",
                                  use_shipped=False)


def keep(folder: Path, name: str, data: bytes, recorded: bytes | None = None) -> Path:
    """Store `data` as the cut `name` with a `sha256sum` record of `recorded` (default: data),
    as an attacker or a damaged disk would leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    digest = hashlib.sha256(data if recorded is None else recorded).hexdigest()
    (folder / f"{name}.sha256").write_text(f"{digest}  {name}\n")
    return folder / name


def recorded_digest(cut: Path) -> str:
    return cut.with_name(cut.name + ".sha256").read_text().split()[0]


def unusable_user_cache(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("REPORTGEN_CACHE", str(blocker / "cache"))


def test_an_unwritable_cache_falls_back_to_a_temporary_folder_only_we_can_enter(
        tmp_path, monkeypatch, arabic):
    unusable_user_cache(tmp_path, monkeypatch)
    fallback = tmp_path / "reportgen-1000" / "fonts"
    monkeypatch.setattr(fonts, "_fallback_cache", lambda: fallback)
    cut = cut_arabic(arabic)
    assert cut == fallback / arabic[1] and cut.read_bytes() == arabic[2]
    assert recorded_digest(cut) == hashlib.sha256(arabic[2]).hexdigest()
    for level in (fallback.parent, fallback):
        st = os.lstat(level)
        assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid()


def test_a_cut_planted_in_the_fallback_is_not_used_while_the_user_cache_is_writable(
        tmp_path, monkeypatch, arabic):
    # Anyone can pre-create /tmp/reportgen-<uid>/fonts with a crafted font (and its record)
    # under the predictable name, waiting for a cold user cache.
    _src, name, genuine = arabic
    fallback = tmp_path / "reportgen-1000" / "fonts"
    keep(fallback, name, b"planted font")
    monkeypatch.setattr(fonts, "_fallback_cache", lambda: fallback)
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "user"))
    cut = cut_arabic(arabic)
    assert cut == tmp_path / "user" / "fonts" / name
    assert cut.read_bytes() == genuine
    assert recorded_digest(cut) == hashlib.sha256(genuine).hexdigest()


def make_group_writable(folder: Path, monkeypatch) -> str:
    folder.chmod(0o770)
    return "can be written by other users (mode 770)"


def make_world_writable_parent(folder: Path, monkeypatch) -> str:
    folder.parent.chmod(0o777)
    return "can be written by other users (mode 777)"


def make_foreign(folder: Path, monkeypatch) -> str:
    # The tests run as root, which cannot be an other user's victim: pretend to be uid 4242.
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    return f"belongs to another user (uid {os.lstat(folder).st_uid})"


def make_symlink(folder: Path, monkeypatch) -> str:
    elsewhere = folder.parent / "attacker"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere)
    return "is a symbolic link"


@pytest.mark.parametrize("spoil", [make_group_writable, make_world_writable_parent, make_foreign,
                                   make_symlink])
def test_a_fallback_folder_someone_else_could_have_filled_is_refused(
        tmp_path, monkeypatch, capsys, arabic, spoil):
    _src, name, genuine = arabic
    unusable_user_cache(tmp_path, monkeypatch)
    fallback = tmp_path / "reportgen-1000" / "fonts"
    keep(fallback, name, b"planted font")
    fallback.parent.chmod(0o700)
    fallback.chmod(0o700)
    monkeypatch.setattr(fonts, "_fallback_cache", lambda: fallback)
    reason = spoil(fallback, monkeypatch)
    # Stand-in for this run's fresh private folder, already holding a good cut so no cut is
    # needed; the refused fallback must not be read at all.
    private = tmp_path / "private"
    keep(private, name, genuine)
    monkeypatch.setattr(fonts, "_process_folder", lambda: private, raising=False)
    cut = cut_arabic(arabic)
    assert cut == private / name and cut.read_bytes() == genuine
    assert reason in capsys.readouterr().err


def test_with_nowhere_to_cache_a_cut_the_error_names_each_folder_and_the_fix(
        tmp_path, monkeypatch, capsys, arabic):
    unusable_user_cache(tmp_path, monkeypatch)
    fallback = tmp_path / "reportgen-1000" / "fonts"
    fallback.mkdir(parents=True)
    fallback.chmod(0o777)
    monkeypatch.setattr(fonts, "_fallback_cache", lambda: fallback)
    private = tmp_path / "afile" / "private"  # under a file: no folder can be made there
    monkeypatch.setattr(fonts, "_process_folder", lambda: private, raising=False)
    with pytest.raises(WriteError) as caught:
        cut_arabic(arabic)
    assert caught.value.exit_code == 73
    assert str(private) in str(caught.value) and "REPORTGEN_CACHE" in str(caught.value)
    assert not (fallback / arabic[1]).exists()


def test_the_private_folder_of_a_run_is_new_and_only_ours():
    folder = fonts._process_folder()
    st = os.lstat(folder)
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700
    assert st.st_uid == os.geteuid() and folder != fonts._fallback_cache()


@pytest.mark.parametrize("damage", ["truncated", "altered", "unrecorded"])
def test_a_damaged_or_unrecorded_cut_is_cut_again_never_used(tmp_path, monkeypatch, arabic,
                                                              damage):
    # A cut without a record (a cache from before records) is cut again too: a file that
    # merely parses as a font says nothing about who wrote it.
    _src, name, genuine = arabic
    folder = tmp_path / "fonts"
    bad = {"truncated": genuine[: len(genuine) // 2],
           "altered": genuine[:-100] + bytes(100),
           "unrecorded": genuine}[damage]
    keep(folder, name, bad, recorded=genuine)
    if damage == "unrecorded":
        (folder / f"{name}.sha256").unlink()
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path))
    cut = cut_arabic(arabic)
    assert cut == folder / name and cut.read_bytes() == genuine
    assert recorded_digest(cut) == hashlib.sha256(genuine).hexdigest()


def test_a_truncated_cut_in_the_cache_is_cut_again_and_the_pdf_is_unchanged(tmp_path,
                                                                            monkeypatch):
    # Issue 9, item 12: a damaged cache file is ours to rebuild, not an error and never
    # embedded. The cache holds the shipped cuts (with records) with the quickest one halved,
    # and the run below ignores the shipped cuts, as for a family reportgen does not ship.
    cache = tmp_path / "cache" / "fonts"
    cache.mkdir(parents=True)
    for name in ("Source Sans 3", ARABIC):
        for cut in set(fonts.family(name).files.values()):
            keep(cache, cut.name, cut.read_bytes())
    damaged = cache / fonts.family(ARABIC).files["regular"].name
    damaged.write_bytes(damaged.read_bytes()[:50_000])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    expected = render(prepare(SAMPLE), "pdf").data  # from the shipped cuts this process uses
    env = {**os.environ, "REPORTGEN_CACHE": str(tmp_path / "cache")}
    nothing_shipped = ("import sys; from reportgen import fonts; fonts.shipped_cuts = dict; "
                       "from reportgen.cli import main; sys.argv[0] = 'reportgen'; main()")
    done = subprocess.run([sys.executable, "-c", nothing_shipped, "pdf", str(SAMPLE), "-o",
                           str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / f"{SAMPLE.stem}.pdf").read_bytes() == expected
    assert len(damaged.read_bytes()) > 50_000


def test_script_segments_resolve_neutrals_by_both_neighbours_in_linear_time():
    """Neutrals between two Arabic letters stay Arabic (one right-to-left run); the look-around
    is two passes, not a scan per character (a long Arabic paragraph took minutes)."""
    import random
    import time

    script_segments = fonts.script_segments

    def reference(text):  # the definition, character by character
        kinds = [True if fonts.is_arabic(c) else False if c.isalnum() else None
                 for c in text]
        out = []
        for i, k in enumerate(kinds):
            if k is None:
                before = next((x for x in reversed(kinds[:i]) if x is not None), False)
                after = next((x for x in kinds[i + 1:] if x is not None), False)
                k = bool(before and after)
            if out and out[-1][1] == k:
                out[-1] = (out[-1][0] + text[i], k)
            else:
                out.append((text[i], k))
        return out

    rng = random.Random(9)
    for _ in range(300):
        text = "".join(rng.choice("حيدر ab 1,.") for _ in range(rng.randint(1, 30)))
        if fonts.has_arabic(text):
            assert list(script_segments(text)) == reference(text), text
    started = time.process_time()
    assert len(script_segments(("كلمة، " * 200_000).strip())) == 1
    assert time.process_time() - started < 5  # quadratic: hours


@pytest.mark.parametrize("text, segments", [
    # a bracket pair stays on one side, as the bidi algorithm's bracket rule has it
    ("الأطراف الفاعلة (تابع)", [("الأطراف الفاعلة (تابع)", True)]),
    ("Hadi al-Amiri (هادي العامري) said",
     [("Hadi al-Amiri (", False), ("هادي العامري", True), (") said", False)]),
    ("حيدر (Tehran) حيدر", [("حيدر", True), (" (Tehran) ", False), ("حيدر", True)]),
])
def test_script_segments_keep_a_bracket_pair_on_one_side(text, segments):
    assert list(fonts.script_segments(text)) == segments


# --- the shipped cuts ------------------------------------------------------------------------


def test_the_shipped_arabic_cut_is_byte_for_byte_what_the_cutter_makes(arabic):
    # The shipped family, cut again; `python -m reportgen._fonts.regenerate
    # --check` (or REPORTGEN_CHECK_ALL_CUTS=1 below) compares every one (~16 s of CPU).
    _src, name, genuine = arabic
    shipped = fonts.SHIPPED_DIR / name
    assert shipped.read_bytes() == genuine
    assert fonts.shipped_cuts()[name]["sha256"] == hashlib.sha256(genuine).hexdigest()


@pytest.mark.skipif(not os.environ.get("REPORTGEN_CHECK_ALL_CUTS"),
                    reason="cuts every shipped instance again; set REPORTGEN_CHECK_ALL_CUTS=1")
def test_every_shipped_cut_is_byte_for_byte_what_the_cutter_makes(capsys):
    from reportgen._fonts import regenerate

    assert regenerate.main(["--check"]) == 0, capsys.readouterr().out


def test_a_new_machine_sets_the_arabic_family_in_the_shipped_cuts_without_cutting_or_caching(
        tmp_path, monkeypatch):
    def no_cutting(*args):
        raise AssertionError("cut a font that is shipped")

    monkeypatch.setattr(fonts, "_cut", no_cutting)
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "cache"))
    used = set()
    for name in (ARABIC,):
        fam = fonts._family(name, use_shipped=True)
        for style, path in fam.files.items():
            assert path.parent == fonts.SHIPPED_DIR, (name, style)
            with TTFont(path, lazy=True) as font:  # a static face with kerning kept
                assert "fvar" not in font and "GPOS" in font
                assert font["name"].getDebugName(1) == name
            used.add(path.name)
    assert used == set(fonts.shipped_cuts())  # every shipped cut is used, none is left over
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()
                and p.parts[-2:-1] != ("facts",)]  # no font: only facts (reportgen/facts.py)
    for cut, entry in fonts.shipped_cuts().items():
        assert hashlib.sha256((fonts.SHIPPED_DIR / cut).read_bytes()).hexdigest() == \
            entry["sha256"]
    for licence in fonts.SHIPPED_DIR.glob("OFL-*.txt"):
        assert "SIL Open Font License, Version 1.1" in licence.read_text(encoding="utf-8")
    assert len(list(fonts.SHIPPED_DIR.glob("OFL-*.txt"))) == 1
    # No cut of Source Sans 3 is shipped: its OFL reserves the name "Source" for the original,
    # so Adobe's own static files are shipped instead (below)
    assert not list(fonts.SHIPPED_DIR.glob("source-sans-3-*.ttf"))


LATIN = "Source Sans 3"


def test_source_sans_is_set_in_adobes_own_static_files_shipped_unmodified():
    # Issue 15: a first run cut four instances of the variable font (~25 s of CPU). Adobe's
    # static TrueType files of the same release ship instead, as published (the OFL lets the
    # original be passed on under its reserved name), each checked against its sha256.
    fam = fonts.family(LATIN)
    folder = fonts.SHIPPED_DIR / "source-sans-3"
    origin = json.loads((folder / "origin.json").read_text(encoding="utf-8"))
    assert origin["family"] == LATIN and origin["url"].startswith("https://registry.npmjs.org/")
    want = {"regular": ("Regular", 400, False), "bold": ("Bold", 700, False),
            "italic": ("Italic", 400, True), "bolditalic": ("Bold Italic", 700, True)}
    for style, (subfamily, weight, italic) in want.items():
        path = fam.files[style]
        assert path.parent == folder
        assert hashlib.sha256(path.read_bytes()).hexdigest() == origin["styles"][style]["sha256"]
        with TTFont(path, lazy=True) as font:
            assert "fvar" not in font and "GPOS" in font  # static, with its kerning
            assert font["name"].getDebugName(1) == LATIN
            assert font["name"].getDebugName(2) == subfamily
            assert font["OS/2"].usWeightClass == weight
            assert bool(font["head"].macStyle & 2) is italic
            assert "Adobe" in font["name"].getDebugName(0)  # Adobe's copyright, untouched
    licence = (folder / origin["licence"]).read_text(encoding="utf-8")
    assert "Reserved Font Name 'Source'" in licence and "SIL OPEN FONT LICENSE" in licence


def test_a_new_machine_renders_the_english_sample_without_cutting_or_caching_a_font(tmp_path):
    # The whole first run of `reportgen pdf` with an empty cache: nothing is cut (a cut would
    # raise), no font is written to the cache (only the facts read from the shipped ones,
    # reportgen/facts.py), and the one-pager embeds Adobe's faces.
    env = {**os.environ, "REPORTGEN_CACHE": str(tmp_path / "cache")}
    no_cuts = ("import sys; from reportgen import fonts\n"
               "def refuse(*a): raise SystemExit('cut a font on first run')\n"
               "fonts._cut = refuse\n"
               "from reportgen.cli import main; sys.argv[0] = 'reportgen'; main()")
    done = subprocess.run([sys.executable, "-c", no_cuts, "pdf", str(SAMPLE), "-o",
                           str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kept = [p.relative_to(tmp_path / "cache") for p in (tmp_path / "cache").rglob("*")
            if p.is_file()]
    assert kept and all(p.parts[:2] == ("fonts", "facts") for p in kept)
    from pypdf import PdfReader

    page = PdfReader(tmp_path / "out" / f"{SAMPLE.stem}.pdf").pages[0]
    names = {str(f["/BaseFont"]).split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert {"SourceSans3-Regular", "SourceSans3-Bold", "SourceSans3-It"} <= names


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_shipped_static_face_is_an_error_never_another_build(tmp_path, monkeypatch,
                                                                      damage):
    import shutil

    from reportgen.errors import RenderError

    shipped = tmp_path / "_fonts"
    shutil.copytree(fonts.SHIPPED_DIR / "source-sans-3", shipped / "source-sans-3")
    bold = shipped / "source-sans-3" / "SourceSans3-Bold.ttf"
    if damage == "altered":
        data = bytearray(bold.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one byte in the outlines
        bold.write_bytes(bytes(data))
    else:
        bold.unlink()
    monkeypatch.setattr(fonts, "SHIPPED_DIR", shipped)
    fonts._shipped_statics.cache_clear()
    fonts._file_sha256.cache_clear()
    try:
        with pytest.raises(RenderError, match="SourceSans3-Bold.ttf.*reinstall reportgen"):
            fonts.shipped_family(LATIN)
        assert fonts.shipped_family("Noto Sans Arabic") is None  # not shipped as statics
    finally:
        fonts._shipped_statics.cache_clear()
        fonts._file_sha256.cache_clear()


def fake_cutter(monkeypatch) -> list[Path]:
    calls: list[Path] = []

    def cut(src, weight, family_name, style):
        calls.append(src)
        return b"a fresh cut"

    monkeypatch.setattr(fonts, "_cut", cut)
    return calls


def test_another_build_of_the_source_is_cut_not_matched_to_the_shipped_cut_by_name(
        tmp_path, monkeypatch, arabic):
    # Same file name and version, other bytes (a rebuilt or patched fontpkg): the shipped cut
    # was made from something else, so it is cut from what is installed.
    src, name, _genuine = arabic
    other = tmp_path / "src" / src.name
    other.parent.mkdir()
    other.write_bytes(src.read_bytes() + b"\0" * 4)  # still a font; another sha256
    calls = fake_cutter(monkeypatch)
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "cache"))
    cut = fonts._static_instance(other, "noto-sans-arabic", 400, ARABIC, "regular")
    assert calls == [other]
    assert cut == tmp_path / "cache" / "fonts" / name and cut.read_bytes() == b"a fresh cut"


@pytest.mark.parametrize("damage", ["altered", "missing", "no manifest"])
def test_a_damaged_or_missing_shipped_cut_is_cut_instead(tmp_path, monkeypatch, arabic,
                                                         damage):
    src, name, genuine = arabic
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "cuts.json").write_bytes(fonts.SHIPPED_MANIFEST.read_bytes())
    (shipped / name).write_bytes(genuine)
    if damage == "altered":
        (shipped / name).write_bytes(genuine[:-100] + bytes(100))
    elif damage == "missing":
        (shipped / name).unlink()
    else:
        (shipped / "cuts.json").unlink()
    monkeypatch.setattr(fonts, "SHIPPED_DIR", shipped)
    monkeypatch.setattr(fonts, "SHIPPED_MANIFEST", shipped / "cuts.json")
    fonts.shipped_cuts.cache_clear()
    try:
        calls = fake_cutter(monkeypatch)
        monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "cache"))
        cut = fonts._static_instance(src, "noto-sans-arabic", 400, ARABIC, "regular")
    finally:
        fonts.shipped_cuts.cache_clear()
    assert calls == [src] and cut.parent == tmp_path / "cache" / "fonts"
