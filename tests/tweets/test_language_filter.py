"""X's `lang` from the API and from archives onto `TweetRecord`, and what a language filter keeps.

The rule (tweets/cleaning.py `quality_problem`): a tweet is kept when X's `lang` is one of the codes chosen.
X's own codes ("und" undetermined, "zxx" no text, "qme"/"qht"… only mentions/hashtags) are codes like any
other: `en` alone drops them, `en,und` keeps the undetermined ones too. A tweet whose language was never stored
(a row from before TwExport kept it, an archive without the field) is kept: nothing says it is another language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tweets import archive_fixtures as fx
from tests.tweets.download_support import read_rows
from twexport_qt.core.clock import FakeClock
from twexport_qt.sandbox.population import WELL_KNOWN
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets.cleaning import RemovalReason, quality_problem, tweet_language
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.tweet_mapping import tweet_from_api


def test_the_api_mapping_keeps_x_lang_in_lower_case_and_none_when_absent():
    raw = {"id": "5", "text": "Hola", "author_id": "7", "created_at": "2024-01-01T00:00:00.000Z"}
    assert tweet_from_api({**raw, "lang": "es"}).lang == "es"
    assert tweet_from_api({**raw, "lang": "zh-CN"}).lang == "zh-cn"  # as DatasetOptions.languages holds codes
    assert tweet_from_api(raw).lang is None
    assert tweet_from_api({**raw, "lang": ""}).lang is None


def _record(lang: str | None) -> TweetRecord:
    return TweetRecord(1, 7, "ann", 100, "some words", lang=lang)


@pytest.mark.parametrize(("lang", "languages", "kept"), [
    ("en", ("en",), True),
    ("es", ("en",), False),
    ("und", ("en",), False),  # X could not tell: not English
    ("zxx", ("en",), False),
    ("qme", ("en",), False),
    ("qht", ("en",), False),
    ("und", ("en", "und"), True),  # asked for by name
    (None, ("en",), True),  # never stored: kept
    (None, ("es",), True),
    ("es", (), True),  # no filter
])
def test_a_language_filter_keeps_the_codes_chosen_and_tweets_of_unknown_language(lang, languages, kept):
    problem = quality_problem(_record(lang), "some words", DatasetOptions(languages=languages))
    assert problem is (None if kept else RemovalReason.OTHER_LANGUAGE)


def test_tweet_language_reads_the_record():
    assert tweet_language(_record("ES")) == "es" and tweet_language(_record(None)) is None


def _archive_tweet(when: str, text: str, lang: str | None) -> dict:
    entry = fx.tweet(fx.snowflake(when, 1), text, when)
    if lang is None:  # archives from before X wrote the field
        del entry["tweet"]["lang"]
    else:
        entry["tweet"]["lang"] = lang
    return entry


def test_an_archive_import_keeps_x_lang_and_a_filter_uses_it(tmp_path: Path):
    tweets = [_archive_tweet(f"2024-03-0{day}T10:00:00", text, lang)
              for day, text, lang in ((1, "Morning walk by the river", "en"), (2, "Paseo por el río esta mañana", "es"),
                                      (3, "🌿🌿", "und"), (4, "An old post", None))]
    archive = fx.write_zip(tmp_path / "twitter-archive.zip", {
        "data/account.js": fx.account_js(), "data/tweets.js": fx.ytd("tweets.part0", tweets)})
    conn = open_database(":memory:")
    output = tmp_path / "en.csv"
    summary = run_download(conn, None, None, FakeClock(),
                           DownloadRequest((str(archive),), "archive", DatasetOptions(languages=("en",)), output))
    assert summary.removed == {RemovalReason.OTHER_LANGUAGE: 2}
    stored = tweets_repo.get_tweets(conn, [int(entry["tweet"]["id"]) for entry in tweets])
    assert [stored[int(entry["tweet"]["id"])].lang for entry in tweets] == ["en", "es", "und", None]
    assert read_rows(output) == ["Morning walk by the river", "An old post"]


def test_every_way_the_app_reads_tweets_asks_x_for_lang(sandbox_gateway, sandbox_server):
    """Timelines, full-archive search, lookups and the parents in `includes.tweets`: the sandbox sends `lang`
    only when `tweet.fields` asks for it, as X does, so a tweet read without it would map to None."""
    world = sandbox_server.state.tweets
    ids = {user.username: user.id for user in WELL_KNOWN}
    timeline = sandbox_gateway.user_tweets_page(ids["dave_designs"])
    search = sandbox_gateway.search_all_page("from:dave_designs", start_time=datetime(2011, 1, 1, tzinfo=UTC),
                                             max_results=100)
    lookup = sandbox_gateway.tweets_by_ids([int(raw["id"]) for raw in timeline.data])
    alice = sandbox_gateway.user_tweets_page(ids["alice_writes"])
    for raw in [*timeline.data, *search.data, *lookup.data, *alice.data, *alice.includes.get("tweets", [])]:
        assert tweet_from_api(raw).lang == world.by_id(int(raw["id"])).lang
    assert alice.includes.get("tweets") and search.data and lookup.data
