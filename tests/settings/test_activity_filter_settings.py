"""The saved filter's activity, posts and lists bounds: they round-trip, are checked by name, and files written
before they existed load as before."""

from __future__ import annotations

from twexport_qt.profile_mapping import default_filter
from twexport_qt.settings import AppSettings, FilterDefaults, Profile, validate_settings
from twexport_qt.settings.codec import settings_from_dict, settings_to_dict

# A profile's filters as files stored them before activity existed.
OLD_FILTERS = {"created_after": None, "created_before": "2019-06-27T00:00:00+00:00", "min_followers": 100,
               "max_followers": None, "min_following": None, "max_following": None, "verified_only": True}


def settings_with(filters: dict[str, object]) -> tuple[AppSettings, list[str]]:
    data = settings_to_dict(AppSettings())
    data["profiles"]["Work"] = {**data["profiles"]["Sandbox"], "name": "Work", "kind": "x",
                                "follower_filters": filters}
    return settings_from_dict(data)


def test_a_file_from_before_activity_loads_with_no_activity_bounds():
    settings, problems = settings_with(OLD_FILTERS)
    assert problems == []
    saved = settings.profiles["Work"].follower_filters
    assert saved.min_followers == 100 and saved.verified_only
    assert saved.inactive_days is None and saved.min_tweets is None and saved.max_listed is None
    follower_filter = default_filter(settings.profiles["Work"])
    assert follower_filter.min_followers == 100 and not follower_filter.has_activity_criteria


def test_activity_bounds_round_trip_into_the_profiles_default_filter():
    new = {**OLD_FILTERS, "min_tweets": 1, "max_tweets": 5_000, "min_listed": 0, "max_listed": 9,
           "inactive_days": 30, "posted_within_days": 365}
    settings, problems = settings_with(new)
    assert problems == []
    again, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == [] and again.profiles["Work"].follower_filters == settings.profiles["Work"].follower_filters
    follower_filter = default_filter(again.profiles["Work"])
    assert (follower_filter.inactive_days, follower_filter.posted_within_days) == (30, 365)
    assert (follower_filter.min_tweets, follower_filter.max_tweets) == (1, 5_000)
    assert (follower_filter.min_listed, follower_filter.max_listed) == (0, 9)


def test_impossible_activity_bounds_are_named_and_the_defaults_used():
    settings, problems = settings_with({**OLD_FILTERS, "inactive_days": 30, "posted_within_days": 7})
    assert problems == ["Profile 'Work', posted within the last: must be more days than inactive for at "
                        "least (30), not 7; default filters are used."]
    assert settings.profiles["Work"].follower_filters == FilterDefaults()


def test_bad_activity_values_are_named_by_their_labels():
    settings = AppSettings()
    settings.profiles["Work"] = Profile(name="Work", follower_filters=FilterDefaults(
        min_tweets=9, max_tweets=3, inactive_days=-1, max_listed=1.5))  # as a hand-edited file may hold them
    problems = validate_settings(settings)
    assert any(p.startswith("Profile 'Work', inactive for at least: must be a whole number") for p in problems)
    assert any(p.startswith("Profile 'Work', maximum lists: must be a whole number") for p in problems)
    assert "Profile 'Work', minimum posts: must not be greater than the maximum posts (3), not 9" in problems
