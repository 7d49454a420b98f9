"""FollowerScatter: hover/click look-ups, highlighting, level of detail, log-axis labels, and showing points
prepared in another thread."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication

from twexport_qt.followers.plot_points import PlotAxes, density_rgba, prepare_points
from twexport_qt.ui.palette import tier_colours
from twexport_qt.ui.scatter_plot import (
    LOD_DEBOUNCE_MS,
    MAX_DRAWN_POINTS,
    FollowerScatter,
    RenderMode,
    format_count,
)

BIG = 1_600_000_000_000_000_000


class RecordingProvider:
    """Tooltip provider that remembers which ids it was asked about (the real one hits the DB)."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, follower_id: int) -> str:
        self.calls.append(follower_id)
        return f"@user{follower_id}"


@pytest.fixture
def provider() -> RecordingProvider:
    return RecordingProvider()


@pytest.fixture
def scatter(qtbot, provider) -> FollowerScatter:
    widget = FollowerScatter(tooltip_provider=provider)
    widget.resize(800, 600)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def three_followers(scatter: FollowerScatter, selected=(True, True, True)) -> None:
    scatter.set_points(
        np.array([BIG + 101, BIG + 202, BIG + 303]),  # real X ids need 64 bits
        np.array([10.0, 50.0, 90.0]),
        np.array([10.0, 80.0, 30.0]),
        np.array([0, 1, 2], dtype=np.int8),
        np.array(selected),
        log_x=False,
        log_y=False,
        x_label="followers",
        y_label="following",
    )


def scene_pos(scatter: FollowerScatter, x: float, y: float) -> QPointF:
    return scatter.plot_item.getViewBox().mapViewToScene(QPointF(x, y))


def viewport_pos(scatter: FollowerScatter, x: float, y: float):
    view = scatter.plot_item.scene().views()[0]
    return view, view.mapFromScene(scene_pos(scatter, x, y))


def test_hover_on_a_point_shows_the_providers_text_for_that_follower(scatter, provider, qtbot):
    three_followers(scatter)
    with qtbot.waitSignal(scatter.pointHovered) as hovered:
        # 3 px off the point: inside the 6 px hover radius.
        found = scatter.hover_at_scene_pos(scene_pos(scatter, 50.0, 80.0) + QPointF(3, 0))
    assert found == BIG + 202
    assert hovered.args == [BIG + 202]
    assert provider.calls == [BIG + 202]
    assert scatter.tooltip_text_at(90.0, 30.0) == f"@user{BIG + 303}"


def test_hovering_the_same_follower_again_does_not_query_the_provider_again(scatter, provider):
    three_followers(scatter)
    scatter.hover_at_scene_pos(scene_pos(scatter, 10.0, 10.0))
    scatter.hover_at_scene_pos(scene_pos(scatter, 10.0, 10.0) + QPointF(1, 1))
    assert provider.calls == [BIG + 101]


def test_hover_far_from_every_point_finds_nothing(scatter, provider, qtbot):
    three_followers(scatter)
    scatter.hover_at_scene_pos(scene_pos(scatter, 10.0, 10.0))
    with qtbot.waitSignal(scatter.pointHovered) as hovered:
        assert scatter.hover_at_scene_pos(scene_pos(scatter, 30.0, 50.0)) is None
    assert hovered.args == [-1]
    assert scatter.tooltip_text_at(30.0, 50.0) is None
    assert scatter.tooltip_text_at(10.0 + 1.0, 10.0) is None  # 1 data unit is ~8 px here


def test_mouse_move_event_over_a_point_emits_hovered(scatter, qtbot):
    three_followers(scatter)
    view, pos = viewport_pos(scatter, 90.0, 30.0)
    # QTest.mouseMove does not reach the offscreen platform's scene; a posted move event
    # still goes through the real path: GraphicsScene.sigMouseMoved -> hover handling.
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)),
        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(scatter.pointHovered) as hovered:
        QApplication.sendEvent(view.viewport(), move)
    assert hovered.args == [BIG + 303]


def test_click_on_a_point_emits_its_follower_id(scatter, qtbot):
    three_followers(scatter)
    view, pos = viewport_pos(scatter, 50.0, 80.0)
    with qtbot.waitSignal(scatter.pointClicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked.args == [BIG + 202]


def test_click_on_empty_space_emits_nothing(scatter, qtbot):
    three_followers(scatter)
    view, pos = viewport_pos(scatter, 30.0, 50.0)
    with qtbot.assertNotEmitted(scatter.pointClicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_set_selected_moves_points_between_highlighted_and_dimmed(scatter):
    three_followers(scatter, selected=(True, False, False))
    assert scatter.render_mode is RenderMode.POINTS
    assert (scatter.drawn_points.highlighted, scatter.drawn_points.dimmed) == (1, 2)
    scatter.set_selected(np.array([True, True, True]))
    assert (scatter.drawn_points.highlighted, scatter.drawn_points.dimmed) == (3, 0)


def test_set_selected_rejects_a_mask_of_the_wrong_length(scatter):
    three_followers(scatter)
    with pytest.raises(ValueError):
        scatter.set_selected(np.array([True]))


def test_tier_codes_must_have_a_palette_colour(scatter):
    with pytest.raises(ValueError, match="tier codes"):
        scatter.set_points(
            np.array([1]), np.array([1.0]), np.array([1.0]), np.array([99], dtype=np.int8), np.array([True]),
            log_x=False, log_y=False, x_label="", y_label="",
        )


def heavy_tailed_followers(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    followers = rng.pareto(1.2, n) * 50
    following = followers * rng.lognormal(0, 1, n)
    tier = np.digitize(followers, [100, 1_000, 10_000]).astype(np.int8)
    return np.arange(n, dtype=np.int64), followers, following, tier, rng.random(n) < 0.3


def test_zoomed_out_shows_density_and_zoomed_in_shows_points(scatter, qtbot):
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True,
                       x_label="followers", y_label="following")
    assert scatter.render_mode is RenderMode.DENSITY
    assert scatter.density_image is not None and scatter.density_image[..., 3].any()
    assert scatter.drawn_points.highlighted == scatter.drawn_points.dimmed == 0

    with qtbot.waitSignal(scatter.renderModeChanged) as changed:
        scatter.plot_item.getViewBox().setRange(xRange=(2.0, 2.2), yRange=(2.0, 2.2), padding=0)
    assert changed.args == ["points"]
    assert scatter.density_image is None
    drawn = scatter.drawn_points.highlighted + scatter.drawn_points.dimmed
    assert 0 < drawn <= MAX_DRAWN_POINTS * (1 + 2 * 0.25) ** 2  # the view plus a pan margin

    # Hover works in both modes and reports a follower that is really under the cursor.
    view_x, view_y = np.log10(1 + followers), np.log10(1 + following)
    follower = int(np.flatnonzero((view_x > 2.05) & (view_x < 2.15) & (view_y > 2.05) & (view_y < 2.15))[0])
    view_pos = scatter.view_pos_of(follower)
    assert scatter.hover_at_scene_pos(scatter.plot_item.getViewBox().mapViewToScene(view_pos)) is not None


def test_log_axis_ticks_are_labelled_with_real_counts(scatter):
    ids, followers, following, tier, selected = heavy_tailed_followers(1_000)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=False,
                       x_label="followers", y_label="following")
    axis = scatter.plot_item.getAxis("bottom")
    positions = [math.log10(1 + v) for v in (0, 10, 100, 1_000, 1_000_000)]
    assert axis.tickStrings(positions, 1.0, 1.0) == ["0", "10", "100", "1k", "1M"]

    majors = axis.tickValues(0.0, math.log10(1 + 1e6), 800)[0][1]
    assert [axis.tickStrings([p], 1.0, 1.0)[0] for p in majors] == ["0", "1", "10", "100", "1k", "10k", "100k", "1M"]


def test_log_axis_zoomed_within_a_decade_still_gets_round_labels(scatter):
    ids, followers, following, tier, selected = heavy_tailed_followers(1_000)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=False,
                       x_label="followers", y_label="following")
    axis = scatter.plot_item.getAxis("bottom")
    majors = axis.tickValues(math.log10(1 + 200), math.log10(1 + 700), 800)[0][1]
    labels = axis.tickStrings(majors, 1.0, 1.0)
    assert len(labels) >= 2
    assert all(float(label) % 100 == 0 for label in labels), labels


def test_linear_axis_keeps_pyqtgraph_labels(scatter):
    three_followers(scatter)
    assert scatter.plot_item.getAxis("bottom").tickStrings([20.0, 40.0], 1.0, 20.0) == ["20", "40"]


@pytest.mark.parametrize(
    ("value", "label"),
    [(0, "0"), (7, "7"), (950, "950"), (999.7, "1k"), (1_500, "1.5k"), (25_000, "25k"), (1e6, "1M"), (2.5e9, "2.5B")],
)
def test_format_count(value, label):
    assert format_count(value) == label


def test_density_image_follows_the_view_and_the_filter(scatter, qtbot):
    palette = [QColor("red"), QColor("green"), QColor("blue"), QColor("black")]
    scatter.set_tier_palette(palette, ["a", "b", "c", "d"])
    tier_rgb = np.array([[c.red(), c.green(), c.blue()] for c in palette], float)
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True,
                       x_label="followers", y_label="following")
    view_box = scatter.plot_item.getViewBox()

    def fresh_image(mask: np.ndarray) -> np.ndarray:
        """The image computed from scratch for the current view: what the plot must show."""
        (x0, x1), (y0, y1) = view_box.viewRange()
        category = np.where(mask, tier, len(palette))
        points = scatter.points
        return density_rgba(points.x, points.y, category, (x0, x1, y0, y1), scatter.density_image.shape[:2],
                            tier_rgb)

    np.testing.assert_array_equal(scatter.density_image, fresh_image(selected))
    zoomed_out = scatter.density_image
    (x0, x1), (y0, y1) = view_box.viewRange()
    view_box.setRange(xRange=(x0, (x0 + x1) / 2), yRange=(y0, (y0 + y1) / 2), padding=0)  # the dense corner
    qtbot.waitUntil(lambda: scatter.density_image is not zoomed_out)
    assert scatter.render_mode is RenderMode.DENSITY
    np.testing.assert_array_equal(scatter.density_image, fresh_image(selected))
    refiltered = followers > 20
    scatter.set_selected(refiltered)
    np.testing.assert_array_equal(scatter.density_image, fresh_image(refiltered))


def test_points_prepared_in_another_thread_show_with_hover_click_and_highlight(scatter, provider, qtbot):
    ids, followers, following, tier, selected = heavy_tailed_followers(5_000)
    axes = PlotAxes(log_x=True, log_y=True, x_label="followers", y_label="following")
    with ThreadPoolExecutor(1) as pool:  # what a task thread does: no Qt involved
        points = pool.submit(prepare_points, ids, followers, following, tier, axes, selected).result()
    scatter.show_points(points)
    assert scatter.points is points
    assert scatter.plot_item.getAxis("bottom").labelText == "followers"
    assert scatter.render_mode is RenderMode.POINTS  # 5,000 fit under MAX_DRAWN_POINTS
    assert scatter.drawn_points.highlighted == np.count_nonzero(selected)
    follower = int(np.argmax(followers))  # the top follower is alone in its corner
    view_pos = scatter.view_pos_of(follower)
    assert (view_pos.x(), view_pos.y()) == pytest.approx((np.log10(1 + followers[follower]),
                                                          np.log10(1 + following[follower])))
    assert scatter.hover_at_scene_pos(scatter.plot_item.getViewBox().mapViewToScene(view_pos)) == follower
    assert provider.calls == [follower]
    view, pos = viewport_pos(scatter, view_pos.x(), view_pos.y())
    with qtbot.waitSignal(scatter.pointClicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked.args == [follower]

    scatter.show_points(prepare_points(ids, followers, following, tier, axes))  # no mask: everyone highlighted
    assert (scatter.drawn_points.highlighted, scatter.drawn_points.dimmed) == (5_000, 0)


def test_the_first_density_image_drawn_ahead_is_the_one_the_plot_would_draw(scatter, qtbot):
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    axes = PlotAxes(log_x=True, log_y=True, x_label="followers", y_label="following")
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True, x_label="followers",
                       y_label="following")
    drawn_here = scatter.density_image.copy()

    spec = scatter.frame_spec()
    with ThreadPoolExecutor(1) as pool:
        points = pool.submit(lambda: prepare_points(ids, followers, following, tier, axes, selected,
                                                    frame=spec)).result()
    assert points.first_frame is not None
    scatter.show_points(points)
    # Shown as drawn in the thread (the image item keeps a view of it): nothing redrawn in the GUI thread.
    assert np.shares_memory(scatter.density_image, points.first_frame.image)
    np.testing.assert_array_equal(scatter.density_image, drawn_here)
    view_box = scatter.plot_item.getViewBox()
    (x0, x1), (y0, y1) = view_box.viewRange()
    assert points.first_frame.bins.is_for((x0, x1, y0, y1), scatter.density_image.shape[:2])

    # Resized while the points were prepared: the frame drawn ahead is shown (scaled) all the same, and the next
    # change draws at the new size.
    scatter.resize(700, 500)
    qtbot.waitUntil(lambda: scatter.frame_spec() != spec)
    scatter.show_points(points)
    assert np.shares_memory(scatter.density_image, points.first_frame.image)
    scatter.set_selected(np.ones(len(ids), dtype=bool))
    assert scatter.render_mode is RenderMode.DENSITY
    assert scatter.density_image.shape[:2] == scatter.frame_spec().density_shape

    # A palette changed meanwhile: the colours drawn ahead are wrong, so the plot draws the frame itself.
    palette = [QColor("red"), QColor("green"), QColor("blue"), QColor("black")]
    scatter.set_tier_palette(palette, ["a", "b", "c", "d"])
    scatter.show_points(points)
    assert not np.shares_memory(scatter.density_image, points.first_frame.image)
    (x0, x1), (y0, y1) = view_box.viewRange()
    expected = density_rgba(points.x, points.y, np.where(selected, tier, len(palette)), (x0, x1, y0, y1),
                            scatter.density_image.shape[:2], np.array([c.getRgb()[:3] for c in palette], float))
    np.testing.assert_array_equal(scatter.density_image, expected)


def test_show_points_refuses_tiers_the_palette_has_no_colour_for(scatter):
    points = prepare_points(np.array([1, 2]), np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([0, 9]),
                            PlotAxes(log_x=False, log_y=False, x_label="", y_label=""))
    with pytest.raises(ValueError, match="tier codes"):
        scatter.show_points(points)


def test_clear_points_leaves_nothing_to_hover_or_click(scatter, qtbot):
    three_followers(scatter)
    scatter.clear_points()
    assert scatter.render_mode is RenderMode.EMPTY
    assert scatter.hover_at_scene_pos(scene_pos(scatter, 50.0, 80.0)) is None
    assert scatter.view_pos_of(BIG + 202) is None
    view, pos = viewport_pos(scatter, 50.0, 80.0)
    with qtbot.assertNotEmitted(scatter.pointClicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_new_points_with_their_frame_drawn_ahead_leave_the_view_as_it_was(scatter, qtbot):
    scatter.set_tier_palette(tier_colours(4), ["a", "b", "c", "d"])
    scatter.grab()  # painted empty first (narrow tick labels), as a tab is before its first snapshot
    qtbot.wait(LOD_DEBOUNCE_MS * 2)  # and laid out for them
    spec = scatter.frame_spec()
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    axes = PlotAxes(log_x=True, log_y=True, x_label="followers", y_label="following")
    points = prepare_points(ids, followers, following, tier, axes, selected, frame=spec)
    scatter.show_points(points)
    scatter.grab()  # paints the new labels and tick labels: the axes must not take room from the view
    qtbot.wait(LOD_DEBOUNCE_MS * 4)
    assert scatter.frame_spec() == spec
    assert np.shares_memory(scatter.density_image, points.first_frame.image)  # not redrawn for another size
