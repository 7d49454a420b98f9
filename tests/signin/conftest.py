"""Sign-in fixtures: an X profile whose traffic goes to the test's sandbox (2,500 followers, FakeClock), the
in-memory keyring, and a driver that signs it in through the sandbox's consent page (`signin_support.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.signin.signin_support import CLIENT_ID, PROFILE, SignInDriver
from twexport_qt.app_context import AppContext
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile


@pytest.fixture
def context(data_dir, fake_clock, sandbox_server, memory_keyring) -> Iterator[AppContext]:
    """The app on an X profile ("Creator", not yet signed in) whose API traffic goes to the sandbox."""
    settings = AppSettings()
    settings.profiles[PROFILE] = Profile(name=PROFILE, kind="x", oauth2_client_id=CLIENT_ID)
    settings.active_profile = PROFILE
    ctx = AppContext(data_dir, settings=settings, secrets=SecretStore.open(), clock=fake_clock, configure_log=False,
                     api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def driver(context, sandbox_server) -> SignInDriver:
    return SignInDriver(context, sandbox_server)
