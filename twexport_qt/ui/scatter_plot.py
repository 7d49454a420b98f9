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
  individual points (one uniform-style item per tier) once zoomed in further. The density
  bins of the current view are kept, so a filter change (``set_selected``) only recounts;
* applies log scales itself (``log10(1 + v)``) and labels the ticks with real counts,
  since pyqtgraph's log mode would transform every point on each repaint.

Coordinates called "view" below are display coordinates, i.e. after the log transform.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QToolTip, QVBoxLayout, QWidget

from twexport_qt.followers.plot_points import (
    DIMMED_RGB,
    DensityBins,
    FirstFrame,
    FrameSpec,
    PlotAxes,
    PreparedPoints,
    density_bins,
    density_image,
    framing_rect,
    from_display,
    highlight_categories,
    no_points,
    prepare_points,
)
from twexport_qt.ui.palette import TIER_COLOURS, tier_colours

HOVER_RADIUS_PX = 6
# Above this many followers in view, individual points are replaced by the density image.
MAX_DRAWN_POINTS = 50_000
# Range changes arrive in bursts while panning or wheel-zooming; rebuild once they pause.
LOD_DEBOUNCE_MS = 30
DENSITY_BIN_PX = 2
# Points just outside the view are drawn too, so short pans do not reveal empty margins
# before the debounced refresh runs.
DRAWN_MARGIN = 0.25

_DIMMED_ALPHA = 90
_WIDEST_COUNT_LABEL = "8.88k"  # format_count's widest: three digits, a point and a suffix
_HIGHLIGHT_SIZE_PX = 6
_DIMMED_SIZE_PX = 4


class RenderMode(StrEnum):
    EMPTY = "empty"
    DENSITY = "density"
    POINTS = "points"


@dataclass(frozen=True)
class DrawnPoints:
    """How many individual points are currently drawn (both 0 in density mode)."""

    highlighted: int
    dimmed: int


def format_count(value: float) -> str:
    """Compact count label: 0, 12, 950, 1k, 1.5k, 10k, 1M, 2.5B (three significant digits)."""
    value = float(f"{value:.3g}")  # round first so 999.7 becomes 1k, not 1e+03
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


class CountAxis(pg.AxisItem):
    """Axis that, in log scale, places ticks at round real counts on a log10(1 + v) axis."""

    textWidth: float  # pyqtgraph's room for tick labels, in pixels (set by AxisItem)

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self._log_scale = False

    @property
    def log_scale(self) -> bool:
        return self._log_scale

    def reserve_text_width(self, sample: str, font: QFont) -> None:
        """Room for tick labels as wide as ``sample`` from the start, never given back.

        pyqtgraph sizes an axis to the tick labels it last painted, so a vertical axis widens after the first
        paint of new data, and the view narrows under a density image just drawn for its old width.
        """
        self.setStyle(autoReduceTextSpace=False)
        self.textWidth = max(self.textWidth, QFontMetrics(font).boundingRect(sample).width())
        self._updateWidth()

    def set_log_scale(self, log_scale: bool) -> None:
        self._log_scale = log_scale
        self.picture = None  # drop the cached tick drawing
        self.update()

    def tickValues(self, min_value: float, max_value: float, size: float) -> list[tuple[float | None, list[float]]]:
        if not self._log_scale:
            return super().tickValues(min_value, max_value, size)
        low, high = sorted((min_value, max_value))
        # The slack keeps a decade sitting exactly on the view edge despite 10**log10 round-off.
        real_low = max(from_display(low, True) * (1 - 1e-9), 0.0)
        real_high = from_display(high, True) * (1 + 1e-9)
        if real_high <= real_low:
            return []
        first = math.floor(math.log10(max(real_low, 1.0)))
        last = math.floor(math.log10(max(real_high, 1.0)))
        decades = [10.0**k for k in range(first, last + 1) if real_low <= 10.0**k <= real_high]
        if len(decades) < 2:
            # Zoomed into less than a decade: the axis is nearly linear, use linear steps.
            return [(None, self._linear_ticks(real_low, real_high, size, level)) for level in (0, 1)]
        max_labels = max(2, int(size / 45))
        stride = math.ceil(len(decades) / max_labels)
        majors = ([0.0] if real_low == 0.0 else []) + decades[::stride]
        minors = []
        if stride == 1 and size / len(decades) > 60:  # room for 2..9 x 10^k marks
            minors = [m * d for d in [10.0**(first - 1), *decades] for m in range(2, 10)]
            minors = [v for v in minors if real_low <= v <= real_high]
        else:
            minors = [d for d in decades if d not in majors]
        return [(None, [math.log10(1.0 + v) for v in majors]), (None, [math.log10(1.0 + v) for v in minors])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if not self._log_scale:
            return super().tickStrings(values, scale, spacing)
        return [format_count(from_display(v, True)) for v in values]

    def _linear_ticks(self, real_low: float, real_high: float, size: float, level: int) -> list[float]:
        levels = self.tickSpacing(real_low, real_high, size)
        if level >= len(levels):
            return []
        spacing, offset = levels[level]
        start = math.ceil((real_low - offset) / spacing) * spacing + offset
        reals = np.arange(start, real_high + spacing * 1e-9, spacing)
        return [math.log10(1.0 + v) for v in reals if v >= 0]


class PointCloudItem(pg.GraphicsObject):
    """Same-style points drawn from plain numpy arrays with one pixmap blit each.

    ``ScatterPlotItem.setData`` runs Python code per point to look up each point's style
    in its symbol atlas (~3 us a point: 0.3 s for 100k points, on every zoom step). Here
    all points share one pre-rendered symbol, so setting data is an array assignment and
    painting maps coordinates with numpy and hands Qt a single drawPixmapFragments call.
    """

    def __init__(self, color: QColor, size_px: int) -> None:
        super().__init__()
        self._color = QColor(color)
        self._size_px = size_px
        self._x = self._y = np.empty(0)
        self._data_rect = QRectF()
        self._symbols: dict[float, QPixmap] = {}  # by device pixel ratio
        # pyqtgraph's own zero-copy PixmapFragment array (what ScatterPlotItem paints with);
        # PySide6 cannot take a Python list of fragments.
        self._fragments = pg.Qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        # Legend entries draw their swatch from these ScatterPlotItem-style options.
        self.opts = {"pen": None, "brush": pg.mkBrush(self._color), "symbol": "o", "size": size_px, "antialias": True}

    def __len__(self) -> int:
        return len(self._x)

    def set_points(self, x: np.ndarray, y: np.ndarray) -> None:
        self.prepareGeometryChange()
        self._x, self._y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if len(self._x):
            x0, x1, y0, y1 = self._x.min(), self._x.max(), self._y.min(), self._y.max()
            self._data_rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._data_rect = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        if not len(self._x):
            return QRectF()
        # Symbols stick out of the data rect by their pixel radius.
        pad_x = (self.pixelLength(QPointF(1, 0)) or 0.0) * self._size_px
        pad_y = (self.pixelLength(QPointF(0, 1)) or 0.0) * self._size_px
        return self._data_rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the pixel padding in data units changed
        super().viewTransformChanged()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not len(self._x):
            return
        transform = painter.transform()
        device_x = transform.m11() * self._x + transform.m21() * self._y + transform.dx()
        device_y = transform.m12() * self._x + transform.m22() * self._y + transform.dy()
        window = painter.window()
        margin = self._size_px
        visible = (
            (device_x > window.left() - margin) & (device_x < window.right() + margin)
            & (device_y > window.top() - margin) & (device_y < window.bottom() + margin)
        )
        count = int(np.count_nonzero(visible))
        if not count:
            return
        dpr = widget.devicePixelRatioF() if widget is not None else painter.device().devicePixelRatioF()
        symbol = self._symbol(dpr)
        self._fragments.resize(count)
        fragments = self._fragments.ndarray()
        fragments[:, 0] = device_x[visible]  # target centre
        fragments[:, 1] = device_y[visible]
        fragments[:, 2:6] = [0, 0, symbol.width(), symbol.height()]  # source rect
        fragments[:, 6:10] = [1 / dpr, 1 / dpr, 0.0, 1.0]  # scale x, scale y, rotation, opacity
        painter.resetTransform()
        # PySide's stub lacks the (fragments, count, pixmap) overload that pyqtgraph's PrimitiveArray feeds.
        painter.drawPixmapFragments(*self._fragments.drawargs(), symbol)  # type: ignore[call-arg]

    def _symbol(self, dpr: float) -> QPixmap:
        if dpr not in self._symbols:
            side = math.ceil(self._size_px * dpr) + 2
            image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._color)
            diameter = self._size_px * dpr
            painter.drawEllipse(QRectF((side - diameter) / 2, (side - diameter) / 2, diameter, diameter))
            painter.end()
            self._symbols[dpr] = QPixmap.fromImage(image)
        return self._symbols[dpr]


class FollowerScatter(QWidget):
    """Scatter plot of followers; see the module docstring for how it stays fast.

    Feed it with ``show_points`` (points prepared in a task thread) or ``set_points`` (prepares inline);
    ``set_selected`` re-highlights after a filter change.
    """

    # X ids exceed 32 bits, and Signal(int) would carry a C++ int: a Python int travels as an object, whole.
    pointClicked = Signal(object)  # follower id (int)
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
        self._x_axis, self._y_axis = CountAxis("bottom"), CountAxis("left")
        self._plot = pg.PlotWidget(axisItems={"bottom": self._x_axis, "left": self._y_axis})
        self._plot.setBackground("w")
        self._plot.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot)
        self._view_box: pg.ViewBox = self.plot_item.getViewBox()
        self._legend = self.plot_item.addLegend(offset=(10, 10), brush=pg.mkBrush(255, 255, 255, 200))

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

        self._build_layers()
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
    def render_mode(self) -> RenderMode:
        return self._mode

    @property
    def drawn_points(self) -> DrawnPoints:
        return self._drawn

    @property
    def density_image(self) -> np.ndarray | None:
        """The RGBA density image currently shown, or None in points mode."""
        return self._density_item.image if self._mode is RenderMode.DENSITY else None

    def set_tooltip_provider(self, provider: Callable[[int], str]) -> None:
        self._tooltip_provider = provider

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
        ahead when the points were prepared with this plot's ``frame_spec()``).
        """
        if not self._tier_names and points.tiers_needed:
            # Never named by the view (set_tier_palette): codes 0..n-1 get the app's tier colours. Not done up
            # front, since a legend costs ~10 ms to build and views name their tiers anyway.
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
        view_rect = framing_rect(points.extent)
        if view_rect is not None:  # exactly the view the first frame was drawn for
            x0, x1, y0, y1 = view_rect
            self._view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._refresh_level_of_detail(force=True, first_frame=frame)

    def clear_points(self) -> None:
        """Show no follower (unlabelled linear axes)."""
        self.show_points(no_points())

    def set_selected(self, selected: np.ndarray) -> None:
        """Highlight the followers where ``selected`` is True (e.g. after a filter change)."""
        self._category = self._categories(self._selection_mask(selected, len(self._points)))
        self._refresh_level_of_detail(force=True)

    def set_tier_palette(self, colors: Sequence[QColor], names: Sequence[str]) -> None:
        """One colour and legend name per tier code 0..len(colors) - 1."""
        if not colors or len(colors) != len(names):
            raise ValueError(f"need one name per colour, got {len(colors)} colours and {len(names)} names")
        self._check_tiers(self._points.tiers_needed, len(colors))
        selected = self._category != len(self._tier_names)  # re-coded below for the new tier count
        for item in self._tier_items:
            self.plot_item.removeItem(item)
        self._tier_items = [self._new_points_item(QColor(c), _HIGHLIGHT_SIZE_PX, z=2) for c in colors]
        self._tier_names = list(names)
        self._palette_rgb = tuple((QColor(c).red(), QColor(c).green(), QColor(c).blue()) for c in colors)
        self._tier_rgb = np.array(self._palette_rgb, float)
        self._legend.clear()
        for item, name in zip(self._tier_items, names):
            self._legend.addItem(item, name)
        self._legend.addItem(self._dimmed_item, "Outside filter")
        self._category = self._categories(selected)
        if len(self._points):
            self._refresh_level_of_detail(force=True)

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
        points = self._points
        matches = np.flatnonzero(points.ids == follower_id)
        if not len(matches) or not (np.isfinite(points.x[matches[0]]) and np.isfinite(points.y[matches[0]])):
            return None
        return QPointF(float(points.x[matches[0]]), float(points.y[matches[0]]))

    # -- Qt event plumbing ------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._clear_hover()
        return super().eventFilter(watched, event)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        # The scene reports every sub-pixel move; a look-up per whole pixel is plenty.
        pixel = scene_pos.toPoint()
        if pixel == self._last_hover_pixel:
            return
        self._last_hover_pixel = pixel
        self.hover_at_scene_pos(scene_pos)

    def _on_mouse_clicked(self, event: MouseClickEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not len(self._points):
            return
        view_pos = self._view_box.mapSceneToView(event.scenePos())
        index = self._nearest(view_pos.x(), view_pos.y())
        if index is not None:
            self.pointClicked.emit(int(self._points.ids[index]))

    def _on_view_changed(self, *_args: object) -> None:
        self._last_hover_pixel = None  # the same pixel now shows other data
        self._lod_timer.start()

    # -- hover -----------------------------------------------------------------------

    def _nearest(self, view_x: float, view_y: float) -> int | None:
        pixel_w, pixel_h = self._view_box.viewPixelSize()
        if not (pixel_w > 0 and pixel_h > 0 and math.isfinite(pixel_w) and math.isfinite(pixel_h)):
            return None  # not laid out yet
        return self._points.index.nearest(view_x, view_y, HOVER_RADIUS_PX * pixel_w, HOVER_RADIUS_PX * pixel_h)

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
        dimmed = QColor(*DIMMED_RGB, _DIMMED_ALPHA)
        self._dimmed_item = self._new_points_item(dimmed, _DIMMED_SIZE_PX, z=1)
        self._hover_ring = pg.ScatterPlotItem(size=16, pen=pg.mkPen("k", width=2), brush=None, symbol="o")
        self._hover_ring.setZValue(10)
        self.plot_item.addItem(self._hover_ring, ignoreBounds=True)

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
