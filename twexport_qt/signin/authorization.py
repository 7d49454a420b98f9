"""One sign-in in progress: the PKCE pair and state, the authorize URL for the browser, the loopback receiver that
waits for X's redirect, and the exchange of the code for tokens.

    flow = SignInFlow.start(client_id, port, base_url=None, clock=clock)   # binds the port: fails before a browser
    open_browser(flow.authorize_url)
    token = flow.finish(cancel)                                            # waits, then exchanges the code

oauthlib makes the verifier (128 characters) and its S256 challenge, and the random state; the authorize URL is a
plain query string (oauthlib's builder refuses the sandbox's http:// page).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from oauthlib.common import generate_token
from oauthlib.oauth2 import WebApplicationClient

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.signin.endpoints import authorize_url, redirect_uri
from twexport_qt.signin.errors import SignInError
from twexport_qt.signin.loopback_receiver import DEFAULT_TIMEOUT_S, LoopbackReceiver
from twexport_qt.signin.scopes import SCOPES
from twexport_qt.signin.token_client import TokenClient

CODE_VERIFIER_LENGTH = 128  # RFC 7636 allows 43-128; the longest is the hardest to guess
STATE_LENGTH = 43  # X allows up to 500 characters
CODE_CHALLENGE_METHOD = "S256"


class SignInFlow:
    """Use `start`; `finish` once; `close` if the flow is abandoned before `finish` (idempotent)."""

    def __init__(self, client_id: str, receiver: LoopbackReceiver, state: str, *, base_url: str | None,
                 clock: Clock, scopes: Sequence[str]) -> None:
        oauth = WebApplicationClient(client_id)
        self.client_id = client_id
        self._code_verifier = oauth.create_code_verifier(CODE_VERIFIER_LENGTH)
        challenge = oauth.create_code_challenge(self._code_verifier, CODE_CHALLENGE_METHOD)
        self._receiver = receiver
        self.redirect_uri = redirect_uri(receiver.port)
        self.authorize_url = authorize_url(base_url) + "?" + urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": self.redirect_uri,
            "scope": " ".join(scopes), "state": state, "code_challenge": challenge,
            "code_challenge_method": CODE_CHALLENGE_METHOD})
        self._base_url = base_url
        self._clock = clock

    @classmethod
    def start(cls, client_id: str, port: int, *, base_url: str | None, clock: Clock,
              scopes: Sequence[str] = SCOPES) -> SignInFlow:
        """Listen on 127.0.0.1:`port` (0: any free port, for tests) and prepare the authorize URL; PortUnavailable
        if another program holds the port, SignInError for an empty client id."""
        client_id = client_id.strip()
        if not client_id:
            raise SignInError("Enter your app's Client ID (developer.x.com → your app → Keys and tokens → OAuth 2.0 "
                              "Client ID and Client Secret) before signing in.")
        state = generate_token(STATE_LENGTH)
        return cls(client_id, LoopbackReceiver(port, state), state, base_url=base_url, clock=clock, scopes=scopes)

    @property
    def port(self) -> int:
        return self._receiver.port

    def finish(self, cancel: CancelToken | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> OAuth2Token:
        """Wait for X's redirect, then exchange its code (with the PKCE verifier) for tokens. Stops listening
        either way. Raises Cancelled, SignInTimedOut, SignInDenied, StateMismatch or a SignInError sentence."""
        try:
            code = self._receiver.wait_for_code(cancel, timeout_s)
        finally:
            self._receiver.close()
        if cancel is not None:
            cancel.raise_if_cancelled()
        client = TokenClient(self.client_id, base_url=self._base_url, clock=self._clock)
        try:
            return client.exchange_code(code, code_verifier=self._code_verifier, redirect_uri=self.redirect_uri)
        finally:
            client.close()

    def close(self) -> None:
        self._receiver.close()
