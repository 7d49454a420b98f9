"""Sign in with X keeps its tokens in the keyring only: after a sign-in, a fetch, a renewal, a DM and a sign-out
with DEBUG logging on (tweepy logs request headers, urllib3 every URL), no access or refresh token is in the log,
the settings file or the database."""

from __future__ import annotations

import logging

import pytest

from tests.signin.signin_support import CLIENT_ID, SignInDriver
from twexport_qt.app_context import AppContext
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.signin.account import save_signed_in_profile, sign_out_profile

PROFILE = "Creator"


@pytest.fixture
def context(tmp_path, fake_clock, sandbox_server, memory_keyring):
    settings = AppSettings()
    settings.profiles[PROFILE] = Profile(name=PROFILE, kind="x")
    settings.active_profile = PROFILE
    context = AppContext(tmp_path / "data", settings=settings, secrets=SecretStore.open(), clock=fake_clock,
                         api_base_url=sandbox_server.base_url)
    logging.getLogger().setLevel(logging.DEBUG)  # the worst case: every library logs what it sends
    yield context
    logging.getLogger().setLevel(logging.INFO)
    context.close()


def test_no_token_in_the_log_settings_or_database(context, sandbox_server, fake_clock):
    driver = SignInDriver(context, sandbox_server)
    report = driver.sign_in()
    save_signed_in_profile(context, context.profile, CLIENT_ID, 8719, report)
    first = driver.stored()
    conn = context.connect()
    gateway = context.new_gateway()
    context.remember_owner(fetch_followers(conn, gateway, context.new_pacer(gateway), context.clock).owner_id)
    conn.close()
    fake_clock.advance(7200)  # renewed: a second pair of tokens, the first refresh token spent
    gateway = context.new_gateway()
    follower = int(gateway.followers_page(SANDBOX_USER_ID, max_results=5).data[0]["id"])
    gateway.send_dm(follower, "Thanks for following!")
    second = driver.stored()
    assert second.refresh_token != first.refresh_token
    assert sign_out_profile(context, context.profile).revoked
    for handler in logging.getLogger().handlers:
        handler.flush()

    log_text = context.log_file.read_text(encoding="utf-8")
    assert "Making API request" in log_text and "Renewed the sign-in" in log_text  # the debug lines are there
    tokens = [value for token in (first, second) for value in (token.access_token, token.refresh_token) if value]
    assert len(tokens) == 4
    for path in (context.log_file, context.settings_file, context.database_file,
                 *context.data_dir.glob("*.sqlite3-wal")):
        content = path.read_bytes()
        for token in tokens:
            assert token.encode() not in content, f"a token leaked into {path.name}"
