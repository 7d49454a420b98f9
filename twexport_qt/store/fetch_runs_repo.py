"""Fetch runs and their resume cursors.

A run's `cursor` is the pagination token of the next page to request. It is updated in the same
transaction as the page it follows (see `followers/fetch.py`), so after a crash the next run resumes
exactly after the last committed page and no billed page is requested twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

RESUMABLE_STATES = ("running", "cancelled", "failed")


@dataclass
class FetchRun:
    id: int
    owner_id: int
    kind: str
    state: str
    cursor: str | None
    pages: int
    items: int
    total_expected: int | None
    started_at: int
    finished_at: int | None
    error: str | None


def _from_row(row: sqlite3.Row | tuple) -> FetchRun:
    return FetchRun(*tuple(row))


_COLUMNS = "id, owner_id, kind, state, cursor, pages, items, total_expected, started_at, finished_at, error"


def latest(conn: sqlite3.Connection, owner_id: int, kind: str) -> FetchRun | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM fetch_runs WHERE owner_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                       (owner_id, kind)).fetchone()
    return _from_row(row) if row else None


def last_finished(conn: sqlite3.Connection, owner_id: int, kind: str) -> FetchRun | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM fetch_runs WHERE owner_id = ? AND kind = ? AND state = 'done' "
                       "ORDER BY id DESC LIMIT 1", (owner_id, kind)).fetchone()
    return _from_row(row) if row else None


def resumable(conn: sqlite3.Connection, owner_id: int, kind: str) -> FetchRun | None:
    """The newest run if it stopped before its last page (cancelled, failed, or killed while running)."""
    run = latest(conn, owner_id, kind)
    return run if run is not None and run.state in RESUMABLE_STATES else None


def start(conn: sqlite3.Connection, owner_id: int, kind: str, now: int, total_expected: int | None) -> FetchRun:
    cur = conn.execute(
        "INSERT INTO fetch_runs (owner_id, kind, state, cursor, pages, items, total_expected, started_at) "
        "VALUES (?, ?, 'running', NULL, 0, 0, ?, ?)", (owner_id, kind, total_expected, now))
    run_id = cur.lastrowid
    assert run_id is not None  # an INSERT always sets it
    return FetchRun(run_id, owner_id, kind, "running", None, 0, 0, total_expected, now, None, None)


def advance(conn: sqlite3.Connection, run: FetchRun, next_cursor: str | None, items: int) -> None:
    """Record one committed page. Call inside the page's transaction."""
    run.cursor = next_cursor
    run.pages += 1
    run.items += items
    conn.execute("UPDATE fetch_runs SET cursor = ?, pages = ?, items = ?, state = 'running' WHERE id = ?",
                 (run.cursor, run.pages, run.items, run.id))


def set_total(conn: sqlite3.Connection, run: FetchRun, total_expected: int | None) -> None:
    run.total_expected = total_expected
    conn.execute("UPDATE fetch_runs SET total_expected = ? WHERE id = ?", (total_expected, run.id))


def finish(conn: sqlite3.Connection, run: FetchRun, state: str, now: int, error: str | None = None) -> None:
    run.state, run.finished_at, run.error = state, now, error
    conn.execute("UPDATE fetch_runs SET state = ?, finished_at = ?, error = ? WHERE id = ?",
                 (state, now if state == "done" else None, error, run.id))


def upsert_account(conn: sqlite3.Connection, user: dict, now: int) -> None:
    """The signed-in account's own profile (from /2/users/me)."""
    metrics = user.get("public_metrics") or {}
    conn.execute(
        "INSERT INTO accounts (user_id, username, name, followers_count, following_count, tweet_count, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET username = excluded.username, "
        "name = excluded.name, followers_count = excluded.followers_count, "
        "following_count = excluded.following_count, tweet_count = excluded.tweet_count, "
        "updated_at = excluded.updated_at",
        (int(user["id"]), user.get("username", ""), user.get("name", ""), metrics.get("followers_count"),
         metrics.get("following_count"), metrics.get("tweet_count"), now))
