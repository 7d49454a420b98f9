"""The DM campaign tab against the in-process sandbox: safety switches, preview, test sends, status view.

The app context (Sandbox profile, FakeClock) comes from tests/ui/conftest.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from twexport_qt.ui.campaign_tab import CampaignTab
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel

from tests.ui.live_dialog_support import answer_live_questions


@pytest.fixture
def tab(qtbot, context):
    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel)
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    yield tab
    jobs.shutdown()


def run_job(qtbot, tab, start) -> None:
    with qtbot.waitSignal(tab.jobs.jobEnded, timeout=30_000):
        start()


def sandbox_dm_count(context) -> int:
    return context.sandbox.state.dms.count() if context.sandbox is not None else 0


def test_master_switch_off_sends_nothing(qtbot, tab, context):
    assert not context.profile.dm_enabled and "OFF" in tab.mode_badge.text()
    tab.start_campaign(dry_run=False)
    assert "master switch is off" in tab.counts_label.text()
    assert sandbox_dm_count(context) == 0


def test_preview_then_test_send_reaches_only_the_test_accounts(qtbot, tab, context):
    run_job(qtbot, tab, tab.start_preview)
    assert tab.preview_model.rowCount() == 2
    assert tab.preview_model.row_values(0)[4].startswith("Hi Test1, thanks for following!")
    assert "Test mode: 2 first DMs" in tab.counts_label.text()

    tab.dm_enabled_box.setChecked(True)  # test mode is on: no confirmation needed
    assert context.profile.dm_enabled and "TEST MODE" in tab.mode_badge.text()
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    qtbot.waitUntil(lambda: tab.status_model.rowCount() == 2, timeout=10_000)
    usernames = {tab.status_model.row_values(r)[1] for r in range(2)}
    assert usernames == {"test_account_1", "test_account_2"}
    assert {tab.status_model.row_values(r)[3] for r in range(2)} == {"sent"}
    assert sandbox_dm_count(context) == 2
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))  # once per step, even when run again
    assert sandbox_dm_count(context) == 2


def test_going_live_needs_confirmation_and_enter_means_no(qtbot, tab, context, monkeypatch):
    asked = answer_live_questions(monkeypatch, "enter")
    tab.test_mode_box.setChecked(False)  # switch still off: no question yet
    assert asked == [] and not context.profile.test_mode
    tab.dm_enabled_box.setChecked(True)
    assert len(asked) == 1 and "real followers" in asked[0] and "people" in asked[0]
    assert not tab.dm_enabled_box.isChecked() and not context.profile.dm_enabled  # refused: stays off
    assert context.profile.live_confirmed_at is None


def test_confirming_live_sending_records_when(qtbot, tab, context, monkeypatch):
    asked = answer_live_questions(monkeypatch, "yes")
    tab.test_mode_box.setChecked(False)
    tab.dm_enabled_box.setChecked(True)
    assert len(asked) == 1 and context.profile.sends_live
    assert context.profile.live_confirmed_at == int(context.clock.now())
    assert "LIVE ·" in tab.mode_badge.text() and tab.confirm_button.isHidden()
    tab.test_mode_box.setChecked(True)  # leaving live mode forgets the confirmation: the next turn-on asks again
    assert context.profile.live_confirmed_at is None
    tab.test_mode_box.setChecked(False)
    assert len(asked) == 2


def test_live_mode_set_elsewhere_sends_nothing_until_confirmed_here(qtbot, tab, context, monkeypatch):
    """Settings saved live by hand, or by an imported config: automatic mode and Send wait for the question."""
    context.profile.dm_enabled, context.profile.test_mode = True, False  # no confirmation recorded
    tab.profile_changed()
    assert "NOT CONFIRMED" in tab.mode_badge.text() and not tab.confirm_button.isHidden()
    asked = answer_live_questions(monkeypatch, "enter")
    tab.auto_box.setChecked(True)  # automatic mode asks first; Enter declines
    assert len(asked) == 1 and not context.profile.auto_dm and not tab.auto_box.isChecked()
    run_job(qtbot, tab, tab.auto_timer.timeout.emit)  # a scheduled run anyway: refused by the domain
    assert sandbox_dm_count(context) == 0 and "not been confirmed" in tab.counts_label.text()


def test_dry_run_records_without_sending(qtbot, tab, context):
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=True))
    assert "Dry run" in tab.counts_label.text() and sandbox_dm_count(context) == 0
    assert tab.status_mode.currentData() == "dry_run" and tab.status_model.rowCount() == 2


def test_a_send_is_refused_while_another_run_holds_the_campaign(qtbot, tab, context):
    from twexport_qt.store.job_locks import JobKind

    tab.dm_enabled_box.setChecked(True)  # test mode: sends to the test accounts
    with context.job_lock(JobKind.DM_CAMPAIGN):  # as a `dm run` in a terminal would hold it
        run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
        assert "already running since" in tab.jobs.last_error and "command line" in tab.jobs.last_error
        assert sandbox_dm_count(context) == 0
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    assert sandbox_dm_count(context) == 2


def test_a_failed_automatic_run_is_tried_again_later_quietly(qtbot, context, messages):
    from twexport_qt.store.job_locks import JobKind
    from twexport_qt.ui.campaign_tab import AUTO_RETRY_AFTER_S

    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel)
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    context.profile.auto_dm = context.profile.dm_enabled = True
    with context.job_lock(JobKind.DM_CAMPAIGN):
        run_job(qtbot, tab, tab.auto_timer.timeout.emit)  # the automatic run falls due
    # A warning (status bar), not an error (a dialog): scheduled runs must not pile up dialogs.
    assert messages.errors() == [] and any("already running" in m for m in messages.warnings())
    assert sandbox_dm_count(context) == 0
    assert tab.auto_timer.isActive() and tab.auto_timer.remainingTime() > (AUTO_RETRY_AFTER_S - 5) * 1000
    assert "trying again at" in tab.next_label.text() and "already running" in tab.next_label.text()
    jobs.shutdown()


def fetch(context) -> None:
    from twexport_qt.followers.fetch import fetch_followers

    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)


def test_plan_shows_the_live_calendar_before_the_master_switch_is_on(qtbot, tab, context):
    fetch(context)
    assert not context.profile.dm_enabled
    run_job(qtbot, tab, tab.start_plan)
    assert tab.views.currentWidget() is tab.plan_page
    header = tab.plan_header.text()
    assert "Days are UTC dates" in header and "Test mode is on" in header and "daily cap" in header
    first_day = tab.plan_model.row_values(0)
    assert first_day[:2] == ("2026-01-01", 1) and first_day[2] > 0 and first_day[6].startswith("first: ")
    retry_day = next(tab.plan_model.row_values(r) for r in range(tab.plan_model.rowCount())
                     if tab.plan_model.row_values(r)[3])
    assert retry_day[:2] == ("2026-01-08", 8)  # 7 days later, the sandbox profile's retry delay
    assert "Estimated cost: $" in tab.plan_footer.text()


def test_the_live_question_mentions_the_plan(qtbot, tab, context, monkeypatch):
    fetch(context)
    asked = answer_live_questions(monkeypatch, "enter")
    tab.test_mode_box.setChecked(False)
    tab.dm_enabled_box.setChecked(True)
    assert len(asked) == 1 and "The plan (UTC dates):" in asked[0] and "at X's prices" in asked[0]


def test_a_repeated_test_send_explains_itself_and_an_edited_message_goes_out_again(qtbot, tab, context):
    tab.dm_enabled_box.setChecked(True)  # test mode
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    assert tab.counts_label.text() == ("Test send: 0 sent: both test accounts already got this exact text; change "
                                       "the message to test it again.")
    assert sandbox_dm_count(context) == 2
    context.profile.message = "Hello {first_name}, a new text"
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    assert tab.counts_label.text().startswith("Test send: 2 sent") and sandbox_dm_count(context) == 4


def test_the_funnel_tab_counts_what_followed_the_live_dms(qtbot, tab, context):
    from twexport_qt.store import dm_repo

    fetch(context)
    owner = context.known_owner_id()
    now = int(context.clock.now())
    conn = context.connect()
    ids = [row[0] for row in conn.execute("SELECT user_id FROM followers WHERE owner_id = ? ORDER BY user_id "
                                          "LIMIT 4", (owner,))]
    with conn:
        for user_id in ids:
            dm_repo.claim(conn, owner, user_id, "u", "first", "live", "Hi", now)
            dm_repo.mark_sent(conn, owner, user_id, "first", "live", event_id=f"e{user_id}", now=now)
        dm_repo.add_do_not_contact(conn, owner, ids[0], "opted out: stop", now + 60)
    conn.close()
    tab.refresh_status()
    assert tab.funnel_model.row_values(0)[:2] == ("First DM", "4")
    assert tab.funnel_model.row_values(0)[3] == "1 (25.0%)"
    assert "less than 7 days ago" in tab.funnel_notes.text()


def test_an_automatic_run_that_stopped_on_an_error_waits_before_the_next(qtbot, tab, context):
    """Retries held because X's DM history could not be read stay due: running again at once would only repeat."""
    from twexport_qt.campaigns.sender import CampaignResult
    from twexport_qt.ui.campaign_tab import AUTO_RETRY_AFTER_S

    context.profile.auto_dm = context.profile.dm_enabled = True
    tab._campaign_done(CampaignResult("live", "error", "2 retries held: X's DM history could not be read."))
    assert tab.auto_timer.remainingTime() > (AUTO_RETRY_AFTER_S - 5) * 1000
    assert "DM history could not be read" in tab.next_label.text()
