"""A strip that shows one running job: what it does, a progress bar, a rate-limit countdown and Cancel; and a
job a spending limit paused, with its sentence and Resume.

The bar is the shared `JobProgressBar` (ui/widgets.py); the countdown (ui/countdown.py) ticks from the
`resume_at` the job announced, in the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from twexport_qt.core.progress import Progress
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.ui.countdown import Countdown
from twexport_qt.ui.widgets import JobProgressBar
from twexport_qt.workers.job_worker import JobWorker


class JobPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, wall_clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._wall_clock = wall_clock
        self._worker: JobWorker | None = None
        self._resume: Callable[[], object] | None = None
        self.title = QLabel()
        self.bar = JobProgressBar()
        self.bar.setMinimumWidth(200)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.clicked.connect(self._on_resume)
        self.resume_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.title, self.bar, self.status):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.resume_button)
        self.countdown = Countdown(self.status, wall_clock)
        self.hide()

    def attach(self, worker: JobWorker, title: str) -> None:
        """Follow `worker` until it finishes; Cancel cancels it."""
        self._resume = None
        self.resume_button.hide()
        self.cancel_button.show()
        self.bar.show()
        self.title.setText(title)
        self.bar.show_busy()
        self.status.setText("Starting…")
        self.cancel_button.setEnabled(True)
        self.countdown.stop()
        # Bound slots of this widget: queued to the GUI thread (see job_controller.py).
        worker.progressed.connect(self.show_progress)
        worker.waiting.connect(self.show_wait)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.show()

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self.countdown.stop()
        self.bar.show_progress(progress)
        self.status.setText(progress.describe())

    @Slot(object)
    def show_wait(self, notice: WaitNotice) -> None:
        self.countdown.start(notice)

    def show_paused(self, title: str, sentence: str, resume: Callable[[], object]) -> None:
        """A budget or --max-cost stopped the job: say why and offer Resume (it runs the job again, which
        continues where it stopped), until another job starts."""
        self.countdown.stop()
        self._resume = resume
        self.title.setText(f"{title} paused:")
        self.status.setText(sentence)
        self.bar.hide()
        self.cancel_button.hide()
        self.resume_button.show()
        self.show()

    def countdown_text(self) -> str:
        return self.status.text()

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling…")
        if self._worker is not None:
            # Direct call, not a signal: the worker's thread is busy running the job and processes no events;
            # cancel() only sets a thread-safe flag that the job polls and that wakes any wait.
            self._worker.cancel()

    def _on_resume(self) -> None:
        resume, self._resume = self._resume, None
        self.resume_button.hide()
        self.hide()
        if resume is not None:
            resume()

    @Slot()
    def _on_finished(self) -> None:
        self.countdown.stop()
        self._worker = None
        if self._resume is None:  # a paused job stays on show with its Resume button
            self.hide()
