"""Follower scatter plot: up to a million points, hover tooltips and click-to-select.

Drawing a million pyqtgraph points, or asking pyqtgraph which point is under the cursor
(``ScatterPlotItem.pointsAt`` scans every point: ~2.4 s at 1M), is far too slow for an
interactive view. So this widget:

* shows ``PreparedPoints`` (followers/plot_points.py): flat numpy arrays and a ``PointIndex``
  (grid index) over them, answering hover and click look-ups in well under a millisecond.
  Preparing them costs 0.2-0.4 s at 1M, so views prepare them in a task thread, with the
  plot's ``frame_spec()`` so that the first density image is drawn there too, and hand them to
  ``show_points``, which only assigns arrays; ``set_points`` prepares inline, for small plots;
* picks a level of detail for the current view: a density image (one 2-D histogram,
  coloured by tier, log-scaled) while more than ``MAX_DRAWN_POINTS`` followers are in view,
  individual points (one uniform-style item per tier, ui/plot_items.py) once zoomed in further. The density
  bins of the current view are kept, so a filter change (``set_selected``) only recounts;
* applies log scales itself (``log10(1 + v)``) and labels the ticks with real counts,
  since pyqtgraph's log mode would transform every point on each repaint.

It behaves as a user expects of a plot rather than as pyqtgraph's developer tool: right-click opens the app's
menu (the follower under the cursor, "Export visible points…", "Reset zoom"; ``set_menu_actions`` supplies the
follower actions) instead of pyqtgraph's ViewBox menu; the legend is a row above the data area
(ui/plot_legend.py), never over the points; ``highlight_user`` rings one follower (the table's selected row)
so that it shows even over a dense density image; and background, axes, text and tier colours follow the
application palette, light or dark, as it changes (ui/palette.py).

Coordinates called "view" below are display coordinates, i.e. after the log transform.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtWidgets import QMenu, QToolTip, QVBoxLayout, QWidget

from twexport_qt.followers.plot_points import (
    DIMMED_RGB,
    DensityBins,
    FirstFrame,
    FrameSpec,
    PlotAxes,
    PointsInView,
    PreparedPoints,
    density_bins,
    density_image,
    framing_rect,
    highlight_categories,
    no_points,
    prepare_points,
)
from twexport_qt.ui.palette import DIMMED_ALPHA, TIER_COLOURS, PlotColours, plot_colours, tier_colours, tier_colours_for
from twexport_qt.ui.plot_items import CountAxis, PointCloudItem
from twexport_qt.ui.plot_legend import LegendEntry, PlotLegend

HOVER_RADIUS_PX = 6
# Above this many followers in view, individual points are replaced by the density image.
MAX_DRAWN_POINTS = 50_000
# Range changes arrive in bursts while panning or wheel-zooming; rebuild once they pause.
LOD_DEBOUNCE_MS = 30
DENSITY_BIN_PX = 2
# Points just outside the view are drawn too, so short pans do not reveal empty margins
# before the debounced refresh runs.
DRAWN_MARGIN = 0.25

_WIDEST_COUNT_LABEL = "8.88k"  # format_count's widest: three digits, a point and a suffix
_HIGHLIGHT_SIZE_PX = 6
_DIMMED_SIZE_PX = 4
_HOVER_RING_PX = 16
_SELECTION_RING_PX = 24  # wider than the hover ring, so both show when the cursor is on the selected follower
DIMMED_LEGEND_NAME = "Not in the table"
EXPORT_VISIBLE_TEXT = "Export visible points…"
RESET_ZOOM_TEXT = "Reset zoom"


class RenderMode(StrEnum):
    EMPTY = "empty"
    DENSITY = "density"
    POINTS = "points"


class PlotMenuActions(Protocol):
    """What the plot's context menu offers beyond the plot itself (the Followers tab's ui/plot_actions.py)."""

    def add_point_actions(self, menu: QMenu, user_id: int) -> None:
        """Add the actions about follower `user_id` (right-clicked) to the top of `menu`."""

    def export_visible(self, in_view: PointsInView) -> None:
        """Export the highlighted followers inside the plot's zoom ("Export visible points…")."""


@dataclass(frozen=True)
class DrawnPoints:
    """How many individual points are currently drawn (both 0 in density mode)."""

    highlighted: int
    dimmed: int


class FollowerScatter(QWidget):
    """Scatter plot of followers; see the module docstring for how it stays fast and what a user can do with it.

    Feed it with ``show_points`` (points prepared in a task thread) or ``set_points`` (prepares inline);
    ``set_selected`` re-highlights after a filter change; ``highlight_user`` rings the selected follower.
    """

    # X ids exceed 32 bits, and Signal(int) would carry a C++ int: a Python int travels as an object, whole.
    pointClicked = Signal(object)  # follower id (int): a left click on a point
    pointHovered = Signal(object)  # follower id (int), or -1 when the cursor leaves every point
    renderModeChanged = Signal(str)  # a RenderMode value

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        tooltip_provider: Callable[[int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._tooltip_provider = tooltip_provider or (lambda follower_id: f"Follower {follower_id}")
        self._menu_actions: PlotMenuActions | None = None
        self._x_axis, self._y_axis = CountAxis("bottom"), CountAxis("left")
        self._plot = pg.PlotWidget(axisItems={"bottom": self._x_axis, "left": self._y_axis})
        # The app's own menu replaces pyqtgraph's (ViewBox options, "Plot Options", "Export…"): see _on_mouse_clicked.
        self.plot_item.setMenuEnabled(False, False)
        self._plot.viewport().installEventFilter(self)
        self._legend = PlotLegend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._legend)
        layout.addWidget(self._plot, 1)
        self._view_box: pg.ViewBox = self.plot_item.getViewBox()

        self._points = no_points()
        self._category = np.empty(0, dtype=np.int32)  # tier, or tier count for dimmed points
        self._density_bins: DensityBins | None = None  # of self._points in the view last drawn as density
        self._tier_names: list[str] = []
        self._tier_items: list[PointCloudItem] = []
        self._palette_rgb: tuple[tuple[int, int, int], ...] = ()
        self._tier_rgb = np.empty((0, 3))  # the same, as the density image wants it
        self._mode = RenderMode.EMPTY
        self._drawn = DrawnPoints(0, 0)
        self._rendered_for: tuple | None = None  # view state the layers were built for
        self._hovered_index: int | None = None
        self._last_hover_pixel: QPoint | None = None
        self._highlighted_user: int | None = None  # asked for by highlight_user; ringed when plotted
        self._highlighted_index: int | None = None
        self._colours: PlotColours | None = None  # as last applied from the palette

        self._build_layers()
        self._apply_palette()
        for axis in (self._x_axis, self._y_axis):
            axis.showLabel(True)  # room for the labels from the start: showing points must not resize the view
        self._y_axis.reserve_text_width(_WIDEST_COUNT_LABEL, self._plot.font())

        self._lod_timer = QTimer(self)
        self._lod_timer.setSingleShot(True)
        self._lod_timer.setInterval(LOD_DEBOUNCE_MS)
        self._lod_timer.timeout.connect(self._refresh_level_of_detail)
        self._view_box.sigRangeChanged.connect(self._on_view_changed)
        self._view_box.sigResized.connect(self._on_view_changed)
        scene = self._plot.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)

    # -- public API ------------------------------------------------------------------

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot.getPlotItem()

    @property
    def legend(self) -> PlotLegend:
        return self._legend

    @property
    def mouse_area(self) -> QWidget:
        """The widget that receives the plot's mouse events (the graphics view's viewport)."""
        return self._plot.viewport()

    @property
    def render_mode(self) -> RenderMode:
        return self._mode

    @property
    def drawn_points(self) -> DrawnPoints:
        return self._drawn

    @property
    def density_image(self) -> np.ndarray | None:
        """The RGBA density image currently shown, or None in points mode."""
        return self._density_item.image if self._mode is RenderMode.DENSITY else None

    @property
    def tier_colours(self) -> list[QColor]:
        """The tier colours drawn now (those given to set_tier_palette, adapted to a light or dark palette)."""
        return [item.color for item in self._tier_items]

    @property
    def colours(self) -> PlotColours:
        """Background, axes and ring colours, as taken from the palette."""
        assert self._colours is not None
        return self._colours

    def set_tooltip_provider(self, provider: Callable[[int], str]) -> None:
        self._tooltip_provider = provider

    def set_menu_actions(self, actions: PlotMenuActions | None) -> None:
        """What the context menu offers about a follower and for exporting (None: only "Reset zoom")."""
        self._menu_actions = actions

    @property
    def points(self) -> PreparedPoints:
        """The followers shown (every one, whatever the level of detail draws)."""
        return self._points

    def set_points(
        self,
        ids: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        tier: np.ndarray,
        selected: np.ndarray,
        *,
        log_x: bool,
        log_y: bool,
        x_label: str,
        y_label: str,
    ) -> None:
        """Prepare and show these followers (one array element each) at once, in the calling thread.

        Fine for small plots; at a million followers prepare them in a task thread (``prepare_points`` with
        this plot's ``frame_spec()``) and hand them to ``show_points``.
        """
        axes = PlotAxes(log_x, log_y, x_label, y_label)
        self.show_points(prepare_points(ids, x, y, tier, axes, selected))

    def frame_spec(self) -> FrameSpec:
        """What ``prepare_points`` needs to draw this plot's first density image of new points ahead."""
        return FrameSpec(self._density_shape(self._view_size()), self._palette_rgb, MAX_DRAWN_POINTS)

    def show_points(self, points: PreparedPoints) -> None:
        """Replace every follower with ``points``, highlighted as prepared, and frame them all.

        Cheap at any size (array assignments and one level-of-detail pass, whose density image was drawn
        ahead when the points were prepared with this plot's ``frame_spec()``). The follower asked for by
        ``highlight_user`` stays ringed if it is among the new points.
        """
        if not self._tier_names and points.tiers_needed:
            # Never named by the view (set_tier_palette): codes 0..n-1 get the app's tier colours. Not done up
            # front, since a legend costs a little to build and views name their tiers anyway.
            count = len(TIER_COLOURS)
            self.set_tier_palette(tier_colours(count), [f"Tier {code}" for code in range(count)])
        self._check_tiers(points.tiers_needed, len(self._tier_names))
        frame = points.first_frame
        if frame is not None and frame.spec.tier_rgb != self._palette_rgb:
            frame = None  # the palette changed while the points were prepared
        self._points = points
        if frame is not None:
            self._category, self._density_bins = frame.category, frame.bins
        else:
            self._category, self._density_bins = self._categories(points.selected), None
        axes = points.axes
        self._x_axis.set_log_scale(axes.log_x)
        self._y_axis.set_log_scale(axes.log_y)
        for axis, label in ((self._x_axis, axes.x_label), (self._y_axis, axes.y_label)):
            axis.setLabel(label)
            axis.showLabel(True)  # even when empty: the view keeps its size, that of the frame drawn ahead
        self._clear_hover()
        self._update_extent()
        self._place_highlight()
        self._frame_all()  # exactly the view the first frame was drawn for
        self._refresh_level_of_detail(force=True, first_frame=frame)

    def clear_points(self) -> None:
        """Show no follower (unlabelled linear axes)."""
        self.show_points(no_points())

    def set_selected(self, selected: np.ndarray) -> None:
        """Highlight the followers where ``selected`` is True (e.g. after a filter change)."""
        self._category = self._categories(self._selection_mask(selected, len(self._points)))
        self._refresh_level_of_detail(force=True)

    def set_tier_palette(self, colors: Sequence[QColor], names: Sequence[str]) -> None:
        """One colour and legend name per tier code 0..len(colors) - 1.

        The app's tier colours (ui/palette.py) are drawn in their light or dark variant as the palette is, now
        and after it changes; other colours are drawn as given.
        """
        if not colors or len(colors) != len(names):
            raise ValueError(f"need one name per colour, got {len(colors)} colours and {len(names)} names")
        self._check_tiers(self._points.tiers_needed, len(colors))
        colors = tier_colours_for(colors, dark=self.colours.dark)
        selected = self._category != len(self._tier_names)  # re-coded below for the new tier count
        for item in self._tier_items:
            self.plot_item.removeItem(item)
        self._tier_items = [self._new_points_item(QColor(c), _HIGHLIGHT_SIZE_PX, z=2) for c in colors]
        self._tier_names = list(names)
        self._palette_rgb = tuple((c.red(), c.green(), c.blue()) for c in colors)
        self._tier_rgb = np.array(self._palette_rgb, float)
        self._legend.set_entries([*(LegendEntry(c, name) for c, name in zip(colors, names)),
                                  LegendEntry(QColor(*DIMMED_RGB), DIMMED_LEGEND_NAME)])
        self._category = self._categories(selected)
        if len(self._points):
            self._refresh_level_of_detail(force=True)

    def highlight_user(self, user_id: int | None) -> bool:
        """Ring follower `user_id` (None: no one) until another is asked for; returns whether it is plotted.

        A follower that is not among the points (outside the plotted population, or without a place on this
        plot's axes) is not ringed, but stays asked for: new points that hold it ring it (``show_points``).
        """
        self._highlighted_user = user_id
        return self._place_highlight()

    @property
    def highlighted_user(self) -> int | None:
        """The follower ringed now (None when none is, or when the one asked for is not plotted)."""
        index = self._highlighted_index
        return None if index is None else int(self._points.ids[index])

    def reset_zoom(self) -> None:
        """Show every follower again, framed as when the points arrived."""
        self._frame_all()

    def points_in_view(self) -> PointsInView:
        """What the plot shows inside its zoom now, to be listed in a task thread (listing costs ~50 ms at 1M)."""
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        return PointsInView(self._points, self._category, len(self._tier_names), (x0, x1, y0, y1))

    def context_menu_at(self, scene_pos: QPointF) -> QMenu:
        """The menu a right-click at scene_pos opens (not shown): the follower there, then export and zoom.

        The menu is the caller's to show; it deletes itself once hidden.
        """
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.aboutToHide.connect(menu.deleteLater)  # after a chosen action has run: it is triggered first
        user_id = self.user_at_scene_pos(scene_pos)
        if user_id is not None and self._menu_actions is not None:
            self._menu_actions.add_point_actions(menu, user_id)
            menu.addSeparator()
        export = menu.addAction(EXPORT_VISIBLE_TEXT, self._export_visible)
        export.setToolTip("Write the followers in the current zoom that match the filter (the coloured points) to "
                          "a CSV file, as File → Export → Followers does.")
        export.setEnabled(self._menu_actions is not None and self._any_point_in_view())
        reset = menu.addAction(RESET_ZOOM_TEXT, self.reset_zoom)
        reset.setEnabled(self._points.extent is not None)
        return menu

    def user_at_scene_pos(self, scene_pos: QPointF) -> int | None:
        """The follower whose point is within the hover radius of scene_pos, if any."""
        if not self._view_box.sceneBoundingRect().contains(scene_pos):
            return None
        view_pos = self._view_box.mapSceneToView(scene_pos)
        index = self._nearest(view_pos.x(), view_pos.y())
        return None if index is None else int(self._points.ids[index])

    def hover_at_scene_pos(self, scene_pos: QPointF) -> int | None:
        """Hover handling for a cursor at scene_pos: ring, tooltip, pointHovered; returns the id."""
        index = None
        if self._view_box.sceneBoundingRect().contains(scene_pos):
            view_pos = self._view_box.mapSceneToView(scene_pos)
            index = self._nearest(view_pos.x(), view_pos.y())
        self._set_hovered(index, scene_pos)
        return None if index is None else int(self._points.ids[index])

    def tooltip_text_at(self, view_x: float, view_y: float) -> str | None:
        """Tooltip for the follower within the hover radius of a view-coordinate position."""
        index = self._nearest(view_x, view_y)
        return None if index is None else self._tooltip_provider(int(self._points.ids[index]))

    def view_pos_of(self, follower_id: int) -> QPointF | None:
        """View coordinates of a follower (None if unknown or not plottable)."""
        index = self._index_of(follower_id)
        if index is None:
            return None
        return QPointF(float(self._points.x[index]), float(self._points.y[index]))

    def viewport_pos_of(self, follower_id: int) -> QPoint | None:
        """Where a follower's point is in ``mouse_area`` (None if not plotted or outside the zoom): where a test,
        or an accessibility tool, moves the mouse to hover or click it."""
        view_pos = self.view_pos_of(follower_id)
        if view_pos is None:
            return None
        scene_pos = self._view_box.mapViewToScene(view_pos)
        if not self._view_box.sceneBoundingRect().contains(scene_pos):
            return None
        return self._plot.mapFromScene(scene_pos)

    # -- Qt event plumbing ------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._clear_hover()
        elif event.type() == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent):
            # A right-click opens the menu through pyqtgraph's click (so a right-drag still zooms); the menu key
            # and Shift+F10 arrive only here. Either way the event stops here: nothing above the plot should
            # offer a menu of its own for it.
            if event.reason() == QContextMenuEvent.Reason.Keyboard:
                self._popup_menu_from_keyboard()
            return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        # The scene reports every sub-pixel move; a look-up per whole pixel is plenty.
        pixel = scene_pos.toPoint()
        if pixel == self._last_hover_pixel:
            return
        self._last_hover_pixel = pixel
        self.hover_at_scene_pos(scene_pos)

    def _on_mouse_clicked(self, event: MouseClickEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._clear_hover()  # the tooltip would sit on the menu
            self.context_menu_at(event.scenePos()).popup(event.screenPos().toPoint())
            return
        if event.button() != Qt.MouseButton.LeftButton or not len(self._points):
            return
        view_pos = self._view_box.mapSceneToView(event.scenePos())
        index = self._nearest(view_pos.x(), view_pos.y())
        if index is not None:
            self.pointClicked.emit(int(self._points.ids[index]))

    def _popup_menu_from_keyboard(self) -> None:
        """The menu key: about the ringed follower when it is in view, else about the plot, at the view's centre."""
        viewport_pos = None
        if self._highlighted_user is not None:
            viewport_pos = self.viewport_pos_of(self._highlighted_user)
        if viewport_pos is None:
            viewport_pos = self._plot.mapFromScene(self._view_box.sceneBoundingRect().center())
        menu = self.context_menu_at(self._plot.mapToScene(viewport_pos))
        menu.popup(self.mouse_area.mapToGlobal(viewport_pos))

    def _on_view_changed(self, *_args: object) -> None:
        self._last_hover_pixel = None  # the same pixel now shows other data
        self._lod_timer.start()

    def _export_visible(self) -> None:
        if self._menu_actions is not None:
            self._menu_actions.export_visible(self.points_in_view())

    def _any_point_in_view(self) -> bool:
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        return self._points.index.count_in_rect(x0, x1, y0, y1) > 0  # from the grid's cell counts: no listing

    # -- palette ---------------------------------------------------------------------

    def _apply_palette(self) -> None:
        """Take background, axes, text, rings and tier colours from the widget's palette (light or dark)."""
        colours = plot_colours(self.palette())
        if colours == self._colours:
            return
        self._colours = colours
        self._plot.setBackground(colours.background)
        for axis in (self._x_axis, self._y_axis):
            axis.setPen(colours.foreground)
            axis.setTextPen(colours.foreground)
        self._hover_ring.setPen(pg.mkPen(colours.foreground, width=2))
        self._selection_ring_outer.setPen(pg.mkPen(colours.ring_outer, width=5))
        self._selection_ring_inner.setPen(pg.mkPen(colours.ring_inner, width=2))
        if self._tier_names:
            self.set_tier_palette(self.tier_colours, self._tier_names)  # swaps the app's tier colours' variant

    # -- hover and highlight ---------------------------------------------------------

    def _nearest(self, view_x: float, view_y: float) -> int | None:
        pixel_w, pixel_h = self._view_box.viewPixelSize()
        if not (pixel_w > 0 and pixel_h > 0 and math.isfinite(pixel_w) and math.isfinite(pixel_h)):
            return None  # not laid out yet
        return self._points.index.nearest(view_x, view_y, HOVER_RADIUS_PX * pixel_w, HOVER_RADIUS_PX * pixel_h)

    def _index_of(self, follower_id: int | None) -> int | None:
        """The point of a follower with a place on the axes (a vectorised scan: ~1 ms at a million)."""
        if follower_id is None:
            return None
        points = self._points
        matches = np.flatnonzero(points.ids == follower_id)
        if not len(matches) or not (np.isfinite(points.x[matches[0]]) and np.isfinite(points.y[matches[0]])):
            return None
        return int(matches[0])

    def _place_highlight(self) -> bool:
        index = self._index_of(self._highlighted_user)
        self._highlighted_index = index
        for ring in (self._selection_ring_outer, self._selection_ring_inner):
            if index is None:
                ring.setData(x=[], y=[])
            else:
                ring.setData(x=self._points.x[index : index + 1], y=self._points.y[index : index + 1])
        return index is not None

    def _set_hovered(self, index: int | None, scene_pos: QPointF) -> None:
        if index == self._hovered_index:
            return  # same follower: keep the tooltip, do not query the provider again
        if index is None:
            self._clear_hover()
            return
        self._hovered_index = index
        points = self._points
        self._hover_ring.setData(x=points.x[index : index + 1], y=points.y[index : index + 1])
        follower_id = int(points.ids[index])
        text = self._tooltip_provider(follower_id)
        global_pos = self._plot.mapToGlobal(self._plot.mapFromScene(scene_pos))
        QToolTip.showText(global_pos, text, self._plot)
        self.pointHovered.emit(follower_id)

    def _clear_hover(self) -> None:
        if self._hovered_index is None:
            return
        self._hovered_index = None
        self._hover_ring.setData(x=[], y=[])
        QToolTip.hideText()
        self.pointHovered.emit(-1)

    # -- layers and level of detail ----------------------------------------------------

    def _build_layers(self) -> None:
        # Only the invisible extent item counts for auto-range ("View All", the A button):
        # the drawn layers cover just the current view, not all followers.
        self._extent_item = pg.ScatterPlotItem(pen=None, brush=None, size=0)
        self.plot_item.addItem(self._extent_item)
        self._density_item = pg.ImageItem(axisOrder="row-major")
        self._density_item.setZValue(0)
        self.plot_item.addItem(self._density_item, ignoreBounds=True)
        dimmed = QColor(*DIMMED_RGB, DIMMED_ALPHA)
        self._dimmed_item = self._new_points_item(dimmed, _DIMMED_SIZE_PX, z=1)
        # Pens are set from the palette (_apply_palette).
        self._hover_ring = self._new_ring(_HOVER_RING_PX, z=10)
        # Two strokes, thick in the text colour under thin in the background colour: visible on any point colour,
        # on the density image's dense core and on an empty background, light or dark.
        self._selection_ring_outer = self._new_ring(_SELECTION_RING_PX, z=11)
        self._selection_ring_inner = self._new_ring(_SELECTION_RING_PX, z=12)

    def _new_ring(self, size_px: int, *, z: int) -> pg.ScatterPlotItem:
        ring = pg.ScatterPlotItem(size=size_px, pen=None, brush=None, symbol="o")
        ring.setZValue(z)
        self.plot_item.addItem(ring, ignoreBounds=True)
        return ring

    def _new_points_item(self, color: QColor, size: int, *, z: int) -> PointCloudItem:
        item = PointCloudItem(color, size)
        item.setZValue(z)
        self.plot_item.addItem(item, ignoreBounds=True)
        return item

    def _update_extent(self) -> None:
        extent = self._points.extent
        if extent is None:
            self._extent_item.setData(x=[], y=[])
            return
        self._extent_item.setData(x=[extent.x_min, extent.x_max], y=[extent.y_min, extent.y_max])

    def _frame_all(self) -> None:
        view_rect = framing_rect(self._points.extent)
        if view_rect is not None:
            x0, x1, y0, y1 = view_rect
            self._view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _categories(self, selected: np.ndarray) -> np.ndarray:
        return highlight_categories(self._points.tier, selected, len(self._tier_names))

    def _view_size(self) -> tuple[int, int]:
        return int(self._view_box.width()), int(self._view_box.height())

    @staticmethod
    def _density_shape(view_size: tuple[int, int]) -> tuple[int, int]:
        return max(1, view_size[1] // DENSITY_BIN_PX), max(1, view_size[0] // DENSITY_BIN_PX)

    @staticmethod
    def _selection_mask(selected: np.ndarray, count: int) -> np.ndarray:
        selected = np.asarray(selected, dtype=bool)
        if selected.shape != (count,):
            raise ValueError(f"selected has shape {selected.shape}, expected ({count},)")
        return selected

    @staticmethod
    def _check_tiers(tiers_needed: int, tier_count: int) -> None:
        if tiers_needed > tier_count:
            raise ValueError(
                f"tier codes must be in 0..{tier_count - 1} (one palette colour each), "
                f"got up to {tiers_needed - 1}; call set_tier_palette with enough colours first"
            )

    def _refresh_level_of_detail(self, force: bool = False, first_frame: FirstFrame | None = None) -> None:
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        size = self._view_size()
        view_state = (x0, x1, y0, y1, size)
        if view_state == self._rendered_for and not force:
            return
        self._rendered_for = view_state
        index = self._points.index
        if not index.indexed_count:
            mode = RenderMode.EMPTY
        elif index.count_in_rect(x0, x1, y0, y1) <= MAX_DRAWN_POINTS:
            mode = RenderMode.POINTS
        else:
            mode = RenderMode.DENSITY
        self._draw_points(x0, x1, y0, y1) if mode is RenderMode.POINTS else self._clear_points()
        if mode is RenderMode.DENSITY:
            self._draw_density(x0, x1, y0, y1, size, first_frame)
        else:
            self._density_item.clear()
        if mode is not self._mode:
            self._mode = mode
            self.renderModeChanged.emit(mode.value)

    def _draw_points(self, x0: float, x1: float, y0: float, y1: float) -> None:
        margin_x, margin_y = (x1 - x0) * DRAWN_MARGIN, (y1 - y0) * DRAWN_MARGIN
        points = self._points
        visible = points.index.in_rect(x0 - margin_x, x1 + margin_x, y0 - margin_y, y1 + margin_y)
        category = self._category[visible]
        dimmed = visible[category == len(self._tier_items)]
        self._dimmed_item.set_points(points.x[dimmed], points.y[dimmed])
        for tier, item in enumerate(self._tier_items):
            members = visible[category == tier]
            item.set_points(points.x[members], points.y[members])
        self._drawn = DrawnPoints(highlighted=len(visible) - len(dimmed), dimmed=len(dimmed))

    def _clear_points(self) -> None:
        for item in (self._dimmed_item, *self._tier_items):
            item.set_points(np.empty(0), np.empty(0))
        self._drawn = DrawnPoints(0, 0)

    def _draw_density(
        self, x0: float, x1: float, y0: float, y1: float, size: tuple[int, int], first_frame: FirstFrame | None
    ) -> None:
        view_rect = (x0, x1, y0, y1)
        if first_frame is not None and first_frame.bins.view_rect == view_rect:
            # Drawn with the points for this view and highlight, at the size the plot had then: if it was resized
            # meanwhile, Qt scales the image until the view next changes.
            image = first_frame.image
        else:
            shape = self._density_shape(size)
            if self._density_bins is None or not self._density_bins.is_for(view_rect, shape):
                self._density_bins = density_bins(self._points.x, self._points.y, view_rect, shape)
            image = density_image(self._density_bins, self._category, self._tier_rgb)
        self._density_item.setImage(image, autoLevels=False)
        self._density_item.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
