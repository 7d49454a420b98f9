"""Plot points prepared off the GUI thread: display coordinates, extent, tier checks, and a snapshot's two plots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twexport_qt.followers.plot_points import (
    FOLLOWER_PLOT_AXES,
    SECONDS_PER_DAY,
    FollowerPlotKind,
    FrameSpec,
    PlotAxes,
    PlotExtent,
    PointsInView,
    account_age_days,
    density_bins,
    density_image,
    density_rgba,
    follower_plot_points,
    framing_rect,
    from_display,
    highlight_categories,
    no_points,
    prepare_points,
    to_display,
)
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.snapshot import UNKNOWN_DATE, FollowerSnapshot
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

LOG = PlotAxes(log_x=True, log_y=True, x_label="x", y_label="y")
LINEAR = PlotAxes(log_x=False, log_y=False, x_label="x", y_label="y")
OWNER = 3
NOW = 1_700_000_000.0


def test_log_display_coordinates_round_trip_and_negative_values_are_not_placed():
    display = to_display(np.array([0, 9, 999, -1]), log=True)
    assert display[:3].tolist() == pytest.approx([0.0, 1.0, 3.0])
    assert math.isnan(display[3])
    assert from_display(3.0, log=True) == pytest.approx(999.0)
    assert to_display(np.array([-1, 5]), log=False).tolist() == [-1.0, 5.0]


def test_prepared_points_hold_display_coordinates_extent_and_a_hover_index():
    points = prepare_points(np.array([11, 22, 33]), np.array([0, 99, 9]), np.array([9, -5, 999]),
                            np.array([0, 2, 1]), LOG)
    assert len(points) == 3 and points.ids.dtype == np.int64
    assert points.x.tolist() == pytest.approx([0.0, 2.0, 1.0])
    # The follower with a negative count is not placed: the extent and the index leave it out.
    assert points.extent == PlotExtent(0.0, 1.0, 1.0, 3.0)
    assert points.index.indexed_count == 2
    assert points.index.nearest(1.0, 3.0, 0.1, 0.1) == 2
    assert points.tiers_needed == 3
    assert points.axes is LOG


def test_prepare_points_checks_its_input():
    with pytest.raises(ValueError, match="x has shape"):
        prepare_points(np.array([1, 2]), np.array([1.0]), np.array([1.0, 2.0]), np.array([0, 0]), LINEAR)
    with pytest.raises(ValueError, match="negative"):
        prepare_points(np.array([1]), np.array([1.0]), np.array([1.0]), np.array([-1]), LINEAR)


def test_prepare_points_checks_the_highlight_mask():
    with pytest.raises(ValueError, match="selected has shape"):
        prepare_points(np.array([1, 2]), np.ones(2), np.ones(2), np.zeros(2), LINEAR, np.array([True]))
    assert prepare_points(np.array([1, 2]), np.ones(2), np.ones(2), np.zeros(2), LINEAR).selected.all()


def test_framing_pads_the_extent_and_gives_a_lone_point_room():
    assert framing_rect(PlotExtent(0.0, 10.0, 1.0, 2.0)) == pytest.approx((-0.2, 10.2, 0.98, 2.02))
    assert framing_rect(PlotExtent(3.0, 3.0, 0.0, 5.0)) == pytest.approx((2.5, 3.5, -0.1, 5.1))
    assert framing_rect(None) is None


def frame_spec(max_drawn_points: int, tier_count: int = 3) -> FrameSpec:
    palette = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9))[:tier_count]
    return FrameSpec(density_shape=(15, 20), tier_rgb=palette, max_drawn_points=max_drawn_points)


def test_the_first_density_frame_is_drawn_with_the_points_for_the_framed_view():
    rng = np.random.default_rng(4)
    x, y = rng.lognormal(3, 1, 2_000), rng.lognormal(2, 1, 2_000)
    tier, selected = rng.integers(0, 3, 2_000), rng.random(2_000) < 0.4
    spec = frame_spec(max_drawn_points=1_000)
    points = prepare_points(np.arange(2_000), x, y, tier, LOG, selected, frame=spec)
    frame = points.first_frame
    assert frame is not None and frame.spec == spec
    view_rect = framing_rect(points.extent)
    assert frame.bins.is_for(view_rect, spec.density_shape)
    category = highlight_categories(tier, selected, 3)
    np.testing.assert_array_equal(frame.category, category)
    np.testing.assert_array_equal(
        frame.image, density_rgba(points.x, points.y, category, view_rect, (15, 20), np.array(spec.tier_rgb, float)))
    # Few enough points to be drawn one by one, or a palette short of a tier: nothing to draw ahead.
    assert prepare_points(np.arange(2_000), x, y, tier, LOG, frame=frame_spec(2_000)).first_frame is None
    assert prepare_points(np.arange(2_000), x, y, tier, LOG, frame=frame_spec(1_000, 2)).first_frame is None
    assert prepare_points(np.arange(2_000), x, y, tier, LOG).first_frame is None


def test_no_points_have_no_extent_and_need_no_tier():
    points = no_points()
    assert len(points) == 0 and points.extent is None and points.tiers_needed == 0
    only_unplaceable = prepare_points(np.array([1]), np.array([np.nan]), np.array([1.0]), np.array([0]), LINEAR)
    assert only_unplaceable.extent is None and only_unplaceable.index.indexed_count == 0


def test_density_image_colours_highlighted_bins_by_tier_and_dimmed_bins_grey():
    tier_rgb = np.array([[255.0, 0.0, 0.0], [0.0, 0.0, 255.0]])
    x = np.array([0.5, 0.5, 1.5, 5.0])  # the last one is outside the view
    y = np.array([0.5, 0.5, 1.5, 5.0])
    category = np.array([0, 0, 2, 1])  # two tier-0 followers, one dimmed (code 2 = tier count)
    image = density_rgba(x, y, category, (0.0, 2.0, 0.0, 2.0), (2, 2), tier_rgb)
    assert image.shape == (2, 2, 4)
    assert tuple(image[0, 0, :3]) == (255, 0, 0)
    assert tuple(image[1, 1, :3]) == (150, 150, 150)
    assert image[0, 0, 3] > image[1, 1, 3]  # highlighted bins are more opaque than dimmed ones
    assert image[0, 1, 3] == image[1, 0, 3] == 0


def test_density_bins_keep_the_points_in_view_and_recolour_without_rebinning():
    x = np.array([0.5, 1.5, 3.0, np.nan])
    y = np.array([0.5, 1.5, 0.5, 0.5])
    bins = density_bins(x, y, (0.0, 2.0, 0.0, 2.0), (2, 2))
    assert bins.inside.tolist() == [0, 1]  # outside the view, or not placed: not binned
    assert bins.bin.tolist() == [0, 3]  # row * columns + column
    assert bins.is_for((0.0, 2.0, 0.0, 2.0), (2, 2)) and not bins.is_for((0.0, 2.0, 0.0, 2.0), (4, 4))
    tier_rgb = np.array([[255.0, 0.0, 0.0], [0.0, 0.0, 255.0]])
    for category in (np.array([0, 1, 0, 0]), np.array([2, 0, 1, 1])):  # a filter change: same bins
        np.testing.assert_array_equal(density_image(bins, category, tier_rgb),
                                      density_rgba(x, y, category, (0.0, 2.0, 0.0, 2.0), (2, 2), tier_rgb))
    every_point = density_bins(x[:2], y[:2], (0.0, 2.0, 0.0, 2.0), (2, 2))
    assert every_point.inside is None and every_point.bin.tolist() == [0, 3]


def test_points_in_view_lists_the_highlighted_followers_inside_the_view_bounds_included():
    ids = np.array([10, 20, 30, 40, 50, 60])
    x = np.array([0.0, 1.0, 2.0, 1.5, 1.0, np.nan])
    y = np.array([0.0, 1.0, 1.0, 1.5, 3.0, 1.0])
    selected = np.array([True, True, True, False, True, True])
    points = prepare_points(ids, x, y, np.zeros(6, dtype=np.int8), LINEAR, selected)
    in_view = PointsInView(points, highlight_categories(points.tier, selected, 1), dimmed=1,
                           view_rect=(1.0, 2.0, 1.0, 2.0))
    # 20 and 30 sit on the border (kept), 40 is inside but dimmed, 10 and 50 are outside, 60 has no place.
    assert in_view.highlighted_ids().tolist() == [20, 30]
    everyone = PointsInView(points, highlight_categories(points.tier, np.ones(6, bool), 1), 1, (-1.0, 5.0, -1.0, 5.0))
    assert everyone.highlighted_ids().tolist() == [10, 20, 30, 40, 50]


def test_account_age_in_days_and_unknown_dates_not_placed():
    created = np.array([NOW - 10 * SECONDS_PER_DAY, UNKNOWN_DATE, NOW], dtype=np.int64)
    ages = account_age_days(created, NOW)
    assert ages[0] == pytest.approx(10.0) and math.isnan(ages[1]) and ages[2] == 0.0


@pytest.fixture
def snapshot() -> FollowerSnapshot:
    conn = open_database(":memory:")
    people = [
        FollowerRecord(user_id=100 + i, username=f"u{i}", followers_count=10**i, following_count=i,
                       created_at=None if i == 2 else int(NOW) - i * SECONDS_PER_DAY)
        for i in range(5)
    ]
    with conn:
        followers_repo.upsert_followers(conn, OWNER, people, seen_at=1)
    loaded = FollowerSnapshot.load(conn, OWNER)
    conn.close()
    return loaded


def test_network_plot_points_of_a_population(snapshot):
    positions = np.array([4, 1, 3])
    filter_mask = np.array([True, False, True, False, True])  # per snapshot position
    points = follower_plot_points(snapshot, positions, FollowerPlotKind.NETWORK, NOW, filter_mask)
    assert points.ids.tolist() == snapshot.user_id[positions].tolist()
    assert points.x.tolist() == pytest.approx(np.log10(1.0 + snapshot.following[positions].astype(float)).tolist())
    assert points.y.tolist() == pytest.approx(np.log10(1.0 + snapshot.followers[positions].astype(float)).tolist())
    assert points.tier.tolist() == snapshot.tier[positions].tolist()
    assert points.selected.tolist() == [True, False, False]  # the mask of each point's follower
    assert points.axes == FOLLOWER_PLOT_AXES[FollowerPlotKind.NETWORK]


def test_age_plot_points_leave_unknown_join_dates_off_the_axis(snapshot):
    points = follower_plot_points(snapshot, slice(None), FollowerPlotKind.AGE, NOW, np.ones(5, dtype=bool))
    by_id = dict(zip(points.ids.tolist(), points.x.tolist()))
    assert by_id[100] == 0.0 and by_id[104] == pytest.approx(4.0)
    assert math.isnan(by_id[102])
    assert points.index.indexed_count == 4
    assert points.axes == FOLLOWER_PLOT_AXES[FollowerPlotKind.AGE] and not points.axes.log_x


def test_a_bool_mask_picks_the_same_points_as_their_positions(snapshot):
    mask = np.array([False, True, True, False, True])
    by_mask = follower_plot_points(snapshot, mask, FollowerPlotKind.NETWORK, NOW, mask)
    by_positions = follower_plot_points(snapshot, np.flatnonzero(mask), FollowerPlotKind.NETWORK, NOW, mask)
    assert by_mask.ids.tolist() == by_positions.ids.tolist() == snapshot.user_id[mask].tolist()
    assert by_mask.x.tolist() == by_positions.x.tolist() and by_mask.selected.all()
