"""Settings → Filters & tiers: which followers a campaign targets by default (the filter panel's fields with its
labels: dates, follower, following, post and list counts, activity days, verified, relationship), and the
high-value tiers (first match wins). A tier bound typed as something other than a number is kept as typed, so the
dialog's validation names the field instead of silently dropping the bound."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from twexport_qt.ui.filter_panel import (
    FOLLOWING_TIP,
    INACTIVE_TIP,
    LISTS_TIP,
    POSTED_WITHIN_TIP,
    POSTS_TIP,
    RELATIONSHIP_LABELS,
    RELATIONSHIP_TIP,
)
from twexport_qt.ui.settings_dialog.page import SettingsPage
from twexport_qt.ui.widgets import OptionalDateTimeEdit, OptionalIntSpin, days_spin

BOUND_FIELDS = ("min_followers", "max_followers", "min_following", "max_following")  # TierSpec's and the filter's
# The default filter's number fields, in the filter panel's order, with the panel's tooltips: the same form twice.
FILTER_NUMBER_TIPS: dict[str, str] = {
    "min_followers": "", "max_followers": "",
    "min_following": FOLLOWING_TIP, "max_following": FOLLOWING_TIP,
    "min_tweets": POSTS_TIP, "max_tweets": POSTS_TIP,
    "min_listed": LISTS_TIP, "max_listed": LISTS_TIP,
    "inactive_days": INACTIVE_TIP, "posted_within_days": POSTED_WITHIN_TIP,
}
DAYS_FIELDS = ("inactive_days", "posted_within_days")
# The labels validation names these fields with, so a problem reads like the form.
TIER_COLUMNS = tuple(TIER_FIELD_LABELS[name] for name in ("name", *BOUND_FIELDS))


class FiltersPage(SettingsPage):
    TITLE = "Filters && tiers"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.created_after_edit = OptionalDateTimeEdit(FILTER_FIELD_LABELS["created_after"], local_time=True)
        self.created_before_edit = OptionalDateTimeEdit(FILTER_FIELD_LABELS["created_before"], local_time=True)
        # Every number of the default filter: counts, then the activity days (settings.validation checks them all
        # and names them by these labels, as the filter panel's).
        self.bound_spins = {name: days_spin() if name in DAYS_FIELDS else OptionalIntSpin()
                            for name in FILTER_NUMBER_TIPS}
        self.verified_box = QCheckBox(FILTER_FIELD_LABELS["verified_only"])
        # A saved default, so always choosable, though it matches nobody until a following fetch has completed
        # (the filter panel greys it out until then).
        self.relationship_combo = QComboBox()
        for value, label in RELATIONSHIP_LABELS:
            self.relationship_combo.addItem(label, value)
        self.relationship_combo.setToolTip(RELATIONSHIP_TIP)
        form.addRow(self.created_after_edit)
        form.addRow(self.created_before_edit)
        for name, spin in self.bound_spins.items():
            spin.setToolTip(FILTER_NUMBER_TIPS[name])
            form.addRow(FILTER_FIELD_LABELS[name], spin)
        form.addRow(self.verified_box)
        form.addRow(FILTER_FIELD_LABELS["relationship"], self.relationship_combo)
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
        # A value the combo does not offer cannot come from a loaded file (the codec resets it); -1 would show
        # nothing and save None, so it shows "any" as it would apply.
        self.relationship_combo.setCurrentIndex(max(self.relationship_combo.findData(filters.relationship), 0))
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
        filters.relationship = self.relationship_combo.currentData()
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
