"""The resumable run of a paged follows read (followers, following): resume or start, read the page after the run's
cursor, and record a run a cancel or a failure stopped. One implementation, so both fetches keep the same
guarantees: no committed page is requested again, a refused cursor restarts from the first page."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import Page
from twexport_qt.store import fetch_runs_repo

log = logging.getLogger(__name__)


def resume_or_start(conn: sqlite3.Connection, owner_id: int, kind: str, now: int,
                    total_expected: int | None) -> tuple[fetch_runs_repo.FetchRun, bool]:
    """The run of `kind` that stopped before its last page, to resume (True), or a new one (False)."""
    run = fetch_runs_repo.resumable(conn, owner_id, kind)
    if run is None:
        return fetch_runs_repo.start(conn, owner_id, kind, now, total_expected), False
    fetch_runs_repo.set_total(conn, run, total_expected)
    return run, True


def next_page(conn: sqlite3.Connection, run: fetch_runs_repo.FetchRun, pacer: Pacer, endpoint: str,
              read_page: Callable[[str | None], Page], cancel: CancelToken | None, what: str) -> Page | None:
    """The page after the run's cursor, or None when X refused a stored cursor and the run went back to the first
    page. X's pagination tokens can expire; starting again is safe: upserts are idempotent, and the run's count
    starts again with the pages read again (it is stored with the next page)."""
    if cancel is not None:
        cancel.raise_if_cancelled()
    cursor = run.cursor
    try:
        return pacer.call(endpoint, partial(read_page, cursor))
    except errors.BadRequestError:
        if cursor is None:
            raise
        log.warning("Stored %s cursor was refused; restarting from the first page", what)
        with conn:
            fetch_runs_repo.advance(conn, run, None, 0)
        run.items = 0
        return None


@contextmanager
def recorded_if_stopped(conn: sqlite3.Connection, run: fetch_runs_repo.FetchRun, clock: Clock) -> Iterator[None]:
    """A run that a cancel or a failure stops is recorded as such, resumable, before the error goes on."""
    try:
        yield
    except errors.Cancelled:
        with conn:
            fetch_runs_repo.finish(conn, run, "cancelled", int(clock.now()))
        raise
    except errors.TwExportError as exc:
        with conn:
            fetch_runs_repo.finish(conn, run, "failed", int(clock.now()), exc.user_message)
        raise
