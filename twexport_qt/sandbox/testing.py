"""Test helpers other packages reuse: a running sandbox and tweepy clients routed to it.

    with running_sandbox(followers=500, clock=fake_clock) as server:
        client = sandbox_client(server)
        me = client.get_me().data
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import tweepy

from twexport_qt.core.clock import Clock
from twexport_qt.gateway.routing import mount
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.faults import FaultConfig
from twexport_qt.sandbox.rate_limits import Window
from twexport_qt.sandbox.server import SandboxServer


@contextmanager
def running_sandbox(*, followers: int = 1000, seed: int = 42, clock: Clock | None = None,
                    rate_limits: Mapping[str, Sequence[Window]] | None = None,
                    faults: FaultConfig | None = None, usage_capped: bool = False,
                    state_file: str | Path | None = None,
                    request_log: str | Path | None = None, reply_rate: float = 0.0) -> Iterator[SandboxServer]:
    """A started SandboxServer on an ephemeral port, stopped on exit."""
    config = SandboxConfig(followers=followers, seed=seed, rate_limits=dict(rate_limits or {}),
                           faults=faults or FaultConfig(), usage_capped=usage_capped, state_file=state_file,
                           request_log=request_log, reply_rate=reply_rate)
    with SandboxServer(config, clock=clock) as server:
        yield server


def sandbox_client(server: SandboxServer | str, *, user_auth: bool = True, consumer_secret: str | None = None,
                   timeout: float | tuple[float, float] = (5.0, 15.0)) -> tweepy.Client:
    """A tweepy.Client with the sandbox credentials, routed to `server` (or a sandbox's base URL, such as an
    `external_process.external_sandbox`'s) exactly as the app routes it.

    `user_auth=False` gives a bearer-only client (tweepy then uses app-only auth for every call).
    `consumer_secret` overrides the secret, to produce a bad signature.
    """
    creds = SANDBOX_CREDENTIALS
    if user_auth:
        client = tweepy.Client(consumer_key=creds.consumer_key,
                               consumer_secret=consumer_secret or creds.consumer_secret,
                               access_token=creds.access_token, access_token_secret=creds.access_token_secret)
    else:
        client = tweepy.Client(bearer_token=SANDBOX_BEARER_TOKEN)
    mount(client.session, server if isinstance(server, str) else server.base_url, timeout=timeout)
    return client
