"""The wizard's first page: whose tweets go into the dataset (one account, a list file, or the user's X archive).

What was typed is read by `tweets/account_selection.py`; this page shows its sentence (Next stays disabled
while there is one), a list file's usernames and its skipped lines. In the Sandbox, whose followers post nothing,
it names the simulated accounts that have tweets; a click on one fills it in.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.sandbox.tweets_world import SandboxTweetAccount
from twexport_qt.tweets.account_selection import (
    AccountSelection,
    AccountsMode,
    select_archive,
    select_list_file,
    select_one_account,
)
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label, widget_row

_MODE_ORDER = tuple(AccountsMode)  # the radios and the stacked panels, top to bottom


class AccountsPage(WizardPage):
    def __init__(self, parent: QWidget | None = None, *,
                 sandbox_accounts: Sequence[SandboxTweetAccount] = ()) -> None:
        super().__init__(parent)
        self.setTitle("Accounts")
        self.setSubTitle("Whose tweets go into the dataset?")
        self.sandbox_hint = _sandbox_hint(sandbox_accounts)
        self.sandbox_hint.linkActivated.connect(self.use_account)
        self.one_radio = QRadioButton("One account")
        self.list_radio = QRadioButton("A list file (.txt, one username per line)")
        self.archive_radio = QRadioButton("My X archive (.zip or extracted folder)")
        self.mode_group = QButtonGroup(self)
        for radio in (self.one_radio, self.list_radio, self.archive_radio):
            self.mode_group.addButton(radio)
        self.one_radio.setChecked(True)

        self.username_edit = QLineEdit(placeholderText="username, @username or profile URL")
        self.list_path_edit = QLineEdit(placeholderText="path to a .txt file")
        self.list_preview = QListWidget()
        self.list_preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list_warnings = message_label(WARNING_STYLE)
        self.archive_path_edit = QLineEdit(placeholderText="path to the archive .zip or its folder")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._one_panel())
        self.stack.addWidget(self._list_panel())
        self.stack.addWidget(self._archive_panel())
        self.error_label = message_label()

        layout = QVBoxLayout(self)
        layout.addWidget(self.sandbox_hint)
        for radio in (self.one_radio, self.list_radio, self.archive_radio):
            layout.addWidget(radio)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)

        # isComplete runs often (every completeChanged): the list file is read once per path typed.
        self._list_path_read: str | None = None
        self._list_selection = AccountSelection(AccountsMode.LIST)
        self.mode_group.buttonToggled.connect(self._on_change)
        for edit in (self.username_edit, self.list_path_edit, self.archive_path_edit):
            edit.textChanged.connect(self._on_change)
        self._on_change()

    def mode(self) -> AccountsMode:
        if self.list_radio.isChecked():
            return AccountsMode.LIST
        return AccountsMode.ARCHIVE if self.archive_radio.isChecked() else AccountsMode.ONE

    def selection(self) -> AccountSelection:
        mode = self.mode()
        if mode is AccountsMode.ONE:
            return select_one_account(self.username_edit.text())
        if mode is AccountsMode.LIST:
            return self._listed()
        return select_archive(self.archive_path_edit.text())

    def isComplete(self) -> bool:
        return not self.selection().error

    @Slot(str)
    def use_account(self, username: str) -> None:
        """Download `username` (a Sandbox account named in the hint) as the one account."""
        self.one_radio.setChecked(True)
        self.username_edit.setText(username)

    # -- internals -------------------------------------------------------------------------------------
    def _listed(self) -> AccountSelection:
        path = self.list_path_edit.text()
        if path != self._list_path_read:
            self._list_path_read, self._list_selection = path, select_list_file(path)
        return self._list_selection

    def _on_change(self, *_args: object) -> None:
        self.stack.setCurrentIndex(_MODE_ORDER.index(self.mode()))
        selection = self.selection()
        self.error_label.setText(selection.error)
        if selection.mode is AccountsMode.LIST:
            self.list_preview.clear()
            self.list_preview.addItems(list(selection.sources))
            self.list_warnings.setText("\n".join(selection.problems))
        self.completeChanged.emit()

    def _one_panel(self) -> QWidget:
        panel = QWidget()  # a line edit alone in the stack would be stretched to the page's height
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.username_edit)
        layout.addStretch(1)
        return panel

    def _list_panel(self) -> QWidget:
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_list)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(widget_row(self.list_path_edit, browse))
        layout.addWidget(self.list_preview, 1)
        layout.addWidget(self.list_warnings)
        return panel

    def _archive_panel(self) -> QWidget:
        zip_browse = QPushButton("Zip file…")
        zip_browse.clicked.connect(self._browse_archive_zip)
        folder_browse = QPushButton("Folder…")
        folder_browse.clicked.connect(self._browse_archive_folder)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(widget_row(self.archive_path_edit, zip_browse, folder_browse))
        layout.addStretch(1)
        return panel

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


def _sandbox_hint(accounts: Sequence[SandboxTweetAccount]) -> QLabel:
    """The Sandbox's accounts with tweets, each a link that fills it in; hidden outside the Sandbox (no accounts)."""
    links = ", ".join(f'<a href="{html.escape(account.username)}">@{html.escape(account.username)}</a> '
                      f"({account.tweet_count:,} tweets)" for account in accounts)
    label = QLabel(f"In the Sandbox, these simulated accounts have tweets: {links}. Click one to download it. "
                   "The Sandbox's followers post nothing, so a download of one of them gets no tweets.")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    label.setVisible(bool(accounts))
    return label
