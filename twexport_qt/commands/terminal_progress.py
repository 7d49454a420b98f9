"""A one-line progress display for CLI commands.

On a terminal the line is redrawn in place (`\\r`), cut to the terminal's width, with a bar when the total is
known, an ETA, and a live countdown while a job waits for X's rate limit. When stdout is a file or a pipe
(cron, CI logs) it prints plain lines instead, at most one every `plain_interval` seconds, so logs stay short.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from twexport_qt.core.progress import Progress
from twexport_qt.core.timefmt import format_duration
from twexport_qt.gateway.pacing import WaitNotice

BAR_WIDTH = 20
PLAIN_INTERVAL_S = 10.0


def render_line(progress: Progress, width: int) -> str:
    """'[#######-------]  35% 1,234/3,500  @alice (1/2): ...  ETA 2:05', cut to `width` characters."""
    parts = []
    fraction = progress.fraction
    if fraction is not None:
        filled = round(fraction * BAR_WIDTH)
        bar = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}]"
        parts.append(f"{bar} {fraction:4.0%} {progress.done:,}/{progress.total:,}")
    else:
        parts.append(f"{progress.done:,}")
    if progress.message:
        parts.append(progress.message)
    if progress.eta_seconds is not None:
        parts.append(f"ETA {format_duration(progress.eta_seconds)}")
    return _fit("  ".join(parts), width)


def render_wait(notice: WaitNotice, now: float, width: int) -> str:
    return _fit(f"{notice.message} Resuming in {format_duration(max(0.0, notice.resume_at - now))}.", width)


def _fit(text: str, width: int) -> str:
    text = text.replace("\r", " ").replace("\n", " ")  # one line, whatever the message holds
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


class TerminalProgress:
    """`progress.update(p)`, `progress.waiting(notice)` from the job; `progress.close()` when it ends.

    `now` is wall time by default; a countdown follows the clock the job waits on, so pass its `now`.
    """

    def __init__(self, stream: TextIO | None = None, *, is_tty: bool | None = None,
                 now: Callable[[], float] = time.time, plain_interval: float = PLAIN_INTERVAL_S) -> None:
        self._stream = stream or sys.stdout
        self._tty = self._stream.isatty() if is_tty is None else is_tty
        self._now = now
        self._plain_interval = plain_interval
        self._last_plain = float("-inf")
        self._last_plain_message = ""
        self._line_len = 0
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None
        self._stop_ticker = threading.Event()

    @property
    def width(self) -> int:
        return max(20, shutil.get_terminal_size((100, 24)).columns - 1)

    def update(self, progress: Progress) -> None:
        self._end_countdown()
        if self._tty:
            self._draw(render_line(progress, self.width))
            return
        # Plain output: a line per account change, otherwise one per interval.
        account = getattr(progress, "account", "")
        now = time.monotonic()
        if account != self._last_plain_message or now - self._last_plain >= self._plain_interval:
            self._last_plain, self._last_plain_message = now, account
            self._print(render_line(progress, 10_000))

    def waiting(self, notice: WaitNotice) -> None:
        self._end_countdown()
        if not self._tty:
            self._print(render_wait(notice, self._now(), 10_000))
            return
        self._draw(render_wait(notice, self._now(), self.width))
        self._stop_ticker.clear()
        self._ticker = threading.Thread(target=self._tick, args=(notice,), name="progress-countdown", daemon=True)
        self._ticker.start()

    def message(self, text: str) -> None:
        """A line of its own, above the progress line."""
        self._end_countdown()
        with self._lock:
            if self._tty and self._line_len:
                self._stream.write("\r" + " " * self._line_len + "\r")
                self._line_len = 0
            self._stream.write(text + "\n")
            self._stream.flush()

    def close(self) -> None:
        self._end_countdown()
        with self._lock:
            if self._tty and self._line_len:
                self._stream.write("\n")
                self._stream.flush()
                self._line_len = 0

    def _tick(self, notice: WaitNotice) -> None:
        while not self._stop_ticker.wait(1.0):
            if self._now() >= notice.resume_at:
                return
            self._draw(render_wait(notice, self._now(), self.width))

    def _end_countdown(self) -> None:
        if self._ticker is not None:
            self._stop_ticker.set()
            self._ticker.join()
            self._ticker = None

    def _draw(self, line: str) -> None:
        with self._lock:
            padding = " " * max(0, self._line_len - len(line))  # wipe what a longer previous line left
            self._stream.write("\r" + line + padding)
            self._stream.flush()
            self._line_len = len(line)

    def _print(self, line: str) -> None:
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()
