"""The saved filter's relationship (any, mutuals, fans): it round-trips into the profile's default filter, a value
no form offers is named and reset, and files written before it existed load as "any"."""

from __future__ import annotations

import pytest

from twexport_qt.profile_mapping import default_filter
from twexport_qt.settings import AppSettings, FilterDefaults, Profile, validate_settings
from twexport_qt.settings.codec import settings_from_dict, settings_to_dict

# A profile's filters as files stored them before the relationship existed.
OLD_FILTERS = {"created_after": None, "created_before": None, "min_followers": 100, "max_followers": None,
               "min_following": None, "max_following": None, "verified_only": False, "inactive_days": 30}


def settings_with(filters: dict[str, object]) -> tuple[AppSettings, list[str]]:
    data = settings_to_dict(AppSettings())
    data["profiles"]["Work"] = {**data["profiles"]["Sandbox"], "name": "Work", "kind": "x",
                                "follower_filters": filters}
    return settings_from_dict(data)


def test_a_file_from_before_the_relationship_loads_as_any():
    settings, problems = settings_with(OLD_FILTERS)
    assert problems == []
    assert settings.profiles["Work"].follower_filters.relationship == "any"
    assert default_filter(settings.profiles["Work"]).relationship == "any"


@pytest.mark.parametrize("relationship", ["mutuals", "fans", "any"])
def test_the_relationship_round_trips_into_the_profiles_default_filter(relationship):
    settings, problems = settings_with({**OLD_FILTERS, "relationship": relationship})
    assert problems == []
    again, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == []
    assert again.profiles["Work"].follower_filters.relationship == relationship
    follower_filter = default_filter(again.profiles["Work"])
    assert follower_filter.relationship == relationship
    assert (follower_filter.min_followers, follower_filter.inactive_days) == (100, 30)


def test_an_unknown_relationship_in_the_file_is_named_and_reset_to_any():
    settings, problems = settings_with({**OLD_FILTERS, "relationship": "friends"})
    assert problems == ["Profile 'Work', relationship: must be 'any' or 'mutuals' or 'fans'; the default is used."]
    saved = settings.profiles["Work"].follower_filters
    assert saved.relationship == "any" and saved.min_followers == 100  # the other fields are kept


def test_a_relationship_no_form_offers_is_refused_before_saving():
    settings = AppSettings()
    settings.profiles["Work"] = Profile(name="Work", follower_filters=FilterDefaults(relationship="Mutuals"))
    assert validate_settings(settings) == ["Profile 'Work', relationship: must be 'any' or 'mutuals' or 'fans'"]
