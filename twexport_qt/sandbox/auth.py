"""Authentication of sandbox requests: OAuth 1.0a user context (HMAC-SHA1) and app-only Bearer.

The signature is verified for real, over the URL tweepy signed (https://api.twitter.com + path), not the
127.0.0.1 URL the routing adapter sent it to, so a wrong secret fails here exactly as it would at X.
Nonce and timestamp freshness are not checked: tests run on a FakeClock while tweepy signs with wall time.
"""

from __future__ import annotations

import enum
import hmac
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Protocol

from oauthlib.oauth1.rfc5849 import signature, utils

from twexport_qt.sandbox.wire import unauthorized

ORIGINAL_HOST = "https://api.twitter.com"


class RequestHeaders(Protocol):
    """A request's headers: http.server's message (names case-insensitive) or, in tests, a plain dict."""

    def get(self, name: str, default: str, /) -> str: ...


@dataclass(frozen=True)
class SandboxCredentials:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


# Public by design: the sandbox is a local emulator and these open nothing else.
SANDBOX_CREDENTIALS = SandboxCredentials(
    consumer_key="sandbox-consumer-key",
    consumer_secret="sandbox-consumer-secret-not-a-real-secret",
    access_token="1486732650112401409-sandboxaccesstoken",
    access_token_secret="sandbox-access-token-secret-not-a-real-secret",
)
SANDBOX_BEARER_TOKEN = "AAAAAAAAAAAAAAAAAAAAASandboxBearerTokenNotARealToken"


class AuthContext(enum.StrEnum):
    USER = "user"  # OAuth 1.0a user context
    APP = "app"  # OAuth 2.0 app-only bearer


class Authenticator:
    """Decides who a request is from. Tests revoke tokens to get X's 401."""

    def __init__(self, credentials: SandboxCredentials = SANDBOX_CREDENTIALS,
                 bearer_token: str = SANDBOX_BEARER_TOKEN) -> None:
        self.credentials = credentials
        self.bearer_token = bearer_token
        self._lock = threading.Lock()
        self._revoked: set[AuthContext] = set()

    def revoke(self, context: AuthContext = AuthContext.USER) -> None:
        with self._lock:
            self._revoked.add(AuthContext(context))

    def restore(self, context: AuthContext = AuthContext.USER) -> None:
        with self._lock:
            self._revoked.discard(AuthContext(context))

    def authenticate(self, method: str, path_and_query: str, headers: RequestHeaders,
                     form_body: str | None = None) -> AuthContext:
        """The request's auth context, or ApiProblem(401)."""
        header = headers.get("Authorization", "")
        if header.startswith("Bearer "):
            context = AuthContext.APP if hmac.compare_digest(header[7:].strip(), self.bearer_token) else None
        elif header.startswith("OAuth "):
            context = AuthContext.USER if self._valid_oauth1(method, path_and_query, header, form_body) else None
        else:
            context = None
        with self._lock:
            if context is None or context in self._revoked:
                raise unauthorized()
        return context

    def _valid_oauth1(self, method: str, path_and_query: str, header: str, form_body: str | None) -> bool:
        try:
            oauth = {key: utils.unescape(value) for key, value in utils.parse_authorization_header(header)}
        except (ValueError, IndexError):
            return False
        creds = self.credentials
        if (oauth.get("oauth_signature_method") != "HMAC-SHA1"
                or oauth.get("oauth_consumer_key") != creds.consumer_key
                or oauth.get("oauth_token") != creds.access_token
                or "oauth_signature" not in oauth):
            return False
        uri = ORIGINAL_HOST + path_and_query
        query = path_and_query.partition("?")[2]
        params = signature.collect_parameters(uri_query=query, body=form_body,
                                              headers={"Authorization": header})
        base = signature.signature_base_string(method.upper(), signature.base_string_uri(uri),
                                               signature.normalize_parameters(params))
        secrets = SimpleNamespace(client_secret=creds.consumer_secret,
                                  resource_owner_secret=creds.access_token_secret)
        expected = signature.sign_hmac_sha1_with_client(base, secrets)
        return hmac.compare_digest(expected, oauth["oauth_signature"])

