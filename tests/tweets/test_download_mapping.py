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


def test_a_long_post_is_mapped_with_its_whole_note():
    whole = "Start of a long post. " * 20 + "The end."
    raw = {"id": "9", "text": whole[:270] + "…", "author_id": "1", "created_at": "2024-01-01T00:00:00.000Z",
           "note_tweet": {"text": whole, "entities": {"hashtags": [{"start": 0, "end": 3, "tag": "x"}]}}}
    record = tweet_from_api(raw, default_username="alice")
    assert record.text == whole and not record.has_links
    renamed = {key: value for key, value in raw.items() if key != "note_tweet"} | {"note_post": {"text": whole}}
    assert tweet_from_api(renamed).text == whole  # the newest spec's name
    assert tweet_from_api({**raw, "note_tweet": {"entities": {}}}).text == raw["text"]  # no text: the preview


def test_a_link_only_in_the_notes_part_past_the_preview_counts():
    whole = "Long words " * 40 + "more at example.com/a"
    note_entities = {"urls": [{"start": 440, "end": 463, "url": "https://t.co/zz",
                               "expanded_url": "https://example.com/a"}]}
    raw = {"id": "9", "text": whole[:270] + "…", "note_tweet": {"text": whole, "entities": note_entities}}
    assert tweet_from_api(raw).has_links  # the note's entities name the link, though no URL is in the text
    with_url = {"id": "9", "text": "Long words…", "note_tweet": {"text": "Long words and https://t.co/abc"}}
    assert tweet_from_api(with_url).has_links


def test_a_retweet_of_a_long_post_is_still_a_retweet():
    raw = {"id": "3", "text": "RT @ann: the start…", "note_tweet": {"text": "the start and the rest of it"}}
    assert tweet_from_api(raw).is_retweet
