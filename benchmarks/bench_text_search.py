"""How fast the Followers view searches and sorts text at a million followers, and what the index costs.

    python benchmarks/bench_text_search.py [--n 1000000] [--db PATH] [--skip-sql]

Uses the database `bench_followers_view.py` builds and caches (built here if missing). Prints the snapshot
load, `prepare_text` (the text index and the text sort orders, built in the query thread after a load), the
index's memory, the longest pause a GUI-like main thread saw while `prepare_text` ran in another thread, then
search and sort latencies as the view sees them after `prepare_text`, and the SQL they replace (one run each:
seconds apiece). Every figure is wall time and the CPU time of the whole process next to it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_followers_store import OWNER_ID
from bench_followers_view import add_database_arguments, ensure_database, timed

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import TEXT_SORT_KEYS, FollowerSnapshot
from twexport_qt.followers.text_index import TextIndex
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

# One-character needles match almost everyone; "the"/"an"/"er " are common 2-3 character ones; the rest rare.
NEEDLES = ("e", "a", "r n", "an", "py", "the", "er ", "user12", "London", "São", "🚀", "User Number 99999", "qqq",
           "zz")
SORT_KEYS = (*TEXT_SORT_KEYS, "dm_status")
TARGET_MS = 300
# The load query before rowid ranges (ORDER BY rowid over the owner index, a Python tuple per follower).
ROW_BY_ROW_LOAD_SQL = (
    "SELECT rowid, user_id, followers_count, following_count, tweet_count, listed_count, created_at, first_seen, "
    "verified, protected, receives_your_dm, unfollowed_at FROM followers WHERE owner_id = ? ORDER BY rowid"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser)
    parser.add_argument("--skip-sql", action="store_true", help="skip the slow SQL figures")
    args = parser.parse_args()
    conn = open_database(ensure_database(args))

    print(f"text index ({args.n:,} followers)")
    snapshot = timed("snapshot load (columns only)", lambda: FollowerSnapshot.load(conn, OWNER_ID))
    time_build_steps(conn, snapshot)
    timed("prepare_text (index + every text sort order)", lambda: snapshot.prepare_text(conn))
    print(f"  text index memory: {snapshot.text_index_bytes() / 1e6:.0f} MB "
          f"(snapshot arrays {snapshot_bytes(snapshot) / 1e6:.0f} MB)")
    longest_pause_during_prepare(args)

    slowest = 0.0
    print("after prepare_text: search (username, name, bio, location)")
    for needle in NEEDLES:
        wall = time_best(f"search_mask {needle!r}", lambda needle=needle: snapshot.search_mask(needle, conn))
        slowest = max(slowest, wall)
    print("after prepare_text: sort (all followers)")
    for key in SORT_KEYS:
        for descending in (False, True):
            direction = "desc" if descending else "asc"
            wall = time_best(f"order {key} {direction}",
                             lambda key=key, descending=descending: snapshot.order(key, descending, conn))
            slowest = max(slowest, wall)
    verdict = "within" if slowest <= TARGET_MS / 1000 else "OVER"
    print(f"  slowest search or sort after prepare_text: {slowest * 1000:.1f} ms ({verdict} {TARGET_MS} ms)")

    if not args.skip_sql:
        print("the SQL they replace (one run each)")
        timed("snapshot load as before: one query, a tuple per follower (fetch only)",
              lambda: sum(1 for _ in conn.execute(ROW_BY_ROW_LOAD_SQL, (OWNER_ID,))))
        where, params = followers_repo.search_sql("user12")
        timed("SQL search LIKE 'user12' over the four columns", lambda: conn.execute(
            f"SELECT rowid FROM followers WHERE owner_id = ? AND {where}", [OWNER_ID, *params]).fetchall())
        everyone = FollowerFilter(include_unfollowed=True)
        for key in SORT_KEYS:
            timed(f"SQL ids_sorted {key} asc",
                  lambda key=key: followers_repo.ids_sorted(conn, OWNER_ID, everyone, key, False))
    conn.close()


def time_build_steps(conn: sqlite3.Connection, snapshot: FollowerSnapshot) -> None:
    """What prepare_text spends its time on: the index build, then each sort order (computed once)."""
    index = timed("  of which: TextIndex.build (4 columns + last_seen)",
                  lambda: TextIndex.build(conn, OWNER_ID, snapshot.rowid))
    assert index is not None
    for key, column in TEXT_SORT_KEYS.items():
        timed(f"  of which: sort order {key}", lambda column=column: index.ascending_order(column))
    timed("  DM status order (reads dm_log at each sort)", lambda: snapshot.ascending_order("dm_status", conn))


def longest_pause_during_prepare(args: argparse.Namespace) -> None:
    """Run prepare_text on a fresh snapshot in a thread with its own connection, as the query thread does,
    while this thread wakes every 5 ms like an idle event loop: the longest gap is what the GUI would feel."""
    path = Path(str(args.db).format(n=args.n))
    with_conn = open_database(path)
    fresh = FollowerSnapshot.load(with_conn, OWNER_ID)
    with_conn.close()

    def prepare() -> None:
        conn = open_database(path)
        fresh.prepare_text(conn)
        conn.close()

    worker = threading.Thread(target=prepare)
    longest, last = 0.0, time.perf_counter()
    started = last
    worker.start()
    while worker.is_alive():
        time.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last - 0.005), now
    print(f"  prepare_text in a thread: {(last - started) * 1000:.0f} ms; longest main-thread pause "
          f"{longest * 1000:.1f} ms beyond its 5 ms sleep")


def time_best(label: str, action: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    action()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    best = min(best, wall)
    print(f"  {label:<62} {best * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU (last run)", flush=True)
    return best


def snapshot_bytes(snapshot: FollowerSnapshot) -> int:
    from twexport_qt.followers.snapshot import snapshot_field_names

    return sum(getattr(snapshot, name).nbytes for name in snapshot_field_names())


if __name__ == "__main__":
    main()
