"""AppSettings ⇄ JSON-ready dicts. Decoding is forgiving: a bad value is reported by name and replaced by its
default, so one typo does not throw away the rest of the user's settings. Each problem names its setting in the
settings form's words (`validation.field_problem`: "Profile 'Work', daily cap: must be ..."), not by its path.

`decode_json` parses the text of settings.json (and of an imported config.json) so that hostile or damaged input
is a sentence, never a traceback: invalid JSON, nesting deep enough to exhaust the parser's recursion, and
integers too long for Python to convert (over 4,300 digits) are all handled.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from twexport_qt.billing.prices import DEFAULT_PRICES, ResourceKind, format_usd
from twexport_qt.settings.model import (
    SETTINGS_VERSION,
    AppSettings,
    FilterDefaults,
    PriceOverride,
    PriceSettings,
    Profile,
    TierSpec,
    default_tiers,
)
from twexport_qt.settings.validation import (
    FILTER_FIELD_CHECKS,
    PRICES_PLACE,
    PROFILE_FIELD_CHECKS,
    TIER_BOUND_CHECKS,
    Check,
    OversizedNumber,
    budget_order_problem,
    field_problem,
    filter_range_problems,
    parse_usd,
    price_override_problems,
    profile_name_problem,
    unknown_setting,
    validate_tiers,
    whole_number,
)

_DATETIME_FIELDS = ("created_after", "created_before")
# Dollar amounts: written as text ("2.50", exact, no float rounding), read from text or a JSON number.
_USD_FIELDS = ("daily_budget_usd", "monthly_budget_usd")
MAX_CLIENT_ID_LENGTH = 200  # X's client ids are about 34 characters; this only catches a pasted paragraph
MIN_REDIRECT_PORT, MAX_REDIRECT_PORT = 1024, 65535  # lower ports need administrator rights on Linux and macOS


def client_id_problem(value: object) -> str | None:
    """The Client ID of an X developer app: one word of printable characters (or empty: not set up yet)."""
    if not isinstance(value, str):
        return "must be text"
    if len(value) > MAX_CLIENT_ID_LENGTH:
        return f"is too long to be a Client ID (at most {MAX_CLIENT_ID_LENGTH} characters)"
    if any(not char.isprintable() or char.isspace() for char in value):
        return "must be one word without spaces (copy the OAuth 2.0 Client ID from developer.x.com)"
    return None


# The sign-in's fields (`settings.validation` holds the other fields' checks).
SIGN_IN_FIELD_CHECKS: dict[str, Check] = {
    "oauth2_client_id": client_id_problem,
    "oauth2_redirect_port": whole_number(MIN_REDIRECT_PORT, MAX_REDIRECT_PORT),
}
# A longer integer literal is out of every setting's range (the widest, an int64 id, has 19 digits and a sign),
# so it is never converted: past 4,300 digits int() raises, and below that it is merely slow and useless.
_MAX_INT_LITERAL = 20
# Real settings nest 5 levels deep. A hard limit far below Python's recursion limit refuses hostile nesting with
# a sentence, instead of depending on how deep the caller's stack already is when RecursionError strikes.
MAX_JSON_DEPTH = 100


class JsonDocumentError(ValueError):
    """The text is not a usable JSON document; `str(error)` ends a sentence that starts with the file name:
    "is not valid JSON (Expecting ',' delimiter at line 3, column 5)"."""


def decode_json(text: str) -> object:
    """Parse `text`; raises JsonDocumentError for invalid JSON, nesting deeper than MAX_JSON_DEPTH or exhausting
    the recursion limit. Integers longer than 20 characters become `OversizedNumber`s that every check refuses."""
    try:
        data = json.loads(text, parse_int=_decode_int)
    except json.JSONDecodeError as error:
        raise JsonDocumentError(
            f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise JsonDocumentError(_too_deep()) from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise JsonDocumentError(_too_deep())
    return data


def _decode_int(literal: str) -> int | OversizedNumber:
    return int(literal) if len(literal) <= _MAX_INT_LITERAL else OversizedNumber(literal)


def _too_deep() -> str:
    return f"is nested more than {MAX_JSON_DEPTH} levels deep, so it cannot be settings (the file may be damaged)"


def _depth_exceeds(data: object, limit: int) -> bool:
    """Whether lists/objects nest deeper than `limit`, found without recursion."""
    level: list[object] = [data]
    for _ in range(limit):
        level = [child for item in level if isinstance(item, (dict, list))
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, (dict, list)) for item in level)


def settings_to_dict(settings: AppSettings) -> dict[str, Any]:
    return {
        "version": SETTINGS_VERSION,
        "active_profile": settings.active_profile,
        "profiles": {key: _profile_to_dict(profile) for key, profile in settings.profiles.items()},
        "prices": _prices_to_dict(settings.prices),
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
                problem = field_problem(f"profiles.{key}", "must be an object")
                problems.append(f"{problem}; that profile was skipped.")
            else:
                settings.profiles[key] = profile_from_dict(key, raw, problems)
    else:
        problems.append("profiles must be an object mapping names to profiles; defaults are used.")

    active = data.get("active_profile")
    if isinstance(active, str):
        settings.active_profile = active
    elif active is not None:
        problems.append(f"{field_problem('active_profile', 'must be text')}; the Sandbox profile is used.")
    if "prices" in data:
        settings.prices = _prices_from_value(data["prices"], problems)
    problems += settings.ensure_invariants()
    problems += [
        f"{unknown_setting('', key)}."
        for key in sorted(set(data) - {"version", "active_profile", "profiles", "prices"})
    ]
    return settings, problems


def _prices_to_dict(prices: PriceSettings) -> dict[str, Any]:
    """Only the user's changes, as exact dollar text: X's other prices come from the TwExport that reads them."""
    return {
        "as_of": prices.as_of.isoformat() if prices.as_of is not None else None,
        "overrides": {kind.value: {name: str(amount) for name, amount in asdict(override).items() if amount is not None}
                      for kind, override in prices.overrides.items()},
    }


def _prices_from_value(raw: object, problems: list[str]) -> PriceSettings:
    """The user's price changes; a bad entry is named and only it falls back to X's price (TwExport's table)."""
    built_in = DEFAULT_PRICES
    if not isinstance(raw, dict):
        problems.append(f"{field_problem('prices', 'must be an object')}; X's prices of {built_in.as_of} are used.")
        return PriceSettings()
    prices = PriceSettings()
    raw_overrides = raw.get("overrides") or {}
    if not isinstance(raw_overrides, dict):
        problems.append(f"{field_problem('prices.overrides', 'must be an object')}; X's prices of {built_in.as_of} "
                        "are used.")
        raw_overrides = {}
    for name, entry in raw_overrides.items():
        path = f"prices.overrides.{name}"
        try:
            kind = ResourceKind(name)
        except ValueError:
            known = ", ".join(kind.value for kind in ResourceKind)
            problems.append(f"{PRICES_PLACE}: {name!r} is not a resource kind X bills ({known}); it was ignored.")
            continue
        override = _price_override_from_value(kind, entry, path, problems)
        if override != PriceOverride():
            prices.overrides[kind] = override
    as_of = raw.get("as_of")
    try:
        prices.as_of = None if as_of is None else date.fromisoformat(as_of) if isinstance(as_of, str) else None
        readable = as_of is None or prices.as_of is not None
    except ValueError:
        readable = False
    if prices.overrides and prices.as_of is None:
        # Undated changes are taken as of TwExport's table, so a later TwExport's newer prices replace them.
        prices.as_of = built_in.as_of
        problem = "is missing" if readable else f"must be a date like 2026-08-01, not {as_of!r}"
        problems.append(f"{field_problem('prices.as_of', problem)}; the changed prices are taken as of "
                        f"{built_in.as_of}.")
    elif not readable:
        problem = field_problem("prices.as_of", f"must be a date like 2026-08-01, not {as_of!r}")
        problems.append(f"{problem}; X's prices of {built_in.as_of} are used.")
    _report_unknown(raw, {"as_of", "overrides"}, "prices", problems)
    return prices


def _price_override_from_value(kind: ResourceKind, raw: object, path: str, problems: list[str]) -> PriceOverride:
    default = DEFAULT_PRICES.price(kind)
    if not isinstance(raw, dict):
        problem = field_problem(path, 'must be an object like {"standard": "0.005"}')
        problems.append(f"{problem}; X's prices of {kind.value} are used.")
        return PriceOverride()
    override = PriceOverride()
    for name in ("standard", "owned"):
        value = raw.get(name)
        if value is None:
            continue
        try:
            amount = parse_usd(value, example="0.005")
        except ValueError as error:
            found = [field_problem(f"{path}.{name}", str(error))]
        else:
            found = price_override_problems(kind, PriceOverride(**{name: amount}), path)
            if not found:
                setattr(override, name, amount)
        x_price = default.standard if name == "standard" else default.owned
        fallback = f"X's price ({format_usd(x_price)}) is used" if x_price is not None else "it was ignored"
        problems += [f"{problem}; {fallback}." for problem in found]
    _report_unknown(raw, {"standard", "owned"}, path, problems)
    return override


def profile_from_dict(name: str, raw: dict[str, Any], problems: list[str]) -> Profile:
    path = f"profiles.{name}"
    checks = {**PROFILE_FIELD_CHECKS, **SIGN_IN_FIELD_CHECKS}
    values = _checked_values(_with_usd_amounts(raw, path, problems), checks, path, problems)
    profile = Profile(name=name, **values)
    order = budget_order_problem(profile, path)
    if order:
        problems.append(f"{order}; the daily budget was cleared.")
        profile.daily_budget_usd = None
    if "follower_filters" in raw:
        profile.follower_filters = _filters_from_dict(raw["follower_filters"], f"{path}.follower_filters", problems)
    if "tiers" in raw:
        profile.tiers = _tiers_from_value(raw["tiers"], f"{path}.tiers", problems)
    _report_unknown(raw, {"name", "follower_filters", "tiers", *checks}, path, problems)
    return profile


def _with_usd_amounts(raw: dict[str, Any], path: str, problems: list[str]) -> dict[str, Any]:
    """`raw` with its dollar amounts as Decimals; an unreadable one is reported and left out (its default)."""
    decoded = dict(raw)
    for name in _USD_FIELDS:
        value = decoded.get(name)
        if value is None or isinstance(value, Decimal):
            continue
        try:
            decoded[name] = parse_usd(value)
        except ValueError as error:
            problems.append(field_problem(f"{path}.{name}", f"{error}; the default is used."))
            del decoded[name]
    return decoded


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
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _profile_to_dict(profile: Profile) -> dict[str, Any]:
    data = asdict(profile)
    for name in _USD_FIELDS:
        amount = getattr(profile, name)
        data[name] = None if amount is None else str(amount)
    for name in _DATETIME_FIELDS:
        moment = getattr(profile.follower_filters, name)
        data["follower_filters"][name] = moment.isoformat() if moment else None
    return data


def _filters_from_dict(raw: object, path: str, problems: list[str]) -> FilterDefaults:
    if not isinstance(raw, dict):
        problems.append(f"{field_problem(path, 'must be an object')}; default filters are used.")
        return FilterDefaults()
    decoded = dict(raw)
    for name in _DATETIME_FIELDS:
        if name in decoded:
            try:
                decoded[name] = parse_iso_datetime(decoded[name])
            except ValueError as error:
                problems.append(field_problem(f"{path}.{name}", f"{error}; it was cleared."))
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
        problems.append(f"{field_problem(path, 'must be a list of tiers, each with a name')}; the default tiers are "
                        "used.")
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
            problems.append(field_problem(f"{path}.{name}", f"{problem}; the default is used."))
        else:
            values[name] = raw[name]
    return values


def _report_unknown(raw: dict[str, Any], known: set[str], path: str, problems: list[str]) -> None:
    problems += [f"{unknown_setting(path, key)}." for key in sorted(set(raw) - known)]
