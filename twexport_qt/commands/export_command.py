"""`main.py export <kind> --out FILE`: the File → Export menu, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from twexport_qt.core.errors import EXIT_OK
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="write followers, high-value followers, DM status, skipped "
                                                  "followers, the campaign funnel or a tweet dataset to a file")
    export.add_argument("kind", choices=[kind.value for kind in ExportKind], help="what to export")
    export.add_argument("--out", required=True, type=Path, help="file to write (CSV; tweets: the dataset's format)")
    export.add_argument("--saved-filter", action="store_true",
                        help="followers/high-value: apply the profile's saved filter defaults (default: all)")
    export.add_argument("--job", type=int, help="tweets: which download (default: the newest)")
    export.set_defaults(handler=_handle_export)


def _handle_export(args: argparse.Namespace) -> int:
    """Errors reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.exports.exporters import export
    from twexport_qt.profile_mapping import default_filter, domain_tiers

    kind = ExportKind(args.kind)
    context = open_command_context(args)
    try:
        conn = context.connect()
        try:
            profile = context.profile
            rows = export(conn, context.known_owner_id(), kind, args.out, tiers=domain_tiers(profile),
                          follower_filter=default_filter(profile) if args.saved_filter else None, job_id=args.job,
                          data_dir=context.data_dir, now=int(context.clock.now()))
        finally:
            conn.close()
    finally:
        context.close()
    unit = "examples" if kind == ExportKind.TWEETS else "rows"
    print(f"Exported {EXPORT_KINDS[kind].title.lower()}: {rows:,} {unit} to {args.out}")
    return EXIT_OK
