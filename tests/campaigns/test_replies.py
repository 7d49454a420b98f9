"""Reading one conversation back to our first DM: what is a reply, when to stop paging, when not to decide."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_WORDS
from twexport_qt.campaigns.replies import (
    CLOCK_SKEW_S,
    MAX_HISTORY_PAGES,
    FirstDm,
    HistoryUnreadable,
    check_replies,
)
from twexport_qt.core import errors
from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.rate_limits import RateLimitBook
from twexport_qt.gateway.x_gateway import Page

ME, THEM = 1, 42
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z: our first DM
FIRST_ID = 2_000_000_000_000_000_000  # snowflake-sized ids; 2e18 is ~2025


class StubGateway:
    """`pages[i]` answers the i-th page (pagination tokens are the page numbers)."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        self.tokens: list[str | None] = []

    def dm_events_with(self, participant_id: int, pagination_token: str | None = None) -> Page:
        assert participant_id == THEM
        self.tokens.append(pagination_token)
        return self.pages[int(pagination_token or 0)]


def event(event_id: int, sender: int, text: str = "hi", at: int | None = None, **extra) -> dict:
    data = {"id": str(event_id), "event_type": "MessageCreate", "text": text, "sender_id": str(sender),
            "dm_conversation_id": f"{ME}-{THEM}"}
    if at is not None:
        data["created_at"] = f"{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H:%M:%S.000Z}"
    return {**data, **extra}


def page(*events: dict, next_token: str | None = None, errors_: list | None = None) -> Page:
    return Page(data=list(events), errors=errors_ or [], next_token=next_token, result_count=len(events))


OUR_FIRST_DM = FirstDm(str(FIRST_ID), T0)


def check(pages: list[Page], first: FirstDm = OUR_FIRST_DM):
    gateway = StubGateway(pages)
    result = check_replies(gateway, Pacer(RateLimitBook(), FakeClock()), THEM, first, DEFAULT_OPT_OUT_WORDS)
    return result, gateway.tokens


def test_a_message_from_them_after_our_first_dm_is_a_reply_and_reading_stops_at_our_dm():
    result, tokens = check([page(event(FIRST_ID + 9, THEM, "Thanks!"), event(FIRST_ID, ME),
                                 event(FIRST_ID - 9, THEM, "older chat"), next_token="1")])
    assert result.replied and [r.event_id for r in result.replies] == [str(FIRST_ID + 9)]
    assert result.opt_out_phrase is None and tokens == [None]  # never paged past our first DM


def test_their_messages_before_our_first_dm_and_ours_after_it_are_not_replies():
    result, _ = check([page(event(FIRST_ID + 5, ME, "a manual follow-up"), event(FIRST_ID, ME),
                            event(FIRST_ID - 1, THEM, "stop"))])
    assert not result.replied


def test_pages_back_until_our_first_dm_and_keeps_every_reply_newest_first():
    pages = [page(*(event(FIRST_ID + 500 - i, ME) for i in range(100)), next_token="1"),
             page(event(FIRST_ID + 300, THEM, "thanks"), event(FIRST_ID + 200, THEM, "STOP"),
                  event(FIRST_ID, ME), next_token="2"),
             page(event(FIRST_ID - 1, THEM))]
    result, tokens = check(pages)
    assert tokens == [None, "1"] and result.pages_read == 2
    assert [r.opt_out_phrase for r in result.replies] == [None, "stop"]
    assert result.opt_out_phrase == "stop"  # one "stop" is enough, whatever came after it


def test_history_that_ends_before_our_first_dm_is_complete():
    """X keeps 30 days: an older first DM is simply not there; the end of the history ends the search."""
    result, tokens = check([page(event(FIRST_ID + 1, THEM, "hello"), next_token="1"), page()])
    assert result.replied and tokens == [None, "1"]


def test_without_our_event_id_times_decide_and_skew_counts_as_a_reply():
    imported = FirstDm(None, T0)  # a DM another tool sent
    result, _ = check([page(event(1, THEM, "late", at=T0 - CLOCK_SKEW_S + 1),
                            event(2, THEM, "early", at=T0 - CLOCK_SKEW_S - 1))], imported)
    assert [r.event_id for r in result.replies] == ["1"] and result.replies[0].created_at == T0 - CLOCK_SKEW_S + 1


def test_event_time_comes_from_created_at_or_the_snowflake():
    result, _ = check([page(event(FIRST_ID + 1, THEM, "yo", at=T0 + 60))])
    assert result.replies[0].created_at == T0 + 60
    result, _ = check([page(event(FIRST_ID + (5000 << 22), THEM, "yo"))])
    assert result.replies[0].created_at > 1_600_000_000  # decoded from the id


def test_events_without_a_sender_are_not_guessed():
    with pytest.raises(HistoryUnreadable, match="who wrote"):
        check([page(event(FIRST_ID + 1, THEM, sender_id=None))])


def test_without_ids_or_times_nothing_is_decided():
    with pytest.raises(HistoryUnreadable, match="when"):
        check([page(event(5, THEM))], FirstDm(None, T0))


def test_an_answer_with_errors_is_retried_then_refused():
    with pytest.raises(errors.PartialAnswer):
        check([page(event(FIRST_ID + 1, THEM), errors_=[{"title": "Service Unavailable"}])])


def test_too_long_a_history_without_a_reply_is_not_taken_for_no_reply():
    ours = [page(*(event(FIRST_ID + 1000 - i, ME) for i in range(100)), next_token=str(n + 1))
            for n in range(MAX_HISTORY_PAGES + 1)]
    with pytest.raises(HistoryUnreadable):
        check(ours)
    ours[0].data.insert(0, event(FIRST_ID + 2000, THEM, "ok"))
    result, tokens = check(ours)  # a reply was seen: no retry either way
    assert result.replied and len(tokens) == MAX_HISTORY_PAGES


def test_other_event_types_are_not_messages():
    result, _ = check([page(event(FIRST_ID + 1, THEM, event_type="ParticipantsLeave"))])
    assert not result.replied
