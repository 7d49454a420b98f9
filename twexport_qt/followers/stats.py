"""The numbers on the summary panel, computed in a handful of aggregate queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, tier_case_sql

DM_STEPS: tuple[str, ...] = ("first", "retry")


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
    cursor = conn.cursor()
    cursor.row_factory = None

    done_runs = cursor.execute(
        "SELECT started_at, finished_at FROM fetch_runs "
        "WHERE owner_id = ? AND kind = 'followers' AND state = 'done' ORDER BY id DESC LIMIT 2",
        (owner_id,),
    ).fetchall()
    last_started, last_finished = done_runs[0] if done_runs else (None, None)
    # "New" compares the last complete fetch with the one before it; after the very first fetch nobody is new.
    new_since = last_started if len(done_runs) == 2 else None

    total, active, new, verified, protected = cursor.execute(
        "SELECT count(*), "
        "  coalesce(sum(unfollowed_at IS NULL), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND first_seen >= ?), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND verified), 0), "
        "  coalesce(sum(unfollowed_at IS NULL AND protected), 0) "
        "FROM followers WHERE owner_id = ?",
        (new_since if new_since is not None else 2**62, owner_id),
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
        last_fetch_at=last_finished,
    )


def _dm_counts(cursor: sqlite3.Cursor, owner_id: int, mode: str) -> dict[str, DmStepCounts]:
    by_step: dict[str, dict[str, int]] = {step: {} for step in DM_STEPS}
    for step, state, number in cursor.execute(
        "SELECT step, state, count(*) FROM dm_log WHERE owner_id = ? AND mode = ? GROUP BY step, state",
        (owner_id, mode),
    ):
        by_step.setdefault(step, {})[state] = number

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
    pending = {"first": pending_first, "retry": pending_retry}

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
