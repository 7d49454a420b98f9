"""Sign-in as the app does it, for the settings page, the sign-in dialog and `main.py account`: start a sign-in,
finish it into the keyring under a profile's name, make or update that profile, test a profile's connection, sign
it out. The functions run on an AppContext; those that talk to X belong off the GUI thread.

What X bills them (a test's /2/users/me) goes into the spend ledger under the profile tested, saved or not yet:
the keys are that profile's, so the X app billed is too (`billed_to`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING

from twexport_qt.core.cancel import CancelToken
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.settings.model import Profile
from twexport_qt.signin.authorization import SignInFlow
from twexport_qt.signin.connection_check import ConnectionReport, SpendHooks, check_connection
from twexport_qt.signin.errors import SignInError
from twexport_qt.signin.loopback_receiver import DEFAULT_TIMEOUT_S
from twexport_qt.signin.scopes import SCOPES
from twexport_qt.signin.sign_out import SignOutReport, sign_out

if TYPE_CHECKING:  # the context builds the gateways and keepers these functions use
    from twexport_qt.app_context import AppContext

DEFAULT_PROFILE_NAME = "My X account"


class AccountJob(StrEnum):
    """What the spend ledger names the account's billed reads (the job column of the spend view)."""

    CONNECTION_TEST = "connection-test"  # Settings → Test connection, `main.py account test`
    SIGN_IN = "sign-in"  # the test that ends a sign-in
    TWITTER_EXPORTER_IMPORT = "twitter-exporter-import"  # whose the imported keys are (legacy_import.py)


@contextmanager
def billed_to(context: AppContext, profile: Profile, job: AccountJob) -> Iterator[SpendHooks]:
    """Hooks for a gateway of `profile` (saved or not yet, active or not) that record what X bills into the
    ledger under its name and `job`, and stop a request that could pass its daily or monthly budget, as
    `AppContext.new_gateway` does for the active profile's jobs (`AppContext.billing`). Enter it in the thread
    that makes the requests."""
    with context.billing(job, profile) as (recorder, guard):
        yield SpendHooks(recorder.record, guard.before_request if guard is not None else None,
                         context.notify_rate_limit)


def profile_for_sign_in(context: AppContext, name: str) -> Profile:
    """The profile `name` as a sign-in will see it: the saved one, or a new X profile (not saved yet)."""
    profile = context.settings.profiles.get(name)
    if profile is None:
        return Profile(name=name, kind="x")
    if profile.kind == "sandbox":
        raise SignInError("The Sandbox profile is a simulated account with built-in credentials: it needs no sign-in. "
                          "Choose or create a profile for your X account.")
    return profile


def start_sign_in(context: AppContext, profile: Profile, client_id: str, port: int,
                  scopes: Sequence[str] = SCOPES) -> SignInFlow:
    """Listen for X's redirect and prepare the URL to open in the browser (quick: fine on the GUI thread)."""
    return SignInFlow.start(client_id, port, base_url=context.api_base_url_for(profile), clock=context.clock,
                            scopes=scopes)


def finish_sign_in(context: AppContext, flow: SignInFlow, profile: Profile, cancel: CancelToken | None = None,
                   timeout_s: float = DEFAULT_TIMEOUT_S) -> ConnectionReport:
    """Wait for X's answer, store the tokens in the keyring under `profile`'s name, and test the connection.
    Touches no setting, so it may run in any thread; `save_signed_in_profile` follows in the settings' thread."""
    token = flow.finish(cancel, timeout_s)
    context.secrets.set_oauth2_token(profile.name, token)
    return check_profile_connection(context, profile, job=AccountJob.SIGN_IN)


def save_signed_in_profile(context: AppContext, profile: Profile, client_id: str, port: int,
                           report: ConnectionReport) -> Profile:
    """Keep `profile` (new or existing) with the app's client id and port, and the account X named; saved."""
    profile.oauth2_client_id = client_id.strip()
    profile.oauth2_redirect_port = port
    if report.account is not None:
        profile.account_id = report.account.id
    context.settings.profiles[profile.name] = profile
    context.save_settings()
    return profile


def check_profile_connection(context: AppContext, profile: Profile, credentials: Credentials | None = None, *,
                             job: AccountJob = AccountJob.CONNECTION_TEST) -> ConnectionReport:
    """Ask X who `profile`'s credentials (or `credentials`, e.g. keys typed but not saved yet) act as, and say it
    in a sentence (one request; off the GUI thread). X's answer is billed to `profile` under `job`."""
    if credentials is None:
        credentials = context.credentials_of(profile)
    keeper = context.user_token_keeper(profile) if credentials.has_oauth2_user_token else None
    base_url = context.api_base_url_for(profile)
    if not credentials.can_call_api:  # nothing to ask X: no ledger connection to open either
        return check_connection(credentials, base_url=base_url, clock=context.clock, spend=None)
    with billed_to(context, profile, job) as spend:
        return check_connection(credentials, base_url=base_url, clock=context.clock, user_token=keeper, spend=spend)


def sign_out_profile(context: AppContext, profile: Profile) -> SignOutReport:
    """Revoke `profile`'s sign-in at X and delete it from the keyring (off the GUI thread)."""
    return sign_out(context.user_token_keeper(profile))
