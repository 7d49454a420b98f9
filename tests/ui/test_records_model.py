"""The record table model the wizard and the Tweet datasets tab show: Qt's model rules, text, values, sorting."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, Qt

from twexport_qt.tweets.download_report import AccountRow, AccountStatus
from twexport_qt.ui.tweet_wizard.page_support import account_table_model
from twexport_qt.ui.tweet_wizard.records_model import VALUE_ROLE, Column, RecordTableModel


@dataclass(frozen=True)
class Item:
    name: str
    size: int | None


def item_model() -> RecordTableModel[Item]:
    return RecordTableModel([Column("Name", lambda item: item.name),
                             Column("Size", lambda item: item.size, lambda size: f"{size:,} B" if size else "")])


def test_passes_qts_model_checks_empty_and_filled(qtmodeltester):
    model = item_model()
    qtmodeltester.check(model)
    model.set_records([Item("b", 2_000), Item("a", None), Item("c" * 50, 10)])
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
    assert model.data(model.index(0, 1)) == "2,000 B" and model.data(model.index(0, 1), VALUE_ROLE) == 2_000
    assert model.data(model.index(1, 1)) == "" and model.data(model.index(1, 1), VALUE_ROLE) is None
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
