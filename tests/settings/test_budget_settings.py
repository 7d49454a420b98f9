"""Per-profile daily and monthly budgets: saved as exact dollar text, read from text or numbers; a bad value is
named in a sentence and only that value falls back to "no budget", the rest of the settings are kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from twexport_qt.settings.codec import settings_from_dict, settings_to_dict
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.validation import validate_settings


def loaded(**budgets: object) -> tuple[AppSettings, list[str]]:
    data = settings_to_dict(AppSettings())
    data["profiles"]["Sandbox"].update(budgets, daily_cap=55)
    return settings_from_dict(data)


def test_budgets_round_trip_exactly_and_default_to_none():
    assert AppSettings().active.daily_budget_usd is None and AppSettings().active.monthly_budget_usd is None
    settings, problems = loaded(daily_budget_usd="2.50", monthly_budget_usd=40)
    assert problems == []
    assert settings.active.daily_budget_usd == Decimal("2.50")
    assert settings.active.monthly_budget_usd == Decimal(40)
    again, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == [] and again.active.daily_budget_usd == Decimal("2.50")
    assert settings_to_dict(settings)["profiles"]["Sandbox"]["daily_budget_usd"] == "2.50"


@pytest.mark.parametrize(("value", "problem"), [
    ("lots", "must be an amount of US dollars like 5 or 2.50, not 'lots'; the default is used."),
    (True, "must be an amount of US dollars like 5 or 2.50; the default is used."),
    ("NaN", "must be an amount of US dollars like 5 or 2.50, not 'NaN'; the default is used."),
    (0, "must be at least $0.01, or empty for no budget; the default is used."),
    (-3, "must be at least $0.01, or empty for no budget; the default is used."),
    ("2.505", "must be in whole cents, like 2.50; the default is used."),
    (10**7, "must be at most $1,000,000; the default is used."),
])
def test_a_bad_budget_is_named_and_only_it_is_lost(value, problem):
    settings, problems = loaded(daily_budget_usd=value, monthly_budget_usd="9.99")
    assert problems == [f"Profile 'Sandbox', daily budget (USD): {problem}"]
    assert settings.active.daily_budget_usd is None
    assert settings.active.monthly_budget_usd == Decimal("9.99") and settings.active.daily_cap == 55


def test_a_daily_budget_above_the_monthly_one_is_refused_by_name():
    settings, problems = loaded(daily_budget_usd=50, monthly_budget_usd=20)
    assert problems == ["Profile 'Sandbox', daily budget (USD): must not be greater than the monthly budget ($20), "
                        "not $50; the daily budget was cleared."]
    assert settings.active.daily_budget_usd is None and settings.active.monthly_budget_usd == Decimal(20)
    settings.active.daily_budget_usd = Decimal(50)
    assert validate_settings(settings) == [problems[0].removesuffix("; the daily budget was cleared.")]
    settings.active.daily_budget_usd = Decimal("1.001")
    assert validate_settings(settings) == ["Profile 'Sandbox', daily budget (USD): must be in whole cents, like 2.50"]
