from __future__ import annotations

from datetime import datetime, timezone

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
    filters.created_after = datetime(2020, 1, 1, tzinfo=timezone.utc)
    filters.created_before = datetime(2019, 1, 1, tzinfo=timezone.utc)
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
