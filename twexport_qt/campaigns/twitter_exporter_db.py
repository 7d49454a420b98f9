"""Read Twitter Exporter's SQLite file: whom it messaged (once or twice) and whom X refused, checked row by row.

Its `dm_status` table has one row per DM sent to a follower id (one row: the first DM; two: the retry too) with a
local-time `YYYY-MM-DD HH:MM:SS.fff` timestamp, and `skip_user` the followers X refused DMs to (error 349). The
file is opened read-only (an SQLite `mode=ro` URI) and never changed. Whatever is wrong with it — missing, not
SQLite, damaged, without those tables — is a LegacyDatabaseError sentence; a bad row is counted and left out.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from twexport_qt.core.errors import ConfigError

MAX_USER_ID = 2**63 - 1  # X ids are positive 64-bit integers, and so are SQLite's
# No DM can predate X itself; one "sent" more than a day after now is a wrong clock, not a moment.
EARLIEST_DM = 1_136_073_600  # 2006-01-01T00:00:00Z
FUTURE_SLACK_S = 86_400
REQUIRED_COLUMNS = {"dm_status": ("id", "timestamp"), "skip_user": ("id", "timestamp"), "follower": ("id",)}

# Twitter Exporter wrote str(datetime.now())[:-3]: milliseconds, or (when the microseconds were exactly 0, which
# str() then leaves out) the time cut after the minutes. Seconds alone are accepted too.
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")


class LegacyDatabaseError(ConfigError):
    default_message = "Twitter Exporter's database could not be read."


@dataclass
class LegacyPerson:
    """One follower id as Twitter Exporter's tables describe it."""

    user_id: int
    # When each DM was sent (epoch seconds), oldest first; None for a row whose timestamp could not be read.
    dms: list[int | None] = field(default_factory=list)
    skipped: bool = False  # in skip_user: X refused DMs to them
    skipped_at: int | None = None
    known_follower: bool = False  # in the follower table


@dataclass
class LegacyHistory:
    path: Path
    people: dict[int, LegacyPerson] = field(default_factory=dict)
    bad_ids: Counter[str] = field(default_factory=Counter)  # table -> rows whose id is no X user id
    duplicate_rows: int = 0  # repeated rows, each counted once
    extra_rows: int = 0  # dm_status rows beyond a person's second
    people_with_extra_rows: int = 0
    bad_timestamps: int = 0
    bad_timestamp_example: str = ""

    @property
    def messaged(self) -> list[LegacyPerson]:
        return [person for person in self.people.values() if person.dms]

    @property
    def not_in_follower_table(self) -> int:
        return sum(1 for person in self.people.values() if not person.known_follower)


def read_twitter_exporter_db(path: Path, *, now: int, tz: tzinfo | None = None) -> LegacyHistory:
    """Everything `path` says about DMs and refusals. `tz` is the zone its times were written in (None: this
    computer's, where Twitter Exporter normally ran). Raises LegacyDatabaseError with a sentence."""
    conn = _open_read_only(path)
    try:
        _check_tables(conn, path)
        history = LegacyHistory(path)
        reader = _RowReader(history, now, tz)
        for user_id, timestamp in conn.execute("SELECT id, timestamp FROM dm_status ORDER BY rowid"):
            reader.dm_row(user_id, timestamp)
        for user_id, timestamp in conn.execute("SELECT id, timestamp FROM skip_user ORDER BY rowid"):
            reader.skip_row(user_id, timestamp)
        reader.finish()
        known = "SELECT id FROM follower WHERE id IN (SELECT id FROM dm_status UNION SELECT id FROM skip_user)"
        for (user_id,) in conn.execute(known):
            if isinstance(user_id, int) and user_id in history.people:
                history.people[user_id].known_follower = True
        return history
    except sqlite3.Error as error:  # pages damaged past the header show up only when they are read
        raise _unreadable(path, error) from error
    finally:
        conn.close()


def local_time_to_epoch(text: object, tz: tzinfo | None = None) -> int | None:
    """Twitter Exporter's local `YYYY-MM-DD HH:MM:SS.fff` as UTC epoch seconds; None if it is no such time."""
    if not isinstance(text, str):
        return None
    found = _TIMESTAMP.fullmatch(text.strip())
    if not found:
        return None
    try:
        moment = datetime.strptime(f"{found.group(1)}:{found.group(2) or '00'}", "%Y-%m-%d %H:%M:%S")
        # A naive datetime's timestamp() is this computer's local time, daylight saving included.
        return int(moment.timestamp() if tz is None else moment.replace(tzinfo=tz).timestamp())
    except (ValueError, OverflowError, OSError):  # 2021-02-30, or a year the platform's mktime refuses
        return None


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise LegacyDatabaseError(f"Twitter Exporter's database {path} does not exist.")
    if path.is_dir():
        raise LegacyDatabaseError(f"{path} is a folder, not Twitter Exporter's database file.")
    try:
        # mode=ro: SQLite itself refuses every write, so the old file stays exactly as it was.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError, ValueError) as error:
        raise LegacyDatabaseError(f"Could not open Twitter Exporter's database {path} ({error}).") from error
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        conn.close()
        raise _unreadable(path, error) from error
    return conn


def _unreadable(path: Path, error: sqlite3.Error) -> LegacyDatabaseError:
    text = str(error)
    if isinstance(error, sqlite3.OperationalError):  # locked, unreadable file, a folder we may not enter
        return LegacyDatabaseError(f"Could not read Twitter Exporter's database {path} ({text}).")
    if "not a database" in text:
        return LegacyDatabaseError(f"{path} is not an SQLite database, so it is not Twitter Exporter's: choose "
                                   "the file named by db_file in its config.json.")
    return LegacyDatabaseError(f"Twitter Exporter's database {path} is damaged ({text}), so its DM history "
                               "cannot be read. Nothing was imported; use a backup of it.")


def _check_tables(conn: sqlite3.Connection, path: Path) -> None:
    for table, columns in REQUIRED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not present:
            raise LegacyDatabaseError(f"{path} has no {table} table, so it is not Twitter Exporter's database: "
                                      "choose the file named by db_file in its config.json.")
        missing = [name for name in columns if name not in present]
        if missing:
            raise LegacyDatabaseError(f"The {table} table of {path} has no {missing[0]} column, so it is not "
                                      "Twitter Exporter's database.")


class _RowReader:
    def __init__(self, history: LegacyHistory, now: int, tz: tzinfo | None) -> None:
        self.history = history
        self.now = now
        self.tz = tz
        self._seen_dms: set[tuple[int, str]] = set()

    def dm_row(self, raw_id: object, raw_timestamp: object) -> None:
        user_id = self._user_id(raw_id, "dm_status")
        if user_id is None:
            return
        sent_at = self._moment(raw_timestamp)
        if sent_at is not None:
            # Two sends cannot share a millisecond: the same id and time twice is one DM copied, not two DMs.
            # (Rows with unreadable times are all kept: the old tool counted rows, and counting more is safer.)
            key = (user_id, str(raw_timestamp).strip())
            if key in self._seen_dms:
                self.history.duplicate_rows += 1
                return
            self._seen_dms.add(key)
        self._person(user_id).dms.append(sent_at)

    def skip_row(self, raw_id: object, raw_timestamp: object) -> None:
        user_id = self._user_id(raw_id, "skip_user")
        if user_id is None:
            return
        person = self._person(user_id)
        if person.skipped:
            self.history.duplicate_rows += 1
            return
        person.skipped, person.skipped_at = True, self._moment(raw_timestamp)

    def finish(self) -> None:
        for person in self.history.people.values():
            # Oldest first: the first DM, then the retry; unreadable times last (they fall back to "now").
            person.dms.sort(key=lambda moment: (moment is None, moment or 0))
            if len(person.dms) > 2:
                self.history.extra_rows += len(person.dms) - 2
                self.history.people_with_extra_rows += 1
                del person.dms[2:]

    def _person(self, user_id: int) -> LegacyPerson:
        person = self.history.people.get(user_id)
        if person is None:
            person = self.history.people[user_id] = LegacyPerson(user_id)
        return person

    def _user_id(self, raw: object, table: str) -> int | None:
        # An id beyond 2^63-1 comes back from SQLite as a float (or text): no X user has it.
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_USER_ID:
            return raw
        self.history.bad_ids[table] += 1
        return None

    def _moment(self, raw: object) -> int | None:
        moment = local_time_to_epoch(raw, self.tz)
        if moment is None or not EARLIEST_DM <= moment <= self.now + FUTURE_SLACK_S:
            self.history.bad_timestamps += 1
            if not self.history.bad_timestamp_example:
                self.history.bad_timestamp_example = _shown(raw)
            return None
        return moment


def _shown(raw: object) -> str:
    """A bad value as the report quotes it: short, and with control characters escaped."""
    text = raw if isinstance(raw, str) else repr(raw)
    return repr(text[:40] + ("…" if len(text) > 40 else ""))
