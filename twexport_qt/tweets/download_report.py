"""How a tweet download is told to people: its summary sentence, the words for its states and its account rows.

The wizard, the Tweet datasets tab and `tweets download` all word a download through this module, so a state
or a total reads the same everywhere. The account rows follow a running download from its progress reports
(`rows_after_progress`) and its end (`rows_after_stop`, `summary_rows`); they are plain records the wizard's
tables show.

An account that gave the dataset nothing is never left at "0": `no_tweets_reason` says why from what the run
knows (nothing read: none in the timeframe, or X was asked to leave replies out; all read but left out: which
options drop tweets), and in the Sandbox, whose followers post nothing, names the simulated accounts that have
tweets. X's refusals (protected, suspended, unknown) are the skipped accounts' own messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from twexport_qt.store.tweets_repo import AccountState, TweetJobState
from twexport_qt.tweets.cleaning import SCRUBBED_REASONS, RemovalReason
from twexport_qt.tweets.download import AccountOutcome, DownloadProgress, DownloadRequest, DownloadSummary
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind

SOURCES_SHOWN = 3  # accounts named before "+N more"
SANDBOX_ACCOUNTS_SUGGESTED = 3  # simulated accounts with tweets named when a Sandbox download gets none


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


def summary_rows(summary: DownloadSummary, request: DownloadRequest | None = None, *,
                 sandbox: bool = False) -> list[AccountRow]:
    """The accounts of a finished run, with why any was skipped and, given the `request`, why any gave no tweet
    (`sandbox`: the download ran in the Sandbox, whose accounts with tweets are then named)."""
    return [AccountRow(account.username, account_status(account.state), account.fetched, account.written,
                       account.skipped, account.message or _reason(account, request, sandbox))
            for account in summary.accounts]


def _reason(account: AccountOutcome, request: DownloadRequest | None, sandbox: bool) -> str:
    return no_tweets_reason(account, request, sandbox=sandbox) if request is not None else ""


def sandbox_accounts_hint(*, shown: int = SANDBOX_ACCOUNTS_SUGGESTED) -> str:
    """"@alice_writes, @bob_builds or @carol_codes": the Sandbox's accounts with the most tweets."""
    from twexport_qt.sandbox.tweets_world import accounts_with_tweets  # the Sandbox loads only when it is used

    names = [f"@{account.username}" for account in accounts_with_tweets()[:shown]]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def no_tweets_reason(account: AccountOutcome, request: DownloadRequest, *, sandbox: bool = False) -> str:
    """Why `account` put no tweet into the dataset, as a sentence; "" when it did, or when the run did not get to
    its end (a stopped or skipped account says so itself)."""
    if account.state is not AccountState.DONE or account.written > 0:
        return ""
    options, kind = request.options, request.source_kind
    if account.fetched > 0 and options.needs_build():
        return ""  # a built dataset's examples are counted by its build, after de-duplication
    if account.fetched == 0:
        if sandbox and kind in (SourceKind.TIMELINE, SourceKind.SEARCH) \
                and account.username.casefold() not in _sandbox_accounts_with_tweets():
            return (f"@{account.username} has no tweets: the Sandbox's followers post nothing. Try a simulated "
                    f"account with tweets, such as {sandbox_accounts_hint()}.")
        return _nothing_read(account.username, kind, options)
    dropped = _what_the_options_drop(options)
    read = f"{account.fetched:,} tweet{'s' if account.fetched != 1 else ''}"
    return (f"None of the {read} read from @{account.username} was kept: {dropped}. Change the options "
            "to keep more.")


def _nothing_read(username: str, kind: SourceKind, options: DatasetOptions) -> str:
    in_timeframe = " in this timeframe" if options.start is not None or options.end is not None else ""
    if kind is SourceKind.STORED:
        return f"No stored tweet of @{username} is{in_timeframe or ' left'} to use."
    if kind is SourceKind.ARCHIVE:
        return f"The archive holds no tweets of @{username}{in_timeframe}."
    sentence = f"@{username} has no tweets{in_timeframe} that X shows"
    if kind is SourceKind.TIMELINE and not options.include_replies:
        sentence += " (replies were not asked for: tick 'Include replies' to get them)"
    return sentence + "."


def _what_the_options_drop(options: DatasetOptions) -> str:
    """The dataset rules that leave tweets out, as they apply to `options` (cleaning.should_keep's rules)."""
    dropped = ["retweets"]
    if not options.include_replies:
        dropped.append("replies")
    if not options.include_quotes:
        dropped.append("quote tweets")
    if not options.include_links:
        dropped.append("tweets with links")
    rules = [f"{', '.join(dropped[:-1])} and {dropped[-1]} are left out" if len(dropped) > 1
             else "retweets are left out"]
    if options.start is not None or options.end is not None:
        rules.append("only tweets in the timeframe are kept")
    stripped = [what for what, on in (("@usertags", options.strip_usertags), ("#hashtags", options.strip_hashtags))
                if on]
    rules.append(f"a tweet left empty once {' and '.join(stripped) + ' are stripped' if stripped else 'cleaned'} "
                 "is dropped")
    return "; ".join(rules)


def no_tweets_notes(summary: DownloadSummary, request: DownloadRequest, *, sandbox: bool = False) -> list[str]:
    """A sentence for each account of a finished run that gave no tweet (the skipped ones' messages included)."""
    if summary.already_complete:
        return []
    notes = []
    for account in summary.accounts:
        if account.state is AccountState.SKIPPED:
            notes.append(f"@{account.username} was skipped: {account.message}")
        elif reason := no_tweets_reason(account, request, sandbox=sandbox):
            notes.append(reason)
    return notes


def account_lines(summary: DownloadSummary, request: DownloadRequest, *, sandbox: bool = False) -> list[str]:
    """One line per account, for the command line: what it wrote, or why it was skipped or gave nothing."""
    lines = []
    for account in summary.accounts:
        if account.state is AccountState.SKIPPED:
            lines.append(f"@{account.username}: skipped, {account.message}")
            continue
        taken = "taken for the dataset" if summary.builds else "written"
        line = (f"@{account.username}: {account.written:,} {taken}, {account.skipped:,} filtered out "
                f"({account.fetched:,} read)")
        reason = no_tweets_reason(account, request, sandbox=sandbox)
        lines.append(f"{line}. {reason}" if reason else line)
    return lines


def removal_lines(removed: dict[str, int], near_duplicate_threshold: float | None = None) -> list[str]:
    """What the filters removed and scrubbing replaced, one line each kind ("" counts left out), for the summary:
    'Removed: exact duplicate: 12; near duplicate: 3 (similarity >= 0.8); ...'."""
    scrubbed = {str(reason) for reason in SCRUBBED_REASONS}
    dropped = [(reason, count) for reason, count in removed.items() if count and reason not in scrubbed]
    replaced = [(reason, count) for reason, count in removed.items() if count and reason in scrubbed]
    lines = []
    if dropped:
        parts = [f"{reason}: {count:,}" + (f" (similarity >= {near_duplicate_threshold:g})"
                                            if reason == RemovalReason.NEAR_DUPLICATE and near_duplicate_threshold
                                            else "") for reason, count in dropped]
        lines.append("Removed: " + "; ".join(parts) + ".")
    if replaced:
        lines.append("Scrubbed: " + "; ".join(f"{reason}: {count:,}" for reason, count in replaced) + ".")
    return lines


def summary_text(summary: DownloadSummary) -> str:
    """The totals of a run in one sentence (the accounts' rows or lines follow it)."""
    if summary.builds:
        return _built_summary_text(summary)
    if summary.already_complete:
        return (f"This download had already finished: {summary.written_total:,} tweets are in the file. "
                "Nothing was fetched again.")
    if summary.updated:
        return (f"Update: {summary.fetched_now:,} newer tweet{'' if summary.fetched_now == 1 else 's'} read, "
                f"{summary.written_now:,} added to the file; {summary.written_total:,} in the file now.")
    skipped = len(summary.problems)
    parts = [f"{summary.written_now:,} tweets written in this run ({summary.fetched_now:,} read)",
             f"{summary.written_total:,} in the file from this download"
             + (", earlier runs included" if summary.resumed else "")]
    if skipped:
        parts.append(f"{skipped} account{'s' if skipped != 1 else ''} skipped (see why below)")
    return "; ".join(parts) + "."


def _built_summary_text(summary: DownloadSummary) -> str:
    """A dataset built from the store: the download only stored the tweets (the build's lines follow)."""
    if summary.already_complete:
        return "The tweets of this dataset were already downloaded: it was built again from the store."
    if summary.fetched_now == 0 and not summary.updated:
        return "Nothing new to read: the dataset was built from the stored tweets."
    what = "newer tweets read" if summary.updated else "tweets read and stored"
    return f"{summary.fetched_now:,} {what} in this run; the dataset was built from the store."


def _sandbox_accounts_with_tweets() -> set[str]:
    from twexport_qt.sandbox.tweets_world import accounts_with_tweets  # the Sandbox loads only when it is used

    return {item.username.casefold() for item in accounts_with_tweets()}
