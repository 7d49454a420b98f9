"""The secret store against a real Secret Service, once: gnome-keyring-daemon on a private D-Bus session bus, with
its own login keyring in a throw-away home (every other test uses the in-memory keyring of keyring_fixtures.py).

What it proves that the fake cannot: keyring's choice of backend on Linux lands on the Secret Service, the app's
entries are real items there (under service "TwExport"), they survive a restart of the keyring daemon, they are not
kept in clear text in its file, and deleting a profile removes them from the service.
"""

from __future__ import annotations

import json
from typing import Any

from tests.desktop.desktop_support import RESULT_PREFIX, GnomeKeyring, run_module
from twexport_qt.secrets import CREDENTIAL_FIELDS

PROFILE = "Secret Service test"
SESSION_TIMEOUT_S = 60


def test_credentials_live_in_the_secret_service_and_survive_its_restart(gnome_keyring: GnomeKeyring,
                                                                       desktop_env: dict[str, str]) -> None:
    from tests.desktop.secret_service_session import TEST_CREDENTIALS  # secretstorage: Linux only, so not above

    written = {field: getattr(TEST_CREDENTIALS, field) for field in CREDENTIAL_FIELDS}
    entries = sorted(f"{PROFILE}/{field}" for field in written)

    after_write = _run_store(desktop_env, "write")
    assert after_write["keyring_backend"] == "keyring.backends.SecretService.Keyring"
    assert after_write["store_is_persistent"]  # not the session-only memory the app falls back to
    assert "system keyring" in after_write["store_description"]
    assert after_write["read_back"] == written
    assert after_write["entries_in_service"] == entries
    assert not after_write["entries_locked"]

    # As after a logout and login: the daemon starts again from its file, unlocked with the same password.
    gnome_keyring.stop()
    keyring_file = gnome_keyring.keyring_folder / "login.keyring"
    stored = keyring_file.read_bytes()
    assert not [value for value in written.values() if value.encode() in stored]  # encrypted at rest
    gnome_keyring.start()
    after_restart = _run_store(desktop_env, "read")
    assert after_restart["read_back"] == written
    assert after_restart["entries_in_service"] == entries

    after_delete = _run_store(desktop_env, "delete")
    assert after_delete["read_back"] == dict.fromkeys(written)
    assert after_delete["entries_in_service"] == []


def _run_store(env: dict[str, str], action: str) -> dict[str, Any]:
    session = run_module("tests.desktop.secret_service_session", action, PROFILE, env=env, timeout=SESSION_TIMEOUT_S)
    told = f"{action}: exit code {session.returncode}\nstdout:\n{session.stdout}\nstderr:\n{session.stderr}"
    assert session.returncode == 0, told
    lines = [line for line in session.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    assert len(lines) == 1, told
    report: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_PREFIX))
    return report

