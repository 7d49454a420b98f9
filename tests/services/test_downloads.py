"""The downloads service: the stored downloads the Tweet datasets tab lists, the preview of a dataset, and the
job that runs one."""

from __future__ import annotations

import pytest

from twexport_qt.app_context import AppContext
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import ConfigError
from twexport_qt.services.dataset_builds import DatasetRun
from twexport_qt.services.downloads import download_job
from twexport_qt.services.jobs import JobContext
from twexport_qt.settings.model import Profile
from twexport_qt.store import tweets_repo
from twexport_qt.store.tweets_repo import TweetJobState
from twexport_qt.tweets.download import DownloadRequest
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind


def run(job) -> DatasetRun:
    return job(JobContext(CancelToken(), lambda progress: None, lambda notice: None))


def store_job(context: AppContext, key: str, output: str, usernames: list[str], now: int) -> int:
    conn = context.connect()
    try:
        with conn:
            job, _ = tweets_repo.create_or_resume_job(conn, key, "{}", output, now)
            tweets_repo.ensure_accounts(conn, job.id, usernames)
        return job.id
    finally:
        conn.close()


def test_stored_downloads_are_listed_newest_first_with_their_accounts(context, tmp_path):
    context.settings.profiles["Mine"] = Profile("Mine", kind="x")  # the jobs below are real X downloads
    context.switch_profile("Mine")
    older = store_job(context, "a", str(tmp_path / "a.csv"), ["alice", "bob"], now=100)
    newer = store_job(context, "b", str(tmp_path / "b.csv"), ["carol"], now=200)
    store_job(context, "c", str(tmp_path / "c.csv"), [], now=50)
    listed = context.downloads.stored_downloads()
    assert [download.job_id for download in listed[:2]] == [newer, older]
    assert listed[1].usernames == ("alice", "bob") and listed[2].usernames == ()
    assert listed[1].output_path == tmp_path / "a.csv" and listed[1].state is TweetJobState.RUNNING
    assert listed[1].updated_at == 100 and listed[1].written == 0


def test_the_job_downloads_through_the_sandbox_and_a_second_run_resumes(context, tmp_path):
    request = DownloadRequest(("alice_writes",), SourceKind.TIMELINE, DatasetOptions(limit=12), tmp_path / "a.csv")
    summary = run(download_job(context, request)).download
    assert summary.written_now == 12 and summary.state is TweetJobState.DONE
    again = run(download_job(context, request)).download
    assert again.already_complete and again.job_id == summary.job_id
    assert [d.job_id for d in context.downloads.stored_downloads()] == [summary.job_id]


def test_an_archive_runs_without_credentials_but_an_account_needs_them(context, tmp_path):
    context.settings.profiles["Mine"] = Profile("Mine", kind="x")  # nothing in the (empty) secret store
    context.switch_profile("Mine")
    archive = tmp_path / "archive"
    (archive / "data").mkdir(parents=True)
    (archive / "data" / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "5", "id": "5", "full_text": "a fine tweet", '
        '"created_at": "Wed Oct 10 20:19:24 +0000 2018"}}]', encoding="utf-8")
    from_archive = DownloadRequest((str(archive),), SourceKind.ARCHIVE, DatasetOptions(), tmp_path / "mine.csv")
    assert run(download_job(context, from_archive)).download.written_now == 1
    assert "a fine tweet" in (tmp_path / "mine.csv").read_text(encoding="utf-8")

    from_x = DownloadRequest(("alice_writes",), SourceKind.TIMELINE, DatasetOptions(), tmp_path / "x.csv")
    with pytest.raises(ConfigError, match="no X credentials"):
        run(download_job(context, from_x))


def test_the_stored_tweets_are_counted_priced_free_and_rebuilt_without_credentials(context, tmp_path):
    assert context.downloads.stored_tweets(["alice_writes"]).total == 0
    request = DownloadRequest(("alice_writes",), SourceKind.TIMELINE, DatasetOptions(limit=12), tmp_path / "a.csv")
    fetched = run(download_job(context, request)).download.fetched_now
    stored = context.downloads.stored_tweets(["@Alice_Writes", "bob_builds"])
    assert stored.counts == {"@Alice_Writes": fetched} and stored.missing == ("bob_builds",)
    estimate = context.downloads.rebuild_estimate(["alice_writes"])
    assert estimate.is_free and not estimate.needs_confirmation and estimate.count == fetched
    assert estimate.sentence == (f"free — built from tweets already downloaded, no request ({fetched:,} stored "
                                 "tweets of this account).")

    rebuild = DownloadRequest(("alice_writes",), SourceKind.STORED, DatasetOptions(limit=12, sentiment=5),
                              tmp_path / "b.csv")
    summary = run(download_job(context, rebuild)).download
    assert summary.written_now == 12 and summary.fetched_now == fetched and summary.lookup_requests == 0
    # A real profile sees none of the Sandbox's tweets; the price it is told for a rebuild is still the free one,
    # even when it cannot ask X anything.
    from twexport_qt.services.cost_estimates import download_estimate

    context.settings.profiles["Mine"] = Profile("Mine", kind="x")  # nothing in the (empty) secret store
    context.switch_profile("Mine")
    assert context.downloads.stored_tweets(["alice_writes"]).total == 0
    assert download_estimate(context, rebuild).is_free


def test_the_preview_is_the_first_examples_a_rebuild_writes_and_reads_nothing_from_x(context, tmp_path):
    nothing = context.downloads.preview(["alice_writes"], DatasetOptions())
    assert nothing.examples == () and nothing.stored.missing == ("alice_writes",)
    run(download_job(context, DownloadRequest(("alice_writes",), SourceKind.TIMELINE, DatasetOptions(limit=20),
                                              tmp_path / "a.csv")))
    billed: list = []
    context.spend_listener = billed.extend
    options = DatasetOptions(sentiment=3, output_format="jsonl")
    preview = context.downloads.preview(["alice_writes", "bob_builds"], options, count=3)
    assert len(preview.examples) == 3 and preview.stored.missing == ("bob_builds",)
    rebuilt = tmp_path / "b.jsonl"
    run(download_job(context, DownloadRequest(("alice_writes",), SourceKind.STORED, options, rebuilt)))
    assert rebuilt.read_text(encoding="utf-8").splitlines()[:3] == list(preview.examples)
    assert billed == []
