"""Reads and writes of `dm_log` and `do_not_contact`: the memory that makes every DM go out exactly once.

A row's life: `claim` inserts it as 'sending' (the caller commits BEFORE the HTTP call), then the send ends
as 'sent' (with X's event id), 'skipped' (X refused: permanent) or 'failed' (definitely not delivered:
transient). The UNIQUE (owner_id, recipient_id, step, mode) key makes a second claim impossible, except that
`claim` re-takes a 'failed' row, which is how failures are retried by a later run, and a 'sent' *test* row whose
text differs from the new one, so an edited message can be tested again (the same text never twice; a live row
is never re-taken). A crash between claim and 'sent' leaves a 'sending' row; `unconfirmed` lists them for the
campaign to reconcile with X's DM history.
`created_at` is the time of the latest claim (what reconciliation compares event times to); `updated_at`
is the time of the latest state change (for a 'sent' row: when it was confirmed sent).

Nothing here commits: the caller owns each transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from twexport_qt.followers.filters import register_sql_functions
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

# A row in one of these states means "this step is done or under way": the planner never plans it again.
SETTLED_STATES: tuple[DmState, ...] = (DmState.SENDING, DmState.SENT, DmState.SKIPPED)
WINDOW_24H = 86_400


@dataclass(frozen=True)
class DmRow:
    id: int
    owner_id: int
    recipient_id: int
    recipient_username: str
    step: DmStep
    mode: DmMode
    state: DmState
    text: str
    reason: str
    event_id: str | None
    created_at: int
    updated_at: int

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> DmRow:
        """A row of `_ROW_COLUMNS`, its stored strings read back as the enums they were written from."""
        (row_id, owner_id, recipient_id, username, step, mode, state, text, reason, event_id, created_at,
         updated_at) = row
        return cls(row_id, owner_id, recipient_id, username, _STEPS[step], _MODES[mode], _STATES[state], text,
                   reason, event_id, created_at, updated_at)


# Dict look-ups, not `DmStep(value)`: the DM status export reads back every row of a million-follower campaign.
_STEPS: dict[str, DmStep] = {member.value: member for member in DmStep}
_MODES: dict[str, DmMode] = {member.value: member for member in DmMode}
_STATES: dict[str, DmState] = {member.value: member for member in DmState}


@dataclass(frozen=True)
class DoNotContact:
    user_id: int
    reason: str
    added_at: int


@dataclass(frozen=True)
class DoNotContactEntry:
    """An entry of the do-not-contact list with the follower's @handle, as the list's dialog shows it."""

    user_id: int
    username: str  # "" for someone not among the fetched followers (added by id, or unfollowed and pruned)
    reason: str
    added_at: int


@dataclass(frozen=True)
class CandidateRow:
    """A follower a campaign step may go to, as the planner reads it."""

    user_id: int
    username: str
    name: str
    tier_index: int
    receives_your_dm: bool | None


_ROW_COLUMNS = (
    "id, owner_id, recipient_id, recipient_username, step, mode, state, text, reason, event_id, "
    "created_at, updated_at"
)
_KEY = "owner_id = ? AND recipient_id = ? AND step = ? AND mode = ?"


# -- the send protocol ---------------------------------------------------------------------------------
def claim(
    conn: sqlite3.Connection,
    owner_id: int,
    recipient_id: int,
    username: str,
    step: DmStep,
    mode: DmMode,
    text: str,
    now: int,
) -> bool:
    """Write the 'sending' row for this DM; False if the step is already taken (any state but 'failed', and for
    test sends but 'sent' with another text: a test account gets an edited message again, never the same twice)."""
    cursor = conn.execute(
        "INSERT INTO dm_log (owner_id, recipient_id, recipient_username, step, mode, state, text, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'sending', ?, ?, ?) "
        "ON CONFLICT (owner_id, recipient_id, step, mode) DO UPDATE SET state = 'sending', "
        "recipient_username = excluded.recipient_username, text = excluded.text, reason = '', "
        "event_id = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at "
        "WHERE dm_log.state = 'failed' "
        "OR (dm_log.mode = 'test' AND dm_log.state = 'sent' AND dm_log.text != excluded.text)",
        (owner_id, recipient_id, username, step, mode, text, now, now),
    )
    return cursor.rowcount == 1


def mark_sent(
    conn: sqlite3.Connection, owner_id: int, recipient_id: int, step: DmStep, mode: DmMode, *,
    event_id: str | None, now: int,
) -> bool:
    return _transition(conn, "state = 'sent', event_id = ?", [event_id], owner_id, recipient_id, step, mode, now)


def mark_failed(
    conn: sqlite3.Connection, owner_id: int, recipient_id: int, step: DmStep, mode: DmMode, *, reason: str, now: int,
) -> bool:
    """Definitely not delivered (X answered with an error): a later `claim` may take the row again."""
    return _transition(conn, "state = 'failed', reason = ?", [reason], owner_id, recipient_id, step, mode, now)


def reopen_skipped(
    conn: sqlite3.Connection, owner_id: int, recipient_id: int, step: DmStep, mode: DmMode, *, reason: str, now: int,
) -> bool:
    """Turn a 'skipped' row back into 'failed' (due again): the refusal turned out not to be about this person."""
    cursor = conn.execute(
        f"UPDATE dm_log SET state = 'failed', reason = ?, updated_at = ? WHERE {_KEY} AND state = 'skipped'",
        (reason, now, owner_id, recipient_id, step, mode),
    )
    return cursor.rowcount == 1


def release_claim(conn: sqlite3.Connection, owner_id: int, recipient_id: int, step: DmStep, mode: DmMode) -> bool:
    """Forget a 'sending' row whose request never left (cancelled while waiting for the rate limit)."""
    cursor = conn.execute(f"DELETE FROM dm_log WHERE {_KEY} AND state = 'sending'",
                          (owner_id, recipient_id, step, mode))
    return cursor.rowcount == 1


def mark_skipped(
    conn: sqlite3.Connection,
    owner_id: int,
    recipient_id: int,
    username: str,
    step: DmStep,
    mode: DmMode,
    *,
    reason: str,
    now: int,
    text: str = "",
) -> bool:
    """Record that this person will not get this step (X refused, or they do not accept DMs). Permanent.

    Works with or without a prior claim; never overwrites a 'sent' row.
    """
    cursor = conn.execute(
        "INSERT INTO dm_log (owner_id, recipient_id, recipient_username, step, mode, state, text, reason, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'skipped', ?, ?, ?, ?) "
        "ON CONFLICT (owner_id, recipient_id, step, mode) DO UPDATE SET state = 'skipped', "
        "reason = excluded.reason, updated_at = excluded.updated_at "
        "WHERE dm_log.state IN ('sending', 'failed')",
        (owner_id, recipient_id, username, step, mode, text, reason, now, now),
    )
    return cursor.rowcount == 1


def record_imported(
    conn: sqlite3.Connection,
    owner_id: int,
    recipient_id: int,
    username: str,
    step: DmStep,
    state: DmState,
    *,
    reason: str,
    at: int,
) -> bool:
    """Record a live DM another tool sent ('sent') or that X refused it ('skipped') at `at`. True if written.

    Only adds: a row already there is kept as it is, except a 'failed' one (TwExport's own attempt, definitely
    not delivered, so due again), which the other tool's record replaces, or that DM would go out a second time.
    """
    cursor = conn.execute(
        "INSERT INTO dm_log (owner_id, recipient_id, recipient_username, step, mode, state, text, reason, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, 'live', ?, '', ?, ?, ?) "
        "ON CONFLICT (owner_id, recipient_id, step, mode) DO UPDATE SET state = excluded.state, "
        "reason = excluded.reason, event_id = NULL, created_at = excluded.created_at, "
        "updated_at = excluded.updated_at WHERE dm_log.state = 'failed'",
        (owner_id, recipient_id, username, step, state, reason, at, at),
    )
    return cursor.rowcount == 1


def record_dry_run(
    conn: sqlite3.Connection,
    owner_id: int,
    recipient_id: int,
    username: str,
    step: DmStep,
    text: str,
    now: int,
    *,
    reason: str = "",
) -> None:
    """A DM a dry run would send (state 'dry_run'), or would skip when `reason` is given (state 'skipped')."""
    state = DmState.SKIPPED if reason else DmState.DRY_RUN
    conn.execute(
        "INSERT OR REPLACE INTO dm_log (owner_id, recipient_id, recipient_username, step, mode, state, text, "
        "reason, created_at, updated_at) VALUES (?, ?, ?, ?, 'dry_run', ?, ?, ?, ?, ?)",
        (owner_id, recipient_id, username, step, state, text, reason, now, now),
    )


def clear_mode(conn: sqlite3.Connection, owner_id: int, mode: DmMode) -> int:
    """Delete the 'dry_run' or 'test' log so a new dry run or new test sends start clean. Never 'live'."""
    if mode == DmMode.LIVE:
        raise ValueError("The live DM log is the record of what was sent; it is never cleared.")
    return conn.execute("DELETE FROM dm_log WHERE owner_id = ? AND mode = ?", (owner_id, mode)).rowcount


def _transition(
    conn: sqlite3.Connection, assignments: str, values: list[Any],
    owner_id: int, recipient_id: int, step: DmStep, mode: DmMode, now: int,
) -> bool:
    """Move a 'sending' row on; only the holder of a claim may say how it ended."""
    cursor = conn.execute(
        f"UPDATE dm_log SET {assignments}, updated_at = ? WHERE {_KEY} AND state = 'sending'",
        (*values, now, owner_id, recipient_id, step, mode),
    )
    return cursor.rowcount == 1


# -- reads ---------------------------------------------------------------------------------------------
def get(conn: sqlite3.Connection, owner_id: int, recipient_id: int, step: DmStep, mode: DmMode) -> DmRow | None:
    row = _plain(conn).execute(f"SELECT {_ROW_COLUMNS} FROM dm_log WHERE {_KEY}",
                               (owner_id, recipient_id, step, mode)).fetchone()
    return None if row is None else DmRow.from_row(row)


def unconfirmed(conn: sqlite3.Connection, owner_id: int, mode: DmMode | None = None) -> list[DmRow]:
    """Rows stuck in 'sending': the app stopped between claiming a DM and recording how the send ended."""
    sql = f"SELECT {_ROW_COLUMNS} FROM dm_log WHERE owner_id = ? AND state = 'sending'"
    params: list[Any] = [owner_id]
    if mode is not None:
        sql += " AND mode = ?"
        params.append(mode)
    return [DmRow.from_row(row) for row in _plain(conn).execute(sql + " ORDER BY id", params)]


def status_rows(
    conn: sqlite3.Connection, owner_id: int, mode: DmMode = DmMode.LIVE, batch: int = 5000,
) -> Iterator[DmRow]:
    """Every DM of `mode` in log order, for the DM status view and CSV export."""
    cursor = _plain(conn).execute(
        f"SELECT {_ROW_COLUMNS} FROM dm_log WHERE owner_id = ? AND mode = ? ORDER BY id", (owner_id, mode))
    while rows := cursor.fetchmany(batch):
        yield from (DmRow.from_row(row) for row in rows)


SKIPPED_COLUMNS = ("user_id", "username", "name", "followers_count", "following_count", "step", "reason",
                   "skipped_at")


def skipped_with_profiles(conn: sqlite3.Connection, owner_id: int, mode: DmMode = DmMode.LIVE) -> Iterator[tuple]:
    """Followers a campaign skipped (they can't receive our DMs), with their profile and the reason, in
    `SKIPPED_COLUMNS` order (the seed's "skipped followers" export)."""
    cursor = _plain(conn).execute(
        "SELECT d.recipient_id, coalesce(f.username, d.recipient_username), coalesce(f.name, ''), "
        "f.followers_count, f.following_count, d.step, d.reason, d.updated_at "
        "FROM dm_log AS d LEFT JOIN followers AS f ON f.owner_id = d.owner_id AND f.user_id = d.recipient_id "
        "WHERE d.owner_id = ? AND d.mode = ? AND d.state = 'skipped' ORDER BY d.id", (owner_id, mode))
    while rows := cursor.fetchmany(5000):
        yield from rows


def counts(conn: sqlite3.Connection, owner_id: int, mode: DmMode = DmMode.LIVE) -> dict[tuple[str, str], int]:
    """{(step, state): rows}; absent keys are zero."""
    cursor = _plain(conn).execute(
        "SELECT step, state, count(*) FROM dm_log WHERE owner_id = ? AND mode = ? GROUP BY step, state",
        (owner_id, mode))
    return {(step, state): number for step, state, number in cursor}


def event_ids_for(conn: sqlite3.Connection, owner_id: int, recipient_id: int) -> set[str]:
    """X event ids already attributed to a row, so reconciliation never credits one message twice."""
    cursor = _plain(conn).execute(
        "SELECT event_id FROM dm_log WHERE owner_id = ? AND recipient_id = ? AND event_id IS NOT NULL",
        (owner_id, recipient_id))
    return {row[0] for row in cursor}


# -- the daily budget ----------------------------------------------------------------------------------
# X counts every DM the account sends, so test sends count too; 'sending' rows may have gone out.
_SENDS_IN_WINDOW = (
    "FROM dm_log WHERE owner_id = ? AND mode IN ('live', 'test') AND state IN ('sent', 'sending') "
    "AND updated_at > ?"
)


def sent_in_last_24h(conn: sqlite3.Connection, owner_id: int, now: int) -> int:
    return conn.execute(f"SELECT count(*) {_SENDS_IN_WINDOW}", (owner_id, now - WINDOW_24H)).fetchone()[0]


def slot_frees_at(conn: sqlite3.Connection, owner_id: int, now: int, cap: int) -> int | None:
    """When the 24 h count drops below `cap` again (None: it is already below)."""
    times = [row[0] for row in conn.execute(
        f"SELECT updated_at {_SENDS_IN_WINDOW} ORDER BY updated_at DESC", (owner_id, now - WINDOW_24H))]
    if len(times) < cap:
        return None
    return times[cap - 1] + WINDOW_24H


# -- do not contact ------------------------------------------------------------------------------------
def add_do_not_contact(conn: sqlite3.Connection, owner_id: int, user_id: int, reason: str, now: int) -> None:
    conn.execute(
        "INSERT INTO do_not_contact (owner_id, user_id, reason, added_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (owner_id, user_id) DO UPDATE SET reason = excluded.reason",
        (owner_id, user_id, reason, now))


def remove_do_not_contact(conn: sqlite3.Connection, owner_id: int, user_id: int) -> bool:
    cursor = conn.execute("DELETE FROM do_not_contact WHERE owner_id = ? AND user_id = ?", (owner_id, user_id))
    return cursor.rowcount == 1


def do_not_contact_list(conn: sqlite3.Connection, owner_id: int) -> list[DoNotContact]:
    cursor = _plain(conn).execute(
        "SELECT user_id, reason, added_at FROM do_not_contact WHERE owner_id = ? ORDER BY added_at, user_id",
        (owner_id,))
    return [DoNotContact(*row) for row in cursor]


def do_not_contact_entries(conn: sqlite3.Connection, owner_id: int) -> list[DoNotContactEntry]:
    """The list with each follower's @handle, in one query (one look-up per entry froze the dialog at 1M)."""
    cursor = _plain(conn).execute(
        "SELECT n.user_id, coalesce(f.username, ''), n.reason, n.added_at FROM do_not_contact AS n "
        "LEFT JOIN followers AS f ON f.owner_id = n.owner_id AND f.user_id = n.user_id "
        "WHERE n.owner_id = ? ORDER BY n.added_at, n.user_id", (owner_id,))
    return [DoNotContactEntry(*row) for row in cursor]


def is_do_not_contact(conn: sqlite3.Connection, owner_id: int, user_id: int) -> bool:
    return conn.execute("SELECT 1 FROM do_not_contact WHERE owner_id = ? AND user_id = ?",
                        (owner_id, user_id)).fetchone() is not None


# -- campaign candidates -------------------------------------------------------------------------------
_NOT_BLOCKED = (
    "NOT EXISTS (SELECT 1 FROM do_not_contact AS n WHERE n.owner_id = followers.owner_id "
    "AND n.user_id = followers.user_id)"
)


def _step_taken(step: DmStep) -> str:
    states = ", ".join(f"'{state}'" for state in SETTLED_STATES)
    return (
        "EXISTS (SELECT 1 FROM dm_log AS d WHERE d.owner_id = followers.owner_id "
        f"AND d.recipient_id = followers.user_id AND d.mode = 'live' AND d.step = '{step}' "
        f"AND d.state IN ({states}))"
    )


def _accepts_dms(accepts: bool) -> str:
    # NULL (X did not say) counts as accepting: X's 403 on send is the final word.
    return ("(followers.receives_your_dm IS NULL OR followers.receives_your_dm != 0)" if accepts
            else "followers.receives_your_dm = 0")


def first_step_where(filter_sql: str, filter_params: Sequence[Any], *, accepts_dms: bool) -> tuple[str, list[Any]]:
    """Followers matching the campaign filter who still follow, are not on the do-not-contact list and
    have no live first DM under way or done ('failed' ones are due again)."""
    where = (
        f"({filter_sql}) AND followers.unfollowed_at IS NULL AND {_NOT_BLOCKED} "
        f"AND NOT {_step_taken(DmStep.FIRST)} AND {_accepts_dms(accepts_dms)}"
    )
    return where, list(filter_params)


def retry_step_where(owner_id: int, sent_before: int, *, accepts_dms: bool) -> tuple[str, list[Any]]:
    """Followers whose live first DM was sent before `sent_before` and who have no retry under way or done.

    The campaign filter is deliberately not applied: a retry follows up a DM already sent, and a filter
    such as "not messaged yet" would otherwise exclude exactly those people.
    """
    where = (
        "followers.owner_id = ? AND followers.unfollowed_at IS NULL "
        f"AND {_NOT_BLOCKED} AND NOT {_step_taken(DmStep.RETRY)} AND {_accepts_dms(accepts_dms)} "
        "AND EXISTS (SELECT 1 FROM dm_log AS d WHERE d.owner_id = followers.owner_id "
        "AND d.recipient_id = followers.user_id AND d.mode = 'live' AND d.step = 'first' "
        "AND d.state = 'sent' AND d.updated_at <= ?)"
    )
    return where, [owner_id, sent_before]


def count_candidates(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> int:
    register_sql_functions(conn)
    return conn.execute(f"SELECT count(*) FROM followers WHERE {where}", list(params)).fetchone()[0]


def candidates(
    conn: sqlite3.Connection,
    where: str,
    params: Sequence[Any],
    tier_sql: str,
    tier_params: Sequence[Any],
    limit: int | None,
) -> list[CandidateRow]:
    """Matching followers, highest tier first, then most followed (so a capped day reaches them first)."""
    register_sql_functions(conn)
    sql = (
        f"SELECT followers.user_id, followers.username, followers.name, {tier_sql}, followers.receives_your_dm "
        f"FROM followers WHERE {where} "
        f"ORDER BY 4, followers.followers_count DESC, followers.user_id LIMIT ?"
    )
    cursor = _plain(conn).execute(sql, [*tier_params, *params, -1 if limit is None else limit])
    return [
        CandidateRow(user_id, username, name, tier, None if dm is None else bool(dm))
        for user_id, username, name, tier, dm in cursor
    ]


def earliest_retry_due(conn: sqlite3.Connection, owner_id: int, retry_after_seconds: int) -> int | None:
    """When the oldest live first DM still waiting for its retry becomes due (may be in the past)."""
    where, params = retry_step_where(owner_id, 2**62, accepts_dms=True)
    row = conn.execute(
        "SELECT min(d.updated_at) FROM dm_log AS d JOIN followers ON followers.owner_id = d.owner_id "
        "AND followers.user_id = d.recipient_id "
        f"WHERE d.mode = 'live' AND d.step = 'first' AND d.state = 'sent' AND {where}",
        params,
    ).fetchone()
    return None if row[0] is None else row[0] + retry_after_seconds


def _plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples even when the connection hands out sqlite3.Row
    return cursor


# -- campaign plan and funnel (campaigns/plan_calendar.py, campaigns/funnel.py) -------------------------
def send_times_in_last_24h(conn: sqlite3.Connection, owner_id: int, now: int) -> list[int]:
    """When each DM counted by `sent_in_last_24h` went out, oldest first: when their slots free again."""
    return [row[0] for row in conn.execute(
        f"SELECT updated_at {_SENDS_IN_WINDOW} ORDER BY updated_at", (owner_id, now - WINDOW_24H))]


def candidate_tier_counts(
    conn: sqlite3.Connection, where: str, params: Sequence[Any], tier_sql: str, tier_params: Sequence[Any],
) -> dict[int, int]:
    """{tier index: matching followers}: the per-tier totals of `candidates`, without reading the rows."""
    register_sql_functions(conn)
    cursor = _plain(conn).execute(f"SELECT {tier_sql}, count(*) FROM followers WHERE {where} GROUP BY 1",
                                  [*tier_params, *params])
    return dict(cursor)


def retry_waits(
    conn: sqlite3.Connection, owner_id: int, tier_sql: str, tier_params: Sequence[Any], *, accepts_dms: bool,
) -> list[tuple[int, int]]:
    """(tier index, time the first DM was sent) for everyone whose retry is still to come, due or not yet.

    Same people as `retry_step_where(owner_id, <any time>)`; the retry falls due retry_after after that time.
    """
    where, params = retry_step_where(owner_id, 2**62, accepts_dms=accepts_dms)
    cursor = _plain(conn).execute(
        f"SELECT {tier_sql}, (SELECT d.updated_at FROM dm_log AS d WHERE d.owner_id = followers.owner_id "
        "AND d.recipient_id = followers.user_id AND d.mode = 'live' AND d.step = 'first' AND d.state = 'sent') "
        f"FROM followers WHERE {where}", [*tier_params, *params])
    return [(tier, sent_at) for tier, sent_at in cursor]


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the schema has table `name` (for tables a newer migration adds, read when present)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


@dataclass(frozen=True)
class StepOutcomes:
    """What followed the live DMs of one step (see `step_outcomes`); unfollows are the follower history's
    (campaigns/outreach_churn.py `step_unfollows`)."""

    sent: int
    replied: int | None  # None: the database has no reply table yet
    opted_out: int


OPTED_OUT_PREFIX = "opted out"  # do_not_contact reasons written for people who asked to get no more DMs


def step_outcomes(conn: sqlite3.Connection, owner_id: int, step: DmStep) -> StepOutcomes:
    """Replies and opt-outs after the live DMs of `step` that were sent.

    A DM's time is its claim (`created_at`): the request left right after it, while `updated_at` can trail by
    minutes for a DM confirmed from X's history. A reply or an opt-out belongs to the latest DM before it: to the
    first DM until the retry went out, to the retry after.
    """
    next_step = DmStep.RETRY if step == DmStep.FIRST else None
    has_replies = table_exists(conn, "dm_replies")
    replied_sql = (
        "sum(EXISTS (SELECT 1 FROM dm_replies AS r WHERE r.owner_id = s.owner_id AND r.user_id = s.user_id "
        "AND r.created_at >= s.sent_at AND (s.next_at IS NULL OR r.created_at < s.next_at)))"
        if has_replies else "NULL")
    row = _plain(conn).execute(
        "WITH s AS (SELECT d.owner_id, d.recipient_id AS user_id, d.created_at AS sent_at, "
        "(SELECT n.created_at FROM dm_log AS n WHERE n.owner_id = d.owner_id AND n.recipient_id = d.recipient_id "
        "AND n.mode = 'live' AND n.step = ? AND n.state = 'sent') AS next_at "
        "FROM dm_log AS d WHERE d.owner_id = ? AND d.mode = 'live' AND d.step = ? AND d.state = 'sent') "
        f"SELECT count(*), {replied_sql}, "
        "sum(EXISTS (SELECT 1 FROM do_not_contact AS c WHERE c.owner_id = s.owner_id AND c.user_id = s.user_id "
        "AND lower(substr(c.reason, 1, ?)) = ? "
        "AND c.added_at >= s.sent_at AND (s.next_at IS NULL OR c.added_at < s.next_at))) FROM s",
        (next_step, owner_id, step, len(OPTED_OUT_PREFIX), OPTED_OUT_PREFIX),
    ).fetchone()
    sent, replied, opted_out = row
    return StepOutcomes(sent, None if not has_replies else int(replied or 0), int(opted_out or 0))


# -- replies (dm_replies, migration 4; written by campaigns/sender.py after campaigns/replies.py) ------------------
# The reason of a retry not sent because the follower answered the first DM (a 'skipped' dm_log row).
REPLIED_REASON = "replied"
# The start of the do-not-contact reason for a follower whose reply opted out; the matched phrase follows it.
OPT_OUT_REASON_PREFIX = "opted out: "


@dataclass(frozen=True)
class ReplyRow:
    """A message a follower wrote to us after a campaign DM. Its text is never stored: a private message."""

    user_id: int
    event_id: str
    created_at: int   # when the follower wrote (X's event time)
    opt_out: bool     # it opted out (campaigns/opt_out.py)
    recorded_at: int


def opt_out_reason(phrase: str) -> str:
    return f"{OPT_OUT_REASON_PREFIX}{phrase}"


def record_reply(
    conn: sqlite3.Connection, owner_id: int, user_id: int, event_id: str, created_at: int, *, opt_out: bool,
    now: int,
) -> bool:
    """Add a reply; True if it was new (or newly an opt-out). X's event id is the key, so reading a conversation
    twice records each reply once; a reply once seen as an opt-out stays one (the phrase list may change later)."""
    cursor = conn.execute(
        "INSERT INTO dm_replies (owner_id, user_id, event_id, created_at, opt_out, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner_id, event_id) DO UPDATE SET "
        "opt_out = max(dm_replies.opt_out, excluded.opt_out) WHERE excluded.opt_out > dm_replies.opt_out",
        (owner_id, user_id, event_id, created_at, int(opt_out), now),
    )
    return cursor.rowcount == 1


def replies_from(conn: sqlite3.Connection, owner_id: int, user_id: int) -> list[ReplyRow]:
    """One follower's recorded replies, oldest first."""
    cursor = _plain(conn).execute(
        "SELECT user_id, event_id, created_at, opt_out, recorded_at FROM dm_replies "
        "WHERE owner_id = ? AND user_id = ? ORDER BY created_at, event_id", (owner_id, user_id))
    return [ReplyRow(uid, event_id, created, bool(opt_out), recorded)
            for uid, event_id, created, opt_out, recorded in cursor]


def replied_user_ids(conn: sqlite3.Connection, owner_id: int, *, opt_out_only: bool = False) -> set[int]:
    """Followers with a recorded reply (or only those who opted out)."""
    sql = "SELECT DISTINCT user_id FROM dm_replies WHERE owner_id = ?" + (" AND opt_out = 1" if opt_out_only else "")
    return {row[0] for row in _plain(conn).execute(sql, (owner_id,))}
