"""The app's settings as plain dataclasses. No secrets here: those live in the SecretStore."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from twexport_qt.billing.prices import DEFAULT_PRICES, Price, PriceTable, ResourceKind
from twexport_qt.campaigns import opt_out

ProfileKind = Literal["sandbox", "x"]
PROFILE_KINDS: tuple[str, ...] = ("sandbox", "x")

SANDBOX_PROFILE_NAME = "Sandbox"
# "Sign in with X": X sends the browser back to http://127.0.0.1:<port>/callback, which must be registered in the
# user's developer app exactly, so the port is fixed per profile (the sandbox pre-registers this default's URI).
DEFAULT_REDIRECT_PORT = 8719
MAX_TEST_ACCOUNTS = 5
SETTINGS_VERSION = 1
# A reply that starts with one of these puts the follower on the do-not-contact list; the campaign module that
# applies the rule owns the list (and explains the rule), new profiles start from it.
DEFAULT_OPT_OUT_WORDS = opt_out.DEFAULT_OPT_OUT_WORDS


@dataclass
class FilterDefaults:
    """Which followers a campaign targets by default. None means "no bound"."""

    created_after: datetime | None = None  # timezone-aware UTC
    created_before: datetime | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    min_following: int | None = None  # X calls these "friends"
    max_following: int | None = None
    verified_only: bool = False
    # Added with activity; files written before them load with no bound.
    min_tweets: int | None = None  # posts, as X counts them
    max_tweets: int | None = None
    min_listed: int | None = None  # lists the follower is on
    max_listed: int | None = None
    inactive_days: int | None = None  # no post in the last N days (never posted included)
    posted_within_days: int | None = None
    # Added with following: "any", "mutuals" or "fans" (they follow you, you don't follow them); files written
    # before it load as "any". Text, not the domain's Literal: a hand-edited file may hold anything until validated.
    relationship: str = "any"


@dataclass
class TierSpec:
    """A named follower segment; tiers are tried in order and the first match wins."""

    name: str
    min_followers: int | None = None
    max_followers: int | None = None
    min_following: int | None = None
    max_following: int | None = None


def default_tiers() -> list[TierSpec]:
    return [
        TierSpec("Power user", min_followers=10_000),
        TierSpec("Rising", min_followers=1_000, max_followers=9_999),
        TierSpec("Regular"),  # no bounds: catches everyone else
    ]


@dataclass
class Profile:
    """One X account (or the sandbox) with its campaign defaults. Safe by default: test mode on, DMs off."""

    name: str
    kind: ProfileKind = "x"
    test_mode: bool = True
    dm_enabled: bool = False  # master switch: nothing is sent while False
    test_accounts: list[str] = field(default_factory=list)
    test_retry_message: bool = False
    message: str = ""
    retry_message: str = ""
    retry_after_days: int = 7
    daily_cap: int = 400
    follower_filters: FilterDefaults = field(default_factory=FilterDefaults)
    tiers: list[TierSpec] = field(default_factory=default_tiers)
    auto_fetch_minutes: int = 0  # 0 = off
    auto_dm: bool = False
    # Per-tier overrides: tier name -> {"first": text, "retry": text}; an empty text uses the profile's message.
    tier_messages: dict[str, dict[str, str]] = field(default_factory=dict)
    account_id: int | None = None  # the X account behind the credentials, learnt from /2/users/me (not secret)
    # When the user confirmed live sending (epoch seconds), on seeing how many people it messages. Live DMs go
    # out only while this is set; any path that turns live sending on without that confirmation leaves it None.
    live_confirmed_at: int | None = None
    # Replies to campaign DMs: a reply starting with one of these words opts the follower out (no retry, and on
    # the do-not-contact list); any reply stops the retry. The opt-out line, when set, ends every DM.
    opt_out_words: list[str] = field(default_factory=lambda: list(DEFAULT_OPT_OUT_WORDS))
    opt_out_line: str = ""  # e.g. "Reply STOP to opt out."; empty: no line
    # What X may bill this profile (US dollars) per UTC day and per UTC month; None: no budget. A job pauses
    # before the request that could pass one, and resumes on the next run (billing/guard.py).
    daily_budget_usd: Decimal | None = None
    monthly_budget_usd: Decimal | None = None
    # "Sign in with X" (OAuth 2.0 with PKCE): the user's own developer app's Client ID (public, not a secret) and
    # the loopback port of its registered callback URI. The tokens themselves are in the keyring.
    oauth2_client_id: str = ""
    oauth2_redirect_port: int = DEFAULT_REDIRECT_PORT

    @property
    def sends_live(self) -> bool:
        """Master switch on and test mode off: DMs would go to followers."""
        return self.dm_enabled and not self.test_mode

    def set_switches(self, *, dm_enabled: bool, test_mode: bool, confirmed_at: int | None = None) -> None:
        """Set the master switch and test mode. Turning live sending on needs `confirmed_at` (the moment the user
        confirmed it); staying live keeps the earlier confirmation; leaving live mode forgets it, so the next
        turn-on asks again."""
        was_live = self.sends_live
        self.dm_enabled, self.test_mode = dm_enabled, test_mode
        if not self.sends_live:
            self.live_confirmed_at = None
        elif confirmed_at is not None:
            self.live_confirmed_at = confirmed_at
        elif not was_live:
            self.live_confirmed_at = None


def sandbox_profile() -> Profile:
    """The simulated account, ready to try: sample messages and two simulated test accounts."""
    return Profile(
        name=SANDBOX_PROFILE_NAME,
        kind="sandbox",
        test_accounts=["test_account_1", "test_account_2"],
        message="Hi {first_name}, thanks for following! My weekly newsletter is here: https://example.com/subscribe",
        retry_message="Hi {first_name}, in case you missed it: the newsletter is free at https://example.com/subscribe",
    )


@dataclass
class PriceOverride:
    """The user's own price of one resource kind (US dollars), where X changed it; None keeps TwExport's."""

    standard: Decimal | None = None
    owned: Decimal | None = None  # the Owned Read rate; only kinds that have one (not writes)


@dataclass
class PriceSettings:
    """The prices the user changed, app-wide (X bills every account alike), on top of TwExport's built-in table.

    Only the differences are kept, dated: a copy of the whole table would mask the newer prices of a later
    TwExport. For the same reason edits dated before the built-in table are older news than it, and it is used.
    """

    as_of: date | None = None  # the date the user's prices are from; None: nothing changed, TwExport's date
    overrides: dict[ResourceKind, PriceOverride] = field(default_factory=dict)

    def is_outdated(self, built_in: PriceTable = DEFAULT_PRICES) -> bool:
        """Whether these edits are older than `built_in` (a TwExport update brought newer prices): they are unused."""
        return self.as_of is not None and self.as_of < built_in.as_of

    def table(self, built_in: PriceTable = DEFAULT_PRICES) -> PriceTable:
        """The prices the ledger bills at and estimates use: `built_in` with the user's changes, if not outdated."""
        if self.as_of is None or self.is_outdated(built_in):
            return built_in
        table = PriceTable(self.as_of, built_in.prices)
        for kind, override in self.overrides.items():
            table = table.with_price(kind, standard=override.standard, owned=override.owned)
        return table

    @classmethod
    def from_prices(cls, as_of: date, prices: Mapping[ResourceKind, Price],
                    built_in: PriceTable = DEFAULT_PRICES) -> PriceSettings:
        """What to keep of `prices`, dated `as_of`: those that differ from `built_in`, and the date if anything
        does. Amounts are not checked here: the settings validation names one out of range."""
        overrides = {}
        for kind, price in prices.items():
            default = built_in.price(kind)
            override = PriceOverride(standard=price.standard if price.standard != default.standard else None,
                                     owned=price.owned if price.owned != default.owned else None)
            if override != PriceOverride():
                overrides[kind] = override
        changed = bool(overrides) or as_of != built_in.as_of
        return cls(as_of if changed else None, overrides)


@dataclass
class AppSettings:
    active_profile: str = SANDBOX_PROFILE_NAME
    profiles: dict[str, Profile] = field(default_factory=lambda: {SANDBOX_PROFILE_NAME: sandbox_profile()})
    prices: PriceSettings = field(default_factory=PriceSettings)  # app-wide, not per profile

    @property
    def active(self) -> Profile:
        return self.profiles[self.active_profile]

    def ensure_invariants(self) -> list[str]:
        """Restore "a Sandbox profile exists" and "the active profile exists"; returns what was repaired."""
        repaired: list[str] = []
        sandbox = self.profiles.get(SANDBOX_PROFILE_NAME)
        if sandbox is None:
            self.profiles[SANDBOX_PROFILE_NAME] = sandbox_profile()
            repaired.append(f"Profile {SANDBOX_PROFILE_NAME!r}: it was missing and has been recreated.")
        elif sandbox.kind != "sandbox":
            sandbox.kind = "sandbox"
            repaired.append(f"Profile {SANDBOX_PROFILE_NAME!r}: it must stay the simulated account, and has been "
                            "reset to it.")
        if self.active_profile not in self.profiles:
            repaired.append(
                f"The profile in use: {self.active_profile!r} does not exist; switched to {SANDBOX_PROFILE_NAME!r}."
            )
            self.active_profile = SANDBOX_PROFILE_NAME
        return repaired
