"""The follower history for views and commands (`context.history`): growth, who left or came and when, the
"since last week" line, and the `left`/`new` files, without a connection or SQL of their own.

Reads run on the calling thread's connection (`ThreadConnections`); views call them through `run_task`, since a
year of a million followers' history is read in tenths of a second, not milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import numpy as np

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import TwExportError
from twexport_qt.exports.formats import TableOptions, write_table
from twexport_qt.exports.safe_csv import write_csv
from twexport_qt.followers import history
from twexport_qt.followers.churn_profile import ChurnProfile, churn_profile
from twexport_qt.followers.history import ChangeSummary, FollowedSince, GrowthPoint
from twexport_qt.paths import check_output_path
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.store import history_repo
from twexport_qt.store.history_repo import ChangeIds, ChangeRow, StoredProfile


class ChangeExportKind(StrEnum):
    """The history's exports; the values are `export KIND`'s names."""

    LEFT = "left"
    NEW = "new"


class HistoryExportError(TwExportError):
    default_message = "The history export could not be written."


class HistoryService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def growth(self, owner_id: int, *, since: int | None = None, until: int | None = None) -> list[GrowthPoint]:
        return history.growth(self._db.get(), owner_id, since=since, until=until)

    def since_last_week(self, owner_id: int) -> ChangeSummary:
        return history.since_last_week(self._db.get(), owner_id, int(self._clock.now()))

    def summary_since(self, owner_id: int, since: int) -> ChangeSummary:
        return history.summary_since(self._db.get(), owner_id, since)

    def who_left(self, owner_id: int, *, since: int | None = None, until: int | None = None) -> list[ChangeRow]:
        return history.who_left(self._db.get(), owner_id, since=since, until=until)

    def who_is_new(self, owner_id: int, *, since: int | None = None, until: int | None = None) -> list[ChangeRow]:
        return history.who_is_new(self._db.get(), owner_id, since=since, until=until)

    def who_left_ids(self, owner_id: int, *, since: int | None = None, until: int | None = None) -> ChangeIds:
        return history.who_left_ids(self._db.get(), owner_id, since=since, until=until)

    def who_is_new_ids(self, owner_id: int, *, since: int | None = None, until: int | None = None) -> ChangeIds:
        return history.who_is_new_ids(self._db.get(), owner_id, since=since, until=until)

    def stored_profiles(self, owner_id: int, user_ids: Sequence[int]) -> dict[int, StoredProfile]:
        """The followers' profiles as last stored, by user id, read in one batch (those never stored missing)."""
        return history_repo.stored_profiles(self._db.get(), owner_id, user_ids)

    def churn_profile(self, owner_id: int, left_user_ids: np.ndarray) -> ChurnProfile:
        """Those who left (`who_left_ids(...).user_ids` of a period) against the current followers, metric by
        metric, account ages as of now."""
        return churn_profile(self._db.get(), owner_id, left_user_ids, now=int(self._clock.now()))

    def followed_since(self, owner_id: int, user_id: int) -> FollowedSince | None:
        return history.followed_since(self._db.get(), owner_id, user_id)

    def export_growth(self, owner_id: int, path: Path, *, since: int | None = None,
                      data_dir: Path | None = None) -> int:
        """Write the growth series (one row per complete fetch) to a CSV file; returns the rows written."""
        path = check_output_path(path, data_dir)
        rows = ([history.iso(point.at), point.followers, point.joined, point.left, point.first]
                for point in self.growth(owner_id, since=since))
        try:
            return write_csv(path, list(history.GROWTH_COLUMNS), rows)
        except OSError as exc:
            raise HistoryExportError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.") from exc

    def export_changes(self, owner_id: int | None, kind: ChangeExportKind, path: Path, *,
                       options: TableOptions | None = None, since: int | None = None,
                       data_dir: Path | None = None, cancel: CancelToken | None = None) -> int:
        """Write who left (or who is new) since `since` to `path` as `options` say (CSV or XLSX, chosen columns,
        with its data dictionary beside it); returns the rows written. Nothing is written into `data_dir`."""
        path = check_output_path(path, data_dir)
        if owner_id is None:
            raise HistoryExportError("No followers have been fetched for this profile yet: fetch followers first.")
        changes = (self.who_left(owner_id, since=since) if kind == ChangeExportKind.LEFT
                   else self.who_is_new(owner_id, since=since))
        title = "Followers who left" if kind == ChangeExportKind.LEFT else "New followers"
        try:
            return write_table(path, list(history.CHANGE_COLUMNS), (history.change_values(row) for row in changes),
                               options or TableOptions(), export_title=title, cancel=cancel)
        except OSError as exc:
            raise HistoryExportError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.") from exc
