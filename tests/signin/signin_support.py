"""What the sign-in tests share: the profile and client id they use, `SignInDriver`, which signs a profile in
through the sandbox's consent page with a fake browser, as a user would, and `billed_me_reads`, what the spend
ledger says X billed a profile for /2/users/me."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from decimal import Decimal

from twexport_qt.app_context import AppContext
from twexport_qt.billing.report import SpendLine
from twexport_qt.core.cancel import CancelToken
from twexport_qt.gateway.endpoints import ENDPOINT_ME
from twexport_qt.sandbox.server import SandboxServer
from twexport_qt.sandbox.testing import ConsentVisit, browse_consent
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.settings.model import Profile
from twexport_qt.signin.account import finish_sign_in, start_sign_in
from twexport_qt.signin.authorization import SignInFlow
from twexport_qt.signin.connection_check import ConnectionReport
from twexport_qt.signin.scopes import SCOPES

PROFILE = "Creator"
CLIENT_ID = "test-native-app-client-id"
USER_READ = Decimal("0.010")  # what X bills for one user object (XAPI_FACTS §4): /2/users/me returns one


def one_billed_me(job: str) -> tuple[SpendLine, ...]:
    """The month's spend lines, per job and per endpoint, of a profile X billed one /2/users/me, under `job`."""
    return (SpendLine(job, answers=1, returned=1, billed=1, amount=USER_READ),
            SpendLine(ENDPOINT_ME, answers=1, returned=1, billed=1, amount=USER_READ))


def billed_me_reads(context: AppContext, profile: str) -> tuple[SpendLine, ...]:
    """What the spend service (the spend view's and `main.py spend`'s source) shows for `profile` this month:
    its lines per job, then per endpoint; today's total must be all of it."""
    summary = context.spend.month_summary(profile)
    assert summary.today_amount == summary.month_amount
    return summary.by_job + summary.by_endpoint


def free_port() -> int:
    """A port nobody listens on now (for forms whose port must be a fixed, registered one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SignInDriver:
    """Signs a profile in as a user would: the app listens, the "browser" opens X's page and presses a button."""

    def __init__(self, context: AppContext, server: SandboxServer) -> None:
        self.context = context
        self.server = server
        self.visit: ConsentVisit | None = None

    def start(self, profile: Profile | None = None, scopes: Sequence[str] = SCOPES,
              register: bool = True) -> SignInFlow:
        """A flow on a free port whose callback URI the sandbox knows for CLIENT_ID (unless `register` is False)."""
        flow = start_sign_in(self.context, profile or self.context.profile, CLIENT_ID, 0, scopes)
        if register:
            self.server.state.auth.oauth2.register_client(CLIENT_ID, [flow.redirect_uri])
        return flow

    def sign_in(self, decision: str = "Authorize app", scopes: Sequence[str] = SCOPES) -> ConnectionReport:
        flow = self.start(scopes=scopes)
        self.visit = browse_consent(flow.authorize_url, decision=decision)
        return finish_sign_in(self.context, flow, self.context.profile, CancelToken(), timeout_s=5.0)

    def stored(self) -> OAuth2Token:
        token = self.context.secrets.oauth2_token(self.context.profile.name)
        assert token is not None, "no sign-in in the keyring"
        return token
