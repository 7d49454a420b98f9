"""The Growth tab against a sandbox that gains and loses followers between complete fetches: one chart point per
fetch with the sandbox's counts, bars of who joined and left, tables listing exactly the sandbox's leavers and
newcomers, the service's "since last week" line, the plain empty state, and exports that write the file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.exports.formats import dictionary_path
from twexport_qt.followers.churn_profile import COUNT_LABELS, ChurnMetric
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.history import CHANGE_COLUMNS
from twexport_qt.sandbox.population import SANDBOX_USER_ID, Population
from twexport_qt.sandbox.testing import DAY_S, ChurnDay, churn
from twexport_qt.services.history import ChangeExportKind
from twexport_qt.ui.export_options_dialog import ExportOptionsDialog, load_table_options
from twexport_qt.ui.growth_tab import (
    CHART_PAGE_KEY,
    CHURN_METRIC_KEY,
    EMPTY_HISTORY,
    NOBODY_LEFT,
    XLSX_FILTER,
    ChangeWindow,
    ChartPage,
    GrowthTab,
    churn_tooltip,
    point_tooltip,
    read_growth,
)
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.ui_state import ui_state

if TYPE_CHECKING:  # the `messages` fixture's plugin module, as tests/conftest.py loads it
    from message_fixtures import MessageRecorder

OWNER = SANDBOX_USER_ID
LEFT, NEW = ChangeExportKind.LEFT, ChangeExportKind.NEW
Churned = tuple[ChurnDay, ChurnDay]  # the two scripted days between the three fetches


def population(context: AppContext) -> Population:
    """The Sandbox profile's simulated followers (its sandbox starts with the first fetch)."""
    assert context.sandbox is not None
    return context.sandbox.state.population


def fake_clock_of(context: AppContext) -> FakeClock:
    assert isinstance(context.clock, FakeClock)
    return context.clock


def fetch(context: AppContext) -> None:
    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)


@pytest.fixture
def tab(qtbot: QtBot, context: AppContext, jobs: JobController) -> GrowthTab:
    tab = GrowthTab(context, jobs)
    qtbot.addWidget(tab)
    tab.resize(1000, 680)
    return tab


@pytest.fixture
def churned(context: AppContext) -> Churned:
    """Three complete fetches a day apart, the sandbox's 50 followers churning between them; the days' truth."""
    fetch(context)
    followers = population(context)
    day1 = churn(followers, joined=6, left=4, clock=fake_clock_of(context))
    fetch(context)
    day2 = churn(followers, joined=3, left=5, clock=fake_clock_of(context), seed=2)
    fetch(context)
    return day1, day2


def shown_ids(tab: GrowthTab, kind: ChangeExportKind) -> list[int]:
    return [entry.user_id for entry in tab.panels[kind].model.records()]


def test_the_chart_has_a_point_per_fetch_and_the_bars_match_the_sandbox(tab: GrowthTab, context: AppContext,
                                                                        churned: Churned) -> None:
    day1, day2 = churned
    tab.show()
    points = context.history.growth(OWNER)
    times, counts = tab.chart.line_points()
    assert times == [float(point.at) for point in points]
    assert counts[0] == 50.0  # the sandbox's followers at the first fetch
    assert counts[1:] == [float(len(day1.followers)), float(len(day2.followers))]
    joined, left = tab.chart.bar_heights()
    assert joined == [0.0, 6.0, 3.0]  # the first fetch's followers are where history starts, not joins
    assert left == [0.0, -4.0, -5.0]


def test_the_tables_list_exactly_the_sandboxs_leavers_and_newcomers(tab: GrowthTab, context: AppContext,
                                                                    churned: Churned) -> None:
    day1, day2 = churned
    tab.show()
    assert shown_ids(tab, LEFT) == sorted(day2.left) + sorted(day1.left)  # the latest fetch first
    assert set(shown_ids(tab, NEW)) == set(day1.joined) | set(day2.joined)
    assert shown_ids(tab, NEW)[:3] == day2.joined  # X's newest-first order within a fetch
    stored = {row.user_id: row for row in context.history.who_left(OWNER)}
    for entry in tab.panels[LEFT].model.records():
        assert (entry.username, entry.name, entry.followers) == (
            stored[entry.user_id].username, stored[entry.user_id].name, stored[entry.user_id].followers_count)
        assert entry.username
    assert tab.panels[LEFT].count_label.text() == "9 followers left in this period."
    assert tab.panels[NEW].count_label.text() == "9 followers came in this period."
    assert tab.panels[LEFT].export_button.isEnabled() and tab.panels[NEW].export_button.isEnabled()


def test_the_summary_line_is_the_services(tab: GrowthTab, context: AppContext, churned: Churned) -> None:
    tab.show()
    sentence = context.history.since_last_week(OWNER).sentence()
    assert sentence == "since last week: +9 / \u22129"
    text = tab.summary_label.text()
    assert text.startswith("Since last week: +9 / \u22129 · 50 followers")


def test_the_window_chooses_which_changes_the_tables_show(tab: GrowthTab, context: AppContext,
                                                          churned: Churned) -> None:
    tab.show()
    fake_clock_of(context).advance(8 * DAY_S)
    tab.set_change_window(ChangeWindow.WEEK)
    assert shown_ids(tab, LEFT) == [] and shown_ids(tab, NEW) == []
    assert not tab.panels[LEFT].export_button.isEnabled()
    assert "0 followers left" in tab.panels[LEFT].count_label.text()
    tab.set_change_window(ChangeWindow.ALL)
    assert len(shown_ids(tab, LEFT)) == 9 and len(shown_ids(tab, NEW)) == 9


def test_long_tables_show_the_latest_rows_and_say_how_many_there_are(context: AppContext, churned: Churned) -> None:
    history = read_growth(context.history, OWNER, now=int(context.clock.now()), window=ChangeWindow.ALL,
                          shown_rows=4)
    changes = history.changes[LEFT]
    assert (len(changes.entries), changes.total) == (4, 9)
    assert changes.sentence(LEFT) == "Showing 4 of 9 (the latest); the export writes them all."


def test_hovering_a_fetch_tells_its_figures(qtbot: QtBot, tab: GrowthTab, context: AppContext,
                                            churned: Churned) -> None:
    tab.show()
    qtbot.waitExposed(tab)
    chart = tab.chart
    point = context.history.growth(OWNER)[1]
    assert chart.point_at_scene(chart.scene_position_of(1)) == point
    assert "+6 joined, \u22124 left" in point_tooltip(point) and "52 followers" in point_tooltip(point)
    assert chart.point_at_scene(chart.count_plot.getViewBox().sceneBoundingRect().topLeft()) is None


@pytest.mark.parametrize("fetches", [0, 1])
def test_before_two_complete_fetches_it_says_so_plainly(tab: GrowthTab, context: AppContext, fetches: int) -> None:
    for _ in range(fetches):
        fetch(context)
    tab.show()
    assert tab.summary_label.text() == EMPTY_HISTORY
    assert tab.chart.bar_heights() == ([0.0] * fetches, [0.0] * fetches)
    assert shown_ids(tab, LEFT) == [] and shown_ids(tab, NEW) == []
    assert not tab.panels[LEFT].export_button.isEnabled()


def test_it_reads_only_while_shown_and_again_after_a_job_wrote(tab: GrowthTab, context: AppContext,
                                                               jobs: JobController, churned: Churned) -> None:
    jobs.dataChanged.emit("followers")
    assert tab.history is None  # hidden: nothing read
    tab.show()
    assert tab.history is not None and len(tab.history.points) == 3
    churn(population(context), joined=2, left=1, clock=fake_clock_of(context), seed=3)
    fetch(context)
    jobs.dataChanged.emit("followers")
    assert len(tab.chart.line_points()[0]) == 4 and len(shown_ids(tab, LEFT)) == 10


def test_the_chart_follows_a_dark_palette(tab: GrowthTab) -> None:
    tab.show()
    dark = QPalette(tab.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3daee9"))
    tab.setPalette(dark)
    chart = tab.chart
    assert chart.graphics.backgroundBrush().color() == QColor("#1e1e1e")
    assert chart.count_plot.getAxis("left").textPen().color() == QColor("#eeeeee")
    assert chart.count_line.opts["pen"].color() == QColor("#3daee9")
    assert chart.left_bars.opts["brush"] == QColor("#ff8a80")  # the dark variant of the problem tone
    churn_chart = tab.churn_chart
    assert churn_chart.plot_widget.backgroundBrush().color() == QColor("#1e1e1e")
    assert churn_chart.plot.getAxis("bottom").textPen().color() == QColor("#eeeeee")
    assert churn_chart.left_bars.opts["brush"] == QColor("#ff8a80")
    assert churn_chart.stayed_bars.opts["brush"] == QColor("#3daee9")
    assert "#3daee9" in churn_chart.stayed_key.text() and "Stayed" in churn_chart.stayed_key.text()


def test_export_writes_all_the_changes_as_csv(tab: GrowthTab, context: AppContext, churned: Churned, tmp_path: Path,
                                              messages: MessageRecorder) -> None:
    day1, day2 = churned
    tab.show()
    path = tmp_path / "left.csv"
    tab.export_changes(LEFT, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(CHANGE_COLUMNS)
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(day1.left + day2.left)
    assert messages.infos() == [f"Saved 9 followers who left to {path}."]


def test_export_asks_where_and_which_columns_and_writes_xlsx(tab: GrowthTab, context: AppContext, churned: Churned,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             messages: MessageRecorder) -> None:
    tab.show()
    path = tmp_path / "new"  # no extension: the Excel filter chosen in the dialog decides
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), XLSX_FILTER))

    def accept(dialog: ExportOptionsDialog) -> int:
        for name in CHANGE_COLUMNS[3:]:
            dialog.set_column_checked(name, False)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportOptionsDialog, "exec", accept)
    tab.panels[NEW].export_button.click()
    written = path.with_suffix(".xlsx")
    sheet = openpyxl.load_workbook(written).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["user_id", "username", "name"] and len(rows) == 10
    assert dictionary_path(written).exists()
    assert load_table_options(context.data_dir, NEW.value, CHANGE_COLUMNS).columns == CHANGE_COLUMNS[:3]
    assert messages.infos() == [f"Saved 9 new followers to {written}."]


def test_the_tables_open_latest_first_and_keep_a_chosen_order_across_reads(tab: GrowthTab, context: AppContext,
                                                                           jobs: JobController,
                                                                           churned: Churned) -> None:
    tab.show()
    panel = tab.panels[LEFT]
    header = panel.view.horizontalHeader()
    assert (panel.model.headerData(header.sortIndicatorSection(), header.orientation()),
            header.sortIndicatorOrder()) == ("When", Qt.SortOrder.DescendingOrder)
    panel.view.sortByColumn(panel.model.column_of("Username"), Qt.SortOrder.AscendingOrder)
    jobs.dataChanged.emit("followers")  # a fresh read of the same rows
    usernames = [entry.username for entry in panel.model.records()]
    assert usernames == sorted(usernames) and len(usernames) == 9


def test_the_changes_model_passes_the_model_tester(qtmodeltester: ModelTester, tab: GrowthTab,
                                                   churned: Churned) -> None:
    tab.show()
    qtmodeltester.check(tab.panels[NEW].model)


def test_the_who_left_vs_stayed_chart_shows_the_sandboxs_shares(qtbot: QtBot, tab: GrowthTab, context: AppContext,
                                                                churned: Churned) -> None:
    day1, day2 = churned
    tab.show()
    qtbot.waitExposed(tab)
    tab.chart_pages.setCurrentWidget(tab.churn_chart)
    chart = tab.churn_chart
    stored = {row.user_id: row for row in context.history.who_left(OWNER)}
    left_counts = [0] * len(COUNT_LABELS)
    for user_id in day1.left + day2.left:  # the sandbox's leavers, binned by digits: 0, 1–9, 10–99, …
        value = stored[user_id].followers_count
        left_counts[0 if value == 0 else min(len(str(value)), len(COUNT_LABELS) - 1)] += 1
    left_shares, stayed_shares = chart.bar_heights()
    shown = chart.shown_bins()  # up to the last bin anybody is in
    assert 2 <= shown < len(COUNT_LABELS)
    assert left_shares == [100.0 * count / 9 for count in left_counts[:shown]] and not any(left_counts[shown:])
    assert sum(stayed_shares) == pytest.approx(100.0)
    assert chart.note_label.text() == f"9 left, {len(day2.followers)} follow now"
    # The view draws the service's numbers, for the tables' window.
    since = tab.history.since if tab.history else None
    profile = context.history.churn_profile(OWNER, context.history.who_left_ids(OWNER, since=since).user_ids)
    assert stayed_shares == list(profile.of(ChurnMetric.FOLLOWERS).stayed.shares[:shown])
    assert not any(profile.of(ChurnMetric.FOLLOWERS).stayed.counts[shown:])
    assert profile.of(ChurnMetric.FOLLOWERS).stayed.counts[shown - 1] or left_counts[shown - 1]
    # Hovering a bin tells both groups' share and count.
    busiest = max(range(len(left_counts)), key=left_counts.__getitem__)
    assert chart.bin_at_scene(chart.scene_position_of(busiest)) == busiest
    distribution = chart.distribution()
    assert distribution is not None
    tip = churn_tooltip(distribution, busiest)
    assert f"Left: {100.0 * left_counts[busiest] / 9:.1f}% ({left_counts[busiest]} of 9)" in tip
    assert COUNT_LABELS[busiest] in tip
    assert chart.bin_at_scene(chart.plot.getViewBox().sceneBoundingRect().topLeft() - QPointF(5, 5)) is None
    # Another metric: the bars follow the toggle.
    chart.set_metric(ChurnMetric.POSTS)
    posts = profile.of(ChurnMetric.POSTS)
    shown = chart.shown_bins()
    assert chart.bar_heights() == (list(posts.left.shares[:shown]), list(posts.stayed.shares[:shown]))
    assert sum(chart.bar_heights()[0]) == pytest.approx(100.0)  # no leaver beyond the shown bins


def test_the_chart_says_when_nobody_left_in_the_period(tab: GrowthTab, context: AppContext) -> None:
    fetch(context)
    churn(population(context), joined=3, left=0, clock=fake_clock_of(context))
    fetch(context)
    tab.show()
    assert tab.churn_chart.note_label.text() == NOBODY_LEFT
    assert tab.churn_chart.bar_heights() == ([], [])


def test_the_chart_page_and_the_metric_are_remembered_for_the_next_start(qtbot: QtBot, tab: GrowthTab,
                                                                       context: AppContext,
                                                                       jobs: JobController) -> None:
    assert (tab.chart_page, tab.churn_chart.chosen_metric) == (ChartPage.GROWTH, ChurnMetric.FOLLOWERS)
    tab.set_chart_page(ChartPage.CHURN)
    tab.churn_chart.set_metric(ChurnMetric.ACCOUNT_AGE)
    next_start = GrowthTab(context, jobs)
    qtbot.addWidget(next_start)
    assert (next_start.chart_page, next_start.churn_chart.chosen_metric) == (ChartPage.CHURN, ChurnMetric.ACCOUNT_AGE)
    assert next_start.chart_pages.currentWidget() is next_start.churn_chart


def test_a_remembered_choice_the_app_no_longer_knows_falls_back_to_the_defaults(qtbot: QtBot, context: AppContext,
                                                                               jobs: JobController) -> None:
    state = ui_state(context.data_dir)
    state.setValue(CHART_PAGE_KEY, "retired page")
    state.setValue(CHURN_METRIC_KEY, "Likes")
    state.sync()
    tab = GrowthTab(context, jobs)
    qtbot.addWidget(tab)
    assert (tab.chart_page, tab.churn_chart.chosen_metric) == (ChartPage.GROWTH, ChurnMetric.FOLLOWERS)
