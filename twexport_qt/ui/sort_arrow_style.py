"""A header style whose sort arrow points the way users read it in every style: down for largest first."""

from __future__ import annotations

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHeaderView, QProxyStyle, QStyle, QStyleOption, QStyleOptionHeader, QWidget


class SortArrowStyle(QProxyStyle):
    """Draws the header's sort arrow pointing down for a descending sort (largest first), as file managers and
    spreadsheets do, whatever the style: QHeaderView asks for "SortUp" when descending, which Fusion (Linux)
    draws pointing up and the native Windows style pointing down. The plain arrow primitives point the same
    way in every style."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(option, QStyleOptionHeader):
            indicator = option.sortIndicator
            if indicator != QStyleOptionHeader.SortIndicator.None_:
                descending = indicator == QStyleOptionHeader.SortIndicator.SortUp  # QHeaderView's mapping
                arrow = (QStyle.PrimitiveElement.PE_IndicatorArrowDown if descending
                         else QStyle.PrimitiveElement.PE_IndicatorArrowUp)
                super().drawPrimitive(arrow, option, painter, widget)
            return
        super().drawPrimitive(element, option, painter, widget)


def use_reading_sort_arrow(header: QHeaderView) -> None:
    """Give `header` the arrow that points down for largest first (every sortable table of the app has it)."""
    style = SortArrowStyle()
    style.setParent(header)  # a widget's style is not owned by it: this one goes with its header
    header.setStyle(style)
