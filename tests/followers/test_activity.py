"""Activity end to end: a followers fetch in the sandbox, then "inactive for N days" against the sandbox's truth."""

from __future__ import annotations

import numpy as np
import pytest

from twexport_qt.core.snowflake import SNOWFLAKE_DATES_FROM
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.filters import DAY_SECONDS, FollowerFilter
from twexport_qt.followers.snapshot import UNKNOWN_DATE, FollowerSnapshot
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.population import UserRecord
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database


@pytest.fixture
def fetched(tmp_path, sandbox_server, sandbox_gateway, fake_clock):
    conn = open_database(tmp_path / "twexport.sqlite3")
    fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    yield conn
    conn.close()


def sandbox_followers(server) -> list[UserRecord]:
    population = server.state.population
    return population.users_at(population.follower_indices_desc(population.index_count - 1, population.index_count))


def dated(user: UserRecord) -> bool:
    """Whether X's id dates this user's last post (posts before snowflakes carry no time)."""
    return user.last_posted_ms is not None and user.last_posted_ms >= SNOWFLAKE_DATES_FROM * 1000


@pytest.mark.parametrize("days", [1, 30, 365])
def test_inactive_for_n_days_is_who_the_sandbox_says(fetched, sandbox_server, fake_clock, days):
    now = fake_clock.now()
    cutoff = int(now) - days * DAY_SECONDS
    users = sandbox_followers(sandbox_server)
    truth = {u.id for u in users if u.most_recent_tweet_id is None
             or (dated(u) and u.last_posted_ms is not None and u.last_posted_ms // 1000 < cutoff)}
    assert 0 < len(truth) < len(users)

    inactive = FollowerFilter(inactive_days=days)
    snapshot = FollowerSnapshot.load(fetched, SANDBOX_USER_ID)
    shown = set(snapshot.user_id[snapshot.mask(inactive, now=now)].tolist())
    assert shown == truth
    rows = followers_repo.iter_rows(fetched, SANDBOX_USER_ID, inactive, now=now)
    assert {row[followers_repo.ROW_COLUMNS.index("user_id")] for row in rows} == truth

    active = FollowerFilter(posted_within_days=days)
    assert set(snapshot.user_id[snapshot.mask(active, now=now)].tolist()) == {
        u.id for u in users if dated(u) and u.last_posted_ms is not None and u.last_posted_ms // 1000 >= cutoff}


def test_the_fetch_stores_each_followers_last_post_as_the_sandbox_made_it(fetched, sandbox_server):
    users = {u.id: u for u in sandbox_followers(sandbox_server)}
    stored = dict(fetched.execute("SELECT user_id, last_posted_at FROM followers").fetchall())
    assert stored.keys() == users.keys()
    for user_id, user in users.items():
        expected = user.last_posted_ms // 1000 if dated(user) and user.last_posted_ms is not None else None
        assert stored[user_id] == expected
    never, undated = ([u for u in users.values() if test(u)] for test in (
        lambda u: u.most_recent_tweet_id is None, lambda u: u.most_recent_tweet_id is not None and not dated(u)))
    assert never and undated  # the sandbox has both kinds of unknown
    snapshot = FollowerSnapshot.load(fetched, SANDBOX_USER_ID)
    assert snapshot.last_posted.dtype == np.int64
    assert int((snapshot.last_posted == UNKNOWN_DATE).sum()) == len(never) + len(undated)
