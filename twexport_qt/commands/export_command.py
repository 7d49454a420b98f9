"""`main.py export <kind> --out FILE`: the File → Export menu, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from twexport_qt.commands.followers_command import utc_date
from twexport_qt.core.errors import EXIT_OK
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportError, ExportKind
from twexport_qt.exports.formats import ExportFormat, TableOptions, dictionary_path, format_for_path
from twexport_qt.services.history import ChangeExportKind


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="write followers, high-value followers, DM status, skipped "
                                                  "followers, the campaign funnel, a tweet dataset, who left or "
                                                  "came, or the accounts you follow, mutuals, those not following "
                                                  "back or fans to a file")
    export.add_argument("kind", choices=[kind.value for kind in (*ExportKind, *ChangeExportKind)],
                        help="what to export (left/new: who left or came, seen by complete fetches; following, "
                             "mutuals, not-following-back, fans: need `following fetch` first)")
    export.add_argument("--out", required=True, type=Path,
                        help="file to write (CSV, or XLSX for a .xlsx name; tweets: the dataset's format); its data "
                             "dictionary is written beside it as NAME.dictionary.csv")
    export.add_argument("--format", choices=[fmt.value for fmt in ExportFormat],
                        help="file format (default: from the --out file's extension; CSV unless .xlsx)")
    export.add_argument("--bom", action="store_true",
                        help="CSV: start with a UTF-8 byte-order mark, so Excel reads accents and emoji right")
    export.add_argument("--columns", type=_column_names, default=(), metavar="A,B,C",
                        help="only these columns, in this order (default: all; an unknown name lists the valid ones)")
    export.add_argument("--saved-filter", action="store_true",
                        help="followers, high-value and the following lists: apply the profile's saved filter "
                             "defaults (default: all)")
    export.add_argument("--job", type=int, help="tweets: which download (default: the newest)")
    export.add_argument("--since", type=utc_date, metavar="DATE",
                        help="left/new: only changes seen from this date (YYYY-MM-DD, UTC; default: all)")
    export.set_defaults(handler=_handle_export)


def _handle_export(args: argparse.Namespace) -> int:
    """Errors reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.exports.exporters import export
    from twexport_qt.profile_mapping import default_filter, domain_tiers

    if args.kind in tuple(ChangeExportKind):
        return _export_changes(args, ChangeExportKind(args.kind))
    kind = ExportKind(args.kind)
    options = _table_options(args)
    context = open_command_context(args)
    try:
        conn = context.connect()
        try:
            profile = context.profile
            rows = export(conn, context.known_owner_id(), kind, args.out, tiers=domain_tiers(profile),
                          follower_filter=default_filter(profile) if args.saved_filter else None, job_id=args.job,
                          data_dir=context.data_dir, now=int(context.clock.now()), options=options,
                          simulated=context.is_sandbox)
        finally:
            conn.close()
    finally:
        context.close()
    unit = "examples" if kind == ExportKind.TWEETS else "rows"
    print(f"Exported {EXPORT_KINDS[kind].title.lower()}: {rows:,} {unit} to {args.out}")
    if EXPORT_KINDS[kind].is_table:
        print(f"Data dictionary: {dictionary_path(args.out)}")
    return EXIT_OK


def _export_changes(args: argparse.Namespace, kind: ChangeExportKind) -> int:
    """`export left|new`: the follower history's changes (services/history.py), written like every table export."""
    from twexport_qt.commands.session import open_command_context

    options = _table_options(args)
    context = open_command_context(args)
    try:
        rows = context.history.export_changes(context.known_owner_id(), kind, args.out, options=options,
                                              since=args.since, data_dir=context.data_dir)
    finally:
        context.close()
    what = "followers who left" if kind == ChangeExportKind.LEFT else "new followers"
    print(f"Exported {what}: {rows:,} rows to {args.out}")
    print(f"Data dictionary: {dictionary_path(args.out)}")
    return EXIT_OK


def _column_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _table_options(args: argparse.Namespace) -> TableOptions:
    """The exporter itself checks the column names (it names the valid ones for an unknown name)."""
    file_format = ExportFormat(args.format) if args.format else format_for_path(args.out)
    if args.bom and file_format != ExportFormat.CSV:
        raise ExportError("--bom applies to CSV files only: an XLSX workbook needs none.")
    return TableOptions(format=file_format, excel_bom=args.bom, columns=args.columns)
