"""The campaign calendar in words: the same text for `dm run --plan`, the DM tab's Plan and the live-sending
question. The DM tab shows the calendar's days in its own table; `dm run --plan` prints them as text here."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from twexport_qt.campaigns.plan_calendar import (
    DM_CREATE_PRICE_USD,
    DM_EVENT_READ_PRICE_USD,
    DM_EVENT_READS_PER_RETRY,
    PRICES_AS_OF,
    X_DMS_PER_WINDOW,
    CampaignCalendar,
    PlanDay,
)
from twexport_qt.campaigns.settings import X_DAILY_DM_LIMIT
from twexport_qt.core.timefmt import to_utc_datetime


def money(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"  # half a cent up, as on a bill


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def mode_line(calendar: CampaignCalendar) -> str:
    """Whether this plan is what happens now or what live sending would do."""
    if calendar.test_mode:
        return ("Test mode is on: only your test accounts get DMs now. This is what live sending would do, "
                "from now on, once you turn test mode off.")
    if not calendar.sends_live:
        return "The master switch is off: nothing is sent. This is what live sending would do once you turn it on."
    if not calendar.live_confirmed:
        return "Live sending is on but not confirmed: nothing goes out until you confirm it. This is what would."
    return "Live sending is on: this is what goes out."


def header_lines(calendar: CampaignCalendar, profile: str | None = None) -> list[str]:
    c = calendar
    started = to_utc_datetime(c.start).strftime("%Y-%m-%d %H:%M UTC")
    whose = f" for profile {profile!r}," if profile else ""
    lines = [f"Campaign plan{whose} from {started}. Days are UTC dates.", mode_line(c)]
    if c.followers == 0:
        lines.append("No followers fetched yet: fetch followers first, the plan is made from them.")
        return lines
    if c.retry_after_days is None:
        due = f"{_n(c.due_first, 'first DM', 'first DMs')} (no retry message, so no retries)"
    else:
        due = f"{_n(c.due_first, 'first DM', 'first DMs')} and {_n(c.due_retry, 'retry', 'retries')}"
        if c.waiting_retry:
            due += (f"; {_n(c.waiting_retry, 'more retry waits for its', 'more retries wait for their')} day"
                    " (retries of first DMs already sent)")
    lines.append(f"Due now: {due}. {_n(c.skipped, 'follower is', 'followers are')} left out: they don't accept DMs.")
    pace = (f"Pace: at most {c.daily_cap:,} DMs per 24 hours, your daily cap (X allows {X_DAILY_DM_LIMIT:,} per "
            f"24 hours at {X_DMS_PER_WINDOW} per 15 minutes, so your cap is what limits); "
            f"{_n(c.sent_last_24h, 'DM was', 'DMs were')} sent in the last 24 hours and count against it.")
    if c.retry_after_days is not None:
        pace += (f" Each retry goes out {_n(c.retry_after_days, 'day', 'days')} after its first DM, before any first "
                 "DM that is due at the same time.")
    lines.append(pace)
    return lines


def tiers_text(calendar: CampaignCalendar, day: PlanDay) -> str:
    """'first: Power user 40, Rising 360; retries: Regular 12'"""
    parts = []
    for label, counts in (("first", day.first_by_tier), ("retries", day.retry_by_tier)):
        named = [f"{name} {count:,}" for name, count in zip(calendar.tiers, counts) if count]
        if named:
            parts.append(f"{label}: {', '.join(named)}")
    return "; ".join(parts)


def footer_lines(calendar: CampaignCalendar) -> list[str]:
    c = calendar
    if c.followers == 0:
        return []
    sending = [day for day in c.days if day.first or day.retry]
    if not sending and not (c.later_first or c.later_retry):
        return ["Nothing to send: every follower the campaign reaches has had the DMs that are due."]
    lines = []
    if sending:
        last = sending[-1]
        lines.append(f"Within {c.horizon_days} days: {_n(c.first, 'first DM', 'first DMs')} and "
                     f"{_n(c.retry, 'retry', 'retries')}, the last on {last.date.isoformat()} (day {last.day}), "
                     f"{money(c.cost_usd)}.")
    if c.later_first or c.later_retry:
        lines.append(f"And {c.later_first + c.later_retry:,} more after {c.horizon_end.isoformat()}: "
                     f"{_n(c.later_first, 'first DM', 'first DMs')} and {_n(c.later_retry, 'retry', 'retries')}, "
                     f"{money(c.total_cost_usd - c.cost_usd)}.")
    first, retry = c.first + c.later_first, c.retry + c.later_retry
    lines.append(
        f"Estimated cost: {money(c.total_cost_usd)} = {first + retry:,} DM creates × {money3(DM_CREATE_PRICE_USD)} + "
        f"{retry * DM_EVENT_READS_PER_RETRY:,} DM event reads × {money3(DM_EVENT_READ_PRICE_USD)}. The reads are an "
        "estimate: the reply check before each retry reads that conversation, one event if only our DM is in it, "
        f"more if they wrote back. X's pay-per-use prices as of {PRICES_AS_OF}; the cost-control work will replace "
        "these figures.")
    lines.append("Assumes the campaign runs whenever a DM may go out (automatic mode), and that nobody new follows "
                 "and nobody unfollows, replies or opts out before their retry; every run plans again.")
    return lines


def money3(amount: Decimal) -> str:
    return f"${amount:.3f}"


def render_text(calendar: CampaignCalendar, width: int = 110, profile: str | None = None) -> str:
    """The whole plan as plain text: paragraphs, then a table of the dates with DMs, then totals."""
    out = [textwrap.fill(line, width) for line in header_lines(calendar, profile)]
    if calendar.days:
        out.append("")
        out.extend(_text_table(_text_columns(calendar), calendar.days))
    footer = footer_lines(calendar)
    if footer:
        out.append("")
        out.extend(textwrap.fill(line, width) for line in footer)
    return "\n".join(out)


def brief(calendar: CampaignCalendar) -> str:
    """One sentence for the live-sending question: from when to when, and what it costs."""
    c = calendar
    firsts = [day.date for day in c.days if day.first]
    retries = [day.date for day in c.days if day.retry]
    if not firsts and not retries:
        return "The plan has nothing to send."
    spans = []
    if firsts:
        spans.append(f"{_n(c.first, 'first DM', 'first DMs')} {_span(firsts)}")
    if retries:
        spans.append(f"{_n(c.retry, 'retry', 'retries')} {_span(retries)}")
    later = c.later_first + c.later_retry
    more = f", and {later:,} more after {c.horizon_end.isoformat()}" if later else ""
    return (f"The plan (UTC dates): {' and '.join(spans)}{more}; about {money(c.total_cost_usd)} at X's prices. "
            "Plan in the DM tab (or `dm run --plan`) shows each day.")


def _span(dates: list[date]) -> str:
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    return f"on {first}" if first == last else f"from {first} to {last}"


@dataclass(frozen=True)
class _TextColumn:
    """A column of the printed calendar: its header, a day's cell, and which side it lines up on."""

    header: str
    cell: Callable[[PlanDay], str]
    align_right: bool = True  # numbers line up on their last digit


def _text_columns(calendar: CampaignCalendar) -> tuple[_TextColumn, ...]:
    return (
        _TextColumn("Date (UTC)", lambda day: day.date.isoformat(), align_right=False),
        _TextColumn("Day", lambda day: f"{day.day:,}"),
        _TextColumn("First DMs", lambda day: f"{day.first:,}"),
        _TextColumn("Retries", lambda day: f"{day.retry:,}"),
        _TextColumn("Retries falling due", lambda day: f"{day.retries_falling_due:,}"),
        _TextColumn("Cost (est.)", lambda day: money(day.cost_usd)),
        _TextColumn("Tiers", lambda day: tiers_text(calendar, day), align_right=False),
    )


def _text_table(columns: Sequence[_TextColumn], days: Sequence[PlanDay]) -> list[str]:
    """The header line, then a line per day, each column as wide as its widest cell."""
    lines = [[column.header for column in columns], *[[column.cell(day) for column in columns] for day in days]]
    widths = [max(len(line[number]) for line in lines) for number in range(len(columns))]
    return ["  ".join(cell.rjust(width) if column.align_right else cell.ljust(width)
                      for cell, width, column in zip(line, widths, columns)).rstrip() for line in lines]
