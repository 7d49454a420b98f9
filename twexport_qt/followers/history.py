"""The audience over time, read from the follower history: growth, who joined and who left when, and the
"since last week: +312 / −41" line, for the CLI, the exports and (later) the growth and churn view.

Every complete full fetch is a snapshot (store/history_repo.py); a cancelled, failed or killed fetch never is, and
a new-followers-only refresh is not either (it cannot see who left): its new followers count as joined at the
next complete fetch. A change is known to have happened between two snapshots, so each carries the snapshot that
saw it (`at`) and the one before (`previous_at`).

"Followed since" is approximate: X does not say when someone followed, only lists followers newest first. A
follower who joined at a later snapshot followed between it and the previous one; for the followers already
there at the first snapshot only their rank in X's list is known (`FollowedSince.position`, 0 = the newest).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from twexport_qt.core.timefmt import to_utc_datetime
from twexport_qt.store import history_repo
from twexport_qt.store.history_repo import ChangeIds, ChangeRow

WEEK_S = 7 * 86_400
# `seen_at`: the complete fetch that saw the change; `previous_fetch_at`: the one before (it happened between them).
CHANGE_COLUMNS: tuple[str, ...] = ("user_id", "username", "name", "seen_at", "previous_fetch_at", "position",
                                   "followers_count", "following_count", "tweet_count", "listed_count")
GROWTH_COLUMNS: tuple[str, ...] = ("fetched_at", "followers", "joined", "left", "first_snapshot")


@dataclass(frozen=True)
class GrowthPoint:
    """The account at one complete fetch."""

    at: int                 # epoch seconds
    followers: int
    joined: int             # since the previous complete fetch (the first one: everyone, see `first`)
    left: int
    first: bool             # the first snapshot: its "joined" are the followers history began with


@dataclass(frozen=True)
class ChangeSummary:
    """Joins and leaves seen by the complete fetches in a period."""

    since: int              # the period's start (epoch seconds)
    joined: int
    left: int
    snapshots: int          # complete fetches in the period
    followers: int | None   # at the latest snapshot; None without any

    def sentence(self, period: str = "since last week") -> str:
        """"since last week: +312 / −41", or why there is nothing to count."""
        if self.followers is None:
            return "No follower history yet: it starts with the first complete followers fetch."
        if self.snapshots == 0:
            return f"{period}: no complete followers fetch, nothing to compare."
        return f"{period}: +{self.joined:,} / \u2212{self.left:,}"


@dataclass(frozen=True)
class FollowedSince:
    """When a follower followed, as far as the history can tell."""

    first_seen_at: int      # the first snapshot that listed them
    after: int | None       # they followed after this snapshot (None: they were there when history began)
    position: int | None    # rank in X's newest-first order among those first seen at that snapshot

    @property
    def approximate(self) -> bool:
        """At the first snapshot, only the order is known, not a period."""
        return self.after is None


def growth(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
           until: int | None = None) -> list[GrowthPoint]:
    """The follower count and the joined/left counts at each complete fetch, oldest first."""
    first = history_repo.first_snapshot_id(conn, owner_id)
    return [GrowthPoint(row.taken_at, row.follower_count, row.joined, row.left, row.id == first)
            for row in history_repo.snapshots(conn, owner_id, since=since, until=until)]


def summary_since(conn: sqlite3.Connection, owner_id: int, since: int) -> ChangeSummary:
    """Joins and leaves seen by the complete fetches after `since` (the first snapshot's joins are not new).

    After, not at: with a fetch at the same hour every day, "since last week" is the seven fetches since the one
    a week ago, whose changes belong to the week before."""
    points = growth(conn, owner_id)
    if not points:
        return ChangeSummary(since, 0, 0, 0, None)
    recent = [point for point in points if point.at > since]
    joined = sum(point.joined for point in recent if not point.first)
    left = sum(point.left for point in recent)
    return ChangeSummary(since, joined, left, len(recent), points[-1].followers)


def since_last_week(conn: sqlite3.Connection, owner_id: int, now: int) -> ChangeSummary:
    return summary_since(conn, owner_id, now - WEEK_S)


def who_left(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
             until: int | None = None) -> list[ChangeRow]:
    """Followers who left, seen by complete fetches in [since, until], the latest first."""
    return history_repo.leaves(conn, owner_id, since=since, until=until)


def who_is_new(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
               until: int | None = None) -> list[ChangeRow]:
    """Followers who came, seen by complete fetches in [since, until], the latest first (X's order within one);
    the followers history began with are not new."""
    return history_repo.joins(conn, owner_id, since=since, until=until)


def who_left_ids(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
                 until: int | None = None) -> ChangeIds:
    """`who_left` as columns (ids and times), for tables of hundreds of thousands of rows."""
    return history_repo.leave_ids(conn, owner_id, since=since, until=until)


def who_is_new_ids(conn: sqlite3.Connection, owner_id: int, *, since: int | None = None,
                   until: int | None = None) -> ChangeIds:
    """`who_is_new` as columns (ids and times)."""
    return history_repo.join_ids(conn, owner_id, since=since, until=until)


def followed_since(conn: sqlite3.Connection, owner_id: int, user_id: int) -> FollowedSince | None:
    """When `user_id` first followed, as the history knows it; None if no snapshot listed them."""
    found = history_repo.first_join(conn, owner_id, user_id)
    if found is None:
        return None
    snapshot_id, taken_at, position = found
    previous = [row.taken_at for row in history_repo.snapshots(conn, owner_id, until=taken_at) if row.id < snapshot_id]
    return FollowedSince(taken_at, previous[-1] if previous else None, position)


def change_values(row: ChangeRow) -> list[object]:
    """A change as `CHANGE_COLUMNS` values as stored (times in epoch seconds), for the exports' table writer."""
    return [row.user_id, row.username, row.name, row.at, row.previous_snapshot_at, row.position,
            row.followers_count, row.following_count, row.tweet_count, row.listed_count]


def growth_table(points: list[GrowthPoint]) -> list[list[str]]:
    """The growth series as printable rows: date, followers, joined, left (the first: "start")."""
    rows: list[list[str]] = []
    for point in points:
        joined = "start" if point.first else f"+{point.joined:,}"
        rows.append([iso(point.at) or "", f"{point.followers:,}", joined, f"\u2212{point.left:,}"])
    return rows


def iso(epoch: int | None) -> str | None:
    """UTC ISO 8601, as files and the command line show times."""
    return None if epoch is None else to_utc_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc_date(text: str) -> int:
    """A date typed on the command line ("2026-03-01", midnight UTC, or an ISO 8601 time) as epoch seconds;
    ValueError with a sentence if it is neither."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD (UTC) or YYYY-MM-DDTHH:MM.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())
