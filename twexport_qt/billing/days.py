"""X's billing day is the UTC day: de-duplication, daily budgets and the ledger's rows all count by it."""

from __future__ import annotations

import datetime as dt


def utc_day(epoch: float) -> str:
    """The UTC day of an instant, as the ledger stores it ('2026-01-31')."""
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()
