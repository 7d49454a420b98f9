"""The `seen_run` migration: a data folder from before it keeps working, and a followers fetch stopped before the
upgrade and resumed after it still marks exactly the followers who left as gone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.followers.fetch import FOLLOWERS_KIND, fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.store import fetch_runs_repo, history_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION

# Found by what it does, not by its number: other migrations may come after it.
SEEN_RUN = next(number for number, sql in enumerate(MIGRATIONS) if "ADD COLUMN seen_run" in sql)
DAY = 86_400


def as_before_the_migration(current: Path, old_path: Path) -> None:
    """Write `old_path` as the version before the migration would have stored what `current` holds: its schema up
    to the migration, every row of the tables it had, without the columns it did not have."""
    old = sqlite3.connect(old_path)
    for number in range(SEEN_RUN):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    old.execute("ATTACH DATABASE ? AS current", (str(current),))
    tables = [row[0] for row in old.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
    with old:
        for table in tables:
            current_columns = {row[1] for row in old.execute(f"PRAGMA current.table_info({table})")}
            columns = ", ".join(row[1] for row in old.execute(f"PRAGMA main.table_info({table})")
                                if row[1] in current_columns)
            old.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}")
    old.execute("DETACH DATABASE current")
    assert "seen_run" not in {row[1] for row in old.execute("PRAGMA table_info(followers)")}
    old.close()


def gone(conn: sqlite3.Connection) -> list[int]:
    return sorted(row[0] for row in conn.execute("SELECT user_id FROM followers WHERE unfollowed_at IS NOT NULL"))


def test_a_fetch_stopped_before_the_upgrade_resumes_after_it_and_finds_exactly_who_left(
        tmp_path, sandbox_server, sandbox_gateway, fake_clock):
    current_path = tmp_path / "current.sqlite3"
    conn = open_database(current_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    fetch_followers(conn, sandbox_gateway, pacer, fake_clock)  # complete: the next full fetch can tell who left
    fake_clock.advance(DAY)
    cancel = CancelToken()
    with pytest.raises(errors.Cancelled):  # stopped after its first page
        fetch_followers(conn, sandbox_gateway, pacer, fake_clock, progress=lambda _progress: cancel.cancel(),
                        cancel=cancel)
    stopped = fetch_runs_repo.resumable(conn, SANDBOX_USER_ID, FOLLOWERS_KIND)
    assert stopped is not None and stopped.items == 1000
    # One of the older followers the stopped run has still to read leaves; five new ones come, and a
    # new-followers refresh stores them while the full fetch waits.
    leaver = conn.execute("SELECT user_id FROM followers WHERE last_seen < ? ORDER BY user_id LIMIT 1",
                          (stopped.started_at,)).fetchone()[0]
    population = sandbox_server.state.population
    population.unfollow([leaver])
    newcomers = population.add_followers(5)
    fake_clock.advance(60)
    fetch_followers(conn, sandbox_gateway, pacer, fake_clock, new_only=True)
    conn.close()

    old_path = tmp_path / "old.sqlite3"
    as_before_the_migration(current_path, old_path)
    upgraded = open_database(old_path)
    try:
        assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # Seen since the stopped run started (by it, or by the refresh): its id; before: 0.
        stamps = dict(upgraded.execute(
            "SELECT last_seen >= ?, group_concat(DISTINCT seen_run) FROM followers GROUP BY 1",
            (stopped.started_at,)).fetchall())
        assert stamps == {1: str(stopped.id), 0: "0"}

        resumed = fetch_followers(upgraded, sandbox_gateway, pacer, fake_clock)
        assert resumed.resumed and resumed.pages == 2
        assert resumed.unfollowed == 1 and gone(upgraded) == [leaver]
        marks = ", ".join("?" * len(newcomers))
        assert upgraded.execute(f"SELECT count(*) FROM followers WHERE unfollowed_at IS NULL AND user_id IN ({marks})",
                                newcomers).fetchone()[0] == 5
        assert [row.user_id for row in history_repo.leaves(upgraded, SANDBOX_USER_ID)] == [leaver]
        # And the next fetch, under the new rule from its start, finds nobody else gone.
        assert fetch_followers(upgraded, sandbox_gateway, pacer, fake_clock).unfollowed == 0
    finally:
        upgraded.close()


def test_without_a_stopped_fetch_every_follower_reads_as_stored_before_any_fetch_to_come(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for number in range(SEEN_RUN):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    with old:
        old.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                    "VALUES (1, 'followers', 'done', 100, 200)")
        # A following fetch still running has nothing to do with followers.
        old.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at) "
                    "VALUES (1, 'following', 'running', 300)")
        old.executemany("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen) "
                        "VALUES (1, ?, 'u', 100, ?)", [(10, 150), (11, 400)])
    old.close()
    conn = open_database(path)
    try:
        rows = conn.execute("SELECT user_id, seen_run FROM followers ORDER BY user_id").fetchall()
        assert [tuple(row) for row in rows] == [(10, 0), (11, 0)]
    finally:
        conn.close()
