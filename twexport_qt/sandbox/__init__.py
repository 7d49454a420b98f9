"""X API v2 sandbox: a local emulator with a deterministic population, real OAuth checks, X's rate limits on an
injectable clock, fault injection and a DM recorder. It is the app's default "Sandbox" account and the test double.
"""

from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS, AuthContext, SandboxCredentials
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.dm_recorder import DmEvent, DmRecorder
from twexport_qt.sandbox.dm_state import SandboxStateError
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.faults import FaultConfig, FaultInjector, FaultKind
from twexport_qt.sandbox.population import SANDBOX_USER_ID, SANDBOX_USERNAME, WELL_KNOWN, Population, UserRecord
from twexport_qt.sandbox.rate_limits import DEFAULT_RATE_LIMITS, RateLimiter
from twexport_qt.sandbox.request_log import RequestLogEntry, read_entries
from twexport_qt.sandbox.server import SandboxServer, serve_forever_cli
from twexport_qt.sandbox.state import SandboxState
from twexport_qt.sandbox.tweets_world import TweetRecord, TweetsWorld

__all__ = [
    "DEFAULT_RATE_LIMITS", "SANDBOX_BEARER_TOKEN", "SANDBOX_CREDENTIALS", "SANDBOX_USERNAME", "SANDBOX_USER_ID",
    "WELL_KNOWN", "AuthContext", "DmEvent", "DmRecorder", "Endpoint", "FaultConfig", "FaultInjector", "FaultKind",
    "Population", "RateLimiter", "RequestLogEntry", "SandboxConfig", "SandboxCredentials", "SandboxServer",
    "SandboxState", "SandboxStateError", "TweetRecord", "TweetsWorld", "UserRecord", "read_entries",
    "serve_forever_cli",
]
