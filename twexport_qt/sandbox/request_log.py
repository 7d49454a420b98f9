"""One JSON line per request the sandbox handled, so tests driving real app processes can see what X saw.

Each line is written and flushed before the answer goes out, so a client that has its answer (or its dropped
connection) can already read the line. Lines from concurrent requests never interleave (one lock, one write).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO


@dataclass(frozen=True)
class RequestLogEntry:
    t: float  # sandbox clock (epoch seconds) when the request arrived
    method: str
    endpoint: str | None  # the `Endpoint` name; None for an unknown route
    path: str
    query: dict[str, str]
    status: int | None  # None: the connection was closed without an answer
    fault: str | None  # the `FaultKind` that shaped the answer, if any
    items: int | None  # objects in `data` of a list answer (0 for an empty page), else None
    auth: str | None  # "user" / "app" once authenticated
    participant_id: int | None  # DM endpoints: the path's participant
    dm_event_id: str | None  # a DM send that was recorded (even when its answer was then dropped)


class RequestLog:
    """Appends `RequestLogEntry` lines to `path` (created if missing, never truncated)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._file: TextIO | None = self._open()  # opened now: a bad path fails at start-up

    def write(self, entry: RequestLogEntry) -> None:
        line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            if self._file is None:  # closed by a server stop; a restarted server logs on
                self._file = self._open()
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _open(self) -> TextIO:
        return self.path.open("a", encoding="utf-8")


def read_entries(path: str | Path) -> list[dict[str, Any]]:
    """Every line of a request log, parsed (for tests and tools)."""
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
