"""The tweet-download wizard: accounts → source → options → output file → progress → summary.

The pages (tweet_wizard_pages.py) validate as the user types; this class assembles their answers into a
`DownloadRequest` and builds the job that runs it in a worker thread, exactly as `tweets download` does on
the command line. Running the same request again resumes it, which is what the Resume button does.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import QWidget, QWizard

from twexport_qt.core.errors import ConfigError
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.tweets.download import DownloadRequest, DownloadSummary, run_download
from twexport_qt.tweets.sources import SOURCE_ARCHIVE
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.tweet_wizard_pages import (
    AccountsPage,
    OptionsPage,
    OutputPage,
    ProgressPage,
    SourcePage,
    SummaryPage,
)
from twexport_qt.services.jobs import Job, JobContext

DOWNLOAD_JOB = "tweet-download"


class TweetDownloadWizard(QWizard):
    def __init__(self, context, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.summary: DownloadSummary | None = None  # set by the Progress page when the job succeeds
        self.setWindowTitle("Download tweets")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.accounts_page = AccountsPage()
        self.source_page = SourcePage(context)
        self.options_page = OptionsPage(context.clock)
        self.output_page = OutputPage(context)
        self.progress_page = ProgressPage(context, jobs, DOWNLOAD_JOB)
        self.summary_page = SummaryPage()
        for page in (self.accounts_page, self.source_page, self.options_page, self.output_page,
                     self.progress_page, self.summary_page):
            self.addPage(page)
        self.resize(720, 560)

    def request(self) -> DownloadRequest:
        """What the pages describe. Raises ValueError if the options are invalid (the pages prevent that)."""
        selection = self.accounts_page.selection()
        options = dataclasses.replace(self.options_page.options(), output_format=self.output_page.output_format())
        return DownloadRequest(selection.sources, self.source_page.source_kind(), options,
                               self.output_page.output_path().resolve())

    def download_job(self) -> Job:
        return download_job(self.context, self.request())

    def is_downloading(self) -> bool:
        return self.progress_page.is_running()


def download_job(context, request: DownloadRequest) -> Job:
    """A job (run in a worker thread) that runs or resumes `request`; it returns the DownloadSummary."""

    def job(ctx: JobContext) -> DownloadSummary:
        gateway = _gateway_for(context, request.source_kind)
        pacer = context.new_pacer(gateway, ctx.cancel, ctx.on_wait) if gateway is not None else None
        with context.download_lock(Path(request.output_path).expanduser().resolve()):
            conn = context.connect()
            try:
                return run_download(conn, gateway, pacer, context.clock, request, progress=ctx.progress,
                                    cancel=ctx.cancel, on_wait=ctx.on_wait, data_dir=context.data_dir)
            finally:
                conn.close()

    return job


def _gateway_for(context, source_kind: str) -> XGateway | None:
    """The API gateway; None for an archive read by a profile without credentials (it only loses reply parents
    that are not in the archive, as the Source page said)."""
    if source_kind == SOURCE_ARCHIVE:
        credentials = context.credentials()
        if not credentials.can_call_api:
            return None
    try:
        return context.new_gateway()
    except ConfigError:
        if source_kind == SOURCE_ARCHIVE:
            return None
        raise
