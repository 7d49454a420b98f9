"""When an X id was made: post ids since November 2010 are snowflakes that carry their creation time.

X gives each follower's `most_recent_tweet_id`, not the post's date; the id alone says when they last posted,
so "last posted" costs no extra request. Layout (XAPI_FACTS §9.6, twitter-archive/snowflake IdWorker.scala):
milliseconds since X's epoch in the bits above 22, then worker and sequence numbers. Ids from before snowflakes
(sequential numbers) decode to the first seconds after the epoch, so any time before `SNOWFLAKE_DATES_FROM` is
read as unknown rather than as a post on 2010-11-04.
"""

from __future__ import annotations

TWEPOCH_MS = 1_288_834_974_657  # 2010-11-04T01:42:54.657Z, X's snowflake epoch
TIMESTAMP_SHIFT = 22
SNOWFLAKE_DATES_FROM = 1_288_915_200  # 2010-11-05T00:00:00Z: a day after the epoch, past every sequential id


def snowflake_ms(snowflake_id: int) -> int:
    """The id's creation time in epoch milliseconds (meaningful only for real snowflakes)."""
    return (snowflake_id >> TIMESTAMP_SHIFT) + TWEPOCH_MS


def snowflake_id_at(epoch_ms: int, low_bits: int = 0) -> int:
    """The smallest-worker snowflake made at `epoch_ms` (plus `low_bits`, the worker and sequence: < 2**22)."""
    return ((epoch_ms - TWEPOCH_MS) << TIMESTAMP_SHIFT) | (low_bits & ((1 << TIMESTAMP_SHIFT) - 1))


def posted_at(snowflake_id: int | None) -> int | None:
    """Epoch seconds (UTC) of a post with this id; None when there is no id or it predates snowflakes."""
    if snowflake_id is None or snowflake_id <= 0:
        return None
    seconds = snowflake_ms(snowflake_id) // 1000
    return seconds if seconds >= SNOWFLAKE_DATES_FROM else None

