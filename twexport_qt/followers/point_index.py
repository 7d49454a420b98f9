"""Uniform-grid spatial index over 2-D points, for hover look-ups and viewport queries.

The scatter plot asks two questions many times per second on up to a million followers:
"which point is under the cursor?" and "which points are inside the view?". Both are
answered here with numpy only: points are bucketed into a uniform grid and sorted by cell
(row-major), so every grid row's cells form one contiguous slice of the sorted arrays and a
rectangle query touches one slice per grid row instead of every point.

Coordinates are *display* coordinates (already log-transformed where the plot uses a log
axis); the index knows nothing about axes, pixels or Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# About this many points per occupied cell for uniformly spread data; clustered data
# puts more in dense cells, which only costs a few extra vectorised comparisons.
_TARGET_POINTS_PER_CELL = 8
_MAX_CELLS_PER_AXIS = 4096
# Widens a hover query by a hair so float rounding at cell borders never drops a point
# whose ellipse test passes.
_QUERY_PAD = 1e-9


@dataclass(frozen=True)
class _CellSpan:
    """The grid cells a rectangle touches: inclusive column and row ranges."""

    first_column: int
    last_column: int
    first_row: int
    last_row: int


class PointIndex:
    """Nearest-point and rectangle queries over fixed (x, y) points.

    Indices returned are positions in the arrays given to the constructor. Points with a
    NaN or infinite coordinate are never returned.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"x and y must be 1-D arrays of the same length, got {x.shape} and {y.shape}")
        self._size = len(x)
        finite_mask = np.isfinite(x) & np.isfinite(y)
        if finite_mask.all():  # the common case: skip two 1M-element copies
            finite = np.arange(len(x), dtype=np.int64)
            fx, fy = x, y
        else:
            finite = np.flatnonzero(finite_mask)
            fx, fy = x[finite], y[finite]
        self._point_count = len(finite)

        if self._point_count:
            self._x_min, self._y_min = float(fx.min()), float(fy.min())
            x_span, y_span = float(fx.max()) - self._x_min, float(fy.max()) - self._y_min
        else:
            self._x_min = self._y_min = 0.0
            x_span = y_span = 0.0
        # Square grid in normalised coordinates: the two axes usually have unrelated units.
        cells_per_axis = int(math.sqrt(max(self._point_count, 1) / _TARGET_POINTS_PER_CELL))
        cells_per_axis = min(max(cells_per_axis, 1), _MAX_CELLS_PER_AXIS)
        self._nx = cells_per_axis if x_span > 0 else 1
        self._ny = cells_per_axis if y_span > 0 else 1
        self._x_scale = self._nx / x_span if x_span > 0 else 0.0
        self._y_scale = self._ny / y_span if y_span > 0 else 0.0

        cell = self._cell_rows(fy) * np.int32(self._nx) + self._cell_columns(fx)
        # Order within a cell does not matter (ties are broken by index), so the faster
        # unstable sort is fine; int32 keys sort ~20% faster than int64.
        order = np.argsort(cell)
        self._xs = fx[order]
        self._ys = fy[order]
        self._ids = finite[order]
        # cell_start[c]..cell_start[c + 1] is cell c's slice of the sorted arrays.
        counts = np.bincount(cell, minlength=self._nx * self._ny)
        self._cell_start = np.zeros(self._nx * self._ny + 1, dtype=np.int64)
        np.cumsum(counts, out=self._cell_start[1:])

    def __len__(self) -> int:
        """Number of points given to the constructor, including excluded non-finite ones."""
        return self._size

    @property
    def indexed_count(self) -> int:
        """Number of points with finite coordinates (those the queries can return)."""
        return self._point_count

    def nearest(self, x: float, y: float, max_dx: float, max_dy: float) -> int | None:
        """Index of the point nearest to (x, y) inside the ellipse of radii (max_dx, max_dy).

        Distance is measured in units of the radii, so a pixel-round cursor radius maps to
        the right ellipse when the axes have different scales. Ties go to the lowest index.
        """
        if not (max_dx > 0 and max_dy > 0):
            raise ValueError(f"search radii must be positive, got {max_dx!r}, {max_dy!r}")
        if not (math.isfinite(x) and math.isfinite(y)) or not self._point_count:
            return None
        pad_x, pad_y = max_dx * (1 + _QUERY_PAD), max_dy * (1 + _QUERY_PAD)
        candidates = self._candidates(x - pad_x, x + pad_x, y - pad_y, y + pad_y)
        if not len(candidates):
            return None
        dx = (self._xs[candidates] - x) / max_dx
        dy = (self._ys[candidates] - y) / max_dy
        distance = dx * dx + dy * dy
        best = distance.min()
        if best > 1.0:
            return None
        return int(self._ids[candidates[distance == best]].min())

    def in_rect(self, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        """Sorted indices of points with x0 <= x <= x1 and y0 <= y <= y1."""
        candidates = self._candidates(x0, x1, y0, y1)
        inside = self._inside(candidates, x0, x1, y0, y1)
        return np.sort(self._ids[candidates[inside]])

    def count_in_rect(self, x0: float, x1: float, y0: float, y1: float) -> int:
        """Number of points in_rect would return, without materialising their indices.

        Cells strictly inside the rectangle are counted from the cell offsets; only the
        border cells are tested point by point, so zoomed-out views cost O(grid), not O(n).
        """
        span = self._cell_span(x0, x1, y0, y1)
        if span is None:
            return 0
        c0, c1, r0, r1 = span.first_column, span.last_column, span.first_row, span.last_row
        starts = self._cell_start
        total = 0
        # Interior block: rows and columns whose cells lie wholly inside the rectangle.
        inner_rows = np.arange(r0 + 1, r1)
        if c1 - c0 >= 2 and len(inner_rows):
            row_base = inner_rows * self._nx
            total += int((starts[row_base + c1] - starts[row_base + c0 + 1]).sum())
        # Border ring: the first and last row in full, the first and last column in between.
        border = self._row_slices(np.unique([r0, r1]), c0, c1)
        if len(inner_rows):
            border = np.concatenate([
                border,
                self._row_slices(inner_rows, c0, c0),
                self._row_slices(inner_rows, c1, c1) if c1 != c0 else np.empty(0, np.int64),
            ])
        total += int(np.count_nonzero(self._inside(border, x0, x1, y0, y1)))
        return total

    # -- internals -------------------------------------------------------------------

    def _cell_columns(self, x: np.ndarray | float) -> np.ndarray:
        return _cell_of(x, self._x_min, self._x_scale, self._nx)

    def _cell_rows(self, y: np.ndarray | float) -> np.ndarray:
        return _cell_of(y, self._y_min, self._y_scale, self._ny)

    def _cell_span(self, x0: float, x1: float, y0: float, y1: float) -> _CellSpan | None:
        """The cells covering the rectangle; None when there is nothing to look at."""
        if not self._point_count or not (x0 <= x1 and y0 <= y1):  # also rejects NaN bounds
            return None
        return _CellSpan(int(self._cell_columns(x0)), int(self._cell_columns(x1)),
                         int(self._cell_rows(y0)), int(self._cell_rows(y1)))

    def _candidates(self, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        """Sorted-array positions of every point in the cells the rectangle touches."""
        span = self._cell_span(x0, x1, y0, y1)
        if span is None:
            return np.empty(0, dtype=np.int64)
        return self._row_slices(np.arange(span.first_row, span.last_row + 1), span.first_column, span.last_column)

    def _row_slices(self, rows: np.ndarray, c0: int, c1: int) -> np.ndarray:
        """Concatenated positions of cells c0..c1 (inclusive) in each of the given rows."""
        rows = np.asarray(rows, dtype=np.int64)
        lo = self._cell_start[rows * self._nx + c0]
        hi = self._cell_start[rows * self._nx + c1 + 1]
        lengths = hi - lo
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        # Vectorised concatenation of aranges: each slice's offset relative to its output start.
        output_starts = np.cumsum(lengths) - lengths
        return np.arange(total, dtype=np.int64) + np.repeat(lo - output_starts, lengths)

    def _inside(self, positions: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        xs, ys = self._xs[positions], self._ys[positions]
        return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)


def _cell_of(values: np.ndarray | float, origin: float, scale: float, cells: int) -> np.ndarray:
    """Grid cell (int32) along one axis; values outside the grid clamp to the edge cells.

    Points and query bounds both go through this one expression. Float rounding is
    monotonic, so a point inside [a, b] always lands in a cell between cell(a) and cell(b).
    Clamping before truncation equals floor-then-clamp, and is cheaper than np.floor.
    """
    position = (np.asarray(values, dtype=np.float64) - origin) * scale
    return np.clip(position, 0, cells - 1).astype(np.int32)
