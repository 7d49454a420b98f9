"""Sign out revokes the refresh and access tokens at X, then deletes them from the keyring; offline, it still
deletes and says so."""

from __future__ import annotations

import pytest

from twexport_qt.core.errors import ConfigError
from twexport_qt.sandbox.oauth2_grants import TokenRefused
from twexport_qt.signin.account import sign_out_profile


def test_sign_out_revokes_both_tokens_then_deletes_them(context, driver, sandbox_server):
    driver.sign_in()
    token = driver.stored()

    report = sign_out_profile(context, context.profile)

    assert report.revoked and report.was_signed_in
    assert report.sentence == ("Signed out of profile 'Creator': X revoked the token and it was deleted from the "
                               "keyring.")
    assert context.secrets.oauth2_token("Creator") is None
    grants = sandbox_server.state.auth.oauth2
    now = context.clock.now()
    assert grants.scopes_of(token.access_token, now) is None  # the access token no longer works at X
    with pytest.raises(TokenRefused, match="Value passed for the token was invalid"):
        grants.token({"grant_type": "refresh_token", "refresh_token": token.refresh_token,
                      "client_id": token.client_id}, None, now)
    with pytest.raises(ConfigError, match="no X credentials"):
        context.new_gateway()


def test_offline_sign_out_still_deletes_and_says_how_to_revoke_by_hand(context, driver, sandbox_server):
    driver.sign_in()
    sandbox_server.stop()  # X cannot be reached

    report = sign_out_profile(context, context.profile)

    assert not report.revoked and report.was_signed_in
    assert report.sentence.startswith("Signed out of profile 'Creator' on this computer: the token was deleted from "
                                      "the keyring, but X could not be told to revoke it: Could not reach X")
    assert "Apps and sessions" in report.sentence
    assert context.secrets.oauth2_token("Creator") is None


def test_signing_out_a_profile_that_is_not_signed_in_is_harmless(context):
    report = sign_out_profile(context, context.profile)
    assert not report.was_signed_in and "is not signed in with X" in report.sentence
