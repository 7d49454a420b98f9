"""The do-not-contact list: followers the campaign never messages, whatever the filter says.

It reads and writes through `DoNotContactService` (`context.do_not_contact`); the list is read off the GUI thread,
and so are its changes (a write may wait for a running campaign's transaction): at a million followers the window
never freezes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.services.do_not_contact import DoNotContactService
from twexport_qt.ui.records_model import Column, RecordTableModel
from twexport_qt.workers.tasks import TaskRunner

if TYPE_CHECKING:  # the rows are the service's entries, as the store reads them
    from twexport_qt.store.dm_repo import DoNotContactEntry

LIST_TASK = "do-not-contact-list"
COLUMNS: tuple[Column[DoNotContactEntry], ...] = (
    Column("Follower id", lambda entry: entry.user_id),
    Column("Username", lambda entry: entry.username),
    Column("Reason", lambda entry: entry.reason),
    Column("Added", lambda entry: entry.added_at, format_local_datetime),
)


class DoNotContactDialog(QDialog):
    def __init__(self, service: DoNotContactService, owner_id: int, tasks: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Do not contact")
        self.setMinimumWidth(560)
        self._service, self._owner_id, self._tasks = service, owner_id, tasks
        self.model = RecordTableModel(COLUMNS)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.who = QLineEdit(placeholderText="@username or numeric id of a follower")
        self.reason = QLineEdit(placeholderText="reason (optional)")
        add = QPushButton("Add")
        add.clicked.connect(self.add_from_inputs)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        self.message = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(self.who, 2)
        row.addWidget(self.reason, 2)
        row.addWidget(add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Nobody on this list gets a DM from a campaign, including retries."))
        layout.addWidget(self.view)
        layout.addLayout(row)
        layout.addWidget(remove)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        """Read the list again, off the GUI thread; the table fills when it arrives."""
        service, owner_id = self._service, self._owner_id
        self._tasks.run_task("Reading the do-not-contact list", lambda: service.entries(owner_id),
                             self.model.set_records, self.message.setText, key=LIST_TASK, owner=self)

    def add_from_inputs(self) -> None:
        """Add the follower typed in; a name that matches nobody is said under the table, the inputs kept."""
        service, owner_id, who, reason = self._service, self._owner_id, self.who.text(), self.reason.text()
        self._tasks.run_task("Adding to the do-not-contact list", lambda: service.add(owner_id, who, reason),
                             self._added, self.message.setText, owner=self)

    def _added(self, _user_id: int) -> None:
        self.who.clear()
        self.reason.clear()
        self.message.setText("")
        self.reload()

    def remove_selected(self) -> None:
        selected = {index.row() for index in self.view.selectionModel().selectedRows()}
        user_ids = [self.model.record(row).user_id for row in selected]
        service, owner_id = self._service, self._owner_id
        self._tasks.run_task("Removing from the do-not-contact list", lambda: service.remove(owner_id, user_ids),
                             lambda _removed: self.reload(), self.message.setText, owner=self)
