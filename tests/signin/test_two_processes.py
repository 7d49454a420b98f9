"""The desktop app and a command on one profile: two real processes whose token is about to expire build their
gateways at once. X rotates refresh tokens, so only one of them may renew it; the other must wait for the lock,
read the keyring again and use the new token. Both succeed and X (the sandbox) sees one refresh."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import keyring
import pytest

from tests.signin.file_keyring import BACKEND_ENV_VALUE, FILE_ENV, FileKeyring
from tests.signin.signin_support import PROFILE, SignInDriver
from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import SystemClock
from twexport_qt.sandbox.external_process import REPO_ROOT
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.signin.token_keeper import REFRESH_MARGIN_S


@pytest.fixture
def file_keyring(tmp_path):
    backend = FileKeyring(tmp_path / "keyring.json")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_two_processes_renewing_at_once_make_one_refresh_request(tmp_path, file_keyring):
    clock = SystemClock()  # the other processes run on the wall clock too
    data_dir = tmp_path / "data"
    with running_sandbox(followers=50, clock=clock) as server:
        settings = AppSettings()
        settings.profiles[PROFILE] = Profile(name=PROFILE, kind="x")
        settings.active_profile = PROFILE
        context = AppContext(data_dir, settings=settings, secrets=SecretStore.open(), clock=clock,
                             configure_log=False, api_base_url=server.base_url)
        try:
            driver = SignInDriver(context, server)
            driver.sign_in()
            context.save_settings()
            # Less than the renewal margin left: each process renews before its first request.
            soon = replace(driver.stored(), expires_at=clock.now() + REFRESH_MARGIN_S / 2)
            context.secrets.set_oauth2_token(PROFILE, soon)
        finally:
            context.close()

        env = {**os.environ, "PYTHON_KEYRING_BACKEND": BACKEND_ENV_VALUE, FILE_ENV: str(file_keyring.path),
               "PYTHONPATH": str(REPO_ROOT)}
        command = [sys.executable, str(REPO_ROOT / "main.py"), "--data-dir", str(data_dir), "--api-base-url",
                   server.base_url, "--profile", PROFILE, "account", "test"]
        processes = [subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=120) for process in processes]

        for process, (out, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err
            assert "Signed in as @sandbox_creator" in out
        assert server.state.auth.oauth2.refreshes == 1
        renewed = SecretStore.open().oauth2_token(PROFILE)
        assert renewed is not None and renewed.access_token != soon.access_token
        assert server.state.auth.oauth2.scopes_of(renewed.access_token, clock.now()) is not None
