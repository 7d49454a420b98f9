"""The wizard's last page: what the run wrote (the summary sentence of `tweets/download_report.py`; for a dataset
built from the store, the build's lines of `services/dataset_builds.py`: what each filter removed, each file with
its examples and estimated tokens, the dataset card), each account's outcome and why any was skipped or gave no
tweet (also said under the totals, where it cannot be missed), and where the dataset file is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget, QWizard

from twexport_qt.services.dataset_builds import build_lines
from twexport_qt.tweets.download_report import no_tweets_notes, summary_rows, summary_text
from twexport_qt.ui.tweet_wizard.page_support import (
    WARNING_STYLE,
    WizardPage,
    account_table,
    account_table_model,
    message_label,
    open_folder,
    widget_row,
)

NOTES_SHOWN = 3  # accounts without tweets explained under the totals; the table has them all


class SummaryPage(WizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Summary")
        self.setFinalPage(True)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.build_label = QLabel()
        self.build_label.setWordWrap(True)
        self.build_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.no_tweets_label = message_label(WARNING_STYLE)
        self.model = account_table_model("Outcome", with_reason=True)
        self.table = account_table(self.model)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open folder")
        self.open_button.clicked.connect(self.open_output_folder)
        self.hint_label = QLabel(
            "Download again or resume: run the wizard with the same accounts, options and file. A stopped "
            "download continues where it stopped; a finished one is not repeated (choose another file, or move "
            "this one away, for a fresh copy).")
        self.hint_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.build_label)
        layout.addWidget(self.no_tweets_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(widget_row(self.path_label, self.open_button))
        layout.addWidget(self.hint_label)
        self._output: Path | None = None

    def initializePage(self) -> None:
        wizard = self.tweet_wizard()
        summary, request, build = wizard.summary, wizard.progress_page.request, wizard.build
        self.build_label.setText("\n".join(build_lines(build)) if build is not None else "")
        self.build_label.setVisible(build is not None)
        notes: list[str] = []
        if summary is None:  # the run stopped: what the Progress page last showed
            self._output = wizard.output_page.output_path()
            self.totals_label.setText(wizard.progress_page.stop_message)
            self.model.set_records(wizard.progress_page.account_rows())
        else:
            self._output = summary.output_path
            self.totals_label.setText(summary_text(summary))
            sandbox = wizard.context.is_sandbox
            self.model.set_records(summary_rows(summary, request, sandbox=sandbox))
            if request is not None:
                notes = no_tweets_notes(summary, request, sandbox=sandbox)
        more = len(notes) - NOTES_SHOWN
        self.no_tweets_label.setText("\n".join(notes[:NOTES_SHOWN] + ([f"… and {more} more: see the table."]
                                                                      if more > 0 else [])))
        files = build.files if build is not None else ()
        if len(files) > 1:  # a split: the files are named above, with their examples
            self.path_label.setText(f"Dataset files: {', '.join(built.path.name for built in files)} in "
                                    f"{files[0].path.parent}")
        else:
            self.path_label.setText(f"Dataset file: {self._output}")

    def open_output_folder(self) -> None:
        if self._output is not None:
            open_folder(self._output.parent)
