"""Spend reports: months of UTC days, every day of a month for the chart, today's spend even in another month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from twexport_qt.billing.report import DaySpend, Month, month_summary, spent_in_month, spent_today
from twexport_qt.store import spend_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.spend_repo import SpendRow

JAN_1 = 1_767_225_600  # 2026-01-01T00:00:00Z


def entry(day: str, job: str | None, endpoint: str, amount_micros: int) -> SpendRow:
    return SpendRow(0, day, "main", job, endpoint, "follows", True, amount_micros // 1_000, amount_micros // 1_000,
                    1_000, amount_micros)


@pytest.mark.parametrize("text, month", [("2026-08", Month(2026, 8)), (" 2024-02 ", Month(2024, 2))])
def test_a_month_is_yyyy_mm(text, month):
    assert Month.parse(text) == month and str(month) == text.strip()


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-8", "08-2026", "August", ""])
def test_anything_else_is_a_sentence_saying_how(text):
    with pytest.raises(ValueError, match="give it as YYYY-MM"):
        Month.parse(text)


def test_months_know_their_days_and_instants_their_utc_month():
    assert len(Month(2024, 2).days()) == 29 and Month(2025, 2).last_day == dt.date(2025, 2, 28)
    assert Month(2026, 12).last_day == dt.date(2026, 12, 31)
    assert Month.of(JAN_1 - 1) == Month(2025, 12) and Month.of(JAN_1) == Month(2026, 1)


def test_month_summary_has_every_day_and_todays_spend_from_another_month(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        for row in (entry("2025-12-31", "fetch-followers", "GET /2/users/:id/followers", 1_000_000),
                    entry("2025-12-02", "dm-campaign", "POST /2/dm_conversations/with/:id/messages", 45_000),
                    entry("2025-12-31", None, "GET /2/users/me", 10_000),
                    entry("2026-01-01", "fetch-followers", "GET /2/users/:id/followers", 2_500_000)):
            spend_repo.add(conn, row)
    summary = month_summary(conn, "main", Month(2025, 12), JAN_1 + 60)
    assert summary.today == dt.date(2026, 1, 1) and summary.today_amount == Decimal("2.5")
    assert summary.month_amount == Decimal("1.055")
    assert len(summary.by_day) == 31 and summary.by_day[0] == DaySpend(dt.date(2025, 12, 1), Decimal(0))
    assert summary.days_with_spend == (DaySpend(dt.date(2025, 12, 2), Decimal("0.045")),
                                       DaySpend(dt.date(2025, 12, 31), Decimal("1.01")))
    assert [(line.label, line.amount) for line in summary.by_job] == [
        ("fetch-followers", Decimal("1")), ("dm-campaign", Decimal("0.045")), (None, Decimal("0.01"))]
    assert summary.by_endpoint[0].label == "GET /2/users/:id/followers"
    assert spent_in_month(conn, "main", Month(2026, 1)) == spent_today(conn, "main", JAN_1) == Decimal("2.5")
    assert spent_today(conn, "other profile", JAN_1) == 0
