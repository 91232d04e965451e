"""What the document plan asks Babel (CLDR): a date written out, a country's name.

Importing Babel and loading a locale is ~25 ms, a tenth of a single `reportgen pdf`. Until
something in this process has imported Babel, each answer is kept on disk
(reportgen/facts.py), named by the question and by the package folders, so installing or
upgrading Babel asks it again. A process that had Babel loaded before its first question
asks Babel: that is cheaper than reading a file; so does one that has added NEW_ANSWERS_KEPT.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import cache, lru_cache

ANSWERS_KEPT = 4096  # answers remembered per process (a brief asks one to a dozen)
# Answers one process adds to the disk. Past them Babel, loaded by the first, is cheaper than
# writing files: a brief citing thousands of dated sources does not leave thousands of entries.
NEW_ANSWERS_KEPT = 32
_added = [0]  # answers this process has added to the disk


@lru_cache(maxsize=ANSWERS_KEPT)
def date_text(value: dt.date, tag: str, fallback: str, pattern: str) -> str:
    """`value` written out with the CLDR `pattern` (or "long") in the locale of `tag`,
    in `fallback`'s locale when Babel does not know `tag`'s."""
    text = _asked("date", (value.isoformat(), tag, fallback, pattern),
                  lambda: _babel_date(value, tag, fallback, pattern))
    # Babel always writes a date: no text is an entry not ours (well-formed, wrongly filled)
    return text if text is not None else _babel_date(value, tag, fallback, pattern)


@lru_cache(maxsize=ANSWERS_KEPT)
def territory_name(code: str, tag: str) -> str | None:
    """CLDR's name of the territory `code` (alpha-2) in the language of `tag`, if it has one."""
    return _asked("territory", (code, tag), lambda: _babel_territory(code, tag))


def _asked(kind: str, question: tuple, ask: Callable[[], str | None]) -> str | None:
    if not _keeping() or _added[0] >= NEW_ANSWERS_KEPT:
        return ask()
    from reportgen.facts import installed_identity, kept

    def ask_and_add() -> str | None:
        _added[0] += 1
        return ask()

    return kept(f"cldr-{kind}", (*question, installed_identity()), ask_and_add,
                lambda text: {"text": text}, _answer)


@cache
def _keeping() -> bool:
    """Whether this process keeps its answers, decided at its first question: unless Babel was
    loaded already. (Decided once: a process that loaded Babel for its first answer keeps the
    next answers too, for the next process.)"""
    return "babel" not in sys.modules


def _answer(data: dict) -> str | None:
    text = data["text"]
    if text is not None and not isinstance(text, str):
        raise TypeError("not a CLDR answer")
    return text


def _locale(tag: str):
    from babel import Locale

    return Locale.parse(tag.replace("-", "_"))


def _babel_date(value: dt.date, tag: str, fallback: str, pattern: str) -> str:
    from babel import UnknownLocaleError
    from babel.dates import format_date

    try:
        locale = _locale(tag)
    except (ValueError, UnknownLocaleError):
        locale = _locale(fallback)
    return format_date(value, pattern, locale=locale)


def _babel_territory(code: str, tag: str) -> str | None:
    from babel import UnknownLocaleError

    try:
        return _locale(tag).territories.get(code)
    except (ValueError, UnknownLocaleError):
        return None
