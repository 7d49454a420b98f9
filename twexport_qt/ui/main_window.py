"""The main window: tabs for followers, campaign and tweet datasets; menus; status bar with profile and API state."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from twexport_qt import APP_NAME
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.core import messages
from twexport_qt.gateway.rate_limits import RateLimitState
from twexport_qt.ui.about_dialog import show_about
from twexport_qt.ui.campaign_tab import CampaignTab
from twexport_qt.ui.export_menu import ExportMenu
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.ui.legacy_import_dialog import import_twitter_exporter_interactively
from twexport_qt.ui.message_renderer import MessageRenderer
from twexport_qt.ui.settings_dialog import SettingsDialog
from twexport_qt.ui.spend_tab import SpendTab
from twexport_qt.ui.tweets_tab import TweetsTab

log = logging.getLogger(__name__)

SANDBOX_BADGE_STYLE = "QLabel { background: #ffd166; color: #3d2c00; padding: 1px 8px; border-radius: 8px; }"


class MainWindow(QMainWindow):
    # Emitted from job threads by the gateway's response hook; Qt queues it to the label in the GUI thread.
    apiStateChanged = Signal(str)
    # Emitted from job threads when X billed an answer (the spend ledger's listener): today's spend is read again.
    spendRecorded = Signal()

    def __init__(self, context: AppContext, *, interactive: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("MainWindow")
        self.resize(1280, 820)
        self.messages = MessageRenderer(self, interactive=interactive)
        self.job_panel = JobPanel(wall_clock=context.clock.now)
        self.jobs = JobController(self.job_panel, self)
        context.rate_limit_listener = self._on_rate_limit_threadsafe
        context.spend_listener = lambda _rows: self.spendRecorded.emit()

        self.filter_state = FollowerFilterState(self)
        self.tabs = QTabWidget()
        self.followers_tab = FollowersTab(context, self.jobs, filter_state=self.filter_state)
        self.campaign_tab = CampaignTab(context, self.jobs, filter_state=self.filter_state)
        self.campaign_tab.settingsRequested.connect(self.open_settings)
        self.tweets_tab = TweetsTab(context, self.jobs)
        self.spend_tab = SpendTab(context, self.jobs)
        self.tabs.addTab(self.followers_tab, "Followers")
        self.tabs.addTab(self.campaign_tab, "DM campaign")
        self.tabs.addTab(self.tweets_tab, "Tweet datasets")
        self.tabs.addTab(self.spend_tab, "Spend")
        self.setCentralWidget(self.tabs)

        self.profile_label = QLabel()
        self.api_label = QLabel("API: idle")
        self.spend_label = QLabel()
        self.spend_label.setToolTip("What X billed this profile today (UTC day), from the spend ledger")
        self.statusBar().addPermanentWidget(self.job_panel, 1)
        self.statusBar().addPermanentWidget(self.spend_label)
        self.statusBar().addPermanentWidget(self.api_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        self.apiStateChanged.connect(self.api_label.setText)
        self.spendRecorded.connect(self.show_spend_today)
        self.export_menu = ExportMenu(context, self.jobs, self.filter_state, self)
        self._build_menus()
        self._show_profile()
        if not context.secrets.is_persistent:
            messages.warning(context.secrets.backend_description)

    # -- menus -----------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.profiles_menu = file_menu.addMenu("&Profile")
        self._fill_profiles_menu()
        settings_action = file_menu.addAction("&Settings…", self.open_settings)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        file_menu.addAction("&Import Twitter Exporter config.json…", self._import_legacy_config)
        file_menu.addSeparator()
        file_menu.addMenu(self.export_menu.menu)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        view_menu = self.menuBar().addMenu("&View")
        for index, name in enumerate(("&Followers", "&DM campaign", "&Tweet datasets", "&Spend")):
            action = view_menu.addAction(name, partial(self.tabs.setCurrentIndex, index))
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        view_menu.addSeparator()
        view_menu.addAction("&Refresh", self.followers_tab.refresh).setShortcut(QKeySequence.StandardKey.Refresh)

        tools_menu = self.menuBar().addMenu("&Tools")
        tools_menu.addAction("&Fetch followers", self.followers_tab.start_fetch).setShortcut(QKeySequence("Ctrl+F5"))
        tools_menu.addAction("Run DM &campaign…", self.campaign_tab.start_campaign)
        tools_menu.addAction("&Download tweets…", self.tweets_tab.open_wizard).setShortcut(QKeySequence("Ctrl+T"))
        tools_menu.addSeparator()
        tools_menu.addAction("Cancel &all jobs", self.jobs.cancel_all)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Open &data folder", lambda: self._open_path(self.context.data_dir))
        help_menu.addAction("Open &log file", lambda: self._open_path(self.context.log_file))
        help_menu.addSeparator()
        help_menu.addAction(f"&About {APP_NAME}", lambda: show_about(self, self.context))

    def _fill_profiles_menu(self) -> None:
        self.profiles_menu.clear()
        group = QActionGroup(self)
        for name in sorted(self.context.settings.profiles):
            action = QAction(name, self, checkable=True)
            action.setChecked(name == self.context.settings.active_profile)
            action.triggered.connect(lambda _checked=False, n=name: self.switch_profile(n))
            group.addAction(action)
            self.profiles_menu.addAction(action)

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
        for tab in (self.followers_tab, self.campaign_tab, self.tweets_tab, self.spend_tab):
            tab.profile_changed()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.context, self)
        if dialog.exec():
            self._after_settings_change()

    def _import_legacy_config(self) -> None:
        if self.jobs.runner.running():  # the import writes the DM log a running campaign reads
            messages.warning("Finish or cancel the running jobs before importing.")
            return
        if import_twitter_exporter_interactively(self.context, self, tasks=self.jobs.tasks):
            self._after_settings_change()

    def _after_settings_change(self) -> None:
        self._fill_profiles_menu()
        self._show_profile()
        for tab in (self.followers_tab, self.campaign_tab, self.tweets_tab, self.spend_tab):
            tab.profile_changed()

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
            self.profile_label.setStyleSheet(SANDBOX_BADGE_STYLE)
            self.setWindowTitle(f"{APP_NAME} — Sandbox (simulated account)")
        else:
            self.profile_label.setText(f"Profile: {profile.name}")
            self.profile_label.setStyleSheet("")
            self.setWindowTitle(f"{APP_NAME} — {profile.name}")
        self.show_spend_today()  # spend is per profile

    def _on_rate_limit_threadsafe(self, state: RateLimitState) -> None:
        self.apiStateChanged.emit(f"API {state.endpoint.split(' ', 1)[-1]}: {state.remaining}/{state.limit} left")

    @staticmethod
    def _open_path(path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.jobs.shutdown()
        self.followers_tab.shutdown()
        self.messages.detach()
        super().closeEvent(event)
