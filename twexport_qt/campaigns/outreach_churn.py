"""Did the DMs make people leave? Per campaign step, the share of recipients who unfollowed within 7 days of their
DM, next to the same share among followers never messaged, from the follower history (store/history_repo.py).
This is the one rule for "unfollowed within 7 days of a DM": the campaign funnel's column is `step_unfollows`.

The rules (leaves are only known at complete fetches, so every rule is in terms of snapshots):

- A leave "seen at" snapshot S happened in S's interval: after the previous snapshot P's `taken_at`, at or before
  S's `taken_at`. The 7-day window of a DM sent at t is (t, t + 7 days].
- "Unfollowed within 7 days" of a DM: the recipient has a leave seen at a snapshot taken after t whose interval
  starts before t + 7 days (it overlaps the window). A leave whose interval straddles the window's end counts: the
  fetches cannot tell, and counting it is the same rule for the baseline, so the comparison stays fair. One whose
  interval starts before t counts too: the DM went to a follower, so they left after it.
- A DM is "known" once a snapshot was taken at or after t + 7 days (its whole window was observed by a complete
  fetch); younger DMs are "not yet known" and are in neither the count nor the total.
- Baseline, "not messaged": followers with no live DM sent, ever. Cohorts: each snapshot B of the campaign's
  period (from the snapshot current at the first live DM to the last live DM) whose following 7 days a later
  snapshot observed. The members at B not messaged are B's cohort; a member of it "left within 7 days" when
  their first membership change after B is a leave whose interval starts before B's time + 7 days (the same
  overlap rule). The baseline pools the cohorts: leavers summed over them / members summed over them.

All in SQL over the change tables (a few hundred snapshots, leaves of the period, one index seek per leaver);
membership counts come from the current membership (`follower_last_snapshot`) minus the changes after a snapshot,
so nothing walks the million followers row by row. `follower_leaves` has no index by user (its key leads with the
snapshot), so the recipients' leaves are read by snapshot range and matched in a temporary table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from twexport_qt.campaigns.settings import SECONDS_PER_DAY
from twexport_qt.store.dm_states import DmStep

WINDOW_DAYS = 7
WINDOW_S = WINDOW_DAYS * SECONDS_PER_DAY
STEP_LABELS: dict[DmStep, str] = {DmStep.FIRST: "first DM", DmStep.RETRY: "retry"}

TOOLTIP = (
    f"A recipient counts as unfollowed within {WINDOW_DAYS} days when a complete followers fetch after the DM saw "
    f"them gone and the fetch before it was less than {WINDOW_DAYS} days after the DM (leaves are only seen at "
    f"complete fetches). Only DMs whose {WINDOW_DAYS} days a complete fetch has already covered are counted; younger "
    "ones are not yet known.\n"
    f"Not messaged: at each complete fetch in the campaign's period, the followers never sent a live DM; the share "
    f"of them whose next change was leaving, seen by a fetch less than {WINDOW_DAYS} days after that one's "
    "previous fetch, pooled over those fetches.")


@dataclass(frozen=True)
class ShareLeft:
    """`left` of `total` unfollowed within the window; `pending` are not yet known (their window is still open)."""

    left: int
    total: int
    pending: int = 0

    @property
    def percent(self) -> float | None:
        return None if not self.total else 100.0 * self.left / self.total


@dataclass(frozen=True)
class StepChurn:
    step: DmStep
    share: ShareLeft


@dataclass(frozen=True)
class OutreachChurn:
    steps: tuple[StepChurn, ...]
    not_messaged: ShareLeft
    has_history: bool   # False: no complete fetch recorded yet, nothing can be known


def outreach_churn(conn: sqlite3.Connection, owner_id: int) -> OutreachChurn:
    """Unfollows within 7 days per live step, and the not-messaged baseline over the campaign's period. Writes
    only temporary tables; the implicit transaction their inserts open is ended here (if this call opened it), so
    the read lock it holds does not block the app's writers."""
    return _measured(conn, owner_id, with_baseline=True)


def step_unfollows(conn: sqlite3.Connection, owner_id: int) -> dict[DmStep, ShareLeft]:
    """Per live step, its DMs' recipients who unfollowed within 7 days (the module's rule), without the baseline:
    THE count of "unfollowed within 7 days" (the campaign funnel shows it too)."""
    return {step.step: step.share for step in _measured(conn, owner_id, with_baseline=False).steps}


def _measured(conn: sqlite3.Connection, owner_id: int, *, with_baseline: bool) -> OutreachChurn:
    opened_here = not conn.in_transaction
    try:
        return _measure(conn, owner_id, with_baseline=with_baseline)
    finally:
        if opened_here and conn.in_transaction:
            conn.commit()


def _measure(conn: sqlite3.Connection, owner_id: int, *, with_baseline: bool) -> OutreachChurn:
    cur = conn.cursor()
    cur.row_factory = None
    last_taken = cur.execute("SELECT max(taken_at) FROM follower_snapshots WHERE owner_id = ?",
                             (owner_id,)).fetchone()[0]
    # The recipients' leaves, with the time of the snapshot before the one that saw each: read by snapshot range
    # from the first live DM on (the table's key leads with snapshot_id), matched against the recipients.
    for table in ("outreach_recipients", "outreach_leaves", "outreach_snapshots"):
        cur.execute(f"DROP TABLE IF EXISTS temp.{table}")
    # The account's snapshots with the time of the one before each (its leaves happened after that): a few
    # hundred rows, read once instead of once per leave.
    cur.execute("CREATE TEMP TABLE outreach_snapshots (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, "
                "previous_at INTEGER NOT NULL)")
    cur.execute("INSERT INTO temp.outreach_snapshots SELECT id, taken_at, "
                "coalesce(lag(taken_at) OVER (ORDER BY id), taken_at) FROM follower_snapshots WHERE owner_id = ?",
                (owner_id,))
    cur.execute("CREATE TEMP TABLE outreach_recipients (user_id INTEGER PRIMARY KEY)")
    cur.execute("INSERT OR IGNORE INTO temp.outreach_recipients SELECT recipient_id FROM dm_log "
                "WHERE owner_id = ? AND mode = 'live' AND state = 'sent'", (owner_id,))
    first_sent = cur.execute("SELECT min(created_at) FROM dm_log WHERE owner_id = ? AND mode = 'live' "
                             "AND state = 'sent'", (owner_id,)).fetchone()[0]
    cur.execute("CREATE TEMP TABLE outreach_leaves (user_id INTEGER NOT NULL, seen_at INTEGER NOT NULL, "
                "previous_at INTEGER NOT NULL)")
    cur.execute("CREATE INDEX temp.outreach_leaves_user ON outreach_leaves (user_id, seen_at)")
    try:
        if first_sent is not None:
            cur.execute(
                "INSERT INTO temp.outreach_leaves SELECT l.user_id, s.taken_at, s.previous_at "
                "FROM temp.outreach_snapshots AS s JOIN follower_leaves AS l ON l.snapshot_id = s.id "
                "WHERE s.taken_at > ? "
                "AND l.user_id IN (SELECT user_id FROM temp.outreach_recipients)", (first_sent,))
        steps = tuple(StepChurn(step, _step_share(cur, owner_id, step, last_taken))
                      for step in (DmStep.FIRST, DmStep.RETRY))
        baseline = _baseline(cur, owner_id, first_sent, last_taken) if with_baseline else ShareLeft(0, 0)
    finally:
        for table in ("outreach_recipients", "outreach_leaves", "outreach_snapshots"):
            cur.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return OutreachChurn(steps, baseline, last_taken is not None)


def _step_share(cur: sqlite3.Cursor, owner_id: int, step: DmStep, last_taken: int | None) -> ShareLeft:
    # A DM's time is its claim (`created_at`), as in the funnel: the request left right after it.
    observed_until = -(2 ** 62) if last_taken is None else last_taken - WINDOW_S
    left, total, pending = cur.execute(
        "SELECT coalesce(sum(d.created_at <= :observed AND EXISTS (SELECT 1 FROM temp.outreach_leaves AS l "
        "WHERE l.user_id = d.recipient_id AND l.seen_at > d.created_at "
        "AND l.previous_at < d.created_at + :window)), 0), "
        "coalesce(sum(d.created_at <= :observed), 0), coalesce(sum(d.created_at > :observed), 0) "
        "FROM dm_log AS d WHERE d.owner_id = :owner AND d.mode = 'live' AND d.step = :step AND d.state = 'sent'",
        {"observed": observed_until, "window": WINDOW_S, "owner": owner_id, "step": str(step)}).fetchone()
    return ShareLeft(int(left), int(total), int(pending))


def _baseline(cur: sqlite3.Cursor, owner_id: int, first_sent: int | None, last_taken: int | None) -> ShareLeft:
    if first_sent is None or last_taken is None:
        return ShareLeft(0, 0)
    last_sent = cur.execute("SELECT max(created_at) FROM dm_log WHERE owner_id = ? AND mode = 'live' "
                            "AND state = 'sent'", (owner_id,)).fetchone()[0]
    # The cohorts: snapshots in the campaign's period whose following 7 days a later snapshot observed. The
    # snapshot current at the first DM (the latest at or before it) starts the period.
    period_start = cur.execute("SELECT coalesce(max(taken_at), ?) FROM follower_snapshots WHERE owner_id = ? "
                               "AND taken_at <= ?", (first_sent, owner_id, first_sent)).fetchone()[0]
    cohorts = cur.execute(
        "SELECT id, taken_at, follower_count FROM follower_snapshots WHERE owner_id = ? AND taken_at >= ? "
        "AND taken_at <= ? AND taken_at <= ? ORDER BY id",
        (owner_id, period_start, last_sent, last_taken - WINDOW_S)).fetchall()
    if not cohorts:
        return ShareLeft(0, 0)
    first_cohort = cohorts[0][0]
    # Recipients who were members at a cohort snapshot B: members now, minus those who joined after B, plus those
    # who left after B (membership only changes at snapshots).
    members_now = cur.execute(
        "SELECT count(*) FROM follower_last_snapshot WHERE owner_id = ? AND member = 1 "
        "AND user_id IN (SELECT user_id FROM temp.outreach_recipients)", (owner_id,)).fetchone()[0]
    changes_at = dict(cur.execute(
        "SELECT snapshot_id, sum(delta) FROM (SELECT j.snapshot_id, 1 AS delta FROM temp.outreach_recipients AS r "
        "JOIN follower_joins AS j ON j.user_id = r.user_id WHERE j.snapshot_id > :first "
        "UNION ALL SELECT l.snapshot_id, -1 FROM follower_leaves AS l WHERE l.snapshot_id > :first "
        "AND l.user_id IN (SELECT user_id FROM temp.outreach_recipients)) "
        "JOIN follower_snapshots AS s ON s.id = snapshot_id AND s.owner_id = :owner GROUP BY snapshot_id",
        {"first": first_cohort, "owner": owner_id}).fetchall())
    members = 0
    for cohort_id, _taken_at, follower_count in cohorts:
        net_change_after = sum(delta for snapshot_id, delta in changes_at.items() if snapshot_id > cohort_id)
        members += follower_count - (members_now - net_change_after)
    # Leavers: each leave of someone never messaged counts once for every cohort B it belongs to: B before the
    # snapshot that saw it, at or after the leaver's latest join before it (so a member at B), and B's window
    # overlapping the leave's interval. The cohorts are few: a temporary table indexed by time.
    cur.execute("DROP TABLE IF EXISTS temp.outreach_cohorts")
    cur.execute("CREATE TEMP TABLE outreach_cohorts (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL)")
    cur.execute("CREATE INDEX temp.outreach_cohorts_time ON outreach_cohorts (taken_at)")
    try:
        cur.executemany("INSERT INTO temp.outreach_cohorts VALUES (?, ?)", [(c[0], c[1]) for c in cohorts])
        last_window_end = cohorts[-1][1] + WINDOW_S
        left = cur.execute(
            "WITH l AS (SELECT l.user_id, s.id AS seen_id, s.previous_at, "
            "(SELECT max(j.snapshot_id) FROM follower_joins AS j WHERE j.user_id = l.user_id "
            "AND j.snapshot_id < s.id) AS joined_id "
            "FROM temp.outreach_snapshots AS s JOIN follower_leaves AS l ON l.snapshot_id = s.id "
            "WHERE s.id > :first AND s.taken_at <= :last_end "
            "AND l.user_id NOT IN (SELECT user_id FROM temp.outreach_recipients)) "
            "SELECT coalesce(sum((SELECT count(*) FROM temp.outreach_cohorts AS c "
            "WHERE c.taken_at > l.previous_at - :window AND c.id < l.seen_id "
            "AND c.id >= coalesce(l.joined_id, 0))), 0) FROM l",
            {"first": first_cohort, "last_end": _seen_by(cur, owner_id, last_window_end),
             "window": WINDOW_S}).fetchone()[0]
    finally:
        cur.execute("DROP TABLE IF EXISTS temp.outreach_cohorts")
    return ShareLeft(int(left), int(members))


def _seen_by(cur: sqlite3.Cursor, owner_id: int, at: int) -> int:
    """The time of the first snapshot taken at or after `at` (the one whose interval holds it); `at` if none."""
    row = cur.execute("SELECT min(taken_at) FROM follower_snapshots WHERE owner_id = ? AND taken_at >= ?",
                      (owner_id, at)).fetchone()
    return at if row[0] is None else row[0]


def percent_text(share: ShareLeft) -> str:
    value = share.percent
    return "not yet known" if value is None else f"{value:.1f}%"


def summary(churn: OutreachChurn) -> str:
    """The DM tab's line: '7-day unfollow rate after DMs: first DM 2.1% (14 of 660) · retry … · not messaged 0.9%'."""
    if not churn.has_history:
        return (f"{WINDOW_DAYS}-day unfollow rate after DMs: not yet known (it needs complete followers fetches "
                "before and after the DMs).")
    parts = []
    for step in churn.steps:
        share, label = step.share, STEP_LABELS[step.step]
        if share.total:
            text = f"{label} {percent_text(share)} ({share.left:,} of {share.total:,})"
            if share.pending:
                text += f", {share.pending:,} more not yet known"
        elif share.pending:
            text = f"{label} not yet known ({share.pending:,} sent)"
        else:
            text = f"{label}: none sent"
        parts.append(text)
    parts.append(f"not messaged {percent_text(churn.not_messaged)}")
    return f"{WINDOW_DAYS}-day unfollow rate after DMs: " + " · ".join(parts)
