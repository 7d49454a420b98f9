"""Small widgets shared by several views: optional values (a bound or a date that may be unset) and the one
progress bar every job view draws its `Progress` reports on."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QProgressBar, QSpinBox, QWidget

from twexport_qt.core.progress import Progress

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
        return datetime.fromtimestamp(self.edit.dateTime().toSecsSinceEpoch(), tz=UTC)

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


class JobProgressBar(QProgressBar):
    """A job's progress: per mille of its total when the total is known (counts may exceed a Qt int), else busy."""

    SCALE = 1000

    def show_progress(self, progress: Progress) -> None:
        fraction = progress.fraction
        if fraction is None:
            self.show_busy()
        else:
            self.setRange(0, self.SCALE)
            self.setValue(int(self.SCALE * fraction))  # full only when done

    def show_busy(self) -> None:
        self.setRange(0, 0)

    def show_ended(self, *, complete: bool) -> None:
        """Full when the job got to its end; empty when it stopped before."""
        self.setRange(0, self.SCALE)
        self.setValue(self.SCALE if complete else 0)
