"""Runs the Followers view's slow reads (snapshot load, bio/location/DM masks, search, text sorts) in a thread.

At a million followers a snapshot load takes seconds and a bio-words or search query hundreds of milliseconds;
in the GUI thread that froze the window. `FollowersQueryRunner.submit` hands a `QueryRequest` to a background
thread with its own SQLite connection, and `deliver(result)` is called *in that thread* with the answer: the
Qt side only forwards it to the GUI thread. Plain `threading`, no Qt, so it is tested headless.

Latest request wins: there is one pending slot, so a fast typist replaces the waiting request instead of
queueing twenty, and a running SQL query whose result the new request does not need is interrupted
(`sqlite3.Connection.interrupt` is the one call SQLite allows from another thread). Snapshot loads are never
interrupted: every later request needs that snapshot too, and a loaded one is reused for its generation.
Right after delivering a snapshot it loaded, the thread prepares its text index (`prepare_text`), so the
first search or text sort is fast and the first view is not held back by it.

The thread lives only while there is work and then ends, so an idle view holds no thread and no connection.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.view_planner import Piece, QueryRequest, QueryResult, compute_pieces

log = logging.getLogger(__name__)

Deliver = Callable[[QueryResult], None]


@dataclass(frozen=True)
class _LoadedSnapshot:
    generation: int
    owner_id: int
    snapshot: FollowerSnapshot


class FollowersQueryRunner:
    """`submit` requests from any thread; `deliver(QueryResult)` is called in the query thread.

    `connect` opens a connection for the query thread and `disconnect` closes it when the thread ends.
    Call `shutdown` before the database goes away (the view's owner does it at exit).
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        deliver: Deliver,
        *,
        disconnect: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self._connect = connect
        self._disconnect = disconnect or _close
        self._deliver = deliver
        self._ids = itertools.count(1)
        # Everything below is shared by the submitting thread and the query thread: read and written under it.
        self._lock = threading.Lock()
        self._pending: QueryRequest | None = None
        self._thread: threading.Thread | None = None  # the thread draining the mailbox, while there is one
        self._conn: sqlite3.Connection | None = None  # the running thread's, for interrupt()
        self._piece: Piece | None = None  # what the running request computes now; None: not interruptible
        self._loaded: _LoadedSnapshot | None = None
        self._closed = False

    def submit(self, request: QueryRequest) -> QueryRequest:
        """Queue `request`, replacing any waiting one; returns it with its request id set."""
        request = replace(request, request_id=next(self._ids))
        with self._lock:
            if self._closed:
                return request
            self._pending = request
            if self._conn is not None and self._piece is not None and self._piece not in request.pieces():
                self._conn.interrupt()  # the running query answers a question nobody asks any more
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="followers-query", daemon=True)
                self._thread.start()
        return request

    @property
    def is_running(self) -> bool:
        """A query thread exists (it ends by itself once no request waits)."""
        with self._lock:
            return self._thread is not None

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Drop waiting work, interrupt running SQL and wait for the thread (safe to call twice)."""
        with self._lock:
            self._closed = True
            self._pending = None
            thread = self._thread
            if self._conn is not None:
                self._conn.interrupt()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    # -- the query thread --------------------------------------------------------------------------

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect()
            with self._lock:
                self._conn = conn
            while (request := self._take()) is not None:
                result = compute_pieces(request, conn, loaded=self._loaded_for(request), on_piece=self._set_piece)
                if result.loaded_snapshot:
                    assert result.snapshot is not None
                    with self._lock:
                        self._loaded = _LoadedSnapshot(request.generation, request.owner_id, result.snapshot)
                self._hand_over(result)
                if result.loaded_snapshot and result.snapshot is not None:
                    self._prepare_text(result.snapshot, request.generation, conn)
        except Exception:  # e.g. the database could not be opened: the view must hear of it, not wait forever
            log.exception("The followers query thread stopped")
            with self._lock:
                request, self._pending, self._thread = self._pending, None, None
            if request is not None:
                self._hand_over(QueryResult(request, error="The followers database could not be opened."))
        finally:
            with self._lock:
                self._conn = None
                self._piece = None
            if conn is not None:
                self._disconnect(conn)

    def _take(self) -> QueryRequest | None:
        with self._lock:
            request, self._pending = self._pending, None
            if request is None or self._closed:
                self._thread = None  # under the lock: submit() starts a new thread from here on
                return None
            return request

    def _set_piece(self, piece: Piece | None) -> None:
        with self._lock:
            self._piece = piece

    def _loaded_for(self, request: QueryRequest) -> FollowerSnapshot | None:
        with self._lock:
            loaded = self._loaded
        if loaded is not None and (loaded.generation, loaded.owner_id) == (request.generation, request.owner_id):
            return loaded.snapshot
        return None

    def _prepare_text(self, snapshot: FollowerSnapshot, generation: int, conn: sqlite3.Connection) -> None:
        """Build the snapshot's text index now, unless a request for newer data already waits (it will load
        and prepare its own snapshot). Not interruptible by new requests: they all need it."""
        with self._lock:
            stale = self._closed or (self._pending is not None and self._pending.generation != generation)
        if stale:
            return
        try:
            snapshot.prepare_text(conn)
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):  # shutdown interrupts it; anything else is worth a log line
                log.warning("Preparing the followers text index failed", exc_info=True)
        except Exception:  # a later search builds what it needs itself; the thread must go on serving
            log.warning("Preparing the followers text index failed", exc_info=True)

    def _hand_over(self, result: QueryResult) -> None:
        try:
            self._deliver(result)
        except Exception:  # e.g. the receiving view was deleted meanwhile: the thread must go on serving
            log.warning("A followers query result could not be delivered", exc_info=True)


def _close(conn: sqlite3.Connection) -> None:
    conn.close()
