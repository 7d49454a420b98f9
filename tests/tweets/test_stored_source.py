"""A dataset built again from stored tweets: no request, the same tweets as the download, any other options."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.sandbox.request_log import read_entries
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind
from twexport_qt.tweets.stored_source import NOTHING_STORED, StoredSource, stored_tweets


@pytest.fixture
def logged_server(clock, tmp_path):
    """A sandbox that logs every request it handles (what X would have seen)."""
    log = tmp_path / "requests.jsonl"
    with running_sandbox(clock=clock, request_log=log) as running:
        yield running, log


def run(conn, clock, gateway, kind, names, output, options):
    return run_download(conn, gateway, None, clock, DownloadRequest(tuple(names), kind, options, output))


@pytest.mark.parametrize("options", [
    DatasetOptions(),
    DatasetOptions(include_replies=True, text_format="reply", limit=250),
    DatasetOptions(include_replies=True, start=datetime(2023, 6, 1, tzinfo=UTC), end=datetime(2024, 6, 1, tzinfo=UTC)),
], ids=["all-without-replies", "replies-in-reply-format", "timeframe"])
def test_a_rebuild_makes_no_request_and_writes_what_the_download_wrote(tmp_path, clock, logged_server, options):
    server, log = logged_server
    conn = open_database(":memory:")
    gateway = make_gateway(server)
    downloaded = run(conn, clock, gateway, SourceKind.TIMELINE, ["alice_writes"], tmp_path / "x.csv", options)
    requests, calls = len(read_entries(log)), dict(gateway.calls)
    assert downloaded.written_total > 20 and requests > 0
    stored_before = conn.execute("SELECT id, source, fetched_at FROM tweets ORDER BY id").fetchall()
    clock.advance(3600)

    # Even handed a gateway, the rebuild leaves it alone: the sandbox sees nothing, the gateway is not called.
    rebuilt = run(conn, clock, gateway, SourceKind.STORED, ["alice_writes"], tmp_path / "again.csv", options)
    assert len(read_entries(log)) == requests and gateway.calls == calls and rebuilt.lookup_requests == 0
    assert read_rows(tmp_path / "again.csv") == read_rows(tmp_path / "x.csv")
    assert rebuilt.written_total == downloaded.written_total
    # The stored tweets keep where and when they were fetched: the rebuild stores nothing.
    assert conn.execute("SELECT id, source, fetched_at FROM tweets ORDER BY id").fetchall() == stored_before


def test_other_options_sentiment_and_format_from_the_store(tmp_path, clock, logged_server):
    server, log = logged_server
    conn = open_database(":memory:")
    run(conn, clock, make_gateway(server), SourceKind.TIMELINE, ["bob_builds"], tmp_path / "x.csv",
        DatasetOptions(include_replies=True, limit=120))
    requests = len(read_entries(log))

    options = DatasetOptions(include_replies=True, limit=120, sentiment=3, text_format="reply",
                             output_format="jsonl", strip_hashtags=True)
    summary = run(conn, clock, None, SourceKind.STORED, ["bob_builds"], tmp_path / "labelled.jsonl", options)
    lines = [json.loads(line) for line in (tmp_path / "labelled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert summary.state == "done" and len(lines) == summary.written_total == 120
    assert {line["label"] for line in lines} <= {"POSITIVE", "NEUTRAL", "NEGATIVE"}
    assert all(line["text"].startswith("****ARGUMENTS\n") for line in lines)
    assert not any("#" in line["text"].split("****TWEET\n")[-1] for line in lines)
    assert len(read_entries(log)) == requests


def test_an_account_with_nothing_stored_is_skipped_with_a_sentence(tmp_path, clock, logged_server):
    server, log = logged_server
    conn = open_database(":memory:")
    run(conn, clock, make_gateway(server), SourceKind.TIMELINE, ["alice_writes"], tmp_path / "x.csv",
        DatasetOptions(limit=40))
    requests = len(read_entries(log))
    assert stored_tweets(conn, ["ALICE_writes", "bob_builds"], simulated=False).missing == ("bob_builds",)

    summary = run(conn, clock, None, SourceKind.STORED, ["bob_builds", "Alice_Writes"], tmp_path / "s.csv",
                  DatasetOptions(limit=40))
    outcomes = {account.username: account for account in summary.accounts}
    assert outcomes["bob_builds"].state == "skipped" and outcomes["bob_builds"].message == NOTHING_STORED
    assert outcomes["alice_writes"].state == "done" and outcomes["alice_writes"].written == 40  # X's spelling
    assert len(read_rows(tmp_path / "s.csv")) == 40 and len(read_entries(log)) == requests


def test_stored_pages_run_newest_first_without_gaps_or_repeats(tmp_path, clock, server):
    conn = open_database(":memory:")
    run(conn, clock, make_gateway(server), SourceKind.TIMELINE, ["alice_writes"], tmp_path / "x.csv",
        DatasetOptions(include_replies=True))
    source = StoredSource(conn, DatasetOptions(include_replies=True), page_size=37, simulated=False)
    [account], problems = source.resolve(["@alice_writes"])
    assert not problems and account.user_id is not None
    served, cursor, pages = [], None, 0
    while True:
        page = source.fetch_page(account, cursor)
        served += page.tweets
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    order = [(tweet.created_at, tweet.id) for tweet in served]
    assert order == sorted(order, reverse=True) and len(set(order)) == len(order)
    assert len(served) == stored_tweets(conn, ["alice_writes"], simulated=False).total
    assert pages == -(-len(served) // 37)  # the last full page says there is no more: no empty read
