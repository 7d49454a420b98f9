"""The wizard's Source page: an account's timeline, full-archive search, or the archive chosen on the Accounts
page, with what each can reach and what this profile's credentials allow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from twexport_qt.secrets.credentials import Credentials
from twexport_qt.tweets.sources import SOURCE_KINDS, SOURCE_REACH, SOURCE_TITLES, SourceKind
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext


class SourcePage(WizardPage):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
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
        self._on_change()

    def isComplete(self) -> bool:
        return not self._problem()

    def _problem(self) -> str:
        credentials = self._credentials
        if self.source_kind() is SourceKind.ARCHIVE or credentials is None or credentials.can_call_api:
            return ""
        return (f"Profile {self.context.profile.name!r} has no X credentials: add them in File → Settings, "
                "or go back and read your X archive.")

    def _on_change(self, *_args: object) -> None:
        self.reach_label.setText(SOURCE_REACH[self.source_kind()])
        self.error_label.setText(self._problem())
        self.completeChanged.emit()
