"""Spend: what X billed this profile, from the spend ledger: today and a month, per job and per endpoint, and a bar
chart of spend per UTC day (X's billing days). It refreshes after every job, since every job may have spent."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import format_usd
from twexport_qt.billing.report import Month, MonthSummary, SpendLine
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.records_model import Column, RecordTableModel, record_table

SUMMARY_TASK = "spend-summary"
BAR_COLOUR = "#29335c"
NO_JOB = "(no job named)"


def _line_columns(first_header: str) -> tuple[Column[SpendLine], ...]:
    return (
        Column(first_header, lambda line: line.label or NO_JOB),
        Column("Answers", lambda line: line.answers, lambda n: f"{n:,}"),
        Column("Resources returned", lambda line: line.returned, lambda n: f"{n:,}"),
        Column("Billed (after the daily de-duplication)", lambda line: line.billed, lambda n: f"{n:,}"),
        Column("Spent", lambda line: line.amount, format_usd),
    )


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

        self.chart = pg.PlotWidget(background="w")
        self.chart.setLabel("left", "Spent (USD)")
        self.chart.setLabel("bottom", "Day of the month (UTC)")
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.setMenuEnabled(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=BAR_COLOUR)
        self.chart.addItem(self.bars)

        self.by_job = RecordTableModel(_line_columns("Job"), self)
        self.by_endpoint = RecordTableModel(_line_columns("Endpoint"), self)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(_boxed("Per job", record_table(self.by_job)))
        tables.addWidget(_boxed("Per endpoint", record_table(self.by_endpoint)))
        lower = QSplitter(Qt.Orientation.Vertical)
        lower.addWidget(_boxed("Spend per day", self.chart))
        lower.addWidget(tables)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.totals_label)
        layout.addWidget(lower, 1)
        jobs.dataChanged.connect(lambda _name: self.refresh())
        self.refresh()

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

