"""Helpers of the desktop tests (fixtures in conftest.py): the skip-or-fail rule for missing system tools, the
child process runner, gnome-keyring's control, and the protocol of the session scripts the tests run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# `.ci/run` sets it: there a missing tool fails the test, since CI exists to run them.
REQUIRE_ENV = "TWEXPORT_REQUIRE_DESKTOP_TESTS"
SECRET_SERVICE_NAME = "org.freedesktop.secrets"
START_TIMEOUT_S = 30.0
# A session script prints one line starting with RESULT_PREFIX (JSON of what it saw), and each Qt message of
# warning level or worse on stderr starting with QT_MESSAGE_PREFIX.
RESULT_PREFIX = "SESSION-RESULT "
QT_MESSAGE_PREFIX = "QT-MESSAGE "


def require_commands(*commands: str, packages: str) -> None:
    """Skip the test when a command is missing (fail instead when REQUIRE_ENV=1, as in CI)."""
    missing = [command for command in commands if shutil.which(command) is None]
    if not sys.platform.startswith("linux"):
        missing = missing or list(commands)  # X11 and the Secret Service are Linux desktop parts
    if missing:
        _skip_or_fail(f"needs {', '.join(missing)} (Debian/Ubuntu packages: {packages})")


def require_xcb_libraries() -> None:
    """Skip the test when Qt's xcb platform plugin would not load: the libraries `ldd` cannot find, named
    (fail instead when REQUIRE_ENV=1). Qt itself would only say that no platform plugin could be initialized."""
    require_commands("ldd", packages="libc-bin")
    from PySide6.QtCore import QLibraryInfo

    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    linked = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    missing = sorted({line.split()[0] for line in linked.stdout.splitlines() if "not found" in line})
    if linked.returncode != 0 or missing:
        _skip_or_fail(f"Qt's xcb platform plugin cannot load: {', '.join(missing) or linked.stderr.strip()} "
                      "missing")


def _skip_or_fail(reason: str) -> None:
    reason += "; README, 'System packages (Linux)'"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 says this test must run here", pytrace=False)
    pytest.skip(reason)


class GnomeKeyring:
    """gnome-keyring-daemon's Secret Service on the private bus, its login keyring unlocked with a test password
    and kept under the test's home; start() and stop() like a user's session would (its files survive a stop)."""

    PASSWORD = "twexport-test-password"

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self._log_path = log_path
        self._daemon: subprocess.Popen[bytes] | None = None

    @property
    def keyring_folder(self) -> Path:
        return Path(self._env["XDG_DATA_HOME"]) / "keyrings"

    def start(self) -> None:
        with self._log_path.open("ab") as log:
            self._daemon = subprocess.Popen(
                # --unlock: the login keyring's password on stdin (created with it on the first start);
                # --foreground: this process is the daemon, so the test can stop it.
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=log, stderr=log, env=self._env)
        assert self._daemon.stdin is not None
        self._daemon.stdin.write(self.PASSWORD.encode())
        self._daemon.stdin.close()
        # The daemon unlocks the login keyring before it takes the Secret Service's name on the bus (gkd-main.c:
        # gkd_login_unlock, then gkd_dbus_secrets_startup): once the name has an owner, the keyring is usable.
        wait_for_bus_name(self._env["DBUS_SESSION_BUS_ADDRESS"], SECRET_SERVICE_NAME, self._daemon, self._log_path)

    def stop(self) -> None:
        if self._daemon is not None:
            stop_process(self._daemon)
            self._daemon = None


def run_module(module: str, *args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """`python -m module args` from the repository root (where `twexport_qt` and `tests` import from)."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def wait_for_bus_name(address: str, name: str, owner: subprocess.Popen[bytes], log_path: Path) -> None:
    """Block until `name` has an owner on the bus at `address`, by the bus's NameOwnerChanged signal (asked
    again after subscribing, so an owner that came first is seen too); fail if `owner` exits first."""
    from jeepney import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    owner_changed = MatchRule(type="signal", sender=message_bus.bus_name, interface=message_bus.interface,
                              member="NameOwnerChanged", path=message_bus.object_path)
    owner_changed.add_arg_condition(0, name)
    deadline = time.monotonic() + START_TIMEOUT_S
    with open_dbus_connection(bus=address) as connection:
        connection.send_and_get_reply(message_bus.AddMatch(owner_changed))
        with connection.filter(owner_changed) as changes:
            if connection.send_and_get_reply(message_bus.NameHasOwner(name)).body[0]:
                return
            while time.monotonic() < deadline:
                if owner.poll() is not None:
                    pytest.fail(f"{owner.args!r} exited with {owner.returncode} before it owned {name}: "
                                f"{log_path.read_text(errors='replace')}", pytrace=False)
                try:
                    # Wakes up every 0.2 s only to notice a daemon that died without taking the name.
                    signal = connection.recv_until_filtered(changes, timeout=0.2)
                except TimeoutError:
                    continue
                if signal.body[2]:  # the new owner
                    return
    pytest.fail(f"nobody owned {name} on the test bus after {START_TIMEOUT_S:.0f} s", pytrace=False)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
