"""The followers filter the user set, shared by the Followers tab, the DM campaign ("use the view's filter")
and File → Export ("followers, current filter"): one object, so they can never disagree.

It also remembers the last filter of each profile across starts (`restore`), in the data folder's UI state
(`ui_state.py`): a filter is part of how the user left the window, not a setting. A remembered filter gives way
to the profile's default filter when that default was changed in Settings since, and one that no longer reads as
a filter (an older or a hand-edited file) is ignored without a word: the default is shown, as on a first start.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QObject, Signal

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.ui.ui_state import ui_state

log = logging.getLogger(__name__)

REMEMBERED_FILTER_GROUP = "followers-filter"  # one key per profile name in the UI state file


@dataclass(frozen=True)
class _RememberedPlace:
    """Where `set` remembers the filter: the data folder's UI state, under the profile shown, with the profile's
    default filter of that moment (a later change of the default in Settings outranks the remembered filter)."""

    data_dir: Path
    profile_name: str
    default: FollowerFilter


class FollowerFilterState(QObject):
    changed = Signal(object)  # FollowerFilter

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current = FollowerFilter()
        self._flush: Callable[[], None] | None = None
        self._remembered: _RememberedPlace | None = None  # None until `restore`: nothing is written

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
        self._remember(follower_filter)

    def restore(self, data_dir: Path, profile_name: str, default: FollowerFilter) -> FollowerFilter:
        """The filter to show for `profile_name` (at start, or on switching to it): the one it was left with,
        unless its `default` (the profile's saved filter) changed since or what was kept no longer reads; then
        `default`. From now on, every filter `set` is remembered for this profile."""
        self._remembered = _RememberedPlace(data_dir, profile_name, default)
        stored = ui_state(data_dir).value(_key(profile_name))
        remembered = _read_remembered(stored, default) if isinstance(stored, str) else None
        return remembered if remembered is not None else default

    def _remember(self, follower_filter: FollowerFilter) -> None:
        place = self._remembered
        if place is None:
            return
        text = json.dumps({"filter": follower_filter.to_dict(), "default": place.default.to_dict()})
        state = ui_state(place.data_dir)
        if state.value(_key(place.profile_name)) != text:  # typing pauses often; the file is written on changes
            state.setValue(_key(place.profile_name), text)


def _key(profile_name: str) -> str:
    # QSettings reads "/" and "\\" in a key as sub-keys, and profile names may hold a backslash: percent-encoded.
    return f"{REMEMBERED_FILTER_GROUP}/{quote(profile_name, safe='')}"


def _read_remembered(text: str, default: FollowerFilter) -> FollowerFilter | None:
    """The filter kept in `text`, or None: unreadable, or kept with a default filter other than `default`."""
    try:
        kept: Any = json.loads(text)
        if not isinstance(kept, dict) or not isinstance(kept.get("filter"), dict):
            return None
        if kept.get("default") != json.loads(json.dumps(default.to_dict())):
            return None  # the profile's default filter was changed in Settings since: it wins
        return FollowerFilter.from_dict(kept["filter"])
    except (ValueError, TypeError) as exc:  # ValueError covers a bad JSON text and an InvalidFilter
        log.info("A remembered followers filter no longer reads (%s); the profile's default is shown", exc)
        return None
