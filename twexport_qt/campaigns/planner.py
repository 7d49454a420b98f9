"""Who gets which DM now: the plan a campaign run executes, and what the settings screen previews.

Live mode targets followers (see `dm_repo.first_step_where` / `retry_step_where` for the exact rules).
Protected followers are NOT excluded: protection hides tweets, not the inbox; `receives_your_dm` and X's
403 decide who can be messaged. Test mode targets only the configured test accounts and logs under mode
'test', so a test send never marks a real follower as messaged (a test account that is also a follower
still gets the live DM later).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from twexport_qt.campaigns.settings import CampaignSettings, InvalidCampaignSettings
from twexport_qt.campaigns.templates import render
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.tiers import tier_case_sql
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

NOT_ACCEPTING_REASON = "does not accept DMs (receives_your_dm=false)"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    name: str = ""
    tier: str = ""
    receives_your_dm: bool | None = None


@dataclass(frozen=True)
class PlannedDM:
    recipient: Recipient
    step: DmStep
    text: str  # rendered, exactly what will be sent


@dataclass(frozen=True)
class PlanCounts:
    first: int              # first DMs due now
    retry: int              # retries due now
    skipped: int            # due, but X says they do not accept our DMs: recorded as skipped on run
    first_sent: int         # already done (live log)
    retry_sent: int
    waiting_for_retry: int  # first DM sent, retry not due yet


@dataclass
class CampaignPlan:
    owner_id: int
    mode: DmMode  # LIVE or TEST: a dry run plans as live does
    retries: list[PlannedDM] = field(default_factory=list)
    firsts: list[PlannedDM] = field(default_factory=list)
    skips: list[PlannedDM] = field(default_factory=list)
    counts: PlanCounts = PlanCounts(0, 0, 0, 0, 0, 0)
    # Test mode: the test accounts left out because they already got exactly this text (usernames).
    already_tested: list[str] = field(default_factory=list)

    @property
    def sends(self) -> list[PlannedDM]:
        """Sending order. Retries go first: they are time-sensitive, and under a daily cap a long queue of
        first DMs would otherwise postpone them indefinitely."""
        return [*self.retries, *self.firsts]


def plan_campaign(
    conn: sqlite3.Connection,
    owner_id: int,
    settings: CampaignSettings,
    now: int,
    *,
    test_recipients: Sequence[Recipient] | None = None,
    limit: int | None = None,
) -> CampaignPlan:
    """The DMs due at `now`. Counts are exact; each list holds at most `limit` DMs (a run never sends more
    than the daily cap, and a million-follower plan should not be rendered in memory).

    Test mode needs `test_recipients` (see `test_accounts.resolve_test_accounts`). Raises
    InvalidCampaignSettings when a template is unusable.
    """
    settings.check_templates()
    if settings.test_mode:
        if test_recipients is None:
            raise ValueError("Test mode plans need the resolved test accounts (resolve_test_accounts).")
        return _plan_test(conn, owner_id, settings, test_recipients, limit)
    return _plan_live(conn, owner_id, settings, now, limit)


def preview(plan: CampaignPlan, n: int = 20) -> list[PlannedDM]:
    """The first `n` DMs in sending order, with the exact text each person will get."""
    return plan.sends[:n]


def _plan_live(
    conn: sqlite3.Connection, owner_id: int, settings: CampaignSettings, now: int, limit: int | None
) -> CampaignPlan:
    tiers = settings.tiers
    tier_sql, tier_params = tier_case_sql(tiers)
    filter_sql, filter_params = (settings.recipient_filter or FollowerFilter()).to_sql(owner_id, tiers, now=now)

    def planned(where_and_params: tuple[str, list], step: DmStep) -> tuple[list[PlannedDM], int]:
        where, params = where_and_params
        rows = dm_repo.candidates(conn, where, params, tier_sql, tier_params, limit)
        dms = []
        for row in rows:
            recipient = Recipient(row.user_id, row.username, row.name, tiers[row.tier_index].name,
                                  row.receives_your_dm)
            dms.append(PlannedDM(recipient, step, render(settings.template_for(step, recipient.tier), recipient)))
        return dms, dm_repo.count_candidates(conn, where, params)

    firsts, first_count = planned(dm_repo.first_step_where(filter_sql, filter_params, accepts_dms=True), DmStep.FIRST)
    skips, skip_count = planned(dm_repo.first_step_where(filter_sql, filter_params, accepts_dms=False), DmStep.FIRST)
    retries: list[PlannedDM] = []
    retry_count = waiting = 0
    if settings.retry_enabled:
        due_before = now - settings.retry_after_seconds
        retries, retry_count = planned(dm_repo.retry_step_where(owner_id, due_before, accepts_dms=True), DmStep.RETRY)
        retry_skips, retry_skip_count = planned(
            dm_repo.retry_step_where(owner_id, due_before, accepts_dms=False), DmStep.RETRY)
        skips += retry_skips
        skip_count += retry_skip_count
        waiting = dm_repo.count_candidates(
            conn, *dm_repo.retry_step_where(owner_id, 2**62, accepts_dms=True)) - retry_count
    logged = dm_repo.counts(conn, owner_id, DmMode.LIVE)
    counts = PlanCounts(
        first=first_count, retry=retry_count, skipped=skip_count,
        first_sent=logged.get(("first", "sent"), 0), retry_sent=logged.get(("retry", "sent"), 0),
        waiting_for_retry=waiting,
    )
    return CampaignPlan(owner_id, DmMode.LIVE, retries, firsts, skips, counts)


def _plan_test(
    conn: sqlite3.Connection,
    owner_id: int,
    settings: CampaignSettings,
    test_recipients: Sequence[Recipient],
    limit: int | None,
) -> CampaignPlan:
    if not test_recipients:
        raise InvalidCampaignSettings(
            "Test mode is on but no test accounts are set: add up to 5 usernames in Settings."
        )
    step = DmStep.RETRY if settings.test_retry_message else DmStep.FIRST
    if step == DmStep.RETRY and not settings.retry_enabled:
        raise InvalidCampaignSettings("Testing the retry message needs a retry message: write one in Settings.")
    sends: list[PlannedDM] = []
    skips: list[PlannedDM] = []
    already_tested: list[str] = []
    for recipient in test_recipients:
        text = render(settings.template_for(step, recipient.tier), recipient)
        row = dm_repo.get(conn, owner_id, recipient.user_id, step, DmMode.TEST)
        # An edited message is tested again (`dm_repo.claim` re-takes a 'sent' test row with another text); the
        # same text never twice, nor a DM still unconfirmed ('sending') or one X refused ('skipped').
        edited = row is not None and row.state == DmState.SENT and row.text != text
        if row is not None and row.state in dm_repo.SETTLED_STATES and not edited:
            if row.state == DmState.SENT:
                already_tested.append(recipient.username)
            continue
        planned = PlannedDM(recipient, step, text)
        (skips if recipient.receives_your_dm is False else sends).append(planned)
    due = len(sends)  # counts are exact, lists capped by `limit`, as in live mode
    if limit is not None:
        sends = sends[:limit]
    logged = dm_repo.counts(conn, owner_id, DmMode.TEST)
    counts = PlanCounts(
        first=due if step == DmStep.FIRST else 0, retry=due if step == DmStep.RETRY else 0,
        skipped=len(skips), first_sent=logged.get(("first", "sent"), 0),
        retry_sent=logged.get(("retry", "sent"), 0), waiting_for_retry=0,
    )
    firsts, retries = (sends, []) if step == DmStep.FIRST else ([], sends)
    return CampaignPlan(owner_id, DmMode.TEST, retries, firsts, skips, counts, already_tested)
