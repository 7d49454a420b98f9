"""A scatter plot's legend as a row of text beside the data area, never over it, at the palette's text contrast.

pyqtgraph's legend floats over the points in a faint grey and hides the data under it. This one is a word-wrapped
label laid out above the plot: one coloured dot and tier name per entry, wrapping to a second line when the plot is
narrow, in the window's own text colour (so it reads in light and dark palettes alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

_DOT = "\u25cf"  # a filled circle, the shape of the points


@dataclass(frozen=True)
class LegendEntry:
    colour: QColor
    name: str


class PlotLegend(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setContentsMargins(6, 2, 6, 2)
        self._entries: tuple[LegendEntry, ...] = ()
        # A line's height from the start: naming the tiers must not shrink a plot already drawn at its size.
        self.set_entries([LegendEntry(QColor(), "Tier")])
        self.setMinimumHeight(self.sizeHint().height())
        self.set_entries([])

    @property
    def entries(self) -> tuple[LegendEntry, ...]:
        return self._entries

    def set_entries(self, entries: Sequence[LegendEntry]) -> None:
        self._entries = tuple(entries)
        # Non-breaking spaces keep a dot with its name; the plain space between entries is where lines wrap.
        items = [
            f"<span style='color:{entry.colour.name()}; font-size:large'>{_DOT}</span>&nbsp;"
            f"{escape(entry.name).replace(' ', '&nbsp;')}"
            for entry in self._entries
        ]
        self.setText("&nbsp;&nbsp; ".join(items))
        self.setAccessibleDescription("Legend: " + ", ".join(entry.name for entry in self._entries))
