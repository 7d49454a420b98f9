"""Times as files keep them (UTC) and as the app shows them (the computer's local time)."""

from __future__ import annotations

import time
from datetime import timedelta, timezone

import pytest

from twexport_qt.core.timefmt import (
    format_date,
    format_datetime,
    format_local_date,
    format_local_datetime,
    to_local_datetime,
)

NEW_YEAR_UTC = 1577836800  # 2020-01-01 00:00:00 UTC
BERLIN_WINTER = timezone(timedelta(hours=1))
NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def test_files_keep_utc():
    assert format_datetime(NEW_YEAR_UTC + 5) == "2020-01-01 00:00:05 UTC"
    assert format_date(NEW_YEAR_UTC) == "2020-01-01"
    assert format_datetime(None) == "" and format_date(None) == ""


def test_the_ui_reads_the_clock_of_the_zone():
    assert format_local_datetime(NEW_YEAR_UTC + 5, BERLIN_WINTER) == "2020-01-01 01:00:05"
    # West of Greenwich the same moment is still the last day of the old year.
    assert format_local_datetime(NEW_YEAR_UTC, NEW_YORK_WINTER) == "2019-12-31 19:00:00"
    assert format_local_date(NEW_YEAR_UTC, NEW_YORK_WINTER) == "2019-12-31"
    assert format_local_datetime(None) == "" and format_local_date(None) == ""


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="the process time zone can be changed on POSIX only")
def test_by_default_the_computers_time_zone_is_used(monkeypatch):
    monkeypatch.setenv("TZ", "UTC-03:00")  # POSIX: three hours east of UTC
    time.tzset()
    try:
        assert format_local_datetime(NEW_YEAR_UTC) == "2020-01-01 03:00:00"
        assert to_local_datetime(NEW_YEAR_UTC).utcoffset() == timedelta(hours=3)
    finally:
        monkeypatch.undo()
        time.tzset()
