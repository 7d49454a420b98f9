"""Fetch every account the signed-in user follows into SQLite, with the followers fetch's guarantees.

X lists the accounts you follow newest first, up to 1,000 a page, at 15 requests per 15 minutes
(`GET /2/users/:id/following`). Each page and the cursor of the next one are committed in one transaction, so
cancel, crash or kill -9 resume after the last committed page and no committed page is requested again. A stored
cursor X refuses (they expire) restarts the run from the first page: upserts are idempotent. Only the last page
of a run knows who is no longer followed: those no page of the run listed are removed in the transaction that
ends it, never by a run that stopped before. `on_page_stored` hears of each committed page (`PageStored`).

The price is told before the fetch like the followers fetch's: `billing.estimates.estimate_following_fetch`, from
the account's `public_metrics.following_count` (Owned Reads where X applies them, XAPI_FACTS §4.2).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.followers.fetch import PageStored, PageStoredCallback
from twexport_qt.followers.paged_runs import next_page, recorded_if_stopped, resume_or_start
from twexport_qt.followers.relationships import FOLLOWING_KIND
from twexport_qt.followers.user_mapping import follower_from_api
from twexport_qt.gateway.endpoints import ENDPOINT_FOLLOWING, ENDPOINT_ME
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.store import fetch_runs_repo, following_repo

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # X's most per page


@dataclass(frozen=True)
class FollowingFetchResult:
    owner_id: int
    pages: int              # pages committed by this call
    fetched: int            # accounts committed by this call
    total_in_run: int       # accounts committed by the whole run (resumed runs included)
    resumed: bool
    removed: int            # no longer followed, removed at the end of the complete run


def following_count_of(me: dict) -> int:
    """How many accounts the signed-in account follows, as `/2/users/me` says."""
    return int((me.get("public_metrics") or {}).get("following_count") or 0)


def resumed_items(conn: sqlite3.Connection, owner_id: int) -> int:
    """Accounts an unfinished following fetch already committed (not read again when it resumes)."""
    run = fetch_runs_repo.resumable(conn, owner_id, FOLLOWING_KIND)
    return run.items if run is not None else 0


def fetch_following(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    page_size: int = PAGE_SIZE,
    on_page_stored: PageStoredCallback | None = None,
) -> FollowingFetchResult:
    """Fetch (or resume fetching) every account the signed-in user follows."""
    me = pacer.call(ENDPOINT_ME, gateway.me)
    owner_id = int(me["id"])
    expected = following_count_of(me)
    with conn:
        fetch_runs_repo.upsert_account(conn, me, int(clock.now()))
        run, resumed = resume_or_start(conn, owner_id, FOLLOWING_KIND, int(clock.now()), expected)
    log.info("Fetching accounts followed by %s (run %s, %s)", owner_id, run.id, "resumed" if resumed else "new")

    def read_page(cursor: str | None) -> Page:
        return gateway.following_page(owner_id, cursor, page_size).require_data("a page of the accounts you follow")

    pages = fetched = removed = 0
    with recorded_if_stopped(conn, run, clock):
        while True:
            page = next_page(conn, run, pacer, ENDPOINT_FOLLOWING, read_page, cancel, "following")
            if page is None:
                continue
            records = [follower_from_api(user) for user in page.data]
            last = not page.next_token
            with conn:  # the page and the cursor after it (the last page: the run's end too), all or nothing
                following_repo.upsert_following(conn, owner_id, records, run.items, int(clock.now()), run.id)
                fetch_runs_repo.advance(conn, run, page.next_token, len(records))
                if last:
                    # Only a run that read every page knows who is no longer followed.
                    removed = following_repo.remove_not_listed(conn, owner_id, run.id)
                    fetch_runs_repo.finish(conn, run, "done", int(clock.now()))
            pages += 1
            fetched += len(records)
            if progress is not None:
                total = max(expected, run.items) if expected else None
                progress(Progress(run.items, total, f"{run.items:,} followed accounts fetched"))
            if on_page_stored is not None:
                on_page_stored(PageStored(owner_id, len(records), pages))
            if last:
                break
    return FollowingFetchResult(owner_id, pages, fetched, run.items, resumed, removed)


