"""The scatter plot's pyqtgraph pieces: an axis labelled in real counts on a log scale, and a point layer drawn
from numpy arrays in one call (ui/scatter_plot.py explains why both exist)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from twexport_qt.followers.plot_points import from_display


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

    def __len__(self) -> int:
        return len(self._x)

    @property
    def color(self) -> QColor:
        return QColor(self._color)

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
