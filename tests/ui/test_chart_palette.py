"""The one way charts follow the palette (ui/palette.py `follow_palette`, `colour_chart`): applied at once and again
on every palette change of the widget, the chart's background, axes and accent taken from that palette."""

from __future__ import annotations

import gc

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from twexport_qt.ui.palette import colour_chart, follow_palette


def dark_palette(base: QPalette) -> QPalette:
    dark = QPalette(base)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3daee9"))
    return dark


def test_a_follower_applies_now_and_on_each_palette_change(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    seen: list[str] = []
    follow_palette(widget, lambda: seen.append(widget.palette().color(QPalette.ColorRole.Base).name()))
    assert len(seen) == 1
    gc.collect()  # the follower lives as long as the widget, not as long as a Python reference to it
    widget.setPalette(dark_palette(widget.palette()))
    assert seen[-1] == "#1e1e1e" and len(seen) == 2


def test_colour_chart_sets_the_background_and_axes_and_returns_the_accent(qtbot: QtBot) -> None:
    view = pg.PlotWidget()
    qtbot.addWidget(view)
    colours = colour_chart(view, [view.getPlotItem()], dark_palette(view.palette()))
    assert (colours.background.name(), colours.accent.name(), colours.dark) == ("#1e1e1e", "#3daee9", True)
    assert view.backgroundBrush().color().name() == "#1e1e1e"
    assert view.getPlotItem().getAxis("left").pen().color().name() == "#eeeeee"
