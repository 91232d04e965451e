"""Organisation profiles: lookup order, validation with positions, the shipped copy."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.profile import builtin_templates, find_profile
from tests.conftest import DISCLAIMER, DONOR_NOTE, DONOR_URL, ROOT


def test_mei_profile_carries_the_disclaimer_and_donor_note_verbatim():
    profile = find_profile("mei").profile
    assert profile.disclaimer == DISCLAIMER
    assert profile.donor_note.text == DONOR_NOTE
    assert profile.donor_note.url == DONOR_URL
    assert profile.donor_note.split() == ("For a listing of MEI donors, please ", "click here",
                                          ".")


def copy_profile(dest: Path, name: str = "mei", edit=None) -> Path:
    folder = dest / name
    folder.mkdir(parents=True)
    text = (ROOT / "templates" / "mei" / "profile.yaml").read_text(encoding="utf-8")
    (folder / "profile.yaml").write_text(edit(text) if edit else text, encoding="utf-8")
    return folder


def test_templates_option_wins_over_cwd_and_builtin(tmp_path, monkeypatch):
    mine = copy_profile(tmp_path / "mine", edit=lambda t: t.replace("short_name: MEI",
                                                                   "short_name: MINE"))
    monkeypatch.chdir(tmp_path)
    assert find_profile("mei", tmp_path / "mine").folder == mine
    assert find_profile("mei", tmp_path / "mine").profile.short_name == "MINE"


def test_cwd_templates_win_over_builtin(tmp_path, monkeypatch):
    copy_profile(tmp_path / "templates", edit=lambda t: t.replace("short_name: MEI",
                                                                 "short_name: CWD"))
    monkeypatch.chdir(tmp_path)
    assert find_profile("mei").profile.short_name == "CWD"


def test_builtin_profile_is_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_profile("mei").folder.resolve() == (builtin_templates() / "mei").resolve()


def test_invalid_profile_reports_positions_and_keys(tmp_path):
    copy_profile(tmp_path, edit=lambda t: t.replace('  primary: "#0F3557"', "  primary: navy")
                 .replace("  link_text: click here", "  link_text: click here\n  colour: red"))
    with pytest.raises(InputError) as caught:
        find_profile("mei", tmp_path)
    path = tmp_path / "mei" / "profile.yaml"
    assert caught.value.lines() == [
        f"{path}:15:3: donor_note.colour: unknown key 'colour' (allowed keys: text, link_text, "
        "url)",
        f"{path}:18:12: colors.primary: 'navy' is not allowed here: expected a colour written as "
        "#RRGGBB, e.g. '#12355B'",
    ]


def test_donor_link_words_must_occur_in_the_donor_note(tmp_path):
    copy_profile(tmp_path, edit=lambda t: t.replace("link_text: click here", "link_text: tap"))
    with pytest.raises(InputError) as caught:
        find_profile("mei", tmp_path)
    path = tmp_path / "mei" / "profile.yaml"
    assert caught.value.lines() == [
        f"{path}:13:3: donor_note: link_text 'tap' does not occur in text"]


def test_wheel_ships_the_templates(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("needs git to copy the tree")
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("reportgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "reportgen/_templates/mei/profile.yaml" in names
    # the label files every document's headings come from
    assert {"reportgen/labels/en.yaml", "reportgen/labels/fr.yaml",
            "reportgen/labels/ar.yaml"} <= set(names)


def profile_errors(tmp_path: Path, edit) -> list[str]:
    copy_profile(tmp_path, edit=edit)
    with pytest.raises(InputError) as caught:
        find_profile("mei", tmp_path)
    prefix = f"{tmp_path / 'mei' / 'profile.yaml'}:"
    return [line.removeprefix(prefix) for line in caught.value.lines()]


def test_min_body_pt_above_body_pt_is_an_error_at_the_key(tmp_path):
    assert profile_errors(tmp_path, lambda t: t.replace("min_body_pt: 8", "min_body_pt: 12")) == [
        "30:16: type.min_body_pt: 12 pt is above body_pt (10 pt): text starts at body_pt and "
        "shrinks down to this floor, so it can be at most body_pt"]


def test_min_body_pt_may_not_lower_the_8_pt_floor(tmp_path):
    assert profile_errors(tmp_path, lambda t: t.replace("min_body_pt: 8", "min_body_pt: 6")) == [
        "30:16: type.min_body_pt: 6 pt is below the 8 pt floor; a profile may raise the floor, "
        "never lower it"]


def test_min_body_pt_may_raise_the_floor_up_to_body_pt(tmp_path):
    copy_profile(tmp_path, edit=lambda t: t.replace("min_body_pt: 8", "min_body_pt: 10"))
    assert find_profile("mei", tmp_path).profile.type.min_body_pt == 10


def test_profile_url_must_be_a_web_address(tmp_path):
    assert profile_errors(tmp_path, lambda t: t.replace("url: https://www.mei.edu",
                                                        "url: not a url")) == [
        "6:6: url: link target 'not a url' is not allowed; use an http or https URL"]


def test_empty_profile_names_profile_keys(tmp_path):
    assert profile_errors(tmp_path, lambda t: "# nothing yet\n") == [
        "1:1: the file is empty; a profile is a YAML mapping of keys such as name, short_name "
        "and disclaimer"]


def test_a_profile_is_loaded_once_per_content_and_again_when_edited(tmp_path):
    from reportgen.profile import PROFILES

    shutil.copytree(builtin_templates() / "mei", tmp_path / "mei")
    yaml_file = tmp_path / "mei" / "profile.yaml"
    PROFILES.clear()
    first = find_profile("mei", tmp_path)
    again = find_profile("mei", tmp_path)
    assert again.profile is first.profile and (PROFILES.misses, PROFILES.hits) == (1, 1)
    yaml_file.write_text(yaml_file.read_text("utf-8").replace(
        "short_name: MEI", "short_name: M.E.I."), "utf-8")
    edited = find_profile("mei", tmp_path)
    assert edited.profile.short_name == "M.E.I." and PROFILES.misses == 2
    yaml_file.write_text("name: [unclosed\n", "utf-8")  # refused, and never kept
    for _ in range(2):
        with pytest.raises(InputError):
            find_profile("mei", tmp_path)
    assert PROFILES.misses == 4
