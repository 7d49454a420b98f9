from __future__ import annotations

from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets.records import TweetRecord


def test_upsert_and_get_keep_what_a_later_sighting_does_not_know():
    conn = open_database(":memory:")
    with conn:
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, "hi https://t.co/x", conversation_id=1)],
                                  source="timeline", fetched_at=5, simulated=False)
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "", 100, "hi https://t.co/x")], source="archive",
                                  fetched_at=6, simulated=False)
    record = tweets_repo.get_tweets(conn, [1, 2])[1]
    assert record.author_username == "ann" and record.conversation_id == 1 and record.has_links
    assert list(tweets_repo.get_tweets(conn, range(2, 1200))) == []


def test_a_long_post_is_stored_whole_and_replaces_a_preview_stored_before():
    whole = "Long post ✍️ with a lot to say. " * 120 + "https://t.co/end"  # ~3,900 characters
    conn = open_database(":memory:")
    with conn:  # a row from before long posts were asked for whole: the preview
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, whole[:270] + "…")], source="lookup",
                                  fetched_at=5, simulated=False)
        tweets_repo.upsert_tweets(conn, [TweetRecord(1, 7, "ann", 100, whole)], source="timeline", fetched_at=6,
                                  simulated=False)
    record = tweets_repo.get_tweets(conn, [1])[1]
    assert record.text == whole and record.has_links


def test_job_create_or_resume_accounts_and_written_ids():
    conn = open_database(":memory:")
    key = tweets_repo.job_key("timeline", ["Alice", "bob"], '{"limit": null}', "/tmp/out.csv", simulated=False)
    assert key == tweets_repo.job_key("timeline", ["alice", "BOB"], '{"limit": null}', "/tmp/out.csv", simulated=False)
    assert key != tweets_repo.job_key("search", ["alice", "bob"], '{"limit": null}', "/tmp/out.csv", simulated=False)
    with conn:
        job, created = tweets_repo.create_or_resume_job(conn, key, "{}", "/tmp/out.csv", 10, output_bytes=8)
        tweets_repo.ensure_accounts(conn, job.id, ["alice", "bob"])
        alice = tweets_repo.job_accounts(conn, job.id)[0]
        tweets_repo.start_account(conn, alice, 11)
        tweets_repo.advance_account(conn, alice, "next", fetched=100, written=60, skipped=40)
        tweets_repo.mark_written(conn, job.id, [1, 2, 3])
        tweets_repo.commit_output(conn, job.id, 3, 120, 12)
    assert created
    again, created_again = tweets_repo.create_or_resume_job(conn, key, "{}", "/tmp/out.csv", 20)
    assert not created_again and again.id == job.id and again.output_bytes == 120 and again.written == 3
    assert tweets_repo.already_written(conn, job.id, [2, 3, 4]) == {2, 3}
    summary = tweets_repo.job_summary(conn, job.id)
    assert summary.marked == 3
    assert [(a.username, a.state, a.cursor, a.user_id) for a in summary.accounts] == [
        ("alice", "running", "next", 11), ("bob", "pending", None, None)]
    with conn:
        tweets_repo.delete_job(conn, job.id)
    assert tweets_repo.find_job(conn, key) is None
