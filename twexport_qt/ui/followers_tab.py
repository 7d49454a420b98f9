"""Followers: filter form, sortable table over the store, two scatter plots with hover details, summary.

Table, plots, count label and summary all come from the view the table model composed over one
`FollowerSnapshot`: a filter change is array work (mask, table rows, `set_selected` on the plots) with no query
in the GUI thread, and whatever needs SQL at a large size (loading the snapshot, bio/location/DM criteria,
search, text sorts) runs in the query thread (`services/followers_queries.py`) while a busy hint shows. A new
snapshot's plot points (display coordinates, hover index: ~0.3 s at a million) are prepared in a task thread
(`followers/plot_points.py`); the plot keeps its old points until they arrive. The tab reads through
`context.followers` only and fetches in a job, after showing its price (`ui/cost_confirmation.py`). Views
refresh by themselves when any job changes the data (the seed's "auto refresh").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, QTimer, Signal, Slot
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

from twexport_qt.app_context import ApiSession, AppContext
from twexport_qt.core import messages
from twexport_qt.core.timefmt import format_date
from twexport_qt.followers.fetch import FetchResult, fetch_followers
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.plot_points import FollowerPlotKind, PreparedPoints, follower_plot_points
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.view_planner import QueryResult
from twexport_qt.profile_mapping import default_filter, domain_tiers
from twexport_qt.services.cost_estimates import FollowersFetchPrices, fetch_prices_in, followers_fetch_prices
from twexport_qt.services.jobs import JobContext, JobName, api_job
from twexport_qt.store.dm_states import dm_status_label
from twexport_qt.store.job_locks import JobKind
from twexport_qt.ui.cost_confirmation import confirm_cost, estimate_text
from twexport_qt.ui.filter_panel import FilterPanel
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.followers_table_model import COLUMN_OF_FIELD, FollowersTableModel
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import tier_colours
from twexport_qt.ui.scatter_plot import FollowerScatter
from twexport_qt.ui.summary_panel import SummaryPanel
from twexport_qt.workers.job_worker import JobWorker

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150  # like the filter form: one query when typing pauses, not one per keystroke
DEFAULT_SORT_FIELD = "followers_count"  # the model's own default
DEFAULT_SORT_ORDER = Qt.SortOrder.DescendingOrder
FETCH_TITLE = "Fetching followers"
NEW_FOLLOWERS_TITLE = "Fetching new followers"
FETCH_ESTIMATE_TASK = "followers-fetch-estimate"


@dataclass(frozen=True, eq=False)
class PlotPopulation:
    """The followers a plot shows: a snapshot's current followers, or everyone (those who left too)."""

    snapshot: FollowerSnapshot
    everyone: bool  # those who left are plotted too
    positions: np.ndarray | slice  # which snapshot positions are points (all, or a bool mask), in snapshot order

    def is_of(self, snapshot: FollowerSnapshot, everyone: bool) -> bool:
        return self.snapshot is snapshot and self.everyone == everyone


@dataclass(frozen=True, eq=False)
class PlottedFollowers:
    """What a plot shows: its population's points and the filter mask highlighted."""

    population: PlotPopulation
    filter_mask: np.ndarray  # per snapshot position; compared by identity (the model keeps the same array)


class FollowersTab(QWidget):
    # A QueryResult, emitted in the query thread; connected to a slot of this GUI-thread widget, so Qt queues it
    # to the GUI thread (a plain callable would run in the emitting thread).
    _queryAnswered = Signal(object)

    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None, *,
                 filter_state: FollowerFilterState | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state or FollowerFilterState(self)
        self.owner_id: int | None = None
        self.tiers = domain_tiers(context.profile)
        self.current_filter = FollowerFilter()
        self.model: FollowersTableModel | None = None
        self._queryAnswered.connect(self._on_query_answered)
        self.queries = context.followers.query_runner(self._queryAnswered.emit)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # no query thread may outlive the window's database
        # Per plot, what it shows, and the population whose points a task thread is preparing for it. Only the
        # visible plot is kept current (preparing a million points takes ~0.3 s of CPU); the other catches up
        # when shown.
        self._plotted: dict[FollowerScatter, PlottedFollowers] = {}
        self._preparing: dict[FollowerScatter, PlotPopulation] = {}

        self.filter_panel = FilterPanel()
        self.filter_panel.filterChanged.connect(self.apply_filter)
        self.filter_state.set_flush(self.filter_panel.flush)
        filter_scroll = QScrollArea(widgetResizable=True)
        filter_scroll.setWidget(self.filter_panel)
        filter_scroll.setMinimumWidth(300)

        self.fetch_button = QPushButton("Fetch followers")
        self.fetch_button.setToolTip("Read every follower again (a full refresh: it also finds who left and updates "
                                     "everyone's counts). Its price is shown before it starts.")
        self.fetch_button.clicked.connect(self.start_fetch)
        self.fetch_new_button = QPushButton("Fetch new followers only")
        self.fetch_new_button.setToolTip("Read only the followers who came since the last fetch (X lists the newest "
                                         "first): it costs about the new followers, not all of them, but finds "
                                         "nobody who left. Both prices are shown before it starts.")
        self.fetch_new_button.clicked.connect(lambda: self.start_fetch(new_only=True))
        self.search = QLineEdit(placeholderText="Search username, name, bio or location…", clearButtonEnabled=True)
        self.count_label = QLabel()
        self.busy_label = QLabel("Updating…")
        self.busy_label.setStyleSheet("color: #666")
        self.busy_label.hide()
        self.table = QTableView()
        self.table.horizontalHeader().setSortIndicator(COLUMN_OF_FIELD[DEFAULT_SORT_FIELD], DEFAULT_SORT_ORDER)
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
        self._plot_kinds = {self.plot_network: FollowerPlotKind.NETWORK, self.plot_age: FollowerPlotKind.AGE}
        for plot in (self.plot_network, self.plot_age):
            plot.pointClicked.connect(self.select_follower)
        self.plot_tabs = plots = QTabWidget()
        plots.addTab(self.plot_network, "Followers vs following")
        plots.addTab(self.plot_age, "Followers vs account age")
        plots.currentChanged.connect(lambda _index: self._on_view_changed())
        self.summary_panel = SummaryPanel()

        top_bar = QHBoxLayout()
        top_bar.addWidget(self.fetch_button)
        top_bar.addWidget(self.fetch_new_button)
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
        for plot in (self.plot_network, self.plot_age):
            plot.set_tier_palette(tier_colours(len(self.tiers)), [tier.name for tier in self.tiers])
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
            model = FollowersTableModel(self.context.followers, self.owner_id, self.tiers, self,
                                        submit=self.queries.submit, follower_filter=self.current_filter)
            model.set_search_text(self.search.text())
            header = self.table.horizontalHeader()
            model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
            model.viewChanged.connect(self._on_view_changed)
            model.busyChanged.connect(self._on_busy)
            model.queryFailed.connect(self._on_query_failed)
            self.model = model
            self.table.setModel(model)
        self.fetch_new_button.setEnabled(self.owner_id is not None)  # new since what? Nothing is stored yet
        # A small account was loaded inline, before the signals above were connected.
        self._on_busy(self.model is not None and self.model.is_busy)
        self._on_view_changed()

    def _drop_model(self) -> None:
        if self.model is not None:
            self.table.setModel(None)
            self.model.deleteLater()
            self.model = None
        self._preparing.clear()  # points on their way are dropped when they arrive
        if self._plotted:  # another account's followers must not linger in the plots
            self._plotted.clear()
            for plot in (self.plot_network, self.plot_age):
                plot.clear_points()

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

    @Slot()
    def shutdown(self) -> None:
        """Stop the query thread (also done at application exit); call before dropping the tab."""
        self.queries.shutdown()

    @Slot(object)
    def _on_query_answered(self, result: QueryResult) -> None:
        if self.model is not None:  # else the account changed meanwhile: nobody wants the answer
            self.model.take_result(result)

    def _apply_search(self) -> None:
        if self.model is not None:
            self.model.set_search_text(self.search.text())

    def _on_view_changed(self) -> None:
        snapshot = self.model.snapshot if self.model is not None else None
        if self.model is None or snapshot is None:
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
        self.busy_label.setText("Could not update: see the status bar")
        self.busy_label.show()
        messages.warning(message)

    # -- plots -----------------------------------------------------------------------------------------
    @property
    def plots_pending(self) -> bool:
        """Are a plot's points being prepared (in a task thread) for the newest snapshot or population?"""
        return bool(self._preparing)

    def _update_plots(self, snapshot: FollowerSnapshot) -> None:
        """Bring the visible plot up to date: new points when the population changed, else re-highlight.

        The population is the current followers, plus those who left when the filter includes them. New points
        are prepared in a task thread (latest wins), highlighted with the filter mask of the moment (read-only, so
        the thread may read it); a filter changed meanwhile is applied when they arrive.
        """
        assert self.model is not None
        plot = self.plot_tabs.currentWidget()
        assert isinstance(plot, FollowerScatter)
        everyone = self.model.view_filter.include_unfollowed or not snapshot.unfollowed.any()
        plotted = self._plotted.get(plot)
        preparing = self._preparing.get(plot)
        if plotted is not None and plotted.population.is_of(snapshot, everyone):
            self._preparing.pop(plot, None)  # e.g. "include unfollowed" ticked and unticked: the old points win
        elif preparing is None or not preparing.is_of(snapshot, everyone):
            positions = slice(None) if everyone else ~snapshot.unfollowed  # a mask: no 1M-element search here
            self._prepare_points(plot, PlotPopulation(snapshot, everyone, positions))
            plotted = self._plotted.get(plot)  # the points may be shown already (a runner that runs inline)
        if plotted is not None and plotted.population.snapshot is snapshot:
            self._highlight(plot, plotted)  # also while the other population's points are on the way

    def _prepare_points(self, plot: FollowerScatter, population: PlotPopulation) -> None:
        assert self.model is not None
        kind = self._plot_kinds[plot]
        now = self.context.clock.now()
        mask = self.model.filter_mask
        frame = plot.frame_spec()
        self._preparing[plot] = population
        self.jobs.tasks.run_task(
            "Preparing the followers plot",
            lambda: follower_plot_points(population.snapshot, population.positions, kind, now, mask, frame=frame),
            lambda points: self._show_prepared(plot, PlottedFollowers(population, mask), points),
            lambda sentence: self._preparation_failed(plot, population, sentence),
            key=f"followers-plot-points-{kind}",  # latest wins: a newer population replaces an older one
            owner=self,
        )

    def _show_prepared(self, plot: FollowerScatter, prepared: PlottedFollowers, points: PreparedPoints) -> None:
        population = prepared.population
        if self._preparing.get(plot) is not population:
            return  # another population was asked for since, or the account changed
        del self._preparing[plot]
        if self.model is None or self.model.snapshot is not population.snapshot:
            return  # the model moved on to a newer snapshot while this plot was hidden: caught up when shown
        plot.show_points(points)
        self._plotted[plot] = prepared
        self._highlight(plot, prepared)  # the filter may have changed while the points were prepared

    def _preparation_failed(self, plot: FollowerScatter, population: PlotPopulation, sentence: str) -> None:
        if self._preparing.get(plot) is population:
            del self._preparing[plot]  # the next view change tries again
        messages.warning(sentence)

    def _highlight(self, plot: FollowerScatter, plotted: PlottedFollowers) -> None:
        """Highlight the model's current filter mask on the points the plot shows."""
        assert self.model is not None
        mask = self.model.filter_mask
        if plotted.filter_mask is mask:
            return  # a sort or search change: the highlighted followers are the same
        plot.set_selected(mask[plotted.population.positions])
        self._plotted[plot] = PlottedFollowers(plotted.population, mask)

    def tooltip_for(self, follower_id: int) -> str:
        if self.owner_id is None:
            return ""
        row = self.context.followers.follower_row(self.owner_id, follower_id, self.tiers)
        if row is None:
            return ""
        f = row.record
        return (f"@{f.username} — {f.name}\n"
                f"{f.followers_count:,} followers · {f.following_count:,} following · {f.tweet_count:,} posts\n"
                f"Joined {format_date(f.created_at) or 'unknown'} · tier {self.tiers[row.tier].name}"
                f"{' · verified' if f.verified else ''}\n"
                f"DM: {dm_status_label(row.dm_status)}")

    def select_follower(self, follower_id: int) -> None:
        if self.model is None:
            return
        row = self.model.row_of_follower(follower_id)
        if row is None:
            messages.info("That follower is hidden by the filter or the search text.")
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                           | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- fetching --------------------------------------------------------------------------------------
    def start_fetch(self, *, automatic: bool = False, new_only: bool = False) -> JobWorker | None:
        """Fetch (or resume) every follower in a job, or with `new_only` only those who came since the last fetch,
        after its price. Returns the job's worker, or None when it was refused or waits for its price.

        A click first reads the account's follower count (one look-up of X, in a task thread), shows the
        estimate of both refreshes and, above the threshold, asks; "No" starts nothing. The Sandbox never asks,
        so its job tells the price itself before it reads. An `automatic` (scheduled) fetch never asks (the
        budgets govern it) and reports failure in the status bar only, so a fetch running elsewhere (a cron job,
        say) never piles up dialogs: the timer simply tries again."""
        simulated = self.context.is_sandbox
        if automatic or simulated or self.jobs.is_running(JobName.FETCH_FOLLOWERS):
            # A second start is refused by the controller, with its sentence.
            return self._start_fetch_job(automatic=automatic, new_only=new_only,
                                         tell_price=simulated and not automatic)
        context = self.context
        self.jobs.tasks.run_task("Estimating what the fetch costs", lambda: followers_fetch_prices(context),
                                 lambda prices: self._confirm_fetch(prices, new_only=new_only),
                                 key=FETCH_ESTIMATE_TASK, owner=self)
        return None

    def _confirm_fetch(self, prices: FollowersFetchPrices, *, new_only: bool) -> None:
        new_only = new_only and prices.new_only is not None  # nothing stored yet: the first fetch reads them all
        what = "Fetch new followers only" if new_only else "Fetch all followers"
        if confirm_cost(self, prices.of(new_only), what=what, simulated=False, choice=prices.choice):
            self._start_fetch_job(automatic=False, new_only=new_only)

    def _start_fetch_job(self, *, automatic: bool, new_only: bool = False,
                         tell_price: bool = False) -> JobWorker | None:
        context = self.context

        def fetch(api: ApiSession, ctx: JobContext) -> FetchResult:
            if tell_price:  # the Sandbox's (simulated) price, said as the CLI prints it, without a question
                prices = fetch_prices_in(api, context.prices)
                told = estimate_text(prices.of(new_only), simulated=True)
                messages.info(f"{told} {prices.choice}" if prices.choice else told)
            return fetch_followers(api.conn, api.gateway, api.pacer, context.clock, progress=ctx.progress,
                                   cancel=ctx.cancel, new_only=new_only)

        job = api_job(context, fetch, lock=JobKind.FOLLOWERS_FETCH)
        title = NEW_FOLLOWERS_TITLE if new_only else FETCH_TITLE
        return self.jobs.start(JobName.FETCH_FOLLOWERS, title, job, on_success=self._fetched, quiet=automatic)

    def _fetched(self, result: FetchResult) -> None:
        self.context.remember_owner(result.owner_id)
        if self.owner_id != result.owner_id:
            self.owner_id = result.owner_id
            self._build_model()
        if result.new_only:
            messages.info(f"Fetched the new followers: {result.new_followers:,} new ({result.fetched:,} read).")
        else:
            messages.info(f"Fetched {result.total_in_run:,} followers; {result.unfollowed:,} left since the last "
                          "fetch.")

    def _auto_fetch(self) -> None:
        if not self.jobs.is_running(JobName.FETCH_FOLLOWERS):
            self.start_fetch(automatic=True)
