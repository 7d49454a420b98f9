"""One SQLite connection per thread for a service, all closed together when the app closes.

sqlite3 connections belong to the thread that opened them; views ask from the GUI thread and tasks from pool
threads, so a service keeps one per thread. They are opened with `check_same_thread=False` only so that
`close()` may close them all from the GUI thread at exit; each is still *used* by its own thread only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable


class ThreadConnections:
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        self._closed = False

    def get(self) -> sqlite3.Connection:
        """The calling thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError("The database connections were closed: the app is shutting down.")
            conn = self._connect()
            with self._lock:
                self._opened.append(conn)
            self._local.conn = conn
        return conn

    def release(self) -> None:
        """Close and forget the calling thread's connection (a thread that ends: a query burst, a pool thread)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            if conn in self._opened:
                self._opened.remove(conn)
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
