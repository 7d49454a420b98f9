"""Connect your X account (`connect_x_account`, which the welcome page calls): the client id with the steps, a
profile name, the browser, a wait with Cancel; the profile is created with its sign-in, or nothing is."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from tests.signin.signin_support import CLIENT_ID, free_port
from twexport_qt.app_context import AppContext
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.storage import load_settings
from twexport_qt.signin.loopback_receiver import LoopbackReceiver
from twexport_qt.ui.sign_in_dialog import SignInDialog, connect_x_account
from twexport_qt.workers.tasks import InlineTaskRunner, TaskRunner


@pytest.fixture
def context(data_dir, fake_clock, sandbox_server, memory_keyring):
    ctx = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore.open(), clock=fake_clock,
                     configure_log=False, api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def port(sandbox_server) -> int:
    free = free_port()
    sandbox_server.state.auth.oauth2.register_client(CLIENT_ID, [f"http://127.0.0.1:{free}/callback"])
    return free


def fill(dialog: SignInDialog, port: int, name: str = "My X account") -> None:
    dialog.client_id_edit.setText(CLIENT_ID)
    dialog.name_edit.setText(name)
    dialog.port_spin.setValue(port)


def test_connecting_creates_the_profile_with_its_sign_in(qtbot, context, port, messages):
    parent = _parent(qtbot)
    opened: list[str] = []

    def browser(url: str) -> None:
        opened.append(url)
        browse_consent(url)

    def fill_and_sign_in() -> None:
        dialog = parent.findChild(SignInDialog)
        assert "developer.x.com" in dialog.steps_label.text() and "Native App" in dialog.steps_label.text()
        assert dialog.name_edit.text() == "My X account"  # the Sandbox is active: a new profile's usual name
        assert dialog.port_spin.value() == 8719 and "http://127.0.0.1:8719/callback" in dialog.steps_label.text()
        fill(dialog, port)
        assert f"http://127.0.0.1:{port}/callback" in dialog.steps_label.text()
        dialog.sign_in_button.click()

    QTimer.singleShot(0, fill_and_sign_in)
    name = connect_x_account(context, parent, InlineTaskRunner(), open_browser=browser)

    assert name == "My X account" and len(opened) == 1
    profile = load_settings(context.settings_file).settings.profiles["My X account"]
    assert (profile.kind, profile.oauth2_client_id, profile.oauth2_redirect_port) == ("x", CLIENT_ID, port)
    assert profile.account_id is not None
    assert context.secrets.oauth2_token("My X account") is not None
    assert messages.infos()[-1].startswith("Signed in as @sandbox_creator")


def test_a_refused_consent_keeps_the_dialog_open_with_the_reason(qtbot, context, port):
    dialog = SignInDialog(context, InlineTaskRunner(), open_browser=lambda url: browse_consent(url, decision="Cancel"))
    qtbot.addWidget(dialog)
    fill(dialog, port)
    dialog.sign_in_button.click()
    assert dialog.status_label.text().startswith("You did not authorize TwExport on X")
    assert dialog.sign_in_button.isEnabled() and dialog.profile_name is None
    assert "My X account" not in context.settings.profiles


@pytest.fixture
def runner(qtbot):
    """A real task runner: the wait runs in a pool thread, as in the app."""
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def test_cancel_stops_the_wait_at_once_and_frees_the_port(qtbot, context, port, runner):
    dialog = SignInDialog(context, runner, open_browser=lambda url: None)  # the user never approves
    qtbot.addWidget(dialog)
    fill(dialog, port)
    dialog.sign_in_button.click()
    assert dialog.sign_in.waiting and not dialog.sign_in_button.isEnabled()
    assert "If no browser opened, open this address" in dialog.status_label.text()
    dialog.reject()
    assert runner.wait_idle(10_000)  # the background wait ended: no thread left waiting for X
    LoopbackReceiver(port, "state").close()  # the port is free again
    assert context.secrets.oauth2_token("My X account") is None and dialog.profile_name is None


def test_a_missing_client_id_or_a_sandbox_name_is_said_before_any_browser(qtbot, context, port):
    opened: list[str] = []
    dialog = SignInDialog(context, InlineTaskRunner(), open_browser=opened.append)
    qtbot.addWidget(dialog)
    fill(dialog, port)
    dialog.client_id_edit.clear()
    dialog.sign_in_button.click()
    assert dialog.status_label.text().startswith("Enter your app's Client ID first")
    fill(dialog, port, name="Sandbox")
    dialog.sign_in_button.click()
    assert "needs no sign-in" in dialog.status_label.text()
    assert opened == []


def _parent(qtbot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    return parent
