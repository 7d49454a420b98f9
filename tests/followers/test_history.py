"""Follower history over simulated days: every count (joined, left, totals, who) checked against the sandbox's truth
across several complete fetches, with a cancelled fetch in between that changes nothing."""

from __future__ import annotations

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.followers import history
from twexport_qt.followers.fetch import PageStored, fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import DAY_S, churn
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = SANDBOX_USER_ID


@pytest.fixture
def conn(tmp_path):
    connection = open_database(tmp_path / "twexport.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def fetch(conn, sandbox_gateway, fake_clock):
    def run(*, cancel_after_pages: int | None = None, new_only: bool = False):
        cancel = CancelToken()

        def on_page(stored: PageStored) -> None:
            if cancel_after_pages is not None and stored.pages >= cancel_after_pages:
                cancel.cancel()

        return fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                               cancel=cancel, on_page_stored=on_page, new_only=new_only)
    return run


def current_ids(conn) -> set[int]:
    return {row[0] for row in conn.execute("SELECT user_id FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL",
                                           (OWNER,))}


def test_history_follows_the_sandbox_day_by_day(conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    first_list = population.follower_ids()
    fetch()
    start = fake_clock.now()
    assert current_ids(conn) == set(first_list)
    [first] = history.growth(conn, OWNER)
    assert (first.followers, first.joined, first.left, first.first) == (2500, 2500, 0, True)
    assert history.who_is_new(conn, OWNER) == [] and history.who_left(conn, OWNER) == []

    day1 = churn(population, joined=40, left=15, clock=fake_clock)
    fetch()
    day1_at = fake_clock.now()

    day2 = churn(population, joined=25, left=30, clock=fake_clock, seed=2)
    with pytest.raises(errors.Cancelled):
        fetch(cancel_after_pages=1)
    # The cancelled fetch is no snapshot and marks nobody as left.
    assert [point.followers for point in history.growth(conn, OWNER)] == [2500, 2525]
    assert set(day2.left) <= current_ids(conn)
    fetch()  # resumes and completes
    day2_at = fake_clock.now()

    points = history.growth(conn, OWNER)
    assert [(p.followers, p.joined, p.left) for p in points] == [(2500, 2500, 0), (2525, 40, 15), (2520, 25, 30)]
    assert [p.first for p in points] == [True, False, False]
    assert points[-1].followers == len(day2.followers) == len(current_ids(conn))
    assert current_ids(conn) == set(day2.followers)

    left = history.who_left(conn, OWNER)
    assert [row.user_id for row in left] == sorted(day2.left) + sorted(day1.left)  # latest snapshot first
    assert {row.at for row in left if row.user_id in day1.left} == {day1_at}
    assert {row.previous_snapshot_at for row in left if row.user_id in day2.left} == {day1_at}
    assert all(row.username for row in left)  # their profile as last stored
    new = history.who_is_new(conn, OWNER)
    assert [row.user_id for row in new] == day2.joined + day1.joined  # X's newest-first order within a snapshot
    assert [row.position for row in new[:3]] == [0, 1, 2]

    since_day2 = history.who_left(conn, OWNER, since=day2_at)
    assert sorted(row.user_id for row in since_day2) == sorted(day2.left)
    assert [row.user_id for row in history.who_is_new(conn, OWNER, since=start + 1, until=day1_at)] == day1.joined

    summary = history.since_last_week(conn, OWNER, int(fake_clock.now()))
    assert (summary.joined, summary.left, summary.snapshots, summary.followers) == (65, 45, 3, 2520)
    assert summary.sentence() == "since last week: +65 / \u221245"


def test_followed_since_is_an_order_at_first_then_a_period(conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    first_list = population.follower_ids()
    fetch()
    first_at = fake_clock.now()
    day = churn(population, joined=3, left=0, clock=fake_clock)
    fetch()

    oldest = history.followed_since(conn, OWNER, first_list[-1])
    assert oldest is not None and oldest.approximate and oldest.position == len(first_list) - 1
    assert history.followed_since(conn, OWNER, first_list[0]).position == 0  # X lists the newest first
    newcomer = history.followed_since(conn, OWNER, day.joined[0])
    assert newcomer is not None and not newcomer.approximate
    assert (newcomer.after, newcomer.first_seen_at, newcomer.position) == (first_at, fake_clock.now(), 0)
    assert history.followed_since(conn, OWNER, 12345) is None


def test_a_new_followers_refresh_is_no_snapshot_its_newcomers_join_at_the_next_complete_fetch(
        conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    fetch()
    day = churn(population, joined=12, left=4, clock=fake_clock)
    fetch(new_only=True)
    assert len(history.growth(conn, OWNER)) == 1
    fetch()
    latest = history.growth(conn, OWNER)[-1]
    assert (latest.joined, latest.left, latest.followers) == (12, 4, 2508)
    assert [row.user_id for row in history.who_is_new(conn, OWNER)] == day.joined


def test_a_fetch_that_never_completes_marks_nobody_as_left(conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    fetch()
    churn(population, joined=0, left=10, clock=fake_clock)
    for _ in range(2):  # cancelled twice, at its second page each time
        with pytest.raises(errors.Cancelled):
            fetch(cancel_after_pages=1)
    assert [(p.followers, p.left) for p in history.growth(conn, OWNER)] == [(2500, 0)]
    assert history.who_left(conn, OWNER) == []
    assert followers_repo.current_count(conn, OWNER) == 2500


def test_summary_without_history_says_so(conn, fake_clock):
    summary = history.since_last_week(conn, OWNER, int(fake_clock.now()))
    assert summary.followers is None
    assert summary.sentence().startswith("No follower history yet")


def test_summary_counts_only_the_period(conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    fetch()
    churn(population, joined=5, left=2, clock=fake_clock)
    fetch()
    churn(population, joined=7, left=3, clock=fake_clock, advance_s=8 * DAY_S)
    fetch()
    summary = history.since_last_week(conn, OWNER, int(fake_clock.now()))
    assert (summary.joined, summary.left, summary.snapshots) == (7, 3, 1)
    churn(population, joined=1, left=1, clock=fake_clock, advance_s=7 * DAY_S)
    fetch()  # exactly a week after the previous one: that fetch's changes belong to the week before
    summary = history.since_last_week(conn, OWNER, int(fake_clock.now()))
    assert (summary.joined, summary.left, summary.snapshots) == (1, 1, 1)
    assert history.growth_table(history.growth(conn, OWNER))[1][1:] == ["2,503", "+5", "\u22122"]


def test_the_columns_hold_the_same_changes_as_the_rows(conn, fetch, sandbox_server, fake_clock):
    population = sandbox_server.state.population
    fetch()
    for day in range(3):
        churn(population, joined=6 + day, left=3 + day, clock=fake_clock, seed=day)
        fetch()
    left_rows, left_ids = history.who_left(conn, OWNER), history.who_left_ids(conn, OWNER)
    assert list(left_ids.user_ids) == [row.user_id for row in left_rows] and len(left_ids) == 3 + 4 + 5
    assert list(left_ids.seen_at) == [row.at for row in left_rows]
    new_rows, new_ids = history.who_is_new(conn, OWNER), history.who_is_new_ids(conn, OWNER)
    assert list(new_ids.user_ids) == [row.user_id for row in new_rows] and len(new_ids) == 6 + 7 + 8
    since = int(fake_clock.now())
    assert list(history.who_left_ids(conn, OWNER, since=since).user_ids) == [row.user_id for row in left_rows[:5]]
