"""What a headless command needs: the app context, a DB connection, a gateway and a pacer, Ctrl+C as cancel,
and the job's cross-process lock."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TextIO

from twexport_qt.app_context import AppContext, open_context
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands.cost_prompt import report_pause
from twexport_qt.commands.interrupts import cancel_on_first_ctrl_c
from twexport_qt.commands.terminal_progress import TerminalProgress
from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import EXIT_CANCELLED
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.profile_mapping import campaign_settings
from twexport_qt.services.jobs import JOB_NAME_OF_LOCK, JobName, named_job_lock
from twexport_qt.store.job_locks import JobKind


@dataclass
class CommandSession:
    context: AppContext
    conn: sqlite3.Connection
    gateway: XGateway
    pacer: Pacer
    cancel: CancelToken
    display: TerminalProgress

    @property
    def clock(self) -> Clock:
        return self.context.clock

    def campaign_settings(self) -> CampaignSettings:
        return campaign_settings(self.context.profile)


def open_command_context(args: argparse.Namespace) -> AppContext:
    """The app context for a command; says on stderr which settings were reset and what a `--repair` did."""
    context = open_context(args)
    for problem in context.startup_problems:
        print(f"warning: {problem}", file=sys.stderr)
    if context.repair_report is not None:
        print(context.repair_report.describe(), file=sys.stderr)
    return context


@contextmanager
def command_session(args: argparse.Namespace, out: TextIO | None = None, *,
                    lock: JobKind | None = None, job: JobName | None = None) -> Iterator[CommandSession]:
    """Open everything for one command; the first Ctrl+C cancels cleanly (work done so far is kept).

    With `lock`, the job's lock is taken before anything talks to X: a second run of the same job refuses
    at once (JobAlreadyRunning) instead of racing the first. The profile's budgets and the command's
    `--max-cost` (if it has one) stop the job before a request that could pass them (SpendLimitReached).
    `job` is the spend ledger's name for the run, and what the lock's note calls it; by default the one its lock
    belongs to (`JOB_NAME_OF_LOCK`), which a job that shares another's lock (the following fetch takes the
    followers fetch's) must override.
    """
    context = open_command_context(args)
    cancel = CancelToken()
    display = TerminalProgress(out, now=context.clock.now)
    with ExitStack() as stack:
        stack.callback(context.close)
        stack.callback(display.close)
        if lock is not None:  # its note names the job: a second start sharing the lock is told which one runs
            stack.enter_context(named_job_lock(context, lock, job))
        restore_sigint = cancel_on_first_ctrl_c(cancel, display)
        stack.callback(restore_sigint)
        if job is None and lock is not None:
            job = JOB_NAME_OF_LOCK.get(lock)
        api = stack.enter_context(context.api_session(cancel, display.waiting, job=job,
                                                      max_cost=getattr(args, "max_cost", None)))
        yield CommandSession(context, api.conn, api.gateway, api.pacer, cancel, display)


PAGES_KEPT = "Pages fetched so far are saved; run the command again to resume."


def paged_fetch_stopped(session: CommandSession, stop: errors.SpendLimitReached | errors.Cancelled) -> int:
    """The exit of a resumable paged fetch (followers, following) that a spending limit paused or Ctrl+C
    cancelled: the progress line closed, what was kept and how to go on said, and the exit code."""
    session.display.close()
    if isinstance(stop, errors.SpendLimitReached):
        return report_pause(stop, PAGES_KEPT)
    print(f"Cancelled. {PAGES_KEPT}")
    return EXIT_CANCELLED
