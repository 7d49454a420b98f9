"""Sign in with X, end to end against a real sandbox server: the app listens on 127.0.0.1, a fake browser opens the
sandbox's consent page and presses a button, X's redirect reaches the app, the code is exchanged with its PKCE
verifier, the token lands in the keyring and the app works with it: followers, DMs."""

from __future__ import annotations

import pytest
import requests

from tests.signin.signin_support import CLIENT_ID
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.backends import SERVICE_NAME
from twexport_qt.signin.account import finish_sign_in, profile_for_sign_in, start_sign_in
from twexport_qt.signin.errors import PortUnavailable, SignInDenied, SignInError, SignInTimedOut, StateMismatch
from twexport_qt.signin.scopes import SCOPES


def test_signing_in_stores_the_token_in_the_keyring_and_the_app_acts_as_the_account(context, driver,
                                                                                      memory_keyring):
    report = driver.sign_in()

    assert report.ok and report.account is not None and report.account.id == SANDBOX_USER_ID
    assert "Signed in as @sandbox_creator" in report.sentence
    assert driver.visit is not None and driver.visit.landing is not None
    assert "You can close this tab" in driver.visit.landing.text
    token = driver.stored()
    assert set(token.scopes) == set(SCOPES) and token.refresh_token and token.client_id == CLIENT_ID
    assert token.expires_at == context.clock.now() + 7200
    # One keyring entry holds the whole sign-in; nothing of it is in the settings file.
    assert [key for key in memory_keyring.entries if key[1].startswith("Creator/")] == [
        (SERVICE_NAME, "Creator/oauth2_token")]

    conn = context.connect()
    gateway = context.new_gateway()
    result = fetch_followers(conn, gateway, context.new_pacer(gateway), context.clock)
    conn.close()
    assert result.owner_id == SANDBOX_USER_ID and result.fetched == 2500
    follower = int(gateway.followers_page(SANDBOX_USER_ID, max_results=10).data[0]["id"])
    sent = gateway.send_dm(follower, "Thanks for following!")
    assert sent["dm_event_id"]
    assert driver.server.state.dms.count(follower) == 1
    assert [event["text"] for event in gateway.dm_events_with(follower).data] == ["Thanks for following!"]


def test_the_authorize_url_asks_for_pkce_s256_and_every_scope(driver):
    flow = driver.start()
    try:
        query = requests.utils.urlparse(flow.authorize_url).query
        params = dict(pair.split("=", 1) for pair in query.split("&"))
        assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
        assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
        assert requests.utils.unquote(params["scope"]).replace("+", " ").split() == list(SCOPES)
        assert flow.authorize_url.startswith(f"{driver.server.base_url}/i/oauth2/authorize?")
    finally:
        flow.close()


def test_cancel_on_the_consent_page_stores_nothing(context, driver):
    with pytest.raises(SignInDenied, match="did not authorize"):
        driver.sign_in(decision="Cancel")
    assert "nothing was stored" in driver.visit.landing.text
    assert context.secrets.oauth2_token("Creator") is None


def test_an_answer_with_another_state_is_refused(context, driver):
    flow = driver.start()
    page = requests.get(f"http://127.0.0.1:{flow.port}/callback?code=stolen-code&state=not-ours", timeout=5)
    assert page.status_code == 400 and "does not belong" in page.text
    with pytest.raises(StateMismatch):
        finish_sign_in(context, flow, context.profile, timeout_s=5)
    assert context.secrets.oauth2_token("Creator") is None


def test_a_code_older_than_30_seconds_is_refused(context, driver, fake_clock):
    flow = driver.start()
    browse_consent(flow.authorize_url)
    fake_clock.advance(31)
    with pytest.raises(SignInError, match="valid for 30 seconds"):
        finish_sign_in(context, flow, context.profile, timeout_s=5)
    assert context.secrets.oauth2_token("Creator") is None


def test_an_unregistered_callback_uri_gets_xs_error_page_and_the_wait_ends_in_a_sentence(context, driver):
    flow = driver.start(register=False)
    visit = browse_consent(flow.authorize_url)
    assert visit.page.status_code == 400 and "Something went wrong" in visit.page.text
    assert visit.redirect_location is None  # X never redirects to an unregistered URI
    with pytest.raises(SignInTimedOut, match="Callback URI"):
        finish_sign_in(context, flow, context.profile, timeout_s=0.2)


def test_cancelling_the_wait_stops_it(context, driver):
    flow = driver.start()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled, match="nothing was stored"):
        finish_sign_in(context, flow, context.profile, cancel, timeout_s=5)


def test_a_port_in_use_is_said_before_the_browser_opens(context, driver):
    flow = driver.start()
    try:
        with pytest.raises(PortUnavailable, match=f"Port {flow.port} on this computer is in use"):
            start_sign_in(context, context.profile, CLIENT_ID, flow.port)
    finally:
        flow.close()


def test_the_sandbox_profile_needs_no_sign_in(context):
    with pytest.raises(SignInError, match="needs no sign-in"):
        profile_for_sign_in(context, "Sandbox")
