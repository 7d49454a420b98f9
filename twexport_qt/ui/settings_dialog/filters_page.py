"""Settings → Filters & tiers: which followers a campaign targets by default, and the high-value tiers (first
match wins). A tier bound typed as something other than a number is kept as typed, so the dialog's validation
names the field instead of silently dropping the bound."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.settings.model import Profile, TierSpec
from twexport_qt.settings.validation import FILTER_FIELD_LABELS, TIER_FIELD_LABELS
from twexport_qt.ui.settings_dialog.page import SettingsPage
from twexport_qt.ui.widgets import OptionalDateTimeEdit, OptionalIntSpin

BOUND_FIELDS = ("min_followers", "max_followers", "min_following", "max_following")  # TierSpec's and the filter's
# The labels validation names these fields with, so a problem reads like the form.
TIER_COLUMNS = tuple(TIER_FIELD_LABELS[name] for name in ("name", *BOUND_FIELDS))
FOLLOWING_TIP = "Accounts the follower follows (the original tool called them friends)."


class FiltersPage(SettingsPage):
    TITLE = "Filters && tiers"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.created_after_edit = OptionalDateTimeEdit(FILTER_FIELD_LABELS["created_after"], local_time=True)
        self.created_before_edit = OptionalDateTimeEdit(FILTER_FIELD_LABELS["created_before"], local_time=True)
        self.bound_spins = {name: OptionalIntSpin() for name in BOUND_FIELDS}
        self.verified_box = QCheckBox(FILTER_FIELD_LABELS["verified_only"])
        form.addRow(self.created_after_edit)
        form.addRow(self.created_before_edit)
        for name, spin in self.bound_spins.items():
            if "following" in name:
                spin.setToolTip(FOLLOWING_TIP)
            form.addRow(FILTER_FIELD_LABELS[name], spin)
        form.addRow(self.verified_box)
        layout.addLayout(form)
        layout.addWidget(QLabel("High-value tiers, first match wins; leave the last one without limits:"))
        self.tiers_table = QTableWidget(0, len(TIER_COLUMNS))
        self.tiers_table.setHorizontalHeaderLabels(TIER_COLUMNS)
        layout.addWidget(self.tiers_table)
        row_buttons = QHBoxLayout()
        self.add_tier_button = QPushButton("Add tier")
        self.add_tier_button.clicked.connect(lambda: self._append_tier_row(TierSpec("New tier")))
        self.remove_tier_button = QPushButton("Remove selected tier")
        self.remove_tier_button.clicked.connect(lambda: self.tiers_table.removeRow(self.tiers_table.currentRow()))
        row_buttons.addWidget(self.add_tier_button)
        row_buttons.addWidget(self.remove_tier_button)
        row_buttons.addStretch(1)
        layout.addLayout(row_buttons)

    def load(self, profile: Profile) -> None:
        filters = profile.follower_filters
        self.created_after_edit.set_value(filters.created_after)
        self.created_before_edit.set_value(filters.created_before)
        for name, spin in self.bound_spins.items():
            spin.set_optional_value(getattr(filters, name))
        self.verified_box.setChecked(filters.verified_only)
        self.tiers_table.setRowCount(0)
        for tier in profile.tiers:
            self._append_tier_row(tier)

    def save(self, profile: Profile) -> None:
        filters = profile.follower_filters
        filters.created_after = self.created_after_edit.value()
        filters.created_before = self.created_before_edit.value()
        for name, spin in self.bound_spins.items():
            setattr(filters, name, spin.optional_value())
        filters.verified_only = self.verified_box.isChecked()
        profile.tiers = [self._tier_from_row(row) for row in range(self.tiers_table.rowCount())]

    def _append_tier_row(self, tier: TierSpec) -> None:
        row = self.tiers_table.rowCount()
        self.tiers_table.insertRow(row)
        values = (tier.name, *(getattr(tier, name) for name in BOUND_FIELDS))
        for column, value in enumerate(values):
            self.tiers_table.setItem(row, column, QTableWidgetItem("" if value is None else str(value)))

    def _tier_from_row(self, row: int) -> TierSpec:
        name, *bounds = (_cell_text(self.tiers_table, row, column) for column in range(len(TIER_COLUMNS)))
        return TierSpec(name, *(_typed_bound(text) for text in bounds))


def _typed_bound(text: str) -> Any:
    """A whole number ("10,000" and "10_000" too), None for an empty cell, else the text as typed: an `Any`,
    because validation (`settings.validation.validate_tiers`) must see and name the bad text, as in a hand-edited
    settings file."""
    digits = text.replace(",", "").replace("_", "")
    if digits.isdigit():
        return int(digits)
    return digits or None


def _cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""
