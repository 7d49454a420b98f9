"""What the DM campaign tab reads: who live sending reaches, the plan calendar, the funnel, DM status, the next due time."""

from __future__ import annotations

from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections


class CampaignService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock
