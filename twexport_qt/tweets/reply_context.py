"""The tweets a reply belongs under: for the "reply" dataset format the thread's first tweet (PARENT) and the
tweet replied to (IN_REPLY_TO); for chat examples the chain of ancestors up to a chosen depth (`ancestors`).

Reads are billed per tweet, so the order of preference is: what the page brought for free (`includes.tweets`,
or the archive itself), then the `tweets` table (anything seen before, by any job), and only then X, with
`GET /2/tweets` in batches of up to 100 ids for all the page's replies at once. Fetched tweets are cached in
the `tweets` table straight away. Tweets X will not show (deleted, protected) are remembered for the run and
their replies are written as ORIGINAL (see dataset_format).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from twexport_qt.core.clock import Clock
from twexport_qt.gateway.pacing import ENDPOINT_TWEETS, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.store import tweets_repo
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.tweet_mapping import tweet_from_api, usernames_by_id

log = logging.getLogger(__name__)

LOOKUP_BATCH = 100  # X's maximum ids per GET /2/tweets
LOOKUP_SOURCE = "lookup"
# Archive tweets carry no conversation id, so a thread is walked up hop by hop; X's answers do carry it,
# so one round finds the parents and a second at most finds roots still missing.
_MAX_ROUNDS = 3


@dataclass(frozen=True)
class ReplyParents:
    root: TweetRecord | None  # the thread's first tweet; None when unknown or gone
    in_reply_to: TweetRecord | None  # None when gone: the reply is then written as ORIGINAL


class ReplyContextResolver:
    """One per download run. `gateway`/`pacer` may be None (an archive without credentials): then only the
    page's own parents and the database are used."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock, gateway: XGateway | None = None,
                 pacer: Pacer | None = None, *, simulated: bool = False) -> None:
        self._conn = conn
        self._simulated = simulated  # the world the parents it looks up are stored as (the download's)
        self._clock = clock
        self._gateway = gateway if pacer is not None else None
        self._pacer = pacer
        self._unavailable: set[int] = set()
        self.lookup_requests = 0
        self.looked_up = 0

    def resolve(self, replies: Sequence[TweetRecord], known: dict[int, TweetRecord],
                unavailable: Iterable[int] = ()) -> dict[int, ReplyParents]:
        """Parents of each of `replies`, by reply id. `known` holds the page's tweets and included parents."""
        known = dict(known)
        self._unavailable.update(unavailable)
        replies = [reply for reply in replies if reply.in_reply_to_tweet_id is not None]
        for _ in range(_MAX_ROUNDS):
            wanted = {tweet_id for reply in replies for tweet_id in self._missing_for(reply, known)}
            if not wanted:
                break
            if not self._look_up(wanted, known):
                break
        return {reply.id: self._parents_of(reply, known) for reply in replies}

    def ancestors(self, replies: Sequence[TweetRecord], known: dict[int, TweetRecord],
                  unavailable: Iterable[int] = (), *, depth: int = 1) -> dict[int, list[TweetRecord]]:
        """Up to `depth` ancestors of each of `replies`, nearest first (the parent, its parent, ...), by reply id,
        for chat examples with several turns. The chain stops at the thread's first tweet or at a tweet X will
        not show. Missing ancestors are read from the table first, then looked up on X hop by hop (one hop per
        round, every reply's next hop in the same batches of 100), and never a tweet already stored."""
        known = dict(known)
        self._unavailable.update(unavailable)
        replies = [reply for reply in replies if reply.in_reply_to_tweet_id is not None]
        for _ in range(max(1, depth)):
            wanted = {tweet_id for reply in replies
                      if (tweet_id := self._next_missing_ancestor(reply, known, depth)) is not None}
            if not wanted:
                break
            self._look_up(wanted, known)  # without X, the next round walks past what the table had
        return {reply.id: self._chain(reply, known, depth) for reply in replies}

    def _look_up(self, wanted: set[int], known: dict[int, TweetRecord]) -> bool:
        """Add the `wanted` tweets to `known`: from the table first, then from X in batches. False when some
        were in neither because there is no X to ask: those are taken as gone."""
        known.update(tweets_repo.get_tweets(self._conn, wanted))
        still_missing = sorted(wanted - known.keys())
        if not still_missing:
            return True
        if self._gateway is None:
            self._unavailable.update(still_missing)  # nobody to ask: treat as gone
            return False
        known.update(self._fetch(still_missing))
        return True

    def _next_missing_ancestor(self, reply: TweetRecord, known: dict[int, TweetRecord], depth: int) -> int | None:
        """The first ancestor within `depth` hops that is neither known nor gone (None: the chain is complete)."""
        tweet = reply
        for _ in range(max(1, depth)):
            parent_id = tweet.in_reply_to_tweet_id
            if parent_id is None or parent_id in self._unavailable:
                return None
            if parent_id not in known:
                return parent_id
            tweet = known[parent_id]
        return None

    @staticmethod
    def _chain(reply: TweetRecord, known: dict[int, TweetRecord], depth: int) -> list[TweetRecord]:
        chain: list[TweetRecord] = []
        parent_id = reply.in_reply_to_tweet_id
        while len(chain) < max(1, depth) and parent_id is not None and parent_id in known:
            chain.append(known[parent_id])
            parent_id = chain[-1].in_reply_to_tweet_id
        return chain

    # ----- the walk up a thread -------------------------------------------------------------------------

    def _missing_for(self, reply: TweetRecord, known: dict[int, TweetRecord]) -> list[int]:
        """Ids still needed to place `reply`: its parent and its thread's root, as far as they are known."""
        missing = []
        parent_id = reply.in_reply_to_tweet_id
        if parent_id is not None and parent_id not in known and parent_id not in self._unavailable:
            missing.append(parent_id)
        root_id, hop = self._root_or_next_hop(reply, known)
        for tweet_id in (root_id, hop):
            if tweet_id is not None and tweet_id not in known and tweet_id not in self._unavailable:
                missing.append(tweet_id)
        return missing

    def _root_or_next_hop(self, reply: TweetRecord, known: dict[int, TweetRecord]) -> tuple[int | None, int | None]:
        """(root id, None) when the root's id is known; (None, id of the next unknown ancestor) otherwise."""
        tweet = reply
        for _ in range(10_000):  # a thread is a chain to its first tweet; the bound only guards bad data
            if tweet.conversation_id is not None:
                return tweet.conversation_id, None
            parent_id = tweet.in_reply_to_tweet_id
            if parent_id is None:
                return tweet.id, None
            if parent_id not in known:
                return None, parent_id
            tweet = known[parent_id]
        return None, None

    def _parents_of(self, reply: TweetRecord, known: dict[int, TweetRecord]) -> ReplyParents:
        parent_id = reply.in_reply_to_tweet_id
        in_reply_to = known.get(parent_id) if parent_id is not None else None
        if in_reply_to is None:
            return ReplyParents(None, None)
        root_id, _ = self._root_or_next_hop(reply, known)
        root = known.get(root_id) if root_id is not None and root_id != reply.id else None
        return ReplyParents(root, in_reply_to)

    # ----- X -------------------------------------------------------------------------------------------

    def _fetch(self, ids: list[int]) -> dict[int, TweetRecord]:
        """Look `ids` up on X, LOOKUP_BATCH per request, and cache what comes back."""
        assert self._gateway is not None and self._pacer is not None
        gateway = self._gateway
        fetched: dict[int, TweetRecord] = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start:start + LOOKUP_BATCH]
            page = self._pacer.call(ENDPOINT_TWEETS, partial(_tweets_page, gateway, batch))
            self.lookup_requests += 1
            names = usernames_by_id(page.includes.get("users", ()))
            records = [tweet_from_api(raw, names) for raw in page.data]
            with self._conn:  # billed reads: keep them even if the page they serve never commits
                tweets_repo.upsert_tweets(self._conn, records, source=LOOKUP_SOURCE, fetched_at=int(self._clock.now()),
                                          simulated=self._simulated)
            fetched.update((record.id, record) for record in records)
            # Errors name the deleted/protected ones; anything neither returned nor named is gone as well.
            self._unavailable.update(tweet_id for tweet_id in batch if tweet_id not in fetched)
        self.looked_up += len(fetched)
        log.debug("Looked up %d of %d reply parents on X", len(fetched), len(ids))
        return fetched


def _tweets_page(gateway: XGateway, ids: list[int]) -> Page:
    return gateway.tweets_by_ids(ids).require_answer_about(ids, "a look-up of replied-to tweets")
