"""How each campaign step went: of the live DMs sent, how many people replied, opted out, or unfollowed within
7 days, so a campaign can be judged by how people took it, not only by how many DMs went out.

Each count is a share of the step's DMs sent, not of the stage before it: opting out usually follows a reply,
but an unfollow needs none. Replies come from the `dm_replies` table of the reply check; until a database has it
(migration 4), replies show as not tracked. Opt-outs are do-not-contact entries whose reason starts with
"opted out". Unfollows are known as of the last followers fetch. SQL only (`dm_repo.step_outcomes`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from twexport_qt.campaigns.settings import SECONDS_PER_DAY
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmStep

UNFOLLOW_WINDOW_DAYS = 7
STEP_LABELS: dict[DmStep, str] = {DmStep.FIRST: "First DM", DmStep.RETRY: "Retry"}
CSV_HEADER = ("step", "sent", "replied", "replied_percent", "opted_out", "opted_out_percent",
              "unfollowed_within_7_days", "unfollowed_within_7_days_percent", "sent_less_than_7_days_ago")


@dataclass(frozen=True)
class FunnelStep:
    step: DmStep
    sent: int
    replied: int | None  # None: replies are not tracked in this database yet
    opted_out: int
    unfollowed: int
    window_open: int     # DMs sent less than 7 days ago: their unfollow count can still grow

    def percent(self, count: int | None) -> float | None:
        """`count` as a percentage of the DMs sent (None when nothing was sent or the count is unknown)."""
        return None if count is None or not self.sent else 100.0 * count / self.sent


@dataclass(frozen=True)
class CampaignFunnel:
    steps: tuple[FunnelStep, ...]

    @property
    def replies_tracked(self) -> bool:
        return all(step.replied is not None for step in self.steps)


def campaign_funnel(conn: sqlite3.Connection, owner_id: int, now: int) -> CampaignFunnel:
    """The funnel of both steps of the live campaign (test sends and dry runs reach nobody real)."""
    window = UNFOLLOW_WINDOW_DAYS * SECONDS_PER_DAY
    steps = []
    for step in (DmStep.FIRST, DmStep.RETRY):
        outcome = dm_repo.step_outcomes(conn, owner_id, step, unfollow_window_s=window, now=now)
        steps.append(FunnelStep(step, outcome.sent, outcome.replied, outcome.opted_out, outcome.unfollowed,
                                outcome.window_open))
    return CampaignFunnel(tuple(steps))


def csv_rows(funnel: CampaignFunnel) -> list[tuple]:
    """One row per step in `CSV_HEADER` order; percentages with one decimal, empty when undefined."""
    def pct(step: FunnelStep, count: int | None) -> str:
        value = step.percent(count)
        return "" if value is None else f"{value:.1f}"

    return [(s.step, s.sent, "" if s.replied is None else s.replied, pct(s, s.replied), s.opted_out,
             pct(s, s.opted_out), s.unfollowed, pct(s, s.unfollowed), s.window_open) for s in funnel.steps]


def count_with_share(step: FunnelStep, count: int | None) -> str:
    """How the DM tab shows one of a step's counts: '12 (10.0%)' of its DMs sent; the bare count when none were."""
    if count is None:
        return "not tracked yet"
    share = step.percent(count)
    return f"{count:,}" if share is None else f"{count:,} ({share:.1f}%)"


def notes(funnel: CampaignFunnel) -> list[str]:
    """What the numbers cannot say yet."""
    lines = [("Live DMs only; each count is a share of that step's DMs sent. A reply or an opt-out counts for the "
              "latest DM before it; unfollows as of the last followers fetch.")]
    if not funnel.replies_tracked:
        lines.append("Replies are not tracked in this database yet: they appear once reply checks run.")
    open_windows = sum(step.window_open for step in funnel.steps)
    if open_windows:
        lines.append(f"{open_windows:,} of the DMs were sent less than {UNFOLLOW_WINDOW_DAYS} days ago: their "
                     "unfollows can still come.")
    return lines
