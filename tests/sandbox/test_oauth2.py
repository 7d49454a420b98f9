"""The sandbox's OAuth 2.0 is as strict as X's: registered client ids and exact callback URIs, PKCE, single-use
codes valid 30 s, access tokens valid 7,200 s, rotating refresh tokens, revocation, and scopes per endpoint; and
it names the OAuth 1.0a keys' permission in `x-access-level`."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import tweepy

from twexport_qt.gateway.routing import mount
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.auth import AccessLevel
from twexport_qt.sandbox.oauth2_grants import SANDBOX_CLIENT_ID, SANDBOX_REDIRECT_URIS
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.settings.model import DEFAULT_REDIRECT_PORT
from twexport_qt.signin.endpoints import redirect_uri

CLIENT = "sandbox-test-client"
CALLBACK = "http://127.0.0.1:9/callback"  # nothing listens: the tests read X's redirect, they do not follow it
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
ALL_SCOPES = "tweet.read users.read follows.read dm.read dm.write offline.access"


@pytest.fixture
def grants(sandbox):
    sandbox.state.auth.oauth2.register_client(CLIENT, [CALLBACK])
    return sandbox.state.auth.oauth2


def authorize_url(sandbox, **changes: str) -> str:
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK, "scope": ALL_SCOPES,
              "state": "state-123", "code_challenge": CHALLENGE, "code_challenge_method": "S256", **changes}
    return f"{sandbox.base_url}/i/oauth2/authorize?{urlencode(params)}"


def approve(sandbox, **changes: str) -> dict[str, str]:
    """Press "Authorize app"; the query X redirects the browser to."""
    visit = browse_consent(authorize_url(sandbox, **changes), follow_redirect=False)
    assert visit.redirect_location is not None, visit.page.text
    assert visit.redirect_location.startswith(changes.get("redirect_uri", CALLBACK) + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(visit.redirect_location).query).items()}


def token_request(sandbox, **form: str) -> requests.Response:
    return requests.post(f"{sandbox.base_url}/2/oauth2/token", data=form, timeout=5)


def exchange(sandbox, code: str, **changes: str) -> requests.Response:
    return token_request(sandbox, **{"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                                     "code_verifier": VERIFIER, "client_id": CLIENT, **changes})


def user_client(sandbox, access_token: str) -> tweepy.Client:
    client = tweepy.Client(bearer_token=access_token)
    mount(client.session, sandbox.base_url)
    return client


def test_the_consent_page_offers_authorize_and_cancel(sandbox, grants):
    page = requests.get(authorize_url(sandbox), timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert ">Authorize app</button>" in page.text and ">Cancel</button>" in page.text
    assert "dm.write" in page.text and "@sandbox_creator" in page.text


def test_approving_redirects_with_code_and_state_then_the_code_buys_tokens_once(sandbox, grants):
    answer = approve(sandbox)
    assert answer["state"] == "state-123" and answer["code"]
    first = exchange(sandbox, answer["code"])
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 7200
    assert set(body["scope"].split()) == set(ALL_SCOPES.split()) and body["refresh_token"]
    again = exchange(sandbox, answer["code"])
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_request",
                            "error_description": "Value passed for the authorization code was invalid."}


def test_cancel_redirects_with_access_denied(sandbox, grants):
    visit = browse_consent(authorize_url(sandbox), decision="Cancel", follow_redirect=False)
    assert visit.redirect_location == f"{CALLBACK}?error=access_denied&state=state-123"


@pytest.mark.parametrize("changes", [
    {"redirect_uri": CALLBACK + "/"},  # exact match, trailing slash included
    {"redirect_uri": "http://localhost:9/callback"},
    {"client_id": "unknown-client"},
    {"code_challenge": ""},  # PKCE is required
    {"scope": "tweet.read made.up"},
    {"state": ""},
])
def test_x_shows_its_error_page_and_never_redirects(sandbox, grants, changes):
    visit = browse_consent(authorize_url(sandbox, **changes))
    assert visit.page.status_code == 400 and "Something went wrong" in visit.page.text
    assert visit.redirect_location is None


def test_pkce_redirect_uri_and_client_are_checked_at_the_exchange(sandbox, grants):
    for changes in ({"code_verifier": "w" * 64}, {"redirect_uri": "http://127.0.0.1:8/callback"},
                    {"code_verifier": ""}):
        code = approve(sandbox)["code"]
        assert exchange(sandbox, code, **changes).status_code == 400
    grants.register_client("other-client", [CALLBACK])
    code = approve(sandbox)["code"]
    assert exchange(sandbox, code, client_id="other-client").status_code == 400
    plain = approve(sandbox, code_challenge=VERIFIER, code_challenge_method="plain")
    assert exchange(sandbox, plain["code"]).status_code == 200


def test_a_code_lives_30_seconds_on_the_sandbox_clock(sandbox, grants, fake_clock):
    code = approve(sandbox)["code"]
    fake_clock.advance(31)
    assert exchange(sandbox, code).status_code == 400


def test_access_tokens_expire_after_7200_seconds_and_refresh_tokens_rotate(sandbox, grants, fake_clock):
    body = exchange(sandbox, approve(sandbox)["code"]).json()
    client = user_client(sandbox, body["access_token"])
    assert client.get_me(user_auth=False).data.id == SANDBOX_USER_ID
    fake_clock.advance(7200)
    with pytest.raises(tweepy.Unauthorized):
        client.get_me(user_auth=False)
    renewed = token_request(sandbox, grant_type="refresh_token", refresh_token=body["refresh_token"],
                            client_id=CLIENT)
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != body["refresh_token"]
    assert user_client(sandbox, renewed.json()["access_token"]).get_me(user_auth=False).data.id == SANDBOX_USER_ID
    spent = token_request(sandbox, grant_type="refresh_token", refresh_token=body["refresh_token"], client_id=CLIENT)
    assert spent.status_code == 400
    assert spent.json() == {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    assert grants.refreshes == 1


def test_no_refresh_token_without_offline_access(sandbox, grants):
    body = exchange(sandbox, approve(sandbox, scope="tweet.read users.read")["code"]).json()
    assert "refresh_token" not in body


def test_revoked_tokens_are_refused(sandbox, grants):
    body = exchange(sandbox, approve(sandbox)["code"]).json()
    revoked = requests.post(f"{sandbox.base_url}/2/oauth2/revoke",
                            data={"token": body["access_token"], "token_type_hint": "access_token",
                                  "client_id": CLIENT}, timeout=5)
    assert revoked.status_code == 200 and revoked.json() == {"revoked": True}
    with pytest.raises(tweepy.Unauthorized):
        user_client(sandbox, body["access_token"]).get_me(user_auth=False)
    requests.post(f"{sandbox.base_url}/2/oauth2/revoke", data={"token": body["refresh_token"], "client_id": CLIENT},
                  timeout=5)
    refused = token_request(sandbox, grant_type="refresh_token", refresh_token=body["refresh_token"],
                            client_id=CLIENT)
    assert refused.status_code == 400


def test_scopes_are_enforced_per_endpoint(sandbox, grants):
    no_dm_write = exchange(sandbox, approve(sandbox, scope="tweet.read users.read follows.read dm.read")["code"])
    client = user_client(sandbox, no_dm_write.json()["access_token"])
    follower = client.get_users_followers(SANDBOX_USER_ID, max_results=1, user_auth=False).data[0].id
    assert client.get_direct_message_events(participant_id=follower, user_auth=False).data is None
    with pytest.raises(tweepy.Forbidden) as refused:
        client.create_direct_message(participant_id=follower, text="hi", user_auth=False)
    assert refused.value.response.json() == {"title": "Forbidden", "type": "about:blank", "status": 403,
                                             "detail": "Forbidden"}
    read_only = exchange(sandbox, approve(sandbox, scope="tweet.read users.read")["code"]).json()
    with pytest.raises(tweepy.Forbidden):
        user_client(sandbox, read_only["access_token"]).get_users_followers(SANDBOX_USER_ID, user_auth=False)
    with pytest.raises(tweepy.Forbidden):  # a user token is no app-only token
        user_client(sandbox, read_only["access_token"]).search_all_tweets("from:alice_writes")


def test_a_confidential_app_without_its_secret_gets_xs_401(sandbox, grants):
    grants.register_client("web-app", [CALLBACK], confidential=True)
    code = approve(sandbox, client_id="web-app")["code"]
    refused = exchange(sandbox, code, client_id="web-app")
    assert refused.status_code == 401
    assert refused.json() == {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}


def test_oauth1_answers_carry_the_access_level_and_read_only_keys_cannot_dm(sandbox, raw_client, client, me_id):
    assert raw_client.get_me().headers["x-access-level"] == "read-write-directmessages"
    sandbox.state.auth.oauth1_access_level = AccessLevel.READ
    follower = client.get_users_followers(me_id, max_results=1, user_auth=True).data[0].id
    with pytest.raises(tweepy.Forbidden) as refused:
        client.create_direct_message(participant_id=follower, text="hi", user_auth=True)
    assert refused.value.response.headers["x-access-level"] == "read"


def test_the_sandbox_knows_the_default_sign_in_app(sandbox):
    assert (redirect_uri(DEFAULT_REDIRECT_PORT),) == SANDBOX_REDIRECT_URIS  # the app's default callback URI
    page = requests.get(authorize_url(sandbox, client_id=SANDBOX_CLIENT_ID, redirect_uri=SANDBOX_REDIRECT_URIS[0]),
                        timeout=5)
    assert page.status_code == 200 and "Authorize app" in page.text


def test_oauth2_requests_are_in_the_request_log_without_secrets(tmp_path, fake_clock):
    from twexport_qt.sandbox.request_log import read_entries
    from twexport_qt.sandbox.testing import running_sandbox

    log_file = tmp_path / "requests.jsonl"
    with running_sandbox(followers=10, clock=fake_clock, request_log=log_file,
                         oauth2_clients={CLIENT: [CALLBACK]}) as server:
        body = exchange(server, approve(server)["code"]).json()
    entries = read_entries(log_file)
    assert [(entry["method"], entry["endpoint"], entry["status"]) for entry in entries] == [
        ("GET", "oauth2_authorize", 200), ("POST", "oauth2_authorize", 302), ("POST", "oauth2_token", 200)]
    text = log_file.read_text()
    assert body["access_token"] not in text and body["refresh_token"] not in text and VERIFIER not in text
