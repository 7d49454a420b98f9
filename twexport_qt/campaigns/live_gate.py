"""The one gate every live DM passes: live sending needs the user's confirmation, given on seeing how many people
it will message.

Every path that can lead to a live DM meets it: the DM tab's switches and Send button, the settings dialog,
automatic mode and an imported config (through `Profile.live_confirmed_at`, which only a confirmation sets), and
`dm run` (through `--live`, plus `--yes` in scripts). `run_campaign` refuses a live run whose settings carry no
confirmation, so a path that forgets to ask sends nothing rather than sending unasked.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass

from twexport_qt.billing.estimates import CampaignWork
from twexport_qt.campaigns.plan_calendar import build_calendar
from twexport_qt.campaigns.plan_report import brief
from twexport_qt.campaigns.planner import plan_campaign
from twexport_qt.campaigns.settings import X_DAILY_DM_LIMIT, CampaignSettings
from twexport_qt.store import dm_repo

NOT_CONFIRMED = ("Live sending is on but has not been confirmed, so nothing was sent. Confirm it in the DM "
                 "campaign tab (it says how many people will be messaged), or run `dm run --live` on the "
                 "command line.")


@dataclass(frozen=True)
class LiveAudience:
    """Who a live run would message now, and the pace it is held to."""

    first: int
    retry: int
    daily_cap: int
    plan: str = ""  # one sentence from the campaign's calendar (`plan_report.brief`): which days, what cost

    @property
    def people(self) -> int:
        return self.first + self.retry

    def describe(self) -> str:
        """'312 people: 300 first DMs and 12 retries are due now; at most 400 a day ...'"""
        now = min(self.people, self.daily_cap)
        return (f"{self.people:,} {'person' if self.people == 1 else 'people'}: {self.first:,} first DMs and "
                f"{self.retry:,} retries are due now. At most {self.daily_cap:,} go out per 24 hours (your daily "
                f"cap; X allows {X_DAILY_DM_LIMIT:,}), so {now:,} today and the rest on the following days, and "
                f"more as new followers and retries fall due.{' ' + self.plan if self.plan else ''}")


def live_audience(conn: sqlite3.Connection, owner_id: int | None, settings: CampaignSettings,
                  now: int) -> LiveAudience:
    """The people live sending would reach now (SQL only, no network); nobody before the first fetch."""
    if owner_id is None:
        return LiveAudience(0, 0, settings.daily_cap)
    live = dataclasses.replace(settings, test_mode=False, dry_run=False)
    counts = plan_campaign(conn, owner_id, live, now, limit=0).counts
    plan = brief(build_calendar(conn, owner_id, live, now))
    return LiveAudience(counts.first, counts.retry, settings.daily_cap, plan)


def campaign_work(conn: sqlite3.Connection, owner_id: int | None, settings: CampaignSettings, now: int,
                  audience: LiveAudience | None = None) -> CampaignWork:
    """What a test or live run is due to do now, for its estimate (SQL only; `audience`: a live run's, if read
    already). The one count behind `dm run`'s price and the app's."""
    if owner_id is None:
        sent = unconfirmed = 0
    else:
        sent = dm_repo.sent_in_last_24h(conn, owner_id, now)
        unconfirmed = len(dm_repo.unconfirmed(conn, owner_id))
    capacity = max(0, settings.daily_cap - sent)
    if settings.test_mode:
        return CampaignWork(0, 0, capacity, unconfirmed, test_accounts=len(settings.test_accounts),
                            test_retry=settings.test_retry_message)
    audience = audience or live_audience(conn, owner_id, settings, now)
    return CampaignWork(audience.first, audience.retry, capacity, unconfirmed)
