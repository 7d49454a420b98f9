"""File → Export's options: which columns in which order, and the Excel BOM for CSVs, remembered per export kind.

The choices are stored in the data folder's UI state (`ui_state`), one group per export kind, so "my followers
columns" come back next time without touching the other exports. The export itself checks the names again
(`exports.columns.choose_columns`); a remembered column that an export no longer has is simply dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.exports.columns import column_definition
from twexport_qt.exports.formats import DICTIONARY_SUFFIX, ExportFormat, TableOptions
from twexport_qt.ui.ui_state import ui_state

_GROUP = "exports"


def load_table_options(data_dir: Path, kind: str, available: Sequence[str]) -> TableOptions:
    """The options last used for export `kind` (CSV, all columns, no BOM the first time)."""
    state = ui_state(data_dir)
    prefix = f"{_GROUP}/{kind}/"
    stored_format = str(state.value(prefix + "format", ExportFormat.CSV.value))
    file_format = ExportFormat(stored_format) if stored_format in set(ExportFormat) else ExportFormat.CSV
    stored_columns = str(state.value(prefix + "columns", "") or "")
    columns = tuple(name for name in stored_columns.split(",") if name in available)
    excel_bom = state.value(prefix + "bom", False, type=bool)
    return TableOptions(format=file_format, excel_bom=bool(excel_bom), columns=columns)


def save_table_options(data_dir: Path, kind: str, options: TableOptions) -> None:
    state = ui_state(data_dir)
    prefix = f"{_GROUP}/{kind}/"
    state.setValue(prefix + "format", options.format.value)
    state.setValue(prefix + "columns", ",".join(options.columns))
    state.setValue(prefix + "bom", options.excel_bom)
    state.sync()


class ExportOptionsDialog(QDialog):
    """Columns to write (checked), in the listed order (drag, or Up/Down), and the BOM for a CSV."""

    def __init__(self, export_title: str, available: Sequence[str], options: TableOptions,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {export_title.lower()}")
        self._format = options.format
        self._available = tuple(available)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Columns to export, in this order (drag to reorder):"))
        self.column_list = QListWidget(self)
        self.column_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.column_list.itemChanged.connect(self._update_ok)
        layout.addWidget(self.column_list)
        moves = QHBoxLayout()
        self.up_button = QPushButton("Up", self)
        self.down_button = QPushButton("Down", self)
        self.all_button = QPushButton("All columns", self)
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button.clicked.connect(lambda: self._move_current(1))
        self.all_button.clicked.connect(lambda: self._fill(()))
        for button in (self.up_button, self.down_button, self.all_button):
            moves.addWidget(button)
        moves.addStretch(1)
        layout.addLayout(moves)
        self.bom_check = QCheckBox("Start with a byte-order mark (Excel then reads accents and emoji right)", self)
        self.bom_check.setChecked(options.excel_bom)
        self.bom_check.setVisible(options.format == ExportFormat.CSV)
        layout.addWidget(self.bom_check)
        note = QLabel(f"A data dictionary (what each column means, its unit and X source field) is written beside "
                      f"the file as NAME{DICTIONARY_SUFFIX}.", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fill(options.columns)

    def _fill(self, chosen: Sequence[str]) -> None:
        """Chosen columns first, checked, in their order; the others after them, unchecked (all checked if none)."""
        self.column_list.clear()
        rest = [name for name in self._available if name not in chosen]
        for name in [*chosen, *rest]:
            item = QListWidgetItem(name, self.column_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(Qt.CheckState.Checked if not chosen or name in chosen else Qt.CheckState.Unchecked)
            item.setToolTip(column_definition(name).meaning)
        self._update_ok()

    def _move_current(self, step: int) -> None:
        row = self.column_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.column_list.count():
            return
        item = self.column_list.takeItem(row)
        self.column_list.insertItem(target, item)
        self.column_list.setCurrentRow(target)

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.chosen_columns()))

    def chosen_columns(self) -> tuple[str, ...]:
        items = (self.column_list.item(row) for row in range(self.column_list.count()))
        return tuple(item.text() for item in items if item.checkState() == Qt.CheckState.Checked)

    def set_column_checked(self, name: str, checked: bool) -> None:
        """Check or uncheck one column, as a click on its box does."""
        for item in self.column_list.findItems(name, Qt.MatchFlag.MatchExactly):
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def options(self) -> TableOptions:
        """The choices; all columns in the export's own order are stored as "all" (so new columns join later)."""
        chosen = self.chosen_columns()
        excel_bom = self._format == ExportFormat.CSV and self.bom_check.isChecked()
        return TableOptions(format=self._format, excel_bom=excel_bom,
                            columns=() if chosen == self._available else chosen)
