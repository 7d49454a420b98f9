"""Sentences for failures that come from the machine, not from the app: a full disk, a read-only folder, a
damaged database, input nested too deeply to read.

The CLI's top level and the GUI's job workers pass what they catch through `as_user_error`; whatever it
recognises reaches the user as one sentence, and the traceback only goes to the log.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from twexport_qt.core.errors import TwExportError
from twexport_qt.core.os_errors import DISK_FULL, NOT_WRITABLE, describe_os_error
from twexport_qt.store.database import database_error


class MachineProblem(TwExportError):
    """Something about files, folders or the disk that the user has to fix."""


def as_user_error(exc: BaseException, *, database: Path | None = None) -> TwExportError | None:
    """The error to show for `exc`, or None when it is a bug (then: log it, say so in general words)."""
    if isinstance(exc, TwExportError):
        return exc
    if isinstance(exc, sqlite3.Error):
        return database_error(exc, database or Path("the database"))
    if isinstance(exc, OSError):
        return _os_error(exc)
    if isinstance(exc, RecursionError):
        return MachineProblem("The input is nested too deeply to be read (a settings or JSON file built to "
                              "break programs?). Nothing was changed.")
    if isinstance(exc, MemoryError):
        return MachineProblem("This computer ran out of memory. Close other programs and try again; nothing "
                              "saved so far is lost.")
    return None


def failure_sentence(what: str, exc: BaseException) -> str:
    """What to tell the user when `what` (e.g. "Fetching followers") ended with `exc`: the known sentence, or a
    general one for a bug. The caller logs the traceback."""
    known = as_user_error(exc)  # a full disk, a read-only folder, a damaged database: say which
    if known is not None:
        return known.user_message
    return (f"{what} stopped because of an unexpected error ({type(exc).__name__}). Details are in the log file; "
            "nothing saved so far is lost.")


def _os_error(exc: OSError) -> TwExportError:
    name = exc.filename if exc.filename is not None else "a file"
    cause = describe_os_error(exc)
    if exc.errno in DISK_FULL:
        return MachineProblem(f"The disk is full (while writing {name}). Free some space and try again; nothing "
                              "saved so far is lost.")
    if exc.errno in NOT_WRITABLE:
        return MachineProblem(f"TwExport may not write {name} ({cause}). Make it writable, choose another place, "
                              "or another data folder with --data-dir.")
    if exc.errno == errno.EISDIR:
        return MachineProblem(f"{name} is a folder, not a file. Move it away or choose another name.")
    if exc.errno == errno.ENOENT:
        return MachineProblem(f"{name} does not exist.")
    return MachineProblem(f"Could not use {name} ({cause}).")
