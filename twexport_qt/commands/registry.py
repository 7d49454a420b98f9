"""The list of subcommand modules. Each has `register(subparsers)` that sets `handler` on its parser."""

from __future__ import annotations

import argparse
import importlib

COMMAND_MODULES = [
    "twexport_qt.commands.sandbox_command",
    "twexport_qt.commands.followers_command",
    "twexport_qt.commands.dm_command",
    "twexport_qt.commands.tweets_command",
    "twexport_qt.commands.export_command",
]


def register_all(subparsers: argparse._SubParsersAction) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
