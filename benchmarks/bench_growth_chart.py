"""Benchmark the Growth tab's chart: a year of daily complete fetches (365 snapshots) set into the real
`GrowthChart` and rendered, the goal being at most 200 ms (issue 15) for setting the data and the first paint.

The chart's data is small (one point and two bars per fetch); what this measures is pyqtgraph's cost of the
line, the bars and the date axes' ticks, which is what the GUI thread pays when the history is shown.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_growth_chart.py [--snapshots 365] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from twexport_qt.followers.history import GrowthPoint
from twexport_qt.ui.growth_tab import GrowthChart

GOAL_S = 0.200
DAY_S = 86_400
START = 1_767_225_600  # 2026-01-01 UTC


def synthetic_points(snapshots: int, seed: int = 0) -> list[GrowthPoint]:
    """A daily fetch at a slightly wandering hour, a million followers growing with 1% daily churn."""
    rng = np.random.default_rng(seed)
    followers = 1_000_000
    points = [GrowthPoint(START, followers, followers, 0, True)]
    for day in range(1, snapshots):
        joined, left = int(rng.poisson(10_300)), int(rng.poisson(10_000))
        followers += joined - left
        points.append(GrowthPoint(START + day * DAY_S + int(rng.integers(-1800, 1800)), followers, joined, left,
                                  False))
    return points


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def draw(chart: GrowthChart, points: list[GrowthPoint]) -> tuple[float, float]:
    """Seconds to set `points` into `chart`, then to render it (a grab paints the whole widget)."""
    set_s = timed(lambda: chart.set_points(points))
    render_s = timed(chart.grab)
    return set_s, render_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshots", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    points = synthetic_points(arguments.snapshots)
    print(f"{len(points):,} snapshots, a {arguments.repeat}-run sample, goal ≤ {GOAL_S * 1000:.0f} ms")
    worst = 0.0
    for run in range(arguments.repeat):
        chart = GrowthChart()  # a new chart each run: the first paint is the one the user waits for
        chart.resize(1000, 420)
        chart.show()
        app.processEvents()
        set_s, render_s = draw(chart, points)
        total = set_s + render_s
        worst = max(worst, total)
        print(f"run {run + 1}: set data {set_s * 1000:6.1f} ms, render (grab) {render_s * 1000:6.1f} ms, "
              f"total {total * 1000:6.1f} ms")
        chart.close()
        chart.deleteLater()
        app.processEvents()
    verdict = "within" if worst <= GOAL_S else "OVER"
    print(f"worst total {worst * 1000:.1f} ms: {verdict} the {GOAL_S * 1000:.0f} ms goal")


if __name__ == "__main__":
    main()
