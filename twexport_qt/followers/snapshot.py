"""One account's followers as compact numpy columns, so filters and sorts are array operations, not queries.

At a million followers every `ids_sorted`/`count`/`plot_arrays` query costs from half a second to seconds.
A snapshot reads the filterable columns once (about 50 bytes a follower, ~1.5 s at a million) and answers:

* `numeric_mask(filter)`: dates, counts, last posted, flags, tiers, unfollowed, vectorised in a few milliseconds;
* `sql_mask(criteria, conn)`: what the numeric arrays do not hold: location from the text index, bio words
  (the registered NLTK function) and DM status as ONE query over those clauses only;
* `search_mask(text, conn)`: the search box: username, name, bio or location contains the text (LIKE's rule);
* `ascending_order(key, conn)`: a permutation of positions in `ids_sorted` order (key, then rowid).

Text is answered from a `TextIndex` of the four text columns, which `prepare_text(conn)` builds once per
snapshot with every text sort order (~2 s at a million, meant for a background thread; built on first use
otherwise): searches then take tens of milliseconds and text sorts none. The DM-status sort reads the DM log
afresh (one pass over the account's DMs). A NUL character in a value or a needle sends text to SQL.

A view is then `order[mask[order]]`: a gather and a compaction, milliseconds at a million rows. Semantics
follow `FollowerFilter.to_sql` and `followers_repo` exactly; tests compare both on random data.

Positions index the snapshot's arrays, which are in ascending rowid order. A snapshot never changes after
`load` (arrays are read-only), so one may be shared between the GUI thread and a query thread; anything
taking `conn` runs SQL and belongs on the thread that owns that connection. Followers written after the load
are not in the snapshot: callers reload after every job that writes followers.

While a fetch runs, reloading a million followers per page would cost seconds a page. A fetch's new followers
get rowids above every stored one, so `appended(conn)` reads only the rows past the last rowid and returns a
new snapshot of the same `lineage`: the same arrays with the new followers after them (its text index, and
the index's sort orders, are extended the same way). Of two snapshots of one lineage the shorter is a prefix
of the longer, position for position, which lets views keep their places; masks and orders for the new
positions only are `sql_mask`/`search_mask` with `first_position`, and `appended_order`.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from twexport_qt.followers.filters import (
    DmStatus,
    FollowerFilter,
    WordMode,
    activity_cutoff,
    register_sql_functions,
)
from twexport_qt.followers.relationships import Relationship, require_following
from twexport_qt.followers.rowid_ranges import integers_of, rowid_ranges
from twexport_qt.followers.stats import FollowerSummary, snapshot_summary
from twexport_qt.followers.text_index import TextIndex
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, tier_index, validate_tiers
from twexport_qt.store import followers_repo

UNKNOWN_DATE = np.iinfo(np.int64).min  # created_at or last_posted_at unknown; sorts first, like SQL's NULL
UNKNOWN_DM = -1  # receives_your_dm X did not say

# Sort keys answered from the arrays: key -> snapshot attribute. Any other `followers_repo.SORT_KEYS` key
# needs a connection: the text index (TEXT_SORT_KEYS, built once) or the DM log (dm_status).
NUMERIC_SORT_KEYS: dict[str, str] = {
    "followers_count": "followers",
    "following_count": "following",
    "tweet_count": "tweets",
    "listed_count": "listed",
    "verified": "verified",
    "created_at": "created_at",
    "last_posted_at": "last_posted",
    "first_seen": "first_seen",
    "user_id": "user_id",
    "tier": "tier",
}
# Sort keys answered by the text index: key -> its column (NOCASE text) or last_seen (read with the text).
TEXT_SORT_KEYS: dict[str, str] = {
    "username": "username",
    "name": "name",
    "location": "location",
    "description": "description",
    "last_seen": "last_seen",
}

# What a load reads, in this order. The four yes/no columns travel packed into one: `_FLAGS_SQL` evaluates
# exactly the predicates FollowerFilter.to_sql uses, in C, and `_unpack_flags` splits them again.
_FLAGS_SQL = (
    "((verified = 1) | ((protected != 0) << 1) "
    "| ((CASE WHEN receives_your_dm IS NULL THEN 0 WHEN receives_your_dm != 0 THEN 2 ELSE 1 END) << 2) "
    "| ((unfollowed_at IS NOT NULL) << 4))"
)
_LOAD_COLUMNS: tuple[str, ...] = (
    "rowid", "user_id", "followers", "following", "tweets", "listed", "created_at", "last_posted", "first_seen",
    "flags",
)
_LOAD_EXPRESSIONS: tuple[str, ...] = (
    "rowid", "user_id", "followers_count", "following_count", "tweet_count", "listed_count",
    f"coalesce(created_at, {UNKNOWN_DATE})", f"coalesce(last_posted_at, {UNKNOWN_DATE})", "first_seen", _FLAGS_SQL,
)
_OWNER_ROWIDS_SQL = "SELECT group_concat(rowid) FROM followers WHERE owner_id = ?"  # an index walk in C
# The rows stored after a snapshot's last one: a walk of the rowid b-tree from there (`+owner_id` keeps SQLite
# off the owner indexes, which would visit every follower of the account).
_OWNER_ROWIDS_AFTER_SQL = "SELECT group_concat(rowid) FROM followers WHERE rowid > ? AND +owner_id = ?"
# One rowid range (see rowid_ranges): each column comes back as one string of integers, built by SQLite with
# the GIL released and parsed by numpy, instead of a Python tuple per follower (3-4 times the time at a
# million, with the GIL held). `+owner_id` walks the range, not an owner index.
_RANGE_LOAD_SQL = (
    "SELECT " + ", ".join(f"group_concat({expression})" for expression in _LOAD_EXPRESSIONS)
    + " FROM followers WHERE rowid BETWEEN ? AND ? AND +owner_id = ?"
)
# Row by row, for a database whose values are not all integers where integers belong (never written so by the
# app): numpy then converts, or refuses, as it always did.
_ROWS_LOAD_SQL = f"SELECT {', '.join(_LOAD_EXPRESSIONS)} FROM followers WHERE owner_id = ? ORDER BY rowid"
_ROWS_AFTER_LOAD_SQL = (
    f"SELECT {', '.join(_LOAD_EXPRESSIONS)} FROM followers WHERE rowid > ? AND +owner_id = ? ORDER BY rowid"
)
_LOAD_DTYPE = np.dtype([(name, np.int64) for name in _LOAD_COLUMNS])
_LOAD_BATCH = 65_536  # rows converted per np.fromiter call: bounds the int64 staging buffer to ~6 MB


@dataclass(frozen=True, slots=True)
class SqlCriteria:
    """The part of a filter only SQL can evaluate; hashable, so its mask can be cached per value."""

    location_contains: str = ""
    description_words: str = ""
    description_mode: WordMode = "any"
    dm_status: DmStatus = "any"
    relationship: Relationship = "any"  # a membership test in the following table: SQL answers it

    def as_filter(self) -> FollowerFilter:
        # include_unfollowed: the population is decided by numeric_mask, here we only want these clauses.
        return FollowerFilter(
            location_contains=self.location_contains,
            description_words=self.description_words,
            description_mode=self.description_mode,
            dm_status=self.dm_status,
            relationship=self.relationship,
            include_unfollowed=True,
        )


def sql_criteria(follower_filter: FollowerFilter) -> SqlCriteria | None:
    """The SQL-only criteria of `follower_filter`, or None when numpy can evaluate all of it."""
    f = follower_filter
    location = f.location_contains.strip()
    words = f.description_words if f.words else ""
    if not (location or words or f.dm_status != "any" or f.relationship != "any"):
        return None
    return SqlCriteria(location, words, f.description_mode if words else "any", f.dm_status, f.relationship)


def normalized_search(text: str) -> str:
    """The search text as it is matched (outer whitespace dropped); '' means no search."""
    return text.strip()


def count_up_to(conn: sqlite3.Connection, owner_id: int, limit: int) -> int:
    """min(followers of `owner_id`, `limit`), at a cost bounded by `limit` (an index walk that stops early)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    sql = "SELECT count(*) FROM (SELECT 1 FROM followers WHERE owner_id = ? LIMIT ?)"
    return cursor.execute(sql, (owner_id, limit)).fetchone()[0]


_lineages = itertools.count(1)


def _new_lineage() -> int:
    return next(_lineages)


class _TextSlot:
    """Where a (frozen) snapshot keeps its text index once built; the lock makes the build happen once even
    when the GUI thread and the query thread ask at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.built = False
        self.index: TextIndex | None = None  # None once built: a value holds NUL, SQL answers text instead


@dataclass(frozen=True, eq=False)
class FollowerSnapshot:
    owner_id: int
    tiers: tuple[TierSpec, ...]
    rowid: np.ndarray  # int64, strictly ascending
    user_id: np.ndarray  # int64
    followers: np.ndarray  # counts: the smallest int dtype that holds the loaded values
    following: np.ndarray
    tweets: np.ndarray
    listed: np.ndarray
    created_at: np.ndarray  # int64 epoch seconds, UNKNOWN_DATE when unknown
    last_posted: np.ndarray  # int64 epoch seconds of the newest post, UNKNOWN_DATE when unknown
    first_seen: np.ndarray
    verified: np.ndarray  # bool: verified = 1 (the column only ever holds 0/1)
    protected: np.ndarray  # bool
    receives_dm: np.ndarray  # int8: 0, 1 or UNKNOWN_DM
    unfollowed: np.ndarray  # bool
    tier: np.ndarray  # int8 tier index (first matching tier, like tier_case_sql)
    summary: FollowerSummary | None = None  # totals for the summary panel, computed with the same load
    # A load starts a lineage, `appended` continues it: the shorter of two snapshots of one lineage is a prefix
    # of the longer (the same follower and values at every position it has).
    lineage: int = field(default_factory=_new_lineage)
    _text: _TextSlot = field(default_factory=_TextSlot, init=False, repr=False)

    # -- loading -------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        conn: sqlite3.Connection,
        owner_id: int,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        *,
        with_summary: bool = False,
    ) -> FollowerSnapshot:
        """Read `owner_id`'s followers (including those who left): ~1.5 s at a million, mostly in SQLite with
        the GIL released.

        `with_summary` adds `followers.stats.snapshot_summary`, counted from the loaded arrays (~0.1 s more at a
        million followers).
        """
        tiers = tuple(tiers)
        validate_tiers(tiers)
        columns: dict[str, Any] = _read_columns(conn, owner_id, tiers)  # Any: the dataclass's fields are typed
        for array in columns.values():
            array.flags.writeable = False
        snapshot = cls(owner_id=owner_id, tiers=tiers, summary=None, **columns)
        return replace(snapshot, summary=snapshot_summary(conn, snapshot)) if with_summary else snapshot

    def appended(self, conn: sqlite3.Connection) -> FollowerSnapshot:
        """This snapshot with the followers stored since after it (rowids above its last), or itself when there
        are none: what a fetch's new pages add, read in milliseconds instead of a whole load.

        The result continues this lineage: every position keeps its follower and values, new followers come
        after. Rows of existing followers updated since are not re-read (a reload does that after the fetch).
        The summary is counted again when this snapshot had one; a built text index is extended, with the sort
        orders it had computed.
        """
        after = int(self.rowid[-1]) if len(self) else 0
        tail = _read_columns(conn, self.owner_id, self.tiers, after_rowid=after)
        if not len(tail["rowid"]):
            return self
        columns = {name: np.concatenate([getattr(self, name), values]) for name, values in tail.items()}
        for array in columns.values():
            array.flags.writeable = False
        continued: dict[str, Any] = {**columns, "lineage": self.lineage}
        snapshot = FollowerSnapshot(owner_id=self.owner_id, tiers=self.tiers, summary=None, **continued)
        if self.summary is not None:
            snapshot = replace(snapshot, summary=snapshot_summary(conn, snapshot))
        with self._text.lock:
            index = self._text.index if self._text.built else None
        extended = index.appended(conn, self.owner_id, tail["rowid"]) if index is not None else None
        if extended is not None:
            with snapshot._text.lock:
                snapshot._text.index, snapshot._text.built = extended, True
        return snapshot

    def continues(self, other: FollowerSnapshot) -> bool:
        """Is `other` a prefix of this snapshot (the same lineage, no longer): its positions mean the same here?"""
        return self.lineage == other.lineage and len(self) >= len(other)

    def __len__(self) -> int:
        return len(self.rowid)

    def __repr__(self) -> str:  # the generated one would print every array
        return f"FollowerSnapshot(owner_id={self.owner_id}, followers={len(self):,})"

    # -- filtering -----------------------------------------------------------------------------------

    def numeric_mask(self, follower_filter: FollowerFilter, *, now: float | None = None) -> np.ndarray:
        """Followers passing every criterion of `follower_filter` that numpy evaluates (bool per position).

        `now` (epoch seconds) is where the activity criteria count back from; None: the wall clock.
        """
        f = follower_filter
        mask = np.ones(len(self), dtype=bool) if f.include_unfollowed else ~self.unfollowed
        if f.created_before is not None or f.created_after is not None:
            mask &= self.created_at != UNKNOWN_DATE  # an unknown date fails every date criterion (SQL NULL)
        if f.created_before is not None:
            mask &= self.created_at < f.created_before
        if f.created_after is not None:
            mask &= self.created_at >= f.created_after
        # numpy 2 compares small int dtypes with out-of-range Python ints exactly, so no clamping is needed.
        for column, low, high in (
            (self.followers, f.min_followers, f.max_followers),
            (self.following, f.min_following, f.max_following),
            (self.tweets, f.min_tweets, f.max_tweets),
            (self.listed, f.min_listed, f.max_listed),
        ):
            if low is not None:
                mask &= column >= low
            if high is not None:
                mask &= column <= high
        if f.inactive_days is not None:
            # No post since the cutoff, or none ever (X gives no newest post and counts none). UNKNOWN_DATE is
            # below every cutoff, so the unknown are kept only by the second term, as SQL's NULL is.
            undated = self.last_posted == UNKNOWN_DATE
            cutoff = activity_cutoff(f.inactive_days, now)
            mask &= (~undated & (self.last_posted < cutoff)) | (undated & (self.tweets == 0))
        if f.posted_within_days is not None:
            mask &= self.last_posted >= activity_cutoff(f.posted_within_days, now)  # UNKNOWN_DATE never passes
        if f.verified_only:
            mask &= self.verified
        if f.exclude_protected:
            mask &= ~self.protected
        if f.dm_able_only:
            mask &= self.receives_dm != 0
        if f.tiers:
            mask &= np.isin(self.tier, [tier_index(self.tiers, name) for name in f.tiers])
        return mask

    def sql_mask(self, criteria: SqlCriteria, conn: sqlite3.Connection, *, first_position: int = 0) -> np.ndarray:
        """Followers matching `criteria` (see `sql_criteria`): location from the text index, the rest (bio
        words, DM status) as one query over those clauses only.

        With `first_position`, only positions from there on are answered (a mask that long): the followers a
        fetch appended, read by rowid, not the whole account.
        """
        if criteria.relationship != "any":
            require_following(conn, self.owner_id)  # a sentence, not "nobody is a mutual"
        location_mask = None
        location = criteria.location_contains.strip()  # as FollowerFilter.to_sql reads it
        index = self._text_index(conn) if location else None
        if index is not None:
            location_mask = index.contains_mask(location, ("location",), first_position=first_position)
            if location_mask is not None:
                criteria = replace(criteria, location_contains="")
        if location_mask is not None and criteria == SqlCriteria():
            return location_mask
        where, params = criteria.as_filter().to_sql(self.owner_id, self.tiers)
        mask = self._mask_of_query(conn, where, params, first_position)
        return mask if location_mask is None else mask & location_mask

    def search_mask(self, text: str, conn: sqlite3.Connection, *, first_position: int = 0) -> np.ndarray:
        """Followers whose username, name, bio or location contains `text` (as followers_repo's search); with
        `first_position`, for the positions from there on only (see `sql_mask`)."""
        text = normalized_search(text)
        index = self._text_index(conn)
        mask = index.contains_mask(text, first_position=first_position) if index is not None else None
        if mask is not None:
            return mask
        where, params = followers_repo.search_sql(text)
        return self._mask_of_query(conn, f"followers.owner_id = ? AND {where}", [self.owner_id, *params],
                                   first_position)

    def mask(self, follower_filter: FollowerFilter, conn: sqlite3.Connection | None = None, *,
             now: float | None = None) -> np.ndarray:
        """Everything `follower_filter` selects; `conn` is needed only when it has SQL-only criteria."""
        mask = self.numeric_mask(follower_filter, now=now)
        criteria = sql_criteria(follower_filter)
        if criteria is not None:
            if conn is None:
                raise ValueError("This filter has bio, location, DM-status or relationship criteria: pass a "
                                 "connection.")
            mask &= self.sql_mask(criteria, conn)
        return mask

    # -- ordering ------------------------------------------------------------------------------------

    def ascending_order(self, sort_key: str, conn: sqlite3.Connection | None = None) -> np.ndarray:
        """Every position, ordered like `ids_sorted(..., sort_key, descending=False)`: key, then rowid.

        `ids_sorted` orders descending sorts by key DESC, rowid DESC: exactly this permutation reversed.
        `conn` is needed for keys outside NUMERIC_SORT_KEYS (text ones only until `prepare_text` ran).
        """
        if sort_key in NUMERIC_SORT_KEYS:
            values = getattr(self, NUMERIC_SORT_KEYS[sort_key])
            # Positions are in rowid order, so a stable sort breaks ties by rowid.
            return np.argsort(values, kind="stable").astype(_position_dtype(len(self)))
        if sort_key not in followers_repo.SORT_KEYS:
            choices = ", ".join(followers_repo.SORT_KEYS)
            raise ValueError(f"Cannot sort followers by {sort_key!r}; choose one of {choices}.")
        if sort_key in TEXT_SORT_KEYS:
            index = self._text_index(conn)
            if index is not None:
                return index.ascending_order(TEXT_SORT_KEYS[sort_key])
        if conn is None:
            raise ValueError(f"Sorting by {sort_key!r} reads the database: pass a connection.")
        if sort_key == "dm_status":
            return self._dm_status_order(conn)
        return self._sql_order(sort_key, conn)

    def appended_order(self, sort_key: str, prefix_order: np.ndarray, prefix_size: int,
                       conn: sqlite3.Connection | None = None) -> np.ndarray:
        """`ascending_order(sort_key)`, given that of this snapshot's first `prefix_size` positions (a snapshot
        this one continues): the appended positions are merged in, milliseconds at a million for array keys.

        Appended followers have the highest rowids, so each goes after the followers with an equal key. Text
        keys come from the text index, which `appended` extended with its orders; the DM status is read afresh.
        """
        if sort_key not in NUMERIC_SORT_KEYS:
            return self.ascending_order(sort_key, conn)
        values = getattr(self, NUMERIC_SORT_KEYS[sort_key])
        added = np.arange(prefix_size, len(self))
        added = added[np.argsort(values[prefix_size:], kind="stable")]
        at = np.searchsorted(values[prefix_order], values[added], side="right")
        return np.insert(prefix_order, at, added).astype(_position_dtype(len(self)))

    def order(self, sort_key: str, descending: bool, conn: sqlite3.Connection | None = None) -> np.ndarray:
        """Every position in display order (see `ascending_order`)."""
        ascending = self.ascending_order(sort_key, conn)
        return ascending[::-1] if descending else ascending

    def prepare_text(self, conn: sqlite3.Connection) -> None:
        """Build the text index and the text sort orders ahead of the first search or text sort (idempotent;
        ~2 s at a million followers, most of it in SQLite or numpy with the GIL released, so callers run it in
        a background thread right after `load`)."""
        index = self._text_index(conn)
        if index is not None:
            for column in TEXT_SORT_KEYS.values():
                index.ascending_order(column)

    def text_index_bytes(self) -> int:
        """Memory the text index holds (0 before it is built): for benchmarks and memory accounting."""
        index = self._text.index
        return index.nbytes if index is not None else 0

    def _text_index(self, conn: sqlite3.Connection | None) -> TextIndex | None:
        """The text index, built now if needed and `conn` given; None if it can't answer (see _TextSlot)."""
        slot = self._text
        with slot.lock:
            if not slot.built and conn is not None:
                slot.index = TextIndex.build(conn, self.owner_id, self.rowid)
                slot.built = True
            return slot.index

    def _dm_status_order(self, conn: sqlite3.Connection) -> np.ndarray:
        # DM_STATUS_SQL's value per follower as its rank among the values present: NULL (never messaged)
        # sorts first in SQL, hence -1; values in BINARY order, which for str is code point order.
        latest = followers_repo.latest_live_dm_statuses(conn, self.owner_id)
        labels = sorted(set(latest.values()))
        rank = {label: number for number, label in enumerate(labels)}
        # 16-bit codes: numpy sorts them by radix, ten times faster than wider ones at a million.
        code_dtype = np.int16 if len(labels) < np.iinfo(np.int16).max else np.int32
        rowids = np.fromiter(latest.keys(), dtype=np.int64, count=len(latest))
        codes_of_rowids = np.fromiter((rank[label] for label in latest.values()), dtype=code_dtype,
                                      count=len(latest))
        positions = np.searchsorted(self.rowid, rowids)
        found = positions < len(self)
        found[found] = self.rowid[positions[found]] == rowids[found]  # skip followers written since the load
        codes = np.full(len(self), -1, dtype=code_dtype)
        codes[positions[found]] = codes_of_rowids[found]
        return np.argsort(codes, kind="stable").astype(_position_dtype(len(self)))

    def _sql_order(self, sort_key: str, conn: sqlite3.Connection) -> np.ndarray:
        everyone = FollowerFilter(include_unfollowed=True)
        rowids = followers_repo.ids_sorted(conn, self.owner_id, everyone, sort_key, False, tiers=self.tiers)
        positions = self.positions_of_rowids(rowids)
        if len(positions) != len(self):
            # Rows deleted since the load: keep them (at the end) so the order stays a full permutation.
            missing = np.setdiff1d(np.arange(len(self)), positions, assume_unique=True)
            positions = np.concatenate([positions, missing])
        return positions.astype(_position_dtype(len(self)))

    # -- look-ups ------------------------------------------------------------------------------------

    def positions_of_rowids(self, rowids: np.ndarray) -> np.ndarray:
        """Positions of `rowids` in their given order; rowids not in the snapshot are skipped."""
        rowids = np.asarray(rowids, dtype=np.int64)
        positions = np.searchsorted(self.rowid, rowids)
        found = positions < len(self)
        found[found] = self.rowid[positions[found]] == rowids[found]
        return positions[found]

    def position_of_user(self, user_id: int) -> int | None:
        """Position of follower `user_id` (~1 ms at a million: a vectorised scan, no index needed)."""
        hits = np.flatnonzero(self.user_id == user_id)
        return int(hits[0]) if hits.size else None

    def _mask_of_query(self, conn: sqlite3.Connection, where: str, params: Sequence[object],
                       first_position: int = 0) -> np.ndarray:
        """The positions (from `first_position` on) of the followers matching `where`, over `followers`."""
        register_sql_functions(conn)
        cursor = conn.cursor()
        cursor.row_factory = None
        if first_position:
            # Only the rows from there on: a walk of the rowid b-tree (NOT INDEXED keeps SQLite off the owner
            # indexes, which would visit the whole account), however large the account.
            sql = f"SELECT followers.rowid FROM followers NOT INDEXED WHERE followers.rowid >= ? AND {where}"
            params = [int(self.rowid[first_position]) if first_position < len(self) else 2**63 - 1, *params]
        else:
            sql = f"SELECT followers.rowid FROM followers WHERE {where}"
        rowids = np.fromiter(cursor.execute(sql, list(params)), dtype=[("rowid", np.int64)])["rowid"]
        mask = np.zeros(len(self) - first_position, dtype=bool)
        mask[self.positions_of_rowids(rowids) - first_position] = True
        return mask


# Columns kept at int64 whatever their values: ids and dates (the date sentinel needs the full range).
_INT64_COLUMNS = frozenset({"rowid", "user_id", "created_at", "last_posted", "first_seen"})


def _read_columns(conn: sqlite3.Connection, owner_id: int, tiers: tuple[TierSpec, ...],
                  after_rowid: int | None = None) -> dict[str, np.ndarray]:
    """The snapshot's arrays for `owner_id`'s followers (with rowids above `after_rowid`, if given)."""
    parts = _read_by_rowid_ranges(conn, owner_id, after_rowid)
    if parts is None:
        parts = _read_row_by_row(conn, owner_id, after_rowid)
    columns = {name: _concatenate(chunks) for name, chunks in parts.items()}
    columns.update(_unpack_flags(columns.pop("flags")))
    columns["tier"] = tier_codes(columns["followers"], columns["following"], tiers)
    return columns


def _read_by_rowid_ranges(conn: sqlite3.Connection, owner_id: int,
                          after_rowid: int | None = None) -> dict[str, list[np.ndarray]] | None:
    """The load columns in rowid order, compacted range by range; None if some value is not an integer."""
    cursor = conn.cursor()
    cursor.row_factory = None
    if after_rowid is None:
        text = cursor.execute(_OWNER_ROWIDS_SQL, (owner_id,)).fetchone()[0]
    else:
        text = cursor.execute(_OWNER_ROWIDS_AFTER_SQL, (after_rowid, owner_id)).fetchone()[0]
    rowids = integers_of(text)
    if rowids is None:
        return None
    rowids.sort()  # the index hands them out in its own order
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _LOAD_COLUMNS}
    for first, last in rowid_ranges(rowids):
        texts = cursor.execute(_RANGE_LOAD_SQL, (first, last, owner_id)).fetchone()
        columns: list[np.ndarray] = []
        for text in texts:
            values = integers_of(text)
            if values is None or (columns and len(values) != len(columns[0])):
                return None
            columns.append(values)
        if np.any(columns[0][1:] <= columns[0][:-1]):  # SQLite walks a rowid range in order; make sure
            by_rowid = np.argsort(columns[0], kind="stable")
            columns = [values[by_rowid] for values in columns]
        for name, values in zip(_LOAD_COLUMNS, columns):
            parts[name].append(_compact(values, keep_int64=name in _INT64_COLUMNS))
    return parts


def _read_row_by_row(conn: sqlite3.Connection, owner_id: int,
                     after_rowid: int | None = None) -> dict[str, list[np.ndarray]]:
    cursor = conn.cursor()
    cursor.row_factory = None  # tuples: np.fromiter unpacks them in C
    if after_rowid is None:
        cursor.execute(_ROWS_LOAD_SQL, (owner_id,))
    else:
        cursor.execute(_ROWS_AFTER_LOAD_SQL, (after_rowid, owner_id))
    # fromiter over the whole cursor would stage ~100 MB of int64 at a million rows; compacting batch by
    # batch keeps the peak near the final size.
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _LOAD_COLUMNS}
    while batch := cursor.fetchmany(_LOAD_BATCH):
        table = np.fromiter(batch, dtype=_LOAD_DTYPE, count=len(batch))
        for name in _LOAD_COLUMNS:
            parts[name].append(_compact(table[name], keep_int64=name in _INT64_COLUMNS))
    return parts


def tier_codes(followers: np.ndarray, following: np.ndarray, tiers: Sequence[TierSpec]) -> np.ndarray:
    """Vectorised `assign_tier`: the index of the first tier each follower matches, the last one otherwise."""
    codes = np.full(len(followers), len(tiers) - 1, dtype=np.int8 if len(tiers) <= 127 else np.int16)
    # Assign in reverse so that earlier tiers overwrite later ones: the first match wins, as in the CASE.
    for index in range(len(tiers) - 2, -1, -1):
        tier = tiers[index]
        hit = np.ones(len(followers), dtype=bool)
        for column, low, high in (
            (followers, tier.min_followers, tier.max_followers),
            (following, tier.min_following, tier.max_following),
        ):
            if low is not None:
                hit &= column >= low
            if high is not None:
                hit &= column <= high
        codes[hit] = index
    return codes


def _unpack_flags(flags: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "verified": (flags & 1) != 0,
        "protected": (flags & 2) != 0,
        "receives_dm": (((flags >> 2) & 3) - 1).astype(np.int8),  # 0 unknown, 1 no, 2 yes -> -1, 0, 1
        "unfollowed": (flags & 16) != 0,
    }


def _compact(values: np.ndarray, *, keep_int64: bool) -> np.ndarray:
    if keep_int64 or not len(values):
        return values.copy()  # a copy detaches the column from the structured batch
    low, high = int(values.min()), int(values.max())
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return values.astype(dtype)
    return values.copy()


def _concatenate(chunks: list[np.ndarray]) -> np.ndarray:
    if not chunks:
        return np.empty(0, dtype=np.int64)
    # Batches may have compacted to different widths; numpy promotes to the widest, which holds them all.
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def _position_dtype(size: int) -> type[np.signedinteger]:
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def snapshot_field_names() -> tuple[str, ...]:
    """Attribute names of the per-follower arrays (for tests and memory accounting)."""
    return tuple(
        f.name for f in fields(FollowerSnapshot) if f.name not in ("owner_id", "tiers", "summary", "lineage", "_text")
    )
