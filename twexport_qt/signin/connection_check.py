"""“Test connection”: ask X who the credentials act as (/2/users/me) and say it in a sentence, with how they sign
(OAuth 2.0, OAuth 1.0a or app-only), what they may do (the token's scopes, or X's `x-access-level` for API keys)
and when an OAuth 2.0 access token expires. Failures are sentences too, never tracebacks.

X bills that /2/users/me read: with `SpendHooks` (see `signin/account.py` `billed_to`) the answer goes into the
spend ledger and the request is first checked against the profile's budgets, as every other billed call is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.timefmt import format_datetime
from twexport_qt.gateway.rate_limits import RateLimitState
from twexport_qt.gateway.x_gateway import AnswerHook, RequestHook, Signing, XGateway
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.signin.scopes import OFFLINE_ACCESS, abilities, access_level_words, join_words
from twexport_qt.signin.token_keeper import UserTokenKeeper

log = logging.getLogger(__name__)

SIGNING_WORDS = {
    Signing.OAUTH2_USER: "OAuth 2.0 (Sign in with X)",
    Signing.OAUTH1: "OAuth 1.0a API keys",
    Signing.APP: "an app-only Bearer token",
}


@dataclass(frozen=True)
class SpendHooks:
    """What a gateway tells the spend ledger (`on_answer`), asks the budget guard before a billed request
    (`before_request`; None: no budget applies) and tells the window of X's rate limits (`on_rate_limit`)."""

    on_answer: AnswerHook
    before_request: RequestHook | None = None
    on_rate_limit: Callable[[RateLimitState], None] | None = None

    def gateway(self, credentials: Credentials, *, base_url: str | None,
                user_token: UserTokenKeeper | None = None) -> XGateway:
        """A gateway for `credentials` whose billed answers and requests go through these hooks."""
        return XGateway(credentials, base_url=base_url, on_rate_limit=self.on_rate_limit, on_answer=self.on_answer,
                        before_request=self.before_request, user_token=user_token)


@dataclass(frozen=True)
class SignedInAccount:
    id: int
    username: str
    name: str


@dataclass(frozen=True)
class ConnectionReport:
    """The outcome of a test, as one sentence for the user; `account` when X named it."""

    ok: bool
    sentence: str
    signing: Signing | None = None
    account: SignedInAccount | None = None


def check_connection(credentials: Credentials, *, base_url: str | None, clock: Clock,
                     spend: SpendHooks | None, user_token: UserTokenKeeper | None = None) -> ConnectionReport:
    """Test `credentials` with one request to X (or the sandbox at `base_url`). `user_token` keeps the OAuth 2.0
    token of the profile whose `credentials` these are (needed when they carry one). `spend` bills X's answer
    into the ledger and checks the request against a budget first; required, so that no caller spends blind by
    forgetting it (None: nothing is recorded, for tests of the sentences only; the app passes it through
    `signin.account.check_profile_connection`)."""
    if not credentials.can_call_api:
        return ConnectionReport(False, "This profile has no X credentials yet: sign in with X, or paste API keys "
                                       "under “Advanced: API keys”.")
    user_token = user_token if credentials.has_oauth2_user_token else None
    if spend is not None:
        gateway = spend.gateway(credentials, base_url=base_url, user_token=user_token)
    else:
        gateway = XGateway(credentials, base_url=base_url, user_token=user_token)
    signing = gateway.user_signing or Signing.APP
    try:
        if signing is Signing.APP:
            gateway.post_usage(days=1)  # an app-only request X does not bill
            return ConnectionReport(True, _app_only_sentence(), signing)
        me = gateway.me()
        account = SignedInAccount(int(me["id"]), str(me.get("username", "")), str(me.get("name", "")))
        token = user_token.stored() if user_token is not None and signing is Signing.OAUTH2_USER else None
    except TwExportError as error:
        log.info("Test connection failed", exc_info=True)
        return ConnectionReport(False, f"Test connection failed ({SIGNING_WORDS[signing]}): {error.user_message}",
                                signing)
    except (KeyError, TypeError, ValueError):
        log.warning("X answered /2/users/me without a usable id", exc_info=True)
        return ConnectionReport(False, "Test connection failed: X's answer did not name the account.", signing)
    who = f"@{account.username}, named “{account.name}”, account id {account.id},"
    if token is not None:
        sentence = f"Signed in as {who} with {SIGNING_WORDS[signing]}. {_token_sentence(token, clock.now())}"
    else:
        sentence = (f"Connected as {who} with {SIGNING_WORDS[signing]}. X says the keys may "
                    f"{access_level_words(gateway.access_level)}. API keys do not expire.")
    if credentials.has_bearer:
        sentence += " An app-only Bearer token is also set, for full-archive search."
    return ConnectionReport(True, sentence, signing, account)


def _token_sentence(token: OAuth2Token, now: float) -> str:
    can, cannot = abilities(token.scopes)
    words = f"The token may {join_words(can) or 'do nothing TwExport needs'}"
    if cannot:
        words += f"; it may not {join_words(cannot)} (sign in again and approve every permission to add them)"
    expiry = (f"The access token expires in {describe_duration(token.seconds_left(now))} "
              f"({format_datetime(token.expires_at)})")
    if OFFLINE_ACCESS in token.scopes and token.refresh_token:
        expiry += " and renews itself before then."
    else:
        expiry += "; then you will need to sign in again."
    return f"{words}. {expiry}"


def _app_only_sentence() -> str:
    return ("Connected with an app-only Bearer token: it may look up public profiles and posts and search the full "
            "archive, but not act as an account (no followers list of yours, no DMs). Sign in with X for those.")


def describe_duration(seconds: float) -> str:
    """'1 h 59 min', '4 min', 'less than a minute', 'already expired'."""
    if seconds <= 0:
        return "no time: it has already expired"
    minutes = int(seconds // 60)
    if minutes == 0:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
