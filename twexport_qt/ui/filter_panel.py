"""The follower filter form: every seed filter plus the extra ones, producing a FollowerFilter.

Edits are debounced (150 ms) so typing a number or a word does not re-query a million rows per keystroke;
an impossible combination is shown as a sentence under the form instead of being applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.tiers import TierSpec
from twexport_qt.ui.widgets import OptionalDateTimeEdit, OptionalIntSpin

DM_STATUS_CHOICES = (("any", "Any DM status"), ("not_messaged", "Not messaged yet"), ("messaged", "Messaged"),
                     ("skipped", "Skipped (can't receive DMs)"))
DEBOUNCE_MS = 150


class FilterPanel(QWidget):
    filterChanged = Signal(object)   # FollowerFilter, emitted only for valid filters
    filterInvalid = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self._tier_boxes: dict[str, QCheckBox] = {}

        self.joined_after = OptionalDateTimeEdit("Joined after")
        self.joined_before = OptionalDateTimeEdit("Joined before")
        self.min_followers, self.max_followers = OptionalIntSpin(), OptionalIntSpin()
        self.min_following, self.max_following = OptionalIntSpin(), OptionalIntSpin()
        self.verified_only = QCheckBox("Verified only")
        self.words = QLineEdit(placeholderText="e.g. founder, newsletter")
        self.words_mode = QComboBox()
        self.words_mode.addItem("any word", "any")
        self.words_mode.addItem("all words", "all")
        self.location = QLineEdit(placeholderText="e.g. Berlin")
        self.exclude_protected = QCheckBox("Hide protected accounts")
        self.dm_able_only = QCheckBox("Only followers who accept DMs")
        self.dm_status = QComboBox()
        for value, label in DM_STATUS_CHOICES:
            self.dm_status.addItem(label, value)
        self.include_unfollowed = QCheckBox("Include followers who left")
        self.tiers_box = QGroupBox("High-value tiers")
        self.tiers_layout = QVBoxLayout(self.tiers_box)

        form = QFormLayout()
        form.addRow(self.joined_after)
        form.addRow(self.joined_before)
        form.addRow("Min followers", self.min_followers)
        form.addRow("Max followers", self.max_followers)
        form.addRow("Min following (friends)", self.min_following)
        form.addRow("Max following (friends)", self.max_following)
        form.addRow(self.verified_only)
        words_row = QHBoxLayout()
        words_row.addWidget(self.words, 1)
        words_row.addWidget(self.words_mode)
        form.addRow("Bio contains", words_row)
        form.addRow("Location contains", self.location)
        form.addRow(self.exclude_protected)
        form.addRow(self.dm_able_only)
        form.addRow("DM status", self.dm_status)
        form.addRow(self.include_unfollowed)

        self.reset_button = QPushButton("Clear filters")
        self.reset_button.clicked.connect(self.clear)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet("color: #b00020")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tiers_box)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        for spin in (self.min_followers, self.max_followers, self.min_following, self.max_following):
            spin.valueChanged.connect(self._schedule)
        for edit in (self.joined_after, self.joined_before):
            edit.changed.connect(self._schedule)
        for box in (self.verified_only, self.exclude_protected, self.dm_able_only, self.include_unfollowed):
            box.toggled.connect(self._schedule)
        for combo in (self.words_mode, self.dm_status):
            combo.currentIndexChanged.connect(self._schedule)
        for line in (self.words, self.location):
            line.textChanged.connect(self._schedule)

    def set_tiers(self, tiers: Sequence[TierSpec]) -> None:
        for box in self._tier_boxes.values():
            box.deleteLater()
        self._tier_boxes = {}
        for tier in tiers:
            box = QCheckBox(tier.name)
            box.toggled.connect(self._schedule)
            self.tiers_layout.addWidget(box)
            self._tier_boxes[tier.name] = box

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        """Show `follower_filter` in the form (used for the profile's saved defaults)."""
        f = follower_filter
        self.joined_after.set_value(f.created_after)
        self.joined_before.set_value(f.created_before)
        self.min_followers.set_optional_value(f.min_followers)
        self.max_followers.set_optional_value(f.max_followers)
        self.min_following.set_optional_value(f.min_following)
        self.max_following.set_optional_value(f.max_following)
        self.verified_only.setChecked(f.verified_only)
        self.words.setText(f.description_words)
        self.words_mode.setCurrentIndex(self.words_mode.findData(f.description_mode))
        self.location.setText(f.location_contains)
        self.exclude_protected.setChecked(f.exclude_protected)
        self.dm_able_only.setChecked(f.dm_able_only)
        self.dm_status.setCurrentIndex(self.dm_status.findData(f.dm_status))
        self.include_unfollowed.setChecked(f.include_unfollowed)
        for name, box in self._tier_boxes.items():
            box.setChecked(name in f.tiers)
        self._schedule()

    def clear(self) -> None:
        self.set_filter(FollowerFilter())

    def current_filter(self) -> FollowerFilter:
        """The form as a filter; raises InvalidFilter (a ValueError) with a sentence when it cannot match."""
        return FollowerFilter(
            created_after=self.joined_after.epoch(),
            created_before=self.joined_before.epoch(),
            min_followers=self.min_followers.optional_value(),
            max_followers=self.max_followers.optional_value(),
            min_following=self.min_following.optional_value(),
            max_following=self.max_following.optional_value(),
            verified_only=self.verified_only.isChecked(),
            description_words=self.words.text(),
            description_mode=self.words_mode.currentData(),
            location_contains=self.location.text(),
            exclude_protected=self.exclude_protected.isChecked(),
            dm_able_only=self.dm_able_only.isChecked(),
            dm_status=self.dm_status.currentData(),
            tiers=tuple(name for name, box in self._tier_boxes.items() if box.isChecked()),
            include_unfollowed=self.include_unfollowed.isChecked(),
        )

    def _schedule(self, *_args: object) -> None:
        self._debounce.start()

    def flush(self) -> None:
        """Apply a pending edit now (tests, and before exporting 'the current filter')."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit()

    def _emit(self) -> None:
        try:
            follower_filter = self.current_filter()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            self.filterInvalid.emit(str(exc))
            return
        self.error_label.clear()
        self.filterChanged.emit(follower_filter)
