"""The sandbox bills like X: per resource returned (includes too), Owned Reads only for the signed-in user's own
data read as that user, once per UTC day, writes per accepted request, failures never; and it answers
`GET /2/usage/tweets` with the Post reads, app Bearer only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests
import tweepy

from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.billing import XResource, cycle_start
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.faults import FaultKind

DAY = 86_400
TODAY = dt.date(2026, 1, 1)  # the FakeClock's start


def test_my_followers_read_as_me_are_owned_reads_and_as_the_app_standard(sandbox, client, app_client):
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=1000)
    assert sandbox.billing.billed(XResource.FOLLOWS_READ, owned=True) == 1000
    assert sandbox.billing.total() == Decimal("1.000")
    app_client.get_users_followers(SANDBOX_USER_ID, max_results=1000)  # the same followers, with the Bearer
    assert sandbox.billing.billed(XResource.FOLLOWS_READ, owned=False) == 1000
    assert sandbox.billing.total() == Decimal("11.000")


def test_a_resource_is_billed_once_per_utc_day(sandbox, client, fake_clock):
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=100)
    fake_clock.advance(3_600)
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=200)  # 100 again, 100 new
    assert [(charge.returned, charge.billed) for charge in sandbox.billing.charges()] == [(100, 100), (200, 100)]
    fake_clock.advance(DAY)
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=100)
    assert sandbox.billing.charges()[-1].billed == 100
    assert sandbox.billing.total(day=TODAY) == Decimal("0.2")
    assert sandbox.billing.total(day=TODAY + dt.timedelta(days=1)) == Decimal("0.1")


def test_includes_are_billed_at_the_standard_rate(sandbox, client):
    response = client.get_users_tweets(SANDBOX_USER_ID, user_auth=True, max_results=50,
                                       expansions=["referenced_tweets.id", "author_id"])
    included_posts = len(response.includes.get("tweets", []))
    assert included_posts > 0
    bill = sandbox.billing
    assert bill.billed(XResource.POSTS_READ, owned=True) == 50
    assert bill.billed(XResource.POSTS_READ, owned=False) == included_posts
    assert bill.billed(XResource.USER_READ) == len(response.includes["users"])
    assert bill.total() == Decimal("0.050") + Decimal("0.005") * included_posts + Decimal("0.010") * len(
        response.includes["users"])


def test_look_ups_and_dm_history_bill_at_the_standard_rate_and_a_dm_per_request(sandbox, client):
    client.get_me(user_auth=True)
    client.get_users(usernames=["alice_writes", "bob_builds", "nobody_here_42"], user_auth=True)
    recipient = next(user for user in sandbox.state.population.users_at(range(100)) if user.receives_your_dm)
    client.create_direct_message(participant_id=recipient.id, text="Hello", user_auth=True)
    client.create_direct_message(participant_id=recipient.id, text="Hello again", user_auth=True)
    client.get_direct_message_events(participant_id=recipient.id, user_auth=True)
    bill = sandbox.billing
    assert bill.billed(XResource.USER_READ) == 3  # me and the two that exist
    assert bill.billed(XResource.DM_CREATE) == 2
    assert bill.billed(XResource.DM_EVENT_READ) == 2
    assert bill.total() == Decimal("0.030") + Decimal("0.030") + Decimal("0.020")


def test_failed_requests_are_not_billed_but_a_processed_one_whose_answer_dropped_is(sandbox, client):
    sandbox.state.faults.fail_next(Endpoint.FOLLOWERS, FaultKind.ERROR_500)
    with pytest.raises(tweepy.TwitterServerError):
        client.get_users_followers(SANDBOX_USER_ID, user_auth=True)
    sandbox.state.faults.fail_next(Endpoint.FOLLOWERS, FaultKind.ERRORS_ONLY)
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True)
    assert sandbox.billing.total() == 0
    sandbox.state.faults.fail_next(Endpoint.FOLLOWERS, FaultKind.SENT_THEN_DROP)
    with pytest.raises(requests.ConnectionError):
        client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=10)
    assert sandbox.billing.billed(XResource.FOLLOWS_READ) == 10  # X processed it: billed, though nobody heard


def test_usage_counts_the_post_reads_of_the_cycle_per_day(sandbox, client, app_client, fake_clock):
    client.get_users_tweets(SANDBOX_USER_ID, user_auth=True, max_results=20)
    fake_clock.advance(DAY)
    client.get_users_tweets(SANDBOX_USER_ID, user_auth=True, max_results=30)  # 20 of them read yesterday
    client.get_users_followers(SANDBOX_USER_ID, user_auth=True, max_results=10)  # not posts: not counted
    response = app_client.request("GET", "/2/usage/tweets", params={
        "days": 3, "usage.fields": "daily_project_usage,daily_client_app_usage"})
    data = response.json()["data"]
    assert {key: data[key] for key in ("project_cap", "project_usage", "cap_reset_day")} == {
        "project_cap": "3000000", "project_usage": "50", "cap_reset_day": 1}
    daily = [(entry["date"], entry["usage"]) for entry in data["daily_project_usage"]["usage"]]
    assert daily == [("2026-01-02T00:00:00.000Z", "30"), ("2026-01-01T00:00:00.000Z", "20"),
                     ("2025-12-31T00:00:00.000Z", "0")]
    apps = data["daily_client_app_usage"]
    assert len(apps) == 1 and apps[0]["usage"] == data["daily_project_usage"]["usage"]
    plain = app_client.request("GET", "/2/usage/tweets").json()["data"]
    assert set(plain) == {"project_id", "project_cap", "project_usage", "cap_reset_day"}


def test_usage_is_for_the_app_bearer_only_and_checks_its_parameters(client, app_client):
    with pytest.raises(tweepy.Forbidden, match="Application-Only"):
        client.request("GET", "/2/usage/tweets", user_auth=True)
    with pytest.raises(tweepy.BadRequest):
        app_client.request("GET", "/2/usage/tweets", params={"days": 91})
    with pytest.raises(tweepy.BadRequest):
        app_client.request("GET", "/2/usage/tweets", params={"usage.fields": "credits"})


def test_usage_is_rate_limited_like_x_50_per_15_minutes(sandbox, app_client):
    response = app_client.request("GET", "/2/usage/tweets")
    assert response.headers["x-rate-limit-limit"] == "50"
    assert response.headers["x-rate-limit-remaining"] == "49"


def test_the_billing_cycle_restarts_on_the_reset_day():
    assert cycle_start(dt.date(2026, 3, 20), 1) == dt.date(2026, 3, 1)
    assert cycle_start(dt.date(2026, 3, 5), 10) == dt.date(2026, 2, 10)
    assert cycle_start(dt.date(2026, 3, 5), 31) == dt.date(2026, 2, 28)
