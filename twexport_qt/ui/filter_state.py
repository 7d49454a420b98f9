"""The followers filter the user set, shared by the Followers tab, the DM campaign ("use the view's filter")
and File → Export ("followers, current filter"): one object, so they can never disagree."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from twexport_qt.followers.filters import FollowerFilter


class FollowerFilterState(QObject):
    changed = Signal(object)  # FollowerFilter

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current = FollowerFilter()
        self._flush: Callable[[], None] | None = None

    @property
    def current(self) -> FollowerFilter:
        """The filter as the user set it, including an edit the form has not applied yet (it waits for typing
        to pause): an export started right after typing uses what was typed."""
        if self._flush is not None:
            self._flush()
        return self._current

    def set_flush(self, flush: Callable[[], None] | None) -> None:
        """`flush` applies the editing form's pending change (by calling `set`); the Followers tab sets it."""
        self._flush = flush

    def set(self, follower_filter: FollowerFilter) -> None:
        if follower_filter != self._current:
            self._current = follower_filter
            self.changed.emit(follower_filter)
