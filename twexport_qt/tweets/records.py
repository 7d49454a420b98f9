"""`TweetRecord`: one tweet as the app stores it, whatever it came from (API, search, archive).

Fields mirror the `tweets` table (store/migrations.py) one to one, except that the table adds bookkeeping
(`source`, `fetched_at`) and the record adds `has_links`, which is derived rather than stored: X rewrites every
link in a tweet's text to a t.co URL, so the text alone answers the question when a row is read back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twexport_qt.tweets.cleaning import contains_link

# Columns of the `tweets` table, in schema order.
TWEETS_COLUMNS: tuple[str, ...] = (
    "id",
    "author_id",
    "author_username",
    "created_at",
    "text",
    "conversation_id",
    "in_reply_to_tweet_id",
    "in_reply_to_user_id",
    "quoted_tweet_id",
    "is_retweet",
    "source",
    "fetched_at",
    "lang",
)


def language_code(value: Any) -> str | None:
    """X's `lang` of a tweet as stored: lower case (as `DatasetOptions.languages` holds codes), None when X sent
    none; the API and archives map it through here alike."""
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


@dataclass(frozen=True, slots=True)
class TweetRecord:
    id: int
    author_id: int | None
    author_username: str
    created_at: int  # Unix epoch seconds, UTC
    text: str  # raw, as X returns it (HTML-escaped, links as t.co, reply @mentions prepended)
    conversation_id: int | None = None  # id of the thread's first tweet; unknown for archive tweets
    in_reply_to_tweet_id: int | None = None
    in_reply_to_user_id: int | None = None
    quoted_tweet_id: int | None = None
    is_retweet: bool = False
    has_links: bool = False
    # X's `lang`: a BCP 47 code ("en", "pt", "zh-cn") or X's "und" (undetermined), "zxx" (media only, no text),
    # "qme"/"qht"/"qam"… (only mentions, hashtags…). None: never known (older rows, archives without it).
    lang: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.in_reply_to_tweet_id is not None

    @property
    def is_quote(self) -> bool:
        return self.quoted_tweet_id is not None

    @property
    def is_thread_root(self) -> bool:
        """True when this tweet starts its conversation (or the conversation is unknown and it is no reply)."""
        return not self.is_reply and self.conversation_id in (None, self.id)

    def to_row(self, *, source: str, fetched_at: int) -> dict[str, Any]:
        """The `tweets` table row for this record; `source` is timeline | search | archive | lookup."""
        return {
            "id": self.id,
            "author_id": self.author_id,
            "author_username": self.author_username,
            "created_at": self.created_at,
            "text": self.text,
            "conversation_id": self.conversation_id,
            "in_reply_to_tweet_id": self.in_reply_to_tweet_id,
            "in_reply_to_user_id": self.in_reply_to_user_id,
            "quoted_tweet_id": self.quoted_tweet_id,
            "is_retweet": int(self.is_retweet),
            "source": source,
            "fetched_at": fetched_at,
            "lang": self.lang,
        }

    @classmethod
    def from_columns(cls, values: Sequence[Any]) -> TweetRecord:
        """`from_row` for a plain tuple in `TWEETS_COLUMNS` order: reading by place spares a dataset build of a
        million stored tweets the name look-ups of `sqlite3.Row` (seconds)."""
        (tweet_id, author_id, author_username, created_at, text, conversation_id, in_reply_to_tweet_id,
         in_reply_to_user_id, quoted_tweet_id, is_retweet, _source, _fetched_at, lang) = values
        return cls(
            id=tweet_id, author_id=author_id, author_username=author_username,
            created_at=created_at if created_at is not None else 0, text=text, conversation_id=conversation_id,
            in_reply_to_tweet_id=in_reply_to_tweet_id, in_reply_to_user_id=in_reply_to_user_id,
            quoted_tweet_id=quoted_tweet_id, is_retweet=bool(is_retweet), has_links=contains_link(text), lang=lang,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TweetRecord:
        """Rebuild a record from a `tweets` row (a dict or `sqlite3.Row`); `has_links` comes from the text.

        The text heuristic also counts the t.co link X appends for attached media, so a photo-only tweet read
        back from the database counts as having a link, where the API's entities would say it has none.
        """
        text = row["text"]
        return cls(
            id=row["id"],
            author_id=row["author_id"],
            author_username=row["author_username"],
            created_at=row["created_at"] if row["created_at"] is not None else 0,
            text=text,
            conversation_id=row["conversation_id"],
            in_reply_to_tweet_id=row["in_reply_to_tweet_id"],
            in_reply_to_user_id=row["in_reply_to_user_id"],
            quoted_tweet_id=row["quoted_tweet_id"],
            is_retweet=bool(row["is_retweet"]),
            has_links=contains_link(text),
            lang=row["lang"],
        )
