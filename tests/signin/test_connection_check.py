"""Test connection: who the credentials act as, how they sign, what they may do and when they expire, in one
sentence; failures in one sentence too. X bills its /2/users/me: the spend ledger has it under the profile tested,
and a budget stops it before it is sent."""

from __future__ import annotations

from dataclasses import replace

from tests.signin.signin_support import PROFILE, USER_READ, billed_me_reads, one_billed_me
from twexport_qt.app_context import sandbox_credentials
from twexport_qt.gateway.x_gateway import Signing
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.auth import AccessLevel, AuthContext
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.settings.model import Profile
from twexport_qt.signin.account import AccountJob, check_profile_connection
from twexport_qt.signin.connection_check import check_connection
from twexport_qt.signin.scopes import SCOPES


def test_signed_in_names_the_account_the_scopes_and_the_expiry(context, driver):
    driver.sign_in()
    report = check_profile_connection(context, context.profile)
    assert report.ok and report.signing is Signing.OAUTH2_USER
    assert report.account is not None and report.account.id == SANDBOX_USER_ID
    assert report.sentence.startswith(f"Signed in as @sandbox_creator, named “Sandbox Creator (simulated)”, account id "
                                      f"{SANDBOX_USER_ID}, with OAuth 2.0 (Sign in with X).")
    assert ("The token may read profiles and posts, read followers, read DMs, send DMs and stay signed in (it "
            "renews itself).") in report.sentence
    assert "The access token expires in 2 h 0 min (2026-01-01 02:00:00 UTC) and renews itself before then." \
        in report.sentence


def test_a_token_without_dm_write_says_it_may_not_send_dms(context, driver):
    driver.sign_in(scopes=[scope for scope in SCOPES if scope != "dm.write"])
    report = check_profile_connection(context, context.profile)
    assert report.ok
    assert "it may not send DMs (sign in again and approve every permission to add them)" in report.sentence


def test_api_keys_report_xs_access_level(context, sandbox_server):
    sandbox = Profile(name="Sandbox", kind="sandbox")
    report = check_connection(context.credentials_of(sandbox), base_url=sandbox_server.base_url, clock=context.clock,
                              spend=None)
    assert report.ok and report.signing is Signing.OAUTH1
    assert report.sentence.startswith("Connected as @sandbox_creator, named")
    assert "with OAuth 1.0a API keys. X says the keys may read profiles, followers and posts, read DMs and send DMs. " \
           "API keys do not expire." in report.sentence
    assert "An app-only Bearer token is also set, for full-archive search." in report.sentence

    sandbox_server.state.auth.oauth1_access_level = AccessLevel.READ
    keys_only = replace(sandbox_credentials(), bearer_token=None)
    report = check_connection(keys_only, base_url=sandbox_server.base_url, clock=context.clock,
                              spend=None)
    assert "X says the keys may read profiles, followers and posts (no DMs: the keys are read-only)." \
        in report.sentence


def test_app_only_and_no_credentials_say_what_they_allow(context, sandbox_server):
    app_only = Credentials(bearer_token=sandbox_credentials().bearer_token)
    report = check_connection(app_only, base_url=sandbox_server.base_url, clock=context.clock,
                              spend=None)
    assert report.ok and report.signing is Signing.APP and report.account is None
    assert report.sentence.startswith("Connected with an app-only Bearer token: it may look up public profiles")
    report = check_connection(Credentials(), base_url=sandbox_server.base_url, clock=context.clock,
                              spend=None)
    assert not report.ok and report.sentence.startswith("This profile has no X credentials yet: sign in with X")


def test_refused_credentials_are_a_sentence(context, sandbox_server):
    sandbox_server.state.auth.revoke(AuthContext.USER)
    report = check_connection(sandbox_credentials(), base_url=sandbox_server.base_url, clock=context.clock,
                              spend=None)
    assert not report.ok
    assert report.sentence == ("Test connection failed (OAuth 1.0a API keys): X rejected the credentials. They may be "
                               "wrong or revoked: re-enter them in Settings.")


def test_a_connection_test_is_billed_to_the_profile_in_the_ledger(context, sandbox_server):
    """X bills /2/users/me as one user read: the ledger has it under the profile and job, as for any job."""
    context.secrets.set_credentials(PROFILE, sandbox_credentials())
    assert billed_me_reads(context, PROFILE) == ()

    report = check_profile_connection(context, context.profile)

    assert report.ok and report.sentence.startswith("Connected as @sandbox_creator")
    assert billed_me_reads(context, PROFILE) == one_billed_me(AccountJob.CONNECTION_TEST)
    assert sandbox_server.state.billing.total() == USER_READ  # what "X" billed: no more, no less


def test_the_test_that_ends_a_sign_in_is_billed_as_the_sign_in(context, driver):
    report = driver.sign_in()
    assert report.ok
    assert billed_me_reads(context, PROFILE) == one_billed_me(AccountJob.SIGN_IN)


def test_a_profile_not_saved_yet_is_billed_under_its_own_name(context):
    """A brand-new profile (a first sign-in, keys typed in Settings) pays with its own keys, so its own X app."""
    new = Profile(name="Not saved yet", kind="x")
    report = check_profile_connection(context, new, sandbox_credentials())
    assert report.ok and "Not saved yet" not in context.settings.profiles
    assert billed_me_reads(context, "Not saved yet") == one_billed_me(AccountJob.CONNECTION_TEST)
    assert billed_me_reads(context, PROFILE) == ()  # not the active profile's spend


def test_a_test_that_could_pass_the_daily_budget_is_not_sent(context, sandbox_server):
    context.profile.daily_budget_usd = USER_READ  # the least budget Settings takes: one read a day
    context.secrets.set_credentials(PROFILE, sandbox_credentials())
    assert check_profile_connection(context, context.profile).ok
    charged = sandbox_server.state.billing.charges()

    report = check_profile_connection(context, context.profile)

    assert not report.ok
    assert report.sentence.startswith("Test connection failed (OAuth 1.0a API keys): Paused before passing the "
                                      f"daily budget of $0.01 of profile {PROFILE!r}: $0.01 is spent today (UTC)")
    assert sandbox_server.state.billing.charges() == charged  # never sent
    assert billed_me_reads(context, PROFILE) == one_billed_me(AccountJob.CONNECTION_TEST)


def test_credentials_that_cannot_ask_x_bill_nothing(context):
    report = check_profile_connection(context, context.profile)  # "Creator" has no keys and no sign-in yet
    assert not report.ok and billed_me_reads(context, PROFILE) == ()
