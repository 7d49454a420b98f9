"""`--self-check` from source; the PyInstaller binary built, measured and self-checked, and the .deb made from it
measured, installed, run and removed (CI runs those two; locally they need TWEXPORT_RUN_PACKAGING_TESTS=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from twexport_qt.self_check import SelfCheckFailed, check_keyring_backend, native_platform_plugins

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("Main window opened offscreen", "Fetched 2,500 followers", "Filter", "Exported", "Sentiment lexicon loaded",
         "Keyring backend bundled: SecretService", "Qt platform plug-ins: offscreen (in use)")
MB = 1_000_000
# Limits that catch a regression (measured: 194 MB unpacked, a 56 MB .deb, from 267 MB and a 105 MB .tar.gz before
# issue 17). Issue 17's goal, 120 MB / 50 MB, is not met: ~125 MB of what is left the app cannot do without (ICU
# with its data 38 MB, numpy with OpenBLAS 42 MB, Qt's libraries and bindings 55 MB, cryptography for the Secret
# Service 14 MB); packaging/twexport.spec says what was left out and why.
MAX_UNPACKED_MB = 200
MAX_DEB_MB = 60  # xz-compressed, as Debian's tools make it: the Linux download

requires_packaging_run = pytest.mark.skipif(
    os.environ.get("TWEXPORT_RUN_PACKAGING_TESTS") != "1",
    reason="builds the PyInstaller binary (1-2 min); set TWEXPORT_RUN_PACKAGING_TESTS=1 (CI does)")


def assert_self_check_passed(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    for step in STEPS:
        assert step in result.stdout
    assert result.stdout.rstrip().endswith("SELF-CHECK PASSED")


def env_for(home: Path) -> dict[str, str]:
    """Offscreen, a throw-away home, and no display: the native platform plug-in is checked only with one."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, "HOME": str(home), "TWEXPORT_HOME": str(home / "twexport"), "QT_QPA_PLATFORM": "offscreen"}


def test_self_check_from_source_leaves_the_users_data_alone(tmp_path):
    home = tmp_path / "home"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-check"], capture_output=True, text=True,
                            env=env_for(home), timeout=300, cwd=ROOT)
    assert_self_check_passed(result)
    assert not home.exists()  # it worked in a throw-away folder


@pytest.mark.parametrize(("platform", "environ", "expected"), [
    ("linux", {}, []),  # a server or CI: only offscreen, which the self-check itself runs on
    ("linux", {"DISPLAY": ":0"}, ["xcb"]),
    ("linux", {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, ["xcb", "wayland"]),
    ("win32", {}, ["windows"]),
    ("darwin", {}, ["cocoa"]),
])
def test_the_native_platform_plugin_is_checked_where_the_desktop_would_use_it(platform, environ, expected):
    assert native_platform_plugins(platform, environ) == expected


def test_a_missing_keyring_dependency_fails_the_self_check(monkeypatch):
    # A bundle without secretstorage would keep secrets for one session only, silently: the self-check says so.
    monkeypatch.setitem(sys.modules, "secretstorage", None)  # None in sys.modules makes the import fail
    with pytest.raises(SelfCheckFailed, match="SecretService backend cannot load"):
        check_keyring_backend("linux")


def test_the_native_platform_plugin_loads_with_a_display(tmp_path):
    # The xcb plug-in is loaded (its system libraries resolved) without connecting: DISPLAY names no server.
    env = {**env_for(tmp_path / "home"), "DISPLAY": ":99.404"}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-check"], capture_output=True, text=True,
                            env=env, timeout=300, cwd=ROOT)
    assert_self_check_passed(result)
    assert "offscreen (in use), xcb (loads)" in result.stdout


@pytest.fixture(scope="module")
def built_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh PyInstaller build of the working tree, made once for this module's tests (1-2 minutes)."""
    work = tmp_path_factory.mktemp("pyinstaller")
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(ROOT / "packaging" / "twexport.spec")],
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert build.returncode == 0, build.stderr[-4000:]
    return work / "dist" / "TwExport"


def unpacked_bytes(folder: Path) -> int:
    """What the folder takes once unpacked: its files' sizes, links counted once (as links)."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


@pytest.mark.packaging
@requires_packaging_run
def test_pyinstaller_binary_passes_its_self_check_within_the_size_limit(built_app, tmp_path):
    assert (built_app / "_internal" / "resources" / "twexport.png").is_file()
    result = subprocess.run([str(built_app / "TwExport"), "--self-check"], capture_output=True, text=True,
                            env=env_for(tmp_path / "home"), timeout=300, cwd=tmp_path)
    assert_self_check_passed(result)
    unpacked = unpacked_bytes(built_app)
    print(f"PyInstaller folder: {unpacked / MB:.0f} MB unpacked")
    assert unpacked <= MAX_UNPACKED_MB * MB, f"{unpacked / MB:.0f} MB unpacked"


def can_install_debs() -> str | None:
    """Why this machine cannot install the .deb in a test, or None."""
    if sys.platform != "linux" or shutil.which("dpkg-deb") is None or shutil.which("apt-get") is None:
        return "needs Debian or Ubuntu (dpkg-deb, apt-get)"
    if os.geteuid() != 0:
        return "installs a system package: needs root (CI's container runs as root)"
    installed = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", "twexport"], capture_output=True,
                               text=True)
    if installed.stdout.startswith("ii"):
        return "twexport is already installed here: the test would remove it"
    return None


@pytest.mark.packaging
@requires_packaging_run
def test_the_deb_installs_self_checks_and_removes_cleanly(built_app, tmp_path):
    reason = can_install_debs()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "deb"
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build_deb.py"), "--app-dir", str(built_app),
                    "--out", str(out)], check=True, capture_output=True, text=True, timeout=600)
    (deb,) = out.glob("twexport_*.deb")
    print(f"{deb.name}: {deb.stat().st_size / MB:.0f} MB")
    assert deb.stat().st_size <= MAX_DEB_MB * MB, f"{deb.stat().st_size / MB:.0f} MB .deb"
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", str(deb)], capture_output=True,
                             text=True, env=apt_env, timeout=600)
    try:
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
        assert Path("/usr/bin/twexport").resolve() == Path("/opt/twexport/TwExport")
        files = subprocess.run(["dpkg", "-L", "twexport"], capture_output=True, text=True, check=True).stdout
        for path in ("/opt/twexport/TwExport", "/usr/bin/twexport", "/usr/share/applications/twexport.desktop",
                     "/usr/share/icons/hicolor/256x256/apps/twexport.png"):
            assert path in files.splitlines()

        home = tmp_path / "home"
        result = subprocess.run(["twexport", "--self-check"], capture_output=True, text=True, env=env_for(home),
                                timeout=300, cwd=tmp_path)
        assert_self_check_passed(result)
        # The user's data, which the package must never touch, and a file the app could have left in its folder.
        data = home / ".local" / "share" / "TwExport"
        data.mkdir(parents=True)
        (data / "twexport.sqlite3").write_bytes(b"the user's followers")
        (Path("/opt/twexport") / "left-behind.log").write_text("written after installation", encoding="utf-8")
    finally:
        remove = subprocess.run(["apt-get", "remove", "--purge", "-y", "twexport"], capture_output=True, text=True,
                                env=apt_env, timeout=600)
    assert remove.returncode == 0, remove.stdout[-3000:] + remove.stderr[-3000:]
    for gone in ("/opt/twexport", "/usr/bin/twexport", "/usr/share/applications/twexport.desktop",
                 "/usr/share/icons/hicolor/256x256/apps/twexport.png"):
        assert not os.path.lexists(gone), gone
    assert (data / "twexport.sqlite3").read_bytes() == b"the user's followers"
