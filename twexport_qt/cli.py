"""Command line: no subcommand opens the window; subcommands run the same domain code headless."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from twexport_qt import APP_NAME, __version__
from twexport_qt.commands import registry


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}: followers, DM campaigns and tweet datasets for your X account. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where the database, settings and logs live "
                        "(default: the platform's app data folder, or $TWEXPORT_HOME)")
    parser.add_argument("--profile", metavar="NAME", help="profile to use (default: the active one; 'Sandbox' "
                        "is the built-in simulated account)")
    parser.add_argument("--self-check", action="store_true", help="open the window offscreen on the sandbox, "
                        "fetch followers, filter, export a CSV to a temp dir, print what was done and exit")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    registry.register_all(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_check:
        from twexport_qt.self_check import run_self_check

        return run_self_check(args)
    if args.command is None:
        from twexport_qt.ui.application import run_gui

        return run_gui(args)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
