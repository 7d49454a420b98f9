"""Real desktop parts for the tests that need them, each started by the test and gone after it: an X server (Xvfb),
a private D-Bus session bus, and a Secret Service (gnome-keyring-daemon) on that bus, all in a throw-away home.

Nothing here reaches the developer's desktop: the app under test gets its own display, bus, home and keyring files.
Where a tool is missing the test is skipped, naming the system packages (README, "System packages (Linux)"), except
in CI: `.ci/run` sets TWEXPORT_REQUIRE_DESKTOP_TESTS=1, and then a missing tool fails the test instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.desktop_support import GnomeKeyring, require_commands, stop_process

# What the calling environment may carry that would send a child to the developer's own display, bus, keyring,
# data folder or Qt platform: never passed on.
INHERITED_BUT_DROPPED = (
    "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "QT_QPA_PLATFORM", "QT_QPA_PLATFORMTHEME",
    "PYTHON_KEYRING_BACKEND", "TWEXPORT_HOME", "TWEXPORT_API_BASE_URL", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK",
    "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "DESKTOP_SESSION",
)


@pytest.fixture
def desktop_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a child process: a fresh home with its own XDG folders (so keyring files, Qt caches
    and settings land in tmp_path) and nothing of the caller's display, bus or keyring. Fixtures add their part
    (DISPLAY, DBUS_SESSION_BUS_ADDRESS) to this same dict."""
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for folder in (home / ".config", home / ".local" / "share", home / ".cache", runtime):
        folder.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)  # as XDG requires (Qt warns otherwise; gnome-keyring puts its control socket there)
    env = {name: value for name, value in os.environ.items() if name not in INHERITED_BUT_DROPPED}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        # No session bus unless a fixture starts one: libdbus then neither connects to the developer's bus nor
        # autolaunches one on the test's X display (a daemon that would outlive the test).
        "DBUS_SESSION_BUS_ADDRESS": "disabled:",
    })
    return env


@pytest.fixture
def x_display(desktop_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A private X server (Xvfb) on a display number it picks itself (-displayfd: no clash with other X servers
    on the machine); DISPLAY is set in desktop_env. Yields the display name, e.g. ":3"."""
    require_commands("Xvfb", packages="xvfb")
    read_end, write_end = os.pipe()
    with (tmp_path / "xvfb.log").open("wb") as log:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=desktop_env)
    os.close(write_end)
    try:
        # Xvfb writes the display number once it accepts connections; EOF without one means it died.
        with os.fdopen(read_end) as display_number:
            number = display_number.readline().strip()
        if not number:
            pytest.fail(f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text(errors='replace')}", pytrace=False)
        desktop_env["DISPLAY"] = f":{number}"
        yield f":{number}"
    finally:
        stop_process(server)


@pytest.fixture
def session_bus(desktop_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A private D-Bus session bus (dbus-daemon) listening in tmp_path; its address is set in desktop_env."""
    require_commands("dbus-daemon", packages="dbus")
    socket = tmp_path / "runtime" / "bus"
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", f"--address=unix:path={socket}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=desktop_env)
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()  # printed once the bus accepts connections
        if not address:
            pytest.fail(f"dbus-daemon did not start: {daemon.communicate(timeout=10)[1]}", pytrace=False)
        desktop_env["DBUS_SESSION_BUS_ADDRESS"] = address
        yield address
    finally:
        stop_process(daemon)


@pytest.fixture
def gnome_keyring(session_bus: str, desktop_env: dict[str, str], tmp_path: Path) -> Iterator[GnomeKeyring]:
    """A running, unlocked Secret Service on the test's private bus (see GnomeKeyring)."""
    require_commands("gnome-keyring-daemon", packages="gnome-keyring")
    keyring = GnomeKeyring(desktop_env, tmp_path / "gnome-keyring.log")
    keyring.start()
    try:
        yield keyring
    finally:
        keyring.stop()


