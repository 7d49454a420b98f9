"""A profile's "Sign in with X" settings (client id, callback port) in settings.json: older files without them
still load, with the defaults; bad values are named and replaced by the default."""

from __future__ import annotations

from twexport_qt.settings.codec import settings_from_dict, settings_to_dict
from twexport_qt.settings.model import DEFAULT_REDIRECT_PORT, AppSettings, Profile


def test_a_settings_file_from_before_sign_in_loads_with_the_defaults() -> None:
    before = settings_to_dict(AppSettings())
    before["profiles"]["Shop"] = {"kind": "x", "daily_cap": 100}
    for profile in before["profiles"].values():  # a file written before the sign-in fields existed
        profile.pop("oauth2_client_id", None)
        profile.pop("oauth2_redirect_port", None)
    settings, problems = settings_from_dict(before)
    assert problems == []
    shop = settings.profiles["Shop"]
    assert shop.oauth2_client_id == "" and shop.oauth2_redirect_port == DEFAULT_REDIRECT_PORT == 8719


def test_client_id_and_port_round_trip() -> None:
    settings = AppSettings()
    settings.profiles["Shop"] = Profile(name="Shop", oauth2_client_id="M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ",
                                        oauth2_redirect_port=9123)
    loaded, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == []
    assert loaded.profiles["Shop"].oauth2_client_id == "M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ"
    assert loaded.profiles["Shop"].oauth2_redirect_port == 9123


def test_bad_values_are_named_and_replaced_by_the_default() -> None:
    settings, problems = settings_from_dict({"profiles": {"Shop": {
        "oauth2_client_id": "two words", "oauth2_redirect_port": 80}}})
    shop = settings.profiles["Shop"]
    assert shop.oauth2_client_id == "" and shop.oauth2_redirect_port == DEFAULT_REDIRECT_PORT
    assert any(problem.startswith("Profile 'Shop', client ID: must be one word") for problem in problems)
    assert any(problem.startswith("Profile 'Shop', callback port: must be a whole number ≥ 1024")
               for problem in problems)
