"""Twitter Exporter's DM history into TwExport's DM log, so nobody it messaged is messaged again as if new.

What the old tool knew becomes live rows of the log, keyed by the account the history belongs to:
- its first `dm_status` row for a follower: step 'first', 'sent', at that row's time;
- a second row: step 'retry', 'sent' (Twitter Exporter never messaged anyone a third time, and neither will
  TwExport: both steps are taken);
- `skip_user`: 'skipped' for the step X refused, which is the next one the old tool would have sent: the first
  DM, or the retry for someone who had the first (the old tool never tried them again, and TwExport's planner
  never plans a skipped step). A 'skipped' first step also keeps them from the retry, which needs a 'sent' first.
A follower with one DM gets the retry once it is due (`retry_after_days` after that DM), as in the old tool.

The import only adds (`dm_repo.record_imported`), in one transaction: a TwExport row already there is kept, so a
second import of the same file changes nothing. The one exception is a 'failed' row (TwExport's own attempt, not
delivered, so due again): the old record replaces it, or TwExport would send a DM the old tool already sent. Times
that could not be read become the time of the import: the DM was sent, only when is unknown, and a retry then
waits its full delay from now.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from twexport_qt.campaigns.twitter_exporter_db import LegacyHistory, LegacyPerson
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.dm_repo import DmRow
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

SENT_REASON = "imported from Twitter Exporter"
UNKNOWN_TIME_REASON = "imported from Twitter Exporter (its time could not be read: the import's time is used)"
REFUSED_REASON = "imported from Twitter Exporter: X refused DMs (code 349)"
_STEPS: tuple[DmStep, DmStep] = (DmStep.FIRST, DmStep.RETRY)


@dataclass
class HistoryImportResult:
    """What the import changed in the DM log, and what follows from it for the campaign."""

    owner_id: int
    firsts_added: int = 0
    retries_added: int = 0
    first_skips_added: int = 0
    retry_skips_added: int = 0
    failed_replaced: int = 0  # of the above: TwExport 'failed' rows that the old history says are done
    already_logged: int = 0  # rows TwExport already had (any other state): left as they were
    redundant_skips: int = 0  # in skip_user although both DMs were sent: nothing left to refuse
    waiting_for_retry: int = 0  # first DM sent, no retry yet: TwExport sends it when due
    retry_due_now: int = 0
    without_username: int = 0  # not among TwExport's fetched followers: their rows have no username yet

    @property
    def added(self) -> int:
        return self.firsts_added + self.retries_added + self.first_skips_added + self.retry_skips_added


@dataclass(frozen=True)
class _Entry:
    step: DmStep
    state: DmState  # SENT or SKIPPED
    at: int
    reason: str


def import_history(
    conn: sqlite3.Connection, owner_id: int, history: LegacyHistory, *, now: int, retry_after_seconds: int | None,
) -> HistoryImportResult:
    """Add `history` to `owner_id`'s live DM log in one transaction (all of it, or nothing on any error).

    `retry_after_seconds` (None: no retry message) only feeds the counts of retries waiting and due.
    """
    result = HistoryImportResult(owner_id)
    with conn:
        # IMMEDIATE: no campaign in another process can write between reading what is there and adding to it.
        conn.execute("BEGIN IMMEDIATE")
        logged: dict[int, dict[DmStep, DmRow]] = {}
        for row in dm_repo.status_rows(conn, owner_id, DmMode.LIVE):
            logged.setdefault(row.recipient_id, {})[row.step] = row
        for person in history.people.values():
            follower = followers_repo.get_follower(conn, owner_id, person.user_id)
            result.without_username += follower is None
            steps = _import_person(conn, owner_id, person, follower.username if follower else "",
                                   logged.get(person.user_id, {}), now, result)
            _count_retry(steps, now, retry_after_seconds, result)
    return result


def _entries(person: LegacyPerson, now: int) -> list[_Entry]:
    entries = [
        _Entry(step, DmState.SENT, now, UNKNOWN_TIME_REASON) if sent_at is None
        else _Entry(step, DmState.SENT, sent_at, SENT_REASON)
        for step, sent_at in zip(_STEPS, person.dms)
    ]
    if person.skipped and len(person.dms) < len(_STEPS):
        entries.append(_Entry(_STEPS[len(person.dms)], DmState.SKIPPED, person.skipped_at or now, REFUSED_REASON))
    return entries


def _import_person(
    conn: sqlite3.Connection, owner_id: int, person: LegacyPerson, username: str, logged: dict[DmStep, DmRow],
    now: int, result: HistoryImportResult,
) -> dict[DmStep, tuple[DmState, int]]:
    """Write `person`'s rows; returns {step: (state, time)} as the log holds them afterwards."""
    if person.skipped and len(person.dms) >= len(_STEPS):
        result.redundant_skips += 1
    steps = {step: (row.state, row.updated_at) for step, row in logged.items()}
    for entry in _entries(person, now):
        written = dm_repo.record_imported(conn, owner_id, person.user_id, username, entry.step, entry.state,
                                          reason=entry.reason, at=entry.at)
        if not written:
            result.already_logged += 1
            continue
        steps[entry.step] = (entry.state, entry.at)
        result.failed_replaced += entry.step in logged
        if entry.state == DmState.SENT:
            if entry.step == DmStep.FIRST:
                result.firsts_added += 1
            else:
                result.retries_added += 1
        elif entry.step == DmStep.FIRST:
            result.first_skips_added += 1
        else:
            result.retry_skips_added += 1
    return steps


def _count_retry(steps: dict[DmStep, tuple[DmState, int]], now: int, retry_after_seconds: int | None,
                 result: HistoryImportResult) -> None:
    """A first DM 'sent' and no retry done or under way: the planner sends the retry when it is due."""
    first, retry = steps.get(DmStep.FIRST), steps.get(DmStep.RETRY)
    if first is None or first[0] != DmState.SENT or (retry is not None and retry[0] in dm_repo.SETTLED_STATES):
        return
    result.waiting_for_retry += 1
    if retry_after_seconds is not None and first[1] <= now - retry_after_seconds:
        result.retry_due_now += 1
