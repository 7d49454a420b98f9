"""`--update`: a finished dataset gains only the tweets posted since, read with `since_id` and billed once."""

from __future__ import annotations

import dataclasses

import pytest

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import FakeClock
from twexport_qt.core.errors import Cancelled
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.population import WELL_KNOWN
from twexport_qt.sandbox.request_log import read_entries
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store.database import open_database
from twexport_qt.tweets.cleaning import clean_text
from twexport_qt.tweets.download import DownloadRequest, UpdateNotPossible, UpdateScope, run_download, update_scope
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind

CAROL = next(user.id for user in WELL_KNOWN if user.username == "carol_codes")
DAY = 86_400


@pytest.fixture
def clock() -> FakeClock:
    # Inside carol_codes' simulated years, so her timeline grows as the clock moves on (a post every ~14 days).
    return FakeClock(start=1_740_000_000)


@pytest.fixture
def logged_server(clock, tmp_path):
    log = tmp_path / "requests.jsonl"
    with running_sandbox(clock=clock, request_log=log) as running:
        yield running, log


def timeline_requests(log, since: int) -> list[dict]:
    return [entry for entry in read_entries(log)[since:] if entry["endpoint"] == "user_tweets"]


def test_an_update_reads_only_the_new_tweets_and_appends_them(tmp_path, clock, logged_server):
    server, log = logged_server
    world = server.state.tweets
    conn = open_database(":memory:")
    gateway = make_gateway(server)
    request = DownloadRequest(("carol_codes",), SourceKind.TIMELINE, DatasetOptions(), tmp_path / "carol.csv")
    first = run_download(conn, gateway, None, clock, request)
    before = read_rows(request.output_path)
    newest_before = world.last_index_at_or_before(CAROL, clock.now())
    assert first.written_total == len(before) == newest_before + 1

    clock.advance(70 * DAY)
    newest_after = world.last_index_at_or_before(CAROL, clock.now())
    new_tweets = [world.tweet(CAROL, k) for k in range(newest_after, newest_before, -1)]  # newest first
    assert len(new_tweets) >= 3
    logged, posts_billed = len(read_entries(log)), server.billing.billed(XResource.POSTS_READ)

    updated = run_download(conn, gateway, None, clock, dataclasses.replace(request, update=True))

    [asked] = timeline_requests(log, logged)  # one page, and no look-up of the account: the job knows its id
    assert len(read_entries(log)) == logged + 1
    assert asked["query"]["since_id"] == str(world.id_of(CAROL, newest_before)) and asked["items"] == len(new_tweets)
    assert server.billing.billed(XResource.POSTS_READ) - posts_billed == len(new_tweets)
    after = read_rows(request.output_path)
    assert after[:len(before)] == before  # appended, nothing rewritten
    assert after[len(before):] == [clean_text(tweet.note_text or tweet.text) for tweet in new_tweets]
    assert updated.updated and updated.written_now == len(new_tweets) == updated.fetched_now
    assert updated.written_total == len(after) and updated.state == "done"

    # Nothing new since: one empty read, the file as it was.
    logged = len(read_entries(log))
    again = run_download(conn, gateway, None, clock, dataclasses.replace(request, update=True))
    [empty] = timeline_requests(log, logged)
    assert empty["items"] == 0 and again.written_now == 0 and read_rows(request.output_path) == after


def test_an_update_ignores_the_first_downloads_limit(tmp_path, clock, logged_server):
    server, _ = logged_server
    world = server.state.tweets
    conn = open_database(":memory:")
    request = DownloadRequest(("carol_codes",), SourceKind.TIMELINE, DatasetOptions(limit=5), tmp_path / "c.csv")
    run_download(conn, make_gateway(server), None, clock, request)
    newest_before = world.last_index_at_or_before(CAROL, clock.now())
    clock.advance(100 * DAY)
    new = world.last_index_at_or_before(CAROL, clock.now()) - newest_before
    assert new > 5 - 1  # more than what the limit would have left room for

    updated = run_download(conn, make_gateway(server), None, clock, dataclasses.replace(request, update=True))
    assert updated.written_now == new and len(read_rows(request.output_path)) == 5 + new


def test_an_interrupted_update_resumes_with_the_same_since_id(tmp_path, clock, logged_server):
    server, log = logged_server
    conn = open_database(":memory:")
    options = DatasetOptions(include_replies=True, include_quotes=True)
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, options, tmp_path / "bob.csv", update=True)
    first = run_download(conn, make_gateway(server), None, clock, dataclasses.replace(request, update=False))
    clock.advance(300 * DAY)  # about 140 new posts: two pages
    logged = len(read_entries(log))
    cancel = CancelToken()

    def cancel_after_a_page(progress) -> None:
        if progress.fetched > 0:
            cancel.cancel()

    with pytest.raises(Cancelled):
        run_download(conn, make_gateway(server), None, clock, request, progress=cancel_after_a_page, cancel=cancel)
    # Priced before it resumes (tweets download --update): still only the posts newer than the dataset's.
    assert update_scope(conn, request) == UpdateScope(finishes_download=False, newer_only=("bob_builds",))
    resumed = run_download(conn, make_gateway(server), None, clock, request)

    pages = timeline_requests(log, logged)
    assert len(pages) == 2 and "pagination_token" in pages[1]["query"]  # the first page was not read again
    assert len({page["query"]["since_id"] for page in pages}) == 1  # the same since_id after the interruption
    rows = read_rows(request.output_path)
    assert resumed.updated and len(rows) == resumed.written_total > first.written_total + 100
    since = int(pages[0]["query"]["since_id"])
    added = conn.execute("SELECT COUNT(*) FROM tweet_job_output WHERE job_id = ? AND tweet_id > ?",
                         (resumed.job_id, since)).fetchone()[0]
    assert added == resumed.written_total - first.written_total  # only tweets newer than since_id were added
    marked = conn.execute("SELECT COUNT(*) FROM tweet_job_output WHERE job_id = ?", (resumed.job_id,)).fetchone()[0]
    assert marked == resumed.written_total  # no tweet written twice


def test_the_scope_of_an_update_is_known_before_any_request(tmp_path, clock, logged_server):
    server, log = logged_server
    conn = open_database(":memory:")
    request = DownloadRequest(("carol_codes", "bob_builds"), SourceKind.TIMELINE, DatasetOptions(limit=30),
                              tmp_path / "two.csv", update=True)
    download = dataclasses.replace(request, update=False)
    cancel = CancelToken()

    def cancel_after_a_page(progress) -> None:
        if progress.fetched > 0:
            cancel.cancel()

    with pytest.raises(Cancelled):
        run_download(conn, make_gateway(server), None, clock, download, progress=cancel_after_a_page, cancel=cancel)
    logged = len(read_entries(log))
    assert update_scope(conn, request) == UpdateScope(finishes_download=True)  # priced as finishing the download
    assert len(read_entries(log)) == logged  # a scope reads the database only
    run_download(conn, make_gateway(server), None, clock, download)
    logged = len(read_entries(log))
    assert update_scope(conn, request) == UpdateScope(False, newer_only=("carol_codes", "bob_builds"))
    assert len(read_entries(log)) == logged


def test_an_update_with_other_options_says_which(tmp_path, clock, logged_server):
    server, _ = logged_server
    conn = open_database(":memory:")
    output = tmp_path / "carol.csv"
    run_download(conn, make_gateway(server), None, clock,
                 DownloadRequest(("carol_codes",), SourceKind.TIMELINE, DatasetOptions(), output))
    other = DownloadRequest(("carol_codes",), SourceKind.TIMELINE, DatasetOptions(sentiment=3), output, update=True)
    with pytest.raises(UpdateNotPossible, match=r"other options \(sentiment: 0 \(now 3\)\)"):
        run_download(conn, make_gateway(server), None, clock, other)
    missing = DownloadRequest(("carol_codes",), SourceKind.TIMELINE, DatasetOptions(), tmp_path / "new.csv",
                              update=True)
    with pytest.raises(UpdateNotPossible, match="without --update first"):
        run_download(conn, make_gateway(server), None, clock, missing)
    assert not (tmp_path / "new.csv").exists()


def test_the_differences_name_options_added_later_too():
    from twexport_qt.tweets.download import options_differences

    assert options_differences(DatasetOptions(min_length=50), DatasetOptions()) == ["min_length: 50 (now 0)"]
    assert options_differences(DatasetOptions(), DatasetOptions(dedupe=True, output_format="jsonl")) == [
        "output_format: 'csv' (now 'jsonl')", "dedupe: False (now True)"]
    assert options_differences(DatasetOptions(sentiment=3), DatasetOptions(sentiment=3)) == []
