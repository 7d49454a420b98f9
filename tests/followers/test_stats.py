from __future__ import annotations

import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.stats import DmStepCounts, summary
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 1


def follower(user_id: int, followers: int, **flags) -> FollowerRecord:
    return FollowerRecord(user_id=user_id, username=f"u{user_id}", followers_count=followers, **flags)


@pytest.fixture
def conn():
    c = open_database(":memory:")
    old = [follower(1, 20_000, verified=True), follower(2, 5_000, protected=True), follower(5, 50),
           follower(6, 10), follower(7, 10)]
    new = [follower(3, 10), follower(4, 10, verified=True)]
    with c:
        followers_repo.upsert_followers(c, OWNER, old, seen_at=100)
        old_still_following = [r for r in old if r.user_id != 5]
        followers_repo.upsert_followers(c, OWNER, old_still_following + new, seen_at=200)
        followers_repo.mark_unfollowed(c, OWNER, not_seen_since=200, at=260)
        followers_repo.upsert_followers(c, OWNER + 1, [follower(1, 1)], seen_at=999)
        c.executemany(
            "INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) VALUES (?, ?, ?, ?, ?)",
            [(OWNER, "followers", "done", 100, 150), (OWNER, "followers", "done", 200, 260),
             (OWNER, "followers", "running", 300, None), (OWNER + 1, "followers", "done", 999, 1_000)],
        )
        c.executemany(
            "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 0, 0)",
            [(OWNER, 1, "first", "live", "sent"), (OWNER, 1, "retry", "live", "sent"),
             (OWNER, 2, "first", "live", "sent"), (OWNER, 3, "first", "live", "skipped"),
             (OWNER, 4, "first", "live", "failed"), (OWNER, 5, "first", "live", "sent"),
             (OWNER, 7, "first", "live", "sending"), (OWNER, 4, "first", "test", "sent"),
             (OWNER + 1, 1, "first", "live", "sent")],
        )
    yield c
    c.close()


def test_summary_counts(conn):
    result = summary(conn, OWNER)
    assert (result.total, result.active, result.unfollowed) == (7, 6, 1)
    assert result.new_since_last_fetch == 2  # users 3 and 4, first seen by the run started at 200
    assert (result.verified, result.protected) == (2, 1)
    assert result.verified_share == pytest.approx(2 / 6)
    assert result.tier_counts == {"Power user": 1, "Rising": 1, "Regular": 4}
    assert list(result.tier_counts) == ["Power user", "Rising", "Regular"]
    assert result.last_fetch_at == 260  # the running fetch does not count yet
    assert result.dm["first"] == DmStepCounts(sent=3, skipped=1, failed=1, sending=1, pending=1)
    assert result.dm["retry"] == DmStepCounts(sent=1, pending=1)  # user 2: first sent, no retry yet


def test_summary_of_a_test_campaign_counts_only_test_rows(conn):
    result = summary(conn, OWNER, mode="test")
    assert result.dm["first"] == DmStepCounts(sent=1, pending=5)
    assert result.dm["retry"] == DmStepCounts(pending=1)  # user 4's test DM was sent


def test_summary_of_an_account_without_data(conn):
    result = summary(conn, 99)
    assert (result.total, result.active, result.new_since_last_fetch, result.verified_share) == (0, 0, 0, 0.0)
    assert result.last_fetch_at is None
    assert result.tier_counts == {"Power user": 0, "Rising": 0, "Regular": 0}
    assert result.dm == {"first": DmStepCounts(), "retry": DmStepCounts()}


def test_after_the_first_complete_fetch_nobody_is_new(conn):
    # OWNER + 1 has a single completed fetch: every follower was first seen by it, but none is "new".
    assert summary(conn, OWNER + 1).new_since_last_fetch == 0
