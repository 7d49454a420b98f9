"""The wizard's Output page: the dataset's format (each said in one plain sentence: who reads it), what that
format adds (a system prompt and the thread depth of chat JSONL; where the sentiment label goes in both JSONL
datasets, when there are labels), train/validation/test splits with their seed, and the file. An existing file
is a resume (same accounts and options) or an append, and the page says so. Choosing chat JSONL turns the Options
page's "Include replies" on (`OptionsPage.follow_chat_format`): without replies every example would be an
original post under a placeholder prompt; the box stays the user's to turn off.

What the fields allow is `DatasetOptions`' rule, applied to the Options page's options with this page's fields
(`apply_to`): its sentence is shown here and Next waits until there is none. The Preview page after it shows
the first examples and the price, and starts the download.

The default file is named after the accounts, in the folder of the last dataset (else the data folder's exports);
the format and its fields are the last ones used. Download remembers them, with the options, for the next wizard.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from twexport_qt import paths
from twexport_qt.datasets.conversations import ORIGINAL_POST_PROMPT
from twexport_qt.tweets.options import (
    BUILT_FORMATS,
    MAX_THREAD_DEPTH,
    OUTPUT_FORMATS,
    SPLIT_NAMES,
    DatasetOptions,
    OutputFormat,
)
from twexport_qt.tweets.output_writers import default_output_name
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label, widget_row

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

OUTPUT_FORMAT_TITLES: dict[str, str] = {
    "chat-jsonl": "Chat JSONL: conversations of user and assistant turns",
    "text-jsonl": "Text JSONL: one {\"text\": …} per line",
    "csv": "CSV, one 'tweets' column (gpt-2-simple)",
    "jsonl": "JSON Lines: text and label",
    "txt": "Plain text, <|endoftext|> between examples",
}
OUTPUT_FORMAT_SENTENCES: dict[str, str] = {
    "chat-jsonl": "For chat fine-tuning (Hugging Face, Axolotl, Unsloth, hosted services): each line is a "
                  "\"messages\" list where the tweet a reply answers is the user turn and the reply the assistant "
                  "turn; threads become multi-turn conversations.",
    "text-jsonl": "For plain language-model training (Hugging Face datasets, Axolotl's completion format): each "
                  "line is {\"text\": …}, one tweet.",
    "csv": "For gpt-2-simple and spreadsheets: one column named 'tweets', one example per row.",
    "jsonl": "For your own scripts: each line holds the example's text and its sentiment label.",
    "txt": "For GPT-2-style trainers that read one text file: examples separated by <|endoftext|> lines.",
}
SENTIMENT_STYLE_TITLES: dict[str, str] = {
    "metadata": "As metadata: a \"sentiment\" key beside the text (filter or weight by it)",
    "token": "As a control token before the text, e.g. <|sentiment:positive|> (generate in a chosen mood)",
}
DEFAULT_SPLIT_PERCENT = (80, 10, 10)
CHAT_FORMAT = "chat-jsonl"


def file_extension(output_format: str) -> str:
    """The file name's extension for a format: both JSONL flavours are .jsonl files."""
    return "jsonl" if output_format.endswith("jsonl") else output_format


class OutputPage(WizardPage):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setTitle("Output")
        self.setSubTitle("The dataset's format, what the format adds, and the file. Every page of tweets is saved "
                         "as it arrives.")
        defaults = DatasetOptions()
        self.format_combo = QComboBox()
        for output_format in OUTPUT_FORMATS:
            self.format_combo.addItem(OUTPUT_FORMAT_TITLES.get(output_format, output_format), output_format)
        self.format_sentence = QLabel()
        self.format_sentence.setWordWrap(True)

        self.system_prompt_edit = QLineEdit(
            placeholderText="Optional, e.g. You write short, friendly tweets about open-source releases.")
        self.thread_depth_spin = QSpinBox()
        self.thread_depth_spin.setRange(1, MAX_THREAD_DEPTH)
        self.thread_depth_spin.setSuffix(" earlier tweets of the thread, at most")
        # Whether the Options page's replies make conversations: a chat dataset turns them on (follow_chat_format).
        self.replies_note = QLabel()
        self.replies_note.setWordWrap(True)
        self.chat_group = QGroupBox("Chat conversations")
        chat_layout = QVBoxLayout(self.chat_group)
        chat_form = QFormLayout()
        chat_form.addRow("System prompt", self.system_prompt_edit)
        chat_form.addRow("Thread depth", self.thread_depth_spin)
        chat_layout.addLayout(chat_form)
        chat_layout.addWidget(self.replies_note)
        self.sentiment_style_combo = QComboBox()
        for style, title in SENTIMENT_STYLE_TITLES.items():
            self.sentiment_style_combo.addItem(title, style)

        self.split_group = QGroupBox("Split into train, validation and test files")
        self.split_group.setCheckable(True)
        self.split_spins: dict[str, QSpinBox] = {}
        split_row = QHBoxLayout()
        for name, percent in zip(SPLIT_NAMES, DEFAULT_SPLIT_PERCENT, strict=True):
            spin = QSpinBox()
            spin.setRange(0, 100)
            spin.setSuffix(" %")
            spin.setValue(percent)
            self.split_spins[name] = spin
            split_row.addWidget(QLabel(name.capitalize()))
            split_row.addWidget(spin)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2_147_483_647)
        split_row.addWidget(QLabel("Seed"))
        split_row.addWidget(self.seed_spin)
        split_row.addStretch(1)
        self.split_hint = QLabel()
        self.split_hint.setWordWrap(True)
        split_layout = QVBoxLayout(self.split_group)
        split_layout.addLayout(split_row)
        split_layout.addWidget(self.split_hint)

        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.exists_label = message_label(WARNING_STYLE)
        self.error_label = message_label()
        form = QFormLayout()
        format_field = QWidget()  # the sentence under its combo: a wrapped label alone in a form row is mis-sized
        format_layout = QVBoxLayout(format_field)
        format_layout.setContentsMargins(0, 0, 0, 0)
        format_layout.addWidget(self.format_combo)
        format_layout.addWidget(self.format_sentence)
        form.addRow("Format", format_field)
        form.addRow("Sentiment label", self.sentiment_style_combo)
        form.addRow("File", widget_row(self.path_edit, browse))
        form.addRow(self.exists_label)
        self._form = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.chat_group)
        layout.addWidget(self.split_group)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self._default_path: str | None = None
        self._default_folder: Path | None = None  # the last dataset's folder (None: the exports folder)
        self._restoring = False  # showing remembered choices: a format set so is no choice to react to
        self._set_format_fields(defaults)
        self.path_edit.textChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_format)
        self.sentiment_style_combo.currentIndexChanged.connect(self._on_change)
        self.system_prompt_edit.textChanged.connect(self._on_change)
        self.thread_depth_spin.valueChanged.connect(self._on_change)
        self.split_group.toggled.connect(self._on_change)
        for spin in (*self.split_spins.values(), self.seed_spin):
            spin.valueChanged.connect(self._on_change)
        self._on_change()

    # -- what the page describes -----------------------------------------------------------------------
    def output_format(self) -> OutputFormat:
        return self.format_combo.currentData()

    def split(self) -> tuple[float, float, float] | None:
        """The chosen fractions (percent / 100), or None when the dataset is one file."""
        if not self.split_group.isChecked():
            return None
        train, validation, test = (self.split_spins[name].value() / 100 for name in SPLIT_NAMES)
        return train, validation, test

    def apply_to(self, options: DatasetOptions) -> DatasetOptions:
        """`options` (the Options page's) with this page's format, sentiment style, system prompt, thread depth,
        split and seed. Fields the dataset has no use for keep their defaults, so they never make two equal
        datasets differ (nor their downloads two jobs). Raises ValueError with `DatasetOptions`' sentence."""
        defaults = DatasetOptions()
        chat = self.output_format() == CHAT_FORMAT
        split = self.split()
        return dataclasses.replace(
            options,
            output_format=self.output_format(),
            sentiment_style=(self.sentiment_style_combo.currentData() if self._styles_sentiment(options)
                             else defaults.sentiment_style),
            system_prompt=self.system_prompt_edit.text().strip() if chat else defaults.system_prompt,
            thread_depth=self.thread_depth_spin.value() if chat else defaults.thread_depth,
            split=split,
            seed=self.seed_spin.value() if split is not None else defaults.seed,
        )

    def set_remembered(self, options: DatasetOptions | None, folder: Path | None) -> None:
        """Offer the last download's format and its fields, and its folder for the default file (None: nothing
        remembered)."""
        if options is not None:
            self._restoring = True
            try:
                self._set_format_fields(options)
            finally:
                self._restoring = False
        self._default_folder = folder
        self._on_change()

    def output_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def initializePage(self) -> None:
        # Keep a path the user typed; otherwise follow the accounts chosen (they may have changed).
        if not self.path_edit.text().strip() or self.path_edit.text() == self._default_path:
            self._set_default_path()
        self._on_change()

    def isComplete(self) -> bool:
        return not self._problem()

    # -- internals -------------------------------------------------------------------------------------
    def _styles_sentiment(self, options: DatasetOptions) -> bool:
        """Whether the label's place is this page's choice: labels are on, in a chat or text JSONL dataset (the
        other formats have their own layout)."""
        return bool(options.sentiment) and self.output_format() in BUILT_FORMATS

    def _set_format_fields(self, options: DatasetOptions) -> None:
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(options.output_format)))
        self.sentiment_style_combo.setCurrentIndex(
            max(0, self.sentiment_style_combo.findData(options.sentiment_style)))
        self.system_prompt_edit.setText(options.system_prompt)
        self.thread_depth_spin.setValue(options.thread_depth)
        self.split_group.setChecked(options.split is not None)
        if options.split is not None:
            for name, fraction in zip(SPLIT_NAMES, options.split, strict=True):
                self.split_spins[name].setValue(round(fraction * 100))
        self.seed_spin.setValue(options.seed)

    def _set_default_path(self) -> None:
        hint = self.tweet_wizard().accounts_page.selection().name_hint or "tweets"
        folder = self._default_folder
        if folder is None or not folder.is_dir():  # gone since: the exports folder, as on a first run
            folder = paths.exports_dir(self.context.data_dir)
        name = Path(default_output_name(hint)).with_suffix("." + file_extension(self.output_format()))
        self._default_path = str(folder / name)
        self.path_edit.setText(self._default_path)

    def _problem(self) -> str:
        if not self.path_edit.text().strip():
            return "Choose the file to write the dataset to."
        if self.output_path().is_dir():
            return f"{self.output_path()} is a folder: add a file name."
        try:
            self.apply_to(self._earlier_options())
        except ValueError as exc:
            return str(exc)
        return ""

    def _earlier_options(self) -> DatasetOptions:
        """The Options page's options, which this page's fields complete (its defaults before the page is in a
        wizard, or while the Options page has a problem of its own: it says so itself)."""
        if self.wizard() is None:
            return DatasetOptions()
        try:
            return self.tweet_wizard().options_page.options()
        except ValueError:
            return DatasetOptions()

    def _on_format(self) -> None:
        if self.path_edit.text() == self._default_path:
            self._set_default_path()
        else:  # keep the user's name, fix its extension
            path = self.output_path()
            if path.suffix.lstrip(".").lower() in {file_extension(fmt) for fmt in OUTPUT_FORMATS}:
                self.path_edit.setText(str(path.with_suffix("." + file_extension(self.output_format()))))
        if not self._restoring and self.wizard() is not None:
            self.tweet_wizard().options_page.follow_chat_format(self.output_format() == CHAT_FORMAT)
        self._on_change()

    def _on_change(self, *_args: object) -> None:
        output_format = self.output_format()
        self.format_sentence.setText(OUTPUT_FORMAT_SENTENCES.get(output_format, ""))
        self.chat_group.setVisible(output_format == CHAT_FORMAT)
        self._form.setRowVisible(self.sentiment_style_combo, self._styles_sentiment(self._earlier_options()))
        self.replies_note.setText(self._replies_sentence() if output_format == CHAT_FORMAT else "")
        path = self.output_path()
        stem, extension = path.stem or "dataset", file_extension(output_format)
        self.split_hint.setText(
            f"Files {stem}.train.{extension}, {stem}.validation.{extension} and {stem}.test.{extension}: a thread "
            "stays in one split, and the same seed splits the same tweets the same way.")
        exists = bool(self.path_edit.text().strip()) and path.is_file()
        self.exists_label.setText(
            f"{path.name} already exists. If it holds an earlier download of the same accounts with the same options, "
            "that download resumes and appends what is missing (a finished one is not repeated). Otherwise the new "
            "tweets are appended after what the file holds: choose another name for a fresh dataset."
            if exists else "")
        self.error_label.setText(self._problem())
        self.completeChanged.emit()

    def _replies_sentence(self) -> str:
        """What the Options page's "Include replies" means for a chat dataset."""
        if self.wizard() is None:
            return ""
        if not self._earlier_options().include_replies:
            return (f"Replies are off (Options page): every example will be an original post under the prompt "
                    f"“{ORIGINAL_POST_PROMPT}”")
        if self.tweet_wizard().options_page.replies_on_for_chat():
            return ("Replies were turned on for chat: each reply is an example answering the post before it. "
                    "The Options page can turn them off.")
        return ""

    def _browse(self) -> None:
        extension = file_extension(self.output_format())
        path, _ = QFileDialog.getSaveFileName(self, "Dataset file", self.path_edit.text(),
                                              f"{extension.upper()} files (*.{extension});;All files (*)")
        if path:
            self.path_edit.setText(path)
