"""Import a Twitter Exporter ``config.json``: API keys go to the keyring, everything else into a profile.

The import is per field: each invalid value is reported under its config.json name and skipped, and the valid ones
are imported, so a user with one typo does not have to start over. The file is parsed like settings.json
(`codec.decode_json`), so damaged or hostile JSON (too deeply nested, integers of thousands of digits) is a sentence.

It runs in two steps, `plan_legacy_config` (read and check, change nothing) and `apply_legacy_config` (write), so
the whole Twitter Exporter import (`legacy_import.py`, which also brings over the DM history of `db_file`) can
check everything before it writes anything.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from twexport_qt.core.errors import ConfigError
from twexport_qt.core.os_errors import describe_os_error
from twexport_qt.core.usernames import normalize_username
from twexport_qt.secrets import SecretStore
from twexport_qt.secrets.credentials import ACCESS_TOKEN, ACCESS_TOKEN_SECRET, CONSUMER_KEY, CONSUMER_SECRET
from twexport_qt.settings.codec import JsonDocumentError, decode_json
from twexport_qt.settings.model import SANDBOX_PROFILE_NAME, AppSettings, FilterDefaults, Profile
from twexport_qt.settings.validation import (
    FILTER_FIELD_CHECKS,
    PROFILE_FIELD_CHECKS,
    profile_name_problem,
)

LEGACY_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
LEGACY_DB_DEFAULT = "twitter_export.db"  # db_file of Twitter Exporter's sample config
# Twitter Exporter sent f"Hi {display name},\n" + message (and the same before the retry message).
LEGACY_GREETING = "Hi {name},\n"

# config.json name → Profile field
_PROFILE_FIELDS = {
    "test_flag": "test_mode",
    "test_accounts": "test_accounts",
    "test_retry_message": "test_retry_message",
    "enable_dm_flag": "dm_enabled",
    "message": "message",
    "retry_message": "retry_message",
    "retry_after_days": "retry_after_days",
}
# follower_filters.<name> → FilterDefaults field (created_before is parsed separately)
_FILTER_FIELDS = {
    "min_followers_count": "min_followers",
    "max_followers_count": "max_followers",
    "min_friends_count": "min_following",
    "max_friends_count": "max_following",
    "verified_only": "verified_only",
}
_LEGACY_RANGES = (("min_followers_count", "max_followers_count"), ("min_friends_count", "max_friends_count"))
_SECRET_FIELDS = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
_OTHER_KNOWN_KEYS = {"twitter", "db_file", "follower_filters"}
_PLACEHOLDER = re.compile(r"^[Xx]+$")  # the sample config ships "XXXXXXXX..." in every key
_MESSAGE_FIELDS = ("message", "retry_message")
_SWITCH_FIELDS = ("test_mode", "dm_enabled")  # set together, through Profile.set_switches


class LegacyImportError(ConfigError):
    default_message = "The Twitter Exporter configuration could not be imported."


@dataclass
class ImportReport:
    profile_name: str
    imported: list[str] = field(default_factory=list)  # config.json names that were imported
    problems: list[str] = field(default_factory=list)  # one sentence per skipped field, starting with its name
    notes: list[str] = field(default_factory=list)  # things worth knowing that are not errors
    legacy_db_file: Path | None = None  # the old SQLite file, resolved next to config.json
    # The imported message templates by config.json name, greeting included, exactly as TwExport will use them.
    templates: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class LegacyConfigPlan:
    """What importing a config.json will change, worked out before anything is written."""

    profile: Profile  # the profile as it will be saved (a copy: `settings` is not touched yet)
    secrets: dict[str, str]  # credential field -> value, only the valid ones
    report: ImportReport


def import_legacy_config(
    path: Path, profile_name: str, settings: AppSettings, secret_store: SecretStore
) -> ImportReport:
    """Import `path` into profile `profile_name` (created, or updated with kind "x") of `settings`.

    Secrets are written to `secret_store` before `settings` is touched, so a keyring failure leaves settings as
    they were. The caller saves `settings`. Raises LegacyImportError if the file cannot be read or parsed, or
    the profile name is unusable; SecretStoreError if the keyring refuses the keys.
    """
    plan = plan_legacy_config(path, profile_name, settings, secret_store)
    apply_legacy_config(plan, settings, secret_store)
    return plan.report


def plan_legacy_config(
    path: Path, profile_name: str, settings: AppSettings, secret_store: SecretStore
) -> LegacyConfigPlan:
    """Read and check `path`; change nothing. Raises LegacyImportError as `import_legacy_config` does."""
    _check_profile_name(profile_name)
    data = _read_json_object(path)
    report = ImportReport(profile_name)

    secrets = _read_secrets(data.get("twitter"), secret_store, report)

    existing = settings.profiles.get(profile_name)
    profile = deepcopy(existing) if existing else Profile(name=profile_name)  # edits land only if all went well
    profile.kind = "x"
    if profile.account_id is not None and _keys_change(secrets, profile_name, secret_store):
        # The account id was learnt from the old keys; new keys may belong to another account, whose DM log
        # must not be mixed up with this one. X is asked again (`legacy_import.py`, `AppContext.owner_id`).
        profile.account_id = None
    _import_profile_fields(data, profile, report)
    if "follower_filters" in data:
        _import_filters(data["follower_filters"], profile, report)
    _note_db_file(data.get("db_file", LEGACY_DB_DEFAULT), path, report)
    known = {*_PROFILE_FIELDS, *_OTHER_KNOWN_KEYS}
    report.notes += [f"{key} is not a Twitter Exporter setting and was ignored." for key in sorted(set(data) - known)]
    return LegacyConfigPlan(profile, secrets, report)


def apply_legacy_config(plan: LegacyConfigPlan, settings: AppSettings, secret_store: SecretStore) -> None:
    """Write the plan: keys into the keyring first, so a keyring failure leaves `settings` as it was."""
    for name, value in plan.secrets.items():
        secret_store.set(plan.report.profile_name, name, value)
    settings.profiles[plan.report.profile_name] = plan.profile


def legacy_db_path(path: Path) -> Path | None:
    """Where `path`'s db_file points (relative names are next to config.json); None when it is no usable path.

    Raises LegacyImportError when config.json itself cannot be read.
    """
    report = ImportReport("")
    _note_db_file(_read_json_object(path).get("db_file", LEGACY_DB_DEFAULT), path, report)
    return report.legacy_db_file


def with_greeting(message: str) -> str:
    """`message` as Twitter Exporter sent it, as a TwExport template: its greeting, then the text as typed.

    Twitter Exporter added the text without reading placeholders, so braces in it were sent as typed; here they
    become {{ and }} so TwExport sends them the same. An empty message stays empty: TwExport then sends no
    retry, and asks for a first message, instead of sending a bare "Hi <name>,".
    """
    if not message.strip():
        return message
    return LEGACY_GREETING + message.replace("{", "{{").replace("}", "}}")


def _check_profile_name(profile_name: str) -> None:
    problem = profile_name_problem(profile_name)
    if problem:
        raise LegacyImportError(f"{problem}. Choose another name for the imported profile.")
    if profile_name == SANDBOX_PROFILE_NAME:
        raise LegacyImportError(
            f"The {SANDBOX_PROFILE_NAME} profile only talks to the built-in emulator; import into a new profile."
        )


def _read_json_object(path: Path) -> dict[str, Any]:
    if path.is_dir():
        raise LegacyImportError(f"{path} is a folder: choose the config.json file inside Twitter Exporter's folder.")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LegacyImportError(f"Could not read {path} because {describe_os_error(error)}.") from error
    except UnicodeDecodeError as error:
        raise LegacyImportError(f"Could not read {path}: it is not UTF-8 text, so it is not a config.json.") from error
    try:
        data = decode_json(text)
    except JsonDocumentError as error:
        raise LegacyImportError(f"{path.name} {error}: fix it in a text editor and import again.") from error
    if not isinstance(data, dict):
        raise LegacyImportError(f"{path.name} must contain a JSON object like Twitter Exporter's config.json.")
    return data


def _read_secrets(raw: object, secret_store: SecretStore, report: ImportReport) -> dict[str, str]:
    if raw is None:
        report.problems.append("twitter is missing: no API keys were imported.")
        return {}
    if not isinstance(raw, dict):
        report.problems.append("twitter must be an object with the four API keys: no API keys were imported.")
        return {}
    valid: dict[str, str] = {}
    for name in _SECRET_FIELDS:
        value = raw.get(name)
        label = f"twitter.{name}"
        if value is None:
            report.problems.append(f"{label} is missing.")
        elif not isinstance(value, str) or not value.strip():
            report.problems.append(f"{label} must be non-empty text; not imported.")
        elif _PLACEHOLDER.match(value.strip()):
            report.problems.append(f"{label} is still the placeholder from the sample config; not imported.")
        else:
            valid[name] = value.strip()  # as SecretStore.set stores it
    report.imported += [f"twitter.{name}" for name in valid]
    if valid and len(valid) < len(_SECRET_FIELDS):
        report.notes.append("Sending DMs needs all four twitter keys: enter the missing ones in Settings.")
    if not secret_store.is_persistent and valid:
        report.notes.append(secret_store.backend_description)
    unknown = sorted(set(raw) - set(_SECRET_FIELDS))
    report.notes += [f"twitter.{key} is not a Twitter Exporter setting and was ignored." for key in unknown]
    return valid


def _keys_change(secrets: dict[str, str], profile_name: str, secret_store: SecretStore) -> bool:
    return any(secret_store.get(profile_name, name) != value for name, value in secrets.items())


def _import_profile_fields(data: dict[str, Any], profile: Profile, report: ImportReport) -> None:
    switches = {name: getattr(profile, name) for name in _SWITCH_FIELDS}
    for legacy_name, target in _PROFILE_FIELDS.items():
        if legacy_name not in data:
            continue
        value = data[legacy_name]
        if target == "test_accounts" and isinstance(value, list):
            value = [normalize_username(item) if isinstance(item, str) else item for item in value]
        problem = PROFILE_FIELD_CHECKS[target](value)
        if problem:
            report.problems.append(f"{legacy_name} {problem}; not imported.")
            continue
        if target in _MESSAGE_FIELDS:
            value = with_greeting(value)
            report.templates[legacy_name] = value
        if target in switches:
            switches[target] = value
        else:
            setattr(profile, target, value)
        report.imported.append(legacy_name)
    # Never a confirmation of live sending: a config file cannot give it (see Profile.live_confirmed_at).
    profile.set_switches(**switches)
    _note_messages(profile, report)


def _note_messages(profile: Profile, report: ImportReport) -> None:
    for legacy_name in _MESSAGE_FIELDS:
        if legacy_name not in report.templates:
            continue
        text = report.templates[legacy_name]
        if not text.strip():
            what = "no first message is set: write one in Settings" if legacy_name == "message" else \
                "TwExport sends no retry"
            report.notes.append(f"{legacy_name} is empty, so {what} (Twitter Exporter would have sent only "
                                "\"Hi <name>,\").")
        elif "{{" in text or "}}" in text:
            report.notes.append(f"{legacy_name} has braces, which Twitter Exporter sent as typed: they are kept "
                                "as literal braces ({{ and }} in the template).")
    if profile.sends_live:
        report.notes.append("Twitter Exporter was set to send live DMs: TwExport sends none until you confirm live "
                            "sending, which says how many people will be messaged.")


def _import_filters(raw: object, profile: Profile, report: ImportReport) -> None:
    if not isinstance(raw, dict):
        report.problems.append("follower_filters must be an object; no filters were imported.")
        return
    filters = deepcopy(profile.follower_filters)
    imported: list[str] = []
    if "created_before" in raw:
        try:
            filters.created_before = _parse_legacy_date(raw["created_before"])
            imported.append("follower_filters.created_before")
        except ValueError as error:
            report.problems.append(f"follower_filters.created_before {error}; not imported.")
    for legacy_name, target in _FILTER_FIELDS.items():
        if legacy_name not in raw:
            continue
        problem = FILTER_FIELD_CHECKS[target](raw[legacy_name])
        if problem:
            report.problems.append(f"follower_filters.{legacy_name} {problem}; not imported.")
            continue
        setattr(filters, target, raw[legacy_name])
        imported.append(f"follower_filters.{legacy_name}")

    range_problems = _legacy_range_problems(filters)
    if range_problems:
        report.problems += range_problems
        return
    profile.follower_filters = filters
    report.imported += imported
    unknown = sorted(set(raw) - {"created_before", *_FILTER_FIELDS})
    report.notes += [f"follower_filters.{key} is not a Twitter Exporter setting and was ignored." for key in unknown]


def _legacy_range_problems(filters: FilterDefaults) -> list[str]:
    """min ≤ max for each pair, phrased with the config.json names the user will look for."""
    problems = []
    for low_name, high_name in _LEGACY_RANGES:
        low, high = getattr(filters, _FILTER_FIELDS[low_name]), getattr(filters, _FILTER_FIELDS[high_name])
        if low is not None and high is not None and low > high:
            problems.append(
                f"follower_filters.{low_name} ({low}) must not be greater than follower_filters.{high_name} ({high}); "
                "no filters were imported."
            )
    return problems


def _parse_legacy_date(value: object) -> datetime | None:
    """Twitter Exporter compared this with X's UTC `created_at`, so it is read as UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date like \"2019-06-27 00:00:00\"")
    try:
        return datetime.strptime(value.strip(), LEGACY_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"must be a date like \"2019-06-27 00:00:00\" (YYYY-MM-DD HH:MM:SS), not {value!r}") from None


def _note_db_file(raw: object, config_path: Path, report: ImportReport) -> None:
    """Twitter Exporter opened db_file from its own folder, where config.json is: relative names start there."""
    if not isinstance(raw, str) or not raw.strip():
        report.notes.append("db_file must be the name of Twitter Exporter's database file: choose the file itself.")
        return
    try:
        db_file = Path(raw).expanduser()
        report.legacy_db_file = db_file if db_file.is_absolute() else (config_path.parent / db_file).resolve()
    except (ValueError, OSError, RuntimeError):  # NUL in the path, unknown ~user, unresolvable link loop
        report.notes.append("db_file is not a usable path: choose Twitter Exporter's database file itself.")
