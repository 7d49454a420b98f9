from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.tiers import DEFAULT_TIERS
from twexport_qt.store import fetch_runs_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 7


def make(user_id: int, **changes) -> FollowerRecord:
    base = FollowerRecord(
        user_id=user_id, username=f"user{user_id}", name=f"User {user_id}", followers_count=user_id * 10,
        following_count=user_id, created_at=1_300_000_000 + user_id, receives_your_dm=None,
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    yield connection
    connection.close()


def test_upserting_the_same_page_twice_updates_without_duplicates(conn):
    page = [make(1), make(2), make(3)]
    with conn:
        followers_repo.upsert_followers(conn, OWNER, page, seen_at=100)
    changed = [make(1, followers_count=5_000, description="new bio", verified=True), make(2), make(3)]
    with conn:
        followers_repo.upsert_followers(conn, OWNER, changed, seen_at=200)

    assert conn.execute("SELECT count(*) FROM followers").fetchone()[0] == 3
    first = followers_repo.get_follower(conn, OWNER, 1)
    assert first == dataclasses.replace(
        changed[0], first_seen=100, last_seen=200, unfollowed_at=None
    )
    assert first.verified is True and first.receives_your_dm is None


def test_booleans_and_unknown_dm_permission_round_trip(conn):
    with conn:
        followers_repo.upsert_followers(
            conn, OWNER, [make(1, receives_your_dm=False, protected=True), make(2, receives_your_dm=True)], 1
        )
    assert followers_repo.get_follower(conn, OWNER, 1).receives_your_dm is False
    assert followers_repo.get_follower(conn, OWNER, 1).protected is True
    assert followers_repo.get_follower(conn, OWNER, 2).receives_your_dm is True
    assert followers_repo.get_follower(conn, OWNER, 99) is None


def test_upsert_leaves_the_transaction_to_the_caller(conn):
    followers_repo.upsert_followers(conn, OWNER, [make(1)], seen_at=1)
    assert conn.in_transaction
    conn.rollback()
    assert followers_repo.count(conn, OWNER) == 0


def test_followers_are_per_owner(conn):
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [make(1)], seen_at=1)
        followers_repo.upsert_followers(conn, OWNER + 1, [make(1, followers_count=3)], seen_at=1)
    assert followers_repo.get_follower(conn, OWNER, 1).followers_count == 10
    assert followers_repo.get_follower(conn, OWNER + 1, 1).followers_count == 3


def test_refresh_marks_missing_followers_and_revives_returning_ones(conn):
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [make(1), make(2), make(3)], seen_at=100)
        followers_repo.upsert_followers(conn, OWNER, [make(1), make(3)], seen_at=200)
        assert followers_repo.mark_unfollowed(conn, OWNER, not_seen_since=200, at=250) == 1
    assert followers_repo.get_follower(conn, OWNER, 2).unfollowed_at == 250
    assert followers_repo.get_follower(conn, OWNER, 1).unfollowed_at is None
    assert followers_repo.count(conn, OWNER) == 2
    assert followers_repo.count(conn, OWNER, FollowerFilter(include_unfollowed=True)) == 3

    with conn:  # a later refresh still misses them: the original date stays
        followers_repo.upsert_followers(conn, OWNER, [make(1), make(3)], seen_at=300)
        assert followers_repo.mark_unfollowed(conn, OWNER, not_seen_since=300, at=350) == 0
    assert followers_repo.get_follower(conn, OWNER, 2).unfollowed_at == 250

    with conn:  # they follow again
        followers_repo.upsert_followers(conn, OWNER, [make(2)], seen_at=400)
    revived = followers_repo.get_follower(conn, OWNER, 2)
    assert (revived.unfollowed_at, revived.first_seen, revived.last_seen) == (None, 100, 400)


def test_by_run_a_refresh_within_the_second_of_the_one_before_still_marks_whom_it_did_not_see(conn):
    """Seconds cannot tell two fetches in one second apart; fetch run ids can (`seen_run`)."""
    with conn:
        first = fetch_runs_repo.start(conn, OWNER, "followers", 100, None)
        followers_repo.upsert_followers(conn, OWNER, [make(1), make(2), make(3)], seen_at=100)
        assert followers_repo.mark_unfollowed(conn, OWNER, 100, 100, run_id=first.id) == 0
        second = fetch_runs_repo.start(conn, OWNER, "followers", 100, None)  # the same second
        followers_repo.upsert_followers(conn, OWNER, [make(1), make(3)], seen_at=100)
        assert followers_repo.mark_unfollowed(conn, OWNER, 100, 100, run_id=second.id) == 1
    assert followers_repo.get_follower(conn, OWNER, 2).unfollowed_at == 100
    assert followers_repo.count(conn, OWNER) == 2
    assert followers_repo.newest_fetch_run(conn) == second.id > first.id


@pytest.fixture
def ten(conn):
    counts = [5, 50_000, 700, 700, 12, 3_000, 0, 10_000, 999, 42]
    with conn:
        followers_repo.upsert_followers(
            conn, OWNER, [make(i + 1, followers_count=c, username=f"u{c:06d}") for i, c in enumerate(counts)], 1
        )
    return conn


def user_ids_in(conn, rowids) -> list[int]:
    return [row[followers_repo.ROW_COLUMNS.index("user_id")] for row in followers_repo.rows_by_rowid(conn, rowids)]


def test_ids_sorted_orders_by_column_with_rowid_tiebreak(ten):
    descending = followers_repo.ids_sorted(ten, OWNER, None, "followers_count", True)
    assert descending.dtype == np.int64
    assert user_ids_in(ten, descending) == [2, 8, 6, 9, 4, 3, 10, 5, 1, 7]
    ascending = followers_repo.ids_sorted(ten, OWNER, None, "followers_count", False)
    assert user_ids_in(ten, ascending) == [7, 1, 5, 10, 3, 4, 9, 6, 8, 2]
    # Tier index 0 is the most valuable tier, so ascending puts power users first.
    assert user_ids_in(ten, followers_repo.ids_sorted(ten, OWNER, None, "tier", False))[:3] == [2, 8, 6]


def test_ids_sorted_applies_filter_and_search(ten):
    rising = followers_repo.ids_sorted(ten, OWNER, FollowerFilter(tiers=("Rising",)), "username", False)
    assert user_ids_in(ten, rising) == [6]
    searched = followers_repo.ids_sorted(ten, OWNER, None, "username", False, search_text="U0007")
    assert user_ids_in(ten, searched) == [3, 4]
    assert followers_repo.count(ten, OWNER, search_text="u0007") == 2
    assert followers_repo.count(ten, OWNER, search_text="%") == 0  # a literal percent sign


def test_ids_sorted_rejects_unknown_columns(ten):
    with pytest.raises(ValueError, match="Cannot sort"):
        followers_repo.ids_sorted(ten, OWNER, None, "followers_count; DROP TABLE followers", True)


def test_rows_by_rowid_keeps_the_requested_order_and_adds_tier_and_dm_status(ten):
    rowids = followers_repo.ids_sorted(ten, OWNER, None, "user_id", False)
    with ten:
        ten.execute(
            "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
            "VALUES (?, 2, 'first', 'live', 'sent', 0, 0), (?, 2, 'retry', 'live', 'failed', 0, 0)",
            (OWNER, OWNER),
        )
    rows = followers_repo.rows_by_rowid(ten, [rowids[1], rowids[0], 10**9])
    assert [row[followers_repo.ROW_COLUMNS.index("user_id")] for row in rows] == [2, 1]
    as_dict = dict(zip(followers_repo.ROW_COLUMNS, rows[0]))
    assert as_dict["tier"] == 0 and as_dict["dm_status"] == "retry:failed"
    assert dict(zip(followers_repo.ROW_COLUMNS, rows[1]))["dm_status"] is None


def test_rows_by_rowid_handles_more_rowids_than_one_statement_binds(conn):
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [make(i) for i in range(1, 2_001)], seen_at=1)
    rowids = followers_repo.ids_sorted(conn, OWNER, None, "user_id", True)
    assert user_ids_in(conn, rowids) == list(range(2_000, 0, -1))


def test_plot_arrays_flag_matches_over_the_whole_population(ten):
    arrays = followers_repo.plot_arrays(ten, OWNER, FollowerFilter(min_followers=1_000))
    assert set(arrays) == {"rowid", "user_id", "followers", "following", "created_at", "tier", "matches"}
    order = np.argsort(arrays["user_id"])
    assert arrays["followers"][order].tolist() == [5, 50_000, 700, 700, 12, 3_000, 0, 10_000, 999, 42]
    assert arrays["user_id"][arrays["matches"]].tolist() == [2, 6, 8]
    assert arrays["tier"][order].tolist() == [2, 0, 2, 2, 2, 1, 2, 0, 2, 2]
    assert arrays["created_at"].dtype == np.int64


def test_iter_rows_streams_matching_rows_in_batches(ten):
    rows = list(followers_repo.iter_rows(ten, OWNER, FollowerFilter(max_followers=700), batch=2))
    user_ids = [row[followers_repo.ROW_COLUMNS.index("user_id")] for row in rows]
    assert user_ids == [1, 3, 4, 5, 7, 10]
    tiers = {row[followers_repo.ROW_COLUMNS.index("tier")] for row in rows}
    assert tiers == {len(DEFAULT_TIERS) - 1}
