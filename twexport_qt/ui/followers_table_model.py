"""The followers table over SQLite, built to stay responsive with a million rows.

The model holds one numpy array of rowids in display order (8 MB at a million followers) and nothing else
per row. Cells are read in blocks of `BLOCK_SIZE` rows by rowid and kept in a small LRU cache, so scrolling
costs one indexed query per block and `data()` never loads more than the block under the viewport.
Sorting and filtering re-query the rowid order in SQL, where the (owner_id, column) indexes do the work.

The connection must be used from the GUI thread only (sqlite3's rule): give the model its own connection.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.store import followers_repo

BLOCK_SIZE = 256
MAX_CACHED_BLOCKS = 64  # 16k rows: several screens either way, a few MB at most

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


class FollowersTableModel(QAbstractTableModel):
    def __init__(
        self,
        conn: sqlite3.Connection,
        owner_id: int,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._owner_id = owner_id
        self._tiers = tuple(tiers)
        self._filter = FollowerFilter()
        self._search_text = ""
        self._sort_field = "followers_count"
        self._descending = True
        self._rowids = np.empty(0, dtype=np.int64)
        self._blocks: OrderedDict[int, list[tuple | None]] = OrderedDict()
        self._reload()

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rowids)

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
        self._reload()

    # -- TwExport API ------------------------------------------------------------------------------

    @property
    def follower_filter(self) -> FollowerFilter:
        return self._filter

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        self._filter = follower_filter
        self._reload()

    def set_search_text(self, text: str) -> None:
        """Keep followers whose username, name or description contains `text` (ASCII case-insensitive)."""
        if text.strip() != self._search_text:
            self._search_text = text.strip()
            self._reload()

    def refresh(self) -> None:
        """Re-read the store (after a fetch or a DM run) keeping filter, search and sort."""
        self._reload()

    def follower_id_at(self, row: int) -> int | None:
        record = self._row(row)
        return None if record is None else record[_FIELD["user_id"]]

    def row_of_follower(self, user_id: int) -> int | None:
        """Display row of follower `user_id`, or None if the current filter/search hides them."""
        rowid = followers_repo.rowid_of_follower(self._conn, self._owner_id, user_id)
        if rowid is None:
            return None
        positions = np.flatnonzero(self._rowids == rowid)  # ~1 ms over a million rowids
        return int(positions[0]) if positions.size else None

    # -- internals ---------------------------------------------------------------------------------

    def _reload(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        self._rowids = followers_repo.ids_sorted(
            self._conn,
            self._owner_id,
            self._filter,
            self._sort_field,
            self._descending,
            self._search_text,
            tiers=self._tiers,
        )
        self.endResetModel()

    def _row(self, row: int) -> tuple | None:
        if not 0 <= row < len(self._rowids):
            return None
        block_number, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_number)
        if block is None:
            block = self._load_block(block_number)
        else:
            self._blocks.move_to_end(block_number)
        return block[offset]

    def _load_block(self, block_number: int) -> list[tuple | None]:
        wanted = self._rowids[block_number * BLOCK_SIZE:(block_number + 1) * BLOCK_SIZE]
        found = {row[0]: row for row in followers_repo.rows_by_rowid(self._conn, wanted, tiers=self._tiers)}
        # A row deleted since the last reload shows as empty until the next refresh.
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
