"""Fetch every follower of the signed-in account into SQLite, resumably.

Each page and the cursor of the next one are committed in one transaction, so cancel, crash or kill -9
resume after the last committed page: no committed page is requested again (only the one in flight at a kill
is). The last page, marking followers it did not see as unfollowed (they left since the previous complete
fetch) and the run's end are one transaction too. A page X answers with only errors is retried and then stops
the run, resumable: it is never taken for the end of the list.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from functools import partial

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.followers.user_mapping import follower_from_api
from twexport_qt.gateway.pacing import ENDPOINT_FOLLOWERS, ENDPOINT_ME, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.store import fetch_runs_repo, followers_repo

log = logging.getLogger(__name__)

FOLLOWERS_KIND = "followers"
PAGE_SIZE = 1000


@dataclass(frozen=True)
class FetchResult:
    owner_id: int
    pages: int            # pages committed by this call
    fetched: int          # followers committed by this call
    total_in_run: int     # followers committed by the whole run (resumed runs included)
    resumed: bool
    unfollowed: int       # marked as left at the end of a complete run


def fetch_followers(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    page_size: int = PAGE_SIZE,
) -> FetchResult:
    me = pacer.call(ENDPOINT_ME, gateway.me)
    owner_id = int(me["id"])
    expected = (me.get("public_metrics") or {}).get("followers_count")
    with conn:
        fetch_runs_repo.upsert_account(conn, me, int(clock.now()))
        run = fetch_runs_repo.resumable(conn, owner_id, FOLLOWERS_KIND)
        resumed = run is not None
        if run is None:
            run = fetch_runs_repo.start(conn, owner_id, FOLLOWERS_KIND, int(clock.now()), expected)
        else:
            fetch_runs_repo.set_total(conn, run, expected)
    log.info("Fetching followers of %s (run %s, %s)", owner_id, run.id, "resumed" if resumed else "new")

    def read_page(cursor: str | None) -> Page:
        return gateway.followers_page(owner_id, cursor, page_size).require_data("a page of your followers")

    started = clock.now()
    pages = fetched = 0
    unfollowed = 0
    try:
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            cursor = run.cursor
            try:
                page = pacer.call(ENDPOINT_FOLLOWERS, partial(read_page, cursor))
            except errors.BadRequestError:
                if cursor is None:
                    raise
                # X's pagination tokens can expire; restart this run from the first page (upserts are idempotent).
                log.warning("Stored follower cursor was refused; restarting from the first page")
                with conn:
                    fetch_runs_repo.advance(conn, run, None, 0)
                continue
            records = [follower_from_api(user) for user in page.data]
            last = not page.next_token
            with conn:  # the page and the cursor after it (for the last page: the run's end too), all or nothing
                followers_repo.upsert_followers(conn, owner_id, records, int(clock.now()))
                fetch_runs_repo.advance(conn, run, page.next_token, len(records))
                if last:
                    # Only a run that read every page knows who is gone; a killed run resumes, never "completes".
                    unfollowed = followers_repo.mark_unfollowed(conn, owner_id, run.started_at, int(clock.now()))
                    fetch_runs_repo.finish(conn, run, "done", int(clock.now()))
            pages += 1
            fetched += len(records)
            if progress is not None:
                progress(_progress(run.items, expected, fetched, clock.now() - started))
            if last:
                break
    except errors.Cancelled:
        with conn:
            fetch_runs_repo.finish(conn, run, "cancelled", int(clock.now()))
        raise
    except errors.TwExportError as exc:
        with conn:
            fetch_runs_repo.finish(conn, run, "failed", int(clock.now()), exc.user_message)
        raise
    return FetchResult(owner_id, pages, fetched, run.items, resumed, unfollowed or 0)


def _progress(done: int, total: int | None, fetched_now: int, elapsed: float) -> Progress:
    eta = None
    if total and fetched_now and elapsed > 0 and done < total:
        eta = (total - done) / (fetched_now / elapsed)
    shown_total = max(total, done) if total else None
    return Progress(done, shown_total, f"{done:,} followers fetched", eta)
