"""The sandbox world: everything a running server reads and tests inspect or mutate (`server.state`)."""

from __future__ import annotations

from dataclasses import dataclass

from twexport_qt.core.clock import Clock, SystemClock
from twexport_qt.sandbox.auth import Authenticator
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.dm_recorder import DmRecorder
from twexport_qt.sandbox.faults import FaultInjector
from twexport_qt.sandbox.population import Population
from twexport_qt.sandbox.rate_limits import RateLimiter
from twexport_qt.sandbox.tweets_world import TweetsWorld


@dataclass
class SandboxState:
    config: SandboxConfig
    clock: Clock
    population: Population
    tweets: TweetsWorld
    dms: DmRecorder
    limiter: RateLimiter
    faults: FaultInjector
    auth: Authenticator

    @classmethod
    def from_config(cls, config: SandboxConfig, clock: Clock | None = None) -> SandboxState:
        clock = clock or SystemClock()
        limiter = RateLimiter(clock, config.rate_limits)
        limiter.usage_capped = config.usage_capped
        return cls(
            config=config,
            clock=clock,
            population=Population(config.seed, followers=config.followers),
            tweets=TweetsWorld(config.seed),
            dms=DmRecorder(),
            limiter=limiter,
            faults=FaultInjector(config.faults),
            auth=Authenticator(),
        )
