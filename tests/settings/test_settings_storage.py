from __future__ import annotations

import errno
import json
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from twexport_qt.core.errors import ConfigError
from twexport_qt.settings import (
    AppSettings,
    FilterDefaults,
    Profile,
    SettingsInvalid,
    TierSpec,
    load_settings,
    save_settings,
)
from twexport_qt.settings.storage import SettingsSaveError
from twexport_qt.settings.validation import MAX_DAILY_CAP, MAX_INT64


def _custom_settings() -> AppSettings:
    settings = AppSettings()
    settings.profiles["Work"] = Profile(
        name="Work",
        kind="x",
        test_accounts=["alice", "bob_2"],
        message="Hi {name} 👋",
        retry_after_days=3,
        daily_cap=50,
        follower_filters=FilterDefaults(
            created_before=datetime(2019, 6, 27, tzinfo=UTC),
            min_followers=100,
            max_followers=10_000,
            verified_only=True,
        ),
        tiers=[TierSpec("Big", min_followers=5_000), TierSpec("Rest")],
        auto_fetch_minutes=30,
    )
    settings.active_profile = "Work"
    return settings


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = _custom_settings()

    save_settings(settings, path)
    result = load_settings(path)

    assert result.problems == []
    assert result.backup_path is None
    assert result.settings == settings
    assert result.settings.active.follower_filters.created_before == datetime(2019, 6, 27, tzinfo=UTC)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_missing_file_gives_defaults_with_a_sandbox_profile(tmp_path: Path) -> None:
    result = load_settings(tmp_path / "settings.json")

    assert result.problems == []
    assert result.settings.active_profile == "Sandbox"
    sandbox = result.settings.active
    assert sandbox.kind == "sandbox"
    assert sandbox.test_mode is True and sandbox.dm_enabled is False
    assert [tier.name for tier in sandbox.tiers] == ["Power user", "Rising", "Regular"]


def test_save_leaves_no_temp_files_and_replaces_old_content(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    save_settings(AppSettings(), path)

    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
    assert "Work" not in json.loads(path.read_text())["profiles"]


def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    before = path.read_text()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SettingsSaveError, match="disk full"):
        save_settings(AppSettings(), path)

    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_malformed_file_is_backed_up_and_defaults_are_loaded(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    broken = '{"active_profile": "Work", "profiles": {'
    path.write_text(broken)

    result = load_settings(path)

    assert result.settings == AppSettings()
    assert result.backup_path is not None
    assert result.backup_path.name.startswith("settings.json.broken-")
    assert result.backup_path.read_text() == broken
    assert any("not valid JSON" in p and "line 1, column" in p for p in result.problems)
    assert any(result.backup_path.name in p for p in result.problems)


def test_invalid_values_fall_back_per_field_and_keep_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    data = json.loads(path.read_text())
    data["profiles"]["Work"]["retry_after_days"] = -2
    data["profiles"]["Work"]["test_mode"] = "yes"
    data["profiles"]["Work"]["follower_filters"]["created_before"] = "last tuesday"
    data["profiles"]["Work"]["colour"] = "blue"
    original = json.dumps(data)
    path.write_text(original)

    result = load_settings(path)

    work = result.settings.profiles["Work"]
    assert work.retry_after_days == 7 and work.test_mode is True  # defaults
    assert work.follower_filters.created_before is None
    assert work.daily_cap == 50 and work.follower_filters.min_followers == 100  # untouched valid values
    joined = "\n".join(result.problems)
    assert "Profile 'Work', retry after: must be a whole number ≥ 0; the default is used." in joined
    assert "Profile 'Work', test mode: must be true or false; the default is used." in joined
    assert "Profile 'Work', joined before: must be a date and time like 2019-06-27T00:00:00+00:00" in joined
    assert "Profile 'Work': 'colour' is not a known setting and was ignored." in joined
    assert "profiles." not in joined  # no path of the file: the form's words
    assert result.backup_path is not None and result.backup_path.read_text() == original
    # the repaired file was written back: the next start is clean and makes no second backup
    assert load_settings(path).problems == []


def test_missing_sandbox_and_unknown_active_profile_are_repaired(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"active_profile": "Gone", "profiles": {"Work": {"kind": "x"}}}))

    result = load_settings(path)

    assert set(result.settings.profiles) == {"Work", "Sandbox"}
    assert result.settings.profiles["Sandbox"].kind == "sandbox"
    assert result.settings.active_profile == "Sandbox"
    assert any("'Gone' does not exist" in p for p in result.problems)


def test_save_refuses_invalid_settings_and_names_every_field(tmp_path: Path) -> None:
    settings = AppSettings()
    settings.profiles["Sandbox"].retry_after_days = -1
    settings.profiles["Sandbox"].test_accounts = ["a", "b", "c", "d", "e", "f"]
    path = tmp_path / "settings.json"

    with pytest.raises(SettingsInvalid) as raised:
        save_settings(settings, path)

    assert raised.value.problems == [
        "Profile 'Sandbox', test accounts: must list at most 5 accounts (found 6)",
        "Profile 'Sandbox', retry after: must be a whole number ≥ 0",
    ]
    assert str(raised.value).startswith("The settings were not saved: Profile 'Sandbox', test accounts: ")
    assert not path.exists()



# ---- saving: every OSError is a sentence, and the old file stays --------------------------------------------


@pytest.mark.parametrize(
    ("code", "cause", "advice"),
    [
        (errno.EACCES, "permission was denied", "make the folder and the file writable"),
        (errno.EROFS, "the disk or folder is read-only", "use a writable data folder"),
        (errno.ENOSPC, "the disk is full", "free some disk space"),
    ],
)
@pytest.mark.parametrize("failing", ["create", "write", "replace"])
def test_os_errors_while_saving_are_sentences_and_keep_the_old_file(
    tmp_path: Path, monkeypatch, code: int, cause: str, advice: str, failing: str
) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    before = path.read_bytes()
    error = OSError(code, os.strerror(code))

    def fail(*args, **kwargs):
        raise error

    if failing == "create":
        monkeypatch.setattr("tempfile.mkstemp", fail)
    elif failing == "write":
        monkeypatch.setattr(os, "fsync", fail)  # where a full disk shows up at the latest
    else:
        monkeypatch.setattr(os, "replace", fail)

    with pytest.raises(SettingsSaveError) as raised:
        save_settings(AppSettings(), path)

    message = str(raised.value)
    assert isinstance(raised.value, ConfigError)
    assert str(path) in message and cause in message and advice in message
    assert "previous settings file was not changed" in message
    assert raised.value.__cause__ is error  # the traceback, for the log
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="POSIX permissions; root ignores them")
def test_read_only_folder_for_real(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "settings.json"
    save_settings(_custom_settings(), path)
    before = path.read_bytes()
    folder.chmod(0o500)
    try:
        with pytest.raises(SettingsSaveError, match="permission was denied"):
            save_settings(AppSettings(), path)
    finally:
        folder.chmod(0o700)
    assert path.read_bytes() == before


# ---- settings.json that is a folder ---------------------------------------------------------------------------


def test_a_folder_named_settings_json_is_reported_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "settings.json"
    folder.mkdir()
    (folder / "keep-me.txt").write_text("user data")

    result = load_settings(folder)

    assert result.settings == AppSettings()
    assert len(result.problems) == 1
    assert result.problems[0].startswith("settings.json is a folder, not a settings file (")
    assert "default settings are used" in result.problems[0] and "move or rename it" in result.problems[0]
    assert result.backup_path is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]  # no backup copy, no temp file
    assert (folder / "keep-me.txt").read_text() == "user data"


def test_saving_over_a_folder_is_a_sentence_not_is_a_directory_error(tmp_path: Path) -> None:
    folder = tmp_path / "settings.json"
    folder.mkdir()

    with pytest.raises(SettingsSaveError) as raised:
        save_settings(AppSettings(), folder)

    assert "is a folder, not a file; move or rename that folder, then save again" in str(raised.value)
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    os.mkfifo(path)  # reading it would block the app's start forever

    result = load_settings(path)

    assert "not a regular file" in result.problems[0] and result.backup_path is None


# ---- hostile JSON ---------------------------------------------------------------------------------------------------

HUGE = "9" * 5000  # json.loads alone raises ValueError: "Exceeds the limit (4300 digits)"


def test_an_integer_of_thousands_of_digits_is_refused_by_field_name(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    original = path.read_text().replace('"daily_cap": 50', f'"daily_cap": {HUGE}')
    original = original.replace('"min_followers": 100', f'"min_followers": {HUGE}')
    path.write_text(original)

    result = load_settings(path)

    work = result.settings.profiles["Work"]
    assert work.daily_cap == 400 and work.retry_after_days == 3  # the default, and the rest kept
    assert work.follower_filters.min_followers is None and work.follower_filters.max_followers == 10_000
    assert (f"Profile 'Work', daily cap: must be at most {MAX_DAILY_CAP:,} DMs per 24 hours, "
            "X's limit; the default is used.") in result.problems
    assert any(p.startswith("Profile 'Work', minimum followers: must be at most") for p in result.problems)
    assert all(len(p) < 300 for p in result.problems)
    assert result.backup_path is not None and result.backup_path.read_text() == original
    assert load_settings(path).problems == []  # repaired file written back


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,  # RecursionError in the parser
        '{"profiles": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
        '{"profiles": ' + "[" * 500 + "]" * 500 + "}",  # parses, but no settings nest like that
    ],
)
def test_deeply_nested_json_is_a_sentence(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)

    result = load_settings(path)

    assert result.settings == AppSettings()
    assert result.problems[0] == (
        "settings.json is nested more than 100 levels deep, so it cannot be settings (the file may be damaged); "
        "default settings are used."
    )
    assert result.backup_path is not None and result.backup_path.read_text() == content


def test_the_reported_repro_gives_sentences(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "nested more than 100 levels" in load_settings(path).problems[0]
    path.write_text('{"version": ' + HUGE + "}")
    assert load_settings(path).settings == AppSettings()


# ---- no number reaches SQLite out of the int64 range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: setattr(p, "daily_cap", 2**63), "daily cap"),
        (lambda p: setattr(p, "retry_after_days", 2**63 // 86_400 + 1), "retry after"),  # × 86,400 s overflows
        (lambda p: setattr(p, "auto_fetch_minutes", 10**12), "fetch followers every"),
        (lambda p: setattr(p, "account_id", MAX_INT64 + 1), "X account id"),
        (lambda p: setattr(p.follower_filters, "max_following", 2**64), "maximum following"),
        (lambda p: setattr(p.tiers[0], "min_followers", 10**30), "tier 1, minimum followers"),
    ],
)
def test_save_refuses_numbers_sqlite_cannot_hold_by_field_name(tmp_path: Path, change, field: str) -> None:
    settings = _custom_settings()
    change(settings.profiles["Work"])

    with pytest.raises(SettingsInvalid) as raised:
        save_settings(settings, tmp_path / "settings.json")

    [problem] = raised.value.problems
    assert problem.startswith(f"Profile 'Work', {field}: must be at most ")
    assert not (tmp_path / "settings.json").exists()


def test_the_largest_x_id_is_accepted(tmp_path: Path) -> None:
    settings = _custom_settings()
    settings.profiles["Work"].account_id = MAX_INT64
    save_settings(settings, tmp_path / "settings.json")
    assert load_settings(tmp_path / "settings.json").settings.profiles["Work"].account_id == MAX_INT64


def test_too_large_numbers_in_the_file_are_replaced_by_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(_custom_settings(), path)
    data = json.loads(path.read_text())
    work = data["profiles"]["Work"]
    work["retry_after_days"] = 2**63
    work["account_id"] = 2**64
    work["tiers"][0]["max_following"] = 2**70
    path.write_text(json.dumps(data))

    result = load_settings(path)

    loaded = result.settings.profiles["Work"]
    assert (loaded.retry_after_days, loaded.account_id) == (7, None)
    assert [tier.name for tier in loaded.tiers] == ["Power user", "Rising", "Regular"]  # default tiers
    assert result.problems[:3] == [
        "Profile 'Work', retry after: must be at most 3,650 days; the default is used.",
        "Profile 'Work', X account id: must be at most 9,223,372,036,854,775,807, or empty for no limit; the default "
        "is used.",
        "Profile 'Work', tier 1, maximum following: must be at most 2,000,000,000, or empty for no limit; the default "
        "tiers are used.",
    ]
