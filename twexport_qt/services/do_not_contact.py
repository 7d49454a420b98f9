"""The do-not-contact list: its entries with their followers, adding by username, removing."""

from __future__ import annotations

from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections


class DoNotContactService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock
