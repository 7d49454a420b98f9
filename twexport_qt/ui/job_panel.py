"""A strip that shows one running job: what it does, a progress bar, a rate-limit countdown and Cancel.

The countdown ticks from the `resume_at` the job announced, on a 1 s QTimer in the GUI thread, so the
window stays live while the worker thread waits.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from twexport_qt.core.progress import Progress
from twexport_qt.core.timefmt import format_duration
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.workers.job_worker import JobWorker


class JobPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, wall_clock=time.time) -> None:
        super().__init__(parent)
        self._wall_clock = wall_clock
        self._resume_at: float | None = None
        self._wait_message = ""
        self._worker: JobWorker | None = None
        self.title = QLabel()
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(200)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.title, self.bar, self.status):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_countdown)
        self.hide()

    def attach(self, worker: JobWorker, title: str) -> None:
        """Follow `worker` until it finishes; Cancel cancels it."""
        self.title.setText(title)
        self.bar.setRange(0, 0)
        self.status.setText("Starting…")
        self.cancel_button.setEnabled(True)
        self._resume_at = None
        # Bound slots of this widget: queued to the GUI thread (see job_controller.py).
        worker.progressed.connect(self.show_progress)
        worker.waiting.connect(self.show_wait)
        worker.finished.connect(self._on_finished)
        self._worker: JobWorker | None = worker
        self.show()

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self._resume_at = None
        self._tick.stop()
        if progress.total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * (progress.fraction or 0)))
        else:
            self.bar.setRange(0, 0)
        text = progress.message
        if progress.eta_seconds is not None:
            text += f" · about {format_duration(progress.eta_seconds)} left"
        self.status.setText(text)

    @Slot(object)
    def show_wait(self, notice: WaitNotice) -> None:
        self._resume_at = notice.resume_at
        self._wait_message = notice.message
        self._update_countdown()
        self._tick.start()

    def countdown_text(self) -> str:
        return self.status.text()

    def _update_countdown(self) -> None:
        if self._resume_at is None:
            self._tick.stop()
            return
        left = self._resume_at - self._wall_clock()
        self.status.setText(f"{self._wait_message} Resuming in {format_duration(max(0.0, left))}.")

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling…")
        if self._worker is not None:
            # Direct call, not a signal: the worker's thread is busy running the job and processes no events;
            # cancel() only sets a thread-safe flag that the job polls and that wakes any wait.
            self._worker.cancel()

    @Slot()
    def _on_finished(self) -> None:
        self._tick.stop()
        self._worker = None
        self.hide()
