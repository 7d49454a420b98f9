"""What the DM campaign tab and the settings dialog read: who live sending reaches, the plan calendar, the
funnel, unfollows after DMs against the not-messaged, DM status, the next due time. Each may scan every follower:
views call them through `run_task`."""

from __future__ import annotations

from dataclasses import dataclass

from twexport_qt.billing.estimates import CampaignWork, CostEstimate, estimate_campaign
from twexport_qt.billing.prices import PriceTable
from twexport_qt.campaigns.funnel import CampaignFunnel, campaign_funnel
from twexport_qt.campaigns.live_gate import LiveAudience, campaign_work, live_audience
from twexport_qt.campaigns.outreach_churn import OutreachChurn, outreach_churn
from twexport_qt.campaigns.plan_calendar import CampaignCalendar, build_calendar
from twexport_qt.campaigns.sender import next_due_time
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmMode


@dataclass(frozen=True)
class LiveQuestion:
    """What the live-sending question shows: who it reaches, and (before a send) what the run costs."""

    audience: LiveAudience
    cost: CostEstimate | None = None


class CampaignService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now())

    def live_audience(self, owner_id: int | None, settings: CampaignSettings) -> LiveAudience:
        """Who live sending would message now (nobody before the first fetch)."""
        return live_audience(self._db.get(), owner_id, settings, self._now())

    def run_work(self, owner_id: int | None, settings: CampaignSettings,
                 audience: LiveAudience | None = None) -> CampaignWork:
        """What a test or live run is due to do now, for its estimate (`audience`: a live run's, if read already),
        as `dm run` counts it."""
        return campaign_work(self._db.get(), owner_id, settings, self._now(), audience)

    def run_estimate(self, owner_id: int | None, settings: CampaignSettings, prices: PriceTable) -> CostEstimate:
        """What a test or live run would cost now."""
        return estimate_campaign(self.run_work(owner_id, settings), prices)

    def live_question(self, owner_id: int | None, settings: CampaignSettings,
                      prices: PriceTable | None = None) -> LiveQuestion:
        """Who live sending reaches, and with `prices` what a live run now would cost (one scan of the followers)."""
        audience = self.live_audience(owner_id, settings)
        if prices is None:
            return LiveQuestion(audience)
        return LiveQuestion(audience, estimate_campaign(self.run_work(owner_id, settings, audience), prices))

    def calendar(self, owner_id: int, settings: CampaignSettings) -> CampaignCalendar:
        return build_calendar(self._db.get(), owner_id, settings, self._now())

    def funnel(self, owner_id: int) -> CampaignFunnel:
        return campaign_funnel(self._db.get(), owner_id)

    def outreach_churn(self, owner_id: int) -> OutreachChurn:
        """Per step, recipients who unfollowed within 7 days of their DM, against followers never messaged (from
        the follower history: only complete fetches know who left)."""
        return outreach_churn(self._db.get(), owner_id)

    def status_rows(self, owner_id: int, mode: DmMode) -> list[dm_repo.DmRow]:
        return list(dm_repo.status_rows(self._db.get(), owner_id, mode))

    def next_due_time(self, owner_id: int, settings: CampaignSettings) -> float | None:
        return next_due_time(self._db.get(), owner_id, settings, self._now())
