"""File → Import Twitter Exporter config.json… in the main window, with the file and message dialogs patched."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from twitter_exporter_fixtures import build_legacy_db, write_legacy_config

from twexport_qt.app_context import AppContext
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings
from twexport_qt.store import dm_repo
from twexport_qt.ui import legacy_import_dialog
from twexport_qt.ui.main_window import MainWindow

MENU_TEXT = "&Import Twitter Exporter config.json…"


@pytest.fixture
def context(memory_keyring, data_dir, fake_clock, sandbox_server):
    """The app on the Sandbox profile, with X played by the test's sandbox (it answers whose the keys are)."""
    ctx = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore.open(), clock=fake_clock,
                     configure_log=False, api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def window(qtbot, context):
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    yield window
    window.jobs.shutdown()


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    """The user's answers: config.json, then the profile name; what the app shows is collected."""
    folder = tmp_path / "twitter-export"
    folder.mkdir()
    shown: dict[str, list[str]] = {"information": []}
    answers = {"config": write_legacy_config(folder), "profile": "Legacy"}
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(answers["config"]), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (answers["profile"], True))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown["information"].append(text))
    return answers, shown, folder


def trigger_import(window: MainWindow) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    next(action for action in file_menu.actions() if action.text() == MENU_TEXT).trigger()


def live_rows(context: AppContext) -> list[dm_repo.DmRow]:
    conn = context.connect()
    try:
        return list(dm_repo.status_rows(conn, SANDBOX_USER_ID, "live"))
    finally:
        conn.close()


def test_the_menu_imports_settings_keys_and_history_and_shows_the_report(window, context, dialogs, messages):
    _, shown, folder = dialogs
    build_legacy_db(folder / "twitter_export.db", followers=[(11, "Ann")],
                    dm_status=[(11, "2025-06-01 10:00:00.000"), (11, "2025-06-09 10:00:00.000")],
                    skip_user=[(12, "2025-06-01 10:00:00.000")])

    trigger_import(window)

    assert messages.errors() == []
    [report] = shown["information"]
    assert "First message, with Twitter Exporter's greeting kept:\n    Hi {name},\n    subscription" in report
    assert "1 first DM and 1 retry, as sent; 1 follower X refused DMs to, as skipped." in report
    assert context.settings.profiles["Legacy"].account_id == SANDBOX_USER_ID
    assert context.secrets.credentials("Legacy").has_user_context
    assert {(row.recipient_id, row.step, row.state) for row in live_rows(context)} == {
        (11, "first", "sent"), (11, "retry", "sent"), (12, "first", "skipped")}
    assert "Legacy" in [action.text() for action in window.profiles_menu.actions()]

    trigger_import(window)  # the same files again: nothing changes, and the report says so

    assert "Nothing changed in the DM log" in shown["information"][1]
    assert len(live_rows(context)) == 3


def test_a_damaged_database_is_a_sentence_and_nothing_is_imported(window, context, dialogs, memory_keyring,
                                                                  messages):
    _, shown, folder = dialogs
    (folder / "twitter_export.db").write_bytes(b"this is not sqlite" * 300)

    trigger_import(window)

    assert shown["information"] == []
    [error] = messages.errors()
    assert "is not an SQLite database" in error and "Traceback" not in error
    assert "Legacy" not in context.settings.profiles and memory_keyring.entries == {}


def test_a_missing_database_can_be_chosen_or_skipped(window, context, dialogs, monkeypatch, tmp_path):
    _, shown, _ = dialogs
    elsewhere = build_legacy_db(tmp_path / "moved.db", dm_status=[(11, "2025-06-01 10:00:00.000")])
    asked: list[Path | None] = []

    def choose(parent, expected):
        asked.append(expected)
        return True, elsewhere

    monkeypatch.setattr(legacy_import_dialog, "ask_for_missing_database", choose)
    trigger_import(window)
    assert asked and asked[0].name == "twitter_export.db"
    assert [(row.recipient_id, row.step) for row in live_rows(context)] == [(11, "first")]

    monkeypatch.setattr(legacy_import_dialog, "ask_for_missing_database", lambda parent, expected: (False, None))
    trigger_import(window)
    assert "Not imported (settings only)" in shown["information"][-1]

    monkeypatch.setattr(legacy_import_dialog, "ask_for_missing_database", lambda parent, expected: None)
    trigger_import(window)
    assert len(shown["information"]) == 2  # cancelled: nothing more shown, nothing done


def test_no_import_while_a_job_runs(window, context, dialogs, monkeypatch, messages):
    _, shown, _ = dialogs
    monkeypatch.setattr(window.jobs.runner, "running", lambda: True)
    trigger_import(window)
    assert messages.warnings() == ["Finish or cancel the running jobs before importing."]
    assert shown["information"] == []
    assert "Legacy" not in context.settings.profiles


@pytest.mark.parametrize(("button", "expected"), [
    ("Import settings only", (False, None)),
    ("Cancel", None),
    ("Choose database…", (True, Path("/old/tx.db"))),
])
def test_the_missing_database_question(qtbot, monkeypatch, button, expected):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("/old/tx.db", ""))
    parent = QWidget()
    qtbot.addWidget(parent)

    def press() -> None:
        box = QApplication.activeModalWidget()
        assert "without it, TwExport may message them again" in box.text()
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    QTimer.singleShot(0, press)
    assert legacy_import_dialog.ask_for_missing_database(parent, Path("/old/twitter_export.db")) == expected


def test_the_import_runs_off_the_gui_thread_which_keeps_running_and_holds_the_campaign(
        window, context, dialogs, monkeypatch):
    """The window paints and its timers run during the import; an automatic campaign could not start meanwhile."""
    import threading

    from PySide6.QtCore import QTimer

    from twexport_qt.settings.model import Profile
    from twexport_qt.store.job_locks import JobAlreadyRunning, JobKind

    _answers, shown, folder = dialogs
    build_legacy_db(folder / "twitter_export.db", dm_status=[(11, "2025-06-01 10:00:00.000")])
    context.settings.profiles["Legacy"] = Profile(name="Legacy", kind="x")
    context.settings.active_profile = "Legacy"  # the profile this window would run a campaign for
    real_import = legacy_import_dialog.import_twitter_exporter
    gui_thread_ran = threading.Event()
    seen: dict[str, bool] = {}

    def observed_import(*args, **kwargs):
        seen["in_gui_thread"] = threading.current_thread() is threading.main_thread()
        seen["gui_ran_meanwhile"] = gui_thread_ran.wait(10)  # a blocked GUI thread would never run the timer
        try:
            with context.job_lock(JobKind.DM_CAMPAIGN):
                seen["campaign_could_start"] = True
        except JobAlreadyRunning:
            seen["campaign_could_start"] = False
        return real_import(*args, **kwargs)

    monkeypatch.setattr(legacy_import_dialog, "import_twitter_exporter", observed_import)
    QTimer.singleShot(0, gui_thread_ran.set)
    trigger_import(window)

    assert seen == {"in_gui_thread": False, "gui_ran_meanwhile": True, "campaign_could_start": False}
    assert "1 first DM" in shown["information"][0]
    with context.job_lock(JobKind.DM_CAMPAIGN):  # released after the import
        pass
