"""PointIndex against brute force: random clouds, clusters, duplicates, NaNs, cell borders."""

from __future__ import annotations

import numpy as np
import pytest

from twexport_qt.followers.point_index import PointIndex


def brute_nearest(x, y, qx, qy, rx, ry) -> int | None:
    with np.errstate(invalid="ignore"):
        distance = ((x - qx) / rx) ** 2 + ((y - qy) / ry) ** 2
    distance = np.where(np.isfinite(distance), distance, np.inf)
    best = distance.min() if len(distance) else np.inf
    if not best <= 1.0:
        return None
    return int(np.flatnonzero(distance == best).min())


def brute_in_rect(x, y, x0, x1, y0, y1) -> np.ndarray:
    return np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))


def heavy_tailed_cloud(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Log-transformed counts, like the followers plot: dense core, long sparse tail."""
    rng = np.random.default_rng(seed)
    followers = rng.pareto(1.1, n) * 40
    following = followers * rng.lognormal(0, 1.2, n)
    return np.log10(1 + followers), np.log10(1 + following)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_nearest_matches_brute_force(seed):
    x, y = heavy_tailed_cloud(seed, 20_000)
    index = PointIndex(x, y)
    rng = np.random.default_rng(100 + seed)
    # Half the queries next to real points (hits), half anywhere in the bounds (mostly misses).
    near = rng.integers(0, len(x), 150)
    queries = np.concatenate([
        np.column_stack([x[near] + rng.normal(0, 0.01, 150), y[near] + rng.normal(0, 0.02, 150)]),
        np.column_stack([rng.uniform(-0.5, x.max() + 0.5, 150), rng.uniform(-0.5, y.max() + 0.5, 150)]),
    ])
    hits = 0
    for qx, qy in queries:
        rx, ry = rng.uniform(0.005, 0.2), rng.uniform(0.005, 0.2)  # axes of different scales
        expected = brute_nearest(x, y, qx, qy, rx, ry)
        assert index.nearest(qx, qy, rx, ry) == expected
        hits += expected is not None
    assert hits > 100  # the comparison exercised found points, not only misses


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_in_rect_and_count_match_brute_force(seed):
    x, y = heavy_tailed_cloud(seed, 20_000)
    index = PointIndex(x, y)
    rng = np.random.default_rng(200 + seed)
    for _ in range(100):
        x0, x1 = np.sort(rng.uniform(-1, x.max() + 1, 2))
        y0, y1 = np.sort(rng.uniform(-1, y.max() + 1, 2))
        expected = brute_in_rect(x, y, x0, x1, y0, y1)
        np.testing.assert_array_equal(index.in_rect(x0, x1, y0, y1), expected)
        assert index.count_in_rect(x0, x1, y0, y1) == len(expected)


def test_whole_extent_returns_every_point():
    x, y = heavy_tailed_cloud(5, 5_000)
    index = PointIndex(x, y)
    bounds = (x.min(), x.max(), y.min(), y.max())
    np.testing.assert_array_equal(index.in_rect(*bounds), np.arange(5_000))
    assert index.count_in_rect(*bounds) == 5_000


def test_points_exactly_on_cell_borders_and_rect_edges():
    # An integer lattice: with 10x10 points every coordinate sits on a grid line, and
    # rectangles whose edges pass through points must include them (closed bounds).
    gx, gy = np.meshgrid(np.arange(10.0), np.arange(10.0))
    x, y = gx.ravel(), gy.ravel()
    index = PointIndex(x, y)
    for x0, x1, y0, y1 in [(2, 5, 3, 3), (0, 9, 0, 9), (4, 4, 4, 4), (2.5, 3, 0, 9), (9, 12, -3, 0)]:
        expected = brute_in_rect(x, y, x0, x1, y0, y1)
        np.testing.assert_array_equal(index.in_rect(x0, x1, y0, y1), expected)
        assert index.count_in_rect(x0, x1, y0, y1) == len(expected)
    # A radius of exactly the distance to the point still finds it (the ellipse is closed).
    assert index.nearest(3.0, 4.5, 1.0, 0.5) == brute_nearest(x, y, 3.0, 4.5, 1.0, 0.5)
    assert index.nearest(9.0, 9.0, 1e-9, 1e-9) == 99


def test_nan_and_infinite_points_are_excluded():
    x = np.array([0.0, np.nan, 1.0, 2.0, np.inf, 3.0])
    y = np.array([0.0, 1.0, np.nan, 2.0, 0.0, 3.0])
    index = PointIndex(x, y)
    assert len(index) == 6
    assert index.indexed_count == 3
    np.testing.assert_array_equal(index.in_rect(-10, 10, -10, 10), [0, 3, 5])
    assert index.count_in_rect(-10, 10, -10, 10) == 3
    assert index.nearest(1.0, 1.0, 0.1, 0.1) is None  # index 1 and 2 are nearby but not finite
    assert index.nearest(2.1, 2.1, 0.5, 0.5) == 3


def test_duplicates_resolve_to_lowest_index():
    x = np.array([5.0, 1.0, 1.0, 1.0, 7.0])
    y = np.array([5.0, 2.0, 2.0, 2.0, 7.0])
    index = PointIndex(x, y)
    assert index.nearest(1.0, 2.0, 0.1, 0.1) == 1
    np.testing.assert_array_equal(index.in_rect(1, 1, 2, 2), [1, 2, 3])


def test_all_points_identical():
    index = PointIndex(np.full(1000, 3.0), np.full(1000, -2.0))
    assert index.nearest(3.05, -2.0, 0.1, 0.1) == 0
    assert index.nearest(4.0, -2.0, 0.1, 0.1) is None
    assert index.count_in_rect(2, 4, -3, -1) == 1000
    assert index.count_in_rect(3.5, 4, -3, -1) == 0


def test_empty_index():
    index = PointIndex(np.array([]), np.array([]))
    assert len(index) == 0
    assert index.nearest(0.0, 0.0, 1.0, 1.0) is None
    assert index.in_rect(-1, 1, -1, 1).size == 0
    assert index.count_in_rect(-1, 1, -1, 1) == 0


def test_only_nan_points_behave_like_empty():
    index = PointIndex(np.array([np.nan, np.nan]), np.array([1.0, 2.0]))
    assert index.nearest(0.0, 1.0, 10.0, 10.0) is None
    assert index.count_in_rect(-100, 100, -100, 100) == 0


def test_inverted_or_nan_rect_is_empty_and_nan_query_finds_nothing():
    index = PointIndex(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert index.in_rect(1, 0, 0, 1).size == 0
    assert index.count_in_rect(0, 1, np.nan, 1) == 0
    assert index.nearest(np.nan, 0.0, 1.0, 1.0) is None


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        PointIndex(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        PointIndex(np.array([0.0]), np.array([0.0])).nearest(0, 0, 0, 1)
