"""Helpers the campaign tests share: live settings with the confirmation given, and one campaign run."""

from __future__ import annotations

from tests.campaigns.conftest import App
from twexport_qt.campaigns.sender import run_campaign
from twexport_qt.campaigns.settings import CampaignSettings


def live(**overrides) -> CampaignSettings:
    """Live sending, confirmed, with a first and a retry message; `overrides` change any field."""
    values = {"message": "Hi {first_name}!", "retry_message": "Just checking in, {name}.", "test_mode": False,
                  "dm_enabled": True, "live_confirmed": True, "retry_after_days": 7}
    return CampaignSettings(**{**values, **overrides})


def run(app: App, settings: CampaignSettings, **kwargs):
    return run_campaign(app.conn, app.gateway, app.pacer, app.clock, settings, **kwargs)
