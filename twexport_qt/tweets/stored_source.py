"""Re-use what was paid for: a dataset built from the tweets earlier downloads stored, making no request to X.

Every downloaded tweet stays in the `tweets` table, so a dataset with other options (format, sentiment, filters)
needs X no more: this source serves the chosen accounts' stored tweets newest first, as the timeline does, with
the timeframe and the replies option applied in the query (as X applies them to its requests), and the download
engine cleans, labels, formats and writes them like any page. An account's tweets are all those it authored,
however they were stored (timeline, search, archive, or as the parent of a reply), retweets left out; the
account is found by its username and read by its id, so tweets stored under an older spelling count too.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from twexport_qt.billing.estimates import CostEstimate, EstimateKind
from twexport_qt.core.usernames import username_key
from twexport_qt.store import tweets_repo
from twexport_qt.store.tweets_repo import AuthorTweets, TweetPosition
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import AccountProblem, SourceAccount, SourceKind, SourcePage

STORED_PAGE_SIZE = 500  # tweets per committed page: as many as the largest page X serves
NOTHING_STORED = ("no tweets of this account are stored yet: download them from X once (timeline or search), "
                  "then build other datasets from them for free")


@dataclass(frozen=True)
class StoredTweets:
    """What the store holds for a rebuild: each account's stored tweets, and the accounts it has none of."""

    counts: dict[str, int]  # by the name as asked for, accounts with tweets stored only
    missing: tuple[str, ...]  # asked for, nothing stored

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def stored_tweets(conn: sqlite3.Connection, names: Sequence[str], *, simulated: bool) -> StoredTweets:
    """How many tweets of each of `names` are stored (any options) in one world (`simulated`: the Sandbox's,
    else real X's): what a rebuild on a profile of that world can draw from."""
    authors = tweets_repo.stored_authors(conn, [username_key(name) for name in names], simulated=simulated)
    counts = {name: authors[username_key(name)].tweets for name in names if username_key(name) in authors}
    return StoredTweets(counts, tuple(name for name in names if name not in counts))


def rebuild_estimate(stored: StoredTweets) -> CostEstimate:
    """What a rebuild costs, said where a download's price is said: nothing, and what it draws from."""
    tweets = f"{stored.total:,} stored tweet{'' if stored.total == 1 else 's'}"
    whose = "this account" if len(stored.counts) == 1 else "these accounts"
    sentence = f"free — built from tweets already downloaded, no request ({tweets} of {whose})."
    return CostEstimate(EstimateKind.TWEET_DOWNLOAD, stored.total, "posts", Decimal(0), Decimal(0), sentence)


def _position(cursor: str | None) -> TweetPosition | None:
    """The cursor is "created_at:id" of the last tweet served: stable however many tweets are stored meanwhile."""
    if not cursor:
        return None
    created_at, tweet_id = cursor.split(":")
    return TweetPosition(int(created_at), int(tweet_id))


class StoredSource:
    """The chosen accounts' stored tweets, newest first, `page_size` per page. It reads no parents: the reply
    context resolver finds them in the same table, and the download gives it no gateway, so nothing is fetched."""

    kind = SourceKind.STORED
    stored_as: str | None = None  # the tweets are already in the table: storing them again would rewrite it

    def __init__(self, conn: sqlite3.Connection, options: DatasetOptions, *, simulated: bool,
                 page_size: int = STORED_PAGE_SIZE) -> None:
        self._conn = conn
        self._options = options
        self._simulated = simulated  # the world read: the Sandbox's tweets, or real X's
        self._page_size = page_size

    def resolve(self, names: Sequence[str]) -> tuple[list[SourceAccount], list[AccountProblem]]:
        authors = tweets_repo.stored_authors(self._conn, [username_key(name) for name in names],
                                             simulated=self._simulated)
        accounts, problems = [], []
        for name in names:
            author = authors.get(username_key(name))
            if author is None:
                problems.append(AccountProblem(name, NOTHING_STORED))
            else:
                accounts.append(SourceAccount(author.username, author.user_id))
        return accounts, problems

    def _query(self, account: SourceAccount) -> AuthorTweets:
        options = self._options
        # Whole seconds that hold the timeframe (`should_keep` then applies it exactly, as for any source).
        return AuthorTweets(account.user_id, account.username,
                            start=math.floor(options.start.timestamp()) if options.start else None,
                            end=math.ceil(options.end.timestamp()) if options.end else None,
                            include_replies=options.include_replies, simulated=self._simulated)

    def count(self, account: SourceAccount) -> int:
        """How many of the account's stored tweets the query selects (a build reads them itself)."""
        return tweets_repo.count_author_tweets(self._conn, self._query(account))

    def fetch_page(self, account: SourceAccount, cursor: str | None) -> SourcePage:
        query = self._query(account)
        # One tweet more than a page, to know whether another page follows without an empty last read.
        tweets = tweets_repo.author_tweets_page(self._conn, query, _position(cursor), self._page_size + 1)
        more = len(tweets) > self._page_size
        tweets = tweets[:self._page_size]
        next_cursor = f"{tweets[-1].created_at}:{tweets[-1].id}" if more else None
        return SourcePage(tweets, next_cursor=next_cursor)
