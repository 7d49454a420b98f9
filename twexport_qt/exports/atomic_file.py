"""Write a file so that readers only ever see the old content or the complete new content.

Exports can take minutes and may be cancelled, interrupted or crash half-way. Writing straight to the
target would leave a truncated CSV that looks valid, or destroy the previous export. Instead the data goes
to a hidden `.<name>.<random>.part` file in the same directory (same filesystem, so the final rename is
atomic), is fsynced, and is then renamed over the target with `os.replace`.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

PART_SUFFIX = ".part"
STALE_PART_AGE_SECONDS = 24 * 60 * 60

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
    """Delete `.*.part` files in `directory` last modified more than `max_age_seconds` ago.

    They are left behind only when the process died mid-write (a crash or power loss skips the cleanup in
    `atomic_write`). The age limit keeps a write that is still running in another instance safe.
    Returns the removed paths.
    """
    cutoff = (time.time() if now is None else now) - max_age_seconds
    removed: list[Path] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if not (entry.name.startswith(".") and entry.name.endswith(PART_SUFFIX)):
                continue
            try:
                # Never follow symlinks: only our own regular temp files are candidates.
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                os.unlink(entry.path)
            except FileNotFoundError:  # another instance cleaned it up first
                continue
            removed.append(Path(entry.path))
    return removed


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
