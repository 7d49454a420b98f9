"""The app's gateway billed into a ledger, next to a sandbox on the same FakeClock that bills as X does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from twexport_qt.app_context import sandbox_credentials
from twexport_qt.billing.guard import SpendGuard, SpendLimits
from twexport_qt.billing.ledger import SpendRecorder
from twexport_qt.billing.prices import DEFAULT_PRICES, from_micros
from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import CredentialsLike, XGateway
from twexport_qt.sandbox.server import SandboxServer
from twexport_qt.store import spend_repo
from twexport_qt.store.database import open_database

PROFILE = "Sandbox"
DAY = 86_400


@dataclass
class BilledApp:
    """One app run: its database connection, and gateways whose answers go into the spend ledger."""

    server: SandboxServer
    clock: FakeClock
    db_path: Path
    conn: sqlite3.Connection = field(init=False)
    ledger_conn: sqlite3.Connection = field(init=False)
    recorders: list[SpendRecorder] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.conn = open_database(self.db_path)
        self.ledger_conn = open_database(self.db_path)

    def gateway(self, job: str | None = None, credentials: CredentialsLike | None = None,
                signed_in_id: int | None = None) -> XGateway:
        recorder = SpendRecorder(lambda: self.ledger_conn, DEFAULT_PRICES, self.clock, profile=PROFILE, job=job,
                                 busy=lambda: self.conn.in_transaction)
        self.recorders.append(recorder)
        return XGateway(credentials or sandbox_credentials(), base_url=self.server.base_url,
                        on_answer=recorder.record, signed_in_id=signed_in_id)

    def guarded_gateway(self, limits: SpendLimits, job: str | None = None,
                        signed_in_id: int | None = None) -> tuple[XGateway, SpendGuard]:
        """A billed gateway that stops before passing `limits`, as `AppContext.new_gateway` wires it."""
        recorder = SpendRecorder(lambda: self.ledger_conn, DEFAULT_PRICES, self.clock, profile=PROFILE, job=job,
                                 busy=lambda: self.conn.in_transaction)
        self.recorders.append(recorder)
        guard = SpendGuard(recorder, lambda: self.ledger_conn, self.clock, limits)
        gateway = XGateway(sandbox_credentials(), base_url=self.server.base_url, on_answer=recorder.record,
                           before_request=guard.before_request, signed_in_id=signed_in_id)
        return gateway, guard

    def pacer(self, gateway: XGateway) -> Pacer:
        return Pacer(gateway.rate_limits, self.clock)

    def ledger_total(self) -> Decimal:
        for recorder in self.recorders:
            recorder.flush()
        return from_micros(spend_repo.total_micros(self.ledger_conn, PROFILE, "0000-01-01", "9999-12-31"))

    def ledger_rows(self) -> list[spend_repo.SpendRow]:
        return list(spend_repo.rows_between(self.ledger_conn, PROFILE, "0000-01-01", "9999-12-31"))

    def close(self) -> None:
        self.conn.close()
        self.ledger_conn.close()


@pytest.fixture
def billed(sandbox_server: SandboxServer, fake_clock: FakeClock, tmp_path: Path) -> Iterator[BilledApp]:
    app = BilledApp(sandbox_server, fake_clock, tmp_path / "twexport.sqlite3")
    yield app
    app.close()
