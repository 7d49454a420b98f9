"""Growth: is the audience growing, who left and who came. The "since last week" line, a chart of the follower count at
every complete fetch with the joined (up) and left (down) bars under it, and the "Who left" and "Who is new" tables
for a chosen window, each exportable (CSV or Excel, chosen columns, as File → Export's tables), and, on the chart's
second page, how those who left in that window differ from those who stayed (a metric's shares).

Everything is read from the follower history (`context.history`) off the GUI thread, the newest request winning, and
only while the tab is shown: a job that wrote data while it is hidden marks it stale, and showing it reads again.
The tables count with the history's id columns (no object per row) and read the profiles of the rows they show only,
at most `SHOWN_ROWS`, in one batch (`HistoryService.stored_profiles`), so a year of a million followers' churn stays
quick. The chart page and the churn metric shown are remembered (`ui_state`) for the next start. The chart takes its
colours from the palette and follows light and dark mode; hovering it tells a fetch's exact figures and local time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.exports.formats import ExportFormat, TableOptions, format_for_path
from twexport_qt.followers.churn_profile import ChurnMetric, ChurnProfile, MetricDistribution
from twexport_qt.followers.history import CHANGE_COLUMNS, ChangeSummary, GrowthPoint
from twexport_qt.services.history import ChangeExportKind, HistoryService
from twexport_qt.ui.export_options_dialog import ExportOptionsDialog, load_table_options, save_table_options
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import (
    TextTone,
    colour_chart,
    follow_palette,
    plot_colours,
    tier_colours,
    tone_colour,
)
from twexport_qt.ui.records_model import Column, Index, RecordTableModel, record_table
from twexport_qt.ui.ui_state import ui_state

HISTORY_TASK = "growth-history"
EXPORT_TASK = "growth-export"
SHOWN_ROWS = 1_000  # rows a table shows; the export writes them all
DAY_S = 86_400
BAR_SHARE = 0.35  # of the shortest gap between two fetches: a fetch's two bars never touch the next fetch's
HOVER_PIXELS = 12  # how near the pointer must be to a fetch, across, for its tooltip
EMPTY_HISTORY = "History starts with your first complete fetch; growth shows after the second."
NO_FOLLOWERS = "No followers are stored yet: fetch them first (Tools → Fetch followers)."
CSV_FILTER = "CSV files (*.csv)"
XLSX_FILTER = "Excel workbook (*.xlsx)"
JOINED_TIER = 5  # the teal of the tier colours: "came" reads apart from the red of "left" in both palettes


class ChangeWindow(StrEnum):
    """How far back the Who left and Who is new tables look; the values are the combo's labels."""

    WEEK = "Last 7 days"
    MONTH = "Last 30 days"
    QUARTER = "Last 90 days"
    ALL = "All history"

    @property
    def days(self) -> int | None:
        return {ChangeWindow.WEEK: 7, ChangeWindow.MONTH: 30, ChangeWindow.QUARTER: 90}.get(self)


TITLES = {ChangeExportKind.LEFT: "Who left", ChangeExportKind.NEW: "Who is new"}
EXPORT_TITLES = {ChangeExportKind.LEFT: "Followers who left", ChangeExportKind.NEW: "New followers"}


@dataclass(frozen=True)
class ChangeEntry:
    """One shown row: a follower who left or came, with their profile as last stored (empty if never stored)."""

    user_id: int
    username: str
    name: str
    followers: int | None
    seen_at: int  # the complete fetch that saw the change (epoch seconds)


@dataclass(frozen=True)
class ChangeList:
    """A table's rows: the first `SHOWN_ROWS` changes (latest first) and how many there are in all."""

    entries: tuple[ChangeEntry, ...]
    total: int

    def sentence(self, kind: ChangeExportKind) -> str:
        what = "left" if kind is ChangeExportKind.LEFT else "came"
        if self.total > len(self.entries):
            return f"Showing {len(self.entries):,} of {self.total:,} (the latest); the export writes them all."
        return f"{self.total:,} follower{'' if self.total == 1 else 's'} {what} in this period."


@dataclass(frozen=True)
class GrowthHistory:
    """What the tab shows, read in one go off the GUI thread."""

    points: tuple[GrowthPoint, ...]
    week: ChangeSummary
    changes: dict[ChangeExportKind, ChangeList]
    since: int | None  # the tables' window start, None: all history
    churn: ChurnProfile | None = None  # who left in the window vs who stays; None: no history yet


def read_growth(history: HistoryService, owner_id: int, *, now: int, window: ChangeWindow,
                shown_rows: int = SHOWN_ROWS) -> GrowthHistory:
    """The tab's data (runs in a pool thread): the growth series, the week's summary, the two tables and the
    comparison of who left in the window with who stayed."""
    since = None if window.days is None else now - window.days * DAY_S
    points = tuple(history.growth(owner_id))
    week = history.since_last_week(owner_id)
    changes: dict[ChangeExportKind, ChangeList] = {}
    left_ids = history.who_left_ids(owner_id, since=since)
    for kind, ids in ((ChangeExportKind.LEFT, left_ids),
                      (ChangeExportKind.NEW, history.who_is_new_ids(owner_id, since=since))):
        shown_ids = ids.user_ids[:shown_rows].tolist()
        profiles = history.stored_profiles(owner_id, shown_ids)
        entries = []
        for user_id, seen_at in zip(shown_ids, ids.seen_at[:shown_rows].tolist()):
            profile = profiles.get(user_id)
            entries.append(ChangeEntry(user_id, profile.username if profile else "", profile.name if profile else "",
                                       profile.followers_count if profile else None, seen_at))
        changes[kind] = ChangeList(tuple(entries), len(ids))
    churn = history.churn_profile(owner_id, left_ids.user_ids) if points else None
    return GrowthHistory(points, week, changes, since, churn)


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


WHEN_COLUMN: Column[ChangeEntry] = Column("When", lambda entry: entry.seen_at, format_local_datetime)
CHANGE_TABLE_COLUMNS: tuple[Column[ChangeEntry], ...] = (
    Column("Username", lambda entry: entry.username, lambda name: f"@{name}" if name else ""),
    Column("Name", lambda entry: entry.name),
    Column("Followers", lambda entry: entry.followers, _count),
    WHEN_COLUMN,
)
HEADER_TIPS = {
    "Followers": "How many followers they have themselves, as last fetched",
    "When": "The complete followers fetch that saw the change (it happened since the fetch before); your time",
}


class ChangesModel(RecordTableModel[ChangeEntry]):
    """A changes table: figures aligned right, headers explained in their tooltips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(CHANGE_TABLE_COLUMNS, parent)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(super().headerData(section, orientation))
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


def point_tooltip(point: GrowthPoint) -> str:
    """What hovering a fetch says: when (local time), the count, and what changed since the fetch before."""
    when = format_local_datetime(point.at)
    if point.first:
        return f"{when}\n{point.followers:,} followers: history starts here"
    return f"{when}\n{point.followers:,} followers\n+{point.joined:,} joined, \u2212{point.left:,} left"


class GrowthChart(QWidget):
    """The follower count at each complete fetch (a line with a dot per fetch) over the joined and left bars, both
    on one local-time date axis; hovering either plot near a fetch shows its tooltip.

    A widget around its plots, as the Audience charts, so its palette change finds them built."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.points: tuple[GrowthPoint, ...] = ()
        self._times = np.zeros(0)
        # pyqtgraph's DateAxisItem reads epoch seconds and, with no offset given, labels them in local time.
        self.count_plot = self.graphics.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.change_plot = self.graphics.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.change_plot.setXLink(self.count_plot)
        # One row of dates, under the bars: the count plot's axis keeps its ticks but not their labels.
        self.count_plot.getAxis("bottom").setStyle(showValues=False)
        self.count_plot.setLabel("left", "Followers")
        self.change_plot.setLabel("left", "Joined / left")
        for plot in (self.count_plot, self.change_plot):
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(64)  # both plots' data areas start at the same x
        self.count_line = pg.PlotDataItem([], [], symbol="o", symbolSize=5)
        self.count_plot.addItem(self.count_line)
        self.joined_bars = pg.BarGraphItem(x=[], height=[], width=1.0)
        self.left_bars = pg.BarGraphItem(x=[], height=[], width=1.0)
        self.change_plot.addItem(self.joined_bars)
        self.change_plot.addItem(self.left_bars)
        self.zero_line = pg.InfiniteLine(pos=0, angle=0)
        self.change_plot.addItem(self.zero_line)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        follow_palette(self, self.apply_palette)

    def apply_palette(self) -> None:
        colours = colour_chart(self.graphics, [self.count_plot, self.change_plot], self.palette())
        self.count_line.setPen(pg.mkPen(colours.accent, width=2))
        self.count_line.setSymbolBrush(colours.accent)
        self.count_line.setSymbolPen(None)
        self.joined_bars.setOpts(brush=self.joined_colour(), pen=None)
        self.left_bars.setOpts(brush=self.left_colour(), pen=None)
        self.zero_line.setPen(pg.mkPen(colours.foreground, width=1))

    def joined_colour(self) -> QColor:
        return tier_colours(JOINED_TIER + 1, dark=plot_colours(self.palette()).dark)[JOINED_TIER]

    def left_colour(self) -> QColor:
        return QColor(tone_colour(TextTone.PROBLEM, dark=plot_colours(self.palette()).dark))

    def set_points(self, points: tuple[GrowthPoint, ...] | list[GrowthPoint]) -> None:
        """One dot per complete fetch; the first fetch's "joined" (everyone history began with) is no bar."""
        self.points = tuple(points)
        times = np.array([point.at for point in self.points], dtype=float)
        self._times = times
        counts = np.array([point.followers for point in self.points], dtype=float)
        joined = np.array([0 if point.first else point.joined for point in self.points], dtype=float)
        left = np.array([point.left for point in self.points], dtype=float)
        gaps = np.diff(times)
        gaps = gaps[gaps > 0]
        width = float(gaps.min()) * BAR_SHARE if len(gaps) else DAY_S * BAR_SHARE
        self.count_line.setData(times, counts)
        # Joined just before the fetch's time, left just after: side by side, both centred on the fetch.
        self.joined_bars.setOpts(x=times - width / 2, height=joined, width=width)
        self.left_bars.setOpts(x=times + width / 2, height=-left, width=width)
        if len(times):
            low, high = float(times.min()), float(times.max())
            margin = max((high - low) * 0.03, width * 1.5)
            self.count_plot.setXRange(low - margin, high + margin, padding=0)
            self.count_plot.setYRange(float(counts.min()), float(counts.max()), padding=0.1)
            reach = max(float(joined.max()), float(left.max()), 1.0)
            self.change_plot.setYRange(-reach * 1.1, reach * 1.1, padding=0)

    def bar_heights(self) -> tuple[list[float], list[float]]:
        """The joined and left bars as drawn (left ones negative), one each per fetch, oldest first."""
        return ([float(h) for h in self.joined_bars.opts["height"]],
                [float(h) for h in self.left_bars.opts["height"]])

    def line_points(self) -> tuple[list[float], list[float]]:
        """The count line's points as drawn: (times, follower counts)."""
        xs, ys = self.count_line.getData()
        return ([] if xs is None else [float(x) for x in xs]), ([] if ys is None else [float(y) for y in ys])

    def point_at_scene(self, scene_pos: QPointF) -> GrowthPoint | None:
        """The fetch nearest to `scene_pos` across, within `HOVER_PIXELS`, on either plot; None elsewhere."""
        if not len(self._times):
            return None
        for plot in (self.count_plot, self.change_plot):
            view_box = plot.getViewBox()
            if not view_box.sceneBoundingRect().contains(scene_pos):
                continue
            at = view_box.mapSceneToView(scene_pos).x()
            nearest = int(np.abs(self._times - at).argmin())
            nearest_scene = view_box.mapViewToScene(QPointF(float(self._times[nearest]), 0.0))
            if abs(nearest_scene.x() - scene_pos.x()) <= HOVER_PIXELS:
                return self.points[nearest]
        return None

    def scene_position_of(self, index: int) -> QPointF:
        """Where fetch `index`'s dot is in the scene (for tests and the benchmark)."""
        point = self.points[index]
        return self.count_plot.getViewBox().mapViewToScene(QPointF(float(point.at), float(point.followers)))

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        point = self.point_at_scene(scene_pos)
        if point is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(self.graphics.mapToGlobal(self.graphics.mapFromScene(scene_pos)),
                              point_tooltip(point), self.graphics)


NOBODY_LEFT = "Nobody left in this period."
CHURN_BAR_WIDTH = 0.38  # of a bin's width, per group: the two bars of a bin side by side with a gap between bins


def churn_tooltip(distribution: MetricDistribution, index: int) -> str:
    """What hovering a bin says: its label and each group's share and count."""
    left, stayed = distribution.left, distribution.stayed
    return (f"{distribution.metric.value}: {distribution.labels[index]}\n"
            f"Left: {left.shares[index]:.1f}% ({left.counts[index]:,} of {left.total:,})\n"
            f"Stayed: {stayed.shares[index]:.1f}% ({stayed.counts[index]:,} of {stayed.total:,})")


class ChurnChart(QWidget):
    """Who left in the tables' period vs who stayed: a metric's bins (log bins of counts, or account age) as
    shares of each group, two bars per bin; a metric toggle and a legend row above; hovering a bin tells both
    groups' share and count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile: ChurnProfile | None = None
        self.metric_combo = QComboBox()
        for metric in ChurnMetric:
            self.metric_combo.addItem(metric.value, metric)
        self.metric_combo.setToolTip("Which figure to compare, as last fetched (account age: as of now)")
        self.metric_combo.currentIndexChanged.connect(lambda _index: self._draw())
        self.left_key = QLabel()
        self.stayed_key = QLabel()
        self.note_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.metric_combo)
        row.addWidget(self.left_key)
        row.addWidget(self.stayed_key)
        row.addSpacing(12)
        row.addWidget(self.note_label, 1)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("left", "Share (%)")
        self.left_bars = pg.BarGraphItem(x=[], height=[], width=CHURN_BAR_WIDTH)
        self.stayed_bars = pg.BarGraphItem(x=[], height=[], width=CHURN_BAR_WIDTH)
        self.plot.addItem(self.left_bars)
        self.plot.addItem(self.stayed_bars)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot_widget, 1)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        follow_palette(self, self.apply_palette)
        self._draw()

    @property
    def chosen_metric(self) -> ChurnMetric:
        return ChurnMetric(self.metric_combo.currentData())

    def set_metric(self, metric: ChurnMetric) -> None:
        self.metric_combo.setCurrentIndex(list(ChurnMetric).index(metric))

    def left_colour(self) -> QColor:
        return QColor(tone_colour(TextTone.PROBLEM, dark=plot_colours(self.palette()).dark))

    def stayed_colour(self) -> QColor:
        return plot_colours(self.palette()).accent

    def apply_palette(self) -> None:
        colour_chart(self.plot_widget, [self.plot], self.palette())
        self.left_bars.setOpts(brush=self.left_colour(), pen=None)
        self.stayed_bars.setOpts(brush=self.stayed_colour(), pen=None)
        # The legend row: a square of each bar's colour before its name (rich text, so it follows the palette).
        for key, colour, name in ((self.left_key, self.left_colour(), "Left"),
                                  (self.stayed_key, self.stayed_colour(), "Stayed")):
            key.setText(f'<span style="color:{colour.name()}">\u25a0</span> {name}')

    def set_profile(self, profile: ChurnProfile | None) -> None:
        self.profile = profile
        self._draw()

    def distribution(self) -> MetricDistribution | None:
        """The comparison drawn now; None without history or leavers."""
        if self.profile is None or self.profile.leavers == 0:
            return None
        return self.profile.of(self.chosen_metric)

    def shown_bins(self) -> int:
        """How many bins are drawn: up to the last one anybody is in (no empty 100k–999k and 1M+ for a small
        audience), at least one."""
        distribution = self.distribution()
        if distribution is None:
            return 0
        used = [index for index, (left, stayed) in enumerate(zip(distribution.left.counts, distribution.stayed.counts))
                if left or stayed]
        return max(used, default=0) + 1

    def bar_heights(self) -> tuple[list[float], list[float]]:
        """The left and stayed bars as drawn (shares in %), one each per shown bin."""
        return ([float(h) for h in self.left_bars.opts["height"]],
                [float(h) for h in self.stayed_bars.opts["height"]])

    def _draw(self) -> None:
        distribution = self.distribution()
        if self.profile is None:
            self.note_label.setText("")
        elif distribution is None:
            self.note_label.setText(NOBODY_LEFT)
        else:
            self.note_label.setText(f"{self.profile.leavers:,} left, {self.profile.stayers:,} follow now")
        labels = distribution.labels[:self.shown_bins()] if distribution else ()
        left = distribution.left.shares[:len(labels)] if distribution else ()
        stayed = distribution.stayed.shares[:len(labels)] if distribution else ()
        xs = np.arange(len(labels), dtype=float)
        # Left just before the bin's middle, stayed just after: side by side, both centred on the bin.
        self.left_bars.setOpts(x=xs - CHURN_BAR_WIDTH / 2, height=list(left), width=CHURN_BAR_WIDTH)
        self.stayed_bars.setOpts(x=xs + CHURN_BAR_WIDTH / 2, height=list(stayed), width=CHURN_BAR_WIDTH)
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        if labels:
            self.plot.setXRange(-0.6, len(labels) - 0.4, padding=0)
            self.plot.setYRange(0, max(*left, *stayed, 1.0) * 1.1, padding=0)

    def bin_at_scene(self, scene_pos: QPointF) -> int | None:
        """The bin under `scene_pos` (either of its bars or the gap beside them); None outside the data."""
        distribution = self.distribution()
        view_box = self.plot.getViewBox()
        if distribution is None or not view_box.sceneBoundingRect().contains(scene_pos):
            return None
        index = round(view_box.mapSceneToView(scene_pos).x())
        return index if 0 <= index < self.shown_bins() else None

    def scene_position_of(self, index: int) -> QPointF:
        """The middle of bin `index` at mid-height, in the scene (for tests)."""
        view_box = self.plot.getViewBox()
        low, high = view_box.viewRange()[1]
        return view_box.mapViewToScene(QPointF(float(index), (low + high) / 2))

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        index = self.bin_at_scene(scene_pos)
        distribution = self.distribution()
        if index is None or distribution is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(self.plot_widget.mapToGlobal(self.plot_widget.mapFromScene(scene_pos)),
                              churn_tooltip(distribution, index), self.plot_widget)


@dataclass
class ChangesPanel:
    """"Who left" or "Who is new": its table, its count sentence and its Export button."""

    kind: ChangeExportKind
    model: ChangesModel
    view: QTableView
    count_label: QLabel
    export_button: QPushButton
    box: QGroupBox


class ChartPage(StrEnum):
    """The chart area's pages, in tab order; the values are remembered (`ui_state`)."""

    GROWTH = "growth"
    CHURN = "churn"


# Remembered choices (ui_state: the data folder's INI file), restored when the tab is built.
CHART_PAGE_KEY = "growth/chart_page"
CHURN_METRIC_KEY = "growth/churn_metric"


class GrowthTab(QWidget):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.history: GrowthHistory | None = None
        self.stale = True  # a read is due the next time the tab is shown
        self.reading = False

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.window_combo = QComboBox()
        for choice in ChangeWindow:
            self.window_combo.addItem(choice.value, choice)
        self.window_combo.setCurrentIndex(list(ChangeWindow).index(ChangeWindow.MONTH))
        self.window_combo.setToolTip(
            "How far back the Who left and Who is new tables, and the who left vs who stayed chart, look")
        self.window_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.window_combo)

        self.chart = GrowthChart()
        self.churn_chart = ChurnChart()
        # Two pages of one chart area, so the tables keep their room in a small window.
        self.chart_pages = QTabWidget()
        self.chart_pages.setDocumentMode(True)
        self.chart_pages.addTab(self.chart, "Growth")
        self.chart_pages.setTabToolTip(0, "Followers at each complete fetch; joined and left since the fetch before")
        self.chart_pages.addTab(self.churn_chart, "Who left vs who stayed")
        self.chart_pages.setTabToolTip(
            1, "Those who left in the tables' period against your current followers: each group's share per bin")
        chart_box = QGroupBox("Followers at each complete fetch; joined and left since the fetch before")
        QVBoxLayout(chart_box).addWidget(self.chart_pages)
        self.chart_pages.currentChanged.connect(
            lambda index: chart_box.setTitle(self.chart_pages.tabToolTip(index)))
        self.panels = {kind: self._panel(kind) for kind in ChangeExportKind}
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.setChildrenCollapsible(False)
        for panel in self.panels.values():
            tables.addWidget(panel.box)
        lower = QSplitter(Qt.Orientation.Vertical)
        lower.setChildrenCollapsible(False)
        lower.addWidget(chart_box)
        lower.addWidget(tables)
        lower.setSizes([3000, 2000])  # in proportion: the splitter scales them to its height

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(lower, 1)
        jobs.dataChanged.connect(lambda _name: self.refresh())
        self._restore_choices()
        self.chart_pages.currentChanged.connect(lambda _index: self._remember_choices())
        self.churn_chart.metric_combo.currentIndexChanged.connect(lambda _index: self._remember_choices())
        self._show()

    @property
    def chart_page(self) -> ChartPage:
        return list(ChartPage)[self.chart_pages.currentIndex()]

    def set_chart_page(self, page: ChartPage) -> None:
        self.chart_pages.setCurrentIndex(list(ChartPage).index(page))

    def _restore_choices(self) -> None:
        """The chart page and the churn metric shown when the app last closed (unknown values: the defaults)."""
        state = ui_state(self.context.data_dir)
        page, metric = str(state.value(CHART_PAGE_KEY, "")), str(state.value(CHURN_METRIC_KEY, ""))
        if page in {choice.value for choice in ChartPage}:
            self.set_chart_page(ChartPage(page))
        if metric in {choice.value for choice in ChurnMetric}:
            self.churn_chart.set_metric(ChurnMetric(metric))

    def _remember_choices(self) -> None:
        state = ui_state(self.context.data_dir)
        state.setValue(CHART_PAGE_KEY, self.chart_page.value)
        state.setValue(CHURN_METRIC_KEY, self.churn_chart.chosen_metric.value)

    def _panel(self, kind: ChangeExportKind) -> ChangesPanel:
        model = ChangesModel(self)
        view = record_table(model)
        view.setWordWrap(False)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name takes the spare width
        # Latest first, as the history lists them, and the header's arrow says so.
        view.sortByColumn(CHANGE_TABLE_COLUMNS.index(WHEN_COLUMN), Qt.SortOrder.DescendingOrder)
        count_label = QLabel()
        count_label.setWordWrap(True)
        export_button = QPushButton("Export…")
        export_button.setToolTip(f"Save all of {TITLES[kind].lower()} in the chosen period as CSV or Excel")
        export_button.setEnabled(False)
        export_button.clicked.connect(lambda: self.choose_export_file(kind))
        box = QGroupBox(TITLES[kind])
        column = QVBoxLayout(box)
        column.addWidget(view, 1)
        row = QHBoxLayout()
        row.addWidget(count_label, 1)
        row.addWidget(export_button)
        column.addLayout(row)
        return ChangesPanel(kind, model, view, count_label, export_button, box)

    # -- when to read --------------------------------------------------------------------------------

    @property
    def change_window(self) -> ChangeWindow:
        return ChangeWindow(self.window_combo.currentData())

    def set_change_window(self, window: ChangeWindow) -> None:
        self.window_combo.setCurrentIndex(list(ChangeWindow).index(window))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def profile_changed(self) -> None:
        self.history = None
        self._show()
        self.refresh()

    def refresh(self) -> None:
        """Read the history again off the GUI thread (the newest request wins); while the tab is hidden, only
        note that a read is due."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        owner_id = self.context.known_owner_id()
        if owner_id is None:
            self.history = None
            self.reading = False
            self._show()
            return
        history = self.context.history
        now, change_window = int(self.context.clock.now()), self.change_window
        self.reading = True
        self._show_summary()
        self.jobs.tasks.run_task(
            "Reading the follower history",
            lambda: read_growth(history, owner_id, now=now, window=change_window),
            self.show_history, self._reading_failed, key=HISTORY_TASK, owner=self)

    def _reading_failed(self, sentence: str) -> None:
        self.reading = False
        self._show_summary()
        messages.error(sentence, title="Growth")

    # -- showing -------------------------------------------------------------------------------------

    def show_history(self, history: GrowthHistory) -> None:
        self.history = history
        self.reading = False
        self._show()

    def _show(self) -> None:
        history = self.history
        self.chart.set_points(history.points if history else ())
        self.churn_chart.set_profile(history.churn if history else None)
        for kind, panel in self.panels.items():
            changes = history.changes[kind] if history else ChangeList((), 0)
            panel.model.set_records(changes.entries)
            header = panel.view.horizontalHeader()  # new rows keep the order the user chose by a header click
            panel.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
            panel.count_label.setText(changes.sentence(kind) if history and len(history.points) >= 2 else "")
            panel.export_button.setEnabled(changes.total > 0)
        self._show_summary()

    def _show_summary(self) -> None:
        history = self.history
        if self.context.known_owner_id() is None:
            text = NO_FOLLOWERS
        elif history is None:
            text = "Reading the follower history…" if self.reading else ""
        elif len(history.points) < 2:
            text = EMPTY_HISTORY
        else:
            sentence = history.week.sentence()
            latest = history.points[-1]
            text = (f"{sentence[:1].upper()}{sentence[1:]} · {latest.followers:,} followers at the last complete "
                    f"fetch ({format_local_datetime(latest.at)})")
        self.summary_label.setText(text)

    # -- exports -------------------------------------------------------------------------------------

    def choose_export_file(self, kind: ChangeExportKind) -> None:
        """Ask where (CSV or Excel) and which columns, as File → Export does, remembered per export; then write."""
        data_dir = self.context.data_dir
        remembered = load_table_options(data_dir, kind.value, CHANGE_COLUMNS)
        default = paths.exports_dir(data_dir) / f"followers-{kind.value}.{remembered.format}"
        filters = {ExportFormat.CSV: CSV_FILTER, ExportFormat.XLSX: XLSX_FILTER}
        chosen, selected_filter = QFileDialog.getSaveFileName(
            self, f"Export {EXPORT_TITLES[kind].lower()}", str(default), f"{CSV_FILTER};;{XLSX_FILTER}",
            filters[remembered.format])
        if not chosen:
            return
        path = Path(chosen)
        file_format = ExportFormat.XLSX if (path.suffix.lower() == ".xlsx" or (
            not path.suffix and selected_filter == XLSX_FILTER)) else ExportFormat.CSV
        if not path.suffix:
            path = path.with_suffix(f".{file_format}")
        dialog = ExportOptionsDialog(EXPORT_TITLES[kind], CHANGE_COLUMNS, replace(remembered, format=file_format),
                                     self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        options = dialog.options()
        save_table_options(data_dir, kind.value, options)
        self.export_changes(kind, path, options)

    def export_changes(self, kind: ChangeExportKind, path: Path, options: TableOptions | None = None) -> None:
        """Write all of `kind` in the tables' period to `path` off the GUI thread (without `options`: all columns,
        CSV or Excel as the file name's extension says); the status bar says where."""
        options = options or TableOptions(format=format_for_path(path))
        owner_id = self.context.known_owner_id()
        since = self.history.since if self.history is not None else None
        history, data_dir = self.context.history, self.context.data_dir
        title = EXPORT_TITLES[kind].lower()
        self.jobs.tasks.run_task(
            f"Exporting {title}",
            lambda: history.export_changes(owner_id, kind, path, options=options, since=since, data_dir=data_dir),
            lambda written: messages.info(f"Saved {written:,} {title} to {path}."),
            key=f"{EXPORT_TASK}-{kind}", owner=self)
