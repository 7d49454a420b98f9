from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from twexport_qt import paths


@pytest.fixture
def clean_env(monkeypatch, tmp_path: Path) -> Path:
    """No TWEXPORT_HOME, and the platform data location inside tmp_path."""
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_override_beats_environment(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(clean_env / "from-env"))
    assert paths.data_dir(clean_env / "from-flag") == clean_env / "from-flag"
    assert paths.data_dir(str(clean_env / "as-text")) == clean_env / "as-text"


def test_environment_beats_platform_location(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(clean_env / "from-env"))
    assert paths.data_dir() == clean_env / "from-env"


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="XDG layout")
def test_platform_location_is_the_same_with_or_without_a_qt_app(clean_env: Path) -> None:
    assert paths.data_dir() == clean_env / "xdg" / "TwExport"


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="XDG layout")
def test_home_fallback_without_xdg_data_home(clean_env: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(clean_env / "home"))
    assert paths.data_dir() == clean_env / "home" / ".local" / "share" / "TwExport"


def test_the_folder_is_the_one_earlier_versions_found_through_qt(clean_env: Path) -> None:
    """Versions before 0.2 asked Qt (GenericDataLocation + TwExport): their users' data must still be found."""
    qt_folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation))
    assert paths.data_dir() == qt_folder / "TwExport"


def test_new_directories_are_private_existing_ones_untouched(clean_env: Path) -> None:
    created = paths.data_dir(clean_env / "new" / "nested")
    assert created.is_dir() and _mode(created) == 0o700

    shared = clean_env / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    paths.data_dir(shared)
    assert _mode(shared) == 0o755


def test_file_helpers_live_in_the_data_dir(data_dir: Path) -> None:
    assert paths.database_path() == data_dir / "twexport.sqlite3"
    assert paths.settings_path() == data_dir / "settings.json"
    assert paths.log_path() == data_dir / "twexport.log"
    exports = paths.exports_dir()
    assert exports == data_dir / "exports" and exports.is_dir()


def test_output_paths_in_the_data_folder_are_refused_except_its_exports_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "exports").mkdir(parents=True)
    for app_file in ("twexport.sqlite3", "settings.json", "twexport.log", "locks/x.lock", "new.csv"):
        with pytest.raises(paths.OutputPathRefused, match="data folder"):
            paths.check_output_path(home / app_file, home)
    with pytest.raises(paths.OutputPathRefused, match="is a folder"):
        paths.check_output_path(home / "exports", home)
    assert paths.check_output_path(home / "exports" / "f.csv", home) == (home / "exports" / "f.csv").resolve()
    assert paths.check_output_path(tmp_path / "f.csv", home) == (tmp_path / "f.csv").resolve()
    # A path that only reaches the data folder through `..` or a symlink is refused all the same.
    with pytest.raises(paths.OutputPathRefused):
        paths.check_output_path(home / "exports" / ".." / "twexport.sqlite3", home)
    (tmp_path / "link").symlink_to(home)
    with pytest.raises(paths.OutputPathRefused):
        paths.check_output_path(tmp_path / "link" / "settings.json", home)


def test_a_second_name_for_the_data_folder_is_refused_too(tmp_path: Path) -> None:
    """The data folder reached under another path (a bind mount here; a differently-cased path on Windows and
    macOS) is recognised by file identity, not by its spelling."""
    import subprocess

    home = tmp_path / "home"
    (home / "exports").mkdir(parents=True)
    other_name = tmp_path / "elsewhere"
    other_name.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or subprocess.run(
            ["mount", "--bind", str(home), str(other_name)], capture_output=True).returncode:
        pytest.skip("needs root to bind-mount the folder under a second name")
    try:
        with pytest.raises(paths.OutputPathRefused):
            paths.check_output_path(other_name / "twexport.sqlite3", home)
        assert paths.check_output_path(other_name / "exports" / "f.csv", home)  # its exports folder is fine
    finally:
        subprocess.run(["umount", str(other_name)], capture_output=True)
