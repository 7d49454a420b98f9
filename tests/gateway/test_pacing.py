"""Pacer: waits for the budget it was told about, keeps to X's per-second rules, retries transient failures,
stops on cancel."""

from __future__ import annotations

import itertools

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import ENDPOINT_SEARCH_ALL, UNSEEN_RULE_FIRST_WAIT_S, Pacer, WaitNotice
from twexport_qt.gateway.rate_limits import RateLimitBook, RateLimitState, endpoint_key, parse_headers
from twexport_qt.gateway.request_spacing import PER_SECOND_MARGIN

EP = "GET /2/users/:id/followers"


def make_pacer(clock: FakeClock, cancel: CancelToken | None = None, max_retries: int = 3,
               spacing_rules: dict[str, float] | None = None):
    book = RateLimitBook()
    notices: list[WaitNotice] = []
    return book, notices, Pacer(book, clock, cancel, notices.append, max_retries=max_retries, spacing=spacing_rules)


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
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
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
    waits = [round(b - a) for a, b in itertools.pairwise(attempts)]
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


# ----- X's per-second rules (not in the headers) -------------------------------------------------------------

SEARCH = ENDPOINT_SEARCH_ALL


def test_search_calls_are_spaced_from_the_previous_start_without_a_countdown(fake_clock):
    _, notices, pacer = make_pacer(fake_clock)
    starts: list[float] = []
    for _ in range(4):
        pacer.call(SEARCH, lambda: starts.append(fake_clock.now()))
    assert [round(b - a, 6) for a, b in itertools.pairwise(starts)] == [PER_SECOND_MARGIN] * 3
    assert pacer.spacing_waits == 3 and pacer.rate_limit_waits == 0
    assert notices == []  # a one-second wait before each page is not worth a countdown


def test_time_a_request_took_counts_towards_the_spacing(fake_clock):
    _, _, pacer = make_pacer(fake_clock)
    starts: list[float] = []

    def slow_request():
        starts.append(fake_clock.now())
        fake_clock.advance(0.8)  # the page took 0.8 s to arrive

    pacer.call(SEARCH, slow_request)
    pacer.call(SEARCH, slow_request)
    assert starts[1] - starts[0] == pytest.approx(PER_SECOND_MARGIN)  # waited 0.25 s, not 1.05 s more
    fake_clock.advance(5)
    before = fake_clock.now()
    pacer.call(SEARCH, slow_request)
    assert starts[2] == before  # long since the last one: no wait at all


def test_endpoints_without_a_per_second_rule_are_not_spaced(fake_clock):
    _, _, pacer = make_pacer(fake_clock)
    start = fake_clock.now()
    for _ in range(3):
        pacer.call(EP, lambda: None)
    assert fake_clock.now() == start and pacer.spacing_waits == 0


def test_429_with_budget_left_waits_the_spacing_not_the_15_minute_reset(fake_clock):
    _, notices, pacer = make_pacer(fake_clock, spacing_rules={})  # a client that does not know the rule
    window_end = fake_clock.now() + 900
    attempts: list[float] = []

    def request():
        attempts.append(fake_clock.now())
        if len(attempts) == 1:
            raise errors.RateLimited(reset_at=window_end, endpoint=SEARCH, remaining=299, limit=300)
        return "page"

    assert pacer.call(SEARCH, request) == "page"
    assert attempts[1] - attempts[0] == pytest.approx(UNSEEN_RULE_FIRST_WAIT_S)
    assert pacer.rate_limit_waits == pacer.unseen_rule_429s == 1 and notices == []


def test_429_with_budget_left_on_a_spaced_endpoint_waits_its_interval_then_backs_off(fake_clock):
    _, notices, pacer = make_pacer(fake_clock)
    window_end = fake_clock.now() + 900
    attempts: list[float] = []

    def request():  # another process on the same app keeps taking the second
        attempts.append(fake_clock.now())
        if len(attempts) <= 8:
            raise errors.RateLimited(reset_at=window_end, endpoint=SEARCH, remaining=250, limit=300)
        return "page"

    assert pacer.call(SEARCH, request) == "page"
    gaps = [round(b - a, 2) for a, b in itertools.pairwise(attempts)]
    assert gaps == [1.05, 2.1, 4.2, 8.4, 16.8, 33.6, 60.0, 60.0]  # doubling up to a minute, never 15 minutes
    assert len(notices) == 6  # only the waits of 3 s or more were announced
    assert all(notice.reason == "rate_limit" for notice in notices)


def test_429_with_remaining_zero_still_waits_for_the_reset(fake_clock):
    _, notices, pacer = make_pacer(fake_clock)
    reset = fake_clock.now() + 600
    attempts: list[float] = []

    def request():
        attempts.append(fake_clock.now())
        if len(attempts) == 1:
            raise errors.RateLimited(reset_at=reset, endpoint=SEARCH, remaining=0, limit=300)
        return "page"

    assert pacer.call(SEARCH, request) == "page"
    assert attempts[1] == pytest.approx(reset + 1)
    assert len(notices) == 1 and pacer.unseen_rule_429s == 0


def test_cancel_during_spacing_stops_the_call_before_the_request():
    cancel = CancelToken()

    class CancelledWhileWaiting(FakeClock):
        """The user presses Cancel while the pacer waits out the second."""

        def sleep(self, seconds, cancel_token=None):
            assert cancel_token is cancel and seconds > 0  # the wait is the cancellable one
            cancel.cancel()
            cancel_token.raise_if_cancelled()

    clock = CancelledWhileWaiting()
    _, _, pacer = make_pacer(clock, cancel)
    sent: list[str] = []
    pacer.call(SEARCH, lambda: sent.append("first"))
    with pytest.raises(errors.Cancelled):
        pacer.call(SEARCH, lambda: sent.append("second"))
    assert sent == ["first"]
