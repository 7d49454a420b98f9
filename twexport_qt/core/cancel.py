"""Cooperative cancellation shared between a GUI/CLI thread and a worker thread."""

from __future__ import annotations

import threading

from twexport_qt.core.errors import Cancelled


class CancelToken:
    """Set from any thread; long operations poll it and waiting sleeps wake up on it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Block up to `seconds`; True if cancelled meanwhile."""
        return self._event.wait(max(0.0, seconds))
