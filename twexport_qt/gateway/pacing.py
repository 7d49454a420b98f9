"""Cancellable waiting around gateway calls: pace by the rate-limit headers, retry what is transient.

Budget-aware rather than sleep-based: before a call, if the last response for that endpoint said
`remaining == 0`, wait until its `reset`; so a long job spends the whole budget and never provokes a 429
it could have foreseen. A 429 anyway (another app on the same account, a shared app budget) waits for
the reset it names. 5xx and network drops are retried with exponential backoff, a bounded number of times.
Every wait is announced (for a countdown) and ends early when the cancel token is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.gateway.rate_limits import RateLimitBook

T = TypeVar("T")

ENDPOINT_ME = "GET /2/users/me"
ENDPOINT_FOLLOWERS = "GET /2/users/:id/followers"
ENDPOINT_USERS = "GET /2/users"
ENDPOINT_USERS_BY = "GET /2/users/by"
ENDPOINT_USER_TWEETS = "GET /2/users/:id/tweets"
ENDPOINT_TWEETS = "GET /2/tweets"
ENDPOINT_SEARCH_ALL = "GET /2/tweets/search/all"
ENDPOINT_DM_SEND = "POST /2/dm_conversations/with/:id/messages"
ENDPOINT_DM_EVENTS = "GET /2/dm_conversations/with/:id/dm_events"

RESET_MARGIN_S = 1.0          # X's reset is a whole second; clocks differ a little
# A 429 without headers names no reset: back off from a few seconds up to a minute. A brief burst of them
# (a proxy, another client on the account) then costs seconds, not a minute each; a lasting one still waits.
UNKNOWN_RESET_FIRST_WAIT_S = 5.0
UNKNOWN_RESET_WAIT_S = 60.0
MAX_BACKOFF_S = 120.0


@dataclass(frozen=True)
class WaitNotice:
    """Shown to the user while a job waits: a countdown to `resume_at` (epoch seconds)."""

    reason: str          # "rate_limit" | "retry"
    endpoint: str
    resume_at: float
    message: str


class Pacer:
    def __init__(
        self,
        rate_limits: RateLimitBook,
        clock: Clock,
        cancel: CancelToken | None = None,
        on_wait: Callable[[WaitNotice], None] | None = None,
        max_retries: int = 5,
    ) -> None:
        self._book = rate_limits
        self._clock = clock
        self._cancel = cancel
        self._on_wait = on_wait
        self._max_retries = max_retries
        self.rate_limit_waits = 0
        self.retries = 0

    def call(self, endpoint: str, request: Callable[[], T]) -> T:
        failures = 0
        bare_429s = 0
        while True:
            if self._cancel is not None:
                self._cancel.raise_if_cancelled()
            self._wait_for_budget(endpoint)
            try:
                return request()
            except errors.RateLimited as exc:
                self.rate_limit_waits += 1
                now = self._clock.now()
                if exc.reset_at:
                    resume = exc.reset_at + RESET_MARGIN_S
                else:
                    resume = now + min(UNKNOWN_RESET_FIRST_WAIT_S * 2.0 ** bare_429s, UNKNOWN_RESET_WAIT_S)
                    bare_429s += 1
                self._wait(WaitNotice("rate_limit", endpoint, max(resume, now + RESET_MARGIN_S),
                                      "X's rate limit is reached; resuming automatically."))
            except (errors.ServerError, errors.NetworkError) as exc:
                failures += 1
                if failures > self._max_retries:
                    raise
                self.retries += 1
                delay = min(2.0 ** failures, MAX_BACKOFF_S)
                self._wait(WaitNotice("retry", endpoint, self._clock.now() + delay,
                                      f"{exc.user_message} Retrying ({failures}/{self._max_retries})."))

    def _wait_for_budget(self, endpoint: str) -> None:
        state = self._book.get(endpoint)
        if state is None or not state.exhausted or state.reset_at is None:
            return
        if state.reset_at + RESET_MARGIN_S > self._clock.now():
            self._wait(WaitNotice("rate_limit", endpoint, state.reset_at + RESET_MARGIN_S,
                                  "Rate-limit budget spent; waiting for the next window."))

    def _wait(self, notice: WaitNotice) -> None:
        if self._on_wait is not None:
            self._on_wait(notice)
        self._clock.sleep(notice.resume_at - self._clock.now(), self._cancel)
