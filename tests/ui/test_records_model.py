"""The small tables' model (wizard, Tweet datasets, DM tab, do-not-contact list): Qt's model rules, text, values,
and sorting that keeps the selection on its record."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from twexport_qt.tweets.download_report import AccountRow, AccountStatus
from twexport_qt.ui.records_model import VALUE_ROLE, Column, RecordTableModel
from twexport_qt.ui.tweet_wizard.page_support import account_table_model


@dataclass(frozen=True)
class Item:
    name: str
    size: int | None
    note: str | None = None


def item_model() -> RecordTableModel[Item]:
    return RecordTableModel([Column("Name", lambda item: item.name),
                             Column("Size", lambda item: item.size, lambda size: f"{size:,} B" if size else ""),
                             Column("Note", lambda item: item.note)])


def test_passes_qts_model_checks_empty_filled_sorted_and_emptied_again(qtmodeltester):
    model = item_model()
    qtmodeltester.check(model)
    model.set_records([Item("b", 2_000), Item("a", None), Item("c" * 50, 10)])
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_records([])
    qtmodeltester.check(model)


def test_the_wizards_account_table_passes_qts_model_checks(qtmodeltester):
    model = account_table_model("Outcome", with_reason=True)
    model.set_records([AccountRow("alice", AccountStatus.DONE, 120, 100, 20),
                       AccountRow("nobody", AccountStatus.SKIPPED, reason="no such account")])
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == \
        ["Account", "Outcome", "Read", "Written", "Filtered out", "Reason"]
    assert model.data(model.index(1, 1)) == "skipped" and model.data(model.index(1, 5)) == "no such account"


def test_cells_show_text_and_keep_their_value():
    model = item_model()
    model.set_records([Item("big", 2_000), Item("x" * 41, None)])
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"
    assert model.headerData(9, Qt.Orientation.Horizontal) is None
    assert model.data(model.index(0, 1)) == "2,000 B" and model.data(model.index(0, 1), VALUE_ROLE) == 2_000
    assert model.data(model.index(1, 1)) == "" and model.data(model.index(1, 1), VALUE_ROLE) is None
    assert model.data(model.index(0, 2)) == ""  # no note: an empty cell, not "None"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == "x" * 41  # long text: whole in the tip
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None
    assert model.record(0) == Item("big", 2_000) and model.column_of("Size") == 1


def test_sorting_puts_empty_cells_last_and_keeps_the_selection_on_its_record():
    model = item_model()
    model.set_records([Item("b", 2), Item("a", None), Item("c", 1)])
    selection = QItemSelectionModel(model)
    selection.select(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select)  # Item("b", 2)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [item.name for item in model.records()] == ["c", "b", "a"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [item.name for item in model.records()] == ["b", "c", "a"]
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [item.name for item in model.records()] == ["a", "b", "c"]
    assert [model.record(index.row()) for index in selection.selectedIndexes()] == [Item("b", 2)]


def test_a_views_row_selection_follows_its_record_and_no_sort_column_keeps_the_order(qtbot):
    model = item_model()
    model.set_records([Item("carol", 3), Item("alice", None), Item("bob", 1)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().select(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)  # carol

    model.sort(1)
    assert [item.name for item in model.records()] == ["bob", "carol", "alice"]
    [selected] = view.selectionModel().selectedRows()
    assert model.record(selected.row()).name == "carol"

    model.sort(-1)  # a view without a sort column asks for -1: the order stays
    assert [item.name for item in model.records()] == ["bob", "carol", "alice"]


def test_every_small_table_draws_the_sort_arrow_down_for_largest_first(qtbot):
    from twexport_qt.ui.records_model import record_table
    from twexport_qt.ui.sort_arrow_style import SortArrowStyle

    model = RecordTableModel([Column("Name", lambda row: row.name)])
    view = record_table(model)
    qtbot.addWidget(view)
    header = view.horizontalHeader()
    assert isinstance(header.style(), SortArrowStyle)  # the style the followers table's pixel test checks
    assert header.style().parent() is header  # owned by the header: no style outlives its table


def test_no_arrow_until_a_click_and_the_chosen_sort_holds_when_rows_are_replaced(qtbot):
    from twexport_qt.ui.records_model import record_table

    @dataclass(frozen=True)
    class Word:
        text: str
        uses: int

    model = RecordTableModel([Column("Word", lambda w: w.text), Column("Uses", lambda w: w.uses)])
    view = record_table(model)
    qtbot.addWidget(view)
    model.set_records([Word("b", 1), Word("a", 3), Word("c", 2)])
    assert view.horizontalHeader().sortIndicatorSection() == -1  # no arrow claims an order the rows don't have
    assert [model.index(row, 0).data() for row in range(3)] == ["b", "a", "c"]  # the view's own order

    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # the user clicks "Uses"
    model.set_records([Word("x", 1), Word("y", 5), Word("z", 3)])  # new data arrives
    assert [model.index(row, 0).data() for row in range(3)] == ["y", "z", "x"]
