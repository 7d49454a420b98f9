"""Settings → X account: Sign in with X / Sign out / Test connection against the sandbox (a fake browser approves
on its consent page), the API keys under "Advanced", and incomplete OAuth 1.0a keys refused at Save, naming the
missing field in the form's words."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from tests.signin.signin_support import CLIENT_ID, billed_me_reads, free_port, one_billed_me
from twexport_qt.app_context import AppContext, sandbox_credentials
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.signin.account import AccountJob
from twexport_qt.signin.loopback_receiver import LoopbackReceiver
from twexport_qt.ui import sign_in_dialog
from twexport_qt.ui.settings_dialog import SettingsDialog
from twexport_qt.ui.settings_dialog.account_page import AccountPage
from twexport_qt.workers.tasks import InlineTaskRunner, TaskRunner

OAUTH1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


@pytest.fixture
def context(data_dir, fake_clock, sandbox_server, memory_keyring):
    """An X profile "Shop" whose traffic goes to the sandbox (as with --api-base-url)."""
    settings = AppSettings()
    settings.profiles["Shop"] = Profile(name="Shop", kind="x", oauth2_client_id=CLIENT_ID,
                                        oauth2_redirect_port=free_port())
    ctx = AppContext(data_dir, settings=settings, secrets=SecretStore.open(), clock=fake_clock, configure_log=False,
                     api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def shop(context, sandbox_server) -> Profile:
    profile = context.settings.profiles["Shop"]
    sandbox_server.state.auth.oauth2.register_client(CLIENT_ID, [
        f"http://127.0.0.1:{profile.oauth2_redirect_port}/callback"])
    return profile


class FakeBrowser:
    def __init__(self, decision: str = "Authorize app") -> None:
        self.decision = decision
        self.opened: list[str] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        browse_consent(url, decision=self.decision)


def make_page(qtbot, context, browser: FakeBrowser | None = None) -> AccountPage:
    page = AccountPage(context.secrets, context=context, tasks=InlineTaskRunner(), open_browser=browser)
    qtbot.addWidget(page)
    return page


def test_sign_in_stores_the_token_and_says_who_then_sign_out_revokes(qtbot, context, shop, sandbox_server):
    browser = FakeBrowser()
    page = make_page(qtbot, context, browser)
    page.load(shop)
    assert page.sign_in_status.text() == "Not signed in with X." and not page.sign_out_button.isEnabled()
    assert f"http://127.0.0.1:{shop.oauth2_redirect_port}/callback" in page.steps_label.text()

    page.sign_in_button.click()

    assert browser.opened and browser.opened[0].startswith(f"{sandbox_server.base_url}/i/oauth2/authorize?")
    assert page.test_result.text().startswith("Signed in as @sandbox_creator")
    assert page.sign_in_status.text().startswith(f"Signed in with X (app {CLIENT_ID})")
    assert page.sign_out_button.isEnabled() and page.sign_in_button.isEnabled()
    token = context.secrets.oauth2_token("Shop")
    assert token is not None
    page.save(shop)
    assert shop.account_id is not None and shop.oauth2_client_id == CLIENT_ID

    page.sign_out_button.click()
    assert page.test_result.text().startswith("Signed out of profile 'Shop': X revoked the token")
    assert context.secrets.oauth2_token("Shop") is None and page.sign_in_status.text() == "Not signed in with X."
    assert sandbox_server.state.auth.oauth2.scopes_of(token.access_token, context.clock.now()) is None


def test_a_cancelled_consent_is_said_under_the_sign_in(qtbot, context, shop):
    page = make_page(qtbot, context, FakeBrowser(decision="Cancel"))
    page.load(shop)
    page.sign_in_button.click()
    assert page.sign_in_status.text().startswith("You did not authorize TwExport on X")
    assert context.secrets.oauth2_token("Shop") is None and page.sign_in_button.isEnabled()


def test_sign_in_needs_a_client_id_first(qtbot, context, shop):
    browser = FakeBrowser()
    page = make_page(qtbot, context, browser)
    page.load(shop)
    page.client_id_edit.clear()
    page.sign_in_button.click()
    assert page.sign_in_status.text().startswith("Enter your app's Client ID first")
    assert browser.opened == []


def test_test_connection_tries_the_typed_keys(qtbot, context, shop):
    page = make_page(qtbot, context)
    page.load(shop)
    keys = sandbox_credentials()
    for field in OAUTH1:
        page.credential_edits[field].setText(getattr(keys, field))
    page.test_button.click()
    assert page.test_result.text().startswith("Connected as @sandbox_creator")
    assert "with OAuth 1.0a API keys. X says the keys may read profiles, followers and posts, read DMs and send " \
           "DMs." in page.test_result.text()
    # X billed the read to the profile whose keys these are, though they are not saved yet.
    assert billed_me_reads(context, "Shop") == one_billed_me(AccountJob.CONNECTION_TEST)
    page.credential_edits["access_token_secret"].clear()
    page.test_button.click()
    assert page.test_result.text().startswith("Access token secret is missing")
    assert billed_me_reads(context, "Shop") == one_billed_me(AccountJob.CONNECTION_TEST)  # nothing was asked


def test_a_profile_made_in_the_dialog_is_billed_under_its_name_before_it_is_saved(qtbot, context, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Fresh", True))
    dialog = SettingsDialog(context, tasks=InlineTaskRunner())
    qtbot.addWidget(dialog)
    dialog.new_profile_button.click()
    keys = sandbox_credentials()
    for field in OAUTH1:
        dialog.account_page.credential_edits[field].setText(getattr(keys, field))
    dialog.account_page.test_button.click()
    assert dialog.account_page.test_result.text().startswith("Connected as @sandbox_creator")
    assert "Fresh" not in context.settings.profiles  # not saved: the dialog may still be cancelled
    assert billed_me_reads(context, "Fresh") == one_billed_me(AccountJob.CONNECTION_TEST)


def test_incomplete_api_keys_are_refused_at_save_naming_the_field(qtbot, context, shop, memory_keyring):
    dialog = SettingsDialog(context, tasks=InlineTaskRunner())
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentText("Shop")
    edits = dialog.account_page.credential_edits
    for field in ("consumer_key", "consumer_secret", "access_token"):
        edits[field].setText(f"typed-{field}-value")

    dialog.accept()

    assert dialog.result() != dialog.DialogCode.Accepted
    assert ("Access token secret is missing: the four API keys of profile 'Shop' work only together (API key, API "
            "key secret, Access token, Access token secret). Fill in the rest, or clear them all and use Sign in "
            "with X.") in dialog.problems_label.text()
    assert memory_keyring.entries == {}  # nothing half-saved
    edits["access_token_secret"].setText("typed-secret-value")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert context.secrets.credentials("Shop").has_user_context


def test_two_missing_keys_are_both_named(qtbot, context, shop):
    page = make_page(qtbot, context)
    page.load(shop)
    page.credential_edits["consumer_key"].setText("typed-key-value")
    page.credential_edits["consumer_secret"].setText("typed-secret-value")
    page.save(shop)
    assert page.problems(shop)[0].startswith("Access token and access token secret are missing:")


def test_the_sandbox_has_nothing_to_sign_in_but_can_be_tested(qtbot, context):
    page = make_page(qtbot, context)
    page.load(context.settings.profiles["Sandbox"])
    assert not page.sign_in_box.isEnabled() and page.sandbox_note.isVisibleTo(page)
    page.test_button.click()  # its built-in keys, answered by the test's sandbox (the --api-base-url override)
    assert page.test_result.text().startswith("Connected as @sandbox_creator")
    # Billed (simulated) like every other Sandbox job, under the Sandbox: no other profile's spend changes.
    assert billed_me_reads(context, "Sandbox") == one_billed_me(AccountJob.CONNECTION_TEST)
    assert billed_me_reads(context, "Shop") == ()



def test_closing_the_dialog_ends_a_waiting_sign_in(qtbot, context, shop, monkeypatch):
    monkeypatch.setattr(sign_in_dialog, "open_in_system_browser", lambda url: None)  # the user never approves
    runner = TaskRunner()
    try:
        dialog = SettingsDialog(context, tasks=runner)
        qtbot.addWidget(dialog)
        dialog.profile_combo.setCurrentText("Shop")
        page = dialog.account_page
        page.sign_in_button.click()
        assert page.sign_in is not None and page.sign_in.waiting and not page.sign_in_button.isEnabled()
        assert "If no browser opened, open this address" in page.sign_in_status.text()
        dialog.reject()
        assert runner.wait_idle(10_000)  # the background wait ended with the dialog
        LoopbackReceiver(shop.oauth2_redirect_port, "state").close()  # the port is free again
        assert context.secrets.oauth2_token("Shop") is None and page.sign_in_button.isEnabled()
    finally:
        runner.shutdown()
