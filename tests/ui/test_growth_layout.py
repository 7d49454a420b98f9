"""The Growth tab holds its layout in a small window: at 1024×700 its charts have room (about 200 pixels tall),
its tables' headers are whole with no column pushed out of sight, and both Export buttons are whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox.testing import churn
from twexport_qt.ui.main_window import MainWindow

SIZE = QSize(1024, 700)
MIN_CHART_HEIGHT = 200


def fetch(context: AppContext) -> None:
    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> Iterator[MainWindow]:
    fetch(context)
    assert context.sandbox is not None and isinstance(context.clock, FakeClock)
    churn(context.sandbox.state.population, joined=30, left=12, clock=context.clock)
    fetch(context)
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.jobs.shutdown()


def test_the_growth_tab_fits_1024_by_700(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(SIZE)
    window.tabs.setCurrentWidget(window.growth_tab)
    tab = window.growth_tab
    qtbot.waitUntil(lambda: tab.history is not None and not tab.reading)
    QCoreApplication.processEvents()
    assert window.size() == SIZE, f"the window's minimum size is {window.minimumSizeHint()}"
    assert tab.history is not None and len(tab.history.points) == 2
    assert tab.chart.height() >= MIN_CHART_HEIGHT, tab.chart.height()
    for kind, panel in tab.panels.items():
        assert panel.model.rowCount() > 0, kind
        header = panel.view.horizontalHeader()
        cut = [panel.model.headerData(section, header.orientation()) for section in range(header.count())
               if header.sectionSize(section) < header.sectionSizeFromContents(section).width()]
        assert cut == [], f"cut headers of {kind}"
        assert panel.view.horizontalScrollBar().maximum() == 0, kind  # no column out of sight
        button = panel.export_button
        assert button.isVisible() and button.width() >= button.sizeHint().width(), kind
    # The who left vs who stayed page shares the chart's room: as tall, its toggle and legend whole.
    tab.chart_pages.setCurrentWidget(tab.churn_chart)
    QCoreApplication.processEvents()
    churn_chart = tab.churn_chart
    assert churn_chart.plot_widget.height() >= MIN_CHART_HEIGHT - churn_chart.metric_combo.height() - 12
    for widget in (churn_chart.metric_combo, churn_chart.left_key, churn_chart.stayed_key, churn_chart.note_label):
        assert widget.isVisible() and widget.width() >= widget.minimumSizeHint().width(), widget


def test_the_view_menu_opens_the_growth_tab_with_ctrl_6(window: MainWindow) -> None:
    view_menu = window.menuBar().actions()[1].menu()
    assert isinstance(view_menu, QMenu)
    action = next(action for action in view_menu.actions() if action.text() == "&Growth")
    assert action.shortcut().toString() == "Ctrl+6"
    action.trigger()
    assert window.tabs.currentWidget() is window.growth_tab
