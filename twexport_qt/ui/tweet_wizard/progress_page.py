"""The wizard's Progress page: runs the download as a job when entered, follows it account by account, and
offers Cancel and Resume. A stopped download resumes where it stopped, so Resume simply runs it again.

The page ends when the job controller says the job's thread is done (`jobFinished`): only then may the same
download run again. Its outcome arrives before that, through `on_success` (with the summary) or `jobEnded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget, QWizard

from twexport_qt.core.progress import Progress
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.services.dataset_builds import DatasetRun
from twexport_qt.services.downloads import download_job
from twexport_qt.services.jobs import JobName, JobOutcome
from twexport_qt.tweets.download import DownloadProgress, DownloadRequest
from twexport_qt.tweets.download_report import (
    AccountRow,
    rows_after_progress,
    rows_after_stop,
    summary_rows,
    waiting_rows,
)
from twexport_qt.ui.countdown import Countdown
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.tweet_wizard.page_support import (
    WARNING_STYLE,
    WizardPage,
    account_table,
    account_table_model,
    message_label,
    widget_row,
)
from twexport_qt.ui.widgets import JobProgressBar
from twexport_qt.workers.job_worker import JobWorker

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

JOB_TITLE = "Downloading tweets"


@dataclass(frozen=True)
class _Ending:
    """How a run ended, applied once its thread is done. No outcome: the run could not start."""

    outcome: JobOutcome | None
    message: str


class ProgressPage(WizardPage):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.setTitle("Downloading")
        self.setSubTitle("Every page of tweets is saved as it arrives: stopping loses nothing. Closing this window "
                         "does not stop the download: the status bar keeps showing it.")
        # The wizard's own Cancel would read as "stop the download", which it is not: Cancel download is.
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.model = account_table_model("State", with_reason=False)
        self.table = account_table(self.model)
        self.bar = JobProgressBar()
        self.status_label = QLabel("Starting…")
        self.status_label.setWordWrap(True)
        self.wait_label = message_label(WARNING_STYLE)
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setToolTip("Stops after the current request. The download stays resumable.")
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue where the download stopped: nothing is fetched or written twice.")
        self.resume_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.wait_label)
        layout.addWidget(self.outcome_label)
        layout.addLayout(widget_row(QWidget(), self.resume_button, self.cancel_button))

        self._worker: JobWorker | None = None
        self._outcome: JobOutcome | None = None  # None until the job ends (and when it could not start)
        self._ending: _Ending | None = None  # the outcome, applied once the job's thread is done
        self.stop_message = ""
        self.request: DownloadRequest | None = None  # what the last run was asked (its summary is worded from it)
        self.countdown = Countdown(self.wait_label, context.clock.now)
        # Connected before any job starts, unlike the worker's own signals: no ending is missed.
        jobs.jobEnded.connect(self._on_job_ended)
        jobs.jobFinished.connect(self._on_job_finished)

    # -- state -----------------------------------------------------------------------------------------
    @property
    def outcome(self) -> JobOutcome | None:
        return self._outcome

    def is_running(self) -> bool:
        return self._worker is not None and self._outcome is None

    def account_rows(self) -> list[AccountRow]:
        return self.model.records()

    def isComplete(self) -> bool:
        return self._outcome is not None

    def initializePage(self) -> None:
        self.start()

    # -- the job ---------------------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        wizard = self.tweet_wizard()
        try:
            request = wizard.request()
        except ValueError as exc:  # the earlier pages validate; this only guards against a changed file system
            self._end(_Ending(JobOutcome.FAILED, str(exc)))
            return
        wizard.summary = wizard.build = None
        self.request = request
        self._outcome = None
        self.stop_message = ""
        self.model.set_records(waiting_rows(request))
        self.bar.show_busy()
        self.status_label.setText("Looking up the accounts…")
        self.outcome_label.setText("")
        self._clear_wait()
        self.resume_button.hide()
        self.cancel_button.setEnabled(True)
        self.completeChanged.emit()
        worker = self.jobs.start(JobName.TWEET_DOWNLOAD, JOB_TITLE, download_job(self.context, request),
                                 on_success=self._on_success)
        if worker is None:
            self._end(_Ending(None, "Another tweet download is running: wait for it to finish (or cancel it in the "
                                    "status bar), then press Resume."))
            return
        self._worker = worker
        self._ending = None
        # A report emitted before these connections is shown by the status-bar panel; the next one lands here.
        worker.progressed.connect(self.show_progress)
        worker.waiting.connect(self.show_wait)

    @Slot()
    def cancel(self) -> None:
        if self._worker is not None and self.is_running():
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Cancelling after the current request…")
            self._worker.cancel()

    def _on_success(self, run: DatasetRun) -> None:
        summary = run.download
        wizard = self.tweet_wizard()
        wizard.summary, wizard.build = summary, run.build
        self.model.set_records(summary_rows(summary, self.request, sandbox=self.context.is_sandbox))
        self.bar.show_ended(complete=True)
        if run.build is not None:  # built from the store: its examples, in one file or one per split
            files = run.build.files
            where = files[0].path.name if len(files) == 1 else f"{len(files)} files"
            done = f"Done: {run.build.examples:,} examples in {where}."
        else:
            done = f"Done: {summary.written_total:,} tweets in {summary.output_path.name}."
        self._ending = _Ending(JobOutcome.SUCCEEDED, f"{done} Press Next for the summary.")

    @Slot(str, object)
    def _on_job_ended(self, name: str, outcome: JobOutcome) -> None:
        if name != JobName.TWEET_DOWNLOAD or not self.is_running() or outcome is JobOutcome.SUCCEEDED:
            return  # success is handled by _on_success, which carries the summary
        path = self.tweet_wizard().output_page.output_path()
        if outcome is JobOutcome.CANCELLED:
            self._ending = _Ending(outcome, f"Cancelled. Everything downloaded so far is saved in {path}. The "
                                            "download is resumable: press Resume, or run it again later with the "
                                            "same accounts, options and file, and it continues where it stopped.")
        else:
            reason = self.jobs.last_error or "The download stopped."
            self._ending = _Ending(outcome, f"{reason} What was downloaded is saved in {path}; press Resume to "
                                            "retry from where it stopped.")

    @Slot(str)
    def _on_job_finished(self, name: str) -> None:
        if name != JobName.TWEET_DOWNLOAD or self._worker is None:
            return  # another job, or not ours: a refused start has no worker
        self._end(self._ending or _Ending(JobOutcome.FAILED,
                                          "The download stopped unexpectedly: press Resume to retry."))

    def _end(self, ending: _Ending) -> None:
        self._outcome = ending.outcome
        self._worker = None
        self.stop_message = ending.message
        self._clear_wait()
        self.cancel_button.setEnabled(False)
        succeeded = ending.outcome is JobOutcome.SUCCEEDED
        self.resume_button.setVisible(not succeeded)
        if not succeeded:
            self.bar.show_ended(complete=False)
            self.model.set_records(rows_after_stop(self.model.records()))
        self.outcome_label.setText(ending.message)
        self.completeChanged.emit()

    # -- reports from the job --------------------------------------------------------------------------
    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        self._clear_wait()
        self.bar.show_progress(progress)
        self.status_label.setText(f"{progress.done:,} tweets written · {progress.describe()}")
        if isinstance(progress, DownloadProgress) and progress.account_count:
            self.model.set_records(rows_after_progress(self.model.records(), progress))

    @Slot(object)
    def show_wait(self, notice: WaitNotice) -> None:
        self.countdown.start(notice)

    def countdown_text(self) -> str:
        return self.wait_label.text()

    def _clear_wait(self) -> None:
        self.countdown.stop()
        self.wait_label.setText("")
