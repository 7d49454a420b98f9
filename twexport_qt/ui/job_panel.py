"""A strip that shows one running job: what it does, a progress bar, a rate-limit countdown and Cancel; and a
job a spending limit paused, with its sentence and Resume.

The bar is the shared `JobProgressBar` (ui/widgets.py); the countdown (ui/countdown.py) ticks from the
`resume_at` the job announced, in the GUI thread.

In a narrow window the strip gives up room in this order: the bar, the job's title and the reason for a wait
(shortened with "…", whole in their tooltips), never the time left before it resumes nor the buttons.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from twexport_qt.core.progress import Progress
from twexport_qt.ui.countdown import Countdown
from twexport_qt.ui.widgets import ElidedLabel, JobProgressBar
from twexport_qt.workers.job_worker import JobWorker

if TYPE_CHECKING:  # the pacer's notice is only read here: its module (the endpoints' rate limits) loads with a job
    from twexport_qt.gateway.pacing import WaitNotice


class JobPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, wall_clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._wall_clock = wall_clock
        self._worker: JobWorker | None = None
        self._resume: Callable[[], object] | None = None
        self.title = ElidedLabel(min_chars=10)
        self.bar = JobProgressBar()
        self.bar.setMinimumWidth(80)
        self.bar.setMaximumWidth(320)
        self.bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.status = ElidedLabel(min_chars=16)  # progress, or why the job waits
        self.time_left = QLabel()  # "Resuming in 14:59.": whole at any width
        self.time_left.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.time_left.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.time_left.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.clicked.connect(self._on_resume)
        self.resume_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.time_left)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.resume_button)
        self.countdown = Countdown(self.time_left, wall_clock, reason_label=self.status)
        self.hide()

    def attach(self, worker: JobWorker, title: str) -> None:
        """Follow `worker` until it finishes; Cancel cancels it."""
        self._resume = None
        self.resume_button.hide()
        self.cancel_button.show()
        self.bar.show()
        self.title.setText(title)
        self.bar.show_busy()
        self._show_status("Starting…")
        self.cancel_button.setEnabled(True)
        # Bound slots of this widget: queued to the GUI thread (see job_controller.py).
        worker.progressed.connect(self.show_progress)
        worker.waiting.connect(self.show_wait)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.show()

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self.bar.show_progress(progress)
        self._show_status(progress.describe())

    @Slot(object)
    def show_wait(self, notice: WaitNotice) -> None:
        self.countdown.start(notice)
        self.time_left.show()

    def _show_status(self, text: str) -> None:
        """A state that is not a wait: the countdown stops and its time left goes."""
        self.countdown.stop()
        self.time_left.hide()
        self.time_left.clear()
        self.status.setText(text)

    def show_paused(self, title: str, sentence: str, resume: Callable[[], object]) -> None:
        """A budget or --max-cost stopped the job: say why and offer Resume (it runs the job again, which
        continues where it stopped), until another job starts."""
        self._resume = resume
        self.title.setText(f"{title} paused:")
        self._show_status(sentence)
        self.bar.hide()
        self.cancel_button.hide()
        self.resume_button.show()
        self.show()

    def countdown_text(self) -> str:
        """What the strip says about the job now: its progress, or why it waits and for how long."""
        return " ".join(text for text in (self.status.text(), self.time_left.text()) if text)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self._show_status("Cancelling…")
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
