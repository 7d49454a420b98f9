"""Remembered window state (geometry, splitters, table headers, last choices): one QSettings INI file per data folder.

It lives beside the data it describes, so a second data folder (tests, `--data-dir`) starts from defaults and
never shares state with another. It holds layout and choices only: never a secret, never data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

UI_STATE_FILE_NAME = "window-state.ini"


def ui_state(data_dir: Path) -> QSettings:
    """The remembered UI state of the data folder `data_dir` (a fresh object each call: QSettings is cheap and
    syncs on destruction; callers keep it only as long as they need it)."""
    return QSettings(str(data_dir / UI_STATE_FILE_NAME), QSettings.Format.IniFormat)
