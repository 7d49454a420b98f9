"""The DM record on disk (`--state FILE`), so a restarted sandbox still knows what was sent, as X would.

Written whole after every recorded DM, atomically (temp file in the same folder + os.replace): a sandbox killed
mid-write leaves the previous record, never half a file. A missing file is an empty record (and is created at
once, so an unwritable path fails at start-up, not on the first DM). A file that exists but cannot be read as
a record is an error: starting empty would forget sent DMs, which X never does.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

FORMAT_VERSION = 1
T = TypeVar("T")


class SandboxStateError(Exception):
    """The state file cannot be used: unreadable, not a sandbox DM record, or not writable."""


def load(path: Path, decode: Callable[[dict[str, Any]], T]) -> tuple[list[T], int]:
    """The events (oldest first) and the last event id handed out; ([], 0) when the file does not exist.
    `decode` turns one entry written by `save` back into an event (KeyError/ValueError/TypeError: invalid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], 0
    except (OSError, UnicodeDecodeError) as exc:
        raise SandboxStateError(f"cannot read the sandbox state file {path}: {exc}") from None
    try:
        document = json.loads(text)
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown version {document.get('version')!r}")
        entries = document["events"]
        if not isinstance(entries, list):
            raise TypeError("`events` is not a list")
        events = [decode(entry) for entry in entries]
        last_id = max([int(document["last_event_id"]), *(int(entry["id"]) for entry in entries)])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SandboxStateError(f"the sandbox state file {path} is not a valid DM record "
                                f"({type(exc).__name__}: {exc}); "
                                "fix it, or delete it to start with no DMs sent") from None
    return events, last_id


def save(path: Path, entries: Sequence[dict[str, Any]], last_id: int) -> None:
    document = {"version": FORMAT_VERSION, "last_event_id": str(last_id), "events": list(entries)}
    payload = json.dumps(document, ensure_ascii=False, indent=1)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SandboxStateError(f"cannot write the sandbox state file {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # No fsync: the file must survive the sandbox being killed (the page cache does), not a power cut.
            handle.write(payload)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise

