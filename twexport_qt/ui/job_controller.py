"""Start background jobs from views, one per kind at a time, and tell every view when data changed.

Views call `start(...)`; the controller runs the job in a QThread (JobRunner), shows it in the JobPanel
(progress, countdown, Cancel), reports failures as sentences (`core.messages`), and emits `dataChanged` after
any job that wrote to the store, which is what keeps tables, plots and the summary fresh by themselves.
It also carries the window's `TaskRunner` (`jobs.tasks`), the one way views run short reads off the GUI thread.

A worker's signals are emitted in its thread. PySide runs a plain Python callable connected to them in that
thread too, so every connection here goes to a slot of a GUI-thread QObject (`_JobRelay`): Qt then queues
the call to the GUI thread, where widgets may be touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from twexport_qt.core import messages
from twexport_qt.services.jobs import Job, JobName, JobOutcome
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.job_worker import JobRunner, JobWorker
from twexport_qt.workers.tasks import TaskRunner


class JobController(QObject):
    dataChanged = Signal(str)        # JobName
    jobStarted = Signal(str)         # JobName
    jobEnded = Signal(str, object)   # JobName, JobOutcome
    jobFinished = Signal(str)        # JobName: its thread is done, a job of that name may start again

    def __init__(self, panel: JobPanel, parent_widget: QWidget | None = None, *,
                 tasks: TaskRunner | None = None) -> None:
        # Always owned by a widget (the window, else the panel): a parentless controller deleted by Python's
        # garbage collector while Qt still referenced it crashed the process.
        super().__init__(parent_widget or panel)
        self.runner = JobRunner(self)
        self.runner.threadFinished.connect(self._on_thread_finished)
        self.panel = panel
        self.tasks = tasks or TaskRunner(self)
        self._relays: dict[JobWorker, _JobRelay] = {}
        self._restart: dict[str, Callable[[], object]] = {}
        self.last_error: str | None = None

    def is_running(self, name: JobName) -> bool:
        return self.runner.is_running(name)

    def start(
        self,
        name: JobName,
        title: str,
        job: Job,
        *,
        on_success: Callable[[Any], None] | None = None,
        writes_data: bool = True,
        quiet: bool = False,
    ) -> JobWorker | None:
        """Run `job` in a thread unless a job of that name runs. `quiet`: a failure is told in the status bar
        only, not in a dialog (for scheduled runs, which must not pile up dialogs while nobody watches)."""
        if self.runner.is_running(name):
            messages.info(f"{title} is already running.")
            return None
        worker = JobWorker(name, job)
        self.panel.attach(worker, title)
        # What Resume runs again if a spending limit pauses this job.
        self._restart[name] = lambda: self.start(name, title, job, on_success=on_success, writes_data=writes_data,
                                                 quiet=quiet)
        self._relays[worker] = _JobRelay(self, worker, title, on_success, writes_data, quiet)
        self.runner.start(worker)
        self.jobStarted.emit(name)
        return worker

    def cancel_all(self) -> None:
        for worker in self.runner.running():
            worker.cancel()

    def shutdown(self) -> None:
        self.runner.shutdown()
        self.tasks.shutdown()

    @Slot(object)
    def _on_thread_finished(self, worker: JobWorker) -> None:
        self._relays.pop(worker, None)
        self.jobFinished.emit(worker.name)

    def report_failure(self, name: str, title: str, message: str, *, quiet: bool = False) -> None:
        """A failed job: its sentence as an error (a dialog), or for a `quiet` (scheduled) job as a warning."""
        self.last_error = message
        self.jobEnded.emit(name, JobOutcome.FAILED)
        if quiet:
            messages.warning(f"{title} stopped: {message}")
        else:
            messages.error(message, title=title)

    def report_pause(self, name: str, title: str, message: str) -> None:
        """A spending limit stopped the job before passing it: what was fetched is kept, a new run resumes."""
        self.last_error = message
        self.jobEnded.emit(name, JobOutcome.PAUSED)
        messages.warning(f"{title} paused: {message} Run it again to resume where it stopped.")
        restart = self._restart.get(name)
        if restart is not None:
            self.panel.show_paused(title, message, restart)

    def report_cancel(self, name: str, title: str) -> None:
        self.jobEnded.emit(name, JobOutcome.CANCELLED)
        messages.info(f"{title} cancelled. It will resume where it stopped.")


class _JobRelay(QObject):
    """Receives one worker's signals in the GUI thread and passes them on to the controller and the view."""

    def __init__(self, controller: JobController, worker: JobWorker, title: str,
                 on_success: Callable[[Any], None] | None, writes_data: bool, quiet: bool) -> None:
        super().__init__(controller)
        self._quiet = quiet
        self._controller = controller
        self._name = worker.name
        self._title = title
        self._on_success = on_success
        self._writes_data = writes_data
        worker.succeeded.connect(self.succeeded)
        worker.failed.connect(self.failed)
        worker.cancelled.connect(self.cancelled)
        worker.paused.connect(self.paused)
        worker.finished.connect(self.finished)

    @Slot(object)
    def succeeded(self, result: Any) -> None:
        if self._on_success is not None:
            self._on_success(result)
        self._controller.jobEnded.emit(self._name, JobOutcome.SUCCEEDED)

    @Slot(str)
    def failed(self, message: str) -> None:
        self._controller.report_failure(self._name, self._title, message, quiet=self._quiet)

    @Slot(str)
    def paused(self, message: str) -> None:
        self._controller.report_pause(self._name, self._title, message)

    @Slot()
    def cancelled(self) -> None:
        self._controller.report_cancel(self._name, self._title)

    @Slot()
    def finished(self) -> None:
        if self._writes_data:
            # Even a failed or cancelled job has committed whole pages: refresh in every case.
            self._controller.dataChanged.emit(self._name)
        self.deleteLater()
