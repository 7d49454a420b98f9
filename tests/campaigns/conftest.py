"""A sandbox on a FakeClock shared with the app, a database file, and a way to "restart the app" on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.auth import SANDBOX_CREDENTIALS
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.sandbox.server import SandboxServer
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store.database import open_database

OWNER_ID = SANDBOX_USER_ID
SANDBOX_FOLLOWERS = 60


@dataclass(frozen=True)
class UserCredentials:
    consumer_key: str = SANDBOX_CREDENTIALS.consumer_key
    consumer_secret: str = SANDBOX_CREDENTIALS.consumer_secret
    access_token: str = SANDBOX_CREDENTIALS.access_token
    access_token_secret: str = SANDBOX_CREDENTIALS.access_token_secret
    bearer_token: str | None = None


@dataclass
class App:
    """What one run of the app holds: a connection, a gateway and its pacer. `restart()` makes a new one."""

    server: SandboxServer
    clock: FakeClock
    db_path: Path
    conn: sqlite3.Connection = field(init=False)
    gateway: XGateway = field(init=False)
    pacer: Pacer = field(init=False)
    statuses: list[int] = field(default_factory=list)  # HTTP status of every response this app received

    def __post_init__(self) -> None:
        self._open()

    def _open(self) -> None:
        self.conn = open_database(self.db_path)
        self.gateway = XGateway(UserCredentials(), base_url=self.server.base_url)
        self.gateway.client.session.hooks["response"].append(
            lambda response, *args, **kwargs: self.statuses.append(response.status_code))
        self.pacer = Pacer(self.gateway.rate_limits, self.clock)

    def restart(self) -> None:
        self.conn.close()
        self._open()

    def dms_sent_to(self, user_id: int) -> int:
        return self.server.state.dms.count(user_id)

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def sandbox(fake_clock: FakeClock) -> Iterator[SandboxServer]:
    with running_sandbox(followers=SANDBOX_FOLLOWERS, clock=fake_clock) as server:
        yield server


@pytest.fixture
def app(sandbox: SandboxServer, fake_clock: FakeClock, tmp_path: Path) -> Iterator[App]:
    """The app with the sandbox's followers fetched into its database."""
    instance = App(sandbox, fake_clock, tmp_path / "twexport.sqlite3")
    fetch_followers(instance.conn, instance.gateway, instance.pacer, fake_clock)
    yield instance
    instance.close()
