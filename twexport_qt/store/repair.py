"""Move a damaged database aside and start a new one with whatever can still be read from it.

Only on the user's word (the GUI asks; the CLI needs `--repair`). The damaged file is renamed, never deleted,
together with its WAL and shared-memory files, so a specialist tool can still work on it. Rows are then copied
table by table into the new database; a table whose pages are corrupt keeps the rows read before the damage.
The DM log comes first: it is what stops a person from being messaged twice.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from twexport_qt.store.database import open_database

log = logging.getLogger(__name__)

# Parents before children (foreign keys), the DM log first.
SALVAGE_ORDER = ("dm_log", "do_not_contact", "dm_replies", "accounts", "followers", "fetch_runs", "tweets",
                 "tweet_jobs", "tweet_job_accounts", "tweet_job_output")
_BATCH = 5000


@dataclass
class RepairReport:
    moved_to: Path
    saved: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    incomplete: list[str] = field(default_factory=list)  # tables that could not be read to the end

    @property
    def dm_log_complete(self) -> bool:
        return "dm_log" not in self.incomplete

    def describe(self) -> str:
        saved = sum(self.saved.values())
        text = (f"The damaged database was moved to {self.moved_to} and a new one was started; "
                f"{saved:,} rows were saved from it")
        if self.saved.get("dm_log"):
            text += f" ({self.saved['dm_log']:,} of them the DM log)"
        text += "."
        if saved == 0 and len(self.incomplete) == len(SALVAGE_ORDER):
            text = (f"The damaged database was moved to {self.moved_to} and a new one was started; nothing could be "
                    "read from it.")
        elif self.incomplete:
            text += f" Could not read all of: {', '.join(self.incomplete)}."
        if not self.dm_log_complete:
            text += (" Part of the DM log is lost: people it listed may be messaged again. Check the DM status "
                     "and your X inbox before you send live DMs.")
        if "followers" in self.incomplete:
            text += " Fetch followers again to complete the list."
        return text


def repair_database(path: Path) -> RepairReport:
    path = Path(path)
    aside = _free_name(path)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            os.replace(source, Path(str(aside) + suffix))
    log.warning("Moved the damaged database %s to %s", path, aside)
    report = RepairReport(aside)
    new = open_database(path)
    try:
        _salvage(aside, new, report)
    finally:
        new.close()
    log.warning("Repair of %s: %s", path, report.describe())
    return report


def _free_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    return candidate


def _salvage(aside: Path, new: sqlite3.Connection, report: RepairReport) -> None:
    try:
        old = sqlite3.connect(f"{aside.as_uri()}?mode=ro", uri=True)
        old.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        log.warning("Nothing can be read from %s", aside, exc_info=True)
        report.incomplete.extend(SALVAGE_ORDER)
        return
    try:
        for table in SALVAGE_ORDER:
            report.saved[table] = _copy_table(old, new, table, report)
    finally:
        old.close()


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, table: str, report: RepairReport) -> int:
    copied = 0
    try:
        old_columns = {row[1] for row in old.execute(f"PRAGMA table_info({table})")}
        if not old_columns:
            return 0  # an older schema without this table
        columns = [row[1] for row in new.execute(f"PRAGMA table_info({table})") if row[1] in old_columns]
        names = ", ".join(columns)
        insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        cursor = old.execute(f"SELECT {names} FROM {table}")
        while rows := cursor.fetchmany(_BATCH):
            with new:
                new.executemany(insert, rows)
            copied += len(rows)
    except sqlite3.Error:
        log.warning("Stopped reading %s after %d rows", table, copied, exc_info=True)
        report.incomplete.append(table)
    return copied
