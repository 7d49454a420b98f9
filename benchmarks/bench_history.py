"""What the follower history costs at a million followers: bytes each daily refresh adds, the time to record a
snapshot, and the "who left" query over a year of history.

    python benchmarks/bench_history.py [--n 1000000] [--churn 0.01] [--metric-change 0.1 0.3] [--refreshes 3]

Ids are spread like X's (x_like_ids). Part 1 plays complete refreshes through the real code path (the
followers upsert's effect, `mark_unfollowed`, `history_repo.record_snapshot`): each day `churn` of the members
leave, as many new followers come, and a share `metric-change` of the members have a changed tweet count (and a
third of them a changed followers count). The bytes are the SQLite file's used pages after a WAL checkpoint (free
pages left out), split by table when SQLite has `dbstat`. Follower rows here are narrow (no bios), so the
followers table's own growth (the new followers' rows, about 300 bytes each in a real folder) is shown apart and
estimated.

Part 2 builds a year of history directly in SQL with the app's schema (365 daily snapshots, `churn` of a
million leaving and joining each day) and times `history.who_left` for the last week, month and year.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from twexport_qt.followers import history
from twexport_qt.store import followers_repo, history_repo
from twexport_qt.store.database import open_database

OWNER_ID = 44196397
DAY = 86_400
START = 1_767_225_600  # 2026-01-01
REAL_FOLLOWER_ROW_BYTES = 300  # a followers row with a bio, in a real folder (bench_followers_store's rows)
HISTORY_TABLES = ("follower_snapshots", "follower_joins", "follower_joins_user", "follower_leaves",
                  "follower_change_blocks", "follower_metric_changes", "follower_last_snapshot")


def timed(label: str, action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    print(f"  {label:<62} {elapsed:8.3f} s", flush=True)
    return result, elapsed


def used_bytes(conn: sqlite3.Connection) -> int:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0] - conn.execute("PRAGMA freelist_count").fetchone()[0]
    return pages * page_size


def table_bytes(conn: sqlite3.Connection) -> dict[str, int] | None:
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        return None  # SQLite built without dbstat
    return {row[0]: row[1] for row in rows}


def x_like_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct ids spread like X's: a third from the early sequential era (up to 2e9), the rest snowflakes
    (up to 1.9e18), shuffled. Their sorted gaps are what the packed metric changes pay for."""
    early = rng.integers(10**6, 2 * 10**9, n // 3)
    snowflakes = rng.integers(10**17, 19 * 10**17, n - n // 3)
    ids = np.unique(np.concatenate([early, snowflakes]).astype(np.int64))
    while len(ids) < n:  # a collision (rare): draw more
        ids = np.unique(np.concatenate([ids, rng.integers(10**17, 19 * 10**17, n - len(ids))]))
    return rng.permutation(ids[:n])


def insert_followers(conn: sqlite3.Connection, user_ids: np.ndarray, rng: np.random.Generator, seen_at: int) -> None:
    n = len(user_ids)
    followers = np.minimum(rng.lognormal(5.0, 2.0, n), 50_000_000).astype(np.int64)
    following = np.minimum(rng.lognormal(5.5, 1.3, n), 500_000).astype(np.int64)
    tweets = rng.lognormal(6.0, 2.0, n).astype(np.int64)
    listed = (followers * rng.uniform(0, 0.02, n)).astype(np.int64)
    conn.executemany(
        "INSERT INTO followers (owner_id, user_id, username, followers_count, following_count, tweet_count, "
        "listed_count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((OWNER_ID, int(user_ids[i]), f"u{int(user_ids[i])}", int(followers[i]), int(following[i]), int(tweets[i]),
          int(listed[i]), seen_at, seen_at) for i in range(n)))


def complete_refresh(conn: sqlite3.Connection, started_at: int) -> history_repo.SnapshotRow:
    """The end of a complete fetch as followers/fetch.py does it: leavers marked, then the snapshot."""
    followers_repo.mark_unfollowed(conn, OWNER_ID, started_at, started_at + 60)
    return history_repo.record_snapshot(conn, OWNER_ID, None, started_at, started_at + 60)


def refresh_storage(n: int, churn: float, metric_change: float, refreshes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    print(f"\nPart 1: daily refreshes of {n:,} followers, {churn:.1%} churn, {metric_change:.0%} of members with "
          "changed metrics")
    with tempfile.TemporaryDirectory() as folder:
        conn = open_database(Path(folder) / "history.sqlite3")
        members = x_like_ids(rng, n)
        now = START
        with conn:
            timed(f"ingest {n:,} followers (narrow rows)", lambda: insert_followers(conn, members, rng, now))
        with conn:
            timed("first snapshot (everyone joins)",
                  lambda: history_repo.record_snapshot(conn, OWNER_ID, None, now, now + 60))
        before, tables_before = used_bytes(conn), table_bytes(conn)
        print(f"  {'after the first snapshot: file':<62} {before / 1e6:8.1f} MB")
        added: list[int] = []
        for day in range(1, refreshes + 1):
            now = START + day * DAY
            size = len(members)
            leaving = rng.choice(size, size=int(size * churn), replace=False)
            staying = np.delete(members, leaving)
            joining = np.setdiff1d(x_like_ids(rng, len(leaving) + 10), members)[:len(leaving)]
            changed = rng.choice(staying, size=int(len(staying) * metric_change), replace=False)
            with conn:
                # What a complete fetch leaves behind: every member seen (last_seen), some metrics changed.
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS ids (user_id INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM ids")
                conn.executemany("INSERT INTO ids VALUES (?)", ((int(user_id),) for user_id in staying))
                conn.execute("UPDATE followers SET last_seen = ? WHERE owner_id = ? AND user_id IN "
                             "(SELECT user_id FROM ids)", (now, OWNER_ID))
                conn.execute("DELETE FROM ids")
                conn.executemany("INSERT INTO ids VALUES (?)", ((int(user_id),) for user_id in changed))
                conn.execute("UPDATE followers SET tweet_count = tweet_count + 1 + (user_id % 5), "
                             "followers_count = followers_count + (user_id % 3 = 0) WHERE owner_id = ? AND "
                             "user_id IN (SELECT user_id FROM ids)", (OWNER_ID,))
                insert_followers(conn, joining, rng, now)
            with conn:
                snapshot, _ = timed(f"day {day}: mark_unfollowed + record_snapshot",
                                    lambda now=now: complete_refresh(conn, now))
            after = used_bytes(conn)
            added.append(after - before)
            print(f"    joined {snapshot.joined:,}, left {snapshot.left:,}, metric changes "
                  f"{snapshot.metric_changes:,}: file +{(after - before) / 1e6:.2f} MB")
            before = after
            members = np.concatenate([joining, staying])
        tables_after = table_bytes(conn)
        conn.close()
    per_refresh = sum(added) / len(added)
    new_rows_real = int(n * churn) * REAL_FOLLOWER_ROW_BYTES
    print(f"  {'mean bytes added per refresh (this file)':<62} {per_refresh / 1e6:8.2f} MB")
    if tables_before is not None and tables_after is not None:
        history_bytes = sum(tables_after.get(t, 0) - tables_before.get(t, 0) for t in HISTORY_TABLES) / refreshes
        print(f"  {'  of which the history tables':<62} {history_bytes / 1e6:8.2f} MB")
        print(f"  {'  per year of daily refreshes (history tables)':<62} {history_bytes * 365 / 1e9:8.2f} GB")
    print(f"  {'  real followers rows of the new followers (estimate)':<62} {new_rows_real / 1e6:8.2f} MB")


def year_query(n: int, churn: float, seed: int, cache: Path | None) -> None:
    rng = np.random.default_rng(seed)
    per_day = int(n * churn)
    print(f"\nPart 2: 'who left' over a year of {n:,}-follower history ({per_day:,} leave and join a day)")
    with tempfile.TemporaryDirectory() as folder:
        path = (cache / f"history-year-{n}-{churn}-{seed}.sqlite3") if cache else Path(folder) / "year.sqlite3"
        cached = path.exists()
        conn = open_database(path)
        user_ids = x_like_ids(rng, n)

        def build() -> None:
            with conn:
                insert_followers(conn, user_ids, rng, START)
                for day in range(365):
                    taken_at = START + day * DAY
                    snapshot_id = conn.execute(
                        "INSERT INTO follower_snapshots (owner_id, taken_at, follower_count, joined, left_count) "
                        "VALUES (?, ?, ?, ?, ?)", (OWNER_ID, taken_at, n, n if day == 0 else per_day,
                                                   0 if day == 0 else per_day)).lastrowid
                    if day == 0:
                        continue
                    left = np.sort(rng.choice(user_ids, size=per_day, replace=False))
                    joined = np.sort(rng.choice(user_ids, size=per_day, replace=False))
                    conn.executemany("INSERT INTO follower_leaves VALUES (?, ?)",
                                     ((snapshot_id, int(user_id)) for user_id in left))
                    conn.executemany("INSERT INTO follower_joins VALUES (?, ?, ?)",
                                     ((snapshot_id, int(user_id), position) for position, user_id in
                                      enumerate(joined)))
                    # What record_snapshot writes beside the rows.
                    assert snapshot_id is not None  # an INSERT always sets it
                    history_repo.write_change_block(conn, snapshot_id, history_repo.ChangeKind.LEAVE, left)
                    history_repo.write_change_block(conn, snapshot_id, history_repo.ChangeKind.JOIN, joined)
        if cached:
            print(f"  reusing {path}")
            with conn:  # a database cached before the change blocks existed: add them
                for (snapshot_id,) in conn.execute("SELECT id FROM follower_snapshots WHERE id NOT IN "
                                                   "(SELECT snapshot_id FROM follower_change_blocks)").fetchall():
                    for kind, table, order in ((history_repo.ChangeKind.LEAVE, "follower_leaves", "user_id"),
                                               (history_repo.ChangeKind.JOIN, "follower_joins", "position")):
                        ids = np.array([row[0] for row in conn.execute(
                            f"SELECT user_id FROM {table} WHERE snapshot_id = ? ORDER BY {order}", (snapshot_id,))],
                            dtype=np.int64)
                        history_repo.write_change_block(conn, snapshot_id, kind, ids)
        else:
            timed(f"build: {n:,} followers, 365 snapshots, {364 * per_day:,} leaves and joins", build)
        print(f"  {'file (narrow followers rows, no metric changes)':<62} {used_bytes(conn) / 1e6:8.1f} MB")
        end = START + 364 * DAY
        for label, since in (("last week", end - 7 * DAY), ("last 30 days", end - 30 * DAY), ("whole year", None)):
            ids, elapsed = timed(f"who_left_ids (ids and times, a view's query), {label}",
                                 lambda since=since: history.who_left_ids(conn, OWNER_ID, since=since))
            print(f"    {len(ids):,} followers ({elapsed * 1000:.0f} ms)")
        ids, elapsed = timed("who_is_new_ids, whole year", lambda: history.who_is_new_ids(conn, OWNER_ID))
        print(f"    {len(ids):,} followers ({elapsed * 1000:.0f} ms)")
        for label, since in (("last week", end - 7 * DAY), ("last 30 days", end - 30 * DAY)):
            rows, elapsed = timed(f"who_left (rows with profiles, the export's), {label}",
                                  lambda since=since: history.who_left(conn, OWNER_ID, since=since))
            print(f"    {len(rows):,} followers ({elapsed * 1000:.0f} ms)")
        summary, _ = timed("since last week line", lambda: history.since_last_week(conn, OWNER_ID, end))
        print(f"    {summary.sentence()}")
        timed("growth series (365 points)", lambda: history.growth(conn, OWNER_ID))
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--churn", type=float, default=0.01)
    parser.add_argument("--metric-change", type=float, nargs="+", default=[0.1, 0.3])
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-year", action="store_true", help="only part 1")
    parser.add_argument("--skip-refreshes", action="store_true", help="only part 2")
    parser.add_argument("--cache", type=Path, default=None,
                        help="part 2: keep the year's database in this folder and reuse it on the next run")
    args = parser.parse_args()
    for share in [] if args.skip_refreshes else args.metric_change:
        refresh_storage(args.n, args.churn, share, args.refreshes, args.seed)
    if not args.skip_year:
        year_query(args.n, args.churn, args.seed, args.cache)


if __name__ == "__main__":
    main()
