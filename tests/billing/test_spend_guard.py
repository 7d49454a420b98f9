"""Budgets and --max-cost stop a job before the request that could pass them, on the sandbox that bills like X:
the ledger never passes the limit, the job keeps what it committed, and the next run resumes without loss and
without paying twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.billing.conftest import DAY, BilledApp
from tests.campaigns.campaign_support import live
from twexport_qt.billing.guard import SpendLimits, worst_case_cost
from twexport_qt.billing.prices import DEFAULT_PRICES
from twexport_qt.campaigns.sender import run_campaign
from twexport_qt.core import errors
from twexport_qt.core.errors import EXIT_JOB_STOPPED
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.endpoints import ENDPOINT_DM_SEND, ENDPOINT_FOLLOWERS, ENDPOINT_USER_TWEETS
from twexport_qt.gateway.x_gateway import PlannedRequest
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store import dm_repo, followers_repo

FOLLOWERS = 2_500  # the `sandbox_server` fixture's: pages of 1,000, 1,000 and 500


def guarded_fetch(billed: BilledApp, limits: SpendLimits):
    gateway, guard = billed.guarded_gateway(limits, "fetch-followers")
    return fetch_followers(billed.conn, gateway, billed.pacer(gateway), billed.clock), guard


def test_a_request_is_priced_at_its_worst_case():
    owned_page = PlannedRequest(ENDPOINT_FOLLOWERS, True, SANDBOX_USER_ID, SANDBOX_USER_ID, 1_000)
    assert worst_case_cost(owned_page, DEFAULT_PRICES) == Decimal("1.000")  # 1,000 x $0.001
    bearer_page = PlannedRequest(ENDPOINT_FOLLOWERS, False, SANDBOX_USER_ID, SANDBOX_USER_ID, 1_000)
    assert worst_case_cost(bearer_page, DEFAULT_PRICES) == Decimal("10.000")
    unknown_owner = PlannedRequest(ENDPOINT_FOLLOWERS, True, SANDBOX_USER_ID, None, 1_000)
    assert worst_case_cost(unknown_owner, DEFAULT_PRICES) == Decimal("10.000")  # as the ledger would bill it
    assert worst_case_cost(PlannedRequest(ENDPOINT_DM_SEND, True, 5, 1, 1), DEFAULT_PRICES) == Decimal("0.015")
    # 100 posts of someone else, each with up to 2 included posts and 4 included users
    timeline = PlannedRequest(ENDPOINT_USER_TWEETS, True, 7, SANDBOX_USER_ID, 100)
    assert worst_case_cost(timeline, DEFAULT_PRICES) == Decimal("0.5") + Decimal("1.0") + Decimal("4.0")


def test_a_daily_budget_pauses_the_fetch_before_it_is_passed_and_the_next_run_resumes_without_loss(billed):
    with pytest.raises(errors.BudgetReached) as paused:
        guarded_fetch(billed, SpendLimits(daily_budget=Decimal("1.50")))
    # /users/me ($0.01) and the first page ($1.00); the second page could cost $1.00 more: not requested
    assert billed.ledger_total() == billed.server.billing.total() == Decimal("1.01") <= Decimal("1.50")
    message = paused.value.user_message
    assert message.startswith("Paused before passing the daily budget of $1.50 of profile 'Sandbox': $1.01 is "
                              "spent today (UTC) and the next request could cost up to $1.00.")
    assert "resets at midnight UTC (in 24 h 0 min)" in message
    assert isinstance(paused.value, errors.Cancelled) and paused.value.exit_code == EXIT_JOB_STOPPED
    assert followers_repo.count(billed.conn, SANDBOX_USER_ID) == 1_000  # the first page is committed

    result, _ = guarded_fetch(billed, SpendLimits(daily_budget=Decimal("10")))  # raised in Settings
    assert result.resumed and result.pages == 2 and result.total_in_run == FOLLOWERS
    assert followers_repo.count(billed.conn, SANDBOX_USER_ID) == FOLLOWERS
    # Every follower was read and billed exactly once: the paused run's page was not asked for again.
    assert billed.server.billing.billed(XResource.FOLLOWS_READ, owned=True) == FOLLOWERS
    assert billed.ledger_total() == billed.server.billing.total() == Decimal("2.51")


def test_the_budget_counts_what_other_jobs_spent_today_and_resets_at_utc_midnight(billed):
    fetch_followers(billed.conn, billed.gateway("other"), billed.pacer(billed.gateway()), billed.clock)
    billed.clock.advance(3_600)
    gateway, _ = billed.guarded_gateway(SpendLimits(daily_budget=Decimal("3")), signed_in_id=SANDBOX_USER_ID)
    with pytest.raises(errors.BudgetReached, match=r"\$2.51 is spent today .*\(in 23 h 0 min\)"):
        gateway.followers_page(SANDBOX_USER_ID)  # $1.00 at most after $2.51: over $3
    billed.clock.advance(DAY)
    assert len(gateway.followers_page(SANDBOX_USER_ID).data) == 1_000


def test_a_monthly_budget_names_the_first_of_next_month(billed):
    gateway, _ = billed.guarded_gateway(SpendLimits(monthly_budget=Decimal("0.50")), signed_in_id=SANDBOX_USER_ID)
    with pytest.raises(errors.BudgetReached) as paused:
        gateway.followers_page(SANDBOX_USER_ID)
    assert "monthly budget of $0.50" in paused.value.user_message
    assert "resets on 1 February 2026 (UTC)" in paused.value.user_message
    assert "One request can cost more than the whole monthly budget" in paused.value.user_message
    assert billed.ledger_total() == 0 and billed.server.billing.total() == 0  # nothing was requested


def test_max_cost_stops_the_run_before_passing_it_and_counts_only_this_run(billed):
    fetch_followers(billed.conn, billed.gateway("earlier"), billed.pacer(billed.gateway()), billed.clock)
    billed.clock.advance(DAY)  # a new day: everything is billed again
    with pytest.raises(errors.MaxCostReached) as stopped:
        guarded_fetch(billed, SpendLimits(max_cost=Decimal("2.00")))
    run_spend = billed.ledger_total() - Decimal("2.51")
    assert run_spend == Decimal("1.01") <= Decimal("2.00")
    assert stopped.value.user_message == ("Stopped before passing --max-cost $2.00: this run spent $1.01 and the "
                                          "next request could cost up to $1.00.")


def test_a_campaign_paused_by_its_budget_sends_nothing_twice_and_goes_on_next_run(fake_clock, tmp_path):
    with running_sandbox(followers=60, clock=fake_clock) as server:
        billed = BilledApp(server, fake_clock, tmp_path / "twexport.sqlite3")
        try:
            gateway = billed.gateway("fetch-followers")
            fetch_followers(billed.conn, gateway, billed.pacer(gateway), fake_clock)
            spent_on_fetch = billed.ledger_total()
            budget = spent_on_fetch + Decimal("0.15")  # ten DMs at $0.015
            gateway, _ = billed.guarded_gateway(SpendLimits(daily_budget=budget), "dm-campaign")
            with pytest.raises(errors.BudgetReached):
                run_campaign(billed.conn, gateway, billed.pacer(gateway), fake_clock, live())
            assert server.state.dms.count() == 10
            assert billed.ledger_total() == budget
            assert not dm_repo.unconfirmed(billed.conn, SANDBOX_USER_ID)  # the stopped DM's claim was released
            fake_clock.advance(DAY)
            gateway, _ = billed.guarded_gateway(SpendLimits(daily_budget=Decimal("10")), "dm-campaign")
            result = run_campaign(billed.conn, gateway, billed.pacer(gateway), fake_clock, live())
            assert result.sent > 0
            assert server.state.dms.count() == 10 + result.sent
            assert server.billing.billed(XResource.DM_CREATE) == 10 + result.sent
        finally:
            billed.close()
