"""What a headless command needs: the app context, a DB connection, a gateway and a pacer, and Ctrl+C as cancel."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from twexport_qt.app_context import AppContext, open_context
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands.interrupts import cancel_on_first_ctrl_c
from twexport_qt.commands.terminal_progress import TerminalProgress
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.profile_mapping import campaign_settings


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


@contextmanager
def command_session(args: argparse.Namespace, out: TextIO | None = None) -> Iterator[CommandSession]:
    """Open everything for one command; the first Ctrl+C cancels cleanly (work done so far is kept)."""
    context = open_context(args)
    cancel = CancelToken()
    display = TerminalProgress(out, now=context.clock.now)
    restore_sigint = cancel_on_first_ctrl_c(cancel, display)
    try:
        with context.api_session(cancel, display.waiting) as api:
            yield CommandSession(context, api.conn, api.gateway, api.pacer, cancel, display)
    finally:
        restore_sigint()
        display.close()
        context.close()
