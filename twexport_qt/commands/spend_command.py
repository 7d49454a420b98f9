"""`main.py spend [--month YYYY-MM] [--csv FILE]`: what X billed the profile, from the spend ledger.

Prints today's and the month's spend, per job, per endpoint and per day; `--csv` also writes the month's ledger
rows (one per billed answer and resource kind) to a file. Reads only the local ledger: no request to X.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.billing.prices import format_usd, from_micros
from twexport_qt.billing.report import Month, MonthSummary, SpendLine, month_summary
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.store.spend_repo import SpendRow, rows_between

if TYPE_CHECKING:  # the context is imported when the command runs: it starts logging, maybe the sandbox
    from twexport_qt.app_context import AppContext

CSV_HEADER = ["billed_at", "utc_day", "profile", "job", "endpoint", "resource_kind", "owned", "returned", "billed",
              "unit_price_usd", "amount_usd"]
NO_JOB = "(no job named)"


def register(subparsers: argparse._SubParsersAction) -> None:
    spend = subparsers.add_parser("spend", help="show what X billed this profile (today, this month, per job, "
                                                "endpoint and day) from the spend ledger")
    spend.add_argument("--month", metavar="YYYY-MM", help="the month to show (default: the current one, UTC)")
    spend.add_argument("--csv", metavar="FILE", type=Path, help="also write that month's ledger rows to FILE")
    spend.set_defaults(handler=_handle_spend)


def _handle_spend(args: argparse.Namespace) -> int:
    """A bad `--month` is printed here (exit 2); everything else reaches `cli.main` as one sentence."""
    from twexport_qt.commands.session import open_command_context

    try:
        month = Month.parse(args.month) if args.month else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    context = open_command_context(args)
    try:
        now = context.clock.now()
        month = month or Month.of(now)
        profile = context.profile
        conn = context.connect()
        try:
            summary = month_summary(conn, profile.name, month, now)
            written = _write_csv(conn, context, args.csv, profile.name, month) if args.csv else None
        finally:
            conn.close()
        print(describe(summary, prices_as_of=context.prices.as_of, simulated=context.is_sandbox))
    finally:
        context.close()
    if written is not None:
        print(f"Wrote {written:,} ledger rows of {month} to {args.csv}")
    return EXIT_OK


def describe(summary: MonthSummary, *, prices_as_of: dt.date, simulated: bool = False) -> str:
    """The spend report as the command prints it."""
    month_name = summary.month.first_day.strftime("%B %Y")
    lines = [f"Spend of profile {summary.profile!r} at X's pay-per-use prices of {prices_as_of:%Y-%m}"
             + (" (the Sandbox is simulated: X charges nothing for it)." if simulated else ".")]
    lines.append(f"Today ({summary.today.isoformat()}, UTC): {format_usd(summary.today_amount)}")
    lines.append(f"{month_name}: {format_usd(summary.month_amount)}")
    if not summary.by_job:
        lines.append(f"Nothing was billed in {month_name}.")
        return "\n".join(lines)
    days = [(day.day.isoformat(), format_usd(day.amount)) for day in summary.days_with_spend]
    lines += ["", *_table("Per job", summary.by_job), "", *_table("Per endpoint", summary.by_endpoint), "",
              *_columns(("Per day (UTC)", "amount"), days)]
    return "\n".join(lines)


def _table(title: str, spend_lines: Iterable[SpendLine]) -> list[str]:
    rows = [(line.label or NO_JOB, f"{line.answers:,}", f"{line.returned:,}", f"{line.billed:,}",
             format_usd(line.amount)) for line in spend_lines]
    return _columns((title, "answers", "returned", "billed", "amount"), rows)


def _columns(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Aligned lines: the first column left, the others right, under their header."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return [f"  {row[0]:<{widths[0]}}  " + "  ".join(f"{cell:>{width}}" for cell, width in zip(row[1:], widths[1:]))
            for row in [header, *rows]]


def _write_csv(conn: sqlite3.Connection, context: AppContext, path: Path, profile: str, month: Month) -> int:
    from twexport_qt.exports.safe_csv import write_csv
    from twexport_qt.paths import check_output_path

    target = check_output_path(path, context.data_dir)
    rows = rows_between(conn, profile, month.first_day.isoformat(), month.last_day.isoformat())
    return write_csv(target, CSV_HEADER, _csv_cells(rows))


def _csv_cells(rows: Iterable[SpendRow]) -> Iterator[list[object]]:
    """One CSV row per ledger row: the time in ISO UTC, dollars as plain decimals (exact, unlike floats)."""
    for row in rows:
        yield [dt.datetime.fromtimestamp(row.billed_at, tz=dt.UTC), row.utc_day, row.profile, row.job, row.endpoint,
               row.resource_kind, row.owned, row.returned, row.billed, _plain(from_micros(row.unit_price_micros)),
               _plain(from_micros(row.amount_micros))]


def _plain(amount: Decimal) -> str:
    """A dollar amount a spreadsheet reads as a number: '0.001', '2.51', '0' (never '1E-3')."""
    return f"{amount.normalize():f}"
