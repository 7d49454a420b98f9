from __future__ import annotations

from twexport_qt.campaigns.reconcile import CLOCK_SKEW_S, find_delivery
from twexport_qt.store.dm_repo import DmRow

OWNER = 1
CLAIMED_AT = 1_767_225_600  # 2026-01-01T00:00:00Z


def _row(text: str = "Hi Ann, see https://example.com/x") -> DmRow:
    return DmRow(1, OWNER, 42, "ann", "first", "live", "sending", text, "", None, CLAIMED_AT, CLAIMED_AT)


def _event(event_id: str, text: str, created_at: str = "2026-01-01T00:00:05.000Z", sender: str = "1") -> dict:
    return {"id": event_id, "event_type": "MessageCreate", "text": text, "created_at": created_at,
            "sender_id": sender}


def test_matches_our_text_sent_after_the_claim():
    assert find_delivery([_event("9", "Hi Ann, see https://example.com/x")], _row(), set()) == "9"


def test_links_rewritten_by_x_still_match():
    assert find_delivery([_event("9", "Hi Ann, see https://t.co/AbC123")], _row(), set()) == "9"


def test_other_texts_senders_and_credited_events_do_not_match():
    row = _row()
    events = [
        _event("1", "Hi Bob, see https://example.com/x"),
        _event("2", row.text, sender="42"),  # their reply quoting us
        _event("3", row.text),
    ]
    assert find_delivery(events, row, exclude_event_ids={"3"}) is None


def test_events_older_than_the_claim_do_not_match():
    old = f"2025-12-31T23:{59 - CLOCK_SKEW_S // 60}:00.000Z"
    assert find_delivery([_event("9", _row().text, created_at=old)], _row(), set()) is None
