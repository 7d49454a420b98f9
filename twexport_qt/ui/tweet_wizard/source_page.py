"""The wizard's Source page: an account's timeline, full-archive search, the archive chosen on the Accounts page,
or the tweets of these accounts already downloaded (free), with what each can reach and what this profile's
credentials allow.

Whether tweets of the accounts are stored is read in a task thread when the page is entered (a count over the
`tweets` table); until it answers, the free choice stays disabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from twexport_qt.secrets.credentials import Credentials
from twexport_qt.tweets.sources import SOURCE_KINDS, SOURCE_REACH, SOURCE_TITLES, SourceKind
from twexport_qt.tweets.stored_source import StoredTweets
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label
from twexport_qt.workers.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext


STORED_TASK = "tweet-wizard-stored-tweets"


class SourcePage(WizardPage):
    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = tasks
        self.stored: StoredTweets | None = None  # the chosen accounts' stored tweets, once read
        self._stored_task: TaskHandle | None = None
        self.setTitle("Source")
        self.setSubTitle("Where should the tweets come from?")
        self.radios: dict[SourceKind, QRadioButton] = {}
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for kind in SOURCE_KINDS:
            radio = QRadioButton(SOURCE_TITLES[kind])
            self.radios[kind] = radio
            self.group.addButton(radio)
            layout.addWidget(radio)
        self.radios[SourceKind.TIMELINE].setChecked(True)
        self._credentials: Credentials | None = None  # read when the page is entered
        self._chose_stored = False  # the stored tweets were chosen before the page was entered again
        self.reach_label = QLabel()
        self.reach_label.setWordWrap(True)
        self.note_label = message_label(WARNING_STYLE)
        self.error_label = message_label()
        layout.addSpacing(8)
        layout.addWidget(self.reach_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._on_change)

    def source_kind(self) -> SourceKind:
        return next((kind for kind, radio in self.radios.items() if radio.isChecked()), SourceKind.TIMELINE)

    def initializePage(self) -> None:
        # The archive is chosen on the Accounts page; the API sources depend on this profile's credentials.
        archive = self.tweet_wizard().accounts_page.selection().is_archive
        # Read once per visit: for an X profile this is a keyring read, too slow for every completeChanged.
        self._credentials = credentials = self.context.credentials()
        notes: list[str] = []
        self.radios[SourceKind.ARCHIVE].setEnabled(archive)
        self.radios[SourceKind.TIMELINE].setEnabled(not archive)
        self.radios[SourceKind.SEARCH].setEnabled(not archive and credentials.has_bearer)
        # Until the count of stored tweets says there are some; a choice of it from an earlier visit comes back then.
        self._chose_stored = self.source_kind() is SourceKind.STORED
        self.radios[SourceKind.STORED].setEnabled(False)
        if archive:
            self.radios[SourceKind.ARCHIVE].setChecked(True)
            if not credentials.can_call_api:
                notes.append("This profile has no X credentials: replies to tweets outside the archive get "
                             "empty parent sections in the reply format.")
        else:
            if not self.radios[self.source_kind()].isEnabled():
                self.radios[SourceKind.TIMELINE].setChecked(True)
            if not credentials.has_bearer:
                notes.append("Full-archive search needs a Bearer token, and this profile has none: add it in "
                             "File → Settings to search.")
            notes.append("To read your own X archive instead, choose \"My X archive\" on the Accounts page.")
        self.note_label.setText("\n".join(notes))
        self._read_stored(() if archive else self.tweet_wizard().accounts_page.selection().sources)
        self._on_change()

    def _read_stored(self, usernames: tuple[str, ...]) -> None:
        """Count the accounts' stored tweets (off the GUI thread): the free choice needs some."""
        if self._stored_task is not None:
            self._stored_task.discard()  # the accounts changed since: its answer is for others
        self.stored = None
        if not usernames:
            return
        downloads = self.context.downloads
        self._stored_task = self.tasks.run_task("Counting the tweets already downloaded",
                                                lambda: downloads.stored_tweets(usernames), self._show_stored,
                                                key=STORED_TASK, owner=self)

    def _show_stored(self, stored: StoredTweets) -> None:
        self.stored = stored
        self.radios[SourceKind.STORED].setEnabled(stored.total > 0)
        if self._chose_stored and stored.total > 0 and self.source_kind() is SourceKind.TIMELINE:
            self.radios[SourceKind.STORED].setChecked(True)
        self._on_change()

    def isComplete(self) -> bool:
        return not self._problem()

    def _problem(self) -> str:
        credentials = self._credentials
        if self.source_kind() in (SourceKind.ARCHIVE, SourceKind.STORED):
            return ""  # neither needs X
        if credentials is None or credentials.can_call_api:
            return ""
        stored = "choose the tweets already downloaded, " if self.radios[SourceKind.STORED].isEnabled() else ""
        return (f"Profile {self.context.profile.name!r} has no X credentials: add them in File → Settings, "
                f"{stored}or go back and read your X archive.")

    def _stored_sentence(self) -> str:
        """How many tweets the free choice draws from, and which accounts it has none of."""
        stored = self.stored
        if stored is None or stored.total == 0:
            return ""
        sentence = f"{stored.total:,} tweets of these accounts are stored."
        if stored.missing:
            sentence += (f" Nothing is stored of {', '.join('@' + name for name in stored.missing)}: "
                         "those accounts would be skipped.")
        return sentence

    def _on_change(self, *_args: object) -> None:
        kind = self.source_kind()
        reach = SOURCE_REACH[kind]
        if kind is SourceKind.STORED and (stored := self._stored_sentence()):
            reach = f"{reach}\n{stored}"
        self.reach_label.setText(reach)
        self.error_label.setText(self._problem())
        self.completeChanged.emit()
