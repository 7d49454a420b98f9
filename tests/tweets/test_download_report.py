"""How a download is worded (summary sentence, states) and how its account rows follow the job."""

from __future__ import annotations

import dataclasses
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
    removal_lines,
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


def test_updates_and_built_datasets_say_what_the_run_did() -> None:
    done = AccountOutcome("alice", AccountState.DONE, 50, 30, 20)
    updated = dataclasses.replace(summary(accounts=[done], written_now=4, written_total=404), updated=True)
    assert summary_text(updated) == "Update: 90 newer tweets read, 4 added to the file; 404 in the file now."
    built = dataclasses.replace(summary(accounts=[done]), builds=True)
    assert summary_text(built) == "90 tweets read and stored in this run; the dataset was built from the store."
    again = dataclasses.replace(summary(accounts=[done], already_complete=True), builds=True)
    assert "built again from the store" in summary_text(again)


def test_removal_lines_name_each_filter_with_its_count_and_the_threshold() -> None:
    removed = {"exact duplicate": 12, "near duplicate": 3, "too short": 0, "e-mail addresses": 2,
               "phone numbers": 1}
    assert removal_lines(removed, 0.8) == [
        "Removed: exact duplicate: 12; near duplicate: 3 (similarity >= 0.8).",
        "Scrubbed: e-mail addresses: 2; phone numbers: 1.",
    ]
    assert removal_lines({}) == []


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


# -- an account that gave no tweet says why ----------------------------------------------------------------------
def request_for(*names: str, kind: SourceKind = SourceKind.TIMELINE, **options: object) -> DownloadRequest:
    return DownloadRequest(names, kind, DatasetOptions(**options), Path("o.csv"))


def done(username: str, fetched: int = 0, written: int = 0) -> AccountOutcome:
    return AccountOutcome(username, AccountState.DONE, fetched, written, fetched - written)


def test_nothing_read_is_said_with_the_timeframe_and_the_replies_left_out() -> None:
    from datetime import UTC, datetime

    from twexport_qt.tweets.download_report import no_tweets_reason

    assert no_tweets_reason(done("quiet"), request_for("quiet", include_replies=True)) == \
        "@quiet has no tweets that X shows."
    assert no_tweets_reason(done("quiet"), request_for("quiet", start=datetime(2024, 1, 1, tzinfo=UTC))) == (
        "@quiet has no tweets in this timeframe that X shows (replies were not asked for: tick 'Include replies' "
        "to get them).")
    assert no_tweets_reason(done("quiet"), request_for("quiet", kind=SourceKind.SEARCH)) == \
        "@quiet has no tweets that X shows."
    assert no_tweets_reason(done("me"), request_for("/a.zip", kind=SourceKind.ARCHIVE)) == \
        "The archive holds no tweets of @me."
    assert no_tweets_reason(done("alice", 10, 3), request_for("alice")) == ""  # it gave tweets
    stopped = AccountOutcome("alice", AccountState.RUNNING, 0, 0, 0)
    assert no_tweets_reason(stopped, request_for("alice")) == ""  # the run did not get to its end


def test_all_tweets_left_out_names_the_options_that_drop_them() -> None:
    from datetime import UTC, datetime

    from twexport_qt.tweets.download_report import no_tweets_reason

    assert no_tweets_reason(done("chatty", 37), request_for("chatty")) == (
        "None of the 37 tweets read from @chatty was kept: retweets, replies and quote tweets are left out; a tweet "
        "left empty once cleaned is dropped. Change the options to keep more.")
    everything = request_for("chatty", include_replies=True, include_quotes=True, include_links=False,
                             end=datetime(2020, 1, 1, tzinfo=UTC), strip_hashtags=True)
    assert no_tweets_reason(done("chatty", 1), everything) == (
        "None of the 1 tweet read from @chatty was kept: retweets and tweets with links are left out; only tweets "
        "in the timeframe are kept; a tweet left empty once #hashtags are stripped is dropped. Change the options "
        "to keep more.")


def test_in_the_sandbox_a_follower_without_tweets_points_to_the_accounts_that_have_some() -> None:
    from twexport_qt.sandbox.tweets_world import accounts_with_tweets
    from twexport_qt.tweets.download_report import no_tweets_reason, sandbox_accounts_hint

    first_three = [f"@{account.username}" for account in accounts_with_tweets()[:3]]
    assert sandbox_accounts_hint() == f"{first_three[0]}, {first_three[1]} or {first_three[2]}"
    reason = no_tweets_reason(done("follower_0042"), request_for("follower_0042", include_replies=True),
                              sandbox=True)
    assert reason == ("@follower_0042 has no tweets: the Sandbox's followers post nothing. Try a simulated account "
                      f"with tweets, such as {sandbox_accounts_hint()}.")
    quiet_in_timeframe = no_tweets_reason(done("alice_writes"), request_for("alice_writes"), sandbox=True)
    assert "followers post nothing" not in quiet_in_timeframe  # an account with tweets: the timeframe is why
    assert "followers post nothing" not in no_tweets_reason(done("x"), request_for("x"))  # not the Sandbox


def test_rows_notes_and_command_line_lines_carry_the_reasons() -> None:
    from twexport_qt.tweets.download_report import account_lines, no_tweets_notes

    request = request_for("alice", "quiet", "nobody", include_replies=True)
    result = summary(accounts=[done("alice", 50, 30), done("quiet"),
                               AccountOutcome("nobody", AccountState.SKIPPED, 0, 0, 0, "no such account")])
    rows = summary_rows(result, request)
    assert [row.reason for row in rows] == ["", "@quiet has no tweets that X shows.", "no such account"]
    assert summary_rows(result)[1].reason == ""  # without the request nothing is guessed
    assert no_tweets_notes(result, request) == ["@quiet has no tweets that X shows.",
                                                "@nobody was skipped: no such account"]
    assert account_lines(result, request) == [
        "@alice: 30 written, 20 filtered out (50 read)",
        "@quiet: 0 written, 0 filtered out (0 read). @quiet has no tweets that X shows.",
        "@nobody: skipped, no such account",
    ]
    assert no_tweets_notes(summary(accounts=[done("quiet")], already_complete=True), request) == []
