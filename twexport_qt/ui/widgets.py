"""Small input widgets for optional values: a bound that may be unset, a date that may be unset."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QSpinBox, QWidget

NO_LIMIT = -1
SPIN_MAX = 2_000_000_000


class OptionalIntSpin(QSpinBox):
    """A count bound; the lowest value reads "no limit" and means None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(NO_LIMIT, SPIN_MAX)
        self.setSpecialValueText("no limit")
        self.setGroupSeparatorShown(True)
        self.setValue(NO_LIMIT)

    def optional_value(self) -> int | None:
        return None if self.value() == NO_LIMIT else self.value()

    def set_optional_value(self, value: int | None) -> None:
        self.setValue(NO_LIMIT if value is None else int(value))


class OptionalDateTimeEdit(QWidget):
    """A UTC date-time with a checkbox saying whether it applies."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled_box = QCheckBox(label)
        self.edit = QDateTimeEdit()
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setTimeZone(QTimeZone.utc())
        self.edit.setCalendarPopup(True)
        self.edit.setDateTime(QDateTime.currentDateTimeUtc())
        self.edit.setEnabled(False)
        self.enabled_box.toggled.connect(self.edit.setEnabled)
        self.enabled_box.toggled.connect(self.changed)
        self.edit.dateTimeChanged.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled_box)
        layout.addWidget(self.edit, 1)

    def value(self) -> datetime | None:
        if not self.enabled_box.isChecked():
            return None
        return datetime.fromtimestamp(self.edit.dateTime().toSecsSinceEpoch(), tz=timezone.utc)

    def epoch(self) -> int | None:
        value = self.value()
        return None if value is None else int(value.timestamp())

    def set_value(self, value: datetime | int | None) -> None:
        if value is None:
            self.enabled_box.setChecked(False)
            return
        epoch = int(value.timestamp()) if isinstance(value, datetime) else int(value)
        self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(epoch, QTimeZone.utc()))
        self.enabled_box.setChecked(True)
