"""The summary panel's numbers: hand-checked on a small account, and the snapshot path equal to the SQL one on
random accounts sharing a database."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.stats import DmStepCounts, FollowerSummary, snapshot_summary, summary
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

OWNER = 1


def follower(user_id: int, followers: int, **flags) -> FollowerRecord:
    return FollowerRecord(user_id=user_id, username=f"u{user_id}", followers_count=followers, **flags)


def via_snapshot(
    conn, owner_id: int, tiers: Sequence[TierSpec] = DEFAULT_TIERS, *, mode: str = "live"
) -> FollowerSummary:
    return snapshot_summary(conn, FollowerSnapshot.load(conn, owner_id, tiers), mode=mode)


@pytest.fixture(params=[summary, via_snapshot], ids=["sql", "snapshot"])
def summarize(request):
    return request.param


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


def test_summary_counts(conn, summarize):
    result = summarize(conn, OWNER)
    assert (result.total, result.active, result.unfollowed) == (7, 6, 1)
    assert result.new_since_last_fetch == 2  # users 3 and 4, first seen by the run started at 200
    assert (result.verified, result.protected) == (2, 1)
    assert result.verified_share == pytest.approx(2 / 6)
    assert result.tier_counts == {"Power user": 1, "Rising": 1, "Regular": 4}
    assert list(result.tier_counts) == ["Power user", "Rising", "Regular"]
    assert result.last_fetch_at == 260  # the running fetch does not count yet
    assert result.dm["first"] == DmStepCounts(sent=3, skipped=1, failed=1, sending=1, pending=1)
    assert result.dm["retry"] == DmStepCounts(sent=1, pending=1)  # user 2: first sent, no retry yet


def test_summary_of_a_test_campaign_counts_only_test_rows(conn, summarize):
    result = summarize(conn, OWNER, mode="test")
    assert result.dm["first"] == DmStepCounts(sent=1, pending=5)
    assert result.dm["retry"] == DmStepCounts(pending=1)  # user 4's test DM was sent


def test_summary_of_an_account_without_data(conn, summarize):
    result = summarize(conn, 99)
    assert (result.total, result.active, result.new_since_last_fetch, result.verified_share) == (0, 0, 0, 0.0)
    assert result.last_fetch_at is None
    assert result.tier_counts == {"Power user": 0, "Rising": 0, "Regular": 0}
    assert result.dm == {"first": DmStepCounts(), "retry": DmStepCounts()}


def test_after_the_first_complete_fetch_nobody_is_new(conn, summarize):
    # OWNER + 1 has a single completed fetch: every follower was first seen by it, but none is "new".
    assert summarize(conn, OWNER + 1).new_since_last_fetch == 0


# -- the snapshot path against the SQL one on random accounts ---------------------------------------------------

OTHER = 2
# Overlapping tiers (the first match wins) and one bounded by following only.
TIERS = (
    TierSpec("Stars", min_followers=50_000),
    TierSpec("Connectors", min_following=2_000, max_following=4_000),
    TierSpec("Rising", min_followers=1_000, max_followers=49_999),
    TierSpec("Lurkers", max_followers=10, max_following=10),
    TierSpec("Everyone else"),
)


def random_follower(rng: random.Random, user_id: int) -> FollowerRecord:
    return FollowerRecord(
        user_id=user_id,
        username=f"u{user_id}",
        verified=rng.random() < 0.2,
        protected=rng.random() < 0.1,
        followers_count=rng.choice([0, 10, 11, 999, 1_000, 49_999, 50_000, rng.randrange(200_000)]),
        following_count=rng.choice([0, 10, 1_999, 2_000, 4_000, rng.randrange(10_000)]),
    )


def random_database(seed: int, completed_fetches: int):
    """Two accounts whose audiences overlap, fetched `completed_fetches` times (plus a cancelled and a running
    fetch); people follow, leave and come back between fetches; DMs of every step, mode and state go to current
    followers, former ones and strangers, with the same recipients in both accounts' logs."""
    rng = random.Random(seed)
    conn = open_database(":memory:")
    people = [1_000 + number * 7 for number in range(600)] + [2**62 + number for number in range(5)]
    with conn:
        for run in range(completed_fetches + 2):
            started = 1_000 * (run + 1)
            state = "done" if run < completed_fetches else rng.choice(["cancelled", "running", "failed"])
            for owner in (OWNER, OTHER):
                audience = rng.sample(people, rng.randrange(200, 500))
                followers_repo.upsert_followers(
                    conn, owner, [random_follower(rng, user_id) for user_id in audience], seen_at=started
                )
                if state == "done":
                    followers_repo.mark_unfollowed(conn, owner, not_seen_since=started, at=started + 10)
                conn.execute(
                    "INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) VALUES (?, ?, ?, ?, ?)",
                    (owner, "followers", state, started, started + 10 if state == "done" else None),
                )
        # A tweets fetch never decides who is new.
        conn.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                     "VALUES (?, 'tweets', 'done', 99999, 99999)", (OWNER,))
        strangers = [900_000 + number for number in range(50)]
        for owner in (OWNER, OTHER):
            for recipient in rng.sample(people + strangers, 400):
                for step in DmStep:
                    for mode in DmMode:
                        if rng.random() < (0.6 if step == DmStep.FIRST else 0.3):
                            conn.execute(
                                "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, "
                                "updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)",
                                (owner, recipient, step, mode, rng.choice(list(DmState))),
                            )
        # A recipient that is not a number (never written by the app) is counted, and matches nobody.
        conn.execute("INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
                     "VALUES (?, 'someone', 'first', 'live', 'sent', 0, 0)", (OWNER,))
    return conn


@pytest.mark.parametrize(("seed", "completed_fetches"), [(1, 0), (2, 1), (3, 2), (4, 4), (5, 3)])
def test_the_snapshot_summary_equals_the_sql_one_on_random_accounts(seed, completed_fetches):
    conn = random_database(seed, completed_fetches)
    try:
        for owner in (OWNER, OTHER, 99):
            snapshot = FollowerSnapshot.load(conn, owner, TIERS)
            for mode in DmMode:
                expected = summary(conn, owner, TIERS, mode=mode)
                assert snapshot_summary(conn, snapshot, mode=mode) == expected, (owner, mode)
                assert list(snapshot_summary(conn, snapshot, mode=mode).tier_counts) == [t.name for t in TIERS]

        # The data has something to get wrong: every count is exercised somewhere.
        live = summary(conn, OWNER, TIERS)
        assert live.verified and live.protected
        assert (live.unfollowed > 0) == (completed_fetches >= 2)  # only a complete refresh sees who left
        assert all(live.tier_counts.values())
        assert (live.new_since_last_fetch > 0) == (completed_fetches >= 2)
        for step in DmStep:
            counts = live.dm[step]
            assert counts.sent and counts.skipped and counts.failed and counts.sending and counts.pending
    finally:
        conn.close()


def test_the_snapshot_summary_counts_the_followers_the_snapshot_holds():
    conn = random_database(6, 2)
    try:
        snapshot = FollowerSnapshot.load(conn, OWNER, TIERS)
        before = snapshot_summary(conn, snapshot)
        with conn:
            followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=5, username="late")], seen_at=1)
        assert snapshot_summary(conn, snapshot) == before  # a follower written after the load waits for a reload
        assert summary(conn, OWNER, TIERS).total == before.total + 1
    finally:
        conn.close()
