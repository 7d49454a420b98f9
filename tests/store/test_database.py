from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from twexport_qt.store import fetch_runs_repo
from twexport_qt.store.database import (
    DatabaseDamaged,
    DatabaseTooNew,
    DatabaseUnavailable,
    database_error,
    migrate,
    open_database,
)
from twexport_qt.store.migrations import SCHEMA_VERSION
from twexport_qt.store.repair import repair_database

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_garbage_file_is_reported_as_damaged_and_left_untouched(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    garbage = bytes(range(256)) * 40
    path.write_bytes(garbage)
    with pytest.raises(DatabaseDamaged, match="--repair") as raised:
        open_database(path)
    assert raised.value.path == path and raised.value.exit_code == 2
    assert path.read_bytes() == garbage


def test_a_folder_in_place_of_the_database_is_a_sentence(tmp_path):
    (tmp_path / "twexport.sqlite3").mkdir()
    with pytest.raises(DatabaseUnavailable, match="is a folder"):
        open_database(tmp_path / "twexport.sqlite3")


@pytest.mark.parametrize(("raised", "expected"), [
    (sqlite3.OperationalError("database or disk is full"), "disk holding"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "cannot write its database"),
    (sqlite3.OperationalError("database is locked"), "busy in another program"),
    (sqlite3.DatabaseError("database disk image is malformed"), "is damaged"),
    (OSError(28, "No space left on device"), "is full"),
])
def test_sqlite_and_os_failures_become_sentences(tmp_path, raised, expected):
    assert expected in database_error(raised, tmp_path / "twexport.sqlite3").user_message


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path):
    """Without the migration lock, the second of two commands started together died on 'table exists'."""
    path = tmp_path / "twexport.sqlite3"
    code = ("import sys; from twexport_qt.store.database import open_database; "
            "open_database(sys.argv[1]).close(); print('ok')")
    children = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(6)]
    outcomes = [child.communicate(timeout=60) for child in children]
    assert [out.strip() for out, _ in outcomes] == ["ok"] * 6, [err for _, err in outcomes]
    assert open_database(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_repair_moves_the_file_aside_and_saves_what_can_be_read(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    conn = open_database(path)
    with conn:
        conn.executemany("INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
                         "VALUES (1, ?, 'first', 'live', 'sent', 1, 1)", [(i,) for i in range(50)])
        conn.executemany("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen, description) "
                         "VALUES (1, ?, ?, 1, 1, ?)", [(i, f"u{i}", "x" * 200) for i in range(20_000)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = path.stat().st_size
    with open(path, "r+b") as file:  # wreck pages near the end: the followers' B-tree, not the DM log
        file.seek(size - 200 * 4096)
        file.write(bytes(100 * 4096))
    damaged = path.read_bytes()

    report = repair_database(path)
    assert report.moved_to.read_bytes() == damaged  # kept, renamed, byte for byte
    assert report.saved["dm_log"] == 50 and report.dm_log_complete
    assert "followers" in report.incomplete and "Fetch followers again" in report.describe()
    fresh = open_database(path)
    assert fresh.execute("SELECT count(*) FROM dm_log").fetchone()[0] == 50
    assert 0 < fresh.execute("SELECT count(*) FROM followers").fetchone()[0] < 20_000


def test_repair_of_a_file_that_is_not_a_database_keeps_it_and_starts_empty(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    path.write_bytes(b"not a database" * 100)
    report = repair_database(path)
    assert report.moved_to.read_bytes() == b"not a database" * 100
    assert not report.dm_log_complete and "people it listed may be messaged again" in report.describe()
    assert open_database(path).execute("SELECT count(*) FROM dm_log").fetchone()[0] == 0


def _one_row_in_every_table(conn: sqlite3.Connection) -> list[str]:
    """Insert a row into each table of the schema, the values made from the columns' declared types (parents
    first, ids 1, so foreign keys hold); returns the tables."""
    values = {"INTEGER": 1, "REAL": 1.5, "TEXT": "x", "BLOB": b"x"}
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]
    for table in sorted(tables, key=lambda name: bool(conn.execute(f"PRAGMA foreign_key_list({name})").fetchall())):
        columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
        names = ", ".join(column[1] for column in columns)
        row = [values.get(column[2].upper().split("(")[0], 1) for column in columns]
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", row)
    conn.commit()
    return tables


def test_repair_saves_every_table_including_those_later_migrations_added(tmp_path):
    """Not only the tables of the first schema: the spend record (what the budget counts), audience history and
    whom the user follows are saved as well, so a repair never drops them silently."""
    path = tmp_path / "twexport.sqlite3"
    conn = open_database(path)
    tables = _one_row_in_every_table(conn)
    conn.close()

    report = repair_database(path)
    assert {"spend_ledger", "follower_snapshots", "following"} <= set(tables)
    assert set(report.tables) == set(tables) and report.tables[:2] == ("dm_log", "do_not_contact")
    assert report.incomplete == [] and report.saved == dict.fromkeys(tables, 1)
    fresh = open_database(path)
    assert {table: fresh.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables} == \
        dict.fromkeys(tables, 1)


def test_after_a_repair_that_lost_the_newest_fetch_runs_a_complete_fetch_still_finds_who_left(tmp_path):
    """Followers name the newest run that saw them; a run lost to the damage must not have its id reused by the
    next one, or those followers would look seen by it."""
    from twexport_qt.store import followers_repo

    path = tmp_path / "twexport.sqlite3"
    conn = open_database(path)
    with conn:
        for _ in range(3):
            fetch_runs_repo.start(conn, 1, "followers", 1, None)
        conn.execute("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen, seen_run) "
                     "VALUES (1, 7, 'leaver', 1, 1, 3)")
        conn.execute("INSERT INTO following (owner_id, user_id, username, position, fetch_run_id, first_seen, "
                     "last_seen) VALUES (1, 8, 'unfollowed', 0, 3, 1, 1)")
        conn.execute("DELETE FROM fetch_runs WHERE id = 3")  # as if its page had been lost to the damage
    conn.close()

    repair_database(path)
    fresh = open_database(path)
    with fresh:
        run = fetch_runs_repo.start(fresh, 1, "followers", 2, None)
        assert run.id == 3
        assert followers_repo.mark_unfollowed(fresh, 1, 0, 2, run_id=run.id) == 1
    assert fresh.execute("SELECT fetch_run_id FROM following").fetchone()[0] < run.id


def test_the_repair_report_says_when_part_of_the_spend_record_is_lost(tmp_path):
    from twexport_qt.store.repair import RepairReport

    report = RepairReport(tmp_path / "aside", saved={"dm_log": 3, "spend_ledger": 1},
                          incomplete=["spend_ledger"], tables=("dm_log", "spend_ledger"))
    assert "spend record is lost" in report.describe() and "developer portal" in report.describe()
    assert "spend record" not in RepairReport(tmp_path / "aside", saved={"dm_log": 3}, tables=("dm_log",)).describe()


def test_a_migration_that_fails_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    """All pending migrations are one transaction: a failure (or a kill) half-way never leaves a file between two
    schema versions, and the next start tries again from where the file really is."""
    from twexport_qt.store import database

    path = tmp_path / "db.sqlite3"
    monkeypatch.setattr(database, "MIGRATIONS", ["CREATE TABLE first (x)", "CREATE TABLE second (y); BROKEN SQL"])
    monkeypatch.setattr(database, "SCHEMA_VERSION", 2)
    with pytest.raises(DatabaseUnavailable):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0  # not even the first table
    conn.close()

    monkeypatch.setattr(database, "MIGRATIONS", ["CREATE TABLE first (x)", "CREATE TABLE second (y)"])
    assert open_database(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_migration_statements_split_where_sqlite_says_they_end(tmp_path, monkeypatch):
    """A `;` inside a string or a trigger's body does not end a statement."""
    from twexport_qt.store import database

    script = """
        CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);  -- a comment; with a semicolon
        CREATE TABLE log (text TEXT);
        CREATE TRIGGER notes_logged AFTER INSERT ON notes BEGIN
            INSERT INTO log VALUES ('added; ' || NEW.text);
        END;
        INSERT INTO notes (text) VALUES ('one; two');
    """
    monkeypatch.setattr(database, "MIGRATIONS", [script])
    monkeypatch.setattr(database, "SCHEMA_VERSION", 1)
    conn = open_database(tmp_path / "db.sqlite3")
    assert conn.execute("SELECT text FROM notes").fetchall()[0][0] == "one; two"
    assert conn.execute("SELECT text FROM log").fetchall()[0][0] == "added; one; two"


def test_a_start_waits_for_another_process_that_is_migrating(tmp_path):
    """A process that holds the write lock (as one migrating a big file does) makes the next start wait, not fail."""
    path = tmp_path / "db.sqlite3"
    open_database(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA user_version = 0")  # committed: the file looks old, so the next start will migrate it
    code = ("import sys; from twexport_qt.store.database import open_database; "
            "open_database(sys.argv[1]).close(); print('ok')")
    holder.execute("BEGIN IMMEDIATE")  # as a process migrating it holds the write lock
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT)
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=1.5)  # waiting for the lock, not failed
    holder.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # the holder's migration ends: nothing left to do
    holder.execute("COMMIT")
    out, err = child.communicate(timeout=60)
    assert out.strip() == "ok", err
