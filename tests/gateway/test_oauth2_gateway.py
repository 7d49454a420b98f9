"""XGateway with an OAuth 2.0 user token: it acts as the account through the token (user_auth=False, Bearer),
reads are billed as user context (Owned Reads), the app's own Bearer token still does what only the app may, and
a token X refuses is renewed once."""

from __future__ import annotations

import pytest

from twexport_qt.app_context import sandbox_credentials
from twexport_qt.core import errors
from twexport_qt.gateway.x_gateway import Signing, XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.signin.authorization import SignInFlow


class Tokens:
    """A UserTokenSource over a list of tokens: the next one after each refusal."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.refused: list[str] = []

    def access_token(self) -> str:
        return self.tokens[0]

    def renewed_access_token(self, refused: str) -> str:
        self.refused.append(refused)
        self.tokens.pop(0)
        if not self.tokens:
            raise errors.AuthError("Sign in again.")
        return self.tokens[0]


@pytest.fixture
def user_token(sandbox_server, fake_clock) -> str:
    flow = SignInFlow.start("gateway-test-app", 0, base_url=sandbox_server.base_url, clock=fake_clock)
    sandbox_server.state.auth.oauth2.register_client("gateway-test-app", [flow.redirect_uri])
    browse_consent(flow.authorize_url)
    return flow.finish(timeout_s=5).access_token


def test_the_user_token_acts_as_the_account_and_reads_are_user_context(sandbox_server, user_token):
    receipts = []
    gateway = XGateway(Credentials(bearer_token=sandbox_credentials().bearer_token), base_url=sandbox_server.base_url,
                       user_token=Tokens(user_token), on_answer=receipts.append)
    assert gateway.has_user_context and gateway.user_signing is Signing.OAUTH2_USER
    assert int(gateway.me()["id"]) == SANDBOX_USER_ID
    gateway.followers_page(SANDBOX_USER_ID, max_results=5)
    gateway.search_all_page("from:alice_writes", max_results=10)  # the app's Bearer token, not the user's
    assert [(receipt.endpoint, receipt.user_context) for receipt in receipts] == [
        ("GET /2/users/me", True), ("GET /2/users/:id/followers", True), ("GET /2/tweets/search/all", False)]
    assert gateway.send_dm(int(gateway.followers_page(SANDBOX_USER_ID, max_results=1).data[0]["id"]), "hi")


def test_a_refused_token_is_renewed_once_then_the_refusal_stands(sandbox_server, user_token):
    tokens = Tokens("revoked-or-expired-token", user_token)
    gateway = XGateway(Credentials(), base_url=sandbox_server.base_url, user_token=tokens)
    assert int(gateway.me()["id"]) == SANDBOX_USER_ID
    assert tokens.refused == ["revoked-or-expired-token"]
    hopeless = XGateway(Credentials(), base_url=sandbox_server.base_url, user_token=Tokens("bad-token-one"))
    with pytest.raises(errors.AuthError, match="Sign in again"):
        hopeless.me()
