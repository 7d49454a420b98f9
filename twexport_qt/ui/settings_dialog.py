"""File → Settings: profiles, credentials (to the keyring), campaign defaults, filter defaults, tiers, automation.

Edits are made on a copy of the settings and validated as a whole before saving, so an invalid field is named
and nothing is half-saved. Credentials go straight to the SecretStore, never into the settings file.
"""

from __future__ import annotations

import copy
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout, QWidget,
)

from twexport_qt.campaigns.live_gate import live_audience
from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_LINE
from twexport_qt.campaigns.templates import validate_template
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.usernames import normalize_username
from twexport_qt.profile_mapping import campaign_settings
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials
from twexport_qt.settings.model import MAX_TEST_ACCOUNTS, SANDBOX_PROFILE_NAME, AppSettings, Profile, TierSpec
from twexport_qt.settings.storage import SettingsInvalid, save_settings
from twexport_qt.settings.validation import profile_name_problem, validate_settings
from twexport_qt.ui.live_confirmation import confirm_live_sending
from twexport_qt.ui.widgets import OptionalDateTimeEdit, OptionalIntSpin

log = logging.getLogger(__name__)

CREDENTIAL_LABELS = {
    "consumer_key": "API key (consumer key)",
    "consumer_secret": "API key secret",
    "access_token": "Access token",
    "access_token_secret": "Access token secret",
    "bearer_token": "Bearer token (for full-archive search)",
}
TIER_COLUMNS = ("Name", "Min followers", "Max followers", "Min following", "Max following")


class SettingsDialog(QDialog):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self.context = context
        self.draft: AppSettings = copy.deepcopy(context.settings)
        self._pending_credentials: dict[str, Credentials] = {}
        self._loading = False

        self.profile_combo = QComboBox()
        self.profile_combo.currentTextChanged.connect(self._on_profile_selected)
        new_button = QPushButton("New profile…")
        new_button.clicked.connect(self._new_profile)
        self.delete_button = QPushButton("Delete profile")
        self.delete_button.clicked.connect(self._delete_profile)
        self.active_box = QCheckBox("Use this profile")
        top = QHBoxLayout()
        top.addWidget(QLabel("Profile:"))
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.active_box)
        top.addWidget(new_button)
        top.addWidget(self.delete_button)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_account_tab(), "X account")
        self.tabs.addTab(self._build_campaign_tab(), "Campaign")
        self.tabs.addTab(self._build_filters_tab(), "Filters && tiers")
        self.tabs.addTab(self._build_automation_tab(), "Automation")

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problems_label)
        layout.addWidget(buttons)
        self._reload_profiles(self.draft.active_profile)

    # -- tabs ------------------------------------------------------------------------------------------
    def _build_account_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
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
        self.keyring_label = QLabel(self.context.secrets.backend_description)
        self.keyring_label.setWordWrap(True)
        form.addRow(self.keyring_label)
        form.addRow(QLabel("The access token needs “Read, write, and Direct Messages” permission to send DMs."))
        return tab

    def _build_campaign_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.dm_enabled_box = QCheckBox("Sending DMs is enabled (master switch)")
        self.test_mode_box = QCheckBox("Test mode: send only to the test accounts below")
        self.test_accounts_edit = QLineEdit()
        self.test_accounts_edit.setPlaceholderText(f"up to {MAX_TEST_ACCOUNTS} usernames, comma separated")
        self.test_retry_box = QCheckBox("Test the retry message instead of the first message")
        self.message_edit = QPlainTextEdit()
        self.message_edit.setPlaceholderText("Hi {first_name}, thanks for following! …")
        self.retry_edit = QPlainTextEdit()
        self.retry_days_spin = QSpinBox()
        self.retry_days_spin.setRange(0, 3650)
        self.retry_days_spin.setSuffix(" days")
        self.daily_cap_spin = QSpinBox()
        self.daily_cap_spin.setRange(1, 1440)  # X allows 1,440 DMs per 24 h per user
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
        form.addRow(self.dm_enabled_box)
        form.addRow(self.test_mode_box)
        form.addRow("Test accounts", self.test_accounts_edit)
        form.addRow(self.test_retry_box)
        form.addRow("First DM", self.message_edit)
        form.addRow("Retry DM", self.retry_edit)
        form.addRow("Retry after", self.retry_days_spin)
        form.addRow("Daily cap", self.daily_cap_spin)
        form.addRow(QLabel("Placeholders: {name}, {first_name}, {username}."))
        opt_out_line_row = QHBoxLayout()
        opt_out_line_row.addWidget(self.opt_out_line_box)
        opt_out_line_row.addWidget(self.opt_out_line_edit, 1)
        form.addRow(opt_out_line_row)
        form.addRow("Opt-out words", self.opt_out_words_edit)
        replies_note = QLabel("No retry goes to a follower who replied; a reply starting with an opt-out word also "
                              "puts them on the do-not-contact list.")
        replies_note.setWordWrap(True)  # a narrow dialog must not cut the sentence off
        form.addRow(replies_note)
        self.tier_messages_table = QTableWidget(0, 3)
        self.tier_messages_table.setHorizontalHeaderLabels(("Tier", "First DM for this tier", "Retry DM for this tier"))
        self.tier_messages_table.horizontalHeader().setStretchLastSection(True)
        form.addRow(QLabel("Per-tier messages (leave empty to use the messages above):"))
        form.addRow(self.tier_messages_table)
        return tab

    def _build_filters_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        form = QFormLayout()
        self.created_after_edit = OptionalDateTimeEdit("Joined after")
        self.created_before_edit = OptionalDateTimeEdit("Joined before")
        self.bound_spins = {name: OptionalIntSpin() for name in
                            ("min_followers", "max_followers", "min_following", "max_following")}
        self.verified_box = QCheckBox("Verified only")
        form.addRow(self.created_after_edit)
        form.addRow(self.created_before_edit)
        for name, spin in self.bound_spins.items():
            form.addRow(name.replace("_", " ").capitalize().replace("following", "following (friends)"), spin)
        form.addRow(self.verified_box)
        layout.addLayout(form)
        layout.addWidget(QLabel("High-value tiers, first match wins; leave the last one without limits:"))
        self.tiers_table = QTableWidget(0, len(TIER_COLUMNS))
        self.tiers_table.setHorizontalHeaderLabels(TIER_COLUMNS)
        layout.addWidget(self.tiers_table)
        row_buttons = QHBoxLayout()
        add = QPushButton("Add tier")
        add.clicked.connect(lambda: self._append_tier_row(TierSpec("New tier")))
        remove = QPushButton("Remove selected tier")
        remove.clicked.connect(lambda: self.tiers_table.removeRow(self.tiers_table.currentRow()))
        row_buttons.addWidget(add)
        row_buttons.addWidget(remove)
        row_buttons.addStretch(1)
        layout.addLayout(row_buttons)
        return tab

    def _build_automation_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.auto_fetch_spin = QSpinBox()
        self.auto_fetch_spin.setRange(0, 7 * 24 * 60)
        self.auto_fetch_spin.setSpecialValueText("off")
        self.auto_fetch_spin.setSuffix(" min")
        self.auto_dm_box = QCheckBox("Send due first and retry DMs automatically (respects the master switch)")
        form.addRow("Fetch followers every", self.auto_fetch_spin)
        form.addRow(self.auto_dm_box)
        return tab

    # -- profile <-> widgets ---------------------------------------------------------------------------
    def _reload_profiles(self, select: str) -> None:
        self._loading = True  # the combo's own signals would save the old widgets into the wrong profile
        self._current = select
        self.profile_combo.clear()
        self.profile_combo.addItems(sorted(self.draft.profiles))
        self.profile_combo.setCurrentText(select)
        self._loading = False
        self._show_profile(self.draft.profiles[select])

    def _on_profile_selected(self, name: str) -> None:
        if self._loading or not name or name == self._current:
            return
        self._collect(self.draft.profiles[self._current])
        self._current = name
        self._show_profile(self.draft.profiles[name])

    def _show_profile(self, profile: Profile) -> None:
        sandbox = profile.kind == "sandbox"
        self.sandbox_note.setVisible(sandbox)
        self.delete_button.setEnabled(not sandbox)
        self.active_box.setChecked(self.draft.active_profile == profile.name)
        stored = self._pending_credentials.get(profile.name)
        if stored is None and not sandbox:
            try:
                stored = self.context.secrets.credentials(profile.name)
            except TwExportError as exc:
                self.problems_label.setText(exc.user_message)
                stored = Credentials()
        for field, edit in self.credential_edits.items():
            edit.setEnabled(not sandbox)
            edit.setText("" if sandbox or stored is None else (getattr(stored, field) or ""))
        self.dm_enabled_box.setChecked(profile.dm_enabled)
        self.test_mode_box.setChecked(profile.test_mode)
        self.test_accounts_edit.setText(", ".join(profile.test_accounts))
        self.test_retry_box.setChecked(profile.test_retry_message)
        self.message_edit.setPlainText(profile.message)
        self.retry_edit.setPlainText(profile.retry_message)
        self.retry_days_spin.setValue(profile.retry_after_days)
        self.daily_cap_spin.setValue(profile.daily_cap)
        self.opt_out_line_box.setChecked(bool(profile.opt_out_line.strip()))
        self.opt_out_line_edit.setEnabled(bool(profile.opt_out_line.strip()))
        self.opt_out_line_edit.setText(profile.opt_out_line.strip() or DEFAULT_OPT_OUT_LINE)
        self.opt_out_words_edit.setPlainText("\n".join(profile.opt_out_words))
        filters = profile.follower_filters
        self.created_after_edit.set_value(filters.created_after)
        self.created_before_edit.set_value(filters.created_before)
        for name, spin in self.bound_spins.items():
            spin.set_optional_value(getattr(filters, name))
        self.verified_box.setChecked(filters.verified_only)
        self.tiers_table.setRowCount(0)
        for tier in profile.tiers:
            self._append_tier_row(tier)
        self.auto_fetch_spin.setValue(profile.auto_fetch_minutes)
        self.auto_dm_box.setChecked(profile.auto_dm)
        self._show_tier_messages(profile)

    def _show_tier_messages(self, profile: Profile) -> None:
        table = self.tier_messages_table
        table.setRowCount(0)
        for tier in profile.tiers:
            texts = profile.tier_messages.get(tier.name, {})
            row = table.rowCount()
            table.insertRow(row)
            name = QTableWidgetItem(tier.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, 0, name)
            table.setItem(row, 1, QTableWidgetItem(texts.get("first", "")))
            table.setItem(row, 2, QTableWidgetItem(texts.get("retry", "")))

    def _collected_tier_messages(self) -> dict[str, dict[str, str]]:
        table = self.tier_messages_table
        messages: dict[str, dict[str, str]] = {}
        for row in range(table.rowCount()):
            texts = {key: (table.item(row, column).text().strip() if table.item(row, column) else "")
                     for column, key in ((1, "first"), (2, "retry"))}
            texts = {key: text for key, text in texts.items() if text}
            if texts:
                messages[table.item(row, 0).text()] = texts
        return messages

    def _collect(self, profile: Profile) -> None:
        """Widgets -> `profile` (the draft); credentials are kept aside for the keyring."""
        if profile.kind != "sandbox":
            self._pending_credentials[profile.name] = Credentials(
                **{field: edit.text().strip() or None for field, edit in self.credential_edits.items()})
        if self.active_box.isChecked():
            self.draft.active_profile = profile.name
        # Turning live sending on here is confirmed in accept(), once the user saves.
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
        filters = profile.follower_filters
        filters.created_after = self.created_after_edit.value()
        filters.created_before = self.created_before_edit.value()
        for name, spin in self.bound_spins.items():
            setattr(filters, name, spin.optional_value())
        filters.verified_only = self.verified_box.isChecked()
        profile.tiers = [self._tier_from_row(row) for row in range(self.tiers_table.rowCount())]
        profile.auto_fetch_minutes = self.auto_fetch_spin.value()
        profile.auto_dm = self.auto_dm_box.isChecked()
        profile.tier_messages = self._collected_tier_messages()

    def _append_tier_row(self, tier: TierSpec) -> None:
        row = self.tiers_table.rowCount()
        self.tiers_table.insertRow(row)
        values = (tier.name, tier.min_followers, tier.max_followers, tier.min_following, tier.max_following)
        for column, value in enumerate(values):
            self.tiers_table.setItem(row, column, QTableWidgetItem("" if value is None else str(value)))

    def _tier_from_row(self, row: int) -> TierSpec:
        cells = [(self.tiers_table.item(row, c).text().strip() if self.tiers_table.item(row, c) else "")
                 for c in range(len(TIER_COLUMNS))]

        def bound(text: str):
            text = text.replace(",", "").replace("_", "")
            return int(text) if text.isdigit() else (None if not text else text)  # keep bad text: validation names it

        return TierSpec(cells[0], *(bound(cell) for cell in cells[1:]))

    def _new_profile(self) -> None:
        name, ok = QInputDialog.getText(self, "New profile", "Name of the X account profile:")
        if not ok:
            return
        problem = profile_name_problem(name) or (f"A profile named {name!r} exists." if name in self.draft.profiles
                                                 else None)
        if problem:
            QMessageBox.warning(self, "New profile", problem)
            return
        self._collect(self.draft.profiles[self._current])
        self.draft.profiles[name] = Profile(name=name, kind="x")
        self._reload_profiles(name)

    def _delete_profile(self) -> None:
        name = self._current
        if name == SANDBOX_PROFILE_NAME:
            return
        if QMessageBox.question(self, "Delete profile", f"Delete profile {name!r} and its stored credentials?") \
                != QMessageBox.StandardButton.Yes:
            return
        del self.draft.profiles[name]
        self._pending_credentials[name] = None  # type: ignore[assignment] - marks for deletion
        if self.draft.active_profile == name:
            self.draft.active_profile = SANDBOX_PROFILE_NAME
        self._current = SANDBOX_PROFILE_NAME
        self._reload_profiles(SANDBOX_PROFILE_NAME)

    # -- save ------------------------------------------------------------------------------------------
    def accept(self) -> None:  # noqa: D401 - Qt override
        self._collect(self.draft.profiles[self._current])
        problems = validate_settings(self.draft) + self._template_problems()
        problems += [f"profiles.{p.name}.test_accounts has more than {MAX_TEST_ACCOUNTS} accounts"
                     for p in self.draft.profiles.values() if len(p.test_accounts) > MAX_TEST_ACCOUNTS
                     and not any("test_accounts" in problem for problem in problems)]
        if problems:
            self.problems_label.setText("Please fix: " + "; ".join(problems))
            return
        if not self._confirm_profiles_going_live():
            self.problems_label.setText("Nothing was saved: live sending was not confirmed. Turn test mode on or the "
                                        "master switch off to save without sending live DMs.")
            return
        try:
            for name, credentials in self._pending_credentials.items():
                if credentials is None:
                    self.context.secrets.delete_profile(name)
                else:
                    self.context.secrets.set_credentials(name, credentials)
            save_settings(self.draft, self.context.settings_file)
        except SettingsInvalid as exc:
            self.problems_label.setText("Please fix: " + "; ".join(exc.problems))
            return
        except TwExportError as exc:
            self.problems_label.setText(exc.user_message)
            return
        self.context.settings = self.draft
        super().accept()


    def _confirm_profiles_going_live(self) -> bool:
        """Every profile this dialog turns live needs the same confirmation as the DM tab's switches."""
        now = int(self.context.clock.now())
        for profile in self.draft.profiles.values():
            before = self.context.settings.profiles.get(profile.name)
            if not profile.sends_live or (before is not None and before.sends_live):
                continue
            owner = SANDBOX_USER_ID if profile.kind == "sandbox" else profile.account_id
            conn = self.context.connect()
            try:
                audience = live_audience(conn, owner, campaign_settings(profile), now)
            finally:
                conn.close()
            if not confirm_live_sending(self, audience, what=f"Turn live sending on for {profile.name!r}"):
                return False
            profile.live_confirmed_at = now
        return True

    def _template_problems(self) -> list[str]:
        """Messages are checked here too, so an unknown {placeholder} is caught when typed, not when sending."""
        problems = []
        for profile in self.draft.profiles.values():
            texts = {"message": profile.message, "retry_message": profile.retry_message}
            for tier, pair in profile.tier_messages.items():
                texts.update({f"tier_messages.{tier}.{key}": text for key, text in pair.items()})
            for field, text in texts.items():
                if text.strip():
                    problems += [f"profiles.{profile.name}.{field}: {p}" for p in validate_template(text)]
        return problems

