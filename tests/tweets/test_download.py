"""The download engine against the sandbox through tweepy, on a FakeClock shared with the sandbox."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest

from tests.tweets.download_support import long_posts_written_whole, make_gateway, read_rows
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets import sources as tweet_sources
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions


def download(tmp_path, clock, gateway, sources, kind="timeline", db=None, **options):
    conn = open_database(db or ":memory:")
    request = DownloadRequest(tuple(sources), kind, DatasetOptions(**options), tmp_path / "out.csv")
    return conn, run_download(conn, gateway, None, clock, request)


def test_one_account_timeline(tmp_path, clock, server):
    gateway = make_gateway(server)
    conn, summary = download(tmp_path, clock, gateway, ["alice_writes"])
    rows = read_rows(tmp_path / "out.csv")
    assert summary.state == "done" and len(rows) == summary.written_total > 300
    assert not any(row.startswith("RT @") for row in rows)
    assert not any("https://t.co" in row for row in rows)  # links are cleaned out of the text
    # exclude=replies caps the timeline at X's 800 most recent; pages of 100, none requested twice
    fetched = summary.accounts[0].fetched
    assert fetched <= 800
    assert gateway.calls["user_tweets_page"] == math.ceil(fetched / 100)
    stored = conn.execute("SELECT COUNT(*) FROM tweets WHERE source = 'timeline'").fetchone()[0]
    assert stored == summary.accounts[0].fetched
    marked = tweets_repo.job_summary(conn, summary.job_id).marked
    assert marked == summary.written_total


def test_usernames_file_with_bad_accounts_skips_them_and_continues(tmp_path, clock, server):
    gateway = make_gateway(server)
    _conn, summary = download(tmp_path, clock, gateway,
                              ["alice_writes", "nobody_here_42", "suspended_sam", "private_pat", "bob_builds"],
                              limit=50)
    states = {a.username: (a.state, a.message) for a in summary.accounts}
    assert [a.username for a in summary.accounts] == ["alice_writes", "nobody_here_42", "suspended_sam",
                                                      "private_pat", "bob_builds"]
    assert states["alice_writes"][0] == states["bob_builds"][0] == "done"
    assert "no such account" in states["nobody_here_42"][1]
    assert "suspended" in states["suspended_sam"][1]
    assert "protected" in states["private_pat"][1]
    assert gateway.calls["users_by_usernames"] == 1  # one lookup for all names
    assert len(read_rows(tmp_path / "out.csv")) == 100  # the limit counts written tweets, per account


def test_limit_counts_written_tweets_not_fetched(tmp_path, clock, server):
    _conn, summary = download(tmp_path, clock, make_gateway(server), ["bob_builds"], limit=137)
    account = summary.accounts[0]
    assert account.written == 137 == len(read_rows(tmp_path / "out.csv"))
    assert account.fetched >= 137 + account.skipped


def test_replies_on_and_off(tmp_path, clock, server):
    _, without = download(tmp_path / "a", clock, make_gateway(server), ["bob_builds"])
    _, with_replies = download(tmp_path / "b", clock, make_gateway(server), ["bob_builds"], include_replies=True)
    assert with_replies.written_total > without.written_total
    # replies excluded: X was asked to leave them out, so none was even fetched
    assert without.accounts[0].fetched <= 800


def test_reply_format_takes_parents_from_includes_for_free(tmp_path, clock, server):
    gateway = make_gateway(server)
    _conn, summary = download(tmp_path, clock, gateway, ["alice_writes"], include_replies=True,
                             text_format="reply", limit=400)
    rows = read_rows(tmp_path / "out.csv")
    replies = [row for row in rows if row.split("\n")[1] == "REPLY"]
    assert len(replies) > 50
    assert all(row.split("****IN_REPLY_TO\n")[1].split("\n")[0] != "****TWEET" for row in replies)
    # parents came with the timeline pages (expansion referenced_tweets.id): at most a few roots looked up
    assert gateway.calls.get("tweets_by_ids", 0) <= gateway.calls["user_tweets_page"]
    assert summary.lookup_requests == gateway.calls.get("tweets_by_ids", 0)


def test_missing_parents_are_looked_up_in_batches_of_100_and_cached(tmp_path, clock, server):
    """Without includes every parent must be looked up: per page, ceil(missing/100) requests of full batches."""
    gateway = make_gateway(server, drop_included_tweets=True)
    conn, _summary = download(tmp_path, clock, gateway, ["alice_writes"], kind="search", include_replies=True,
                              text_format="reply")
    per_page: list[list[int]] = []
    for name, asked in gateway.log:
        if name == "search_all_page":
            per_page.append([])
        elif name == "tweets_by_ids":
            per_page[-1].append(asked)
    assert len(per_page) >= 5 and sum(map(len, per_page)) >= 5
    for batches in per_page:
        assert len(batches) == math.ceil(sum(batches) / 100)  # never one call per reply
        assert all(size == 100 for size in batches[:-1])
    batches = gateway.requested_tweet_ids
    missing = {tweet_id for batch in batches for tweet_id in batch}
    assert sum(len(batch) for batch in batches) == len(missing)  # nothing asked twice
    rows = read_rows(tmp_path / "out.csv")
    # replies to deleted or protected tweets are written as ORIGINAL with empty sections
    orphans = [row for row in rows if row.startswith("****ARGUMENTS\nORIGINAL") and "@" not in row
               and "****PARENT\n****IN_REPLY_TO\n****TWEET" in row]
    assert orphans
    assert conn.execute("SELECT COUNT(*) FROM tweets WHERE source = 'lookup'").fetchone()[0] > 0

    # the same parents again (another job, another file): all from the tweets table, X is not asked
    again = make_gateway(server, drop_included_tweets=True)
    request = DownloadRequest(("alice_writes",), "search", DatasetOptions(include_replies=True, text_format="reply",
                                                                          ), tmp_path / "again.csv")
    run_download(conn, again, None, clock, request)
    asked_again = {tweet_id for batch in again.requested_tweet_ids for tweet_id in batch}
    assert asked_again <= _unavailable(conn, missing)  # only the deleted/protected ones, which X did not give


def _unavailable(conn, ids) -> set[int]:
    stored = {row[0] for row in conn.execute("SELECT id FROM tweets WHERE source = 'lookup'")}
    return {i for i in ids if i not in stored}


def test_search_source_paces_one_request_per_second_without_429(tmp_path, clock, server):
    gateway = make_gateway(server, user=False)
    conn = open_database(":memory:")
    pacer = Pacer(gateway.rate_limits, clock)
    start = clock.now()
    request = DownloadRequest(("alice_writes",), "search", DatasetOptions(), tmp_path / "search.csv")
    summary = run_download(conn, gateway, pacer, clock, request)
    searches = gateway.calls["search_all_page"]
    assert searches >= 4
    assert pacer.rate_limit_waits == 0  # no 429: the pacer waited on the headers before each call
    assert clock.now() - start >= searches - 1  # at most one request per simulated second
    assert summary.written_total == len(read_rows(tmp_path / "search.csv")) > 800  # beyond the timeline cap


def test_search_without_bearer_is_a_clear_auth_error(tmp_path, clock, server):
    from twexport_qt.core.errors import AuthError

    with pytest.raises(AuthError, match="Bearer token"):
        download(tmp_path, clock, make_gateway(server, bearer=False), ["alice_writes"], kind="search")


# ----- long posts: written whole, never the preview ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["timeline", "search"])
@pytest.mark.parametrize("text_format", ["simple", "reply"])
def test_long_posts_are_written_whole(tmp_path, clock, server, kind, text_format):
    options = DatasetOptions(include_replies=True, include_quotes=True, text_format=text_format)
    conn, summary = download(tmp_path, clock, make_gateway(server), ["alice_writes"], kind=kind,
                             **asdict(options))
    figures = long_posts_written_whole(conn, summary.job_id, read_rows(tmp_path / "out.csv"), server, options)
    assert figures.written >= 100
    if text_format == "reply":
        assert figures.parents >= 10  # long posts replied to, from includes and from look-ups
    assert figures.share_whole == 1.0


def test_long_reply_parents_looked_up_on_x_are_written_whole(tmp_path, clock, server):
    """Without `includes`, every parent comes from GET /2/tweets: it must ask for the note as well."""
    options = DatasetOptions(include_replies=True, text_format="reply")
    gateway = make_gateway(server, drop_included_tweets=True)
    conn, summary = download(tmp_path, clock, gateway, ["bob_builds"], kind="timeline", **asdict(options))
    assert gateway.calls["tweets_by_ids"] > 0
    figures = long_posts_written_whole(conn, summary.job_id, read_rows(tmp_path / "out.csv"), server, options)
    assert figures.parents >= 3 and figures.share_whole == 1.0


def test_a_long_post_whose_link_is_past_the_preview_is_left_out_without_links(tmp_path, clock, server):
    conn, _summary = download(tmp_path, clock, make_gateway(server), ["alice_writes"], include_links=False)
    world = server.state.tweets
    written = [world.by_id(row[0]) for row in conn.execute("SELECT tweet_id FROM tweet_job_output")]
    assert written and not any("https://t.co/" in (tweet.note_text or tweet.text) for tweet in written)
    hidden_links = [tweet for tweet in (world.by_id(row[0]) for row in conn.execute("SELECT id FROM tweets"))
                    if tweet.is_long and "https://t.co/" not in tweet.text and "https://t.co/" in tweet.note_text]
    assert hidden_links  # such posts were fetched, and none of them was written


# ----- X's 1 request/s for search, which no header describes -------------------------------------------------

def _paced_search(tmp_path, clock, server, monkeypatch, spacing):
    """Search alice_writes, replies included, 50 tweets a page (so ~90 pages); the pacer and its page times."""
    monkeypatch.setattr(tweet_sources, "SEARCH_PAGE_SIZE", 50)
    gateway = make_gateway(server, user=False)
    pacer = Pacer(gateway.rate_limits, clock, spacing=spacing)
    times: list[float] = []
    search_page = gateway.search_all_page

    def timed(*args, **kwargs):
        times.append(clock.now())
        return search_page(*args, **kwargs)

    gateway.search_all_page = timed
    request = DownloadRequest(("alice_writes",), "search", DatasetOptions(include_replies=True),
                              tmp_path / "search.csv")
    summary = run_download(open_database(":memory:"), gateway, pacer, clock, request)
    assert summary.state == "done" and summary.accounts[0].fetched > 4000
    return pacer, times


def test_a_long_search_keeps_one_page_per_second_with_no_429(tmp_path, clock, server, monkeypatch):
    pacer, times = _paced_search(tmp_path, clock, server, monkeypatch, spacing=None)
    pages, span = len(times), times[-1] - times[0]
    assert pages >= 80 and pacer.rate_limit_waits == 0
    assert span == pytest.approx((pages - 1) * 1.05)  # about one page per second, never a 15-minute stall
    assert (pages - 1) / span * 60 >= 55  # pages per minute


def test_a_client_without_the_rule_gets_429s_but_no_15_minute_stall(tmp_path, clock, server, monkeypatch):
    """The 429 path alone (a pacer that does not know search's rule, or another process taking the second)."""
    pacer, times = _paced_search(tmp_path, clock, server, monkeypatch, spacing={})
    attempts = len(times)
    pages = attempts - pacer.rate_limit_waits
    assert pacer.rate_limit_waits == pacer.unseen_rule_429s == pages - 1  # every page after the first
    assert times[-1] - times[0] <= pages * 1.0 + 1  # a second per page, not 900 s
