"""Settings → X account: how a profile reaches X. "Sign in with X" (the app's client id and callback port, a
Sign in / Sign out pair and Test connection) first; the pasted OAuth 1.0a keys and the Bearer token under
"Advanced: API keys". Secrets go to the keyring (SecretStore), never into the settings file.

Typed keys wait here until the dialog is saved, so Cancel leaves the keyring as it was; signing in and out act at
once, because X issues or revokes the token then. Incomplete OAuth 1.0a keys are refused at Save, naming the field.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, OAUTH1_FIELDS, Credentials
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.codec import client_id_problem
from twexport_qt.settings.model import Profile
from twexport_qt.signin.account import check_profile_connection, sign_out_profile
from twexport_qt.signin.connection_check import ConnectionReport
from twexport_qt.signin.sign_out import SignOutReport
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.ui.settings_dialog.page import SettingsPage
from twexport_qt.ui.sign_in_dialog import BrowserOpener, BrowserSignIn, setup_steps_html, sign_in_fields
from twexport_qt.workers.tasks import TaskRunner

CREDENTIAL_LABELS = {
    "consumer_key": "API key (consumer key)",
    "consumer_secret": "API key secret",
    "access_token": "Access token",
    "access_token_secret": "Access token secret",
    "bearer_token": "Bearer token (for full-archive search)",
}
# The fields as a sentence names them (the start of each label).
FIELD_WORDS = {"consumer_key": "API key", "consumer_secret": "API key secret", "access_token": "Access token",
               "access_token_secret": "Access token secret"}


def missing_keys_problem(profile_name: str, credentials: Credentials) -> str | None:
    """The sentence refusing incomplete OAuth 1.0a keys, naming what is missing in the form's words; None when
    all four or none are filled in."""
    missing = [FIELD_WORDS[name] for name in credentials.missing_oauth1_fields]
    if not missing:
        return None
    named = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1].lower()
    verb = "is" if len(missing) == 1 else "are"
    return (f"{named} {verb} missing: the four API keys of profile {profile_name!r} work only together "
            f"({', '.join(FIELD_WORDS[name] for name in OAUTH1_FIELDS)}). Fill in the rest, or clear them all "
            "and use Sign in with X.")


class AccountPage(SettingsPage):
    TITLE = "X account"

    readFailed = Signal(str)  # the keyring could not be read: a sentence saying what to do

    def __init__(self, secrets: SecretStore, parent: QWidget | None = None, *, context: AppContext | None = None,
                 tasks: TaskRunner | None = None, open_browser: BrowserOpener | None = None) -> None:
        """Without `context` and `tasks` the page edits keys only (no sign-in, no test)."""
        super().__init__(parent)
        self._secrets = secrets
        self._context = context
        self._tasks = tasks
        self._edited: dict[str, Credentials] = {}  # profile name -> the fields as typed, not yet in the keyring
        self._deleted: set[str] = set()  # profiles deleted in the dialog: their keyring entries go on save
        self._accounts: dict[str, int] = {}  # profile name -> the account id a sign-in or test named
        self._profile: Profile | None = None  # the profile shown
        self._token: OAuth2Token | None = None  # its sign-in, as last read from the keyring
        self.sign_in: BrowserSignIn | None = None
        if context is not None and tasks is not None:
            self.sign_in = BrowserSignIn(context, tasks, open_browser=open_browser, parent=self)
            self.sign_in.finished.connect(self._signed_in)
            self.sign_in.failed.connect(self._show_problem)

        self.sandbox_note = QLabel("The Sandbox profile is a simulated account served on this computer: "
                                   "it needs no credentials and never reaches X.")
        self.sandbox_note.setWordWrap(True)

        # -- Sign in with X ---------------------------------------------------------------------------------
        self.sign_in_box = QGroupBox("Sign in with X (recommended)")
        self.steps_label, self.client_id_edit, self.port_spin = sign_in_fields()
        self.port_spin.setToolTip("The port of the Callback URI registered in your app: change both together.")
        self.port_spin.valueChanged.connect(lambda port: self.steps_label.setText(setup_steps_html(port)))
        self.sign_in_status = QLabel()
        self.sign_in_status.setWordWrap(True)
        self.sign_in_button = QPushButton("Sign in with X…")
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.cancel_button = QPushButton("Cancel sign-in")
        self.cancel_button.clicked.connect(self.cancel_sign_in)
        self.cancel_button.hide()
        buttons = QHBoxLayout()
        for button in (self.sign_in_button, self.cancel_button, self.sign_out_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        sign_in_form = QFormLayout(self.sign_in_box)
        sign_in_form.addRow(self.steps_label)
        sign_in_form.addRow("Client ID", self.client_id_edit)
        sign_in_form.addRow("Callback port", self.port_spin)
        sign_in_form.addRow(self.sign_in_status)
        sign_in_form.addRow(buttons)

        # -- Advanced: API keys (folded away unless the profile has some) -----------------------------------------
        self.keys_toggle = QToolButton()
        self.keys_toggle.setText("Advanced: API keys (OAuth 1.0a, pasted from your app)")
        self.keys_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.keys_toggle.setCheckable(True)
        self.keys_toggle.setAutoRaise(True)
        self.keys_toggle.toggled.connect(self._show_keys)
        self.keys_box = QGroupBox()
        keys_form = QFormLayout(self.keys_box)
        keys_note = QLabel("Instead of signing in: the four keys of your app's “Keys and tokens” page, made with “Read "
                           "and write and Direct message” permission to send DMs. The Bearer token is app-only: it "
                           "adds full-archive search.")
        keys_note.setWordWrap(True)
        keys_form.addRow(keys_note)
        self.credential_edits: dict[str, QLineEdit] = {}
        for field in CREDENTIAL_FIELDS:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText("not set")
            self.credential_edits[field] = edit
            keys_form.addRow(CREDENTIAL_LABELS[field], edit)
        self._show_keys(False)

        # -- Test connection and where secrets are kept --------------------------------------------------------
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keyring_label = QLabel(secrets.backend_description)
        self.keyring_label.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.sandbox_note)
        layout.addWidget(self.sign_in_box)
        layout.addWidget(self.keys_toggle)
        layout.addWidget(self.keys_box)
        layout.addLayout(test_row)
        layout.addWidget(self.test_result)
        layout.addWidget(self.keyring_label)
        layout.addStretch(1)
        for widget in (self.sign_in_button, self.sign_out_button, self.test_button):
            widget.setVisible(self.sign_in is not None)

    # -- SettingsPage ----------------------------------------------------------------------------------
    def load(self, profile: Profile) -> None:
        if self.sign_in is not None and self.sign_in.waiting:
            self.cancel_sign_in()  # another profile is shown now: its sign-in would land in the wrong place
        self._profile = profile
        sandbox = profile.kind == "sandbox"
        self.sandbox_note.setVisible(sandbox)
        self.sign_in_box.setEnabled(not sandbox)
        shown = Credentials() if sandbox else self._credentials_of(profile.name)
        for field, edit in self.credential_edits.items():
            edit.setEnabled(not sandbox)
            edit.setText(getattr(shown, field) or "")
        self.keys_toggle.setChecked(any(edit.text() for edit in self.credential_edits.values()))
        self.client_id_edit.setText(profile.oauth2_client_id)
        self.port_spin.setValue(profile.oauth2_redirect_port)
        self.steps_label.setText(setup_steps_html(profile.oauth2_redirect_port))
        self.test_result.clear()
        self._show_sign_in_state(None if sandbox else self._stored_token(profile.name))

    def save(self, profile: Profile) -> None:
        if profile.kind == "sandbox":  # the simulated account's credentials are built in
            return
        profile.oauth2_client_id = self.client_id_edit.text().strip()
        profile.oauth2_redirect_port = self.port_spin.value()
        if profile.name in self._accounts:
            profile.account_id = self._accounts[profile.name]
        self._edited[profile.name] = self._typed_keys()

    def problems(self, profile: Profile) -> list[str]:
        found: list[str] = []
        if profile.kind == "sandbox":
            return found
        client_problem = client_id_problem(profile.oauth2_client_id)
        if client_problem:
            found.append(f"The Client ID of profile {profile.name!r} {client_problem}.")
        edited = self._edited.get(profile.name)
        keys_problem = missing_keys_problem(profile.name, edited) if edited is not None else None
        if keys_problem:
            found.append(keys_problem)
        return found

    def forget(self, profile_name: str) -> None:
        """The profile was deleted in the dialog: its stored credentials are deleted too when the dialog is saved."""
        self._edited.pop(profile_name, None)
        self._deleted.add(profile_name)

    def store_credentials(self) -> None:
        """Write the edits to the keyring: deleted profiles' entries first, so a profile deleted and created again
        under its name keeps only what was typed for the new one. A sign-in is kept: typed keys never sign out."""
        for name in sorted(self._deleted):
            self._secrets.delete_profile(name)
        for name, credentials in self._edited.items():
            self._secrets.set_credentials(name, credentials)

    def _show_keys(self, shown: bool) -> None:
        self.keys_box.setVisible(shown)
        self.keys_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # -- Sign in with X ----------------------------------------------------------------------------------
    def start_sign_in(self) -> None:
        profile = self._profile
        if self.sign_in is None or profile is None or profile.kind == "sandbox":
            return
        client_id = self.client_id_edit.text().strip()
        problem = client_id_problem(client_id)
        if not client_id or problem:
            self._show_problem(f"The Client ID {problem}." if problem else
                               "Enter your app's Client ID first (the steps above say where to find it).")
            return
        self._set_busy(True, waiting=True)
        problem = self.sign_in.start(profile, client_id, self.port_spin.value())
        if problem is not None:
            self._set_busy(False)
            self._show_problem(problem)
        elif self.sign_in.waiting:
            self.sign_in_status.setStyleSheet("")
            self.sign_in_status.setText(
                "Waiting for you to approve TwExport on X, in your browser… If no browser opened, open this "
                f"address:<br><small>{html.escape(self.sign_in.authorize_url)}</small>")

    def cancel_sign_in(self) -> None:
        if self.sign_in is not None:
            self.sign_in.cancel()
        self._set_busy(False)
        self._show_sign_in_state(self._stored_token(self._profile.name) if self._profile is not None else None)

    def sign_out(self) -> None:
        profile, context, tasks = self._profile, self._context, self._tasks
        if profile is None or context is None or tasks is None:
            return
        self._set_busy(True)
        tasks.run_task("Signing out", lambda: sign_out_profile(context, profile), self._signed_out,
                       self._task_failed, owner=self)

    def test_connection(self) -> None:
        """Test what the form holds: the typed keys (saved or not) and the profile's sign-in."""
        profile, context, tasks = self._profile, self._context, self._tasks
        if profile is None or context is None or tasks is None:
            return
        if profile.kind == "sandbox":
            credentials = context.credentials_of(profile)
        else:
            credentials = replace(self._typed_keys(), oauth2=self._stored_token(profile.name))
            keys_problem = missing_keys_problem(profile.name, credentials)
            if keys_problem:
                self.test_result.setText(keys_problem)
                return
        self.test_result.setText("Asking X who these credentials act as…")
        self._set_busy(True)
        # X bills the answer to this profile (saved or not yet): the ledger and its budget see it.
        tasks.run_task("Testing the connection", lambda: check_profile_connection(context, profile, credentials),
                       self._tested, self._task_failed, owner=self)

    # -- results (GUI thread) ------------------------------------------------------------------------------
    def _signed_in(self, report: ConnectionReport) -> None:
        self._set_busy(False)
        if self._profile is not None and report.account is not None:
            self._accounts[self._profile.name] = report.account.id
        self.test_result.setText(report.sentence)
        self._show_sign_in_state(self._stored_token(self._profile.name) if self._profile is not None else None)

    def _signed_out(self, report: SignOutReport) -> None:
        self._set_busy(False)
        self._show_sign_in_state(None)
        self.test_result.setText(report.sentence)

    def _tested(self, report: ConnectionReport) -> None:
        self._set_busy(False)
        if report.ok and report.account is not None and self._profile is not None \
                and self._profile.kind != "sandbox":
            self._accounts[self._profile.name] = report.account.id
        self.test_result.setText(report.sentence)

    def _task_failed(self, sentence: str) -> None:
        self._set_busy(False)
        self.test_result.setText(sentence)

    def _show_problem(self, sentence: str) -> None:
        self._set_busy(False)
        self.sign_in_status.setStyleSheet(tone_style(TextTone.PROBLEM))
        self.sign_in_status.setText(sentence)

    def _set_busy(self, busy: bool, *, waiting: bool = False) -> None:
        for widget in (self.sign_in_button, self.test_button, self.client_id_edit, self.port_spin):
            widget.setEnabled(not busy)
        self.sign_out_button.setEnabled(not busy and self._token is not None)
        self.cancel_button.setVisible(waiting)

    def _show_sign_in_state(self, token: OAuth2Token | None) -> None:
        self._token = token
        self.sign_in_status.setStyleSheet("")
        if token is None:
            self.sign_in_status.setText("Not signed in with X.")
        else:
            renews = "renews itself" if token.refresh_token else "cannot renew itself (no “offline.access”)"
            self.sign_in_status.setText(
                f"Signed in with X (app {token.client_id}); the access token expires "
                f"{format_local_datetime(token.expires_at)} and {renews}. Test connection says which account.")
        self.sign_out_button.setEnabled(token is not None and self.sign_in_button.isEnabled())

    # -- the keyring ---------------------------------------------------------------------------------------
    def _typed_keys(self) -> Credentials:
        # Pasted values often carry spaces or a newline; none belongs to a key or token.
        typed = {field: edit.text().strip() or None for field, edit in self.credential_edits.items()}
        return Credentials(consumer_key=typed["consumer_key"], consumer_secret=typed["consumer_secret"],
                           access_token=typed["access_token"], access_token_secret=typed["access_token_secret"],
                           bearer_token=typed["bearer_token"])

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

    def _stored_token(self, profile_name: str) -> OAuth2Token | None:
        if profile_name in self._deleted:
            return None
        try:
            return self._secrets.oauth2_token(profile_name)
        except TwExportError as exc:
            self.readFailed.emit(exc.user_message)
            return None
