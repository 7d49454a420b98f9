from __future__ import annotations

import pytest

from twexport_qt.campaigns.settings import CampaignSettings, InvalidCampaignSettings, TierMessages


def test_safe_defaults():
    settings = CampaignSettings()
    assert settings.test_mode and not settings.dm_enabled and settings.daily_cap == 400


def test_more_than_five_test_accounts_are_refused_with_a_sentence():
    with pytest.raises(ValueError, match="at most 5 test accounts; 6 are listed: remove 1"):
        CampaignSettings(test_accounts=[f"test_account_{n}" for n in range(1, 7)])


def test_test_accounts_are_normalised_before_counting():
    settings = CampaignSettings(test_accounts=["@alice", "Alice ", "", "bob", "  @carol"])
    assert settings.test_accounts == ["alice", "bob", "carol"]


@pytest.mark.parametrize("cap", [0, 1441])
def test_daily_cap_must_stay_within_x_limit(cap):
    with pytest.raises(InvalidCampaignSettings, match="1,440"):
        CampaignSettings(daily_cap=cap)


def test_tier_overrides_fall_back_to_the_campaign_messages():
    settings = CampaignSettings(message="hi", retry_message="again",
                                tier_messages={"Power user": TierMessages(first="Dear {name}")})
    assert settings.template_for("first", "Power user") == "Dear {name}"
    assert settings.template_for("retry", "Power user") == "again"
    assert settings.template_for("first", "Regular") == "hi"


def test_tier_messages_for_unknown_tiers_are_refused():
    with pytest.raises(InvalidCampaignSettings, match="'VIP', which is not a tier"):
        CampaignSettings(tier_messages={"VIP": TierMessages(first="x")})


def test_check_templates_labels_each_problem():
    settings = CampaignSettings(message="Hi {foo}", retry_message="Again {name",
                                tier_messages={"Rising": TierMessages(first="{bar}")})
    with pytest.raises(InvalidCampaignSettings) as caught:
        settings.check_templates()
    text = str(caught.value)
    assert "Message: Unknown placeholder {foo}" in text
    assert "Retry message: Unbalanced brace" in text
    assert "Rising message: Unknown placeholder {bar}" in text
