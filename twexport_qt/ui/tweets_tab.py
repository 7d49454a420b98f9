"""Tweet datasets: past downloads (resumable ones included) and the wizard that starts a new one.

The table lists `context.downloads.stored_downloads()`, read off the GUI thread and again whenever a job changed
data; the download itself runs in the wizard's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.services.downloads import StoredDownload
from twexport_qt.tweets.download_report import describe_sources, job_state_title
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.records_model import Column, RecordTableModel, record_table
from twexport_qt.ui.tweet_wizard.page_support import open_folder
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

COLUMNS: tuple[Column[StoredDownload], ...] = (
    Column("Download", lambda download: download.job_id),
    Column("Sources", lambda download: describe_sources(download.usernames)),
    Column("Output file", lambda download: str(download.output_path)),
    Column("State", lambda download: download.state, job_state_title),
    Column("Written", lambda download: download.written),
    Column("Updated", lambda download: download.updated_at, format_local_datetime),
)


class TweetsTab(QWidget):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.wizard: TweetDownloadWizard | None = None

        self.download_button = QPushButton("Download tweets…")
        self.download_button.clicked.connect(self.open_wizard)
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected_folder)
        self.count_label = QLabel()
        self.model = RecordTableModel(COLUMNS)
        self.table = record_table(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(self.open_selected_folder)
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

        jobs.dataChanged.connect(self.refresh)
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

    def refresh(self, *_changed_by: object) -> None:
        """Read the downloads again (off the GUI thread); the newest read wins."""
        self.jobs.tasks.run_task("Reading the tweet downloads", self.context.downloads.stored_downloads,
                                 self._show_downloads, key="tweet-downloads", owner=self)

    def _show_downloads(self, downloads: list[StoredDownload]) -> None:
        selected = self.selected_download()
        self.model.set_records(downloads)
        self.count_label.setText(f"{len(downloads):,} download{'s' if len(downloads) != 1 else ''}")
        if selected is not None:
            self.select_job(selected.job_id)

    def selected_download(self) -> StoredDownload | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select_job(self, job_id: int) -> None:
        for row, download in enumerate(self.model.records()):
            if download.job_id == job_id:
                self.table.selectRow(row)
                return

    def open_selected_folder(self, *_clicked: object) -> None:
        download = self.selected_download()
        if download is not None:
            open_folder(download.output_path.parent)

    def _on_selection(self, *_args: object) -> None:
        self.open_button.setEnabled(self.selected_download() is not None)
