"""How every writer words dates and lists of names, so the three formats read alike."""

from __future__ import annotations

import datetime as dt


def long_date(d: dt.date) -> str:
    """24 October 2017 (no leading zero, no locale dependence)."""
    return f"{d.day} {d.strftime('%B %Y')}"


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def author_of(authors: list[str], organisation: str) -> str:
    """Who a document is by: its authors, else the organisation that publishes it."""
    return join_names(authors) if authors else organisation
