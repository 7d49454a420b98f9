"""FollowerScatter: hover/click look-ups, highlighting, level of detail, log-axis labels, showing points
prepared in another thread; and what a user expects of a plot: the app's context menu (not pyqtgraph's), a ring on
the selected follower, a legend beside the data, colours that follow a light or dark palette."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QToolTip

from twexport_qt.followers.plot_points import PlotAxes, PointsInView, density_rgba, prepare_points
from twexport_qt.ui.palette import DARK_TIER_COLOURS, LIGHT_TIER_COLOURS, tier_colours
from twexport_qt.ui.plot_items import format_count
from twexport_qt.ui.scatter_plot import (
    EXPORT_VISIBLE_TEXT,
    LOD_DEBOUNCE_MS,
    MAX_DRAWN_POINTS,
    RESET_ZOOM_TEXT,
    FollowerScatter,
    RenderMode,
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


# -- a plot as a user expects: the app's menu, a ringed follower, a legend beside the data, the palette ----------


class RecordingMenuActions:
    """The Followers tab's menu actions, recorded (the real ones are tested in test_plot_actions.py)."""

    def __init__(self) -> None:
        self.asked_about: list[int] = []
        self.exported: list[PointsInView] = []

    def add_point_actions(self, menu: QMenu, user_id: int) -> None:
        self.asked_about.append(user_id)
        menu.addAction(f"About {user_id}")

    def export_visible(self, in_view: PointsInView) -> None:
        self.exported.append(in_view)


def texts_of(menu: QMenu) -> list[str]:
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def close_popup() -> QMenu:
    """The menu that popped up, closed again."""
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu)
    popup.close()
    return popup


def test_right_click_opens_the_apps_menu_not_pyqtgraphs(scatter, qtbot):
    three_followers(scatter)
    actions = RecordingMenuActions()
    scatter.set_menu_actions(actions)
    view, pos = viewport_pos(scatter, 50.0, 80.0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=pos)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    menu = close_popup()
    assert texts_of(menu) == [f"About {BIG + 202}", EXPORT_VISIBLE_TEXT, RESET_ZOOM_TEXT]
    assert actions.asked_about == [BIG + 202]
    assert not scatter.plot_item.getViewBox().menuEnabled()  # no ViewBox menu, "Plot Options" or "Export..."

    view, pos = viewport_pos(scatter, 30.0, 50.0)  # empty space: only what concerns the plot
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=pos)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    assert texts_of(close_popup()) == [EXPORT_VISIBLE_TEXT, RESET_ZOOM_TEXT]


def test_the_menu_key_opens_the_menu_about_the_ringed_follower(scatter, qtbot):
    three_followers(scatter)
    actions = RecordingMenuActions()
    scatter.set_menu_actions(actions)
    scatter.highlight_user(BIG + 303)
    where = QPoint(5, 5)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, where, scatter.mouse_area.mapToGlobal(where))
    assert QApplication.sendEvent(scatter.mouse_area, event)  # taken: no other menu opens above the plot
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    close_popup()
    assert actions.asked_about == [BIG + 303]


def test_without_menu_actions_only_the_zoom_can_be_reset(scatter):
    three_followers(scatter)
    menu = scatter.context_menu_at(scene_pos(scatter, 50.0, 80.0))
    assert texts_of(menu) == [EXPORT_VISIBLE_TEXT, RESET_ZOOM_TEXT]
    assert [action.isEnabled() for action in menu.actions()] == [False, True]


def test_export_visible_hands_over_the_highlighted_followers_in_the_zoom(scatter):
    three_followers(scatter, selected=(True, True, False))
    actions = RecordingMenuActions()
    scatter.set_menu_actions(actions)
    scatter.plot_item.getViewBox().setRange(xRange=(0, 95), yRange=(20, 95), padding=0)  # 101 is below the view
    export = next(a for a in scatter.context_menu_at(scene_pos(scatter, 30.0, 50.0)).actions()
                  if a.text() == EXPORT_VISIBLE_TEXT)
    assert export.isEnabled()
    export.trigger()
    [in_view] = actions.exported
    assert in_view.highlighted_ids().tolist() == [BIG + 202]  # 303 is in view, but outside the filter

    scatter.plot_item.getViewBox().setRange(xRange=(200, 300), yRange=(200, 300), padding=0)
    export = scatter.context_menu_at(scene_pos(scatter, 250.0, 250.0)).actions()[0]
    assert export.text() == EXPORT_VISIBLE_TEXT and not export.isEnabled()  # nobody in view


def test_reset_zoom_frames_every_follower_again(scatter):
    three_followers(scatter)
    view_box = scatter.plot_item.getViewBox()
    framed = view_box.viewRange()
    view_box.setRange(xRange=(40, 60), yRange=(70, 90), padding=0)
    reset = next(a for a in scatter.context_menu_at(scene_pos(scatter, 50.0, 80.0)).actions()
                 if a.text() == RESET_ZOOM_TEXT)
    reset.trigger()
    assert np.ravel(view_box.viewRange()) == pytest.approx(np.ravel(framed))


def test_highlight_user_rings_a_plotted_follower_and_keeps_asking_for_it(scatter):
    three_followers(scatter)
    assert scatter.highlight_user(BIG + 202) and scatter.highlighted_user == BIG + 202
    assert not scatter.highlight_user(42) and scatter.highlighted_user is None  # not plotted: no ring
    scatter.highlight_user(BIG + 303)
    scatter.clear_points()
    assert scatter.highlighted_user is None
    three_followers(scatter)  # new points holding the follower asked for ring it again
    assert scatter.highlighted_user == BIG + 303
    scatter.highlight_user(None)
    assert scatter.highlighted_user is None


def test_the_ring_shows_over_the_density_image(scatter, qtbot):
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True,
                       x_label="followers", y_label="following")
    assert scatter.render_mode is RenderMode.DENSITY
    dense = int(np.argmin(np.abs(followers - np.median(followers)) + np.abs(following - np.median(following))))
    assert scatter.highlight_user(dense)
    image = scatter.grab().toImage()
    centre = scatter.mouse_area.mapTo(scatter, scatter.viewport_pos_of(dense))
    # Along a radius across the ring (24 px wide): a thick stroke in the text colour around a thin one in the
    # background colour, whatever the density image has there.
    across = {image.pixelColor(centre.x() + r, centre.y()).getRgb()[:3] for r in range(8, 17)}
    assert scatter.colours.ring_outer.getRgb()[:3] in across
    assert scatter.colours.ring_inner.getRgb()[:3] in across


def test_the_legend_names_every_tier_beside_the_data_not_over_it(scatter):
    scatter.set_tier_palette(tier_colours(3), ["Power user", "Rising", "Regular"])
    three_followers(scatter)
    legend = scatter.legend
    assert [entry.name for entry in legend.entries] == ["Power user", "Rising", "Regular", "Not in the table"]
    assert all(name.replace(" ", "&nbsp;") in legend.text() for name in ("Power user", "Not in the table"))
    view_box = scatter.plot_item.getViewBox()
    data_area = scatter.mouse_area.mapTo(scatter, view_box.mapRectToScene(view_box.boundingRect())
                                         .toRect().topLeft())
    legend_rect = legend.geometry()
    assert legend.isVisible() and legend_rect.height() > 0
    assert legend_rect.bottom() < data_area.y()  # a row above the data area, not over any point
    # Drawn in the window's own text colour, at full contrast (pyqtgraph's legend text was grey at any palette).
    assert legend.palette().color(legend.foregroundRole()) == scatter.palette().color(QPalette.ColorRole.WindowText)


def test_a_narrow_plot_wraps_its_legend_rather_than_cutting_it(scatter, qtbot):
    names = [f"Tier number {n}" for n in range(6)]
    scatter.set_tier_palette(tier_colours(6), names)
    scatter.resize(800, 400)
    qtbot.waitUntil(lambda: scatter.legend.height() < 40)
    one_line = scatter.legend.height()
    scatter.resize(260, 400)
    qtbot.waitUntil(lambda: scatter.legend.height() > one_line)
    assert scatter.legend.heightForWidth(scatter.legend.width()) <= scatter.legend.height()


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2d2d30"), (QPalette.ColorRole.WindowText, "#e8e8e8"),
                         (QPalette.ColorRole.Base, "#1e1e20"), (QPalette.ColorRole.Text, "#e8e8e8")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def app_palette():
    """Set the application's palette; the test's original comes back afterwards."""
    app = QApplication.instance()
    original = app.palette()
    yield app.setPalette
    app.setPalette(original)


def test_a_palette_change_recolours_background_axes_and_tiers(scatter, qtbot, app_palette):
    scatter.set_tier_palette(tier_colours(3, dark=False), ["a", "b", "c"])
    ids, followers, following, tier, selected = heavy_tailed_followers(200_000)
    tier = np.minimum(tier, 2)
    scatter.set_points(ids, followers, following, tier, selected, log_x=True, log_y=True,
                       x_label="followers", y_label="following")
    light_image = scatter.density_image.copy()
    assert light_image.shape[:2] == scatter.frame_spec().density_shape  # drawn at the plot's settled size
    light_text = scatter.palette().color(QPalette.ColorRole.Text)
    assert scatter.plot_item.getAxis("left").textPen().color() == light_text

    app_palette(dark_palette())
    qtbot.waitUntil(lambda: scatter.colours.dark)
    assert scatter.colours.background == QColor("#1e1e20")
    assert scatter.plot_item.getViewBox().scene().views()[0].backgroundBrush().color() == QColor("#1e1e20")
    for axis in ("left", "bottom"):
        assert scatter.plot_item.getAxis(axis).textPen().color() == QColor("#e8e8e8")
        assert scatter.plot_item.getAxis(axis).pen().color() == QColor("#e8e8e8")
    assert [c.name() for c in scatter.tier_colours] == list(DARK_TIER_COLOURS[:3])
    assert [e.colour.name() for e in scatter.legend.entries[:3]] == list(DARK_TIER_COLOURS[:3])
    assert not np.array_equal(scatter.density_image, light_image)  # the density image is redrawn too
    assert scatter.frame_spec().tier_rgb == tuple(QColor(c).getRgb()[:3] for c in DARK_TIER_COLOURS[:3])

    app_palette(QPalette(light_text.darker(10), QColor("white")))  # a light palette again
    qtbot.waitUntil(lambda: not scatter.colours.dark)
    assert [c.name() for c in scatter.tier_colours] == list(LIGHT_TIER_COLOURS[:3])
    np.testing.assert_array_equal(scatter.density_image, light_image)


def test_colours_chosen_by_a_caller_stay_as_given_in_a_dark_palette(scatter, qtbot, app_palette):
    scatter.set_tier_palette([QColor("red"), QColor("lime")], ["a", "b"])
    app_palette(dark_palette())
    qtbot.waitUntil(lambda: scatter.colours.dark)
    assert scatter.tier_colours == [QColor("red"), QColor("lime")]


def test_a_test_can_hover_a_follower_by_id_and_read_its_tooltip(scatter, provider, qtbot):
    """What the desktop smoke test does under a real X server: find a point's position, move there, read."""
    three_followers(scatter)
    pos = scatter.viewport_pos_of(BIG + 202)
    assert scatter.viewport_pos_of(42) is None
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(scatter.mouse_area.mapToGlobal(pos)),
                       Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(scatter.mouse_area, move)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == f"@user{BIG + 202}"
    scatter.plot_item.getViewBox().setRange(xRange=(0, 20), yRange=(0, 20), padding=0)
    assert scatter.viewport_pos_of(BIG + 202) is None  # outside the zoom: nowhere to point at
