"""The campaign's calendar before it runs: which day each first DM and retry goes out, to which tiers, at what cost.

It simulates sending, DM by DM, under the limits a real run meets: X's 15 DMs per 15 minutes and 1,440 per
24 hours, and the profile's daily cap, which counts every DM of the last 24 hours (test sends and DMs already
sent included, `dm_repo.sent_in_last_24h`). 15 per 15 minutes is exactly 1,440 a day, and the cap is at most
1,440, so the cap is what binds; the window pacing only spreads a day's DMs over its hours. As in a run
(`planner.py`), retries go before first DMs and higher tiers before lower ones. A retry falls due
`retry_after_days` after its first DM, also for first DMs this calendar plans, so retries of day 1 appear on day
1+N. It assumes the campaign runs whenever a DM may go out (automatic mode), nobody new follows, and nobody
unfollows, replies or opts out before their retry: the real campaign re-plans at every run.

Plain Python over SQL: no network, nothing written. Text for the CLI and the GUI: `plan_report.py`.
"""

from __future__ import annotations

import dataclasses
import heapq
import sqlite3
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from twexport_qt.campaigns.settings import X_DAILY_DM_LIMIT, CampaignSettings
from twexport_qt.core.timefmt import to_utc_datetime
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.tiers import tier_case_sql
from twexport_qt.store import dm_repo, followers_repo

# X's pay-per-use prices (XAPI_FACTS §4.2, docs.x.com pricing page as of PRICES_AS_OF). A stand-in: the
# cost-control work will replace these constants with the prices it keeps up to date.
PRICES_AS_OF = "2026-08"
DM_CREATE_PRICE_USD = Decimal("0.015")      # per request, "DM Interaction: Create"
DM_EVENT_READ_PRICE_USD = Decimal("0.010")  # per DM event returned
# An estimate: the reply check before each retry reads that conversation's DM history; one event per retry
# assumes a conversation holding only our first DM (each reply read costs one more).
DM_EVENT_READS_PER_RETRY = 1

X_WINDOW_S = 15 * 60
X_DMS_PER_WINDOW = 15  # X's per-user DM limit per 15 minutes; 96 windows a day make X_DAILY_DM_LIMIT
DAY_S = dm_repo.WINDOW_24H
PLAN_DAYS = 60  # how far the calendar looks; what comes later is counted, not dated


@dataclass(frozen=True)
class PlanDay:
    """One UTC date of the calendar. Tuples are indexed by tier, in the settings' tier order."""

    date: date
    day: int                              # 1 = the date the plan starts on
    first_by_tier: tuple[int, ...]
    retry_by_tier: tuple[int, ...]
    retries_falling_due: int              # retries whose due time is on this date (due ones count on day 1)

    @property
    def first(self) -> int:
        return sum(self.first_by_tier)

    @property
    def retry(self) -> int:
        return sum(self.retry_by_tier)

    @property
    def cost_usd(self) -> Decimal:
        return estimated_cost(self.first, self.retry)


@dataclass(frozen=True)
class CampaignCalendar:
    start: int                    # epoch seconds the plan starts at
    tiers: tuple[str, ...]
    daily_cap: int
    sent_last_24h: int            # DMs (live and test) already counted against today's cap
    retry_after_days: int | None  # None: no retry message, no retries
    followers: int                # current followers of the account (0: nothing fetched yet)
    due_first: int                # first DMs due now (accepting DMs)
    due_retry: int                # retries due now
    waiting_retry: int            # retries of first DMs already sent, not due yet
    skipped: int                  # due or waiting, but X says they don't accept our DMs: never sent, no cost
    days: tuple[PlanDay, ...]     # only dates with DMs or retries falling due
    later_first: int              # not sent within the horizon
    later_retry: int              # incl. the retries of `later_first`
    horizon_days: int
    sends_live: bool              # the profile sends live DMs now (else this is what live sending would do)
    live_confirmed: bool
    test_mode: bool

    @property
    def horizon_end(self) -> date:
        return start_date(self.start) + timedelta(days=self.horizon_days - 1)

    @property
    def first(self) -> int:
        return sum(day.first for day in self.days)

    @property
    def retry(self) -> int:
        return sum(day.retry for day in self.days)

    @property
    def cost_usd(self) -> Decimal:
        """What the DMs within the horizon cost."""
        return estimated_cost(self.first, self.retry)

    @property
    def total_cost_usd(self) -> Decimal:
        """What everything due now and the retries that follow cost, later days included."""
        return estimated_cost(self.first + self.later_first, self.retry + self.later_retry)


def estimated_cost(first: int, retry: int) -> Decimal:
    """Each DM is one create request; each retry adds the DM-history read of its reply check (an estimate)."""
    return (first + retry) * DM_CREATE_PRICE_USD + retry * DM_EVENT_READS_PER_RETRY * DM_EVENT_READ_PRICE_USD


def start_date(epoch: int) -> date:
    return to_utc_datetime(epoch).date()


def build_calendar(
    conn: sqlite3.Connection,
    owner_id: int,
    settings: CampaignSettings,
    now: int,
    *,
    horizon_days: int = PLAN_DAYS,
) -> CampaignCalendar:
    """The live campaign's calendar from `now`, whatever mode the profile is in (test mode and the master switch
    decide whether it runs, not what it would send). SQL only."""
    live = dataclasses.replace(settings, test_mode=False, dry_run=False)
    tiers = live.tiers
    tier_sql, tier_params = tier_case_sql(tiers)
    filter_sql, filter_params = (live.recipient_filter or FollowerFilter()).to_sql(owner_id, tiers, now=now)

    def per_tier(counts: dict[int, int]) -> list[int]:
        return [counts.get(index, 0) for index in range(len(tiers))]

    firsts = per_tier(dm_repo.candidate_tier_counts(
        conn, *dm_repo.first_step_where(filter_sql, filter_params, accepts_dms=True), tier_sql, tier_params))
    skipped = dm_repo.count_candidates(conn, *dm_repo.first_step_where(filter_sql, filter_params, accepts_dms=False))
    retry_after = live.retry_after_seconds if live.retry_enabled else None
    retries: list[tuple[int, int]] = []  # (due at, tier)
    if retry_after is not None:
        retries = [(sent_at + retry_after, tier) for tier, sent_at in
                   dm_repo.retry_waits(conn, owner_id, tier_sql, tier_params, accepts_dms=True)]
        skipped += dm_repo.count_candidates(conn, *dm_repo.retry_step_where(owner_id, 2**62, accepts_dms=False))
    recent = dm_repo.send_times_in_last_24h(conn, owner_id, now)
    due_retry = sum(1 for due_at, _ in retries if due_at <= now)

    simulation = _Simulation(now, live.daily_cap, recent, len(tiers), horizon_days)
    simulation.run(firsts, retries, retry_after)
    return CampaignCalendar(
        start=now, tiers=tuple(tier.name for tier in tiers), daily_cap=live.daily_cap, sent_last_24h=len(recent),
        retry_after_days=live.retry_after_days if retry_after is not None else None,
        followers=followers_repo.count(conn, owner_id, FollowerFilter(), tiers=tiers),
        due_first=sum(firsts), due_retry=due_retry, waiting_retry=len(retries) - due_retry, skipped=skipped,
        days=simulation.days(), later_first=simulation.later_first, later_retry=simulation.later_retry,
        horizon_days=horizon_days, sends_live=settings.sends_live, live_confirmed=settings.live_confirmed,
        test_mode=settings.test_mode,
    )


class _Simulation:
    """Sends one DM at a time at the earliest moment the limits allow, as automatic mode would."""

    def __init__(self, now: int, daily_cap: int, recent: list[int], tiers: int, horizon_days: int) -> None:
        self.start = now
        self.cap = min(daily_cap, X_DAILY_DM_LIMIT)
        self.window: deque[int] = deque(sorted(recent))  # send times still inside the last 24 hours
        # X's 15-minute window may already be partly spent by the DMs of the last minutes.
        in_window = [t for t in self.window if t > now - X_WINDOW_S]
        self.pace_start: int | None = min(in_window) if in_window else None
        self.pace_count = len(in_window)
        self.tiers = tiers
        self.first_day = start_date(now)
        self.end = int(to_utc_datetime(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
                       ) + horizon_days * DAY_S
        self._first: dict[int, list[int]] = {}
        self._retry: dict[int, list[int]] = {}
        self._falling_due: dict[int, int] = {}
        self.later_first = self.later_retry = 0

    def run(self, firsts: list[int], retries: list[tuple[int, int]], retry_after: int | None) -> None:
        firsts = list(firsts)
        pending: list[tuple[int, int]] = list(retries)  # (due at, tier): a heap, earliest first
        heapq.heapify(pending)
        due = [0] * self.tiers
        t = self.start
        while True:
            t = self._earliest_send(t)
            while pending and pending[0][0] <= t and pending[0][0] < self.end:
                due_at, tier = heapq.heappop(pending)
                due[tier] += 1
                self._count_due(max(due_at, self.start))
            if t >= self.end:
                break
            step_retry = next((i for i, n in enumerate(due) if n), None)  # retries first, higher tiers first
            step_first = None if step_retry is not None else next((i for i, n in enumerate(firsts) if n), None)
            if step_retry is not None:
                self._send(t)
                due[step_retry] -= 1
                self._bucket(self._retry, t)[step_retry] += 1
            elif step_first is None:
                if not pending:
                    break
                t = max(t, pending[0][0])  # idle until the next retry falls due
                continue
            else:
                self._send(t)
                firsts[step_first] -= 1
                self._bucket(self._first, t)[step_first] += 1
                if retry_after is not None:
                    heapq.heappush(pending, (t + retry_after, step_first))
        for due_at, _ in pending:  # fell due within the horizon but could not be sent in it
            if due_at < self.end:
                self._count_due(max(due_at, self.start))
        self.later_first = sum(firsts)
        self.later_retry = sum(due) + len(pending) + (self.later_first if retry_after is not None else 0)

    def _earliest_send(self, t: int) -> int:
        """The first moment at or after `t` when both the daily cap and X's 15-minute window allow a DM."""
        while True:
            while self.window and self.window[0] <= t - DAY_S:  # as `sent_in_last_24h`: updated_at > now - 24 h
                self.window.popleft()
            if len(self.window) >= self.cap:
                t = self.window[len(self.window) - self.cap] + DAY_S  # the cap-th newest leaves the 24 hours
                continue
            if (self.pace_start is not None and t < self.pace_start + X_WINDOW_S
                    and self.pace_count >= X_DMS_PER_WINDOW):
                t = self.pace_start + X_WINDOW_S  # the pacer waits for X's window to reset
                continue
            return t

    def _send(self, t: int) -> None:
        self.window.append(t)
        if self.pace_start is None or t >= self.pace_start + X_WINDOW_S:
            self.pace_start, self.pace_count = t, 0
        self.pace_count += 1

    def _day(self, t: int) -> int:
        return (start_date(t) - self.first_day).days

    def _bucket(self, buckets: dict[int, list[int]], t: int) -> list[int]:
        return buckets.setdefault(self._day(t), [0] * self.tiers)

    def _count_due(self, t: int) -> None:
        day = self._day(t)
        self._falling_due[day] = self._falling_due.get(day, 0) + 1

    def days(self) -> tuple[PlanDay, ...]:
        zeros = [0] * self.tiers
        indexes = sorted(set(self._first) | set(self._retry) | set(self._falling_due))
        return tuple(PlanDay(self.first_day + timedelta(days=i), i + 1, tuple(self._first.get(i, zeros)),
                             tuple(self._retry.get(i, zeros)), self._falling_due.get(i, 0)) for i in indexes)
