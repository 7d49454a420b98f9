"""The colours of follower tiers, in one place: the plots' points, density image and legend all use them."""

from __future__ import annotations

from PySide6.QtGui import QColor

# One colour per tier, in tier order; more tiers than colours reuse them from the start.
TIER_COLOURS: tuple[str, ...] = ("#e4572e", "#f3a712", "#29335c", "#669bbc", "#8e7dbe", "#2a9d8f")


def tier_colours(count: int) -> list[QColor]:
    """The colours of `count` tiers."""
    return [QColor(TIER_COLOURS[index % len(TIER_COLOURS)]) for index in range(count)]
