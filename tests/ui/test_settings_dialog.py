"""Settings dialog: credentials to the keyring only, messages and test accounts validated by name, per-tier texts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from twexport_qt.app_context import AppContext
from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_LINE
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import DEFAULT_OPT_OUT_WORDS, AppSettings, Profile
from twexport_qt.ui.settings_dialog import SettingsDialog

SECRET = "consumer-secret-that-must-stay-in-the-keyring"


@pytest.fixture
def context(tmp_path, fake_clock, memory_keyring):
    settings = AppSettings()
    settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x", message="Hi {first_name}!")
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


def type_other_keys(dialog) -> None:
    """The access token and its secret: the four keys are saved only together."""
    dialog.account_page.credential_edits["access_token"].setText("my-token")
    dialog.account_page.credential_edits["access_token_secret"].setText("my-token-secret")


def test_credentials_go_to_the_keyring_and_never_to_settings_json(dialog, context, memory_keyring):
    dialog.account_page.credential_edits["consumer_key"].setText("my-key")
    dialog.account_page.credential_edits["consumer_secret"].setText(f"  {SECRET}\n")  # pasted with whitespace
    type_other_keys(dialog)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert memory_keyring.entries[("TwExport", "Newsletter/consumer_secret")] == SECRET
    assert SECRET not in context.settings_file.read_text(encoding="utf-8")
    assert context.secrets.credentials("Newsletter").consumer_key == "my-key"


def test_sandbox_profile_has_no_credential_fields(dialog):
    dialog.profile_combo.setCurrentText("Sandbox")
    account = dialog.account_page
    assert not account.credential_edits["consumer_key"].isEnabled() and account.sandbox_note.isVisibleTo(dialog)


def test_unknown_placeholder_is_refused_with_the_field_named(dialog, context):
    dialog.campaign_page.message_edit.setPlainText("Hi {firstname}!")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.problems_label.text() == (
        "Please fix:\n• Profile 'Newsletter', first DM: Unknown placeholder {firstname}: use {name}, {first_name} or "
        "{username}")
    assert not context.settings_file.exists()  # nothing half-saved


def test_more_than_five_test_accounts_are_refused(dialog):
    dialog.campaign_page.test_accounts_edit.setText("a1, a2, a3, a4, a5, a6")
    dialog.accept()
    assert dialog.problems_label.text() == \
        "Please fix:\n• Profile 'Newsletter', test accounts: must list at most 5 accounts (found 6)"


def test_per_tier_messages_and_switches_are_saved(dialog, context):
    dialog.campaign_page.message_edit.setPlainText("Hi {first_name}!")
    dialog.campaign_page.test_mode_box.setChecked(False)
    table = dialog.campaign_page.tier_messages_table
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
    dialog.campaign_page.message_edit.setPlainText("Hi {first_name}!")
    dialog.campaign_page.dm_enabled_box.setChecked(True)
    dialog.campaign_page.test_mode_box.setChecked(False)
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
    dialog.campaign_page.retry_days_spin.setValue(9)
    dialog.accept()
    assert asked == [] and dialog.result() == dialog.DialogCode.Accepted
    saved = json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]
    assert saved["retry_after_days"] == 9 and saved["live_confirmed_at"] == 7


# ----- Settings → Campaign: the opt-out line (off by default, offered with a sensible text) and words -----

def saved_profile(context) -> dict:
    return json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]


def test_defaults_are_shown_and_saved_unchanged(dialog, context):
    campaign = dialog.campaign_page
    assert not campaign.opt_out_line_box.isChecked() and not campaign.opt_out_line_edit.isEnabled()
    assert dialog.campaign_page.opt_out_line_edit.text() == DEFAULT_OPT_OUT_LINE
    assert dialog.campaign_page.opt_out_words_edit.toPlainText().splitlines() == list(DEFAULT_OPT_OUT_WORDS)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = saved_profile(context)
    assert saved["opt_out_line"] == "" and saved["opt_out_words"] == list(DEFAULT_OPT_OUT_WORDS)


def test_the_line_and_the_words_are_saved_and_shown_again(dialog, context, qtbot):
    dialog.campaign_page.opt_out_line_box.setChecked(True)
    assert dialog.campaign_page.opt_out_line_edit.isEnabled()
    dialog.campaign_page.opt_out_line_edit.setText("  Reply STOP and you won't hear from me again. ")
    dialog.campaign_page.opt_out_words_edit.setPlainText("stop\n\n  ya no  \nSTOP ALL\n")
    dialog.accept()
    saved = saved_profile(context)
    assert saved["opt_out_line"] == "Reply STOP and you won't hear from me again."
    assert saved["opt_out_words"] == ["stop", "ya no", "STOP ALL"]
    again = SettingsDialog(context)
    qtbot.addWidget(again)
    again.profile_combo.setCurrentText("Newsletter")
    assert again.campaign_page.opt_out_line_box.isChecked()
    assert again.campaign_page.opt_out_line_edit.text() == "Reply STOP and you won't hear from me again."
    assert again.campaign_page.opt_out_words_edit.toPlainText() == "stop\nya no\nSTOP ALL"


def test_a_ticked_box_with_an_empty_line_uses_the_suggested_line(dialog, context):
    dialog.campaign_page.opt_out_line_box.setChecked(True)
    dialog.campaign_page.opt_out_line_edit.setText("")
    dialog.accept()
    assert saved_profile(context)["opt_out_line"] == DEFAULT_OPT_OUT_LINE


def test_an_unusable_word_is_refused_by_name(dialog, context):
    dialog.campaign_page.opt_out_words_edit.setPlainText("stop\n???")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "• Profile 'Newsletter', opt-out words: must each have a letter or digit" in dialog.problems_label.text()
    assert not context.settings_file.exists()


def test_switching_profiles_keeps_each_profiles_fields(dialog):
    dialog.campaign_page.opt_out_line_box.setChecked(True)
    dialog.campaign_page.opt_out_words_edit.setPlainText("halt")
    dialog.profile_combo.setCurrentText("Sandbox")
    assert not dialog.campaign_page.opt_out_line_box.isChecked()
    assert dialog.campaign_page.opt_out_words_edit.toPlainText().splitlines() == list(DEFAULT_OPT_OUT_WORDS)
    dialog.profile_combo.setCurrentText("Newsletter")
    campaign = dialog.campaign_page
    assert campaign.opt_out_line_box.isChecked() and campaign.opt_out_words_edit.toPlainText() == "halt"


# ----- the live question's count, the profile chooser, and what the user is told when saving fails -----

def test_the_live_question_counts_the_profiles_followers_without_a_connection_of_its_own(qtbot, context,
                                                                                         monkeypatch):
    """The count is the campaigns service's (the DM tab's count); the view opens no database of its own."""
    from tests.ui.live_dialog_support import answer_live_questions
    from twexport_qt.followers.records import FollowerRecord
    from twexport_qt.store import followers_repo
    from twexport_qt.store.database import open_database

    context.settings.profiles["Newsletter"].account_id = 77  # learnt at the first fetch
    conn = open_database(context.database_file)
    with conn:
        followers_repo.upsert_followers(conn, 77, [FollowerRecord(i, f"fan{i}") for i in range(1, 4)], seen_at=1)
    conn.close()
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentText("Newsletter")
    monkeypatch.setattr(context, "connect", lambda: pytest.fail("the settings dialog opened a connection"))
    asked = answer_live_questions(monkeypatch, "enter")
    dialog.campaign_page.dm_enabled_box.setChecked(True)
    dialog.campaign_page.test_mode_box.setChecked(False)
    dialog.accept()
    assert len(asked) == 1 and "3 people: 3 first DMs" in asked[0]


def test_a_new_profile_gets_its_own_credentials_and_a_taken_name_is_refused_in_the_dialog(dialog, context,
                                                                                          monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    typed = iter(["Newsletter", "Shop"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args: (next(typed), True))
    dialog.new_profile_button.click()
    assert "'Newsletter' exists" in dialog.problems_label.text()
    assert dialog.profile_combo.currentText() == "Newsletter"
    dialog.new_profile_button.click()
    assert dialog.profile_combo.currentText() == "Shop" and dialog.problems_label.text() == ""
    dialog.account_page.credential_edits["bearer_token"].setText("shop-token")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert context.secrets.credentials("Shop").bearer_token == "shop-token"
    assert set(context.settings.profiles) == {"Sandbox", "Newsletter", "Shop"}


def test_deleting_a_profile_deletes_its_credentials_only_when_saved(dialog, context, memory_keyring, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    context.secrets.set_credentials("Newsletter", Credentials(consumer_key="old-key"))
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    dialog.delete_button.click()
    assert dialog.profile_combo.currentText() == "Sandbox" and not dialog.delete_button.isEnabled()
    assert context.secrets.credentials("Newsletter").consumer_key == "old-key"  # nothing happens before Save
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "Newsletter" not in context.settings.profiles
    assert not any(profile == "TwExport" and key.startswith("Newsletter/") for profile, key in memory_keyring.entries)


def test_a_locked_keyring_is_said_in_the_dialog_and_saving_into_it_is_an_error_message(dialog, context,
                                                                                         memory_keyring, messages):
    dialog.account_page.credential_edits["consumer_key"].setText("my-key")
    dialog.account_page.credential_edits["consumer_secret"].setText("my-secret")
    type_other_keys(dialog)
    memory_keyring.locked = True
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted  # still open with the edits, to save again once unlocked
    assert len(messages.errors()) == 1 and "locked" in messages.errors()[0]
    assert not context.settings_file.exists()
    dialog.profile_combo.setCurrentText("Sandbox")
    dialog.profile_combo.setCurrentText("Newsletter")  # the typed value is kept, not read again
    assert dialog.account_page.credential_edits["consumer_key"].text() == "my-key"
    memory_keyring.locked = False
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert context.secrets.credentials("Newsletter").consumer_key == "my-key"


def test_a_keyring_that_cannot_be_read_is_said_under_the_form(qtbot, context, memory_keyring):
    memory_keyring.locked = True
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentText("Newsletter")
    assert "locked" in dialog.problems_label.text()
    assert dialog.account_page.credential_edits["consumer_key"].text() == ""


def test_budgets_are_saved_and_a_schedule_over_the_monthly_budget_is_refused(dialog, context):
    page = dialog.automation_page
    page.daily_budget_edit.setText("2")
    page.monthly_budget_edit.setText("10")
    dialog.campaign_page.dm_enabled_box.setChecked(True)  # test mode stays on: no live question
    page.auto_dm_box.setChecked(True)  # 400 DMs a day: ≈ $180.30 a month
    assert "At most 400 DMs a day" in page.campaign_cost_label.text()
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "more than the monthly budget of $10.00" in dialog.problems_label.text()
    page.auto_dm_box.setChecked(False)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = context.settings.profiles["Newsletter"]
    assert (saved.daily_budget_usd, saved.monthly_budget_usd) == (Decimal(2), Decimal(10))
    assert json.loads(context.settings_file.read_text())["profiles"]["Newsletter"]["monthly_budget_usd"] == "10"


def test_filter_and_tier_problems_are_named_in_the_forms_words(dialog, context):
    """The words of a problem are the form's own labels: the row of the tier, the label of the field."""
    page = dialog.filters_page
    page.bound_spins["min_followers"].setValue(500)
    page.bound_spins["max_followers"].setValue(100)
    page.tiers_table.item(1, 1).setText("lots")  # the second tier's minimum followers
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.problems_label.text() == (
        "Please fix:\n"
        "• Profile 'Newsletter', minimum followers: must not be greater than the maximum followers (100), not 500\n"
        "• Profile 'Newsletter', tier 2, minimum followers: must be a whole number ≥ 0, or empty for no limit")
    page.bound_spins["min_followers"].setValue(-1)  # "no limit": fixed
    page.bound_spins["max_listed"].setValue(3)
    page.bound_spins["min_listed"].setValue(9)
    page.bound_spins["inactive_days"].setValue(30)
    page.bound_spins["posted_within_days"].setValue(7)
    page.tiers_table.item(1, 1).setText("")
    dialog.accept()
    assert dialog.problems_label.text() == (
        "Please fix:\n"
        "• Profile 'Newsletter', minimum lists: must not be greater than the maximum lists (3), not 9\n"
        "• Profile 'Newsletter', posted within the last: must be more days than inactive for at least (30), not 7")
    headers = [page.tiers_table.horizontalHeaderItem(column).text() for column in range(2)]
    assert headers == ["Name", "Minimum followers"]  # the words the problem used, as the table shows them
    assert not context.settings_file.exists()


# ----- While a job runs, and with another process saving meanwhile -----

def test_while_a_job_runs_the_profile_in_use_can_be_edited_but_not_switched_or_deleted(qtbot, context):
    """A running job writes to the profile in use: switching it in Settings would have its results (the account
    a fetch learns, the followers it shows) land on the profile switched to."""
    context.switch_profile("Newsletter")
    dialog = SettingsDialog(context, jobs_running=True)
    qtbot.addWidget(dialog)
    assert not dialog.active_box.isEnabled() and "running jobs" in dialog.active_box.toolTip()
    assert not dialog.delete_button.isEnabled()
    dialog.campaign_page.retry_days_spin.setValue(5)  # editing it is fine
    dialog.profile_combo.setCurrentText("Sandbox")
    assert not dialog.active_box.isEnabled() and not dialog.active_box.isChecked()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert context.settings.active_profile == "Newsletter" and context.profile.retry_after_days == 5


def test_saving_keeps_what_another_process_saved_while_the_dialog_was_open(qtbot, context):
    context.save_settings()
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    on_disk = json.loads(context.settings_file.read_text(encoding="utf-8"))  # a command-line sign-in meanwhile
    on_disk["profiles"]["Shop"] = {**on_disk["profiles"]["Newsletter"], "name": "Shop"}
    on_disk["profiles"]["Newsletter"]["dm_enabled"] = False
    context.settings_file.write_text(json.dumps(on_disk), encoding="utf-8")
    dialog.profile_combo.setCurrentText("Newsletter")
    dialog.campaign_page.retry_days_spin.setValue(11)
    dialog.accept()
    saved = json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]
    assert set(saved) == {"Sandbox", "Newsletter", "Shop"} and saved["Newsletter"]["retry_after_days"] == 11
    assert "Shop" in context.settings.profiles  # the app now knows it too
