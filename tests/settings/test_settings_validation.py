from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twexport_qt.settings import AppSettings, Profile, TierSpec, validate_settings


def _problems_for(**changes) -> list[str]:
    settings = AppSettings()
    settings.profiles["Work"] = Profile(name="Work", **changes)
    return validate_settings(settings)


def test_defaults_are_valid() -> None:
    assert validate_settings(AppSettings()) == []
    assert _problems_for() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"retry_after_days": 1.5}, "profiles.Work.retry_after_days must be a whole number ≥ 0"),
        ({"retry_after_days": True}, "profiles.Work.retry_after_days must be a whole number ≥ 0"),
        ({"daily_cap": 0}, "profiles.Work.daily_cap must be a whole number ≥ 1"),
        ({"auto_fetch_minutes": -5}, "profiles.Work.auto_fetch_minutes must be a whole number ≥ 0"),
        ({"kind": "mastodon"}, "profiles.Work.kind must be one of: sandbox, x"),
        ({"dm_enabled": 1}, "profiles.Work.dm_enabled must be true or false"),
        ({"message": None}, "profiles.Work.message must be text"),
        (
            {"test_accounts": ["ok", "not valid!"]},
            "profiles.Work.test_accounts contains invalid X usernames: 'not valid!'",
        ),
        ({"test_accounts": list("abcdef")}, "profiles.Work.test_accounts must list at most 5 accounts (found 6)"),
    ],
)
def test_invalid_profile_fields_are_named(changes, expected) -> None:
    assert _problems_for(**changes) == [expected]


def test_filter_ranges_are_checked() -> None:
    settings = AppSettings()
    filters = settings.active.follower_filters
    filters.min_followers, filters.max_followers = 500, 100
    filters.created_after = datetime(2020, 1, 1, tzinfo=UTC)
    filters.created_before = datetime(2019, 1, 1, tzinfo=UTC)
    filters.min_following = -1

    assert validate_settings(settings) == [
        "profiles.Sandbox.follower_filters.min_following must be a whole number ≥ 0, or empty for no limit",
        "profiles.Sandbox.follower_filters.min_followers (500) must not be greater than "
        "profiles.Sandbox.follower_filters.max_followers (100)",
        "profiles.Sandbox.follower_filters.created_after must be earlier than "
        "profiles.Sandbox.follower_filters.created_before",
    ]


def test_naive_datetimes_are_rejected() -> None:
    settings = AppSettings()
    settings.active.follower_filters.created_before = datetime(2019, 1, 1)
    assert validate_settings(settings) == [
        "profiles.Sandbox.follower_filters.created_before must be a date and time (UTC), or empty"
    ]


def test_tiers_need_unique_names_and_sane_bounds() -> None:
    problems = _problems_for(tiers=[TierSpec("A", min_followers=10, max_followers=5), TierSpec("A"), TierSpec(" ")])
    assert problems == [
        "profiles.Work.tiers[0].min_followers (10) must not be greater than profiles.Work.tiers[0].max_followers (5)",
        "profiles.Work.tiers[1].name 'A' is used by another tier",
        "profiles.Work.tiers[2].name must not be empty",
    ]


def test_sandbox_and_active_profile_invariants() -> None:
    settings = AppSettings(active_profile="Nope", profiles={"Work": Profile(name="Work")})
    assert validate_settings(settings) == [
        "active_profile 'Nope' must name an existing profile",
        'profiles.Sandbox must exist with kind "sandbox"',
    ]


@pytest.mark.parametrize("name", ["a/b", " padded ", "", "x" * 65])
def test_bad_profile_names(name: str) -> None:
    settings = AppSettings()
    settings.profiles[name] = Profile(name=name)
    assert len(validate_settings(settings)) == 1



def test_every_numeric_setting_has_a_maximum_sqlite_can_hold() -> None:
    """No check may accept a number SQLite (signed 64-bit) cannot store, nor a number too long to print."""
    from twexport_qt.settings.validation import (
        FILTER_FIELD_CHECKS,
        PROFILE_FIELD_CHECKS,
        TIER_BOUND_CHECKS,
        OversizedNumber,
    )

    checks = {**PROFILE_FIELD_CHECKS, **FILTER_FIELD_CHECKS, **{f"tier.{k}": c for k, c in TIER_BOUND_CHECKS.items()}}
    for name, check in checks.items():
        for value in (2**63, 2**64, -(2**63) - 1, 10**5000, OversizedNumber("9" * 5000), OversizedNumber("-1" * 3000)):
            assert check(value) is not None, f"{name} accepts an out-of-range {type(value).__name__}"


def test_daily_cap_maximum_is_xs_limit() -> None:
    from twexport_qt.campaigns.settings import X_DAILY_DM_LIMIT
    from twexport_qt.settings.validation import MAX_DAILY_CAP

    assert MAX_DAILY_CAP == X_DAILY_DM_LIMIT


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"daily_cap": 1_441},
         "profiles.Work.daily_cap is too large: it must be at most 1,440 DMs per 24 hours, X's limit"),
        ({"retry_after_days": 3_651}, "profiles.Work.retry_after_days is too large: it must be at most 3,650 days"),
        ({"auto_fetch_minutes": 10**20},
         "profiles.Work.auto_fetch_minutes is too large: it must be at most 10,080 minutes (a week)"),
        ({"account_id": 2**63},
         "profiles.Work.account_id is too large: it must be at most 9,223,372,036,854,775,807, or empty for no limit"),
    ],
)
def test_too_large_numbers_are_named_in_plain_words(changes, expected) -> None:
    assert _problems_for(**changes) == [expected]


def test_huge_filter_bounds_are_reported_once_and_never_printed() -> None:
    settings = AppSettings()
    filters = settings.active.follower_filters
    filters.min_followers, filters.max_followers = 10**5000, 5  # str() of this raises ValueError

    expected = (
        "profiles.Sandbox.follower_filters.min_followers is too large: it must be at most 2,000,000,000, "
        "or empty for no limit"
    )
    assert validate_settings(settings) == [expected]
