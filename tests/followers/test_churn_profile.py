"""Who left vs who stayed, on a sandbox that loses and gains followers between complete fetches: every bin's count
and share checked against the sandbox's own users (binned here digit by digit, not with the module's numpy), for
a whole history and for a window, and a period nobody left in."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.followers import history
from twexport_qt.followers.churn_profile import (
    AGE_LABELS,
    COUNT_LABELS,
    YEAR_S,
    ChurnMetric,
    churn_profile,
    count_bins,
)
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.population import Population, UserRecord
from twexport_qt.sandbox.server import SandboxServer
from twexport_qt.sandbox.testing import churn
from twexport_qt.store.database import open_database

OWNER = SANDBOX_USER_ID


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "twexport.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def fetch(conn: sqlite3.Connection, sandbox_gateway: XGateway, fake_clock: FakeClock) -> Callable[[], object]:
    return lambda: fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)


def user(population: Population, user_id: int) -> UserRecord:
    record = population.by_id(user_id)
    assert record is not None, user_id
    return record


def digits_bin(value: int) -> int:
    """0 → bin 0; otherwise the number of digits (1–9 → 1, 10–99 → 2, …), a million and more → the last bin."""
    return 0 if value == 0 else min(len(str(value)), len(COUNT_LABELS) - 1)


def age_bin(created_at: float, now: float) -> int:
    years = (now - int(created_at)) / YEAR_S
    return sum(years >= bound for bound in (1, 2, 5, 10))


def truth_counts(values: list[int], size: int) -> tuple[int, ...]:
    counts = [0] * size
    for value in values:
        counts[value] += 1
    return tuple(counts)


def test_the_shares_are_the_sandboxs_for_those_who_left_and_those_who_stayed(
        conn: sqlite3.Connection, fetch: Callable[[], object], sandbox_server: SandboxServer,
        fake_clock: FakeClock) -> None:
    population = sandbox_server.state.population
    fetch()
    day1 = churn(population, joined=40, left=15, clock=fake_clock)
    fetch()
    day2 = churn(population, joined=10, left=25, clock=fake_clock, seed=2)
    fetch()
    now = int(fake_clock.now())

    left_ids = history.who_left_ids(conn, OWNER).user_ids
    profile = churn_profile(conn, OWNER, left_ids, now=now)

    leavers = [user(population, user_id) for user_id in day1.left + day2.left]
    stayers = [user(population, user_id) for user_id in population.follower_ids()]
    assert (profile.leavers, profile.stayers) == (40, len(day2.followers))
    followers = profile.of(ChurnMetric.FOLLOWERS)
    assert followers.labels == COUNT_LABELS
    assert followers.left.counts == truth_counts([digits_bin(record.followers_count) for record in leavers],
                                                 len(COUNT_LABELS))
    assert followers.stayed.counts == truth_counts([digits_bin(record.followers_count) for record in stayers],
                                                   len(COUNT_LABELS))
    assert followers.left.shares == tuple(100.0 * count / 40 for count in followers.left.counts)
    assert sum(followers.stayed.shares) == pytest.approx(100.0)
    assert sum(1 for count in followers.stayed.counts if count) >= 3  # a spread a wrong binning would change
    for metric, field in ((ChurnMetric.FOLLOWING, "following_count"), (ChurnMetric.POSTS, "tweet_count")):
        assert profile.of(metric).left.counts == truth_counts(
            [digits_bin(getattr(record, field)) for record in leavers], len(COUNT_LABELS)), metric
    ages = profile.of(ChurnMetric.ACCOUNT_AGE)
    assert ages.labels == AGE_LABELS
    assert ages.left.counts == truth_counts([age_bin(record.created_at, now) for record in leavers], len(AGE_LABELS))
    assert ages.stayed.counts == truth_counts([age_bin(record.created_at, now) for record in stayers], len(AGE_LABELS))

    # A window: only the second day's leavers, against the same current followers.
    since = now - 1
    window = churn_profile(conn, OWNER, history.who_left_ids(conn, OWNER, since=since).user_ids, now=now)
    assert window.leavers == 25
    assert window.of(ChurnMetric.FOLLOWERS).left.counts == truth_counts(
        [digits_bin(user(population, user_id).followers_count) for user_id in day2.left], len(COUNT_LABELS))
    assert window.of(ChurnMetric.FOLLOWERS).stayed == followers.stayed


def test_a_period_nobody_left_in_has_no_leavers_and_no_shares(conn: sqlite3.Connection, fetch: Callable[[], object],
                                                             sandbox_server: SandboxServer,
                                                             fake_clock: FakeClock) -> None:
    fetch()
    profile = churn_profile(conn, OWNER, np.zeros(0, dtype=np.int64), now=int(fake_clock.now()))
    assert profile.leavers == 0 and profile.stayers == 2500
    distribution = profile.of(ChurnMetric.FOLLOWERS)
    assert distribution.left.total == 0 and set(distribution.left.shares) == {0.0}
    assert distribution.stayed.total == 2500


def test_count_bins_are_powers_of_ten() -> None:
    values = np.array([0, 1, 9, 10, 99, 100, 9_999, 10_000, 999_999, 1_000_000, 50_000_000, -1])
    assert count_bins(values).tolist() == [0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 7, -1]


def test_a_count_stored_as_a_real_is_read_row_by_row_with_the_same_bins(conn: sqlite3.Connection,
                                                                       fetch: Callable[[], object],
                                                                       sandbox_server: SandboxServer,
                                                                       fake_clock: FakeClock) -> None:
    fetch()
    now = int(fake_clock.now())
    left = np.array([row[0] for row in conn.execute("SELECT user_id FROM followers LIMIT 7")], dtype=np.int64)
    before = churn_profile(conn, OWNER, left, now=now)
    # A real (never written by the app) makes the bulk parse refuse; numpy then truncates it to the same bin.
    conn.execute("UPDATE followers SET followers_count = followers_count + 0.5 WHERE user_id = ?", (int(left[0]),))
    assert conn.execute("SELECT typeof(followers_count) FROM followers WHERE user_id = ?",
                        (int(left[0]),)).fetchone()[0] == "real"
    assert churn_profile(conn, OWNER, left, now=now) == before
