"""Who the planner picks, on a hand-made follower table (no network)."""

from __future__ import annotations

import re

import pytest

from twexport_qt.campaigns.planner import Recipient, plan_campaign, preview
from twexport_qt.campaigns.settings import CampaignSettings, InvalidCampaignSettings, TierMessages
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 1
T0 = 1_767_225_600
DAY = 86_400


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    followers_repo.upsert_followers(connection, OWNER, [
        FollowerRecord(11, "ann", "Ann Lee 🚀", followers_count=50_000),
        FollowerRecord(12, "bob", "Bob", followers_count=2_000),
        FollowerRecord(13, "cat", "Cat", followers_count=10, receives_your_dm=False),
        FollowerRecord(14, "dan", "Dan", followers_count=20, protected=True),
        FollowerRecord(15, "eve", "Eve", followers_count=30),
        FollowerRecord(16, "gone", "Gone", followers_count=40),
    ], seen_at=T0)
    followers_repo.mark_unfollowed(connection, OWNER, not_seen_since=T0 + 1, at=T0 + 1)
    followers_repo.upsert_followers(connection, OWNER, [  # everyone but "gone" seen again
        FollowerRecord(uid, name, name.title(), followers_count=count, receives_your_dm=dm, protected=prot)
        for uid, name, count, dm, prot in [(11, "ann", 50_000, None, False), (12, "bob", 2_000, None, False),
                                            (13, "cat", 10, False, False), (14, "dan", 20, None, True),
                                            (15, "eve", 30, None, False)]
    ], seen_at=T0 + 2)
    dm_repo.add_do_not_contact(connection, OWNER, 15, "asked to stop", T0)
    yield connection
    connection.close()


def _live(**kw) -> CampaignSettings:
    values = {"message": "Hi {first_name}", "retry_message": "Again {name}", "test_mode": False, "dm_enabled": True,
                  "retry_after_days": 3}
    return CampaignSettings(**{**values, **kw})


def _ids(dms):
    return [dm.recipient.user_id for dm in dms]


def test_first_step_goes_to_current_followers_not_on_the_do_not_contact_list(conn):
    plan = plan_campaign(conn, OWNER, _live(), T0 + 10)
    assert _ids(plan.firsts) == [11, 12, 14]  # tier order, then most followed; protected Dan included
    assert _ids(plan.skips) == [13]            # receives_your_dm false: recorded as skipped on run
    assert (plan.counts.first, plan.counts.skipped, plan.counts.retry) == (3, 1, 0)


def test_filter_and_limit(conn):
    plan = plan_campaign(conn, OWNER, _live(recipient_filter=FollowerFilter(min_followers=1_000)), T0, limit=1)
    assert _ids(plan.firsts) == [11]
    assert plan.counts.first == 2


def test_retry_is_due_only_after_the_configured_days_and_planned_once(conn):
    dm_repo.claim(conn, OWNER, 12, "bob", "first", "live", "Hi Bob", T0)
    dm_repo.mark_sent(conn, OWNER, 12, "first", "live", event_id="e", now=T0)
    early = plan_campaign(conn, OWNER, _live(), T0 + 3 * DAY - 1)
    assert _ids(early.retries) == [] and early.counts.waiting_for_retry == 1
    due = plan_campaign(conn, OWNER, _live(), T0 + 3 * DAY)
    assert _ids(due.retries) == [12] and due.retries[0].text == "Again Bob"
    assert 12 not in _ids(due.firsts)
    dm_repo.claim(conn, OWNER, 12, "bob", "retry", "live", "Again Bob", T0 + 3 * DAY)
    assert _ids(plan_campaign(conn, OWNER, _live(), T0 + 30 * DAY).retries) == []


def test_retries_ignore_a_filter_that_would_exclude_messaged_followers(conn):
    dm_repo.claim(conn, OWNER, 12, "bob", "first", "live", "Hi Bob", T0)
    dm_repo.mark_sent(conn, OWNER, 12, "first", "live", event_id="e", now=T0)
    plan = plan_campaign(conn, OWNER, _live(recipient_filter=FollowerFilter(dm_status="not_messaged")), T0 + 9 * DAY)
    assert _ids(plan.retries) == [12]


def test_failed_first_dms_are_planned_again(conn):
    dm_repo.claim(conn, OWNER, 12, "bob", "first", "live", "Hi Bob", T0)
    dm_repo.mark_failed(conn, OWNER, 12, "first", "live", reason="500", now=T0)
    assert 12 in _ids(plan_campaign(conn, OWNER, _live(), T0).firsts)


def test_preview_shows_exact_texts_with_tier_overrides_in_sending_order(conn):
    settings = _live(tier_messages={"Power user": TierMessages(first="Dear {name} (@{username})")})
    texts = [(dm.recipient.username, dm.text) for dm in preview(plan_campaign(conn, OWNER, settings, T0), n=2)]
    assert texts == [("ann", "Dear Ann (@ann)"), ("bob", "Hi Bob")]


def test_unknown_placeholder_is_rejected_before_anything_is_planned(conn):
    with pytest.raises(InvalidCampaignSettings, match=re.escape("Unknown placeholder {nmae}")):
        plan_campaign(conn, OWNER, _live(message="Hi {nmae}"), T0)


def test_test_mode_plans_only_test_accounts_under_their_own_mode(conn):
    testers = [Recipient(3001, "test_account_1", "Test1 Account", "Regular"),
               Recipient(3002, "test_account_2", "Test2 Account", "Regular", receives_your_dm=False)]
    settings = CampaignSettings(message="Hi {first_name}", retry_message="Again", test_accounts=["x"])
    plan = plan_campaign(conn, OWNER, settings, T0, test_recipients=testers)
    assert plan.mode == "test" and _ids(plan.sends) == [3001] and _ids(plan.skips) == [3002]
    assert plan.sends[0].step == "first" and plan.sends[0].text == "Hi Test1"
    settings.test_retry_message = True
    plan = plan_campaign(conn, OWNER, settings, T0, test_recipients=testers)
    assert [(dm.step, dm.text) for dm in plan.sends] == [("retry", "Again")]
