"""How a tweet download is told to people: its summary sentence, the words for its states and its account rows.

The wizard, the Tweet datasets tab and `tweets download` all word a download through this module, so a state
or a total reads the same everywhere. The account rows follow a running download from its progress reports
(`rows_after_progress`) and its end (`rows_after_stop`, `summary_rows`); they are plain records the wizard's
tables show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from twexport_qt.store.tweets_repo import AccountState, TweetJobState
from twexport_qt.tweets.download import DownloadProgress, DownloadRequest, DownloadSummary
from twexport_qt.tweets.sources import SourceKind

SOURCES_SHOWN = 3  # accounts named before "+N more"


class AccountStatus(StrEnum):
    """What an account's row says while a download runs and after it."""

    WAITING = "waiting"  # in the request, not reached yet by this run
    DOWNLOADING = "downloading"
    DONE = "done"
    SKIPPED = "skipped"  # X does not show its tweets (or, for a rebuild, none are stored)
    STOPPED = "stopped"  # started, and the run ended (cancel, failure) before the account's end
    NOT_STARTED = "not started"  # the run ended before it reached the account


_STATUS_OF_STATE: dict[AccountState, AccountStatus] = {
    AccountState.DONE: AccountStatus.DONE,
    AccountState.SKIPPED: AccountStatus.SKIPPED,
    AccountState.RUNNING: AccountStatus.STOPPED,  # a summary is made after the run: a running account stopped
    AccountState.PENDING: AccountStatus.NOT_STARTED,
}

_JOB_STATE_TITLES: dict[TweetJobState, str] = {
    TweetJobState.RUNNING: "running or interrupted",
    TweetJobState.DONE: "done",
    TweetJobState.CANCELLED: "cancelled (resumable)",
    TweetJobState.FAILED: "failed (resumable)",
}


def account_status(state: AccountState) -> AccountStatus:
    """A stored account state as its row says it once the run is over."""
    return _STATUS_OF_STATE[AccountState(state)]


def job_state_title(state: TweetJobState) -> str:
    """A stored download's state, saying which ones resume."""
    return _JOB_STATE_TITLES[TweetJobState(state)]


def describe_sources(usernames: Sequence[str]) -> str:
    """'a, b, c +4 more': the first few accounts of a download."""
    shown = ", ".join(usernames[:SOURCES_SHOWN])
    rest = len(usernames) - SOURCES_SHOWN
    return f"{shown} +{rest} more" if rest > 0 else shown


@dataclass(frozen=True)
class AccountRow:
    """One account of a download, as its row shows it."""

    username: str
    status: AccountStatus
    fetched: int = 0  # tweets read
    written: int = 0  # examples written to the dataset file
    filtered_out: int = 0  # read but left out by the options, or empty after cleaning
    reason: str = ""  # why it was skipped


def waiting_rows(request: DownloadRequest) -> list[AccountRow]:
    """The rows before the first report: the accounts asked for (an archive by its file name until the job
    reports its owner)."""
    if request.source_kind == SourceKind.ARCHIVE and request.sources:
        names = [Path(request.sources[0]).name]
    else:
        names = list(request.sources)
    return [AccountRow(name, AccountStatus.WAITING) for name in names]


def rows_after_progress(rows: Sequence[AccountRow], progress: DownloadProgress) -> list[AccountRow]:
    """`rows` updated by a report of the job. The job knows X's spelling of each name and an archive's owner, and
    how many accounts there are (unknown ones were already skipped): it wins over what the request said."""
    count, index = progress.account_count, progress.account_number - 1
    if count <= 0 or not 0 <= index < count:
        return list(rows)
    updated = (list(rows) + [AccountRow("", AccountStatus.WAITING)] * count)[:count]
    for number, row in enumerate(updated[:index]):
        if row.status is AccountStatus.DOWNLOADING:
            updated[number] = dataclasses.replace(row, status=AccountStatus.DONE)
    updated[index] = AccountRow(progress.account, AccountStatus.DOWNLOADING, progress.fetched, progress.written,
                                progress.skipped)
    return updated


def rows_after_stop(rows: Sequence[AccountRow]) -> list[AccountRow]:
    """`rows` once the run ended without a summary (cancelled, failed): the account being read stopped."""
    return [dataclasses.replace(row, status=AccountStatus.STOPPED) if row.status is AccountStatus.DOWNLOADING
            else row for row in rows]


def summary_rows(summary: DownloadSummary) -> list[AccountRow]:
    """The accounts of a finished run, with why any was skipped."""
    return [AccountRow(account.username, account_status(account.state), account.fetched, account.written,
                       account.skipped, account.message) for account in summary.accounts]


def summary_text(summary: DownloadSummary) -> str:
    """The totals of a run in one sentence (the accounts' rows or lines follow it)."""
    if summary.already_complete:
        return (f"This download had already finished: {summary.written_total:,} tweets are in the file. "
                "Nothing was fetched again.")
    skipped = len(summary.problems)
    parts = [f"{summary.written_now:,} tweets written in this run ({summary.fetched_now:,} read)",
             f"{summary.written_total:,} in the file from this download"
             + (", earlier runs included" if summary.resumed else "")]
    if skipped:
        parts.append(f"{skipped} account{'s' if skipped != 1 else ''} skipped (see why below)")
    return "; ".join(parts) + "."
