"""Authentication: real OAuth 1.0a signature checks, bearer tokens, revocation, unsupported contexts."""

from __future__ import annotations

import pytest
import tweepy

from twexport_qt.gateway.routing import mount
from twexport_qt.sandbox import AuthContext
from twexport_qt.sandbox.testing import sandbox_client


def test_wrong_consumer_secret_is_401(sandbox):
    client = sandbox_client(sandbox, consumer_secret="not-the-secret")
    with pytest.raises(tweepy.Unauthorized) as raised:
        client.get_me()
    assert raised.value.response.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                            "detail": "Unauthorized"}


def test_signature_covers_query_parameters(sandbox, client):
    # Sign one URL, send another: the routing adapter must not be able to hide tampering.
    session = client.session
    original_send = session.send

    def tamper(request, **kw):
        request.url = request.url.replace("max_results=5", "max_results=6")
        return original_send(request, **kw)

    session.send = tamper
    with pytest.raises(tweepy.Unauthorized):
        client.get_users_followers(sandbox.state.population.me.id, max_results=5, user_auth=True)


def test_revoked_user_token_is_401_until_restored(sandbox, client):
    sandbox.state.auth.revoke(AuthContext.USER)
    with pytest.raises(tweepy.Unauthorized):
        client.get_me()
    sandbox.state.auth.restore(AuthContext.USER)
    assert client.get_me().data.username == "sandbox_creator"


def test_bearer_token_checks(sandbox, app_client):
    assert app_client.get_user(username="alice_writes").data.id == 2001
    wrong = tweepy.Client(bearer_token="nope")
    mount(wrong.session, sandbox.base_url)
    with pytest.raises(tweepy.Unauthorized):
        wrong.get_user(username="alice_writes")
    sandbox.state.auth.revoke(AuthContext.APP)
    with pytest.raises(tweepy.Unauthorized):
        app_client.get_user(username="alice_writes")


def test_app_only_token_cannot_call_users_me(app_client):
    with pytest.raises(tweepy.Forbidden) as raised:
        app_client.get_me(user_auth=False)
    assert raised.value.response.json()["type"].endswith("/unsupported-authentication")
