"""Settings → Campaign: the opt-out line (off by default, offered with a sensible text) and the opt-out words."""

from __future__ import annotations

import json

import pytest

from twexport_qt.app_context import AppContext
from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_LINE
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import DEFAULT_OPT_OUT_WORDS, AppSettings, Profile
from twexport_qt.ui.settings_dialog import SettingsDialog


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


def saved_profile(context) -> dict:
    return json.loads(context.settings_file.read_text(encoding="utf-8"))["profiles"]["Newsletter"]


def test_defaults_are_shown_and_saved_unchanged(dialog, context):
    assert not dialog.opt_out_line_box.isChecked() and not dialog.opt_out_line_edit.isEnabled()
    assert dialog.opt_out_line_edit.text() == DEFAULT_OPT_OUT_LINE
    assert dialog.opt_out_words_edit.toPlainText().splitlines() == list(DEFAULT_OPT_OUT_WORDS)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = saved_profile(context)
    assert saved["opt_out_line"] == "" and saved["opt_out_words"] == list(DEFAULT_OPT_OUT_WORDS)


def test_the_line_and_the_words_are_saved_and_shown_again(dialog, context, qtbot):
    dialog.opt_out_line_box.setChecked(True)
    assert dialog.opt_out_line_edit.isEnabled()
    dialog.opt_out_line_edit.setText("  Reply STOP and you won't hear from me again. ")
    dialog.opt_out_words_edit.setPlainText("stop\n\n  ya no  \nSTOP ALL\n")
    dialog.accept()
    saved = saved_profile(context)
    assert saved["opt_out_line"] == "Reply STOP and you won't hear from me again."
    assert saved["opt_out_words"] == ["stop", "ya no", "STOP ALL"]
    again = SettingsDialog(context)
    qtbot.addWidget(again)
    again.profile_combo.setCurrentText("Newsletter")
    assert again.opt_out_line_box.isChecked()
    assert again.opt_out_line_edit.text() == "Reply STOP and you won't hear from me again."
    assert again.opt_out_words_edit.toPlainText() == "stop\nya no\nSTOP ALL"


def test_a_ticked_box_with_an_empty_line_uses_the_suggested_line(dialog, context):
    dialog.opt_out_line_box.setChecked(True)
    dialog.opt_out_line_edit.setText("")
    dialog.accept()
    assert saved_profile(context)["opt_out_line"] == DEFAULT_OPT_OUT_LINE


def test_an_unusable_word_is_refused_by_name(dialog, context):
    dialog.opt_out_words_edit.setPlainText("stop\n???")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "profiles.Newsletter.opt_out_words" in dialog.problems_label.text()
    assert not context.settings_file.exists()


def test_switching_profiles_keeps_each_profiles_fields(dialog):
    dialog.opt_out_line_box.setChecked(True)
    dialog.opt_out_words_edit.setPlainText("halt")
    dialog.profile_combo.setCurrentText("Sandbox")
    assert not dialog.opt_out_line_box.isChecked()
    assert dialog.opt_out_words_edit.toPlainText().splitlines() == list(DEFAULT_OPT_OUT_WORDS)
    dialog.profile_combo.setCurrentText("Newsletter")
    assert dialog.opt_out_line_box.isChecked() and dialog.opt_out_words_edit.toPlainText() == "halt"
