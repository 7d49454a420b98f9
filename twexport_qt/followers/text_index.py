"""Followers' username, name, bio and location held as bytes in numpy, so the search box and the text sorts
answer in milliseconds at a million followers instead of the seconds a `LIKE` scan or an `ORDER BY` takes.

Semantics are SQLite's, exactly, so the SQL that exports and tests use agrees with it:

* search is `LIKE '%text%'`: ASCII letters match either case, every other character only itself. Each column
  is one haystack of its values' UTF-8 bytes with A-Z lowered, each value followed by a NUL byte; a needle
  (lowered the same way) without NUL can match neither across two values nor across the separator, so
  "row i contains the needle" is "a match starts between starts[i] and starts[i+1]". UTF-8 is
  self-synchronising, so a byte match is a character match.
* sorts are `COLLATE NOCASE` then rowid: the same lowering, then byte order, a prefix before any longer value.

A value holding a NUL character (X never sends one) makes SQLite's own string functions stop early, so an
index that finds one is not built and the caller asks SQL instead.

A build reads the four columns with one aggregate query per rowid range (`rowid_ranges`): SQLite
concatenates in C with the GIL released, so a build in a background thread leaves the GUI thread free
(~1.3 s at a million, ~85 MB for the bench's short bios). A sort order is computed once per key (0.1-0.4 s at
a million: a radix sort on 8-byte words) and kept; `FollowerSnapshot.prepare_text` computes them all.

While a fetch appends followers, `appended` indexes only the new rows and joins them to the index (a copy of
the haystacks, tens of milliseconds at a million), merging them into the sort orders already computed by a
binary search per new row (values compared word by word, all rows at once) instead of sorting again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from twexport_qt.followers.rowid_ranges import integers_of, rowid_ranges

# The indexed columns, in the build query's order. The search box looks in all four.
TEXT_COLUMNS: tuple[str, ...] = ("username", "name", "description", "location")
SEPARATOR = 0  # the NUL byte after each value; a needle holding it is left to SQL

_BUILD_SQL = (
    "SELECT group_concat(rowid), group_concat(last_seen), "
    + ", ".join(f"CAST(group_concat(coalesce({column}, '') || x'00', '') AS BLOB)" for column in TEXT_COLUMNS)
    # `+owner_id`: walk the rowid range, not an owner index that would visit every follower of the account.
    + " FROM followers WHERE rowid BETWEEN ? AND ? AND +owner_id = ?"
)
_WORD = 8  # bytes compared per pass of the sort: one big-endian uint64
_PAD = np.zeros(_WORD, dtype=np.uint8)  # after the last value, so an 8-byte window never runs off the end
# _KEEP_BYTES[k]: a uint64 mask keeping the first k bytes of a big-endian word.
_KEEP_BYTES = np.array([~np.uint64(0) << np.uint64(8 * (_WORD - k)) if k else 0 for k in range(_WORD + 1)],
                       dtype=np.uint64)
# Below this share of a haystack, candidate positions are checked one by one rather than by whole-array passes.
_FEW_CANDIDATES = 1 / 64
_SAMPLE_STEP = 61  # every 61st byte feeds the byte-frequency estimate (a prime: no period in the data aligns)


def search_bytes(text: str) -> bytes:
    """`text` as the haystacks hold it: UTF-8 with ASCII letters lowered (what LIKE and NOCASE fold)."""
    return text.encode("utf-8").lower()  # bytes.lower() touches A-Z only


@dataclass(frozen=True, eq=False)
class TextColumn:
    """One text column of every indexed follower: value i is `haystack[starts[i]:starts[i + 1] - 1]`."""

    haystack: np.ndarray  # uint8: lowered values, each followed by SEPARATOR, then _WORD zero bytes
    starts: np.ndarray  # one more than rows: where each value begins (the last: where the values end)
    byte_counts: np.ndarray  # int64[256]: how often each byte occurs in a sample, to pick a needle's rarest byte

    @property
    def rows(self) -> int:
        return len(self.starts) - 1

    @property
    def nbytes(self) -> int:
        return self.haystack.nbytes + self.starts.nbytes + self.byte_counts.nbytes

    def appended(self, other: TextColumn) -> TextColumn:
        """This column's values followed by `other`'s (rows `rows`.. are other's rows)."""
        end = int(self.starts[-1])  # where this column's values end and its padding begins
        haystack = np.concatenate([self.haystack[:end], other.haystack])  # other's padding closes it
        starts = np.empty(self.rows + len(other.starts), dtype=np.int64 if len(haystack) >= 2**31 - 1 else np.int32)
        starts[:self.rows] = self.starts[:-1]
        np.add(other.starts, end, out=starts[self.rows:], casting="unsafe")  # fits: the dtype holds the haystack
        column = TextColumn(haystack=haystack, starts=starts, byte_counts=self.byte_counts + other.byte_counts)
        for array in (column.haystack, column.starts, column.byte_counts):
            array.flags.writeable = False
        return column

    def from_row(self, first_row: int) -> TextColumn:
        """The rows from `first_row` on, as a column of their own (views of this one's arrays, no copy)."""
        if not first_row:
            return self
        start = int(self.starts[first_row])
        return TextColumn(haystack=self.haystack[start:], starts=self.starts[first_row:] - start,
                          byte_counts=self.byte_counts)

    def rows_containing(self, needle: bytes) -> np.ndarray:
        """bool per row: does the value contain `needle` (lowered, non-empty, without SEPARATOR)?

        Each needle byte is checked at its offset from every possible match start, rarest byte first: while
        many starts remain, by comparing whole arrays (a few ms per pass); once few remain, only at those.
        """
        haystack, size = self.haystack, len(needle)
        starts_count = len(haystack) - size + 1  # possible match starts; the padding never matches
        if starts_count <= 0:
            return np.zeros(self.rows, dtype=bool)
        offsets = sorted(range(size), key=lambda offset: self.byte_counts[needle[offset]])
        hits = np.empty(len(haystack), dtype=bool)  # full length: reduceat below indexes by value start
        hits[starts_count:] = False
        np.equal(haystack[offsets[0]:offsets[0] + starts_count], needle[offsets[0]], out=hits[:starts_count])
        compared = 1
        scratch = np.empty(starts_count, dtype=bool) if size > 1 else hits
        while compared < size and np.count_nonzero(hits) > len(haystack) * _FEW_CANDIDATES:
            offset = offsets[compared]
            np.equal(haystack[offset:offset + starts_count], needle[offset], out=scratch)
            hits[:starts_count] &= scratch
            compared += 1
        if compared == size:
            return self._rows_of_hits(hits)
        candidates = np.flatnonzero(hits)
        del hits
        for offset in offsets[compared:]:
            if not candidates.size:
                break
            candidates = candidates[haystack[candidates + offset] == needle[offset]]
        if candidates.size > len(haystack) * _FEW_CANDIDATES:
            # Still many: marking them and reducing per row is cheaper than a binary search each.
            hits = np.zeros(len(haystack), dtype=bool)
            hits[candidates] = True
            return self._rows_of_hits(hits)
        mask = np.zeros(self.rows, dtype=bool)
        mask[np.searchsorted(self.starts, candidates, side="right") - 1] = True
        return mask

    def _rows_of_hits(self, hits: np.ndarray) -> np.ndarray:
        if not self.rows:
            return np.zeros(0, dtype=bool)
        # Every value has at least its separator, so the starts strictly increase as reduceat needs.
        return np.logical_or.reduceat(hits, self.starts[:-1])

    def ascending_rows(self, initial: np.ndarray) -> np.ndarray:
        """Rows ordered by value (bytes, a prefix first), equal values kept in the order of `initial`.

        A most-significant-first radix sort on 8-byte words: one stable sort of every row on its first word,
        then, while some rows tie on everything compared so far and one of them is longer, a stable sort of
        just those rows on (tie group, next word). Values without NUL compare like their zero-padded words.
        """
        if not len(initial):
            return initial.copy()
        lengths = np.diff(self.starts) - 1
        words_at = _word_view(self.haystack)
        words = self._words(words_at, lengths, initial, 0)
        permutation = np.argsort(words, kind="stable")
        order, words = initial[permutation], words[permutation]
        slots = np.arange(len(order))  # places in `order` still to refine: tie groups own runs of places
        groups = np.zeros(len(order), dtype=np.uint16)
        depth = 0
        while True:
            rows = order[slots]
            # Adjacent rows still tie where group and word agree; refine a tie someone goes on beyond.
            boundary = np.ones(len(rows), dtype=bool)
            boundary[1:] = (groups[1:] != groups[:-1]) | (words[1:] != words[:-1])
            group_starts = np.flatnonzero(boundary)
            sizes = np.diff(np.append(group_starts, len(rows)))
            longest = np.maximum.reduceat(lengths[rows], group_starts)
            depth += 1
            keep = (sizes > 1) & (longest > depth * _WORD)
            if not keep.any():
                return order
            slots = slots[np.repeat(keep, sizes)]
            groups = np.repeat(np.arange(int(keep.sum()), dtype=_group_dtype(int(keep.sum()))), sizes[keep])
            rows = order[slots]
            words = self._words(words_at, lengths, rows, depth)
            permutation = np.lexsort((words, groups))  # stable: ties keep their order so far
            order[slots] = rows[permutation]  # groups are sorted, so each stays in its own run of places
            words = words[permutation]

    def _words(self, words_at: np.ndarray, lengths: np.ndarray, rows: np.ndarray, depth: int) -> np.ndarray:
        """Bytes [8·depth, 8·depth + 8) of each row's value as a big-endian uint64, zero beyond its end."""
        return _words_of(words_at, self.starts[rows], lengths[rows], depth)

    def merged_order(self, order: np.ndarray, first_new_row: int) -> np.ndarray:
        """`order` (rows before `first_new_row` by value, ties by row) with the rows from `first_new_row` on
        merged in; they come after equal values (rows are in rowid order, and appended rows have the highest)."""
        added = self.ascending_rows(np.arange(first_new_row, self.rows))
        if not len(added) or not len(order):
            return np.concatenate([order, added]).astype(order.dtype if len(order) else added.dtype)
        # A binary search per added row, all at once: `low` ends as the count of ordered rows <= the row's value.
        low = np.zeros(len(added), dtype=np.int64)
        high = np.full(len(added), len(order), dtype=np.int64)
        active = np.arange(len(added))
        while active.size:
            middle = (low[active] + high[active]) // 2
            not_after = self._compare(order[middle], added[active]) <= 0
            low[active[not_after]] = middle[not_after] + 1
            high[active[~not_after]] = middle[~not_after]
            active = active[low[active] < high[active]]
        return np.insert(order, low, added)

    def _compare(self, rows: np.ndarray, other_rows: np.ndarray) -> np.ndarray:
        """-1, 0 or 1 per pair: the value of rows[i] against that of other_rows[i], as `ascending_rows` orders."""
        words_at = _word_view(self.haystack)
        starts, other_starts = self.starts[rows].astype(np.int64), self.starts[other_rows].astype(np.int64)
        lengths = self.starts[rows + 1] - starts - 1
        other_lengths = self.starts[other_rows + 1] - other_starts - 1
        result = np.zeros(len(rows), dtype=np.int8)
        undecided = np.arange(len(rows))
        depth = 0
        while undecided.size:
            words = _words_of(words_at, starts[undecided], lengths[undecided], depth)
            other_words = _words_of(words_at, other_starts[undecided], other_lengths[undecided], depth)
            result[undecided] = (words > other_words).astype(np.int8) - (words < other_words).astype(np.int8)
            depth += 1
            # Equal so far: decided (equal) once neither value goes on beyond the bytes compared.
            goes_on = np.maximum(lengths[undecided], other_lengths[undecided]) > depth * _WORD
            undecided = undecided[(words == other_words) & goes_on]
        return result


def _word_view(haystack: np.ndarray) -> np.ndarray:
    """A big-endian uint64 starting at every byte of `haystack`: gathering words from it costs one read each."""
    return np.ndarray(buffer=haystack, dtype=">u8", shape=(len(haystack) - _WORD + 1,), strides=(1,))


def _words_of(words_at: np.ndarray, starts: np.ndarray, lengths: np.ndarray, depth: int) -> np.ndarray:
    """Bytes [8·depth, 8·depth + 8) of the values at `starts` (`lengths` long) as big-endian uint64s, zero beyond
    each value's end."""
    offset = depth * _WORD
    words = words_at[starts + offset].astype(np.uint64)  # also what follows the value...
    remaining = np.clip(lengths - offset, 0, _WORD)
    return words & _KEEP_BYTES[remaining]  # ...cut off here


@dataclass(eq=False)
class TextIndex:
    """The text columns and last_seen of the followers in a snapshot, by the snapshot's positions."""

    size: int  # the snapshot's follower count
    row_count: int  # rows indexed: the snapshot's, unless some were written or deleted since its load
    row_positions: np.ndarray | None  # snapshot position of each row (-1: not in it); None: row i is position i
    rows_by_rowid: np.ndarray | None  # the rows in rowid order; None: they were read in rowid order
    last_seen: np.ndarray  # int64 per row
    columns: dict[str, TextColumn]
    _orders: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)  # column -> order
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)  # guards _orders

    @classmethod
    def build(cls, conn: sqlite3.Connection, owner_id: int, rowids: np.ndarray) -> TextIndex | None:
        """Index the followers of `owner_id` whose rowids are `rowids` (ascending): ~1.3 s at a million.

        None when some value holds a NUL character (the caller then asks SQL, see the module note), or when
        the database stores text as UTF-16 (the app's never do): its bytes would not be UTF-8.
        """
        cursor = conn.cursor()
        cursor.row_factory = None
        if cursor.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
            return None
        row_rowids: list[np.ndarray] = []
        last_seen: list[np.ndarray] = []
        parts: list[list[bytes]] = [[] for _ in TEXT_COLUMNS]
        for first, last in rowid_ranges(rowids):
            chunk_rowids, chunk_last_seen, *values = cursor.execute(_BUILD_SQL, (first, last, owner_id)).fetchone()
            if chunk_rowids is None:  # deleted since the snapshot was loaded
                continue
            ids, seen = integers_of(chunk_rowids), integers_of(chunk_last_seen)
            if ids is None or seen is None or len(seen) != len(ids):
                return None
            row_rowids.append(ids)
            last_seen.append(seen)
            for column_parts, chunk in zip(parts, values):
                if chunk.count(SEPARATOR) != len(ids):
                    return None
                column_parts.append(chunk.lower())
        index_rowids = np.concatenate(row_rowids) if row_rowids else np.zeros(0, dtype=np.int64)
        columns = {name: _column(column_parts) for name, column_parts in zip(TEXT_COLUMNS, parts)}
        in_rowid_order = bool(np.all(index_rowids[1:] > index_rowids[:-1]))
        index = cls(
            size=len(rowids),
            row_count=len(index_rowids),
            row_positions=None if np.array_equal(index_rowids, rowids) else _positions(index_rowids, rowids),
            rows_by_rowid=None if in_rowid_order else np.argsort(index_rowids, kind="stable"),
            last_seen=np.concatenate(last_seen) if last_seen else np.zeros(0, dtype=np.int64),
            columns=columns,
        )
        return index

    def appended(self, conn: sqlite3.Connection, owner_id: int, rowids: np.ndarray) -> TextIndex | None:
        """This index with the followers `rowids` (ascending, all above the indexed ones) after its rows, and the
        sort orders computed so far merged with them; None where that cannot hold (the index does not match its
        snapshot row for row, or `build` refuses the new rows): the caller then builds afresh when needed."""
        if self.row_positions is not None or self.rows_by_rowid is not None:
            return None
        added = TextIndex.build(conn, owner_id, rowids)
        if added is None or added.row_positions is not None or added.rows_by_rowid is not None:
            return None
        index = TextIndex(
            size=self.size + added.size,
            row_count=self.row_count + added.row_count,
            row_positions=None,
            rows_by_rowid=None,
            last_seen=np.concatenate([self.last_seen, added.last_seen]),
            columns={name: column.appended(added.columns[name]) for name, column in self.columns.items()},
        )
        with self._lock:
            orders = dict(self._orders)
        for column, order in orders.items():
            if column == "last_seen":
                new_rows = np.arange(self.row_count, index.row_count)
                new_rows = new_rows[np.argsort(added.last_seen, kind="stable")]
                at = np.searchsorted(self.last_seen[order], index.last_seen[new_rows], side="right")
                merged = np.insert(order, at, new_rows)
            else:
                merged = index.columns[column].merged_order(order, self.row_count)
            merged = index._to_positions(merged)
            merged.flags.writeable = False
            index._orders[column] = merged
        return index

    @property
    def nbytes(self) -> int:
        """Memory held, including the sort orders computed so far."""
        arrays = [self.last_seen, *self._orders.values()]
        arrays += [array for array in (self.row_positions, self.rows_by_rowid) if array is not None]
        return sum(array.nbytes for array in arrays) + sum(column.nbytes for column in self.columns.values())

    def contains_mask(self, text: str, columns: Sequence[str] = TEXT_COLUMNS, *,
                      first_position: int = 0) -> np.ndarray | None:
        """bool per snapshot position: one of `columns` contains `text` by LIKE's rule ('' matches all, as
        LIKE '%%' does); None when `text` holds a NUL character, which SQL must judge. With `first_position`,
        for the positions from there on only (a fetch's appended followers: only their bytes are searched)."""
        needle = search_bytes(text)
        if SEPARATOR in needle:
            return None
        first_row = first_position if self.row_positions is None else 0  # rows are positions: search just those
        if not needle:
            found = np.ones(self.row_count - first_row, dtype=bool)
        else:
            found = np.zeros(self.row_count - first_row, dtype=bool)
            for column in columns:
                found |= self.columns[column].from_row(first_row).rows_containing(needle)
        if self.row_positions is None:
            return found
        mask = np.zeros(self.size, dtype=bool)
        positions = self.row_positions[found]
        mask[positions[positions >= 0]] = True
        return mask[first_position:]

    def ascending_order(self, column: str) -> np.ndarray:
        """Every snapshot position ordered by `column` (a TEXT_COLUMNS name, NOCASE) or 'last_seen', then
        rowid; positions missing from the index (deleted since the load) come last."""
        with self._lock:
            order = self._orders.get(column)
            if order is None:
                # Ties go by rowid: start from the rows in rowid order (stable sorts keep it among equals).
                by_rowid = np.arange(self.row_count) if self.rows_by_rowid is None else self.rows_by_rowid
                if column == "last_seen":
                    rows = by_rowid[np.argsort(self.last_seen[by_rowid], kind="stable")]
                else:
                    rows = self.columns[column].ascending_rows(by_rowid)
                order = self._to_positions(rows)
                order.flags.writeable = False
                self._orders[column] = order
        return order

    def _to_positions(self, rows: np.ndarray) -> np.ndarray:
        dtype = np.int32 if self.size < np.iinfo(np.int32).max else np.int64
        if self.row_positions is None:
            return rows.astype(dtype)
        positions = self.row_positions[rows]
        positions = positions[positions >= 0]
        if len(positions) != self.size:
            missing = np.setdiff1d(np.arange(self.size), positions, assume_unique=True)
            positions = np.concatenate([positions, missing])
        return positions.astype(dtype)


def _column(parts: list[bytes]) -> TextColumn:
    haystack = np.concatenate([np.frombuffer(part, dtype=np.uint8) for part in parts] + [_PAD])
    separators = np.flatnonzero(haystack[: len(haystack) - _WORD] == SEPARATOR)
    # 32-bit offsets while they fit (any haystack under 2 GB): 4 bytes a follower and column saved.
    starts = np.zeros(len(separators) + 1, dtype=np.int32 if len(haystack) < np.iinfo(np.int32).max else np.int64)
    starts[1:] = separators + 1
    byte_counts = np.bincount(haystack[::_SAMPLE_STEP], minlength=256).astype(np.int64)
    for array in (haystack, starts, byte_counts):
        array.flags.writeable = False
    return TextColumn(haystack=haystack, starts=starts, byte_counts=byte_counts)


def _positions(index_rowids: np.ndarray, snapshot_rowids: np.ndarray) -> np.ndarray:
    """Snapshot position of each indexed rowid, -1 for rows written after the snapshot was loaded."""
    positions = np.searchsorted(snapshot_rowids, index_rowids)
    found = positions < len(snapshot_rowids)
    found[found] = snapshot_rowids[positions[found]] == index_rowids[found]
    return np.where(found, positions, -1)


def _group_dtype(count: int) -> type[np.unsignedinteger]:
    # numpy sorts 16-bit keys by radix, several times faster than wider ones: use the narrowest that fits.
    return np.uint16 if count <= np.iinfo(np.uint16).max + 1 else np.uint32
