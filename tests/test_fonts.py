"""Static font instances: cut once, byte-stable whatever the day they were cut."""

from __future__ import annotations

from pathlib import Path

import fontpkg
from fontTools.ttLib import TTFont

from reportgen import fonts


def test_a_cut_keeps_the_source_timestamp_so_every_machine_embeds_the_same_bytes(
        tmp_path, monkeypatch):
    # fontTools would otherwise stamp head.modified with the time of the cut, and the PDF,
    # which embeds a subset, would differ between a new machine and one with a warm cache.
    src = Path(fontpkg.path("Source Sans 3", 400, "italic"))
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path))
    cut_path = fonts._static_instance(src, "source-sans-3", 400, "Source Sans 3", "italic")
    assert cut_path.parent == tmp_path / "fonts"
    with TTFont(src, lazy=True) as original, TTFont(cut_path) as cut:
        assert cut["head"].modified == original["head"].modified
        assert "fvar" not in cut
        assert cut["OS/2"].usWeightClass == 400
        assert cut["name"].getDebugName(6) == "SourceSans3-Italic"


def test_script_segments_keep_neutral_characters_between_arabic_letters_arabic():
    assert fonts.script_segments("al-Abadi (حيدر العبادي)") == [
        ("al-Abadi (", False), ("حيدر العبادي", True), (")", False)]
    assert fonts.script_segments("plain Latin") == [("plain Latin", False)]


def test_an_unwritable_cache_falls_back_to_a_temporary_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("REPORTGEN_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(fonts, "_fallback_cache", lambda: tmp_path / "fallback")
    src = Path(fontpkg.path("Source Sans 3", 400, "italic"))
    cut = fonts._static_instance(src, "source-sans-3", 400, "Source Sans 3", "italic")
    assert cut.parent == tmp_path / "fallback" and cut.is_file()
