from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from twexport_qt.settings import (
    AppSettings,
    FilterDefaults,
    Profile,
    SettingsInvalid,
    TierSpec,
    load_settings,
    save_settings,
)


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
            created_before=datetime(2019, 6, 27, tzinfo=timezone.utc),
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
    assert result.settings.active.follower_filters.created_before == datetime(2019, 6, 27, tzinfo=timezone.utc)
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
    with pytest.raises(OSError):
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
    assert "profiles.Work.retry_after_days must be a whole number ≥ 0" in joined
    assert "profiles.Work.test_mode must be true or false" in joined
    assert "profiles.Work.follower_filters.created_before must be a date and time" in joined
    assert "profiles.Work.colour is not a known setting" in joined
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
        "profiles.Sandbox.test_accounts must list at most 5 accounts (found 6)",
        "profiles.Sandbox.retry_after_days must be a whole number ≥ 0",
    ]
    assert not path.exists()
