"""Saved settings (Profile) -> the domain's own types, so domain packages never depend on the settings package."""

from __future__ import annotations

from typing import cast

from twexport_qt.campaigns.settings import CampaignSettings, TierMessages
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.relationships import Relationship
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, validate_tiers
from twexport_qt.settings.model import Profile


def known_owner_id(profile: Profile) -> int | None:
    """The X account whose followers a profile's data is about, as far as known without asking X: the simulated
    account for the Sandbox, else the id learnt at the last fetch (None before the first one)."""
    if profile.kind == "sandbox":
        from twexport_qt.sandbox.population import SANDBOX_USER_ID  # the sandbox is imported only when used

        return SANDBOX_USER_ID
    return profile.account_id


def domain_tiers(profile: Profile) -> tuple[TierSpec, ...]:
    """The profile's tiers; the defaults when the saved list is unusable (settings validation names why)."""
    try:
        tiers = tuple(TierSpec(t.name, t.min_followers, t.max_followers, t.min_following, t.max_following)
                      for t in profile.tiers)
        validate_tiers(tiers)
    except (ValueError, TypeError):
        return DEFAULT_TIERS
    return tiers


def default_filter(profile: Profile) -> FollowerFilter:
    """The profile's saved filter defaults (the seed's `follower_filters`) as a FollowerFilter."""
    saved = profile.follower_filters
    return FollowerFilter(
        created_before=int(saved.created_before.timestamp()) if saved.created_before else None,
        created_after=int(saved.created_after.timestamp()) if saved.created_after else None,
        min_followers=saved.min_followers,
        max_followers=saved.max_followers,
        min_following=saved.min_following,
        max_following=saved.max_following,
        verified_only=saved.verified_only,
        min_tweets=saved.min_tweets,
        max_tweets=saved.max_tweets,
        min_listed=saved.min_listed,
        max_listed=saved.max_listed,
        inactive_days=saved.inactive_days,
        posted_within_days=saved.posted_within_days,
        # Settings validation keeps the saved text one of the choices; FollowerFilter refuses any other.
        relationship=cast(Relationship, saved.relationship),
    )


def campaign_settings(profile: Profile, recipient_filter: FollowerFilter | None = None) -> CampaignSettings:
    return CampaignSettings(
        message=profile.message,
        retry_message=profile.retry_message,
        tier_messages={tier: TierMessages(texts.get("first", ""), texts.get("retry", ""))
                       for tier, texts in profile.tier_messages.items()},
        retry_after_days=profile.retry_after_days,
        test_mode=profile.test_mode,
        test_accounts=list(profile.test_accounts),
        test_retry_message=profile.test_retry_message,
        dm_enabled=profile.dm_enabled,
        live_confirmed=profile.live_confirmed_at is not None,
        daily_cap=profile.daily_cap,
        recipient_filter=recipient_filter if recipient_filter is not None else default_filter(profile),
        tiers=domain_tiers(profile),
        opt_out_words=tuple(profile.opt_out_words),
        opt_out_line=profile.opt_out_line,
    )
