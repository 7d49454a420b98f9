"""Reads and writes of the `following` table (the accounts an owner follows) and the relationship counts that
join it with `followers`.

Nothing here commits: a following fetch writes each page and its cursor in one transaction the caller owns. Rows
are read in `RECORD_COLUMNS` order, so `FollowerRecord.from_row` builds them like followers. Filters are
`FollowerFilter.to_sql` clauses: they name their table `followers`, so queries here alias `following` so
(`FROM following AS followers`), and every criterion reads the same-named column of the followed account.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from twexport_qt.followers.filters import FollowerFilter, register_sql_functions
from twexport_qt.followers.records import PROFILE_COLUMNS, RECORD_COLUMNS, FollowerRecord
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec

_UPDATED_ON_CONFLICT = [column for column in (*PROFILE_COLUMNS, "position", "fetch_run_id") if column != "user_id"]
_UPSERT_SQL = (
    f"INSERT INTO following (owner_id, {', '.join(PROFILE_COLUMNS)}, position, fetch_run_id, first_seen, last_seen) "
    f"VALUES ({', '.join('?' * (len(PROFILE_COLUMNS) + 5))}) "
    "ON CONFLICT (owner_id, user_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _UPDATED_ON_CONFLICT)
    + ", last_seen = excluded.last_seen"
)
# Over `following` rows aliased `followers`: the account does not follow the owner now (a follower who left counts
# as not following back); an index look-up in `followers`' unique (owner_id, user_id) per row.
NOT_FOLLOWING_BACK_SQL = ("NOT EXISTS (SELECT 1 FROM followers AS fo WHERE fo.owner_id = followers.owner_id "
                          "AND fo.user_id = followers.user_id AND fo.unfollowed_at IS NULL)")
_RECORD_SELECT = ", ".join(f"followers.{column}" for column in RECORD_COLUMNS)


@dataclass(frozen=True)
class RelationshipTotals:
    """The four lists' sizes for one owner, as stored (followers who left are not followers)."""

    following: int
    followers: int
    mutuals: int

    @property
    def not_following_back(self) -> int:
        return self.following - self.mutuals

    @property
    def fans(self) -> int:
        return self.followers - self.mutuals


def upsert_following(conn: sqlite3.Connection, owner_id: int, records: Sequence[FollowerRecord], first_position: int,
                     seen_at: int, fetch_run_id: int) -> None:
    """Store `records` (one page, in X's order) as followed by `owner_id`, ranked from `first_position`, listed
    by fetch run `fetch_run_id`.

    New rows get first_seen = last_seen = seen_at; known ones get their profile, metrics and rank replaced and
    last_seen moved to seen_at. Does NOT commit.
    """
    conn.executemany(_UPSERT_SQL, ((owner_id, *record.profile_tuple(), first_position + offset, fetch_run_id,
                                    seen_at, seen_at) for offset, record in enumerate(records)))


def remove_not_listed(conn: sqlite3.Connection, owner_id: int, fetch_run_id: int) -> int:
    """Delete the accounts fetch run `fetch_run_id` did not list: no longer followed.

    Call only at the end of a run that reached its last page. Returns how many went. Does NOT commit.
    """
    return conn.execute("DELETE FROM following WHERE owner_id = ? AND fetch_run_id != ?",
                        (owner_id, fetch_run_id)).rowcount


def count(conn: sqlite3.Connection, owner_id: int) -> int:
    return conn.execute("SELECT count(*) FROM following WHERE owner_id = ?", (owner_id,)).fetchone()[0]


def totals(conn: sqlite3.Connection, owner_id: int) -> RelationshipTotals:
    """Following, current followers, and mutuals (current followers also followed): three indexed counts."""
    following = count(conn, owner_id)
    followers = conn.execute("SELECT count(*) FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL",
                             (owner_id,)).fetchone()[0]
    mutuals = conn.execute(
        "SELECT count(*) FROM following AS fw JOIN followers AS fo ON fo.owner_id = fw.owner_id "
        "AND fo.user_id = fw.user_id WHERE fw.owner_id = ? AND fo.unfollowed_at IS NULL", (owner_id,)).fetchone()[0]
    return RelationshipTotals(following, followers, mutuals)


def iter_following(conn: sqlite3.Connection, owner_id: int, follower_filter: FollowerFilter | None = None, *,
                   not_following_back: bool = False, tiers: Sequence[TierSpec] = DEFAULT_TIERS,
                   now: float | None = None, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Followed accounts matching `follower_filter` (its relationship choice aside: that is about followers), as
    (position, *RECORD_COLUMNS) tuples in X's order (most recently followed first); with `not_following_back`,
    only those who do not follow the owner now."""
    where, params = _where(owner_id, follower_filter, tiers, now)
    if not_following_back:
        where = f"{where} AND {NOT_FOLLOWING_BACK_SQL}"
    cursor = _cursor(conn).execute(
        f"SELECT followers.position, {_RECORD_SELECT} FROM following AS followers WHERE {where} "
        "ORDER BY followers.position, followers.user_id", params)
    while rows := cursor.fetchmany(batch):
        yield from rows


def records(rows: Iterable[tuple[Any, ...]]) -> Iterator[FollowerRecord]:
    """`iter_following`'s rows as records (the position dropped)."""
    return (FollowerRecord.from_row(row[1:]) for row in rows)


def followed_ids(conn: sqlite3.Connection, owner_id: int) -> set[int]:
    return {row[0] for row in conn.execute("SELECT user_id FROM following WHERE owner_id = ?", (owner_id,))}


def _where(owner_id: int, follower_filter: FollowerFilter | None, tiers: Sequence[TierSpec],
           now: float | None) -> tuple[str, list[Any]]:
    # The relationship choice is about followers (mutuals, fans): for followed accounts it means nothing.
    applied = replace(follower_filter, relationship="any") if follower_filter is not None else FollowerFilter()
    return applied.to_sql(owner_id, tiers, now=now)


def _cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    register_sql_functions(conn)
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor
