"""The main window holds its layout in small windows: at 1024×700 and 1280×800, with a job waiting out a rate limit,
the labels a user watches (the countdown, the job's state, the profile badge, the API state, today's spend) and the
Spend tab's headers are whole, not cut; a long message or a long profile name gives way instead of them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from twexport_qt.core import messages
from twexport_qt.core.progress import Progress
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.services.jobs import JobContext, JobName
from twexport_qt.settings.model import Profile
from twexport_qt.ui.main_window import MainWindow
from twexport_qt.ui.widgets import ElidedLabel

SIZES = (QSize(1024, 700), QSize(1280, 800))
WAIT_REASON = "X's rate limit is reached; resuming automatically."
API_STATE = "API /2/users/:id/followers: 0/15 left"


@pytest.fixture
def window(qtbot, context):
    window = MainWindow(context, interactive=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.spend_label.text().startswith("Spent today:"))
    yield window
    window.jobs.shutdown()


@pytest.fixture
def waiting_job(qtbot, window, context):
    """A fetch that has made progress and now waits 15 minutes for X's rate limit, until it is cancelled (the
    window cancels its jobs when it closes, at the end of the test)."""

    def job(ctx: JobContext) -> None:
        ctx.progress(Progress(42_000, 100_000, "42,000 followers fetched", eta_seconds=3_000))
        ctx.on_wait(WaitNotice("rate_limit", "GET /2/users/:id/followers", context.clock.now() + 899, WAIT_REASON))
        ctx.cancel.wait(60)

    window.jobs.start(JobName.FETCH_FOLLOWERS, "Fetching followers", job, writes_data=False)
    qtbot.waitUntil(lambda: window.job_panel.time_left.text() == "Resuming in 14:59.")
    window.apiStateChanged.emit(API_STATE)


def settle(window: MainWindow, size: QSize) -> None:
    window.resize(size)
    QCoreApplication.processEvents()  # the resize and the layout requests it posts
    assert window.size() == size, f"the window's minimum size is {window.minimumSizeHint()}: it can not be {size}"


def is_whole(widget: QWidget) -> bool:
    if not widget.isVisible():
        return False
    if isinstance(widget, ElidedLabel):
        return not widget.is_elided()
    return widget.width() >= widget.sizeHint().width()


def cut_widgets(window: MainWindow) -> list[str]:
    """The key widgets that are hidden or narrower than their text, by name."""
    panel = window.job_panel
    watched: dict[str, QLabel | QPushButton] = {
        "job title": panel.title, "job state": panel.status, "countdown": panel.time_left,
        "Cancel": panel.cancel_button, "profile badge": window.profile_label, "API state": window.api_label,
        "spend": window.spend_label,
    }
    return [f"{name} ({widget.width()} px for {widget.sizeHint().width()}: {widget.text()!r})"
            for name, widget in watched.items() if not is_whole(widget)]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size.width()}x{size.height()}")
def test_a_waiting_job_and_the_status_bar_are_whole(window, waiting_job, size):
    settle(window, size)
    assert window.job_panel.countdown_text() == f"{WAIT_REASON} Resuming in 14:59."
    assert cut_widgets(window) == []
    assert window.api_label.text() == API_STATE


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size.width()}x{size.height()}")
def test_a_long_message_gives_way_and_keeps_its_text_in_a_tooltip(window, waiting_job, size):
    sentence = ("Exported 1,234,567 rows to /home/someone/Documents/TwExport exports/followers of the newsletter "
                "account, filtered by tier and location, 2026-08-01.csv.")
    messages.info(sentence)
    settle(window, size)
    assert cut_widgets(window) == []
    label = window.messages.label
    assert label.text() == sentence and label.is_elided() and label.width() > 100


def test_a_long_profile_name_is_shortened_in_the_status_bar_only(window, context):
    name = "The newsletter account of our small team, for the spring one"  # 60 characters of the 64 allowed
    context.settings.profiles[name] = Profile(name=name, kind="x")
    window.switch_profile(name)
    window.apiStateChanged.emit(API_STATE)
    settle(window, SIZES[0])
    assert window.profile_label.text().endswith("…") and window.profile_label.toolTip() == f"Profile: {name}"
    assert window.windowTitle().endswith(name)
    assert is_whole(window.profile_label) and is_whole(window.api_label) and is_whole(window.spend_label)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size.width()}x{size.height()}")
def test_the_spend_tabs_headers_are_whole(qtbot, window, size):
    settle(window, size)
    window.tabs.setCurrentWidget(window.spend_tab)
    QCoreApplication.processEvents()
    for table in (window.spend_tab.job_table, window.spend_tab.endpoint_table):
        header = table.horizontalHeader()
        cut = [table.model().headerData(section, header.orientation()) for section in range(header.count())
               if header.sectionSize(section) < header.sectionSizeFromContents(section).width()]
        assert cut == [], f"cut headers at {size}"
        assert table.horizontalScrollBar().maximum() == 0  # no column is pushed out of sight


def test_the_welcome_page_fits_a_small_window(window):
    window.show_welcome()
    settle(window, SIZES[0])
    page = window.welcome_page
    assert page.horizontalScrollBar().maximum() == 0
    for button in (page.sandbox_button, page.connect_button):
        shown_at = QRect(button.mapTo(page.viewport(), QPoint(0, 0)), button.size())
        assert button.isVisible() and page.viewport().rect().contains(shown_at)
        assert button.width() >= button.minimumSizeHint().width()
