"""Static font instances: cut once, byte-stable whatever the day they were cut, and used only
from a cache folder that is ours and only while each cut still matches its recorded sha256."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
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
    into an empty cache, as on a new machine."""
    src = Path(fontpkg.path(ARABIC, 400, "normal"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPORTGEN_CACHE", str(tmp_path_factory.mktemp("genuine")))
        cut = fonts._static_instance(src, "noto-sans-arabic", 400, ARABIC, "regular")
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
    assert fonts.script_segments("al-Abadi (حيدر العبادي)") == [
        ("al-Abadi (", False), ("حيدر العبادي", True), (")", False)]
    assert fonts.script_segments("plain Latin") == [("plain Latin", False)]


def cut_arabic(arabic) -> Path:
    src, _name, _data = arabic
    return fonts._static_instance(src, "noto-sans-arabic", 400, ARABIC, "regular")


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
    # embedded. The cache is a copy of the warm one with the quickest cut halved.
    cache = tmp_path / "cache" / "fonts"
    cache.mkdir(parents=True)
    for name in ("Source Sans 3", ARABIC):
        for cut in set(fonts.family(name).files.values()):
            shutil.copyfile(cut, cache / cut.name)
            record = cut.with_name(cut.name + ".sha256")
            if record.exists():
                shutil.copyfile(record, cache / record.name)
    damaged = cache / fonts.family(ARABIC).files["regular"].name
    damaged.write_bytes(damaged.read_bytes()[:50_000])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    expected = render(prepare(SAMPLE), "pdf").data  # from the warm cache this process uses
    env = {**os.environ, "REPORTGEN_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "reportgen", "pdf", str(SAMPLE), "-o",
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
            assert script_segments(text) == reference(text), text
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
    assert fonts.script_segments(text) == segments
