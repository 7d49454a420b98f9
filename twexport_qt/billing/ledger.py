"""The spend ledger: every answer X billed, with what it cost after X's per-day de-duplication, kept durably.

`SpendRecorder.record` is the gateway's `on_answer` hook (see `AppContext.new_gateway`). It runs in the job's
thread, right after X answered, and commits on a connection of its own: X has billed the answer whatever
happens next, so the row must survive a job whose page transaction then fails, a cancel, or a crash.

De-duplication follows X (XAPI_FACTS §4.2): a resource is billed once per UTC day, per profile (one X app), kind
and rate; a second read of a follower on the same day is recorded as returned, not billed. Writes (a DM sent) are
billed per request and never de-duplicated. Where X's rule is unsure the ledger bills the higher amount, so it never
shows less than X charges.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from twexport_qt.billing.days import utc_day
from twexport_qt.billing.prices import PriceTable, from_micros, to_micros
from twexport_qt.billing.resources import BillableResources, billable_resources
from twexport_qt.core.clock import Clock
from twexport_qt.gateway.x_gateway import AnswerReceipt
from twexport_qt.store import spend_repo
from twexport_qt.store.spend_repo import SpendRow

log = logging.getLogger(__name__)

# X's day is a UTC day; the ids of the day before are kept too, for a recorder whose clock is a little behind.
KEEP_BILLED_IDS_DAYS = 2


def bill_answer(conn: sqlite3.Connection, receipt: AnswerReceipt, prices: PriceTable, *, profile: str,
                job: str | None, now: float) -> list[SpendRow]:
    """Bill one answer into the ledger on `conn` (without committing: the caller's transaction) and return its rows.

    One row per resource kind and rate in the answer, even when the day's de-duplication leaves nothing to bill:
    the row then shows what a repeated read saved.
    """
    day = utc_day(now)
    rows = [_bill(conn, group, receipt.endpoint, prices, profile=profile, job=job, day=day, now=now)
            for group in billable_resources(receipt)]
    for row in rows:
        spend_repo.add(conn, row)
    return rows


def _bill(conn: sqlite3.Connection, group: BillableResources, endpoint: str, prices: PriceTable, *, profile: str,
          job: str | None, day: str, now: float) -> SpendRow:
    returned = len(group.resource_ids)
    if prices.is_per_request(group.kind):
        billed = returned  # writes: every accepted request is billed
    else:
        billed = spend_repo.mark_billed(conn, day, profile, group.kind, group.owned, group.resource_ids)
    unit = prices.unit_price(group.kind, owned=group.owned)
    return SpendRow(billed_at=int(now), utc_day=day, profile=profile, job=job, endpoint=endpoint,
                    resource_kind=str(group.kind), owned=group.owned, returned=returned, billed=billed,
                    unit_price_micros=to_micros(unit), amount_micros=to_micros(unit * billed))


@dataclass
class _Pending:
    receipt: AnswerReceipt
    at: float


class SpendRecorder:
    """Records the answers of one job's gateway into the ledger, each in a small transaction of its own.

    `connect()` returns the connection to write with; it must not be the job's own connection, whose open page
    transaction would otherwise carry the row (and lose it on a rollback). `busy()` says whether writing now
    would wait on that job connection's own open write (the same thread can't wait for itself); the answer is
    then kept and written with the next one, or by `flush()` when the job's connection is closed. A write that
    fails (a full disk) is kept the same way and logged: it never fails the answer X already billed.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection], prices: PriceTable, clock: Clock, *,
                 profile: str, job: str | None = None, busy: Callable[[], bool] | None = None,
                 on_recorded: Callable[[list[SpendRow]], None] | None = None) -> None:
        self._connect = connect
        self.prices = prices
        self._clock = clock
        self.profile = profile
        self.job = None if job is None else str(job)  # a JobName is stored as its plain value
        self._busy = busy
        self._on_recorded = on_recorded
        self._pending: list[_Pending] = []
        self._forgot_before: str | None = None
        self._recorded_micros = 0

    @property
    def recorded(self) -> Decimal:
        """Dollars this recorder wrote into the ledger so far (after de-duplication): a run's own spend."""
        return from_micros(self._recorded_micros)

    @property
    def pending_receipts(self) -> tuple[AnswerReceipt, ...]:
        """The answers billed by X but not written yet, oldest first (a spending guard prices them too)."""
        return tuple(item.receipt for item in self._pending)

    @property
    def pending(self) -> int:
        """Answers not written yet (waiting for the job's transaction, or for a disk that failed)."""
        return len(self._pending)

    def record(self, receipt: AnswerReceipt) -> None:
        """The gateway's `on_answer` hook: bill `receipt` now, at the recorder's clock."""
        self._pending.append(_Pending(receipt, self._clock.now()))
        if self._busy is not None and self._busy():
            return
        self.flush()

    def flush(self) -> None:
        """Write every kept answer; keeps them (and logs) if the database refuses."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        written: list[SpendRow] = []
        try:
            conn = self._connect()
            with conn:
                self._forget_past_days(conn, utc_day(pending[-1].at))
                for item in pending:
                    written += bill_answer(conn, item.receipt, self.prices, profile=self.profile, job=self.job,
                                           now=item.at)
        except Exception:  # sqlite3's errors, a database the app can't open, a context closing: never the job's end
            log.warning("Could not write %d billed answer(s) to the spend ledger yet; kept to try again",
                        len(pending), exc_info=True)
            self._pending = pending + self._pending
            return
        self._recorded_micros += sum(row.amount_micros for row in written)
        if self._on_recorded is not None and written:
            self._on_recorded(written)

    def _forget_past_days(self, conn: sqlite3.Connection, day: str) -> None:
        keep_from = (dt.date.fromisoformat(day) - dt.timedelta(days=KEEP_BILLED_IDS_DAYS - 1)).isoformat()
        if self._forgot_before != keep_from:
            spend_repo.forget_billed_before(conn, keep_from)
            self._forgot_before = keep_from

