"""The do-not-contact list: followers the campaign never messages, whatever the filter says."""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from twexport_qt.core.timefmt import format_datetime
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.ui.rows_table_model import RowsTableModel


class DoNotContactDialog(QDialog):
    def __init__(self, conn: sqlite3.Connection, owner_id: int, now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Do not contact")
        self.setMinimumWidth(560)
        self._conn, self._owner_id, self._now = conn, owner_id, now
        self.model = RowsTableModel(("Follower id", "Username", "Reason", "Added"), {3: format_datetime})
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
        rows = []
        for entry in dm_repo.do_not_contact_list(self._conn, self._owner_id):
            record = followers_repo.get_follower(self._conn, self._owner_id, entry.user_id)
            rows.append((entry.user_id, record.username if record else "", entry.reason, entry.added_at))
        self.model.set_rows(rows)

    def add_from_inputs(self) -> bool:
        text = self.who.text().strip()
        if text.isdigit():
            user_id = int(text)
        else:
            record = followers_repo.find_by_username(self._conn, self._owner_id, text) if text else None
            if record is None:
                self.message.setText(f"No fetched follower is called {text!r}: check the spelling, or fetch "
                                     "followers first." if text else "Type a @username or an id.")
                return False
            user_id = record.user_id
        with self._conn:
            dm_repo.add_do_not_contact(self._conn, self._owner_id, user_id, self.reason.text().strip(),
                                       int(self._now()))
        self.who.clear()
        self.reason.clear()
        self.message.setText("")
        self.reload()
        return True

    def remove_selected(self) -> None:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        with self._conn:
            for row in rows:
                dm_repo.remove_do_not_contact(self._conn, self._owner_id, self.model.row_values(row)[0])
        self.reload()
