"""Fetch the followers of the signed-in account into SQLite, resumably: all of them, or only the new ones.

Each page and the cursor of the next one are committed in one transaction, so cancel, crash or kill -9
resume after the last committed page: no committed page is requested again (only the one in flight at a kill
is). The last page, marking followers it did not see as unfollowed (they left since the previous complete
fetch), the history's snapshot (store/history_repo.py) and the run's end are one transaction too. "Did not
see" goes by run, not by second: each follower row keeps the newest fetch run when it was stored (`seen_run`),
and those stored before this run started are the ones it did not see, even when the fetch before it ended in
the same second. A page X answers with only errors is retried and then stops the run, resumable: it is never
taken for the end of the list.

A new-followers-only refresh (`new_only`) costs about the new followers instead of all of them: X lists
followers newest first, so it reads from the top and stops after the first page made only of followers already
stored. It cannot see who left, so it marks nobody as unfollowed, and it keeps runs of its own kind: a full run
it interrupts is resumed later untouched, and a later full refresh still finds the leavers (they keep a
`seen_run` older than its start, while the new followers the refresh stores get one at least as new). It is
resumable too, which matters: after a cancel its first pages are known, so starting again from the top would
stop there and never reach the older new followers below them.

Both tell `on_page_stored` after each committed page (`PageStored`), so a view can show the followers stored
so far while the fetch goes on (about an hour per 60,000 followers at X's limits).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from twexport_qt.billing.estimates import NEW_FOLLOWERS_CHECK_PAGE
from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.followers.paged_runs import next_page, recorded_if_stopped, resume_or_start
from twexport_qt.followers.user_mapping import follower_from_api
from twexport_qt.gateway.pacing import ENDPOINT_FOLLOWERS, ENDPOINT_ME, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.store import fetch_runs_repo, followers_repo, history_repo

log = logging.getLogger(__name__)

FOLLOWERS_KIND = "followers"           # fetch_runs.kind of a full fetch (the stats read only these runs)
NEW_FOLLOWERS_KIND = "new_followers"   # fetch_runs.kind of a new-followers-only refresh
PAGE_SIZE = 1000


class NoFollowersStored(errors.TwExportError):
    """A new-followers-only refresh without a stored list to compare with: nothing was read."""


@dataclass(frozen=True)
class PageStored:
    """A page of followers was committed: views may show the followers stored so far."""

    owner_id: int
    followers: int  # on this page
    pages: int  # committed by this call so far


PageStoredCallback = Callable[[PageStored], None]


@dataclass(frozen=True)
class FetchResult:
    owner_id: int
    pages: int            # pages committed by this call
    fetched: int          # followers committed by this call
    total_in_run: int     # followers committed by the whole run (resumed runs included)
    resumed: bool
    unfollowed: int       # marked as left at the end of a complete run (never by a new-followers-only refresh)
    new_followers: int = 0  # followers on this call's pages that were not stored as current followers
    new_only: bool = False  # a new-followers-only refresh: `total_in_run` counts the followers its run read


def fetch_followers(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    page_size: int = PAGE_SIZE,
    new_only: bool = False,
    on_page_stored: PageStoredCallback | None = None,
) -> FetchResult:
    """Fetch (or resume fetching) every follower; with `new_only`, only those who came since the last fetch.

    A new-followers-only refresh raises NoFollowersStored when no follower of the account is stored yet.
    `on_page_stored` hears of each page once it is committed (in the calling thread).
    """
    me = pacer.call(ENDPOINT_ME, gateway.me)
    if new_only:
        return _fetch_new_followers(conn, gateway, pacer, clock, me, progress=progress, cancel=cancel,
                                    page_size=page_size, on_page_stored=on_page_stored)
    owner_id = int(me["id"])
    expected = (me.get("public_metrics") or {}).get("followers_count")
    with conn:
        fetch_runs_repo.upsert_account(conn, me, int(clock.now()))
        run, resumed = resume_or_start(conn, owner_id, FOLLOWERS_KIND, int(clock.now()), expected)
    log.info("Fetching followers of %s (run %s, %s)", owner_id, run.id, "resumed" if resumed else "new")

    def read_page(cursor: str | None) -> Page:
        return gateway.followers_page(owner_id, cursor, page_size).require_data("a page of your followers")

    started = clock.now()
    pages = fetched = new_followers = 0
    unfollowed = 0
    with recorded_if_stopped(conn, run, clock):
        while True:
            page = next_page(conn, run, pacer, ENDPOINT_FOLLOWERS, read_page, cancel, "follower")
            if page is None:
                continue
            records = [follower_from_api(user) for user in page.data]
            last = not page.next_token
            with conn:  # the page and the cursor after it (for the last page: the run's end too), all or nothing
                known = followers_repo.current_ids_among(conn, owner_id, (record.user_id for record in records))
                new_on_page = len(records) - len(known)
                followers_repo.upsert_followers(conn, owner_id, records, int(clock.now()))
                fetch_runs_repo.advance(conn, run, page.next_token, len(records))
                if last:
                    # Only a run that read every page knows who is gone; a killed run resumes, never "completes".
                    unfollowed = followers_repo.mark_unfollowed(conn, owner_id, run.started_at, int(clock.now()),
                                                                run_id=run.id)
                    fetch_runs_repo.finish(conn, run, "done", int(clock.now()))
                    # The history's snapshot: only a complete full fetch knows the whole membership.
                    history_repo.record_snapshot(conn, owner_id, run.id, run.started_at, int(clock.now()))
            pages += 1
            fetched += len(records)
            new_followers += new_on_page
            if progress is not None:
                progress(_progress(run.items, expected, fetched, clock.now() - started))
            if on_page_stored is not None:
                on_page_stored(PageStored(owner_id, len(records), pages))
            if last:
                break
    return FetchResult(owner_id, pages, fetched, run.items, resumed, unfollowed or 0, new_followers)


def known_follower_count(conn: sqlite3.Connection, owner_id: int) -> int:
    """How many of the account's followers the store knows, as a new-followers refresh compares them.

    The current followers stored; while a full fetch is still to be resumed, the followers it expected (those
    below its cursor are known to exist, just not stored yet), so `followers_count - this` counts new ones.
    """
    stored = followers_repo.current_count(conn, owner_id)
    unfinished = fetch_runs_repo.resumable(conn, owner_id, FOLLOWERS_KIND)
    if unfinished is not None and unfinished.total_expected:
        return max(stored, unfinished.total_expected)
    return stored


def new_followers_page_size(still_expected: int, page_size: int = PAGE_SIZE) -> int:
    """The next page of a new-followers refresh: the new followers still expected (X's newest first), or,
    once none are, a check page of known followers; never more than `page_size`.

    Asking for exactly the expected new followers means the page after them is a small check page, not a
    full page of known followers, each billed."""
    wanted = still_expected if still_expected > 0 else NEW_FOLLOWERS_CHECK_PAGE
    return max(1, min(page_size, wanted))


def _fetch_new_followers(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    me: dict,
    *,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    page_size: int,
    on_page_stored: PageStoredCallback | None,
) -> FetchResult:
    owner_id = int(me["id"])
    followers_count = int((me.get("public_metrics") or {}).get("followers_count") or 0)
    with conn:
        fetch_runs_repo.upsert_account(conn, me, int(clock.now()))
        if followers_repo.current_count(conn, owner_id) == 0:
            raise NoFollowersStored("No followers of this account are stored yet: fetch them all first (a "
                                    "new-followers-only refresh compares with the stored list). Nothing was read.")
        # Computed before this run stores anything: new followers a resumed run stored are known now.
        still_expected = max(0, followers_count - known_follower_count(conn, owner_id))
        run, resumed = resume_or_start(conn, owner_id, NEW_FOLLOWERS_KIND, int(clock.now()), followers_count)
    log.info("Fetching new followers of %s (run %s, %s, %s expected)", owner_id, run.id,
             "resumed" if resumed else "new", still_expected)

    def read_page(cursor: str | None, size: int) -> Page:
        return gateway.followers_page(owner_id, cursor, size).require_data("a page of your followers")

    pages = fetched = new_followers = 0
    with recorded_if_stopped(conn, run, clock):
        while True:
            size = new_followers_page_size(still_expected - new_followers, page_size)
            page = next_page(conn, run, pacer, ENDPOINT_FOLLOWERS, partial(read_page, size=size), cancel,
                             "new-followers")
            if page is None:
                continue
            records = [follower_from_api(user) for user in page.data]
            with conn:  # the page, its cursor and (at the stop) the run's end: all or nothing
                known = followers_repo.current_ids_among(conn, owner_id, (record.user_id for record in records))
                new_on_page = len(records) - len(known)
                # Stop after a page of known followers only: below it X lists older followers, known already.
                last = new_on_page == 0 or not page.next_token
                followers_repo.upsert_followers(conn, owner_id, records, int(clock.now()))
                fetch_runs_repo.advance(conn, run, None if last else page.next_token, len(records))
                if last:
                    fetch_runs_repo.finish(conn, run, "done", int(clock.now()))
            pages += 1
            fetched += len(records)
            new_followers += new_on_page
            if progress is not None:
                progress(Progress(new_followers, None, f"{new_followers:,} new followers found "
                                                       f"({fetched:,} followers read)"))
            if on_page_stored is not None:
                on_page_stored(PageStored(owner_id, len(records), pages))
            if last:
                break
    return FetchResult(owner_id, pages, fetched, run.items, resumed, 0, new_followers, new_only=True)




def _progress(done: int, total: int | None, fetched_now: int, elapsed: float) -> Progress:
    eta = None
    if total and fetched_now and elapsed > 0 and done < total:
        eta = (total - done) / (fetched_now / elapsed)
    shown_total = max(total, done) if total else None
    return Progress(done, shown_total, f"{done:,} followers fetched", eta)
