"""Write a file so that readers only ever see the old content or the complete new content.

Exports can take minutes and may be cancelled, interrupted or crash half-way. Writing straight to the
target would leave a truncated CSV that looks valid, or destroy the previous export. Instead the data goes
to a hidden `.<name>.<random>.part` file in the same directory (same filesystem, so the final rename is
atomic), is fsynced, and is then renamed over the target with `os.replace`.

A process killed outright (SIGKILL, power loss) cannot remove its part file, so each `atomic_write` first
sweeps stale part files from the target's folder (`remove_stale_parts`, which the app can also call for a
folder at start). Only names of exactly our shape are candidates, never through a symlink, and only once
they have not been modified for `STALE_PART_AGE_SECONDS`.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
STALE_PART_AGE_SECONDS = 15 * 60
"""A part file untouched this long belongs to a dead writer. A live writer keeps modifying its part file: the
csv writer flushes its buffer every few kilobytes, so even a slow export (a 1,000-row chunk every second or so)
refreshes the mtime many times a minute; 15 minutes is far above any pause between two writes (waiting for
the first rows of an export query takes seconds), yet short enough that a killed export's leftover is gone by
the next export. Should a writer ever stall longer on POSIX, deleting its open part file does not corrupt
anything: its final rename fails with an error and the previous export is left as it was; on Windows an
open file cannot be deleted and is skipped."""

# `tempfile.mkstemp(prefix=".<name>.", suffix=".part")`: a dot, the (shortened) target name, a dot, 8 random
# characters from tempfile's alphabet, ".part". Matching the whole shape keeps the sweep away from other
# programs' hidden files in a folder the user chose (Downloads, Documents).
_PART_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(PART_SUFFIX), re.DOTALL)

# Keeps `.<name>.<random>.part` under the usual 255-byte name limit even for 4-byte UTF-8 characters.
_MAX_NAME_CHARS_IN_TEMP = 48
_WRITE_MODES = frozenset({"w", "wt", "wb"})
_umask_lock = threading.Lock()


@contextmanager
def atomic_write(
    path: Path | str,
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = "",
) -> Iterator[IO[Any]]:
    """Yield a file object whose content replaces `path` only if the `with` block completes.

    On any exception (including `Cancelled` and `KeyboardInterrupt`) the temporary file is removed, the
    exception propagates and a pre-existing `path` is left untouched. `encoding` and `newline` apply to
    text modes only; the default `newline=""` is what the csv module requires.
    """
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_write supports modes {sorted(_WRITE_MODES)}, not {mode!r}")
    binary = "b" in mode
    target = Path(path)
    _sweep_quietly(target.parent)
    # mkstemp creates the file 0600 with O_EXCL: nobody else can read a half-written export or race us.
    fd, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name[:_MAX_NAME_CHARS_IN_TEMP]}.", suffix=PART_SUFFIX
    )
    temp = Path(temp_name)
    try:
        try:
            file = os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline)
        except BaseException:
            os.close(fd)
            raise
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        # Exports belong to the user: once complete, give the file the mode any new file would get.
        os.chmod(temp, _default_new_file_mode())
        os.replace(temp, target)
    except BaseException:
        _remove_if_present(temp)
        raise
    _fsync_directory(target.parent)


def remove_stale_parts(
    directory: Path | str,
    *,
    max_age_seconds: float = STALE_PART_AGE_SECONDS,
    now: float | None = None,
) -> list[Path]:
    """Delete the `.<name>.<random>.part` files in `directory` last modified more than `max_age_seconds` ago.

    They are left behind only when a writer died mid-write (SIGKILL, a crash or power loss skips the cleanup
    in `atomic_write`); the age limit keeps a write still running in another instance safe (see
    `STALE_PART_AGE_SECONDS`). Symlinks and directories are never followed nor removed, whatever their name.
    A file that cannot be examined or removed (permissions, removed meanwhile) is skipped. Returns the removed
    paths. Raises OSError only if `directory` itself cannot be listed.
    """
    cutoff = (time.time() if now is None else now) - max_age_seconds
    removed: list[Path] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if not _PART_NAME.fullmatch(entry.name):
                continue
            try:
                # lstat semantics: a symlink is judged as itself, so its target is never touched.
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                os.unlink(entry.path)  # unlink removes a name; it never follows a link swapped in meanwhile
            except FileNotFoundError:  # another instance cleaned it up first
                continue
            except OSError as error:
                log.warning("Could not remove the stale part file %s: %s", entry.path, error)
                continue
            log.info("Removed a stale part file left by an interrupted export: %s", entry.path)
            removed.append(Path(entry.path))
    return removed


def _sweep_quietly(directory: Path) -> None:
    """The sweep must never stop an export: a folder we cannot list fails clearly in mkstemp right after."""
    try:
        remove_stale_parts(directory)
    except OSError as error:
        log.warning("Could not look for stale part files in %s: %s", directory, error)


def _default_new_file_mode() -> int:
    return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # os.umask can only be read by setting it. While it is swapped, other threads creating files get the
    # restrictive 0o077, so the race errs towards privacy rather than exposure.
    with _umask_lock:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _remove_if_present(path: Path) -> None:
    # Must not mask the exception being handled; anything left behind is swept by remove_stale_parts.
    try:
        path.unlink()
    except OSError:
        pass


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself, so a power loss cannot bring back the old file (POSIX only)."""
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows cannot open directories; NTFS journals the rename.
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # Best effort: the export is complete and in place; some filesystems refuse directory fsync.
