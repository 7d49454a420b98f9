"""Cancellable waiting around gateway calls: pace by the rate-limit headers and X's per-second rules, retry
what is transient.

Budget-aware rather than sleep-based: before a call, if the last response for that endpoint said
`remaining == 0`, wait until its `reset`; so a long job spends the whole budget and never provokes a 429 it
could have foreseen. Endpoints with a per-second rule that no header describes (full-archive search: 1/s) are
also spaced from the previous request's start (`request_spacing.py`).

A 429 anyway is read by what its headers say:
- `remaining == 0` (another app on the same account, a shared app budget): wait for the reset it names;
- `remaining > 0`: a rule the headers do not describe was broken (X's per-second limits), and the reset it
  names is the 15-minute window's end, up to 15 minutes away for nothing. Wait the endpoint's spacing instead
  (a short backoff where no rule is known), doubling while it repeats, up to a minute;
- no headers: back off from a few seconds up to a minute.
X's usage cap is not a RateLimited (the gateway raises UsageCapExceeded) and is never retried. 5xx and
network drops are retried with exponential backoff, a bounded number of times. Waits long enough to be worth a
countdown are announced; every wait ends early when the cancel token is set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.gateway.endpoints import (
    ENDPOINT_DM_EVENTS,
    ENDPOINT_DM_SEND,
    ENDPOINT_FOLLOWERS,
    ENDPOINT_ME,
    ENDPOINT_SEARCH_ALL,
    ENDPOINT_SPACES_BY_CREATOR_IDS,
    ENDPOINT_TWEETS,
    ENDPOINT_USER_TWEETS,
    ENDPOINT_USERS,
    ENDPOINT_USERS_BY,
)
from twexport_qt.gateway.rate_limits import RateLimitBook
from twexport_qt.gateway.request_spacing import RequestSpacing

# The endpoint keys are re-exported: callers take them from here, next to the pacer that uses them.
__all__ = [
    "ANNOUNCE_MIN_WAIT_S", "ENDPOINT_DM_EVENTS", "ENDPOINT_DM_SEND", "ENDPOINT_FOLLOWERS", "ENDPOINT_ME",
    "ENDPOINT_SEARCH_ALL", "ENDPOINT_SPACES_BY_CREATOR_IDS", "ENDPOINT_TWEETS", "ENDPOINT_USERS", "ENDPOINT_USERS_BY",
    "ENDPOINT_USER_TWEETS", "MAX_BACKOFF_S", "RESET_MARGIN_S", "UNKNOWN_RESET_FIRST_WAIT_S", "UNKNOWN_RESET_WAIT_S",
    "UNSEEN_RULE_FIRST_WAIT_S", "UNSEEN_RULE_MAX_WAIT_S", "Pacer", "WaitNotice",
]

T = TypeVar("T")

RESET_MARGIN_S = 1.0          # X's reset is a whole second; clocks differ a little
# A 429 without headers names no reset: back off from a few seconds up to a minute. A brief burst of them
# (a proxy, another client on the account) then costs seconds, not a minute each; a lasting one still waits.
UNKNOWN_RESET_FIRST_WAIT_S = 5.0
UNKNOWN_RESET_WAIT_S = 60.0
# A 429 with budget left on an endpoint without a known per-second rule: a hidden rule of unknown length.
# Start at a second, as X's only documented hidden rules are per second; double while it repeats.
UNSEEN_RULE_FIRST_WAIT_S = 1.0
UNSEEN_RULE_MAX_WAIT_S = 60.0
MAX_BACKOFF_S = 120.0
# Waits for X's rules shorter than this are not announced: a countdown flashing "Resuming in 0:01" before
# every search page would be noise (and one log line per page on a CLI run without a terminal).
ANNOUNCE_MIN_WAIT_S = 3.0


@dataclass(frozen=True)
class WaitNotice:
    """Shown to the user while a job waits: a countdown to `resume_at` (epoch seconds)."""

    reason: str          # "rate_limit" | "retry"
    endpoint: str
    resume_at: float
    message: str


class Pacer:
    """Runs gateway calls for one job thread. `spacing`: {endpoint: least seconds between request starts};
    None applies X's documented per-second rules (`request_spacing.PER_SECOND_RULES`), {} spaces nothing."""

    def __init__(
        self,
        rate_limits: RateLimitBook,
        clock: Clock,
        cancel: CancelToken | None = None,
        on_wait: Callable[[WaitNotice], None] | None = None,
        max_retries: int = 5,
        spacing: Mapping[str, float] | None = None,
    ) -> None:
        self._book = rate_limits
        self._clock = clock
        self._cancel = cancel
        self._on_wait = on_wait
        self._max_retries = max_retries
        self._spacing = RequestSpacing(clock, spacing)
        self.rate_limit_waits = 0     # 429s of any kind
        self.unseen_rule_429s = 0     # of which: 429s whose headers said budget remained
        self.retries = 0
        self.spacing_waits = 0        # waits for a per-second rule before a request (not 429s)

    def call(self, endpoint: str, request: Callable[[], T]) -> T:
        failures = 0
        bare_429s = 0
        unseen_429s = 0
        while True:
            if self._cancel is not None:
                self._cancel.raise_if_cancelled()
            self._wait_for_budget(endpoint)
            self._wait_for_spacing(endpoint)
            started = self._spacing.started(endpoint)
            try:
                return request()
            except errors.RateLimited as exc:
                self.rate_limit_waits += 1
                now = self._clock.now()
                if exc.budget_left:
                    self.unseen_rule_429s += 1
                    first = self._spacing.interval(endpoint) or UNSEEN_RULE_FIRST_WAIT_S
                    delay = _backoff(first, unseen_429s, UNSEEN_RULE_MAX_WAIT_S)
                    unseen_429s += 1
                    resume = max(started + delay, now)
                    self._wait(WaitNotice("rate_limit", endpoint, resume,
                                          "X's per-second limit was hit; resuming automatically."),
                               announce=resume - now >= ANNOUNCE_MIN_WAIT_S)
                    continue
                if exc.reset_at:
                    resume = exc.reset_at + RESET_MARGIN_S
                else:
                    resume = now + _backoff(UNKNOWN_RESET_FIRST_WAIT_S, bare_429s, UNKNOWN_RESET_WAIT_S)
                    bare_429s += 1
                self._wait(WaitNotice("rate_limit", endpoint, max(resume, now + RESET_MARGIN_S),
                                      "X's rate limit is reached; resuming automatically."))
            except (errors.ServerError, errors.NetworkError) as exc:
                failures += 1
                if failures > self._max_retries:
                    raise
                self.retries += 1
                delay = _backoff(1.0, failures, MAX_BACKOFF_S)
                self._wait(WaitNotice("retry", endpoint, self._clock.now() + delay,
                                      f"{exc.user_message} Retrying ({failures}/{self._max_retries})."))

    def _wait_for_budget(self, endpoint: str) -> None:
        state = self._book.get(endpoint)
        if state is None or not state.exhausted or state.reset_at is None:
            return
        if state.reset_at + RESET_MARGIN_S > self._clock.now():
            self._wait(WaitNotice("rate_limit", endpoint, state.reset_at + RESET_MARGIN_S,
                                  "Rate-limit budget spent; waiting for the next window."))

    def _wait_for_spacing(self, endpoint: str) -> None:
        delay = self._spacing.delay_before(endpoint)
        if delay <= 0:
            return
        self.spacing_waits += 1
        self._wait(WaitNotice("rate_limit", endpoint, self._clock.now() + delay,
                              "Keeping to X's per-second limit."), announce=delay >= ANNOUNCE_MIN_WAIT_S)

    def _wait(self, notice: WaitNotice, *, announce: bool = True) -> None:
        if announce and self._on_wait is not None:
            self._on_wait(notice)
        self._clock.sleep(notice.resume_at - self._clock.now(), self._cancel)


def _backoff(first: float, attempt: int, ceiling: float) -> float:
    """`first` doubled `attempt` times, at most `ceiling`: every repeated wait here grows the same way."""
    return min(first * 2.0 ** attempt, ceiling)
