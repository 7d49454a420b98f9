"""Every DM the sandbox accepted, so tests and the reconcile path can see what was "sent"."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from twexport_qt.sandbox.wire import format_time

_TWEPOCH_MS = 1_288_834_974_657


@dataclass(frozen=True)
class DmEvent:
    event_id: int
    participant_id: int
    sender_id: int
    text: str
    created_at: float
    conversation_id: str

    def to_json(self) -> dict[str, str]:
        return {"id": str(self.event_id), "event_type": "MessageCreate", "text": self.text,
                "sender_id": str(self.sender_id), "created_at": format_time(self.created_at),
                "dm_conversation_id": self.conversation_id}


def conversation_id(user_a: int, user_b: int) -> str:
    """One-to-one conversations are named '<smaller id>-<larger id>' by X."""
    low, high = sorted((user_a, user_b))
    return f"{low}-{high}"


class DmRecorder:
    def __init__(self) -> None:
        self._events: list[DmEvent] = []
        self._last_id = 0
        self._lock = threading.Lock()

    def record(self, *, sender_id: int, participant_id: int, text: str, now: float) -> DmEvent:
        with self._lock:
            # Snowflake-like and strictly increasing even when a FakeClock stands still.
            self._last_id = max(self._last_id + 1, (int(now * 1000) - _TWEPOCH_MS) << 22)
            event = DmEvent(self._last_id, participant_id, sender_id, text, now,
                            conversation_id(sender_id, participant_id))
            self._events.append(event)
            return event

    def count(self, participant_id: int | None = None) -> int:
        with self._lock:
            return sum(1 for e in self._events if participant_id is None or e.participant_id == participant_id)

    def events_with(self, participant_id: int) -> list[DmEvent]:
        """The conversation with one participant, newest first (as X lists dm_events)."""
        with self._lock:
            return [e for e in reversed(self._events) if e.participant_id == participant_id]

    def all_events(self) -> list[DmEvent]:
        """Every recorded event, oldest first."""
        with self._lock:
            return list(self._events)
