"""A read-only, sortable Qt table over a list of records (dataclasses): the one model of the app's small tables
(the tweet wizard, Tweet datasets, the DM tab's preview, plan, funnel and status, the do-not-contact list).

Each `Column` names its header, how it reads a record and how the value reads, so views keep their rows as the
domain's records and never index positional tuples; the model only adapts them to Qt (display text, the value
itself under `VALUE_ROLE`, sorting by it). Small tables only: the followers table has its own lazy model for a
million rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from twexport_qt.ui.sort_arrow_style import use_reading_sort_arrow

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
VALUE_ROLE = Qt.ItemDataRole.UserRole  # a cell's value before formatting (what the column sorts by)
TOOLTIP_AFTER = 40  # longer texts (paths, reasons) are shown whole in a tooltip: the column may cut them
_ROOT = QModelIndex()  # the table's invisible root: Qt's default parent


def plain_text(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    value: Callable[[R], Any]  # the cell's value: what it sorts by
    text: Callable[[Any], str] = plain_text  # how the value is shown


class RecordTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._records: list[R] = []

    def set_records(self, records: Sequence[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def records(self) -> list[R]:
        return list(self._records)

    def record(self, row: int) -> R:
        return self._records[row]

    def column_of(self, header: str) -> int:
        return next(number for number, column in enumerate(self._columns) if column.header == header)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._columns):
            return self._columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        column = self._columns[index.column()]
        value = column.value(self._records[index.row()])
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(value)
        if role == VALUE_ROLE:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            text = column.text(value)
            return text if len(text) > TOOLTIP_AFTER else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        read = self._columns[column].value
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()  # the view's selection and current cell follow their records
        kept_records = [self._records[index.row()] for index in kept]
        # Empty cells last in either order; a stable sort keeps equal rows in their listed order.
        present = [record for record in self._records if read(record) is not None]
        missing = [record for record in self._records if read(record) is None]
        present.sort(key=read, reverse=order == Qt.SortOrder.DescendingOrder)
        self._records = present + missing
        row_of = {id(record): row for row, record in enumerate(self._records)}
        self.changePersistentIndexList(kept, [self.index(row_of[id(record)], index.column())
                                              for index, record in zip(kept, kept_records)])
        self.layoutChanged.emit()


def record_table(model: RecordTableModel[Any]) -> QTableView:
    """The view the app shows a small table in: sortable by a header click (the arrow down for largest first),
    whole rows selected, the last column taking the spare width, no row numbers."""
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    header = view.horizontalHeader()
    use_reading_sort_arrow(header)
    # Rows come in the order the view gave them (by date, by count...): no arrow claims another order until the
    # user clicks a header; from then on their sort holds when the rows are replaced.
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    model.modelReset.connect(lambda: _keep_sort(view))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header.setStretchLastSection(True)
    view.verticalHeader().hide()
    return view


def _keep_sort(view: QTableView) -> None:
    header = view.horizontalHeader()
    if header.sortIndicatorSection() >= 0:
        view.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
