"""X's `lang` in the `tweets` table: kept when a later sighting does not know it, NULL for rows from before."""

from __future__ import annotations

import sqlite3

from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS
from twexport_qt.tweets.records import TweetRecord

# Found by what it does, not by its number: other migrations may come after it.
LANG = next(number for number, sql in enumerate(MIGRATIONS) if "ADD COLUMN lang" in sql)


def test_a_known_language_survives_a_sighting_without_one_and_a_new_one_replaces_it():
    conn = open_database(":memory:")
    with conn:
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, "hola", lang="es")], source="timeline",
                                  fetched_at=5, simulated=False)
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, "hola")], source="archive", fetched_at=6,
                                  simulated=False)
    assert tweets_repo.get_tweets(conn, [1])[1].lang == "es"
    with conn:
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, "hola", lang="und")], source="lookup",
                                  fetched_at=7, simulated=False)
    assert tweets_repo.get_tweets(conn, [1])[1].lang == "und"


def test_tweets_stored_before_languages_were_kept_read_as_unknown(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    old = sqlite3.connect(path)
    for number in range(LANG):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    old.execute("INSERT INTO tweets (id, author_id, author_username, created_at, text, is_retweet, source, "
                "fetched_at) VALUES (1, 7, 'ann', 100, 'an old post', 0, 'timeline', 5)")
    old.commit()
    old.close()

    conn = open_database(path)
    page = tweets_repo.author_tweets_page(conn, tweets_repo.AuthorTweets(7, "ann"), None, 10)
    assert [(record.id, record.text, record.lang) for record in page] == [(1, "an old post", None)]
    with conn:  # seen again by a download that knows its language
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, "an old post", lang="en")],
                                  source="timeline", fetched_at=6, simulated=False)
    assert tweets_repo.get_tweets(conn, [1])[1].lang == "en"
    conn.close()
