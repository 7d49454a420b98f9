"""The steps, modes and states of a logged DM, and the one wording of a follower's DM status.

`StrEnum` members equal the strings stored in `dm_log`, so rows read back compare equal to them and nothing
stored changes. The table, the tooltips and the exports all word a status through `dm_status_label`.
"""

from __future__ import annotations

from enum import StrEnum


class DmStep(StrEnum):
    FIRST = "first"
    RETRY = "retry"


class DmMode(StrEnum):
    LIVE = "live"
    TEST = "test"
    DRY_RUN = "dry_run"


class DmState(StrEnum):
    SENDING = "sending"  # claimed, outcome not known yet: reconciled with X's DM history before any resend
    SENT = "sent"
    SKIPPED = "skipped"  # X refused (403): this follower cannot receive DMs
    FAILED = "failed"
    DRY_RUN = "dry_run"


STATE_LABELS: dict[str, str] = {
    DmState.SENDING: "Unconfirmed",
    DmState.SENT: "Sent",
    DmState.SKIPPED: "Skipped",
    DmState.FAILED: "Failed",
    DmState.DRY_RUN: "Dry run",
}
NOT_MESSAGED = "Not messaged"


def dm_status_label(status: str | None) -> str:
    """A follower's live DM status as stored in `followers_repo` rows ("retry:sent", "first:skipped" or None):
    "Sent", "Retry: sent", "Not messaged"."""
    if not status:
        return NOT_MESSAGED
    step, _, state = status.partition(":")
    label = STATE_LABELS.get(state, state)
    return f"Retry: {label.lower()}" if step == DmStep.RETRY else label
