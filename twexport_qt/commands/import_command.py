"""`main.py [--profile NAME] import twitter-exporter CONFIG.json [--db FILE]`: File → Import Twitter Exporter
config.json…, headless: settings, messages and keys into a profile, its database's DM history into the DM log."""

from __future__ import annotations

import argparse
from pathlib import Path

from twexport_qt.core.errors import EXIT_OK

TWITTER_EXPORTER = "twitter-exporter"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="import another tool's settings and DM history")
    sources = parser.add_subparsers(dest="import_source", metavar="SOURCE", required=True)
    tool = sources.add_parser(
        TWITTER_EXPORTER, help="Twitter Exporter: config.json into a profile (keys into the keyring), and the DM "
        "history of its database into the DM log, so nobody it messaged is messaged again",
        description="Import Twitter Exporter's config.json into a profile (`main.py --profile NAME import ...`; "
        "created if new; default 'Imported'), and the DMs and refusals recorded in its database (db_file in "
        "config.json) into the DM log. Importing again adds only what is missing.")
    tool.add_argument("config", type=Path, metavar="CONFIG.json", help="Twitter Exporter's config.json")
    history = tool.add_mutually_exclusive_group()
    history.add_argument("--db", type=Path, metavar="FILE", help="Twitter Exporter's database (default: db_file "
                         "in CONFIG.json, relative to its folder)")
    history.add_argument("--no-history", action="store_true", help="import settings and keys only, when the "
                         "database is lost (people Twitter Exporter messaged may then be messaged again)")
    tool.set_defaults(handler=_handle_twitter_exporter)


def _handle_twitter_exporter(args: argparse.Namespace) -> int:
    """Errors reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.legacy_import import DEFAULT_PROFILE_NAME, LegacyDatabaseMissing, import_twitter_exporter

    # --profile names the profile to import into, which may not exist yet: the session opens on the active one.
    target = args.profile or DEFAULT_PROFILE_NAME
    context = open_command_context(argparse.Namespace(**{**vars(args), "profile": None}))
    try:
        report = import_twitter_exporter(context, args.config, target, database=args.db,
                                         with_history=not args.no_history)
    except LegacyDatabaseMissing as missing:
        raise LegacyDatabaseMissing(missing.path, "Name it with --db FILE, or import the settings alone with "
                                    "--no-history.") from missing
    finally:
        context.close()
    print(report.describe())
    return EXIT_OK
