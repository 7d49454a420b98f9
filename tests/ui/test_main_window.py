"""The main window opens offscreen on the Sandbox profile, with its menus, badge and about text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from twexport_qt import __version__
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.ui.about_dialog import versions_text
from twexport_qt.ui.main_window import MainWindow


@pytest.fixture
def context(tmp_path, fake_clock):
    context = AppContext(tmp_path / "data", settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                         clock=fake_clock, configure_log=False)
    yield context
    context.close()


@pytest.fixture
def window(qtbot, context):
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.jobs.shutdown()


def menu_titles(window) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def test_opens_on_the_clearly_labelled_sandbox(window):
    assert "Sandbox" in window.windowTitle()
    assert "SANDBOX" in window.profile_label.text() and "simulated" in window.profile_label.text()
    assert menu_titles(window) == ["File", "View", "Tools", "Help"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Followers", "DM campaign", "Tweet datasets", "Spend"]


def test_export_menu_offers_the_seed_exports_the_funnel_and_tweets(window):
    labels = [a.text() for a in window.export_menu.menu.actions() if a.text()]
    assert labels == ["Followers (current filter)…", "All followers…", "High-value followers…", "DM status…",
                      "Skipped followers…", "Campaign funnel…", "Tweet dataset (newest download)…"]


def test_the_funnel_exports_from_the_menu(qtbot, window, tmp_path):
    from twexport_qt.exports.exporters import ExportKind

    out = tmp_path / "funnel.csv"
    with qtbot.waitSignal(window.jobs.jobEnded, timeout=10_000):
        window.export_menu.export_to(ExportKind.FUNNEL, out)
    assert window.export_menu.last_result == (ExportKind.FUNNEL, out, 2)
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("step,sent,replied,replied_percent")


def test_switching_to_a_real_profile_relabels_the_window(window, context):
    context.settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    window.switch_profile("Newsletter")
    assert window.windowTitle().endswith("Newsletter") and "SANDBOX" not in window.profile_label.text()
    assert context.settings.active_profile == "Newsletter"
    assert (context.settings_file).exists()  # the choice is remembered


def test_session_only_secrets_are_announced(window):
    assert "session" in window.statusBar().currentMessage().lower()


def test_about_lists_versions():
    text = versions_text()
    assert __version__ in text and "Qt" in text and "tweepy" in text and "SQLite" in text


def test_fetch_from_the_tools_menu_fills_table_and_summary(qtbot, window, context):
    # The estimate is read in a task thread first (the Sandbox never asks), then the fetch runs as a job.
    with qtbot.waitSignal(window.jobs.jobEnded, timeout=60_000):  # emitted in the GUI thread
        window.followers_tab.start_fetch()
    qtbot.waitUntil(lambda: window.followers_tab.model is not None and window.followers_tab.model.rowCount() == 5000,
                    timeout=30_000)
    assert "5,000" in window.followers_tab.summary_panel.text_of("Followers")
    # The API state in the status bar comes from the job thread's rate-limit headers.
    qtbot.waitUntil(lambda: "/2/users/:id/followers: 295/300 left" in window.api_label.text(), timeout=5_000)
    # What X billed for it (5,000 followers as owned reads, plus /users/me) is in the status bar and the Spend tab.
    spent = context.spend.spent_today(context.profile.name)
    assert spent >= Decimal("5.00")
    qtbot.waitUntil(lambda: window.spend_label.text() == f"Spent today: {format_usd(spent)}", timeout=10_000)
    window.tabs.setCurrentWidget(window.spend_tab)
    qtbot.waitUntil(lambda: window.spend_tab.summary is not None
                    and window.spend_tab.summary.today_amount == spent, timeout=10_000)


def test_unexpected_errors_are_logged_and_told_in_a_sentence(window, monkeypatch, caplog):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from twexport_qt.ui.application import install_error_handler

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_error_handler(window)
    try:
        raise KeyError("boom")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    assert "unexpected" in shown[0] and "log file" in shown[0] and "KeyError" in shown[0]
    assert "Traceback" in caplog.text and "boom" in caplog.text
