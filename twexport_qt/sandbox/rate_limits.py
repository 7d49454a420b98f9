"""Per-endpoint, per-auth-context rate limiting on an injectable clock, with X's headers.

Windows are fixed, starting at the first request after the previous one expired, which is how X behaves and
what `x-rate-limit-reset` describes. Several windows can apply at once (DM sends: 15/15 min AND 1,440/24 h);
a request passes only if every window has budget, and the headers describe the most constraining window.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Mapping, Sequence

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
    Endpoint.USER_TWEETS: {USER: [(900, _15_MIN)], APP: [(10_000, _15_MIN)]},
    Endpoint.TWEETS_LOOKUP: {USER: [(5_000, _15_MIN)], APP: [(3_500, _15_MIN)]},
    Endpoint.SEARCH_ALL: {APP: [(1, 1), (300, _15_MIN)], USER: [(1, 1)]},
    Endpoint.DM_SEND: {USER: [(15, _15_MIN), (1_440, _24_H)]},
    Endpoint.DM_EVENTS: {USER: [(15, _15_MIN)]},
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


@dataclass
class _WindowState:
    limit: int
    seconds: int
    reset_at: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.reset_at, self.used = now + self.seconds, 0

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
        """Admit one request (consuming budget unless `consume` is False). None: endpoint not limited."""
        now = self._clock.now()
        with self._lock:
            states = self._states_for(endpoint, context)
            if not states:
                return None
            for state in states:
                state.roll(now)
            blocked = [state for state in states if state.used >= state.limit]
            if blocked:
                return max(blocked, key=lambda state: state.reset_at).decision(allowed=False)
            if consume:
                for state in states:
                    state.used += 1
            tightest = min(states, key=lambda state: (state.limit - state.used, -state.reset_at))
            return tightest.decision(allowed=True)

    def _states_for(self, endpoint: str, context: AuthContext) -> list[_WindowState]:
        key = (context, str(endpoint))
        if key not in self._states:
            self._states[key] = [_WindowState(limit, seconds) for limit, seconds in self.windows_for(endpoint, context)]
        return self._states[key]
