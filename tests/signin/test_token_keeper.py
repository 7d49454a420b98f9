"""The sign-in stays alive: the token is renewed before it expires and once after X refused it, refresh tokens
rotate (a spent one is refused), and a renewal is serialised across threads and processes, reading the keyring
again under the lock so that a token another process renewed is used, not renewed twice."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from filelock import FileLock

from tests.signin.signin_support import PROFILE
from twexport_qt.core.errors import AuthError
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.oauth2_grants import BAD_TOKEN
from twexport_qt.signin.errors import SignInExpired
from twexport_qt.signin.token_client import TokenClient
from twexport_qt.signin.token_keeper import REFRESH_MARGIN_S


@pytest.fixture
def signed_in(driver):
    driver.sign_in()
    return driver


def test_a_gateway_built_near_expiry_renews_first_and_the_old_refresh_token_is_spent(context, signed_in,
                                                                                     fake_clock):
    before = signed_in.stored()
    fake_clock.advance(7200 - REFRESH_MARGIN_S + 1)  # under five minutes left
    gateway = context.new_gateway()
    after = signed_in.stored()
    assert signed_in.server.state.auth.oauth2.refreshes == 1
    assert after.access_token != before.access_token and after.refresh_token != before.refresh_token
    assert after.expires_at == fake_clock.now() + 7200
    assert int(gateway.me()["id"]) == SANDBOX_USER_ID

    client = TokenClient(before.client_id, base_url=signed_in.server.base_url, clock=fake_clock)
    with pytest.raises(SignInExpired, match="Sign in again") as refused:
        client.refresh(before)  # rotation: X refuses the spent refresh token
    assert BAD_TOKEN in str(refused.value)


def test_a_gateway_with_time_left_does_not_renew(context, signed_in, fake_clock):
    fake_clock.advance(3600)
    context.new_gateway().me()
    assert signed_in.server.state.auth.oauth2.refreshes == 0


def test_a_long_job_renews_when_the_token_expires_under_it(context, signed_in, fake_clock):
    gateway = context.new_gateway()
    gateway.followers_page(SANDBOX_USER_ID, max_results=10)
    fake_clock.advance(7300)  # the job ran for two hours
    assert gateway.followers_page(SANDBOX_USER_ID, max_results=10).data
    assert signed_in.server.state.auth.oauth2.refreshes == 1
    assert signed_in.stored().expires_at == fake_clock.now() + 7200


def test_a_401_renews_once_and_sends_the_request_again(context, signed_in, fake_clock):
    gateway = context.new_gateway()
    stored = signed_in.stored()
    # X refuses the access token before its time (it was revoked elsewhere); the refresh token still works.
    signed_in.server.state.auth.oauth2.revoke({"token": stored.access_token, "client_id": stored.client_id}, None)
    assert int(gateway.me()["id"]) == SANDBOX_USER_ID
    assert signed_in.server.state.auth.oauth2.refreshes == 1


def test_a_spent_sign_in_says_sign_in_again_instead_of_a_traceback(context, signed_in, fake_clock):
    stored = signed_in.stored()
    grants = signed_in.server.state.auth.oauth2
    grants.revoke({"token": stored.refresh_token, "client_id": stored.client_id}, None)
    fake_clock.advance(7200)
    with pytest.raises(SignInExpired, match="Sign in again: Settings → X account") as raised:
        context.new_gateway()
    assert isinstance(raised.value, AuthError)
    assert "Value passed for the token was invalid." in raised.value.user_message


def test_two_threads_renewing_at_once_make_one_refresh_request(context, signed_in, fake_clock):
    fake_clock.advance(7200)
    stale = signed_in.stored()
    keepers = [context.user_token_keeper(context.profile) for _ in range(2)]  # one per job thread, as gateways have
    start = threading.Barrier(2)
    tokens: list[str] = []

    def renew(index: int) -> None:
        start.wait()
        tokens.append(keepers[index].renewed_access_token(stale.access_token))

    threads = [threading.Thread(target=renew, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert signed_in.server.state.auth.oauth2.refreshes == 1
    assert tokens[0] == tokens[1] == signed_in.stored().access_token != stale.access_token


def test_a_renewal_waits_for_another_process_and_uses_its_token(context, signed_in, fake_clock):
    """Another process (here: the test, holding the same OS file lock) renews while this one waits for the lock:
    once it is released, this one reads the keyring again and finds the other's token, without a request."""
    fake_clock.advance(7200)
    stale = signed_in.stored()
    keeper = context.user_token_keeper(context.profile)
    keeper.lock_path.parent.mkdir(parents=True, exist_ok=True)
    other_process = FileLock(keeper.lock_path)
    other_process.acquire()
    got: list[str] = []
    waiting = threading.Thread(target=lambda: got.append(keeper.access_token()))
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive(), "the renewal did not wait for the other process's lock"
    renewed_elsewhere = replace(stale, access_token="renewed-by-the-other-process-token",
                                expires_at=fake_clock.now() + 7200)
    context.secrets.set_oauth2_token(PROFILE, renewed_elsewhere)
    other_process.release()
    waiting.join(timeout=30)
    assert got == ["renewed-by-the-other-process-token"]
    assert signed_in.server.state.auth.oauth2.refreshes == 0

