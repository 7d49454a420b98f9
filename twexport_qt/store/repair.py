"""Move a damaged database aside and start a new one with whatever can still be read from it.

Only on the user's word (the GUI asks; the CLI needs `--repair`). The damaged file is renamed, never deleted,
together with its WAL and shared-memory files, so a specialist tool can still work on it. Rows are then copied
table by table into the new database, every table of the schema; a table whose pages are corrupt keeps the rows
read before the damage. The DM log comes first: it is what stops a person from being messaged twice; the spend
record next: it is what the budget and the Spend tab count.
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

# Copied first, in this order: what stops a second DM, then what was spent. Every other table follows, parents
# before children (foreign keys), so a table added by a later migration is saved too without being listed here.
FIRST_SAVED = ("dm_log", "do_not_contact", "dm_replies", "spend_ledger", "spend_billed_resources")
_BATCH = 5000


@dataclass
class RepairReport:
    moved_to: Path
    saved: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    incomplete: list[str] = field(default_factory=list)  # tables that could not be read to the end
    tables: tuple[str, ...] = ()  # the new database's tables, in the order they were copied

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
        if saved == 0 and set(self.incomplete) >= set(self.tables):
            text = (f"The damaged database was moved to {self.moved_to} and a new one was started; nothing could be "
                    "read from it.")
        elif self.incomplete:
            text += f" Could not read all of: {', '.join(self.incomplete)}."
        if not self.dm_log_complete:
            text += (" Part of the DM log is lost: people it listed may be messaged again. Check the DM status "
                     "and your X inbox before you send live DMs.")
        if "spend_ledger" in self.incomplete:
            text += (" Part of the spend record is lost: the Spend tab and the daily budget count less than X billed "
                     "(X's developer portal shows the real usage).")
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
    report.tables = salvage_order(new)
    try:
        old = sqlite3.connect(f"{aside.as_uri()}?mode=ro", uri=True)
        old.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        log.warning("Nothing can be read from %s", aside, exc_info=True)
        report.incomplete.extend(report.tables)
        return
    try:
        for table in report.tables:
            report.saved[table] = _copy_table(old, new, table, report)
    finally:
        old.close()
    _keep_run_ids_growing(new)


def salvage_order(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Every table of `conn`'s schema: `FIRST_SAVED` first, then the others with the tables a foreign key refers
    to before the tables that refer to them (alphabetically otherwise)."""
    tables = sorted(name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))
    parents = {table: {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({table})")} - {table}
               for table in tables}
    order = [table for table in FIRST_SAVED if table in parents]
    while len(order) < len(tables):
        ready = [table for table in tables if table not in order and parents[table] <= set(order)]
        if not ready:  # a cycle of foreign keys (none in the schema): the rest alphabetically
            ready = [table for table in tables if table not in order]
        order.extend(ready)
    return tuple(order)


def _keep_run_ids_growing(new: sqlite3.Connection) -> None:
    """Followers and followed accounts name the fetch run that saw them last (`followers.seen_run`,
    `following.fetch_run_id`), and a complete fetch tells who left by comparing those with its own id. Had the
    newest runs been lost, the next run would reuse one of their ids and miss a leaver: sightings in a lost run
    become sightings in the newest run saved, which keeps every comparison with a later run as it was."""
    newest = "(SELECT coalesce(max(id), 0) FROM fetch_runs)"
    with new:
        new.execute(f"UPDATE followers SET seen_run = {newest} WHERE seen_run > {newest}")
        new.execute(f"UPDATE following SET fetch_run_id = {newest} WHERE fetch_run_id > {newest}")


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
