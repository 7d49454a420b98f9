"""Benchmark the follower scatter: index build, hover look-up, preparing points, first render, filter update.

Preparing the points (display coordinates, hover index) runs in a task thread in the app; what the GUI thread
pays on a new snapshot is "show prepared points + paint".

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_scatter.py [--points 1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from twexport_qt.followers.plot_points import PlotAxes, prepare_points, to_display
from twexport_qt.followers.point_index import PointIndex
from twexport_qt.ui.palette import tier_colours
from twexport_qt.ui.scatter_plot import FollowerScatter

HOVER_QUERIES = 1_000
POINTS_AT_CALLS = 3


def realistic_followers(n: int, seed: int = 0):
    """Heavy-tailed counts: most accounts small, a few huge; following loosely tracks followers."""
    rng = np.random.default_rng(seed)
    followers = np.floor(rng.pareto(1.1, n) * 60)
    following = np.floor(np.minimum(followers * rng.lognormal(0, 1.3, n) + rng.integers(0, 50, n), 5e6))
    tier = np.digitize(followers, [100, 1_000, 10_000, 100_000]).astype(np.int8)
    return np.arange(n, dtype=np.int64) + 10**15, followers, following, tier, rng.random(n) < 0.3


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000)
    n = parser.parse_args().points
    app = QApplication.instance() or QApplication([])
    ids, followers, following, tier, selected = realistic_followers(n)
    x, y = to_display(followers, True), to_display(following, True)
    rng = np.random.default_rng(1)
    print(f"{n:,} followers")

    index_holder = []
    build = timed(lambda: index_holder.append(PointIndex(x, y)))
    index = index_holder[0]
    print(f"PointIndex build:           {build * 1e3:8.1f} ms")

    # Hover radius as at full zoom-out in an ~800 px plot: 6 px of the data extent.
    radius_x, radius_y = 6 * np.ptp(x) / 800, 6 * np.ptp(y) / 600
    near = rng.integers(0, n, HOVER_QUERIES)
    queries = np.column_stack([x[near] + rng.normal(0, radius_x, HOVER_QUERIES),
                               y[near] + rng.normal(0, radius_y, HOVER_QUERIES)])
    lookups = np.array([timed(lambda q=q: index.nearest(q[0], q[1], radius_x, radius_y)) for q in queries]) * 1e3
    print(f"PointIndex.nearest:         mean {lookups.mean():.3f} ms, p99 {np.percentile(lookups, 99):.3f} ms, "
          f"max {lookups.max():.3f} ms ({HOVER_QUERIES} random positions near points)")

    plot = pg.PlotWidget()
    plot.resize(800, 600)
    plot.show()
    scatter_item = pg.ScatterPlotItem(x=x, y=y, size=5, pen=None, brush="b")
    plot.addItem(scatter_item)
    app.processEvents()
    points_at = np.array(
        [timed(lambda q=q: scatter_item.pointsAt(QPointF(*q))) for q in queries[:POINTS_AT_CALLS]]) * 1e3
    print(f"ScatterPlotItem.pointsAt:   mean {points_at.mean():.1f} ms over {POINTS_AT_CALLS} calls (for comparison)")
    plot.close()

    widget = FollowerScatter(tooltip_provider=lambda follower_id: f"follower {follower_id}")
    widget.set_tier_palette(tier_colours(5), [f"Tier {code}" for code in range(5)])  # as the Followers tab does
    widget.resize(1000, 700)
    widget.show()
    app.processEvents()

    axes = PlotAxes(log_x=True, log_y=True, x_label="Followers", y_label="Following")
    prepared = []
    frame = widget.frame_spec()
    prepare = timed(lambda: prepared.append(prepare_points(ids, followers, following, tier, axes, selected,
                                                           frame=frame)))
    print(f"prepare_points incl. first density frame (task thread): {prepare * 1e3:8.1f} ms")
    show = timed(lambda: (widget.show_points(prepared[0]), widget.grab()))
    print(f"show prepared points + paint (GUI thread): {show * 1e3:8.1f} ms, mode={widget.render_mode.value}")

    def first_render() -> None:
        widget.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True,
                          x_label="Followers", y_label="Following")
        widget.grab()

    print(f"set_points + paint (both inline): {timed(first_render) * 1e3:8.1f} ms, mode={widget.render_mode.value}")
    updates = [timed(lambda: (widget.set_selected(rng.random(n) < 0.5), widget.grab())) for _ in range(5)]
    print(f"filter update (density):    median {np.median(updates) * 1e3:.1f} ms over 5 (set_selected + paint)")

    view_box = widget.plot_item.getViewBox()
    view_box.setRange(xRange=(1.8, 1.9), yRange=(1.8, 1.9), padding=0)
    zoom = timed(lambda: (widget._refresh_level_of_detail(), widget.grab()))  # what the debounce timer runs
    print(f"zoom-in switch to points:   {zoom * 1e3:8.1f} ms, mode={widget.render_mode.value}, "
          f"drawn={widget.drawn_points}")
    updates = [timed(lambda: (widget.set_selected(rng.random(n) < 0.5), widget.grab())) for _ in range(5)]
    print(f"filter update (points):     median {np.median(updates) * 1e3:.1f} ms over 5 (set_selected + paint)")

    centre = view_box.mapViewToScene(QPointF(1.85, 1.85))
    hovers = np.array([timed(lambda d=d: widget.hover_at_scene_pos(centre + QPointF(d, d))) for d in range(200)]) * 1e3
    print(f"widget hover (incl. provider + tooltip): mean {hovers.mean():.3f} ms, "
          f"p99 {np.percentile(hovers, 99):.3f} ms")


if __name__ == "__main__":
    main()
