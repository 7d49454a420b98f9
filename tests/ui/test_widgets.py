"""The shared small widgets: the one progress bar every job view draws its reports on."""

from __future__ import annotations

from twexport_qt.core.progress import Progress
from twexport_qt.ui.widgets import JobProgressBar


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
