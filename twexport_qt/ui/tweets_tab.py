"""Tweet datasets: past downloads (resumable ones included) and the wizard that starts a new one.

The table reads the store in the GUI thread (a few hundred rows at most) and refreshes whenever a job
changed data; the download itself runs in the wizard's job.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from twexport_qt.core.timefmt import format_datetime
from twexport_qt.store import tweets_repo
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.rows_table_model import RowsTableModel
from twexport_qt.ui.tweet_wizard import TweetDownloadWizard
from twexport_qt.ui.tweet_wizard_pages import open_folder

HEADERS = ("Download", "Sources", "Output file", "State", "Written", "Updated")
OUTPUT_COLUMN, UPDATED_COLUMN = 2, 5
SOURCES_SHOWN = 3
STATE_TITLES = {"running": "running or interrupted", "done": "done", "cancelled": "cancelled (resumable)",
                "failed": "failed (resumable)"}


def describe_sources(usernames: list[str]) -> str:
    """'a, b, c +4 more': the first few accounts of a download."""
    shown = ", ".join(usernames[:SOURCES_SHOWN])
    rest = len(usernames) - SOURCES_SHOWN
    return f"{shown} +{rest} more" if rest > 0 else shown


def download_rows(conn: sqlite3.Connection) -> list[tuple]:
    """One row per stored download, newest first, in HEADERS order."""
    rows = []
    for job in tweets_repo.list_jobs(conn):
        names = [account.username for account in tweets_repo.job_accounts(conn, job.id)]
        rows.append((job.id, describe_sources(names), job.output_path, STATE_TITLES.get(job.state, job.state),
                     job.written, job.updated_at))
    return rows


class TweetsTab(QWidget):
    def __init__(self, context, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.conn: sqlite3.Connection = context.connect()
        self.wizard: TweetDownloadWizard | None = None

        self.download_button = QPushButton("Download tweets…")
        self.download_button.clicked.connect(self.open_wizard)
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected_folder)
        self.count_label = QLabel()
        self.model = RowsTableModel(HEADERS, {UPDATED_COLUMN: format_datetime})
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _index: self.open_selected_folder())
        self.model.modelReset.connect(self._on_selection)

        hint = QLabel("Datasets for AI text generation (e.g. gpt-2-simple). A cancelled or failed download resumes "
                      "when you run it again with the same accounts, options and file.")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)

        jobs.dataChanged.connect(lambda _name: self.refresh())
        self.refresh()

    def open_wizard(self) -> TweetDownloadWizard:
        """Show the wizard; one at a time, and a wizard whose download still runs is brought back."""
        if self.wizard is None or not (self.wizard.isVisible() or self.wizard.is_downloading()):
            if self.wizard is not None:
                self.wizard.deleteLater()
            self.wizard = TweetDownloadWizard(self.context, self.jobs, self)
        self.wizard.show()
        self.wizard.raise_()
        self.wizard.activateWindow()
        return self.wizard

    def profile_changed(self) -> None:
        # Downloads are not tied to a profile, but the next wizard must see the new profile's credentials.
        if self.wizard is not None and not self.wizard.isVisible() and not self.wizard.is_downloading():
            self.wizard.deleteLater()
            self.wizard = None
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_job_id()
        rows = download_rows(self.conn)
        self.model.set_rows(rows)
        self.count_label.setText(f"{len(rows):,} download{'s' if len(rows) != 1 else ''}")
        if selected is not None:
            self.select_job(selected)

    def selected_job_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_values(rows[0].row())[0] if rows else None

    def select_job(self, job_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.row_values(row)[0] == job_id:
                self.table.selectRow(row)
                return

    def selected_output(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        return Path(self.model.row_values(rows[0].row())[OUTPUT_COLUMN]) if rows else None

    def open_selected_folder(self) -> None:
        output = self.selected_output()
        if output is not None:
            open_folder(output.parent)

    def _on_selection(self, *_args: object) -> None:
        self.open_button.setEnabled(self.selected_output() is not None)
