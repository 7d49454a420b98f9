"""The Audience tab holds its layout in a small window: at 1024×700 and 1280×800 its four charts have room, its
tables' headers are whole with no column pushed out of sight, and every Export button is whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSize

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.store import followers_repo
from twexport_qt.ui.main_window import MainWindow

SIZES = (QSize(1024, 700), QSize(1280, 800))
MIN_CHART = QSize(160, 110)  # room for a few bars and their ticks


@pytest.fixture
def window(qtbot, context):
    conn = context.connect()
    with conn:  # long locations and words: the widest cells a table could have to show
        followers_repo.upsert_followers(conn, SANDBOX_USER_ID, [
            FollowerRecord(user_id=10 + i, username=f"user{i}", followers_count=10 ** (i % 8) + 12_345,
                           description=f"photographer{i % 7} entrepreneurship", created_at=1_300_000_000 + i,
                           location=f"San Francisco Bay Area, California {i % 9}") for i in range(200)],
            seen_at=1_700_000_000)
    conn.close()
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.jobs.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size.width()}x{size.height()}")
def test_the_audience_tab_fits(qtbot, window, size):
    window.resize(size)
    window.tabs.setCurrentWidget(window.audience_tab)
    tab = window.audience_tab
    qtbot.waitUntil(lambda: tab.profile is not None and not tab.counting)
    QCoreApplication.processEvents()
    assert window.size() == size, f"the window's minimum size is {window.minimumSizeHint()}"
    assert tab.profile.population == 200
    for table, panel in tab.panels.items():
        assert panel.chart.width() >= MIN_CHART.width() and panel.chart.height() >= MIN_CHART.height(), table
        header = panel.view.horizontalHeader()
        cut = [panel.model.headerData(section, header.orientation()) for section in range(header.count())
               if header.sectionSize(section) < header.sectionSizeFromContents(section).width()]
        assert cut == [], f"cut headers of {table} at {size}"
        assert panel.view.horizontalScrollBar().maximum() == 0, table  # no column out of sight
        button = panel.export_button
        assert button.isVisible() and button.width() >= button.sizeHint().width(), table


def test_the_view_menu_opens_the_audience_tab_with_ctrl_5(window):
    action = next(action for action in window.menuBar().actions()[1].menu().actions()
                  if action.text() == "&Audience")
    assert action.shortcut().toString() == "Ctrl+5"
    action.trigger()
    assert window.tabs.currentWidget() is window.audience_tab
