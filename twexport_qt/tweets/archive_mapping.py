"""An archive's tweet JSON -> `TweetRecord`, as tweet_mapping.py does for the API's.

tweets.js objects are v1.1-like with every number as a string (XAPI_FACTS §5.3). The record's text follows the
same conventions as the API's (HTML-escaped, links as t.co, a reply's @mentions first), so cleaning treats both
alike; a long post's text is its whole note (archive_notes). Quotes, links and media are read by archive_links.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twexport_qt.tweets.archive_links import expanded_urls, has_media, links_elsewhere, quoted_tweet_id
from twexport_qt.tweets.archive_notes import Note, whole_text
from twexport_qt.tweets.archive_values import BadId, parse_archive_time, parse_id
from twexport_qt.tweets.cleaning import contains_link, is_manual_retweet
from twexport_qt.tweets.records import TweetRecord, language_code


@dataclass(frozen=True)
class ArchiveOwner:
    """What the tweets of an archive share: their author, and every handle the author had (lower-cased)."""

    account_id: int | None = None
    username: str = ""
    handles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ArchiveTweet:
    """One tweets.js entry read: the record, the unusable reference ids left out of it, and the long post found
    for it (`note`), which gave the record its text only if `note_joined`."""

    record: TweetRecord
    bad_references: list[BadId] = field(default_factory=list)
    note: Note | None = None
    note_joined: bool = False


def _optional_id(tweet: Mapping[str, Any], key: str) -> int | None:
    value = tweet.get(f"{key}_str", tweet.get(key))
    return parse_id(value, key) if value not in (None, "") else None


def read_tweet(tweet: Mapping[str, Any], owner: ArchiveOwner, long_posts: Mapping[int, Note]) -> ArchiveTweet:
    """Map one tweet (already out of its `{"tweet": ...}` wrapper). `long_posts` maps tweet ids to the note found
    for them. Raises BadId if the tweet's own id is unusable, KeyError / TypeError / ValueError for anything
    else not in X's format."""
    full_text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(full_text, str):
        raise KeyError("full_text")
    tweet_id = parse_id(tweet.get("id_str") or tweet["id"], "id")
    note = long_posts.get(tweet_id)
    joined = whole_text(full_text, note) if note is not None else None
    text = joined if joined is not None else full_text
    urls = expanded_urls(tweet.get("entities"))
    if joined is not None and note is not None:
        urls += note.urls  # a long post's links past its preview are only in the note
    bad_references: list[BadId] = []

    def reference(read: Callable[[], int | None]) -> int | None:
        try:
            return read()
        except BadId as error:
            bad_references.append(error)
            return None

    record = TweetRecord(
        id=tweet_id,
        author_id=owner.account_id,
        author_username=owner.username,
        created_at=parse_archive_time(tweet["created_at"]),
        text=text,
        conversation_id=None,  # archives do not record it
        in_reply_to_tweet_id=reference(lambda: _optional_id(tweet, "in_reply_to_status_id")),
        in_reply_to_user_id=reference(lambda: _optional_id(tweet, "in_reply_to_user_id")),
        quoted_tweet_id=reference(lambda: quoted_tweet_id(tweet, tweet_id, urls, owner.handles)),
        is_retweet=is_manual_retweet(full_text),
        # Photos and videos count as links, as they do in the API's `urls`: include_links=False drops them alike.
        has_links=bool(links_elsewhere(urls, tweet_id)) or has_media(tweet) or contains_link(text),
        lang=language_code(tweet.get("lang")),  # tweets.js has X's `lang` too; older archives may not
    )
    return ArchiveTweet(record, bad_references, note, joined is not None)
