"""Start background jobs from views, one per kind at a time, and tell every view when data changed.

Views call `start(...)`; the controller runs the job in a QThread (JobRunner), shows it in the JobPanel
(progress, countdown, Cancel), reports failures as sentences, and emits `dataChanged` after any job that
wrote to the store, which is what keeps tables, plots and the summary fresh by themselves.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.job_worker import Job, JobRunner, JobWorker


class JobController(QObject):
    dataChanged = Signal(str)        # job name
    jobStarted = Signal(str)
    jobEnded = Signal(str, str)      # job name, outcome: succeeded | failed | cancelled
    messageRaised = Signal(str)      # for the status bar

    def __init__(self, panel: JobPanel, parent_widget: QWidget | None = None, *, interactive: bool = True) -> None:
        super().__init__(parent_widget)
        self.runner = JobRunner(self)
        self.panel = panel
        self._parent_widget = parent_widget
        self._interactive = interactive  # False in tests and --self-check: no modal dialogs
        self.last_error: str | None = None

    def is_running(self, name: str) -> bool:
        return self.runner.is_running(name)

    def start(
        self,
        name: str,
        title: str,
        job: Job,
        *,
        on_success: Callable[[Any], None] | None = None,
        writes_data: bool = True,
    ) -> JobWorker | None:
        if self.runner.is_running(name):
            self.messageRaised.emit(f"{title} is already running.")
            return None
        worker = JobWorker(name, job)
        self.panel.attach(worker, title)
        if on_success is not None:
            worker.succeeded.connect(on_success)
        worker.succeeded.connect(lambda _result: self.jobEnded.emit(name, "succeeded"))
        worker.failed.connect(lambda message: self._report_failure(name, title, message))
        worker.cancelled.connect(lambda: self._report_cancel(name, title))
        if writes_data:
            # Even a failed or cancelled job has committed whole pages: refresh in every case.
            worker.finished.connect(lambda: self.dataChanged.emit(name))
        self.runner.start(worker)
        self.jobStarted.emit(name)
        return worker

    def cancel_all(self) -> None:
        for worker in self.runner.running():
            worker.cancel()

    def shutdown(self) -> None:
        self.runner.shutdown()

    def _report_failure(self, name: str, title: str, message: str) -> None:
        self.last_error = message
        self.jobEnded.emit(name, "failed")
        self.messageRaised.emit(f"{title} stopped: {message}")
        if self._interactive:
            QMessageBox.warning(self._parent_widget, title, message)

    def _report_cancel(self, name: str, title: str) -> None:
        self.jobEnded.emit(name, "cancelled")
        self.messageRaised.emit(f"{title} cancelled. It will resume where it stopped.")
