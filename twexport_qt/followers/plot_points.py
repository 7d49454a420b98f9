"""Scatter-plot points prepared off the GUI thread: display coordinates, hover index, extent and first frame.

At a million followers, gathering a plot's columns from a snapshot, turning counts into log-scale display
coordinates, building the hover index (`PointIndex`) and binning the density image take ~0.3 s: far too long a
freeze for the GUI thread. `prepare_points` does all of it in plain numpy, so a task thread can run it; the
scatter plot then only assigns the arrays of the `PreparedPoints` it is given. `follower_plot_points` is the
same for the Followers tab's two plots, straight from a snapshot.

The density image a zoomed-out plot shows is array work too (`density_bins`, `density_image`). Given the plot's
`FrameSpec` (its size and palette, read in the GUI thread), `prepare_points` also draws the first density image,
of the framed view (`framing_rect`), so showing new points costs the GUI thread no pass over them (if the plot
was resized meanwhile, that image is shown scaled until the view next changes). The bin of a point depends only
on the view, so a filter change, which only re-colours points, recounts the bins kept.

Coordinates called "display" are the plot's view coordinates: ``log10(1 + v)`` on a log axis, else the value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from twexport_qt.followers.point_index import PointIndex
from twexport_qt.followers.snapshot import UNKNOWN_DATE, FollowerSnapshot

SECONDS_PER_DAY = 86_400
DIMMED_RGB = (150, 150, 150)  # followers outside the filter
FRAME_PADDING = 0.02  # new points are framed with this fraction of their extent on each side

ViewRect = tuple[float, float, float, float]  # (x0, x1, y0, y1) in display coordinates


class FollowerPlotKind(StrEnum):
    """The Followers tab's plots."""

    NETWORK = "network"  # followers against following
    AGE = "age"  # followers against account age


@dataclass(frozen=True)
class PlotAxes:
    """How a plot's axes are scaled and labelled."""

    log_x: bool
    log_y: bool
    x_label: str
    y_label: str


NO_AXES = PlotAxes(log_x=False, log_y=False, x_label="", y_label="")
FOLLOWER_PLOT_AXES: dict[FollowerPlotKind, PlotAxes] = {
    FollowerPlotKind.NETWORK: PlotAxes(log_x=True, log_y=True, x_label="Following (friends)", y_label="Followers"),
    FollowerPlotKind.AGE: PlotAxes(log_x=False, log_y=True, x_label="Account age (days)", y_label="Followers"),
}


@dataclass(frozen=True)
class PlotExtent:
    """The smallest rectangle, in display coordinates, holding every plottable point."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float


@dataclass(frozen=True)
class FrameSpec:
    """What a scatter plot's first frame of new points depends on, read from the widget in the GUI thread."""

    density_shape: tuple[int, int]  # (rows, columns) of its density image at the plot's current size
    tier_rgb: tuple[tuple[int, int, int], ...]  # the palette: one colour per tier code
    max_drawn_points: int  # above this many points in view the plot shows the density image


@dataclass(frozen=True, eq=False)
class FirstFrame:
    """The density image of the framed view, drawn ahead for the highlight the points were prepared with."""

    spec: FrameSpec
    category: np.ndarray  # int32 per point: its tier when highlighted, the tier count when dimmed
    bins: DensityBins
    image: np.ndarray  # RGBA, rows along y


@dataclass(frozen=True, eq=False)
class PreparedPoints:
    """One plot's followers, ready to show: one array element per follower, in the order given."""

    ids: np.ndarray  # int64 follower ids
    x: np.ndarray  # float64 display coordinates; NaN where a point cannot be placed (not drawn)
    y: np.ndarray
    tier: np.ndarray  # int8 tier codes
    selected: np.ndarray  # bool: highlighted when shown
    index: PointIndex  # over (x, y): hover, click and view look-ups
    axes: PlotAxes
    extent: PlotExtent | None  # None when no point can be placed
    tiers_needed: int  # highest tier code + 1 (0 without points): the palette must have this many colours
    first_frame: FirstFrame | None  # None when not asked for, or when the framed view shows points, not density

    def __len__(self) -> int:
        return len(self.ids)


def to_display(values: np.ndarray, log: bool) -> np.ndarray:
    """Data values to display coordinates; on a log axis negative values become NaN (not drawn)."""
    values = np.asarray(values, dtype=np.float64)
    if not log:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        display = np.log10(1.0 + values)
    display[values < 0] = np.nan
    return display


def from_display(value: float, log: bool) -> float:
    return 10.0**value - 1.0 if log else value


def prepare_points(
    ids: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    tier: np.ndarray,
    axes: PlotAxes,
    selected: np.ndarray | None = None,
    *,
    frame: FrameSpec | None = None,
) -> PreparedPoints:
    """Everything a scatter plot needs for these followers (x, y in data units): ~0.2 s at a million.

    `selected` (default: everyone) is highlighted when they are shown. With the plot's `frame`, the first
    density image is drawn here too.
    """
    ids = np.asarray(ids, dtype=np.int64)
    arrays = {"x": x, "y": y, "tier": tier}
    if selected is not None:
        arrays["selected"] = selected
    for name, array in arrays.items():
        if np.shape(array) != ids.shape:
            raise ValueError(f"{name} has shape {np.shape(array)}, expected {ids.shape} like ids")
    tier = np.asarray(tier, dtype=np.int8)
    if len(tier) and tier.min() < 0:
        raise ValueError(f"tier codes must not be negative, got {tier.min()}")
    selected = np.ones(len(ids), dtype=bool) if selected is None else np.asarray(selected, dtype=bool)
    display_x, display_y = to_display(x, axes.log_x), to_display(y, axes.log_y)
    index = PointIndex(display_x, display_y)
    extent = _extent(display_x, display_y)
    tiers_needed = int(tier.max()) + 1 if len(tier) else 0
    first_frame = None
    view_rect = framing_rect(extent)
    if (frame is not None and view_rect is not None and index.indexed_count > frame.max_drawn_points
            and tiers_needed <= len(frame.tier_rgb)):
        category = highlight_categories(tier, selected, len(frame.tier_rgb))
        bins = density_bins(display_x, display_y, view_rect, frame.density_shape)
        image = density_image(bins, category, np.array(frame.tier_rgb, dtype=float))
        first_frame = FirstFrame(frame, category, bins, image)
    return PreparedPoints(
        ids=ids, x=display_x, y=display_y, tier=tier, selected=selected, index=index, axes=axes, extent=extent,
        tiers_needed=tiers_needed, first_frame=first_frame,
    )


def no_points() -> PreparedPoints:
    """An empty plot."""
    empty = np.empty(0)
    return prepare_points(empty, empty, empty, empty, NO_AXES)


def framing_rect(extent: PlotExtent | None) -> ViewRect | None:
    """The view new points are shown in: their extent and `FRAME_PADDING` around it (a point alone: ±0.5)."""
    if extent is None:
        return None
    x_pad = (extent.x_max - extent.x_min) * FRAME_PADDING or 0.5
    y_pad = (extent.y_max - extent.y_min) * FRAME_PADDING or 0.5
    return (extent.x_min - x_pad, extent.x_max + x_pad, extent.y_min - y_pad, extent.y_max + y_pad)


def highlight_categories(tier: np.ndarray, selected: np.ndarray, tier_count: int) -> np.ndarray:
    """Per point, its tier when selected, else `tier_count` (dimmed): the density image's colour classes."""
    return np.where(selected, tier, tier_count).astype(np.int32)


def follower_plot_points(
    snapshot: FollowerSnapshot,
    positions: np.ndarray | slice,  # position numbers, a bool mask or a slice: anything that indexes the arrays
    kind: FollowerPlotKind,
    now: float,
    filter_mask: np.ndarray,
    *,
    frame: FrameSpec | None = None,
) -> PreparedPoints:
    """The points of one of the Followers tab's plots: the followers at `positions` of `snapshot`, in that order,
    highlighted where `filter_mask` (per snapshot position) is True.

    `now` (epoch seconds) dates the account ages; a follower whose join date is unknown is not placed on the age
    axis.
    """
    ids = snapshot.user_id[positions]
    followers = snapshot.followers[positions]
    tier = snapshot.tier[positions]
    if kind is FollowerPlotKind.NETWORK:
        x = snapshot.following[positions]
    else:
        x = account_age_days(snapshot.created_at[positions], now)
    return prepare_points(ids, x, followers, tier, FOLLOWER_PLOT_AXES[kind], filter_mask[positions], frame=frame)


@dataclass(frozen=True, eq=False)
class PointsInView:
    """What a plot shows inside its zoom at one moment, to be listed later in any thread ("Export visible points").

    Its arrays are never changed in place (a plot replaces them), so a task thread may read them while the plot
    moves on; listing a million points costs ~50 ms, which is why it is left to that thread.
    """

    points: PreparedPoints
    category: np.ndarray  # per point: its tier when highlighted, `dimmed` when outside the filter
    dimmed: int
    view_rect: ViewRect  # (x0, x1, y0, y1) in display coordinates, bounds included

    def highlighted_ids(self) -> np.ndarray:
        """Follower ids of the highlighted points inside the view, in point order (dimmed ones left out)."""
        x0, x1, y0, y1 = self.view_rect
        inside = self.points.index.in_rect(x0, x1, y0, y1)
        return self.points.ids[inside[self.category[inside] != self.dimmed]]


def account_age_days(created_at: np.ndarray, now: float) -> np.ndarray:
    """Days from each join date to `now`; NaN where the date is unknown (UNKNOWN_DATE)."""
    known = created_at != UNKNOWN_DATE
    age_days = np.full(len(created_at), np.nan)
    age_days[known] = (now - created_at[known]) / SECONDS_PER_DAY
    return age_days


# -- density image ------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DensityBins:
    """The density-image bin of every point inside one view rectangle, for one image shape."""

    view_rect: ViewRect
    shape: tuple[int, int]  # (rows, columns) of the image; rows go along y
    inside: np.ndarray | None  # positions of the points inside the rectangle; None when every point is
    bin: np.ndarray  # intp: row * columns + column, per point inside

    def is_for(self, view_rect: ViewRect, shape: tuple[int, int]) -> bool:
        return self.view_rect == view_rect and self.shape == shape


def density_bins(x: np.ndarray, y: np.ndarray, view_rect: ViewRect, shape: tuple[int, int]) -> DensityBins:
    """Bin the points inside view_rect = (x0, x1, y0, y1) (upper bounds excluded): ~15 ms for 1M points."""
    x0, x1, y0, y1 = view_rect
    height, width = shape
    inside_mask = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)  # also false for NaN coordinates
    inside: np.ndarray | None = None
    if not inside_mask.all():  # zoomed in: only the points in view; zoomed out, no 1M-element copies
        inside = np.flatnonzero(inside_mask)
        x, y = x[inside], y[inside]
    # In place where it can be: each 1M-element temporary costs milliseconds.
    column = x - x0
    column *= width / (x1 - x0)
    row = y - y0
    row *= height / (y1 - y0)
    bins = np.minimum(row.astype(np.intp), height - 1)
    bins *= width
    bins += np.minimum(column.astype(np.intp), width - 1)
    return DensityBins(view_rect, shape, inside, bins)


def density_image(bins: DensityBins, category: np.ndarray, tier_rgb: np.ndarray) -> np.ndarray:
    """RGBA image (rows = y bins) of the binned points, coloured by ``category`` (per point, not only binned ones).

    ``category`` is the tier for highlighted points and ``len(tier_rgb)`` for dimmed
    ones. A bin holding highlighted points takes the count-weighted mean of their tier
    colours; a bin with only dimmed points is grey. Opacity grows with log(count), so
    sparse outliers stay visible next to the dense core. One bincount over
    (bin, category) codes does all the counting: ~15 ms for 1M points.
    """
    height, width = bins.shape
    tiers = len(tier_rgb)
    code = bins.bin * (tiers + 1)
    code += category if bins.inside is None else category[bins.inside]
    counts = np.bincount(code, minlength=height * width * (tiers + 1)).reshape(height, width, tiers + 1)

    highlighted = counts[..., :tiers]
    highlighted_total = highlighted.sum(axis=-1)
    dimmed_total = counts[..., tiers]
    log_norm = math.log1p(max(int((highlighted_total + dimmed_total).max()), 1))

    image = np.zeros((height, width, 4), dtype=np.uint8)
    has_highlight = highlighted_total > 0
    weights = highlighted[has_highlight] / highlighted_total[has_highlight, None]
    image[has_highlight, :3] = (weights @ tier_rgb).round().astype(np.uint8)
    highlight_opacity = 0.45 + 0.55 * np.log1p(highlighted_total[has_highlight]) / log_norm
    image[has_highlight, 3] = (255 * highlight_opacity).astype(np.uint8)
    only_dimmed = ~has_highlight & (dimmed_total > 0)
    image[only_dimmed, :3] = DIMMED_RGB
    image[only_dimmed, 3] = (255 * (0.12 + 0.3 * np.log1p(dimmed_total[only_dimmed]) / log_norm)).astype(np.uint8)
    return image


def density_rgba(
    x: np.ndarray,
    y: np.ndarray,
    category: np.ndarray,
    view_rect: ViewRect,
    shape: tuple[int, int],
    tier_rgb: np.ndarray,
) -> np.ndarray:
    """The density image of the points inside view_rect = (x0, x1, y0, y1), in one call (see density_image)."""
    return density_image(density_bins(x, y, view_rect, shape), category, tier_rgb)


def _extent(x: np.ndarray, y: np.ndarray) -> PlotExtent | None:
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    if finite.all():  # the common case: no 1M-element copies
        xs, ys = x, y
    else:
        xs, ys = x[finite], y[finite]
    return PlotExtent(float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()))
