"""Command-line tests share a real-X profile whose traffic goes to the sandbox: it bills like X, so it asks."""

from __future__ import annotations

import pytest

from twexport_qt import paths
from twexport_qt.app_context import sandbox_credentials
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import save_settings


@pytest.fixture
def x_profile(data_dir, sandbox_server) -> list[str]:
    """The options that run a command as profile "Main" (an X profile) against the test's sandbox (2,500
    followers) through `--api-base-url`."""
    settings = AppSettings()
    settings.profiles["Main"] = Profile(name="Main")
    save_settings(settings, data_dir / paths.SETTINGS_FILE_NAME)
    SecretStore.open().set_credentials("Main", sandbox_credentials())
    return ["--data-dir", str(data_dir), "--profile", "Main", "--api-base-url", sandbox_server.base_url]
