"""Rate limits through HTTP (headers, 429, reset on the FakeClock, per auth context) and the limiter alone."""

from __future__ import annotations

import pytest
import requests
import tweepy

from twexport_qt.sandbox import AuthContext, Endpoint, RateLimiter
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client


def headers(response):
    return {name: int(response.headers[name]) for name in
            ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")}


def test_headers_count_down_then_429_then_reset(fake_clock):
    with running_sandbox(followers=50, clock=fake_clock, rate_limits={"followers": [(3, 900)]}) as server:
        client = sandbox_client(server)
        client.return_type = requests.Response
        me = server.state.population.me.id
        reset = int(fake_clock.now()) + 900
        seen = [headers(client.get_users_followers(me, user_auth=True)) for _ in range(3)]
        assert seen == [{"x-rate-limit-limit": 3, "x-rate-limit-remaining": r, "x-rate-limit-reset": reset}
                        for r in (2, 1, 0)]
        with pytest.raises(tweepy.TooManyRequests) as raised:
            client.get_users_followers(me, user_auth=True)
        assert raised.value.reset_time == reset
        assert raised.value.response.json() == {"title": "Too Many Requests", "detail": "Too Many Requests",
                                                "type": "about:blank", "status": 429}
        fake_clock.advance(899)
        with pytest.raises(tweepy.TooManyRequests):
            client.get_users_followers(me, user_auth=True)
        fake_clock.advance(1)
        assert headers(client.get_users_followers(me, user_auth=True))["x-rate-limit-remaining"] == 2


def test_user_and_app_budgets_are_separate(fake_clock):
    with running_sandbox(followers=5, clock=fake_clock, rate_limits={"users_lookup": [(1, 900)]}) as server:
        user, app = sandbox_client(server), sandbox_client(server, user_auth=False)
        user.get_user(username="alice_writes", user_auth=True)
        with pytest.raises(tweepy.TooManyRequests):
            user.get_user(username="alice_writes", user_auth=True)
        assert app.get_user(username="alice_writes").data.id == 2001


def test_headers_are_on_data_responses(raw_client):
    response = raw_client.get_me()
    assert headers(response) == {"x-rate-limit-limit": 75, "x-rate-limit-remaining": 74,
                                 "x-rate-limit-reset": headers(response)["x-rate-limit-reset"]}


def test_usage_cap_is_a_distinct_429(fake_clock):
    with running_sandbox(followers=5, clock=fake_clock, usage_capped=True) as server:
        with pytest.raises(tweepy.TooManyRequests) as raised:
            sandbox_client(server).get_me()
        body = raised.value.response.json()
        assert body["title"] == "UsageCapExceeded"
        assert body["type"].endswith("/problems/usage-capped")
        assert int(raised.value.response.headers["x-rate-limit-remaining"]) > 0  # not a window problem


def test_most_constraining_window_is_reported(fake_clock):
    limiter = RateLimiter(fake_clock, {"dm_send": [(3, 900), (4, 86_400)]})
    start = int(fake_clock.now())
    decisions = [limiter.check(Endpoint.DM_SEND, AuthContext.USER) for _ in range(3)]
    assert [(d.limit, d.remaining) for d in decisions] == [(3, 2), (3, 1), (3, 0)]
    blocked = limiter.check(Endpoint.DM_SEND, AuthContext.USER)
    assert not blocked.allowed and blocked.reset == start + 900
    fake_clock.advance(900)
    fourth = limiter.check(Endpoint.DM_SEND, AuthContext.USER)
    assert fourth.allowed and (fourth.limit, fourth.remaining) == (4, 0)  # the daily window is now the tighter
    blocked = limiter.check(Endpoint.DM_SEND, AuthContext.USER)
    assert not blocked.allowed and blocked.reset == start + 86_400


def test_defaults_follow_the_published_table(fake_clock):
    limiter = RateLimiter(fake_clock)
    assert limiter.windows_for(Endpoint.DM_SEND, AuthContext.USER) == [(15, 900), (1440, 86_400)]
    assert limiter.windows_for(Endpoint.SEARCH_ALL, AuthContext.APP) == [(1, 1), (300, 900)]
    assert limiter.windows_for(Endpoint.SEARCH_ALL, AuthContext.USER) == [(1, 1)]
    assert limiter.windows_for(Endpoint.FOLLOWERS, AuthContext.APP) == [(300, 900)]
    limiter = RateLimiter(fake_clock, {"followers": [(5, 60)], "followers@app": [(7, 60)]})
    assert limiter.windows_for(Endpoint.FOLLOWERS, AuthContext.USER) == [(5, 60)]
    assert limiter.windows_for(Endpoint.FOLLOWERS, AuthContext.APP) == [(7, 60)]


# ----- hidden per-second rules (XAPI_FACTS §9.3) ----------------------------------------------------------------

def test_search_headers_describe_only_the_15_minute_window(app_client, fake_clock):
    app_client.return_type = requests.Response
    start = int(fake_clock.now())
    seen = []
    for _ in range(3):
        seen.append(headers(app_client.search_all_tweets("from:bob_builds")))
        fake_clock.advance(1)
    assert seen == [{"x-rate-limit-limit": 300, "x-rate-limit-remaining": r, "x-rate-limit-reset": start + 900}
                    for r in (299, 298, 297)]


def test_breaking_the_per_second_rule_is_a_429_with_budget_left_and_the_window_reset(app_client, fake_clock):
    start = int(fake_clock.now())
    app_client.search_all_tweets("from:bob_builds")
    with pytest.raises(tweepy.TooManyRequests) as raised:
        app_client.search_all_tweets("from:bob_builds")
    assert headers(raised.value.response) == {"x-rate-limit-limit": 300, "x-rate-limit-remaining": 299,
                                              "x-rate-limit-reset": start + 900}
    assert raised.value.reset_time == start + 900  # what tweepy's wait_on_rate_limit would sleep until
    assert raised.value.response.json()["title"] == "Too Many Requests"


def test_a_refused_request_starts_the_second_again(fake_clock):
    limiter = RateLimiter(fake_clock)
    assert limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP).allowed
    fake_clock.advance(0.9)
    assert not limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP).allowed
    fake_clock.advance(0.5)  # 1.4 s after the last allowed one, 0.5 s after the refused one
    assert not limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP).allowed
    fake_clock.advance(1.0)
    assert limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP).allowed
    # a look without consuming (fault storms, the usage cap) changes nothing
    assert not limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP, consume=False).allowed
    fake_clock.advance(1.0)
    assert limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP, consume=False).allowed


def test_a_spent_15_minute_window_wins_over_the_hidden_rule(fake_clock):
    limiter = RateLimiter(fake_clock, {"search_all@app": [(1, 1), (2, 900)]})
    start = int(fake_clock.now())
    for _ in range(2):
        assert limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP).allowed
        fake_clock.advance(1)
    refused = limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP)
    assert not refused.allowed and (refused.limit, refused.remaining, refused.reset) == (2, 0, start + 900)


@pytest.mark.parametrize("flag, hidden", [
    ("search_all@app=1/1,5/900", [True, False]),   # as X: the per-second rule hides behind the longer window
    ("followers=4/1", [False]),                    # alone: a fast stand-in for a 15-minute window, described
    ("dm_send=3/1,10/2", [True, False]),
    ("dm_send=15/900,1440/86400", [False, False]),
])
def test_windows_given_on_the_command_line_hide_per_second_rules_like_x(flag, hidden):
    from twexport_qt.sandbox.rate_limits import hidden_windows
    from twexport_qt.sandbox.specs import rate_limit

    _, windows = rate_limit(flag)
    assert hidden_windows(windows) == hidden


def test_a_per_second_window_from_the_command_line_behaves_as_x(fake_clock):
    from twexport_qt.sandbox.specs import rate_limit

    limiter = RateLimiter(fake_clock, dict([rate_limit("search_all@app=1/1,5/900"), rate_limit("followers=4/1")]))
    first = limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP)
    refused = limiter.check(Endpoint.SEARCH_ALL, AuthContext.APP)
    assert (first.limit, first.remaining) == (5, 4)
    assert not refused.allowed and (refused.limit, refused.remaining) == (5, 4)
    decisions = [limiter.check(Endpoint.FOLLOWERS, AuthContext.USER) for _ in range(5)]
    assert [(d.allowed, d.limit, d.remaining) for d in decisions] == [
        (True, 4, 3), (True, 4, 2), (True, 4, 1), (True, 4, 0), (False, 4, 0)]
