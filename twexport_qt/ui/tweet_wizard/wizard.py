"""The tweet-download wizard: accounts → source → options → output → preview → progress → summary.

The pages (one module each) validate as the user types; the Preview page shows the first examples exactly as they
will be written and what the download costs, and asks above the threshold before it starts; this class assembles
the pages' answers into a `DownloadRequest`, which the Progress page runs as a job (`services/downloads.py`),
exactly as `tweets download` does on the command line. Running the same request again resumes it (the Resume
button). The options, the file format with its fields and the folder of the last download started are offered
again (`remembered_choices.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget, QWizard

from twexport_qt.sandbox.tweets_world import accounts_with_tweets
from twexport_qt.tweets.download import DownloadRequest, DownloadSummary
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.tweet_wizard.accounts_page import AccountsPage
from twexport_qt.ui.tweet_wizard.options_page import OptionsPage
from twexport_qt.ui.tweet_wizard.output_page import OutputPage
from twexport_qt.ui.tweet_wizard.preview_page import PreviewPage
from twexport_qt.ui.tweet_wizard.progress_page import ProgressPage
from twexport_qt.ui.tweet_wizard.remembered_choices import remember_choices, remembered_choices
from twexport_qt.ui.tweet_wizard.source_page import SourcePage
from twexport_qt.ui.tweet_wizard.summary_page import SummaryPage

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext
    from twexport_qt.datasets.builder import BuildReport


class TweetDownloadWizard(QWizard):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.summary: DownloadSummary | None = None  # set by the Progress page when the job succeeds
        self.build: BuildReport | None = None  # ... with the build's report, for a dataset built from the store
        self.setWindowTitle("Download tweets")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        # In the Sandbox only the simulated accounts have tweets (its followers post nothing): the page names them.
        self.accounts_page = AccountsPage(sandbox_accounts=accounts_with_tweets() if context.is_sandbox else ())
        self.source_page = SourcePage(context, jobs.tasks)
        self.options_page = OptionsPage(context.clock)
        self.output_page = OutputPage(context)
        self.preview_page = PreviewPage(context, jobs.tasks)
        self.progress_page = ProgressPage(context, jobs)
        self.summary_page = SummaryPage()
        for page in (self.accounts_page, self.source_page, self.options_page, self.output_page,
                     self.preview_page, self.progress_page, self.summary_page):
            self.addPage(page)
        choices = remembered_choices(context.data_dir)
        if choices.options is not None:
            self.options_page.set_options(choices.options)
        self.output_page.set_remembered(choices.options, choices.output_folder)
        self.resize(960, 680)  # the Options page shows its quality filters beside the other options

    def remember_choices(self) -> None:
        """Keep the options, format and folder of the download that starts now for the next wizard."""
        try:
            request = self.request()
        except ValueError:  # the pages prevent it; then there is nothing worth remembering
            return
        remember_choices(self.context.data_dir, request.options, request.output_path)

    def request(self) -> DownloadRequest:
        """What the pages describe. Raises ValueError if the options are invalid (the pages prevent that)."""
        selection = self.accounts_page.selection()
        options = self.output_page.apply_to(self.options_page.options())
        return DownloadRequest(selection.sources, self.source_page.source_kind(), options,
                               self.output_page.output_path().resolve())

    def is_downloading(self) -> bool:
        return self.progress_page.is_running()
