"""Command line: no subcommand opens the window; subcommands run the same domain code headless.

Whatever goes wrong reaches the user as one sentence on stderr with an exit code (see `core.errors`), never as
a traceback: tracebacks go to the log file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from twexport_qt import APP_NAME, __version__
from twexport_qt.core.errors import EXIT_CANCELLED, EXIT_JOB_STOPPED
from twexport_qt.gateway.routing import API_BASE_URL_ENV

log = logging.getLogger(__name__)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The command line. Without `commands`: only the options of the desktop app (no --help, no --version), to
    tell a plain start from a command without importing every command's module."""
    parser = argparse.ArgumentParser(
        prog="main.py", add_help=commands,
        description=f"{APP_NAME}: followers, DM campaigns and tweet datasets for your X account. "
        "Without a command, opens the desktop app.",
    )
    if commands:
        parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where the database, settings and logs live "
                        "(default: the platform's app data folder, or $TWEXPORT_HOME)")
    parser.add_argument("--profile", metavar="NAME", help="profile to use (default: the active one; 'Sandbox' "
                        "is the built-in simulated account)")
    parser.add_argument("--api-base-url", metavar="URL", help="send the profile's X API traffic to this address "
                        "instead of X, e.g. a shared `sandbox serve` (loopback addresses only; or set "
                        f"${API_BASE_URL_ENV})")
    parser.add_argument("--repair", action="store_true", help="if the database is damaged, move it aside (it is "
                        "kept, renamed) and start a new one with what can be read from it")
    parser.add_argument("--self-check", action="store_true", help="open the window offscreen on the sandbox, "
                        "fetch followers, filter, export a CSV to a temp dir, print what was done and exit")
    if not commands:
        parser.set_defaults(command=None)
        return parser
    from twexport_qt.commands import registry  # every command's module: only when a command may be asked for

    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    registry.register_all(subcommands)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments; a plain start of the desktop app (only its options given) is read without the commands'
    modules, which would add a second to its start."""
    plain, rest = build_parser(commands=False).parse_known_args(argv)
    if not rest:
        return plain
    return build_parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    _start_logging(args)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:  # a second Ctrl+C: stop at once; committed work is kept
        print("Stopped. Work saved so far is kept; run the command again to resume.", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        return report_failure(exc, args)


def _start_logging(args: argparse.Namespace) -> None:
    """Log to the data folder from the start, so a failure before the app context exists is logged too.

    Best effort: a data folder that cannot be written is reported as a sentence by whatever needs it next.
    """
    from twexport_qt import paths
    from twexport_qt.app_logging import configure_logging

    logging.getLogger("twexport_qt").addHandler(logging.NullHandler())  # never Python's stderr fallback
    if args.command in (None, "sandbox") or args.self_check:
        return  # the desktop app and the self-check set up their own log; the sandbox keeps none
    try:
        configure_logging(paths.data_dir(args.data_dir) / paths.LOG_FILE_NAME)
    except OSError:
        pass


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_check:
        from twexport_qt.self_check import run_self_check

        return run_self_check(args)
    if args.command is None:
        # The Qt-free session code first: PySide6's import hook reads the source of every module imported after
        # PySide6 (PYSIDE-2029, looking for `from __feature__`), a third of the start-up's imports otherwise.
        importlib.import_module("twexport_qt.app_context")
        from twexport_qt.ui.application import run_gui

        return run_gui(args)
    return args.handler(args)


def report_failure(exc: BaseException, args: argparse.Namespace | None = None) -> int:
    """Print one sentence for `exc` on stderr, log the traceback, and return the exit code."""
    from twexport_qt.failures import as_user_error

    error = as_user_error(exc, database=_database_path(args))
    if error is None:
        log.error("Unexpected error", exc_info=exc)
        print(f"error: {APP_NAME} stopped because of an unexpected error ({type(exc).__name__}). The details are "
              "in the log file; work saved so far is kept.", file=sys.stderr)
        return EXIT_JOB_STOPPED
    log.warning("Stopped: %s", error.user_message, exc_info=exc)
    print(f"error: {error.user_message}", file=sys.stderr)
    return error.exit_code


def _database_path(args: argparse.Namespace | None) -> Path | None:
    from twexport_qt import paths

    try:
        return paths.resolve_data_dir(getattr(args, "data_dir", None)) / paths.DATABASE_FILE_NAME
    except (OSError, RuntimeError, ValueError):  # only used to name the file in a message
        return None


if __name__ == "__main__":
    sys.exit(main())
