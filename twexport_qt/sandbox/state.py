"""The sandbox world: everything a running server reads and tests inspect or mutate (`server.state`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from twexport_qt.core.clock import Clock, SystemClock
from twexport_qt.sandbox.auth import Authenticator
from twexport_qt.sandbox.billing import SandboxBilling
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.dm_recorder import DmRecorder
from twexport_qt.sandbox.faults import FaultInjector
from twexport_qt.sandbox.follower_replies import FollowerReplies
from twexport_qt.sandbox.population import POPULATION_END, Population
from twexport_qt.sandbox.rate_limits import RateLimiter
from twexport_qt.sandbox.request_log import RequestLog
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
    request_log: RequestLog | None = None
    replies: FollowerReplies = field(default_factory=FollowerReplies)
    billing: SandboxBilling = field(default_factory=SandboxBilling)  # what X would bill for the answers given

    @classmethod
    def from_config(cls, config: SandboxConfig, clock: Clock | None = None) -> SandboxState:
        clock = clock or SystemClock()
        limiter = RateLimiter(clock, config.rate_limits)
        limiter.usage_capped = config.usage_capped
        dms = DmRecorder(config.state_file)  # first: a bad state file fails before a log file is opened
        return cls(
            config=config,
            clock=clock,
            # Activity is measured back from now when now is past the population's end (the app on the real clock).
            population=Population(config.seed, followers=config.followers,
                                  activity_end=max(POPULATION_END, int(clock.now()))),
            tweets=TweetsWorld(config.seed),
            dms=dms,
            limiter=limiter,
            faults=FaultInjector(config.faults, clock=clock),
            auth=Authenticator(),
            request_log=RequestLog(config.request_log) if config.request_log is not None else None,
            replies=FollowerReplies(config.reply_rate, config.seed),
        )

    def close(self) -> None:
        """Release the files the state holds open (the request log)."""
        if self.request_log is not None:
            self.request_log.close()
