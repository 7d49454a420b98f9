"""Spend: what X billed this profile, from the spend ledger: today and a month, per job and per endpoint, and a bar
chart of spend per UTC day (X's billing days). It refreshes after every job, since every job may have spent.

Its headers are short enough for two tables side by side in a 1024-pixel window; what each column means is in
the header's tooltip. The chart takes its colours from the palette, so it follows light and dark mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.billing.report import Month, MonthSummary, SpendLine
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import colour_chart, follow_palette
from twexport_qt.ui.records_model import Column, Index, RecordTableModel, record_table

SUMMARY_TASK = "spend-summary"
NO_JOB = "(no job named)"
# What each column of a spend table counts, for its header's tooltip (after the first column, named per table).
COLUMN_TIPS = (
    "",
    "Answers X gave with something to bill",
    "Resources (users, posts, DM events) those answers returned",
    "Resources X billed: a resource returned again in the same UTC day is billed once (X's daily de-duplication)",
    "What X billed, at the prices in Settings → Prices",
)


def _line_columns(first_header: str) -> tuple[Column[SpendLine], ...]:
    return (
        Column(first_header, lambda line: line.label or NO_JOB),
        Column("Answers", lambda line: line.answers, lambda n: f"{n:,}"),
        Column("Returned", lambda line: line.returned, lambda n: f"{n:,}"),
        Column("Billed", lambda line: line.billed, lambda n: f"{n:,}"),
        Column("Spent", lambda line: line.amount, format_usd),
    )


class SpendLinesModel(RecordTableModel[SpendLine]):
    """Spend lines with their headers explained in tooltips and their amounts aligned right, as figures are."""

    def __init__(self, first_header: str, parent: QWidget | None = None) -> None:
        super().__init__(_line_columns(first_header), parent)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and 0 < section < len(COLUMN_TIPS):
            return COLUMN_TIPS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


def spend_table(model: SpendLinesModel) -> QTableView:
    """The first column (job or endpoint) takes the spare width; the figures are as wide as they need."""
    view = record_table(model)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return view


def previous_month(month: Month) -> Month:
    return Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)


def next_month(month: Month) -> Month:
    return Month(month.year + 1, 1) if month.month == 12 else Month(month.year, month.month + 1)


class SpendTab(QWidget):
    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.month = context.spend.this_month()
        self.summary: MonthSummary | None = None

        self.previous_button = QPushButton("◀ Previous month")
        self.previous_button.clicked.connect(lambda: self.show_month(previous_month(self.month)))
        self.next_button = QPushButton("Next month ▶")
        self.next_button.clicked.connect(lambda: self.show_month(next_month(self.month)))
        self.month_label = QLabel()
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.previous_button)
        top.addWidget(self.month_label)
        top.addWidget(self.next_button)
        top.addStretch(1)

        self.chart = pg.PlotWidget()
        self.chart.setLabel("left", "Spent (USD)")
        self.chart.setLabel("bottom", "Day of the month (UTC)")
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.setMenuEnabled(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.chart.addItem(self.bars)
        follow_palette(self, self._apply_palette)

        self.by_job = SpendLinesModel("Job", self)
        self.by_endpoint = SpendLinesModel("Endpoint", self)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.setChildrenCollapsible(False)
        self.job_table = spend_table(self.by_job)
        self.endpoint_table = spend_table(self.by_endpoint)
        tables.addWidget(_boxed("Per job", self.job_table))
        tables.addWidget(_boxed("Per endpoint", self.endpoint_table))
        lower = QSplitter(Qt.Orientation.Vertical)
        lower.setChildrenCollapsible(False)
        lower.addWidget(_boxed("Spend per day", self.chart))
        lower.addWidget(tables)
        # The chart a little taller than the tables (in proportion: the splitter scales these to its height).
        lower.setSizes([3000, 2000])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.totals_label)
        layout.addWidget(lower, 1)
        jobs.dataChanged.connect(lambda _name: self.refresh())
        self.refresh()

    def _apply_palette(self) -> None:
        colours = colour_chart(self.chart, [self.chart], self.palette())
        self.bars.setOpts(brush=colours.accent, pen=None)

    def profile_changed(self) -> None:
        self.show_month(self.context.spend.this_month())

    def show_month(self, month: Month) -> None:
        self.month = month
        self.refresh()

    def refresh(self) -> None:
        """Read the month again off the GUI thread (the newest request wins)."""
        self.month_label.setText(f"<b>{self.month}</b>")
        spend, profile, month = self.context.spend, self.context.profile.name, self.month
        self.jobs.tasks.run_task("Reading the spend ledger", lambda: spend.month_summary(profile, month),
                                 self.show_summary, key=SUMMARY_TASK, owner=self)

    def show_summary(self, summary: MonthSummary) -> None:
        self.summary = summary
        self.totals_label.setText(self._totals_text(summary))
        self.by_job.set_records(summary.by_job)
        self.by_endpoint.set_records(summary.by_endpoint)
        days = summary.by_day
        self.bars.setOpts(x=np.array([day.day.day for day in days], dtype=float),
                          height=np.array([float(day.amount) for day in days], dtype=float))
        self.chart.setXRange(0.5, len(days) + 0.5, padding=0)
        self.next_button.setEnabled(summary.month < Month(summary.today.year, summary.today.month))

    def _totals_text(self, summary: MonthSummary) -> str:
        sandbox = (" The Sandbox profile is simulated: X charges nothing for it; the figures show what the same "
                   "work would cost on a real account." if self.context.is_sandbox else "")
        prices = self.context.prices
        return (f"Today ({summary.today.isoformat()} UTC): {format_usd(summary.today_amount)} · "
                f"{summary.month}: {format_usd(summary.month_amount)} · at X's prices as of {prices.as_of}.{sandbox}")


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(widget)
    return box

