"""What the Followers tab reads: table cells in blocks, a follower's row for tooltips, and the view's pieces
(snapshot, masks, orders) either inline or through a background query runner.

Views hold no connection: quick reads (a block of rows by rowid, one follower, a bounded count) run on the
calling thread's own connection (`ThreadConnections`), and the slow ones go to a `FollowersQueryRunner`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twexport_qt.core.clock import Clock
from twexport_qt.followers.fetch import FOLLOWERS_KIND
from twexport_qt.followers.records import RECORD_COLUMNS, FollowerRecord
from twexport_qt.followers.snapshot import count_up_to
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.followers.view_planner import QueryRequest, QueryResult, compute_pieces
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.followers_queries import Deliver, FollowersQueryRunner
from twexport_qt.store import fetch_runs_repo, followers_repo

# Where the parts of a `followers_repo.ROW_COLUMNS` row are.
_RECORD_START = followers_repo.ROW_COLUMNS.index(RECORD_COLUMNS[0])
_RECORD_STOP = _RECORD_START + len(RECORD_COLUMNS)
_TIER = followers_repo.ROW_COLUMNS.index("tier")
_DM_STATUS = followers_repo.ROW_COLUMNS.index("dm_status")
_ROW_FIELDS = frozenset({"rowid", "tier", "dm_status"})


@dataclass(frozen=True, slots=True)
class FollowerRow:
    """One follower as the table and the tooltips show it."""

    rowid: int
    record: FollowerRecord
    tier: int  # index into the account's tiers
    dm_status: str | None  # latest live DM as "step:state" ("first:sent"), None if never messaged

    def value(self, field: str) -> object:
        """A column by name: a `FollowerRecord` field, or rowid, tier, dm_status."""
        return getattr(self, field) if field in _ROW_FIELDS else getattr(self.record, field)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> FollowerRow:
        """From a `followers_repo.ROW_COLUMNS` tuple."""
        return cls(rowid=int(row[0]), record=FollowerRecord.from_row(row[_RECORD_START:_RECORD_STOP]),
                   tier=int(row[_TIER]), dm_status=row[_DM_STATUS])


class FollowersService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def rows_by_rowid(self, rowids: Sequence[int] | np.ndarray,
                      tiers: Sequence[TierSpec] = DEFAULT_TIERS) -> list[FollowerRow]:
        """Rows for `rowids` in the order asked, those deleted meanwhile left out. One indexed query per 900
        rowids: a table block of 256 takes a few milliseconds at a million followers."""
        rows = followers_repo.rows_by_rowid(self._db.get(), rowids, tiers=tiers)
        return [FollowerRow.from_row(row) for row in rows]

    def follower_row(self, owner_id: int, user_id: int,
                     tiers: Sequence[TierSpec] = DEFAULT_TIERS) -> FollowerRow | None:
        """Follower `user_id` of `owner_id` (a plot's tooltip), or None if not stored."""
        conn = self._db.get()
        rowid = followers_repo.rowid_of_follower(conn, owner_id, user_id)
        rows = followers_repo.rows_by_rowid(conn, [rowid], tiers=tiers) if rowid is not None else []
        return FollowerRow.from_row(rows[0]) if rows else None

    def count_up_to(self, owner_id: int, limit: int) -> int:
        """min(followers of `owner_id`, `limit`), at a cost bounded by `limit`."""
        return count_up_to(self._db.get(), owner_id, limit)

    def last_known_count(self, owner_id: int | None) -> int | None:
        """How many followers `owner_id` had at the last fetch (X's count when it started, else what it read);
        None before the first fetch. One read of the tiny fetch-runs table: no scan of the followers."""
        if owner_id is None:
            return None
        conn = self._db.get()
        run = fetch_runs_repo.latest(conn, owner_id, FOLLOWERS_KIND)
        if run is not None and run.total_expected is not None:
            return run.total_expected
        finished = fetch_runs_repo.last_finished(conn, owner_id, FOLLOWERS_KIND)
        return finished.items if finished is not None else None

    def compute_pieces(self, request: QueryRequest) -> QueryResult:
        """`request` computed in the calling thread (small accounts; see `view_planner.INLINE_ROW_LIMIT`)."""
        return compute_pieces(request, self._db.get())

    def query_runner(self, deliver: Deliver) -> FollowersQueryRunner:
        """A runner computing requests in its own thread and calling `deliver(result)` there."""
        # The query thread ends when idle: its connection goes with it, not at app exit.
        return FollowersQueryRunner(self._db.get, deliver, disconnect=lambda _conn: self._db.release())
