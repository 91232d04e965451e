"""The one clock: SOURCE_DATE_EPOCH wins over the brief's date, and must be sane."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reportgen.clock import document_time
from reportgen.errors import UsageError

DAY = date(2017, 10, 24)


def test_without_source_date_epoch_the_brief_date_at_midnight_utc(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert document_time(DAY) == datetime(2017, 10, 24, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "expected"), [
    ("0", datetime(1970, 1, 1, tzinfo=UTC)),
    (" 1508803200 ", datetime(2017, 10, 24, tzinfo=UTC)),
])
def test_source_date_epoch_wins(monkeypatch, raw, expected):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", raw)
    assert document_time(DAY) == expected


def test_negative_source_date_epoch_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "-5")
    with pytest.raises(UsageError) as caught:
        document_time(DAY)
    assert str(caught.value) == ("SOURCE_DATE_EPOCH='-5' is before 1970; it must be a whole "
                                 "number of seconds since 1970, 0 or more")


@pytest.mark.parametrize("raw", ["soon", "1.5", "+5", "1_000", "١٢"])
def test_source_date_epoch_must_be_ascii_digits(monkeypatch, raw):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", raw)
    with pytest.raises(UsageError) as caught:
        document_time(DAY)
    assert str(caught.value) == (f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds "
                                 "since 1970")


def test_source_date_epoch_past_year_9999_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "9" * 20)
    with pytest.raises(UsageError, match="is after the year 9999"):
        document_time(DAY)
