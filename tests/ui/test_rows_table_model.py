"""The small tables' model: what Qt's model tester checks, what the cells read, and sorting that keeps selections."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from twexport_qt.ui.rows_table_model import RAW_VALUE_ROLE, RowsTableModel

HEADERS = ("Follower id", "Username", "Updated", "Reason")
ROWS = [(3, "carol", 1_700_000_300, None), (1, "alice", None, "x" * 50), (2, "bob", 1_700_000_100, "asked")]


def model_with_rows() -> RowsTableModel:
    model = RowsTableModel(HEADERS, {2: lambda value: "—" if value is None else f"t{value}"})
    model.set_rows(ROWS)
    return model


def test_the_model_passes_qt_model_tester_empty_filled_reset_and_sorted(qtmodeltester):
    model = RowsTableModel(HEADERS)
    qtmodeltester.check(model)
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_cells_read_formatted_with_the_raw_value_and_long_text_as_tooltip():
    model = model_with_rows()
    assert (model.rowCount(), model.columnCount()) == (3, 4)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Username"
    assert model.headerData(9, Qt.Orientation.Horizontal) is None
    first = model.index(0, 2)
    assert model.data(first) == "t1700000300" and model.data(first, RAW_VALUE_ROLE) == 1_700_000_300
    assert model.data(model.index(0, 3)) == ""  # no reason: an empty cell, not "None"
    assert model.data(model.index(1, 3), Qt.ItemDataRole.ToolTipRole) == "x" * 50
    assert model.data(model.index(2, 3), Qt.ItemDataRole.ToolTipRole) is None


def test_sorting_orders_by_raw_values_with_empty_cells_last_and_keeps_the_selection(qtbot):
    model = model_with_rows()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().select(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)  # carol

    model.sort(2)
    assert [model.row_values(r)[1] for r in range(3)] == ["bob", "carol", "alice"]
    [selected] = view.selectionModel().selectedRows()
    assert model.row_values(selected.row())[1] == "carol"

    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.row_values(r)[0] for r in range(3)] == [3, 2, 1]
    model.sort(-1)  # a view without a sort column: the order stays
    assert [model.row_values(r)[0] for r in range(3)] == [3, 2, 1]
