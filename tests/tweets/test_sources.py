"""Sources: the archive source (generated archive), search queries, account resolution and the download."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import (
    SOURCE_KINDS,
    SOURCE_REACH,
    TIMELINE_MIN_START,
    ArchiveSource,
    SearchSource,
    SourceAccount,
)

OWNER_ID = "424242"


def _when(index: int) -> str:
    moment = datetime(2022, 1, 1, tzinfo=UTC) + timedelta(hours=index)
    return moment.strftime("%a %b %d %H:%M:%S +0000 %Y")


def build_archive(path: Path, count: int) -> Path:
    """An archive in X's format: every 10th tweet a retweet, every 7th a self-reply to the one before."""
    tweets = []
    for i in range(count):
        tweet = {"id_str": str(1000 + i), "id": str(1000 + i), "created_at": _when(i),
                 "full_text": f"Archive note {i} &amp; more",
                 "entities": {"urls": [], "hashtags": [], "user_mentions": []}}
        if i % 10 == 9:
            tweet["full_text"] = f"RT @someone: shared {i}"
        elif i % 7 == 6:
            tweet["in_reply_to_status_id_str"] = str(1000 + i - 1)
            tweet["in_reply_to_user_id_str"] = OWNER_ID
        tweets.append({"tweet": tweet})
    tweets.reverse()  # X writes newest first
    account = [{"account": {"accountId": OWNER_ID, "username": "archie", "accountDisplayName": "Archie"}}]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(account, indent=2))
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets, indent=2))
    return path


def test_every_source_says_what_it_can_reach():
    assert set(SOURCE_REACH) == set(SOURCE_KINDS)
    assert "3,200" in SOURCE_REACH["timeline"] and "800" in SOURCE_REACH["timeline"]
    assert "Bearer" in SOURCE_REACH["search"]


def test_archive_pages_resume_by_position(tmp_path):
    source = ArchiveSource(build_archive(tmp_path / "x.zip", 1203), page_size=500)
    (account,), problems = source.resolve([])
    assert account == SourceAccount("archie", int(OWNER_ID)) and problems == []
    first = source.fetch_page(account, None)
    second = source.fetch_page(account, first.next_cursor)
    third = source.fetch_page(account, second.next_cursor)
    assert [len(p.tweets) for p in (first, second, third)] == [500, 500, 203]
    assert third.next_cursor is None
    # a fresh source (after a restart) continues at the stored position
    again = ArchiveSource(tmp_path / "x.zip", page_size=500).fetch_page(account, first.next_cursor)
    assert [t.id for t in again.tweets] == [t.id for t in second.tweets]
    replies = [t for t in first.tweets if t.is_reply]
    assert replies and all(t.in_reply_to_tweet_id in first.parents for t in replies)


def test_archive_download_in_reply_format_without_credentials(tmp_path, clock):
    archive = build_archive(tmp_path / "x.zip", 140)
    request = DownloadRequest((str(archive),), "archive",
                              DatasetOptions(include_replies=True, text_format="reply"), tmp_path / "a.csv")
    summary = run_download(open_database(":memory:"), None, None, clock, request)
    rows = read_rows(tmp_path / "a.csv")
    assert summary.accounts[0].username == "archie"
    assert len(rows) == 140 - 14  # every retweet dropped
    reply = next(row for row in rows if row.endswith("Archive note 6 & more"))
    assert reply.split("\n")[:2] == ["****ARGUMENTS", "REPLY"]
    assert "****IN_REPLY_TO\nArchive note 5 & more\n" in reply


def test_search_query_and_timeline_floor(server):
    source = SearchSource(make_gateway(server), None, DatasetOptions())  # type: ignore[arg-type]
    assert source.query_for("alice") == "from:alice -is:retweet -is:reply"
    with_replies = SearchSource(make_gateway(server), None, DatasetOptions(include_replies=True))  # type: ignore[arg-type]
    assert with_replies.query_for("alice") == "from:alice -is:retweet"
    assert TIMELINE_MIN_START.isoformat() == "2010-11-06T00:00:00+00:00"


def test_timeline_start_before_2010_is_clamped_not_refused(tmp_path, clock, server):
    request = DownloadRequest(("bob_builds",), "timeline",
                              DatasetOptions(start=datetime(2006, 3, 22, tzinfo=UTC), limit=10),
                              tmp_path / "t.csv")
    summary = run_download(open_database(":memory:"), make_gateway(server), None, clock, request)
    assert summary.written_total == 10
