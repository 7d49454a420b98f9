"""Secrets live only in the keyring: after real work with DEBUG logging on, no secret is in the database,
the settings file, the log or any export (tweepy's debug log prints request headers)."""

from __future__ import annotations

import logging

import pytest

from twexport_qt.app_context import AppContext, sandbox_credentials
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind, export
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.following_fetch import fetch_following
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions

PROFILE = "Newsletter"


@pytest.fixture
def context(tmp_path, fake_clock, sandbox_server, memory_keyring, monkeypatch):
    settings = AppSettings()
    settings.profiles[PROFILE] = Profile(name=PROFILE, kind="x")
    settings.active_profile = PROFILE
    context = AppContext(tmp_path / "data", settings=settings, secrets=SecretStore.open(), clock=fake_clock)
    # A real X profile whose traffic goes to the sandbox: the sandbox accepts only its own credentials.
    context.secrets.set_credentials(PROFILE, sandbox_credentials())
    monkeypatch.setattr(context, "api_base_url", lambda: sandbox_server.base_url)
    logging.getLogger().setLevel(logging.DEBUG)  # the worst case: tweepy logs headers at DEBUG
    yield context
    logging.getLogger().setLevel(logging.INFO)
    context.close()


def test_no_secret_in_db_settings_log_or_exports(context, tmp_path, memory_keyring):
    conn = context.connect()
    gateway = context.new_gateway()
    context.remember_owner(fetch_followers(conn, gateway, context.new_pacer(gateway), context.clock).owner_id)
    fetch_following(conn, gateway, context.new_pacer(gateway), context.clock)  # for the relationship exports
    run_download(conn, gateway, context.new_pacer(gateway), context.clock,
                 DownloadRequest(("alice_writes",), "timeline", DatasetOptions(limit=20), tmp_path / "alice.csv"),
                 progress=None, cancel=None, on_wait=None)
    context.save_settings()
    exports = []
    for kind in EXPORT_KINDS:
        path = tmp_path / f"export-{kind}.csv"
        export(conn, context.known_owner_id() if kind != ExportKind.TWEETS else None, kind, path)
        exports.append(path)
    conn.close()
    for handler in logging.getLogger().handlers:
        handler.flush()

    secrets = [value for value in vars(sandbox_credentials()).values() if value]
    assert len(secrets) == 5 and all(memory_keyring.entries.get(("TwExport", f"{PROFILE}/{f}"))
                                     for f in ("consumer_key", "access_token_secret", "bearer_token"))
    logs = [context.log_file, *context.log_file.parent.glob(f"{context.log_file.name}.*")]  # rotated ones too
    log_text = "".join(log.read_text(encoding="utf-8") for log in logs)
    assert "Making API request" in log_text  # tweepy's debug lines did reach the log...
    files = [context.database_file, context.settings_file, *logs, *exports,
             *context.data_dir.glob("*.sqlite3-wal")]
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"a secret leaked into {path.name}"
