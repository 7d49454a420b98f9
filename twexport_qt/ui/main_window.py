"""The main window: tabs for followers, campaign, tweet datasets, spend, audience, growth and whom you follow;
menus; status bar with profile and API state.

Its central area stacks the welcome page (first run, Help → Welcome) over the tabs, with a dismissible notice bar
above them (a keyring that keeps secrets for this session only) and the running job's strip below them: the
job strip has a row of its own so that its countdown never competes with the status bar for width. Size,
position, maximised state and current tab are remembered in the data folder's UI state (`ui_state`).

Tabs are built when first needed (`MainWindow.tab`): the window shows with empty stand-ins, then builds the tab
it shows and the Followers tab (its filter form is the one the exports read, its timer fetches on a schedule) as
soon as it is on screen, and any other tab when it is first opened; the welcome page is made when first shown.
So the first paint waits neither for the tabs' widgets nor for the plotting, numeric and export libraries their
modules import; the dialogs' modules (settings, sign-in, import, about, shortcuts) are imported when first opened.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import QByteArray, QRect, QSignalBlocker, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from twexport_qt import APP_NAME
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.core import messages
from twexport_qt.settings.model import SANDBOX_PROFILE_NAME
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.ui.message_renderer import MessageRenderer
from twexport_qt.ui.ui_state import ui_state
from twexport_qt.ui.welcome_page import WelcomePage, mark_welcome_seen, welcome_seen
from twexport_qt.ui.widgets import ElidedLabel, InfoBar

if TYPE_CHECKING:  # the tabs' and dialogs' modules are imported when first used (see the module's docstring)
    from twexport_qt.gateway.rate_limits import RateLimitState
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.ui.audience_tab import AudienceTab
    from twexport_qt.ui.campaign_tab import CampaignTab
    from twexport_qt.ui.export_menu import ExportMenu
    from twexport_qt.ui.followers_tab import FollowersTab
    from twexport_qt.ui.following_tab import FollowingTab
    from twexport_qt.ui.growth_tab import GrowthTab
    from twexport_qt.ui.shortcuts_dialog import ShortcutsDialog
    from twexport_qt.ui.spend_tab import SpendTab
    from twexport_qt.ui.tweets_tab import TweetsTab

log = logging.getLogger(__name__)

# Both colours set, so the badge reads the same on a light or a dark status bar.
SANDBOX_BADGE_STYLE = "QLabel { background: #ffd166; color: #3d2c00; padding: 1px 8px; border-radius: 8px; }"
DEFAULT_SIZE = QSize(1280, 820)
SCREEN_SHARE = 0.92  # a first window fills at most this much of a smaller screen, so its edges stay in reach
GEOMETRY_KEY = "main_window/geometry"
CURRENT_TAB_KEY = "main_window/current_tab"
PROFILE_NAME_WIDTH = 240  # pixels of a long profile name in the status bar; the whole name is in its tooltip
# Set (to anything) by benchmarks/bench_startup.py and the packaged app's test: print "shown" at the first show and
# "ready" once the tabs shown at start are built, each with the CPU seconds used so far, and which of the libraries
# below were already imported when the window showed; then close as the user would.
EXIT_WHEN_SHOWN_ENV = "TWEXPORT_EXIT_WHEN_SHOWN"
# Libraries only a tab's content, an API call, a sentiment score, an export or the Sandbox needs: none of them may
# delay the first paint (a PyInstaller runtime hook importing nltk at launch once doubled the packaged app's start).
EXPORT_MENU_MODULE = "twexport_qt.ui.export_menu"  # File → Export, made once the window shows
LIBRARIES_AFTER_SHOW = ("nltk", "numpy", "pyqtgraph", "tweepy", "requests", "oauthlib", "keyring", "xlsxwriter",
                        "openpyxl", "filelock", "twexport_qt.sandbox")


class TabName(StrEnum):
    """The tabs, in their order; the value is the tab's title."""

    FOLLOWERS = "Followers"
    CAMPAIGN = "DM campaign"
    TWEETS = "Tweet datasets"
    SPEND = "Spend"
    AUDIENCE = "Audience"
    GROWTH = "Growth"
    FOLLOWING = "Following"


@runtime_checkable
class ProfileAwareTab(Protocol):
    """What every tab does: show the profile that became active (its data, its settings)."""

    def profile_changed(self) -> None: ...


@dataclass(frozen=True)
class TabSpec:
    name: TabName
    menu_text: str                  # View menu item, with its mnemonic; Ctrl+<position> opens it
    module: str                     # the module of the tab's class, imported off the GUI thread at start
    build: Callable[[], QWidget]    # imports the tab's module and makes the tab


class TabStandIn(QWidget):
    """Holds a tab's place in the tab bar until the tab is built: empty, and cheap to show."""

    def __init__(self, name: TabName) -> None:
        super().__init__()
        self.name = name


TabT = TypeVar("TabT", bound=QWidget)


class MainWindow(QMainWindow):
    # Emitted from job threads by the gateway's response hook; Qt queues it to the label in the GUI thread.
    apiStateChanged = Signal(str)
    # Emitted from job threads when X billed an answer (the spend ledger's listener): today's spend is read again.
    spendRecorded = Signal()
    # The tab shown at start and the Followers tab are built (just after the first show: see the docstring).
    startupTabsBuilt = Signal()

    def __init__(self, context: AppContext, *, interactive: bool = True, first_run_welcome: bool = False,
                 parent: QWidget | None = None) -> None:
        """`first_run_welcome`: show the welcome page if this data folder has not seen it (the desktop app does;
        tests and --self-check start on the tabs, as a returning user would)."""
        super().__init__(parent)
        self.context = context
        self.setObjectName("MainWindow")
        self.messages = MessageRenderer(self, interactive=interactive)
        self.job_panel = JobPanel(wall_clock=context.clock.now)
        self.jobs = JobController(self.job_panel, self)
        context.rate_limit_listener = self._on_rate_limit_threadsafe
        context.spend_listener = lambda _rows: self.spendRecorded.emit()

        self.filter_state = FollowerFilterState(self)
        self.tabs = QTabWidget()
        self.tab_specs = self._tab_specs()
        self._built_tabs: dict[TabName, QWidget] = {}
        self._shown_once = False  # until the first show, choosing a tab (the remembered one) builds nothing
        self._startup_tabs_built = False
        self._startup_modules_loading = False  # the start-up tabs' modules are being imported (_after_first_show)
        for spec in self.tab_specs:
            self.tabs.addTab(TabStandIn(spec.name), spec.name.value)
        self.tabs.currentChanged.connect(self._build_opened_tab)
        self._welcome_page: WelcomePage | None = None  # made when first shown: a returning user never sees it
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.info_bar = InfoBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.info_bar)
        column.addWidget(self.pages, 1)
        column.addWidget(self.job_panel)
        self.setCentralWidget(central)

        self.profile_label = QLabel()
        self.api_label = ElidedLabel("API: idle", min_chars=12)
        self.api_label.setToolTip("What X said of the last endpoint called: requests left in its rate-limit window")
        self.spend_label = QLabel()
        self.spend_label.setToolTip("What X billed this profile today (UTC day), from the spend ledger")
        self.statusBar().addPermanentWidget(self.spend_label)
        self.statusBar().addPermanentWidget(self.api_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        self.apiStateChanged.connect(self.api_label.setText)
        self.spendRecorded.connect(self.show_spend_today)
        self._export_menu: ExportMenu | None = None  # made once shown (see export_menu)
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self._build_menus()
        self._show_profile()
        self._secrets_announced = False
        if context.secrets.is_chosen:  # else once shown: finding the system's keyring need not delay the window
            self._announce_session_only_secrets()
        self._restore_layout()
        if first_run_welcome and not welcome_seen(context.data_dir):
            self.show_welcome()

    # -- menus -----------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        """Every shortcut is a menu item's, so Help → Keyboard shortcuts (read from the menus) lists them all."""
        file_menu = self.menuBar().addMenu("&File")
        self.profiles_menu = file_menu.addMenu("&Profile")
        self._fill_profiles_menu()
        file_menu.addAction("&Connect your X account…", self.connect_x_account)
        self.settings_action = file_menu.addAction("&Settings…", self.open_settings)
        # Ctrl+, everywhere (⌘, on macOS, where Qt also moves it to the application menu).
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addAction("&Import Twitter Exporter config.json…", self._import_legacy_config)
        file_menu.addSeparator()
        self._file_menu = file_menu
        self._export_menu_place = file_menu.addSeparator()  # File → Export goes above it (see export_menu)
        quit_action = file_menu.addAction("&Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        view_menu = self.menuBar().addMenu("&View")
        for index, spec in enumerate(self.tab_specs):
            action = view_menu.addAction(spec.menu_text, partial(self.show_tab, index))
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        view_menu.addSeparator()
        self.find_action = view_menu.addAction("F&ind follower", self.find_follower)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        # F5 fetches (below); reading the stored followers again is the browser's other "reload" key.
        self.refresh_action = view_menu.addAction("&Refresh", self.refresh_followers)
        self.refresh_action.setShortcut(QKeySequence("Ctrl+R"))

        tools_menu = self.menuBar().addMenu("&Tools")
        self.fetch_action = tools_menu.addAction("&Fetch followers", self.fetch_followers)
        self.fetch_action.setShortcut(QKeySequence("F5"))
        self.fetch_new_action = tools_menu.addAction("Fetch &new followers only",
                                                     partial(self.fetch_followers, new_only=True))
        self.fetch_new_action.setShortcut(QKeySequence("Shift+F5"))
        tools_menu.addAction("Run DM &campaign…", self.start_campaign)
        tools_menu.addAction("&Download tweets…", self.download_tweets).setShortcut(QKeySequence("Ctrl+T"))
        tools_menu.addSeparator()
        tools_menu.addAction("Cancel &all jobs", self.jobs.cancel_all)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Welcome", self.show_welcome)
        help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)
        help_menu.addSeparator()
        help_menu.addAction("Open &data folder", lambda: self._open_path(self.context.data_dir))
        help_menu.addAction("Open &log file", lambda: self._open_path(self.context.log_file))
        help_menu.addSeparator()
        help_menu.addAction(f"&About {APP_NAME}", self.show_about)

    def show_about(self) -> None:
        from twexport_qt.ui.about_dialog import show_about

        show_about(self, self.context)

    def _fill_profiles_menu(self) -> None:
        self.profiles_menu.clear()
        group = QActionGroup(self)
        for name in sorted(self.context.settings.profiles):
            action = QAction(name, self, checkable=True)
            action.setChecked(name == self.context.settings.active_profile)
            action.triggered.connect(lambda _checked=False, n=name: self.switch_profile(n))
            group.addAction(action)
            self.profiles_menu.addAction(action)

    # -- pages ---------------------------------------------------------------------------------------
    def show_welcome(self) -> None:
        self.welcome_page.refresh()
        self.pages.setCurrentWidget(self.welcome_page)

    def is_welcome_shown(self) -> bool:
        return self._welcome_page is not None and self.pages.currentWidget() is self._welcome_page

    @property
    def welcome_page(self) -> WelcomePage:
        if self._welcome_page is None:
            page = WelcomePage(self.context, self.jobs.tasks)
            page.sandboxChosen.connect(self.try_sandbox)
            page.connectChosen.connect(self.connect_x_account)
            page.continueChosen.connect(self.show_tabs)
            self.pages.addWidget(page)
            self._welcome_page = page
        return self._welcome_page

    def show_tabs(self) -> None:
        """Leave the welcome page (by any way out: its buttons, the menus, a shortcut); it was seen."""
        if self.is_welcome_shown():
            mark_welcome_seen(self.context.data_dir)
            self.pages.setCurrentWidget(self.tabs)

    def show_tab(self, index: int) -> None:
        self.show_tabs()
        self.tab(self.tab_specs[index].name)
        self.tabs.setCurrentIndex(index)

    def find_follower(self) -> None:
        self.show_tab(self.tabs.indexOf(self.followers_tab))
        self.followers_tab.focus_search()

    # The menu items below name the tab each reaches at the moment it is chosen: it may be built only then.
    def refresh_followers(self) -> None:
        self.followers_tab.refresh()

    def start_campaign(self) -> None:
        self.campaign_tab.start_campaign()

    def download_tweets(self) -> None:
        self.tweets_tab.open_wizard()

    def fetch_followers(self, *, new_only: bool = False) -> None:
        """F5 from anywhere; from the welcome page it goes on to the tabs, where the followers appear."""
        self.show_tabs()
        self.followers_tab.start_fetch(new_only=new_only)

    def try_sandbox(self) -> None:
        self.switch_profile(SANDBOX_PROFILE_NAME)
        if self.context.is_sandbox:  # not while jobs run: switch_profile said why
            self.show_tabs()

    def connect_x_account(self) -> None:
        """Sign in with X (the sign-in dialog makes or updates a profile), then work in that profile."""
        from twexport_qt.ui import sign_in_dialog

        name = sign_in_dialog.connect_x_account(self.context, self, self.jobs.tasks)
        if name is None:
            return
        if name == self.context.settings.active_profile:
            self._after_settings_change()  # its credentials changed
        else:
            self.switch_profile(name)
        if self.context.settings.active_profile == name:
            self.show_tabs()

    @property
    def export_menu(self) -> ExportMenu:
        """File → Export, made just after the first show (or when first asked for, if sooner): its module imports
        the exporters, whose import the first paint need not wait for."""
        return self._make_export_menu()

    def _make_export_menu(self) -> ExportMenu:
        if self._export_menu is None:
            from twexport_qt.ui.export_menu import ExportMenu

            self._export_menu = ExportMenu(self.context, self.jobs, self.filter_state, self)
            self._file_menu.insertMenu(self._export_menu_place, self._export_menu.menu)
        return self._export_menu

    def show_shortcuts(self) -> ShortcutsDialog:
        """The shortcuts list, beside the window (not modal: it can stay open while the keys are tried)."""
        from twexport_qt.ui.shortcuts_dialog import ShortcutsDialog

        self._make_export_menu()  # its shortcuts are listed too
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self.menuBar(), self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        return self.shortcuts_dialog

    # -- tabs, built when first needed ------------------------------------------------------------------
    def _tab_specs(self) -> tuple[TabSpec, ...]:
        return (
            TabSpec(TabName.FOLLOWERS, "&Followers", "twexport_qt.ui.followers_tab", self._make_followers_tab),
            TabSpec(TabName.CAMPAIGN, "&DM campaign", "twexport_qt.ui.campaign_tab", self._make_campaign_tab),
            TabSpec(TabName.TWEETS, "&Tweet datasets", "twexport_qt.ui.tweets_tab", self._make_tweets_tab),
            TabSpec(TabName.SPEND, "&Spend", "twexport_qt.ui.spend_tab", self._make_spend_tab),
            TabSpec(TabName.AUDIENCE, "&Audience", "twexport_qt.ui.audience_tab", self._make_audience_tab),
            TabSpec(TabName.GROWTH, "&Growth", "twexport_qt.ui.growth_tab", self._make_growth_tab),
            TabSpec(TabName.FOLLOWING, "F&ollowing", "twexport_qt.ui.following_tab", self._make_following_tab),
        )

    def _make_followers_tab(self) -> QWidget:
        from twexport_qt.ui.followers_tab import FollowersTab

        return FollowersTab(self.context, self.jobs, filter_state=self.filter_state)

    def _make_campaign_tab(self) -> QWidget:
        from twexport_qt.ui.campaign_tab import CampaignTab

        tab = CampaignTab(self.context, self.jobs, filter_state=self.filter_state)
        tab.settingsRequested.connect(self.open_settings)
        return tab

    def _make_tweets_tab(self) -> QWidget:
        from twexport_qt.ui.tweets_tab import TweetsTab

        return TweetsTab(self.context, self.jobs)

    def _make_spend_tab(self) -> QWidget:
        from twexport_qt.ui.spend_tab import SpendTab

        return SpendTab(self.context, self.jobs)

    def _make_audience_tab(self) -> QWidget:
        from twexport_qt.ui.audience_tab import AudienceTab

        return AudienceTab(self.context, self.jobs, filter_state=self.filter_state)

    def _make_growth_tab(self) -> QWidget:
        from twexport_qt.ui.growth_tab import GrowthTab

        return GrowthTab(self.context, self.jobs)

    def _make_following_tab(self) -> QWidget:
        from twexport_qt.ui.following_tab import FollowingTab

        return FollowingTab(self.context, self.jobs, filter_state=self.filter_state)

    def tab(self, name: TabName) -> QWidget:
        """The tab called `name`, built now if it was not yet (in its place, as the current tab if its stand-in
        was). Building reads the active profile, so a tab built late starts on the profile shown."""
        built = self._built_tabs.get(name)
        if built is not None:
            return built
        index = next(i for i, spec in enumerate(self.tab_specs) if spec.name == name)
        stand_in = self.tabs.widget(index)
        assert isinstance(stand_in, TabStandIn)  # every tab not built yet holds its place with one
        tab = self.tab_specs[index].build()
        self._built_tabs[name] = tab
        was_current = self.tabs.currentIndex() == index
        # The swap moves the current index through neighbours: nobody is told, and no neighbour gets built.
        with QSignalBlocker(self.tabs):
            self.tabs.insertTab(index, tab, name.value)
            self.tabs.removeTab(index + 1)
            if was_current:
                self.tabs.setCurrentIndex(index)
        stand_in.deleteLater()
        return tab

    def built_tab_names(self) -> list[TabName]:
        return [spec.name for spec in self.tab_specs if spec.name in self._built_tabs]

    def _build_opened_tab(self, index: int) -> None:
        stand_in = self.tabs.widget(index)
        if self._shown_once and isinstance(stand_in, TabStandIn):
            self.tab(stand_in.name)

    def _tell_tabs_profile_changed(self) -> None:
        """Only built tabs: one built later reads the profile then."""
        for name, tab in list(self._built_tabs.items()):
            if not isinstance(tab, ProfileAwareTab):
                raise TypeError(f"The {name} tab cannot follow a profile change")
            tab.profile_changed()

    @staticmethod
    def _as(tab: QWidget, kind: type[TabT]) -> TabT:
        if not isinstance(tab, kind):
            raise TypeError(f"{type(tab).__name__} is not a {kind.__name__}")
        return tab

    @property
    def followers_tab(self) -> FollowersTab:
        from twexport_qt.ui.followers_tab import FollowersTab

        return self._as(self.tab(TabName.FOLLOWERS), FollowersTab)

    @property
    def campaign_tab(self) -> CampaignTab:
        from twexport_qt.ui.campaign_tab import CampaignTab

        return self._as(self.tab(TabName.CAMPAIGN), CampaignTab)

    @property
    def tweets_tab(self) -> TweetsTab:
        from twexport_qt.ui.tweets_tab import TweetsTab

        return self._as(self.tab(TabName.TWEETS), TweetsTab)

    @property
    def spend_tab(self) -> SpendTab:
        from twexport_qt.ui.spend_tab import SpendTab

        return self._as(self.tab(TabName.SPEND), SpendTab)

    @property
    def audience_tab(self) -> AudienceTab:
        from twexport_qt.ui.audience_tab import AudienceTab

        return self._as(self.tab(TabName.AUDIENCE), AudienceTab)

    @property
    def growth_tab(self) -> GrowthTab:
        from twexport_qt.ui.growth_tab import GrowthTab

        return self._as(self.tab(TabName.GROWTH), GrowthTab)

    @property
    def following_tab(self) -> FollowingTab:
        from twexport_qt.ui.following_tab import FollowingTab

        return self._as(self.tab(TabName.FOLLOWING), FollowingTab)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once and os.environ.get(EXIT_WHEN_SHOWN_ENV):
            _say("shown")
            imported = [name for name in LIBRARIES_AFTER_SHOW if name in sys.modules]
            _print_for_benchmark(f"imported-at-show {','.join(imported) or '-'}")
        self._shown_once = True
        if not self._startup_tabs_built and not self._startup_modules_loading:
            QTimer.singleShot(0, self, self._after_first_show)

    def _after_first_show(self) -> None:
        """Once the window is on screen: the tab it shows, then the Followers tab (whose filter form the exports
        read and whose timer fetches on a schedule, so it lives from the start whichever tab is shown), and the
        File → Export menu (so that its shortcuts work from the start).

        Their modules are imported in a pool thread first: pyqtgraph, numpy, the fetch and gateway modules take
        about a second, which the GUI thread would otherwise spend frozen just after the first paint (menus, tab
        clicks and repaints wait). The import holds the GIL for most of that time, but Python hands it to the GUI
        thread every few milliseconds, so the window keeps answering. A tab the user opens meanwhile is built at
        once (its import waits for the module being imported, not for all of them)."""
        if self._startup_tabs_built or self._startup_modules_loading or not self.isVisible():
            return  # built or on its way; or closed before it got here: at the next show
        self._announce_session_only_secrets()
        self.show_spend_today()
        names = {TabName.FOLLOWERS}
        current = self.tabs.currentWidget()
        if isinstance(current, TabStandIn):
            names.add(current.name)
        modules = [EXPORT_MENU_MODULE, *(spec.module for spec in self.tab_specs if spec.name in names)]
        self._startup_modules_loading = True
        # A failed import is raised again, with its traceback, by the build that needs the module.
        self.jobs.tasks.run_task("Loading the tabs", partial(_import_modules, modules),
                                 lambda _modules: self._build_startup_tabs(),
                                 lambda _failure: self._build_startup_tabs(), owner=self)

    def _build_startup_tabs(self) -> None:
        self._startup_modules_loading = False
        if self._startup_tabs_built or not self.isVisible():  # closed meanwhile: built at the next show
            return
        self._make_export_menu()
        current = self.tabs.currentWidget()
        if isinstance(current, TabStandIn):
            self.tab(current.name)
        self.tab(TabName.FOLLOWERS)
        self._startup_tabs_built = True
        self.startupTabsBuilt.emit()
        if os.environ.get(EXIT_WHEN_SHOWN_ENV):
            _say("ready")
            self.close()

    def _announce_session_only_secrets(self) -> None:
        """A notice bar (a status-bar message would be gone in seconds) when secrets last this session only.

        Finding the system's keyring imports keyring's backends and may ask D-Bus (a fifth of a second or more):
        done in a pool thread, which also logs where secrets are kept."""
        if self._secrets_announced:
            return
        self._secrets_announced = True
        self.jobs.tasks.run_task("Finding the system keyring", partial(_where_secrets_are_kept, self.context.secrets),
                                 self._show_secrets_notice, owner=self)

    def _show_secrets_notice(self, kept: tuple[bool, str]) -> None:
        persistent, description = kept
        if not persistent:
            self.info_bar.show_text(description)

    # -- actions ---------------------------------------------------------------------------------------
    def switch_profile(self, name: str) -> None:
        if name == self.context.settings.active_profile:
            return
        if self.jobs.runner.running():
            messages.warning("Finish or cancel the running jobs before switching profile.")
            self._fill_profiles_menu()
            return
        self.context.switch_profile(name)
        self._show_profile()
        self._fill_profiles_menu()
        self._tell_tabs_profile_changed()

    def open_settings(self) -> None:
        from twexport_qt.ui.settings_dialog import SettingsDialog

        running = bool(self.jobs.runner.running())
        dialog = SettingsDialog(self.context, self, tasks=self.jobs.tasks, jobs_running=running)
        if dialog.exec():
            self._after_settings_change()

    def _import_legacy_config(self) -> None:
        if self.jobs.runner.running():  # the import writes the DM log a running campaign reads
            messages.warning("Finish or cancel the running jobs before importing.")
            return
        from twexport_qt.ui.legacy_import_dialog import import_twitter_exporter_interactively

        if import_twitter_exporter_interactively(self.context, self, tasks=self.jobs.tasks):
            self._after_settings_change()

    def _after_settings_change(self) -> None:
        self._fill_profiles_menu()
        self._show_profile()
        self._tell_tabs_profile_changed()

    def show_spend_today(self) -> None:
        """Today's spend in the status bar, read off the GUI thread (after every billed answer and at start)."""
        spend, profile = self.context.spend, self.context.profile.name
        self.jobs.tasks.run_task("Reading today's spend", lambda: spend.spent_today(profile),
                                 lambda amount: self.spend_label.setText(f"Spent today: {format_usd(amount)}"),
                                 key="spend-today", owner=self)

    def _show_profile(self) -> None:
        profile = self.context.profile
        if self.context.is_sandbox:
            self.profile_label.setText("SANDBOX · simulated account, nothing reaches X")
            self.profile_label.setToolTip("The Sandbox profile: a simulated X account. Nothing is sent to X and "
                                          "nothing is billed.")
            self.profile_label.setStyleSheet(SANDBOX_BADGE_STYLE)
            self.setWindowTitle(f"{APP_NAME} — Sandbox (simulated account)")
        else:
            name = self.profile_label.fontMetrics().elidedText(profile.name, Qt.TextElideMode.ElideRight,
                                                               PROFILE_NAME_WIDTH)
            self.profile_label.setText(f"Profile: {name}")
            self.profile_label.setToolTip(f"Profile: {profile.name}")
            self.profile_label.setStyleSheet("")
            self.setWindowTitle(f"{APP_NAME} — {profile.name}")
        if self._shown_once:  # spend is per profile; at start it is read once the window is shown
            self.show_spend_today()

    def _on_rate_limit_threadsafe(self, state: RateLimitState) -> None:
        self.apiStateChanged.emit(f"API {state.endpoint.split(' ', 1)[-1]}: {state.remaining}/{state.limit} left")

    @staticmethod
    def _open_path(path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- remembered layout -----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        """Where the window was, as big as it was (maximised if it was), on the tab it showed. Qt moves a saved
        position that is on no screen today (a monitor unplugged) onto one; a geometry that still fits no screen,
        or none saved, gives the default size on the primary screen."""
        state = ui_state(self.context.data_dir)
        geometry = state.value(GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry) and self._on_a_screen()):
            self._default_geometry()
        tab = state.value(CURRENT_TAB_KEY, 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _on_a_screen(self) -> bool:
        frame = self.frameGeometry() if self.isVisible() else self.geometry()
        return any(screen.availableGeometry().intersected(frame).width() >= min(frame.width(), 200)
                   for screen in QGuiApplication.screens())

    def _default_geometry(self) -> None:
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMaximized)
        screen = QGuiApplication.primaryScreen()
        if screen is None:  # no screen at all (some headless set-ups): any size will do
            self.resize(DEFAULT_SIZE)
            return
        available = screen.availableGeometry()
        size = DEFAULT_SIZE.boundedTo(QSize(int(available.width() * SCREEN_SHARE),
                                            int(available.height() * SCREEN_SHARE)))
        rect = QRect(available.topLeft(), size)
        rect.moveCenter(available.center())
        self.setGeometry(rect)

    def _save_layout(self) -> None:
        state = ui_state(self.context.data_dir)
        state.setValue(GEOMETRY_KEY, self.saveGeometry())
        state.setValue(CURRENT_TAB_KEY, self.tabs.currentIndex())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_layout()
        self.jobs.shutdown()
        if TabName.FOLLOWERS in self._built_tabs:
            self.followers_tab.shutdown()
        self.messages.detach()
        super().closeEvent(event)


def _import_modules(names: list[str]) -> list[str]:
    for name in names:
        importlib.import_module(name)
    return names


def _where_secrets_are_kept(secrets: SecretStore) -> tuple[bool, str]:
    """Whether secrets outlive the session, and the sentence that says where they are kept (logged)."""
    description = secrets.backend_description
    log.info("Secrets: %s", description)
    return secrets.is_persistent, description


def _say(moment: str) -> None:
    """A moment of the start, with the CPU seconds used so far, for the start-up benchmark."""
    _print_for_benchmark(f"{moment} {time.process_time():.3f}")


def _print_for_benchmark(line: str) -> None:
    """A line on stdout (absent in a windowed app on Windows)."""
    if sys.stdout is not None:
        print(line, flush=True)
