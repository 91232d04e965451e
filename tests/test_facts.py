"""Font facts kept on disk between processes (reportgen/facts.py): the same facts as reading
the file, read again when the file or the entry changes, and never a reason to fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reportgen import facts
from reportgen.fonts import family

BODY = family("Source Sans 3").files["regular"]


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("REPORTGEN_CACHE", str(tmp_path / "cache"))
    facts.font_facts.cache_clear()
    yield facts.facts_dir()
    facts.font_facts.cache_clear()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("font-*.json")) if folder.is_dir() else []


def test_kept_facts_are_what_fonttools_reads(cache, tmp_path):
    font = tmp_path / "body.ttf"
    shutil.copyfile(BODY, font)
    first = facts.font_facts(font)
    [entry] = _entries(cache)
    assert entry.with_name(entry.name + ".sha256").is_file()
    facts.font_facts.cache_clear()
    again = facts.font_facts(font)  # from the entry this time
    assert again == first
    with TTFont(font, lazy=True) as tt:
        hmtx = tt["hmtx"]
        assert again.advances == {c: hmtx[g][0] for c, g in tt.getBestCmap().items()}
        assert again.upm == tt["head"].unitsPerEm == 1000
        assert again.restricted is bool(tt["OS/2"].fsType & 2)
        assert again.fallback == hmtx[".notdef"][0]
    assert ord("é") in again.cmap and 0x0628 not in again.cmap


def test_a_second_process_reads_the_entry_not_the_font(cache, tmp_path):
    font = tmp_path / "body.ttf"
    shutil.copyfile(BODY, font)
    expected = facts.font_facts(font)
    code = ("import sys\nfrom pathlib import Path\nfrom reportgen.facts import font_facts\n"
            f"f = font_facts(Path({str(font)!r}))\n"
            "print(len(f.advances), f.upm, 'fontTools.ttLib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ}, timeout=60, check=True)
    assert done.stdout.split() == [str(len(expected.advances)), "1000", "False"]


def test_a_changed_file_gets_facts_of_its_own(cache, tmp_path):
    font = tmp_path / "face.ttf"
    shutil.copyfile(BODY, font)
    body = facts.font_facts(font)
    arabic = family("Noto Sans Arabic").files["regular"]
    shutil.copyfile(arabic, font)  # the same path, another font
    facts.font_facts.cache_clear()
    changed = facts.font_facts(font)
    assert changed != body and 0x0628 in changed.cmap
    assert len(_entries(cache)) == 2


@pytest.mark.parametrize("damage", [b"", b"{}", b'{"upm": 0}', b"not json", b"[1, 2]"])
def test_a_damaged_entry_is_read_again_from_the_font(cache, tmp_path, damage):
    font = tmp_path / "body.ttf"
    shutil.copyfile(BODY, font)
    good = facts.font_facts(font)
    [entry] = _entries(cache)
    from reportgen.fonts import write_recorded

    write_recorded(entry, damage)  # damaged, with a record that matches: decoding refuses it
    facts.font_facts.cache_clear()
    assert facts.font_facts(font) == good
    entry.write_bytes(entry.read_bytes()[:-5])  # and truncated: the record no longer matches
    facts.font_facts.cache_clear()
    assert facts.font_facts(font) == good


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("REPORTGEN_CACHE", str(blocker / "cache"))
    facts.font_facts.cache_clear()
    try:
        assert facts.font_facts(BODY).upm == 1000
    finally:
        facts.font_facts.cache_clear()


@pytest.fixture()
def finds(cache, monkeypatch) -> list[str]:
    """The families looked up among the installed packages (not taken from a kept entry)."""
    from reportgen import fonts

    found: list[str] = []
    real = fonts._find_family

    def spy(name, use_shipped):
        found.append(name)
        return real(name, use_shipped)

    monkeypatch.setattr(fonts, "_find_family", spy)
    return found


def test_a_cut_family_is_found_once_then_taken_from_its_entry(finds):
    from reportgen import fonts

    first = fonts._family("Noto Sans Arabic", use_shipped=True)
    again = fonts._family("Noto Sans Arabic", use_shipped=True)
    assert finds == ["Noto Sans Arabic"] and again == first
    assert first.sources and all(src.is_file() for src in first.sources)
    assert set(first.files) == set(fonts.STYLES)


def test_a_family_whose_face_changed_is_looked_up_again(finds, tmp_path):
    import json

    from reportgen import fonts
    from reportgen.fonts import read_recorded, write_recorded

    good = fonts._family("Noto Sans Arabic", use_shipped=True)
    [entry] = facts.facts_dir().glob("family-*.json")
    data = json.loads(read_recorded(entry))
    data["files"]["bold"][1] = "0" * 64  # the face no longer hashes to what it did
    write_recorded(entry, json.dumps(data).encode())
    assert fonts._family("Noto Sans Arabic", use_shipped=True) == good
    assert finds == ["Noto Sans Arabic"] * 2
    data["files"]["bold"][1] = fonts._file_sha256(good.files["bold"])
    data["sources"][0][1][2] += 1  # a source with another mtime
    write_recorded(entry, json.dumps(data).encode())
    assert fonts._family("Noto Sans Arabic", use_shipped=True) == good
    assert finds == ["Noto Sans Arabic"] * 3


def test_installing_a_package_changes_the_entry_used(finds, tmp_path, monkeypatch):
    from reportgen import fonts

    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    fonts._family("Noto Sans Arabic", use_shipped=True)
    (site / "fontpkg_other-1.0.dist-info").mkdir()  # what an install does to the folder
    os.utime(site, ns=(1, os.stat(site).st_mtime_ns + 10**9))
    fonts._family("Noto Sans Arabic", use_shipped=True)
    assert finds == ["Noto Sans Arabic"] * 2


def test_the_countries_index_is_kept_and_read_back_the_same(cache, monkeypatch):
    from reportgen.figures import countries

    read = countries._read_index()
    calls = []
    monkeypatch.setattr(countries, "_read_index", lambda: calls.append(1) or read)
    countries._index.cache_clear()
    try:
        assert countries._index() == read and calls == [1]  # read, then kept
        countries._index.cache_clear()
        kept_index = countries._index()
        assert calls == [1] and kept_index == read  # from the entry: the same countries
        assert kept_index[0]["IQ"] is kept_index[0]["IRQ"]
        assert kept_index[0]["IQ"].polygons and kept_index[0]["IQ"].neighbours
        # countryinfo's folder changes (an upgrade): read again
        monkeypatch.setattr(countries, "_package_folders", lambda: (("elsewhere", 1),))
        countries._index.cache_clear()
        assert countries._index() == read and calls == [1, 1]
    finally:
        countries._index.cache_clear()


def test_a_command_reads_the_kept_countries_without_countryinfo(cache):
    code = ("import sys\nfrom reportgen.figures.countries import lookup\n"
            "print(lookup('IQ').name, 'countryinfo' in sys.modules)\n")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ}, timeout=60, check=True) for _ in range(2)]
    assert [r.stdout.split() for r in runs] == [["Iraq", "True"], ["Iraq", "False"]]


IDENTITY = "from reportgen.facts import installed_identity\nprint(repr(installed_identity()))\n"


@pytest.mark.parametrize("how", ["-c", "script", "-m"])
def test_writing_where_a_command_runs_keeps_the_entries_it_names(tmp_path, how):
    """`python -c`/`-m` put the working folder first on sys.path, a script its own folder:
    outputs written there change the folder's time, which must not name every entry anew."""
    here = tmp_path / "work"
    here.mkdir()
    (here / "identity.py").write_text(IDENTITY)
    args = {"-c": ["-c", IDENTITY], "script": [str(here / "identity.py")],
            "-m": ["-m", "identity"]}[how]

    def identity() -> str:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[1:])}
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                              cwd=here, timeout=60, check=True).stdout

    first = identity()
    assert str(here) not in first and "-packages" in first  # site- or Debian's dist-packages
    (here / "memo.docx").write_bytes(b"an output")  # the folder's time changes
    os.utime(here, ns=(1, os.stat(here).st_mtime_ns + 10**9))
    assert identity() == first


def test_a_module_run_from_a_package_folder_keeps_that_folder_in_the_identity(tmp_path):
    """`python -m` of a module installed in a package folder: that folder still names the
    entries (only the working folder, first on sys.path, is left out)."""
    packages, here = tmp_path / "packages", tmp_path / "work"
    packages.mkdir()
    here.mkdir()
    (packages / "identity_mod.py").write_text(IDENTITY)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(packages), *sys.path[1:]])}
    done = subprocess.run([sys.executable, "-m", "identity_mod"], capture_output=True,
                          text=True, env=env, cwd=here, timeout=60, check=True)
    assert repr(str(packages)) in done.stdout and repr(str(here)) not in done.stdout


def test_facts_keep_the_most_recent_entries_of_each_kind(cache, monkeypatch):
    """Entries of upgraded packages and past briefs do not pile up: a process's first write
    brings facts/ down to its bounds, least recently written or used first; kinds no longer
    made and records without an entry go too."""
    from reportgen.fonts import write_recorded

    monkeypatch.setattr(facts, "_pruned", [True])  # not yet: make the old entries first
    assert facts.kept("countries", ("used",), lambda: 5, lambda v: v, int) == 5
    [used] = cache.glob("countries-*.json")
    bound = facts.KEPT_PER_KIND["countries"]
    old = [cache / f"countries-old{n}.json" for n in range(bound + 2)]
    for n, entry in enumerate([used, *old]):
        if entry is not used:
            write_recorded(entry, b"1")
        os.utime(entry, ns=(1, (1_000 + n) * 10**9))  # `used` the oldest of all
    for name in ("family-a.json", "family-b.json", "date-renamed.json"):
        write_recorded(cache / name, b"1")
    write_recorded(cache / "countries-orphan.json", b"1")
    (cache / "countries-orphan.json").unlink()  # its record stays behind
    assert facts.kept("countries", ("used",), lambda: 6, lambda v: v, int) == 5  # a hit
    monkeypatch.setattr(facts, "_pruned", [False])
    assert facts.kept("countries", ("new",), lambda: 7, lambda v: v, int) == 7

    left = {p.name for p in cache.iterdir()}
    kept_old = {e.name for e in old[-(bound - 2):]}  # the bound, less `used` and the new one
    countries = {n for n in left if n.startswith("countries-") and n.endswith(".json")}
    assert len(countries) == bound and used.name in countries and kept_old <= countries
    assert {"family-a.json", "family-b.json"} <= left and "date-renamed.json" not in left
    assert not {n for n in left if n.endswith(".sha256") and n.removesuffix(".sha256")
                not in left}  # every record has its entry
    # once a process: another entry is written without a listing
    assert facts.kept("countries", ("newer",), lambda: 8, lambda v: v, int) == 8
    assert len(list(cache.glob("countries-*.json"))) == bound + 1


def test_facts_of_an_unlisted_kind_are_a_bug(cache):
    with pytest.raises(ValueError, match="KEPT_PER_KIND"):
        facts.kept("fonts", ("x",), lambda: 1, lambda v: v, int)
