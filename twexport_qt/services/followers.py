"""What the Followers tab reads: table cells in blocks, a follower's card for tooltips, snapshots, masks and orders."""

from __future__ import annotations

from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections


class FollowersService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock
