from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
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
from twexport_qt.settings.legacy_config import legacy_db_path, plan_legacy_config
from twexport_qt.settings.validation import MAX_COUNT, MAX_RETRY_AFTER_DAYS

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
    assert profile.message == "Hi {name},\nsubscription message and link"  # Twitter Exporter's greeting kept
    assert profile.retry_message == "Hi {name},\nretry subscription message and link"
    assert report.templates == {"message": profile.message, "retry_message": profile.retry_message}
    filters = profile.follower_filters
    assert filters.created_before == datetime(2019, 6, 27, tzinfo=UTC)
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
    assert profile.message == "Hi {name},\nnew message"
    assert profile.daily_cap == 25
    assert profile.follower_filters.min_followers == 100


def test_invalid_json_reports_line_and_column(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    path = _write(tmp_path, '{\n  "test_flag": true,\n  "message": "hi"\n  "retry_after_days": 7\n}')
    settings = AppSettings()

    with pytest.raises(LegacyImportError, match=r"not valid JSON \(Expecting ',' delimiter at line 4, column 3\)"):
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
    assert profile.retry_message == "Hi {name},\nretry subscription message and link"  # valid neighbours imported
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



# ---- hostile or damaged config.json ---------------------------------------------------------------------

HUGE = "9" * 5000  # past Python's 4,300-digit limit: json.loads alone raises ValueError


def test_integers_of_thousands_of_digits_are_refused_by_field_name(tmp_path: Path, memory_keyring) -> None:
    text = json.dumps(_legacy_config(retry_after_days=0))
    text = text.replace('"retry_after_days": 0', f'"retry_after_days": {HUGE}')
    text = text.replace('"min_followers_count": 100', f'"min_followers_count": -{HUGE}')
    settings = AppSettings()

    report = import_legacy_config(_write(tmp_path, text), "Legacy", settings, SecretStore.open())

    assert report.problems == [
        f"retry_after_days must be at most {MAX_RETRY_AFTER_DAYS:,} days; not imported.",
        "follower_filters.min_followers_count must be a whole number ≥ 0, or empty for no limit; not imported.",
    ]
    profile = settings.profiles["Legacy"]
    assert profile.retry_after_days == 7 and profile.follower_filters.max_followers == 10_000
    save_settings(settings, tmp_path / "settings.json")  # what was imported can be saved


@pytest.mark.parametrize(
    ("field", "value"),
    [("retry_after_days", 2**63), ("min_followers_count", 2**63), ("max_friends_count", 2**64 + 1),
     ("max_followers_count", MAX_COUNT + 1)],
)
def test_numbers_beyond_sqlite_are_refused_by_field_name(tmp_path: Path, memory_keyring, field, value) -> None:
    config = _legacy_config()
    if field in config:
        config[field] = value
        label = field
    else:
        config["follower_filters"][field] = value
        label = f"follower_filters.{field}"

    report = import_legacy_config(_write(tmp_path, config), "Legacy", AppSettings(), SecretStore.open())

    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"{label} must be at most ")  # the legacy file's own key
    assert str(value) not in report.problems[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HUGE, "must contain a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "nested more than 100 levels deep"),
        ('{"twitter": ' + "[" * 500 + "]" * 500 + "}", "nested more than 100 levels deep"),
        ("\ufeff{}".encode().decode("latin-1"), "not valid JSON"),
    ],
)
def test_hostile_json_is_a_sentence(tmp_path: Path, memory_keyring, content: str, message: str) -> None:
    settings = AppSettings()

    with pytest.raises(LegacyImportError, match=message) as raised:
        import_legacy_config(_write(tmp_path, content), "Legacy", settings, SecretStore.open())

    assert len(str(raised.value)) < 300 and str(raised.value).endswith(".")
    assert settings == AppSettings() and memory_keyring.entries == {}


def test_a_folder_named_config_json_is_a_sentence(tmp_path: Path, memory_keyring) -> None:
    folder = tmp_path / "config.json"
    folder.mkdir()

    with pytest.raises(LegacyImportError, match=r"is a folder: choose the config\.json file"):
        import_legacy_config(folder, "Legacy", AppSettings(), SecretStore.open())


def test_a_db_file_that_is_no_path_is_noted_not_a_crash(tmp_path: Path, memory_keyring) -> None:
    report = import_legacy_config(_write(tmp_path, _legacy_config(db_file="bad\u0000name.db")), "Legacy",
                                  AppSettings(), SecretStore.open())

    assert report.legacy_db_file is None
    assert any("db_file is not a usable path" in note for note in report.notes)


def test_recursion_limit_is_not_what_stops_deep_nesting(tmp_path: Path, memory_keyring) -> None:
    """Nesting within Python's recursion limit is still refused, whatever the caller's stack depth."""
    depth = sys.getrecursionlimit() // 2
    with pytest.raises(LegacyImportError, match="nested more than"):
        import_legacy_config(_write(tmp_path, "[" * depth + "]" * depth), "Legacy", AppSettings(), SecretStore.open())


# ---- what Twitter Exporter sent: "Hi {name},\n" + the message as typed -------------------------------------------

def test_the_greeting_is_part_of_both_templates_and_renders_as_twitter_exporter_sent_it(tmp_path, memory_keyring):
    from twexport_qt.campaigns.planner import Recipient
    from twexport_qt.campaigns.templates import render, validate_template

    config = _legacy_config(message="Use code {SAVE10} at {name}'s shop }", retry_message="Still {{here}}")
    settings = AppSettings()

    report = import_legacy_config(_write(tmp_path, config), "Legacy", settings, SecretStore.open())

    profile = settings.profiles["Legacy"]
    ann = Recipient(1, "ann", "Ann Lee")
    # Twitter Exporter added its message without reading placeholders: braces went out as typed.
    assert render(profile.message, ann) == "Hi Ann Lee,\nUse code {SAVE10} at {name}'s shop }"
    assert render(profile.retry_message, ann) == "Hi Ann Lee,\nStill {{here}}"
    assert validate_template(profile.message) == [] and validate_template(profile.retry_message) == []
    assert any("braces" in note for note in report.notes)


def test_an_empty_message_stays_empty_instead_of_a_bare_greeting(tmp_path, memory_keyring):
    settings = AppSettings()
    report = import_legacy_config(_write(tmp_path, _legacy_config(message="", retry_message="  ")), "Legacy",
                                  settings, SecretStore.open())
    profile = settings.profiles["Legacy"]
    assert profile.message == "" and profile.retry_message.strip() == ""
    assert any(note.startswith("message is empty, so no first message is set") for note in report.notes)
    assert any(note.startswith("retry_message is empty, so TwExport sends no retry") for note in report.notes)


def test_a_live_config_never_confirms_live_sending(tmp_path, memory_keyring):
    settings = AppSettings()
    report = import_legacy_config(_write(tmp_path, _legacy_config(test_flag=False, enable_dm_flag=True)), "Legacy",
                                  settings, SecretStore.open())
    profile = settings.profiles["Legacy"]
    assert profile.sends_live and profile.live_confirmed_at is None
    assert any("until you confirm live sending" in note for note in report.notes)


def test_leaving_live_mode_forgets_an_earlier_confirmation(tmp_path, memory_keyring):
    settings = AppSettings()
    import_legacy_config(_write(tmp_path, _legacy_config(test_flag=False, enable_dm_flag=True)), "Legacy",
                         settings, SecretStore.open())
    settings.profiles["Legacy"].live_confirmed_at = 1_700_000_000
    import_legacy_config(_write(tmp_path, _legacy_config(test_flag=True)), "Legacy", settings, SecretStore.open())
    assert settings.profiles["Legacy"].live_confirmed_at is None


def test_new_keys_make_the_known_account_unknown(tmp_path, memory_keyring):
    settings, store = AppSettings(), SecretStore.open()
    import_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, store)
    settings.profiles["Legacy"].account_id = 42

    import_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, store)
    assert settings.profiles["Legacy"].account_id == 42  # same keys, same account

    config = _legacy_config()
    config["twitter"]["access_token"] = "999-anotherAccountsToken"
    import_legacy_config(_write(tmp_path, config), "Legacy", settings, store)
    assert settings.profiles["Legacy"].account_id is None  # the DM log must not be filed under the old account


def test_planning_changes_nothing(tmp_path, memory_keyring):
    settings = AppSettings()
    plan = plan_legacy_config(_write(tmp_path, _legacy_config()), "Legacy", settings, SecretStore.open())
    assert settings == AppSettings() and memory_keyring.entries == {}
    assert plan.secrets == KEYS and plan.profile.message.startswith("Hi {name},\n")


@pytest.mark.parametrize(("db_file", "expected"), [
    (None, "twitter_export.db"),  # absent: the sample config's name
    ("old/tx.db", "old/tx.db"),
    ("/abs/tx.db", "/abs/tx.db"),
])
def test_db_file_is_found_next_to_config_json(tmp_path, memory_keyring, db_file, expected):
    config = _legacy_config()
    if db_file is None:
        del config["db_file"]
    else:
        config["db_file"] = db_file
    assert legacy_db_path(_write(tmp_path, config)) == (tmp_path / expected).resolve()


def test_a_db_file_that_is_not_text_is_noted(tmp_path, memory_keyring):
    report = import_legacy_config(_write(tmp_path, _legacy_config(db_file=7)), "Legacy", AppSettings(),
                                  SecretStore.open())
    assert report.legacy_db_file is None
    assert any(note.startswith("db_file must be the name of Twitter Exporter's database") for note in report.notes)
