"""Seeded, deterministic fault injection: 5xx answers, slow answers and dropped connections.

Random faults come from one seeded generator consumed in request order, so a serial test run is reproducible;
`fail_next` queues exact one-shot faults for tests that need a specific failure on a specific call.
"""

from __future__ import annotations

import enum
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable


class FaultKind(enum.StrEnum):
    ERROR_500 = "500"
    ERROR_503 = "503"
    DROP = "drop"  # close the socket without an answer (requests raises ConnectionError)
    SLOW = "slow"  # delay, then answer normally


@dataclass(frozen=True)
class FaultConfig:
    """Probabilities per request (0..1). `endpoints`: restrict random faults to these keys (None: all)."""

    error_rate: float = 0.0
    slow_rate: float = 0.0
    drop_rate: float = 0.0
    slow_seconds: float = 2.0
    endpoints: frozenset[str] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.error_rate, self.slow_rate, self.drop_rate) < 0 or \
                self.error_rate + self.slow_rate + self.drop_rate > 1:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    endpoint: str
    delay: float = 0.0


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config or FaultConfig()
        self.sleep = sleep  # real delay for SLOW faults; tests may replace it with a recorder
        self.injected: list[Fault] = []  # every fault handed out, in order
        self._random = random.Random(self.config.seed)
        self._queued: dict[str, deque[FaultKind]] = {}
        self._lock = threading.Lock()

    def fail_next(self, endpoint: str, kind: str = "500", count: int = 1) -> None:
        """Make the next `count` requests to `endpoint` fail with `kind` ("500", "503", "drop" or "slow")."""
        with self._lock:
            self._queued.setdefault(str(endpoint), deque()).extend([FaultKind(kind)] * count)

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)

    def draw(self, endpoint: str) -> Fault | None:
        """The fault for this request, if any: queued ones first, then the configured probabilities."""
        with self._lock:
            queue = self._queued.get(str(endpoint))
            kind = queue.popleft() if queue else self._random_kind(endpoint)
            if kind is None:
                return None
            fault = Fault(kind, str(endpoint), self.config.slow_seconds if kind == FaultKind.SLOW else 0.0)
            self.injected.append(fault)
            return fault

    def _random_kind(self, endpoint: str) -> FaultKind | None:
        config = self.config
        if config.endpoints is not None and endpoint not in config.endpoints:
            return None
        if config.error_rate == config.slow_rate == config.drop_rate == 0:
            return None
        u = self._random.random()
        if u < config.drop_rate:
            return FaultKind.DROP
        if u < config.drop_rate + config.error_rate:
            return FaultKind.ERROR_503 if self._random.random() < 0.3 else FaultKind.ERROR_500
        if u < config.drop_rate + config.error_rate + config.slow_rate:
            return FaultKind.SLOW
        return None
