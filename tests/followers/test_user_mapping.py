"""X user objects to follower records: activity read from `most_recent_tweet_id`."""

from __future__ import annotations

from twexport_qt.core.snowflake import snowflake_id_at
from twexport_qt.followers.user_mapping import follower_from_api

POSTED_MS = 1_767_000_000_250


def user(**extra: object) -> dict[str, object]:
    return {"id": "42", "username": "ann", "name": "Ann", "public_metrics": {"tweet_count": 3}, **extra}


def test_a_snowflake_id_gives_the_time_of_the_last_post():
    post_id = snowflake_id_at(POSTED_MS, low_bits=77)
    record = follower_from_api(user(most_recent_tweet_id=str(post_id)))
    assert record.most_recent_tweet_id == post_id
    assert record.last_posted_at == POSTED_MS // 1000


def test_no_id_means_no_post_known():
    record = follower_from_api(user(public_metrics={"tweet_count": 0}))
    assert record.most_recent_tweet_id is None and record.last_posted_at is None
    assert record.tweet_count == 0


def test_an_id_from_before_snowflakes_is_kept_but_dates_nothing():
    record = follower_from_api(user(most_recent_tweet_id="29700859247"))
    assert record.most_recent_tweet_id == 29_700_859_247
    assert record.last_posted_at is None


def test_an_id_that_is_not_a_number_is_ignored():
    record = follower_from_api(user(most_recent_tweet_id="not-an-id"))
    assert record.most_recent_tweet_id is None and record.last_posted_at is None
