"""ReplyContextResolver with a fake gateway: batching, caching, unavailable parents, threads without ids."""

from __future__ import annotations

from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.rate_limits import RateLimitBook
from twexport_qt.gateway.x_gateway import Page
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.reply_context import ReplyContextResolver

GONE = {5_000_007, 5_000_013}


class FakeTweetsGateway:
    rate_limits = RateLimitBook()

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def tweets_by_ids(self, ids: list[int]) -> Page:
        assert 1 <= len(ids) <= 100
        self.batches.append(list(ids))
        data = [{"id": str(i), "text": f"parent {i}", "author_id": "9", "conversation_id": str(i),
                 "created_at": "2024-01-01T00:00:00.000Z"} for i in ids if i not in GONE]
        errors = [{"value": str(i), "resource_id": str(i), "resource_type": "tweet",
                   "detail": f"Could not find tweet with ids: [{i}]."} for i in ids if i in GONE]
        return Page(data=data, errors=errors, includes={"users": [{"id": "9", "username": "nine"}]})


def reply(tweet_id: int, parent: int, root: int | None) -> TweetRecord:
    return TweetRecord(tweet_id, 1, "me", 0, f"@x reply {tweet_id}", conversation_id=root,
                       in_reply_to_tweet_id=parent, in_reply_to_user_id=9)


def resolver_with(gateway):
    clock = FakeClock()
    conn = open_database(":memory:")
    return conn, ReplyContextResolver(conn, clock, gateway, Pacer(gateway.rate_limits, clock))


def test_250_missing_parents_take_3_requests_and_are_cached():
    gateway = FakeTweetsGateway()
    conn, resolver = resolver_with(gateway)
    replies = [reply(i, 5_000_000 + i, 5_000_000 + i) for i in range(250)]
    parents = resolver.resolve(replies, {})
    assert [len(b) for b in gateway.batches] == [100, 100, 50]
    assert parents[0].in_reply_to.text == "parent 5000000" and parents[0].root.id == 5_000_000
    assert parents[0].in_reply_to.author_username == "nine"
    assert parents[7].in_reply_to is None  # deleted: written as ORIGINAL
    # a second resolver (next run) finds them in the tweets table; only the gone ones are asked again
    conn2_resolver = ReplyContextResolver(conn, FakeClock(), gateway, Pacer(gateway.rate_limits, FakeClock()))
    gateway.batches.clear()
    conn2_resolver.resolve(replies, {})
    assert gateway.batches == [sorted(GONE)]


def test_included_parents_cost_nothing_and_roots_share_one_batch():
    gateway = FakeTweetsGateway()
    _, resolver = resolver_with(gateway)
    parent = TweetRecord(20, 9, "nine", 0, "the parent", conversation_id=10, in_reply_to_tweet_id=10)
    replies = [reply(30, 20, 10), reply(31, 20, 10)]
    result = resolver.resolve(replies, {20: parent})
    assert gateway.batches == [[10]]  # only the root, once for both replies
    assert result[30].in_reply_to is parent and result[30].root.id == 10


def test_archive_threads_are_walked_up_without_any_gateway():
    conn = open_database(":memory:")
    resolver = ReplyContextResolver(conn, FakeClock())
    root = TweetRecord(1, 1, "me", 0, "thread start")
    middle = TweetRecord(2, 1, "me", 0, "middle", in_reply_to_tweet_id=1)
    last = TweetRecord(3, 1, "me", 0, "end", in_reply_to_tweet_id=2)
    orphan = TweetRecord(4, 1, "me", 0, "to someone", in_reply_to_tweet_id=99)
    tweets_repo.upsert_tweets(conn, [root], source="archive", fetched_at=0, simulated=False)
    result = resolver.resolve([last, orphan], {2: middle})
    assert result[3].in_reply_to is middle and result[3].root.id == 1  # root found in the database
    assert result[4].in_reply_to is None


def test_ancestors_up_to_the_depth_hop_by_hop_never_fetching_a_stored_tweet():
    # A chain 10 <- 11 <- 12 <- 13 <- 14 (14 replies to 13, ...); 12 is stored, the rest live on "X".
    class ChainGateway(FakeTweetsGateway):
        def tweets_by_ids(self, ids: list[int]) -> Page:
            assert 1 <= len(ids) <= 100
            self.batches.append(list(ids))
            data = [{"id": str(i), "text": f"tweet {i}", "author_id": "9", "conversation_id": "10",
                     "created_at": "2024-01-01T00:00:00.000Z",
                     **({"referenced_tweets": [{"type": "replied_to", "id": str(i - 1)}]} if i > 10 else {})}
                    for i in ids]
            return Page(data=data, includes={"users": [{"id": "9", "username": "nine"}]})

    gateway = ChainGateway()
    conn, resolver = resolver_with(gateway)
    tweets_repo.upsert_tweets(conn, [TweetRecord(12, 9, "nine", 0, "stored", conversation_id=10,
                                                 in_reply_to_tweet_id=11)], source="timeline", fetched_at=0,
                              simulated=False)
    last = TweetRecord(15, 1, "me", 0, "answer", conversation_id=10, in_reply_to_tweet_id=14)
    chains = resolver.ancestors([last], {}, depth=4)
    assert [tweet.id for tweet in chains[15]] == [14, 13, 12, 11]
    assert gateway.batches == [[14], [13], [11]]  # one hop per round; 12 came from the table
    assert resolver.lookup_requests == 3
    assert set(tweets_repo.get_tweets(conn, [11, 13, 14])) == {11, 13, 14}  # billed reads are kept

    # Depth 1: the parent only, and now from the table: no request.
    gateway.batches.clear()
    assert [tweet.id for tweet in resolver.ancestors([last], {}, depth=1)[15]] == [14]
    assert gateway.batches == []


def test_ancestors_in_one_batch_for_many_replies_and_a_gone_parent_ends_the_chain():
    gateway = FakeTweetsGateway()
    _, resolver = resolver_with(gateway)
    replies = [reply(i, 5_000_000 + i, None) for i in range(150)]
    chains = resolver.ancestors(replies, {}, depth=2)
    assert [len(batch) for batch in gateway.batches] == [100, 50]  # parents (roots of their threads): one round
    assert chains[0][0].id == 5_000_000 and len(chains[0]) == 1
    assert chains[7] == []  # 5_000_007 is gone
