from __future__ import annotations

import os
import stat

import pytest

from twexport_qt.store import fetch_runs_repo
from twexport_qt.store.database import DatabaseTooNew, migrate, open_database
from twexport_qt.store.migrations import SCHEMA_VERSION


def test_new_database_is_private_wal_and_current(tmp_path):
    path = tmp_path / "db.sqlite3"
    conn = open_database(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"accounts", "followers", "fetch_runs", "dm_log", "do_not_contact", "tweets", "tweet_jobs"} <= tables


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "db.sqlite3"
    open_database(path).execute("INSERT INTO accounts VALUES (1, 'me', 'Me', 1, 2, 3, 4)").connection.commit()
    conn = open_database(path)
    assert conn.execute("SELECT username FROM accounts").fetchall()[0][0] == "me"
    assert migrate(conn) == SCHEMA_VERSION


def test_existing_file_permissions_are_tightened(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    open_database(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_newer_schema_is_refused_with_a_message(tmp_path):
    path = tmp_path / "db.sqlite3"
    conn = open_database(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseTooNew, match="newer TwExport"):
        open_database(path)


def test_fetch_run_cursor_round_trip(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        run = fetch_runs_repo.start(conn, 7, "followers", 100, 2500)
        fetch_runs_repo.advance(conn, run, "token-2", 1000)
    # a killed process leaves the run 'running': it is resumable, with its cursor
    resumed = fetch_runs_repo.resumable(open_database(tmp_path / "db.sqlite3"), 7, "followers")
    assert resumed is not None and resumed.cursor == "token-2" and resumed.items == 1000 and resumed.pages == 1
    with conn:
        fetch_runs_repo.finish(conn, run, "done", 200)
    assert fetch_runs_repo.resumable(conn, 7, "followers") is None
    assert fetch_runs_repo.last_finished(conn, 7, "followers").finished_at == 200
