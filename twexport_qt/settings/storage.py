"""settings.json on disk: atomic saves, and loads that never lose the user's file.

A file that cannot be read or parsed, or that holds invalid values, is first copied to
``settings.json.broken-<timestamp>``; the app then runs on defaults (or on the valid part) and says what happened.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from twexport_qt.core.errors import ConfigError
from twexport_qt.settings.codec import settings_from_dict, settings_to_dict
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.validation import validate_settings

log = logging.getLogger(__name__)


class SettingsInvalid(ConfigError):
    """Raised by save_settings; `problems` lists every invalid field by name."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The settings were not saved: " + " ".join(problems))
        self.problems = problems


@dataclass
class LoadResult:
    settings: AppSettings
    problems: list[str] = field(default_factory=list)
    backup_path: Path | None = None  # where the original file was kept, if it had problems


def load_settings(path: Path) -> LoadResult:
    """Settings from `path`; defaults if it does not exist.

    When the file has problems it is backed up and the repaired settings are written back, so the same problems
    (and a new backup) do not come back at every start.
    """
    if not path.exists():
        return LoadResult(AppSettings())
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _recover(path, AppSettings(), [f"Could not read {path.name} ({error}); default settings are used."])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        problem = f"{path.name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
        return _recover(path, AppSettings(), [problem + "default settings are used."])
    settings, problems = settings_from_dict(data)
    if problems:
        return _recover(path, settings, problems)
    return LoadResult(settings)


def save_settings(settings: AppSettings, path: Path) -> None:
    """Validate, then write atomically (temp file + os.replace): a crash leaves the old file or the new one."""
    problems = validate_settings(settings)
    if problems:
        raise SettingsInvalid(problems)
    payload = json.dumps(settings_to_dict(settings), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    _atomic_write(path, payload)


def _recover(path: Path, settings: AppSettings, problems: list[str]) -> LoadResult:
    try:
        backup = _back_up(path)
    except OSError as error:
        log.warning("Could not back up %s", path, exc_info=True)
        # Without a backup, rewriting the file could destroy what the user had: leave it alone.
        problems.append(
            f"Could not keep a copy of {path.name} ({error}); it was left untouched. "
            "Fix its permissions before changing settings, or your old settings will be replaced."
        )
        return LoadResult(settings, problems)
    problems.append(f"The original file was kept as {backup.name}.")
    log.warning("Settings problems in %s (backup %s): %s", path, backup, problems)
    try:
        save_settings(settings, path)
    except (OSError, ConfigError):
        log.warning("Could not write repaired settings to %s", path, exc_info=True)
    return LoadResult(settings, problems, backup)


def _back_up(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while backup.exists():  # two failures within one second must not overwrite each other
        counter += 1
        backup = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    try:
        shutil.copy2(path, backup)
    except PermissionError:
        os.replace(path, backup)  # unreadable but in a writable folder: moving still keeps it
    return backup


def _atomic_write(path: Path, payload: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
