from __future__ import annotations

import threading
import time

import pytest

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import FakeClock, SystemClock
from twexport_qt.core.errors import Cancelled
from twexport_qt.core.timefmt import format_duration, parse_x_timestamp


def test_fake_clock_sleep_advances_time_only():
    clock = FakeClock(start=100.0)
    clock.sleep(900)
    assert clock.now() == 1000.0 and clock.slept == 900


def test_system_clock_sleep_wakes_up_on_cancel():
    cancel = CancelToken()
    threading.Timer(0.05, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        SystemClock().sleep(30, cancel)
    assert time.monotonic() - started < 5  # woke long before the 30 s wait


def test_parse_x_timestamp_with_and_without_milliseconds():
    assert parse_x_timestamp("2020-01-01T00:00:00.000Z") == 1577836800
    assert parse_x_timestamp("2020-01-01T00:00:00Z") == 1577836800
    assert parse_x_timestamp(None) is None


def test_format_duration():
    assert format_duration(899.6) == "15:00"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(-5) == "0:00"
