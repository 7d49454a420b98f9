"""Settings dialog: credentials to the keyring only, messages and test accounts validated by name, per-tier texts."""

from __future__ import annotations

import json

import pytest

from twexport_qt.app_context import AppContext
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.ui.settings_dialog import SettingsDialog

SECRET = "consumer-secret-that-must-stay-in-the-keyring"


@pytest.fixture
def context(tmp_path, fake_clock, memory_keyring):
    settings = AppSettings()
    settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    context = AppContext(tmp_path / "data", settings=settings, secrets=SecretStore.open(), clock=fake_clock,
                         configure_log=False)
    yield context
    context.close()


@pytest.fixture
def dialog(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentText("Newsletter")
    return dialog


def test_credentials_go_to_the_keyring_and_never_to_settings_json(dialog, context, memory_keyring):
    dialog.credential_edits["consumer_key"].setText("my-key")
    dialog.credential_edits["consumer_secret"].setText(f"  {SECRET}\n")  # pasted with whitespace
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert memory_keyring.entries[("TwExport", "Newsletter/consumer_secret")] == SECRET
    assert SECRET not in context.settings_file.read_text(encoding="utf-8")
    assert context.secrets.credentials("Newsletter").consumer_key == "my-key"


def test_sandbox_profile_has_no_credential_fields(dialog):
    dialog.profile_combo.setCurrentText("Sandbox")
    assert not dialog.credential_edits["consumer_key"].isEnabled() and dialog.sandbox_note.isVisibleTo(dialog)


def test_unknown_placeholder_is_refused_with_the_field_named(dialog, context):
    dialog.message_edit.setPlainText("Hi {firstname}!")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    text = dialog.problems_label.text()
    assert "profiles.Newsletter.message" in text and "{firstname}" in text
    assert not context.settings_file.exists()  # nothing half-saved


def test_more_than_five_test_accounts_are_refused(dialog):
    dialog.test_accounts_edit.setText("a1, a2, a3, a4, a5, a6")
    dialog.accept()
    assert "test_accounts" in dialog.problems_label.text()


def test_per_tier_messages_and_switches_are_saved(dialog, context):
    dialog.message_edit.setPlainText("Hi {first_name}!")
    dialog.test_mode_box.setChecked(False)
    table = dialog.tier_messages_table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["Power user", "Rising", "Regular"]
    table.item(0, 1).setText("Hello {name}, you are a power user!")
    dialog.accept()
    saved = json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]
    assert saved["tier_messages"] == {"Power user": {"first": "Hello {name}, you are a power user!"}}
    assert saved["message"] == "Hi {first_name}!" and saved["test_mode"] is False and saved["dm_enabled"] is False


@pytest.mark.parametrize("answer", ["enter", "yes"])
def test_turning_live_sending_on_in_settings_asks_first(dialog, context, monkeypatch, answer):
    """Settings is a path to live DMs too: saving it live asks the same question, and Enter means No."""
    from tests.ui.live_dialog_support import answer_live_questions

    asked = answer_live_questions(monkeypatch, answer)
    dialog.message_edit.setPlainText("Hi {first_name}!")
    dialog.dm_enabled_box.setChecked(True)
    dialog.test_mode_box.setChecked(False)
    dialog.accept()
    assert len(asked) == 1 and "'Newsletter'" in asked[0]
    if answer == "enter":
        assert dialog.result() != dialog.DialogCode.Accepted and "not confirmed" in dialog.problems_label.text()
        assert not context.settings_file.exists()  # nothing saved
        assert context.settings.profiles["Newsletter"].live_confirmed_at is None
    else:
        assert dialog.result() == dialog.DialogCode.Accepted
        saved = json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]
        assert saved["dm_enabled"] and not saved["test_mode"] and saved["live_confirmed_at"] == int(context.clock.now())


def test_saving_other_changes_of_a_live_profile_does_not_ask_again(qtbot, context, monkeypatch):
    from tests.ui.live_dialog_support import answer_live_questions

    profile = context.settings.profiles["Newsletter"]
    profile.message, profile.dm_enabled, profile.test_mode, profile.live_confirmed_at = "Hi {name}", True, False, 7
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentText("Newsletter")
    asked = answer_live_questions(monkeypatch, "enter")
    dialog.retry_days_spin.setValue(9)
    dialog.accept()
    assert asked == [] and dialog.result() == dialog.DialogCode.Accepted
    saved = json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]
    assert saved["retry_after_days"] == 9 and saved["live_confirmed_at"] == 7
