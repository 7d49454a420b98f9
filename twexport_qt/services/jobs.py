"""What a background job is, in plain Python: the function views hand to the job runner, the context it gets,
the names jobs run under and how they end. The Qt side (`workers/`, `ui/job_controller.py`) only carries these."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.progress import Progress
from twexport_qt.store.job_locks import JobKind, JobLock

if TYPE_CHECKING:  # the context builds the services: importing it at run time would be circular
    from twexport_qt.app_context import ApiSession, AppContext
    from twexport_qt.gateway.pacing import WaitNotice

T = TypeVar("T")


class JobName(StrEnum):
    """One job of each name runs at a time in a window (a second start is refused with a sentence)."""

    FETCH_FOLLOWERS = "fetch-followers"
    FETCH_FOLLOWING = "fetch-following"
    DM_PREVIEW = "dm-preview"
    DM_PLAN = "dm-plan"
    DM_CAMPAIGN = "dm-campaign"
    TWEET_DOWNLOAD = "tweet-download"
    EXPORT = "export"


# What a job is called at the start of a sentence: a refused second start names the job that holds the lock
# ("A following fetch for profile 'Main' is already running ..."), whichever of the jobs sharing it that is.
JOB_TITLES: dict[JobName, str] = {
    JobName.FETCH_FOLLOWERS: "A followers fetch",
    JobName.FETCH_FOLLOWING: "A following fetch",
    JobName.DM_PREVIEW: "A DM preview",
    JobName.DM_PLAN: "A DM plan",
    JobName.DM_CAMPAIGN: "A DM campaign",
    JobName.TWEET_DOWNLOAD: "A tweet download",
    JobName.EXPORT: "An export",
}


# The job a cross-process lock belongs to: what the spend ledger names an API job that gives only its lock.
JOB_NAME_OF_LOCK: dict[JobKind, JobName] = {
    JobKind.FOLLOWERS_FETCH: JobName.FETCH_FOLLOWERS,
    JobKind.DM_CAMPAIGN: JobName.DM_CAMPAIGN,
    JobKind.TWEETS_DOWNLOAD: JobName.TWEET_DOWNLOAD,
}


class JobOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PAUSED = "paused"  # a budget or --max-cost stopped it before passing; it resumes when run again


def _nobody_listens(_stored: object) -> None:
    """The `stored` callback of a job nobody shows live."""


@dataclass
class JobContext:
    """What a running job may use: a cancel token to poll, and callbacks for progress and rate-limit waits.

    `stored(what)` says the job committed data a view may show before the job ends (a fetch's
    `followers.fetch.PageStored`): the view that started the job listens and shows it live.
    """

    cancel: CancelToken
    progress: Callable[[Progress], None]
    on_wait: Callable[[WaitNotice], None]
    stored: Callable[[object], None] = _nobody_listens


Job = Callable[[JobContext], Any]


def api_job(context: AppContext, body: Callable[[ApiSession, JobContext], T], *,
            lock: JobKind | None = None, name: JobName | None = None,
            max_cost: Decimal | None = None) -> Callable[[JobContext], T]:
    """The job for `body`: in the job's thread, take the cross-process `lock` (if any), open the thread's own
    connection, gateway and pacer (cancellable, reporting waits), run `body`, and close them again.

    What X bills is recorded in the spend ledger under `name` (by default the name of the job `lock` is for), and
    the lock's owner note names the job by it too (a second start sharing the lock is told which job runs).
    The job pauses (raises a `SpendLimitReached`, a `Cancelled`) before a request that could pass the profile's
    daily or monthly budget, or this run's `max_cost` in dollars; what it committed is kept and the next run
    resumes.
    This is the one set-up every API job of the app shares (fetch, DM preview, campaign, download).
    """
    spend_name = name or (JOB_NAME_OF_LOCK.get(lock) if lock is not None else None)

    def job(ctx: JobContext) -> T:
        with ExitStack() as stack:
            if lock is not None:
                stack.enter_context(named_job_lock(context, lock, spend_name))
            api = stack.enter_context(context.api_session(ctx.cancel, ctx.on_wait, job=spend_name,
                                                         max_cost=max_cost))
            return body(api, ctx)

    return job


def named_job_lock(context: AppContext, lock: JobKind, name: JobName | None) -> JobLock:
    """The profile's cross-process `lock` for the job `name` (by default the one the lock belongs to): its owner
    note names that job, so a second start sharing the lock (the followers and the following fetch share one) is
    told which job runs. Take it in the thread that runs the job."""
    name = name or JOB_NAME_OF_LOCK.get(lock)
    return context.job_lock(lock, job_title=JOB_TITLES[name] if name is not None else None)


def database_job(context: AppContext, body: Callable[[sqlite3.Connection, JobContext], T]) -> Callable[[JobContext], T]:
    """The job for `body` that only needs the database: the thread's own connection, closed at the end."""

    def job(ctx: JobContext) -> T:
        conn = context.connect()
        try:
            return body(conn, ctx)
        finally:
            conn.close()

    return job
