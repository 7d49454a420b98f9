"""Every DM the sandbox accepted, so tests and the reconcile path can see what was "sent", and the followers'
replies, so a campaign can see who answered.

Each event belongs to the one-to-one conversation between the sandbox account and `participant_id`: a DM we sent
has `sender_id` = the account, a reply has `sender_id` = `participant_id` (`reply`, or `follower_replies.py`).
With a state file the record survives a sandbox restart (see `dm_state`): X never forgets a sent DM either.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twexport_qt.sandbox import dm_state
from twexport_qt.sandbox.population import SANDBOX_USER_ID
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

    def to_state(self) -> dict[str, Any]:
        """The state file's entry; ids as strings, as X writes them (64-bit ids lose digits in JavaScript)."""
        return {"id": str(self.event_id), "participant_id": str(self.participant_id),
                "sender_id": str(self.sender_id), "text": self.text, "created_at": self.created_at,
                "dm_conversation_id": self.conversation_id}

    @classmethod
    def from_state(cls, entry: dict[str, Any]) -> DmEvent:
        if not isinstance(entry["text"], str):
            raise TypeError("a DM text is not a string")
        return cls(event_id=int(entry["id"]), participant_id=int(entry["participant_id"]),
                   sender_id=int(entry["sender_id"]), text=entry["text"], created_at=float(entry["created_at"]),
                   conversation_id=str(entry["dm_conversation_id"]))


def conversation_id(user_a: int, user_b: int) -> str:
    """One-to-one conversations are named '<smaller id>-<larger id>' by X."""
    low, high = sorted((user_a, user_b))
    return f"{low}-{high}"


class DmRecorder:
    """`state_file`: load the record from it (missing: empty) and rewrite it after every recorded DM."""

    def __init__(self, state_file: str | Path | None = None) -> None:
        self._state_file = Path(state_file) if state_file is not None else None
        self._events: list[DmEvent] = []
        self._last_id = 0
        self._lock = threading.Lock()
        if self._state_file is not None:
            self._events, self._last_id = dm_state.load(self._state_file, DmEvent.from_state)
            self._save()  # creates a missing file now: an unwritable path fails at start-up, not mid-campaign

    def record(self, *, sender_id: int, participant_id: int, text: str, now: float) -> DmEvent:
        """A message in the conversation with `participant_id`, from the account or (sender_id = participant_id)
        from them."""
        with self._lock:
            # Snowflake-like and strictly increasing even when a FakeClock stands still.
            self._last_id = max(self._last_id + 1, (int(now * 1000) - _TWEPOCH_MS) << 22)
            event = DmEvent(self._last_id, participant_id, sender_id, text, now,
                            conversation_id(SANDBOX_USER_ID, participant_id))
            self._events.append(event)
            # Saved before the answer goes out, so a sandbox killed right after a 201 still knows the DM.
            self._save()
            return event

    def reply(self, participant_id: int, text: str, now: float) -> DmEvent:
        """`participant_id` writes to the account (a reply to our DMs)."""
        return self.record(sender_id=participant_id, participant_id=participant_id, text=text, now=now)

    def count(self, participant_id: int | None = None) -> int:
        """DMs the account sent (to `participant_id`, or to anyone); replies are not counted."""
        with self._lock:
            return sum(1 for e in self._events if e.sender_id != e.participant_id
                       and (participant_id is None or e.participant_id == participant_id))

    def events_with(self, participant_id: int) -> list[DmEvent]:
        """The conversation with one participant, newest first (as X lists dm_events)."""
        with self._lock:
            return [e for e in reversed(self._events) if e.participant_id == participant_id]

    def all_events(self) -> list[DmEvent]:
        """Every recorded event, oldest first."""
        with self._lock:
            return list(self._events)

    def _save(self) -> None:
        if self._state_file is not None:
            dm_state.save(self._state_file, [event.to_state() for event in self._events], self._last_id)
