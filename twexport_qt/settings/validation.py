"""Settings validation. Every problem is a sentence that names its field in the settings form's own words:
"Profile 'Sandbox', tier 2, minimum followers: must be a whole number ≥ 0, or empty for no limit".

The per-field checks are the single source of truth: the JSON loader and the legacy importer apply them value by
value (keeping the valid ones), and `validate_settings` applies them to a whole object before saving. Each check
returns the end of a sentence ("must be ..."), which reads after a field's words and after a file's key alike.
The labels the settings pages show live here too (`PROFILE_FIELD_LABELS`, `FILTER_FIELD_LABELS`...), so a
problem always names a field as the form does; `field_words` turns the settings file's dotted paths
("profiles.Sandbox.tiers[1].min_followers") into those words.

Every whole number has a maximum as well as a minimum. Numbers end up in SQLite (signed 64-bit), in arithmetic
(days x 86,400 seconds) and in Qt widgets and timers (32-bit ints), where an out-of-range value fails far from
its cause (OverflowError); each maximum is the field's sensible range, well inside all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from twexport_qt.billing.prices import DEFAULT_PRICES, MICROS_PER_DOLLAR, PriceTable, ResourceKind
from twexport_qt.campaigns import opt_out
from twexport_qt.campaigns import settings as campaign_settings
from twexport_qt.followers.relationships import RELATIONSHIP_CHOICES
from twexport_qt.settings.model import (
    MAX_TEST_ACCOUNTS,
    PROFILE_KINDS,
    SANDBOX_PROFILE_NAME,
    AppSettings,
    FilterDefaults,
    PriceOverride,
    PriceSettings,
    Profile,
    TierSpec,
)

Check = Callable[[object], "str | None"]
"""Returns None for a valid value, else the end of a sentence ("must be ...")."""

MAX_PROFILE_NAME_LENGTH = 64
_SCREEN_NAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")  # X's rule for @handles

MAX_INT64 = 2**63 - 1
"""SQLite's largest INTEGER: the bound for X ids, which are stored as they are."""
MAX_DAILY_CAP = 1_440
"""X's limit of DMs per user per 24 hours (campaigns.settings.X_DAILY_DM_LIMIT; a test holds them equal)."""
MAX_RETRY_AFTER_DAYS = 3_650
"""Ten years, the settings dialog's range."""
MAX_AUTO_FETCH_MINUTES = 7 * 24 * 60
"""A week, the settings dialog's range; as a Qt timer interval (32-bit milliseconds) it fits with room to spare."""
MAX_BUDGET_USD = Decimal(1_000_000)
"""A budget's ceiling: far above any real spend, so a typo of extra zeros is caught rather than trusted."""
MAX_UNIT_PRICE_USD = Decimal(1)
"""A price per resource or request: X's are a cent or so, so a dollar catches "10" typed for "0.010"."""
MAX_ACTIVITY_DAYS = 36_500
"""The longest "inactive for" or "posted within" a filter takes: a century, more than any account's age."""
MAX_COUNT = 2_000_000_000
"""Follower / following bounds of filters and tiers: far above any account's counts, and within the 32-bit spin
boxes that show them."""
# The campaign code that applies them owns these limits; validation names a field that breaks one.
MAX_OPT_OUT_WORDS = opt_out.MAX_OPT_OUT_WORDS
MAX_OPT_OUT_WORD_LENGTH = opt_out.MAX_OPT_OUT_WORD_LENGTH
MAX_OPT_OUT_LINE_LENGTH = campaign_settings.MAX_OPT_OUT_LINE_LENGTH
"""Limits of the opt-out settings (campaigns.opt_out / campaigns.settings hold the same; a test holds them equal)."""

# -- the form's words ----------------------------------------------------------------------------------------------
# Each setting as its settings page labels it: the pages take their labels from here, so a problem names a field
# exactly as the form shows it. Switches the form shows as a sentence get a short name.
PROFILE_FIELD_LABELS: dict[str, str] = {
    "kind": "Kind of profile (X or Sandbox)",
    "test_mode": "Test mode",
    "dm_enabled": "Master switch (sending DMs)",
    "test_accounts": "Test accounts",
    "test_retry_message": "Test the retry message",
    "message": "First DM",
    "retry_message": "Retry DM",
    "retry_after_days": "Retry after",
    "daily_cap": "Daily cap",
    "auto_fetch_minutes": "Fetch followers every",
    "auto_dm": "Send due DMs automatically",
    "account_id": "X account id",
    "live_confirmed_at": "Confirmation of live sending",
    "tier_messages": "Per-tier messages",
    "opt_out_words": "Opt-out words",
    "opt_out_line": "Opt-out line",
    "daily_budget_usd": "Daily budget (USD)",
    "monthly_budget_usd": "Monthly budget (USD)",
    # "Sign in with X" on the X account page (its checks live with the sign-in, in `settings.codec`).
    "oauth2_client_id": "Client ID",
    "oauth2_redirect_port": "Callback port",
}
COUNT_BOUND_LABELS: dict[str, str] = {
    "min_followers": "Minimum followers",
    "max_followers": "Maximum followers",
    "min_following": "Minimum following",
    "max_following": "Maximum following",
}
"""The follower and following bounds of a filter and of a tier ("following": X's old name is friends)."""
FILTER_FIELD_LABELS: dict[str, str] = {
    "created_after": "Joined after",
    "created_before": "Joined before",
    **COUNT_BOUND_LABELS,
    "verified_only": "Verified only",
    "min_tweets": "Minimum posts",
    "max_tweets": "Maximum posts",
    "min_listed": "Minimum lists",
    "max_listed": "Maximum lists",
    "inactive_days": "Inactive for at least",
    "posted_within_days": "Posted within the last",
    "relationship": "Relationship",
}
TIER_FIELD_LABELS: dict[str, str] = {"name": "Name", **COUNT_BOUND_LABELS}
PRICE_KIND_LABELS: dict[ResourceKind, str] = {
    ResourceKind.FOLLOWS: "Followers / following read, per account",
    ResourceKind.POSTS: "Posts read, per post",
    ResourceKind.USERS: "User look-up, per account",
    ResourceKind.DM_EVENTS: "DM history read, per event",
    ResourceKind.DM_CREATE: "DM sent, per message",
}
PRICE_FIELD_LABELS: dict[str, str] = {"standard": "Standard price (USD)", "owned": "Owned-read price (USD)"}
PRICES_AS_OF_LABEL = "Prices as of"
PRICES_PLACE = "Prices"  # the app-wide tab
ACTIVE_PROFILE_PLACE = "The profile in use"

_PROFILE_FIELD_PATH = re.compile(r"profiles\.(?P<profile>.+)\.(?P<field>\w+)", re.DOTALL)
_FILTER_PATH = re.compile(r"profiles\.(?P<profile>.+)\.follower_filters(?:\.(?P<field>\w+))?", re.DOTALL)
_TIER_PATH = re.compile(r"profiles\.(?P<profile>.+)\.tiers(?:\[(?P<index>\d+)\](?:\.(?P<field>\w+))?)?", re.DOTALL)
_PRICE_PATH = re.compile(r"prices(?:\.(?P<part>as_of|overrides)(?:\.(?P<kind>\w+)(?:\.(?P<field>\w+))?)?)?")


def in_sentence(label: str) -> str:
    """A label as it reads after a comma: "Minimum followers" -> "minimum followers"; "X account id" and "DM
    sent" keep their capitals."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _label(labels: dict[str, str], name: str) -> str:
    return in_sentence(labels[name]) if name in labels else repr(name)


def profile_words(profile: str) -> str:
    """"Profile 'Work'": where every per-profile problem starts (the dialog checks all profiles at once)."""
    return f"Profile {profile!r}"


def profile_field_words(profile: str, field: str) -> str:
    """A setting of the Campaign, Filters or Automation page: "Profile 'Work', daily cap"."""
    labels = FILTER_FIELD_LABELS if field in FILTER_FIELD_LABELS else PROFILE_FIELD_LABELS
    return f"{profile_words(profile)}, {_label(labels, field)}"


def tier_words(profile: str, index: int, field: str | None = None) -> str:
    """A tier by its row (1-based, as the table numbers it): "Profile 'Work', tier 2, minimum followers"."""
    words = f"{profile_words(profile)}, tier {index + 1}"
    return f"{words}, {_label(TIER_FIELD_LABELS, field)}" if field else words


def price_words(kind: ResourceKind | str | None = None, field: str | None = None) -> str:
    """A cell of the Prices table: "Prices, 'Posts read, per post', standard price (USD)"."""
    if kind is None:
        return PRICES_PLACE
    try:
        row = repr(PRICE_KIND_LABELS[ResourceKind(kind)])
    except ValueError:
        row = repr(str(kind))  # a kind X does not bill, from a hand-edited file
    words = f"{PRICES_PLACE}, {row}"
    return f"{words}, {_label(PRICE_FIELD_LABELS, field)}" if field else words


def field_words(path: str) -> str:
    """A dotted path of the settings file in the form's words: "profiles.Sandbox.tiers[1].min_followers" ->
    "Profile 'Sandbox', tier 2, minimum followers". Profile names may hold dots and spaces, so a path is read
    from its end; a path of no known shape is returned as it is."""
    if match := _TIER_PATH.fullmatch(path):
        if match["index"] is None:
            return f"{profile_words(match['profile'])}, tiers"
        return tier_words(match["profile"], int(match["index"]), match["field"])
    if match := _FILTER_PATH.fullmatch(path):
        if match["field"] is None:
            return f"{profile_words(match['profile'])}, filters"
        return f"{profile_words(match['profile'])}, {_label(FILTER_FIELD_LABELS, match['field'])}"
    if (match := _PROFILE_FIELD_PATH.fullmatch(path)) and match["field"] in PROFILE_FIELD_LABELS:
        return profile_field_words(match["profile"], match["field"])
    if path.startswith("profiles."):
        return profile_words(path.removeprefix("profiles."))
    if match := _PRICE_PATH.fullmatch(path):
        if match["part"] == "as_of":
            return PRICES_AS_OF_LABEL
        return price_words(match["kind"], match["field"])
    if path == "active_profile":
        return ACTIVE_PROFILE_PLACE
    return path


def field_problem(path: str, problem: str) -> str:
    """One problem of the setting at `path`, in words: "Profile 'Work', daily cap: must be a whole number ≥ 1"."""
    return f"{field_words(path)}: {problem}"


def unknown_setting(path: str, key: str) -> str:
    """A key of the settings file that no TwExport setting has (`path` is where it was; "" for the top)."""
    found = f"{key!r} is not a known setting and was ignored"
    return f"{field_words(path)}: {found}" if path else found


class OversizedNumber:
    """Stands in for a JSON integer too long to be any setting (`codec.decode_json` makes these).

    Python refuses to convert integers of more than 4,300 digits (ValueError, a guard against quadratic-time
    parsing), and none that long could be valid anyway: the decoder keeps only the sign and the digit count,
    and every numeric check reports it as out of range by the field's name.
    """

    def __init__(self, literal: str) -> None:
        self.negative = literal.startswith("-")
        self.digits = len(literal.lstrip("-"))

    def __repr__(self) -> str:
        return f"<{'-' if self.negative else ''}{self.digits}-digit number>"


def tier_messages(value: object) -> str | None:
    """{"Power user": {"first": "...", "retry": "..."}}: per-tier DM texts."""
    if not isinstance(value, dict):
        return "must map tier names to {\"first\": text, \"retry\": text}"
    for tier, texts in value.items():
        if not isinstance(tier, str) or not isinstance(texts, dict) or set(texts) - {"first", "retry"} \
                or not all(isinstance(text, str) for text in texts.values()):
            return f"must map each tier to {{\"first\": text, \"retry\": text}} (not the entry {tier!r})"
    return None


def whole_number(minimum: int, maximum: int, unit: str = "") -> Check:
    """A whole number from `minimum` to `maximum`; `unit` ("days") makes the too-large message plainer."""
    too_large = f"must be at most {maximum:,}{' ' + unit if unit else ''}"

    def check(value: object) -> str | None:
        if isinstance(value, OversizedNumber) and not value.negative:
            return too_large
        # bool is an int subclass, but `true` for a day count is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            return f"must be a whole number ≥ {minimum}"
        if value > maximum:
            return too_large
        return None

    return check


def optional_whole_number(minimum: int = 0, maximum: int = MAX_COUNT) -> Check:
    inner = whole_number(minimum, maximum)

    def check(value: object) -> str | None:
        if value is None:
            return None
        problem = inner(value)
        return f"{problem}, or empty for no limit" if problem else None

    return check


def parse_usd(value: object, *, example: str = "5 or 2.50") -> Decimal:
    """A dollar amount from settings JSON or a text box: 5, 2.5 or "2.50" (a "$" is allowed). ValueError if not,
    whose sentence shows `example` (a price per resource is better shown as "0.005")."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"must be an amount of US dollars like {example}")
    try:
        amount = Decimal(str(value).strip().removeprefix("$").replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"must be an amount of US dollars like {example}, not {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"must be an amount of US dollars like {example}, not {value!r}")
    return amount


def optional_budget(value: object) -> str | None:
    """None (no budget) or a Decimal from one cent to MAX_BUDGET_USD, in whole cents."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        return "must be an amount of US dollars like 5 or 2.50, or empty for no budget"
    if value < Decimal("0.01"):
        return "must be at least $0.01, or empty for no budget"
    if value > MAX_BUDGET_USD:
        return f"must be at most ${MAX_BUDGET_USD:,}"
    if value != value.quantize(Decimal("0.01")):
        return "must be in whole cents, like 2.50"
    return None


def unit_price(value: object) -> str | None:
    """A Decimal price of one resource: from $0 (X may make a kind free) to MAX_UNIT_PRICE_USD, in micro-dollars
    (what the ledger stores)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return "must be an amount of US dollars like 0.005"
    if value < 0:
        return "must not be negative"
    if value > MAX_UNIT_PRICE_USD:
        return f"must be at most ${MAX_UNIT_PRICE_USD} per resource"
    if value * MICROS_PER_DOLLAR != (value * MICROS_PER_DOLLAR).to_integral_value():
        return "must not be finer than a millionth of a dollar (like 0.000125)"
    return None


def price_override_problems(kind: ResourceKind, override: PriceOverride, path: str,
                            built_in: PriceTable = DEFAULT_PRICES) -> list[str]:
    """Each changed price of `kind` in words (`path` is its place in the file, e.g. "prices.overrides.posts");
    None fields keep X's."""
    problems = []
    for name in ("standard", "owned"):
        amount = getattr(override, name)
        if amount is None:
            continue
        if name == "owned" and built_in.price(kind).owned is None:
            problems.append(field_problem(f"{path}.owned", "must be empty (X has no owned-read rate for it)"))
            continue
        problem = unit_price(amount)
        if problem:
            problems.append(field_problem(f"{path}.{name}", problem))
    return problems


def validate_prices(prices: PriceSettings, built_in: PriceTable = DEFAULT_PRICES) -> list[str]:
    problems = []
    if prices.as_of is not None and not isinstance(prices.as_of, date):
        problems.append(field_problem("prices.as_of", "must be a date like 2026-08-01"))
    elif prices.as_of is None and prices.overrides:
        problems.append(field_problem("prices.as_of", "must be the date the changed prices are from"))
    for kind, override in prices.overrides.items():
        if not isinstance(kind, ResourceKind):
            problems.append(f"{PRICES_PLACE}: {str(kind)!r} is not a resource kind X bills")
        else:
            problems += price_override_problems(kind, override, f"prices.overrides.{kind.value}", built_in)
    return problems


def budget_order_problem(profile: Profile, path: str) -> str | None:
    """A daily budget above the monthly one could never be spent: the monthly budget pauses first. `path` is the
    profile's place in the file ("profiles.Work")."""
    daily, monthly = profile.daily_budget_usd, profile.monthly_budget_usd
    if optional_budget(daily) or optional_budget(monthly) or daily is None or monthly is None:
        return None
    if daily > monthly:
        return field_problem(f"{path}.daily_budget_usd",
                             f"must not be greater than the monthly budget (${monthly}), not ${daily}")
    return None


def boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def text(value: object) -> str | None:
    return None if isinstance(value, str) else "must be text"


def one_of(*choices: str) -> Check:
    def check(value: object) -> str | None:
        return None if value in choices else f"must be {' or '.join(repr(choice) for choice in choices)}"

    return check


def optional_utc_datetime(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return None
    return "must be a date and time (UTC), or empty"


def screen_names(value: object) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "must be a list of X usernames"
    if len(value) > MAX_TEST_ACCOUNTS:
        return f"must list at most {MAX_TEST_ACCOUNTS} accounts (found {len(value)})"
    invalid = [name for name in value if not _SCREEN_NAME.match(name)]
    if invalid:
        return f"must hold only X usernames (not {', '.join(repr(name) for name in invalid)})"
    return None


def opt_out_words(value: object) -> str | None:
    """A list of words or phrases, each with a letter or digit (so it can match a reply); empty: none opt out."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "must be a list of words or phrases"
    if len(value) > MAX_OPT_OUT_WORDS:
        return f"must list at most {MAX_OPT_OUT_WORDS} words or phrases (found {len(value)})"
    unusable = [word for word in value if not any(ch.isalnum() for ch in word)]
    if unusable:
        return f"must each have a letter or digit, or they can never match a reply (not {unusable[0]!r})"
    too_long = [word for word in value if len(word.strip()) > MAX_OPT_OUT_WORD_LENGTH]
    if too_long:
        return f"must each be at most {MAX_OPT_OUT_WORD_LENGTH} characters (not {too_long[0][:20]!r}…)"
    return None


def opt_out_line(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be text"
    if "\n" in value or "\r" in value:
        return "must be a single line"
    if len(value.strip()) > MAX_OPT_OUT_LINE_LENGTH:
        return f"must be at most {MAX_OPT_OUT_LINE_LENGTH} characters"
    return None


def profile_name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "Profile names must not be empty"
    if len(name) > MAX_PROFILE_NAME_LENGTH:
        return f"Profile name {name[:20]!r}... is longer than {MAX_PROFILE_NAME_LENGTH} characters"
    if "/" in name:  # the keyring key is "<profile>/<field>"
        return f"Profile name {name!r} must not contain '/'"
    if name != name.strip():
        return f"Profile name {name!r} must not start or end with spaces"
    return None


PROFILE_FIELD_CHECKS: dict[str, Check] = {
    "kind": one_of(*PROFILE_KINDS),
    "test_mode": boolean,
    "dm_enabled": boolean,
    "test_accounts": screen_names,
    "test_retry_message": boolean,
    "message": text,
    "retry_message": text,
    "retry_after_days": whole_number(0, MAX_RETRY_AFTER_DAYS, "days"),
    "daily_cap": whole_number(1, MAX_DAILY_CAP, "DMs per 24 hours, X's limit"),
    "auto_fetch_minutes": whole_number(0, MAX_AUTO_FETCH_MINUTES, "minutes (a week)"),
    "auto_dm": boolean,
    "account_id": optional_whole_number(0, MAX_INT64),
    "live_confirmed_at": optional_whole_number(0, MAX_INT64),
    "tier_messages": tier_messages,
    "opt_out_words": opt_out_words,
    "opt_out_line": opt_out_line,
    "daily_budget_usd": optional_budget,
    "monthly_budget_usd": optional_budget,
}

FILTER_FIELD_CHECKS: dict[str, Check] = {
    "created_after": optional_utc_datetime,
    "created_before": optional_utc_datetime,
    "min_followers": optional_whole_number(),
    "max_followers": optional_whole_number(),
    "min_following": optional_whole_number(),
    "max_following": optional_whole_number(),
    "verified_only": boolean,
    "min_tweets": optional_whole_number(),
    "max_tweets": optional_whole_number(),
    "min_listed": optional_whole_number(),
    "max_listed": optional_whole_number(),
    "inactive_days": optional_whole_number(0, MAX_ACTIVITY_DAYS),
    "posted_within_days": optional_whole_number(0, MAX_ACTIVITY_DAYS),
    "relationship": one_of(*RELATIONSHIP_CHOICES),
}

TIER_BOUND_CHECKS: dict[str, Check] = {
    "min_followers": optional_whole_number(),
    "max_followers": optional_whole_number(),
    "min_following": optional_whole_number(),
    "max_following": optional_whole_number(),
}

_RANGES = (("min_followers", "max_followers"), ("min_following", "max_following"))
_FILTER_ONLY_RANGES = (("min_tweets", "max_tweets"), ("min_listed", "max_listed"))  # tiers have no such bounds
_COUNT_BOUND = optional_whole_number()


def check_fields(obj: object, checks: dict[str, Check], path: str) -> list[str]:
    """Each field of `obj` (at `path` in the file) that fails its check, in words."""
    problems = []
    for name, check in checks.items():
        problem = check(getattr(obj, name))
        if problem:
            problems.append(field_problem(f"{path}.{name}", problem))
    return problems


def filter_range_problems(filters: FilterDefaults | TierSpec, path: str) -> list[str]:
    """Cross-field rules: each minimum ≤ its maximum, and the date window is not empty. `path` is the filter's or
    the tier's place in the file ("profiles.Work.follower_filters", "profiles.Work.tiers[0]")."""
    problems = []
    ranges = _RANGES + (_FILTER_ONLY_RANGES if isinstance(filters, FilterDefaults) else ())
    for low_name, high_name in ranges:
        low, high = getattr(filters, low_name), getattr(filters, high_name)
        # Only bounds that pass their own check are compared (and shown): the others are reported already.
        if _COUNT_BOUND(low) or _COUNT_BOUND(high) or low is None or high is None:
            continue
        if low > high:
            problems.append(field_problem(f"{path}.{low_name}", f"must not be greater than the "
                                          f"{_label(FILTER_FIELD_LABELS, high_name)} ({high:,}), not {low:,}"))
    if isinstance(filters, FilterDefaults):
        inactive, within = filters.inactive_days, filters.posted_within_days
        if (isinstance(inactive, int) and isinstance(within, int) and not _COUNT_BOUND(inactive)
                and not _COUNT_BOUND(within) and within <= inactive):
            problems.append(field_problem(f"{path}.posted_within_days", f"must be more days than "
                                          f"{_label(FILTER_FIELD_LABELS, 'inactive_days')} ({inactive:,}), "
                                          f"not {within:,}"))
    after, before = getattr(filters, "created_after", None), getattr(filters, "created_before", None)
    if (isinstance(after, datetime) and isinstance(before, datetime) and after.tzinfo and before.tzinfo
            and after >= before):
        problems.append(field_problem(f"{path}.created_after", f"must be earlier than "
                                                               f"{_label(FILTER_FIELD_LABELS, 'created_before')}"))
    return problems


def validate_filters(filters: FilterDefaults, path: str) -> list[str]:
    return check_fields(filters, FILTER_FIELD_CHECKS, path) + filter_range_problems(filters, path)


def validate_tiers(tiers: list[TierSpec], path: str) -> list[str]:
    """Every problem of a profile's tiers (`path`: "profiles.Work.tiers"), each naming its tier by its row."""
    problems = []
    seen: set[str] = set()
    for index, tier in enumerate(tiers):
        tier_path = f"{path}[{index}]"
        if not isinstance(tier.name, str) or not tier.name.strip():
            problems.append(field_problem(f"{tier_path}.name", "must not be empty"))
        elif tier.name in seen:
            problems.append(field_problem(f"{tier_path}.name", f"must differ from the other tiers' names "
                                                               f"({tier.name!r} is used twice)"))
        else:
            seen.add(tier.name)
        problems += check_fields(tier, TIER_BOUND_CHECKS, tier_path) + filter_range_problems(tier, tier_path)
    return problems


def validate_profile(profile: Profile, path: str) -> list[str]:
    """Every problem of `profile`, whose place in the file is `path` ("profiles.Work")."""
    problems = check_fields(profile, PROFILE_FIELD_CHECKS, path)
    order = budget_order_problem(profile, path)
    if order:
        problems.append(order)
    problems += validate_filters(profile.follower_filters, f"{path}.follower_filters")
    problems += validate_tiers(profile.tiers, f"{path}.tiers")
    return problems


def validate_settings(settings: AppSettings) -> list[str]:
    """All problems in `settings`; an empty list means it can be saved."""
    problems = []
    for key, profile in settings.profiles.items():
        name_problem = profile_name_problem(key)
        if name_problem:
            problems.append(name_problem)
        if profile.name != key:
            problems.append(f"{profile_words(key)}: its name must be {key!r}, not {profile.name!r}")
        problems += validate_profile(profile, f"profiles.{key}")
    if settings.active_profile not in settings.profiles:
        problems.append(f"{ACTIVE_PROFILE_PLACE}: must be one of the profiles, not {settings.active_profile!r}")
    sandbox = settings.profiles.get(SANDBOX_PROFILE_NAME)
    if sandbox is None or sandbox.kind != "sandbox":
        problems.append(f"{profile_words(SANDBOX_PROFILE_NAME)}: must exist, as the simulated account")
    problems += validate_prices(settings.prices)
    return problems
