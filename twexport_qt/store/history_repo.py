"""Follower history as changes, not copies: one snapshot per complete followers fetch, who joined and who left at
it, and the metrics that changed since each follower's last recorded values.

A year of daily refreshes of a million followers must stay under 2 GB, so nothing is copied per snapshot:
`follower_snapshots` holds one small row per complete fetch (its time and counts), `follower_joins` and
`follower_leaves` one row per membership change (and, for reading months of them at once, `follower_change_blocks`
the same ids packed, one block per snapshot and kind), `follower_metric_changes` one packed block per snapshot of
the followers whose public metrics moved and their four deltas (about 8 bytes a follower). To compare a fetch with
the previous snapshot without reading the history back, `follower_last_snapshot` keeps each follower as the last
snapshot saw them (member or not, and their metrics); only the rows that changed are rewritten.

Follow order: X lists followers newest first and does not say when someone followed. A follower's join row carries
their snapshot (so "followed between the previous complete fetch and this one") and `position`, their rank among
that snapshot's joiners in X's order (0 = the newest). Followers are inserted page by page in X's order, so
`followers.rowid` order is X's order within one fetch; a follower who comes back keeps their old rowid, so their
position is approximate. For the first snapshot (everyone already following) the position is the only clue.

Nothing here commits: a fetch records its snapshot in the transaction of its last page (followers/fetch.py).
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

METRIC_COLUMNS: tuple[str, ...] = ("followers_count", "following_count", "tweet_count", "listed_count")


@dataclass(frozen=True)
class SnapshotRow:
    """One complete fetch as the history keeps it."""

    id: int
    owner_id: int
    fetch_run_id: int | None
    taken_at: int            # epoch seconds: when the fetch completed
    follower_count: int      # members at this snapshot
    joined: int              # members now who were not at the previous snapshot (all of them at the first)
    left: int                # members at the previous snapshot who are not now
    metric_changes: int      # followers whose public metrics changed since the previous snapshot


@dataclass(frozen=True)
class ChangeRow:
    """A follower who joined or left at a snapshot, with their profile as last stored."""

    user_id: int
    username: str
    name: str
    snapshot_id: int
    at: int                       # the snapshot's time: when the change was seen
    previous_snapshot_at: int | None  # the change happened after this (None: at the first snapshot)
    position: int | None          # joins: rank among the snapshot's joiners in X's newest-first order
    followers_count: int
    following_count: int
    tweet_count: int
    listed_count: int


@dataclass(frozen=True)
class ChangeIds:
    """Joins or leaves as columns, for a view's table over hundreds of thousands of rows (profiles are read per
    visible block): the follower, and the time of the snapshot that saw the change, latest first."""

    user_ids: np.ndarray    # int64
    seen_at: np.ndarray     # int64 epoch seconds

    def __len__(self) -> int:
        return len(self.user_ids)


class ChangeKind(StrEnum):
    """A membership change, as `follower_change_blocks.change` stores it."""

    JOIN = "join"
    LEAVE = "leave"


_ID_DTYPE = np.dtype([("user_id", np.int64)])
_CHANGE_TABLES = {ChangeKind.JOIN: "follower_joins", ChangeKind.LEAVE: "follower_leaves"}
# Within a snapshot: joins in X's order, leaves by id (the order their blocks keep).
_CHANGE_ORDER = {ChangeKind.JOIN: "position", ChangeKind.LEAVE: "user_id"}


_SNAPSHOT_COLUMNS = ("id, owner_id, fetch_run_id, taken_at, follower_count, joined, left_count, metric_changes")

# "A member now": a complete full fetch upserts everyone X listed with a `seen_run` at least its id
# (followers_repo.newest_fetch_run), exact even when the fetch before ended in the second it started; a snapshot
# recorded without a run (a store built without fetch runs) goes by time: last_seen >= its start.
# The unary "+" keeps owner_id out of index matching: SQLite would otherwise walk the followers-count index and
# read the rows in random order, ten times slower than one pass over the table.
_SEEN_IN_RUN = "f.seen_run >= :run"
_SEEN_SINCE = "f.last_seen >= :since"
_METRICS_DIFFER = " OR ".join(f"f.{column} <> b.{column}" for column in METRIC_COLUMNS)
_CHANGED_TABLE = "temp.history_changed"  # the members that joined or whose metrics moved, for one snapshot


def record_snapshot(conn: sqlite3.Connection, owner_id: int, fetch_run_id: int | None, seen_since: int,
                    taken_at: int) -> SnapshotRow:
    """Record the snapshot of a complete full fetch, run `fetch_run_id`, that started at `seen_since`: its members
    are the followers it saw (`seen_run` at least its id; without a run id, those seen since `seen_since`). Call
    in the transaction that completes the run (after `followers_repo.mark_unfollowed`, or before it: both work),
    never for an incomplete one (everyone not yet seen would count as left). Does NOT commit.

    One pass over the account's followers compares each member with their last recorded state and keeps only
    those that differ; everything after reads that short list. Leavers are the last snapshot's members it did not
    see and not already marked as unfollowed before `seen_since`.
    """
    previous = conn.execute("SELECT follower_count FROM follower_snapshots WHERE owner_id = ? ORDER BY id DESC "
                            "LIMIT 1", (owner_id,)).fetchone()
    cursor = conn.execute(
        "INSERT INTO follower_snapshots (owner_id, fetch_run_id, taken_at, follower_count, joined, left_count, "
        "metric_changes) VALUES (?, ?, ?, 0, 0, 0, 0)", (owner_id, fetch_run_id, taken_at))
    snapshot_id = cursor.lastrowid
    assert snapshot_id is not None  # an INSERT always sets it
    names = {"owner": owner_id, "since": seen_since, "snapshot": snapshot_id, "run": fetch_run_id}
    seen = _SEEN_IN_RUN if fetch_run_id is not None else _SEEN_SINCE
    member_now = f"+f.owner_id = :owner AND {seen}"
    metrics = ", ".join(METRIC_COLUMNS)
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS history_changed (follower_rowid INTEGER PRIMARY KEY, "
                 f"user_id INTEGER NOT NULL, was_member INTEGER, {metrics}, followers_delta, following_delta, "
                 "tweet_delta, listed_delta)")
    conn.execute(f"DELETE FROM {_CHANGED_TABLE}")
    deltas = ", ".join(f"f.{column} - b.{column}" for column in METRIC_COLUMNS)
    conn.execute(
        f"INSERT INTO {_CHANGED_TABLE} SELECT f.rowid, f.user_id, b.member, "
        f"{', '.join(f'f.{column}' for column in METRIC_COLUMNS)}, {deltas} FROM followers AS f "
        "LEFT JOIN follower_last_snapshot AS b ON b.owner_id = f.owner_id AND b.user_id = f.user_id "
        f"WHERE {member_now} AND (b.member IS NOT 1 OR {_METRICS_DIFFER})", names)
    left = conn.execute(
        "INSERT INTO follower_leaves (snapshot_id, user_id) SELECT :snapshot, f.user_id FROM followers AS f "
        # CROSS JOIN keeps the one pass over followers outside (SQLite's rule); the few not seen look up their state.
        "CROSS JOIN follower_last_snapshot AS b ON b.owner_id = f.owner_id AND b.user_id = f.user_id "
        f"WHERE +f.owner_id = :owner AND NOT ({seen}) "
        "AND (f.unfollowed_at IS NULL OR f.unfollowed_at >= :since) AND b.member = 1", names).rowcount
    # Joiners in rowid order, which is X's newest-first order within a fetch (see the module's note).
    joined = conn.execute(
        "INSERT INTO follower_joins (snapshot_id, user_id, position) SELECT :snapshot, user_id, "
        f"row_number() OVER (ORDER BY follower_rowid) - 1 FROM {_CHANGED_TABLE} WHERE was_member IS NOT 1",
        names).rowcount
    # A member's metrics, or a returning follower's (their row was kept): the change since the recorded value.
    changed = np.fromiter(_cursor(conn).execute(
        f"SELECT user_id, followers_delta, following_delta, tweet_delta, listed_delta FROM {_CHANGED_TABLE} "
        "WHERE was_member IS NOT NULL AND (followers_delta <> 0 OR following_delta <> 0 OR tweet_delta <> 0 "
        "OR listed_delta <> 0)"), dtype=_METRIC_CHANGE_DTYPE)
    metric_changes = len(changed)
    # The same joins and leaves as blocks of ids, for reading months of them at once (`leave_ids`, `join_ids`).
    write_change_block(conn, snapshot_id, ChangeKind.LEAVE, np.fromiter(
        _cursor(conn).execute("SELECT user_id FROM follower_leaves WHERE snapshot_id = ? ORDER BY user_id",
                              (snapshot_id,)), dtype=_ID_DTYPE)["user_id"])
    write_change_block(conn, snapshot_id, ChangeKind.JOIN, np.fromiter(
        _cursor(conn).execute(f"SELECT user_id FROM {_CHANGED_TABLE} WHERE was_member IS NOT 1 "
                              "ORDER BY follower_rowid"), dtype=_ID_DTYPE)["user_id"])
    if metric_changes:
        conn.execute("INSERT INTO follower_metric_changes (snapshot_id, changes, packed) VALUES (?, ?, ?)",
                     (snapshot_id, metric_changes, pack_metric_changes(changed)))
    conn.execute("UPDATE follower_last_snapshot SET member = 0 WHERE owner_id = :owner AND user_id IN "
                 "(SELECT user_id FROM follower_leaves WHERE snapshot_id = :snapshot)", names)
    conn.execute(
        f"INSERT INTO follower_last_snapshot (owner_id, user_id, member, {metrics}) "
        f"SELECT :owner, user_id, 1, {metrics} FROM {_CHANGED_TABLE} WHERE true "
        "ON CONFLICT (owner_id, user_id) DO UPDATE SET member = 1, "
        + ", ".join(f"{column} = excluded.{column}" for column in METRIC_COLUMNS), names)
    conn.execute(f"DELETE FROM {_CHANGED_TABLE}")
    follower_count = (previous[0] if previous is not None else 0) + joined - left
    conn.execute("UPDATE follower_snapshots SET follower_count = ?, joined = ?, left_count = ?, metric_changes = ? "
                 "WHERE id = ?", (follower_count, joined, left, metric_changes, snapshot_id))
    return SnapshotRow(snapshot_id, owner_id, fetch_run_id, taken_at, follower_count, joined, left, metric_changes)


@dataclass(frozen=True)
class MetricChanges:
    """One snapshot's metric changes: `user_ids` (sorted) and, row for row, `deltas` (n x 4, METRIC_COLUMNS order):
    each follower's values at the snapshot minus their previously recorded ones."""

    user_ids: np.ndarray
    deltas: np.ndarray


_METRIC_CHANGE_DTYPE = np.dtype([("user_id", np.int64), *((f"{column}_delta", np.int64)
                                                          for column in METRIC_COLUMNS)])
_PACKING_VERSION = 1
_RAW_BLOCK = b"\x00"  # starts a block stored without zlib (a zlib stream never starts with a zero byte)
_INT_TYPES: tuple[np.dtype, ...] = (np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32), np.dtype(np.int64))


def pack_metric_changes(changed: np.ndarray) -> bytes:
    """`changed` (a `_METRIC_CHANGE_DTYPE` array) as a compact block: ids sorted and stored as gaps, each column in
    the smallest integer type that holds it, its bytes grouped by significance (the high bytes of small numbers
    are zeros that compress to almost nothing), then zlib."""
    ordered = np.sort(changed, order="user_id")
    return _pack_columns([np.diff(ordered["user_id"], prepend=np.int64(0)),
                          *(ordered[f"{column}_delta"] for column in METRIC_COLUMNS)])


def unpack_metric_changes(packed: bytes) -> MetricChanges:
    count, columns = _unpack_columns(packed, 1 + len(METRIC_COLUMNS))
    return MetricChanges(np.cumsum(columns[0]), np.stack(columns[1:], axis=1) if count else
                         np.zeros((0, len(METRIC_COLUMNS)), dtype=np.int64))


def pack_ids(user_ids: np.ndarray) -> bytes:
    """Ids in their order (any order) as a block: the gaps between neighbours (small when sorted) in the smallest
    integer type, not compressed. The gaps between a day's leavers are as random as X's ids, so zlib saved a third
    of the bytes but its decompression was most of the time of reading a year of them."""
    return _pack_columns([np.diff(user_ids.astype(np.int64), prepend=np.int64(0))], compress=False)


def unpack_ids(packed: bytes) -> np.ndarray:
    return np.cumsum(_unpack_columns(packed, 1)[1][0])


def _pack_columns(columns: list[np.ndarray], *, compress: bool = True) -> bytes:
    """The header (version, count, each column's type code), then each column in its smallest integer type:
    compressed, its bytes grouped by significance then zlib; else as little-endian integers after `_RAW_BLOCK`."""
    count = len(columns[0])
    header = [_PACKING_VERSION, count]
    body: list[bytes] = []
    for column in columns:
        code = next(index for index, kind in enumerate(_INT_TYPES) if _fits(column, kind))
        header.append(code)
        if compress:
            narrow = column.astype(_INT_TYPES[code])
            body.append(narrow.view(np.uint8).reshape(count, narrow.itemsize).T.tobytes())
        else:
            body.append(column.astype(_INT_TYPES[code].newbyteorder("<")).tobytes())
    data = struct.pack(f"<{len(header)}q", *header) + b"".join(body)
    return zlib.compress(data, 6) if compress else _RAW_BLOCK + data


def _unpack_columns(packed: bytes, column_count: int) -> tuple[int, list[np.ndarray]]:
    raw = packed[:1] == _RAW_BLOCK
    data = packed[1:] if raw else zlib.decompress(packed)
    fields = 2 + column_count
    header = struct.unpack_from(f"<{fields}q", data)
    if header[0] != _PACKING_VERSION:
        raise ValueError(f"unknown packed block version {header[0]}")
    count, offset = header[1], struct.calcsize(f"<{fields}q")
    columns: list[np.ndarray] = []
    for code in header[2:]:
        kind = _INT_TYPES[code]
        size = count * kind.itemsize
        if raw:
            columns.append(np.frombuffer(data, dtype=kind.newbyteorder("<"), count=count, offset=offset)
                           .astype(np.int64))
        else:
            planes = np.frombuffer(data, dtype=np.uint8, count=size, offset=offset).reshape(kind.itemsize, count)
            columns.append(np.ascontiguousarray(planes.T).view(kind).reshape(count).astype(np.int64))
        offset += size
    return count, columns


def metric_changes(conn: sqlite3.Connection, snapshot_id: int) -> MetricChanges:
    """The followers whose metrics changed at `snapshot_id`, with the deltas (empty if none did)."""
    row = conn.execute("SELECT packed FROM follower_metric_changes WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
    if row is None:
        return MetricChanges(np.zeros(0, dtype=np.int64), np.zeros((0, len(METRIC_COLUMNS)), dtype=np.int64))
    return unpack_metric_changes(row[0])


def _fits(column: np.ndarray, kind: np.dtype) -> bool:
    if not len(column):
        return True
    info = np.iinfo(kind)
    return bool(column.min() >= info.min and column.max() <= info.max)


def snapshots(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
              until: int | None = None) -> list[SnapshotRow]:
    """The account's snapshots, oldest first, taken in [since, until] when given."""
    rows = _cursor(conn).execute(
        f"SELECT {_SNAPSHOT_COLUMNS} FROM follower_snapshots WHERE owner_id = ? AND taken_at >= ? AND taken_at <= ? "
        "ORDER BY taken_at, id", (owner_id, _low(since), _high(until))).fetchall()
    return [SnapshotRow(*row) for row in rows]


def first_snapshot_id(conn: sqlite3.Connection, owner_id: int) -> int | None:
    row = conn.execute("SELECT min(id) FROM follower_snapshots WHERE owner_id = ?", (owner_id,)).fetchone()
    return None if row is None else row[0]


def leaves(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
           until: int | None = None) -> list[ChangeRow]:
    """Who left at snapshots taken in [since, until], newest snapshot first."""
    return _changes(conn, "follower_leaves", "NULL", owner_id, since, until, include_first=True)


def joins(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None, until: int | None = None,
          include_first: bool = False) -> list[ChangeRow]:
    """Who joined at snapshots taken in [since, until], newest first (snapshot, then X's order). The first
    snapshot's joiners were already following when history began, so they are left out unless asked for."""
    return _changes(conn, "follower_joins", "c.position", owner_id, since, until, include_first=include_first)


def leave_ids(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
              until: int | None = None) -> ChangeIds:
    """`leaves` as columns, without profiles: one block of ids per snapshot, no object per row."""
    return _change_ids(conn, ChangeKind.LEAVE, owner_id, since, until, include_first=True)


def join_ids(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None, until: int | None = None,
             include_first: bool = False) -> ChangeIds:
    """`joins` as columns, without profiles (in X's order within a snapshot)."""
    return _change_ids(conn, ChangeKind.JOIN, owner_id, since, until, include_first=include_first)


def write_change_block(conn: sqlite3.Connection, snapshot_id: int, kind: ChangeKind, user_ids: np.ndarray) -> None:
    """Store a snapshot's joiners (in position order) or leavers (by id) as its block; `record_snapshot` does it
    for every snapshot it records. None is stored for no ids: a snapshot without a block reads its (no) rows, so a
    refresh without changes still adds a single row. Does NOT commit."""
    if not len(user_ids):
        return
    conn.execute("INSERT OR REPLACE INTO follower_change_blocks (snapshot_id, change, changes, packed) "
                 "VALUES (?, ?, ?, ?)", (snapshot_id, kind.value, len(user_ids), pack_ids(user_ids)))


def _change_ids(conn: sqlite3.Connection, kind: ChangeKind, owner_id: int, since: int | None, until: int | None,
                *, include_first: bool) -> ChangeIds:
    """The snapshots' blocks, latest snapshot first. Reading the rows instead costs about a microsecond a row in
    Python (seconds for a year of a million followers); a block is unpacked in C. A snapshot recorded before the
    blocks existed is read from its rows."""
    first = first_snapshot_id(conn, owner_id)
    window = (owner_id, _low(since), _high(until), include_first, first if first is not None else -1)
    in_window = ("s.owner_id = ? AND s.taken_at >= ? AND s.taken_at <= ? AND (? OR s.id <> ?)")
    picked = _cursor(conn).execute(
        f"SELECT s.id, s.taken_at FROM follower_snapshots AS s WHERE {in_window} "
        "ORDER BY s.taken_at DESC, s.id DESC", window).fetchall()
    blocks = dict(_cursor(conn).execute(
        f"SELECT b.snapshot_id, b.packed FROM follower_snapshots AS s CROSS JOIN follower_change_blocks AS b "
        f"ON b.snapshot_id = s.id AND b.change = ? WHERE {in_window}", (kind.value, *window)).fetchall())
    parts: list[np.ndarray] = []
    for snapshot_id, _ in picked:
        packed = blocks.get(snapshot_id)
        parts.append(unpack_ids(packed) if packed is not None else np.fromiter(_cursor(conn).execute(
            f"SELECT user_id FROM {_CHANGE_TABLES[kind]} WHERE snapshot_id = ? ORDER BY {_CHANGE_ORDER[kind]}",
            (snapshot_id,)), dtype=_ID_DTYPE)["user_id"])
    if not parts:
        return ChangeIds(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    taken_at = np.array([row[1] for row in picked], dtype=np.int64)
    return ChangeIds(np.concatenate(parts), np.repeat(taken_at, [len(part) for part in parts]))


@dataclass(frozen=True)
class StoredProfile:
    """A follower as last stored, for a history table's row."""

    user_id: int
    username: str
    name: str
    followers_count: int | None


def stored_profiles(conn: sqlite3.Connection, owner_id: int, user_ids: Sequence[int]) -> dict[int, StoredProfile]:
    """The stored profiles of `user_ids` (those never stored are missing), in one query: a table's shown rows
    read together, not one lookup each."""
    if not user_ids:
        return {}
    rows = _cursor(conn).execute(
        "SELECT f.user_id, f.username, f.name, f.followers_count FROM json_each(?) AS wanted "
        "JOIN followers AS f ON f.owner_id = ? AND f.user_id = wanted.value",
        (json.dumps([int(user_id) for user_id in user_ids]), owner_id)).fetchall()
    return {row[0]: StoredProfile(*row) for row in rows}


def first_join(conn: sqlite3.Connection, owner_id: int, user_id: int) -> tuple[int, int, int | None] | None:
    """(snapshot id, snapshot time, position) of the first snapshot that recorded `user_id` as a follower."""
    row = conn.execute(
        "SELECT s.id, s.taken_at, c.position FROM follower_joins AS c JOIN follower_snapshots AS s "
        "ON s.id = c.snapshot_id WHERE s.owner_id = ? AND c.user_id = ? ORDER BY s.id LIMIT 1",
        (owner_id, user_id)).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _changes(conn: sqlite3.Connection, table: str, position_sql: str, owner_id: int, since: int | None,
             until: int | None, *, include_first: bool) -> list[ChangeRow]:
    first = first_snapshot_id(conn, owner_id)
    if first is None:
        return []
    metrics = ", ".join(f"coalesce(f.{column}, 0)" for column in METRIC_COLUMNS)
    # The snapshots are few (one a day at most, as a rule): pick them first, then their changes by the key's
    # snapshot_id prefix, then each follower by the followers key.
    picked = _cursor(conn).execute(
        "SELECT id, taken_at, (SELECT max(p.taken_at) FROM follower_snapshots AS p WHERE p.owner_id = s.owner_id "
        "AND p.id < s.id) FROM follower_snapshots AS s WHERE s.owner_id = ? AND s.taken_at >= ? AND s.taken_at <= ? "
        "AND (? OR s.id <> ?) ORDER BY s.taken_at DESC, s.id DESC",
        (owner_id, _low(since), _high(until), include_first, first)).fetchall()
    out: list[ChangeRow] = []
    for snapshot_id, taken_at, previous_at in picked:
        rows = _cursor(conn).execute(
            f"SELECT c.user_id, coalesce(f.username, ''), coalesce(f.name, ''), {position_sql}, {metrics} "
            f"FROM {table} AS c LEFT JOIN followers AS f ON f.owner_id = ? AND f.user_id = c.user_id "
            f"WHERE c.snapshot_id = ? ORDER BY {position_sql}, c.user_id", (owner_id, snapshot_id)).fetchall()
        out.extend(ChangeRow(row[0], row[1], row[2], snapshot_id, taken_at, previous_at, row[3], *row[4:8])
                   for row in rows)
    return out


def _cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples even when the connection hands out sqlite3.Row
    return cursor


def _low(since: int | None) -> int:
    return -(2 ** 62) if since is None else since


def _high(until: int | None) -> int:
    return 2 ** 62 if until is None else until
