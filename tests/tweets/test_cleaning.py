from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from twexport_qt.tweets.cleaning import (
    RemovalReason,
    clean_record,
    clean_text,
    contains_link,
    is_manual_retweet,
    quality_problem,
    should_keep,
)
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


# ----- scrubbing and quality filters (issue 16) -----------------------------------------------------------

def _scrubbed(text: str, **flags: bool) -> tuple[str, dict[str, int]]:
    counts: Counter[str] = Counter()
    cleaned = clean_text(text, counts=counts, **flags)
    return cleaned, {str(key): value for key, value in counts.items()}


@pytest.mark.parametrize(("raw", "expected"), [
    ("write to me@example.com today", "write to [EMAIL] today"),
    ("first.last+tag@mail.co.uk.", "[EMAIL]."),
    ("call +1 (555) 123-4567 now", "call [PHONE] now"),
    ("+44 20 7946 0958", "[PHONE]"),
    ("+15551234567", "[PHONE]"),
    ("555-123-4567 or 555.123.4567 or (555) 123-4567", "[PHONE] or [PHONE] or [PHONE]"),
    ("1-800-555-0199", "[PHONE]"),
    ("ring 555-1234", "ring [PHONE]"),
    ("appelle 06 12 34 56 78", "appelle [PHONE]"),
    ("020 7946 0958", "[PHONE]"),
    ("555 123 4567", "[PHONE]"),
    # Digits of other scripts count as digits (the ASCII fast path must not miss them).
    ("call ٥٥٥-١٢٣-٤٥٦٧ now", "call [PHONE] now"),
    ("ring ٥٥٥-1234", "ring [PHONE]"),
    ("café: 555-123-4567", "café: [PHONE]"),
])
def test_contacts_are_scrubbed(raw: str, expected: str) -> None:
    assert _scrubbed(raw, scrub_contacts=True)[0] == expected


@pytest.mark.parametrize("raw", [
    "on 2024-03-22, 22.03.2024, 3.11.2024 and 12/03/2024",
    "released v1.2.3 and 10.15.7, then 2.10.0",
    "it costs $1,299.99 or 1.299,99 €",
    "meet at 12:30, back in 2024, the 2023-2024 season",
    "tweet 1770000000000000000 got 1500000 views",
    "server 192.168.10.20 is down",
    "scores 21 14 35 17 tonight",
    "pi is 3.14159 and 10-20 people came",
    "@handle_123 and #tag2024",
])
def test_numbers_that_are_not_phones_or_emails_are_left_alone(raw: str) -> None:
    assert _scrubbed(raw, scrub_contacts=True) == (raw, {})


def test_scrubbing_counts_each_kind() -> None:
    text, counts = _scrubbed("@bob mail a@b.io or c@d.org, call 555-123-4567 https://t.co/x www.x.com/y",
                             scrub_contacts=True, scrub_mentions=True, scrub_links=True)
    assert text == "@USER mail [EMAIL] or [EMAIL], call [PHONE] [LINK] [LINK]"
    assert counts == {"e-mail addresses": 2, "phone numbers": 1, "mentions": 1, "links": 2}


def test_scrubbing_leaves_a_replys_routing_mentions_out_and_stripping_wins() -> None:
    assert _scrubbed("@a @b hi @c", is_reply=True, scrub_mentions=True) == ("hi @USER", {"mentions": 1})
    assert _scrubbed("hi @c", strip_usertags=True, scrub_mentions=True) == ("hi", {})


def test_links_are_removed_without_scrubbing_and_digits_in_links_are_no_phone() -> None:
    assert _scrubbed("see https://x.com/a/555-123-4567 now", scrub_contacts=True) == ("see now", {})


def test_clean_record_applies_every_text_option() -> None:
    record = TweetRecord(1, 1, "a", 0, "@bob hey @carol, mail me@x.org #tag", in_reply_to_tweet_id=5)
    options = DatasetOptions(strip_hashtags=True, scrub_contacts=True, scrub_mentions=True)
    assert clean_record(record, options) == "hey @USER, mail [EMAIL]"


def test_quality_problem_reasons() -> None:
    record = TweetRecord(1, 1, "a", 0, "x")
    assert quality_problem(record, "", DatasetOptions()) is RemovalReason.EMPTY
    assert quality_problem(record, "short", DatasetOptions(min_length=6)) is RemovalReason.TOO_SHORT
    assert quality_problem(record, "long enough", DatasetOptions(min_length=6)) is None
    # A language never stored passes the language filter: the store cannot tell.
    assert quality_problem(record, "hello", DatasetOptions(languages=("de",))) is None


@pytest.mark.parametrize(("text", "is_retweet"), [
    ("RT @x: hi", True), ("rt @x", True), ("Rt＠x", True), (" RT @x", True), ("\u3000RT: @x", True),
    ("\nrt\t@x", True), ("RT if you agree", False), ("ART @x", False), ("@x RT @y", False), ("", False),
])
def test_manual_retweets_are_told_by_their_start_whatever_the_spacing_and_case(text: str, is_retweet: bool) -> None:
    assert is_manual_retweet(text) is is_retweet
