"""Reads and writes of the `followers` table, sized for a million followers per account.

Nothing here commits: a fetch writes each page and its pagination cursor in one transaction that the caller
owns, so a crash resumes exactly where the last committed page ended. Bulk reads return numpy arrays or plain
tuples (never `sqlite3.Row`, whose per-row cost dominates at this size).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from twexport_qt.core.usernames import normalize_username
from twexport_qt.followers.filters import FollowerFilter, escape_like, register_sql_functions
from twexport_qt.followers.records import PROFILE_COLUMNS, RECORD_COLUMNS, FollowerRecord
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, tier_case_sql

if TYPE_CHECKING:  # numpy is imported by the bulk reads that return arrays, not by every user of this module
    import numpy as np

# Latest live DM of a follower as "step:state" ("first:sent", "retry:failed", ...); NULL if never messaged.
# The retry step wins because it happens after the first. Uses dm_log's UNIQUE (owner_id, recipient_id, ...):
# the unary "+" keeps `mode` out of index matching, or SQLite without statistics may pick the (owner_id, mode,
# state) index and scan every DM once per follower (seconds per table page at 50k DMs).
DM_STATUS_SQL = (
    "(SELECT d.step || ':' || d.state FROM dm_log AS d WHERE d.owner_id = followers.owner_id "
    "AND d.recipient_id = followers.user_id AND +d.mode = 'live' ORDER BY d.step = 'retry' DESC LIMIT 1)"
)

# What `rows_by_rowid` and `iter_rows` return, in this order.
ROW_COLUMNS: tuple[str, ...] = ("rowid", *RECORD_COLUMNS, "tier", "dm_status")

# Sort keys accepted by `ids_sorted`, each mapped to its ORDER BY expression. Only the followers-count sort has
# an index (see migration 3); the views sort in memory (followers/snapshot.py, text_index.py), which holds these
# semantics exactly: NOCASE folds ASCII letters only, then compares bytes.
_SORT_EXPRESSIONS: dict[str, str] = {
    "username": "followers.username COLLATE NOCASE",
    "name": "followers.name COLLATE NOCASE",
    "followers_count": "followers.followers_count",
    "following_count": "followers.following_count",
    "tweet_count": "followers.tweet_count",
    "listed_count": "followers.listed_count",
    "verified": "followers.verified",
    "created_at": "followers.created_at",
    "last_posted_at": "followers.last_posted_at",
    "location": "followers.location COLLATE NOCASE",
    "description": "followers.description COLLATE NOCASE",
    "first_seen": "followers.first_seen",
    "last_seen": "followers.last_seen",
    "user_id": "followers.user_id",
    "dm_status": DM_STATUS_SQL,
}
SORT_KEYS: tuple[str, ...] = (*_SORT_EXPRESSIONS, "tier")  # tier's expression depends on the tier list
SEARCHED_COLUMNS: tuple[str, ...] = ("username", "name", "description", "location")  # what the search box reads

_UPDATED_ON_CONFLICT = [column for column in PROFILE_COLUMNS if column != "user_id"]
# Plain "?" placeholders: sqlite3 binds them measurably faster than numbered "?NNN" ones.
_UPSERT_SQL = (
    f"INSERT INTO followers (owner_id, {', '.join(PROFILE_COLUMNS)}, first_seen, last_seen, seen_run) "
    f"VALUES ({', '.join('?' * (len(PROFILE_COLUMNS) + 4))}) "
    "ON CONFLICT (owner_id, user_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _UPDATED_ON_CONFLICT)
    + ", last_seen = excluded.last_seen, seen_run = excluded.seen_run, unfollowed_at = NULL"
)

_PLOT_COLUMNS: tuple[str, ...] = ("rowid", "user_id", "followers", "following", "created_at", "tier", "matches")
UNKNOWN_CREATED_AT = -1  # plot_arrays' created_at for followers whose join date X did not give


def upsert_followers(
    conn: sqlite3.Connection, owner_id: int, records: Iterable[FollowerRecord], seen_at: int
) -> None:
    """Insert or refresh `records` as followers of `owner_id`, seen at `seen_at`. Does NOT commit.

    New followers get first_seen = last_seen = seen_at. Known ones get their profile and metrics replaced,
    last_seen moved to seen_at and unfollowed_at cleared (they follow again); first_seen is kept. Both get
    `seen_run`, the newest fetch run now (`newest_fetch_run`), which `mark_unfollowed` compares exactly.
    """
    upsert_profile_rows(conn, owner_id, (record.profile_tuple() for record in records), seen_at)


def upsert_profile_rows(
    conn: sqlite3.Connection, owner_id: int, rows: Iterable[Sequence[Any]], seen_at: int
) -> None:
    """`upsert_followers` for rows already in `PROFILE_COLUMNS` order: the fast path for bulk loads.

    Pass bools as ints (as `FollowerRecord.profile_tuple` does): sqlite3 binds exact ints in C but sends
    bools through its adapter lookup, which costs a third of the bind time.

    Does NOT commit; the caller commits the page together with its fetch cursor.
    """
    seen_run = newest_fetch_run(conn)  # once per page: the rows' one extra bound integer is all the upsert pays
    conn.executemany(_UPSERT_SQL, ((owner_id, *row, seen_at, seen_at, seen_run) for row in rows))


def newest_fetch_run(conn: sqlite3.Connection) -> int:
    """The id of the newest fetch run of any kind and account (0 before the first): a follower stored now gets it
    as `seen_run`.

    Fetch run ids only grow (a new run takes the largest id plus one, runs are never deleted, and a repair that
    lost the newest runs moves their sightings to the newest run saved: `store/repair.py`), so they order
    sightings exactly where seconds cannot: a follower stored once a full fetch has started has `seen_run` at
    least that fetch's id, whichever run stored it (the fetch itself, or a new-followers refresh while it is
    paused); one stored before it started, even in the same second, has less.
    """
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM fetch_runs").fetchone()[0])


def mark_unfollowed(conn: sqlite3.Connection, owner_id: int, not_seen_since: int, at: int, *,
                    run_id: int | None = None) -> int:
    """Stamp unfollowed_at = `at` on followers a complete refresh did not see.

    With `run_id`, the full fetch that completes: exactly those stored before it started (`seen_run < run_id`, see
    `newest_fetch_run`), even when the fetch before it ended in the very second it started. Without it, by time:
    those last seen before `not_seen_since`, for followers stored without fetch runs (tests, benchmarks, hand-built
    stores), where seconds are all there is.

    Call only after a refresh that reached the last page, or every follower after the stop looks gone.
    Already-unfollowed followers keep their original date. Returns how many were marked. Does NOT commit.
    """
    not_seen = "seen_run < ?" if run_id is not None else "last_seen < ?"
    # The unary "+": one pass over the table, not a walk of the followers-count index reading rows in random order
    # (ten times slower at a million followers). `seen_run` has no index for the same reason: nothing seeks by it.
    cursor = conn.execute(
        f"UPDATE followers SET unfollowed_at = ? WHERE +owner_id = ? AND {not_seen} AND unfollowed_at IS NULL",
        (at, owner_id, run_id if run_id is not None else not_seen_since),
    )
    return cursor.rowcount


def current_ids_among(conn: sqlite3.Connection, owner_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` are stored as current followers of `owner_id` (not marked as unfollowed).

    A refresh asks this of each page before writing it: the followers not in the answer are new (or follow
    again after leaving).
    """
    wanted = [int(user_id) for user_id in user_ids]
    known: set[int] = set()
    cursor = _cursor(conn)
    for start in range(0, len(wanted), _MAX_IN_PARAMS):
        chunk = wanted[start:start + _MAX_IN_PARAMS]
        known.update(row[0] for row in cursor.execute(
            "SELECT user_id FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL "
            f"AND user_id IN ({', '.join('?' * len(chunk))})", [owner_id, *chunk]))
    return known


def current_count(conn: sqlite3.Connection, owner_id: int) -> int:
    """Followers of `owner_id` stored as current (not marked as unfollowed)."""
    return _cursor(conn).execute(
        "SELECT count(*) FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL", (owner_id,)).fetchone()[0]


def count(
    conn: sqlite3.Connection,
    owner_id: int,
    follower_filter: FollowerFilter | None = None,
    *,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
    search_text: str = "",
    now: float | None = None,
) -> int:
    """How many followers match (`now`: where activity criteria count back from; None: the wall clock)."""
    where, params = _where(owner_id, follower_filter, tiers, search_text, now)
    return _cursor(conn).execute(f"SELECT count(*) FROM followers WHERE {where}", params).fetchone()[0]


def ids_sorted(
    conn: sqlite3.Connection,
    owner_id: int,
    follower_filter: FollowerFilter | None = None,
    sort_column: str = "followers_count",
    descending: bool = True,
    search_text: str = "",
    *,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
    now: float | None = None,
) -> np.ndarray:
    """Rowids of the matching followers in display order, as an int64 array (ties broken by rowid)."""
    if sort_column not in SORT_KEYS:
        raise ValueError(f"Cannot sort followers by {sort_column!r}; choose one of {', '.join(SORT_KEYS)}.")
    where, params = _where(owner_id, follower_filter, tiers, search_text, now)
    if sort_column == "tier":
        expression, order_params = tier_case_sql(tiers)
    else:
        expression, order_params = _SORT_EXPRESSIONS[sort_column], []
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT followers.rowid FROM followers WHERE {where} "
        f"ORDER BY {expression} {direction}, followers.rowid {direction}"
    )
    import numpy as np

    cursor = _cursor(conn).execute(sql, [*params, *order_params])
    # Rows arrive as 1-tuples; a structured dtype lets numpy unpack them in C.
    return np.fromiter(cursor, dtype=[("rowid", np.int64)])["rowid"].copy()


def search_sql(search_text: str) -> tuple[str, list[Any]]:
    """The search box as SQL: username, name, bio or location contains `search_text` (outer whitespace
    dropped), by LIKE's rule (ASCII letters in either case, other characters only themselves); ('1', [])
    when there is nothing to search for. followers/text_index.py answers the same in memory."""
    search_text = search_text.strip()
    if not search_text:
        return "1", []
    pattern = f"%{escape_like(search_text)}%"
    clause = " OR ".join(f"followers.{column} LIKE ? ESCAPE '\\'" for column in SEARCHED_COLUMNS)
    return f"({clause})", [pattern] * len(SEARCHED_COLUMNS)


def latest_live_dm_statuses(conn: sqlite3.Connection, owner_id: int) -> dict[int, str]:
    """Follower rowid -> DM_STATUS_SQL's value ("step:state" of the latest live DM, the retry if any) for
    every follower of `owner_id` with a live DM: one pass over the account's DMs, not a lookup per follower."""
    cursor = _cursor(conn).execute(
        "SELECT followers.rowid, d.step || ':' || d.state FROM dm_log AS d "
        "JOIN followers ON followers.owner_id = d.owner_id AND followers.user_id = d.recipient_id "
        "WHERE d.owner_id = ? AND d.mode = 'live' "
        "ORDER BY followers.rowid, d.step = 'retry'",  # a follower's retry comes last and so wins in the dict
        (owner_id,),
    )
    return dict(cursor)


def rows_by_rowid(
    conn: sqlite3.Connection, rowids: Sequence[int] | np.ndarray, *, tiers: Sequence[TierSpec] = DEFAULT_TIERS
) -> list[tuple]:
    """Rows in `ROW_COLUMNS` order for `rowids`, returned in the order asked (missing rowids are skipped)."""
    wanted = [int(rowid) for rowid in rowids]
    if not wanted:
        return []
    tier_sql, tier_params = tier_case_sql(tiers)
    columns = ", ".join(f"followers.{column}" for column in RECORD_COLUMNS)
    by_rowid: dict[int, tuple] = {}
    cursor = _cursor(conn)
    for start in range(0, len(wanted), _MAX_IN_PARAMS):
        chunk = wanted[start:start + _MAX_IN_PARAMS]
        sql = (
            f"SELECT followers.rowid, {columns}, {tier_sql}, {DM_STATUS_SQL} FROM followers "
            f"WHERE followers.rowid IN ({', '.join('?' * len(chunk))})"
        )
        for row in cursor.execute(sql, [*tier_params, *chunk]):
            by_rowid[row[0]] = row
    return [by_rowid[rowid] for rowid in wanted if rowid in by_rowid]


def rowid_of_follower(conn: sqlite3.Connection, owner_id: int, user_id: int) -> int | None:
    row = _cursor(conn).execute(
        "SELECT rowid FROM followers WHERE owner_id = ? AND user_id = ?", (owner_id, user_id)
    ).fetchone()
    return None if row is None else row[0]


def find_by_username(conn: sqlite3.Connection, owner_id: int, username: str) -> FollowerRecord | None:
    """The follower with this @handle (case-insensitive, '@' optional), or None."""
    row = _cursor(conn).execute(
        f"SELECT {', '.join(RECORD_COLUMNS)} FROM followers WHERE owner_id = ? AND username = ? COLLATE NOCASE",
        (owner_id, normalize_username(username)),
    ).fetchone()
    return None if row is None else FollowerRecord.from_row(row)


def get_follower(conn: sqlite3.Connection, owner_id: int, user_id: int) -> FollowerRecord | None:
    row = _cursor(conn).execute(
        f"SELECT {', '.join(RECORD_COLUMNS)} FROM followers WHERE owner_id = ? AND user_id = ?",
        (owner_id, user_id),
    ).fetchone()
    return None if row is None else FollowerRecord.from_row(row)


def plot_arrays(
    conn: sqlite3.Connection,
    owner_id: int,
    follower_filter: FollowerFilter | None = None,
    *,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
) -> dict[str, np.ndarray]:
    """Column arrays for scatter plots: every follower shown, with `matches` flagging the filtered ones.

    Keys: rowid, user_id, followers, following, created_at (UNKNOWN_CREATED_AT if unknown), tier, matches.
    The plotted population is the account's current followers (plus unfollowed ones if the filter includes
    them); the rest of the filter only decides `matches`.
    """
    follower_filter = follower_filter or FollowerFilter()
    population = "followers.owner_id = ?"
    if not follower_filter.include_unfollowed:
        population += " AND followers.unfollowed_at IS NULL"
    tier_sql, tier_params = tier_case_sql(tiers)
    matches_sql, matches_params = follower_filter.to_sql(owner_id, tiers)
    sql = (
        "SELECT followers.rowid, followers.user_id, followers.followers_count, followers.following_count, "
        f"coalesce(followers.created_at, {UNKNOWN_CREATED_AT}), {tier_sql}, ({matches_sql}) "
        f"FROM followers WHERE {population} ORDER BY followers.rowid"
    )
    import numpy as np

    cursor = _cursor(conn).execute(sql, [*tier_params, *matches_params, owner_id])
    plot_dtype = np.dtype([(name, np.bool_ if name == "matches" else np.int64) for name in _PLOT_COLUMNS])
    table = np.fromiter(cursor, dtype=plot_dtype)
    return {name: table[name].copy() for name in _PLOT_COLUMNS}


def iter_rows(
    conn: sqlite3.Connection,
    owner_id: int,
    follower_filter: FollowerFilter | None = None,
    batch: int = 5000,
    *,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
    now: float | None = None,
) -> Iterator[tuple]:
    """Matching followers as `ROW_COLUMNS` tuples in rowid order, fetched `batch` rows at a time (exports)."""
    where, params = _where(owner_id, follower_filter, tiers, "", now)
    tier_sql, tier_params = tier_case_sql(tiers)
    columns = ", ".join(f"followers.{column}" for column in RECORD_COLUMNS)
    cursor = _cursor(conn).execute(
        f"SELECT followers.rowid, {columns}, {tier_sql}, {DM_STATUS_SQL} FROM followers "
        f"WHERE {where} ORDER BY followers.rowid",
        [*tier_params, *params],
    )
    while rows := cursor.fetchmany(batch):
        yield from rows


# SQLite 3.32+ allows 32766 bound parameters; stay far below so older system libraries work too.
_MAX_IN_PARAMS = 900


def _cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    register_sql_functions(conn)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples even when the connection hands out sqlite3.Row
    return cursor


def _where(
    owner_id: int, follower_filter: FollowerFilter | None, tiers: Sequence[TierSpec], search_text: str,
    now: float | None = None,
) -> tuple[str, list[Any]]:
    where, params = (follower_filter or FollowerFilter()).to_sql(owner_id, tiers, now=now)
    if search_text.strip():
        search_where, search_params = search_sql(search_text)
        where, params = f"{where} AND {search_where}", [*params, *search_params]
    return where, params
