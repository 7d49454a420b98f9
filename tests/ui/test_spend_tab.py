"""The Spend tab and the status bar's "Spent today": what the ledger holds after real (sandbox) jobs, per job, per
endpoint and per day, and a month without spend; its chart in dark mode. (Its headers at 1024 px: test_layout.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from twexport_qt.billing.prices import format_usd
from twexport_qt.billing.report import Month
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.services.jobs import JobName
from twexport_qt.ui.application import dark_palette
from twexport_qt.ui.palette import plot_colours
from twexport_qt.ui.spend_tab import SpendTab, next_month, previous_month


def fetch(context) -> None:
    with context.api_session(job=JobName.FETCH_FOLLOWERS) as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)


@pytest.fixture
def tab(qtbot, context, jobs):
    widget = SpendTab(context, jobs)
    qtbot.addWidget(widget)
    return widget


def texts(model, header: str) -> list[str]:
    column = model.column_of(header)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_a_fetch_shows_up_per_job_per_endpoint_and_on_its_day(tab, context):
    fetch(context)
    tab.refresh()
    summary = tab.summary
    assert summary is not None and summary.month_amount > 0
    # The sandbox's 50 followers as owned reads, plus the /users/me look-up: what the ledger billed.
    assert summary.today_amount == summary.month_amount == context.spend.spent_today(context.profile.name)
    assert texts(tab.by_job, "Job") == [JobName.FETCH_FOLLOWERS]
    assert texts(tab.by_job, "Spent") == [format_usd(summary.month_amount)]
    assert set(texts(tab.by_endpoint, "Endpoint")) >= {"GET /2/users/:id/followers"}
    heights = tab.bars.opts["height"]
    today = summary.today.day
    assert heights[today - 1] == pytest.approx(float(summary.today_amount))
    assert sum(heights) == pytest.approx(float(summary.month_amount))
    assert format_usd(summary.today_amount) in tab.totals_label.text()
    assert "Sandbox profile is simulated" in tab.totals_label.text()


def test_another_month_reads_its_own_days_and_the_future_stays_closed(tab, context):
    fetch(context)
    tab.refresh()
    this_month = tab.month
    assert not tab.next_button.isEnabled()  # nothing is billed in the future
    tab.previous_button.click()
    assert tab.month == previous_month(this_month)
    assert tab.summary.month_amount == Decimal(0) and tab.by_job.rowCount() == 0
    assert len(tab.bars.opts["height"]) == len(tab.month.days())
    assert tab.next_button.isEnabled()
    tab.next_button.click()
    assert tab.month == this_month and tab.summary.month_amount > 0


def test_month_steps_cross_the_year():
    assert previous_month(Month(2026, 1)) == Month(2025, 12)
    assert next_month(Month(2026, 12)) == Month(2027, 1)
    assert next_month(previous_month(Month(2026, 7))) == Month(2026, 7)


def test_the_chart_takes_the_palettes_colours_in_dark_mode(tab):
    tab.setPalette(dark_palette())  # what the app's palette change does to every widget
    colours = plot_colours(tab.palette())
    assert tab.chart.backgroundBrush().color() == colours.background and colours.dark
    assert tab.chart.getAxis("bottom").textPen().color() == colours.foreground


def test_the_headers_are_short_and_explained_in_tooltips(tab):
    model = tab.by_endpoint
    headers = [model.headerData(section, Qt.Orientation.Horizontal) for section in range(model.columnCount())]
    assert headers == ["Endpoint", "Answers", "Returned", "Billed", "Spent"]
    assert "de-duplication" in model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
