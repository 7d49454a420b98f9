"""Opening the SQLite file: private permissions, WAL, forward migrations under a lock, and damage detection."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from twexport_qt.core.errors import TwExportError
from twexport_qt.core.os_errors import DISK_FULL, NOT_WRITABLE
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION

DB_FILE_NAME = "twexport.sqlite3"
# Held while a file is set up or migrated: two processes started at once on a new data folder would otherwise
# both create the schema, and the second would die on "table already exists".
MIGRATION_LOCK_SUFFIX = ".migrate.lock"
MIGRATION_LOCK_TIMEOUT_S = 120.0


class DatabaseTooNew(TwExportError):
    default_message = "This data file was written by a newer TwExport. Update the app to open it."


class DatabaseDamaged(TwExportError):
    """The file is not an SQLite database or its pages are corrupt. It is never deleted: moved aside on request."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = Path(path)
        self.detail = detail
        super().__init__(
            f"The database {self.path} is damaged ({detail}). Nothing was changed. Run the command again with "
            "--repair to move it aside (it is kept, renamed) and start a new one with what can be saved from it, "
            "or put back a backup of it.")


class DatabaseUnavailable(TwExportError):
    """The file cannot be opened or written: permissions, a read-only or full disk, a folder in its place."""


def open_database(path: Path | str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path`, migrated to the current schema.

    `":memory:"` is accepted for tests. Connections may be used from the thread that opened them only
    (sqlite3's default; `check_same_thread=False` only lets another thread *close* it, see
    `services/connections.py`); workers open their own. Raises DatabaseDamaged, DatabaseTooNew or DatabaseUnavailable
    with a sentence for the user.
    """
    path_str = str(path)
    if path_str == ":memory:":
        conn = sqlite3.connect(path_str)
        _configure(conn)
        migrate(conn)
        return conn
    file = Path(path_str)
    try:
        _create_private_file(file)
        conn = sqlite3.connect(path_str, timeout=30.0, check_same_thread=check_same_thread)
    except (OSError, sqlite3.Error) as exc:
        raise database_error(exc, file) from exc
    try:
        _configure(conn)
        _set_up(conn, file)
    except BaseException as exc:
        conn.close()
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise database_error(exc, file) from exc
        raise
    return conn


def database_error(exc: BaseException, path: Path) -> TwExportError:
    """A sentence for what SQLite or the OS said about the database file."""
    text = str(exc)
    lowered = text.lower()
    damaged_words = ("not a database", "malformed", "corrupt")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError) \
            and any(word in lowered for word in damaged_words):
        return DatabaseDamaged(path, text)
    code = getattr(exc, "errno", None)
    if "disk is full" in lowered or code in DISK_FULL:
        return DatabaseUnavailable(f"The disk holding {path.parent} is full. Free some space and try again; "
                                   "nothing saved so far is lost.")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered \
            or code in NOT_WRITABLE:
        if path.is_dir():
            return DatabaseUnavailable(f"{path} is a folder, not TwExport's database file. Move it away, or "
                                       "choose another data folder with --data-dir.")
        return DatabaseUnavailable(f"TwExport cannot write its database in {path.parent} ({text}). Make that "
                                   "folder writable, or choose another data folder with --data-dir.")
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable(f"The database {path} is busy in another program for too long ({text}). "
                                   "Close other TwExport windows or commands and try again.")
    if "disk i/o" in lowered:
        return DatabaseUnavailable(f"The disk holding {path} reported an error ({text}). Check the disk, then "
                                   "try again.")
    return DatabaseUnavailable(f"The database {path} could not be used ({text}).")


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the file's `user_version`; returns the resulting version.

    Callers that may race other processes hold the migration lock (see `open_database`).
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabaseTooNew()
    for number in range(version, SCHEMA_VERSION):
        with conn:  # one transaction per migration, version bump included
            conn.executescript("BEGIN;" + MIGRATIONS[number] + f";PRAGMA user_version = {number + 1};COMMIT;")
    return SCHEMA_VERSION


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")


def _set_up(conn: sqlite3.Connection, file: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]  # also proves the file is a database
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if version != SCHEMA_VERSION or str(journal).lower() != "wal":
        # Imported here: only a new or older file needs the lock, and the desktop app opens its database before
        # its window shows (issue 17).
        from filelock import FileLock, Timeout

        lock = FileLock(str(file) + MIGRATION_LOCK_SUFFIX, timeout=MIGRATION_LOCK_TIMEOUT_S, mode=0o600,
                        thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise DatabaseUnavailable(f"Another TwExport has been updating the database {file} for over "
                                      f"{MIGRATION_LOCK_TIMEOUT_S:.0f} s. Let it finish, then try again.") from None
        try:
            # The journal mode is stored in the file: set once, by whoever holds the lock first.
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)  # re-reads the version: another process may have migrated while we waited
        finally:
            lock.release()
    # NORMAL is durable across app crashes in WAL mode; only an OS crash can lose the last commit.
    conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MB page cache (default 2 MB): follower upserts touch six indexes in random order, and a page that
    # stays cached is not re-read; measured 2-3x faster ingest at 200k followers.
    conn.execute("PRAGMA cache_size = -65536")


def _create_private_file(path: Path) -> None:
    """Create the file with mode 0600 before SQLite opens it: it holds other people's profiles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    elif path.is_file():
        try:
            os.chmod(path, 0o600)
        except PermissionError:  # someone else's file in a shared folder: opening it says what is wrong
            pass
