"""The whole Twitter Exporter import: checked first, then written (history, keys, settings), or nothing at all.
Asking X whose the keys are is billed to the profile imported into, within its budgets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from keyring_fixtures import MemoryKeyring
from twitter_exporter_fixtures import SANDBOX_KEYS, build_legacy_db, write_legacy_config

from tests.signin.signin_support import USER_READ, billed_me_reads, one_billed_me
from twexport_qt.app_context import AppContext, sandbox_credentials
from twexport_qt.campaigns.twitter_exporter_db import LegacyDatabaseError
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_JOB_STOPPED
from twexport_qt.legacy_import import LegacyDatabaseMissing, OwnerUnknown, import_twitter_exporter
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.legacy_config import LegacyImportError
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import load_settings
from twexport_qt.signin.account import AccountJob, check_profile_connection
from twexport_qt.store import dm_repo

OLD_ROWS = {
    "followers": [(11, "Ann"), (12, "Bob"), (13, "Cat")],
    "dm_status": [(11, "2025-06-01 10:00:00.000"), (11, "2025-06-09 10:00:00.000"), (12, "2025-12-01 10:00:00.000")],
    "skip_user": [(13, "2025-06-02 10:00:00.000")],
}
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: any request there fails


def make_context(data_dir: Path, clock, api_base_url: str | None) -> AppContext:
    """The app as it starts: settings from the data folder, secrets from the (test's in-memory) keyring."""
    settings = load_settings(data_dir / "settings.json").settings
    return AppContext(data_dir, settings=settings, secrets=SecretStore.open(), clock=clock, configure_log=False,
                      api_base_url=api_base_url)


@pytest.fixture
def context(memory_keyring, data_dir, fake_clock, sandbox_server):  # the keyring first: the context opens it
    ctx = make_context(data_dir, fake_clock, sandbox_server.base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def old_tool(tmp_path) -> Path:
    """Twitter Exporter's folder: config.json with the sandbox account's keys, and its database next to it."""
    folder = tmp_path / "twitter-export"
    folder.mkdir()
    build_legacy_db(folder / "twitter_export.db", **OLD_ROWS)
    return write_legacy_config(folder)


def live_rows(context: AppContext, owner_id: int = SANDBOX_USER_ID) -> list[dm_repo.DmRow]:
    conn = context.connect()
    try:
        return list(dm_repo.status_rows(conn, owner_id, "live"))
    finally:
        conn.close()


def nothing_imported(context: AppContext, memory_keyring: MemoryKeyring) -> bool:
    saved = load_settings(context.settings_file).settings if context.settings_file.exists() else AppSettings()
    return ("Legacy" not in context.settings.profiles and "Legacy" not in saved.profiles
            and memory_keyring.entries == {} and live_rows(context) == [])


def test_settings_keys_and_history_land_under_the_account_x_names(context, old_tool, memory_keyring):
    report = import_twitter_exporter(context, old_tool, "Legacy")

    profile = load_settings(context.settings_file).settings.profiles["Legacy"]
    assert profile.account_id == SANDBOX_USER_ID  # X's answer for the imported keys, remembered
    assert profile.message == "Hi {name},\nsubscription message and link"
    assert context.secrets.credentials("Legacy").access_token == SANDBOX_KEYS["access_token"]
    assert {(row.recipient_id, row.step, row.state) for row in live_rows(context)} == {
        (11, "first", "sent"), (11, "retry", "sent"), (12, "first", "sent"), (13, "first", "skipped")}
    text = report.describe()
    assert "First message, with Twitter Exporter's greeting kept:\n    Hi {name},\n    subscription message and " \
           "link\nRetry message, with Twitter Exporter's greeting kept:\n    Hi {name},\n    retry subscription" in text
    assert f"Added to the DM log of @sandbox_creator (account id {SANDBOX_USER_ID}): 2 first DMs and 1 retry, as " \
           "sent; 1 follower X refused DMs to, as skipped." in text
    assert "1 follower got only the first DM: TwExport sends them the retry message 7 days after it" in text
    # X billed the question whose the keys are: to the new profile, whose keys (so whose X app) they are.
    assert billed_me_reads(context, "Legacy") == one_billed_me(AccountJob.TWITTER_EXPORTER_IMPORT)
    assert billed_me_reads(context, context.profile.name) == ()  # not the active profile's


def test_importing_twice_changes_nothing_and_needs_no_network(data_dir, fake_clock, sandbox_server, old_tool,
                                                             memory_keyring):
    first = make_context(data_dir, fake_clock, sandbox_server.base_url)
    import_twitter_exporter(first, old_tool, "Legacy")
    first.close()
    settings_before, rows_before = first.settings_file.read_bytes(), live_rows(first)

    again = make_context(data_dir, fake_clock, UNREACHABLE)  # the account is known now: X is not asked
    report = import_twitter_exporter(again, old_tool, "Legacy")

    assert again.settings_file.read_bytes() == settings_before and live_rows(again) == rows_before
    assert not report.changed_dm_log and "Nothing changed in the DM log" in report.describe()
    again.close()


def test_when_x_cannot_say_whose_keys_these_are_nothing_is_imported(context, old_tool, sandbox_server,
                                                                   memory_keyring):
    sandbox_server.state.auth.revoke(AuthContext.USER)

    with pytest.raises(OwnerUnknown, match="which account the imported keys belong to") as raised:
        import_twitter_exporter(context, old_tool, "Legacy")

    assert "Nothing was imported" in str(raised.value) and raised.value.exit_code == EXIT_JOB_STOPPED
    assert nothing_imported(context, memory_keyring)
    assert billed_me_reads(context, "Legacy") == ()  # X refused: nothing billed


def test_asking_x_stays_within_the_profiles_daily_budget(context, old_tool, sandbox_server, memory_keyring):
    legacy = Profile(name="Legacy", kind="x", daily_budget_usd=USER_READ)
    context.settings.profiles["Legacy"] = legacy
    context.save_settings()
    assert check_profile_connection(context, legacy, sandbox_credentials()).ok  # today's budget is spent now
    charged = sandbox_server.state.billing.charges()

    paused = re.escape("Paused before passing the daily budget of $0.01 of profile 'Legacy'")
    with pytest.raises(OwnerUnknown, match=paused):
        import_twitter_exporter(context, old_tool, "Legacy")

    assert sandbox_server.state.billing.charges() == charged  # the question was never sent
    assert billed_me_reads(context, "Legacy") == one_billed_me(AccountJob.CONNECTION_TEST)
    assert memory_keyring.entries == {} and live_rows(context) == []


def test_without_keys_x_cannot_be_asked_and_nothing_is_imported(context, tmp_path, memory_keyring):
    build_legacy_db(tmp_path / "twitter_export.db", **OLD_ROWS)
    config = write_legacy_config(tmp_path, keys={"consumer_key": "XXXXXXXX", "consumer_secret": "XXXXXXXX",
                                                 "access_token": "XXXXXXXX", "access_token_secret": "XXXXXXXX"})
    with pytest.raises(LegacyImportError, match="would not have all four twitter keys"):
        import_twitter_exporter(context, config, "Legacy")
    assert nothing_imported(context, memory_keyring)


@pytest.mark.parametrize("damage", ["not sqlite", "no tables", "missing"])
def test_a_bad_database_imports_nothing(context, old_tool, memory_keyring, damage):
    database = old_tool.parent / "twitter_export.db"
    if damage == "missing":
        database.unlink()
    else:
        database.write_bytes(b"" if damage == "no tables" else b"\x00garbage" * 512)

    with pytest.raises(LegacyDatabaseError) as raised:
        import_twitter_exporter(context, old_tool, "Legacy")

    assert raised.value.exit_code == EXIT_BAD_INPUT and str(raised.value).endswith(".")
    assert isinstance(raised.value, LegacyDatabaseMissing) == (damage == "missing")
    assert nothing_imported(context, memory_keyring)


def test_settings_only_when_asked(context, old_tool, memory_keyring):
    (old_tool.parent / "twitter_export.db").unlink()

    report = import_twitter_exporter(context, old_tool, "Legacy", with_history=False)

    assert "Legacy" in load_settings(context.settings_file).settings.profiles and live_rows(context) == []
    assert "Not imported (settings only): people Twitter Exporter messaged may be messaged again." in report.describe()


def test_another_database_can_be_named(context, old_tool, tmp_path, memory_keyring):
    (old_tool.parent / "twitter_export.db").rename(tmp_path / "moved.db")
    import_twitter_exporter(context, old_tool, "Legacy", database=tmp_path / "moved.db")
    assert len(live_rows(context)) == 4


def test_an_empty_history_needs_no_account(data_dir, fake_clock, tmp_path, memory_keyring):
    build_legacy_db(tmp_path / "twitter_export.db", followers=[(11, "Ann")])
    context = make_context(data_dir, fake_clock, UNREACHABLE)
    report = import_twitter_exporter(context, write_legacy_config(tmp_path), "Legacy")
    assert "records no DMs and no refusals: the DM log was not changed." in report.describe()
    context.close()


def test_into_the_active_profile_the_session_learns_the_account(context, old_tool, memory_keyring):
    import_twitter_exporter(context, old_tool, "Legacy", with_history=False)
    context.switch_profile("Legacy")
    assert context.known_owner_id() is None

    import_twitter_exporter(context, old_tool, "Legacy")

    assert context.known_owner_id() == SANDBOX_USER_ID
