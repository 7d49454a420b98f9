"""Where the sign-in goes: X's authorize page, token and revoke endpoints, and the loopback redirect URI.

The token and revoke requests go through `gateway.routing` like every API call, so `--api-base-url` sends them to
a sandbox; the authorize page is opened by the browser, which knows no routing: with a base URL override it is the
sandbox's own page.
"""

from __future__ import annotations

from twexport_qt.gateway.routing import X_API_NEW_PREFIX

X_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_URL = f"{X_API_NEW_PREFIX}/2/oauth2/token"
REVOKE_URL = f"{X_API_NEW_PREFIX}/2/oauth2/revoke"

LOOPBACK_HOST = "127.0.0.1"  # X's docs: use 127.0.0.1, not localhost
CALLBACK_PATH = "/callback"


def authorize_url(base_url: str | None) -> str:
    """X's authorize page, or the sandbox's when the API traffic goes to `base_url` (a checked loopback URL)."""
    return f"{base_url.rstrip('/')}{AUTHORIZE_PATH}" if base_url else X_AUTHORIZE_URL


def redirect_uri(port: int) -> str:
    """The callback URI registered in the user's developer app. X matches it exactly, so the port is fixed."""
    return f"http://{LOOPBACK_HOST}:{port}{CALLBACK_PATH}"
