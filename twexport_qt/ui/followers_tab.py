"""Followers: filter form, sortable table over the store, two scatter plots with hover details, summary.

All views read the store in the GUI thread through one connection (reads are fast and indexed); fetching runs
in a worker. Views refresh by themselves when any job changes the data (the seed's "auto refresh").
"""

from __future__ import annotations

import logging
import sqlite3

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSplitter, QTableView, QTabWidget,
    QVBoxLayout, QWidget,
)

from twexport_qt.core.timefmt import format_date
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.stats import summary
from twexport_qt.profile_mapping import default_filter, domain_tiers
from twexport_qt.store import followers_repo
from twexport_qt.ui.filter_panel import FilterPanel
from twexport_qt.ui.followers_table_model import FollowersTableModel
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.scatter_plot import FollowerScatter
from twexport_qt.ui.summary_panel import SummaryPanel

log = logging.getLogger(__name__)

FETCH_JOB = "fetch-followers"
TIER_COLOURS = ("#e4572e", "#f3a712", "#29335c", "#669bbc", "#8e7dbe", "#2a9d8f")
SECONDS_PER_DAY = 86_400


class FollowersTab(QWidget):
    def __init__(self, context, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.conn: sqlite3.Connection = context.connect()
        self.owner_id: int | None = None
        self.tiers = domain_tiers(context.profile)
        self.current_filter = FollowerFilter()
        self.model: FollowersTableModel | None = None
        self._plot_ids = np.empty(0, dtype=np.int64)

        self.filter_panel = FilterPanel()
        self.filter_panel.filterChanged.connect(self.apply_filter)
        filter_scroll = QScrollArea(widgetResizable=True)
        filter_scroll.setWidget(self.filter_panel)
        filter_scroll.setMinimumWidth(300)

        self.fetch_button = QPushButton("Fetch followers")
        self.fetch_button.clicked.connect(self.start_fetch)
        self.search = QLineEdit(placeholderText="Search username, name or bio…", clearButtonEnabled=True)
        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self.search.textChanged.connect(self._on_search)

        self.plot_network = FollowerScatter(tooltip_provider=self.tooltip_for)
        self.plot_age = FollowerScatter(tooltip_provider=self.tooltip_for)
        for plot in (self.plot_network, self.plot_age):
            plot.pointClicked.connect(self.select_follower)
        plots = QTabWidget()
        plots.addTab(self.plot_network, "Followers vs following")
        plots.addTab(self.plot_age, "Followers vs account age")
        self.summary_panel = SummaryPanel()

        top_bar = QHBoxLayout()
        top_bar.addWidget(self.fetch_button)
        top_bar.addWidget(self.search, 1)
        top_bar.addWidget(self.count_label)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top_bar)
        table_layout.addWidget(self.table)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(plots)
        lower.addWidget(self.summary_panel)
        lower.setStretchFactor(0, 3)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(table_box)
        right.addWidget(lower)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(filter_scroll)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(main)

        self.auto_fetch_timer = QTimer(self)
        self.auto_fetch_timer.timeout.connect(self._auto_fetch)
        jobs.dataChanged.connect(lambda _name: self.refresh())
        self.profile_changed()

    # -- profile / data --------------------------------------------------------------------------------
    def profile_changed(self) -> None:
        self.tiers = domain_tiers(self.context.profile)
        self.owner_id = self.context.known_owner_id()
        self.filter_panel.set_tiers(self.tiers)
        self._build_model()
        self.filter_panel.set_filter(default_filter(self.context.profile))
        self.filter_panel.flush()
        minutes = self.context.profile.auto_fetch_minutes
        if minutes:
            self.auto_fetch_timer.start(minutes * 60_000)
        else:
            self.auto_fetch_timer.stop()
        self.refresh()

    def _build_model(self) -> None:
        if self.owner_id is None:
            self.table.setModel(None)
            self.model = None
            return
        self.model = FollowersTableModel(self.conn, self.owner_id, self.tiers, self)
        self.model.set_filter(self.current_filter)
        self.table.setModel(self.model)

    def refresh(self) -> None:
        """Re-read the store into table, plots and summary (after a fetch, a campaign, a settings change)."""
        if self.owner_id is None:
            self.owner_id = self.context.known_owner_id()
            self._build_model()
        if self.model is not None:
            self.model.refresh()
        self._reload_plots()
        self._update_counts()

    def apply_filter(self, follower_filter: FollowerFilter) -> None:
        self.current_filter = follower_filter
        if self.model is not None:
            self.model.set_filter(follower_filter)
        self._update_selection_in_plots()
        self._update_counts()

    def _on_search(self, text: str) -> None:
        if self.model is not None:
            self.model.set_search_text(text)
            self._update_counts()

    def _update_counts(self) -> None:
        if self.owner_id is None:
            self.count_label.setText("")
            self.summary_panel.show_summary(None)
            return
        matching = followers_repo.count(self.conn, self.owner_id, self.current_filter, tiers=self.tiers)
        shown = self.model.rowCount() if self.model is not None else matching
        self.count_label.setText(f"{shown:,} shown · {matching:,} match the filter")
        stats = summary(self.conn, self.owner_id, self.tiers)
        self.summary_panel.show_summary(stats if stats.total else None, matching)

    # -- plots -----------------------------------------------------------------------------------------
    def _reload_plots(self) -> None:
        if self.owner_id is None:
            return
        arrays = followers_repo.plot_arrays(self.conn, self.owner_id, self.current_filter, tiers=self.tiers)
        self._plot_ids = arrays["user_id"]
        tier = arrays["tier"].astype(np.int8)
        matches = arrays["matches"].astype(bool)
        now = self.context.clock.now()
        created = arrays["created_at"].astype(np.float64)
        age_days = np.where(created >= 0, (now - created) / SECONDS_PER_DAY, np.nan)
        self.plot_network.set_points(self._plot_ids, arrays["following"], arrays["followers"], tier, matches,
                                     log_x=True, log_y=True, x_label="Following (friends)", y_label="Followers")
        self.plot_age.set_points(self._plot_ids, age_days, arrays["followers"], tier, matches,
                                 log_x=False, log_y=True, x_label="Account age (days)", y_label="Followers")
        colours = [QColor(TIER_COLOURS[i % len(TIER_COLOURS)]) for i in range(len(self.tiers))]
        names = [tier.name for tier in self.tiers]
        for plot in (self.plot_network, self.plot_age):
            plot.set_tier_palette(colours, names)

    def _update_selection_in_plots(self) -> None:
        if self.owner_id is None or not len(self._plot_ids):
            return
        arrays = followers_repo.plot_arrays(self.conn, self.owner_id, self.current_filter, tiers=self.tiers)
        if len(arrays["user_id"]) != len(self._plot_ids):  # the data changed under us: redraw everything
            self._reload_plots()
            return
        matches = arrays["matches"].astype(bool)
        for plot in (self.plot_network, self.plot_age):
            plot.set_selected(matches)

    def tooltip_for(self, follower_id: int) -> str:
        if self.owner_id is None:
            return ""
        rowid = followers_repo.rowid_of_follower(self.conn, self.owner_id, follower_id)
        rows = followers_repo.rows_by_rowid(self.conn, [rowid], tiers=self.tiers) if rowid is not None else []
        if not rows:
            return ""
        f = dict(zip(followers_repo.ROW_COLUMNS, rows[0]))
        step_state = f["dm_status"]
        dm = step_state.replace(":", " DM ") if step_state else "not messaged"
        return (f"@{f['username']} — {f['name']}\n"
                f"{f['followers_count']:,} followers · {f['following_count']:,} following · "
                f"{f['tweet_count']:,} posts\n"
                f"Joined {format_date(f['created_at']) or 'unknown'} · tier {self.tiers[f['tier']].name}"
                f"{' · verified' if f['verified'] else ''}\n"
                f"DM: {dm}")

    def select_follower(self, follower_id: int) -> None:
        if self.model is None:
            return
        row = self.model.row_of_follower(follower_id)
        if row is None:
            self.window().statusBar().showMessage("That follower is hidden by the search text.", 5000) \
                if hasattr(self.window(), "statusBar") else None
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                           | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- fetching --------------------------------------------------------------------------------------
    def start_fetch(self):
        context = self.context

        def job(ctx):
            conn = context.connect()
            try:
                gateway = context.new_gateway()
                pacer = context.new_pacer(gateway, ctx.cancel, ctx.on_wait)
                return fetch_followers(conn, gateway, pacer, context.clock, progress=ctx.progress, cancel=ctx.cancel)
            finally:
                conn.close()

        return self.jobs.start(FETCH_JOB, "Fetching followers", job, on_success=self._fetched)

    def _fetched(self, result) -> None:
        self.context.remember_owner(result.owner_id)
        if self.owner_id != result.owner_id:
            self.owner_id = result.owner_id
            self._build_model()
        self.window().statusBar().showMessage(
            f"Fetched {result.total_in_run:,} followers; {result.unfollowed:,} left since the last fetch.", 10000)

    def _auto_fetch(self) -> None:
        if not self.jobs.is_running(FETCH_JOB):
            self.start_fetch()
