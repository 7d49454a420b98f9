"""What the X API said about our remaining budget, per endpoint, from the `x-rate-limit-*` headers."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_ID_SEGMENT = re.compile(r"(?<!^)/\d+(?=/|$)")  # not the leading "/2" API version
_USERNAME_SEGMENT = re.compile(r"(/users/by/username)/[^/]+")


def endpoint_key(method: str, url: str) -> str:
    """'GET https://api.twitter.com/2/users/123/followers?x' -> 'GET /2/users/:id/followers'."""
    path = urlsplit(url).path
    path = _USERNAME_SEGMENT.sub(r"\1/:username", path)
    path = _ID_SEGMENT.sub("/:id", path)
    return f"{method.upper()} {path}"


@dataclass(frozen=True)
class RateLimitState:
    endpoint: str
    limit: int | None
    remaining: int | None
    reset_at: float | None  # epoch seconds when the window refills

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


def parse_headers(endpoint: str, headers: Mapping[str, str]) -> RateLimitState | None:
    """None when the response carried no rate-limit headers (e.g. a dropped proxy response)."""

    def _int(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    limit, remaining, reset = _int("x-rate-limit-limit"), _int("x-rate-limit-remaining"), _int("x-rate-limit-reset")
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimitState(endpoint, limit, remaining, float(reset) if reset is not None else None)


class RateLimitBook:
    """Latest known state per endpoint; written by the HTTP response hook, read by pacing and the status bar."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, RateLimitState] = {}

    def record(self, state: RateLimitState) -> None:
        with self._lock:
            self._states[state.endpoint] = state

    def get(self, endpoint: str) -> RateLimitState | None:
        with self._lock:
            return self._states.get(endpoint)

    def all(self) -> list[RateLimitState]:
        with self._lock:
            return list(self._states.values())
