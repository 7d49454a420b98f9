"""Connect your X account: "Sign in with X" from the welcome page and the File menu (`connect_x_account`), and the
one browser sign-in both it and Settings → X account run (`BrowserSignIn`).

The sign-in opens X's page in the system browser and waits, in a background task, for X to send the browser back
to 127.0.0.1; the window keeps painting and Cancel stops the wait at once. The OAuth work is Qt-free
(`twexport_qt.signin`); this module only asks, shows and waits.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import TwExportError
from twexport_qt.settings.codec import MAX_REDIRECT_PORT, MIN_REDIRECT_PORT, client_id_problem
from twexport_qt.settings.model import DEFAULT_REDIRECT_PORT, Profile
from twexport_qt.settings.validation import profile_name_problem
from twexport_qt.signin.account import (
    DEFAULT_PROFILE_NAME,
    finish_sign_in,
    profile_for_sign_in,
    save_signed_in_profile,
    start_sign_in,
)
from twexport_qt.signin.authorization import SignInFlow
from twexport_qt.signin.connection_check import ConnectionReport
from twexport_qt.signin.endpoints import redirect_uri
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.workers.tasks import TaskHandle, TaskRunner

log = logging.getLogger(__name__)

TITLE = "Connect your X account"
BrowserOpener = Callable[[str], object]  # opens a URL in the user's browser (tests pass a fake browser)


def open_in_system_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def setup_steps_html(port: int) -> str:
    """How to make the developer app a sign-in needs, in plain steps. Rich text."""
    return (
        "Under X's pay-per-use plan you need your own developer app (TwExport cannot share one):"
        "<ol style='margin-left: 0px; -qt-list-indent: 1;'>"
        "<li>Sign in at <a href='https://developer.x.com'>developer.x.com</a>, open the Developer Console and "
        "create an app (pay-per-use).</li>"
        "<li>In the app's <i>User authentication settings</i>: App permissions <b>Read and write and Direct "
        "message</b>; Type of App <b>Native App</b> (a public client: no secret to keep).</li>"
        f"<li>Callback URI: <b>{redirect_uri(port)}</b> (exactly; Website URL: any page of yours).</li>"
        "<li>Copy the <b>OAuth 2.0 Client ID</b> (Keys and tokens) here.</li></ol>")


def sign_in_fields() -> tuple[QLabel, QLineEdit, QSpinBox]:
    """The fields both sign-in forms (this dialog, Settings → X account) show: the steps to make a developer app
    (a rich-text label with a link), the app's client id, and the callback port registered with it."""
    steps = QLabel()
    steps.setWordWrap(True)
    steps.setTextFormat(Qt.TextFormat.RichText)
    steps.setOpenExternalLinks(True)
    client_id = QLineEdit()
    client_id.setPlaceholderText("OAuth 2.0 Client ID of your app")
    port = QSpinBox()
    port.setRange(MIN_REDIRECT_PORT, MAX_REDIRECT_PORT)
    return steps, client_id, port


class BrowserSignIn(QObject):
    """One sign-in at a time: open X's page in the browser, wait for X's answer off the GUI thread, store the
    token (keyring) and test it. `finished(report)` or `failed(sentence)` follows every `start` that returned None;
    a cancelled sign-in says nothing more."""

    finished = Signal(object)  # ConnectionReport
    failed = Signal(str)

    def __init__(self, context: AppContext, tasks: TaskRunner, *, open_browser: BrowserOpener | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._tasks = tasks
        self._open_browser = open_browser or open_in_system_browser
        self._flow: SignInFlow | None = None
        self._cancel: CancelToken | None = None
        self._task: TaskHandle | None = None

    @property
    def waiting(self) -> bool:
        return self._flow is not None

    @property
    def authorize_url(self) -> str:
        return self._flow.authorize_url if self._flow is not None else ""

    def start(self, profile: Profile, client_id: str, port: int) -> str | None:
        """Start signing `profile` in (nothing is saved to the settings); a sentence if it could not start."""
        if self._flow is not None:
            return "A sign-in is already waiting for X's answer."
        try:
            flow = start_sign_in(self._context, profile, client_id, port)
        except TwExportError as exc:  # the port is taken, no client id
            return exc.user_message
        self._flow, cancel = flow, CancelToken()
        self._cancel = cancel
        # The receiver listens already: X's answer is kept even if the browser is quicker than the task's start.
        self._open_browser(flow.authorize_url)
        context = self._context
        self._task = self._tasks.run_task(
            "Signing in with X", lambda: finish_sign_in(context, flow, profile, cancel), self._on_finished,
            self._on_failed, owner=self)
        return None

    def cancel(self) -> None:
        """Stop waiting now; nothing is stored and no signal follows."""
        if self._cancel is not None:
            self._cancel.cancel()
        if self._task is not None:
            self._task.discard()
        self._end()

    def _on_finished(self, report: ConnectionReport) -> None:
        self._end()
        self.finished.emit(report)

    def _on_failed(self, sentence: str) -> None:
        self._end()
        self.failed.emit(sentence)

    def _end(self) -> None:
        if self._flow is not None:
            self._flow.close()
        self._flow = self._cancel = self._task = None


class SignInDialog(QDialog):
    """Asks the app's client id (with the steps to make the app) and the profile's name, then signs in. Accepted
    once the profile is saved with its sign-in: `profile_name` names it."""

    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QWidget | None = None, *,
                 open_browser: BrowserOpener | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(560)
        self.context = context
        self.profile_name: str | None = None
        self._profile: Profile | None = None  # the profile being signed in
        self.sign_in = BrowserSignIn(context, tasks, open_browser=open_browser, parent=self)
        self.sign_in.finished.connect(self._signed_in)
        self.sign_in.failed.connect(self._sign_in_failed)

        self.steps_label, self.client_id_edit, self.port_spin = sign_in_fields()
        self.name_edit = QLineEdit(self._default_name())
        self.port_spin.setValue(DEFAULT_REDIRECT_PORT)
        self.port_spin.setToolTip("The port of the Callback URI registered in your app: change both together.")
        self.port_spin.valueChanged.connect(self._show_steps)
        self.name_edit.textChanged.connect(self._load_profile_values)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_in_button = QPushButton("Sign in with X…")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Client ID", self.client_id_edit)
        form.addRow("Profile name", self.name_edit)
        form.addRow("Callback port", self.port_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps_label)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self._load_profile_values(self.name_edit.text())

    def _default_name(self) -> str:
        """The active profile if it is an X account (signing in again), else the usual new name."""
        active = self.context.profile
        return active.name if active.kind == "x" else DEFAULT_PROFILE_NAME

    def _load_profile_values(self, name: str) -> None:
        """An existing profile's client id and port, so signing it in again needs no typing."""
        profile = self.context.settings.profiles.get(name.strip())
        if profile is not None and profile.kind == "x":
            if profile.oauth2_client_id:
                self.client_id_edit.setText(profile.oauth2_client_id)
            self.port_spin.setValue(profile.oauth2_redirect_port)
        self._show_steps()

    def _show_steps(self) -> None:
        self.steps_label.setText(setup_steps_html(self.port_spin.value()))

    # -- signing in ----------------------------------------------------------------------------------------
    def start_sign_in(self) -> None:
        name, client_id = self.name_edit.text().strip(), self.client_id_edit.text().strip()
        problem = self._problem(name, client_id)
        if problem is None:
            try:
                self._profile = profile_for_sign_in(self.context, name)
            except TwExportError as exc:
                problem = exc.user_message
        if problem is None and self._profile is not None:
            self._set_waiting(True)
            problem = self.sign_in.start(self._profile, client_id, self.port_spin.value())
        if problem is not None:
            self._set_waiting(False)
            self._show_problem(problem)
        elif self.sign_in.waiting:  # X has not answered yet
            self.status_label.setText(
                "Waiting for you to approve TwExport on X, in your browser… If no browser opened, open this "
                f"address:<br><small>{html.escape(self.sign_in.authorize_url)}</small>")

    def _problem(self, name: str, client_id: str) -> str | None:
        if not client_id:
            return "Enter your app's Client ID first (the steps above say where to find it)."
        client_problem = client_id_problem(client_id)
        if client_problem:
            return f"The Client ID {client_problem}."
        return profile_name_problem(name)

    def _signed_in(self, report: ConnectionReport) -> None:
        assert self._profile is not None  # set before the sign-in started
        try:
            profile = save_signed_in_profile(self.context, self._profile, self.client_id_edit.text(),
                                             self.port_spin.value(), report)
        except TwExportError as exc:  # the settings file could not be written; the sign-in is in the keyring
            self._set_waiting(False)
            self._show_problem(exc.user_message)
            return
        (messages.info if report.ok else messages.warning)(report.sentence)
        self.profile_name = profile.name
        self.accept()

    def _sign_in_failed(self, sentence: str) -> None:
        self._set_waiting(False)
        self._show_problem(sentence)

    def _set_waiting(self, waiting: bool) -> None:
        for widget in (self.client_id_edit, self.name_edit, self.port_spin, self.sign_in_button):
            widget.setEnabled(not waiting)
        if waiting:
            self.status_label.setStyleSheet("")
            self.status_label.setText("Opening X's sign-in page in your browser…")

    def _show_problem(self, sentence: str) -> None:
        self.status_label.setStyleSheet(tone_style(TextTone.PROBLEM))
        self.status_label.setText(sentence)

    def reject(self) -> None:
        """Cancel stops a waiting sign-in at once (the browser's later answer finds nobody listening)."""
        self.sign_in.cancel()
        super().reject()


def connect_x_account(context: AppContext, parent: QWidget, tasks: TaskRunner, *,
                      open_browser: BrowserOpener | None = None) -> str | None:
    """Sign an X account in and keep it as a profile (new, or an X profile signed in again); the profile's name,
    for the caller to switch to. None when the user cancelled, or gave up after a failure the dialog explained."""
    dialog = SignInDialog(context, tasks, parent, open_browser=open_browser)
    try:
        dialog.exec()
        return dialog.profile_name
    finally:
        dialog.deleteLater()
