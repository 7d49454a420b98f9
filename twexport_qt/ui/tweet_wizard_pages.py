"""The pages of the tweet-download wizard: accounts, source, options, output file, progress, summary.

Each page validates its own input in `isComplete` (so Next is disabled with a sentence next to the cause) and
exposes typed getters; `TweetDownloadWizard` assembles them into a `DownloadRequest`. Nothing here touches the
network or SQL: the download runs as a job, and the only file reads are the small usernames list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer, QTimeZone, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QListWidget, QProgressBar, QPushButton, QRadioButton, QSpinBox, QStackedWidget, QTableView,
    QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from twexport_qt import paths
from twexport_qt.core.errors import ConfigError
from twexport_qt.core.progress import Progress
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.tweets.dataset_format import ReplyContext, format_example
from twexport_qt.tweets.download import DownloadProgress, DownloadSummary
from twexport_qt.tweets.options import OUTPUT_FORMATS, SENTIMENT_CATEGORIES, DatasetOptions
from twexport_qt.tweets.output_writers import default_output_name
from twexport_qt.tweets.sources import (
    SOURCE_ARCHIVE, SOURCE_KINDS, SOURCE_REACH, SOURCE_SEARCH, SOURCE_TIMELINE, SOURCE_TITLES,
)
from twexport_qt.tweets.usernames import normalize_username, parse_usernames, read_usernames_file, username_problem
from twexport_qt.ui.countdown import Countdown
from twexport_qt.ui.rows_table_model import RowsTableModel
from twexport_qt.ui.widgets import OptionalDateTimeEdit

if TYPE_CHECKING:
    from twexport_qt.ui.tweet_wizard import TweetDownloadWizard

WARNING_STYLE = "QLabel { color: #9a6700; }"
ERROR_STYLE = "QLabel { color: #b00020; }"

# The seed's label sets, shown so users know what they are choosing.
SENTIMENT_CHOICES: dict[int, str] = {
    0: "No labels",
    3: "3: POSITIVE, NEUTRAL, NEGATIVE",
    5: "5: VERY POSITIVE, POSITIVE, NEUTRAL, NEGATIVE, VERY NEGATIVE",
    7: "7: EXTREMELY POSITIVE … NEUTRAL … EXTREMELY NEGATIVE",
}
OUTPUT_FORMAT_TITLES: dict[str, str] = {
    "csv": "CSV, one 'tweets' column (gpt-2-simple)",
    "jsonl": "JSON Lines: text and label",
    "txt": "Plain text, <|endoftext|> between examples",
}
FIRST_TWEET = datetime(2006, 3, 21, tzinfo=timezone.utc)  # the seed's default start: every tweet ever
_EXAMPLE_TWEET = "Shipping the new release today, thanks for all the feedback!"
_EXAMPLE_CONTEXT = ReplyContext(root_text="What are you all working on this week?",
                                in_reply_to_text="Any news on the release?")


def _message_label(style: str = ERROR_STYLE) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


def open_folder(path: Path) -> None:
    """Show `path` (a folder) in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class _WizardPage(QWizardPage):
    def tweet_wizard(self) -> TweetDownloadWizard:
        return self.wizard()  # type: ignore[return-value]

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        # A disabled Next button is not enough: QWizard.next() (Enter key, tests) only asks validatePage.
        return self.isComplete()


# ----- (a) accounts ---------------------------------------------------------------------------------------

ACCOUNTS_ONE, ACCOUNTS_LIST, ACCOUNTS_ARCHIVE = "one", "list", "archive"


@dataclass(frozen=True)
class AccountSelection:
    """What the Accounts page chose: usernames (one or a list file) or an archive path."""

    mode: str  # one | list | archive
    sources: tuple[str, ...]  # usernames, or the archive path
    name_hint: str  # what the default output file is named after
    problems: tuple[str, ...] = ()  # skipped lines of a list file
    error: str = ""  # why the selection cannot be used; empty when it can

    @property
    def is_archive(self) -> bool:
        return self.mode == ACCOUNTS_ARCHIVE


class AccountsPage(_WizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Accounts")
        self.setSubTitle("Whose tweets go into the dataset?")
        self.one_radio = QRadioButton("One account")
        self.list_radio = QRadioButton("A list file (.txt, one username per line)")
        self.archive_radio = QRadioButton("My X archive (.zip or extracted folder)")
        self.mode_group = QButtonGroup(self)
        for radio in (self.one_radio, self.list_radio, self.archive_radio):
            self.mode_group.addButton(radio)
        self.one_radio.setChecked(True)

        self.username_edit = QLineEdit(placeholderText="username, @username or profile URL")
        self.list_path_edit = QLineEdit(placeholderText="path to a .txt file")
        list_browse = QPushButton("Browse…")
        list_browse.clicked.connect(self._browse_list)
        self.list_preview = QListWidget()
        self.list_preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list_warnings = _message_label(WARNING_STYLE)
        self.archive_path_edit = QLineEdit(placeholderText="path to the archive .zip or its folder")
        zip_browse = QPushButton("Zip file…")
        zip_browse.clicked.connect(self._browse_archive_zip)
        folder_browse = QPushButton("Folder…")
        folder_browse.clicked.connect(self._browse_archive_folder)

        self.stack = QStackedWidget()
        one_panel = QWidget()  # a line edit alone in the stack would be stretched to the page's height
        one_layout = QVBoxLayout(one_panel)
        one_layout.setContentsMargins(0, 0, 0, 0)
        one_layout.addWidget(self.username_edit)
        one_layout.addStretch(1)
        self.stack.addWidget(one_panel)
        list_panel = QWidget()
        list_layout = QVBoxLayout(list_panel)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(_row(self.list_path_edit, list_browse))
        list_layout.addWidget(self.list_preview, 1)
        list_layout.addWidget(self.list_warnings)
        self.stack.addWidget(list_panel)
        archive_panel = QWidget()
        archive_layout = QVBoxLayout(archive_panel)
        archive_layout.setContentsMargins(0, 0, 0, 0)
        archive_layout.addLayout(_row(self.archive_path_edit, zip_browse, folder_browse))
        archive_layout.addStretch(1)
        self.stack.addWidget(archive_panel)
        self.error_label = _message_label()

        layout = QVBoxLayout(self)
        for radio in (self.one_radio, self.list_radio, self.archive_radio):
            layout.addWidget(radio)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)

        self._list_cache: tuple[str, AccountSelection] | None = None
        self.mode_group.buttonToggled.connect(self._on_change)
        for edit in (self.username_edit, self.list_path_edit, self.archive_path_edit):
            edit.textChanged.connect(self._on_change)
        self._on_change()

    def mode(self) -> str:
        if self.list_radio.isChecked():
            return ACCOUNTS_LIST
        return ACCOUNTS_ARCHIVE if self.archive_radio.isChecked() else ACCOUNTS_ONE

    def selection(self) -> AccountSelection:
        mode = self.mode()
        if mode == ACCOUNTS_ONE:
            return self._one_account()
        if mode == ACCOUNTS_LIST:
            return self._list_file()
        return self._archive()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.selection().error

    def _on_change(self, *_args: object) -> None:
        self.stack.setCurrentIndex((ACCOUNTS_ONE, ACCOUNTS_LIST, ACCOUNTS_ARCHIVE).index(self.mode()))
        selection = self.selection()
        self.error_label.setText(selection.error)
        if selection.mode == ACCOUNTS_LIST:
            self._show_list(selection)
        self.completeChanged.emit()

    def _one_account(self) -> AccountSelection:
        text = self.username_edit.text().strip()
        username = normalize_username(text)
        if not text:
            return AccountSelection(ACCOUNTS_ONE, (), "", error="Type the username of the account to download.")
        reason = username_problem(username)
        if reason is not None:
            return AccountSelection(ACCOUNTS_ONE, (), "", error=f"{text!r} is not a valid X username: {reason}.")
        return AccountSelection(ACCOUNTS_ONE, (username,), username)

    def _list_file(self) -> AccountSelection:
        text = self.list_path_edit.text().strip()
        if not text:
            return AccountSelection(ACCOUNTS_LIST, (), "", error="Choose a .txt file listing one username per line.")
        # isComplete runs often (every completeChanged); read the file once per path typed.
        if self._list_cache is not None and self._list_cache[0] == text:
            return self._list_cache[1]
        selection = read_list_file(Path(text).expanduser())
        self._list_cache = (text, selection)
        return selection

    def _archive(self) -> AccountSelection:
        text = self.archive_path_edit.text().strip()
        if not text:
            return AccountSelection(ACCOUNTS_ARCHIVE, (), "",
                                    error="Choose the archive X sent you: the .zip, or the folder you extracted.")
        path = Path(text).expanduser()
        if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
            return AccountSelection(ACCOUNTS_ARCHIVE, (), "",
                                    error=f"{path} is neither a .zip file nor a folder: choose the X archive.")
        return AccountSelection(ACCOUNTS_ARCHIVE, (str(path.resolve()),), path.stem)

    def _show_list(self, selection: AccountSelection) -> None:
        self.list_preview.clear()
        self.list_preview.addItems(list(selection.sources))
        self.list_warnings.setText("\n".join(selection.problems))

    def _browse_list(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Usernames file", "", "Text files (*.txt);;All files (*)")
        if path:
            self.list_path_edit.setText(path)

    def _browse_archive_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "X archive", "", "Zip archives (*.zip)")
        if path:
            self.archive_path_edit.setText(path)

    def _browse_archive_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Extracted X archive")
        if path:
            self.archive_path_edit.setText(path)


def read_list_file(path: Path) -> AccountSelection:
    """Parse a usernames file into a selection: bad lines and duplicates become warnings, not errors."""
    try:
        listed = read_usernames_file(path)
    except ConfigError as exc:
        return AccountSelection(ACCOUNTS_LIST, (), "", error=exc.user_message)
    problems = [f"Skipped — {problem}" for problem in listed.problems]
    problems += [f"Skipped — {line}" for line in _duplicate_lines(path)]
    if not listed.usernames:
        return AccountSelection(ACCOUNTS_LIST, (), "", tuple(problems),
                                error=f"{path.name} lists no valid username: fix the lines above or choose "
                                      "another file.")
    return AccountSelection(ACCOUNTS_LIST, tuple(listed.usernames), str(path), tuple(problems))


def _duplicate_lines(path: Path) -> list[str]:
    """`parse_usernames` drops repeated names silently; name their lines so users can tidy the file."""
    seen: set[str] = set()
    duplicates = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        names = parse_usernames(line).usernames
        if not names:
            continue
        key = names[0].lower()
        if key in seen:
            duplicates.append(f"Line {number} ({line.strip()!r}): @{names[0]} is listed more than once")
        seen.add(key)
    return duplicates


def _row(*widgets: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.addWidget(widgets[0], 1)
    for widget in widgets[1:]:
        layout.addWidget(widget)
    return layout


# ----- (b) source -----------------------------------------------------------------------------------------

class SourcePage(_WizardPage):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setTitle("Source")
        self.setSubTitle("Where should the tweets come from?")
        self.radios: dict[str, QRadioButton] = {}
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for kind in SOURCE_KINDS:
            radio = QRadioButton(SOURCE_TITLES[kind])
            self.radios[kind] = radio
            self.group.addButton(radio)
            layout.addWidget(radio)
        self.radios[SOURCE_TIMELINE].setChecked(True)
        self._credentials: Credentials | None = None  # read when the page is entered
        self.reach_label = QLabel()
        self.reach_label.setWordWrap(True)
        self.note_label = _message_label(WARNING_STYLE)
        self.error_label = _message_label()
        layout.addSpacing(8)
        layout.addWidget(self.reach_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._on_change)

    def source_kind(self) -> str:
        return next((kind for kind, radio in self.radios.items() if radio.isChecked()), SOURCE_TIMELINE)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        # The archive is chosen on the Accounts page; the API sources depend on this profile's credentials.
        archive = self.tweet_wizard().accounts_page.selection().is_archive
        # Read once per visit: for an X profile this is a keyring read, too slow for every completeChanged.
        self._credentials = credentials = self.context.credentials()
        notes = []
        self.radios[SOURCE_ARCHIVE].setEnabled(archive)
        self.radios[SOURCE_TIMELINE].setEnabled(not archive)
        self.radios[SOURCE_SEARCH].setEnabled(not archive and credentials.has_bearer)
        if archive:
            self.radios[SOURCE_ARCHIVE].setChecked(True)
            if not credentials.can_call_api:
                notes.append("This profile has no X credentials: replies to tweets outside the archive get "
                             "empty parent sections in the reply format.")
        else:
            if not self.radios[self.source_kind()].isEnabled():
                self.radios[SOURCE_TIMELINE].setChecked(True)
            if not credentials.has_bearer:
                notes.append("Full-archive search needs a Bearer token, and this profile has none: add it in "
                             "File → Settings to search.")
            notes.append("To read your own X archive instead, choose \"My X archive\" on the Accounts page.")
        self.note_label.setText("\n".join(notes))
        self._on_change()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self._problem()

    def _problem(self) -> str:
        credentials = self._credentials
        if self.source_kind() == SOURCE_ARCHIVE or credentials is None:
            return ""
        if not credentials.can_call_api:
            return (f"Profile {self.context.profile.name!r} has no X credentials: add them in File → Settings, "
                    "or go back and read your X archive.")
        return ""

    def _on_change(self, *_args: object) -> None:
        self.reach_label.setText(SOURCE_REACH[self.source_kind()])
        self.error_label.setText(self._problem())
        self.completeChanged.emit()


# ----- (c) options ----------------------------------------------------------------------------------------

class OptionsPage(_WizardPage):
    def __init__(self, clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Options")
        self.setSubTitle("What goes into the dataset, and how each example is laid out.")
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 1_000_000_000)
        self.limit_spin.setSpecialValueText("All reachable tweets")
        self.limit_spin.setSuffix(" tweets per account")
        self.limit_spin.setGroupSeparatorShown(True)
        self.replies_box = QCheckBox("Include replies")
        self.links_box = QCheckBox("Include tweets with links (the links are removed from the text)")
        self.links_box.setChecked(True)
        self.quotes_box = QCheckBox("Include quote tweets")
        self.usertags_box = QCheckBox("Strip @usertags")
        self.hashtags_box = QCheckBox("Strip #hashtags")
        self.sentiment_combo = QComboBox()
        for categories in SENTIMENT_CATEGORIES:
            self.sentiment_combo.addItem(SENTIMENT_CHOICES[categories], categories)
        self.format_combo = QComboBox()
        self.format_combo.addItem("Simple: the tweet text", "simple")
        self.format_combo.addItem("Reply: the thread it answers, to train replies", "reply")
        self.example_label = QLabel()
        self.example_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.example_label.setStyleSheet("QLabel { background: palette(base); padding: 4px; }")
        self.start_edit = OptionalDateTimeEdit("From (UTC)")
        self.start_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(FIRST_TWEET.timestamp()), QTimeZone.utc()))
        self.end_edit = OptionalDateTimeEdit("Until (UTC)")
        self.end_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(clock.now()), QTimeZone.utc()))
        timeframe_hint = QLabel("Without a start, every tweet from the first ones (21 March 2006) on; "
                                "without an end, up to now.")
        timeframe_hint.setWordWrap(True)
        self.error_label = _message_label()

        form = QFormLayout(self)
        form.addRow("Limit", self.limit_spin)
        for box in (self.replies_box, self.links_box, self.quotes_box, self.usertags_box, self.hashtags_box):
            form.addRow("", box)
        form.addRow("Sentiment labels", self.sentiment_combo)
        form.addRow("Text format", self.format_combo)
        form.addRow("Example", self.example_label)
        form.addRow("Timeframe", self.start_edit)
        form.addRow("", self.end_edit)
        form.addRow("", timeframe_hint)
        form.addRow(self.error_label)

        self.sentiment_combo.currentIndexChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_change)
        self.start_edit.changed.connect(self._on_change)
        self.end_edit.changed.connect(self._on_change)
        self._on_change()

    def options(self) -> DatasetOptions:
        """The chosen options (output format csv until the Output page says otherwise). Raises ValueError."""
        return DatasetOptions(
            limit=self.limit_spin.value() or None,
            include_replies=self.replies_box.isChecked(),
            include_links=self.links_box.isChecked(),
            include_quotes=self.quotes_box.isChecked(),
            strip_usertags=self.usertags_box.isChecked(),
            strip_hashtags=self.hashtags_box.isChecked(),
            sentiment=int(self.sentiment_combo.currentData()),
            text_format=self.format_combo.currentData(),
            start=self.start_edit.value(),
            end=self.end_edit.value(),
        )

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self._problem()

    def _problem(self) -> str:
        try:
            self.options()
        except ValueError as exc:
            return str(exc)
        return ""

    def _on_change(self, *_args: object) -> None:
        label = "POSITIVE" if self.sentiment_combo.currentData() else None
        self.example_label.setText(format_example(_EXAMPLE_TWEET, label=label, reply_context=_EXAMPLE_CONTEXT,
                                                  text_format=self.format_combo.currentData()))
        self.error_label.setText(self._problem())
        self.completeChanged.emit()


# ----- (d) output file ------------------------------------------------------------------------------------

class OutputPage(_WizardPage):
    def __init__(self, context, parent: QWidget | None = None) -> None:
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
        self.exists_label = _message_label(WARNING_STYLE)
        self.error_label = _message_label()
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("File", _row(self.path_edit, browse))
        form.addRow(self.exists_label)
        form.addRow(self.error_label)
        self._default_path: str | None = None
        self.path_edit.textChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_format)

    def output_format(self) -> str:
        return self.format_combo.currentData()

    def output_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        # Keep a path the user typed; otherwise follow the accounts chosen (they may have changed).
        if not self.path_edit.text().strip() or self.path_edit.text() == self._default_path:
            self._set_default_path()
        self._on_change()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self._problem()

    def _set_default_path(self) -> None:
        hint = self.tweet_wizard().accounts_page.selection().name_hint or "tweets"
        folder = paths.exports_dir(self.context.data_dir)
        self._default_path = str(folder / default_output_name(hint, self.output_format()))
        self.path_edit.setText(self._default_path)

    def _problem(self) -> str:
        text = self.path_edit.text().strip()
        if not text:
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


# ----- (e) progress ---------------------------------------------------------------------------------------

ACCOUNT_HEADERS = ("Account", "State", "Read", "Written", "Filtered out")
_ENDED = ("succeeded", "cancelled", "failed")


class ProgressPage(_WizardPage):
    """Runs the download as a job (started when the page is entered) and follows it until it ends."""

    def __init__(self, context, jobs, job_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.job_name = job_name
        self.setTitle("Downloading")
        self.setSubTitle("Every page of tweets is saved as it arrives: stopping loses nothing. Closing this window "
                         "does not stop the download: the status bar keeps showing it.")
        # The wizard's own Cancel would read as "stop the download", which it is not: Cancel download is.
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.model = RowsTableModel(ACCOUNT_HEADERS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.bar = QProgressBar()
        self.status_label = QLabel("Starting…")
        self.status_label.setWordWrap(True)
        self.wait_label = _message_label(WARNING_STYLE)
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setToolTip("Stops after the current request. The download stays resumable.")
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue where the download stopped: nothing is fetched or written twice.")
        self.resume_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.wait_label)
        layout.addWidget(self.outcome_label)
        layout.addLayout(_row(QWidget(), self.resume_button, self.cancel_button))

        self._rows: list[list] = []
        self._worker = None
        self._outcome: str | None = None  # None until the job ends (or could not start)
        self._ending: tuple[str, str] | None = None  # the outcome, applied once the job's thread is gone
        self.stop_message = ""
        self.countdown = Countdown(self.wait_label, context.clock.now)
        # jobEnded (unlike the worker's own signals) is connected before any job starts: no outcome is missed.
        jobs.jobEnded.connect(self._on_job_ended)

    # -- state -----------------------------------------------------------------------------------------
    @property
    def outcome(self) -> str | None:
        return self._outcome

    def is_running(self) -> bool:
        return self._worker is not None and self._outcome is None

    def account_rows(self) -> list[tuple]:
        return [tuple(row) for row in self._rows]

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self._outcome in _ENDED

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.start()

    # -- the job ---------------------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        wizard = self.tweet_wizard()
        try:
            request = wizard.request()
            job = wizard.download_job()
        except ValueError as exc:  # the earlier pages validate; this only guards against a changed file system
            self._end("failed", str(exc))
            return
        wizard.summary = None
        self._outcome = None
        self.stop_message = ""
        self._reset_rows(request.sources, request.source_kind == SOURCE_ARCHIVE)
        self.bar.setRange(0, 0)
        self.status_label.setText("Looking up the accounts…")
        self.outcome_label.setText("")
        self._clear_wait()
        self.resume_button.hide()
        self.cancel_button.setEnabled(True)
        self.completeChanged.emit()
        worker = self.jobs.start(self.job_name, "Downloading tweets", job, on_success=self._on_success)
        if worker is None:
            self._worker = None
            self._end("refused", "Another tweet download is running: wait for it to finish (or cancel it in the "
                                 "status bar), then press Resume.")
            return
        self._worker = worker
        self._ending = None
        # A report emitted before these connections is shown by the status-bar panel; the next one lands here.
        worker.progressed.connect(self.show_progress)
        worker.waiting.connect(self.show_wait)
        # The job counts as ended when its thread has finished: only then does the controller accept a new
        # one (Resume). Every signal of the job is queued before this one, so the outcome is known by then.
        thread = worker.thread()
        thread.finished.connect(self._on_thread_finished)
        if thread.isFinished():  # a job fast enough to end before the connection
            QTimer.singleShot(0, self._on_thread_finished)

    @Slot()
    def cancel(self) -> None:
        if self.is_running():
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Cancelling after the current request…")
            self._worker.cancel()

    @Slot(object)
    def _on_success(self, summary: DownloadSummary) -> None:
        self.tweet_wizard().summary = summary
        self._rows = [[a.username, _OUTCOME_TITLES.get(a.state, a.state), a.fetched, a.written, a.skipped]
                      for a in summary.accounts]
        self.model.set_rows(self.account_rows())
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self._ending = ("succeeded", f"Done: {summary.written_total:,} tweets in {summary.output_path.name}. "
                                     "Press Next for the summary.")

    @Slot(str, str)
    def _on_job_ended(self, name: str, outcome: str) -> None:
        if name != self.job_name or not self.is_running() or outcome == "succeeded":
            return  # success is handled by _on_success, which carries the summary
        path = self.tweet_wizard().output_page.output_path()
        if outcome == "cancelled":
            self._ending = ("cancelled", f"Cancelled. Everything downloaded so far is saved in {path}. The "
                                         "download is resumable: press Resume, or run it again later with the "
                                         "same accounts, options and file, and it continues where it stopped.")
        else:
            reason = self.jobs.last_error or "The download stopped."
            self._ending = ("failed", f"{reason} What was downloaded is saved in {path}; press Resume to retry "
                                      "from where it stopped.")

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._worker is None:
            return  # already ended (the fast-job path can report twice)
        self._end(*(self._ending or ("failed", "The download stopped unexpectedly: press Resume to retry.")))

    def _end(self, outcome: str, message: str) -> None:
        self._outcome = outcome
        self._worker = None
        self.stop_message = message
        self._clear_wait()
        self.cancel_button.setEnabled(False)
        self.resume_button.setVisible(outcome != "succeeded")
        if outcome != "succeeded":
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            for row in self._rows:
                if row[1] == "downloading":
                    row[1] = "stopped"
            self.model.set_rows(self.account_rows())
        self.outcome_label.setText(message)
        self.completeChanged.emit()

    # -- reports from the job --------------------------------------------------------------------------
    def _reset_rows(self, sources: tuple[str, ...], archive: bool) -> None:
        names = [Path(sources[0]).name] if archive and sources else list(sources)
        self._rows = [[name, "waiting", 0, 0, 0] for name in names]
        self.model.set_rows(self.account_rows())

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self._clear_wait()
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        else:
            self.bar.setRange(0, 0)
        self.status_label.setText(f"{progress.done:,} tweets written · {progress.describe()}")
        if isinstance(progress, DownloadProgress) and progress.account_count:
            self._show_account(progress)

    def _show_account(self, progress: DownloadProgress) -> None:
        # The job knows X's spelling of each name, and (for an archive) the owner's name: it wins.
        count, index = progress.account_count, progress.account_number - 1
        self._rows = (self._rows + [["", "waiting", 0, 0, 0] for _ in range(count)])[:count]
        for row in self._rows[:index]:
            if row[1] == "downloading":
                row[1] = "done"
        self._rows[index] = [progress.account, "downloading", progress.fetched, progress.written, progress.skipped]
        self.model.set_rows(self.account_rows())

    @Slot(object)
    def show_wait(self, notice: WaitNotice) -> None:
        self.countdown.start(notice)

    def countdown_text(self) -> str:
        return self.wait_label.text()

    def _clear_wait(self) -> None:
        self.countdown.stop()
        self.wait_label.setText("")


_OUTCOME_TITLES = {"done": "done", "skipped": "skipped", "running": "stopped", "pending": "not started"}


# ----- (f) summary ----------------------------------------------------------------------------------------

class SummaryPage(_WizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Summary")
        self.setFinalPage(True)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.model = RowsTableModel(("Account", "Outcome", "Read", "Written", "Filtered out", "Reason"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
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
        layout.addWidget(self.table, 1)
        layout.addLayout(_row(self.path_label, self.open_button))
        layout.addWidget(self.hint_label)
        self._output: Path | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self.tweet_wizard()
        summary = wizard.summary
        if summary is None:
            self._output = wizard.output_page.output_path()
            self.totals_label.setText(wizard.progress_page.stop_message)
            self.model.set_rows([(*row, "") for row in wizard.progress_page.account_rows()])
        else:
            self._output = summary.output_path
            self.totals_label.setText(summary_text(summary))
            self.model.set_rows([(a.username, _OUTCOME_TITLES.get(a.state, a.state), a.fetched, a.written,
                                  a.skipped, a.message) for a in summary.accounts])
        self.path_label.setText(f"Dataset file: {self._output}")

    def open_output_folder(self) -> None:
        if self._output is not None:
            open_folder(self._output.parent)


def summary_text(summary: DownloadSummary) -> str:
    if summary.already_complete:
        return (f"This download had already finished: {summary.written_total:,} tweets are in the file. "
                "Nothing was fetched again.")
    skipped = len(summary.problems)
    parts = [f"{summary.written_now:,} tweets written in this run ({summary.fetched_now:,} read)",
             f"{summary.written_total:,} in the file from this download"
             + (", earlier runs included" if summary.resumed else "")]
    if skipped:
        parts.append(f"{skipped} account{'s' if skipped != 1 else ''} skipped (see why below)")
    return "; ".join(parts) + "."
