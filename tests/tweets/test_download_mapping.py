"""tweet_mapping: X API v2 tweet JSON -> TweetRecord."""

from __future__ import annotations

from twexport_qt.tweets.tweet_mapping import tweet_from_api


def test_tweet_mapping_from_api_json():
    raw = {"id": "5", "text": "RT @bob: hello", "author_id": "7", "created_at": "2024-01-01T00:00:00.000Z",
           "conversation_id": "3", "in_reply_to_user_id": "8",
           "referenced_tweets": [{"type": "replied_to", "id": "4"}, {"type": "quoted", "id": "2"}],
           "entities": {"urls": [{"url": "https://t.co/a"}]}}
    record = tweet_from_api(raw, {7: "ann"})
    assert (record.id, record.author_username, record.created_at, record.conversation_id) == (5, "ann", 1704067200, 3)
    assert record.in_reply_to_tweet_id == 4 and record.quoted_tweet_id == 2 and record.in_reply_to_user_id == 8
    assert record.is_retweet and record.has_links
    plain = tweet_from_api({"id": "6", "text": "plain words", "referenced_tweets": [{"type": "retweeted", "id": "1"}]},
                           default_username="zed")
    assert plain.is_retweet and not plain.has_links and plain.author_username == "zed"


def test_the_renamed_referenced_posts_field_is_understood_too():
    from twexport_qt.tweets.tweet_mapping import tweet_from_api

    record = tweet_from_api({"id": "5", "text": "@bob yes", "author_id": "1", "created_at": "2024-01-01T00:00:00.000Z",
                             "referenced_posts": [{"type": "replied_to", "id": "4"}]}, default_username="alice")
    assert record.in_reply_to_tweet_id == 4 and record.is_reply
