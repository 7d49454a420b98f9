"""The spend ledger's tables: one row per billed answer of X, and which resources were billed on which UTC day.

X de-duplicates resources per UTC day (a follower read twice on one day is billed once), so every billed id is
kept for its day (`spend_billed_resources`) and a second read of it that day counts as returned, not billed. Only
the current day matters for that, so older days are forgotten. Amounts are whole micro-dollars: sums stay exact.
Kinds, endpoints and jobs are plain text here; `billing/` gives them meaning.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class SpendRow:
    """One billed answer (or the part of it of one resource kind and rate)."""

    billed_at: int          # epoch seconds
    utc_day: str            # "YYYY-MM-DD", X's billing day
    profile: str
    job: str | None         # the job's name; None: not said (a look-up outside a job)
    endpoint: str           # "GET /2/users/:id/followers"
    resource_kind: str      # billing.prices.ResourceKind value
    owned: bool             # billed at the Owned Read rate
    returned: int           # resources in the answer (requests, for writes)
    billed: int             # of them, billed after the day's de-duplication
    unit_price_micros: int
    amount_micros: int      # billed x unit price


class SpendGroup(StrEnum):
    """What a spend total is broken down by: the ledger column of that name."""

    JOB = "job"
    ENDPOINT = "endpoint"
    DAY = "utc_day"
    RESOURCE_KIND = "resource_kind"


@dataclass(frozen=True)
class SpendTotal:
    """The spend of one job, endpoint, day or kind over a span of days."""

    key: str | None         # None: answers recorded without a job name
    answers: int
    returned: int
    billed: int
    amount_micros: int


_COLUMNS = ("billed_at, utc_day, profile, job, endpoint, resource_kind, owned, returned, billed, unit_price_micros, "
            "amount_micros")


def add(conn: sqlite3.Connection, row: SpendRow) -> None:
    conn.execute(f"INSERT INTO spend_ledger ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (row.billed_at, row.utc_day, row.profile, row.job, row.endpoint, row.resource_kind, int(row.owned),
                  row.returned, row.billed, row.unit_price_micros, row.amount_micros))


def mark_billed(conn: sqlite3.Connection, utc_day: str, profile: str, resource_kind: str, owned: bool,
                resource_ids: Iterable[str]) -> int:
    """Note these resources as billed on `utc_day`; returns how many were not already (those X bills now)."""
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO spend_billed_resources (utc_day, profile, resource_kind, owned, resource_id) "
        "VALUES (?, ?, ?, ?, ?)",
        ((utc_day, profile, resource_kind, int(owned), resource_id) for resource_id in resource_ids))
    return conn.total_changes - before


def forget_billed_before(conn: sqlite3.Connection, utc_day: str) -> int:
    """Forget the billed ids of days before `utc_day` (X de-duplicates within a day only); returns rows removed."""
    return conn.execute("DELETE FROM spend_billed_resources WHERE utc_day < ?", (utc_day,)).rowcount


def total_micros(conn: sqlite3.Connection, profile: str, first_day: str, last_day: str) -> int:
    """What was billed from `first_day` to `last_day` (UTC days, both included)."""
    row = conn.execute("SELECT COALESCE(SUM(amount_micros), 0) FROM spend_ledger "
                       "WHERE profile = ? AND utc_day BETWEEN ? AND ?", (profile, first_day, last_day)).fetchone()
    return int(row[0])


def totals_by(conn: sqlite3.Connection, group: SpendGroup, profile: str, first_day: str,
              last_day: str) -> list[SpendTotal]:
    """Spend per job, endpoint, day or kind from `first_day` to `last_day`, the biggest first (days in order)."""
    column = SpendGroup(group).value  # a fixed column name from the enum, never text from outside
    order = "key" if group == SpendGroup.DAY else "amount DESC, key"
    rows = conn.execute(
        f"SELECT {column} AS key, COUNT(*), SUM(returned), SUM(billed), SUM(amount_micros) AS amount "
        f"FROM spend_ledger WHERE profile = ? AND utc_day BETWEEN ? AND ? GROUP BY {column} ORDER BY {order}",
        (profile, first_day, last_day))
    return [SpendTotal(key, int(answers), int(returned), int(billed), int(amount))
            for key, answers, returned, billed, amount in rows]


def rows_between(conn: sqlite3.Connection, profile: str, first_day: str, last_day: str) -> Iterator[SpendRow]:
    """The ledger rows of a span of days, in the order they were recorded (lazily: a month can be long)."""
    cursor = conn.execute(f"SELECT {_COLUMNS} FROM spend_ledger WHERE profile = ? AND utc_day BETWEEN ? AND ? "
                          "ORDER BY id", (profile, first_day, last_day))
    for (billed_at, utc_day, row_profile, job, endpoint, kind, owned, returned, billed, unit,
         amount) in cursor:
        yield SpendRow(int(billed_at), utc_day, row_profile, job, endpoint, kind, bool(owned), int(returned),
                       int(billed), int(unit), int(amount))
