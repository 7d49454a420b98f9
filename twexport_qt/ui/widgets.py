"""Small widgets shared by several views: optional values (a bound, a number of days or a date that may be unset),
the one progress bar every job view draws its `Progress` reports on, a label that yields room without hiding its
text, and a dismissible notice bar."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QEvent, QSize, Qt, QTimeZone, Signal
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QToolTip,
    QWidget,
)

from twexport_qt.core.progress import Progress
from twexport_qt.settings.validation import MAX_ACTIVITY_DAYS

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


def days_spin(tip: str = "") -> OptionalIntSpin:
    """A number of days of a follower filter's activity ("inactive for", "posted within"), "any" while unset: the
    filter panel's and the Settings → Filters page's, so both offer the same range that validation accepts."""
    spin = OptionalIntSpin()
    spin.setRange(NO_LIMIT, MAX_ACTIVITY_DAYS)
    spin.setSpecialValueText("any")
    spin.setSuffix(" days")
    spin.setToolTip(tip)
    return spin


class OptionalDateTimeEdit(QWidget):
    """A date-time with a checkbox saying whether it applies. It is shown and typed in UTC, or with `local_time`
    on the computer's clock (as the app shows times); either way `value()` is the same moment."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None, *, local_time: bool = False) -> None:
        super().__init__(parent)
        self._zone = QTimeZone.systemTimeZone() if local_time else QTimeZone.utc()
        self.enabled_box = QCheckBox(label)
        self.edit = QDateTimeEdit()
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setTimeZone(self._zone)
        self.edit.setCalendarPopup(True)
        self.edit.setDateTime(QDateTime.currentDateTime(self._zone))
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
        self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(epoch, self._zone))
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


class ElidedLabel(QLabel):
    """A one-line plain-text label that may be given less room than its text needs: it then ends the text with
    "…" and its tooltip shows the whole. `text()` is always the whole text.

    Its size hint is the whole text, so a layout with room shows it all; its minimum is a few characters, so a
    crowded layout (a narrow window) can take room from it instead of cutting a label that must stay whole."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_chars: int = 8) -> None:
        super().__init__(text, parent)
        self._min_chars = min_chars
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        whole = super().minimumSizeHint()
        least = self.fontMetrics().horizontalAdvance("x" * self._min_chars + "…") + 2 * self.margin()
        return QSize(min(whole.width(), least), whole.height())

    def is_elided(self) -> bool:
        """True when the label shows less than its whole text."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self._text_rect_width()

    def _text_rect_width(self) -> int:
        return self.contentsRect().width() - 2 * self.margin()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.is_elided():
            super().paintEvent(event)
            return
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self._text_rect_width())
        painter = QPainter(self)
        rect = self.contentsRect().adjusted(self.margin(), self.margin(), -self.margin(), -self.margin())
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), shown,
                                  self.foregroundRole())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.is_elided():
            # The whole text first, then what the label's own tooltip explains.
            own = self.toolTip()
            QToolTip.showText(event.globalPos(), f"{self.text()}\n\n{own}" if own else self.text(), self)
            return True
        return super().event(event)


class InfoBar(QFrame):
    """A notice above a view that stays until the user dismisses it (or it is shown again): for facts that
    matter all session, such as secrets kept only until the app closes, which a status-bar message would
    lose after a few seconds. Its colours are the palette's, so it reads in light and dark mode alike."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InfoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.Text)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
