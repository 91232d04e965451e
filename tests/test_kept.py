"""The bounded cache the named caches are built on (issue 15)."""

from __future__ import annotations

import pytest

from reportgen.kept import Kept


def test_the_least_recently_used_goes_first_and_hits_and_misses_are_counted():
    kept: Kept[str] = Kept(size=2)
    kept.put("a", "A")
    kept.put("b", "B")
    assert kept.get("a") == "A"  # now "b" is the least recently used
    kept.put("c", "C")
    assert len(kept) == 2 and kept.get("b") is None and kept.get("a") == "A"
    assert (kept.hits, kept.misses) == (2, 1)
    kept.clear()
    assert len(kept) == 0 and (kept.hits, kept.misses) == (0, 0)


def test_get_or_make_makes_once_and_keeps_nothing_that_failed():
    kept: Kept[int] = Kept(size=4)
    made = []
    assert kept.get_or_make("x", lambda: made.append(1) or 1) == 1
    assert kept.get_or_make("x", lambda: made.append(1) or 2) == 1 and made == [1]

    def fails() -> int:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        kept.get_or_make("y", fails)
    assert len(kept) == 1 and kept.get_or_make("y", lambda: 3) == 3
