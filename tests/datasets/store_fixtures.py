"""A small way to store tweets in a test database, as downloads would have stored them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from twexport_qt.store import tweets_repo
from twexport_qt.tweets.records import TweetRecord

ALICE_ID = 1001
BOB_ID = 2002
OTHER_ID = 3003
BASE_TIME = 1_700_000_000


@dataclass
class TweetStore:
    """Stores tweets one by one with rising ids and times, like a timeline fetch would have stored them."""

    conn: sqlite3.Connection
    next_id: int = 10_000
    tweets: list[TweetRecord] = field(default_factory=list)

    def add(self, text: str, *, author: str = "alice", author_id: int | None = ALICE_ID,
            reply_to: TweetRecord | None = None, conversation: int | None = None, retweet: bool = False,
            quote: int | None = None, known_conversation: bool = True) -> TweetRecord:
        self.next_id += 1
        if conversation is None and known_conversation:
            conversation = reply_to.conversation_id if reply_to is not None else self.next_id
        record = TweetRecord(
            id=self.next_id, author_id=author_id, author_username=author, created_at=BASE_TIME + self.next_id,
            text=text, conversation_id=conversation,
            in_reply_to_tweet_id=reply_to.id if reply_to is not None else None,
            in_reply_to_user_id=reply_to.author_id if reply_to is not None else None,
            quoted_tweet_id=quote, is_retweet=retweet)
        with self.conn:
            tweets_repo.upsert_tweets(self.conn, [record], source="timeline", fetched_at=BASE_TIME, simulated=False)
        self.tweets.append(record)
        return record
