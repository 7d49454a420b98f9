"""Settings → Automation: fetching followers on a timer and sending due DMs without a click."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QSpinBox, QWidget

from twexport_qt.settings.model import Profile
from twexport_qt.settings.validation import MAX_AUTO_FETCH_MINUTES
from twexport_qt.ui.settings_dialog.page import SettingsPage


class AutomationPage(SettingsPage):
    TITLE = "Automation"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.auto_fetch_spin = QSpinBox()
        self.auto_fetch_spin.setRange(0, MAX_AUTO_FETCH_MINUTES)
        self.auto_fetch_spin.setSpecialValueText("off")
        self.auto_fetch_spin.setSuffix(" min")
        self.auto_dm_box = QCheckBox("Send due first and retry DMs automatically (respects the master switch)")
        form.addRow("Fetch followers every", self.auto_fetch_spin)
        form.addRow(self.auto_dm_box)

    def load(self, profile: Profile) -> None:
        self.auto_fetch_spin.setValue(profile.auto_fetch_minutes)
        self.auto_dm_box.setChecked(profile.auto_dm)

    def save(self, profile: Profile) -> None:
        profile.auto_fetch_minutes = self.auto_fetch_spin.value()
        profile.auto_dm = self.auto_dm_box.isChecked()
