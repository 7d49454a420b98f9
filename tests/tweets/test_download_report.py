"""How a download is worded (summary sentence, states) and how its account rows follow the job."""

from __future__ import annotations

from pathlib import Path

import pytest

from twexport_qt.store.tweets_repo import AccountState, TweetJobState
from twexport_qt.tweets.download import AccountOutcome, DownloadProgress, DownloadRequest, DownloadSummary
from twexport_qt.tweets.download_report import (
    AccountRow,
    AccountStatus,
    account_status,
    describe_sources,
    job_state_title,
    rows_after_progress,
    rows_after_stop,
    summary_rows,
    summary_text,
    waiting_rows,
)
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind

WAITING = AccountStatus.WAITING


def summary(*, accounts: list[AccountOutcome], resumed: bool = False, already_complete: bool = False,
            written_now: int = 60, written_total: int = 60) -> DownloadSummary:
    return DownloadSummary(7, Path("/tmp/out.csv"), TweetJobState.DONE, resumed, already_complete, written_total,
                           written_now, 90, 0, accounts)


def progress(account: str, number: int, count: int, written: int) -> DownloadProgress:
    return DownloadProgress(written, None, "", account=account, account_number=number, account_count=count,
                            fetched=written + 5, written=written, skipped=5)


def test_summary_text_counts_this_run_the_file_and_the_skipped_accounts() -> None:
    done = AccountOutcome("alice", AccountState.DONE, 50, 30, 20)
    skipped = AccountOutcome("nobody", AccountState.SKIPPED, 0, 0, 0, "no such account")
    assert summary_text(summary(accounts=[done])) == \
        "60 tweets written in this run (90 read); 60 in the file from this download."
    assert summary_text(summary(accounts=[done, skipped], resumed=True, written_total=1_200)) == \
        ("60 tweets written in this run (90 read); 1,200 in the file from this download, earlier runs included; "
         "1 account skipped (see why below).")
    assert summary_text(summary(accounts=[done], already_complete=True)).startswith(
        "This download had already finished: 60 tweets are in the file.")


def test_states_are_worded_in_one_place() -> None:
    assert [account_status(state) for state in AccountState] == [
        AccountStatus.NOT_STARTED, AccountStatus.STOPPED, AccountStatus.DONE, AccountStatus.SKIPPED]
    assert job_state_title(TweetJobState.CANCELLED) == "cancelled (resumable)"
    assert job_state_title("running") == "running or interrupted"  # as stored
    assert {job_state_title(state) for state in TweetJobState} == {
        "running or interrupted", "done", "cancelled (resumable)", "failed (resumable)"}
    with pytest.raises(ValueError):
        job_state_title("paused")


def test_sources_are_described_by_their_first_accounts() -> None:
    assert describe_sources(["a"]) == "a"
    assert describe_sources(("a", "b", "c", "d", "e")) == "a, b, c +2 more"


def test_rows_follow_the_job_account_by_account_and_stop_where_it_stopped() -> None:
    request = DownloadRequest(("alice", "ghost", "bob"), SourceKind.TIMELINE, DatasetOptions(), Path("o.csv"))
    rows = waiting_rows(request)
    assert rows == [AccountRow("alice", WAITING), AccountRow("ghost", WAITING), AccountRow("bob", WAITING)]
    # X spells the name its own way, and an unknown account was skipped: two accounts are read
    rows = rows_after_progress(rows, progress("Alice", 1, 2, 10))
    assert rows == [AccountRow("Alice", AccountStatus.DOWNLOADING, 15, 10, 5), AccountRow("ghost", WAITING)]
    rows = rows_after_progress(rows, progress("bob", 2, 2, 3))
    assert [(row.username, row.status) for row in rows] == [("Alice", AccountStatus.DONE),
                                                            ("bob", AccountStatus.DOWNLOADING)]
    assert [row.status for row in rows_after_stop(rows)] == [AccountStatus.DONE, AccountStatus.STOPPED]
    assert rows_after_progress(rows, progress("x", 0, 0, 0)) == rows  # a report without accounts changes nothing


def test_an_archive_is_named_by_its_file_until_the_job_names_its_owner() -> None:
    request = DownloadRequest(("/data/twitter-2024.zip",), SourceKind.ARCHIVE, DatasetOptions(), Path("o.csv"))
    assert waiting_rows(request) == [AccountRow("twitter-2024.zip", WAITING)]


def test_summary_rows_carry_the_outcome_and_why_an_account_was_skipped() -> None:
    rows = summary_rows(summary(accounts=[AccountOutcome("alice", AccountState.RUNNING, 50, 30, 20),
                                          AccountOutcome("nobody", AccountState.SKIPPED, 0, 0, 0, "no such account")]))
    assert rows == [AccountRow("alice", AccountStatus.STOPPED, 50, 30, 20),
                    AccountRow("nobody", AccountStatus.SKIPPED, reason="no such account")]
