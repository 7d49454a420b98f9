"""What a sandbox instance simulates: population size and seed, rate limits, faults, usage cap, the OAuth 2.0 apps
it knows, and the files that let tests see it from outside (the DM state file and the request log)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from twexport_qt.sandbox.faults import FaultConfig
from twexport_qt.sandbox.oauth2_grants import SANDBOX_CLIENT_ID, SANDBOX_REDIRECT_URIS
from twexport_qt.sandbox.rate_limits import Window


@dataclass(frozen=True)
class SandboxConfig:
    followers: int = 1000
    seed: int = 42
    host: str = "127.0.0.1"
    port: int = 0  # 0: an ephemeral port chosen by the OS
    # Overrides of rate_limits.DEFAULT_RATE_LIMITS: "endpoint" or "endpoint@user" / "endpoint@app" -> windows.
    rate_limits: Mapping[str, Sequence[Window]] = field(default_factory=dict)
    faults: FaultConfig = field(default_factory=FaultConfig)
    usage_capped: bool = False
    state_file: str | Path | None = None  # the DM record, kept across restarts (None: memory only)
    request_log: str | Path | None = None  # JSON lines, one per request handled (None: no log)
    reply_rate: float = 0.0  # share of messaged followers who reply (follower_replies.py); 0: nobody does
    # "Sign in with X" apps (public clients): client id -> its exact callback URIs. Tests register more through
    # `server.state.auth.oauth2.register_client`.
    oauth2_clients: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {SANDBOX_CLIENT_ID: SANDBOX_REDIRECT_URIS})
