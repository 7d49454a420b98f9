"""`main.py dm run [--dry-run] [--live [--yes]] [--max-cost USD] [--plan]`: run the DM campaign of the selected
profile headless (cron, servers), or print its plan.

Every run first prints what it will cost (a dry run: free); a test or live run whose estimate passes $1 asks at a
terminal, and needs `--yes` in scripts. `--max-cost` and the profile's budgets pause the run before the DM (or the
DM-history read) that could pass them; DMs already sent are recorded and the next run goes on.

Live DMs go out only with `--live`: at a terminal the command then asks, naming how many people will be messaged
(default No); in scripts `--yes` gives that answer. Without `--live` a live profile's run says what it would do
and sends nothing. Test sends and dry runs need neither flag. `--plan` prints the campaign's calendar (what goes out
on which day, to which tiers, at what cost) and exits: it sends nothing, reads only the database, and takes no
lock, so it also works while a campaign runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
from collections.abc import Callable
from typing import TextIO

from twexport_qt.billing.estimates import estimate_campaign, estimate_dry_run
from twexport_qt.campaigns.live_gate import LiveAudience, campaign_work, live_audience
from twexport_qt.campaigns.plan_calendar import build_calendar
from twexport_qt.campaigns.plan_report import render_text
from twexport_qt.campaigns.sender import CampaignResult, RunMode, StopReason, run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands.cost_prompt import (
    MAX_COST_HELP,
    confirm_cost,
    max_cost_argument,
    report_pause,
    show_estimate,
)
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
    run.add_argument("--live", action="store_true", help="send live DMs to followers (the profile must be in live "
                     "mode: master switch on, test mode off); asks for confirmation at a terminal")
    run.add_argument("--yes", action="store_true", help="confirm without asking (for scripts): live sending with "
                     "--live, and a cost estimate above $1")
    run.add_argument("--max-cost", dest="max_cost", metavar="USD", type=max_cost_argument, help=MAX_COST_HELP)
    run.add_argument("--plan", action="store_true", help="print the live campaign's calendar (DMs per day and tier, "
                     "retries, estimated cost) and exit; sends nothing")
    run.set_defaults(handler=_handle_run)


class LiveNotConfirmed(errors.ConfigError):
    """A live run was not confirmed on the command line: nothing was sent."""


def _handle_run(args: argparse.Namespace) -> int:
    """Errors reach `cli.main`, which prints them as one sentence."""
    if args.plan:
        return _print_plan(args)
    # Imported here: the app context wires settings, secrets and the database, which `--help` does not need.
    from twexport_qt.commands.session import command_session
    from twexport_qt.store.job_locks import JobKind

    # A dry run only rewrites the dry-run log; anything that may send holds the campaign lock, so two runs can
    # never take each other's claims for crash leftovers, and the daily cap holds across them.
    lock = None if args.dry_run else JobKind.DM_CAMPAIGN
    with command_session(args, lock=lock) as session:
        settings = session.campaign_settings()
        context = session.context
        if args.dry_run:
            show_estimate(estimate_dry_run(context.prices), simulated=context.is_sandbox)
        else:
            owner_id = context.known_owner_id()
            now = int(session.clock.now())
            audience = live_audience(session.conn, owner_id, settings, now)
            estimate = None
            if settings.dm_enabled:  # with the master switch off the run sends nothing and says so
                estimate = estimate_campaign(campaign_work(session.conn, owner_id, settings, now, audience),
                                             context.prices)
                show_estimate(estimate, simulated=context.is_sandbox, max_cost=args.max_cost)
            live_confirmed = confirm_on_command_line(settings, audience, live=args.live, yes=args.yes)
            if estimate is not None:  # a live run confirmed (at the terminal or by --yes) confirmed its cost too
                confirm_cost(estimate, yes=args.yes or live_confirmed, simulated=context.is_sandbox)
            settings = dataclasses.replace(settings, live_confirmed=live_confirmed)
        return run_dm_command(session.conn, session.gateway, session.pacer, session.clock, settings, args.dry_run,
                              cancel=session.cancel)


def _print_plan(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """`dm run --plan`: the calendar from the database alone. No lock (nothing is written or sent) and no network:
    the account id is the one the last fetch recorded."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.profile_mapping import campaign_settings

    if args.dry_run or args.live or args.yes:
        raise errors.ConfigError("--plan only prints the plan: use it without --dry-run, --live or --yes.")
    context = open_command_context(args)
    try:
        owner_id = context.known_owner_id()
        if owner_id is None:
            raise errors.ConfigError("No followers have been fetched for this profile yet, and the plan is made "
                                     "from them: run `followers fetch` first.")
        settings = campaign_settings(context.profile)
        conn = context.connect()
        try:
            calendar = build_calendar(conn, owner_id, settings, int(context.clock.now()))
        finally:
            conn.close()
    finally:
        context.close()
    print(render_text(calendar, profile=context.profile.name), file=out or sys.stdout)
    return EXIT_OK


def confirm_on_command_line(settings: CampaignSettings, audience: LiveAudience, *, live: bool, yes: bool,
                            ask: Callable[[str], str] | None = None, interactive: bool | None = None) -> bool:
    """Whether this run may send live DMs; raises LiveNotConfirmed (saying what the run would do) when not.

    Runs that send nothing live (master switch off, test mode) need no flag; `--live` on them is a mistake.
    """
    if not settings.sends_live:
        if live:
            raise LiveNotConfirmed("--live sends live DMs, but this profile is not in live mode (the master switch "
                                   "is off or test mode is on): change that in Settings first. Nothing was sent.")
        return False
    would = f"Live mode: this run would message {audience.describe()}"
    if not live:
        raise LiveNotConfirmed(f"{would} Nothing was sent: add --live to send (and --yes in scripts).")
    if yes:
        return True
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise LiveNotConfirmed(f"{would} Nothing was sent: add --yes to confirm live sending in a script.")
    answer = (ask or input)(f"{would}\nSend live DMs now? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise LiveNotConfirmed("Live sending was not confirmed. Nothing was sent.")
    return True


def run_dm_command(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    settings: CampaignSettings,
    dry_run: bool,
    out: TextIO | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Run the campaign with a one-line progress display; print a summary (to `out`, default the standard output
    of the moment, read at each call). Returns the process exit code."""
    out = out if out is not None else sys.stdout
    if dry_run:
        settings = dataclasses.replace(settings, dry_run=True)
    # No on_wait: a CLI run ends at the daily cap, and the summary says when the next DM may go out.
    progress_line = TerminalProgress(out, now=clock.now)
    try:
        result = run_campaign(conn, gateway, pacer, clock, settings, progress=progress_line.update, cancel=cancel)
    except errors.SpendLimitReached as stop:
        progress_line.close()
        return report_pause(stop, "DMs already sent are recorded; run again to continue.", out)
    except errors.Cancelled:
        progress_line.close()
        print("Cancelled. DMs already sent are recorded; run again to continue.", file=out)
        return EXIT_CANCELLED
    finally:
        progress_line.close()
    print(_describe(result), file=out)
    return EXIT_OK if result.stop_reason in (StopReason.DONE, StopReason.DAILY_CAP) else EXIT_STOPPED


def _describe(result: CampaignResult) -> str:
    heading = {RunMode.LIVE: "Campaign", RunMode.TEST: "Test send", RunMode.DRY_RUN: "Dry run",
               RunMode.OFF: "Campaign"}[result.mode]
    return f"{heading}: {result.summary()}"
