"""Saving settings never undoes what another process saved meanwhile: a command-line job that ran for hours must not
turn the DM master switch back on after the user turned it off in the app (or the reverse), and its `--profile`
choice is not saved as the active profile."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from twexport_qt.app_context import AppContext, open_context
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.merge import merge_changes
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import load_settings, save_settings


def test_only_the_changed_fields_are_taken_the_rest_is_what_the_file_holds_now():
    base = {"a": 1, "b": 1, "profiles": {"P": {"x": 1, "y": 1}, "Q": {"x": 1}}}
    ours = {"a": 2, "b": 1, "profiles": {"P": {"x": 1, "y": 2}, "Q": {"x": 1}, "New": {"x": 5}}}
    theirs = {"a": 1, "b": 3, "profiles": {"P": {"x": 4, "y": 1}, "Theirs": {"x": 6}}}  # they deleted Q
    assert merge_changes(base, ours, theirs) == {
        "a": 2, "b": 3, "profiles": {"P": {"x": 4, "y": 2}, "Theirs": {"x": 6}, "New": {"x": 5}}}


def test_a_field_both_changed_takes_the_savers_value_and_lists_are_taken_whole():
    assert merge_changes({"n": 1}, {"n": 2}, {"n": 3}) == {"n": 2}
    assert merge_changes({"l": [1, 2]}, {"l": [1, 2, 3]}, {"l": [9]}) == {"l": [1, 2, 3]}
    assert merge_changes({"l": [1, 2]}, {"l": [1, 2]}, {"l": [9]}) == {"l": [9]}
    assert merge_changes({"gone": 1}, {}, {"gone": 1}) == {}  # deleted here, untouched there: deleted
    assert merge_changes({"P": {"x": 1}}, {"P": {"x": 2}}, {}) == {}  # deleted there, edited here: deleted


def _data_dir(tmp_path: Path) -> Path:
    """A data folder whose settings.json has a real profile "Work" in use, live DMs on, and the Sandbox."""
    data = tmp_path / "data"
    data.mkdir()
    settings = AppSettings()
    settings.profiles["Work"] = Profile(name="Work", kind="x", dm_enabled=True, auto_dm=True, test_mode=False,
                                        live_confirmed_at=1)
    settings.active_profile = "Work"
    save_settings(settings, data / "settings.json")
    return data


def _command_line_context(data: Path, profile: str | None = None) -> AppContext:
    args = argparse.Namespace(data_dir=str(data), profile=profile, api_base_url=None, repair=False)
    return open_context(args)


def test_a_long_command_line_job_ending_keeps_the_switch_the_app_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    data = _data_dir(tmp_path)
    job = _command_line_context(data)  # a fetch starts from the command line, settings read now
    app = _command_line_context(data)  # the desktop app, open meanwhile
    try:
        app.profile.dm_enabled = False  # the user turns the master switch off...
        app.profile.auto_dm = False
        app.save_settings()
        job.remember_owner(1234)  # ...then the job ends and remembers the account it fetched

        saved = load_settings(data / "settings.json").settings.profiles["Work"]
        assert (saved.dm_enabled, saved.auto_dm, saved.account_id) == (False, False, 1234)
        assert job.profile.dm_enabled is False  # the job's process now holds what was saved, too
        app.remember_owner(1234)  # and the app learning the same account saves nothing that differs
        assert load_settings(data / "settings.json").settings.profiles["Work"].dm_enabled is False
    finally:
        job.close()
        app.close()


def test_a_profile_chosen_on_the_command_line_is_not_saved_as_the_one_in_use(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    data = _data_dir(tmp_path)
    job = _command_line_context(data, profile="Sandbox")
    try:
        job.profile.retry_after_days = 3  # any change the command saves
        job.save_settings()
        saved = json.loads((data / "settings.json").read_text(encoding="utf-8"))
        assert saved["active_profile"] == "Work" and saved["profiles"]["Sandbox"]["retry_after_days"] == 3
        assert job.profile.name == "Sandbox"  # while this process keeps its own choice
    finally:
        job.close()


def test_the_account_a_job_learns_goes_to_the_profile_it_ran_for(tmp_path):
    settings = AppSettings()
    settings.profiles["Work"] = Profile(name="Work", kind="x")
    settings.profiles["Shop"] = Profile(name="Shop", kind="x")
    settings.active_profile = "Work"
    context = AppContext(tmp_path / "data", settings=settings, secrets=SecretStore(SessionOnlyBackend()),
                         configure_log=False)
    try:
        context.switch_profile("Shop")  # the user switched while a fetch of "Work" ran
        context.remember_owner(77, "Work")
        assert context.settings.profiles["Work"].account_id == 77
        assert context.settings.profiles["Shop"].account_id is None
        context.remember_owner(88, "Sandbox")  # the Sandbox's account is never stored
        assert context.settings.profiles["Sandbox"].account_id is None
    finally:
        context.close()


@pytest.mark.parametrize("removed_there", [True, False])
def test_the_profile_in_use_deleted_by_another_process_falls_back_to_one_that_exists(tmp_path, monkeypatch,
                                                                                      removed_there):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    data = _data_dir(tmp_path)
    app = _command_line_context(data)
    other = _command_line_context(data)
    try:
        if removed_there:
            del other.settings.profiles["Work"]
            other.settings.active_profile = "Sandbox"
            other.save_settings()
        app.profile.retry_after_days = 4
        app.save_settings()
        saved = load_settings(data / "settings.json").settings
        assert (("Work" in saved.profiles) is not removed_there) and saved.active_profile in saved.profiles
    finally:
        app.close()
        other.close()
