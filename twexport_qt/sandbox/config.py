"""What a sandbox instance simulates: population size and seed, rate limits, faults, usage cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from twexport_qt.sandbox.faults import FaultConfig
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
