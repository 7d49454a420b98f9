from __future__ import annotations

import pytest

from twexport_qt.store import dm_repo
from twexport_qt.store.database import open_database

OWNER, ALICE, BOB = 1, 10, 20
T0 = 1_767_225_600


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    yield connection
    connection.close()


def _claim(conn, recipient=ALICE, step="first", mode="live", now=T0, text="hi"):
    return dm_repo.claim(conn, OWNER, recipient, "alice", step, mode, text, now)


def test_a_step_can_be_claimed_once(conn):
    assert _claim(conn)
    assert not _claim(conn, now=T0 + 5)
    assert _claim(conn, step="retry")  # another step, another key
    assert _claim(conn, mode="test")   # test sends never mark the live step
    assert dm_repo.get(conn, OWNER, ALICE, "first", "live").state == "sending"


def test_sent_rows_keep_their_event_and_cannot_be_reclaimed(conn):
    _claim(conn)
    assert dm_repo.mark_sent(conn, OWNER, ALICE, "first", "live", event_id="e1", now=T0 + 1)
    assert not dm_repo.mark_sent(conn, OWNER, ALICE, "first", "live", event_id="e2", now=T0 + 2)
    row = dm_repo.get(conn, OWNER, ALICE, "first", "live")
    assert (row.state, row.event_id, row.updated_at) == ("sent", "e1", T0 + 1)
    assert not _claim(conn)
    assert dm_repo.event_ids_for(conn, OWNER, ALICE) == {"e1"}


def test_a_failed_row_is_reclaimed_with_the_new_claim_time(conn):
    _claim(conn, text="old")
    dm_repo.mark_failed(conn, OWNER, ALICE, "first", "live", reason="400", now=T0 + 1)
    assert _claim(conn, now=T0 + 100, text="new")
    row = dm_repo.get(conn, OWNER, ALICE, "first", "live")
    assert (row.state, row.text, row.reason, row.created_at) == ("sending", "new", "", T0 + 100)


def test_skipped_is_permanent_and_never_overwrites_sent(conn):
    assert dm_repo.mark_skipped(conn, OWNER, BOB, "bob", "first", "live", reason="403", now=T0)
    assert not _claim(conn, recipient=BOB)
    _claim(conn)
    dm_repo.mark_sent(conn, OWNER, ALICE, "first", "live", event_id="e", now=T0)
    assert not dm_repo.mark_skipped(conn, OWNER, ALICE, "alice", "first", "live", reason="x", now=T0)
    assert dm_repo.reopen_skipped(conn, OWNER, BOB, "first", "live", reason="token?", now=T0 + 1)
    assert dm_repo.get(conn, OWNER, BOB, "first", "live").state == "failed"


def test_release_forgets_only_unsent_claims(conn):
    _claim(conn)
    assert dm_repo.release_claim(conn, OWNER, ALICE, "first", "live")
    assert dm_repo.get(conn, OWNER, ALICE, "first", "live") is None
    _claim(conn)
    dm_repo.mark_sent(conn, OWNER, ALICE, "first", "live", event_id="e", now=T0)
    assert not dm_repo.release_claim(conn, OWNER, ALICE, "first", "live")


def test_unconfirmed_status_rows_and_counts(conn):
    _claim(conn)
    _claim(conn, recipient=BOB)
    dm_repo.mark_sent(conn, OWNER, BOB, "first", "live", event_id="e", now=T0)
    _claim(conn, recipient=BOB, mode="test")
    assert [row.recipient_id for row in dm_repo.unconfirmed(conn, OWNER, "live")] == [ALICE]
    assert len(dm_repo.unconfirmed(conn, OWNER)) == 2
    assert [(r.recipient_id, r.state) for r in dm_repo.status_rows(conn, OWNER)] == [(ALICE, "sending"), (BOB, "sent")]
    assert dm_repo.counts(conn, OWNER) == {("first", "sending"): 1, ("first", "sent"): 1}


def test_24h_window_counts_live_and_test_sends_but_not_dry_runs(conn):
    for n in range(3):
        _claim(conn, recipient=100 + n, now=T0 + n)
        dm_repo.mark_sent(conn, OWNER, 100 + n, "first", "live", event_id=str(n), now=T0 + n)
    _claim(conn, recipient=200, mode="test", now=T0 + 10)
    dm_repo.record_dry_run(conn, OWNER, 300, "x", "first", "hi", T0)
    assert dm_repo.sent_in_last_24h(conn, OWNER, T0 + 10) == 4
    assert dm_repo.sent_in_last_24h(conn, OWNER, T0 + 86_400 + 5) == 1  # only the test claim at T0+10 is left
    assert dm_repo.slot_frees_at(conn, OWNER, T0 + 10, cap=4) == T0 + 86_400
    assert dm_repo.slot_frees_at(conn, OWNER, T0 + 10, cap=5) is None


def test_dry_run_and_test_logs_can_be_cleared_but_the_live_log_cannot(conn):
    dm_repo.record_dry_run(conn, OWNER, 300, "x", "first", "hi", T0)
    _claim(conn, mode="test")
    assert dm_repo.clear_mode(conn, OWNER, "dry_run") == 1
    assert dm_repo.clear_mode(conn, OWNER, "test") == 1
    with pytest.raises(ValueError):
        dm_repo.clear_mode(conn, OWNER, "live")


def test_do_not_contact_list(conn):
    dm_repo.add_do_not_contact(conn, OWNER, BOB, "asked to stop", T0)
    dm_repo.add_do_not_contact(conn, OWNER, BOB, "asked twice", T0 + 1)
    assert dm_repo.is_do_not_contact(conn, OWNER, BOB)
    assert dm_repo.do_not_contact_list(conn, OWNER) == [dm_repo.DoNotContact(BOB, "asked twice", T0)]
    assert dm_repo.remove_do_not_contact(conn, OWNER, BOB)
    assert not dm_repo.is_do_not_contact(conn, OWNER, BOB)
