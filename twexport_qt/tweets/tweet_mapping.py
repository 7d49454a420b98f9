"""X API v2 tweet JSON -> `TweetRecord`.

The gateway hands out raw dicts (ids as strings, `created_at` as "2024-01-01T00:00:00.000Z"); this is the only
place that knows those wire names, so a rename on X's side (XAPI_FACTS §4.4: `referenced_posts`) is one edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from twexport_qt.core.timefmt import parse_x_timestamp
from twexport_qt.tweets.cleaning import contains_link
from twexport_qt.tweets.records import TweetRecord, language_code

REPLIED_TO, QUOTED, RETWEETED = "replied_to", "quoted", "retweeted"


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def referenced_ids(raw: Mapping[str, Any], kind: str) -> list[int]:
    """Ids of the tweets `raw` references with `kind` (replied_to | quoted | retweeted).

    X's newest API spec calls the field `referenced_posts`; which name the live API sends is unverified, so both
    are read (tweepy 4.17 and the prose docs still use `referenced_tweets`).
    """
    references = raw.get("referenced_tweets") or raw.get("referenced_posts") or ()
    return [int(ref["id"]) for ref in references if ref.get("type") == kind]


def long_post(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A long post's `{text, entities}`, or None for a post that fits in `text`.

    X sends a long post's first ~280 characters in `text` and the whole post in `note_tweet` (XAPI_FACTS §9.2);
    the newest API spec calls it `note_post`, read when `note_tweet` is absent (the live name is unverified).
    """
    for name in ("note_tweet", "note_post"):
        note = raw.get(name)
        if isinstance(note, Mapping) and note.get("text"):
            return note
    return None


def whole_text(raw: Mapping[str, Any]) -> str:
    """The post's whole text: a long post's note, otherwise `text`."""
    note = long_post(raw)
    return str(note["text"]) if note is not None else str(raw.get("text", ""))


def _link_entities(raw: Mapping[str, Any]) -> list[Any]:
    """`urls` entities of the post and of its note: a long post's links may all lie beyond the preview."""
    note = long_post(raw) or {}
    return [*((raw.get("entities") or {}).get("urls") or ()), *((note.get("entities") or {}).get("urls") or ())]


def usernames_by_id(users: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """`includes.users` as {id: username}, to name the authors of tweets and their parents."""
    return {int(user["id"]): str(user.get("username", "")) for user in users if "id" in user}


def tweet_from_api(raw: Mapping[str, Any], usernames: Mapping[int, str] | None = None,
                   default_username: str = "") -> TweetRecord:
    """Map one v2 tweet object. `usernames` resolves `author_id` (from `includes.users`); tweets of an account
    whose timeline is being read can pass its handle as `default_username` instead. A long post's text is its
    whole note, never the preview X puts in `text`."""
    preview = str(raw.get("text", ""))
    text = whole_text(raw)
    author_id = _optional_int(raw.get("author_id"))
    replied_to = referenced_ids(raw, REPLIED_TO)
    quoted = referenced_ids(raw, QUOTED)
    username = (usernames or {}).get(author_id, default_username) if author_id is not None else default_username
    return TweetRecord(
        id=int(raw["id"]),
        author_id=author_id,
        author_username=username,
        created_at=parse_x_timestamp(raw.get("created_at")) or 0,
        text=text,
        conversation_id=_optional_int(raw.get("conversation_id")),
        in_reply_to_tweet_id=replied_to[0] if replied_to else None,
        in_reply_to_user_id=_optional_int(raw.get("in_reply_to_user_id")),
        quoted_tweet_id=quoted[0] if quoted else None,
        # X sends `retweeted` references when asked; "RT @" covers old-style retweets typed by hand.
        is_retweet=bool(referenced_ids(raw, RETWEETED)) or preview.startswith("RT @"),
        has_links=bool(_link_entities(raw)) or contains_link(text),
        lang=language_code(raw.get("lang")),
    )
