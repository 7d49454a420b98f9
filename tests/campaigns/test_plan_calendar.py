"""The campaign calendar's arithmetic: the daily cap binds (X's 15 per 15 minutes fits 1,440 a day), DMs of the
last 24 hours count, retries land N days after their first DM and go first, tiers in order, what comes after the
horizon, and what it costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from twexport_qt.campaigns import plan_report
from twexport_qt.campaigns.plan_calendar import (
    DM_CREATE_PRICE_USD,
    DM_EVENT_READ_PRICE_USD,
    PRICES_AS_OF,
    build_calendar,
    estimated_cost,
)
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 42
DAY = 86_400
MIDNIGHT = 1_767_225_600  # 2026-01-01T00:00:00Z
NOON = MIDNIGHT + DAY // 2


@pytest.fixture
def conn(tmp_path):
    conn = open_database(tmp_path / "plan.sqlite3")
    yield conn
    conn.close()


def live(**overrides) -> CampaignSettings:
    values = {"message": "Hi {first_name}", "retry_message": "Still there, {first_name}?", "test_mode": False,
                  "dm_enabled": True, "live_confirmed": True, "retry_after_days": 7}
    return CampaignSettings(**{**values, **overrides})


def add_followers(conn, count: int, *, first_id: int = 1, followers_count: int = 10,
                  receives_your_dm: bool | None = True) -> list[int]:
    ids = list(range(first_id, first_id + count))
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            FollowerRecord(user_id=i, username=f"user{i}", followers_count=followers_count,
                           receives_your_dm=receives_your_dm) for i in ids], MIDNIGHT - 30 * DAY)
    return ids


def sent(conn, user_ids, at: int, *, step: str = "first", mode: str = "live") -> None:
    with conn:
        for user_id in user_ids:
            dm_repo.claim(conn, OWNER, user_id, f"user{user_id}", step, mode, "Hi", at)
            dm_repo.mark_sent(conn, OWNER, user_id, step, mode, event_id=f"e{user_id}{step}{mode}", now=at)


def by_day(calendar) -> dict[int, tuple[int, int]]:
    """{day number: (first DMs, retries)}"""
    return {day.day: (day.first, day.retry) for day in calendar.days if day.first or day.retry}


def test_the_daily_cap_binds_and_each_day_starts_when_yesterdays_slots_free(conn):
    add_followers(conn, 1_000)
    calendar = build_calendar(conn, OWNER, live(daily_cap=400, retry_message=""), MIDNIGHT)
    assert by_day(calendar) == {1: (400, 0), 2: (400, 0), 3: (200, 0)}
    assert [day.date for day in calendar.days] == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    assert (calendar.due_first, calendar.later_first, calendar.later_retry) == (1_000, 0, 0)


def test_fifteen_per_fifteen_minutes_fits_1440_a_day_so_the_cap_is_what_limits(conn):
    add_followers(conn, 3_000)
    at_midnight = build_calendar(conn, OWNER, live(daily_cap=1_440, retry_message=""), MIDNIGHT)
    assert by_day(at_midnight) == {1: (1_440, 0), 2: (1_440, 0), 3: (120, 0)}  # 96 windows of 15, the last at 23:45
    # From noon, X's windows keep the same pace through the night: half a day, then whole days.
    at_noon = build_calendar(conn, OWNER, live(daily_cap=1_440, retry_message=""), NOON)
    assert by_day(at_noon) == {1: (720, 0), 2: (1_440, 0), 3: (840, 0)}


def test_retries_land_retry_after_days_after_their_first_dm_including_planned_ones(conn):
    add_followers(conn, 500)
    calendar = build_calendar(conn, OWNER, live(daily_cap=400, retry_after_days=3), MIDNIGHT)
    assert by_day(calendar) == {1: (400, 0), 2: (100, 0), 4: (0, 400), 5: (0, 100)}
    due = {day.day: day.retries_falling_due for day in calendar.days}
    assert due[4] == 400 and due[5] == 100 and due[1] == due[2] == 0


def test_retries_go_before_first_dms_when_both_are_due(conn):
    messaged = add_followers(conn, 10)
    add_followers(conn, 10, first_id=100)
    sent(conn, messaged, MIDNIGHT - 8 * DAY)  # retries due a day ago
    calendar = build_calendar(conn, OWNER, live(daily_cap=5), MIDNIGHT)
    assert (calendar.due_first, calendar.due_retry, calendar.waiting_retry) == (10, 10, 0)
    assert by_day(calendar) == {1: (0, 5), 2: (0, 5), 3: (5, 0), 4: (5, 0), 10: (0, 5), 11: (0, 5)}


def test_dms_of_the_last_24_hours_count_against_todays_cap_test_sends_included(conn):
    add_followers(conn, 100)
    sent(conn, range(10_000, 10_385), NOON - 3_600)
    sent(conn, range(20_000, 20_005), NOON - 3_600, mode="test")  # X counts every DM the account sends
    calendar = build_calendar(conn, OWNER, live(daily_cap=400, retry_message=""), NOON)
    assert calendar.sent_last_24h == 390
    # 10 fit now; the rest when the DMs of an hour before noon leave the 24 hours, at 11:00 tomorrow.
    assert by_day(calendar) == {1: (10, 0), 2: (90, 0)}
    assert "390 DMs were sent in the last 24 hours" in plan_report.render_text(calendar)


def test_higher_tiers_first_and_each_days_tiers_named(conn):
    add_followers(conn, 3, first_id=1, followers_count=20_000)   # Power user
    add_followers(conn, 5, first_id=10, followers_count=2_000)   # Rising
    add_followers(conn, 10, first_id=20, followers_count=50)     # Regular
    calendar = build_calendar(conn, OWNER, live(daily_cap=10, retry_message=""), MIDNIGHT)
    assert [day.first_by_tier for day in calendar.days] == [(3, 5, 2), (0, 0, 8)]
    first_day, second_day = calendar.days
    assert plan_report.tiers_text(calendar, first_day) == "first: Power user 3, Rising 5, Regular 2"
    assert plan_report.tiers_text(calendar, second_day) == "first: Regular 8"
    lines = plan_report.render_text(calendar).splitlines()
    header = next(number for number, line in enumerate(lines) if line.startswith("Date (UTC)"))
    assert lines[header:header + 3] == [  # as `dm run --plan` prints it
        "Date (UTC)  Day  First DMs  Retries  Retries falling due  Cost (est.)  Tiers",
        "2026-01-01    1         10        0                    0        $0.15  "
        "first: Power user 3, Rising 5, Regular 2",
        "2026-01-02    2          8        0                    0        $0.12  first: Regular 8",
    ]


def test_followers_who_dont_accept_dms_and_do_not_contact_are_left_out(conn):
    add_followers(conn, 5)
    add_followers(conn, 3, first_id=50, receives_your_dm=False)
    with conn:
        dm_repo.add_do_not_contact(conn, OWNER, 1, "asked", MIDNIGHT)
    calendar = build_calendar(conn, OWNER, live(retry_message=""), MIDNIGHT)
    assert (calendar.due_first, calendar.skipped, calendar.first) == (4, 3, 4)


def test_what_does_not_fit_the_horizon_is_counted_after_it(conn):
    add_followers(conn, 2_000)
    calendar = build_calendar(conn, OWNER, live(daily_cap=400), MIDNIGHT, horizon_days=3)
    assert by_day(calendar) == {1: (400, 0), 2: (400, 0), 3: (400, 0)}
    # 800 first DMs not sent yet, and a retry for each of the 2,000.
    assert (calendar.later_first, calendar.later_retry) == (800, 2_000)
    assert calendar.total_cost_usd == Decimal("80.000")  # 4,000 creates at $0.015 + 2,000 reads at $0.010
    text = plan_report.render_text(calendar)
    assert "And 2,800 more after 2026-01-03: 800 first DMs and 2,000 retries" in text


def test_cost_is_a_create_per_dm_and_an_estimated_history_read_per_retry(conn):
    add_followers(conn, 100)
    calendar = build_calendar(conn, OWNER, live(), MIDNIGHT)
    assert (calendar.first, calendar.retry) == (100, 100)
    assert calendar.cost_usd == 200 * DM_CREATE_PRICE_USD + 100 * DM_EVENT_READ_PRICE_USD == Decimal("4.000")
    assert [day.cost_usd for day in calendar.days] == [Decimal("1.500"), Decimal("2.500")]
    assert estimated_cost(1, 0) == Decimal("0.015")
    text = plan_report.render_text(calendar)
    assert "Estimated cost: $4.00 = 200 DM creates × $0.015 + 100 DM event reads × $0.010" in text
    assert f"as of {PRICES_AS_OF}" in text and "estimate" in text


def test_the_text_says_utc_dates_the_cap_the_mode_and_a_brief_for_the_live_question(conn):
    add_followers(conn, 100)
    calendar = build_calendar(conn, OWNER, live(test_mode=True), MIDNIGHT)
    text = plan_report.render_text(calendar, profile="Mine")
    assert text.startswith("Campaign plan for profile 'Mine', from 2026-01-01 00:00 UTC. Days are UTC dates.")
    assert "Test mode is on" in text and "at most 400 DMs per 24 hours, your daily cap" in text
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Date (UTC)"))
    assert lines[header + 1].split()[:5] == ["2026-01-01", "1", "100", "0", "0"]
    assert lines[header + 2].split()[:5] == ["2026-01-08", "8", "0", "100", "100"]
    assert plan_report.brief(calendar) == (
        "The plan (UTC dates): 100 first DMs on 2026-01-01 and 100 retries on 2026-01-08; about $4.00 at X's "
        "prices. Plan in the DM tab (or `dm run --plan`) shows each day.")


def test_before_the_first_fetch_the_plan_says_so(conn):
    calendar = build_calendar(conn, OWNER, live(), MIDNIGHT)
    assert calendar.days == () and "fetch followers first" in plan_report.render_text(calendar)
