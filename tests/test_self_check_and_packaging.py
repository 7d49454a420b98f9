"""`--self-check` from source; the PyInstaller binary built, measured and self-checked, and the .deb made from it
measured, installed, run and removed (CI runs those two; locally they need TWEXPORT_RUN_PACKAGING_TESTS=1)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from twexport_qt.self_check import SelfCheckFailed, check_keyring_backend, native_platform_plugins
from twexport_qt.ui.main_window import EXIT_WHEN_SHOWN_ENV

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("Main window opened offscreen", "Fetched 2,500 followers", "Filter", "Exported", "Sentiment lexicon loaded",
         "Keyring backend bundled: SecretService", "Qt platform plug-ins: offscreen (in use)",
         # What Qt asks the bundled ICU for (Linux), which the build's trimmed ICU data must still serve.
         "8. ICU collation: Swedish sorts a-umlaut after z", "9. ICU case mapping: Turkish upper i",
         "10. ICU codecs: Shift_JIS, GBK", "11. ICU time-zone names: Europe/Berlin is 'Central European")
MB = 1_000_000
# Limits that catch a regression (measured: 179 MB unpacked and a 49.6 MB .deb, from 267 MB and a 105 MB .tar.gz
# before issue 17). The .deb meets issue 17's compressed goal, 50 MB; the unpacked goal, 120 MB, is not met: ~135 MB
# of what is left the app cannot do without (ICU 23 MB, its data trimmed to what Qt uses; numpy with OpenBLAS
# 42 MB, Qt's libraries and bindings 55 MB, cryptography for the Secret Service 14 MB); packaging/twexport.spec
# says what was left out and why.
MAX_UNPACKED_MB = 185
MAX_DEB_MB = 50  # xz -9 compressed (packaging/build_deb.py): the Linux download, issue 17's goal

# The ICU data the build bundles, trimmed by packaging/trim_icu_data.py (PySide6's wheel ships 32 MB; 16.3 MB left).
MAX_ICU_DATA_MB = 18
TRIM_ICU_DATA = ROOT / "packaging" / "trim_icu_data.py"
ICU_CHECKS = ("check_icu_collation", "check_icu_case_mapping", "check_icu_codecs", "check_icu_time_zone_names")
# The self-check's ICU steps, run in a fresh Python: prints the names of those that failed.
RUN_ICU_CHECKS = f"""
from twexport_qt import self_check
failed = []
for name in {ICU_CHECKS!r}:
    try:
        getattr(self_check, name)()
    except self_check.SelfCheckFailed:
        failed.append(name)
print(" ".join(failed))
"""

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


def load_trim_icu_data() -> ModuleType:
    """packaging/trim_icu_data.py, loaded from its file (`import packaging...` finds the `packaging` library)."""
    spec = importlib.util.spec_from_file_location("trim_icu_data", TRIM_ICU_DATA)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def failing_icu_checks(library_dir: Path) -> list[str]:
    """The self-check's ICU steps that fail when Qt loads the ICU data library in `library_dir` instead of its own
    (the loader searches LD_LIBRARY_PATH before the RUNPATH that points Qt at PySide6's copy)."""
    env = {**os.environ, "LD_LIBRARY_PATH": str(library_dir), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", RUN_ICU_CHECKS], capture_output=True, text=True, env=env,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.skipif(sys.platform != "linux", reason="only PySide6's Linux wheels bundle ICU")
def test_the_trimmed_icu_data_serves_what_qt_asks_and_an_empty_one_fails_the_self_check(tmp_path: Path) -> None:
    trim = load_trim_icu_data()
    try:
        trim.check_tools()
    except trim.TrimError as exc:
        pytest.skip(str(exc))  # .ci/run installs them; the packaging build fails without them
    from PySide6 import QtCore

    (original,) = (Path(QtCore.__file__).parent / "Qt" / "lib").glob("libicudata.so.*")
    # Qt calls only the ICU functions the trim was decided against (a PySide6 upgrade that adds one fails here).
    assert trim.unreviewed_icu_calls(Path(QtCore.__file__).parent, original.suffix.removeprefix(".")) == []
    trimmed_dir = tmp_path / "trimmed"
    trimmed_dir.mkdir()
    result = trim.trim_library(original, trimmed_dir / original.name)
    assert result.bytes_after < 0.6 * result.bytes_before
    assert original.stat().st_size == result.bytes_before  # the venv's own library is untouched

    # An empty data package, an earlier attempt at shrinking the build: collation, codecs and zone names break.
    package = tmp_path / "original.dat"
    symbol = trim.extract_package(original, package)
    empty = tmp_path / "empty" / "empty.dat"
    empty.parent.mkdir()
    trim.remove_items(package, empty, trim.list_items(package))
    trim.build_library(empty, symbol.entry_point, original.name, empty.parent / original.name)

    assert failing_icu_checks(original.parent) == []
    assert failing_icu_checks(trimmed_dir) == []
    # Case mapping is compiled into libicuuc: it needs no data, so it passes even then.
    assert failing_icu_checks(empty.parent) == ["check_icu_collation", "check_icu_codecs",
                                                "check_icu_time_zone_names"]


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
    assert_self_check_passed(result)  # its ICU steps included: they ran on the trimmed ICU data
    (icu_data,) = (built_app / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")
    print(f"{icu_data.name}: {icu_data.stat().st_size / MB:.1f} MB")
    assert icu_data.stat().st_size <= MAX_ICU_DATA_MB * MB, "the build bundles untrimmed ICU data"
    unpacked = unpacked_bytes(built_app)
    print(f"PyInstaller folder: {unpacked / MB:.0f} MB unpacked")
    assert unpacked <= MAX_UNPACKED_MB * MB, f"{unpacked / MB:.0f} MB unpacked"


@pytest.mark.packaging
@requires_packaging_run
def test_the_binary_shows_its_window_before_loading_the_deferred_libraries(built_app, tmp_path):
    """Issue 17's start-up: nothing only a tab, an API call or a sentiment score needs is imported before the
    packaged window shows (a PyInstaller runtime hook importing nltk at launch once made it twice as slow)."""
    result = subprocess.run([str(built_app / "TwExport"), "--data-dir", str(tmp_path / "data")], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path,
                            env={**env_for(tmp_path / "home"), EXIT_WHEN_SHOWN_ENV: "1"})
    assert result.returncode == 0, result.stderr[-4000:]
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["shown", "imported-at-show", "ready"], result.stdout
    assert lines[1] == "imported-at-show -", f"imported before the window showed: {lines[1].split()[1]}"


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
