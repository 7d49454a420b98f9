"""Where a tweet download reads from: an account's timeline, full-archive search, or an X data archive.

Each source resolves the requested accounts and then serves pages of `TweetRecord`s, resumable by an opaque
cursor string, together with the parent tweets X included for free (expansion `referenced_tweets.id`) and the
referenced tweets X said it cannot show (deleted, protected). Retweets are never requested: their text is
someone else's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from twexport_qt.core import errors
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.usernames import username_key
from twexport_qt.gateway.pacing import ENDPOINT_SEARCH_ALL, ENDPOINT_USER_TWEETS, ENDPOINT_USERS_BY, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.tweets.archive import XArchive, open_archive
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.tweet_mapping import tweet_from_api, usernames_by_id

log = logging.getLogger(__name__)



class SourceKind(StrEnum):
    """Where a download reads; the value is also what `tweets.source` stores for the tweets it read (STORED reads
    them from that table and stores nothing)."""

    TIMELINE = "timeline"
    SEARCH = "search"
    ARCHIVE = "archive"
    STORED = "stored"


SOURCE_KINDS: tuple[SourceKind, ...] = tuple(SourceKind)
# The sources that read X or an archive; `--from-store` (not `--source`) picks the stored tweets.
READING_SOURCE_KINDS: tuple[SourceKind, ...] = tuple(kind for kind in SourceKind if kind is not SourceKind.STORED)

# What each source can reach, for the download wizard and `--help` (XAPI_FACTS §4.3).
SOURCE_TITLES: dict[SourceKind, str] = {
    SourceKind.TIMELINE: "Account timeline",
    SourceKind.SEARCH: "Full-archive search",
    SourceKind.ARCHIVE: "X data archive",
    SourceKind.STORED: "Tweets already downloaded (free, no request)",
}
SOURCE_REACH: dict[SourceKind, str] = {
    SourceKind.TIMELINE: (
        "Reads each account's timeline, up to 100 tweets per request (no more than a limit still needs). X only "
        "serves the 3,200 most recent tweets of an account, and only the 800 most recent when replies are left "
        "out; dates before 6 Nov 2010 are out of reach. Works with any credentials."
    ),
    SourceKind.SEARCH: (
        "Searches everything an account ever posted, back to March 2006, up to 500 tweets per request at one "
        "request per second. Needs a Bearer token with full-archive search access (pay-per-use or Enterprise). "
        "Protected accounts are not searchable."
    ),
    SourceKind.ARCHIVE: (
        "Reads the .zip X sends you from \"Download an archive of your data\": all your own tweets, no API "
        "needed. For the reply format, tweets you replied to that are not in the archive are looked up on X "
        "only if this profile has credentials."
    ),
    SourceKind.STORED: (
        "Builds the dataset again from these accounts' tweets that earlier downloads stored, with any options: "
        "no request to X, nothing billed, no credentials needed. It holds only what was downloaded before; "
        "replies get the parents stored with them."
    ),
}

TIMELINE_PAGE_SIZE = 100  # the API maximum
TIMELINE_MIN_PAGE_SIZE = 5  # the API minimum (XAPI_FACTS §4.3; the sandbox refuses less, as X does)
SEARCH_PAGE_SIZE = 500  # the API maximum
SEARCH_MIN_PAGE_SIZE = 10  # the API minimum
ARCHIVE_PAGE_SIZE = 500  # one committed page of archive tweets
USERNAMES_PER_LOOKUP = 100
TIMELINE_MIN_START = datetime(2010, 11, 6, tzinfo=UTC)  # X rejects an earlier start_time
# Without start_time full-archive search only looks back 30 days; this asks for everything it indexes.
SEARCH_MIN_START = datetime(2006, 3, 26, tzinfo=UTC)


class AccountUnavailable(TwExportError):
    """X will not show this account's tweets (suspended, protected, gone): skip it, go on with the others."""

    default_message = "X does not show this account's tweets."


@dataclass(frozen=True)
class SourceAccount:
    username: str
    user_id: int | None

    @property
    def known_id(self) -> int:
        """The account's id: API sources resolve every account before reading it (an archive's have none)."""
        if self.user_id is None:
            raise ValueError(f"@{self.username} was read before it was resolved to an account id.")
        return self.user_id


@dataclass(frozen=True)
class AccountProblem:
    username: str
    reason: str  # a sentence for the user


@dataclass
class SourcePage:
    tweets: list[TweetRecord]
    parents: dict[int, TweetRecord] = field(default_factory=dict)  # referenced tweets X included
    unavailable: set[int] = field(default_factory=set)  # referenced tweets X reported as deleted/hidden
    next_cursor: str | None = None


class TweetSource(Protocol):
    kind: SourceKind

    @property
    def stored_as(self) -> str | None:
        """The `tweets.source` value of its tweets; None: they come from that table, nothing to store."""

    def resolve(self, names: Sequence[str]) -> tuple[list[SourceAccount], list[AccountProblem]]:
        """The accounts to read, in order, and the ones that cannot be read (with why)."""

    def fetch_page(self, account: SourceAccount, cursor: str | None) -> SourcePage:
        """One page of `account`'s tweets from `cursor` (None: the newest)."""


# ----- X API sources --------------------------------------------------------------------------------------

def _user_problem_reason(error: dict[str, Any]) -> str:
    detail = str(error.get("detail", ""))
    if "suspended" in detail.lower():
        return "the account is suspended"
    if "not authorized" in detail.lower():
        return "the account is protected (its tweets are private)"
    if "could not find" in detail.lower():
        return "no such account on X"
    return detail or "X does not show this account"


def _users_page(gateway: XGateway, names: list[str]) -> Page:
    return gateway.users_by_usernames(names).require_answer_about(names, "a look-up of usernames")


def resolve_usernames(gateway: XGateway, pacer: Pacer,
                      names: Sequence[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Look names up with one request per 100: ({username_key: user}, {username_key: reason})."""
    found: dict[str, dict[str, Any]] = {}
    problems: dict[str, str] = {}
    for start in range(0, len(names), USERNAMES_PER_LOOKUP):
        batch = list(names[start:start + USERNAMES_PER_LOOKUP])
        page = pacer.call(ENDPOINT_USERS_BY, partial(_users_page, gateway, batch))
        for user in page.data:
            found[username_key(str(user["username"]))] = user
        requested = {username_key(name) for name in batch}
        leftovers = []
        for error in page.errors:
            value = username_key(str(error.get("value", "")))
            if value in requested:
                problems[value] = _user_problem_reason(error)
            else:
                leftovers.append(error)  # e.g. a suspended account is reported by id, not by name
        unexplained = [key for key in map(username_key, batch) if key not in found and key not in problems]
        if len(unexplained) == 1 and len(leftovers) == 1:
            problems[unexplained[0]] = _user_problem_reason(leftovers[0])
    for key in map(username_key, names):
        if key not in found:
            problems.setdefault(key, "X does not know this account, or it is suspended")
    return found, problems


def _checked(page: Page, account: SourceAccount, *, first_page: bool) -> Page:
    """The page, or why it cannot be used: AccountUnavailable (skip the account) or PartialAnswer (retry).

    X answers a suspended or protected account's first page with only an error about that user. Any other
    answer with only errors, or one about the user after pages were already served, is not an end of the
    timeline: it is retried and then stops the job, resumable, so no tweet is silently left out.
    """
    if page.data or not page.errors:
        return page
    about_account = [e for e in page.errors if e.get("resource_type") == "user"]
    if first_page and about_account:
        raise AccountUnavailable(_user_problem_reason(about_account[0]))
    return page.require_data(f"a page of @{account.username}'s tweets")


def _page_from_api(page: Page, account: SourceAccount) -> SourcePage:
    """Map an API page; errors about referenced tweets (deleted, protected parents) are noted per tweet."""
    names = usernames_by_id(page.includes.get("users", ()))
    tweets = [tweet_from_api(raw, names, account.username) for raw in page.data]
    parents = {int(raw["id"]): tweet_from_api(raw, names) for raw in page.includes.get("tweets", ())}
    unavailable = {int(e["resource_id"] if "resource_id" in e else e["value"])
                   for e in page.errors if e.get("resource_type") == "tweet"}
    return SourcePage(tweets, parents, unavailable, page.next_token)


def _iso_or_none(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def page_size(wanted: int | None, smallest: int, largest: int) -> int:
    """The `max_results` to ask for when `wanted` more posts are needed (None: as many as there are).

    X bills every post a page returns, so a page never asks for more than still needed; X's range for the
    endpoint bounds it (a need below its minimum still reads that minimum)."""
    if wanted is None:
        return largest
    return max(smallest, min(largest, wanted))


def read_page(source: TweetSource, account: SourceAccount, cursor: str | None, *, wanted: int | None) -> SourcePage:
    """One page of `account`'s tweets from `cursor`, asking X for no more than `wanted` posts where the source
    reads X (`page_size`); a source that bills nothing reads its own pages."""
    if isinstance(source, _ApiSource):
        return source.fetch_page(account, cursor, wanted=wanted)
    return source.fetch_page(account, cursor)


class _ApiSource:
    def __init__(self, gateway: XGateway, pacer: Pacer, options: DatasetOptions) -> None:
        self._gateway, self._pacer, self._options = gateway, pacer, options

    def resolve(self, names: Sequence[str]) -> tuple[list[SourceAccount], list[AccountProblem]]:
        found, reasons = resolve_usernames(self._gateway, self._pacer, names)
        accounts, problems = [], []
        for name in names:
            key = username_key(name)
            user = found.get(key)
            if user is None:
                problems.append(AccountProblem(name, reasons.get(key) or "X did not return this account."))
            elif refusal := self._refusal(user):
                problems.append(AccountProblem(name, refusal))
            else:
                accounts.append(SourceAccount(str(user["username"]), int(user["id"])))
        return accounts, problems

    def _refusal(self, user: dict[str, Any]) -> str | None:
        """Why this source cannot read a resolvable account, or None."""
        return None

    def fetch_page(self, account: SourceAccount, cursor: str | None, wanted: int | None = None) -> SourcePage:
        """One page of `account`'s tweets from `cursor` (None: the newest), of at most about `wanted` posts
        (None: a full page)."""
        raise NotImplementedError


_UPDATE_PREFIX = "since:"


@dataclass(frozen=True)
class TimelineCursor:
    """Where a timeline read stands: X's pagination token and, for an update, the newest tweet already had.

    An update reads only tweets newer than `since_id`; the id must stay fixed while the update pages through
    (the first page stores tweets newer than it), so it travels inside the stored cursor: "since:<id>[:<token>]".
    """

    since_id: int | None = None
    token: str | None = None

    @classmethod
    def parse(cls, cursor: str | None) -> TimelineCursor:
        if not cursor or not cursor.startswith(_UPDATE_PREFIX):
            return cls(None, cursor or None)
        since, _, token = cursor[len(_UPDATE_PREFIX):].partition(":")
        return cls(int(since), token or None)

    def text(self) -> str | None:
        if self.since_id is None:
            return self.token
        return f"{_UPDATE_PREFIX}{self.since_id}" + (f":{self.token}" if self.token else "")


def update_cursor(since_id: int) -> str:
    """The stored cursor that makes a timeline account read only tweets newer than `since_id`."""
    return f"{_UPDATE_PREFIX}{since_id}"


def is_update_cursor(cursor: str | None) -> bool:
    return TimelineCursor.parse(cursor).since_id is not None


def restart_cursor(cursor: str | None) -> str | None:
    """The cursor to start an account over with when X refuses a stored token: from the newest tweet, keeping an
    update's `since_id` (starting an update over must not read the whole timeline)."""
    return TimelineCursor(TimelineCursor.parse(cursor).since_id).text()


class TimelineSource(_ApiSource):
    kind = SourceKind.TIMELINE
    stored_as: str = SourceKind.TIMELINE

    def fetch_page(self, account: SourceAccount, cursor: str | None, wanted: int | None = None) -> SourcePage:
        options = self._options
        position = TimelineCursor.parse(cursor)
        start = max(options.start, TIMELINE_MIN_START) if options.start else None
        end = options.end
        if end is not None and end <= TIMELINE_MIN_START:
            return SourcePage([])  # the whole timeframe is older than X's timeline reaches
        # X's 800-tweet cap with exclude=replies is the price of not paying for replies we would drop.
        exclude = ["retweets"] if options.include_replies else ["retweets", "replies"]
        page = self._pacer.call(ENDPOINT_USER_TWEETS, lambda: _checked(self._gateway.user_tweets_page(
            account.known_id, pagination_token=position.token, start_time=_iso_or_none(start),
            end_time=_iso_or_none(end), exclude=exclude,
            max_results=page_size(wanted, TIMELINE_MIN_PAGE_SIZE, TIMELINE_PAGE_SIZE),
            since_id=position.since_id), account, first_page=position.token is None))
        mapped = _page_from_api(page, account)
        mapped.next_cursor = TimelineCursor(position.since_id, page.next_token).text() if page.next_token else None
        return mapped


class SearchSource(_ApiSource):
    kind = SourceKind.SEARCH
    stored_as: str = SourceKind.SEARCH

    def __init__(self, gateway: XGateway, pacer: Pacer, options: DatasetOptions) -> None:
        if not gateway.has_bearer:
            raise errors.AuthError("Full-archive search needs a Bearer token (app-only auth) with search access: "
                                   "add it in Settings, or download from account timelines instead.")
        super().__init__(gateway, pacer, options)

    def _refusal(self, user: dict[str, Any]) -> str | None:
        return "the account is protected, and search never shows protected tweets" if user.get("protected") else None

    def query_for(self, username: str) -> str:
        query = f"from:{username} -is:retweet"
        return query if self._options.include_replies else f"{query} -is:reply"

    def fetch_page(self, account: SourceAccount, cursor: str | None, wanted: int | None = None) -> SourcePage:
        options = self._options
        start = max(options.start, SEARCH_MIN_START) if options.start else SEARCH_MIN_START
        query = self.query_for(account.username)
        # Search's 1 request/s is in no header: the pacer spaces these calls by X's per-second rules
        # (gateway/request_spacing.py) and its 300/15 min by the headers, so nothing sleeps here.
        page = self._pacer.call(ENDPOINT_SEARCH_ALL, lambda: _checked(self._gateway.search_all_page(
            query, next_token=cursor, start_time=start, end_time=_iso_or_none(options.end),
            max_results=page_size(wanted, SEARCH_MIN_PAGE_SIZE, SEARCH_PAGE_SIZE)), account,
            first_page=cursor is None))
        return _page_from_api(page, account)


# ----- X data archive -------------------------------------------------------------------------------------

class ArchiveSource:
    """The archive owner's tweets, in the archive's order, `ARCHIVE_PAGE_SIZE` per page; the cursor is the
    position of the next tweet. Parents found inside the archive come with each page; the rest are looked up
    by the reply-context resolver, if the profile has credentials."""

    kind = SourceKind.ARCHIVE
    stored_as: str = SourceKind.ARCHIVE

    def __init__(self, path: str | Path, page_size: int = ARCHIVE_PAGE_SIZE) -> None:
        self._archive: XArchive = open_archive(path)
        self._path = Path(path)
        self._page_size = page_size
        self._stream: Iterator[TweetRecord] | None = None
        self._lookahead: list[TweetRecord] = []
        self._position = 0
        self._by_id: dict[int, TweetRecord] | None = None

    def resolve(self, names: Sequence[str]) -> tuple[list[SourceAccount], list[AccountProblem]]:
        owner = self._archive.account
        if owner is None:
            return [SourceAccount(self._path.stem, None)], []
        return [SourceAccount(owner.username, owner.account_id)], []

    def fetch_page(self, account: SourceAccount, cursor: str | None) -> SourcePage:
        position = int(cursor or 0)
        if self._stream is None or position != self._position:
            # Resuming: read the archive again up to where the job stopped (no network, nothing billed).
            self._stream = self._archive.iter_tweets()
            self._lookahead = []
            self._position = sum(1 for _ in islice(self._stream, position))
        # One tweet more than a page, to know whether another page follows; it is kept for the next call.
        tweets = self._lookahead + list(islice(self._stream, self._page_size + 1 - len(self._lookahead)))
        self._lookahead = tweets[self._page_size:]
        tweets = tweets[:self._page_size]
        self._position += len(tweets)
        return SourcePage(tweets, self._parents_in_archive(tweets), set(),
                          str(self._position) if self._lookahead else None)

    def _parents_in_archive(self, tweets: list[TweetRecord]) -> dict[int, TweetRecord]:
        """Every ancestor of the page's replies that the archive holds (the owner's own threads)."""
        if not any(t.is_reply for t in tweets):
            return {}
        if self._by_id is None:
            self._by_id = {tweet.id: tweet for tweet in self._archive.iter_tweets()}
        found: dict[int, TweetRecord] = {}
        for tweet in tweets:
            parent_id = tweet.in_reply_to_tweet_id
            while parent_id is not None and parent_id not in found and parent_id in self._by_id:
                parent = self._by_id[parent_id]
                found[parent_id] = parent
                parent_id = parent.in_reply_to_tweet_id
        return found


def open_source(kind: SourceKind | str, *, options: DatasetOptions, gateway: XGateway | None, pacer: Pacer | None,
                archive_path: str | Path | None = None) -> TweetSource:
    """The source for a download. API sources need a gateway and pacer; the archive needs neither."""
    if kind == SourceKind.ARCHIVE:
        if archive_path is None:
            raise errors.ConfigError("Choose the X archive (.zip or extracted folder) to read tweets from.")
        return ArchiveSource(archive_path)
    if kind not in READING_SOURCE_KINDS:
        raise errors.ConfigError(f"Unknown tweet source {kind!r}: choose timeline, search or archive.")
    if gateway is None or pacer is None:
        raise errors.ConfigError("Downloading from X needs credentials: add them in Settings, or read an X archive.")
    if kind == SourceKind.TIMELINE:
        return TimelineSource(gateway, pacer, options)
    return SearchSource(gateway, pacer, options)
