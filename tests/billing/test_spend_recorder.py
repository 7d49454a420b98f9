"""Recording is durable: a billed answer stays in the ledger whatever the job does next (its page transaction
rolls back, it fails, it is cancelled), never waits on the job's own write, and never fails the answer."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from tests.billing.conftest import DAY, PROFILE, BilledApp
from twexport_qt.app_context import AppContext
from twexport_qt.billing.ledger import SpendRecorder
from twexport_qt.billing.prices import DEFAULT_PRICES
from twexport_qt.billing.report import spent_today
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.gateway.endpoints import ENDPOINT_FOLLOWERS
from twexport_qt.gateway.x_gateway import AnswerReceipt
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.services.jobs import JobContext, JobName, api_job
from twexport_qt.store import spend_repo
from twexport_qt.store.job_locks import JobKind


def test_an_answer_during_the_jobs_open_write_is_kept_and_survives_its_rollback(billed: BilledApp):
    gateway = billed.gateway("fetch-followers", signed_in_id=SANDBOX_USER_ID)
    billed.conn.execute("INSERT INTO accounts VALUES (1, 'me', 'Me', 1, 2, 3, 4)")  # the job's write is open
    assert billed.conn.in_transaction
    gateway.followers_page(SANDBOX_USER_ID)  # a second connection writing now would wait on this thread
    assert billed.recorders[0].pending == 1 and billed.ledger_rows() == []
    billed.conn.rollback()  # the job's page transaction fails: X billed the page anyway
    assert billed.ledger_total() == Decimal("1") == billed.server.billing.total()


def test_a_ledger_that_can_not_be_written_keeps_the_answer_and_never_fails_the_call(billed: BilledApp, caplog):
    failing = {"on": True}

    def connect() -> sqlite3.Connection:
        if failing["on"]:
            raise sqlite3.OperationalError("database or disk is full")
        return billed.ledger_conn

    recorder = SpendRecorder(connect, DEFAULT_PRICES, billed.clock, profile=PROFILE, job="fetch-followers")
    receipt = AnswerReceipt(ENDPOINT_FOLLOWERS, True, SANDBOX_USER_ID, SANDBOX_USER_ID, ("1", "2", "3"))
    recorder.record(receipt)
    assert recorder.pending == 1 and "Could not write" in caplog.text
    failing["on"] = False
    recorder.flush()
    assert recorder.pending == 0
    assert [(row.returned, row.billed, row.amount_micros) for row in billed.ledger_rows()] == [(3, 3, 3_000)]


def test_billed_ids_of_past_days_are_forgotten(billed: BilledApp):
    recorder = SpendRecorder(lambda: billed.ledger_conn, DEFAULT_PRICES, billed.clock, profile=PROFILE)
    receipt = AnswerReceipt(ENDPOINT_FOLLOWERS, True, 1, 1, ("7",))
    for _ in range(4):
        recorder.record(receipt)
        billed.clock.advance(DAY)
    days = [row[0] for row in billed.ledger_conn.execute("SELECT utc_day FROM spend_billed_resources")]
    assert days == ["2026-01-03", "2026-01-04"]  # the day of the last answer and the one before
    assert [row.billed for row in billed.ledger_rows()] == [1, 1, 1, 1]  # one follower, billed once a day


def job_context(cancel: CancelToken | None = None) -> JobContext:
    return JobContext(cancel or CancelToken(), progress=lambda progress: None, on_wait=lambda notice: None)


def ledger(context: AppContext) -> list[spend_repo.SpendRow]:
    conn = context.connect()
    try:
        return list(spend_repo.rows_between(conn, context.profile.name, "0000-01-01", "9999-12-31"))
    finally:
        conn.close()


def test_an_api_job_records_under_its_name_even_when_it_fails_after_the_answer(context):
    heard: list[int] = []
    context.spend_listener = lambda rows: heard.append(len(rows))

    def body(api, ctx):
        with api.conn:  # the page's transaction: rolled back by the failure below
            api.conn.execute("INSERT INTO accounts VALUES (1, 'me', 'Me', 1, 2, 3, 4)")
            api.gateway.followers_page(SANDBOX_USER_ID, max_results=20)
            raise RuntimeError("the job failed after X answered")

    with pytest.raises(RuntimeError):
        api_job(context, body, lock=JobKind.FOLLOWERS_FETCH)(job_context())
    rows = ledger(context)
    assert [(row.job, row.profile, row.endpoint, row.owned, row.billed) for row in rows] == [
        (JobName.FETCH_FOLLOWERS.value, "Sandbox", ENDPOINT_FOLLOWERS, True, 20)]
    assert heard == [1]
    assert context.sandbox is not None and context.sandbox.billing.total() == Decimal("0.020")
    conn = context.connect()
    assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0  # the job's own write is gone
    assert spent_today(conn, "Sandbox", context.clock.now()) == Decimal("0.020")
    conn.close()


def test_a_cancelled_job_keeps_what_was_billed_and_a_named_job_uses_its_name(context):
    cancel = CancelToken()

    def body(api, ctx):
        api.gateway.users_by_usernames(["alice_writes", "bob_builds"])
        cancel.cancel()
        ctx.cancel.raise_if_cancelled()

    with pytest.raises(Cancelled):
        api_job(context, body, name=JobName.DM_PREVIEW)(job_context(cancel))
    assert [(row.job, row.resource_kind, row.billed) for row in ledger(context)] == [("dm-preview", "users", 2)]


def test_a_gateway_outside_a_job_still_records(context):
    context.new_gateway().me()
    assert [(row.job, row.endpoint) for row in ledger(context)] == [(None, "GET /2/users/me")]
