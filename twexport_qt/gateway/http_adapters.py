"""The requests transport adapters `routing.mount` puts on a session: a default timeout, and the rewrite of X's
hosts to another address. Apart from `routing`, so that reading where traffic goes imports no HTTP library."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from twexport_qt.gateway.routing import DEFAULT_TIMEOUT

# requests' own parameter types for `HTTPAdapter.send` (its aliases live in the private `requests._types`).
RequestTimeout = float | tuple[float | None, float | None] | None
ClientCert = str | tuple[str, str] | None


class TimeoutAdapter(HTTPAdapter):
    """HTTPAdapter with a default timeout (tweepy calls `session.request` without one)."""

    def __init__(self, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        super().__init__()

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: RequestTimeout = None,
             verify: bool | str = True, cert: ClientCert = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        return super().send(request, stream, self.timeout if timeout is None else timeout, verify, cert, proxies)


class RedirectAdapter(TimeoutAdapter):
    """Rewrite scheme and host of every request to `base_url` (e.g. ``http://127.0.0.1:8765``)."""

    def __init__(self, base_url: str, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        super().__init__(timeout)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: RequestTimeout = None,
             verify: bool | str = True, cert: ClientCert = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        return super().send(request, stream, timeout, verify, cert, proxies)
