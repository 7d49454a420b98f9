"""Send tweepy's requests somewhere other than https://api.twitter.com, through tweepy's own code path.

tweepy.Client hard-codes the host; the sign-in's token requests go to X's documented https://api.x.com. A
transport adapter (`http_adapters.py`) mounted on `client.session` for both prefixes rewrites each prepared
request's URL to the sandbox just before it goes on the wire, so everything above the socket (OAuth 1.0a signing
over the *original* URL, parameter encoding, response parsing, error mapping) is exactly what runs against X. The
adapter also supplies a default timeout, which tweepy never sets.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from twexport_qt.core.errors import ConfigError

if TYPE_CHECKING:  # requests (a tenth of a second) is imported by the first session mounted, not by every importer
    import requests

X_API_PREFIX = "https://api.twitter.com"  # tweepy's host for every API call
X_API_NEW_PREFIX = "https://api.x.com"  # the host X documents, used for the OAuth 2.0 token and revoke requests
X_API_PREFIXES = (X_API_PREFIX, X_API_NEW_PREFIX)
DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read


def mount(session: requests.Session, base_url: str | None,
          timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
    """Route `session`'s X API traffic (both of X's API hosts) to `base_url` (None: real X, with the default
    timeout only)."""
    from twexport_qt.gateway.http_adapters import RedirectAdapter, TimeoutAdapter

    adapter = RedirectAdapter(base_url, timeout=timeout) if base_url else TimeoutAdapter(timeout=timeout)
    for prefix in X_API_PREFIXES:
        session.mount(prefix, adapter)


API_BASE_URL_ENV = "TWEXPORT_API_BASE_URL"
_LOOPBACK_NAMES = {"localhost"}


def checked_api_base_url(url: str) -> str:
    """`url` if it is an http(s) address on this computer's loopback interface, else a ConfigError.

    The override exists for testing against a local X API emulator (several processes sharing one
    `main.py sandbox serve`). Anything else would send a profile's credentials to a third party.
    """
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        loopback = host.lower() in _LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        loopback = port_ok = False
    if parts.scheme not in ("http", "https") or not loopback or not port_ok or parts.path not in ("", "/") \
            or parts.query or parts.username or parts.password:
        raise ConfigError(
            f"--api-base-url / ${API_BASE_URL_ENV} must be an address on this computer, such as "
            f"http://127.0.0.1:8765 (loopback only: 127.0.0.1, ::1 or localhost); {url!r} was refused, and "
            "nothing was sent.")
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
