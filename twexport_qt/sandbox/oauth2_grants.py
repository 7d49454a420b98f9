"""The sandbox's OAuth 2.0 authorization server, as strict as X's (XAPI_FACTS §9.1): registered client ids with
their exact redirect URIs, PKCE checked (S256 or plain), codes valid 30 s once, access tokens valid 7,200 s,
refresh tokens (only with `offline.access`) that rotate, revocation, and each token's scopes. All times are the
sandbox's clock, so tests step past expiries without waiting. Thread-safe: the server answers in many threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oauthlib.common import generate_token
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_plain,
    code_challenge_method_s256,
)

CODE_LIFETIME_S = 30.0
ACCESS_TOKEN_LIFETIME_S = 7200
OFFLINE_ACCESS = "offline.access"
# X's OAuth 2.0 scopes (fundamentals/authentication/oauth-2-0/authorization-code.mdx).
KNOWN_SCOPES = frozenset({
    "tweet.read", "tweet.write", "tweet.moderate.write", "users.email", "users.read", "follows.read",
    "follows.write", "offline.access", "space.read", "mute.read", "mute.write", "like.read", "like.write",
    "list.read", "list.write", "block.read", "block.write", "bookmark.read", "bookmark.write", "dm.read", "dm.write",
    "media.write",
})
CHALLENGE_CHECKS = {"S256": code_challenge_method_s256, "plain": code_challenge_method_plain}

# Public by design, like the sandbox's OAuth 1.0a keys: a client id the sandbox knows from the start, with the
# callback URI of TwExport's default loopback port (settings.model.DEFAULT_REDIRECT_PORT; a test holds them equal).
SANDBOX_CLIENT_ID = "U2FuZGJveE9BdXRoMkNsaWVudDoxOmNp"
SANDBOX_REDIRECT_URIS: tuple[str, ...] = ("http://127.0.0.1:8719/callback",)

# X's answers to token requests it refuses (observed bodies; XAPI_FACTS §9.1).
BAD_CODE = "Value passed for the authorization code was invalid."
BAD_TOKEN = "Value passed for the token was invalid."


class TokenRefused(Exception):
    """A token or revoke request X would refuse: its status and JSON body."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


class AuthorizeRefused(Exception):
    """An authorize request X answers with its own error page (no redirect: the redirect URI is not trusted)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorize request: what the consent page shows and what approving it grants."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str
    code_challenge_method: str


@dataclass
class _Client:
    redirect_uris: frozenset[str]
    confidential: bool  # a Web App / Automated App: token requests need Basic auth with its secret


@dataclass
class _Code:
    request: AuthorizationRequest
    issued_at: float
    used: bool = False


@dataclass
class _AccessGrant:
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass
class _RefreshGrant:
    client_id: str
    scopes: frozenset[str]
    spent: bool = False  # used once (rotated) or revoked


class OAuth2Grants:
    """Clients, codes and tokens. `register_client` is the way tests (and `SandboxConfig.oauth2_clients`) add apps."""

    def __init__(self) -> None:
        self._clients: dict[str, _Client] = {}
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _AccessGrant] = {}
        self._refresh: dict[str, _RefreshGrant] = {}
        self._lock = threading.Lock()
        self.refreshes = 0  # refresh-token grants answered with new tokens (tests count renewals)

    def register_client(self, client_id: str, redirect_uris: Iterable[str], *, confidential: bool = False) -> None:
        with self._lock:
            self._clients[client_id] = _Client(frozenset(redirect_uris), confidential)

    # -- the authorize page ----------------------------------------------------------------------------
    def check_authorization(self, query: Mapping[str, str]) -> AuthorizationRequest:
        """The request behind the consent page, or AuthorizeRefused (X's error page, no redirect)."""
        client_id = query.get("client_id", "")
        with self._lock:
            client = self._clients.get(client_id)
        if client is None:
            raise AuthorizeRefused("This app's client id is not known.")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:  # exact match, trailing slash included
            raise AuthorizeRefused("The callback URI is not registered for this app.")
        if query.get("response_type") != "code":
            raise AuthorizeRefused("response_type must be code.")
        scopes = tuple(query.get("scope", "").split())
        unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
        if not scopes or unknown:
            raise AuthorizeRefused(f"Unknown or missing scope: {' '.join(unknown) or '(none)'}.")
        state = query.get("state", "")
        if not state or len(state) > 500:
            raise AuthorizeRefused("A state of 1 to 500 characters is required.")
        method = query.get("code_challenge_method", "")
        challenge = query.get("code_challenge", "")
        if method not in CHALLENGE_CHECKS or not challenge:
            raise AuthorizeRefused("A PKCE code_challenge with code_challenge_method S256 or plain is required.")
        return AuthorizationRequest(client_id, redirect_uri, scopes, state, challenge, method)

    def issue_code(self, request: AuthorizationRequest, now: float) -> str:
        code = generate_token(60)
        with self._lock:
            self._codes[code] = _Code(request, now)
        return code

    # -- the token endpoint ----------------------------------------------------------------------------
    def token(self, form: Mapping[str, str], basic_client: str | None, now: float) -> dict[str, Any]:
        """`POST /2/oauth2/token`: the authorization_code and refresh_token grants."""
        client_id = basic_client or form.get("client_id", "")
        with self._lock:
            client = self._clients.get(client_id)
            if client is None:
                raise TokenRefused(400, "invalid_request", "Value passed for the client_id was invalid.")
            if client.confidential and basic_client is None:
                raise TokenRefused(401, "unauthorized_client", "Missing valid authorization header")
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                scopes = self._redeem_code(form, client_id, now)
            elif grant_type == "refresh_token":
                scopes = self._spend_refresh_token(form.get("refresh_token", ""), client_id)
                self.refreshes += 1
            else:
                raise TokenRefused(400, "unsupported_grant_type", "Value passed for the grant_type was invalid.")
            return self._issue_tokens(client_id, scopes, now)

    def _redeem_code(self, form: Mapping[str, str], client_id: str, now: float) -> frozenset[str]:
        code = self._codes.get(form.get("code", ""))
        if code is None or code.used or now - code.issued_at > CODE_LIFETIME_S:
            raise TokenRefused(400, "invalid_request", BAD_CODE)
        code.used = True  # once only, whatever happens next
        request = code.request
        verifier = form.get("code_verifier", "")
        if request.client_id != client_id or request.redirect_uri != form.get("redirect_uri") or not verifier \
                or not CHALLENGE_CHECKS[request.code_challenge_method](verifier, request.code_challenge):
            raise TokenRefused(400, "invalid_request", BAD_CODE)
        return frozenset(request.scopes)

    def _spend_refresh_token(self, value: str, client_id: str) -> frozenset[str]:
        grant = self._refresh.get(value)
        if grant is None or grant.spent or grant.client_id != client_id:
            raise TokenRefused(400, "invalid_request", BAD_TOKEN)
        grant.spent = True  # rotation: the answer carries the next one
        return grant.scopes

    def _issue_tokens(self, client_id: str, scopes: frozenset[str], now: float) -> dict[str, Any]:
        access_token = generate_token(80)
        self._access[access_token] = _AccessGrant(client_id, scopes, now + ACCESS_TOKEN_LIFETIME_S)
        body: dict[str, Any] = {"token_type": "bearer", "expires_in": ACCESS_TOKEN_LIFETIME_S,
                                "access_token": access_token, "scope": " ".join(sorted(scopes))}
        if OFFLINE_ACCESS in scopes:
            refresh_token = generate_token(80)
            self._refresh[refresh_token] = _RefreshGrant(client_id, scopes)
            body["refresh_token"] = refresh_token
        return body

    # -- revocation ------------------------------------------------------------------------------------
    def revoke(self, form: Mapping[str, str], basic_client: str | None) -> dict[str, Any]:
        """`POST /2/oauth2/revoke`: the token (access or refresh) stops working; an unknown one is not an error
        (RFC 7009), a client that is not the token's is."""
        client_id = basic_client or form.get("client_id", "")
        value = form.get("token", "")
        with self._lock:
            if client_id not in self._clients:
                raise TokenRefused(400, "invalid_request", "Value passed for the client_id was invalid.")
            access = self._access.get(value)
            refresh = self._refresh.get(value)
            for grant in (access, refresh):
                if grant is not None and grant.client_id != client_id:
                    raise TokenRefused(400, "invalid_request", BAD_TOKEN)
            if access is not None:
                access.revoked = True
            if refresh is not None:
                refresh.spent = True
        return {"revoked": True}

    # -- API requests ----------------------------------------------------------------------------------
    def scopes_of(self, access_token: str, now: float) -> frozenset[str] | None:
        """The scopes of a valid user access token; None if unknown, expired or revoked (X's 401)."""
        with self._lock:
            grant = self._access.get(access_token)
            if grant is None or grant.revoked or now >= grant.expires_at:
                return None
            return grant.scopes
