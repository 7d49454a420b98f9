"""The wizard's Output page: the dataset file and its format, and what the download will cost. An existing file is
a resume (same accounts and options) or an append, and the page says so; its Download button starts the job,
after asking when the estimate passes the threshold (never in the Sandbox), as `tweets download` does.

The estimate looks the accounts up on X (one user read each, which the download's own look-up then repeats for
free the same UTC day), so it is read in a task thread when the page is entered; Download waits for it. A dataset
built from the tweets already downloaded costs nothing: its Cost line says so, with how many tweets it draws from
(counted in the same task thread), and nothing is looked up.

The default file is named after the accounts, in the folder of the last dataset (else the data folder's exports);
the format is the last one used. Download remembers both, with the options, for the next wizard.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget, QWizard

from twexport_qt import paths
from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.services.cost_estimates import download_estimate
from twexport_qt.tweets.options import OUTPUT_FORMATS, OutputFormat
from twexport_qt.tweets.output_writers import default_output_name
from twexport_qt.tweets.sources import SourceKind
from twexport_qt.ui.cost_confirmation import confirm_cost, estimate_text
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label, widget_row
from twexport_qt.workers.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

OUTPUT_FORMAT_TITLES: dict[str, str] = {
    "csv": "CSV, one 'tweets' column (gpt-2-simple)",
    "jsonl": "JSON Lines: text and label",
    "txt": "Plain text, <|endoftext|> between examples",
}
ESTIMATE_TASK = "tweet-download-estimate"
ESTIMATING = "Estimating what the download costs (looking the accounts up on X)…"
COUNTING_STORED = "Counting the tweets already downloaded (a dataset built from them is free)…"


class OutputPage(WizardPage):
    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = tasks
        self.estimate: CostEstimate | None = None  # what the download described by the pages costs, once read
        self._estimating = False  # an estimate is being read: Download waits for it
        self._estimate_task: TaskHandle | None = None
        self._rebuild = False  # the pages describe a dataset built from the stored tweets: free
        self.setTitle("Output file")
        self.setSubTitle("Where the dataset is written. It grows as tweets arrive and is saved after every page.")
        self.setCommitPage(True)  # the download starts next; resuming it is done from the Progress page
        self.setButtonText(QWizard.WizardButton.CommitButton, "Download")
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format_combo = QComboBox()
        for output_format in OUTPUT_FORMATS:
            self.format_combo.addItem(OUTPUT_FORMAT_TITLES[output_format], output_format)
        self.exists_label = message_label(WARNING_STYLE)
        self.error_label = message_label()
        self.cost_label = QLabel()
        self.cost_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("File", widget_row(self.path_edit, browse))
        form.addRow(self.exists_label)
        form.addRow("Cost", self.cost_label)
        form.addRow(self.error_label)
        self._default_path: str | None = None
        self._default_folder: Path | None = None  # the last dataset's folder (None: the exports folder)
        self.path_edit.textChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_format)

    def output_format(self) -> OutputFormat:
        return self.format_combo.currentData()

    def set_remembered(self, output_format: OutputFormat | None, folder: Path | None) -> None:
        """Offer the last download's format, and its folder for the default file (None: nothing remembered)."""
        if output_format is not None:
            self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(output_format)))
        self._default_folder = folder

    def output_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def initializePage(self) -> None:
        # Keep a path the user typed; otherwise follow the accounts chosen (they may have changed).
        if not self.path_edit.text().strip() or self.path_edit.text() == self._default_path:
            self._set_default_path()
        self._on_change()
        self._estimate_cost()

    def isComplete(self) -> bool:
        return not self._problem() and not self._estimating

    def validatePage(self) -> bool:
        """Download: above the threshold (outside the Sandbox) only once the user confirms the price."""
        if not self.isComplete():
            return False
        confirmed = self.estimate is None or confirm_cost(self, self.estimate, what="Download",
                                                          simulated=self._simulated())
        # Without an estimate (it could not be read: the page says why) the budgets still hold the download.
        if confirmed:
            self.tweet_wizard().remember_choices()
        return confirmed

    def _simulated(self) -> bool:
        """Whether to mark the price as the Sandbox's: not for a rebuild, which bills nothing anywhere."""
        return self.context.is_sandbox and not self._rebuild

    def _estimate_cost(self) -> None:
        """The price of what the earlier pages describe (they may have changed since the last visit)."""
        if self._estimate_task is not None:
            self._estimate_task.discard()  # the pages changed since: its answer is for another download
        self.estimate = None
        try:
            request = self.tweet_wizard().request()
        except ValueError as exc:  # the earlier pages validate; this only guards against a changed file system
            self.cost_label.setText(str(exc))
            return
        self._rebuild = request.source_kind == SourceKind.STORED
        estimate: Callable[[], CostEstimate]
        if self._rebuild:  # nothing to look up on X: only the stored tweets to count
            self.cost_label.setText(COUNTING_STORED)
            estimate = partial(self.context.downloads.rebuild_estimate, request.sources)
        else:
            self.cost_label.setText(ESTIMATING)
            estimate = partial(download_estimate, self.context, request)
        self._estimating = True  # before run_task: a runner may answer before it returns
        self._estimate_task = self.tasks.run_task("Estimating what the download costs", estimate,
                                                  self._show_estimate, self._estimate_failed, key=ESTIMATE_TASK,
                                                  owner=self)
        self.completeChanged.emit()

    def _show_estimate(self, estimate: CostEstimate) -> None:
        self._estimating = False
        self.estimate = estimate
        self.cost_label.setText(estimate_text(estimate, simulated=self._simulated()))
        self.completeChanged.emit()

    def _estimate_failed(self, sentence: str) -> None:
        self._estimating = False
        self.cost_label.setText(f"The cost could not be estimated: {sentence} The download is still held to the "
                                "profile's budgets.")
        self.completeChanged.emit()

    def _set_default_path(self) -> None:
        hint = self.tweet_wizard().accounts_page.selection().name_hint or "tweets"
        folder = self._default_folder
        if folder is None or not folder.is_dir():  # gone since: the exports folder, as on a first run
            folder = paths.exports_dir(self.context.data_dir)
        self._default_path = str(folder / default_output_name(hint, self.output_format()))
        self.path_edit.setText(self._default_path)

    def _problem(self) -> str:
        if not self.path_edit.text().strip():
            return "Choose the file to write the dataset to."
        if self.output_path().is_dir():
            return f"{self.output_path()} is a folder: add a file name."
        return ""

    def _on_format(self) -> None:
        if self.path_edit.text() == self._default_path:
            self._set_default_path()
        else:  # keep the user's name, fix its extension
            path = self.output_path()
            if path.suffix.lstrip(".").lower() in OUTPUT_FORMATS:
                self.path_edit.setText(str(path.with_suffix("." + self.output_format())))
        self._on_change()

    def _on_change(self, *_args: object) -> None:
        path = self.output_path()
        exists = bool(self.path_edit.text().strip()) and path.is_file()
        self.exists_label.setText(
            f"{path.name} already exists. If it holds an earlier download of the same accounts with the same options, "
            "that download resumes and appends what is missing (a finished one is not repeated). Otherwise the new "
            "tweets are appended after what the file holds: choose another name for a fresh dataset."
            if exists else "")
        self.error_label.setText(self._problem())
        self.completeChanged.emit()

    def _browse(self) -> None:
        fmt = self.output_format()
        path, _ = QFileDialog.getSaveFileName(self, "Dataset file", self.path_edit.text(),
                                              f"{fmt.upper()} files (*.{fmt});;All files (*)")
        if path:
            self.path_edit.setText(path)
