"""X's OAuth 2.0 token and revoke endpoints, for one developer app signed in as a public client (no secret).

oauthlib builds the form bodies and reads the answers (X's error bodies become oauthlib's OAuth2Error); requests
sends them through `gateway.routing`, so the sandbox answers when the API traffic goes there. The expiry is counted
on the app's clock, which the sandbox shares in tests. oauthlib's session helpers are not used: they refuse an
http:// loopback callback unless OAUTHLIB_INSECURE_TRANSPORT is set for the whole process, and treat a scope X
changed as an error; the callback is read in `loopback_receiver.py` instead, and the code passed here.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient

from twexport_qt.app_logging import register_secret
from twexport_qt.core import errors
from twexport_qt.core.clock import Clock
from twexport_qt.gateway import routing
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.signin.endpoints import REVOKE_URL, TOKEN_URL
from twexport_qt.signin.errors import SIGN_IN_AGAIN, SignInError, SignInExpired

log = logging.getLogger(__name__)

DEFAULT_EXPIRES_IN = 7200  # X's access tokens live two hours; used only if an answer leaves `expires_in` out
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


class TokenClient:
    """Exchanges a sign-in's code for tokens, renews them, revokes them. One per thread (a requests session)."""

    def __init__(self, client_id: str, *, base_url: str | None, clock: Clock,
                 timeout: float | tuple[float, float] = routing.DEFAULT_TIMEOUT) -> None:
        self.client_id = client_id
        self._oauth = WebApplicationClient(client_id)
        self._clock = clock
        self._session = requests.Session()
        routing.mount(self._session, base_url, timeout)

    def exchange_code(self, code: str, *, code_verifier: str, redirect_uri: str) -> OAuth2Token:
        """The tokens for the code X sent to `redirect_uri` (valid 30 seconds, once), proven with the PKCE
        verifier whose challenge the authorize URL carried."""
        body = self._oauth.prepare_request_body(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier,
                                                include_client_id=True)
        return self._token_answer(self._post(TOKEN_URL, body, "finish the sign-in"), previous=None)

    def refresh(self, token: OAuth2Token) -> OAuth2Token:
        """New tokens for `token`. X rotates refresh tokens: `token.refresh_token` is spent once this returns, so
        the caller must store the result before anything else (see `token_keeper.py`)."""
        if not token.refresh_token:
            raise SignInExpired("This profile's sign-in has no refresh token (X did not grant “offline.access”), so "
                                f"it ended with its 2-hour access token. {SIGN_IN_AGAIN}")
        body = self._oauth.prepare_refresh_body(refresh_token=token.refresh_token, client_id=self.client_id)
        return self._token_answer(self._post(TOKEN_URL, body, "renew the sign-in"), previous=token)

    def revoke(self, value: str, *, hint: str) -> None:
        """Ask X to revoke one token (`hint`: "access_token" or "refresh_token"); raises a sentence if X did not
        confirm it."""
        response = self._post(REVOKE_URL, urlencode({"token": value, "token_type_hint": hint,
                                                 "client_id": self.client_id}), "revoke the sign-in")
        if response.status_code != 200:
            raise SignInError(f"X did not confirm revoking the {hint.replace('_', ' ')} (HTTP "
                              f"{response.status_code}).")

    def close(self) -> None:
        self._session.close()

    # -- plumbing --------------------------------------------------------------------------------------
    def _post(self, url: str, body: str, what: str) -> requests.Response:
        try:
            return self._session.post(url, data=body, headers=FORM_HEADERS)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise errors.NetworkError(f"Could not reach X to {what}: check the network connection and try "
                                      "again.") from exc
        except requests.RequestException as exc:
            raise errors.NetworkError(f"Network problem talking to X to {what}: {type(exc).__name__}.") from exc

    def _token_answer(self, response: requests.Response, previous: OAuth2Token | None) -> OAuth2Token:
        if response.status_code >= 500:
            raise errors.ServerError(f"X's sign-in service had a server error ({response.status_code}). Try again "
                                     "in a moment.", status=response.status_code)
        try:
            params = self._oauth.parse_request_body_response(response.text)
        except OAuth2Error as error:
            raise _refusal(error, response.status_code, renewing=previous is not None) from None
        access_token = str(params["access_token"])
        refresh_token = params.get("refresh_token") or (previous.refresh_token if previous is not None else None)
        register_secret(access_token)
        register_secret(refresh_token)
        granted = params.get("scope")
        scopes = tuple(granted) if granted else (previous.scopes if previous is not None else ())
        try:
            expires_in = float(params.get("expires_in") or DEFAULT_EXPIRES_IN)
        except (TypeError, ValueError):
            expires_in = DEFAULT_EXPIRES_IN
        return OAuth2Token(access_token=access_token, refresh_token=str(refresh_token) if refresh_token else None,
                           expires_at=self._clock.now() + expires_in, scopes=scopes, client_id=self.client_id)


def _refusal(error: OAuth2Error, status: int, *, renewing: bool) -> errors.TwExportError:
    """X's refusal of a token request as a sentence. oauthlib names `invalid_request` InvalidClientIdError, so
    the `error` code is read, not the class."""
    code = getattr(error, "error", "") or ""
    detail = getattr(error, "description", None) or code or "no details"
    log.warning("X refused a token request (%s, HTTP %s): %s", code, status, detail)
    if code == "unauthorized_client" or status == 401:
        return SignInError(
            f"X wants a client secret from this app ({detail}): it is set up as a Web App or Automated App. In the "
            "developer portal, under User authentication settings, choose “Native App” (a public client), then sign "
            "in again.")
    if code == "invalid_client":
        return SignInError(f"X does not know this client id ({detail}). Copy the OAuth 2.0 Client ID of your app "
                           "from developer.x.com (Keys and tokens), then sign in again.")
    if renewing:
        return SignInExpired(f"X refused to renew this profile's sign-in ({detail}): it was revoked, or already used "
                             f"by another copy of TwExport that lost the new one. {SIGN_IN_AGAIN}")
    if code in ("invalid_request", "invalid_grant"):
        return SignInError(f"X refused the sign-in code ({detail}). A code is valid for 30 seconds and once only: "
                           "sign in again.")
    if code == "missing_token":
        return SignInError(f"X's answer to the sign-in carried no access token (HTTP {status}). Try again.")
    return SignInError(f"X refused the sign-in ({code}: {detail}). Sign in again.")
