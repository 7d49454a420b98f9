"""The followers table over a `FollowerSnapshot`, built to stay responsive with a million rows.

Filtering, searching and sorting are array operations on the snapshot: the view is `order[mask[order]]`,
a few milliseconds at a million followers, so the model holds one int32 array of positions in display order
and nothing else per row. Cells are read in blocks of `BLOCK_SIZE` rows by rowid and kept in a small LRU
cache, so scrolling costs one indexed query per block and `data()` never loads more than the block under
the viewport.

What the arrays cannot answer (loading the snapshot, bio/location/DM-status criteria, the search text, text
sorts) is computed once per value and cached until the next `refresh()`. With a `FollowersQueryService`
that work runs in a background thread whenever the account has more than `INLINE_ROW_LIMIT` followers:
the model keeps showing the last complete view, reports `busyChanged(True)`, and applies the newest state
when its pieces arrive. Small accounts, and models built without a service, compute inline: a round trip
through a thread would only add flicker there.

`conn` belongs to the GUI thread (sqlite3's rule): it serves cell blocks and inline work.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import (
    FollowerSnapshot, count_up_to, normalized_search, sql_criteria,
)
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.store import followers_repo
from twexport_qt.ui.followers_query_worker import (
    FollowersQueryService, QueryRequest, QueryResult, new_generation, run_query,
)

BLOCK_SIZE = 256
MAX_CACHED_BLOCKS = 64  # 16k rows: several screens either way, a few MB at most
# Up to this many followers every query runs inline in the GUI thread: a snapshot load takes ~15 ms there.
INLINE_ROW_LIMIT = 20_000
# Derived arrays kept per snapshot (1 byte a follower per mask, 4 per order): ~50 MB at a million.
MAX_CACHED_MASKS = 8
MAX_CACHED_ORDERS = 6

_FIELD = {name: position for position, name in enumerate(followers_repo.ROW_COLUMNS)}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_DM_STATE_LABELS = {"sent": "Sent", "skipped": "Skipped", "failed": "Failed", "sending": "Unconfirmed",
                    "dry_run": "Dry run"}


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # a ROW_COLUMNS name, also the followers_repo sort key
    title: str
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("username", "Username"),
    Column("name", "Name"),
    Column("followers_count", "Followers", numeric=True),
    Column("following_count", "Following", numeric=True),
    Column("tweet_count", "Tweets", numeric=True),
    Column("listed_count", "Listed", numeric=True),
    Column("verified", "Verified"),
    Column("created_at", "Joined"),
    Column("location", "Location"),
    Column("tier", "Tier"),
    Column("dm_status", "DM status"),
    Column("first_seen", "First seen"),
)

Index = QModelIndex | QPersistentModelIndex
K = TypeVar("K", bound=Hashable)


class _Lru(Generic[K]):
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[K, np.ndarray] = OrderedDict()

    def get(self, key: K) -> np.ndarray | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: np.ndarray) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class FollowersTableModel(QAbstractTableModel):
    viewChanged = Signal()  # rows and/or filter mask changed (after the model reset)
    snapshotChanged = Signal()  # a newly loaded snapshot is in place (before its viewChanged)
    busyChanged = Signal(bool)  # background work for the current state started / finished
    queryFailed = Signal(str)  # a sentence for the user

    def __init__(
        self,
        conn: sqlite3.Connection,
        owner_id: int,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        parent: QObject | None = None,
        *,
        queries: FollowersQueryService | None = None,
        follower_filter: FollowerFilter | None = None,
        inline_row_limit: int | None = None,  # default: INLINE_ROW_LIMIT
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._owner_id = owner_id
        self._tiers = tuple(tiers)
        self._queries = queries
        self._inline_row_limit = INLINE_ROW_LIMIT if inline_row_limit is None else inline_row_limit
        self._filter = follower_filter or FollowerFilter()
        self._search_text = ""
        self._sort_field = "followers_count"
        self._descending = True

        self._generation = new_generation()  # the data version wanted; refresh() moves it on
        self._snapshot: FollowerSnapshot | None = None
        self._snapshot_generation = 0
        self._snapshot_is_new = False  # snapshotChanged is due with the next composed view
        self._sql_masks: _Lru = _Lru(MAX_CACHED_MASKS)
        self._search_masks: _Lru = _Lru(MAX_CACHED_MASKS)
        self._orders: _Lru = _Lru(MAX_CACHED_ORDERS)

        self._positions = np.empty(0, dtype=np.int32)  # snapshot positions in display order
        self._filter_mask = np.empty(0, dtype=bool)  # the filter alone (no search), per position
        self._view_filter = self._filter  # the filter of the rows on screen
        self._filter_mask_of: tuple[FollowerSnapshot, FollowerFilter] | None = None
        self._blocks: OrderedDict[int, list[tuple | None]] = OrderedDict()

        self._latest_request: QueryRequest | None = None  # unanswered background request
        self._failed: QueryRequest | None = None  # do not retry the same failing work by itself
        if queries is not None:
            queries.resultReady.connect(self._on_result)
        self._update()

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._positions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        value = row[_FIELD[column.field]]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(column, value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row[_FIELD["description"]] or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_field = COLUMNS[column].field
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._update()

    # -- TwExport API ------------------------------------------------------------------------------

    @property
    def follower_filter(self) -> FollowerFilter:
        return self._filter

    @property
    def snapshot(self) -> FollowerSnapshot | None:
        """The data the current view was computed from (None until the first load completes)."""
        return self._snapshot

    @property
    def view_filter(self) -> FollowerFilter:
        """The filter of the rows on screen; lags `follower_filter` while its pieces are being computed."""
        return self._view_filter

    @property
    def filter_mask(self) -> np.ndarray:
        """Per snapshot position: does the follower pass the filter (the search box aside)? Read-only.

        The same array object as long as snapshot and filter are unchanged, so views can skip work by identity.
        """
        return self._filter_mask

    @property
    def matching_count(self) -> int:
        """Followers passing the filter, search aside ("N match the filter")."""
        return int(np.count_nonzero(self._filter_mask))

    @property
    def is_busy(self) -> bool:
        """Background work for the current filter, search, sort or data is still running."""
        return self._latest_request is not None

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        self._filter = follower_filter
        self._update()

    def set_search_text(self, text: str) -> None:
        """Keep followers whose username, name or description contains `text` (ASCII case-insensitive)."""
        if normalized_search(text) != self._search_text:
            self._search_text = normalized_search(text)
            self._update()

    def refresh(self) -> None:
        """Re-read the store (after a fetch or a DM run) keeping filter, search and sort.

        Until the new data is in, the current rows stay on screen (cells are read live by rowid).
        """
        self._generation = new_generation()
        self._failed = None
        self._update()

    def follower_id_at(self, row: int) -> int | None:
        if self._snapshot is None or not 0 <= row < len(self._positions):
            return None
        return int(self._snapshot.user_id[self._positions[row]])

    def row_of_follower(self, user_id: int) -> int | None:
        """Display row of follower `user_id`, or None if unknown or hidden by the filter or search."""
        position = self._snapshot.position_of_user(user_id) if self._snapshot is not None else None
        if position is None:
            return None
        rows = np.flatnonzero(self._positions == position)  # ~1 ms over a million positions
        return int(rows[0]) if rows.size else None

    # -- state -> view -----------------------------------------------------------------------------

    def _update(self) -> None:
        """Show the current state if every piece is at hand; otherwise compute the missing ones."""
        request = self._missing()
        if request is not None and request == self._failed:
            return  # the same work just failed; wait for a state change or refresh()
        if request is not None and self._runs_inline(request):
            result = run_query(request, self._conn)
            if result.error is not None:
                self._failed = request
                self.queryFailed.emit(result.error)
                return
            self._merge(result)
            request = self._missing()
        if request is None:
            self._set_latest(None)
            self._compose()
            return
        # Until the background pieces arrive, show whatever the cached pieces allow (or keep the old view).
        if request.snapshot is None and self._snapshot is not None:
            self._compose()
        if self._queries is None:
            return  # cannot happen: inline work leaves nothing missing; kept for type checkers
        if self._latest_request is None or _without_id(self._latest_request) != request:
            self._set_latest(self._queries.submit(request))

    def _missing(self) -> QueryRequest | None:
        """A request for what the current state needs and the caches lack, or None if nothing is missing."""
        loading = self._snapshot is None or self._snapshot_generation != self._generation
        criteria = sql_criteria(self._filter)
        if criteria is not None and not loading and self._sql_masks.get(criteria) is not None:
            criteria = None
        search = self._search_text
        if search and not loading and self._search_masks.get(search) is not None:
            search = ""
        sort_key: str | None = self._sort_field
        if not loading and self._orders.get(self._sort_field) is not None:
            sort_key = None
        if not loading and criteria is None and not search and sort_key is None:
            return None
        return QueryRequest(
            generation=self._generation, owner_id=self._owner_id, tiers=self._tiers,
            snapshot=None if loading else self._snapshot, criteria=criteria, search=search, sort_key=sort_key,
        )

    def _runs_inline(self, request: QueryRequest) -> bool:
        if self._queries is None:
            return True
        if request.snapshot is not None:
            return len(request.snapshot) <= self._inline_row_limit
        # Loading: the previous size can mislead (a first fetch of a big account), so ask SQLite, at a cost
        # bounded by the limit itself.
        return count_up_to(self._conn, self._owner_id, self._inline_row_limit + 1) <= self._inline_row_limit

    def _on_result(self, result: QueryResult) -> None:
        if result.request.generation != self._generation:
            return  # older data, or another model's request (generations are unique per process)
        latest = self._latest_request
        if latest is not None and result.request.request_id == latest.request_id:
            self._set_latest(None)
            if result.error is not None:
                self._failed = _without_id(result.request)
                self.queryFailed.emit(result.error)
        self._merge(result)
        self._update()

    def _merge(self, result: QueryResult) -> None:
        """Take the pieces of `result` into the caches, installing its snapshot if it is a newer load."""
        if result.request.generation != self._generation or result.snapshot is None:
            return  # computed on data that has been replaced since
        if result.snapshot is not self._snapshot:
            if result.request.snapshot is not None:
                return  # pieces of a snapshot that is no longer shown
            self._snapshot = result.snapshot
            self._snapshot_generation = result.request.generation
            for cache in (self._sql_masks, self._search_masks, self._orders):
                cache.clear()
            self._snapshot_is_new = True
        for key, mask in result.sql_masks.items():
            self._sql_masks.put(key, mask)
        for text, mask in result.search_masks.items():
            self._search_masks.put(text, mask)
        for key, order in result.orders.items():
            self._orders.put(key, order)

    def _compose(self) -> None:
        """Rebuild rows and filter mask from the cached pieces, if the snapshot has all of them."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        criteria = sql_criteria(self._filter)
        sql_mask = self._sql_masks.get(criteria) if criteria is not None else None
        search_mask = self._search_masks.get(self._search_text) if self._search_text else None
        order = self._orders.get(self._sort_field)
        if order is None or (criteria is not None and sql_mask is None) or (self._search_text and search_mask is None):
            return
        mask_of = self._filter_mask_of
        if mask_of is not None and mask_of[0] is snapshot and mask_of[1] == self._filter:
            filter_mask = self._filter_mask  # a sort or search change: keep the very same array (plots skip work)
        else:
            filter_mask = snapshot.numeric_mask(self._filter)
            if sql_mask is not None:
                filter_mask &= sql_mask
            filter_mask.flags.writeable = False
        shown = filter_mask & search_mask if search_mask is not None else filter_mask
        positions = order[shown[order]]
        if self._descending:
            positions = positions[::-1]  # ids_sorted's DESC order is the exact reverse (rowid breaks ties)
        self.beginResetModel()
        self._positions = positions
        self._filter_mask = filter_mask
        self._view_filter = self._filter
        self._filter_mask_of = (snapshot, self._filter)
        self._blocks.clear()
        self.endResetModel()
        if self._snapshot_is_new:
            self._snapshot_is_new = False
            self.snapshotChanged.emit()
        self.viewChanged.emit()

    def _set_latest(self, request: QueryRequest | None) -> None:
        was_busy = self.is_busy
        self._latest_request = request
        if self.is_busy != was_busy:
            self.busyChanged.emit(self.is_busy)

    # -- cells -------------------------------------------------------------------------------------

    def _row(self, row: int) -> tuple | None:
        if not 0 <= row < len(self._positions):
            return None
        block_number, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_number)
        if block is None:
            block = self._load_block(block_number)
        else:
            self._blocks.move_to_end(block_number)
        return block[offset]

    def _load_block(self, block_number: int) -> list[tuple | None]:
        assert self._snapshot is not None  # rows exist only once a snapshot does
        positions = self._positions[block_number * BLOCK_SIZE:(block_number + 1) * BLOCK_SIZE]
        wanted = self._snapshot.rowid[positions]
        found = {row[0]: row for row in followers_repo.rows_by_rowid(self._conn, wanted, tiers=self._tiers)}
        # A row deleted since the snapshot was loaded shows as empty until the next refresh.
        block = [found.get(int(rowid)) for rowid in wanted]
        self._blocks[block_number] = block
        if len(self._blocks) > MAX_CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def _display(self, column: Column, value: Any) -> str:
        if value is None:
            return ""
        if column.numeric:
            return f"{value:,}"
        if column.field == "verified":
            return "✓" if value else ""
        if column.field in ("created_at", "first_seen"):
            return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%d")
        if column.field == "tier":
            return self._tiers[value].name
        if column.field == "dm_status":
            step, _, state = value.partition(":")
            label = _DM_STATE_LABELS.get(state, state)
            return f"Retry: {label.lower()}" if step == "retry" else label
        return str(value)


def _without_id(request: QueryRequest) -> QueryRequest:
    return replace(request, request_id=0)
