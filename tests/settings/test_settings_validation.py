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
        ({"retry_after_days": 1.5}, "Profile 'Work', retry after: must be a whole number ≥ 0"),
        ({"retry_after_days": True}, "Profile 'Work', retry after: must be a whole number ≥ 0"),
        ({"daily_cap": 0}, "Profile 'Work', daily cap: must be a whole number ≥ 1"),
        ({"auto_fetch_minutes": -5}, "Profile 'Work', fetch followers every: must be a whole number ≥ 0"),
        ({"kind": "mastodon"}, "Profile 'Work', kind of profile (X or Sandbox): must be 'sandbox' or 'x'"),
        ({"dm_enabled": 1}, "Profile 'Work', master switch (sending DMs): must be true or false"),
        ({"message": None}, "Profile 'Work', first DM: must be text"),
        (
            {"test_accounts": ["ok", "not valid!"]},
            "Profile 'Work', test accounts: must hold only X usernames (not 'not valid!')",
        ),
        ({"test_accounts": list("abcdef")}, "Profile 'Work', test accounts: must list at most 5 accounts (found 6)"),
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
        "Profile 'Sandbox', minimum following: must be a whole number ≥ 0, or empty for no limit",
        "Profile 'Sandbox', minimum followers: must not be greater than the maximum followers (100), not 500",
        "Profile 'Sandbox', joined after: must be earlier than joined before",
    ]


def test_naive_datetimes_are_rejected() -> None:
    settings = AppSettings()
    settings.active.follower_filters.created_before = datetime(2019, 1, 1)
    assert validate_settings(settings) == [
        "Profile 'Sandbox', joined before: must be a date and time (UTC), or empty"
    ]


def test_tiers_need_unique_names_and_sane_bounds() -> None:
    problems = _problems_for(tiers=[TierSpec("A", min_followers=10_000, max_followers=5), TierSpec("A"),
                                    TierSpec(" "), TierSpec("D", max_following="lots")])
    assert problems == [
        "Profile 'Work', tier 1, minimum followers: must not be greater than the maximum followers (5), not 10,000",
        "Profile 'Work', tier 2, name: must differ from the other tiers' names ('A' is used twice)",
        "Profile 'Work', tier 3, name: must not be empty",
        "Profile 'Work', tier 4, maximum following: must be a whole number ≥ 0, or empty for no limit",
    ]


def test_sandbox_and_active_profile_invariants() -> None:
    settings = AppSettings(active_profile="Nope", profiles={"Work": Profile(name="Work")})
    assert validate_settings(settings) == [
        "The profile in use: must be one of the profiles, not 'Nope'",
        "Profile 'Sandbox': must exist, as the simulated account",
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
        ({"daily_cap": 1_441}, "Profile 'Work', daily cap: must be at most 1,440 DMs per 24 hours, X's limit"),
        ({"retry_after_days": 3_651}, "Profile 'Work', retry after: must be at most 3,650 days"),
        ({"auto_fetch_minutes": 10**20},
         "Profile 'Work', fetch followers every: must be at most 10,080 minutes (a week)"),
        ({"account_id": 2**63},
         "Profile 'Work', X account id: must be at most 9,223,372,036,854,775,807, or empty for no limit"),
    ],
)
def test_too_large_numbers_are_named_in_plain_words(changes, expected) -> None:
    assert _problems_for(**changes) == [expected]


def test_huge_filter_bounds_are_reported_once_and_never_printed() -> None:
    settings = AppSettings()
    filters = settings.active.follower_filters
    filters.min_followers, filters.max_followers = 10**5000, 5  # str() of this raises ValueError

    expected = "Profile 'Sandbox', minimum followers: must be at most 2,000,000,000, or empty for no limit"
    assert validate_settings(settings) == [expected]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("profiles.Sandbox.tiers[1].min_followers", "Profile 'Sandbox', tier 2, minimum followers"),
        ("profiles.Sandbox.tiers[0]", "Profile 'Sandbox', tier 1"),
        ("profiles.Sandbox.tiers", "Profile 'Sandbox', tiers"),
        ("profiles.My shop.v2.daily_cap", "Profile 'My shop.v2', daily cap"),  # names may hold dots and spaces
        ("profiles.Work.follower_filters.created_after", "Profile 'Work', joined after"),
        ("profiles.Work.follower_filters", "Profile 'Work', filters"),
        ("profiles.Work.daily_budget_usd", "Profile 'Work', daily budget (USD)"),
        ("profiles.Work.account_id", "Profile 'Work', X account id"),
        ("profiles.Work", "Profile 'Work'"),
        ("prices.as_of", "Prices as of"),
        ("prices.overrides.posts.standard", "Prices, 'Posts read, per post', standard price (USD)"),
        ("prices.overrides.dm_events.owned", "Prices, 'DM history read, per event', owned-read price (USD)"),
        ("prices.overrides.likes", "Prices, 'likes'"),
        ("prices", "Prices"),
        ("active_profile", "The profile in use"),
        ("version", "version"),  # no shape of ours: left as it is
    ],
)
def test_a_settings_path_reads_in_the_forms_words(path: str, words: str) -> None:
    from twexport_qt.settings.validation import field_words

    assert field_words(path) == words


def test_unknown_keys_are_named_where_they_were_found() -> None:
    from twexport_qt.settings.validation import unknown_setting

    assert unknown_setting("profiles.Work", "colour") == \
        "Profile 'Work': 'colour' is not a known setting and was ignored"
    assert unknown_setting("", "colour") == "'colour' is not a known setting and was ignored"


def test_every_setting_has_words_for_its_problems() -> None:
    """Each field of a profile, its filter and its tiers has a label: a new field without one would be named
    by its code name (or, in a dotted path, be taken for part of the profile's name)."""
    import dataclasses

    from twexport_qt.settings.model import FilterDefaults
    from twexport_qt.settings.validation import FILTER_FIELD_LABELS, PROFILE_FIELD_LABELS, TIER_FIELD_LABELS

    nested = {"name", "follower_filters", "tiers"}
    assert set(PROFILE_FIELD_LABELS) == {field.name for field in dataclasses.fields(Profile)} - nested
    assert set(FILTER_FIELD_LABELS) == {field.name for field in dataclasses.fields(FilterDefaults)}
    assert set(TIER_FIELD_LABELS) == {field.name for field in dataclasses.fields(TierSpec)}
