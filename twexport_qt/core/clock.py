"""Time source for everything that waits or timestamps.

Rate-limit windows are 15 minutes to 24 hours long, so tests inject a FakeClock whose `sleep` advances time
instantly; the sandbox and the app share one clock object in-process so both agree on "now".
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from twexport_qt.core.cancel import CancelToken


class Clock(Protocol):
    def now(self) -> float:
        """Unix epoch seconds."""

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        """Wait `seconds`; raise Cancelled as soon as `cancel` is set."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        if seconds <= 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            return
        if cancel is None:
            time.sleep(seconds)
            return
        if cancel.wait(seconds):
            cancel.raise_if_cancelled()


class FakeClock:
    """Deterministic clock for tests and benchmarks: sleeping only moves the hands."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = float(start)
        self._lock = threading.Lock()
        self.slept: float = 0.0

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep(self, seconds: float, cancel: CancelToken | None = None) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        with self._lock:
            self._now += max(0.0, seconds)
            self.slept += max(0.0, seconds)
