"""The followers table: a thin Qt adapter over `FollowersViewPlanner`, built to stay responsive with a million rows.

The planner decides which rows are shown (filter, search, sort as array work over a snapshot, with the slow
pieces computed inline for small accounts and in the query thread for large ones); this model names the
columns and roles, resets itself when a new view is composed, and reads cells in blocks of `BLOCK_SIZE` rows
by rowid through `FollowersService` (a few milliseconds a block), kept in a small LRU cache, so `data()`
never loads more than the block under the viewport and counting rows never touches the database.

While a fetch appends followers (`append_new_followers`), a view that only adds rows to the one on screen is
not a reset: the new rows are inserted at the end, then moved to their sorted places in one layout change
that carries every persistent index (the selection, the current row) along, so nothing the user picked moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from twexport_qt.core.timefmt import format_local_date
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.followers.view_planner import (
    ComposedView,
    FollowersViewPlanner,
    Lru,
    PieceWork,
    QueryRequest,
    QueryResult,
    ViewState,
)
from twexport_qt.services.followers import FollowerRow, FollowersService
from twexport_qt.store.dm_states import dm_status_label

BLOCK_SIZE = 256
NEVER_POSTED = "never"  # the Last posted cell of a follower X counts no posts for
MAX_CACHED_BLOCKS = 64  # 16k rows: several screens either way, a few MB at most

SortRole = Qt.ItemDataRole.UserRole  # the raw value of a cell (a count, an epoch, a bool, a tier index)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # a FollowerRow value name (see FollowerRow.value), also the sort key
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
    Column("last_posted_at", "Last posted"),  # from X's newest post id; sorts with the unknown first
    Column("location", "Location"),
    Column("tier", "Tier"),
    Column("dm_status", "DM status"),
    Column("first_seen", "First seen"),
)
COLUMN_OF_FIELD: dict[str, int] = {column.field: number for number, column in enumerate(COLUMNS)}

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the table's only parent (the invalid index)


class FollowersTableModel(QAbstractTableModel):
    viewChanged = Signal()  # rows and/or filter mask changed (after the model reset)
    busyChanged = Signal(bool)  # background work for the current state started / finished
    queryFailed = Signal(str)  # a sentence for the user

    def __init__(
        self,
        followers: FollowersService,
        owner_id: int,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        parent: QObject | None = None,
        *,
        submit: Callable[[QueryRequest], QueryRequest] | None = None,  # to the query thread; None: all inline
        follower_filter: FollowerFilter | None = None,
        inline_row_limit: int | None = None,  # default: view_planner.INLINE_ROW_LIMIT
    ) -> None:
        """With `submit`, answers must come back through `take_result` in the GUI thread."""
        super().__init__(parent)
        self._followers = followers
        self._tiers = tuple(tiers)
        self._planner = FollowersViewPlanner(owner_id, self._tiers, follower_filter=follower_filter,
                                             inline_row_limit=inline_row_limit)
        self._work = PieceWork(compute=followers.compute_pieces, count_up_to=followers.count_up_to, submit=submit)
        self._shown: ComposedView | None = None  # the rows on screen (the planner may hold a newer view)
        self._rows_shown = 0
        self._blocks: Lru[int, list[FollowerRow | None]] = Lru(MAX_CACHED_BLOCKS)
        self._update()

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._rows_shown

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(column, row)
        if role == SortRole:
            return row.value(column.field)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.record.description or None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return  # Qt passes -1 when the sort indicator is cleared: keep the current order
        self._planner.set_sort(COLUMNS[column].field, order == Qt.SortOrder.DescendingOrder)
        self._update()

    # -- TwExport API ------------------------------------------------------------------------------

    @property
    def follower_filter(self) -> FollowerFilter:
        return self._planner.follower_filter

    @property
    def snapshot(self) -> FollowerSnapshot | None:
        """The data the rows on screen come from (None until the first view is composed)."""
        return self._shown.snapshot if self._shown is not None else None

    @property
    def view_filter(self) -> FollowerFilter:
        """The filter of the rows on screen; lags `follower_filter` while its pieces are being computed."""
        return self._shown.follower_filter if self._shown is not None else self._planner.follower_filter

    @property
    def view_state(self) -> ViewState | None:
        """Filter, search and sort of the rows on screen (None before the first view)."""
        return self._shown.state if self._shown is not None else None

    @property
    def filter_mask(self) -> np.ndarray:
        """Per snapshot position: does the follower pass the filter (the search box aside)? Read-only.

        The same array object as long as snapshot and filter are unchanged, so views can skip work by identity.
        """
        return self._shown.filter_mask if self._shown is not None else np.empty(0, dtype=bool)

    @property
    def shown_mask(self) -> np.ndarray:
        """Per snapshot position: is the follower a row of the table (filter and search)? Read-only, and the
        same array object as long as snapshot, filter and search are unchanged."""
        return self._shown.shown_mask if self._shown is not None else np.empty(0, dtype=bool)

    @property
    def matching_count(self) -> int:
        """Followers passing the filter, search aside ("N match the filter")."""
        return self._shown.matching_count if self._shown is not None else 0

    @property
    def is_busy(self) -> bool:
        """Background work for the current filter, search, sort or data is still running."""
        return self._planner.is_busy

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        self._planner.set_filter(follower_filter)
        self._update()

    def set_search_text(self, text: str) -> None:
        """Keep followers whose username, name or description contains `text` (ASCII case-insensitive)."""
        if self._planner.set_search_text(text):
            self._update()

    def refresh(self) -> None:
        """Re-read the store (after a fetch or a DM run) keeping filter, search and sort.

        Until the new data is in, the current rows stay on screen (cells are read live by rowid).
        """
        self._planner.refresh()
        self._update()

    def append_new_followers(self) -> None:
        """Show the followers stored since the snapshot (a fetch committed a page) as rows added to those on
        screen, keeping filter, search, sort and the user's selection; repeated calls while the previous one's
        rows are being read coalesce. Updated values of the rows on screen show too (cells are read again)."""
        self._planner.append_new_followers()
        self._update()

    def reload_cells(self) -> None:
        """Forget the cached cell blocks: the views read them again (same rows, fresh values)."""
        self.beginResetModel()
        self._blocks.clear()
        self.endResetModel()

    def take_result(self, result: QueryResult) -> None:
        """An answer of the query thread, handed over in the GUI thread."""
        was_busy = self._planner.is_busy
        acceptance = self._planner.accept(result)
        if not acceptance.relevant:
            return
        if acceptance.error is not None:
            self._announce_busy(was_busy)  # the busy hint goes first: the failure replaces it
            was_busy = self._planner.is_busy
            self.queryFailed.emit(acceptance.error)
        self._update(was_busy=was_busy)

    def follower_id_at(self, row: int) -> int | None:
        return self._shown.follower_id_at(row) if self._shown is not None else None

    def row_of_follower(self, user_id: int) -> int | None:
        """Display row of follower `user_id`, or None if unknown or hidden by the filter or search."""
        return self._shown.row_of_follower(user_id) if self._shown is not None else None

    # -- state -> view -----------------------------------------------------------------------------

    def _update(self, *, was_busy: bool | None = None) -> None:
        """Show the current state if its pieces are at hand, else have them computed (see the planner)."""
        was_busy = self._planner.is_busy if was_busy is None else was_busy
        outcome = self._planner.update(self._work)
        if outcome.view is not None:
            self._show(outcome.view)
        self._announce_busy(was_busy)
        if outcome.error is not None:
            self.queryFailed.emit(outcome.error)

    def _show(self, view: ComposedView) -> None:
        step = self._shown.with_rows_of(view) if self._shown is not None else None
        if step is None:
            self.beginResetModel()
            self._set_shown(view)
            self.endResetModel()
        else:
            self._add_rows(step, view)
        self.viewChanged.emit()

    def _add_rows(self, step: ComposedView, view: ComposedView) -> None:
        """Go from the rows on screen to `view`, which only adds rows: insert them at the end (`step`), then sort
        them in with a layout change that moves every persistent index to its follower's new row."""
        if len(step) > self._rows_shown:
            self.beginInsertRows(_ROOT, self._rows_shown, len(step) - 1)
            self._set_shown(step)
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        if persistent:
            row_of_position = np.empty(len(view.snapshot), dtype=np.int64)
            row_of_position[view.positions] = np.arange(len(view.positions))
            positions = step.positions
            moved = [self.index(int(row_of_position[positions[index.row()]]), index.column()) for index in persistent]
            self.changePersistentIndexList(persistent, moved)
        self._set_shown(view)
        self.layoutChanged.emit()

    def _set_shown(self, view: ComposedView) -> None:
        self._shown = view
        self._rows_shown = len(view)
        self._blocks.clear()  # block numbers are rows: after any change they hold other followers

    def _announce_busy(self, was_busy: bool) -> None:
        if self._planner.is_busy != was_busy:
            self.busyChanged.emit(self._planner.is_busy)

    # -- cells -------------------------------------------------------------------------------------

    def _row(self, row: int) -> FollowerRow | None:
        if not 0 <= row < self._rows_shown:
            return None
        block_number, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_number)
        if block is None:
            block = self._load_block(block_number)
        return block[offset]

    def _load_block(self, block_number: int) -> list[FollowerRow | None]:
        assert self._shown is not None  # rows exist only once a view is shown
        wanted = self._shown.rowids(block_number * BLOCK_SIZE, (block_number + 1) * BLOCK_SIZE)
        found = {row.rowid: row for row in self._followers.rows_by_rowid(wanted, self._tiers)}
        # A row deleted since the snapshot was loaded shows as empty until the next refresh.
        block = [found.get(int(rowid)) for rowid in wanted]
        self._blocks.put(block_number, block)
        return block

    def _display(self, column: Column, row: FollowerRow) -> str:
        value: Any = row.value(column.field)  # what the column holds: a count, an epoch, text, a tier index
        if column.field == "dm_status":
            return dm_status_label(value) if value else ""  # an empty cell, not a million "Not messaged"
        if column.field == "last_posted_at" and value is None:
            return NEVER_POSTED if row.record.tweet_count == 0 else ""  # else: X did not date their last post
        if value is None:
            return ""
        if column.numeric:
            return f"{value:,}"
        if column.field == "verified":
            return "✓" if value else ""
        if column.field in ("created_at", "last_posted_at", "first_seen"):
            return format_local_date(value)
        if column.field == "tier":
            return self._tiers[value].name
        return str(value)
