"""Settings → Campaign: the DM switches, test accounts, the messages (also per tier) and the opt-out line and
words. Its `problems` checks the messages' placeholders, so an unknown one is caught on saving, not on sending."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_LINE
from twexport_qt.campaigns.templates import validate_template
from twexport_qt.core.usernames import normalize_username
from twexport_qt.settings.model import MAX_TEST_ACCOUNTS, Profile
from twexport_qt.settings.validation import (
    MAX_DAILY_CAP,
    MAX_RETRY_AFTER_DAYS,
    PROFILE_FIELD_LABELS,
    in_sentence,
    profile_field_words,
    profile_words,
)
from twexport_qt.ui.settings_dialog.page import SettingsPage

# Columns of the per-tier messages table, and the key each text column is saved under in `Profile.tier_messages`.
TIER_NAME_COLUMN = 0
TIER_TEXT_COLUMNS = {1: "first", 2: "retry"}
# The message each text column holds, as the headers and the problems name it ("First DM for this tier").
TIER_TEXT_NAMES = {"first": PROFILE_FIELD_LABELS["message"], "retry": PROFILE_FIELD_LABELS["retry_message"]}


class CampaignPage(SettingsPage):
    TITLE = "Campaign"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.dm_enabled_box = QCheckBox("Sending DMs is enabled (master switch)")
        self.test_mode_box = QCheckBox("Test mode: send only to the test accounts below")
        self.test_accounts_edit = QLineEdit()
        self.test_accounts_edit.setPlaceholderText(f"up to {MAX_TEST_ACCOUNTS} usernames, comma separated")
        self.test_retry_box = QCheckBox("Test the retry message instead of the first message")
        self.message_edit = QPlainTextEdit()
        self.message_edit.setPlaceholderText("Hi {first_name}, thanks for following! …")
        self.retry_edit = QPlainTextEdit()
        self.retry_days_spin = QSpinBox()
        self.retry_days_spin.setRange(0, MAX_RETRY_AFTER_DAYS)
        self.retry_days_spin.setSuffix(" days")
        self.daily_cap_spin = QSpinBox()
        self.daily_cap_spin.setRange(1, MAX_DAILY_CAP)  # X's limit per 24 h
        # Replies and opt-outs (campaigns/opt_out.py): the line is offered with a sensible text, sent only if ticked.
        self.opt_out_line_box = QCheckBox("End every DM with an opt-out line:")
        self.opt_out_line_edit = QLineEdit()
        self.opt_out_line_edit.setPlaceholderText(DEFAULT_OPT_OUT_LINE)
        self.opt_out_line_box.toggled.connect(self.opt_out_line_edit.setEnabled)
        self.opt_out_words_edit = QPlainTextEdit()
        self.opt_out_words_edit.setPlaceholderText("one word or phrase per line, e.g. stop")
        self.opt_out_words_edit.setMaximumHeight(110)
        self.opt_out_words_edit.setToolTip(
            "A follower who replies to the first DM never gets the retry. If the reply starts with one of these "
            "(after a greeting or 'please'; case, accents and punctuation ignored), the follower is also put on the "
            "do-not-contact list. Checking for a reply costs one read of the DM history per retry.")
        labels = PROFILE_FIELD_LABELS  # the words validation names these fields with
        form.addRow(self.dm_enabled_box)
        form.addRow(self.test_mode_box)
        form.addRow(labels["test_accounts"], self.test_accounts_edit)
        form.addRow(self.test_retry_box)
        form.addRow(labels["message"], self.message_edit)
        form.addRow(labels["retry_message"], self.retry_edit)
        form.addRow(labels["retry_after_days"], self.retry_days_spin)
        form.addRow(labels["daily_cap"], self.daily_cap_spin)
        form.addRow(QLabel("Placeholders: {name}, {first_name}, {username}."))
        opt_out_line_row = QHBoxLayout()
        opt_out_line_row.addWidget(self.opt_out_line_box)
        opt_out_line_row.addWidget(self.opt_out_line_edit, 1)
        form.addRow(opt_out_line_row)
        form.addRow(labels["opt_out_words"], self.opt_out_words_edit)
        replies_note = QLabel("No retry goes to a follower who replied; a reply starting with an opt-out word also "
                              "puts them on the do-not-contact list.")
        replies_note.setWordWrap(True)  # a narrow dialog must not cut the sentence off
        form.addRow(replies_note)
        self.tier_messages_table = QTableWidget(0, 1 + len(TIER_TEXT_COLUMNS))
        self.tier_messages_table.setHorizontalHeaderLabels(
            ("Tier", *(f"{TIER_TEXT_NAMES[key]} for this tier" for key in TIER_TEXT_COLUMNS.values())))
        self.tier_messages_table.horizontalHeader().setStretchLastSection(True)
        form.addRow(QLabel("Per-tier messages (leave empty to use the messages above):"))
        form.addRow(self.tier_messages_table)

    def load(self, profile: Profile) -> None:
        self.dm_enabled_box.setChecked(profile.dm_enabled)
        self.test_mode_box.setChecked(profile.test_mode)
        self.test_accounts_edit.setText(", ".join(profile.test_accounts))
        self.test_retry_box.setChecked(profile.test_retry_message)
        self.message_edit.setPlainText(profile.message)
        self.retry_edit.setPlainText(profile.retry_message)
        self.retry_days_spin.setValue(profile.retry_after_days)
        self.daily_cap_spin.setValue(profile.daily_cap)
        line = profile.opt_out_line.strip()
        self.opt_out_line_box.setChecked(bool(line))
        self.opt_out_line_edit.setEnabled(bool(line))
        self.opt_out_line_edit.setText(line or DEFAULT_OPT_OUT_LINE)
        self.opt_out_words_edit.setPlainText("\n".join(profile.opt_out_words))
        self._load_tier_messages(profile)

    def save(self, profile: Profile) -> None:
        # Turning live sending on here is confirmed by the dialog, once the user saves.
        profile.set_switches(dm_enabled=self.dm_enabled_box.isChecked(), test_mode=self.test_mode_box.isChecked())
        profile.test_accounts = [normalize_username(name) for name in self.test_accounts_edit.text().split(",")
                                 if name.strip()]
        profile.test_retry_message = self.test_retry_box.isChecked()
        profile.message = self.message_edit.toPlainText()
        profile.retry_message = self.retry_edit.toPlainText()
        profile.retry_after_days = self.retry_days_spin.value()
        profile.daily_cap = self.daily_cap_spin.value()
        # Unticked saves no line; an emptied text with the box ticked falls back to the suggested line.
        profile.opt_out_line = ((self.opt_out_line_edit.text().strip() or DEFAULT_OPT_OUT_LINE)
                                if self.opt_out_line_box.isChecked() else "")
        profile.opt_out_words = [line.strip() for line in self.opt_out_words_edit.toPlainText().splitlines()
                                 if line.strip()]
        profile.tier_messages = self._saved_tier_messages()

    def problems(self, profile: Profile) -> list[str]:
        """Unknown {placeholders} in any of the profile's messages, each named as the form labels its field."""
        texts = {profile_field_words(profile.name, "message"): profile.message,
                 profile_field_words(profile.name, "retry_message"): profile.retry_message}
        for tier, pair in profile.tier_messages.items():
            texts.update({f"{profile_words(profile.name)}, {in_sentence(TIER_TEXT_NAMES.get(key, key))} for tier "
                          f"{tier!r}": text for key, text in pair.items()})
        return [f"{field}: {problem}"
                for field, text in texts.items() if text.strip() for problem in validate_template(text)]

    def _load_tier_messages(self, profile: Profile) -> None:
        """One row per tier of the profile as loaded (tiers edited on the Filters tab show on the next load)."""
        table = self.tier_messages_table
        table.setRowCount(0)
        for tier in profile.tiers:
            texts = profile.tier_messages.get(tier.name, {})
            row = table.rowCount()
            table.insertRow(row)
            name = QTableWidgetItem(tier.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, TIER_NAME_COLUMN, name)
            for column, key in TIER_TEXT_COLUMNS.items():
                table.setItem(row, column, QTableWidgetItem(texts.get(key, "")))

    def _saved_tier_messages(self) -> dict[str, dict[str, str]]:
        """Tier name -> its non-empty texts; a tier without any is left out (it uses the profile's messages)."""
        table = self.tier_messages_table
        saved: dict[str, dict[str, str]] = {}
        for row in range(table.rowCount()):
            name = table.item(row, TIER_NAME_COLUMN)  # not editable: the tier's name exactly as loaded
            texts = {key: _cell_text(table, row, column) for column, key in TIER_TEXT_COLUMNS.items()}
            texts = {key: text for key, text in texts.items() if text}
            if name is not None and texts:
                saved[name.text()] = texts
        return saved


def _cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""
