"""settings.json on disk: atomic saves, and loads that never lose the user's file.

A file that cannot be read or parsed, or that holds invalid values, is first copied to
``settings.json.broken-<timestamp>``; the app then runs on defaults (or on the valid part) and says what happened.
Something at that path that is not a file (a folder, a pipe) is never copied, moved or replaced: loading says so
and uses defaults, and saving refuses with a sentence. Every OSError of a save becomes a `SettingsSaveError`
naming the file and the cause in plain words; the previous file is left as it was.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from twexport_qt import APP_NAME
from twexport_qt.core.errors import ConfigError
from twexport_qt.core.os_errors import DISK_FULL, describe_os_error
from twexport_qt.settings.codec import JsonDocumentError, decode_json, settings_from_dict, settings_to_dict
from twexport_qt.settings.merge import merge_changes
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.validation import validate_settings

log = logging.getLogger(__name__)

SETTINGS_LOCK_TIMEOUT_S = 10.0  # a merge-and-save takes milliseconds: a lock held this long is another's hang


class SettingsInvalid(ConfigError):
    """Raised by save_settings; `problems` lists every invalid field by name."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The settings were not saved: " + " ".join(problems))
        self.problems = problems


class SettingsSaveError(ConfigError):
    """Raised by save_settings when the file cannot be written; the previous settings file is unchanged."""

    default_message = "The settings could not be saved."


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
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return LoadResult(AppSettings())
    except OSError as error:
        log.warning("Could not examine %s: %s", path, error)
        problem = f"Could not read {path} ({describe_os_error(error)}); default settings are used."
        return LoadResult(AppSettings(), [problem])
    if not stat.S_ISREG(mode):
        # A folder (or pipe, device) where the file belongs: copying it is impossible or unwise and replacing it
        # could destroy what is inside, so it is left exactly as it is.
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        log.warning("%s is %s; running on default settings", path, what)
        problem = (
            f"{path.name} is {what}, not a settings file ({path}); default settings are used, and settings cannot "
            "be saved until you move or rename it."
        )
        return LoadResult(AppSettings(), [problem])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        cause = describe_os_error(error) if isinstance(error, OSError) else "it is not UTF-8 text"
        return _recover(path, AppSettings(), [f"Could not read {path.name} ({cause}); default settings are used."])
    try:
        data = decode_json(text)
    except JsonDocumentError as error:
        return _recover(path, AppSettings(), [f"{path.name} {error}; default settings are used."])
    settings, problems = settings_from_dict(data)
    if problems:
        return _recover(path, settings, problems)
    return LoadResult(settings)


def save_settings(settings: AppSettings, path: Path) -> None:
    """Validate, then write atomically (temp file + os.replace): a crash leaves the old file or the new one.

    Raises SettingsInvalid (fields by name) or SettingsSaveError (the file could not be written); both are
    ConfigErrors whose message is a sentence for the user.
    """
    problems = validate_settings(settings)
    if problems:
        raise SettingsInvalid(problems)
    payload = json.dumps(settings_to_dict(settings), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if path.is_dir():  # os.replace would fail (or, on some systems, try to replace the folder)
        raise SettingsSaveError(
            f"The settings were not saved: {path} is a folder, not a file; move or rename that folder, then save again."
        )
    try:
        _atomic_write(path, payload)
    except OSError as error:
        log.warning("Could not save settings to %s", path, exc_info=True)
        raise SettingsSaveError(
            f"The settings were not saved to {path} because {describe_os_error(error)}; "
            f"{_what_to_do(error)} (the previous settings file was not changed)."
        ) from error


def save_settings_changes(ours: AppSettings, base: AppSettings, path: Path, lock_path: Path) -> AppSettings:
    """Save the changes from `base` (the settings as last read or written) to `ours` over the file as it is now,
    and return what was saved: changes another process saved meanwhile are kept (`settings.merge`).

    A file lock (beside the other locks of the data folder) makes the read-merge-write one step for every
    process. Raises what `save_settings` raises, or SettingsSaveError if the lock stays taken.
    """
    from filelock import FileLock, Timeout

    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(lock_path, timeout=SETTINGS_LOCK_TIMEOUT_S):
            current = load_settings(path).settings
            merged, problems = settings_from_dict(merge_changes(settings_to_dict(base), settings_to_dict(ours),
                                                                settings_to_dict(current)))
            problems += merged.ensure_invariants()  # e.g. a profile made active here, deleted there meanwhile
            if problems:
                log.warning("Settings merged with another process's changes were repaired: %s", problems)
            save_settings(merged, path)
    except Timeout as error:
        raise SettingsSaveError(
            f"The settings were not saved: another {APP_NAME} process has been saving them for "
            f"{SETTINGS_LOCK_TIMEOUT_S:.0f} seconds (the previous settings file was not changed); save again."
        ) from error
    return merged


def _what_to_do(error: OSError) -> str:
    if error.errno in DISK_FULL:
        return "free some disk space, then save again"
    if error.errno == errno.EROFS:
        return "use a writable data folder (--data-dir or TWEXPORT_HOME), then save again"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "make the folder and the file writable for your user, then save again"
    return "fix that, then save again"


def _recover(path: Path, settings: AppSettings, problems: list[str]) -> LoadResult:
    try:
        backup = _back_up(path)
    except OSError as error:
        log.warning("Could not back up %s: %s", path, error)
        # Without a backup, rewriting the file could destroy what the user had: leave it alone.
        problems.append(
            f"Could not keep a copy of {path.name} ({describe_os_error(error)}); it was left untouched. "
            "Fix its permissions before changing settings, or your old settings will be replaced."
        )
        return LoadResult(settings, problems)
    problems.append(f"The original file was kept as {backup.name}.")
    log.warning("Settings problems in %s (backup %s): %s", path, backup, problems)
    try:
        save_settings(settings, path)
    except (OSError, ConfigError) as error:
        log.warning("Could not write repaired settings to %s: %s", path, error)
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
        try:
            Path(temp_name).unlink(missing_ok=True)
        except OSError:
            pass  # must not replace the error being raised; a stray .tmp file is harmless
        raise
