"""Sandbox fixtures: a server on a FakeClock, and tweepy clients routed to it (user context and app-only)."""

from __future__ import annotations

import pytest
import requests
import tweepy

from twexport_qt.sandbox import SANDBOX_USER_ID, SandboxServer
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client

FOLLOWERS = 2500


@pytest.fixture
def sandbox(fake_clock) -> SandboxServer:
    with running_sandbox(followers=FOLLOWERS, seed=7, clock=fake_clock) as server:
        yield server


@pytest.fixture
def client(sandbox) -> tweepy.Client:
    return sandbox_client(sandbox)


@pytest.fixture
def app_client(sandbox) -> tweepy.Client:
    return sandbox_client(sandbox, user_auth=False)


@pytest.fixture
def raw_client(sandbox) -> tweepy.Client:
    """User-context client returning requests.Response, for header assertions."""
    client = sandbox_client(sandbox)
    client.return_type = requests.Response
    return client


@pytest.fixture
def me_id() -> int:
    return SANDBOX_USER_ID
