"""`main.py dm run [--dry-run]`: run the DM campaign of the selected profile headless (cron, servers)."""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
from typing import TextIO

from twexport_qt.campaigns.sender import CampaignResult, run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands.terminal_progress import TerminalProgress
from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import EXIT_CANCELLED, EXIT_JOB_STOPPED, EXIT_OK
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway

EXIT_STOPPED = EXIT_JOB_STOPPED  # the run stopped early (settings, X refused, master switch off)


def register(subparsers: argparse._SubParsersAction) -> None:
    dm = subparsers.add_parser("dm", help="DM campaigns")
    actions = dm.add_subparsers(dest="dm_action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="send the DMs that are due now (or only log them with --dry-run)")
    run.add_argument("--dry-run", action="store_true", help="record what would be sent, send nothing")
    run.set_defaults(handler=_handle_run)


def _handle_run(args: argparse.Namespace) -> int:
    """Errors reach `cli.main`, which prints them as one sentence."""
    # Imported here: the app context wires settings, secrets and the database, which `--help` does not need.
    from twexport_qt.commands.session import command_session
    from twexport_qt.store.job_locks import JobKind

    # A dry run only rewrites the dry-run log; anything that may send holds the campaign lock, so two runs can
    # never take each other's claims for crash leftovers, and the daily cap holds across them.
    lock = None if args.dry_run else JobKind.DM_CAMPAIGN
    with command_session(args, lock=lock) as session:
        return run_dm_command(session.conn, session.gateway, session.pacer, session.clock,
                              session.campaign_settings(), args.dry_run, cancel=session.cancel)


def run_dm_command(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    settings: CampaignSettings,
    dry_run: bool,
    out: TextIO = sys.stdout,
    cancel: CancelToken | None = None,
) -> int:
    """Run the campaign with a one-line progress display; print a summary. Returns the process exit code."""
    if dry_run:
        settings = dataclasses.replace(settings, dry_run=True)
    # No on_wait: a CLI run ends at the daily cap, and the summary says when the next DM may go out.
    progress_line = TerminalProgress(out, now=clock.now)
    try:
        result = run_campaign(conn, gateway, pacer, clock, settings, progress=progress_line.update, cancel=cancel)
    except errors.Cancelled:
        progress_line.close()
        print("Cancelled. DMs already sent are recorded; run again to continue.", file=out)
        return EXIT_CANCELLED
    finally:
        progress_line.close()
    print(_describe(result), file=out)
    return EXIT_OK if result.stop_reason in ("done", "daily_cap") else EXIT_STOPPED


def _describe(result: CampaignResult) -> str:
    heading = {"live": "Campaign", "test": "Test send", "dry_run": "Dry run", "off": "Campaign"}[result.mode]
    return f"{heading}: {result.summary()}"
