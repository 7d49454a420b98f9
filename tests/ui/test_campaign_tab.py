"""The DM campaign tab against the in-process sandbox: safety switches, preview, test sends, status view.

The app context (Sandbox profile, FakeClock) comes from tests/ui/conftest.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from twexport_qt.ui.campaign_tab import CampaignTab
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel


@pytest.fixture
def tab(qtbot, context):
    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel, interactive=False)
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


def test_going_live_needs_confirmation(qtbot, tab, context, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2]) or QMessageBox.StandardButton.No)
    tab.test_mode_box.setChecked(False)  # switch still off: no question yet
    assert asked == [] and not context.profile.test_mode
    tab.dm_enabled_box.setChecked(True)
    assert asked and "real DMs" in asked[0]
    assert not tab.dm_enabled_box.isChecked() and not context.profile.dm_enabled  # refused: stays off


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


def test_a_failed_automatic_run_is_tried_again_later_quietly(qtbot, context, monkeypatch):
    from twexport_qt.store.job_locks import JobKind
    from twexport_qt.ui.campaign_tab import AUTO_RETRY_AFTER_S

    dialogs = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: dialogs.append(args))
    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel, interactive=True)  # as in the app: only the quiet flag keeps the dialog away
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    context.profile.auto_dm = context.profile.dm_enabled = True
    with context.job_lock(JobKind.DM_CAMPAIGN):
        run_job(qtbot, tab, tab.auto_timer.timeout.emit)  # the automatic run falls due
    assert dialogs == [] and sandbox_dm_count(context) == 0
    assert tab.auto_timer.isActive() and tab.auto_timer.remainingTime() > (AUTO_RETRY_AFTER_S - 5) * 1000
    assert "trying again at" in tab.next_label.text() and "already running" in tab.next_label.text()
    jobs.shutdown()
