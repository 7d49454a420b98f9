"""Who leaves, compared with who stays: the distribution of a metric (follower count, following, posts, account
age) among the followers who left in a period against the current followers, as shares per bin, so the Growth
tab can show whether it is small accounts, bots or old accounts that go.

The leavers' rows stay in `followers` with their last metrics (`unfollowed_at` set), so one aggregate query per
rowid range of the account's rows (as `snapshot.py` loads: SQLite builds one string per column in C with the GIL
released, numpy parses it; walking the owner index instead costs seconds at a million) gives both groups: the
leavers are picked by id with `np.isin`, the stayers are the rows without `unfollowed_at`. About a second at a
million followers, whatever the number of leavers. Each leaver counts once, even if they left twice in the period; one
who left and came back is in both groups (they left, and they follow now).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from twexport_qt.followers.rowid_ranges import integers_of, rowid_ranges

YEAR_S = 365 * 86_400
UNKNOWN = -1  # a value the row does not hold (an unknown creation date): in no bin
# Counts: 0, 1–9, 10–99, … ; a bin's lower bounds after the first (which is 0 alone).
COUNT_BOUNDS: tuple[int, ...] = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)
COUNT_LABELS: tuple[str, ...] = ("0", "1–9", "10–99", "100–999", "1k–9.9k", "10k–99k", "100k–999k", "1M+")
AGE_BOUNDS_YEARS: tuple[int, ...] = (1, 2, 5, 10)
AGE_LABELS: tuple[str, ...] = ("< 1 y", "1–2 y", "2–5 y", "5–10 y", "10+ y")

_OWNER_ROWIDS_SQL = "SELECT group_concat(rowid) FROM followers WHERE owner_id = ?"
# `+owner_id`: walk the rowid range, not an owner index.
_RANGE_SQL = (
    "SELECT group_concat(user_id), group_concat(followers_count), group_concat(following_count), "
    f"group_concat(tweet_count), group_concat(coalesce(created_at, {UNKNOWN})), "
    "group_concat(unfollowed_at IS NULL) FROM followers WHERE rowid BETWEEN ? AND ? AND +owner_id = ?"
)
_ROWS_SQL = (
    "SELECT user_id, followers_count, following_count, tweet_count, "
    f"coalesce(created_at, {UNKNOWN}), unfollowed_at IS NULL FROM followers WHERE owner_id = ?"
)


class ChurnMetric(StrEnum):
    """What the comparison bins; the values are the chart's toggle labels."""

    FOLLOWERS = "Followers"
    FOLLOWING = "Following"
    POSTS = "Posts"
    ACCOUNT_AGE = "Account age"


@dataclass(frozen=True)
class GroupBins:
    """One group's people per bin (those with an unknown value are in none)."""

    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float, ...]:
        """Percent of the group's binned people in each bin (all 0 for an empty group)."""
        total = self.total
        return tuple(100.0 * count / total if total else 0.0 for count in self.counts)


@dataclass(frozen=True)
class MetricDistribution:
    """A metric's bins for those who left and those who stayed."""

    metric: ChurnMetric
    labels: tuple[str, ...]
    left: GroupBins
    stayed: GroupBins


@dataclass(frozen=True)
class ChurnProfile:
    """Every metric's comparison for one period; `leavers`: distinct people who left in it."""

    leavers: int
    stayers: int
    distributions: dict[ChurnMetric, MetricDistribution]

    def of(self, metric: ChurnMetric) -> MetricDistribution:
        return self.distributions[metric]


def count_bins(values: np.ndarray) -> np.ndarray:
    """Bin index per count: 0 for 0, then one per power of ten (1–9, 10–99, …), the last open-ended; -1 for a
    negative (unknown) value."""
    bins = np.searchsorted(np.array(COUNT_BOUNDS, dtype=np.int64), values, side="right")
    return np.where(values < 0, -1, bins)


def age_bins(created_at: np.ndarray, now: int) -> np.ndarray:
    """Bin index per creation time by whole-year account age at `now`; -1 for an unknown date."""
    ages = now - created_at
    bounds = np.array(AGE_BOUNDS_YEARS, dtype=np.int64) * YEAR_S
    bins = np.searchsorted(bounds, ages, side="right")
    return np.where(created_at == UNKNOWN, -1, bins)


def _group_bins(bins: np.ndarray, size: int) -> GroupBins:
    known = bins[bins >= 0]
    return GroupBins(tuple(int(count) for count in np.bincount(known, minlength=size)[:size]))


def _read(conn: sqlite3.Connection, owner_id: int) -> dict[str, np.ndarray]:
    names = ("user_id", "followers", "following", "tweets", "created_at", "current")
    cursor = conn.cursor()
    cursor.row_factory = None
    rowids = integers_of(cursor.execute(_OWNER_ROWIDS_SQL, (owner_id,)).fetchone()[0])
    parts: list[list[np.ndarray]] = [[] for _ in names]
    for first, last in rowid_ranges(np.sort(rowids) if rowids is not None else np.zeros(0, dtype=np.int64)):
        texts = cursor.execute(_RANGE_SQL, (first, last, owner_id)).fetchone()
        columns = [values for values in (integers_of(text) for text in texts) if values is not None]
        if len(columns) < len(texts) or len({len(values) for values in columns}) > 1:
            # A value stored as text or real where an integer belongs (the app never writes so): numpy converts.
            rows = cursor.execute(_ROWS_SQL, (owner_id,)).fetchall()
            table = np.array(rows, dtype=np.int64).reshape(len(rows), len(names))
            return {name: table[:, index] for index, name in enumerate(names)}
        for part, values in zip(parts, columns):
            part.append(values)
    return {name: np.concatenate(part) if part else np.zeros(0, dtype=np.int64) for name, part in zip(names, parts)}


def churn_profile(conn: sqlite3.Connection, owner_id: int, left_user_ids: np.ndarray, *, now: int) -> ChurnProfile:
    """Compare those in `left_user_ids` (who left in the period, e.g. `who_left_ids(...).user_ids`) with the
    current followers, for every `ChurnMetric`; `now` dates account ages."""
    columns = _read(conn, owner_id)
    left = np.isin(columns["user_id"], np.asarray(left_user_ids, dtype=np.int64))
    stayed = columns["current"] != 0
    binned = {
        ChurnMetric.FOLLOWERS: (count_bins(columns["followers"]), COUNT_LABELS),
        ChurnMetric.FOLLOWING: (count_bins(columns["following"]), COUNT_LABELS),
        ChurnMetric.POSTS: (count_bins(columns["tweets"]), COUNT_LABELS),
        ChurnMetric.ACCOUNT_AGE: (age_bins(columns["created_at"], now), AGE_LABELS),
    }
    distributions = {
        metric: MetricDistribution(metric, labels, _group_bins(bins[left], len(labels)),
                                   _group_bins(bins[stayed], len(labels)))
        for metric, (bins, labels) in binned.items()
    }
    return ChurnProfile(int(left.sum()), int(stayed.sum()), distributions)
