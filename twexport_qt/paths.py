"""Where TwExport keeps its files: one private data directory per user.

Precedence: the ``--data-dir`` command-line override, then the ``TWEXPORT_HOME`` environment variable, then the
platform's per-user data location, then ``~/.local/share/TwExport``.
"""

from __future__ import annotations

import os
from pathlib import Path

from twexport_qt import APP_NAME

DATA_DIR_ENV = "TWEXPORT_HOME"
DATABASE_FILE_NAME = "twexport.sqlite3"
SETTINGS_FILE_NAME = "settings.json"
LOG_FILE_NAME = "twexport.log"
EXPORTS_DIR_NAME = "exports"

_PRIVATE_DIR_MODE = 0o700


def data_dir(override: str | Path | None = None) -> Path:
    """The data directory, created with mode 0700 if missing (it holds other people's profiles)."""
    path = _resolve_data_dir(override)
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


def _resolve_data_dir(override: str | Path | None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return _platform_data_dir()


def _platform_data_dir() -> Path:
    """The OS's per-user data folder plus "TwExport".

    Deliberately GenericDataLocation + APP_NAME rather than AppDataLocation: the latter depends on the
    organisation/application names of a QCoreApplication, which the headless CLI does not create, so the CLI and
    the GUI would disagree on where the database is.
    """
    try:
        from PySide6.QtCore import QStandardPaths
    except ImportError:  # a stripped-down install without Qt must still find its data
        base = ""
    else:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    if not base:
        base = str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def _make_private_dir(path: Path) -> None:
    """Create `path` as 0700. An existing directory keeps its mode: the user may have chosen a shared one."""
    if path.is_dir():
        return
    path.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, _PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
