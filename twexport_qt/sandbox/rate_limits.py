"""Per-endpoint, per-auth-context rate limiting on an injectable clock, with X's headers.

Windows are fixed, starting at the first request after the previous one expired, which is how X behaves and
what `x-rate-limit-reset` describes. Several windows can apply at once (DM sends: 15/15 min AND 1,440/24 h);
a request passes only if every window has budget, and the headers describe the most constraining window.

Per-second rules are hidden, as X's are (XAPI_FACTS §9.3): a 1-second window next to a longer one (search/all:
1/s and 300/15 min) is never described in the headers, and a request that breaks only it gets a 429 carrying
the longer window's headers: `remaining` > 0 and `reset` at that window's end. X does not say whether a refused
request restarts the second; the sandbox takes the stricter reading (it does), so a client that hammers stays
refused. A 1-second window on its own has nothing to hide behind: it is described like any window, which is
what the reliability tests use as a fast stand-in for a 15-minute one (`--rate-limit followers=4/1`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from twexport_qt.core.clock import Clock
from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.endpoints import Endpoint

Window = tuple[int, int]  # (requests allowed, window length in seconds)

_15_MIN, _24_H = 900, 86_400
USER, APP = AuthContext.USER, AuthContext.APP

# XAPI_FACTS §4.3 (self-serve, 2026). A context without an entry is not rate limited (it gets a 403 anyway).
DEFAULT_RATE_LIMITS: dict[str, dict[AuthContext, list[Window]]] = {
    Endpoint.USERS_ME: {USER: [(75, _15_MIN)]},
    Endpoint.USERS_LOOKUP: {USER: [(900, _15_MIN)], APP: [(300, _15_MIN)]},
    Endpoint.FOLLOWERS: {USER: [(300, _15_MIN)], APP: [(300, _15_MIN)]},
    Endpoint.FOLLOWING: {USER: [(15, _15_MIN)], APP: [(15, _15_MIN)]},
    Endpoint.USER_TWEETS: {USER: [(900, _15_MIN)], APP: [(10_000, _15_MIN)]},
    Endpoint.TWEETS_LOOKUP: {USER: [(5_000, _15_MIN)], APP: [(3_500, _15_MIN)]},
    Endpoint.SEARCH_ALL: {APP: [(1, 1), (300, _15_MIN)], USER: [(1, 1)]},
    Endpoint.DM_SEND: {USER: [(15, _15_MIN), (1_440, _24_H)]},
    Endpoint.DM_EVENTS: {USER: [(15, _15_MIN)]},
    Endpoint.USAGE: {APP: [(50, _15_MIN)]},
}


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds

    def headers(self) -> dict[str, str]:
        return {"x-rate-limit-limit": str(self.limit), "x-rate-limit-remaining": str(self.remaining),
                "x-rate-limit-reset": str(self.reset)}


PER_SECOND = 1  # a window this long is a per-second rule


def hidden_windows(windows: Sequence[Window]) -> list[bool]:
    """Which of an endpoint's windows the headers never describe: per-second ones next to a longer window."""
    longest = max((seconds for _, seconds in windows), default=0)
    return [seconds == PER_SECOND and longest > PER_SECOND for _, seconds in windows]


@dataclass
class _WindowState:
    limit: int
    seconds: int
    hidden: bool = False
    reset_at: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.reset_at, self.used = now + self.seconds, 0

    def restart(self, now: float) -> None:
        """A refused request starts the window again (hidden rules only: see the module docstring)."""
        self.reset_at, self.used = now + self.seconds, self.limit

    def decision(self, allowed: bool) -> RateDecision:
        return RateDecision(allowed, self.limit, max(0, self.limit - self.used), math.ceil(self.reset_at))


class RateLimiter:
    """Counts requests per (auth context, endpoint). `overrides` keys: "followers" (both contexts) or
    "followers@user" / "followers@app" (one context); they replace the defaults for that endpoint."""

    def __init__(self, clock: Clock, overrides: Mapping[str, Sequence[Window]] | None = None) -> None:
        self._clock = clock
        self._overrides: dict[str, list[Window]] = {key: list(value) for key, value in (overrides or {}).items()}
        self._states: dict[tuple[AuthContext, str], list[_WindowState]] = {}
        self._lock = threading.Lock()
        self.usage_capped = False  # when True every request gets X's UsageCapExceeded 429

    def windows_for(self, endpoint: str, context: AuthContext) -> list[Window]:
        for key in (f"{endpoint}@{context}", str(endpoint)):
            if key in self._overrides:
                return self._overrides[key]
        return DEFAULT_RATE_LIMITS.get(endpoint, {}).get(context, [])

    def set_limits(self, endpoint: str, windows: Sequence[Window], context: AuthContext | None = None) -> None:
        """Replace an endpoint's windows (for one context or both) and forget its counters."""
        key = f"{endpoint}@{context}" if context else str(endpoint)
        with self._lock:
            self._overrides[key] = list(windows)
            for state_key in [k for k in self._states if k[1] == endpoint]:
                del self._states[state_key]

    def reset(self) -> None:
        with self._lock:
            self._states.clear()

    def check(self, endpoint: str, context: AuthContext, *, consume: bool = True) -> RateDecision | None:
        """Admit one request (consuming budget unless `consume` is False: a look that changes nothing).
        None: endpoint not limited. A refused decision carries the headers X would send with its 429."""
        now = self._clock.now()
        with self._lock:
            states = self._states_for(endpoint, context)
            if not states:
                return None
            for state in states:
                state.roll(now)
            described = [state for state in states if not state.hidden]
            blocked = [state for state in states if state.used >= state.limit]
            blocked_described = [state for state in blocked if not state.hidden]
            if blocked_described:
                return max(blocked_described, key=lambda state: state.reset_at).decision(allowed=False)
            if blocked:
                # Only a hidden per-second rule refuses: X's 429 then shows the described window, budget left.
                if consume:
                    for state in blocked:
                        state.restart(now)
                return _tightest(described).decision(allowed=False)
            if consume:
                for state in states:
                    state.used += 1
            return _tightest(described).decision(allowed=True)

    def _states_for(self, endpoint: str, context: AuthContext) -> list[_WindowState]:
        key = (context, str(endpoint))
        if key not in self._states:
            windows = self.windows_for(endpoint, context)
            self._states[key] = [_WindowState(limit, seconds, hidden)
                                 for (limit, seconds), hidden in zip(windows, hidden_windows(windows))]
        return self._states[key]


def _tightest(states: Sequence[_WindowState]) -> _WindowState:
    """The window the headers describe: the fewest requests left, the later reset on a tie."""
    return min(states, key=lambda state: (state.limit - state.used, -state.reset_at))
