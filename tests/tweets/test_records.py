from __future__ import annotations

import sqlite3

from twexport_qt.store.migrations import MIGRATIONS
from twexport_qt.tweets.records import TWEETS_COLUMNS, TweetRecord


def _schema_connection() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    for migration in MIGRATIONS:
        connection.executescript(migration)
    return connection


def test_columns_match_the_tweets_table() -> None:
    connection = _schema_connection()
    table_columns = tuple(row["name"] for row in connection.execute("PRAGMA table_info(tweets)"))
    # The last column is no part of a tweet: the world it was stored in (store/tweets_repo.py writes it).
    assert table_columns == (*TWEETS_COLUMNS, "simulated")


def test_round_trip_through_the_tweets_table() -> None:
    record = TweetRecord(
        id=1_800_000_000_000_000_001,
        author_id=42,
        author_username="alice",
        created_at=1_700_000_000,
        text="@bob yes! https://t.co/abc",
        conversation_id=1_800_000_000_000_000_000,
        in_reply_to_tweet_id=1_800_000_000_000_000_000,
        in_reply_to_user_id=43,
        quoted_tweet_id=None,
        is_retweet=False,
        has_links=True,
    )
    connection = _schema_connection()
    row = record.to_row(source="timeline", fetched_at=1_700_000_100)
    connection.execute(
        f"INSERT INTO tweets ({', '.join(TWEETS_COLUMNS)}) VALUES ({', '.join(':' + c for c in TWEETS_COLUMNS)})", row
    )
    stored = connection.execute("SELECT * FROM tweets").fetchone()
    assert TweetRecord.from_row(stored) == record
    assert stored["source"] == "timeline"


def test_has_links_is_derived_from_the_text_when_read_back() -> None:
    row = TweetRecord(id=1, author_id=None, author_username="", created_at=0, text="plain").to_row(
        source="archive", fetched_at=0
    )
    assert TweetRecord.from_row(row).has_links is False
    assert TweetRecord.from_row({**row, "text": "see https://t.co/x"}).has_links is True


def test_reply_quote_and_root_properties() -> None:
    original = TweetRecord(id=10, author_id=1, author_username="a", created_at=0, text="t", conversation_id=10)
    reply = TweetRecord(id=11, author_id=1, author_username="a", created_at=0, text="t", conversation_id=10,
                        in_reply_to_tweet_id=10)
    quote = TweetRecord(id=12, author_id=1, author_username="a", created_at=0, text="t", quoted_tweet_id=10)
    assert (original.is_reply, original.is_quote, original.is_thread_root) == (False, False, True)
    assert (reply.is_reply, reply.is_quote, reply.is_thread_root) == (True, False, False)
    assert (quote.is_reply, quote.is_quote) == (False, True)


def test_a_plain_row_in_column_order_gives_the_same_record_as_a_named_row() -> None:
    """The store reads tweets as plain tuples (speed); the record must equal the one built by column name."""
    from twexport_qt.tweets.records import TWEETS_COLUMNS, TweetRecord

    values = (7, 42, "alice", None, "hi https://t.co/x", 7, 5, 43, None, 1, "timeline", 1_700_000_000, "en")
    named = dict(zip(TWEETS_COLUMNS, values, strict=True))
    record = TweetRecord.from_columns(values)
    assert record == TweetRecord.from_row(named)
    assert record.created_at == 0 and record.is_retweet is True and record.has_links and record.lang == "en"
