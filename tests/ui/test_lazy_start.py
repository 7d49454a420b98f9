"""The main window starts without its tabs' libraries (issue 17): the tabs are built when first needed, and still
open by the View menu and Ctrl+number, come back on the remembered tab, and follow a profile switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backends import null
from PySide6.QtWidgets import QMenu

from twexport_qt.app_context import AppContext
from twexport_qt.secrets.backends import SESSION_ONLY_DESCRIPTION, SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.ui.main_window import EXIT_WHEN_SHOWN_ENV, MainWindow, TabName, TabStandIn

ROOT = Path(__file__).resolve().parents[2]

# Imported by a window before any tab is built, and why they must not be: each is needed only by a tab's content,
# an API call, an export or the Sandbox.
DEFERRED = {
    "pyqtgraph": "the plots: built with the tabs that show them",
    "nltk": "bio-word filters and the audience's words",
    "openpyxl": "reading workbooks (tests only)",
    "xlsxwriter": "XLSX exports",
    "tweepy": "the first API call",
    "twexport_qt.sandbox": "the Sandbox profile (a real one is active here)",
    "numpy": "the followers' bulk reads, plots and dataset de-duplication",
    "requests": "the first API call or sign-in (routing.mount imports the HTTP adapters)",
    "oauthlib": "the sign-in",
    "keyring": "the first secret read or written (its backend discovery imports every platform's)",
    "twexport_qt.services.campaigns": "the context's campaign service, made when first used",
    "twexport_qt.services.downloads": "the context's downloads service, made when first used",
    "twexport_qt.exports.exporters": "File → Export, made once the window shows",
    "twexport_qt.ui.settings_dialog": "File → Settings",
    "twexport_qt.ui.sign_in_dialog": "File → Connect your X account",
    "twexport_qt.settings.legacy_config": "File → Import Twitter Exporter config.json",
}

# In a fresh interpreter: the desktop app's entry (main.py), its QApplication and a main window on a real profile,
# not shown; then which of the deferred modules are in sys.modules.
IMPORTS_OF_A_NEW_WINDOW = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import main  # the entry point's own imports count
    from twexport_qt.ui.application import create_qt_app
    from twexport_qt.app_context import AppContext
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.settings.model import AppSettings, Profile
    from twexport_qt.ui.main_window import MainWindow

    app = create_qt_app()
    settings = AppSettings()
    settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    settings.active_profile = "Newsletter"
    context = AppContext(Path(sys.argv[1]), settings=settings, secrets=SecretStore.open(), configure_log=False)
    window = MainWindow(context, interactive=False)
    print(json.dumps([name for name in sys.argv[2:] if name in sys.modules]))
    window.jobs.shutdown()
    context.close()
""")


def imported_by_a_new_window(tmp_path: Path) -> set[str]:
    result = subprocess.run([sys.executable, "-c", IMPORTS_OF_A_NEW_WINDOW, str(tmp_path / "data"), *DEFERRED],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                 # were the keyring used after all, it would touch no real one
                                 "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def imported_at_start(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return imported_by_a_new_window(tmp_path_factory.mktemp("start"))


@pytest.mark.parametrize("module", list(DEFERRED))
def test_a_new_window_has_not_imported(imported_at_start: set[str], module: str) -> None:
    assert module not in imported_at_start, f"{module} is imported at start; it is needed only for {DEFERRED[module]}"


def test_the_desktop_app_reports_its_start_for_the_benchmark(tmp_path):
    """benchmarks/bench_startup.py's hook, in the real entry point: "shown" at the first show, with which of the
    libraries kept for later were already imported (none, on the first start's Sandbox profile), "ready" once the
    tabs shown at start are built (each with the CPU seconds used), then a clean exit."""
    result = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path / "data")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", EXIT_WHEN_SHOWN_ENV: "1"})
    assert result.returncode == 0, result.stderr
    moments = [line.split() for line in result.stdout.splitlines()]
    assert [words[0] for words in moments] == ["shown", "imported-at-show", "ready"]
    assert moments[1][1] == "-"
    assert 0 < float(moments[0][1]) <= float(moments[2][1])


# Runs main.py and records which thread first imported each module named in argv[1] (comma-separated): a finder
# that answers nothing, first on sys.meta_path, sees every import as it starts.
RECORD_IMPORTING_THREADS = textwrap.dedent("""
    import json, runpy, sys, threading
    watched = set(sys.argv[1].split(","))
    importing = {}

    class Recorder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name in watched and name not in importing:
                importing[name] = threading.current_thread().name
            return None

    sys.meta_path.insert(0, Recorder)
    sys.argv = ["main.py", *sys.argv[2:]]
    try:
        runpy.run_path("main.py", run_name="__main__")
    except SystemExit as exit:
        print("importing-threads " + json.dumps(importing), flush=True)
        raise
""")


def test_after_the_first_show_the_slow_imports_run_off_the_gui_thread(tmp_path):
    """The start-up tabs' libraries (about a second) and the keyring's discovery are imported in pool threads once
    the window shows, so the GUI thread is not frozen just after the first paint; then the tabs are built."""
    watched = ["pyqtgraph", "numpy", "twexport_qt.ui.followers_tab", "twexport_qt.ui.export_menu", "keyring",
               "twexport_qt.sandbox"]
    result = subprocess.run([sys.executable, "-c", RECORD_IMPORTING_THREADS, ",".join(watched), "--data-dir",
                             str(tmp_path / "data")], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", EXIT_WHEN_SHOWN_ENV: "1",
                                 "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["shown", "imported-at-show", "ready", "importing-threads"]
    importing = json.loads(lines[-1].split(" ", 1)[1])
    assert set(importing) == set(watched)
    assert "MainThread" not in importing.values(), importing


@pytest.fixture
def context(tmp_path, fake_clock):
    context = AppContext(tmp_path / "data", settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                         clock=fake_clock, configure_log=False)
    yield context
    context.close()


def new_window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def window(qtbot, context):
    window = new_window(qtbot, context)
    with qtbot.waitSignal(window.startupTabsBuilt):
        window.show()
    yield window
    window.jobs.shutdown()


def test_a_window_not_shown_has_built_no_tab(qtbot, context):
    window = new_window(qtbot, context)
    assert window.built_tab_names() == []
    assert all(isinstance(window.tabs.widget(i), TabStandIn) for i in range(window.tabs.count()))
    window.close()  # closes cleanly with no tab built


def test_once_shown_the_tab_shown_and_the_followers_tab_are_built(window):
    assert window.built_tab_names() == [TabName.FOLLOWERS]
    assert window.tabs.currentWidget() is window.followers_tab


def test_opening_each_tab_builds_it_in_its_place(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for index, name in enumerate(TabName):
        window.tabs.setCurrentIndex(index)
        built = window.tabs.currentWidget()
        assert not isinstance(built, TabStandIn) and built is window.tab(name)
        assert window.tabs.currentIndex() == index and built.isVisible()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == titles == [name.value for name in TabName]
    assert window.built_tab_names() == list(TabName)


def test_building_a_tab_elsewhere_keeps_the_tab_shown(window):
    window.tabs.setCurrentIndex(list(TabName).index(TabName.SPEND))
    spend = window.tabs.currentWidget()
    growth = window.growth_tab  # built while the Spend tab is shown, as an export would
    assert window.tabs.currentWidget() is spend and window.tabs.indexOf(growth) == list(TabName).index(TabName.GROWTH)


def test_ctrl_number_opens_and_builds_each_tab(qtbot, window):
    view_menu = window.menuBar().actions()[1].menu()
    assert isinstance(view_menu, QMenu)
    by_keys = {action.shortcut().toString(): action for action in view_menu.actions() if not action.isSeparator()}
    for number, name in reversed(list(enumerate(TabName, start=1))):
        by_keys[f"Ctrl+{number}"].trigger()
        assert window.tabs.currentWidget() is window.tab(name)
        assert not isinstance(window.tabs.currentWidget(), TabStandIn)


def test_the_remembered_tab_is_built_and_shown_at_the_next_start(qtbot, context):
    first = new_window(qtbot, context)
    first.show()
    first.show_tab(list(TabName).index(TabName.GROWTH))
    first.close()
    second = new_window(qtbot, context)
    with qtbot.waitSignal(second.startupTabsBuilt):
        second.show()
    assert second.tabs.currentWidget() is second.growth_tab
    assert second.built_tab_names() == [TabName.FOLLOWERS, TabName.GROWTH]  # nothing else yet
    second.close()


def test_a_profile_switch_tells_the_built_tabs_and_builds_no_other(window, context, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(window.followers_tab, "profile_changed", lambda: told.append("Followers"))
    context.settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    window.switch_profile("Newsletter")
    assert told == ["Followers"] and window.built_tab_names() == [TabName.FOLLOWERS]
    window.show_tab(list(TabName).index(TabName.CAMPAIGN))  # built now, on the profile now active
    assert window.built_tab_names() == [TabName.FOLLOWERS, TabName.CAMPAIGN]


def test_an_opened_secret_store_chooses_its_keyring_when_first_used():
    store = SecretStore.open(null.Keyring())  # keyring's "no backend" placeholder: session-only memory
    assert not store.is_chosen
    assert not store.is_persistent and store.is_chosen
    assert store.backend_description == SESSION_ONLY_DESCRIPTION


def test_session_only_secrets_are_announced_once_the_window_shows(qtbot, tmp_path, fake_clock):
    context = AppContext(tmp_path / "data", settings=AppSettings(), secrets=SecretStore.open(null.Keyring()),
                         clock=fake_clock, configure_log=False)
    window = new_window(qtbot, context)
    assert not context.secrets.is_chosen  # the window was made without looking for a keyring
    with qtbot.waitSignal(window.startupTabsBuilt):
        window.show()
    assert window.info_bar.isVisible() and window.info_bar.text() == SESSION_ONLY_DESCRIPTION
    window.jobs.shutdown()
    window.close()
    context.close()


def test_file_export_is_in_its_place_once_the_window_shows(window):
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    entries = [action.text().replace("&", "") for action in file_menu.actions() if not action.isSeparator()]
    assert entries[-2:] == ["Export", "Quit"]
    assert window.export_menu.menu.menuAction() in file_menu.actions()
