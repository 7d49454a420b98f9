"""Crash anywhere, rerun the same download: the file ends up exactly as an uninterrupted run writes it."""

from __future__ import annotations

import pytest

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets import download as download_module
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions

OPTIONS = DatasetOptions(include_replies=True, text_format="reply", sentiment=3, limit=700)


class Crash(RuntimeError):
    pass


REFERENCE_PAGES: dict[str, int] = {}


def reference_rows(tmp_path, clock, server) -> list[str]:
    """The file an uninterrupted run writes (and, in REFERENCE_PAGES, how many timeline pages it reads)."""
    conn = open_database(":memory:")
    output = tmp_path / "reference.csv"
    gateway = make_gateway(server)
    run_download(conn, gateway, None, clock, DownloadRequest(("alice_writes",), "timeline", OPTIONS, output))
    REFERENCE_PAGES["pages"] = gateway.calls["user_tweets_page"]
    return read_rows(output)


def crash_then_resume(tmp_path, clock, server, arrange_crash, monkeypatch, **gateway_options):
    db = tmp_path / "twexport.sqlite3"
    request = DownloadRequest(("alice_writes",), "timeline", OPTIONS, tmp_path / "out.csv")
    first = make_gateway(server, **gateway_options)
    undo = arrange_crash(monkeypatch)
    with pytest.raises(Crash):
        run_download(open_database(db), first, None, clock, request, progress=getattr(undo, "progress", None))
    monkeypatch.undo()
    second = make_gateway(server, **gateway_options)
    summary = run_download(open_database(db), second, None, clock, request)  # a new connection, as after a restart
    return first, second, summary


def test_crash_after_a_committed_page_refetches_nothing(tmp_path, clock, server, monkeypatch):
    expected = reference_rows(tmp_path, clock, server)
    pages = {"n": 0}

    class Arrange:
        def __call__(self, monkeypatch):
            return self

        @staticmethod
        def progress(report):
            if report.fetched:
                pages["n"] += 1
                if pages["n"] == 3:
                    raise Crash()

    first, second, summary = crash_then_resume(tmp_path, clock, server, Arrange(), monkeypatch)
    assert summary.resumed and summary.state == "done"
    assert read_rows(tmp_path / "out.csv") == expected
    assert first.calls["user_tweets_page"] == 3
    # the second run asked for the remaining pages only: no committed page is fetched twice
    assert first.calls["user_tweets_page"] + second.calls["user_tweets_page"] == REFERENCE_PAGES["pages"]
    fetched_ids = [row["id"] for row in open_database(tmp_path / "twexport.sqlite3").execute(
        "SELECT id FROM tweets WHERE source = 'timeline'")]
    assert len(fetched_ids) == summary.accounts[0].fetched  # every committed page counted once


def test_crash_between_file_write_and_commit(tmp_path, clock, server, monkeypatch):
    """The examples reached the file but their page never committed: the file is cut back and rewritten."""
    expected = reference_rows(tmp_path, clock, server)
    real = tweets_repo.commit_output
    calls = {"n": 0}

    def arrange(monkeypatch):
        def failing(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise Crash()
            return real(*args, **kwargs)

        monkeypatch.setattr(tweets_repo, "commit_output", failing)

    first, second, summary = crash_then_resume(tmp_path, clock, server, arrange, monkeypatch)
    rows = read_rows(tmp_path / "out.csv")
    assert rows == expected and len(rows) == summary.written_total == 700
    # only the uncommitted (third) page is requested again
    assert first.calls["user_tweets_page"] + second.calls["user_tweets_page"] == REFERENCE_PAGES["pages"] + 1


def test_crash_in_the_middle_of_a_row(tmp_path, clock, server, monkeypatch):
    expected = reference_rows(tmp_path, clock, server)
    real = download_module._durable_size
    calls = {"n": 0}

    def arrange(monkeypatch):
        def torn(writer, output):
            calls["n"] += 1
            if calls["n"] == 4:  # creation + 3 pages: tear the third page's last row
                with open(output, "ab") as file:
                    file.write(b'"****ARGUMENTS\nREPLY\nhalf a ro')
                raise Crash()
            return real(writer, output)

        monkeypatch.setattr(download_module, "_durable_size", torn)

    _first, _second, _summary = crash_then_resume(tmp_path, clock, server, arrange, monkeypatch)
    assert read_rows(tmp_path / "out.csv") == expected


def test_crash_in_a_parent_lookup(tmp_path, clock, server, monkeypatch):
    expected = reference_rows(tmp_path, clock, server)
    calls = {"n": 0}

    def arrange(monkeypatch):
        real = download_module.ReplyContextResolver._fetch

        def failing(self, ids):
            calls["n"] += 1
            result = real(self, ids)  # X answered and the lookups are cached...
            if calls["n"] == 1:
                raise Crash()  # ...then the app dies before the page commits
            return result

        monkeypatch.setattr(download_module.ReplyContextResolver, "_fetch", failing)

    first, second, _summary = crash_then_resume(tmp_path, clock, server, arrange, monkeypatch,
                                                drop_included_tweets=True)
    assert first.requested_tweet_ids and second.requested_tweet_ids
    assert read_rows(tmp_path / "out.csv") == expected
    looked_up = [i for batch in first.requested_tweet_ids + second.requested_tweet_ids for i in batch]
    asked_twice = {i for i in looked_up if looked_up.count(i) > 1}
    cached = {row[0] for row in open_database(tmp_path / "twexport.sqlite3").execute("SELECT id FROM tweets")}
    # what X returned was cached and not paid for twice; only tweets X refused (deleted) are asked again
    assert asked_twice.isdisjoint(cached)


def test_cancel_then_resume_and_finished_job_is_not_redone(tmp_path, clock, server):
    expected = reference_rows(tmp_path, clock, server)
    db = tmp_path / "db.sqlite3"
    request = DownloadRequest(("alice_writes",), "timeline", OPTIONS, tmp_path / "out.csv")
    cancel = CancelToken()

    def cancel_after_two_pages(report):
        if report.fetched >= 200:
            cancel.cancel()

    with pytest.raises(Cancelled):
        run_download(open_database(db), make_gateway(server), None, clock, request,
                     progress=cancel_after_two_pages, cancel=cancel)
    conn = open_database(db)
    assert tweets_repo.find_job(conn, tweets_repo.find_job(conn, _key(request)).key).state == "cancelled"
    summary = run_download(conn, make_gateway(server), None, clock, request)
    assert summary.resumed and read_rows(tmp_path / "out.csv") == expected
    again = run_download(conn, make_gateway(server), None, clock, request)
    assert again.already_complete and read_rows(tmp_path / "out.csv") == expected


def _key(request: DownloadRequest) -> str:
    return tweets_repo.job_key(request.source_kind, request.sources, request.options.to_json(),
                               str(request.output_path.resolve()), simulated=False)


def test_a_timeline_page_with_only_errors_is_never_the_end_of_the_account(tmp_path, clock, server):
    """X answering with only `errors` mid-timeline used to mark the account done: a third of its tweets lost."""
    from twexport_qt.core import errors
    from twexport_qt.gateway.pacing import Pacer
    from twexport_qt.sandbox.endpoints import Endpoint

    expected = reference_rows(tmp_path, clock, server)
    db = tmp_path / "twexport.sqlite3"
    request = DownloadRequest(("alice_writes",), "timeline", OPTIONS, tmp_path / "out.csv")
    gateway = make_gateway(server)
    pacer = Pacer(gateway.rate_limits, clock, max_retries=1)
    pages = {"n": 0}

    def after_page(report):
        if report.fetched and pages["n"] == 0:
            pages["n"] += 1
            server.state.faults.fail_next(Endpoint.USER_TWEETS, "errors-only", count=2)

    with pytest.raises(errors.PartialAnswer, match="only errors"):
        run_download(open_database(db), gateway, pacer, clock, request, progress=after_page)
    conn = open_database(db)
    [account] = tweets_repo.job_accounts(conn, tweets_repo.list_jobs(conn, simulated=False)[0].id)
    assert account.state == "running" and account.cursor  # not done: the rest is still to read
    summary = run_download(conn, make_gateway(server), None, clock, request)
    assert summary.state == "done" and not summary.already_complete
    assert read_rows(tmp_path / "out.csv") == expected


def test_the_last_page_and_the_end_of_the_account_commit_together(tmp_path, clock, server, monkeypatch):
    expected = reference_rows(tmp_path, clock, server)
    finish = tweets_repo.finish_account

    def arrange(monkeypatch):
        def killed_while_finishing(conn, account, state, message=""):
            if state == "done":
                raise Crash()
            finish(conn, account, state, message)

        monkeypatch.setattr(tweets_repo, "finish_account", killed_while_finishing)

    first, second, _summary = crash_then_resume(tmp_path, clock, server, arrange, monkeypatch)
    assert read_rows(tmp_path / "out.csv") == expected
    # The last page was rolled back with the "done" it carried: only that page is read again.
    assert second.calls["user_tweets_page"] == 1
    assert first.calls["user_tweets_page"] == REFERENCE_PAGES["pages"]
