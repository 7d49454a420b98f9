"""The spend ledger equals what X (the sandbox) bills, to the micro-dollar, over real runs of the app's jobs:
followers fetches on one day and the next, tweet downloads and campaign runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.billing.conftest import DAY, BilledApp
from tests.campaigns.campaign_support import live
from twexport_qt.campaigns.sender import run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions

FOLLOWERS = 2_500  # the `sandbox_server` fixture's


def fetch(billed: BilledApp) -> None:
    gateway = billed.gateway("fetch-followers")
    fetch_followers(billed.conn, gateway, billed.pacer(gateway), billed.clock)


def test_a_followers_fetch_costs_an_owned_read_per_follower_on_both_bills(billed):
    fetch(billed)
    # 2,500 followers as Owned Reads ($0.001) and the signed-in account once ($0.010, /2/users/me)
    assert billed.server.billing.total() == billed.ledger_total() == Decimal("2.51")
    assert billed.server.billing.billed(XResource.FOLLOWS_READ, owned=True) == FOLLOWERS
    rows = billed.ledger_rows()
    assert {row.job for row in rows} == {"fetch-followers"}
    assert sum(row.billed for row in rows if row.resource_kind == "follows" and row.owned) == FOLLOWERS


def test_a_second_fetch_on_the_same_utc_day_is_billed_nothing_and_the_next_day_again(billed):
    fetch(billed)
    billed.clock.advance(3_600)
    fetch(billed)
    assert billed.server.billing.total() == billed.ledger_total() == Decimal("2.51")
    second_fetch = billed.ledger_rows()[4:]  # /users/me and three pages each time
    assert [row.returned for row in second_fetch] == [1, 1_000, 1_000, 500]
    assert [row.billed for row in second_fetch] == [0, 0, 0, 0]

    billed.clock.advance(DAY)  # a new UTC day: X bills every follower again
    fetch(billed)
    assert billed.server.billing.total() == billed.ledger_total() == Decimal("5.02")
    days = {row.utc_day for row in billed.ledger_rows()}
    assert days == {"2026-01-01", "2026-01-02"}
    assert billed.server.billing.total(day=dt.date(2026, 1, 2)) == Decimal("2.51")


def test_the_app_bearer_reads_at_the_standard_rate_on_both_bills(billed):
    bearer_only = Credentials(bearer_token=SANDBOX_BEARER_TOKEN)
    gateway = billed.gateway("fetch-followers", bearer_only, signed_in_id=SANDBOX_USER_ID)
    page = gateway.followers_page(SANDBOX_USER_ID)
    assert len(page.data) == 1_000
    assert billed.server.billing.total() == billed.ledger_total() == Decimal("10")  # 1,000 x $0.010


def test_tweet_downloads_bill_posts_parents_and_authors_alike(billed, tmp_path):
    gateway = billed.gateway("tweet-download", signed_in_id=SANDBOX_USER_ID)
    for name, options in (("alice_writes", {"include_replies": True, "text_format": "reply", "limit": 300}),
                          ("sandbox_creator", {"limit": 150})):
        conn = open_database(tmp_path / f"{name}.sqlite3")
        request = DownloadRequest((name,), "timeline", DatasetOptions(**options), tmp_path / f"{name}.csv")
        summary = run_download(conn, gateway, None, billed.clock, request)
        conn.close()
        assert summary.state == "done"
    bill = billed.server.billing
    assert bill.billed(XResource.POSTS_READ, owned=True) > 0  # the signed-in account's own timeline
    assert bill.billed(XResource.POSTS_READ, owned=False) > 0 and bill.billed(XResource.USER_READ) > 0
    assert bill.total() == billed.ledger_total() > 0
    search_gateway = billed.gateway("tweet-download")
    conn = open_database(tmp_path / "search.sqlite3")
    run_download(conn, search_gateway, None, billed.clock, DownloadRequest(
        ("bob_builds",), "search", DatasetOptions(limit=120), tmp_path / "search.csv"))
    conn.close()
    assert bill.total() == billed.ledger_total()


def test_campaign_runs_test_sends_and_retries_bill_alike(fake_clock, tmp_path):
    with running_sandbox(followers=60, clock=fake_clock) as server:
        billed = BilledApp(server, fake_clock, tmp_path / "twexport.sqlite3")
        try:
            fetch(billed)
            gateway = billed.gateway("dm-campaign")
            pacer = billed.pacer(gateway)
            test_run = CampaignSettings(message="Hi {first_name}", retry_message="Again", dm_enabled=True,
                                        test_accounts=["test_account_1", "test_account_2"])
            assert run_campaign(billed.conn, gateway, pacer, fake_clock, test_run).sent == 2
            first = run_campaign(billed.conn, gateway, pacer, fake_clock, live())
            assert first.sent > 10
            fake_clock.advance(8 * DAY)  # the retries are due: each reads the DM history first
            retries = run_campaign(billed.conn, gateway, pacer, fake_clock, live())
            assert retries.sent > 0
            bill = server.billing
            assert bill.billed(XResource.DM_CREATE) == 2 + first.sent + retries.sent
            assert bill.billed(XResource.DM_EVENT_READ) > 0 and bill.billed(XResource.USER_READ) > 0
            assert bill.total() == billed.ledger_total()
            per_request = [row for row in billed.ledger_rows() if row.resource_kind == "dm_create"]
            assert all(row.billed == row.returned == 1 and row.amount_micros == 15_000 for row in per_request)
        finally:
            billed.close()
