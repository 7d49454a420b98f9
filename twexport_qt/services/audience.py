"""What the Audience tab and `followers profile` read: the audience profile of the followers a filter keeps, and
its tables written as CSV files, so the view holds no connection and the command shares the view's numbers.

A profile takes seconds at a million followers (see `followers.audience_profile`): callers run `profile` off
the GUI thread (the view through `run_task`). It opens its own connection for the call, from whatever thread
runs it, and closes it after. The snapshot it loads (about half the time) is kept for the next call with the
same account and tiers, so changing the filter costs only the rest; `forget()` drops it after a job wrote
followers.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from twexport_qt.core.clock import Clock
from twexport_qt.exports.safe_csv import write_csv
from twexport_qt.followers.audience_profile import (
    DEFAULT_TOP,
    AudienceProfile,
    AudienceTable,
    audience_profile,
    profile_table,
)
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.paths import check_output_path


class AudienceService:
    def __init__(self, connect: Callable[[], sqlite3.Connection], clock: Clock) -> None:
        """`connect()` opens a new connection for the calling thread (`AppContext.connect`)."""
        self._connect = connect
        self._clock = clock
        self._lock = threading.Lock()  # the kept snapshot: a superseded task may still be running
        self._snapshot: FollowerSnapshot | None = None
        self._generation = 0  # bumped by forget(): a load that started before it is not kept

    def profile(self, owner_id: int, follower_filter: FollowerFilter,
                tiers: Sequence[TierSpec] = DEFAULT_TIERS, top: int = DEFAULT_TOP) -> AudienceProfile:
        """The profile of `owner_id`'s followers that `follower_filter` keeps, ages counted to now."""
        tiers = tuple(tiers)
        with self._lock:
            snapshot, generation = self._snapshot, self._generation
        if snapshot is not None and (snapshot.owner_id != owner_id or snapshot.tiers != tiers):
            snapshot = None
        with closing(self._connect()) as conn:
            if snapshot is None:
                snapshot = FollowerSnapshot.load(conn, owner_id, tiers)
                with self._lock:
                    if generation == self._generation:
                        self._snapshot = snapshot
            return audience_profile(conn, owner_id, follower_filter, int(self._clock.now()), tiers=tiers,
                                    top=top, snapshot=snapshot)

    def forget(self) -> None:
        """Drop the kept snapshot: followers were written (a fetch), or the profile changed."""
        with self._lock:
            self._snapshot = None
            self._generation += 1

    @staticmethod
    def export_table(profile: AudienceProfile, table: AudienceTable, path: Path | str,
                     data_dir: Path | str | None) -> Path:
        """Write `table` of `profile` to `path` as CSV (atomically: a failure leaves no half file) and return
        where; OutputPathRefused for a place inside the data folder."""
        target = check_output_path(path, data_dir)
        cells = profile_table(profile, table)
        write_csv(target, list(cells.header), cells.rows)
        return target
