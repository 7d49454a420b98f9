"""Where TwExport keeps its files: one private data directory per user.

Precedence: the ``--data-dir`` command-line override, then the ``TWEXPORT_HOME`` environment variable, then the
platform's per-user data location (``~/.local/share/TwExport``, ``%LOCALAPPDATA%\\TwExport``,
``~/Library/Application Support/TwExport``). Paths are ``pathlib`` paths throughout; the modes 0700/0600 given here
are POSIX permissions (on Windows the folder is private through its place in the user's profile).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from twexport_qt import APP_NAME
from twexport_qt.core.errors import ConfigError

DATA_DIR_ENV = "TWEXPORT_HOME"
DATABASE_FILE_NAME = "twexport.sqlite3"
SETTINGS_FILE_NAME = "settings.json"
LOG_FILE_NAME = "twexport.log"
EXPORTS_DIR_NAME = "exports"

_PRIVATE_DIR_MODE = 0o700


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory, created with mode 0700 if missing (it holds other people's profiles)."""
    path = resolve_data_dir(override)
    _make_private_dir(path)
    return path


def database_path(override: str | Path | None = None) -> Path:
    return data_dir(override) / DATABASE_FILE_NAME


def settings_path(override: str | Path | None = None) -> Path:
    return data_dir(override) / SETTINGS_FILE_NAME


def log_path(override: str | Path | None = None) -> Path:
    return data_dir(override) / LOG_FILE_NAME


def exports_dir(override: str | Path | None = None) -> Path:
    """Default folder offered for CSV/dataset exports, created on demand."""
    path = data_dir(override) / EXPORTS_DIR_NAME
    _make_private_dir(path)
    return path


def resolve_data_dir(override: str | Path | None = None) -> Path:
    """The data directory's path, without creating it."""
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return _platform_data_dir()


def _platform_data_dir() -> Path:
    """The OS's per-user data folder plus "TwExport" (~/.local/share, %LOCALAPPDATA%, ~/Library/Application Support).

    platformdirs gives the same folder Qt's GenericDataLocation did, without Qt, so the headless CLI and the GUI
    always agree on where the database is.
    """
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def _make_private_dir(path: Path) -> None:
    """Create `path` as 0700. An existing directory keeps its mode: the user may have chosen a shared one."""
    if path.is_dir():
        return
    path.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, _PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask


class OutputPathRefused(ConfigError):
    """A file the user asked to write would overwrite or sit among the app's own files."""


def check_output_path(path: Path | str, data_dir: Path | str | None) -> Path:
    """`path`, resolved, if TwExport may write a user's file there; else OutputPathRefused.

    The data folder holds the database (with the DM log that prevents messaging someone twice), the settings
    and the logs: no export or dataset may be written over them or next to them. Its `exports` subfolder,
    which the app offers as the default place for exports, is the one exception.
    """
    target = Path(path).expanduser().resolve()
    if target.is_dir():
        raise OutputPathRefused(f"{target} is a folder: choose a file name inside it.")
    if data_dir is None:
        return target
    home = Path(data_dir).expanduser().resolve()
    exports = home / EXPORTS_DIR_NAME
    if _is_within(target, home) and not (_is_within(target, exports) and target != exports):
        raise OutputPathRefused(
            f"TwExport does not write exports into its data folder ({home}), where its database, settings and "
            f"logs live: choose another folder, or {exports}. Nothing was written.")
    return target


def _is_within(target: Path, folder: Path) -> bool:
    """Whether `target` is `folder` or lies below it, also where paths differ only in case (Windows, macOS) or
    reach it through another name: compared by file identity wherever both exist."""
    if target.is_relative_to(folder):
        return True
    if not folder.exists():
        return False
    for candidate in (target, *target.parents):
        try:
            if candidate.exists() and os.path.samefile(candidate, folder):
                return True
        except OSError:
            continue
    return False
