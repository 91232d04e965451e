"""What the document plan asks Babel is kept between processes (reportgen/document/cldr.py):
the same answers as Babel's, and a second command does not import Babel."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date

from reportgen.document import cldr

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2017, 10, 24)
# (tag, fallback, pattern): label languages with their pattern, another in "long", an unknown
DATES = [("en", "en", "d MMMM y"), ("fr", "fr", "d MMMM y"), ("ar", "ar", "d MMMM y"),
         ("de", "en", "long"), ("fr-CA", "fr", "d MMMM y"), ("zz", "en", "long")]
ASK = """
import datetime as dt, json, sys
from reportgen.document import cldr
dates = [cldr.date_text(dt.date(2017, 10, 24), *q) for q in json.loads(sys.argv[1])]
names = [cldr.territory_name("IQ", t) for t in ("en", "fr", "ar", "zz")]
print(json.dumps([dates, names, "babel" in sys.modules]))
"""


def _babel_date(tag: str, fallback: str, pattern: str) -> str:
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except Exception:
        locale = Locale.parse(fallback)
    return format_date(DAY, pattern, locale=locale)


def _ask(cache: Path) -> list:
    env = {**os.environ, "REPORTGEN_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", ASK, json.dumps(DATES)], capture_output=True,
                          text=True, env=env, timeout=60, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def test_kept_answers_are_babels_and_the_second_process_skips_babel(tmp_path):
    dates = [_babel_date(*q) for q in DATES]
    names = [Locale.parse(t).territories.get("IQ") for t in ("en", "fr", "ar")] + [None]
    assert dates[:3] == ["24 October 2017", "24 octobre 2017", "24 أكتوبر 2017"]
    assert names[:2] == ["Iraq", "Irak"]
    assert _ask(tmp_path / "cache") == [dates, names, True]  # asked Babel, kept the answers
    assert _ask(tmp_path / "cache") == [dates, names, False]  # read them back
    entries = sorted((tmp_path / "cache" / "fonts" / "facts").glob("cldr-*.json"))
    assert len(entries) == len(DATES) + 4


@pytest.mark.parametrize("damage", [b'{"text": 5}', b"[]", b'{"other": "x"}', b"not json"])
def test_an_entry_not_ours_is_asked_again(tmp_path, damage):
    cache = tmp_path / "cache"
    first = _ask(cache)
    from reportgen.fonts import write_recorded

    for entry in (cache / "fonts" / "facts").glob("cldr-*.json"):
        write_recorded(entry, damage)  # a sound record of the wrong contents
    assert _ask(cache) == first[:2] + [True]
    assert _ask(cache) == first[:2] + [False]


def test_a_date_entry_without_text_still_gets_babels_date(tmp_path):
    cache = tmp_path / "cache"
    first = _ask(cache)
    from reportgen.fonts import write_recorded

    for entry in (cache / "fonts" / "facts").glob("cldr-date-*.json"):
        write_recorded(entry, b'{"text": null}')  # well-formed, but no date is ever None
    assert _ask(cache)[:2] == first[:2]


def test_once_babel_is_loaded_it_is_asked_directly(monkeypatch):
    monkeypatch.setattr("reportgen.facts.kept", lambda *a: pytest.fail("read a kept answer"))
    _forget()
    try:
        assert "babel" in sys.modules  # imported above
        assert cldr.date_text(DAY, "fr", "fr", "d MMMM y") == "24 octobre 2017"
        assert cldr.territory_name("IQ", "ar") == "العراق"
    finally:
        _forget()


def _forget() -> None:
    for remembered in (cldr.date_text, cldr.territory_name, cldr._keeping):
        remembered.cache_clear()


def test_each_answer_is_read_once_a_process(monkeypatch):
    calls = []
    monkeypatch.setattr(cldr, "_asked", lambda *a: calls.append(a[:2]) or "x")
    _forget()
    try:
        for _ in range(3):
            cldr.date_text(DAY, "en", "en", "long")
            cldr.territory_name("IQ", "fr")
        assert calls == [("date", ("2017-10-24", "en", "en", "long")),
                         ("territory", ("IQ", "fr"))]
        assert cldr.date_text.cache_info().maxsize == cldr.ANSWERS_KEPT
    finally:
        _forget()


def test_a_command_on_a_brief_imports_babel_only_the_first_time(tmp_path):
    code = ("import sys\nfrom pathlib import Path\nfrom reportgen.pipeline import prepare\n"
            "job = prepare(Path('briefs/pmf-tillerson-ar.yaml'))\n"
            "print(job.document.meta.date_text, 'babel' in sys.modules)\n")
    env = {**os.environ, "REPORTGEN_CACHE": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                           timeout=60, check=True, cwd=ROOT).stdout.split() for _ in range(2)]
    assert runs[0][-1] == "True" and runs[1][-1] == "False"
    assert runs[0][:-1] == runs[1][:-1]


MANY = """
import datetime as dt, json, sys
from reportgen.document import cldr
days = [dt.date(2017, 1, 1) + dt.timedelta(days=n) for n in range(int(sys.argv[1]))]
print(json.dumps([cldr.date_text(day, "en", "en", "d MMMM y") for day in days]))
"""


def test_a_process_adds_a_bounded_number_of_answers(tmp_path):
    """A brief citing hundreds of dated sources: every date is Babel's, but the disk gets only
    NEW_ANSWERS_KEPT entries of them (the rest would cost a file each, slower than Babel)."""
    env = {**os.environ, "REPORTGEN_CACHE": str(tmp_path / "cache")}
    days = 3 * cldr.NEW_ANSWERS_KEPT
    done = subprocess.run([sys.executable, "-c", MANY, str(days)], capture_output=True,
                          text=True, env=env, timeout=60, check=True)
    start = dt.date(2017, 1, 1)
    assert json.loads(done.stdout) == [
        format_date(start + dt.timedelta(days=n), "d MMMM y", locale="en") for n in range(days)]
    entries = list((tmp_path / "cache" / "fonts" / "facts").glob("cldr-date-*.json"))
    assert len(entries) == cldr.NEW_ANSWERS_KEPT
