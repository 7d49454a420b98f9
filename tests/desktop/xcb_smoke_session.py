"""A user's first minutes, driven inside the real app under an X server (run by test_xcb_smoke.py, not by pytest).

`python -m tests.desktop.xcb_smoke_session DATA_DIR SCREENSHOT.png` (from the repository root) starts the app
exactly as `python main.py --data-dir DATA_DIR` does (argument parsing, settings, keyring choice, log, main window,
error handler, event loop, exit code), with a driver on its event loop that does what a new user does: "Try the
Sandbox" on the welcome page, "Fetch followers", waits for the plotted points, moves the X pointer over two of them
and reads the hover tooltips; then it grabs the screen and closes the window. It prints one JSON line of what it saw
for the test to judge, and every Qt message of warning level or worse on stderr (desktop_support.py: RESULT_PREFIX,
QT_MESSAGE_PREFIX). Its exit code is the app's.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from PySide6.QtCore import QMessageLogContext, QPoint, QPointF, QRect, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QCursor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QToolTip

from tests.desktop.desktop_support import QT_MESSAGE_PREFIX, RESULT_PREFIX
from twexport_qt import cli
from twexport_qt.services.jobs import JobName, JobOutcome
from twexport_qt.ui.main_window import MainWindow
from twexport_qt.ui.scatter_plot import FollowerScatter

EXIT_DRIVER_FAILED = 70
# Generous: the Sandbox serves in-process and a first fetch takes about a second, but CI machines are shared.
WAIT_S = 60.0
# A hovered point needs no other point this close (screen pixels), so the nearest one is certainly the one aimed at.
MIN_POINT_SPACING_PX = 8.0
EDGE_MARGIN_PX = 12

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class HoverSeen:
    follower_id: int
    username: str  # from the database, not from the app's tooltip code
    tooltip: str


@dataclass
class SessionReport:
    platform: str = ""
    window_title: str = ""
    started_on_welcome_page: bool = False
    followers_plotted: int = 0
    hovers: list[HoverSeen] = field(default_factory=list)
    screenshot_colours: int = 0  # distinct colours in a grid sample of the main window's screenshot
    plot_colours: int = 0  # the same, inside the plot only
    driver_error: str = ""


class DriverFailed(Exception):
    pass


def main() -> int:
    data_dir, screenshot = Path(sys.argv[1]), Path(sys.argv[2])
    qInstallMessageHandler(_report_qt_message)
    report = SessionReport()
    # The app creates its QApplication through create_qt_app, which adopts this one: the driver is on its event
    # loop before the app starts. It looks for the main window until the app shows it, then drives it.
    app = QApplication([sys.argv[0]])
    look_for_window = QTimer(app, interval=50)

    def start_when_shown() -> None:
        window = _main_window(app)
        if window is not None and window.isVisible():
            look_for_window.stop()
            _drive(app, window, data_dir, screenshot, report)

    look_for_window.timeout.connect(start_when_shown)
    look_for_window.start()
    code = cli.main(["--data-dir", str(data_dir)])
    print(RESULT_PREFIX + json.dumps(asdict(report)), flush=True)
    return code


def _report_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        print(f"{QT_MESSAGE_PREFIX}{kind.name} {context.category}: {message}", file=sys.stderr, flush=True)


def _drive(app: QApplication, window: MainWindow, data_dir: Path, screenshot: Path, report: SessionReport) -> None:
    """Runs inside the app's event loop; waits spin it (QTest.qWait), so the app keeps working meanwhile. Any
    failure ends the event loop with EXIT_DRIVER_FAILED instead of reaching the app's error dialog."""
    try:
        report.platform = QGuiApplication.platformName()
        _wait_for(lambda: window.isVisible() and window.windowHandle().isExposed(), "the window to be shown")
        tab = window.followers_tab
        outcomes: list[JobOutcome] = []

        def job_ended(name: str, outcome: JobOutcome) -> None:
            if name == JobName.FETCH_FOLLOWERS:
                outcomes.append(outcome)

        window.jobs.jobEnded.connect(job_ended)
        # A first start greets with the welcome page: a new user chooses the Sandbox there.
        try_sandbox = _visible_button(window, "Try the Sandbox")
        report.started_on_welcome_page = try_sandbox is not None
        if try_sandbox is not None:
            QTest.mouseClick(try_sandbox, Qt.MouseButton.LeftButton)
        _wait_for(tab.fetch_button.isVisible, "the Fetch followers button to be visible")
        report.window_title = window.windowTitle()
        QTest.mouseClick(tab.fetch_button, Qt.MouseButton.LeftButton)
        _wait_for(lambda: outcomes, "the fetch to end")
        if outcomes[0] is not JobOutcome.SUCCEEDED:
            raise DriverFailed(f"the fetch {outcomes[0]}: {window.jobs.last_error or ''}")
        plot = tab.plot_network
        tab.plot_tabs.setCurrentWidget(plot)
        _wait_for(lambda: len(plot.points) > 0 and not tab.plots_pending, "points in the plot")
        report.followers_plotted = len(plot.points)
        for follower_id in _isolated_followers(plot, count=2):
            report.hovers.append(_hover(plot, follower_id, data_dir))
        _save_screenshot(window, plot, screenshot, report)
        QToolTip.hideText()
        window.close()  # the last window: the app's event loop ends and the app returns its exit code
    except Exception:
        # Not re-raised: the app's error handler would show a modal dialog nobody closes. The report says it, the
        # app's log keeps it, and the app stops with a failure code.
        log.exception("The smoke session's driver failed")
        report.driver_error = traceback.format_exc()
        QGuiApplication.primaryScreen().grabWindow(0).save(str(screenshot))  # what the screen showed then
        app.exit(EXIT_DRIVER_FAILED)


def _wait_for(probe: Callable[[], T | None], what: str | Callable[[], str]) -> T:
    """`probe()` once it is truthy, spinning the event loop meanwhile (as pytest-qt's waitUntil does). `what` is
    said if it never is (a callable: what it says at the time)."""
    deadline = time.monotonic() + WAIT_S
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise DriverFailed(f"waited {WAIT_S:.0f} s for {what() if callable(what) else what}")
        QTest.qWait(20)
    return value


def _visible_button(window: MainWindow, text: str) -> QAbstractButton | None:
    """The button a user would see with this text (found by its words, as a user finds it)."""
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible() and b.text() == text]
    return buttons[0] if buttons else None


def _main_window(app: QApplication) -> MainWindow | None:
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    return windows[0] if windows else None


def _isolated_followers(plot: FollowerScatter, count: int) -> list[int]:
    """Followers whose points are well inside the view, with no other point near them."""
    points = plot.points
    view_box = plot.plot_item.getViewBox()
    # View → scene is an axis-aligned affine map (the log scales are applied before): two points define it.
    origin, unit = view_box.mapViewToScene(QPointF(0, 0)), view_box.mapViewToScene(QPointF(1, 1))
    scene_x = origin.x() + (unit.x() - origin.x()) * points.x
    scene_y = origin.y() + (unit.y() - origin.y()) * points.y
    inside = view_box.sceneBoundingRect().adjusted(EDGE_MARGIN_PX, EDGE_MARGIN_PX, -EDGE_MARGIN_PX, -EDGE_MARGIN_PX)
    usable = ((scene_x > inside.left()) & (scene_x < inside.right())
              & (scene_y > inside.top()) & (scene_y < inside.bottom()) & np.isfinite(scene_x) & np.isfinite(scene_y))
    chosen: list[int] = []
    for index in np.flatnonzero(usable):
        others = np.hypot(scene_x - scene_x[index], scene_y - scene_y[index])
        others[index] = np.inf
        if np.nanmin(others) >= MIN_POINT_SPACING_PX:
            chosen.append(int(points.ids[index]))
            if len(chosen) == count:
                return chosen
    raise DriverFailed(f"found {len(chosen)} of {count} points with no other point within {MIN_POINT_SPACING_PX} px")


def _global_pos_of(plot: FollowerScatter, follower_id: int) -> QPoint:
    in_mouse_area = plot.viewport_pos_of(follower_id)
    if in_mouse_area is None:
        raise DriverFailed(f"follower {follower_id} has no point in view")
    return plot.mouse_area.mapToGlobal(in_mouse_area)


def _hover(plot: FollowerScatter, follower_id: int, data_dir: Path) -> HoverSeen:
    """Warp the X server's pointer over the follower's point: the app sees what a user's mouse makes, a motion
    event from the X server, and must answer with a tooltip naming that follower.

    Like a user, the pointer follows the point if it moves: panels still filling in after a fetch (the summary)
    can narrow the plot after the pointer got there, and a pointer that stays still makes no motion event."""
    username = _username_in_database(data_dir, follower_id)
    aimed_at: list[QPoint] = []

    def tooltip_naming_the_follower() -> str | None:
        target = _global_pos_of(plot, follower_id)
        if not aimed_at or aimed_at[-1] != target:
            aimed_at.append(target)
            QCursor.setPos(target)
            return None
        text = QToolTip.text()
        return text if QToolTip.isVisible() and f"@{username}" in text else None

    tooltip = _wait_for(tooltip_naming_the_follower,
                        lambda: f"a tooltip naming @{username} (shown: {QToolTip.text()!r}; pointer sent to "
                                f"{[p.toTuple() for p in aimed_at]}, is at {QCursor.pos().toTuple()})")
    return HoverSeen(follower_id, username, tooltip)


def _username_in_database(data_dir: Path, follower_id: int) -> str:
    uri = f"{(data_dir / 'twexport.sqlite3').as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        row = conn.execute("SELECT username FROM followers WHERE user_id = ?", (follower_id,)).fetchone()
    if row is None:
        raise DriverFailed(f"follower {follower_id} is not in the database")
    return str(row[0])


def _save_screenshot(window: MainWindow, plot: FollowerScatter, path: Path, report: SessionReport) -> None:
    """The whole screen as the X server shows it (the window and the last tooltip); colours counted on a grid
    over the window and over the plot, so a black or blank window fails.

    Taken once two grabs in a row are the same: the X server shows what Qt painted only after Qt handled its
    pending paint events (a tooltip just moved to a new point can still show the last one's text)."""
    screen = window.screen()
    last_grab: list[QImage] = []

    def settled_grab() -> QImage | None:
        image = screen.grabWindow(0).toImage()
        same = bool(last_grab) and image == last_grab[-1]
        last_grab[:] = [image]
        return image if same else None

    image = _wait_for(settled_grab, "the screen to stop changing")
    if not image.save(str(path)):
        raise DriverFailed(f"could not save the screenshot to {path}")
    window_rect = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
    plot_rect = QRect(plot.mapToGlobal(QPoint(0, 0)), plot.size())
    screen_origin = screen.geometry().topLeft()
    report.screenshot_colours = _distinct_colours(image, window_rect.translated(-screen_origin))
    report.plot_colours = _distinct_colours(image, plot_rect.translated(-screen_origin))


def _distinct_colours(image: QImage, rect: QRect, step: int = 4) -> int:
    rect = rect.intersected(image.rect())
    return len({image.pixel(x, y) for x in range(rect.left(), rect.right(), step)
                for y in range(rect.top(), rect.bottom(), step)})


if __name__ == "__main__":
    sys.exit(main())
