"""AppSettings ⇄ JSON-ready dicts. Decoding is forgiving: a bad value is reported by name and replaced by its
default, so one typo does not throw away the rest of the user's settings."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from twexport_qt.settings.model import (
    SETTINGS_VERSION,
    AppSettings,
    FilterDefaults,
    Profile,
    TierSpec,
    default_tiers,
)
from twexport_qt.settings.validation import (
    FILTER_FIELD_CHECKS,
    PROFILE_FIELD_CHECKS,
    TIER_BOUND_CHECKS,
    Check,
    filter_range_problems,
    profile_name_problem,
    validate_tiers,
)

_DATETIME_FIELDS = ("created_after", "created_before")


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    return {
        "version": SETTINGS_VERSION,
        "active_profile": settings.active_profile,
        "profiles": {key: _profile_to_dict(profile) for key, profile in settings.profiles.items()},
    }


def settings_from_dict(data: object) -> tuple[AppSettings, list[str]]:
    """Build settings from parsed JSON; returns them with every problem found (empty when all was valid)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return AppSettings(), ["The settings file does not contain a JSON object; defaults are used."]
    version = data.get("version", SETTINGS_VERSION)
    if isinstance(version, int) and version > SETTINGS_VERSION:
        problems.append("The settings file was written by a newer TwExport; settings it added are ignored.")

    settings = AppSettings(profiles={})
    raw_profiles = data.get("profiles", {})
    if isinstance(raw_profiles, dict):
        for key, raw in raw_profiles.items():
            name_problem = profile_name_problem(key)
            if name_problem:
                problems.append(f"{name_problem}; that profile was skipped.")
            elif not isinstance(raw, dict):
                problems.append(f"profiles.{key} must be an object; that profile was skipped.")
            else:
                settings.profiles[key] = profile_from_dict(key, raw, problems)
    else:
        problems.append("profiles must be an object mapping names to profiles; defaults are used.")

    active = data.get("active_profile")
    if isinstance(active, str):
        settings.active_profile = active
    elif active is not None:
        problems.append("active_profile must be text; the Sandbox profile is used.")
    problems += settings.ensure_invariants()
    problems += [
        f"{key} is not a known setting and was ignored."
        for key in sorted(set(data) - {"version", "active_profile", "profiles"})
    ]
    return settings, problems


def profile_from_dict(name: str, raw: dict[str, Any], problems: list[str]) -> Profile:
    path = f"profiles.{name}"
    values = _checked_values(raw, PROFILE_FIELD_CHECKS, path, problems)
    profile = Profile(name=name, **values)
    if "follower_filters" in raw:
        profile.follower_filters = _filters_from_dict(raw["follower_filters"], f"{path}.follower_filters", problems)
    if "tiers" in raw:
        profile.tiers = _tiers_from_value(raw["tiers"], f"{path}.tiers", problems)
    _report_unknown(raw, {"name", "follower_filters", "tiers", *PROFILE_FIELD_CHECKS}, path, problems)
    return profile


def parse_iso_datetime(value: object) -> datetime | None:
    """ISO 8601 text → aware UTC datetime; a value without offset is taken as UTC (X reports times in UTC)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("must be a date and time like 2019-06-27T00:00:00+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a date and time like 2019-06-27T00:00:00+00:00, not {value!r}") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _profile_to_dict(profile: Profile) -> dict[str, Any]:
    data = asdict(profile)
    for name in _DATETIME_FIELDS:
        moment = getattr(profile.follower_filters, name)
        data["follower_filters"][name] = moment.isoformat() if moment else None
    return data


def _filters_from_dict(raw: object, path: str, problems: list[str]) -> FilterDefaults:
    if not isinstance(raw, dict):
        problems.append(f"{path} must be an object; default filters are used.")
        return FilterDefaults()
    decoded = dict(raw)
    for name in _DATETIME_FIELDS:
        if name in decoded:
            try:
                decoded[name] = parse_iso_datetime(decoded[name])
            except ValueError as error:
                problems.append(f"{path}.{name} {error}; it was cleared.")
                del decoded[name]
    filters = FilterDefaults(**_checked_values(decoded, FILTER_FIELD_CHECKS, path, problems))
    _report_unknown(raw, set(FILTER_FIELD_CHECKS), path, problems)
    range_problems = filter_range_problems(filters, path)
    if range_problems:
        problems += [f"{problem}; default filters are used." for problem in range_problems]
        return FilterDefaults()
    return filters


def _tiers_from_value(raw: object, path: str, problems: list[str]) -> list[TierSpec]:
    """All-or-nothing: tiers only make sense as an ordered set, so any bad tier restores the default set."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) and "name" in item for item in raw):
        problems.append(f"{path} must be a list of tiers, each with a name; the default tiers are used.")
        return default_tiers()
    tiers = [TierSpec(name=item["name"], **{bound: item.get(bound) for bound in TIER_BOUND_CHECKS}) for item in raw]
    tier_problems = validate_tiers(tiers, path)
    if tier_problems:
        problems += [f"{problem}; the default tiers are used." for problem in tier_problems]
        return default_tiers()
    for index, item in enumerate(raw):
        _report_unknown(item, {"name", *TIER_BOUND_CHECKS}, f"{path}[{index}]", problems)
    return tiers


def _checked_values(raw: dict[str, Any], checks: dict[str, Check], path: str, problems: list[str]) -> dict[str, Any]:
    """The values in `raw` that pass their check; each failure is reported and left to the dataclass default."""
    values = {}
    for name, check in checks.items():
        if name not in raw:
            continue
        problem = check(raw[name])
        if problem:
            problems.append(f"{path}.{name} {problem}; the default is used.")
        else:
            values[name] = raw[name]
    return values


def _report_unknown(raw: dict[str, Any], known: set[str], path: str, problems: list[str]) -> None:
    problems += [f"{path}.{key} is not a known setting and was ignored." for key in sorted(set(raw) - known)]
