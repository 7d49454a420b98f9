"""What the ledger says was spent: today, in a month, per job, per endpoint and per day (the later chart's bars).

Days are X's billing days (UTC). Amounts are `Decimal` dollars. Budgets read `spent_today` / `spent_in_month`;
the `spend` command and the spend view read `month_summary`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from twexport_qt.billing.days import utc_day
from twexport_qt.billing.prices import from_micros
from twexport_qt.store import spend_repo
from twexport_qt.store.spend_repo import SpendGroup, SpendTotal

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of UTC days."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"{self.year:04d}-{self.month:02d} is not a month (they run from 01 to 12): give it as "
                             "YYYY-MM, e.g. 2026-08.")

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-08' -> Month(2026, 8); ValueError with a sentence for anything else."""
        found = _MONTH.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"{text!r} is not a month: give it as YYYY-MM, e.g. 2026-08.")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, epoch: float) -> Month:
        """The UTC month of an instant."""
        day = dt.date.fromisoformat(utc_day(epoch))
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[dt.date]:
        return [dt.date(self.year, self.month, day) for day in range(1, self.last_day.day + 1)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class SpendLine:
    """One job's, endpoint's or day's spend: answers recorded, resources returned and billed, dollars."""

    label: str | None  # None: answers recorded without a job name
    answers: int
    returned: int
    billed: int
    amount: Decimal


@dataclass(frozen=True)
class DaySpend:
    day: dt.date
    amount: Decimal


@dataclass(frozen=True)
class MonthSummary:
    """A profile's spend in one month, and today's (which may lie in another month)."""

    profile: str
    month: Month
    today: dt.date
    today_amount: Decimal
    month_amount: Decimal
    by_job: tuple[SpendLine, ...]
    by_endpoint: tuple[SpendLine, ...]
    by_day: tuple[DaySpend, ...]  # every day of the month, zero where nothing was billed (a chart's bars)

    @property
    def days_with_spend(self) -> tuple[DaySpend, ...]:
        return tuple(day for day in self.by_day if day.amount)


def spent(conn: sqlite3.Connection, profile: str, first_day: dt.date, last_day: dt.date) -> Decimal:
    """Dollars billed from `first_day` to `last_day`, both included."""
    return from_micros(spend_repo.total_micros(conn, profile, first_day.isoformat(), last_day.isoformat()))


def spent_today(conn: sqlite3.Connection, profile: str, now: float) -> Decimal:
    """Dollars billed on the current UTC day (a daily budget's measure)."""
    today = dt.date.fromisoformat(utc_day(now))
    return spent(conn, profile, today, today)


def spent_in_month(conn: sqlite3.Connection, profile: str, month: Month) -> Decimal:
    """Dollars billed in a UTC calendar month (a monthly budget's measure)."""
    return spent(conn, profile, month.first_day, month.last_day)


def month_summary(conn: sqlite3.Connection, profile: str, month: Month, now: float) -> MonthSummary:
    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    per_day = {total.key: from_micros(total.amount_micros)
               for total in spend_repo.totals_by(conn, SpendGroup.DAY, profile, first, last)}
    by_day = tuple(DaySpend(day, per_day.get(day.isoformat(), Decimal(0))) for day in month.days())
    return MonthSummary(
        profile=profile,
        month=month,
        today=dt.date.fromisoformat(utc_day(now)),
        today_amount=spent_today(conn, profile, now),
        month_amount=sum((day.amount for day in by_day), Decimal(0)),
        by_job=_lines(spend_repo.totals_by(conn, SpendGroup.JOB, profile, first, last)),
        by_endpoint=_lines(spend_repo.totals_by(conn, SpendGroup.ENDPOINT, profile, first, last)),
        by_day=by_day,
    )


def _lines(totals: list[SpendTotal]) -> tuple[SpendLine, ...]:
    return tuple(SpendLine(total.key, total.answers, total.returned, total.billed, from_micros(total.amount_micros))
                 for total in totals)
