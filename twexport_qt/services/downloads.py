"""Tweet downloads for the views: the stored downloads the Tweet datasets tab lists, the stored tweets a dataset
can be built from for free, the wizard's preview of the first examples, and the job that runs one.

The tab reads `stored_downloads()` and the wizard `stored_tweets()` and `preview()` off the GUI thread
(`jobs.tasks.run_task`); the wizard hands `download_job` to the job controller, which runs it in a worker thread,
exactly as `tweets download` runs it in a terminal.

Everything here keeps to the active profile's world: the Sandbox sees only its simulated tweets and downloads,
a real profile only real ones (`tweets_repo`'s `simulated`), asked anew at each call since the profile can change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.core.clock import Clock
from twexport_qt.datasets.preview import preview_examples
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.dataset_builds import DatasetRun, run_dataset
from twexport_qt.services.jobs import Job, JobContext, JobName, api_job, database_job
from twexport_qt.store import tweets_repo
from twexport_qt.store.tweets_repo import TweetJobState
from twexport_qt.tweets.download import DownloadRequest
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind
from twexport_qt.tweets.stored_source import StoredTweets, rebuild_estimate, stored_tweets

if TYPE_CHECKING:  # the context builds the services: importing it at run time would be circular
    import sqlite3

    from twexport_qt.app_context import AppContext
    from twexport_qt.gateway.pacing import Pacer
    from twexport_qt.gateway.x_gateway import XGateway

LISTED_DOWNLOADS = 500  # the tab lists the newest ones; older ones stay resumable by running them again
PREVIEW_EXAMPLES = 5  # what the wizard shows before a download starts


@dataclass(frozen=True)
class StoredDownload:
    """One download as the Tweet datasets tab lists it."""

    job_id: int
    usernames: tuple[str, ...]  # its accounts in download order (an archive: its owner)
    output_path: Path
    state: TweetJobState
    written: int  # examples in the dataset file
    updated_at: int  # epoch seconds of its last committed page or state change


@dataclass(frozen=True)
class DatasetPreview:
    """The first examples of a dataset, exactly as they will be written, built from the stored tweets."""

    examples: tuple[str, ...]  # each as its file will hold it (a CSV row quoted, a JSON object on one line)
    stored: StoredTweets  # what they were drawn from: each account's stored tweets, and those with none


class DownloadsService:
    def __init__(self, db: ThreadConnections, clock: Clock, *,
                 simulated: Callable[[], bool] = lambda: False) -> None:
        """`simulated()` says whether the active profile is the Sandbox (the context's `is_sandbox`)."""
        self._db = db
        self._clock = clock
        self._simulated = simulated

    def simulated(self) -> bool:
        """Whether the active profile's world is the Sandbox's: the only tweets and downloads it reads and writes."""
        return self._simulated()

    def stored_downloads(self) -> list[StoredDownload]:
        """The stored downloads, newest first, with their accounts (two queries however many there are)."""
        conn = self._db.get()
        jobs = tweets_repo.list_jobs(conn, simulated=self._simulated(), limit=LISTED_DOWNLOADS)
        usernames = tweets_repo.job_usernames(conn, [job.id for job in jobs])
        return [StoredDownload(job.id, tuple(usernames[job.id]), Path(job.output_path), job.state, job.written,
                               job.updated_at) for job in jobs]

    def stored_tweets(self, usernames: Sequence[str]) -> StoredTweets:
        """How many tweets of each account earlier downloads stored: what a free rebuild can draw from."""
        return stored_tweets(self._db.get(), usernames, simulated=self._simulated())

    def rebuild_estimate(self, usernames: Sequence[str]) -> CostEstimate:
        """The price of a dataset built from the stored tweets of `usernames`: nothing, and from how many."""
        return rebuild_estimate(self.stored_tweets(usernames))

    def preview(self, usernames: Sequence[str], options: DatasetOptions,
                count: int = PREVIEW_EXAMPLES) -> DatasetPreview:
        """The first `count` examples a dataset of `usernames` with `options` writes, from their stored tweets,
        and how many tweets of each account are stored. No request: nothing is read from X."""
        conn = self._db.get()
        simulated = self._simulated()
        stored = stored_tweets(conn, usernames, simulated=simulated)
        examples = (preview_examples(conn, list(usernames), options, n=count, simulated=simulated)
                    if stored.total else [])
        return DatasetPreview(tuple(examples), stored)


def download_job(context: AppContext, request: DownloadRequest) -> Job:
    """The job that runs or resumes `request` in a worker thread and returns its `DatasetRun`: the download's
    summary and, for a format built from the store (chat or text JSONL, de-duplication, splits), the build's
    report (`services/dataset_builds.py`, as `tweets download` runs it).

    It holds the download's output-file lock while it runs: two runs of one download would both append to the
    file. Stored tweets never need X (a rebuild makes no request, so it needs no credentials); an archive needs
    X only for the parents of replies that are not in it, so a profile without credentials still reads one
    (those parents stay empty, as the Source page says); every other source goes through the API job's set-up,
    whose missing-credentials error tells the user what to add.
    """
    output = Path(request.output_path).expanduser().resolve()
    # The profile the job starts on decides its world (as the service that lists and previews sees it), whatever
    # the wizard's request said.
    request = dataclasses.replace(request, simulated=context.downloads.simulated())

    def download(conn: sqlite3.Connection, gateway: XGateway | None, pacer: Pacer | None,
                 ctx: JobContext) -> DatasetRun:
        return run_dataset(conn, gateway, pacer, context.clock, request, progress=ctx.progress, cancel=ctx.cancel,
                           on_wait=ctx.on_wait, data_dir=context.data_dir)

    with_api = api_job(context, lambda api, ctx: download(api.conn, api.gateway, api.pacer, ctx),
                       name=JobName.TWEET_DOWNLOAD)
    without_api = database_job(context, lambda conn, ctx: download(conn, None, None, ctx))

    def job(ctx: JobContext) -> DatasetRun:
        with context.download_lock(output):
            if request.source_kind == SourceKind.STORED:
                return without_api(ctx)
            # Read in the job's thread: for an X profile it is a keyring read.
            if request.source_kind == SourceKind.ARCHIVE and not context.credentials().can_call_api:
                return without_api(ctx)
            return with_api(ctx)

    return job
