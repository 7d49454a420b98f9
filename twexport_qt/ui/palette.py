"""The plots' colours in one place, for light and dark palettes: tiers (points, density image, legend) and chrome.

Tier colours come in two sets with the same hues: the light set reads on a white plot, the dark set (lighter,
the navy turned periwinkle) on a dark one. Which set applies follows the application palette (`is_dark`), so a
plot recolours itself when the system switches between light and dark (`tier_colours_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # annotations only: the palette must not load pyqtgraph before a chart is shown
    import pyqtgraph as pg

# One colour per tier, in tier order; more tiers than colours reuse them from the start.
LIGHT_TIER_COLOURS: tuple[str, ...] = ("#e4572e", "#f3a712", "#29335c", "#669bbc", "#8e7dbe", "#2a9d8f")
DARK_TIER_COLOURS: tuple[str, ...] = ("#ff7b54", "#f6bd3b", "#8c9eff", "#7cc6ee", "#b9a8f0", "#3cc7b4")
TIER_COLOURS = LIGHT_TIER_COLOURS  # the tier count a plot colours by default (both sets have as many)
# Followers outside the filter, as points (the density image greys them with plot_points.DIMMED_RGB).
DIMMED_ALPHA = 90


def is_dark(palette: QPalette | None = None) -> bool:
    """Is this palette (default: the application's) a dark one, light text on a dark background?"""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < palette.color(QPalette.ColorRole.Text).lightness()


def tier_colours(count: int, *, dark: bool | None = None) -> list[QColor]:
    """The colours of `count` tiers, for a dark or light palette (default: as the application's is now)."""
    names = DARK_TIER_COLOURS if (is_dark() if dark is None else dark) else LIGHT_TIER_COLOURS
    return [QColor(names[index % len(names)]) for index in range(count)]


def tier_colours_for(colours: Sequence[QColor], *, dark: bool) -> list[QColor]:
    """`colours` with each of the app's tier colours (of either set) swapped for the same tier's colour in the
    light or dark set; any other colour, chosen by a caller, stays as it is."""
    wanted = DARK_TIER_COLOURS if dark else LIGHT_TIER_COLOURS
    index_of = {QColor(name).rgb(): index for names in (LIGHT_TIER_COLOURS, DARK_TIER_COLOURS)
                for index, name in enumerate(names)}
    adapted = []
    for colour in colours:
        index = index_of.get(QColor(colour).rgb()) if QColor(colour).alpha() == 255 else None
        adapted.append(QColor(wanted[index]) if index is not None else QColor(colour))
    return adapted


@dataclass(frozen=True)
class PlotColours:
    """What a plot draws besides its points, taken from a palette."""

    background: QColor  # the data area: the palette's Base, as a table's cells
    foreground: QColor  # axes, tick labels, axis titles: the palette's Text
    ring_outer: QColor  # the selected follower's ring: a thick stroke in the text colour...
    ring_inner: QColor  # ...around a thin one in the background colour, so it shows over any point colour
    dark: bool
    accent: QColor      # bars and lines of one series: the system's selection colour, readable on its background


def plot_colours(palette: QPalette) -> PlotColours:
    background = palette.color(QPalette.ColorRole.Base)
    foreground = palette.color(QPalette.ColorRole.Text)
    return PlotColours(background=background, foreground=foreground, ring_outer=foreground,
                       ring_inner=background, dark=is_dark(palette),
                       accent=palette.color(QPalette.ColorRole.Highlight))


class TextTone(StrEnum):
    """What a coloured sentence says: a problem to fix, a caution, or a quiet aside."""

    PROBLEM = "problem"
    CAUTION = "caution"
    QUIET = "quiet"


# Light and dark variants of the same hue: dark red on white reads, on a dark window it disappears.
_TONE_COLOURS: dict[TextTone, tuple[str, str]] = {
    TextTone.PROBLEM: ("#b00020", "#ff8a80"),
    TextTone.CAUTION: ("#8a5a00", "#ffd479"),
}


def tone_colour(tone: TextTone, *, dark: bool | None = None) -> str:
    """The text colour of `tone` for a light or dark palette (default: the application's now); quiet text is
    the palette's own placeholder colour, which every style already makes readable."""
    if tone is TextTone.QUIET:
        return "palette(placeholder-text)"
    light, dark_variant = _TONE_COLOURS[tone]
    return dark_variant if (is_dark() if dark is None else dark) else light


def tone_style(tone: TextTone, *, dark: bool | None = None) -> str:
    """A label style sheet for `tone` (dialogs are built anew each time, so each picks the current palette)."""
    return f"QLabel {{ color: {tone_colour(tone, dark=dark)}; }}"


class _HasAxes(Protocol):
    def getAxis(self, name: str) -> pg.AxisItem: ...


def colour_axes(plot: _HasAxes, colours: PlotColours, sides: Sequence[str] = ("left", "bottom")) -> None:
    """A chart's axis lines, ticks and labels in the palette's text colour (every chart of the app)."""
    for side in sides:
        axis = plot.getAxis(side)
        axis.setPen(colours.foreground)
        axis.setTextPen(colours.foreground)


def colour_chart(view: pg.GraphicsView, plots: Sequence[_HasAxes], palette: QPalette) -> PlotColours:
    """A chart's chrome from `palette`: the background of `view` and the axes of each of `plots`; returns the
    colours for what the chart draws itself (its bars and lines)."""
    colours = plot_colours(palette)
    view.setBackground(colours.background)
    for plot in plots:
        colour_axes(plot, colours)
    return colours


class _PaletteFollower(QObject):
    """Calls back when its parent widget's palette changes (see `follow_palette`)."""

    def __init__(self, widget: QWidget, apply: Callable[[], None]) -> None:
        super().__init__(widget)
        self._apply = apply
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange:  # the palette is already the new one
            self._apply()
        return False  # the widget handles the event as usual


def follow_palette(widget: QWidget, apply: Callable[[], None]) -> None:
    """Run `apply` now and each time `widget`'s palette changes (the system switched between light and dark, and
    the app's palette reached every widget): how every chart recolours itself, without a `changeEvent` of its own."""
    _PaletteFollower(widget, apply)
    apply()
