"""Seeded, deterministic fault injection: every way an X answer goes wrong that a client must survive.

Random faults come from one seeded generator consumed in request order, so a serial test run is reproducible;
`fail_next` queues exact one-shot faults for tests that need a specific failure on a specific call.

Kinds and when they act (see `app.handle_request`):
- before rate limiting, spending no budget: "500", "503", "drop" (socket closed, nothing processed),
  "slow" (wait, then go on normally), "429" / "429-bare" (start a storm, see below);
- after rate limiting, spending budget as X does: "errors-only" (a 200 whose body has only `errors`, nothing
  processed), "sent-then-drop" (the request is fully processed, then the socket closes without an answer).

A 429 storm lasts `storm_seconds` on the sandbox clock: every request to that endpoint meanwhile gets X's 429
(with `x-rate-limit-*` headers for "429", without any for "429-bare"). Storm answers neither take queued faults
nor draw from the generator; a second queued "429" starts a new storm once the first has ended.
"""

from __future__ import annotations

import enum
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from twexport_qt.core.clock import Clock, SystemClock

_RATE_SLACK = 1e-9  # 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats


class FaultKind(enum.StrEnum):
    ERROR_500 = "500"
    ERROR_503 = "503"
    DROP = "drop"  # close the socket before processing (requests raises ConnectionError; nothing happened)
    SLOW = "slow"  # delay, then process and answer normally (a client that timed out still had it processed)
    ERRORS_ONLY = "errors-only"  # 200 with only `errors`; counts against the rate budget
    STORM_429 = "429"  # a 429 storm with x-rate-limit-* headers
    STORM_429_BARE = "429-bare"  # a 429 storm without any x-rate-limit-* header
    SENT_THEN_DROP = "sent-then-drop"  # processed (DM recorded, budget spent), then the socket closes

    @property
    def is_storm(self) -> bool:
        return self in (FaultKind.STORM_429, FaultKind.STORM_429_BARE)

    @property
    def spends_budget(self) -> bool:
        """Whether the request still goes through rate limiting (X counted it) before the fault shows."""
        return self in (FaultKind.ERRORS_ONLY, FaultKind.SENT_THEN_DROP)


@dataclass(frozen=True)
class FaultConfig:
    """Random faults. Probabilities are per request (0..1) and sum to at most 1.

    `error_rate` (split 70/30 between 500 and 503), `drop_rate` and `slow_rate` are the original knobs; `rates`
    gives any kind its own probability (e.g. {"errors-only": 0.05, "429": 0.01}). `endpoints` restricts random
    faults to these endpoint names (None: all); one-shot `fail_next` faults ignore it.
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    drop_rate: float = 0.0
    slow_seconds: float = 2.0
    endpoints: frozenset[str] | None = None
    seed: int = 0
    rates: Mapping[FaultKind, float] = field(default_factory=dict)
    storm_seconds: float = 3.0

    def __post_init__(self) -> None:
        rates = {FaultKind(kind): float(rate) for kind, rate in dict(self.rates).items()}  # ValueError: bad kind
        object.__setattr__(self, "rates", rates)
        if self.endpoints is not None:
            object.__setattr__(self, "endpoints", frozenset(str(name) for name in self.endpoints))
        every_rate = [self.error_rate, self.slow_rate, self.drop_rate, *rates.values()]
        if min(every_rate) < 0 or sum(every_rate) > 1 + _RATE_SLACK:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must be >= 0")
        if not self.storm_seconds > 0:
            raise ValueError("storm_seconds must be > 0")

    @property
    def any_random(self) -> bool:
        return any(rate > 0 for rate in (self.error_rate, self.slow_rate, self.drop_rate, *self.rates.values()))


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    endpoint: str
    delay: float = 0.0  # SLOW: seconds to wait
    storm_until: float | None = None  # storms: when the storm ends (sandbox clock)
    queued: bool = False  # came from fail_next (so a preempted one goes back to its queue)

    @property
    def storm_reset(self) -> int | None:
        """The storm's end as X's `x-rate-limit-reset` (epoch seconds, rounded up)."""
        return None if self.storm_until is None else math.ceil(self.storm_until)


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Clock | None = None) -> None:
        self.config = config or FaultConfig()
        self.sleep = sleep  # real delay for SLOW faults; tests may replace it with a recorder
        self.clock = clock or SystemClock()  # storms last `storm_seconds` on this clock
        self.injected: list[Fault] = []  # every fault handed out, in order (storm answers included)
        self._random = random.Random(self.config.seed)
        self._queued: dict[str, deque[FaultKind]] = {}
        self._storms: dict[str, tuple[FaultKind, float]] = {}  # endpoint -> (kind, end)
        self._lock = threading.Lock()

    def fail_next(self, endpoint: str, kind: str = "500", count: int = 1) -> None:
        """Make the next `count` requests to `endpoint` fail with `kind` (a `FaultKind` value)."""
        with self._lock:
            self._queued.setdefault(str(endpoint), deque()).extend([FaultKind(kind)] * count)

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)

    def draw(self, endpoint: str) -> Fault | None:
        """The fault for this request, if any: an ongoing storm, then queued ones, then the random rates."""
        endpoint = str(endpoint)
        now = self.clock.now()
        with self._lock:
            storm = self._storms.get(endpoint)
            if storm is not None and now < storm[1]:
                fault = Fault(storm[0], endpoint, storm_until=storm[1])
                self.injected.append(fault)
                return fault
            queue = self._queued.get(endpoint)
            queued = bool(queue)
            kind = queue.popleft() if queue else self._random_kind(endpoint)
            if kind is None:
                return None
            fault = Fault(kind, endpoint, delay=self.config.slow_seconds if kind == FaultKind.SLOW else 0.0,
                          storm_until=now + self.config.storm_seconds if kind.is_storm else None, queued=queued)
            if fault.storm_until is not None:
                self._storms[endpoint] = (kind, fault.storm_until)
            self.injected.append(fault)
            return fault

    def preempt(self, fault: Fault) -> None:
        """A drawn fault did not happen (the rate limiter answered 429 first): forget it, and give a one-shot
        fault back to its queue so a test's `fail_next` still hits the next request that gets through."""
        with self._lock:
            for index in range(len(self.injected) - 1, -1, -1):
                if self.injected[index] is fault:
                    del self.injected[index]
                    break
            if fault.queued:
                self._queued.setdefault(fault.endpoint, deque()).appendleft(fault.kind)

    def _random_kind(self, endpoint: str) -> FaultKind | None:
        config = self.config
        if config.endpoints is not None and endpoint not in config.endpoints:
            return None
        if not config.any_random:
            return None
        # One uniform draw per eligible request, over bands in a fixed order (the original three first, so
        # their sequences for a given seed are unchanged); a second draw splits errors into 500/503.
        u = self._random.random()
        edge = config.drop_rate
        if u < edge:
            return FaultKind.DROP
        edge += config.error_rate
        if u < edge:
            return FaultKind.ERROR_503 if self._random.random() < 0.3 else FaultKind.ERROR_500
        edge += config.slow_rate
        if u < edge:
            return FaultKind.SLOW
        for kind in FaultKind:
            edge += config.rates.get(kind, 0.0)
            if u < edge:
                return kind
        return None
