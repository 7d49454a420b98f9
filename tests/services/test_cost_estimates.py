"""What the views show before a paid job and on Settings → Automation: the last known follower count a schedule
is priced from, and the projections of the automatic schedules (X bills a follower once per UTC day)."""

from __future__ import annotations

from decimal import Decimal

from twexport_qt.billing.prices import DEFAULT_PRICES
from twexport_qt.followers.fetch import FOLLOWERS_KIND
from twexport_qt.services.cost_estimates import project_auto_campaign, project_auto_fetch, schedule_budget_problem
from twexport_qt.services.followers import FollowersService
from twexport_qt.store import fetch_runs_repo
from twexport_qt.store.database import open_database

OWNER = 7


def test_the_last_known_count_is_what_x_said_at_the_last_fetch(tmp_path, fake_clock, connections_to):
    path = tmp_path / "db.sqlite3"
    service = FollowersService(connections_to(path), fake_clock)
    assert service.last_known_count(OWNER) is None and service.last_known_count(None) is None
    conn = open_database(path)
    with conn:
        run = fetch_runs_repo.start(conn, OWNER, FOLLOWERS_KIND, 0, total_expected=None)
        fetch_runs_repo.advance(conn, run, None, 1_234)
        fetch_runs_repo.finish(conn, run, "done", 1)
    assert service.last_known_count(OWNER) == 1_234  # no count from X: what the finished fetch read
    with conn:
        fetch_runs_repo.start(conn, OWNER, FOLLOWERS_KIND, 2, total_expected=48_210)
    conn.close()
    assert service.last_known_count(OWNER) == 48_210


def test_frequent_fetches_are_billed_in_full_once_a_day():
    hourly, daily = project_auto_fetch(1_000, 60, DEFAULT_PRICES), project_auto_fetch(1_000, 24 * 60, DEFAULT_PRICES)
    assert (hourly.month_low, hourly.month_high) == (daily.month_low, daily.month_high) == (Decimal("30.00"),
                                                                                            Decimal("300.00"))
    assert "once per UTC day" in hourly.sentence and "once per UTC day" not in daily.sentence
    assert project_auto_fetch(1_000, 3 * 24 * 60, DEFAULT_PRICES).month_low == Decimal("10.00")


def test_the_budget_problem_counts_both_schedules_at_their_low_end():
    fetch = project_auto_fetch(1_000, 60, DEFAULT_PRICES)  # $30.00 a month at least
    campaign = project_auto_campaign(10, DEFAULT_PRICES)  # 10 × $0.015 + $0.01 a day: $4.80 a month
    assert campaign.month_low == Decimal("4.80")
    assert schedule_budget_problem("p", Decimal("34.80"), fetch, campaign) is None
    problem = schedule_budget_problem("p", Decimal("34.79"), fetch, campaign)
    assert problem is not None and problem.startswith("p: the automatic schedule would spend at least $34.80")
    assert schedule_budget_problem("p", None, fetch, campaign) is None
    assert schedule_budget_problem("p", Decimal("0.01"), None, None) is None
