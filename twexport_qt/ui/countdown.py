"""A rate-limit countdown shown in a label: "X's limit is reached. Resuming in 14:59." ticking every second.

Ticks on a QTimer in the GUI thread from the `resume_at` a job announced, so the window stays live while the
worker waits. `now` is the app's clock, so tests on a FakeClock see the countdown move.

Given a `reason_label`, the reason goes there and `label` holds only "Resuming in 14:59.": a crowded strip may then
shorten the reason (which can be a long sentence) and still show the time left whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from twexport_qt.core.timefmt import format_duration

if TYPE_CHECKING:  # annotations only: the pacing modules load with the first job
    from twexport_qt.gateway.pacing import WaitNotice


class Countdown(QObject):
    def __init__(self, label: QLabel, now: Callable[[], float], *, reason_label: QLabel | None = None) -> None:
        super().__init__(label)
        self._label = label
        self._reason_label = reason_label
        self._now = now
        self._notice: WaitNotice | None = None
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.update)

    @property
    def active(self) -> bool:
        return self._notice is not None

    def start(self, notice: WaitNotice) -> None:
        self._notice = notice
        if self._reason_label is not None:
            self._reason_label.setText(notice.message)
        self.update()
        self._timer.start()

    def stop(self) -> None:
        """Stop ticking; the label keeps its text until its owner writes something else."""
        self._notice = None
        self._timer.stop()

    def update(self) -> None:
        if self._notice is None:
            self._timer.stop()
            return
        left = max(0.0, self._notice.resume_at - self._now())
        time_left = f"Resuming in {format_duration(left)}."
        self._label.setText(time_left if self._reason_label is not None else f"{self._notice.message} {time_left}")
