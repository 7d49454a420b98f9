"""How fast the followers store is at a million followers: ingest, filter count, model order, plot arrays.

    python benchmarks/bench_followers_store.py [--n 1000000] [--page 1000] [--seed 7]

Records are synthetic but shaped like a real audience (log-normal follower counts, ~3% verified, ~6%
protected, unknown DM permission for most, short bios drawn from a vocabulary). Tuples are built before the
clock starts: the figures measure the store, not the generator.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from twexport_qt.core.snowflake import snowflake_id_at
from twexport_qt.followers.filters import FollowerFilter, parse_date
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER_ID = 44196397
_VOCABULARY = [
    "python", "developer", "founder", "ceo", "crypto", "designer", "writer", "photographer", "music", "lover",
    "coffee", "travel", "data", "science", "ai", "ml", "engineer", "marketing", "growth", "startup", "investor", "vc",
    "mom", "dad", "teacher", "student", "gamer", "artist", "runner", "climate", "news", "politics", "sports",
    "football", "nba", "fan", "tech", "product", "manager", "open", "source", "rust", "golang", "web3", "nft",
]
_PUNCTUATION = ("", ",", ".", " |", " -", "!", " 🚀")
_LOCATIONS = ("", "", "", "London", "New York, NY", "San Francisco, CA", "Berlin", "Paris", "Lagos", "Tokyo",
              "Bengaluru, India", "São Paulo", "Toronto", "Sydney", "Earth")


def synthetic_rows(n: int, seed: int) -> list[tuple]:
    """`n` follower rows in PROFILE_COLUMNS order."""
    rng = np.random.default_rng(seed)
    user_ids = rng.permutation(np.arange(n, dtype=np.int64) * 7919 + 10_000_000)
    followers = np.minimum(rng.lognormal(5.0, 2.0, n), 50_000_000).astype(np.int64)
    following = np.minimum(rng.lognormal(5.5, 1.3, n), 500_000).astype(np.int64)
    tweets = rng.lognormal(6.0, 2.0, n).astype(np.int64)
    listed = (followers * rng.uniform(0, 0.02, n)).astype(np.int64)
    created = rng.integers(1_167_609_600, 1_767_225_600, n)  # 2007 .. 2026
    verified = rng.random(n) < 0.03
    protected = rng.random(n) < 0.06
    dm_choice = rng.integers(0, 10, n)  # 0: closed, 1: open, else unknown
    word_ids = rng.integers(0, len(_VOCABULARY), (n, 6))
    word_counts = rng.integers(0, 7, n)
    punct = rng.integers(0, len(_PUNCTUATION), n)
    location = rng.integers(0, len(_LOCATIONS), n)
    # The newest post: within the last two years for most, none for 2% (X leaves the field out).
    last_posted = rng.integers(1_704_067_200, 1_767_225_600, n)  # 2024 .. 2026
    never_posted = rng.random(n) < 0.02

    rows = []
    for i in range(n):
        bio = " ".join(_VOCABULARY[w] for w in word_ids[i, : word_counts[i]]) + _PUNCTUATION[punct[i]]
        dm = None if dm_choice[i] > 1 else int(dm_choice[i])
        rows.append((
            int(user_ids[i]), f"user{i}", f"User Number {i}", bio, _LOCATIONS[location[i]],
            "", "https://pbs.twimg.com/profile_images/x.jpg", int(created[i]), int(verified[i]),
            "blue" if verified[i] else "none", int(protected[i]), int(followers[i]), int(following[i]),
            int(tweets[i]), int(listed[i]), dm,
            *((None, None) if never_posted[i] else (snowflake_id_at(int(last_posted[i]) * 1000), int(last_posted[i]))),
        ))
    return rows


def timed(label: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    print(f"  {label:<58} {elapsed:8.3f} s", flush=True)
    return result


def pages(rows: list[tuple], size: int) -> Iterator[list[tuple]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def open_connection(path: Path, cache_mb: int) -> sqlite3.Connection:
    conn = open_database(path)
    if cache_mb > 0:
        # Random-order index inserts thrash the default 2 MB cache; this shows what a bigger one buys.
        conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="followers to generate")
    parser.add_argument("--page", type=int, default=1000, help="rows per transaction in the paged run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-mb", type=int, default=0,
                        help="SQLite page cache per connection (0: the app's default, about 2 MB)")
    args = parser.parse_args()

    print(f"generating {args.n:,} followers ...", flush=True)
    rows = synthetic_rows(args.n, args.seed)
    seen_at = 1_767_225_600
    with tempfile.TemporaryDirectory() as tmp:
        print("ingest")
        single = open_connection(Path(tmp) / "single.sqlite3", args.cache_mb)

        def one_transaction() -> None:
            with single:
                followers_repo.upsert_profile_rows(single, OWNER_ID, rows, seen_at)

        timed(f"upsert {args.n:,} new rows, one transaction", one_transaction)

        paged = open_connection(Path(tmp) / "paged.sqlite3", args.cache_mb)

        def paged_transactions() -> None:
            for page in pages(rows, args.page):
                with paged:  # the fetch commits each page with its cursor
                    followers_repo.upsert_profile_rows(paged, OWNER_ID, page, seen_at)

        timed(f"upsert {args.n:,} new rows, {args.page}-row transactions", paged_transactions)

        def refresh_existing() -> None:
            for page in pages(rows, args.page):
                with paged:
                    followers_repo.upsert_profile_rows(paged, OWNER_ID, page, seen_at + 86_400)

        timed(f"re-upsert {args.n:,} existing rows, {args.page}-row transactions", refresh_existing)
        single.close()

        conn = paged
        typical = FollowerFilter(
            created_before=parse_date("2019-06-27 00:00:00"), min_followers=100, max_followers=10_000,
            min_following=50, max_following=10_000,
        )
        words = FollowerFilter(description_words="Python, founder!", description_mode="all")
        print("queries")
        matched = timed("count, seed filter", lambda: followers_repo.count(conn, OWNER_ID, typical))
        timed("count, description words 'python founder' (all)",
              lambda: followers_repo.count(conn, OWNER_ID, words))
        timed("count, tier 'Power user'",
              lambda: followers_repo.count(conn, OWNER_ID, FollowerFilter(tiers=("Power user",))))
        ids = timed("ids_sorted, no filter, followers desc (index order)",
                    lambda: followers_repo.ids_sorted(conn, OWNER_ID, None, "followers_count", True))
        timed("ids_sorted, no filter, username asc",
              lambda: followers_repo.ids_sorted(conn, OWNER_ID, None, "username", False))
        timed("ids_sorted, no filter, tweets desc (sort)",
              lambda: followers_repo.ids_sorted(conn, OWNER_ID, None, "tweet_count", True))
        timed("ids_sorted, seed filter, created_at asc",
              lambda: followers_repo.ids_sorted(conn, OWNER_ID, typical, "created_at", False))
        timed("ids_sorted, search 'user12'",
              lambda: followers_repo.ids_sorted(conn, OWNER_ID, None, "followers_count", True, "user12"))
        timed("rows_by_rowid, one 256-row model block",
              lambda: followers_repo.rows_by_rowid(conn, ids[500_000 % max(1, len(ids)):][:256]))
        arrays = timed("plot_arrays, seed filter", lambda: followers_repo.plot_arrays(conn, OWNER_ID, typical))
        timed("iter_rows, seed filter (export)",
              lambda: sum(1 for _ in followers_repo.iter_rows(conn, OWNER_ID, typical)))
        timed("mark_unfollowed (nobody)",
              lambda: followers_repo.mark_unfollowed(conn, OWNER_ID, seen_at, seen_at + 86_400))
        print(f"seed filter matches {matched:,} of {len(ids):,}; plot arrays hold {len(arrays['rowid']):,} rows")
        conn.close()


if __name__ == "__main__":
    main()
