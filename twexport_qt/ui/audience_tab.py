"""Audience: who the followers are, for the Followers tab's current filter: how old their accounts are, how many
followers they have, the words their bios use most and where they say they are. Four bar charts, each beside its
table, each table exportable as CSV.

The counting (`services.audience`, seconds at a million followers) runs off the GUI thread, the newest request
winning, and only while the tab is shown: a filter change or a job that wrote data while it is hidden marks it
stale, and showing it counts again. The charts take their colours from the palette, so they follow light and dark
mode; hovering a bar tells its exact count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.followers.audience_profile import (
    TABLE_TITLES,
    AudienceProfile,
    AudienceTable,
    HistogramBin,
    LocationCount,
    WordCount,
    percent,
)
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.services.audience import AudienceService
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import colour_chart, follow_palette
from twexport_qt.ui.records_model import Column, Index, RecordTableModel, record_table

PROFILE_TASK = "audience-profile"
EXPORT_TASK = "audience-export"
BAR_WIDTH = 0.8  # of a category's slot: the gap between bars shows where one category ends
TICK_CHARACTERS = 14  # a word or location on the word and location charts' axis; the table shows it whole
CHART_BARS = 12  # bars of the word and location charts: their names stay readable; the tables hold all
# Axis ticks of the histograms: shorter than the bins' labels, which the table and the tooltips show whole; only
# some are labelled (the others are tick marks), so the labels never run into each other at 1024 pixels.
AGE_TICKS = ("0", *(str(age) for age in range(1, 20)), "20+")
AGE_LABELLED = frozenset({0, 5, 10, 15})  # slots whose tick is labelled
FOLLOWER_COUNT_TICKS = ("0", "1", "10", "100", "1K", "10K", "100K", "1M", "10M+")
FOLLOWER_COUNT_LABELLED = frozenset({0, 2, 4, 6})


def _count(value: int) -> str:
    return f"{value:,}"


# The tables' headers are short, so a table beside its chart fits a 1024-pixel window; their tooltips say more.
HEADER_TIPS = {
    "Age": "Whole years since the follower joined X",
    "Range": "How many followers these followers have themselves",
    "Count": "How many of your followers (in the Followers tab's filter)",
    "Share": "Of your followers with a known value (locations: of those who gave one)",
    "Uses": "How often the word appears in their bios (stop words, links, @mentions and numbers left out)",
}
HISTOGRAM_COLUMNS: dict[AudienceTable, tuple[Column[HistogramBin], ...]] = {
    table: (
        Column(header, lambda item: item.label),
        Column("Count", lambda item: item.followers, _count),
        Column("Share", lambda item: item.share, percent),
    )
    for table, header in ((AudienceTable.ACCOUNT_AGE, "Age"), (AudienceTable.FOLLOWER_COUNTS, "Range"))
}
WORD_COLUMNS: tuple[Column[WordCount], ...] = (
    Column("Word", lambda item: item.word),
    Column("Uses", lambda item: item.uses, _count),
)
LOCATION_COLUMNS: tuple[Column[LocationCount], ...] = (
    Column("Location", lambda item: item.location),
    Column("Count", lambda item: item.followers, _count),
    Column("Share", lambda item: item.share, percent),
)
TABLE_COLUMNS: dict[AudienceTable, tuple[Column[Any], ...]] = {
    **HISTOGRAM_COLUMNS, AudienceTable.BIO_WORDS: WORD_COLUMNS, AudienceTable.LOCATIONS: LOCATION_COLUMNS,
}


class FiguresModel(RecordTableModel[Any]):
    """A profile table: figures aligned right, as figures are; headers explained in their tooltips."""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(super().headerData(section, orientation))
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


@dataclass(frozen=True)
class Bar:
    """One bar: its axis tick (labelled, or a mark only), and what hovering it says."""

    tick: str
    value: int
    tooltip: str
    labelled: bool = True


class BarChart(QWidget):
    """Bars over categories, vertical (histograms) or horizontal (top words, top locations: the long names
    read on the left axis, the most common at the top); hovering a bar shows its tooltip.

    A widget around its plot (not a plot subclass) so that its palette change, which Qt delivers before the
    plot's own, finds the plot built and reads the new palette."""

    def __init__(self, value_label: str, *, horizontal: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.horizontal = horizontal
        self.bars_shown: list[Bar] = []
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom" if horizontal else "left", value_label)
        self.bar_item = (pg.BarGraphItem(x0=0, y=[], width=[], height=BAR_WIDTH) if horizontal
                         else pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH))
        self.plot.addItem(self.bar_item)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        follow_palette(self, self.apply_palette)

    def apply_palette(self) -> None:
        colours = colour_chart(self.plot, [self.plot], self.palette())
        self.bar_item.setOpts(brush=colours.accent, pen=None)  # as the Spend chart's bars

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars_shown = list(bars)
        slots = np.arange(len(bars), dtype=float)
        values = np.array([bar.value for bar in bars], dtype=float)
        # Slot 0 (the most common word or place) at the top: y grows upwards, so those slots count down.
        positions = len(bars) - 1 - slots if self.horizontal else slots
        ticks = [[(float(position), _short_tick(bar.tick)) for position, bar in zip(positions, bars) if bar.labelled],
                 [(float(position), "") for position, bar in zip(positions, bars) if not bar.labelled]]
        top = float(values.max()) if len(values) else 1.0
        if self.horizontal:
            self.bar_item.setOpts(y=positions, width=values)
            self.plot.getAxis("left").setTicks(ticks)
            self.plot.setYRange(-0.6, max(len(bars) - 0.4, 0.6), padding=0)
            self.plot.setXRange(0, max(top, 1.0) * 1.05, padding=0)
        else:
            self.bar_item.setOpts(x=slots, height=values)
            self.plot.getAxis("bottom").setTicks(ticks)
            # A slot's room either side: the first and last labels are drawn only if they fit inside the axis.
            self.plot.setXRange(-1, max(len(bars) + 0.5, 1), padding=0)
            self.plot.setYRange(0, max(top, 1.0) * 1.05, padding=0)

    def bar_at(self, view_point: QPointF) -> int | None:
        """The bar under `view_point` (data coordinates), or None."""
        along, across = (view_point.y(), view_point.x()) if self.horizontal else (view_point.x(), view_point.y())
        slot = round(along)
        if self.horizontal:
            slot = len(self.bars_shown) - 1 - slot
        if not 0 <= slot < len(self.bars_shown) or abs(along - round(along)) > BAR_WIDTH / 2:
            return None
        return slot if 0 <= across <= max(self.bars_shown[slot].value, 0) else None

    def tooltip_at_scene(self, scene_pos: QPointF) -> str | None:
        """What hovering at `scene_pos` says: the bar's tooltip, or None off the bars."""
        view_box = self.plot.getPlotItem().getViewBox()
        if not view_box.sceneBoundingRect().contains(scene_pos):
            return None
        slot = self.bar_at(view_box.mapSceneToView(scene_pos))
        return None if slot is None else self.bars_shown[slot].tooltip

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        text = self.tooltip_at_scene(scene_pos)
        if text is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(self.plot.mapToGlobal(self.plot.mapFromScene(scene_pos)), text, self.plot)


def _short_tick(text: str) -> str:
    return text if len(text) <= TICK_CHARACTERS else text[:TICK_CHARACTERS - 1] + "…"


@dataclass
class ProfilePanel:
    """One of the four: its chart, its table and its Export button."""

    table: AudienceTable
    chart: BarChart
    model: FiguresModel
    view: QTableView
    export_button: QPushButton
    box: QGroupBox


class AudienceTab(QWidget):
    def __init__(self, context: AppContext, jobs: JobController, *, filter_state: FollowerFilterState,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state
        self.audience = AudienceService(context.connect, context.clock)
        self.profile: AudienceProfile | None = None
        self.stale = True  # counts are due the next time the tab is shown
        self.counting = False

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.panels = {table: self._panel(table) for table in AudienceTable}
        grid = QSplitter(Qt.Orientation.Vertical)
        grid.setChildrenCollapsible(False)
        for pair in ((AudienceTable.ACCOUNT_AGE, AudienceTable.FOLLOWER_COUNTS),
                     (AudienceTable.BIO_WORDS, AudienceTable.LOCATIONS)):
            row = QSplitter(Qt.Orientation.Horizontal)
            row.setChildrenCollapsible(False)
            for table in pair:
                row.addWidget(self.panels[table].box)
            grid.addWidget(row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(grid, 1)

        filter_state.changed.connect(lambda _filter: self.refresh())
        jobs.dataChanged.connect(lambda _name: self.data_changed())
        self._show_summary()

    def _panel(self, table: AudienceTable) -> ProfilePanel:
        horizontal = table in (AudienceTable.BIO_WORDS, AudienceTable.LOCATIONS)
        chart = BarChart("Uses" if table is AudienceTable.BIO_WORDS else "Followers", horizontal=horizontal)
        if table is AudienceTable.ACCOUNT_AGE:
            chart.plot.setLabel("bottom", "Years on X")
        elif table is AudienceTable.FOLLOWER_COUNTS:
            chart.plot.setLabel("bottom", "Their own followers (from)")
        model = FiguresModel(TABLE_COLUMNS[table], self)
        view = record_table(model)
        view.setWordWrap(False)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        export_button = QPushButton("Export…")
        export_button.setToolTip(f"Save the {TABLE_TITLES[table].lower()} table as a CSV file")
        export_button.setEnabled(False)
        export_button.clicked.connect(lambda: self.choose_export_file(table))
        side = QSplitter(Qt.Orientation.Horizontal)
        side.setChildrenCollapsible(False)
        side.addWidget(chart)
        table_column = QWidget()
        column = QVBoxLayout(table_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(export_button)
        column.addLayout(buttons)
        side.addWidget(table_column)
        side.setSizes([1000, 1000])  # in proportion: the splitter scales them to its width
        box = QGroupBox(TABLE_TITLES[table])
        QVBoxLayout(box).addWidget(side)
        return ProfilePanel(table, chart, model, view, export_button, box)

    # -- when to count -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def profile_changed(self) -> None:
        self.audience.forget()
        self.profile = None
        self._show_tables()
        self.refresh()

    def data_changed(self) -> None:
        """A job wrote data (followers perhaps): count again from a fresh read."""
        self.audience.forget()
        self.refresh()

    def refresh(self) -> None:
        """Count the current filter's followers again off the GUI thread (the newest request wins); while the
        tab is hidden, only note that the counts are due."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        owner_id = self.context.known_owner_id()
        if owner_id is None:
            self.profile = None
            self.counting = False
            self._show_tables()
            self._show_summary()
            return
        follower_filter = self.filter_state.current
        tiers = domain_tiers(self.context.profile)
        audience = self.audience
        self.counting = True
        self._show_summary()
        self.jobs.tasks.run_task(
            "Counting the audience profile", lambda: audience.profile(owner_id, follower_filter, tiers),
            self.show_profile, self._counting_failed,
            key=PROFILE_TASK, owner=self)

    def _counting_failed(self, sentence: str) -> None:
        self.counting = False
        self._show_summary()
        messages.error(sentence, title="Audience profile")

    # -- showing -------------------------------------------------------------------------------------

    def show_profile(self, profile: AudienceProfile) -> None:
        self.profile = profile
        self.counting = False
        self._show_tables()
        self._show_summary()

    def _show_tables(self) -> None:
        profile = self.profile
        records: dict[AudienceTable, Sequence[Any]] = {
            AudienceTable.ACCOUNT_AGE: profile.account_age if profile else (),
            AudienceTable.FOLLOWER_COUNTS: profile.follower_counts if profile else (),
            AudienceTable.BIO_WORDS: profile.bio_words if profile else (),
            AudienceTable.LOCATIONS: profile.locations if profile else (),
        }
        for table, panel in self.panels.items():
            panel.model.set_records(records[table])
            panel.chart.set_bars(_bars(table, records[table])[:CHART_BARS if panel.chart.horizontal else None])
            panel.export_button.setEnabled(profile is not None)

    def _show_summary(self) -> None:
        profile = self.profile
        if self.context.known_owner_id() is None:
            text = "No followers are stored yet: fetch them first (Tools → Fetch followers)."
        elif profile is None:
            text = "Counting…" if self.counting else ""
        else:
            text = (f"{profile.population:,} followers in the Followers tab's filter: {profile.with_bio:,} with a bio, "
                    f"{profile.with_location:,} with a location, {profile.known_join_date:,} with a known join "
                    "date." + (" Counting again…" if self.counting else ""))
        self.summary_label.setText(text)

    # -- exports -------------------------------------------------------------------------------------

    def choose_export_file(self, table: AudienceTable) -> None:
        default = paths.exports_dir(self.context.data_dir) / f"audience-{table.value}.csv"
        chosen, _ = QFileDialog.getSaveFileName(self, f"Export {TABLE_TITLES[table].lower()}", str(default),
                                                "CSV files (*.csv);;All files (*)")
        if chosen:
            self.export_table(table, Path(chosen))

    def export_table(self, table: AudienceTable, path: Path) -> None:
        """Write `table` as shown to `path` off the GUI thread; the status bar says where, or why not."""
        profile = self.profile
        if profile is None:
            return
        data_dir = self.context.data_dir
        title = TABLE_TITLES[table]
        self.jobs.tasks.run_task(
            f"Exporting {title.lower()}", lambda: AudienceService.export_table(profile, table, path, data_dir),
            lambda written: messages.info(f"Saved {title.lower()} to {written}."), key=f"{EXPORT_TASK}-{table}",
            owner=self)


def _bars(table: AudienceTable, records: Sequence[Any]) -> list[Bar]:
    if table is AudienceTable.ACCOUNT_AGE:
        return [Bar(tick, item.followers, f"{item.followers:,} followers ({percent(item.share)}) on X for {item.label}",
                    labelled=slot in AGE_LABELLED)
                for slot, (tick, item) in enumerate(zip(AGE_TICKS, records))]
    if table is AudienceTable.FOLLOWER_COUNTS:
        return [Bar(tick, item.followers, f"{item.followers:,} followers ({percent(item.share)}) with {item.label} "
                    "followers of their own", labelled=slot in FOLLOWER_COUNT_LABELLED)
                for slot, (tick, item) in enumerate(zip(FOLLOWER_COUNT_TICKS, records))]
    if table is AudienceTable.BIO_WORDS:
        return [Bar(item.word, item.uses, f"“{item.word}”: {item.uses:,} uses in bios") for item in records]
    return [Bar(item.location, item.followers, f"{item.location}: {item.followers:,} followers "
                f"({percent(item.share)} of those who gave a location)") for item in records]
