"""Opening the SQLite file: private permissions, WAL, forward migrations under SQLite's write lock, and damage
detection."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twexport_qt.core.errors import TwExportError
from twexport_qt.core.os_errors import DISK_FULL, NOT_WRITABLE
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION

DB_FILE_NAME = "twexport.sqlite3"
# How long a process opening the file waits for another one that is migrating it (SQLite's busy timeout while it
# asks for the write lock): a big file's migration can take a while, and giving up early would stop a start that
# only had to wait.
MIGRATION_LOCK_TIMEOUT_S = 120.0
BUSY_TIMEOUT_S = 30.0  # every other wait for a lock (sqlite3.connect's timeout)


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
        conn = sqlite3.connect(path_str, timeout=BUSY_TIMEOUT_S, check_same_thread=check_same_thread)
    except (OSError, sqlite3.Error) as exc:
        raise database_error(exc, file) from exc
    try:
        _configure(conn)
        _set_up(conn)
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
    """Apply every migration newer than the file's `user_version`, all in one transaction; returns the version.

    The transaction begins with BEGIN IMMEDIATE, SQLite's write lock: of several processes opening an old or new
    file at once (the app and a scheduled command), one migrates while the others wait for it, then read the new
    version and have nothing left to do. One transaction also means all or nothing: a process killed half-way
    leaves the file as it was, never between two schema versions.
    """
    version = _user_version(conn)
    if version > SCHEMA_VERSION:
        raise DatabaseTooNew()
    if version == SCHEMA_VERSION:
        return version
    with _write_lock(conn), conn:  # `with conn`: COMMIT at the end, ROLLBACK if anything failed
        version = _user_version(conn)  # re-read under the lock: another process may have migrated meanwhile
        if version > SCHEMA_VERSION:
            raise DatabaseTooNew()
        for number in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SCHEMA_VERSION


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


@contextmanager
def _waiting_for_a_migration(conn: sqlite3.Connection) -> Iterator[None]:
    """SQLite's busy timeout raised to MIGRATION_LOCK_TIMEOUT_S inside the block (another process may be
    migrating the file), and back to BUSY_TIMEOUT_S after it, however it ends."""
    conn.execute(f"PRAGMA busy_timeout = {int(MIGRATION_LOCK_TIMEOUT_S * 1000)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


@contextmanager
def _write_lock(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE, waiting up to MIGRATION_LOCK_TIMEOUT_S for a process that holds the write lock."""
    with _waiting_for_a_migration(conn):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
            raise DatabaseUnavailable(
                f"Another TwExport has been updating the database for over {MIGRATION_LOCK_TIMEOUT_S:.0f} s. Let it "
                "finish, then try again.") from None
        yield


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one by one, so that they run inside the caller's transaction
    (`executescript` would COMMIT it first). SQLite's own parser (`complete_statement`) says where each ends, so
    a `;` inside a string or a trigger's body does not split it."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        raise ValueError(f"Unterminated statement in a migration: {pending[:80]!r}")


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")


def _set_up(conn: sqlite3.Connection) -> None:
    version = _user_version(conn)  # also proves the file is a database
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(journal).lower() != "wal":
        # Stored in the file, so set once; SQLite serializes processes setting it at the same time.
        with _waiting_for_a_migration(conn):
            conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL is durable across app crashes in WAL mode; only an OS crash can lose the last commit. Set before
    # migrating, so a new file's schema costs one unsynced WAL commit.
    conn.execute("PRAGMA synchronous = NORMAL")
    if version != SCHEMA_VERSION:
        migrate(conn)
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
