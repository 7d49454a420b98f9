"""The shared small widgets: the one progress bar every job view draws its reports on, the label that gives way
without losing its text, the notice bar, and a date shown in UTC or local time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDateTime, QEvent, QTimeZone
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from twexport_qt.core.progress import Progress
from twexport_qt.ui.widgets import ElidedLabel, InfoBar, JobProgressBar, OptionalDateTimeEdit


def test_progress_bar_shows_a_share_busy_and_ended(qtbot):
    bar = JobProgressBar()
    qtbot.addWidget(bar)
    bar.show_progress(Progress(3_000_000_000, 4_000_000_000))  # counts beyond a Qt int still draw
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 1000, 750)
    bar.show_progress(Progress(999_999, 1_000_000))
    assert bar.value() == 999  # full only when done
    bar.show_progress(Progress(12))  # no total: busy
    assert (bar.minimum(), bar.maximum()) == (0, 0)
    bar.show_ended(complete=True)
    assert bar.value() == bar.maximum() == 1000
    bar.show_ended(complete=False)
    assert bar.value() == 0


def test_an_elided_label_gives_way_but_keeps_its_whole_text(qtbot):
    label = ElidedLabel("X's rate limit is reached; resuming automatically.")
    qtbot.addWidget(label)
    label.show()
    label.resize(label.sizeHint())
    assert not label.is_elided()
    assert label.minimumSizeHint().width() < label.sizeHint().width() // 2  # a crowded layout may shrink it
    label.resize(label.minimumSizeHint())
    assert label.is_elided() and label.text() == "X's rate limit is reached; resuming automatically."


def test_an_elided_labels_tooltip_shows_the_whole_text(qtbot):
    label = ElidedLabel("API /2/users/:id/followers: 0/15 left")
    label.setToolTip("Requests left in the window")
    qtbot.addWidget(label)
    label.show()
    label.resize(label.minimumSizeHint())
    centre = label.rect().center()
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, centre, label.mapToGlobal(centre)))
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "API /2/users/:id/followers: 0/15 left\n\nRequests left in the window"
    QToolTip.hideText()


def test_an_info_bar_stays_until_dismissed(qtbot):
    bar = InfoBar()
    qtbot.addWidget(bar)
    assert not bar.isVisible()
    bar.show_text("Secrets are kept for this session only.")
    assert bar.isVisible() and bar.text() == "Secrets are kept for this session only."
    with qtbot.waitSignal(bar.dismissed):
        bar.dismiss_button.click()
    assert not bar.isVisible()


@pytest.mark.parametrize("local_time", [False, True], ids=["utc", "local"])
def test_an_optional_date_is_the_same_moment_in_either_zone(qtbot, local_time):
    edit = OptionalDateTimeEdit("Joined after", local_time=local_time)
    qtbot.addWidget(edit)
    assert edit.value() is None
    edit.set_value(1_577_836_800)  # 2020-01-01 00:00 UTC
    assert edit.epoch() == 1_577_836_800
    zone = QTimeZone.systemTimeZone() if local_time else QTimeZone.utc()
    shown = QDateTime.fromSecsSinceEpoch(1_577_836_800, zone).toString("yyyy-MM-dd HH:mm")
    assert edit.edit.text() == shown
