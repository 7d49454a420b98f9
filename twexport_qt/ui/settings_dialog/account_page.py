"""Settings → X account: a profile's API credentials, which go to the keyring (SecretStore), never into the
settings file. Edits wait here until the dialog is saved, so Cancel leaves the keyring as it was."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from twexport_qt.core.errors import TwExportError
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import Profile
from twexport_qt.ui.settings_dialog.page import SettingsPage

CREDENTIAL_LABELS = {
    "consumer_key": "API key (consumer key)",
    "consumer_secret": "API key secret",
    "access_token": "Access token",
    "access_token_secret": "Access token secret",
    "bearer_token": "Bearer token (for full-archive search)",
}


class AccountPage(SettingsPage):
    TITLE = "X account"

    readFailed = Signal(str)  # the keyring could not be read: a sentence saying what to do

    def __init__(self, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secrets = secrets
        self._edited: dict[str, Credentials] = {}  # profile name -> the fields as typed, not yet in the keyring
        self._deleted: set[str] = set()  # profiles deleted in the dialog: their keyring entries go on save
        form = QFormLayout(self)
        self.sandbox_note = QLabel("The Sandbox profile is a simulated account served on this computer: "
                                   "it needs no credentials and never reaches X.")
        self.sandbox_note.setWordWrap(True)
        form.addRow(self.sandbox_note)
        self.credential_edits: dict[str, QLineEdit] = {}
        for field in CREDENTIAL_FIELDS:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText("not set")
            self.credential_edits[field] = edit
            form.addRow(CREDENTIAL_LABELS[field], edit)
        self.keyring_label = QLabel(secrets.backend_description)
        self.keyring_label.setWordWrap(True)
        form.addRow(self.keyring_label)
        form.addRow(QLabel("The access token needs “Read, write, and Direct Messages” permission to send DMs."))

    def load(self, profile: Profile) -> None:
        sandbox = profile.kind == "sandbox"
        self.sandbox_note.setVisible(sandbox)
        shown = Credentials() if sandbox else self._credentials_of(profile.name)
        for field, edit in self.credential_edits.items():
            edit.setEnabled(not sandbox)
            edit.setText(getattr(shown, field) or "")

    def save(self, profile: Profile) -> None:
        if profile.kind == "sandbox":  # the simulated account's credentials are built in
            return
        # Pasted values often carry spaces or a newline; none belongs to a key or token.
        self._edited[profile.name] = Credentials(
            **{field: edit.text().strip() or None for field, edit in self.credential_edits.items()})

    def forget(self, profile_name: str) -> None:
        """The profile was deleted in the dialog: its stored credentials are deleted too when the dialog is saved."""
        self._edited.pop(profile_name, None)
        self._deleted.add(profile_name)

    def store_credentials(self) -> None:
        """Write the edits to the keyring: deleted profiles' entries first, so a profile deleted and created again
        under its name keeps only what was typed for the new one."""
        for name in sorted(self._deleted):
            self._secrets.delete_profile(name)
        for name, credentials in self._edited.items():
            self._secrets.set_credentials(name, credentials)

    def _credentials_of(self, profile_name: str) -> Credentials:
        if profile_name in self._edited:
            return self._edited[profile_name]
        if profile_name in self._deleted:
            return Credentials()
        try:
            return self._secrets.credentials(profile_name)
        except TwExportError as exc:  # a locked or missing keyring: the fields stay empty and the dialog says why
            self.readFailed.emit(exc.user_message)
            return Credentials()
