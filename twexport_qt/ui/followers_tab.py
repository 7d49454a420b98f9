"""Followers: filter form, sortable table over the store, two scatter plots with hover details, summary.

Table, plots, count label and summary all come from one `FollowerSnapshot` held by the table model: a filter
change is array work (mask, table rows, `set_selected` on the plots) with no query in the GUI thread, and
whatever needs SQL at a large size (loading the snapshot, bio/location/DM criteria, search, text sorts) runs
in the model's query thread while a busy hint shows. Fetching runs in a job worker. Views refresh by
themselves when any job changes the data (the seed's "auto refresh").
"""

from __future__ import annotations

import logging
import sqlite3

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.core.timefmt import format_date
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import UNKNOWN_DATE, FollowerSnapshot
from twexport_qt.profile_mapping import default_filter, domain_tiers
from twexport_qt.store import followers_repo
from twexport_qt.store.job_locks import JobKind
from twexport_qt.ui.filter_panel import FilterPanel
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.followers_query_worker import FollowersQueryService
from twexport_qt.ui.followers_table_model import COLUMNS, FollowersTableModel
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.scatter_plot import FollowerScatter
from twexport_qt.ui.summary_panel import SummaryPanel

log = logging.getLogger(__name__)

FETCH_JOB = "fetch-followers"
TIER_COLOURS = ("#e4572e", "#f3a712", "#29335c", "#669bbc", "#8e7dbe", "#2a9d8f")
SECONDS_PER_DAY = 86_400
SEARCH_DEBOUNCE_MS = 150  # like the filter form: one query when typing pauses, not one per keystroke
DEFAULT_SORT = ("followers_count", Qt.SortOrder.DescendingOrder)  # the model's own default


class FollowersTab(QWidget):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None, *,
                 filter_state: FollowerFilterState | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state or FollowerFilterState(self)
        self.conn: sqlite3.Connection = context.connect()
        self.owner_id: int | None = None
        self.tiers = domain_tiers(context.profile)
        self.current_filter = FollowerFilter()
        self.model: FollowersTableModel | None = None
        self.queries = FollowersQueryService(context.connect, self)
        # Per plot, what it was last given: (snapshot, everyone plotted?, population, filter mask). Only the
        # visible plot is kept current (set_points costs ~0.25 s at a million); the other catches up when shown.
        self._plotted: dict[FollowerScatter, tuple[FollowerSnapshot, bool, np.ndarray | slice, np.ndarray]] = {}

        self.filter_panel = FilterPanel()
        self.filter_panel.filterChanged.connect(self.apply_filter)
        self.filter_state.set_flush(self.filter_panel.flush)
        filter_scroll = QScrollArea(widgetResizable=True)
        filter_scroll.setWidget(self.filter_panel)
        filter_scroll.setMinimumWidth(300)

        self.fetch_button = QPushButton("Fetch followers")
        self.fetch_button.clicked.connect(self.start_fetch)
        self.search = QLineEdit(placeholderText="Search username, name or bio…", clearButtonEnabled=True)
        self.count_label = QLabel()
        self.busy_label = QLabel("Updating…")
        self.busy_label.setStyleSheet("color: #666")
        self.busy_label.hide()
        self.table = QTableView()
        self.table.horizontalHeader().setSortIndicator(COLUMNS.index(_column(DEFAULT_SORT[0])), DEFAULT_SORT[1])
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        # Fixed row heights: the header then never measures rows, whatever the row count.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().hide()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())

        self.plot_network = FollowerScatter(tooltip_provider=self.tooltip_for)
        self.plot_age = FollowerScatter(tooltip_provider=self.tooltip_for)
        for plot in (self.plot_network, self.plot_age):
            plot.pointClicked.connect(self.select_follower)
        self.plot_tabs = plots = QTabWidget()
        plots.addTab(self.plot_network, "Followers vs following")
        plots.addTab(self.plot_age, "Followers vs account age")
        plots.currentChanged.connect(lambda _index: self._on_view_changed())
        self.summary_panel = SummaryPanel()

        top_bar = QHBoxLayout()
        top_bar.addWidget(self.fetch_button)
        top_bar.addWidget(self.search, 1)
        top_bar.addWidget(self.busy_label)
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
        right.setSizes([400, 500])  # the table gets a real share of the height, the plots the rest
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
        self._drop_model()  # the old account's model must not do the default filter's work below
        self.filter_panel.set_tiers(self.tiers)
        self.filter_panel.set_filter(default_filter(self.context.profile))
        self.filter_panel.flush()
        colours = [QColor(TIER_COLOURS[i % len(TIER_COLOURS)]) for i in range(len(self.tiers))]
        for plot in (self.plot_network, self.plot_age):
            plot.set_tier_palette(colours, [tier.name for tier in self.tiers])
        self._build_model()
        minutes = self.context.profile.auto_fetch_minutes
        if minutes:
            self.auto_fetch_timer.start(minutes * 60_000)
        else:
            self.auto_fetch_timer.stop()

    def _build_model(self) -> None:
        """A model for the current account (it loads the snapshot itself), or none before the first fetch."""
        self._drop_model()
        if self.owner_id is not None:
            model = FollowersTableModel(self.conn, self.owner_id, self.tiers, self, queries=self.queries,
                                        follower_filter=self.current_filter)
            model.set_search_text(self.search.text())
            header = self.table.horizontalHeader()
            model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
            model.viewChanged.connect(self._on_view_changed)
            model.busyChanged.connect(self._on_busy)
            model.queryFailed.connect(self._on_query_failed)
            self.model = model
            self.table.setModel(model)
        # A small account was loaded inline, before the signals above were connected.
        self._on_busy(self.model is not None and self.model.is_busy)
        self._on_view_changed()

    def _drop_model(self) -> None:
        if self.model is not None:
            self.table.setModel(None)
            self.model.deleteLater()
            self.model = None
        if self._plotted:  # another account's followers must not linger in the plots
            self._plotted.clear()
            for plot in (self.plot_network, self.plot_age):
                self._set_plot_points(plot, None, slice(None))

    def refresh(self) -> None:
        """Re-read the store into table, plots and summary (after a fetch, a campaign, a settings change)."""
        if self.owner_id is None:
            self.owner_id = self.context.known_owner_id()
            if self.owner_id is not None:
                self._build_model()
        elif self.model is not None:
            self.model.refresh()

    def apply_filter(self, follower_filter: FollowerFilter) -> None:
        self.current_filter = follower_filter
        self.filter_state.set(follower_filter)
        if self.model is not None:
            self.model.set_filter(follower_filter)

    def shutdown(self) -> None:
        """Stop the query thread (also done at application exit); call before dropping the tab."""
        self.queries.shutdown()

    def _apply_search(self) -> None:
        if self.model is not None:
            self.model.set_search_text(self.search.text())

    def _on_view_changed(self) -> None:
        snapshot = self.model.snapshot if self.model is not None else None
        if snapshot is None:
            self.count_label.setText("" if self.owner_id is None else "Loading followers…")
            self.summary_panel.show_summary(None)
            return
        matching = self.model.matching_count
        self.count_label.setText(f"{self.model.rowCount():,} shown · {matching:,} match the filter")
        stats = snapshot.summary
        self.summary_panel.show_summary(stats if stats is not None and stats.total else None, matching)
        self._update_plots(snapshot)

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.busy_label.setText("Updating…")
        self.busy_label.setVisible(busy)

    def _on_query_failed(self, message: str) -> None:
        log.warning("Followers view: %s", message)
        self.busy_label.setText("Could not update: see the status bar")
        self.busy_label.show()
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(message, 15_000)

    # -- plots -----------------------------------------------------------------------------------------
    def _update_plots(self, snapshot: FollowerSnapshot) -> None:
        """Bring the visible plot up to date: new points when the population changed, else re-highlight.

        The population is the current followers, plus those who left when the filter includes them.
        """
        assert self.model is not None
        plot = self.plot_tabs.currentWidget()
        mask = self.model.filter_mask
        everyone = self.model.view_filter.include_unfollowed or not snapshot.unfollowed.any()
        plotted = self._plotted.get(plot)
        if plotted is None or plotted[0] is not snapshot or plotted[1] != everyone:
            population = slice(None) if everyone else np.flatnonzero(~snapshot.unfollowed)
            self._set_plot_points(plot, snapshot, population)
        elif plotted[3] is mask:
            return  # a sort or search change: the highlighted followers are the same
        else:
            population = plotted[2]
        plot.set_selected(mask[population])
        self._plotted[plot] = (snapshot, everyone, population, mask)

    def _set_plot_points(
        self, plot: FollowerScatter, snapshot: FollowerSnapshot | None, population: np.ndarray | slice
    ) -> None:
        if snapshot is None:
            empty = np.empty(0)
            plot.set_points(empty, empty, empty, empty, empty, log_x=False, log_y=False, x_label="", y_label="")
            return
        ids = snapshot.user_id[population]
        followers = snapshot.followers[population]
        # Every point highlighted for now: _update_plots applies the filter right after.
        selected = np.ones(len(ids), dtype=bool)
        if plot is self.plot_network:
            plot.set_points(ids, snapshot.following[population], followers, snapshot.tier[population], selected,
                            log_x=True, log_y=True, x_label="Following (friends)", y_label="Followers")
            return
        created = snapshot.created_at[population]
        known = created != UNKNOWN_DATE
        age_days = np.full(len(created), np.nan)  # unknown join dates are not placed on the age axis
        age_days[known] = (self.context.clock.now() - created[known]) / SECONDS_PER_DAY
        plot.set_points(ids, age_days, followers, snapshot.tier[population], selected,
                        log_x=False, log_y=True, x_label="Account age (days)", y_label="Followers")

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
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage("That follower is hidden by the filter or the search text.", 5000)
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                           | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- fetching --------------------------------------------------------------------------------------
    def start_fetch(self, *, automatic: bool = False):
        """Fetch (or resume) in a job; an `automatic` (scheduled) fetch reports failure in the status bar only,
        so a fetch running elsewhere (a cron job, say) never piles up dialogs: the timer simply tries again."""
        context = self.context

        def job(ctx):
            with context.job_lock(JobKind.FOLLOWERS_FETCH), context.api_session(ctx.cancel, ctx.on_wait) as api:
                return fetch_followers(api.conn, api.gateway, api.pacer, context.clock, progress=ctx.progress,
                                       cancel=ctx.cancel)

        return self.jobs.start(FETCH_JOB, "Fetching followers", job, on_success=self._fetched, quiet=automatic)

    def _fetched(self, result) -> None:
        self.context.remember_owner(result.owner_id)
        if self.owner_id != result.owner_id:
            self.owner_id = result.owner_id
            self._build_model()
        self.window().statusBar().showMessage(
            f"Fetched {result.total_in_run:,} followers; {result.unfollowed:,} left since the last fetch.", 10000)

    def _auto_fetch(self) -> None:
        if not self.jobs.is_running(FETCH_JOB):
            self.start_fetch(automatic=True)


def _column(field: str):
    return next(column for column in COLUMNS if column.field == field)
