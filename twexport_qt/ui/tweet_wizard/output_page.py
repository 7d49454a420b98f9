"""The wizard's Output page: the dataset file and its format. An existing file is a resume (same accounts and
options) or an append, and the page says so; its Download button starts the job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLineEdit, QPushButton, QWidget, QWizard

from twexport_qt import paths
from twexport_qt.tweets.options import OUTPUT_FORMATS, OutputFormat
from twexport_qt.tweets.output_writers import default_output_name
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label, widget_row

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

OUTPUT_FORMAT_TITLES: dict[str, str] = {
    "csv": "CSV, one 'tweets' column (gpt-2-simple)",
    "jsonl": "JSON Lines: text and label",
    "txt": "Plain text, <|endoftext|> between examples",
}


class OutputPage(WizardPage):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
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
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("File", widget_row(self.path_edit, browse))
        form.addRow(self.exists_label)
        form.addRow(self.error_label)
        self._default_path: str | None = None
        self.path_edit.textChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_format)

    def output_format(self) -> OutputFormat:
        return self.format_combo.currentData()

    def output_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def initializePage(self) -> None:
        # Keep a path the user typed; otherwise follow the accounts chosen (they may have changed).
        if not self.path_edit.text().strip() or self.path_edit.text() == self._default_path:
            self._set_default_path()
        self._on_change()

    def isComplete(self) -> bool:
        return not self._problem()

    def _set_default_path(self) -> None:
        hint = self.tweet_wizard().accounts_page.selection().name_hint or "tweets"
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
