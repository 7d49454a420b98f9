"""The subcommands of `main.py`. Each module has `register(subparsers)` that sets `handler` on its parser."""

from __future__ import annotations

import argparse

from twexport_qt.commands import (
    account_command,
    audience_command,
    dm_command,
    export_command,
    followers_command,
    following_command,
    import_command,
    sandbox_command,
    spend_command,
    tweets_command,
)

COMMAND_MODULES = (sandbox_command, account_command, followers_command, following_command, dm_command,
                   tweets_command, export_command, import_command, spend_command,
                   audience_command)  # audience_command adds to `followers`


def register_all(subparsers: argparse._SubParsersAction) -> None:
    for module in COMMAND_MODULES:
        module.register(subparsers)
