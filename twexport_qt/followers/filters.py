"""Which followers to show, plot, export or message: one dataclass that compiles to a SQL WHERE clause.

Filters run in SQLite, within one owner's rows (the key's owner_id prefix; followers-count has its own index),
so exports and campaign planning stay well under a second at a million followers. User values only ever
travel as bound parameters. The description-words filter needs NLTK tokenization, which SQL cannot do, so it
is a cheap `LIKE` pre-filter (rejects most rows in C) followed by a registered Python function on the few
candidates; `register_sql_functions(conn)` must run on a connection before it executes such a clause
(the followers repository does it for every query).
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, get_args

from twexport_qt.core.errors import ConfigError
from twexport_qt.followers.relationships import RELATIONSHIP_CHOICES, RELATIONSHIP_SQL, Relationship
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, tier_case_sql, tier_index

WordMode = Literal["any", "all"]
DmStatus = Literal["any", "not_messaged", "messaged", "skipped"]

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_SETTINGS_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_WORD_TOKEN = re.compile(r"\w")
_HAS_WORDS_FUNCTION = "twx_has_words"
DAY_SECONDS = 86_400
# Fields added after filters were first remembered and exported: `to_dict` writes them only when set, so a filter
# kept before they existed still reads (and compares) as the same filter.
_OPTIONAL_KEYS = ("min_tweets", "max_tweets", "min_listed", "max_listed", "inactive_days", "posted_within_days")

# The original Twitter Exporter's config.json keys, accepted by `from_dict` so old settings keep working.
_LEGACY_KEYS = {
    "min_followers_count": "min_followers",
    "max_followers_count": "max_followers",
    "min_friends_count": "min_following",
    "max_friends_count": "max_following",
}


class InvalidFilter(ConfigError, ValueError):
    """A filter value the user typed cannot work; the message says which field and what to change."""

    default_message = "The follower filter is not valid."


@dataclass
class FollowerFilter:
    """All criteria are ANDed; a field left at its default does not filter.

    Dates are epoch seconds UTC: `created_before` is exclusive and `created_after` inclusive, so the two
    split time without a gap or an overlap. Followers whose join date is unknown fail any date criterion.
    Counts are inclusive. `following` is what the seed calls "friends".

    Activity counts days back from the moment the filter is evaluated (`now`): `inactive_days` keeps followers
    with no post in the last N days, those who never posted included (no newest post and a post count of 0);
    `posted_within_days` keeps those who posted in the last N days. A follower whose last post X did not date
    (X gave no id although they posted, or one older than snowflakes) fails both.

    `relationship` keeps mutuals (you follow them too) or fans (you don't), a look-up in the `following` table;
    until a following fetch has completed neither matches anybody (views say why: `relationships.py`).
    """

    created_before: int | None = None
    created_after: int | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    min_following: int | None = None
    max_following: int | None = None
    min_tweets: int | None = None
    max_tweets: int | None = None
    min_listed: int | None = None
    max_listed: int | None = None
    inactive_days: int | None = None
    posted_within_days: int | None = None
    verified_only: bool = False
    description_words: str = ""  # free text; tokenized with NLTK, whole-word and case-insensitive match
    description_mode: WordMode = "any"
    location_contains: str = ""  # case-insensitive for ASCII letters (SQLite LIKE)
    exclude_protected: bool = False
    dm_able_only: bool = False  # hides followers X says do not accept your DMs (unknown is kept)
    dm_status: DmStatus = "any"  # judged on live-mode DMs only; test sends go to test accounts
    tiers: tuple[str, ...] = ()  # tier names; empty means every tier
    include_unfollowed: bool = False
    relationship: Relationship = "any"
    _words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.tiers = tuple(self.tiers)
        _check_range("followers", self.min_followers, self.max_followers)
        _check_range("following", self.min_following, self.max_following)
        _check_range("posts", self.min_tweets, self.max_tweets)
        _check_range("lists", self.min_listed, self.max_listed)
        for label, days in (("Inactive for", self.inactive_days), ("Posted within", self.posted_within_days)):
            if days is not None and days < 0:
                raise InvalidFilter(f"'{label}' must be a number of days from 0 up, not {days}.")
        if (
            self.inactive_days is not None
            and self.posted_within_days is not None
            and self.posted_within_days <= self.inactive_days
        ):
            raise InvalidFilter(
                f"'Posted within' ({self.posted_within_days} days) must be longer than 'inactive for' "
                f"({self.inactive_days} days), otherwise no follower can match."
            )
        if (
            self.created_before is not None
            and self.created_after is not None
            and self.created_after >= self.created_before
        ):
            raise InvalidFilter(
                "'Joined after' must be earlier than 'joined before', otherwise no follower can match."
            )
        if self.description_mode not in get_args(WordMode):
            raise InvalidFilter(f"Description word mode must be 'any' or 'all', not {self.description_mode!r}.")
        if self.dm_status not in get_args(DmStatus):
            choices = ", ".join(get_args(DmStatus))
            raise InvalidFilter(f"DM status must be one of {choices}; got {self.dm_status!r}.")
        if self.relationship not in RELATIONSHIP_CHOICES:
            choices = ", ".join(RELATIONSHIP_CHOICES)
            raise InvalidFilter(f"Relationship must be one of {choices}; got {self.relationship!r}.")
        self._words = query_words(self.description_words)

    @property
    def words(self) -> tuple[str, ...]:
        """The lower-cased word tokens of `description_words` (punctuation dropped)."""
        return self._words

    @property
    def has_activity_criteria(self) -> bool:
        """Whether the filter's answer depends on `now` (it counts days back from it)."""
        return self.inactive_days is not None or self.posted_within_days is not None

    def to_sql(
        self, owner_id: int, tiers: Sequence[TierSpec] = DEFAULT_TIERS, *, now: float | None = None
    ) -> tuple[str, list[Any]]:
        """WHERE clause over the unaliased `followers` table, and its parameters (all bound).

        `now` (epoch seconds) is where the activity criteria count back from; None: the wall clock.
        """
        clauses = ["followers.owner_id = ?"]
        params: list[Any] = [owner_id]

        def add(clause: str, *values: Any) -> None:
            clauses.append(clause)
            params.extend(values)

        if not self.include_unfollowed:
            add("followers.unfollowed_at IS NULL")
        if self.created_before is not None:
            add("followers.created_at < ?", self.created_before)
        if self.created_after is not None:
            add("followers.created_at >= ?", self.created_after)
        for column, low, high in (
            ("followers_count", self.min_followers, self.max_followers),
            ("following_count", self.min_following, self.max_following),
            ("tweet_count", self.min_tweets, self.max_tweets),
            ("listed_count", self.min_listed, self.max_listed),
        ):
            if low is not None:
                add(f"followers.{column} >= ?", low)
            if high is not None:
                add(f"followers.{column} <= ?", high)
        if self.inactive_days is not None:
            add("(followers.last_posted_at < ? OR (followers.last_posted_at IS NULL AND followers.tweet_count = 0))",
                activity_cutoff(self.inactive_days, now))
        if self.posted_within_days is not None:
            add("followers.last_posted_at >= ?", activity_cutoff(self.posted_within_days, now))
        if self.verified_only:
            add("followers.verified = 1")
        if self.exclude_protected:
            add("followers.protected = 0")
        if self.dm_able_only:
            add("(followers.receives_your_dm IS NULL OR followers.receives_your_dm != 0)")
        if self.location_contains.strip():
            add("followers.location LIKE ? ESCAPE '\\'", f"%{escape_like(self.location_contains.strip())}%")
        if self._words:
            sql, values = _description_words_sql(self._words, self.description_mode)
            add(sql, *values)
        if self.dm_status != "any":
            add(_DM_STATUS_SQL[self.dm_status])
        if self.relationship != "any":
            add(RELATIONSHIP_SQL[self.relationship])
        if self.tiers:
            case_sql, case_params = tier_case_sql(tiers)
            indexes = [tier_index(tiers, name) for name in self.tiers]
            placeholders = ", ".join("?" * len(indexes))
            add(f"{case_sql} IN ({placeholders})", *case_params, *indexes)
        return " AND ".join(clauses), params

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        data["created_before"] = format_date(self.created_before)
        data["created_after"] = format_date(self.created_after)
        data["tiers"] = list(self.tiers)
        for key in _OPTIONAL_KEYS:
            if data[key] is None:
                del data[key]
        if data["relationship"] == "any":  # added later too: a filter that does not use it reads as before
            del data["relationship"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FollowerFilter:
        """Inverse of `to_dict`; also reads the seed's keys (`min_friends_count`, ...). Unknown keys are ignored."""
        known = {f.name for f in fields(cls) if f.init}
        values: dict[str, Any] = {}
        for key, value in data.items():
            key = _LEGACY_KEYS.get(key, key)
            if key in known:
                values[key] = value
        for key in ("created_before", "created_after"):
            if isinstance(values.get(key), str):
                values[key] = parse_date(values[key], field_label=key.replace("_", " "))
        for key in ("min_followers", "max_followers", "min_following", "max_following", *_OPTIONAL_KEYS):
            if values.get(key) is not None:
                values[key] = int(values[key])
        return cls(**values)


def activity_cutoff(days: int, now: float | None = None) -> int:
    """The epoch second `days` days before `now` (None: the wall clock): "inactive for N days" means no post
    at or after it, "posted within N days" a post at or after it."""
    reference = time.time() if now is None else now
    return int(reference) - days * DAY_SECONDS


def parse_date(text: str, *, field_label: str = "date") -> int | None:
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' (UTC) to epoch seconds; empty text means no date."""
    text = text.strip()
    if not text:
        return None
    for date_format in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, date_format)
        except ValueError:
            continue
        return int(parsed.replace(tzinfo=UTC).timestamp())
    raise InvalidFilter(
        f"The {field_label} {text!r} is not a date: write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, "
        "for example 2019-06-27 or 2019-06-27 00:00:00."
    )


def format_date(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=UTC).strftime(_SETTINGS_DATE_FORMAT)


def prepare_word_matching() -> None:
    """Import the tokenizer the bio-word filter needs (all of nltk: a second or two on a slow machine), so that
    a view can do it off the GUI thread as soon as the user heads for the words field, not when the filter runs."""
    importlib.import_module("nltk.tokenize")


@lru_cache(maxsize=64)
def query_words(text: str) -> tuple[str, ...]:
    """Lower-cased word tokens of `text`, in first-seen order without repeats; punctuation tokens dropped."""
    if not text.strip():  # no words: no need to import nltk (see prepare_word_matching) for the empty default filter
        return ()
    from nltk.tokenize import wordpunct_tokenize  # nltk is imported on first use, not at start-up

    words = (token.lower() for token in wordpunct_tokenize(text) if _WORD_TOKEN.match(token))
    return tuple(dict.fromkeys(words))


def description_has_words(description: str | None, words: str, mode: str) -> int:
    """The SQL function: does `description` contain the space-separated `words` as whole tokens?"""
    if not description:
        return 0
    from nltk.tokenize import wordpunct_tokenize  # imported by query_words already when a filter has words

    tokens = {token.lower() for token in wordpunct_tokenize(description)}
    wanted = words.split(" ")
    found = all(word in tokens for word in wanted) if mode == "all" else any(word in tokens for word in wanted)
    return int(found)


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Make the functions `to_sql` may reference available on `conn` (cheap; safe to call repeatedly)."""
    conn.create_function(_HAS_WORDS_FUNCTION, 3, description_has_words, deterministic=True)


def _description_words_sql(words: tuple[str, ...], mode: WordMode) -> tuple[str, list[Any]]:
    # A whole word always contains itself as a substring, so LIKE can only reject true non-matches; it is
    # case-insensitive for ASCII only, so words with other letters skip the pre-filter.
    ascii_words = [word for word in words if word.isascii()]
    like_terms = [f"%{escape_like(word)}%" for word in ascii_words]
    like_sql = ["followers.description LIKE ? ESCAPE '\\'"] * len(like_terms)
    exact = f"{_HAS_WORDS_FUNCTION}(followers.description, ?, ?)"
    exact_params = [" ".join(words), mode]
    if mode == "all":
        prefilter, prefilter_params = like_sql, like_terms
    elif len(ascii_words) == len(words):
        prefilter, prefilter_params = [f"({' OR '.join(like_sql)})"], like_terms
    else:
        prefilter, prefilter_params = [], []
    # SQLite evaluates AND terms left to right and stops at the first false, so the Python call is rare.
    return f"({' AND '.join([*prefilter, exact])})", [*prefilter_params, *exact_params]


def _dm_exists(condition: str) -> str:
    # "+" keeps mode/state out of index matching so the per-follower lookup uses dm_log's unique
    # (owner_id, recipient_id, ...) key; see followers_repo.DM_STATUS_SQL.
    return (
        "EXISTS (SELECT 1 FROM dm_log AS d WHERE d.owner_id = followers.owner_id "
        f"AND d.recipient_id = followers.user_id AND +d.mode = 'live' AND {condition})"
    )


_DM_STATUS_SQL: dict[str, str] = {
    "messaged": _dm_exists("+d.step = 'first' AND +d.state = 'sent'"),
    "skipped": _dm_exists("+d.state = 'skipped'"),
    "not_messaged": "NOT " + _dm_exists("+d.state IN ('sent', 'skipped')"),
}


def escape_like(text: str) -> str:
    """Make `text` literal inside a LIKE pattern that declares ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_range(what: str, low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise InvalidFilter(
            f"Minimum {what} ({low:,}) is greater than maximum {what} ({high:,}): "
            f"lower the minimum or raise the maximum."
        )
