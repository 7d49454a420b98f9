"""The app's settings as plain dataclasses. No secrets here: those live in the SecretStore."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from twexport_qt.campaigns import opt_out

ProfileKind = Literal["sandbox", "x"]
PROFILE_KINDS: tuple[str, ...] = ("sandbox", "x")

SANDBOX_PROFILE_NAME = "Sandbox"
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
class AppSettings:
    active_profile: str = SANDBOX_PROFILE_NAME
    profiles: dict[str, Profile] = field(default_factory=lambda: {SANDBOX_PROFILE_NAME: sandbox_profile()})

    @property
    def active(self) -> Profile:
        return self.profiles[self.active_profile]

    def ensure_invariants(self) -> list[str]:
        """Restore "a Sandbox profile exists" and "the active profile exists"; returns what was repaired."""
        repaired: list[str] = []
        sandbox = self.profiles.get(SANDBOX_PROFILE_NAME)
        if sandbox is None:
            self.profiles[SANDBOX_PROFILE_NAME] = sandbox_profile()
            repaired.append(f"profiles.{SANDBOX_PROFILE_NAME} was missing and has been recreated.")
        elif sandbox.kind != "sandbox":
            sandbox.kind = "sandbox"
            repaired.append(f"profiles.{SANDBOX_PROFILE_NAME}.kind must be \"sandbox\" and has been reset.")
        if self.active_profile not in self.profiles:
            repaired.append(
                f"active_profile {self.active_profile!r} does not exist; switched to {SANDBOX_PROFILE_NAME!r}."
            )
            self.active_profile = SANDBOX_PROFILE_NAME
        return repaired
