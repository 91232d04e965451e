"""The one clock: every timestamp written inside an output comes from here.

`SOURCE_DATE_EPOCH` (reproducible-builds.org) wins; otherwise midnight UTC of the brief's date.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime

from reportgen.errors import UsageError


def source_date_epoch() -> str | None:
    """`SOURCE_DATE_EPOCH` as set (checked: UsageError if it is not a whole number of seconds
    from 1970 to 9999), or None; what a build hands its workers."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None
    if raw is not None:
        document_time(date(2000, 1, 1))
    return raw


def document_time(brief_date: date) -> datetime:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if re.fullmatch(r"-[0-9]+", raw):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r} is before 1970; it must be a whole number of "
                "seconds since 1970, 0 or more")
        # The spec allows ASCII digits only: int() would also take '+5', '1_000' or '١٢'.
        if not re.fullmatch(r"[0-9]+", raw):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since 1970")
        try:
            return datetime.fromtimestamp(int(raw), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r} is after the year 9999; it must be a whole number "
                "of seconds since 1970") from None
    return datetime(brief_date.year, brief_date.month, brief_date.day, tzinfo=UTC)
