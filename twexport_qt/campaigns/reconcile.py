"""Did a DM we claimed but never confirmed actually go out? Ask X's DM history with that person.

A 'sending' row means the app stopped (crash, kill, lost connection) somewhere between committing the claim
and committing the result, or that X's answer did not say how the send ended (a timeout, a reset after the
request left, a 5xx, a 2xx without an event id). If the conversation holds a message from us with the claimed
text, created after the claim, the DM went out: record its event id. If not, and the claim is older than
`RECONCILE_GRACE_S`, it never left and may be sent now; a younger one waits (X may still be processing it).

Matching is deliberately tolerant where X rewrites things and strict where duplicates could hide:
- links are compared as "a link" because X wraps URLs in t.co links inside DM events;
- an event already credited to another log row (e.g. a test send to the same person) never matches twice;
- event times may trail the claim by a little clock skew between this machine and X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from twexport_qt.core.timefmt import parse_x_timestamp
from twexport_qt.gateway.pacing import ENDPOINT_DM_EVENTS, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway
from twexport_qt.store.dm_repo import DmRow

CLOCK_SKEW_S = 120
# How long after a claim "not in X's DM history" may be taken for "never sent". A request in flight when the app
# was killed, or whose answer was lost to a timeout or a reset, can still be processed by X a little later;
# resending before then could message the person twice. Well above the client's 60 s read timeout.
RECONCILE_GRACE_S = 600
MAX_HISTORY_PAGES = 5  # 500 events: far more than a conversation gets between a claim and a restart
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    event_id: str | None = None


def comparable_text(text: str) -> str:
    return _SPACE.sub(" ", _URL.sub("<link>", text)).strip()


def find_delivery(events: Iterable[dict], row: DmRow, exclude_event_ids: set[str]) -> str | None:
    """The id of the event in `events` that is this row's DM, or None."""
    wanted = comparable_text(row.text)
    earliest = row.created_at - CLOCK_SKEW_S
    for event in events:
        event_id = str(event.get("id", ""))
        if not event_id or event_id in exclude_event_ids:
            continue
        if event.get("event_type", "MessageCreate") != "MessageCreate":
            continue
        sender = event.get("sender_id")
        if sender is not None and int(sender) != row.owner_id:
            continue
        created = parse_x_timestamp(event.get("created_at"))
        if created is not None and created < earliest:
            continue
        if comparable_text(event.get("text", "")) == wanted:
            return event_id
    return None


def check_delivery(gateway: XGateway, pacer: Pacer, row: DmRow, exclude_event_ids: set[str]) -> Delivery:
    """Search the conversation with the row's recipient, newest first, back to the claim time.

    Errors propagate: when X cannot be asked, the row must stay unconfirmed rather than be sent again.
    """
    token: str | None = None
    for _ in range(MAX_HISTORY_PAGES):
        # Only errors in the answer is "X could not say", never "not there": that would resend the DM.
        page = pacer.call(ENDPOINT_DM_EVENTS, partial(_history_page, gateway, row.recipient_id, token))
        event_id = find_delivery(page.data, row, exclude_event_ids)
        if event_id is not None:
            return Delivery(True, event_id)
        if not page.next_token or _reached_before_claim(page.data, row):
            break
        token = page.next_token
    return Delivery(False)


def _history_page(gateway: XGateway, recipient_id: int, token: str | None) -> Page:
    return gateway.dm_events_with(recipient_id, pagination_token=token).require_data("the DM history check")


def _reached_before_claim(events: list[dict], row: DmRow) -> bool:
    times = [parse_x_timestamp(event.get("created_at")) for event in events]
    known = [t for t in times if t is not None]
    return bool(known) and min(known) < row.created_at - CLOCK_SKEW_S
