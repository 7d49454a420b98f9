"""`main.py followers profile [--top N] [--csv DIR]`: who the stored followers are, as the Audience tab shows it:
account age, their follower counts, top bio words and top locations, printed as four tables; `--csv` also writes
each table to DIR. Counts everyone who follows now (those who left are not counted). Reads only the local
database: no request to X.

It is an action of the `followers` command, whose parser `followers_command` builds: `register` finds that parser
and adds `profile` to it (so `followers_command` needs no edit), or `add_profile_command` adds it to any
sub-parsers group.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.followers.audience_profile import DEFAULT_TOP, AudienceProfile, AudienceTable, profile_table
from twexport_qt.followers.filters import FollowerFilter

if TYPE_CHECKING:  # the context is imported when the command runs: it starts logging, maybe the sandbox
    from twexport_qt.followers.audience_profile import ProfileTable

FOLLOWERS_COMMAND = "followers"
MAX_TOP = 1_000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `profile` to the `followers` command (registered before this module)."""
    followers = subparsers.choices[FOLLOWERS_COMMAND]
    actions = next(action for action in followers._actions if isinstance(action, argparse._SubParsersAction))
    add_profile_command(actions)


def add_profile_command(actions: argparse._SubParsersAction) -> None:
    profile = actions.add_parser(
        "profile", help="who the stored followers are: account age, their follower counts, top bio words and "
                        "top locations (reads the local database only)")
    profile.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="N",
                         help=f"rows of the word and location tables (default {DEFAULT_TOP})")
    profile.add_argument("--csv", type=Path, metavar="DIR",
                         help="also write each table to DIR/audience-<table>.csv")
    profile.set_defaults(handler=_handle_profile)


def _handle_profile(args: argparse.Namespace) -> int:
    """A bad --top or nothing stored yet is printed here (exit 2); everything else reaches `cli.main`."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.profile_mapping import domain_tiers
    from twexport_qt.services.audience import AudienceService

    if not 1 <= args.top <= MAX_TOP:
        print(f"error: --top must be from 1 to {MAX_TOP:,}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    context = open_command_context(args)
    try:
        owner_id = context.known_owner_id()
        if owner_id is None:
            print(f"error: no followers are stored for profile {context.profile.name!r} yet: run "
                  "`followers fetch` first.", file=sys.stderr)
            return EXIT_BAD_INPUT
        audience = AudienceService(context.connect, context.clock)
        profile = audience.profile(owner_id, FollowerFilter(), domain_tiers(context.profile), top=args.top)
        print(describe(profile))
        if args.csv is not None:
            written = [AudienceService.export_table(profile, table, args.csv / csv_name(table), context.data_dir)
                       for table in _checked_tables(args.csv, context.data_dir)]
            print(f"Wrote {len(written)} tables to {args.csv}: " + ", ".join(path.name for path in written))
    finally:
        context.close()
    return EXIT_OK


def csv_name(table: AudienceTable) -> str:
    return f"audience-{table.value}.csv"


def _checked_tables(folder: Path, data_dir: Path) -> list[AudienceTable]:
    """Every table, once all four files are known to be allowed (a refusal writes none) and the folder exists."""
    from twexport_qt.paths import check_output_path

    for table in AudienceTable:
        check_output_path(folder / csv_name(table), data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return list(AudienceTable)


def describe(profile: AudienceProfile) -> str:
    """The four tables as the command prints them."""
    lines = [f"{profile.population:,} followers: {profile.with_bio:,} with a bio, {profile.with_location:,} with a "
             f"location, {profile.known_join_date:,} with a known join date."]
    for table in AudienceTable:
        lines += ["", *_columns(profile_table(profile, table))]
    return "\n".join(lines)


def _columns(table: ProfileTable) -> list[str]:
    """The table's title, then aligned lines: the first column left, the figures right, under their header."""
    rows = [table.header, *(tuple(f"{cell:,}" if isinstance(cell, int) else cell for cell in row)
                            for row in table.rows)]
    if len(rows) == 1:
        return [table.title, "  (none)"]
    widths = [max(len(row[column]) for row in rows) for column in range(len(table.header))]
    return [table.title, *(f"  {row[0]:<{widths[0]}}  " + "  ".join(f"{cell:>{width}}"
                                                                     for cell, width in zip(row[1:], widths[1:]))
                           for row in rows)]
