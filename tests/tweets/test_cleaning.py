from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twexport_qt.tweets.cleaning import clean_text, contains_link, should_keep
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.records import TweetRecord


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Shipping v2 today! https://t.co/AbC123xyz", "Shipping v2 today!"),
        ("Read this http://example.com/a?b=c#d now", "Read this now"),
        ("bare links t.co/abc and www.example.org/page too", "bare links and too"),
        ("Sunset 🌅 pic.twitter.com/Zx9Yq1 and pic.x.com/abc", "Sunset 🌅 and"),
        ("Fish &amp; chips &lt;3 &gt; &quot;pizza&quot; &#39;ok&#39; &#x1F600;",
         "Fish & chips <3 > \"pizza\" 'ok' 😀"),
        ("line one\nline two\r\n\n  line three\t end", "line one line two line three end"),
        ("  lots   of\u00a0\u00a0space  ", "lots of space"),
        ("Emoji stay 🎉🔥👍🏽 ok", "Emoji stay 🎉🔥👍🏽 ok"),
        ("https://t.co/onlyalink", ""),
        ("   ", ""),
        ("mail me@example.com about C# and e.g.www", "mail me@example.com about C# and e.g.www"),
        ("@alice is the best", "@alice is the best"),  # not a reply: the mention is part of the sentence
        ("Wait for it…", "Wait for it…"),
    ],
)
def test_clean_text_defaults(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_reply_prefix_mentions_are_removed_but_inner_mentions_kept() -> None:
    raw = "@alice @bob_2  thanks, and cc @carol https://t.co/x"
    assert clean_text(raw, is_reply=True) == "thanks, and cc @carol"
    assert clean_text(raw, is_reply=False) == "@alice @bob_2 thanks, and cc @carol"


def test_reply_that_is_only_mentions_becomes_empty() -> None:
    assert clean_text("@alice @bob", is_reply=True) == ""


def test_strip_usertags_removes_whole_tokens() -> None:
    assert clean_text("Great talk by @alice and @bob_c!", strip_usertags=True) == "Great talk by and !"


def test_strip_hashtags_removes_whole_tokens_including_unicode() -> None:
    raw = "Loving #python and #café and #日本 today #100DaysOfCode"
    assert clean_text(raw, strip_hashtags=True) == "Loving and and today"
    assert clean_text(raw) == raw


def test_escaped_hashtag_and_mention_are_stripped_after_unescaping() -> None:
    assert clean_text("R&amp;D #news @bob", strip_usertags=True, strip_hashtags=True) == "R&D"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("see https://t.co/x", True), ("www.example.com", True), ("pic.x.com/abc", True), ("no link here.", False)],
)
def test_contains_link(text: str, expected: bool) -> None:
    assert contains_link(text) is expected


def _tweet(**overrides: object) -> TweetRecord:
    values: dict[str, object] = {"id": 1, "author_id": 7, "author_username": "me", "created_at": 1_700_000_000,
                                 "text": "hello"}
    values.update(overrides)
    return TweetRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "options", "kept"),
    [
        (_tweet(), DatasetOptions(), True),
        (_tweet(is_retweet=True), DatasetOptions(include_replies=True, include_quotes=True), False),
        (_tweet(in_reply_to_tweet_id=5), DatasetOptions(), False),
        (_tweet(in_reply_to_tweet_id=5), DatasetOptions(include_replies=True), True),
        (_tweet(quoted_tweet_id=5), DatasetOptions(), False),
        (_tweet(quoted_tweet_id=5), DatasetOptions(include_quotes=True), True),
        (_tweet(has_links=True), DatasetOptions(), True),
        (_tweet(has_links=True), DatasetOptions(include_links=False), False),
    ],
)
def test_should_keep_kinds(record: TweetRecord, options: DatasetOptions, kept: bool) -> None:
    assert should_keep(record, options) is kept


def test_should_keep_timeframe_is_half_open() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2024, 2, 1, tzinfo=UTC)
    options = DatasetOptions(start=start, end=end)
    assert should_keep(_tweet(created_at=int(start.timestamp())), options)
    assert not should_keep(_tweet(created_at=int(start.timestamp()) - 1), options)
    assert should_keep(_tweet(created_at=int(end.timestamp()) - 1), options)
    assert not should_keep(_tweet(created_at=int(end.timestamp())), options)


def test_only_the_leading_mentions_of_a_reply_are_removed() -> None:
    assert clean_text("no prefix here, ask @alice", is_reply=True) == "no prefix here, ask @alice"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://T.CO/ABC shouting", "shouting"),
        ("(see https://t.co/abc) ok", "(see ok"),
        ("tags ＃fullwidth and ##double", "tags and #"),  # the second mark starts a tag, as in the original
        ("mail a@b.com about #tag.", "mail a@b.com about ."),
    ],
)
def test_edge_tokens(raw: str, expected: str) -> None:
    assert clean_text(raw, strip_usertags=True, strip_hashtags=True) == expected
