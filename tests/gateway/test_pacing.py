"""Pacer: waits for the budget it was told about, retries transient failures, stops on cancel."""

from __future__ import annotations

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import Pacer, WaitNotice
from twexport_qt.gateway.rate_limits import RateLimitBook, RateLimitState, endpoint_key, parse_headers

EP = "GET /2/users/:id/followers"


def make_pacer(clock: FakeClock, cancel: CancelToken | None = None, max_retries: int = 3):
    book = RateLimitBook()
    notices: list[WaitNotice] = []
    return book, notices, Pacer(book, clock, cancel, notices.append, max_retries=max_retries)


def test_waits_for_reset_when_budget_is_spent_before_calling(fake_clock):
    book, notices, pacer = make_pacer(fake_clock)
    reset = fake_clock.now() + 900
    book.record(RateLimitState(EP, 15, 0, reset))
    calls: list[float] = []
    pacer.call(EP, lambda: calls.append(fake_clock.now()))
    assert calls == [pytest.approx(reset + 1)]
    assert notices[0].reason == "rate_limit" and notices[0].resume_at == pytest.approx(reset + 1)


def test_does_not_wait_while_budget_remains(fake_clock):
    book, notices, pacer = make_pacer(fake_clock)
    book.record(RateLimitState(EP, 15, 3, fake_clock.now() + 900))
    start = fake_clock.now()
    assert pacer.call(EP, lambda: "ok") == "ok"
    assert fake_clock.now() == start and notices == []


def test_429_waits_until_named_reset_then_retries(fake_clock):
    _, notices, pacer = make_pacer(fake_clock)
    reset = fake_clock.now() + 300
    attempts = []

    def request():
        attempts.append(fake_clock.now())
        if len(attempts) == 1:
            raise errors.RateLimited(reset_at=reset, endpoint=EP)
        return "page"

    assert pacer.call(EP, request) == "page"
    assert attempts[1] >= reset
    assert pacer.rate_limit_waits == 1 and notices[0].reason == "rate_limit"


def test_usage_cap_is_not_retried(fake_clock):
    _, _, pacer = make_pacer(fake_clock)
    with pytest.raises(errors.UsageCapExceeded):
        pacer.call(EP, lambda: (_ for _ in ()).throw(errors.UsageCapExceeded()))


def test_server_errors_back_off_then_give_up(fake_clock):
    _, notices, pacer = make_pacer(fake_clock, max_retries=3)
    attempts = []

    def failing():
        attempts.append(fake_clock.now())
        raise errors.ServerError(status=503)

    with pytest.raises(errors.ServerError):
        pacer.call(EP, failing)
    assert len(attempts) == 4  # first try + 3 retries
    gaps = [b - a for a, b in zip(attempts, attempts[1:])]
    assert gaps == [2.0, 4.0, 8.0]  # exponential backoff
    assert all(n.reason == "retry" for n in notices)


def test_network_drop_recovers(fake_clock):
    _, _, pacer = make_pacer(fake_clock)
    outcomes = iter([errors.NetworkError(), "ok"])

    def flaky():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert pacer.call(EP, flaky) == "ok" and pacer.retries == 1


def test_auth_errors_are_not_retried(fake_clock):
    _, _, pacer = make_pacer(fake_clock)
    calls = []

    def unauthorized():
        calls.append(1)
        raise errors.AuthError()

    with pytest.raises(errors.AuthError):
        pacer.call(EP, unauthorized)
    assert calls == [1]


def test_cancel_before_call_raises_cancelled(fake_clock):
    cancel = CancelToken()
    cancel.cancel()
    _, _, pacer = make_pacer(fake_clock, cancel)
    with pytest.raises(errors.Cancelled):
        pacer.call(EP, lambda: "never")


def test_endpoint_key_normalises_ids_and_usernames():
    assert endpoint_key("get", "https://api.twitter.com/2/users/123/followers?max_results=5") == EP
    assert endpoint_key("POST", "http://127.0.0.1:1/2/dm_conversations/with/42/messages") == \
        "POST /2/dm_conversations/with/:id/messages"
    assert endpoint_key("GET", "https://api.twitter.com/2/users/by/username/jack") == \
        "GET /2/users/by/username/:username"
    assert endpoint_key("GET", "https://api.twitter.com/2/users/me") == "GET /2/users/me"


def test_parse_headers_reads_x_rate_limit_headers():
    state = parse_headers(EP, {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                               "x-rate-limit-reset": "1767225900"})
    assert state == RateLimitState(EP, 300, 0, 1767225900.0) and state.exhausted
    assert parse_headers(EP, {}) is None


def test_429s_without_headers_back_off_from_seconds_to_a_minute(fake_clock):
    _, notices, pacer = make_pacer(fake_clock)
    attempts: list[float] = []

    def request():
        attempts.append(fake_clock.now())
        if len(attempts) <= 6:
            raise errors.RateLimited(reset_at=None, endpoint=EP)
        return "page"

    assert pacer.call(EP, request) == "page"
    waits = [round(b - a) for a, b in zip(attempts, attempts[1:])]
    assert waits == [5, 10, 20, 40, 60, 60]
    assert all(notice.reason == "rate_limit" for notice in notices)


def test_a_page_with_only_errors_is_retried_like_a_server_error_then_raised(fake_clock):
    _, notices, pacer = make_pacer(fake_clock, max_retries=2)
    answers = iter([errors.PartialAnswer("only errors"), "page"])

    def request():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert pacer.call(EP, request) == "page"
    assert [n.reason for n in notices] == ["retry"]
    with pytest.raises(errors.PartialAnswer):
        pacer.call(EP, lambda: (_ for _ in ()).throw(errors.PartialAnswer("only errors")))
