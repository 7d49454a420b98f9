"""What the Tweet datasets tab lists: the downloads with their accounts and states."""

from __future__ import annotations

from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections


class DownloadsService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock
