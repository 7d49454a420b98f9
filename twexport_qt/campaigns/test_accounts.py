"""Turn the test-account usernames from the settings into recipients (X user ids are what DMs go to)."""

from __future__ import annotations

from collections.abc import Sequence

from twexport_qt.campaigns.planner import Recipient
from twexport_qt.campaigns.settings import InvalidCampaignSettings
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, assign_tier
from twexport_qt.gateway.pacing import ENDPOINT_USERS_BY, Pacer
from twexport_qt.gateway.x_gateway import XGateway


class _Counts:
    def __init__(self, followers_count: int, following_count: int) -> None:
        self.followers_count = followers_count
        self.following_count = following_count


def resolve_test_accounts(
    gateway: XGateway, pacer: Pacer, usernames: Sequence[str], tiers: Sequence[TierSpec] = DEFAULT_TIERS
) -> list[Recipient]:
    """Look the usernames up on X (one paced request), in the order given.

    Each gets the tier its public metrics put it in, so a test send shows the message that tier would get.
    Raises InvalidCampaignSettings naming every username X does not know.
    """
    if not usernames:
        return []
    page = pacer.call(ENDPOINT_USERS_BY, lambda: gateway.users_by_usernames(list(usernames)).require_answer_about(
        usernames, "the look-up of the test accounts"))
    by_name = {user["username"].lower(): user for user in page.data}
    missing = [name for name in usernames if name.lower() not in by_name]
    if missing:
        listed = ", ".join(f"@{name}" for name in missing)
        raise InvalidCampaignSettings(f"X does not know the test account(s) {listed}: check the spelling in Settings.")
    recipients = []
    for name in usernames:
        user = by_name[name.lower()]
        metrics = user.get("public_metrics") or {}
        counts = _Counts(int(metrics.get("followers_count", 0)), int(metrics.get("following_count", 0)))
        dm_flag = user.get("receives_your_dm")
        recipients.append(Recipient(
            user_id=int(user["id"]), username=user["username"], name=user.get("name", ""),
            tier=tiers[assign_tier(counts, tiers)].name,
            receives_your_dm=None if dm_flag is None else bool(dm_flag),
        ))
    return recipients
