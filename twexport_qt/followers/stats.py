"""The numbers on the summary panel, from the follower snapshot the views already hold plus two small reads.

`snapshot_summary` counts the snapshot's arrays and reads the account's DM log once: ~0.1 s at a million
followers and 50,000 DMs (the DM log costs about a microsecond a row). `summary` answers the same in
aggregate SQL without a snapshot, about 15 s at a million (a correlated look-up in the DM log per follower);
tests hold the two equal on random data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from twexport_qt.followers.rowid_ranges import integers_of
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, tier_case_sql

if TYPE_CHECKING:  # the snapshot module imports this one to fill its `summary`
    from twexport_qt.followers.snapshot import FollowerSnapshot

DM_STEPS: tuple[str, ...] = ("first", "retry")
_NEVER = 2**62  # a first_seen no follower has: "new since" when there is nothing to compare with


@dataclass(frozen=True, slots=True)
class DmStepCounts:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    sending: int = 0  # written before the HTTP call and never confirmed: needs reconciling
    pending: int = 0  # current followers this step has not reached yet (see `summary`)


@dataclass(frozen=True, slots=True)
class FollowerSummary:
    total: int  # every follower ever recorded for the account
    active: int  # still following at the last refresh
    unfollowed: int
    new_since_last_fetch: int  # active followers the last complete fetch found and the one before did not
    verified: int  # active only, like the remaining counts
    protected: int
    tier_counts: dict[str, int]  # in tier order
    dm: dict[str, DmStepCounts] = field(default_factory=dict)  # by step: "first", "retry"
    last_fetch_at: int | None = None  # when the last completed followers fetch finished

    @property
    def verified_share(self) -> float:
        """Fraction of active followers that are verified (0.0 with no followers)."""
        return self.verified / self.active if self.active else 0.0


@dataclass(frozen=True, slots=True)
class _CompletedFetches:
    new_since: int  # first_seen from which an active follower counts as new (_NEVER after one fetch or none)
    last_finished: int | None


def summary(
    conn: sqlite3.Connection,
    owner_id: int,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
    *,
    mode: str = "live",
) -> FollowerSummary:
    """Totals for `owner_id`. DM counts cover `mode` only ("live" unless looking at a test campaign).

    Pending means: for "first", active followers without any `mode` DM row for that step; for "retry",
    active followers whose first DM was sent and who have no retry row yet (due or not).
    """
    cursor = _tuple_cursor(conn)
    fetches = _completed_fetches(cursor, owner_id)

    total, active, new, verified, protected = cursor.execute(
        "SELECT count(*), "
        "  coalesce(sum(unfollowed_at IS NULL), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND first_seen >= ?), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND verified), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND protected), 0) "
        "FROM followers WHERE owner_id = ?",
        (fetches.new_since, owner_id),
    ).fetchone()

    tier_sql, tier_params = tier_case_sql(tiers)
    per_tier = dict(
        cursor.execute(
            f"SELECT {tier_sql}, count(*) FROM followers "
            "WHERE owner_id = ? AND unfollowed_at IS NULL GROUP BY 1",
            (*tier_params, owner_id),
        ).fetchall()
    )
    tier_counts = {tier.name: per_tier.get(index, 0) for index, tier in enumerate(tiers)}

    return FollowerSummary(
        total=total,
        active=active,
        unfollowed=total - active,
        new_since_last_fetch=new,
        verified=verified,
        protected=protected,
        tier_counts=tier_counts,
        dm=_dm_counts(cursor, owner_id, mode),
        last_fetch_at=fetches.last_finished,
    )


def snapshot_summary(conn: sqlite3.Connection, snapshot: FollowerSnapshot, *, mode: str = "live") -> FollowerSummary:
    """`summary(conn, snapshot.owner_id, snapshot.tiers, mode=mode)` for the followers in `snapshot`, counted
    from its arrays; `conn` is read for the fetch runs and the account's `mode` DM log, once each.

    Equal to `summary` on what the app writes (`verified` 0 or 1: the snapshot holds `verified = 1`, the SQL
    counts any true value). Followers written after the snapshot was loaded are not counted, DMs are.
    """
    cursor = _tuple_cursor(conn)
    fetches = _completed_fetches(cursor, snapshot.owner_id)
    active = ~snapshot.unfollowed
    active_count = int(np.count_nonzero(active))
    tier_numbers = np.bincount(snapshot.tier[active], minlength=len(snapshot.tiers))
    return FollowerSummary(
        total=len(snapshot),
        active=active_count,
        unfollowed=len(snapshot) - active_count,
        new_since_last_fetch=int(np.count_nonzero(active & (snapshot.first_seen >= fetches.new_since))),
        verified=int(np.count_nonzero(active & snapshot.verified)),
        protected=int(np.count_nonzero(active & snapshot.protected)),
        tier_counts={tier.name: int(tier_numbers[index]) for index, tier in enumerate(snapshot.tiers)},
        dm=_dm_counts_of_ids(cursor, snapshot.owner_id, mode, snapshot.user_id[active]),
        last_fetch_at=fetches.last_finished,
    )


def _tuple_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


def _completed_fetches(cursor: sqlite3.Cursor, owner_id: int) -> _CompletedFetches:
    done_runs = cursor.execute(
        "SELECT started_at, finished_at FROM fetch_runs "
        "WHERE owner_id = ? AND kind = 'followers' AND state = 'done' ORDER BY id DESC LIMIT 2",
        (owner_id,),
    ).fetchall()
    if not done_runs:
        return _CompletedFetches(new_since=_NEVER, last_finished=None)
    last_started, last_finished = done_runs[0]
    # "New" compares the last complete fetch with the one before it; after the very first fetch nobody is new.
    return _CompletedFetches(new_since=last_started if len(done_runs) == 2 else _NEVER, last_finished=last_finished)


def _step_counts(state_counts: Iterable[tuple[str, str, int]], pending: dict[str, int]) -> dict[str, DmStepCounts]:
    """DM counts by step from (step, state, count) rows, "first" and "retry" always present and first."""
    by_step: dict[str, dict[str, int]] = {step: {} for step in DM_STEPS}
    for step, state, number in state_counts:
        by_step.setdefault(step, {})[state] = number
    return {
        step: DmStepCounts(
            sent=states.get("sent", 0),
            skipped=states.get("skipped", 0),
            failed=states.get("failed", 0),
            sending=states.get("sending", 0),
            pending=pending.get(step, 0),
        )
        for step, states in by_step.items()
    }


def _dm_counts(cursor: sqlite3.Cursor, owner_id: int, mode: str) -> dict[str, DmStepCounts]:
    state_counts = cursor.execute(
        "SELECT step, state, count(*) FROM dm_log WHERE owner_id = ? AND mode = ? GROUP BY step, state",
        (owner_id, mode),
    ).fetchall()

    def row_exists(condition: str) -> str:
        return (
            # "+" keeps mode out of index matching: see followers_repo.DM_STATUS_SQL.
            "EXISTS (SELECT 1 FROM dm_log AS d WHERE d.owner_id = f.owner_id AND d.recipient_id = f.user_id "
            f"AND +d.mode = :mode AND {condition})"
        )

    no_first_row = "NOT " + row_exists("+d.step = 'first'")
    first_sent = row_exists("+d.step = 'first' AND +d.state = 'sent'")
    no_retry_row = "NOT " + row_exists("+d.step = 'retry'")
    pending_first, pending_retry = cursor.execute(
        f"SELECT coalesce(sum({no_first_row}), 0), coalesce(sum({first_sent} AND {no_retry_row}), 0) "
        "FROM followers AS f WHERE f.owner_id = :owner AND f.unfollowed_at IS NULL",
        {"owner": owner_id, "mode": mode},
    ).fetchone()
    return _step_counts(state_counts, {"first": pending_first, "retry": pending_retry})


# Per (step, state): how many rows and, as one string of integers built in C, whom they went to. A recipient
# that is not an integer never equals a follower's user_id, so it is counted but left out of the list.
_DM_RECIPIENTS_SQL = (
    "SELECT step, state, count(*), group_concat(CASE WHEN typeof(recipient_id) = 'integer' THEN recipient_id END) "
    "FROM dm_log WHERE owner_id = ? AND mode = ? GROUP BY step, state"
)


def _dm_counts_of_ids(
    cursor: sqlite3.Cursor, owner_id: int, mode: str, active_user_ids: np.ndarray
) -> dict[str, DmStepCounts]:
    """`_dm_counts` with pending worked out from the active followers' user ids (unique: the followers table's
    key) instead of a look-up per follower."""
    state_counts: list[tuple[str, str, int]] = []
    recipients: dict[tuple[str, str], np.ndarray] = {}
    for step, state, number, recipient_text in cursor.execute(_DM_RECIPIENTS_SQL, (owner_id, mode)):
        state_counts.append((step, state, number))
        ids = integers_of(recipient_text)
        assert ids is not None  # only integers were concatenated
        recipients[(step, state)] = ids

    def recipients_of(step: str, state: str | None = None) -> np.ndarray:
        """Distinct recipients of `step` DMs (in `state`, or any), ascending."""
        chosen = [ids for (row_step, row_state), ids in recipients.items()
                  if row_step == step and state in (None, row_state)]
        return _distinct_ascending(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)

    # One sort of the followers, then binary searches of the (usually far fewer) recipients: np.isin would
    # sort followers and recipients together once per question, several times the cost at a million.
    active_sorted = np.sort(active_user_ids)
    reached_by_first = recipients_of("first")
    first_sent = recipients_of("first", "sent")
    active_first_sent = first_sent[_found_in(active_sorted, first_sent)]
    pending = {
        "first": len(active_sorted) - int(np.count_nonzero(_found_in(active_sorted, reached_by_first))),
        "retry": int(np.count_nonzero(~_found_in(recipients_of("retry"), active_first_sent))),
    }
    return _step_counts(state_counts, pending)


def _found_in(ascending: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which of `values` occur in the ascending array `ascending` (a bool mask over `values`)."""
    positions = np.searchsorted(ascending, values)
    found = positions < len(ascending)
    found[found] = ascending[positions[found]] == values[found]
    return found


def _distinct_ascending(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` for int64 at sort speed: numpy 2.4's unique hashes first, tens of times slower."""
    ascending = np.sort(values)
    keep = np.ones(len(ascending), dtype=bool)
    keep[1:] = ascending[1:] != ascending[:-1]
    return ascending[keep]
