"""Run the Followers tab's slow reads (snapshot load, bio/location/DM masks, search, text sorts) off the GUI thread.

At a million followers a snapshot load takes a second or more and a bio-words or search query several hundred
milliseconds; in the GUI thread that froze the window. `FollowersQueryService.submit` hands a `QueryRequest`
to a background thread with its own sqlite3 connection (connections are per thread) and the answer comes back
as `resultReady`, a queued signal, in the GUI thread.

Latest request wins: there is one pending slot, so a fast typist replaces the waiting request instead of
queueing twenty, and a running SQL query whose result the new request does not need is interrupted
(`sqlite3.Connection.interrupt` is the one call SQLite allows from another thread). Snapshot loads are never
interrupted: every later request needs that snapshot too, and a loaded one is reused for its generation.

The thread lives only while there is work and then ends, so an idle tab holds no thread and no connection.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from twexport_qt.followers.snapshot import FollowerSnapshot, SqlCriteria
from twexport_qt.followers.tiers import TierSpec

log = logging.getLogger(__name__)

_generations = itertools.count(1)


def new_generation() -> int:
    """A process-wide unique data version: results for any older one are stale."""
    return next(_generations)


@dataclass(frozen=True)
class QueryRequest:
    """What one view is missing. `snapshot` None means: load the followers of `owner_id` first."""

    generation: int
    owner_id: int
    tiers: tuple[TierSpec, ...]
    snapshot: FollowerSnapshot | None = None
    criteria: SqlCriteria | None = None
    search: str = ""
    sort_key: str | None = None
    request_id: int = 0  # set by the service

    def pieces(self) -> set[tuple[str, object]]:
        wanted: set[tuple[str, object]] = set()
        if self.criteria is not None:
            wanted.add(("criteria", self.criteria))
        if self.search:
            wanted.add(("search", self.search))
        if self.sort_key is not None:
            wanted.add(("sort", self.sort_key))
        return wanted


@dataclass
class QueryResult:
    """The pieces computed for `request` on `snapshot` (which may be newly loaded)."""

    request: QueryRequest
    snapshot: FollowerSnapshot | None = None
    sql_masks: dict[SqlCriteria, np.ndarray] = field(default_factory=dict)
    search_masks: dict[str, np.ndarray] = field(default_factory=dict)
    orders: dict[str, np.ndarray] = field(default_factory=dict)
    interrupted: bool = False  # superseded by a newer request before every piece was done
    error: str | None = None  # a sentence for the user; the traceback went to the log


class _Progress:
    """Which piece the running request is computing, for the interrupt decision (None: not interruptible)."""

    def __init__(self) -> None:
        self.piece: tuple[str, object] | None = None


def run_query(
    request: QueryRequest,
    conn: sqlite3.Connection,
    *,
    loaded: FollowerSnapshot | None = None,
    progress: _Progress | None = None,
) -> QueryResult:
    """Compute `request` with `conn` (on the connection's own thread). Never raises."""
    result = QueryResult(request)
    progress = progress or _Progress()
    try:
        snapshot = request.snapshot or loaded
        if snapshot is None:
            snapshot = FollowerSnapshot.load(conn, request.owner_id, request.tiers, with_summary=True)
        result.snapshot = snapshot
        if request.criteria is not None:
            progress.piece = ("criteria", request.criteria)
            result.sql_masks[request.criteria] = snapshot.sql_mask(request.criteria, conn)
        if request.search:
            progress.piece = ("search", request.search)
            result.search_masks[request.search] = snapshot.search_mask(request.search, conn)
        if request.sort_key is not None:
            progress.piece = ("sort", request.sort_key)
            result.orders[request.sort_key] = snapshot.ascending_order(request.sort_key, conn)
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            _fail(result, exc)
        result.interrupted = True
    except Exception as exc:  # noqa: BLE001 - reported to the view; a query thread must never die silently
        _fail(result, exc)
    finally:
        progress.piece = None
    return result


def _fail(result: QueryResult, exc: Exception) -> None:
    log.error("Followers query failed", exc_info=exc)
    result.error = (f"Reading followers from the database failed ({type(exc).__name__}: {exc}). "
                    "Try View → Refresh; details are in the log file.")


class _Mailbox:
    """The single pending request plus what the GUI and the query thread share, all behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: QueryRequest | None = None
        self.running = False  # a thread is draining the mailbox
        self.conn: sqlite3.Connection | None = None  # the running thread's, for interrupt()
        self.progress = _Progress()
        self.loaded: tuple[tuple[int, int], FollowerSnapshot] | None = None  # (generation, owner) -> snapshot
        self.closed = False


class _QueryThread(QThread):
    """Drains the mailbox, newest request only, then ends (opening and closing its own connection)."""

    resultReady = Signal(object)  # QueryResult; queued to the GUI thread, where the service lives

    def __init__(self, mailbox: _Mailbox, connect: Callable[[], sqlite3.Connection], parent: QObject | None) -> None:
        super().__init__(parent)
        self.setObjectName("followers-query")
        self._mailbox = mailbox
        self._connect = connect

    def run(self) -> None:
        mailbox = self._mailbox
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect()
            with mailbox.lock:
                mailbox.conn = conn
            while (request := self._take()) is not None:
                loaded = self._loaded_for(request)
                result = run_query(request, conn, loaded=loaded, progress=mailbox.progress)
                if result.snapshot is not None and request.snapshot is None:
                    with mailbox.lock:
                        mailbox.loaded = ((request.generation, request.owner_id), result.snapshot)
                self.resultReady.emit(result)
        except Exception:  # noqa: BLE001 - e.g. the database could not be opened
            log.exception("The followers query thread stopped")
            with mailbox.lock:
                request, mailbox.pending, mailbox.running = mailbox.pending, None, False
            if request is not None:
                self.resultReady.emit(QueryResult(request, error="The followers database could not be opened."))
        finally:
            with mailbox.lock:
                mailbox.conn = None
            if conn is not None:
                conn.close()

    def _take(self) -> QueryRequest | None:
        with self._mailbox.lock:
            request, self._mailbox.pending = self._mailbox.pending, None
            if request is None or self._mailbox.closed:
                self._mailbox.running = False  # under the lock: submit() starts a new thread from here on
                return None
            return request

    def _loaded_for(self, request: QueryRequest) -> FollowerSnapshot | None:
        with self._mailbox.lock:
            loaded = self._mailbox.loaded
        if loaded is not None and loaded[0] == (request.generation, request.owner_id):
            return loaded[1]
        return None


class FollowersQueryService(QObject):
    """GUI-side handle: `submit` requests, receive `resultReady(QueryResult)`; call `shutdown` before exit."""

    resultReady = Signal(object)  # QueryResult

    def __init__(self, connect: Callable[[], sqlite3.Connection], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connect = connect
        self._mailbox = _Mailbox()
        self._ids = itertools.count(1)
        self._threads: set[_QueryThread] = set()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def submit(self, request: QueryRequest) -> QueryRequest:
        """Queue `request`, replacing any waiting one; returns it with its request id set."""
        request = replace(request, request_id=next(self._ids))
        mailbox = self._mailbox
        with mailbox.lock:
            if mailbox.closed:
                return request
            mailbox.pending = request
            piece = mailbox.progress.piece
            if mailbox.conn is not None and piece is not None and piece not in request.pieces():
                mailbox.conn.interrupt()  # the running query answers a question nobody asks any more
            start = not mailbox.running
            mailbox.running = True
        if start:
            self._start_thread()
        return request

    @property
    def is_running(self) -> bool:
        return bool(self._threads)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Drop waiting work, interrupt running SQL and wait for the thread (safe to call twice)."""
        with self._mailbox.lock:
            self._mailbox.closed = True
            self._mailbox.pending = None
            if self._mailbox.conn is not None and self._mailbox.progress.piece is not None:
                self._mailbox.conn.interrupt()
        for thread in list(self._threads):
            thread.wait(timeout_ms)

    def _start_thread(self) -> None:
        # Parented to the application, not to a view: a view destroyed mid-query must not destroy a running
        # QThread (Qt aborts the process), and aboutToQuit waits for it.
        thread = _QueryThread(self._mailbox, self._connect, QCoreApplication.instance())
        thread.resultReady.connect(self.resultReady)
        # A bound method of this GUI-thread object: queued, so the bookkeeping runs in the GUI thread.
        thread.finished.connect(self._forget_finished)
        self._threads.add(thread)
        thread.start()

    def _forget_finished(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.discard(thread)
            thread.deleteLater()
