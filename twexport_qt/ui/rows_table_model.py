"""A read-only, sortable table model over a list of row tuples (DM previews, DM status, download summaries).

Small tables only: the followers table has its own lazy model for a million rows. A row is a tuple of cell
values in column order; `formatters` say how a column's values read (times, say), and `RAW_VALUE_ROLE` gives the
value itself, which is also what sorting compares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]

RAW_VALUE_ROLE = Qt.ItemDataRole.UserRole  # the cell's value before formatting (an int time, None, …)
LONG_TEXT = 40  # longer text cells also show whole in their tooltip

_ROOT = QModelIndex()  # the parent of every row: this is a flat table


class RowsTableModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], formatters: dict[int, Callable[[Any], str]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._formatters = formatters or {}
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_values(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not (index.isValid() and index.row() < len(self._rows) and index.column() < len(self._headers)):
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            formatter = self._formatters.get(index.column())
            return formatter(value) if formatter else ("" if value is None else str(value))
        if role == RAW_VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > LONG_TEXT:
            return value
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by the raw values of `column` (empty cells after the others when ascending), keeping selections
        and the current cell on their rows."""
        if not 0 <= column < len(self._headers):
            return  # a view with no sort column asks for -1: keep the order the rows came in
        self.layoutAboutToBeChanged.emit()
        order_of_rows = sorted(range(len(self._rows)), key=lambda i: _sort_key(self._rows[i][column]),
                               reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = [self._rows[i] for i in order_of_rows]
        new_row = {old: new for new, old in enumerate(order_of_rows)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(new_row[index.row()], index.column()) for index in persistent])
        self.layoutChanged.emit()


def _sort_key(value: Any) -> tuple[bool, Any]:
    return value is None, 0 if value is None else value
