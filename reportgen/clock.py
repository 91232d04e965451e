"""The one clock: every timestamp written inside an output comes from here.

`SOURCE_DATE_EPOCH` (reproducible-builds.org) wins; otherwise midnight UTC of the brief's date.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from reportgen.errors import UsageError


def document_time(brief_date: date) -> datetime:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since 1970"
            ) from None
    return datetime(brief_date.year, brief_date.month, brief_date.day, tzinfo=timezone.utc)
