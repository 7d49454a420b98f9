"""Before a retry: did the follower answer our first DM, and did they ask us to stop? One conversation read decides.

A follower who answered must not get a "just checking in" message, and one who wrote "stop" must never hear from
us again (X's automation rules require honouring opt-outs). So just before a retry is claimed, the campaign reads
that one conversation's DM history (`GET /2/dm_conversations/with/:id/dm_events`), newest first, back to our first
DM: a MessageCreate written by the follower after our first DM is a reply. Only retries about to be sent are
checked, one at a time, through the Pacer (X allows 15 such reads per 15 minutes and bills each event returned),
never a sweep of every follower.

"After our first DM" compares X's event ids, which are snowflakes that grow with time, when our first DM's id is
known; otherwise (a DM imported from another tool) event times, with some clock skew counted as "after", so a
doubtful message stops the retry rather than letting it go out. X keeps 30 days of DM history: when the first DM
is older, the history simply ends before it and what is left is searched.

Anything that keeps the history from being read completely (an error, an answer with `errors`, events without a
sender) raises HistoryUnreadable: the caller must then not send the retry, never send it blindly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from twexport_qt.campaigns.opt_out import matched_phrase
from twexport_qt.core import errors
from twexport_qt.core.timefmt import parse_x_timestamp
from twexport_qt.gateway.pacing import ENDPOINT_DM_EVENTS, Pacer
from twexport_qt.gateway.x_gateway import Page, XGateway

CLOCK_SKEW_S = 120  # this machine's clock against X's, when times must be compared
# 500 events newer than our first DM and none from the follower cannot happen in a campaign conversation; past
# that the answer is taken as unreadable rather than as "no reply".
MAX_HISTORY_PAGES = 5
_TWEPOCH_MS = 1_288_834_974_657
_SNOWFLAKE_MIN = 1 << 32  # smaller ids predate snowflakes and carry no time (XAPI_FACTS §9.6)


class HistoryUnreadable(errors.ApiError):
    default_message = "X's DM history with this follower could not be read completely."


@dataclass(frozen=True)
class FirstDm:
    """Our first DM to the follower, the point after which their messages are replies."""

    event_id: str | None  # X's id of it; None for a DM recorded without one (imported from another tool)
    sent_at: int          # when it was claimed, epoch seconds


@dataclass(frozen=True)
class Reply:
    event_id: str
    created_at: int                # when the follower wrote, X's time (epoch seconds)
    opt_out_phrase: str | None     # the opt-out phrase it starts with, as written in the settings


@dataclass(frozen=True)
class ReplyCheck:
    replies: tuple[Reply, ...]     # newest first
    pages_read: int

    @property
    def replied(self) -> bool:
        return bool(self.replies)

    @property
    def opt_out_phrase(self) -> str | None:
        """The phrase of the newest reply that opted out: one "stop" is enough, whatever came after it."""
        return next((reply.opt_out_phrase for reply in self.replies if reply.opt_out_phrase), None)


def check_replies(
    gateway: XGateway,
    pacer: Pacer,
    follower_id: int,
    first_dm: FirstDm,
    opt_out_phrases: Sequence[str],
) -> ReplyCheck:
    """Every message `follower_id` wrote after `first_dm`, newest first. Raises HistoryUnreadable (or the
    gateway's errors, after the Pacer's retries) when X's answer cannot settle it."""
    found: list[Reply] = []
    token: str | None = None
    for pages in range(1, MAX_HISTORY_PAGES + 1):
        page = pacer.call(ENDPOINT_DM_EVENTS, partial(_history_page, gateway, follower_id, token))
        reached_first_dm = False
        for event in page.data:
            newer = _newer_than(event, first_dm)
            if not newer:
                reached_first_dm = True  # sorted newest first: nothing further back can be a reply
                break
            reply = _reply_in(event, follower_id, opt_out_phrases)
            if reply is not None:
                found.append(reply)
        if reached_first_dm or not page.next_token:  # no next page: the end of X's 30 days
            return ReplyCheck(tuple(found), pages)
        token = page.next_token
    if found:  # replied for sure; an older "stop" may hide further back, but no retry goes out either way
        return ReplyCheck(tuple(found), MAX_HISTORY_PAGES)
    raise HistoryUnreadable(f"X's DM history with this follower holds more than {MAX_HISTORY_PAGES * 100} "
                            "messages since the first DM; it was not read to the end.")


def _history_page(gateway: XGateway, follower_id: int, token: str | None) -> Page:
    return _complete(gateway.dm_events_with(follower_id, pagination_token=token))


def _complete(page: Page) -> Page:
    """Any `errors` in a DM-history answer make it incomplete: PartialAnswer, which the Pacer retries. A reply
    the answer left out would otherwise be taken for "no reply" and the retry sent."""
    if page.errors:
        detail = "; ".join(str(e.get("detail") or e.get("title") or "") for e in page.errors[:3])
        raise errors.PartialAnswer(f"X answered the DM history request with errors ({detail or 'no details'}).")
    return page


def _reply_in(event: dict[str, Any], follower_id: int, opt_out_phrases: Sequence[str]) -> Reply | None:
    if event.get("event_type", "MessageCreate") != "MessageCreate":
        return None  # joins and leaves of group conversations are not messages
    sender = str(event.get("sender_id") or "")
    if not sender.isdigit():
        # Without the sender, "they replied" and "we wrote" cannot be told apart (X sends sender_id only when
        # asked: the gateway asks, so its absence means an answer this version does not understand).
        raise HistoryUnreadable("X's DM history did not say who wrote each message.")
    if int(sender) != follower_id:
        return None
    created = _event_time(event)
    return Reply(str(event["id"]), created if created is not None else 0,
                 matched_phrase(str(event.get("text") or ""), opt_out_phrases))


def _newer_than(event: dict[str, Any], first_dm: FirstDm) -> bool:
    """Whether `event` came after our first DM. Raises HistoryUnreadable when nothing tells."""
    event_id = str(event.get("id") or "")
    if first_dm.event_id is not None and _is_snowflake(first_dm.event_id) and _is_snowflake(event_id):
        return int(event_id) > int(first_dm.event_id)
    created = _event_time(event)
    if created is None:
        raise HistoryUnreadable("X's DM history did not say when a message was written.")
    # Skew counts as "after": a message written just before our first DM is taken for a reply (no retry),
    # never the other way round.
    return created >= first_dm.sent_at - CLOCK_SKEW_S


def _event_time(event: dict[str, Any]) -> int | None:
    try:
        created = parse_x_timestamp(event.get("created_at"))
    except ValueError:
        created = None
    if created is not None:
        return created
    event_id = str(event.get("id") or "")
    return ((int(event_id) >> 22) + _TWEPOCH_MS) // 1000 if _is_snowflake(event_id) else None


def _is_snowflake(value: str) -> bool:
    return value.isdigit() and int(value) >= _SNOWFLAKE_MIN
