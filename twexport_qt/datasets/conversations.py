"""Turn a tweet and the tweets above it into chat turns, and name the conversation it belongs to.

A reply's true parent (the tweet it answers, not the thread's first tweet) is the user turn and the reply
the assistant turn. With `thread_depth` > 1 the tweets above the parent become earlier turns: the account's
own tweets are assistant turns, everyone else's user turns, and neighbouring turns of one role are joined
(a blank line between), so roles alternate. The direct parent is a user turn even when the account wrote it
(a thread the account continues: what came before is the prompt, the next tweet the answer), and a
conversation starts with a user turn (assistant turns above the first user turn are left out). A tweet that
answers nothing stored (an original, or a reply whose parent was never stored or cleans to nothing) gets
ORIGINAL_POST_PROMPT as its user turn.

Everything comes from the store: tweets above a reply that were never stored end the walk (no request).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from twexport_qt.store import tweets_repo
from twexport_qt.tweets.records import TweetRecord

ORIGINAL_POST_PROMPT = "Write a post."
# Rounds of look-ups up a thread for tweets without a conversation id (archives): each round fetches the next
# tweet up of every such reply at once.
MAX_LOOKUP_ROUNDS = 10
_MAX_HOPS = 10_000  # a thread is a chain to its first tweet; the bound only guards against bad data


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


class ThreadIndex:
    """The stored tweets a set of tweets hangs from, read from the store in batches (never from X)."""

    def __init__(self, conn: sqlite3.Connection, known: dict[int, TweetRecord]) -> None:
        self._conn = conn
        self._known = known  # shared, not copied: the builder's own tweets by id

    def load(self, records: Iterable[TweetRecord], depth: int) -> None:
        """Read the stored tweets up to `depth` levels above each of `records`, plus enough of the chain of those
        without a conversation id to find their first tweet (up to MAX_LOOKUP_ROUNDS levels)."""
        frontier = [record for record in records if record.in_reply_to_tweet_id is not None]
        for level in range(max(depth, MAX_LOOKUP_ROUNDS)):
            if level >= depth:  # beyond the depth only threads of unknown root are walked on
                frontier = [record for record in frontier if record.conversation_id is None]
            wanted = {record.in_reply_to_tweet_id for record in frontier} - self._known.keys()
            wanted.discard(None)
            if wanted:
                self._known.update(tweets_repo.get_tweets(self._conn, [i for i in wanted if i is not None]))
            frontier = [parent for record in frontier
                        if (parent := self._known.get(record.in_reply_to_tweet_id or 0)) is not None
                        and parent.in_reply_to_tweet_id is not None]
            if not frontier:
                return

    def ancestors(self, record: TweetRecord, depth: int) -> list[TweetRecord]:
        """Up to `depth` stored tweets above `record`, nearest first; the walk ends at the first missing one."""
        found: list[TweetRecord] = []
        tweet = record
        while len(found) < depth and tweet.in_reply_to_tweet_id is not None:
            parent = self._known.get(tweet.in_reply_to_tweet_id)
            if parent is None:
                break
            found.append(parent)
            tweet = parent
        return found

    def conversation_id(self, record: TweetRecord) -> int:
        """Id of the first tweet of `record`'s thread: X's conversation id, else the top of the stored chain
        (the id of the missing tweet where the chain breaks, so every tweet under it agrees)."""
        tweet = record
        for _ in range(_MAX_HOPS):
            if tweet.conversation_id is not None:
                return tweet.conversation_id
            parent_id = tweet.in_reply_to_tweet_id
            if parent_id is None:
                return tweet.id
            parent = self._known.get(parent_id)
            if parent is None:
                return parent_id
            tweet = parent
        return tweet.id


def is_same_author(tweet: TweetRecord, account: TweetRecord) -> bool:
    """Whether `tweet` was written by the author of `account` (by id, by username when an id is missing)."""
    if tweet.author_id is not None and account.author_id is not None:
        return tweet.author_id == account.author_id
    return tweet.author_username.lower() == account.author_username.lower()


def chat_turns(record: TweetRecord, text: str, ancestors: list[TweetRecord],
               clean: Callable[[TweetRecord], str]) -> list[Turn]:
    """The user/assistant turns of `record` (cleaned `text`), from its `ancestors` (nearest first);
    `clean` gives an ancestor's dataset text (the same cleaning and scrubbing as the tweet's own)."""
    if not ancestors:  # most tweets: said outright, it is a sixth of a build's layout time
        return [Turn(Role.USER, ORIGINAL_POST_PROMPT), Turn(Role.ASSISTANT, text)]
    above: list[Turn] = []
    for level, ancestor in enumerate(ancestors):
        content = clean(ancestor)
        if not content:
            if level == 0:  # the parent says nothing (a photo): nothing to answer, an original after all
                break
            continue
        own = level > 0 and is_same_author(ancestor, record)
        above.append(Turn(Role.ASSISTANT if own else Role.USER, content))
    above.reverse()  # oldest first
    while above and above[0].role is Role.ASSISTANT:
        above.pop(0)
    if not above:
        above = [Turn(Role.USER, ORIGINAL_POST_PROMPT)]
    merged: list[Turn] = []
    for turn in above:
        if merged and merged[-1].role is turn.role:
            merged[-1] = Turn(turn.role, f"{merged[-1].content}\n\n{turn.content}")
        else:
            merged.append(turn)
    return [*merged, Turn(Role.ASSISTANT, text)]
