"""Following and mutuals for views and commands (`context.following`): the relationship counts, the four lists as
records, their exports, and the job that fetches whom the account follows; no connection or SQL of their own.

Reads run on the calling thread's connection (`ThreadConnections`); at a few thousand followed accounts a count
or a list takes milliseconds, and views still call them through `run_task` (the followers side can be a million).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.billing.estimates import CostEstimate, estimate_following_fetch
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.exports.exporters import ExportKind
from twexport_qt.exports.exporters import export as write_export
from twexport_qt.exports.formats import TableOptions
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.following_fetch import (
    PAGE_SIZE,
    FollowingFetchResult,
    fetch_following,
    following_count_of,
    resumed_items,
)
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.relationships import FOLLOWING_KIND, Relationship, RelationshipKind, require_following
from twexport_qt.followers.tiers import TierSpec
from twexport_qt.gateway.endpoints import ENDPOINT_ME
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.jobs import Job, JobContext, JobName, api_job
from twexport_qt.store import fetch_runs_repo, followers_repo, following_repo
from twexport_qt.store.job_locks import JobKind

if TYPE_CHECKING:  # the context builds the services: importing it at run time would be circular
    from twexport_qt.app_context import ApiSession, AppContext


@dataclass(frozen=True)
class RelationshipCounts:
    """The four lists' sizes (and the followers), as the last fetches stored them."""

    following: int
    followers: int
    mutuals: int
    not_following_back: int
    fans: int
    following_fetched_at: int | None  # when the last complete following fetch ended (None: none has)
    complete: bool                    # a following fetch has completed and none is half-done since


class FollowingService:
    def __init__(self, context: AppContext, db: ThreadConnections, clock: Clock) -> None:
        self._context = context
        self._db = db
        self._clock = clock

    def counts(self, owner_id: int | None = None) -> RelationshipCounts | None:
        """The counts for `owner_id` (default: the profile's account); None before any following fetch."""
        owner_id = owner_id if owner_id is not None else self._context.known_owner_id()
        if owner_id is None:
            return None
        conn = self._db.get()
        latest = fetch_runs_repo.latest(conn, owner_id, FOLLOWING_KIND)
        if latest is None:
            return None
        finished = fetch_runs_repo.last_finished(conn, owner_id, FOLLOWING_KIND)
        totals = following_repo.totals(conn, owner_id)
        return RelationshipCounts(
            following=totals.following, followers=totals.followers, mutuals=totals.mutuals,
            not_following_back=totals.not_following_back, fans=totals.fans,
            following_fetched_at=finished.finished_at if finished is not None else None,
            complete=finished is not None and latest.state == "done")

    def rows(self, kind: RelationshipKind, filt: FollowerFilter | None = None, limit: int | None = None, *,
             owner_id: int | None = None) -> list[FollowerRecord]:
        """The accounts of list `kind` that pass `filt` (its relationship choice aside), most followed first.

        Raises FollowingNotFetched ("Fetch who you follow first …") before a complete following fetch.
        """
        owner_id = owner_id if owner_id is not None else self._context.known_owner_id()
        if owner_id is None:
            return []
        conn = self._db.get()
        require_following(conn, owner_id)
        tiers = self._tiers()
        now = self._clock.now()
        if kind in (RelationshipKind.FOLLOWING, RelationshipKind.NOT_FOLLOWING_BACK):
            found = list(following_repo.records(following_repo.iter_following(
                conn, owner_id, filt, not_following_back=kind == RelationshipKind.NOT_FOLLOWING_BACK, tiers=tiers,
                now=now)))  # a few thousand at most: sorted here
            found.sort(key=lambda record: (-record.followers_count, record.user_id))
            return found if limit is None else found[:limit]
        # Followers can be a million: SQLite orders them (the followers-count index), only `limit` rows are built.
        relationship: Relationship = "mutuals" if kind == RelationshipKind.MUTUALS else "fans"
        chosen = replace(filt or FollowerFilter(), relationship=relationship)
        rowids = followers_repo.ids_sorted(conn, owner_id, chosen, "followers_count", True, tiers=tiers, now=now)
        rows = followers_repo.rows_by_rowid(conn, rowids if limit is None else rowids[:limit], tiers=tiers)
        return [FollowerRecord.from_row(row[_RECORD_START:_RECORD_STOP]) for row in rows]

    def fetch_estimate(self) -> CostEstimate:
        """The price of fetching (or resuming) every account followed, from the account's `public_metrics`, as
        `following fetch` prints it before it asks. One look-up of the signed-in account ($0.01, billed under the
        fetch's name; the fetch's own look-up of it is then de-duplicated by X the same UTC day): views call it
        through `run_task`, never in the GUI thread."""
        with self._context.api_session(job=JobName.FETCH_FOLLOWING) as api:
            me = api.pacer.call(ENDPOINT_ME, api.gateway.me)
            return estimate_following_fetch(following_count_of(me), self._context.prices,
                                            owned_possible=api.gateway.has_user_context,
                                            already_fetched=resumed_items(api.conn, int(me["id"])))

    def fetch_job(self, *, page_size: int = PAGE_SIZE, max_cost: Decimal | None = None) -> Job:
        """The job fetching (or resuming) every account followed; returns a `FollowingFetchResult`. It shares the
        followers fetch's lock: both read X's follows endpoints for the one account, one at a time. Each page
        committed is told to `JobContext.stored` as a `PageStored`; `max_cost` (dollars) pauses it resumably."""
        context = self._context
        profile_name = context.profile.name  # the job's profile, even if the user switches before it ends

        def body(api: ApiSession, ctx: JobContext) -> FollowingFetchResult:
            result = fetch_following(api.conn, api.gateway, api.pacer, context.clock, progress=ctx.progress,
                                     cancel=ctx.cancel, on_page_stored=ctx.stored, page_size=page_size)
            context.remember_owner(result.owner_id, profile_name)
            return result

        return api_job(context, body, lock=JobKind.FOLLOWERS_FETCH, name=JobName.FETCH_FOLLOWING, max_cost=max_cost)

    def export(self, kind: RelationshipKind, path: Path, options: TableOptions | None = None,
               filt: FollowerFilter | None = None, *, cancel: CancelToken | None = None) -> int:
        """Write list `kind` (filtered by `filt`) to `path` as `options` say, with its data dictionary; returns
        the rows written. The same export as `export KIND` and File → Export."""
        conn = self._db.get()
        return write_export(conn, self._context.known_owner_id(), ExportKind(kind.value), path, tiers=self._tiers(),
                            follower_filter=filt, cancel=cancel, data_dir=self._context.data_dir,
                            now=int(self._clock.now()), options=options)

    def _tiers(self) -> tuple[TierSpec, ...]:
        return domain_tiers(self._context.profile)


_RECORD_START = 1  # followers_repo.ROW_COLUMNS: rowid, *RECORD_COLUMNS, tier, dm_status
_RECORD_STOP = len(followers_repo.ROW_COLUMNS) - 2
