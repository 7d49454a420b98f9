"""The DM campaign tab against the in-process sandbox: safety switches, preview, test sends, status view.

The app context (Sandbox profile, FakeClock) comes from tests/ui/conftest.py."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from tests.ui.live_dialog_support import answer_live_questions
from twexport_qt.campaigns.sender import CampaignResult, RunMode, StopReason
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.ui import campaign_tab
from twexport_qt.ui.campaign_tab import AUTO_RETRY_AFTER_S, CampaignTab
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.tasks import TaskRunner


@pytest.fixture
def tab(qtbot, context, jobs):
    """The tab on the `jobs` fixture: its reads (tasks) run inline, its jobs in threads."""
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    return tab


def run_job(qtbot, tab, start) -> None:
    with qtbot.waitSignal(tab.jobs.jobEnded, timeout=30_000):
        start()


def shown(model, row: int) -> dict[str, str]:
    """What a table shows on `row`, by column header."""
    return {model.headerData(column, Qt.Orientation.Horizontal): model.data(model.index(row, column))
            for column in range(model.columnCount())}


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
    first = shown(tab.preview_model, 0)
    assert first["Exact text"].startswith("Hi Test1, thanks for following!") and first["Step"] == "first"
    assert first["Username"] == "test_account_1"
    assert "Test mode: 2 first DMs" in tab.counts_label.text()

    tab.dm_enabled_box.setChecked(True)  # test mode is on: no confirmation needed
    assert context.profile.dm_enabled and "TEST MODE" in tab.mode_badge.text()
    run_job(qtbot, tab, lambda: tab.start_campaign(dry_run=False))
    qtbot.waitUntil(lambda: tab.status_model.rowCount() == 2, timeout=10_000)
    rows = [shown(tab.status_model, r) for r in range(2)]
    assert {row["Username"] for row in rows} == {"test_account_1", "test_account_2"}
    assert {row["State"] for row in rows} == {"sent"} and {row["Step"] for row in rows} == {"first"}
    assert [row["Updated"] for row in rows] == [format_local_datetime(record.updated_at)
                                                for record in tab.status_model.records()]
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


def test_a_failed_automatic_run_is_tried_again_later_quietly(qtbot, tab, context, messages):
    from twexport_qt.store.job_locks import JobKind

    context.profile.auto_dm = context.profile.dm_enabled = True
    with context.job_lock(JobKind.DM_CAMPAIGN):
        run_job(qtbot, tab, tab.auto_timer.timeout.emit)  # the automatic run falls due
    # A warning (status bar), not an error (a dialog): scheduled runs must not pile up dialogs.
    assert messages.errors() == [] and any("already running" in m for m in messages.warnings())
    assert sandbox_dm_count(context) == 0
    assert tab.auto_timer.isActive() and tab.auto_timer.remainingTime() > (AUTO_RETRY_AFTER_S - 5) * 1000
    assert "trying again at" in tab.next_label.text() and "already running" in tab.next_label.text()


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
    first_day = shown(tab.plan_model, 0)
    assert (first_day["Date (UTC)"], first_day["Day"], first_day["Retries"]) == ("2026-01-01", "1", "0")
    assert int(first_day["First DMs"]) > 0 and first_day["Tiers"].startswith("first: ")
    assert first_day["Cost (est.)"].startswith("$")
    retry_day = next(day for day in (shown(tab.plan_model, r) for r in range(tab.plan_model.rowCount()))
                     if day["Retries"] != "0")
    assert (retry_day["Date (UTC)"], retry_day["Day"]) == ("2026-01-08", "8")  # the sandbox's 7-day retry delay
    assert retry_day["Tiers"].startswith("retries: ")
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
    first = shown(tab.funnel_model, 0)
    assert (first["Step"], first["Sent"], first["Opted out"]) == ("First DM", "4", "1 (25.0%)")
    assert first["Unfollowed within 7 days"] == "not yet known"  # as the line below says: one rule
    assert shown(tab.funnel_model, 1)["Sent"] == "0"
    assert "4 of the DMs are too recent to know" in tab.funnel_notes.text()
    # Sent just now: no complete fetch has covered their 7 days yet.
    assert tab.outreach_churn_label.text() == ("7-day unfollow rate after DMs: first DM not yet known (4 sent) · "
                                               "retry: none sent · not messaged not yet known")
    assert "complete followers fetch" in tab.outreach_churn_label.toolTip()


def test_an_automatic_run_that_stopped_on_an_error_waits_before_the_next(qtbot, tab, context, monkeypatch):
    """Retries held because X's DM history could not be read stay due: running again at once would only repeat."""
    held = CampaignResult(RunMode.TEST, StopReason.ERROR, "2 retries held: X's DM history could not be read.")
    monkeypatch.setattr(campaign_tab, "run_campaign", lambda *args, **kwargs: held)
    context.profile.auto_dm = context.profile.dm_enabled = True
    run_job(qtbot, tab, tab.auto_timer.timeout.emit)
    assert tab.auto_timer.remainingTime() > (AUTO_RETRY_AFTER_S - 5) * 1000
    assert "DM history could not be read" in tab.next_label.text()


def test_the_live_question_waits_for_the_count_and_a_switch_flipped_meanwhile_wins(qtbot, context, monkeypatch):
    """Counting who live sending reaches scans every follower: it runs in a pool thread and the question comes
    after. A switch flipped while it counts wins: the stale question is never asked."""
    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel, tasks=TaskRunner())  # real threads: the count really is in flight
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    asked = answer_live_questions(monkeypatch, "yes")
    counting, release = threading.Event(), threading.Event()
    real_count = context.campaigns.live_audience

    def slow_count(owner_id, settings):
        counting.set()
        release.wait(10)
        return real_count(owner_id, settings)

    monkeypatch.setattr(context.campaigns, "live_audience", slow_count)
    tab.test_mode_box.setChecked(False)
    tab.dm_enabled_box.setChecked(True)  # the question is being prepared
    assert counting.wait(10) and not tab.dm_enabled_box.isChecked() and not context.profile.dm_enabled
    tab.test_mode_box.setChecked(True)  # the user changes their mind before it is asked
    release.set()
    assert jobs.tasks.wait_idle(10_000)
    qtbot.wait(50)  # deliveries from the pool arrive with event processing
    assert asked == [] and context.profile.test_mode and not context.profile.dm_enabled
    jobs.shutdown()


def test_a_count_that_fails_is_told_and_turns_nothing_on(qtbot, tab, context, monkeypatch, messages):
    from twexport_qt.core.errors import TwExportError

    asked = answer_live_questions(monkeypatch, "yes")

    def unreadable(owner_id, settings):
        raise TwExportError("The database is locked by another program: close it and try again.")

    monkeypatch.setattr(context.campaigns, "live_audience", unreadable)
    tab.test_mode_box.setChecked(False)
    tab.dm_enabled_box.setChecked(True)
    assert asked == [] and not context.profile.dm_enabled and not tab.dm_enabled_box.isChecked()
    assert messages.errors() == ["The database is locked by another program: close it and try again."]


def test_automatic_mode_shows_when_it_runs_next_or_why_it_is_paused(qtbot, tab, context, monkeypatch):
    from twexport_qt.core.errors import TwExportError

    fetch(context)
    answer_live_questions(monkeypatch, "yes")
    tab.test_mode_box.setChecked(False)
    tab.dm_enabled_box.setChecked(True)  # live, confirmed
    tab.auto_box.setChecked(True)
    assert context.profile.auto_dm and tab.next_label.text().startswith("Automatic mode: next run ")
    assert tab.auto_timer.isActive()

    def broken(owner_id, settings):
        raise TwExportError("The retry message has an unknown placeholder {nickname}.")

    monkeypatch.setattr(context.campaigns, "next_due_time", broken)
    tab.profile_changed()
    assert tab.next_label.text() == ("Automatic mode paused: The retry message has an unknown placeholder "
                                     "{nickname}.")
    assert not tab.auto_timer.isActive()


def test_the_do_not_contact_list_opens_loaded_with_follower_names(qtbot, tab, context):
    fetch(context)
    owner = context.known_owner_id()
    conn = context.connect()
    user_id, username = conn.execute("SELECT user_id, username FROM followers WHERE owner_id = ? ORDER BY user_id "
                                     "LIMIT 1", (owner,)).fetchone()
    conn.close()
    context.do_not_contact.add(owner, str(user_id), "asked to stop")
    dialog = tab.open_do_not_contact()
    assert dialog.model.rowCount() == 1
    entry = dialog.model.record(0)
    assert (entry.user_id, entry.username, entry.reason) == (user_id, username, "asked to stop")
    dialog.close()
