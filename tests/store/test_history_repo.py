"""The follower history's storage: snapshots record changes only (joins, leaves, metric deltas), and the migration
seeds a first snapshot for folders that already hold a complete fetch."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import followers_repo, history_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS

OWNER = 7


def member(user_id: int, **metrics: int) -> FollowerRecord:
    return FollowerRecord(user_id=user_id, username=f"user{user_id}", **metrics)


@pytest.fixture
def conn(tmp_path):
    connection = open_database(tmp_path / "history.sqlite3")
    yield connection
    connection.close()


def complete_fetch(conn: sqlite3.Connection, at: int, records: list[FollowerRecord]) -> history_repo.SnapshotRow:
    """What a complete full fetch started at `at` leaves behind: everyone listed seen since then, then a snapshot."""
    with conn:
        followers_repo.upsert_followers(conn, OWNER, records, at)
        followers_repo.mark_unfollowed(conn, OWNER, at, at + 10)
        return history_repo.record_snapshot(conn, OWNER, None, at, at + 10)


def table_rows(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_only_changed_metrics_are_recorded_as_deltas(conn):
    complete_fetch(conn, 1000, [member(1, tweet_count=10), member(2, followers_count=5), member(3)])
    second = complete_fetch(conn, 2000, [member(1, tweet_count=13), member(2, followers_count=5), member(3)])
    assert (second.joined, second.left, second.metric_changes, second.follower_count) == (0, 0, 1, 3)
    changes = history_repo.metric_changes(conn, second.id)
    assert changes.user_ids.tolist() == [1] and changes.deltas.tolist() == [[0, 0, 3, 0]]
    third = complete_fetch(conn, 3000, [member(1, tweet_count=13), member(2, followers_count=5), member(3)])
    assert third.metric_changes == 0 and table_rows(conn, "follower_metric_changes") == 1
    assert len(history_repo.metric_changes(conn, third.id).user_ids) == 0


@pytest.mark.parametrize("size", [1, 7, 5000])
def test_packed_metric_changes_come_back_exactly(size):
    rng = np.random.default_rng(size)
    changed = np.zeros(size, dtype=[("user_id", np.int64), *((f"{c}_delta", np.int64)
                                                             for c in history_repo.METRIC_COLUMNS)])
    changed["user_id"] = rng.choice(np.arange(1, 2**62, 2**40, dtype=np.int64), size=size, replace=False)
    changed["followers_count_delta"] = rng.integers(-3, 4, size)
    changed["tweet_count_delta"] = rng.integers(0, 200_000, size)
    changed["listed_count_delta"] = rng.integers(-(2**40), 2**40, size)
    unpacked = history_repo.unpack_metric_changes(history_repo.pack_metric_changes(changed))
    ordered = np.sort(changed, order="user_id")
    assert unpacked.user_ids.tolist() == ordered["user_id"].tolist()
    for index, column in enumerate(history_repo.METRIC_COLUMNS):
        assert unpacked.deltas[:, index].tolist() == ordered[f"{column}_delta"].tolist()


def test_leaving_and_coming_back_are_two_changes_and_the_comeback_catches_up_metrics(conn):
    complete_fetch(conn, 1000, [member(1), member(2, listed_count=1)])
    gone = complete_fetch(conn, 2000, [member(1)])
    assert (gone.left, gone.follower_count) == (1, 1)
    back = complete_fetch(conn, 3000, [member(1), member(2, listed_count=4)])
    assert (back.joined, back.left, back.metric_changes, back.follower_count) == (1, 0, 1, 2)
    assert [row.user_id for row in history_repo.leaves(conn, OWNER)] == [2]
    assert [(row.user_id, row.at) for row in history_repo.joins(conn, OWNER)] == [(2, 3010)]


def test_a_refresh_without_changes_adds_one_snapshot_row_only(conn):
    records = [member(user_id, followers_count=user_id) for user_id in range(1, 501)]
    complete_fetch(conn, 1000, records)
    before = {table: table_rows(conn, table) for table in
              ("follower_joins", "follower_leaves", "follower_metric_changes", "follower_last_snapshot")}
    complete_fetch(conn, 2000, records)
    assert {table: table_rows(conn, table) for table in before} == before
    assert table_rows(conn, "follower_snapshots") == 2


def test_the_migration_seeds_a_first_snapshot_from_a_completed_fetch(tmp_path):
    path = tmp_path / "old.sqlite3"
    history_migration = next(number for number, script in enumerate(MIGRATIONS)
                             if "CREATE TABLE follower_snapshots" in script)
    old = sqlite3.connect(path)
    for number in range(history_migration):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    with old:
        for user_id, unfollowed_at in ((11, None), (12, None), (13, 500), (14, None)):
            old.execute("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen, unfollowed_at) "
                        "VALUES (?, ?, ?, 100, 400, ?)", (OWNER, user_id, f"u{user_id}", unfollowed_at))
        old.execute("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen) "
                    "VALUES (99, 1, 'other', 1, 1)")  # an account never completely fetched: no snapshot
        old.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                    "VALUES (?, 'followers', 'done', 300, 450)", (OWNER,))
        old.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at) "
                    "VALUES (99, 'followers', 'cancelled', 1)")
    old.close()

    conn = open_database(path)
    try:
        [seed] = history_repo.snapshots(conn, OWNER)
        assert (seed.taken_at, seed.follower_count, seed.joined, seed.left) == (450, 3, 3, 0)
        joins = history_repo.joins(conn, OWNER, include_first=True)
        assert [(row.user_id, row.position) for row in joins] == [(11, 0), (12, 1), (14, 2)]
        # The seeded snapshot has no block of ids: its rows are read instead.
        assert history_repo.join_ids(conn, OWNER, include_first=True).user_ids.tolist() == [11, 12, 14]
        assert history_repo.snapshots(conn, 99) == []
        # The next complete fetch compares with the seeded state.
        with conn:
            followers_repo.upsert_followers(conn, OWNER, [member(11), member(14), member(15)], 1000)
            following = history_repo.record_snapshot(conn, OWNER, None, 1000, 1100)
        assert (following.joined, following.left, following.follower_count) == (1, 1, 3)
    finally:
        conn.close()


@pytest.mark.parametrize("ids", [[], [5], [2**62, 3, 2**40, 7, 1_900_000_000_000_000_000, 1]])
def test_packed_ids_come_back_exactly_in_their_order(ids):
    assert history_repo.unpack_ids(history_repo.pack_ids(np.array(ids, dtype=np.int64))).tolist() == ids


def test_the_id_columns_match_the_rows_whether_read_from_blocks_or_rows(conn):
    rng = np.random.default_rng(3)
    population = [member(int(user_id)) for user_id in rng.choice(2**50, size=300, replace=False)]
    complete_fetch(conn, 1000, population[:200])
    complete_fetch(conn, 2000, population[50:250])
    complete_fetch(conn, 3000, population[100:300])

    def read() -> list[tuple[list[int], list[int], list[int], list[int]]]:
        left, new = history_repo.leave_ids(conn, OWNER), history_repo.join_ids(conn, OWNER, since=2000)
        return [(left.user_ids.tolist(), left.seen_at.tolist(), new.user_ids.tolist(), new.seen_at.tolist())]

    from_blocks = read()
    left_rows, join_rows = history_repo.leaves(conn, OWNER), history_repo.joins(conn, OWNER, since=2000)
    assert from_blocks == [([row.user_id for row in left_rows], [row.at for row in left_rows],
                            [row.user_id for row in join_rows], [row.at for row in join_rows])]
    assert len(left_rows) == 100 and len(join_rows) == 100
    with conn:
        conn.execute("DELETE FROM follower_change_blocks")  # as for snapshots recorded before the blocks existed
    assert read() == from_blocks


def test_stored_profiles_are_read_together_and_those_never_stored_are_missing(conn):
    complete_fetch(conn, 1000, [member(1, followers_count=10), member(2, followers_count=20), member(3)])
    profiles = history_repo.stored_profiles(conn, OWNER, [3, 1, 99])
    assert profiles == {1: history_repo.StoredProfile(1, "user1", "", 10),
                        3: history_repo.StoredProfile(3, "user3", "", 0)}
    assert history_repo.stored_profiles(conn, OWNER + 1, [1]) == {}
    assert history_repo.stored_profiles(conn, OWNER, []) == {}
