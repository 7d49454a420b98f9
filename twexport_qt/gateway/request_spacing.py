"""X's per-second rules, which no response header describes: the least time between two requests to an endpoint.

X documents 1 request per second for full-archive search (per app and per user) and for Spaces by creator ids
(XAPI_FACTS §4.3, §9.3), on top of their 15-minute windows. The `x-rate-limit-*` headers describe only the
15-minute window, so a budget-aware pacer alone would send the next page at once and get a 429 whose headers
say budget remains and whose reset is the end of the 15-minute window: obeying that reset stalls a job for up
to 15 minutes per page. Spacing the requests keeps them under the rule instead.

The gap is measured from the start of the previous request (what the client knows; X sees arrival times, which
network jitter moves a little), with twarc's 5% margin (`decorators2.py`: 1.05 s for search/all).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from twexport_qt.core.clock import Clock
from twexport_qt.gateway.endpoints import ENDPOINT_SEARCH_ALL, ENDPOINT_SPACES_BY_CREATOR_IDS

PER_SECOND_MARGIN = 1.05

# X's documented per-second rules: endpoint -> requests allowed per second (app and user context alike).
PER_SECOND_RULES: Mapping[str, int] = MappingProxyType({
    ENDPOINT_SEARCH_ALL: 1,
    ENDPOINT_SPACES_BY_CREATOR_IDS: 1,
})


def min_intervals(rules: Mapping[str, int] = PER_SECOND_RULES,
                  margin: float = PER_SECOND_MARGIN) -> dict[str, float]:
    """{endpoint: seconds between request starts} for per-second `rules`, with the safety `margin`."""
    return {endpoint: margin / per_second for endpoint, per_second in rules.items()}


class RequestSpacing:
    """When each spaced endpoint's last request started, and how long the next one must still wait.

    One per pacer (one per job thread): requests from other threads or processes on the same app are not seen,
    and the pacer's "429 with budget left" path covers the collisions they cause.
    """

    def __init__(self, clock: Clock, intervals: Mapping[str, float] | None = None) -> None:
        self._clock = clock
        self._intervals = dict(min_intervals() if intervals is None else intervals)
        self._last_start: dict[str, float] = {}

    def interval(self, endpoint: str) -> float | None:
        """The endpoint's least gap between request starts, or None when X documents no per-second rule."""
        return self._intervals.get(endpoint)

    def delay_before(self, endpoint: str) -> float:
        """Seconds to wait before the next request to `endpoint` may start (0: now)."""
        interval = self._intervals.get(endpoint)
        last = self._last_start.get(endpoint)
        if interval is None or last is None:
            return 0.0
        return max(0.0, last + interval - self._clock.now())

    def started(self, endpoint: str) -> float:
        """Note that a request to `endpoint` starts now (refused ones count too: X saw them); returns now."""
        now = self._clock.now()
        self._last_start[endpoint] = now
        return now
