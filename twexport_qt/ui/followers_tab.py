"""Followers: filter form, sortable table over the store, two scatter plots with hover details, summary.

Table, plots, count label and summary all come from the view the table model composed over one
`FollowerSnapshot`: a filter change is array work (mask, table rows, `set_selected` on the plots) with no query
in the GUI thread, and whatever needs SQL at a large size (loading the snapshot, bio/location/DM criteria,
search, text sorts) runs in the query thread (`services/followers_queries.py`) while a busy hint shows. A new
snapshot's plot points (display coordinates, hover index: ~0.3 s at a million) are prepared in a task thread
(`followers/plot_points.py`); the plot keeps its old points until they arrive. The tab reads through
`context.followers` only and fetches in a job, after showing its price (`ui/cost_confirmation.py`). Views
refresh by themselves when any job changes the data (the seed's "auto refresh").

While its fetch runs, each committed page reaches the tab (`JobContext.stored`, a `PageStored`): the table
appends the followers stored since its snapshot (`FollowersTableModel.append_new_followers`: only the new rows
are read, so a page shows within a second even at a million followers), keeping sort, filter, selection and
the follower at the top of the table in place; the plots follow one preparation at a time.

The plots highlight exactly the table's rows (filter and search). Filter and summary panels give way to the
table and plots on small screens (splitters, scrolling, collapsible); splitters, column widths and the sort are
remembered in the data folder's UI state (`ui/ui_state.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
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
from twexport_qt.core.timefmt import format_local_date
from twexport_qt.followers.fetch import FetchResult, PageStored, fetch_followers
from twexport_qt.followers.filters import FollowerFilter, prepare_word_matching
from twexport_qt.followers.plot_points import FollowerPlotKind, PreparedPoints, follower_plot_points, framing_rect
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.view_planner import QueryResult, ViewState
from twexport_qt.profile_mapping import default_filter, domain_tiers
from twexport_qt.services.cost_estimates import FollowersFetchPrices, fetch_prices_in, followers_fetch_prices
from twexport_qt.services.jobs import JobContext, JobName, api_job
from twexport_qt.store.dm_states import dm_status_label
from twexport_qt.store.job_locks import JobKind
from twexport_qt.ui.cost_confirmation import confirm_cost, estimate_text
from twexport_qt.ui.filter_panel import FilterPanel
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.followers_table_model import COLUMN_OF_FIELD, COLUMNS, FollowersTableModel
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import TextTone, tier_colours, tone_style
from twexport_qt.ui.plot_actions import FollowerPlotActions
from twexport_qt.ui.scatter_plot import FollowerScatter
from twexport_qt.ui.sort_arrow_style import use_reading_sort_arrow
from twexport_qt.ui.summary_panel import SummaryPanel
from twexport_qt.ui.ui_state import ui_state
from twexport_qt.workers.job_worker import JobWorker

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150  # like the filter form: one query when typing pauses, not one per keystroke
DEFAULT_SORT_FIELD = "followers_count"  # the model's own default
DEFAULT_SORT_ORDER = Qt.SortOrder.DescendingOrder
FETCH_TITLE = "Fetching followers"
NEW_FOLLOWERS_TITLE = "Fetching new followers"
FETCH_ESTIMATE_TASK = "followers-fetch-estimate"
# Pages can arrive many a second (the Sandbox) or one a minute (X's limits): the rows stored within this much
# time of a first page are shown together, well inside the second a user should wait.
LIVE_UPDATE_MS = 100
STATE_SAVE_DELAY_MS = 500  # splitter drags and column resizes come in bursts: remember them when they pause
RESTORED_SELECTION_LIMIT = 100  # selected followers found again after a reload (a look-up each)
ROW_HEIGHT_PX = 22
# Layout: what the panels and views get when nothing is remembered, and what they never go below.
FILTER_PANEL_MAX_WIDTH = 380
SUMMARY_WIDTH = 230
SUMMARY_MIN_WIDTH = 160
PLOTS_MIN_HEIGHT = 240
TABLE_MIN_ROWS = 4
TABLE_HEIGHT_SHARE = 0.4  # of the right-hand column's height; the plots get the rest
SEARCH_MAX_WIDTH = 480


class UiStateKey(StrEnum):
    """Where the tab's remembered layout lives in the UI state file."""

    MAIN_SPLITTER = "followers/main_splitter"  # filter panel | table and plots
    RIGHT_SPLITTER = "followers/right_splitter"  # table over plots
    LOWER_SPLITTER = "followers/lower_splitter"  # plots | summary
    HEADER = "followers/table_header"  # column widths (QHeaderView.saveState)
    HEADER_COLUMNS = "followers/table_columns"  # the columns HEADER was saved for: another layout is not restored
    SORT_FIELD = "followers/sort_field"
    SORT_DESCENDING = "followers/sort_descending"


@dataclass(frozen=True)
class TablePlace:
    """Where the user is in the table, by follower, so a reload or new rows do not move it: the follower at the
    top of the viewport (None: at the very top, where new rows may come in) and the selected ones."""

    state: ViewState | None
    top_follower: int | None
    selected: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class PlotPopulation:
    """The followers a plot shows: a snapshot's current followers, or everyone (those who left too)."""

    snapshot: FollowerSnapshot
    everyone: bool  # those who left are plotted too
    positions: np.ndarray | slice  # which snapshot positions are points (all, or a bool mask), in snapshot order

    def is_of(self, snapshot: FollowerSnapshot, everyone: bool) -> bool:
        return self.snapshot is snapshot and self.everyone == everyone

    def catches_up_to(self, snapshot: FollowerSnapshot, everyone: bool) -> bool:
        """Is this an earlier state of `snapshot`'s population (a live fetch's previous page)?"""
        return self.everyone == everyone and self.snapshot is not snapshot and snapshot.continues(self.snapshot)


@dataclass(frozen=True, eq=False)
class PlottedFollowers:
    """What a plot shows: its population's points and the table's rows (filter and search) highlighted."""

    population: PlotPopulation
    highlight_mask: np.ndarray  # per snapshot position; compared by identity (the model keeps the same array)


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
        self._fetching_profile = context.profile.name  # the profile of the running (or last) followers fetch
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
        self.filter_panel.wordsFieldEntered.connect(self._prepare_word_matching)
        self.filter_panel.filterInvalid.connect(lambda _sentence: self.set_results_stale(True))
        self.filter_state.set_flush(self.filter_panel.flush)
        self.filter_scroll = filter_scroll = QScrollArea(widgetResizable=True)
        filter_scroll.setWidget(self.filter_panel)
        filter_scroll.setFrameShape(QFrame.Shape.NoFrame)
        filter_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        filter_scroll.setMinimumWidth(self.filter_panel.minimumSizeHint().width()
                                      + filter_scroll.verticalScrollBar().sizeHint().width())

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
        self.count_label = QLabel(wordWrap=True)  # two lines rather than a wider window
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.busy_label = QLabel("Updating…")
        self.busy_label.setStyleSheet(tone_style(TextTone.QUIET))
        self.busy_label.hide()
        self.stale_label = QLabel("These results are for the last valid filter: correct the filter to update them.",
                                  wordWrap=True)
        self.stale_label.setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 2px 6px; }")
        self.stale_label.hide()
        self.table = QTableView()
        header = self.table.horizontalHeader()
        use_reading_sort_arrow(header)
        header.setSortIndicator(COLUMN_OF_FIELD[DEFAULT_SORT_FIELD], DEFAULT_SORT_ORDER)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        # Fixed row heights: the header then never measures rows, whatever the row count.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT_PX)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(header.sizeHint().height() + TABLE_MIN_ROWS * ROW_HEIGHT_PX
                                    + 2 * self.table.frameWidth())
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.setMinimumWidth(140)
        self.search.setMaximumWidth(SEARCH_MAX_WIDTH)

        self.plot_network = FollowerScatter(tooltip_provider=self.tooltip_for)
        self.plot_age = FollowerScatter(tooltip_provider=self.tooltip_for)
        self._plot_kinds = {self.plot_network: FollowerPlotKind.NETWORK, self.plot_age: FollowerPlotKind.AGE}
        for plot in (self.plot_network, self.plot_age):
            plot.pointClicked.connect(self.select_follower)
        self.plot_tabs = plots = QTabWidget()
        plots.addTab(self.plot_network, "Followers vs following")
        plots.addTab(self.plot_age, "Followers vs account age")
        plots.currentChanged.connect(lambda _index: self._on_view_changed())
        plots.setMinimumHeight(PLOTS_MIN_HEIGHT)
        self.summary_panel = SummaryPanel()
        summary_scroll = QScrollArea(widgetResizable=True)
        summary_scroll.setWidget(self.summary_panel)
        summary_scroll.setFrameShape(QFrame.Shape.NoFrame)
        summary_scroll.setMinimumWidth(SUMMARY_MIN_WIDTH)

        top_bar = QHBoxLayout()
        top_bar.addWidget(self.fetch_button)
        top_bar.addWidget(self.fetch_new_button)
        top_bar.addWidget(self.search, 1)
        top_bar.addWidget(self.busy_label)
        # Shares the room with the search box, which stops at SEARCH_MAX_WIDTH: one line when there is room.
        top_bar.addWidget(self.count_label, 1)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top_bar)
        table_layout.addWidget(self.stale_label)
        table_layout.addWidget(self.table)
        # Extra room goes to the table and the plots (stretch); the filter and summary panels keep about their
        # natural width at any window size, and either can be dragged shut.
        self.lower_splitter = lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(plots)
        lower.addWidget(summary_scroll)
        lower.setStretchFactor(0, 1)
        lower.setStretchFactor(1, 0)
        lower.setCollapsible(0, False)
        self.right_splitter = right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(table_box)
        right.addWidget(lower)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setChildrenCollapsible(False)
        self.main_splitter = main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(filter_scroll)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # the tab widget draws its own frame around the page
        layout.addWidget(main)
        self._default_layout_pending = True  # sized once the tab first has its real size (see resizeEvent)

        self.auto_fetch_timer = QTimer(self)
        self.auto_fetch_timer.timeout.connect(self._auto_fetch)
        jobs.dataChanged.connect(lambda _name: self.refresh())
        # A fetch's pages, queued here from its thread; shown together when they come in bursts.
        self._live_timer = QTimer(self, singleShot=True, interval=LIVE_UPDATE_MS)
        self._live_timer.timeout.connect(self._show_stored_followers)
        self._place: TablePlace | None = None  # where the user was before the rows changed
        self._results_stale = False
        self._state_save_timer = QTimer(self, singleShot=True, interval=STATE_SAVE_DELAY_MS)
        self._state_save_timer.timeout.connect(self.save_ui_state)
        self._header_state = self._restore_ui_state()
        for splitter in (main, right, lower):
            splitter.splitterMoved.connect(lambda _pos, _index: self._state_save_timer.start())
        header.sectionResized.connect(lambda *_sizes: self._state_save_timer.start())
        header.sortIndicatorChanged.connect(lambda *_sort: self._state_save_timer.start())
        self._wire_plot_actions()
        self.profile_changed()

    # -- profile / data --------------------------------------------------------------------------------
    def profile_changed(self) -> None:
        self.tiers = domain_tiers(self.context.profile)
        self.owner_id = self.context.known_owner_id()
        self._drop_model()  # the old account's model must not do the default filter's work below
        self.filter_panel.set_tiers(self.tiers)
        # The filter this profile was left with (remembered per profile), else its saved default.
        self.filter_panel.set_filter(self.filter_state.restore(self.context.data_dir, self.context.profile.name,
                                                               default_filter(self.context.profile)))
        self.filter_panel.flush()
        for plot in (self.plot_network, self.plot_age):
            plot.set_tier_palette(tier_colours(len(self.tiers)), [tier.name for tier in self.tiers])
        self._build_model()
        minutes = self.context.profile.auto_fetch_minutes
        if minutes:
            self.auto_fetch_timer.start(minutes * 60_000)
        else:
            self.auto_fetch_timer.stop()
        self._read_following_state()

    def _read_following_state(self) -> None:
        """Whether a complete fetch of who the user follows exists: the filter's relationship (mutuals, fans)
        applies only then. Read in a task thread: it counts over the stored followers."""
        self.jobs.tasks.run_task("Reading whether who you follow is fetched", self.context.following.counts,
                                 self.filter_panel.show_following_counts, key="followers-relationship", owner=self)

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
            # Rows added (a fetch's page) or the data reloaded: the user keeps their place (see TablePlace).
            model.layoutAboutToBeChanged.connect(self._remember_place)
            model.layoutChanged.connect(self._restore_place)
            model.modelAboutToBeReset.connect(self._remember_place)
            model.modelReset.connect(self._restore_place)
            self.model = model
            self.table.setModel(model)
            if self._header_state is not None:  # column widths (and the sort set above): remembered, or kept
                self.table.horizontalHeader().restoreState(self._header_state)
        self.fetch_new_button.setEnabled(self.owner_id is not None)  # new since what? Nothing is stored yet
        # A small account was loaded inline, before the signals above were connected.
        self._on_busy(self.model is not None and self.model.is_busy)
        self._on_view_changed()

    def _drop_model(self) -> None:
        if self.model is not None:
            self._header_state = self.table.horizontalHeader().saveState()  # the next model keeps the widths
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
        self._read_following_state()

    def _prepare_word_matching(self) -> None:
        """The bio-word filter's library, loaded in a pool thread while the user types the words: loaded by the
        filter itself, on the GUI thread, it would freeze the window for a second or two the first time."""
        self.jobs.tasks.run_task("Preparing the bio-word filter", prepare_word_matching, lambda _none: None,
                                 key="prepare-word-matching", owner=self)

    def apply_filter(self, follower_filter: FollowerFilter) -> None:
        self.current_filter = follower_filter
        self.filter_state.set(follower_filter)
        self.set_results_stale(False)
        if self.model is not None:
            self.model.set_filter(follower_filter)

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected to be typed over (the window's Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    @property
    def results_stale(self) -> bool:
        return self._results_stale

    def set_results_stale(self, stale: bool) -> None:
        """Say above the table that table and plots show the last valid filter's results, not the form's (while
        the filter form holds a filter that cannot be applied)."""
        self._results_stale = stale
        self.stale_label.setVisible(stale)

    @Slot()
    def shutdown(self) -> None:
        """Stop the query thread (also done at application exit); call before dropping the tab."""
        self.save_ui_state()
        self.queries.shutdown()

    @Slot(object)
    def _on_query_answered(self, result: QueryResult) -> None:
        if self.model is not None:  # else the account changed meanwhile: nobody wants the answer
            self.model.take_result(result)

    def _apply_search(self) -> None:
        if self.model is not None:
            self.model.set_search_text(self.search.text())

    # -- the user's place in the table ---------------------------------------------------------------
    @Slot()
    def _remember_place(self) -> None:
        """Before rows are added or the data reloaded: the follower at the top (when scrolled) and the selected."""
        model = self.model
        if model is None:
            return
        top_row = self.table.rowAt(0) if self.table.verticalScrollBar().value() > 0 else -1
        selected = tuple(follower for index in self.table.selectionModel().selectedRows()[:RESTORED_SELECTION_LIMIT]
                         if (follower := model.follower_id_at(index.row())) is not None)
        self._place = TablePlace(model.view_state, model.follower_id_at(top_row), selected)

    @Slot()
    def _restore_place(self) -> None:
        """After rows were added (the selection moved with them) or the data reloaded with the same filter,
        search and sort: the same follower at the top, the same followers selected."""
        place, self._place = self._place, None
        model = self.model
        if model is None or place is None or place.state != model.view_state or not model.rowCount():
            return  # nothing remembered, or the user asked for other rows (filter, search, sort)
        selection_model = self.table.selectionModel()
        if place.selected and not selection_model.hasSelection():  # a reset: rows are found again by follower
            selection = QItemSelection()
            last_column = model.columnCount() - 1
            for follower in place.selected:
                row = model.row_of_follower(follower)
                if row is not None:
                    selection.select(model.index(row, 0), model.index(row, last_column))
            selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if place.top_follower is not None:
            row = model.row_of_follower(place.top_follower)
            if row is not None:
                self._scroll_to_top_row(row)

    def _scroll_to_top_row(self, row: int) -> None:
        """Scroll `row` to the top of the viewport, leaving the horizontal scroll where the user has it."""
        self.table.updateGeometries()  # the scroll range must already hold the rows just added
        per_item = self.table.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem
        self.table.verticalScrollBar().setValue(row if per_item else row * ROW_HEIGHT_PX)

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
        are prepared in a task thread (latest wins), highlighted with the table's rows of the moment (a read-only
        mask, so the thread may read it); a filter or search changed meanwhile is applied when they arrive.
        While a fetch adds followers, one preparation runs at a time: the points of an earlier page are shown
        when ready, then the newest rows' are prepared (else each page would discard the one before at a
        million followers, and the plot would wait for the end of the fetch).
        """
        assert self.model is not None
        plot = self.plot_tabs.currentWidget()
        assert isinstance(plot, FollowerScatter)
        everyone = self.model.view_filter.include_unfollowed or not snapshot.unfollowed.any()
        plotted = self._plotted.get(plot)
        preparing = self._preparing.get(plot)
        if plotted is not None and plotted.population.is_of(snapshot, everyone):
            self._preparing.pop(plot, None)  # e.g. "include unfollowed" ticked and unticked: the old points win
        elif preparing is not None and preparing.catches_up_to(snapshot, everyone):
            pass  # an earlier page's points are on the way: this snapshot's follow once they are shown
        elif preparing is None or not preparing.is_of(snapshot, everyone):
            positions = slice(None) if everyone else ~snapshot.unfollowed  # a mask: no 1M-element search here
            self._prepare_points(plot, PlotPopulation(snapshot, everyone, positions))
            plotted = self._plotted.get(plot)  # the points may be shown already (a runner that runs inline)
        if plotted is not None and snapshot.continues(plotted.population.snapshot):
            self._highlight(plot, plotted)  # also while the other population's points are on the way

    def _prepare_points(self, plot: FollowerScatter, population: PlotPopulation) -> None:
        assert self.model is not None
        kind = self._plot_kinds[plot]
        now = self.context.clock.now()
        mask = self.model.shown_mask
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
        snapshot = self.model.snapshot if self.model is not None else None
        if snapshot is None or not snapshot.continues(population.snapshot):
            return  # the model moved on to other data while this plot was hidden: caught up when shown
        before = self._plotted.get(plot)
        live = before is not None and population.snapshot.continues(before.population.snapshot)
        self._show_points(plot, points, keep_zoom=live)
        self._plotted[plot] = prepared
        self._highlight(plot, prepared)  # the filter may have changed while the points were prepared
        if snapshot is not population.snapshot and plot is self.plot_tabs.currentWidget():
            self._update_plots(snapshot)  # followers stored meanwhile: their points next

    @staticmethod
    def _show_points(plot: FollowerScatter, points: PreparedPoints, *, keep_zoom: bool) -> None:
        """Show `points`, framed; with `keep_zoom` (more followers of a live fetch), a view the user zoomed or
        panned stays as it is rather than jumping back with every page."""
        view_box = plot.plot_item.getViewBox()
        (x0, x1), (y0, y1) = view_box.viewRange()
        framed = framing_rect(plot.points.extent)
        zoomed = keep_zoom and framed is not None and not np.allclose((x0, x1, y0, y1), framed)
        plot.show_points(points)
        if zoomed:
            view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _preparation_failed(self, plot: FollowerScatter, population: PlotPopulation, sentence: str) -> None:
        if self._preparing.get(plot) is population:
            del self._preparing[plot]  # the next view change tries again
        messages.warning(sentence)

    def _highlight(self, plot: FollowerScatter, plotted: PlottedFollowers) -> None:
        """Highlight the table's rows (filter and search) on the points the plot shows, which are of the model's
        snapshot or of an earlier one of its lineage (a prefix of it)."""
        assert self.model is not None
        mask = self.model.shown_mask
        if plotted.highlight_mask is mask:
            return  # a sort change: the highlighted followers are the same
        population = plotted.population
        plot.set_selected(mask[:len(population.snapshot)][population.positions])
        self._plotted[plot] = PlottedFollowers(population, mask)

    def tooltip_for(self, follower_id: int) -> str:
        if self.owner_id is None:
            return ""
        row = self.context.followers.follower_row(self.owner_id, follower_id, self.tiers)
        if row is None:
            return ""
        f = row.record
        return (f"@{f.username} — {f.name}\n"
                f"{f.followers_count:,} followers · {f.following_count:,} following · {f.tweet_count:,} posts\n"
                f"Joined {format_local_date(f.created_at) or 'unknown'} · tier {self.tiers[row.tier].name}"
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

    # -- plot actions (owned by ui/plot_actions.py) -----------------------------------------------------
    def _wire_plot_actions(self) -> None:
        """The plots' context menu (open profile, copy username, do-not-contact, export the zoom, reset zoom) and
        the table selection ↔ ringed point link; clicks on points already select rows (`select_follower`)."""
        self.plot_actions = FollowerPlotActions(self, (self.plot_network, self.plot_age), self)

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
                                   cancel=ctx.cancel, new_only=new_only, on_page_stored=ctx.stored)

        job = api_job(context, fetch, lock=JobKind.FOLLOWERS_FETCH)
        title = NEW_FOLLOWERS_TITLE if new_only else FETCH_TITLE
        # The profile the fetch runs for: the account it learns is that profile's, whichever is active by then.
        self._fetching_profile = context.profile.name
        worker = self.jobs.start(JobName.FETCH_FOLLOWERS, title, job, on_success=self._fetched, quiet=automatic)
        if worker is not None:
            # Queued to this GUI-thread widget. Connected once the job runs, but its first page comes after an
            # answer of X (or the Sandbox); any page missed would show with the next one, or at the job's end.
            worker.stored.connect(self._on_page_stored)
        return worker

    @Slot(object)
    def _on_page_stored(self, page: PageStored) -> None:
        """A page of the running fetch is committed: show the followers stored so far (see LIVE_UPDATE_MS)."""
        if not isinstance(page, PageStored):
            return
        self.context.remember_owner(page.owner_id, self._fetching_profile)
        if self._fetching_profile != self.context.profile.name:
            return  # the user switched profile meanwhile: this page is another profile's
        if self.owner_id != page.owner_id:  # the first page of a first fetch: now there is an account to show
            self.owner_id = page.owner_id
            self._build_model()  # it loads what is stored, this page included
        elif not self._live_timer.isActive():
            self._live_timer.start()

    def _show_stored_followers(self) -> None:
        if self.model is not None:
            self.model.append_new_followers()

    def _fetched(self, result: FetchResult) -> None:
        self.context.remember_owner(result.owner_id, self._fetching_profile)
        if self._fetching_profile != self.context.profile.name:
            messages.info(f"The followers fetch of the profile {self._fetching_profile!r} finished "
                          f"({result.fetched:,} read).")
            return  # the user switched profile meanwhile: the view shows the profile now active
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

    # -- layout and remembered state -------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._default_layout_pending and self.isVisible():
            self._default_layout_pending = False
            self._apply_default_layout()

    def _apply_default_layout(self) -> None:
        """Share the tab's space when nothing is remembered: the filter panel at its natural width (wider
        screens give it no more), the summary narrow, the table about two fifths of the height and the plots
        the rest, so a 1024×700 window still shows a tall plot and several rows."""
        width = self.main_splitter.width()
        filter_width = min(max(self.filter_scroll.minimumWidth(), width // 4), FILTER_PANEL_MAX_WIDTH)
        self.main_splitter.setSizes([filter_width, max(width - filter_width, 1)])
        lower_width = max(width - filter_width, 1)
        self.lower_splitter.setSizes([max(lower_width - SUMMARY_WIDTH, 1), SUMMARY_WIDTH])
        height = self.right_splitter.height()
        table_height = max(int(height * TABLE_HEIGHT_SHARE), self.table.minimumHeight())
        self.right_splitter.setSizes([table_height, max(height - table_height, 1)])

    def _restore_ui_state(self) -> QByteArray | None:
        """Splitters and sort as remembered (a state that no longer fits is ignored); the header state to give
        the table once it has a model, if it was saved for the same columns."""
        settings = ui_state(self.context.data_dir)
        restored = [splitter.restoreState(state) for splitter, state in self._saved_splitters(settings)]
        if restored and all(restored):
            self._default_layout_pending = False
        field = settings.value(UiStateKey.SORT_FIELD)
        if isinstance(field, str) and field in COLUMN_OF_FIELD:
            descending = settings.value(UiStateKey.SORT_DESCENDING, True, type=bool)
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.table.horizontalHeader().setSortIndicator(COLUMN_OF_FIELD[field], order)
        header = settings.value(UiStateKey.HEADER)
        if isinstance(header, QByteArray) and settings.value(UiStateKey.HEADER_COLUMNS) == _column_signature():
            return header
        return None

    def _saved_splitters(self, settings: QSettings) -> list[tuple[QSplitter, QByteArray]]:
        found = []
        for splitter, key in self._splitter_keys():
            state = settings.value(key)
            if isinstance(state, QByteArray):
                found.append((splitter, state))
        return found

    def _splitter_keys(self) -> tuple[tuple[QSplitter, UiStateKey], ...]:
        return ((self.main_splitter, UiStateKey.MAIN_SPLITTER), (self.right_splitter, UiStateKey.RIGHT_SPLITTER),
                (self.lower_splitter, UiStateKey.LOWER_SPLITTER))

    @Slot()
    def save_ui_state(self) -> None:
        """Remember splitters, column widths and sort in the data folder's UI state (also done at exit)."""
        self._state_save_timer.stop()
        settings = ui_state(self.context.data_dir)
        if not self._default_layout_pending:  # never shown at its size: nothing the user arranged
            for splitter, key in self._splitter_keys():
                settings.setValue(key, splitter.saveState())
        header = self.table.horizontalHeader()
        if self.model is not None:  # without a model the header has no sections to remember
            settings.setValue(UiStateKey.HEADER, header.saveState())
            settings.setValue(UiStateKey.HEADER_COLUMNS, _column_signature())
        section = header.sortIndicatorSection()
        if 0 <= section < len(COLUMNS):
            settings.setValue(UiStateKey.SORT_FIELD, COLUMNS[section].field)
            settings.setValue(UiStateKey.SORT_DESCENDING, header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
        settings.sync()


def _column_signature() -> str:
    """The table's columns, as remembered with its header state: a header saved for other columns is not used."""
    return ",".join(column.field for column in COLUMNS)
