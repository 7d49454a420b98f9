"""What a DM campaign sends, to whom, and the safety switches around it.

Independent of the settings package on purpose: the app maps its saved Profile onto this dataclass, and
the campaign code (and its tests) need nothing else. Safe by default: test mode on, master switch off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from twexport_qt.campaigns.opt_out import (
    DEFAULT_OPT_OUT_WORDS,
    MAX_OPT_OUT_WORD_LENGTH,
    MAX_OPT_OUT_WORDS,
    is_usable_phrase,
)
from twexport_qt.campaigns.templates import MAX_DM_LENGTH, validate_template, with_opt_out_line
from twexport_qt.core.errors import ConfigError
from twexport_qt.core.usernames import unique_usernames
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, validate_tiers

MAX_TEST_ACCOUNTS = 5
X_DAILY_DM_LIMIT = 1440  # X's per-user DM limit per 24 hours
DEFAULT_DAILY_CAP = 400
SECONDS_PER_DAY = 86_400
MAX_OPT_OUT_LINE_LENGTH = 200


class InvalidCampaignSettings(ConfigError, ValueError):
    default_message = "The DM campaign settings are not valid."


@dataclass(frozen=True)
class TierMessages:
    """Per-tier override of the campaign's messages; an empty text falls back to the campaign's own."""

    first: str = ""
    retry: str = ""


@dataclass
class CampaignSettings:
    message: str = ""
    retry_message: str = ""  # empty: no retry step
    tier_messages: dict[str, TierMessages] = field(default_factory=dict)
    retry_after_days: int = 7
    test_mode: bool = True
    test_accounts: list[str] = field(default_factory=list)  # usernames, '@' optional
    test_retry_message: bool = False  # test mode sends the retry message instead of the first
    dm_enabled: bool = False  # master switch: nothing is ever sent while False (dry runs still work)
    # Live DMs also need the user's confirmation, given on seeing how many people they reach (`live_gate.py`).
    live_confirmed: bool = False
    dry_run: bool = False
    daily_cap: int = DEFAULT_DAILY_CAP
    recipient_filter: FollowerFilter | None = None  # None: every current follower
    tiers: Sequence[TierSpec] = DEFAULT_TIERS
    # A reply starting with one of these phrases puts the follower on the do-not-contact list (opt_out.py); any
    # reply at all already stops the retry. Empty: replies are still recorded and honoured, none opts out.
    opt_out_words: Sequence[str] = DEFAULT_OPT_OUT_WORDS
    opt_out_line: str = ""  # appended to every DM when set, e.g. "Reply STOP to opt out."

    def __post_init__(self) -> None:
        self.test_accounts = unique_usernames(self.test_accounts)
        if len(self.test_accounts) > MAX_TEST_ACCOUNTS:
            extra = len(self.test_accounts) - MAX_TEST_ACCOUNTS
            raise InvalidCampaignSettings(
                f"Test mode sends to at most {MAX_TEST_ACCOUNTS} test accounts; {len(self.test_accounts)} are "
                f"listed: remove {extra}."
            )
        if not 1 <= self.daily_cap <= X_DAILY_DM_LIMIT:
            raise InvalidCampaignSettings(
                f"The daily DM cap must be between 1 and {X_DAILY_DM_LIMIT:,} (X's limit per 24 hours); "
                f"it is {self.daily_cap:,}."
            )
        if self.retry_after_days < 1:
            raise InvalidCampaignSettings(
                "Retry after days must be at least 1. To send no retry, leave the retry message empty."
            )
        self.tiers = tuple(self.tiers)
        validate_tiers(self.tiers)
        unknown = sorted(set(self.tier_messages) - {tier.name for tier in self.tiers})
        if unknown:
            raise InvalidCampaignSettings(f"Tier messages are set for {unknown[0]!r}, which is not a tier.")
        self.opt_out_words = tuple(word.strip() for word in self.opt_out_words if word.strip())
        self._check_opt_out()

    @property
    def sends_live(self) -> bool:
        return self.dm_enabled and not self.test_mode and not self.dry_run

    @property
    def retry_enabled(self) -> bool:
        return bool(self.retry_message.strip())

    @property
    def retry_after_seconds(self) -> int:
        return self.retry_after_days * SECONDS_PER_DAY

    def template_for(self, step: str, tier: str) -> str:
        """The template for `step` ('first' or 'retry') to a follower of `tier`, with the opt-out line if set:
        everything that renders a DM (plans, previews, test sends) comes through here, so all of them show it."""
        override = self.tier_messages.get(tier, TierMessages())
        template = (override.first or self.message) if step == "first" else (override.retry or self.retry_message)
        return with_opt_out_line(template, self.opt_out_line)

    def check_templates(self) -> None:
        """Raise InvalidCampaignSettings listing every problem of every template this campaign may send."""
        labelled = [("Message", self.message)]
        if self.retry_enabled:
            labelled.append(("Retry message", self.retry_message))
        for tier, override in self.tier_messages.items():
            labelled += [(f"{tier} message", override.first), (f"{tier} retry message", override.retry)]
        problems = [
            f"{label}: {problem}"
            for label, text in labelled
            if text or label == "Message"  # an empty tier override means "use the default"
            for problem in validate_template(text)
        ]
        for label, text in labelled:
            length = len(with_opt_out_line(text, self.opt_out_line))
            if text.strip() and len(text) <= MAX_DM_LENGTH < length:  # longer texts have their own problem above
                problems.append(f"{label}: with the opt-out line the message has {length:,} characters; "
                                f"X allows at most {MAX_DM_LENGTH:,} in a DM.")
        if problems:
            raise InvalidCampaignSettings(" ".join(problems))

    def _check_opt_out(self) -> None:
        if len(self.opt_out_words) > MAX_OPT_OUT_WORDS:
            raise InvalidCampaignSettings(f"At most {MAX_OPT_OUT_WORDS} opt-out words can be listed; "
                                          f"{len(self.opt_out_words)} are.")
        for word in self.opt_out_words:
            if len(word) > MAX_OPT_OUT_WORD_LENGTH or not is_usable_phrase(word):
                raise InvalidCampaignSettings(
                    f"The opt-out word {word[:MAX_OPT_OUT_WORD_LENGTH]!r} must have a letter or digit and at most "
                    f"{MAX_OPT_OUT_WORD_LENGTH} characters.")
        if "\n" in self.opt_out_line or len(self.opt_out_line.strip()) > MAX_OPT_OUT_LINE_LENGTH:
            raise InvalidCampaignSettings(
                f"The opt-out line must be one line of at most {MAX_OPT_OUT_LINE_LENGTH} characters.")


