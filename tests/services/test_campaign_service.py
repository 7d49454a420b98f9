"""What the DM campaign tab reads through `context.campaigns`: who live sending reaches, the calendar, the funnel,
the DM status and the next automatic run, from any thread (each gets its own connection)."""

from __future__ import annotations

import threading

import pytest

from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.services.campaigns import CampaignService
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

OWNER = 42
DAY = 86_400


@pytest.fixture
def db_path(tmp_path, fake_clock):
    """Five followers; the first two got their live first DM two days ago."""
    path = tmp_path / "db.sqlite3"
    now = int(fake_clock.now())
    conn = open_database(path)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(i, f"user{i}", receives_your_dm=True)
                                                      for i in range(1, 6)], now - 30 * DAY)
        for user_id in (1, 2):
            dm_repo.claim(conn, OWNER, user_id, f"user{user_id}", DmStep.FIRST, DmMode.LIVE, "Hi", now - 2 * DAY)
            dm_repo.mark_sent(conn, OWNER, user_id, DmStep.FIRST, DmMode.LIVE, event_id=f"e{user_id}",
                              now=now - 2 * DAY)
    conn.close()
    return path


@pytest.fixture
def service(db_path, fake_clock, connections_to):
    return CampaignService(connections_to(db_path), fake_clock)


def live(**overrides) -> CampaignSettings:
    values = {"message": "Hi {first_name}", "retry_message": "Still there?", "test_mode": False, "dm_enabled": True,
                  "live_confirmed": True, "retry_after_days": 7}
    return CampaignSettings(**{**values, **overrides})


def test_status_rows_come_back_as_enums_equal_to_the_stored_strings(service):
    rows = service.status_rows(OWNER, DmMode.LIVE)
    assert [(r.recipient_id, r.step, r.state) for r in rows] == [(1, DmStep.FIRST, DmState.SENT),
                                                                 (2, DmStep.FIRST, DmState.SENT)]
    assert rows[0].state == "sent" and rows[0].mode is DmMode.LIVE
    assert service.status_rows(OWNER, DmMode.DRY_RUN) == []


def test_live_audience_counts_who_is_due_and_nobody_before_a_fetch(service):
    audience = service.live_audience(OWNER, live())
    assert (audience.first, audience.retry) == (3, 0)  # the retries fall due after 7 days
    assert service.live_audience(None, live()).people == 0


def test_calendar_and_next_due_time_plan_from_the_same_followers(service, fake_clock):
    calendar = service.calendar(OWNER, live())
    assert calendar.days[0].first == 3
    assert service.next_due_time(OWNER, live()) == int(fake_clock.now())  # first DMs are due now
    assert service.next_due_time(OWNER, live(dm_enabled=False)) is None  # automatic mode never runs switched off


def test_the_funnel_counts_the_live_dms_sent(service):
    [first, retry] = service.funnel(OWNER).steps
    assert (first.step, first.sent, first.window_open) == (DmStep.FIRST, 2, 2)  # no complete fetch since the DMs
    assert (retry.step, retry.sent) == (DmStep.RETRY, 0)


def test_each_thread_reads_through_its_own_connection(service):
    """Views ask from pool threads (`run_task`), never sharing a connection across threads."""
    answers: list[int] = []
    worker = threading.Thread(target=lambda: answers.append(len(service.status_rows(OWNER, DmMode.LIVE))))
    worker.start()
    worker.join(10)
    assert answers == [2] and len(service.status_rows(OWNER, DmMode.LIVE)) == 2


def test_a_run_is_priced_from_what_is_due_and_the_daily_cap_left(service):
    from twexport_qt.billing.estimates import CampaignWork
    from twexport_qt.billing.prices import DEFAULT_PRICES

    assert service.run_work(OWNER, live(daily_cap=2)) == CampaignWork(first=3, retry=0, capacity=2, unconfirmed=0)
    estimate = service.run_estimate(OWNER, live(daily_cap=2), DEFAULT_PRICES)
    assert estimate.count == 2 and estimate.sentence.startswith("≈ 2 DMs to followers: $0.03 to send")
    test = service.run_work(OWNER, live(test_mode=True, test_accounts=["a", "b"]))
    assert (test.test_accounts, test.first, test.capacity) == (2, 0, 400)
    question = service.live_question(OWNER, live(), DEFAULT_PRICES)
    assert question.audience.first == 3 and question.cost is not None and question.cost.count == 3
    assert service.live_question(OWNER, live()).cost is None  # the turn-on question: no send, no price
