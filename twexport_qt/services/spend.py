"""What the spend view and the status bar read from the ledger: a month's spend by day, job and endpoint, and
today's. Reads only; the ledger is written by each job's `SpendRecorder`."""

from __future__ import annotations

from decimal import Decimal

from twexport_qt.billing.report import Month, MonthSummary, month_summary, spent_today
from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections


class SpendService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def this_month(self) -> Month:
        return Month.of(self._clock.now())

    def month_summary(self, profile: str, month: Month | None = None) -> MonthSummary:
        """`profile`'s spend in `month` (default: the current UTC month), with today's."""
        return month_summary(self._db.get(), profile, month or self.this_month(), self._clock.now())

    def spent_today(self, profile: str) -> Decimal:
        return spent_today(self._db.get(), profile, self._clock.now())
