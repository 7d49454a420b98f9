"""The text forms of sandbox settings used on the command line (`sandbox serve`), parsed with one-line errors.

Every parser raises ValueError whose message is a complete sentence fragment naming the bad value, so the
command can print it as is.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.faults import FaultKind
from twexport_qt.sandbox.rate_limits import Window

FAULT_KINDS = ", ".join(kind.value for kind in FaultKind)
ENDPOINT_NAMES = ", ".join(endpoint.value for endpoint in Endpoint)


def fault_rate(text: str) -> tuple[FaultKind, float]:
    """'errors-only=0.05' -> (FaultKind.ERRORS_ONLY, 0.05)."""
    kind_text, sep, rate_text = text.partition("=")
    if not sep:
        raise ValueError(f"expected KIND=RATE, got {text!r}")
    try:
        kind = FaultKind(kind_text.strip())
    except ValueError:
        raise ValueError(f"unknown fault kind {kind_text.strip()!r} (one of: {FAULT_KINDS})") from None
    rate = _number(rate_text, f"the fault rate of {kind}")
    if not 0 <= rate <= 1:
        raise ValueError(f"the fault rate of {kind} must be between 0 and 1, got {rate_text.strip()}")
    return kind, rate


def endpoint_names(text: str) -> frozenset[str]:
    """'followers,dm_send' -> frozenset({'followers', 'dm_send'})."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError(f"expected NAME[,NAME...] (endpoints: {ENDPOINT_NAMES})")
    return frozenset(endpoint(name) for name in names)


def endpoint(name: str) -> str:
    try:
        return Endpoint(name).value
    except ValueError:
        raise ValueError(f"unknown endpoint {name!r} (one of: {ENDPOINT_NAMES})") from None


def rate_limit(text: str) -> tuple[str, list[Window]]:
    """'dm_send@user=15/900,1440/86400' -> ('dm_send@user', [(15, 900), (1440, 86400)]): the key and windows
    of `SandboxConfig.rate_limits`. A 1-second window given next to a longer one is a hidden per-second rule,
    like X's (see rate_limits.py); alone it is described in the headers like any window."""
    key, sep, windows_text = text.partition("=")
    if not sep:
        raise ValueError(f"expected ENDPOINT[@user|@app]=N/SECONDS[,N/SECONDS...], got {text!r}")
    name, at, context = key.strip().partition("@")
    endpoint(name)
    if at and context not in {c.value for c in AuthContext}:
        raise ValueError(f"unknown auth context {context!r} in {key.strip()!r} (use @user or @app)")
    windows = [_window(part, key.strip()) for part in windows_text.split(",")]
    return key.strip(), windows


def _window(text: str, key: str) -> Window:
    count, sep, seconds = text.strip().partition("/")
    if not sep or not count.strip().isdigit() or not seconds.strip().isdigit():
        raise ValueError(f"a rate-limit window of {key} must be N/SECONDS (whole numbers), got {text.strip()!r}")
    if int(seconds) < 1:
        raise ValueError(f"a rate-limit window of {key} must last at least 1 second, got {text.strip()!r}")
    return int(count), int(seconds)


def seconds(text: str, name: str, *, allow_zero: bool) -> float:
    value = _number(text, name)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'0 or more' if allow_zero else 'more than 0'} seconds, got {text}")
    return value


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {text.strip()!r}")
    return value


def share_of(name: str) -> Callable[[str], float]:
    """A parser for a share from 0 to 1 (e.g. `--replies 0.2`)."""
    def parse(text: str) -> float:
        value = _number(text, name)
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {text.strip()}")
        return value
    return parse
