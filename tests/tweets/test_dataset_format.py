from __future__ import annotations

from collections import Counter

import pytest

from twexport_qt.tweets.dataset_format import ReplyContext, build_example, format_example
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.sentiment import SentimentLabeler


def test_simple_without_and_with_label() -> None:
    assert format_example("hello world") == "hello world"
    assert format_example("hello world", label="POSITIVE") == "POSITIVE\nhello world"


def test_reply_format_for_an_original_tweet() -> None:
    assert format_example("my take", text_format="reply") == (
        "****ARGUMENTS\nORIGINAL\n****PARENT\n****IN_REPLY_TO\n****TWEET\nmy take"
    )


def test_reply_format_for_a_reply_with_label() -> None:
    context = ReplyContext(root_text="root says hi", in_reply_to_text="parent says hi")
    assert format_example("my answer", label="VERY NEGATIVE", reply_context=context, text_format="reply") == (
        "****ARGUMENTS\nREPLY\nVERY NEGATIVE\n****PARENT\nroot says hi\n"
        "****IN_REPLY_TO\nparent says hi\n****TWEET\nmy answer"
    )


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError):
        format_example("")


def _tweet(tweet_id: int, text: str, *, reply_to: int | None = None, conversation: int | None = None) -> TweetRecord:
    return TweetRecord(
        id=tweet_id, author_id=1, author_username="me", created_at=0, text=text,
        conversation_id=conversation, in_reply_to_tweet_id=reply_to,
    )


REPLY = DatasetOptions(text_format="reply", include_replies=True)
NO_LABELS = SentimentLabeler(0)


def test_build_reply_to_the_root_uses_the_root_in_both_sections() -> None:
    root = _tweet(1, "Root &amp; thread https://t.co/a", conversation=1)
    reply = _tweet(2, "@root_author agreed", reply_to=1, conversation=1)
    example = build_example(reply, REPLY, NO_LABELS, root=root, in_reply_to=root)
    assert example is not None
    assert example.text == (
        "****ARGUMENTS\nREPLY\n****PARENT\nRoot & thread\n****IN_REPLY_TO\nRoot & thread\n****TWEET\nagreed"
    )


def test_build_reply_to_a_reply_cleans_parent_texts_with_their_own_reply_prefix() -> None:
    root = _tweet(1, "Which editor?", conversation=1)
    middle = _tweet(2, "@me Vim, obviously #editors", reply_to=1, conversation=1)
    mine = _tweet(3, "@you @me Emacs!", reply_to=2, conversation=1)
    options = DatasetOptions(text_format="reply", include_replies=True, strip_hashtags=True, sentiment=3)
    example = build_example(mine, options, SentimentLabeler(3), root=root, in_reply_to=middle)
    assert example is not None
    assert example.label == "NEUTRAL"
    assert example.text == (
        "****ARGUMENTS\nREPLY\nNEUTRAL\n****PARENT\nWhich editor?\n"
        "****IN_REPLY_TO\nVim, obviously\n****TWEET\nEmacs!"
    )


def test_build_reply_with_missing_parent_is_written_as_original() -> None:
    orphan = _tweet(3, "@ghost still here", reply_to=99, conversation=98)
    example = build_example(orphan, REPLY, NO_LABELS, root=None, in_reply_to=None)
    assert example is not None
    assert example.text == "****ARGUMENTS\nORIGINAL\n****PARENT\n****IN_REPLY_TO\n****TWEET\nstill here"


def test_build_reply_with_deleted_root_keeps_parent_and_empty_parent_section() -> None:
    middle = _tweet(2, "@gone parent text", reply_to=1, conversation=1)
    mine = _tweet(3, "@you mine", reply_to=2, conversation=1)
    example = build_example(mine, REPLY, NO_LABELS, root=None, in_reply_to=middle)
    assert example is not None
    # A REPLY has a text line under each section, empty here, as the original wrote it.
    assert example.text == "****ARGUMENTS\nREPLY\n****PARENT\n\n****IN_REPLY_TO\nparent text\n****TWEET\nmine"


def test_build_simple_labels_the_cleaned_text_and_drops_empty_tweets() -> None:
    options = DatasetOptions(sentiment=5)
    example = build_example(_tweet(1, "I hate this https://t.co/x"), options, SentimentLabeler(5))
    assert example is not None
    assert (example.text, example.label) == ("VERY NEGATIVE\nI hate this", "VERY NEGATIVE")
    assert build_example(_tweet(2, "https://t.co/only"), options, SentimentLabeler(5)) is None


def test_build_example_scrubs_and_counts_and_takes_a_cleaned_text() -> None:
    record = TweetRecord(1, 1, "alice", 0, "mail me@example.com now")
    options = DatasetOptions(scrub_contacts=True)
    counts: Counter[str] = Counter()
    example = build_example(record, options, SentimentLabeler(0), counts=counts)
    assert example is not None and example.text == "mail [EMAIL] now" and counts == {"e-mail addresses": 1}
    given = build_example(record, options, SentimentLabeler(0), cleaned="already cleaned")
    assert given is not None and given.text == "already cleaned"
