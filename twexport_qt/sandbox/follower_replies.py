"""Simulated followers who answer our DMs (`sandbox serve --replies RATE`), so a campaign's reply check meets real
replies outside the tests that write them by hand (`DmRecorder.reply`).

Deterministic: whether a follower replies, and what, is a pure function of (seed, follower id). A follower chosen
to reply answers once, `REPLY_DELAY_S` after our first DM to them. The sandbox makes the reply lazily, as it makes
followers: the first time their conversation is listed after that delay, with that moment as its time (X would have
had it a little earlier; the order of events, which is what a client compares, is the same). `STOP_SHARE` of the
replies opt out. Off (rate 0) unless asked for, so every existing scenario is unchanged.
"""

from __future__ import annotations

import threading

from twexport_qt.sandbox import det_random
from twexport_qt.sandbox.dm_recorder import DmEvent, DmRecorder

REPLY_DELAY_S = 3600.0
STOP_SHARE = 0.25
REPLY_TEXTS = ("Thanks, I'll have a look!", "Hi! Thanks for the message 🙂", "Cool, thank you.", "Merci !")
STOP_TEXTS = ("STOP", "stop please", "Not interested, thanks.", "No me interesa")


class FollowerReplies:
    def __init__(self, rate: float = 0.0, seed: int = 0) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"the reply rate must be between 0 and 1, got {rate:g}")
        self.rate = rate
        self._key = det_random.stream_key(seed, "dm_replies")
        self._lock = threading.Lock()  # two listings of one conversation at once must not both reply

    def replies(self, follower_id: int) -> bool:
        return self.rate > 0 and det_random.unit(self._key, follower_id) < self.rate

    def text_for(self, follower_id: int) -> str:
        # A second draw (index shifted past any id), so who replies and what they say are independent.
        draw = det_random.unit(self._key, follower_id + (1 << 62))
        texts = STOP_TEXTS if draw < STOP_SHARE else REPLY_TEXTS
        return texts[int(draw * 1_000_003) % len(texts)]

    def catch_up(self, dms: DmRecorder, follower_id: int, now: float) -> DmEvent | None:
        """Before the conversation with `follower_id` is listed: their reply, if it is due and not written yet."""
        if not self.replies(follower_id):
            return None
        with self._lock:
            events = dms.events_with(follower_id)  # newest first
            ours = [event for event in events if event.sender_id != follower_id]
            answered = len(ours) < len(events)
            if not ours or answered or now < ours[-1].created_at + REPLY_DELAY_S:  # ours[-1]: our first DM
                return None
            return dms.reply(follower_id, self.text_for(follower_id), now)
