"""Spending limits that stop a job before the request that could pass them: a run's `--max-cost` and the
profile's daily and monthly budgets.

`SpendGuard.before_request` is the gateway's `before_request` hook (see `AppContext.new_gateway`). It prices the
request at its worst case, every object it may return billed at the rate the ledger would use (the Owned Read
rate only where `resources.owned_read_applies` says so, includes always at the standard rate, no de-duplication),
and adds what was spent already: this run's ledger rows for `--max-cost`; the profile's ledger for today (UTC) or
this month for a budget, whichever job or process spent it. Answers X billed but the ledger has not written yet
are counted at their undeduplicated price. If the sum would pass a limit it raises `MaxCostReached` or
`BudgetReached` (both a `Cancelled`): the request is never sent, every job keeps what it committed, and the next
run resumes. So the ledger never shows more than a budget, whatever X would have answered.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from twexport_qt.billing.days import utc_day
from twexport_qt.billing.ledger import SpendRecorder
from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd
from twexport_qt.billing.report import Month, spent_in_month, spent_today
from twexport_qt.billing.resources import billable_resources, endpoint_billing, owned_read_applies
from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import BudgetReached, MaxCostReached
from twexport_qt.gateway.endpoints import ENDPOINT_SEARCH_ALL, ENDPOINT_TWEETS, ENDPOINT_USER_TWEETS
from twexport_qt.gateway.x_gateway import AnswerReceipt, PlannedRequest

# The most `includes` objects per object in `data`, for the expansions the gateway asks for (x_gateway.py):
# a post references at most two others (replied-to and quoted, or one retweeted), and names up to four users
# (its author, the user it replies to, the authors of the two it references). X de-duplicates `includes`, so
# real answers hold far fewer; a limit must hold for the worst answer, though.
INCLUDED_PER_ITEM: Mapping[str, Mapping[ResourceKind, int]] = MappingProxyType({
    ENDPOINT_USER_TWEETS: MappingProxyType({ResourceKind.POSTS: 2, ResourceKind.USERS: 4}),
    ENDPOINT_SEARCH_ALL: MappingProxyType({ResourceKind.POSTS: 2, ResourceKind.USERS: 4}),
    ENDPOINT_TWEETS: MappingProxyType({ResourceKind.USERS: 1}),  # expansions=author_id only
})


def worst_case_cost(request: PlannedRequest, prices: PriceTable) -> Decimal:
    """The most X can bill for `request`: `max_results` objects in `data` and every include they may bring."""
    billing = endpoint_billing(request.endpoint)
    owned = owned_read_applies(request.endpoint, user_context=request.user_context, subject_id=request.subject_id,
                               signed_in_id=request.signed_in_id)
    cost = prices.cost(billing.data_kind, request.max_results, owned=owned)
    for kind, per_item in INCLUDED_PER_ITEM.get(request.endpoint, {}).items():
        cost += prices.cost(kind, per_item * request.max_results, owned=False)
    return cost


def receipt_cost_at_most(receipt: AnswerReceipt, prices: PriceTable) -> Decimal:
    """What an answer costs before the day's de-duplication: an upper bound of what the ledger will bill for it."""
    return sum((prices.cost(group.kind, len(group.resource_ids), owned=group.owned)
                for group in billable_resources(receipt)), Decimal(0))


@dataclass(frozen=True)
class SpendLimits:
    """The limits one job runs under, in dollars; None: no such limit."""

    max_cost: Decimal | None = None        # this run's own spend (`--max-cost`)
    daily_budget: Decimal | None = None    # the profile's spend per UTC day
    monthly_budget: Decimal | None = None  # the profile's spend per UTC calendar month

    @property
    def any(self) -> bool:
        return any(limit is not None for limit in (self.max_cost, self.daily_budget, self.monthly_budget))


class SpendGuard:
    """Checks each billable request of one job's gateway against its limits (see the module docstring).

    `connect()` gives the connection to read the ledger with (the recorder's own, never the job's).
    """

    def __init__(self, recorder: SpendRecorder, connect: Callable[[], sqlite3.Connection], clock: Clock,
                 limits: SpendLimits) -> None:
        self._recorder = recorder
        self._connect = connect
        self._clock = clock
        self.limits = limits

    @property
    def prices(self) -> PriceTable:
        return self._recorder.prices

    def spent_in_run(self) -> Decimal:
        """This run's spend so far, answers not yet written counted at their undeduplicated price."""
        return self._recorder.recorded + self._pending()

    def before_request(self, request: PlannedRequest) -> None:
        """The gateway's hook: raises MaxCostReached / BudgetReached if `request` could pass a limit."""
        worst = worst_case_cost(request, self.prices)
        limits = self.limits
        if limits.max_cost is not None:
            spent = self.spent_in_run()
            if spent + worst > limits.max_cost:
                raise MaxCostReached(max_cost_sentence(limits.max_cost, spent, worst))
        if limits.daily_budget is None and limits.monthly_budget is None:
            return
        now = self._clock.now()
        conn = self._connect()
        pending = self._pending()
        profile = self._recorder.profile
        if limits.daily_budget is not None:
            spent = spent_today(conn, profile, now) + pending
            if spent + worst > limits.daily_budget:
                raise BudgetReached(budget_sentence(BudgetPeriod.DAY, limits.daily_budget, spent, worst, profile,
                                                    now))
        if limits.monthly_budget is not None:
            spent = spent_in_month(conn, profile, Month.of(now)) + pending
            if spent + worst > limits.monthly_budget:
                raise BudgetReached(budget_sentence(BudgetPeriod.MONTH, limits.monthly_budget, spent, worst,
                                                    profile, now))

    def _pending(self) -> Decimal:
        return sum((receipt_cost_at_most(receipt, self.prices) for receipt in self._recorder.pending_receipts),
                   Decimal(0))


class BudgetPeriod(StrEnum):
    """The two budgets' periods, as the sentences name them."""

    DAY = "daily"
    MONTH = "monthly"


def budget_resets_at(period: BudgetPeriod, now: float) -> dt.datetime:
    """When a budget's period ends: the next UTC midnight, or the 1st of next month at 00:00 UTC."""
    today = dt.date.fromisoformat(utc_day(now))
    if period == BudgetPeriod.DAY:
        next_day = today + dt.timedelta(days=1)
    else:
        next_day = Month.of(now).last_day + dt.timedelta(days=1)
    return dt.datetime(next_day.year, next_day.month, next_day.day, tzinfo=dt.UTC)


def budget_sentence(period: BudgetPeriod, budget: Decimal, spent: Decimal, worst: Decimal, profile: str,
                    now: float) -> str:
    """'Paused before passing the daily budget of $5.00 of profile 'Main': …, resets at midnight UTC (in 3 h).'"""
    resets = budget_resets_at(period, now)
    spent_when = "today (UTC)" if period == BudgetPeriod.DAY else f"in {resets - dt.timedelta(days=1):%B %Y}"
    when = (f"at midnight UTC (in {_duration(resets.timestamp() - now)})" if period == BudgetPeriod.DAY
            else f"on {resets.day} {resets:%B %Y} (UTC)")
    sentence = (f"Paused before passing the {period} budget of {format_usd(budget)} of profile {profile!r}: "
                f"{format_usd(spent)} is spent {spent_when} and the next request could cost up to "
                f"{format_usd(worst)}. The budget resets {when}; run again then, or raise it in Settings.")
    if worst > budget:
        sentence += f" One request can cost more than the whole {period} budget: raise it above {format_usd(worst)}."
    return sentence


def max_cost_sentence(max_cost: Decimal, spent: Decimal, worst: Decimal) -> str:
    sentence = (f"Stopped before passing --max-cost {format_usd(max_cost)}: this run spent {format_usd(spent)} and "
                f"the next request could cost up to {format_usd(worst)}.")
    if worst > max_cost:
        sentence += f" One request can cost more than that: give --max-cost above {format_usd(worst)}."
    return sentence


def _duration(seconds: float) -> str:
    minutes = max(1, int(seconds // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
