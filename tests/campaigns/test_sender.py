"""Campaign runs against the sandbox, through tweepy, on a FakeClock shared by the app and the sandbox."""

from __future__ import annotations

import dataclasses

import pytest

from tests.campaigns.campaign_support import live, run
from tests.campaigns.conftest import OWNER_ID, App
from twexport_qt.campaigns.planner import NOT_ACCEPTING_REASON
from twexport_qt.campaigns.reconcile import RECONCILE_GRACE_S
from twexport_qt.campaigns.sender import MASTER_SWITCH_OFF, next_due_time
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.store import dm_repo

DAY = 86_400
TEST_ACCOUNT_IDS = {3001, 3002, 3003}


def follower_ids(app: App, where: str = "1") -> set[int]:
    return {row[0] for row in app.conn.execute(f"SELECT user_id FROM followers WHERE {where}")}


def total_dms(app: App) -> int:
    return app.server.state.dms.count()


def test_test_mode_reaches_only_the_test_accounts(app):
    settings = CampaignSettings(message="Hi {first_name}", retry_message="Again", dm_enabled=True,
                                test_accounts=["test_account_1", "@test_account_2", "TEST_ACCOUNT_3"])
    result = run(app, settings)
    assert (result.mode, result.sent) == ("test", 3)
    events = app.server.state.dms.all_events()
    assert {event.participant_id for event in events} == TEST_ACCOUNT_IDS
    assert sorted(event.text for event in events) == ["Hi Test1", "Hi Test2", "Hi Test3"]
    assert dm_repo.counts(app.conn, OWNER_ID, "live") == {}
    assert run(app, settings).sent == 0  # each test account gets each step once


def test_test_mode_can_send_the_retry_message(app):
    settings = CampaignSettings(message="Hi", retry_message="Again {first_name}", dm_enabled=True,
                                test_accounts=["test_account_1"], test_retry_message=True)
    run(app, settings)
    assert [e.text for e in app.server.state.dms.events_with(3001)] == ["Again Test1"]


def test_unknown_test_account_is_named_and_nothing_is_sent(app):
    settings = CampaignSettings(message="Hi", dm_enabled=True, test_accounts=["test_account_1", "no_such_user"])
    result = run(app, settings)
    assert result.stop_reason == "invalid_settings" and "@no_such_user" in result.message
    assert total_dms(app) == 0


def test_master_switch_off_sends_nothing_in_any_mode(app):
    requests_before = len(app.statuses)
    for settings in (live(dm_enabled=False), CampaignSettings(message="Hi", test_accounts=["test_account_1"])):
        result = run(app, settings)
        assert (result.stop_reason, result.message) == ("master_switch_off", MASTER_SWITCH_OFF)
    assert total_dms(app) == 0 and len(app.statuses) == requests_before
    assert dm_repo.counts(app.conn, OWNER_ID) == {}


def test_live_sending_nobody_confirmed_sends_nothing_and_is_never_scheduled(app):
    unconfirmed = live(live_confirmed=False)
    result = run(app, unconfirmed)
    assert (result.stop_reason, total_dms(app)) == ("not_confirmed", 0)
    assert "has not been confirmed" in result.message
    assert next_due_time(app.conn, OWNER_ID, unconfirmed, int(app.clock.now())) is None
    assert run(app, live(live_confirmed=False, dry_run=True)).dry_run > 0  # a dry run needs no confirmation


def test_dry_run_records_what_would_happen_and_sends_nothing(app):
    result = run(app, live(dm_enabled=False, dry_run=True))
    accepting = follower_ids(app, "receives_your_dm = 1")
    refusing = follower_ids(app, "receives_your_dm = 0")
    assert total_dms(app) == 0
    assert (result.dry_run, result.skipped) == (len(accepting), len(refusing))
    rows = list(dm_repo.status_rows(app.conn, OWNER_ID, "dry_run"))
    assert {r.recipient_id for r in rows if r.state == "dry_run"} == accepting
    assert {r.reason for r in rows if r.state == "skipped"} == {NOT_ACCEPTING_REASON}
    assert dm_repo.counts(app.conn, OWNER_ID, "live") == {}
    run(app, live(dry_run=True))  # a second dry run replaces the first
    assert len(list(dm_repo.status_rows(app.conn, OWNER_ID, "dry_run"))) == len(rows)


def test_first_dm_then_retry_only_after_n_days_and_only_once(app):
    accepting = follower_ids(app, "receives_your_dm = 1")
    first = run(app, live())
    assert first.sent == len(accepting) and first.skipped == len(follower_ids(app, "receives_your_dm = 0"))
    assert run(app, live()).sent == 0
    app.clock.advance(6 * DAY)
    assert run(app, live()).sent == 0
    due = next_due_time(app.conn, OWNER_ID, live(), int(app.clock.now()))
    assert due is not None and due > app.clock.now()
    app.clock.advance(due - app.clock.now())
    early_retries = run(app, live()).sent  # the first DMs sent in the first 15-minute window
    assert early_retries == 15
    app.clock.advance(DAY)
    assert run(app, live()).sent == len(accepting) - early_retries
    app.clock.advance(30 * DAY)
    assert run(app, live()).sent == 0
    for user_id in accepting:
        texts = [event.text for event in reversed(app.server.state.dms.events_with(user_id))]
        assert len(texts) == 2 and texts[0].startswith("Hi ") and texts[1].startswith("Just checking in, ")
    assert next_due_time(app.conn, OWNER_ID, live(), int(app.clock.now())) is None


def test_forbidden_recipient_is_skipped_with_the_api_message_and_never_retried(app):
    refusing = sorted(follower_ids(app, "receives_your_dm = 0"))[:3]
    # Our copy does not know they refuse DMs (X did not say): only the 403 on send can tell.
    app.conn.execute(f"UPDATE followers SET receives_your_dm = NULL WHERE user_id IN ({','.join(map(str, refusing))})")
    app.conn.commit()
    result = run(app, live())
    assert result.stop_reason == "done"
    for user_id in refusing:
        row = dm_repo.get(app.conn, OWNER_ID, user_id, "first", "live")
        assert row.state == "skipped" and "cannot send messages to this user" in row.reason
    statuses_before = len(app.statuses)
    app.clock.advance(10 * DAY)
    run(app, live())
    assert all(dm_repo.get(app.conn, OWNER_ID, uid, "retry", "live") is None for uid in refusing)
    assert all(app.dms_sent_to(uid) == 0 for uid in refusing)
    assert 403 not in app.statuses[statuses_before:]


def test_a_run_of_403s_looks_like_a_token_problem_and_skips_nobody_for_good(app):
    app.conn.execute("UPDATE followers SET receives_your_dm = NULL WHERE receives_your_dm = 0")
    app.conn.commit()
    only_refusing = FollowerFilter(max_followers=10**9)
    refusing = follower_ids(app, "receives_your_dm IS NULL")
    ids = ",".join(map(str, refusing))
    app.conn.execute(f"UPDATE followers SET followers_count = 10000000 WHERE user_id IN ({ids})")
    app.conn.commit()  # tier "Power user": they come first
    result = run(app, live(recipient_filter=only_refusing))
    assert result.stop_reason == "error" and "Direct Messages permission" in result.message
    assert result.skipped == 0 and result.failed == 5
    assert dm_repo.counts(app.conn, OWNER_ID) == {("first", "failed"): 5}


def test_do_not_contact_is_honoured(app):
    blocked = sorted(follower_ids(app, "receives_your_dm = 1"))[:4]
    for user_id in blocked:
        dm_repo.add_do_not_contact(app.conn, OWNER_ID, user_id, "asked to stop", int(app.clock.now()))
    app.conn.commit()
    run(app, live())
    app.clock.advance(8 * DAY)
    run(app, live())
    assert all(app.dms_sent_to(user_id) == 0 for user_id in blocked)
    assert total_dms(app) > 0


def test_unknown_placeholder_is_rejected_and_nothing_is_sent(app):
    result = run(app, live(message="Hi {firstname}"))
    assert result.stop_reason == "invalid_settings"
    assert "Unknown placeholder {firstname}: use {name}, {first_name} or {username}" in result.message
    assert total_dms(app) == 0 and dm_repo.counts(app.conn, OWNER_ID) == {}


def test_pacing_waits_through_dm_windows_without_ever_provoking_a_429(app):
    started = app.clock.now()
    waits = []
    result = run(app, live(recipient_filter=FollowerFilter(dm_able_only=True)), on_wait=waits.append)
    assert result.sent >= 40
    assert 429 not in app.statuses and app.pacer.rate_limit_waits == 0
    windows = -(-result.sent // 15) - 1  # 15 DMs per 15 minutes
    assert app.clock.now() - started >= windows * 900
    assert waits == []  # on_wait is only for the daily cap; the pacer announces its own waits


def test_daily_cap_stops_the_run_and_says_when_to_resume(app):
    notices = []
    result = run(app, live(daily_cap=10), on_wait=notices.append)
    assert (result.sent, result.stop_reason) == (10, "daily_cap")
    first_sent = min(r.updated_at for r in dm_repo.status_rows(app.conn, OWNER_ID) if r.state == "sent")
    assert result.resume_at == first_sent + DAY and notices[0].resume_at == result.resume_at
    assert run(app, live(daily_cap=10)).sent == 0
    assert next_due_time(app.conn, OWNER_ID, live(daily_cap=10), int(app.clock.now())) == result.resume_at
    app.clock.advance(result.resume_at - app.clock.now())
    assert run(app, live(daily_cap=10)).sent == 10


@pytest.mark.parametrize("fault", ["drop", "500"])
def test_a_send_with_an_unknown_outcome_is_reconciled_not_repeated(app, fault):
    app.server.state.faults.fail_next(Endpoint.DM_SEND, kind=fault)
    result = run(app, live())
    assert (result.stop_reason, result.unconfirmed, total_dms(app)) == ("error", 1, 0)
    [stuck] = dm_repo.unconfirmed(app.conn, OWNER_ID)
    # A prompt rerun sends to everyone else, but not to the person whose DM X may still be processing.
    result = run(app, live())
    assert (result.stop_reason, result.unconfirmed) == ("done", 1)
    assert result.recheck_at == stuck.created_at + RECONCILE_GRACE_S
    assert app.dms_sent_to(stuck.recipient_id) == 0
    assert next_due_time(app.conn, OWNER_ID, live(), int(app.clock.now())) == result.recheck_at
    app.clock.advance(RECONCILE_GRACE_S)
    result = run(app, live())
    assert (result.stop_reason, result.unconfirmed) == ("done", 0)
    assert app.dms_sent_to(stuck.recipient_id) == 1
    assert all(app.dms_sent_to(uid) == 1 for uid in follower_ids(app, "receives_your_dm = 1"))


def test_a_send_processed_then_dropped_is_confirmed_from_history_never_resent(app):
    app.server.state.faults.fail_next(Endpoint.DM_SEND, kind="sent-then-drop")
    result = run(app, live())
    assert (result.stop_reason, result.unconfirmed, total_dms(app)) == ("error", 1, 1)  # X has it; we don't know
    [stuck] = dm_repo.unconfirmed(app.conn, OWNER_ID)
    result = run(app, live())  # a prompt rerun: X's history shows the DM, so it is recorded, not sent again
    assert (result.stop_reason, result.confirmed, result.unconfirmed) == ("done", 1, 0)
    assert app.dms_sent_to(stuck.recipient_id) == 1
    row = dm_repo.get(app.conn, OWNER_ID, stuck.recipient_id, "first", "live")
    assert row.state == "sent" and row.event_id == str(app.server.state.dms.events_with(stuck.recipient_id)[0].event_id)


def test_a_2xx_without_an_event_id_is_unconfirmed_not_sent(app, monkeypatch):
    real_send = app.gateway.send_dm

    def send_without_id(recipient_id, text):
        answer = real_send(recipient_id, text)
        return {"dm_conversation_id": answer["dm_conversation_id"]}  # X said "created" but not which event

    monkeypatch.setattr(app.gateway, "send_dm", send_without_id)
    result = run(app, live())
    assert (result.stop_reason, result.sent, result.unconfirmed) == ("error", 0, 1)
    assert "event id" in result.message
    [stuck] = dm_repo.unconfirmed(app.conn, OWNER_ID)
    monkeypatch.undo()
    result = run(app, live())
    assert result.confirmed == 1 and app.dms_sent_to(stuck.recipient_id) == 1


def test_when_the_dm_history_answers_with_only_errors_nothing_is_resent(app):
    app.server.state.faults.fail_next(Endpoint.DM_SEND, kind="drop")
    run(app, live())
    [stuck] = dm_repo.unconfirmed(app.conn, OWNER_ID)
    app.clock.advance(RECONCILE_GRACE_S)
    app.server.state.faults.fail_next(Endpoint.DM_EVENTS, kind="errors-only", count=10)
    result = run(app, live())
    assert result.stop_reason == "error" and "Could not check" in result.message
    assert total_dms(app) == 0 and dm_repo.unconfirmed(app.conn, OWNER_ID) == [stuck]


def test_a_send_that_timed_out_but_x_processed_later_is_never_sent_twice(app):
    """The client gives up after 0.5 s; the sandbox, like X, still delivers the DM 1.5 s later."""
    import time

    from tests.campaigns.conftest import UserCredentials
    from twexport_qt.gateway.pacing import Pacer
    from twexport_qt.gateway.x_gateway import XGateway

    app.server.state.faults.configure(dataclasses.replace(app.server.state.faults.config, slow_seconds=1.5))
    app.server.state.faults.fail_next(Endpoint.DM_SEND, kind="slow")
    app.gateway = XGateway(UserCredentials(), base_url=app.server.base_url, timeout=(5.0, 0.5))
    app.pacer = Pacer(app.gateway.rate_limits, app.clock)
    result = run(app, live())
    assert (result.stop_reason, result.unconfirmed) == ("error", 1)
    [stuck] = dm_repo.unconfirmed(app.conn, OWNER_ID)
    result = run(app, live())  # a prompt rerun, before X has finished: the DM is not in its history yet
    assert app.dms_sent_to(stuck.recipient_id) <= 1 and result.unconfirmed == 1
    time.sleep(1.6)  # X finishes processing the request the client gave up on
    assert app.dms_sent_to(stuck.recipient_id) == 1
    app.clock.advance(RECONCILE_GRACE_S)
    result = run(app, live())
    assert result.confirmed == 1 and app.dms_sent_to(stuck.recipient_id) == 1
    assert all(app.dms_sent_to(uid) == 1 for uid in follower_ids(app, "receives_your_dm = 1"))
