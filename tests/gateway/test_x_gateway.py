"""XGateway against the sandbox, through tweepy: routing, error mapping, rate-limit state."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest

from twexport_qt.app_context import sandbox_credentials
from twexport_qt.core import errors
from twexport_qt.gateway.pacing import ENDPOINT_FOLLOWERS, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.secrets.credentials import Credentials


def test_me_and_followers_pages_come_back_as_plain_json(sandbox_gateway):
    me = sandbox_gateway.me()
    assert int(me["id"]) == SANDBOX_USER_ID
    assert me["created_at"].endswith(".000Z")  # the format tweepy can parse
    page = sandbox_gateway.followers_page(SANDBOX_USER_ID)
    assert len(page.data) == 1000 and page.next_token
    assert {"public_metrics", "created_at", "receives_your_dm"} <= set(page.data[0])


def test_rate_limit_headers_are_recorded_per_endpoint(sandbox_gateway):
    sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    state = sandbox_gateway.rate_limits.get(ENDPOINT_FOLLOWERS)
    assert state is not None and state.limit == 300 and state.remaining == 299 and state.reset_at


def test_spent_budget_raises_rate_limited_with_reset(sandbox_server, sandbox_gateway, fake_clock):
    sandbox_server.state.limiter.set_limits(Endpoint.FOLLOWERS, [(2, 900)])
    sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    with pytest.raises(errors.RateLimited) as caught:
        sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    assert caught.value.reset_at == pytest.approx(fake_clock.now() + 900, abs=2)
    assert caught.value.endpoint == ENDPOINT_FOLLOWERS


def test_pacer_honours_the_reset_and_never_hits_429(sandbox_server, sandbox_gateway, fake_clock):
    sandbox_server.state.limiter.set_limits(Endpoint.FOLLOWERS, [(2, 900)])
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    start = fake_clock.now()
    for _ in range(5):
        pacer.call(ENDPOINT_FOLLOWERS, lambda: sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10))
    assert pacer.rate_limit_waits == 0  # waited before the budget ran out, never after a 429
    assert fake_clock.now() - start >= 2 * 900  # two window resets were needed for five calls


def test_revoked_token_maps_to_auth_error(sandbox_server, sandbox_gateway):
    sandbox_server.state.auth.revoke(AuthContext.USER)
    with pytest.raises(errors.AuthError, match="re-enter"):
        sandbox_gateway.me()


def test_wrong_secret_is_unauthorized(sandbox_server):
    good = sandbox_credentials()
    bad = Credentials(good.consumer_key, "wrong-secret", good.access_token, good.access_token_secret)
    with pytest.raises(errors.AuthError):
        XGateway(bad, base_url=sandbox_server.base_url).me()


def test_dm_to_follower_who_refuses_dms_is_forbidden(sandbox_server, sandbox_gateway):
    page = sandbox_gateway.followers_page(SANDBOX_USER_ID)
    refusing = next(u for u in page.data if u.get("receives_your_dm") is False)
    with pytest.raises(errors.ForbiddenError):
        sandbox_gateway.send_dm(int(refusing["id"]), "hello")
    assert sandbox_server.state.dms.count() == 0


def test_dm_send_and_history(sandbox_server, sandbox_gateway):
    page = sandbox_gateway.followers_page(SANDBOX_USER_ID)
    friendly = int(next(u for u in page.data if u.get("receives_your_dm"))["id"])
    sent = sandbox_gateway.send_dm(friendly, "Hi there")
    assert sent["dm_event_id"]
    history = sandbox_gateway.dm_events_with(friendly)
    assert [event["text"] for event in history.data] == ["Hi there"]
    assert sandbox_server.state.dms.count(friendly) == 1


def test_server_error_and_dropped_connection_are_mapped(sandbox_server, sandbox_gateway):
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "500")
    with pytest.raises(errors.ServerError):
        sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "drop")
    with pytest.raises(errors.NetworkError):
        sandbox_gateway.followers_page(SANDBOX_USER_ID, max_results=10)


def test_suspended_and_unknown_users_come_back_as_errors_not_exceptions(sandbox_gateway):
    page = sandbox_gateway.users_by_usernames(["alice_writes", "suspended_sam", "nobody_here_123"])
    assert [u["username"] for u in page.data] == ["alice_writes"]
    details = " ".join(e["detail"] for e in page.errors)
    assert "suspended" in details and "Could not find" in details


def test_search_needs_a_bearer_token(sandbox_server):
    good = sandbox_credentials()
    user_only = Credentials(good.consumer_key, good.consumer_secret, good.access_token, good.access_token_secret)
    with pytest.raises(errors.AuthError, match="Bearer"):
        XGateway(user_only, base_url=sandbox_server.base_url).search_all_page("from:alice_writes")


def test_usage_cap_is_its_own_error(fake_clock):
    from twexport_qt.sandbox.testing import running_sandbox

    with running_sandbox(followers=10, clock=fake_clock, usage_capped=True) as server:
        gateway = XGateway(sandbox_credentials(), base_url=server.base_url)
        with pytest.raises(errors.UsageCapExceeded):
            gateway.followers_page(SANDBOX_USER_ID, max_results=10)


def test_missing_credentials_say_what_to_do():
    gateway = XGateway(Credentials(), base_url="http://127.0.0.1:9")
    with pytest.raises(errors.AuthError, match="Settings"):
        gateway.followers_page(1)


def test_unexpected_timestamp_format_is_not_mistaken_for_a_network_drop(sandbox_gateway, monkeypatch):
    import requests

    original = requests.Response.json

    def without_milliseconds(self, **kwargs):
        body = original(self, **kwargs)
        if isinstance(body.get("data"), dict) and "created_at" in body["data"]:
            body["data"]["created_at"] = "2020-01-01T00:00:00Z"  # what tweepy cannot parse
        return body

    monkeypatch.setattr(requests.Response, "json", without_milliseconds)
    with pytest.raises(errors.ApiError, match="format") as caught:
        sandbox_gateway.me()
    assert not isinstance(caught.value, errors.NetworkError)  # so the pacer does not retry it


def test_only_errors_from_a_look_up_is_a_partial_answer_unless_they_name_what_was_asked(sandbox_server,
                                                                                       sandbox_gateway):
    sandbox_server.state.faults.fail_next(Endpoint.USERS_LOOKUP, "errors-only")
    page = sandbox_gateway.users_by_usernames(["alice_writes"])
    with pytest.raises(errors.PartialAnswer, match="only errors"):
        page.require_answer_about(["alice_writes"], "a look-up of usernames")
    # Unknown names are named in X's errors: a valid answer ("they don't exist"), not a partial one.
    unknown = sandbox_gateway.users_by_usernames(["nobody_here_zz"])
    assert not unknown.data and unknown.errors
    assert unknown.require_answer_about(["Nobody_Here_ZZ"], "a look-up of usernames") is unknown


def test_me_with_only_errors_is_retried_by_the_pacer(sandbox_server, sandbox_gateway, fake_clock):
    sandbox_server.state.faults.fail_next(Endpoint.USERS_ME, "errors-only", count=2)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    assert int(pacer.call("GET /2/users/me", sandbox_gateway.me)["id"]) == SANDBOX_USER_ID
    assert pacer.retries == 2


def test_usernames_resolve_through_an_errors_only_answer(sandbox_server, sandbox_gateway, fake_clock):
    from twexport_qt.tweets.sources import resolve_usernames

    sandbox_server.state.faults.fail_next(Endpoint.USERS_LOOKUP, "errors-only")
    found, problems = resolve_usernames(sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock),
                                        ["alice_writes", "nobody_here_zz"])
    assert set(found) == {"alice_writes"} and set(problems) == {"nobody_here_zz"}


# ----- 429s read by their headers ---------------------------------------------------------------------------

def test_breaking_search_one_per_second_is_a_429_with_budget_left(sandbox_gateway, fake_clock):
    from twexport_qt.gateway.pacing import ENDPOINT_SEARCH_ALL

    first_at = fake_clock.now()
    sandbox_gateway.search_all_page("from:bob_builds", max_results=10)
    state = sandbox_gateway.rate_limits.get(ENDPOINT_SEARCH_ALL)
    assert (state.limit, state.remaining) == (300, 299)  # the headers describe the 15-minute window only
    with pytest.raises(errors.RateLimited) as caught:
        sandbox_gateway.search_all_page("from:bob_builds", max_results=10)
    refused = caught.value
    assert refused.budget_left and (refused.limit, refused.remaining) == (300, 299)
    assert refused.reset_at == pytest.approx(first_at + 900, abs=1)  # the window's end: not a time to wait for
    assert "per-second" in refused.user_message


def test_pacer_pages_search_at_one_per_second_through_the_gateway(sandbox_gateway, fake_clock):
    from twexport_qt.gateway.pacing import ENDPOINT_SEARCH_ALL

    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    start, token = fake_clock.now(), None

    def search_page(next_token: str | None) -> Page:
        return sandbox_gateway.search_all_page(
            "from:alice_writes", next_token=next_token, max_results=10, start_time=datetime(2020, 1, 1))

    for _ in range(5):
        token = pacer.call(ENDPOINT_SEARCH_ALL, partial(search_page, token)).next_token
    assert pacer.rate_limit_waits == 0 and fake_clock.now() - start == pytest.approx(4 * 1.05)


def _too_many_requests(headers: dict[str, str]):
    import requests
    import tweepy

    response = requests.Response()
    response.status_code = 429
    response.headers.update(headers)
    response._content = b'{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}'
    response.request = requests.Request("POST", "https://api.x.com/2/dm_conversations/with/5/messages").prepare()
    reset = headers.get("x-rate-limit-reset")
    return tweepy.TooManyRequests(response, reset_time=int(reset) if reset else None)


def test_429_headers_are_read_into_the_error():
    from twexport_qt.gateway.x_gateway import _rate_limit_error

    window = {"x-rate-limit-limit": "15", "x-rate-limit-reset": "1767226500"}
    spent = _rate_limit_error(_too_many_requests({**window, "x-rate-limit-remaining": "0"}))
    assert not spent.budget_left and spent.reset_at == 1767226500 and spent.remaining == 0
    hidden = _rate_limit_error(_too_many_requests({**window, "x-rate-limit-remaining": "9"}))
    assert hidden.budget_left and hidden.endpoint == "POST /2/dm_conversations/with/:id/messages"
    bare = _rate_limit_error(_too_many_requests({}))
    assert not bare.budget_left and bare.reset_at is None and bare.remaining is None


def test_a_spent_24_hour_cap_is_waited_out_not_mistaken_for_a_per_second_rule():
    from twexport_qt.gateway.x_gateway import _rate_limit_error

    error = _rate_limit_error(_too_many_requests({
        "x-rate-limit-limit": "15", "x-rate-limit-remaining": "14", "x-rate-limit-reset": "1767226500",
        "x-user-limit-24hour-limit": "1440", "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1767300000"}))
    assert not error.budget_left and error.reset_at == 1767300000 and "24-hour" in error.user_message
