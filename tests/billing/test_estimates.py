"""Estimates before a job: the sentences users see, the ranges, and how close they come to what the sandbox
(billing like X) then charges: within 5% for a followers fetch and a campaign."""

from __future__ import annotations

from decimal import Decimal

from tests.billing.conftest import DAY, BilledApp
from tests.campaigns.campaign_support import live
from twexport_qt.billing.estimates import (
    CONFIRM_ABOVE_USD,
    CampaignWork,
    EstimateKind,
    TweetAccount,
    estimate_archive_import,
    estimate_campaign,
    estimate_dry_run,
    estimate_followers_fetch,
    estimate_following_fetch,
    estimate_new_followers_refresh,
    estimate_tweet_download,
    estimate_tweet_update,
    refresh_choice_sentence,
)
from twexport_qt.billing.prices import DEFAULT_PRICES
from twexport_qt.campaigns.live_gate import live_audience
from twexport_qt.campaigns.sender import run_campaign
from twexport_qt.followers.fetch import fetch_followers, known_follower_count
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store import dm_repo

MAX_ERROR = Decimal("0.05")


def relative_error(estimate: Decimal, actual: Decimal) -> Decimal:
    return abs(estimate - actual) / actual


def test_the_followers_fetch_sentence_names_the_owned_and_the_standard_price():
    estimate = estimate_followers_fetch(48_210, DEFAULT_PRICES, owned_possible=True)
    assert estimate.sentence == "≈ 48,210 followers: $48.21 as owned reads (up to $482.10 at the standard rate)"
    assert (estimate.low, estimate.high, estimate.count) == (Decimal("48.21"), Decimal("482.10"), 48_210)
    assert estimate.needs_confirmation
    bearer = estimate_followers_fetch(150, DEFAULT_PRICES, owned_possible=False)
    assert bearer.low == bearer.high == Decimal("1.5") and "Bearer token" in bearer.sentence
    resumed = estimate_followers_fetch(5_000, DEFAULT_PRICES, owned_possible=True, already_fetched=1_000)
    assert resumed.count == 4_000 and "(1,000 of 5,000 fetched before)" in resumed.sentence
    assert estimate_followers_fetch(900, DEFAULT_PRICES, owned_possible=False).needs_confirmation  # $9 > $1
    assert estimate_followers_fetch(90, DEFAULT_PRICES, owned_possible=False).high < CONFIRM_ABOVE_USD


def test_the_following_fetch_is_priced_like_the_followers_fetch_but_is_its_own_job():
    estimate = estimate_following_fetch(48_210, DEFAULT_PRICES, owned_possible=True)
    assert estimate.kind == EstimateKind.FOLLOWING_FETCH and estimate.unit == "followed accounts"
    assert estimate.sentence == ("≈ 48,210 followed accounts: $48.21 as owned reads (up to $482.10 at the standard "
                                 "rate)")
    followers = estimate_followers_fetch(48_210, DEFAULT_PRICES, owned_possible=True)
    assert followers.kind == EstimateKind.FOLLOWERS_FETCH
    assert (estimate.low, estimate.high, estimate.count) == (followers.low, followers.high, followers.count)
    resumed = estimate_following_fetch(5_000, DEFAULT_PRICES, owned_possible=False, already_fetched=1_000)
    assert resumed.sentence == ("≈ 4,000 followed accounts left to fetch (1,000 of 5,000 fetched before): $40.00 at "
                                "the standard rate (read with the app's Bearer token: no owned-read discount)")


def test_the_new_followers_refresh_costs_the_new_followers_and_a_check_page():
    estimate = estimate_new_followers_refresh(48_250, 48_210, DEFAULT_PRICES, owned_possible=True)
    assert estimate.count == 40 and estimate.unit == "new followers"
    # low: 40 new and a check page of 100 as owned reads; high: a second check page, at the standard rate
    assert (estimate.low, estimate.high) == (Decimal("0.14"), Decimal("2.40"))
    assert estimate.sentence == ("≈ 40 new followers and a check page of 100 known ones: $0.14 as owned reads "
                                 "(up to $2.40 at the standard rate)")
    nothing_new = estimate_new_followers_refresh(48_000, 48_210, DEFAULT_PRICES, owned_possible=True)
    assert nothing_new.count == 0 and nothing_new.low == Decimal("0.1")  # one page of known followers
    bearer = estimate_new_followers_refresh(150, 100, DEFAULT_PRICES, owned_possible=False)
    assert (bearer.low, bearer.high) == (Decimal("1.5"), Decimal("2.5")) and "Bearer token" in bearer.sentence
    full = estimate_followers_fetch(48_250, DEFAULT_PRICES, owned_possible=True)
    assert refresh_choice_sentence(full, estimate) == ("Full refresh ≈ $48.25 (up to $482.50); new followers only "
                                                       "≈ $0.14 (up to $2.40).")


def test_tweet_downloads_are_capped_by_what_x_serves():
    accounts = [TweetAccount("big", tweet_count=50_000), TweetAccount("small", tweet_count=120)]
    without_replies = estimate_tweet_download(accounts, DEFAULT_PRICES, limit=None, include_replies=False)
    assert without_replies.count == 800 + 120  # the timeline serves 800 posts without replies
    with_replies = estimate_tweet_download(accounts, DEFAULT_PRICES, limit=1_000, include_replies=True)
    assert with_replies.count == 1_000 + 120
    # low: 1,120 posts at $0.005, two authors and two look-ups at $0.010
    assert with_replies.low == Decimal("5.6") + Decimal("0.04")
    assert with_replies.high > with_replies.low
    own = estimate_tweet_download([TweetAccount("me", 100, own=True)], DEFAULT_PRICES, limit=None,
                                  include_replies=False)
    assert own.low == Decimal("0.1") + Decimal("0.02")  # owned reads: $0.001 a post
    search = estimate_tweet_download([TweetAccount("old", None)], DEFAULT_PRICES, limit=None,
                                     include_replies=False, search=True)
    assert "unknown" in search.sentence and "give a limit" in search.sentence


def test_a_dataset_update_costs_the_look_up_if_nothing_is_new_and_at_most_what_the_timeline_reaches():
    accounts = [TweetAccount("big", tweet_count=50_000), TweetAccount("small", tweet_count=120)]
    update = estimate_tweet_update(accounts, DEFAULT_PRICES, newer_only={"big", "small"}, limit=50,
                                   include_replies=True)
    assert update.kind == EstimateKind.TWEET_UPDATE and update.count == 0
    assert update.low == Decimal("0.02")  # the two accounts' look-up: nothing may be new
    whole = estimate_tweet_download(accounts, DEFAULT_PRICES, limit=None, include_replies=True)
    assert update.high == whole.high  # at worst every post the timeline reaches (3,200 + 120) is new
    assert update.needs_confirmation
    assert update.sentence == ("only posts newer than the dataset's are read, from 2 accounts: $0.02 if none is new "
                               f"(up to ${whole.high:,.2f} if all 3,320 posts the timeline reaches are new, with the "
                               "posts and authors they reply to or quote)")
    # An account the dataset took nothing from is read again from its newest post, within the limit.
    partly = estimate_tweet_update(accounts, DEFAULT_PRICES, newer_only={"big"}, limit=50, include_replies=False)
    assert partly.count == 50 and partly.low == Decimal("0.02") + Decimal("0.25") + Decimal("0.01")
    assert "for ≈ 50 posts" in partly.sentence


def test_archive_imports_and_dry_runs_say_they_are_free():
    archive = estimate_archive_import(DEFAULT_PRICES, looks_up_reply_parents=True)
    assert archive.is_free and archive.sentence.startswith("Reading an X data archive is free")
    assert "$0.005 per post" in archive.sentence
    dry = estimate_dry_run(DEFAULT_PRICES)
    assert dry.low == 0 and dry.sentence.startswith("A dry run is free")


def test_a_campaign_counts_the_dms_the_cap_allows_and_a_range_of_history_reads():
    estimate = estimate_campaign(CampaignWork(first=380, retry=40, capacity=400), DEFAULT_PRICES)
    assert estimate.count == 400
    # 400 DMs at $0.015 and /users/me; the 40 retries go first, each reading 1 to 100 events at $0.010
    assert estimate.low == Decimal("6.01") + Decimal("0.40")
    assert estimate.high == Decimal("6.01") + Decimal("40")
    assert "20 more are due on later days" in estimate.sentence
    test = estimate_campaign(CampaignWork(0, 0, capacity=400, test_accounts=2), DEFAULT_PRICES)
    assert test.low == test.high == Decimal("0.01") + Decimal("0.02") + Decimal("0.03")


def test_followers_fetch_estimate_is_within_5_percent_of_the_sandbox_bill(billed: BilledApp):
    gateway = billed.gateway("fetch-followers")
    me = gateway.me()
    estimate = estimate_followers_fetch(me["public_metrics"]["followers_count"], DEFAULT_PRICES,
                                        owned_possible=gateway.has_user_context)
    fetch_followers(billed.conn, gateway, billed.pacer(gateway), billed.clock)
    actual = billed.server.billing.total()
    assert actual == billed.ledger_total() == Decimal("2.51")
    assert relative_error(estimate.low, actual) <= MAX_ERROR  # $2.50 vs $2.51: 0.4%


def test_new_followers_refresh_estimates_contain_the_sandbox_bill(billed: BilledApp):
    gateway = billed.gateway("fetch-followers")
    fetch_followers(billed.conn, gateway, billed.pacer(gateway), billed.clock)
    population = billed.server.state.population
    for leavers in (0, 3):  # leavers hide new followers from the count: the bill passes the low end, not the high
        billed.clock.advance(DAY)  # nothing of the day before is de-duplicated
        population.unfollow([row[0] for row in billed.conn.execute(
            "SELECT user_id FROM followers WHERE unfollowed_at IS NULL ORDER BY user_id LIMIT ?", (leavers,))])
        population.add_followers(40)
        gateway = billed.gateway("new followers")
        me = gateway.me()  # as the commands do before a job: the refresh's own look-up is then de-duplicated
        estimate = estimate_new_followers_refresh(me["public_metrics"]["followers_count"],
                                                  known_follower_count(billed.conn, SANDBOX_USER_ID),
                                                  DEFAULT_PRICES, owned_possible=gateway.has_user_context)
        before = billed.server.billing.total()
        fetch_followers(billed.conn, gateway, billed.pacer(gateway), billed.clock, new_only=True)
        actual = billed.server.billing.total() - before
        assert estimate.low <= actual <= estimate.high, (leavers, estimate, actual)
        if not leavers:
            assert actual == estimate.low == Decimal("0.14")  # 40 new and a check page of 100, owned reads
    assert billed.ledger_total() == billed.server.billing.total()


def test_campaign_estimates_are_within_5_percent_of_the_sandbox_bill(fake_clock, tmp_path):
    with running_sandbox(followers=60, clock=fake_clock) as server:
        billed = BilledApp(server, fake_clock, tmp_path / "twexport.sqlite3")
        try:
            gateway = billed.gateway("fetch-followers")
            fetch_followers(billed.conn, gateway, billed.pacer(gateway), fake_clock)
            for run in ("first DMs", "retries"):
                settings = live(daily_cap=400)
                now = int(fake_clock.now())
                audience = live_audience(billed.conn, SANDBOX_USER_ID, settings, now)
                capacity = settings.daily_cap - dm_repo.sent_in_last_24h(billed.conn, SANDBOX_USER_ID, now)
                estimate = estimate_campaign(CampaignWork(audience.first, audience.retry, capacity), DEFAULT_PRICES)
                before = server.billing.total()
                gateway = billed.gateway("dm-campaign")
                result = run_campaign(billed.conn, gateway, billed.pacer(gateway), fake_clock, settings)
                actual = server.billing.total() - before
                assert result.sent == estimate.count, run
                assert relative_error(estimate.low, actual) <= MAX_ERROR, (run, estimate.low, actual)
                assert actual <= estimate.high, run
                fake_clock.advance(8 * DAY)  # the retries fall due
        finally:
            billed.close()
