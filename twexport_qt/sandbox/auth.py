"""Authentication of sandbox requests: OAuth 1.0a user context (HMAC-SHA1), OAuth 2.0 user tokens (issued by the
sandbox's own authorization server, `oauth2_grants.py`) and app-only Bearer.

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

from twexport_qt.sandbox.oauth2_grants import OAuth2Grants
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
    USER = "user"  # user context: OAuth 1.0a, or an OAuth 2.0 user token
    APP = "app"  # OAuth 2.0 app-only bearer


class AccessLevel(enum.StrEnum):
    """The permission of the app the OAuth 1.0a keys belong to, which X names in `x-access-level`."""

    READ = "read"
    READ_WRITE = "read-write"
    READ_WRITE_DM = "read-write-directmessages"


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and what their credentials allow."""

    context: AuthContext
    scopes: frozenset[str] | None = None  # an OAuth 2.0 user token's scopes; None: not an OAuth 2.0 user token
    access_level: AccessLevel | None = None  # OAuth 1.0a: the keys' permission (sent back in `x-access-level`)


class Authenticator:
    """Decides who a request is from. Tests revoke tokens to get X's 401, and lower `oauth1_access_level` to get a
    read-only app's 403 on DMs; `oauth2` is the authorization server that issues and checks user tokens."""

    def __init__(self, credentials: SandboxCredentials = SANDBOX_CREDENTIALS,
                 bearer_token: str = SANDBOX_BEARER_TOKEN) -> None:
        self.credentials = credentials
        self.bearer_token = bearer_token
        self.oauth2 = OAuth2Grants()
        self.oauth1_access_level = AccessLevel.READ_WRITE_DM
        self._lock = threading.Lock()
        self._revoked: set[AuthContext] = set()

    def revoke(self, context: AuthContext = AuthContext.USER) -> None:
        with self._lock:
            self._revoked.add(AuthContext(context))

    def restore(self, context: AuthContext = AuthContext.USER) -> None:
        with self._lock:
            self._revoked.discard(AuthContext(context))

    def authenticate(self, method: str, path_and_query: str, headers: RequestHeaders,
                     form_body: str | None = None, *, now: float = 0.0) -> Caller:
        """Who sent the request (`now`: the sandbox clock, for OAuth 2.0 token expiry), or ApiProblem(401)."""
        header = headers.get("Authorization", "")
        caller: Caller | None = None
        if header.startswith("Bearer "):
            token = header[7:].strip()
            if hmac.compare_digest(token, self.bearer_token):
                caller = Caller(AuthContext.APP)
            else:
                scopes = self.oauth2.scopes_of(token, now)
                caller = Caller(AuthContext.USER, scopes=scopes) if scopes is not None else None
        elif header.startswith("OAuth ") and self._valid_oauth1(method, path_and_query, header, form_body):
            caller = Caller(AuthContext.USER, access_level=self.oauth1_access_level)
        with self._lock:
            if caller is None or caller.context in self._revoked:
                raise unauthorized()
        return caller

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

