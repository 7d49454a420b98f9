"""The activity migration: a folder from before it keeps its followers, whose last post is then unknown."""

from __future__ import annotations

import sqlite3

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS

# Found by what it does, not by its number: other migrations may come before or after it.
ACTIVITY = next(number for number, sql in enumerate(MIGRATIONS) if "last_posted_at" in sql)


def test_followers_stored_before_activity_read_as_undated_and_pass_only_never_posted(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    old = sqlite3.connect(path)
    for number in range(ACTIVITY):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    old.execute("INSERT INTO followers (owner_id, user_id, username, tweet_count, first_seen, last_seen) "
                "VALUES (1, 10, 'poster', 5, 1, 1), (1, 11, 'silent', 0, 1, 1)")
    old.commit()
    old.close()

    conn = open_database(path)
    follower = followers_repo.get_follower(conn, 1, 10)
    assert follower is not None and follower.most_recent_tweet_id is None and follower.last_posted_at is None
    inactive = FollowerFilter(inactive_days=30)
    rows = followers_repo.iter_rows(conn, 1, inactive, now=2_000_000_000)
    assert [row[followers_repo.ROW_COLUMNS.index("username")] for row in rows] == ["silent"]
    conn.close()
