from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from keyring_fixtures import MemoryKeyring
from twexport_qt.secrets import KeyringLockedError, SecretStore
from twexport_qt.secrets.backends import SERVICE_NAME
from twexport_qt.settings import (
    AppSettings,
    LegacyImportError,
    import_legacy_config,
    load_settings,
    save_settings,
)

KEYS = {
    "consumer_key": "legacyConsumerKey123",
    "consumer_secret": "legacyConsumerSecret456",
    "access_token": "1234-legacyAccessToken789",
    "access_token_secret": "legacyAccessTokenSecret000",
}


def _legacy_config(**overrides) -> dict:
    """The sample from Twitter Exporter's README, with real-looking keys."""
    config = {
        "twitter": dict(KEYS),
        "db_file": "twitter_export.db",
        "test_flag": True,
        "test_accounts": ["balajis", "ShreyasJothish"],
        "test_retry_message": False,
        "enable_dm_flag": False,
        "message": "subscription message and link",
        "retry_message": "retry subscription message and link",
        "retry_after_days": 7,
        "follower_filters": {
            "created_before": "2019-06-27 00:00:00",
            "min_followers_count": 100,
            "max_followers_count": 10000,
            "min_friends_count": 50,
            "max_friends_count": 10000,
            "verified_only": False,
        },
    }
    config.update(overrides)
    return config


def _write(tmp_path: Path, config: dict | str) -> Path:
    path = tmp_path / "config.json"
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    return path


def test_valid_config_puts_keys_in_the_keyring_and_nothing_secret_in_settings(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    settings, store = AppSettings(), SecretStore.open()

    report = import_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, store)

    assert report.problems == []
    assert memory_keyring.entries[(SERVICE_NAME, "Legacy/consumer_secret")] == KEYS["consumer_secret"]
    assert store.credentials("Legacy").has_user_context
    profile = settings.profiles["Legacy"]
    assert profile.kind == "x"
    assert profile.test_mode is True and profile.dm_enabled is False
    assert profile.test_accounts == ["balajis", "ShreyasJothish"]
    assert profile.retry_message == "retry subscription message and link"
    filters = profile.follower_filters
    assert filters.created_before == datetime(2019, 6, 27, tzinfo=timezone.utc)
    assert (filters.min_followers, filters.max_followers) == (100, 10_000)
    assert (filters.min_following, filters.max_following) == (50, 10_000)
    assert report.legacy_db_file == tmp_path / "twitter_export.db"
    assert "twitter.access_token" in report.imported and "follower_filters.min_friends_count" in report.imported

    settings_file = tmp_path / "settings.json"
    save_settings(settings, settings_file)
    text = settings_file.read_text()
    for secret in KEYS.values():
        assert secret not in text
    assert load_settings(settings_file).settings.profiles["Legacy"] == profile


def test_existing_profile_is_updated_not_replaced(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    settings = AppSettings()
    import_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, SecretStore.open())
    settings.profiles["Legacy"].daily_cap = 25

    config = _legacy_config(message="new message")
    del config["follower_filters"]
    import_legacy_config(_write(tmp_path, config), "Legacy", settings, SecretStore.open())

    profile = settings.profiles["Legacy"]
    assert profile.message == "new message"
    assert profile.daily_cap == 25
    assert profile.follower_filters.min_followers == 100


def test_invalid_json_reports_line_and_column(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    path = _write(tmp_path, '{\n  "test_flag": true,\n  "message": "hi"\n  "retry_after_days": 7\n}')
    settings = AppSettings()

    with pytest.raises(LegacyImportError, match=r"not valid JSON: Expecting ',' delimiter at line 4, column 3"):
        import_legacy_config(path, "Legacy", settings, SecretStore.open())

    assert settings == AppSettings()
    assert memory_keyring.entries == {}


def test_each_invalid_field_is_reported_by_name_and_valid_ones_are_imported(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    config = _legacy_config(
        test_accounts=["a1", "a2", "a3", "a4", "a5", "a6"],
        retry_after_days="seven",
        enable_dm_flag="false",
        message=42,
    )
    config["twitter"]["consumer_key"] = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    config["twitter"]["access_token"] = 12345
    config["follower_filters"]["created_before"] = "27/06/2019"
    config["follower_filters"]["min_followers_count"] = -3
    settings, store = AppSettings(), SecretStore.open()

    report = import_legacy_config(_write(tmp_path, config), "Legacy", settings, store)

    assert report.problems == [
        "twitter.consumer_key is still the placeholder from the sample config; not imported.",
        "twitter.access_token must be non-empty text; not imported.",
        "test_accounts must list at most 5 accounts (found 6); not imported.",
        "enable_dm_flag must be true or false; not imported.",
        "message must be text; not imported.",
        "retry_after_days must be a whole number ≥ 0; not imported.",
        "follower_filters.created_before must be a date like \"2019-06-27 00:00:00\" (YYYY-MM-DD HH:MM:SS), "
        "not '27/06/2019'; not imported.",
        "follower_filters.min_followers_count must be a whole number ≥ 0, or empty for no limit; not imported.",
    ]
    profile = settings.profiles["Legacy"]
    assert profile.test_accounts == [] and profile.dm_enabled is False and profile.retry_after_days == 7
    assert profile.retry_message == "retry subscription message and link"  # valid neighbours still imported
    assert profile.follower_filters.max_followers == 10_000
    assert profile.follower_filters.created_before is None
    credentials = store.credentials("Legacy")
    assert credentials.consumer_key is None and credentials.access_token is None
    assert credentials.consumer_secret == KEYS["consumer_secret"]
    assert any("needs all four twitter keys" in note for note in report.notes)


def test_min_greater_than_max_keeps_previous_filters(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    config = _legacy_config()
    config["follower_filters"]["min_followers_count"] = 50_000
    settings = AppSettings()

    report = import_legacy_config(_write(tmp_path, config), "Legacy", settings, SecretStore.open())

    assert report.problems == [
        "follower_filters.min_followers_count (50000) must not be greater than "
        "follower_filters.max_followers_count (10000); no filters were imported."
    ]
    assert settings.profiles["Legacy"].follower_filters.min_followers is None


def test_handles_with_at_sign_are_normalised(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    settings = AppSettings()
    path = _write(tmp_path, _legacy_config(test_accounts=["@alice ", "bob"]))
    import_legacy_config(path, "L", settings, SecretStore.open())
    assert settings.profiles["L"].test_accounts == ["alice", "bob"]


@pytest.mark.parametrize("content", ["[1, 2]", '"config"'])
def test_not_an_object_is_refused(tmp_path: Path, content: str, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(LegacyImportError, match="must contain a JSON object"):
        import_legacy_config(_write(tmp_path, content), "Legacy", AppSettings(), SecretStore.open())


@pytest.mark.parametrize("name", ["Sandbox", "a/b", ""])
def test_refuses_unusable_profile_names(tmp_path: Path, name: str, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(LegacyImportError):
        import_legacy_config(_write(tmp_path, _legacy_config()), name, AppSettings(), SecretStore.open())
    assert memory_keyring.entries == {}


def test_locked_keyring_leaves_settings_untouched(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.locked = True
    settings = AppSettings()

    with pytest.raises(KeyringLockedError):
        import_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, SecretStore.open())

    assert settings == AppSettings()


def test_missing_file_is_a_clear_error(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(LegacyImportError, match="Could not read"):
        import_legacy_config(tmp_path / "nope.json", "Legacy", AppSettings(), SecretStore.open())
