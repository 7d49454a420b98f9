"""The main window opens offscreen on the Sandbox profile, with its menus, badge and about text; it remembers its
geometry and tab; the welcome page on a first run; its keyboard shortcuts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QRect, Qt
from PySide6.QtGui import QAction, QGuiApplication

from twexport_qt import __version__
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.services.jobs import JobName
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.ui import sign_in_dialog
from twexport_qt.ui.about_dialog import about_text, versions_text
from twexport_qt.ui.main_window import MainWindow
from twexport_qt.ui.ui_state import ui_state


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
        "Followers", "DM campaign", "Tweet datasets", "Spend", "Audience", "Growth", "Following"]


def test_export_menu_offers_the_seed_exports_the_funnel_and_tweets(window):
    labels = [a.text() for a in window.export_menu.menu.actions() if a.text()]
    assert labels == ["Followers (current filter)…", "All followers…", "High-value followers…", "DM status…",
                      "Skipped followers…", "Following…", "Mutuals…", "Not following back…", "Fans…",
                      "Campaign funnel…", "Tweet dataset (newest download)…"]


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


def test_session_only_secrets_are_announced_until_dismissed(qtbot, window, context):
    # In a notice bar of its own (a status-bar message would be gone in seconds, and crowded the API state), once
    # a pool thread has found the keyring.
    qtbot.waitUntil(window.info_bar.isVisible, timeout=10_000)
    assert window.info_bar.text() == context.secrets.backend_description
    assert "session" in window.info_bar.text()
    window.info_bar.dismiss_button.click()
    assert not window.info_bar.isVisible()


def test_about_lists_versions():
    text = versions_text()
    assert __version__ in text and "Qt" in text and "tweepy" in text and "SQLite" in text


def test_about_says_where_secrets_are_kept_in_one_sentence(context):
    text = about_text(context)
    assert "Secrets: Secrets" not in text and text.count("Secrets") == 1
    assert "Secrets are kept for this session only" in text and str(context.data_dir) in text


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


# -- remembered layout --------------------------------------------------------------------------------


def new_window(qtbot, context, **options) -> MainWindow:
    window = MainWindow(context, interactive=False, **options)
    qtbot.addWidget(window)
    return window


def place(window: MainWindow, x: int, y: int) -> QRect:
    """Put the shown window at x, y, 700×650; returns the geometry it took."""
    shrinkable(window)
    window.setGeometry(QRect(x, y, 700, 650))
    QCoreApplication.processEvents()
    assert window.geometry() == QRect(x, y, 700, 650)
    return window.geometry()


def shrinkable(window: MainWindow) -> MainWindow:
    """The offscreen screen is 800 px square, narrower than the tabs' least width: a window that may be smaller
    than its content asks is left by Qt where and as big as it is put (or restored)."""
    window.setMinimumSize(1, 1)
    return window


def test_size_position_and_tab_are_remembered(qtbot, context):
    first = new_window(qtbot, context)
    first.show()
    saved = place(first, 40, 30)
    first.tabs.setCurrentWidget(first.spend_tab)
    first.close()
    second = shrinkable(new_window(qtbot, context))
    with qtbot.waitSignal(second.startupTabsBuilt):  # the tab shown is built once the window is on screen
        second.show()
    assert second.geometry() == saved
    assert second.tabs.currentWidget() is second.spend_tab
    second.close()


def test_a_maximised_window_opens_maximised(qtbot, context):
    first = new_window(qtbot, context)
    first.showMaximized()
    qtbot.waitUntil(first.isMaximized)
    first.close()
    second = new_window(qtbot, context)
    second.show()
    qtbot.waitUntil(second.isMaximized)
    second.close()


def test_a_window_saved_on_a_screen_that_is_gone_opens_on_one_there_is(qtbot, context):
    first = new_window(qtbot, context)
    first.show()
    saved = place(first, 40_000, 30_000)  # as if on a monitor far to the right, now unplugged
    first.close()
    second = shrinkable(new_window(qtbot, context))
    second.show()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.contains(second.geometry().center()) and second.size() == saved.size()
    second.close()


def test_a_damaged_remembered_state_gives_the_default_layout(qtbot, context):
    state = ui_state(context.data_dir)
    state.setValue("main_window/geometry", QByteArray(b"not a geometry"))
    state.setValue("main_window/current_tab", 99)
    state.sync()
    window = new_window(qtbot, context)
    window.show()
    assert QGuiApplication.primaryScreen().availableGeometry().contains(window.geometry().center())
    assert window.tabs.currentIndex() == 0


# -- the welcome page -----------------------------------------------------------------------------------


def test_the_first_run_starts_on_the_welcome_page_and_the_sandbox_leaves_it(qtbot, context):
    window = new_window(qtbot, context, first_run_welcome=True)
    window.show()
    assert window.is_welcome_shown() and window.welcome_page.isVisible()
    window.welcome_page.sandbox_button.click()
    assert not window.is_welcome_shown() and window.tabs.isVisible() and context.is_sandbox
    window.close()
    # Seen in this data folder: the next start opens on the tabs.
    again = new_window(qtbot, context, first_run_welcome=True)
    again.show()
    assert not again.is_welcome_shown()
    again.close()


def test_help_welcome_shows_it_again_and_a_menu_shortcut_leaves_it(qtbot, window):
    assert not window.is_welcome_shown()
    menu_action(window, "Help", "Welcome").trigger()
    assert window.is_welcome_shown()
    menu_action(window, "View", "Spend").trigger()
    assert not window.is_welcome_shown() and window.tabs.currentWidget() is window.spend_tab


def test_trying_the_sandbox_from_a_real_profile_switches_to_it(qtbot, window, context):
    context.settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    window.switch_profile("Newsletter")
    window.show_welcome()
    assert window.welcome_page.continue_button.isVisible()  # or stay with the profile in use
    window.welcome_page.sandbox_button.click()
    assert context.is_sandbox and "SANDBOX" in window.profile_label.text() and not window.is_welcome_shown()


def fake_sign_in(monkeypatch, answer):
    """The sign-in dialog (its own tests drive it against the sandbox) answering `answer(context)`; records its
    calls."""
    calls = []

    def connect_x_account(context, parent, tasks):
        calls.append((context, parent, tasks))
        return answer(context)

    monkeypatch.setattr(sign_in_dialog, "connect_x_account", connect_x_account)
    return calls


def test_connecting_an_x_account_switches_to_its_profile(qtbot, monkeypatch, context):
    def signed_in(context):
        context.settings.profiles["me_on_x"] = Profile(name="me_on_x", kind="x")
        return "me_on_x"

    calls = fake_sign_in(monkeypatch, signed_in)
    window = new_window(qtbot, context, first_run_welcome=True)
    window.show()
    window.welcome_page.connect_button.click()
    assert calls == [(context, window, window.jobs.tasks)]
    assert context.settings.active_profile == "me_on_x" and window.profile_label.text() == "Profile: me_on_x"
    assert "me_on_x" in [action.text() for action in window.profiles_menu.actions()]
    assert not window.is_welcome_shown()
    window.close()


def test_a_cancelled_sign_in_stays_on_the_welcome_page(qtbot, monkeypatch, context):
    fake_sign_in(monkeypatch, lambda context: None)
    window = new_window(qtbot, context, first_run_welcome=True)
    window.show()
    window.welcome_page.connect_button.click()
    assert window.is_welcome_shown() and context.is_sandbox
    window.close()


# -- keyboard ---------------------------------------------------------------------------------------


def menu_action(window, menu_title: str, text: str) -> QAction:
    entries = [action for top in window.menuBar().actions() if top.text().replace("&", "") == menu_title
               for action in top.menu().actions() if action.text().replace("&", "").removesuffix("…") == text]
    assert len(entries) == 1, f"{menu_title} → {text}"
    return entries[0]


def all_menu_actions(menu) -> list[QAction]:
    found = []
    for action in menu.actions():
        found.extend(all_menu_actions(action.menu()) if action.menu() is not None else [action])
    return found


def test_shortcuts_do_what_the_issue_asks_and_none_is_taken_twice(window):
    def keys_of(menu_title: str, text: str) -> str:
        return menu_action(window, menu_title, text).shortcut().toString()

    assert keys_of("View", "Find follower") == "Ctrl+F"
    assert keys_of("File", "Settings") == "Ctrl+,"
    assert window.export_menu.current_filter_action.shortcut().toString() == "Ctrl+E"
    assert keys_of("Tools", "Fetch followers") == "F5"
    assert keys_of("Tools", "Fetch new followers only") == "Shift+F5"
    assert keys_of("View", "Refresh") == "Ctrl+R"
    everything = [keys.toString() for top in window.menuBar().actions() for action in all_menu_actions(top.menu())
                  for keys in action.shortcuts()]
    assert len(everything) == len(set(everything)) and len(everything) >= 10


def test_ctrl_f_goes_to_the_followers_search(qtbot, window, monkeypatch):
    focused = []
    monkeypatch.setattr(window.followers_tab, "focus_search", lambda: focused.append(True), raising=False)
    window.show_welcome()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused == [True] and window.tabs.currentWidget() is window.followers_tab
    assert not window.is_welcome_shown()


def test_f5_fetches_followers(qtbot, window):
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(window.jobs.jobEnded, timeout=60_000) as ended:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert ended.args[0] == JobName.FETCH_FOLLOWERS
    qtbot.waitUntil(lambda: window.followers_tab.model is not None and window.followers_tab.model.rowCount() > 0,
                    timeout=30_000)


def test_shift_f5_fetches_new_followers_only_from_the_welcome_page(qtbot, window, monkeypatch):
    asked = []
    monkeypatch.setattr(window.followers_tab, "start_fetch", lambda **options: asked.append(options))
    window.show_welcome()
    window.fetch_new_action.trigger()
    assert asked == [{"new_only": True}] and not window.is_welcome_shown()


def test_help_lists_every_shortcut_of_the_menus(window):
    dialog = window.show_shortcuts()
    listed = {(entry.keys, entry.action) for entry in dialog.model.records()}
    assert {("Ctrl+F", "Find follower"), ("Ctrl+,", "Settings"), ("F5", "Fetch followers"),
            ("Ctrl+E", "Followers (current filter)"), ("Ctrl+1", "Followers")} <= listed
    assert ("Ctrl+E", "Followers (current filter)", "File → Export") in {
        (entry.keys, entry.action, entry.menu) for entry in dialog.model.records()}
    shortcut_count = sum(len(action.shortcuts()) > 0 for top in window.menuBar().actions()
                         for action in all_menu_actions(top.menu()))
    assert len(dialog.model.records()) == shortcut_count
    assert [entry.menu for entry in dialog.model.records()][:2] == ["File", "File → Export"]  # in menu order
    dialog.close()
