"""How each campaign step went: of the live DMs sent, how many people replied, opted out, or unfollowed within
7 days, so a campaign can be judged by how people took it, not only by how many DMs went out.

Replies and opt-outs are shares of the step's DMs sent, not of the stage before it: opting out usually follows a
reply, but an unfollow needs none. Replies come from the `dm_replies` table of the reply check; until a database has it
(migration 4), replies show as not tracked. Opt-outs are do-not-contact entries whose reason starts with
"opted out". Unfollows follow the one rule of campaigns/outreach_churn.py (`step_unfollows`): a recipient seen
leaving by a complete followers fetch whose interval overlaps the 7 days after the DM; a DM counts once a complete
fetch has covered its 7 days, so the unfollow share is of those DMs, and the younger ones are "not yet known".
SQL only (`dm_repo.step_outcomes`, `outreach_churn.step_unfollows`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from twexport_qt.campaigns import outreach_churn
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmStep

UNFOLLOW_WINDOW_DAYS = outreach_churn.WINDOW_DAYS
STEP_LABELS: dict[DmStep, str] = {DmStep.FIRST: "First DM", DmStep.RETRY: "Retry"}
# The last column keeps its name (files already read it): the DMs sent less than 7 days before the last complete
# followers fetch, whose unfollows are not yet known.
CSV_HEADER = ("step", "sent", "replied", "replied_percent", "opted_out", "opted_out_percent",
              "unfollowed_within_7_days", "unfollowed_within_7_days_percent", "sent_less_than_7_days_ago")


@dataclass(frozen=True)
class FunnelStep:
    step: DmStep
    sent: int
    replied: int | None  # None: replies are not tracked in this database yet
    opted_out: int
    unfollowed: int      # recipients who unfollowed within 7 days, of the DMs whose 7 days are known
    window_open: int     # DMs whose 7 days no complete followers fetch has covered yet: not in `unfollowed`

    def percent(self, count: int | None) -> float | None:
        """`count` as a percentage of the DMs sent (None when nothing was sent or the count is unknown)."""
        return None if count is None or not self.sent else 100.0 * count / self.sent

    @property
    def unfollow_known(self) -> int:
        """The DMs whose 7 days a complete followers fetch has covered: what `unfollowed` is a share of."""
        return self.sent - self.window_open

    @property
    def unfollowed_percent(self) -> float | None:
        """`unfollowed` as a percentage of `unfollow_known` (None when none is known yet), as the DM tab's
        outreach line shows it."""
        return None if not self.unfollow_known else 100.0 * self.unfollowed / self.unfollow_known


@dataclass(frozen=True)
class CampaignFunnel:
    steps: tuple[FunnelStep, ...]

    @property
    def replies_tracked(self) -> bool:
        return all(step.replied is not None for step in self.steps)


def campaign_funnel(conn: sqlite3.Connection, owner_id: int) -> CampaignFunnel:
    """The funnel of both steps of the live campaign (test sends and dry runs reach nobody real). No clock: what is
    known of unfollows is what complete followers fetches saw."""
    unfollows = outreach_churn.step_unfollows(conn, owner_id)
    steps = []
    for step in (DmStep.FIRST, DmStep.RETRY):
        outcome = dm_repo.step_outcomes(conn, owner_id, step)
        steps.append(FunnelStep(step, outcome.sent, outcome.replied, outcome.opted_out, unfollows[step].left,
                                unfollows[step].pending))
    return CampaignFunnel(tuple(steps))


def csv_rows(funnel: CampaignFunnel) -> list[tuple]:
    """One row per step in `CSV_HEADER` order; percentages with one decimal, empty when undefined."""
    def pct(step: FunnelStep, count: int | None) -> str:
        value = step.percent(count)
        return "" if value is None else f"{value:.1f}"

    def unfollowed_pct(step: FunnelStep) -> str:
        value = step.unfollowed_percent
        return "" if value is None else f"{value:.1f}"

    return [(s.step, s.sent, "" if s.replied is None else s.replied, pct(s, s.replied), s.opted_out,
             pct(s, s.opted_out), s.unfollowed, unfollowed_pct(s), s.window_open) for s in funnel.steps]


def count_with_share(step: FunnelStep, count: int | None) -> str:
    """How the DM tab shows one of a step's counts: '12 (10.0%)' of its DMs sent; the bare count when none were."""
    if count is None:
        return "not tracked yet"
    share = step.percent(count)
    return f"{count:,}" if share is None else f"{count:,} ({share:.1f}%)"


def unfollowed_with_share(step: FunnelStep) -> str:
    """The DM tab's unfollow cell: '3 (2.5%)' of the DMs whose 7 days are known, how many are not yet known."""
    if step.sent and not step.unfollow_known:
        return "not yet known"
    share = step.unfollowed_percent
    text = f"{step.unfollowed:,}" if share is None else f"{step.unfollowed:,} ({share:.1f}%)"
    return f"{text}, {step.window_open:,} not yet known" if step.window_open else text


def notes(funnel: CampaignFunnel) -> list[str]:
    """What the numbers cannot say yet."""
    lines = [("Live DMs only; replies and opt-outs are shares of that step's DMs sent, and count for the latest DM "
              f"before them. Unfollows within {UNFOLLOW_WINDOW_DAYS} days are seen by complete followers fetches: a "
              f"share of the DMs whose {UNFOLLOW_WINDOW_DAYS} days a complete fetch has covered.")]
    if not funnel.replies_tracked:
        lines.append("Replies are not tracked in this database yet: they appear once reply checks run.")
    open_windows = sum(step.window_open for step in funnel.steps)
    if open_windows:
        lines.append(f"{open_windows:,} of the DMs are too recent to know: no complete followers fetch has covered "
                     f"their {UNFOLLOW_WINDOW_DAYS} days yet.")
    return lines
