"""Tweets and tweet downloads belong to a world, the Sandbox's simulated X or the real one: each read that builds or
lists a dataset sees only its own, and a data folder from before the marker migrates with its Sandbox rows told
apart from what the rows themselves show."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.tweets_world import HISTORIES, snowflake
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION
from twexport_qt.store.tweets_repo import AuthorTweets
from twexport_qt.tweets.records import TweetRecord

# Found by what it does, not by its number: other migrations may come after it.
WORLD_MARKER = next(number for number, sql in enumerate(MIGRATIONS) if "ADD COLUMN simulated" in sql)
ALICE_ID = 2_001  # the Sandbox's alice_writes
T0 = 1_700_000_000


def test_each_world_reads_only_its_own_tweets() -> None:
    conn = open_database(":memory:")
    with conn:
        tweets_repo.upsert_tweets(conn, [TweetRecord(10, ALICE_ID, "alice_writes", T0, "made up"),
                                         TweetRecord(11, ALICE_ID, "alice_writes", T0 + 1, "made up too")],
                                  source="timeline", fetched_at=T0, simulated=True)
        tweets_repo.upsert_tweets(conn, [TweetRecord(20, 777, "Alice_Writes", T0, "a real post")],
                                  source="timeline", fetched_at=T0, simulated=False)

    real = tweets_repo.stored_authors(conn, ["alice_writes"], simulated=False)
    sandbox = tweets_repo.stored_authors(conn, ["alice_writes"], simulated=True)
    assert (real["alice_writes"].user_id, real["alice_writes"].tweets) == (777, 1)
    assert (sandbox["alice_writes"].user_id, sandbox["alice_writes"].tweets) == (ALICE_ID, 2)
    # The same account id read in the other world finds nothing.
    assert tweets_repo.count_author_tweets(conn, AuthorTweets(ALICE_ID, "alice_writes", simulated=False)) == 0
    page = tweets_repo.author_tweets_page(conn, AuthorTweets(ALICE_ID, "alice_writes", simulated=True), None, 10)
    assert [tweet.id for tweet in page] == [11, 10]
    assert tweets_repo.stored_authors(conn, ["bob_builds"], simulated=True) == {}


def test_each_world_lists_only_its_own_downloads() -> None:
    conn = open_database(":memory:")
    args = ("timeline", ["alice_writes"], "{}", "/out/a.csv")
    real_key, sandbox_key = (tweets_repo.job_key(*args, simulated=False), tweets_repo.job_key(*args, simulated=True))
    assert sandbox_key == "sandbox:" + real_key  # the same request in the other world is another download
    with conn:
        sandbox_job, _ = tweets_repo.create_or_resume_job(conn, sandbox_key, "{}", "/out/a.csv", T0 + 5,
                                                          simulated=True)
        real_job, created = tweets_repo.create_or_resume_job(conn, real_key, "{}", "/out/a.csv", T0,
                                                             simulated=False)
    assert created and real_job.id != sandbox_job.id
    assert [job.id for job in tweets_repo.list_jobs(conn, simulated=False)] == [real_job.id]
    assert [job.id for job in tweets_repo.list_jobs(conn, simulated=True)] == [sandbox_job.id]
    assert [job.id for job in tweets_repo.jobs_for_output(conn, "/out/a.csv", simulated=False)] == [real_job.id]


def _database_before_the_marker(path: Path) -> None:
    """A data folder as the version before the marker left it: one Sandbox download of alice_writes (tweets
    numbered as the Sandbox numbers them), one real download, an archive tweet and an unfinished Sandbox
    download that took nothing yet."""
    old = sqlite3.connect(path)
    for number in range(WORLD_MARKER):
        old.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    alice_slot, creator_slot = HISTORIES[ALICE_ID].slot, HISTORIES[SANDBOX_USER_ID].slot
    simulated_ids = [snowflake(T0 + k, alice_slot, k) for k in range(3)]
    real_id = snowflake(T0, alice_slot + 40, 0)  # a real tweet of an account with the same id: another worker
    creator_id = snowflake(T0, creator_slot, 0)
    tweet = ("INSERT INTO tweets (id, author_id, author_username, created_at, text, source, fetched_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)")
    with old:
        old.executemany(tweet, [(tweet_id, ALICE_ID, "alice_writes", T0, "made up", "timeline", T0)
                                for tweet_id in simulated_ids])
        old.execute(tweet, (creator_id, SANDBOX_USER_ID, "", T0, "a parent looked up", "lookup", T0))
        old.execute(tweet, (real_id, ALICE_ID, "alice_writes", T0, "a real post", "timeline", T0))
        old.execute(tweet, (simulated_ids[0] + 1, ALICE_ID, "alice_writes", T0, "my archive", "archive", T0))
        job = ("INSERT INTO tweet_jobs (id, key, options_json, output_path, state, created_at, updated_at) "
               "VALUES (?, ?, '{}', ?, 'done', ?, ?)")
        old.execute(job, (1, "sandbox-made", "/out/a.csv", T0, T0 + 10))  # the newest
        old.execute(job, (2, "real-made", "/out/real.csv", T0, T0))
        old.execute(job, (3, "sandbox-unfinished", "/out/b.csv", T0, T0))
        old.executemany("INSERT INTO tweet_job_output (job_id, tweet_id) VALUES (?, ?)",
                        [(1, tweet_id) for tweet_id in simulated_ids] + [(2, real_id)])
        old.executemany("INSERT INTO tweet_job_accounts (job_id, username, user_id, state) VALUES (?, ?, ?, ?)",
                        [(1, "alice_writes", ALICE_ID, "done"), (2, "Alice_Writes", ALICE_ID, "done"),
                         (3, "Bob_Builds", 2_002, "pending")])
    old.close()


def test_an_existing_database_migrates_with_its_sandbox_rows_marked(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    _database_before_the_marker(path)
    conn = open_database(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    marked = dict(conn.execute("SELECT text, simulated FROM tweets").fetchall())
    assert marked == {"made up": 1, "a parent looked up": 1, "a real post": 0, "my archive": 0}
    assert dict(conn.execute("SELECT id, simulated FROM tweet_jobs").fetchall()) == {1: 1, 2: 0, 3: 1}

    # A real profile sees the real tweet and its own download only; the Sandbox its own, as before.
    assert tweets_repo.stored_authors(conn, ["alice_writes"], simulated=False)["alice_writes"].tweets == 2
    assert tweets_repo.stored_authors(conn, ["alice_writes"], simulated=True)["alice_writes"].tweets == 3
    assert [job.id for job in tweets_repo.list_jobs(conn, simulated=False)] == [2]
    assert [job.id for job in tweets_repo.list_jobs(conn, simulated=True)] == [1, 3]
    # The Sandbox's downloads keep resuming: their keys are those a Sandbox request now makes.
    resumed, real = tweets_repo.find_job(conn, "sandbox:sandbox-made"), tweets_repo.find_job(conn, "real-made")
    assert resumed is not None and resumed.id == 1
    assert real is not None and real.id == 2


def test_the_backfill_knows_every_account_the_sandbox_writes_tweets_for() -> None:
    """The migration copies the Sandbox's accounts and snowflake slots (it may never change): they must be all."""
    for author_id, history in HISTORIES.items():
        assert f"author_id = {author_id} AND ((id >> 12) & 1023) = {history.slot}" in MIGRATIONS[WORLD_MARKER]
