"""What the DM campaign tab and the settings dialog read: who live sending reaches, the plan calendar, the
funnel, DM status, the next due time. Each may scan every follower: views call them through `run_task`."""

from __future__ import annotations

from twexport_qt.campaigns.funnel import CampaignFunnel, campaign_funnel
from twexport_qt.campaigns.live_gate import LiveAudience, live_audience
from twexport_qt.campaigns.plan_calendar import CampaignCalendar, build_calendar
from twexport_qt.campaigns.sender import next_due_time
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.core.clock import Clock
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmMode


class CampaignService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now())

    def live_audience(self, owner_id: int | None, settings: CampaignSettings) -> LiveAudience:
        """Who live sending would message now (nobody before the first fetch)."""
        return live_audience(self._db.get(), owner_id, settings, self._now())

    def calendar(self, owner_id: int, settings: CampaignSettings) -> CampaignCalendar:
        return build_calendar(self._db.get(), owner_id, settings, self._now())

    def funnel(self, owner_id: int) -> CampaignFunnel:
        return campaign_funnel(self._db.get(), owner_id, self._now())

    def status_rows(self, owner_id: int, mode: DmMode) -> list[dm_repo.DmRow]:
        return list(dm_repo.status_rows(self._db.get(), owner_id, mode))

    def next_due_time(self, owner_id: int, settings: CampaignSettings) -> float | None:
        return next_due_time(self._db.get(), owner_id, settings, self._now())
