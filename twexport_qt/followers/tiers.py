"""High-value tiers ("power users"): an ordered list of follower/following ranges.

Tiers are evaluated in order and the first match wins, so overlapping ranges are allowed and the order is the
priority. The last tier has no limits and catches everyone else, which makes every follower land in exactly
one tier. The same rules exist twice, as a SQL CASE expression (filters, exports, plots over a million rows)
and in Python (`assign_tier`); tests hold the two in agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol


class TierError(ValueError):
    """A tier list the user wrote is not usable; the message says which tier and why."""


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _check_range(tier_name: str, what: str, low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise TierError(
            f"Tier {tier_name!r}: minimum {what} ({low:,}) is greater than maximum {what} ({high:,})."
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


@dataclass(frozen=True, slots=True)
class TierSpec:
    name: str
    min_followers: int | None = None
    max_followers: int | None = None  # inclusive
    min_following: int | None = None
    max_following: int | None = None  # inclusive

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise TierError("Every tier needs a name.")
        _check_range(self.name, "followers", self.min_followers, self.max_followers)
        _check_range(self.name, "following", self.min_following, self.max_following)

    @property
    def is_catch_all(self) -> bool:
        return all(
            bound is None
            for bound in (self.min_followers, self.max_followers, self.min_following, self.max_following)
        )

    def matches(self, followers_count: int, following_count: int) -> bool:
        return (
            _within(followers_count, self.min_followers, self.max_followers)
            and _within(following_count, self.min_following, self.max_following)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TierSpec:
        return cls(
            name=str(data["name"]),
            min_followers=_optional_int(data.get("min_followers")),
            max_followers=_optional_int(data.get("max_followers")),
            min_following=_optional_int(data.get("min_following")),
            max_following=_optional_int(data.get("max_following")),
        )


DEFAULT_TIERS: tuple[TierSpec, ...] = (
    TierSpec("Power user", min_followers=10_000),
    TierSpec("Rising", min_followers=1_000, max_followers=9_999),
    TierSpec("Regular"),
)


class HasCounts(Protocol):
    followers_count: int
    following_count: int


def validate_tiers(tiers: Sequence[TierSpec]) -> None:
    """Raise TierError unless the list is non-empty, names are unique and the last tier catches all."""
    if not tiers:
        raise TierError("Define at least one tier.")
    names = [tier.name for tier in tiers]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise TierError(f"Tier names must be unique; rename the repeated tier {duplicates[0]!r}.")
    if not tiers[-1].is_catch_all:
        raise TierError(
            f"The last tier ({tiers[-1].name!r}) must have no limits: it collects every follower "
            "that no earlier tier matched."
        )


def tier_index(tiers: Sequence[TierSpec], name: str) -> int:
    for index, tier in enumerate(tiers):
        if tier.name == name:
            return index
    known = ", ".join(repr(tier.name) for tier in tiers)
    raise TierError(f"There is no tier named {name!r}; the tiers are {known}.")


def assign_tier(record: HasCounts, tiers: Sequence[TierSpec] = DEFAULT_TIERS) -> int:
    """Index of the first tier `record` matches (the last tier if none does)."""
    for index, tier in enumerate(tiers[:-1]):
        if tier.matches(record.followers_count, record.following_count):
            return index
    return len(tiers) - 1


def tier_case_sql(tiers: Sequence[TierSpec] = DEFAULT_TIERS) -> tuple[str, list[int]]:
    """A SQL expression over `followers_count`/`following_count` giving the tier index, and its parameters.

    Bounds are bound parameters, never interpolated. With a single (catch-all) tier the expression is `0`.
    """
    validate_tiers(tiers)
    branches: list[str] = []
    params: list[int] = []
    for index, tier in enumerate(tiers[:-1]):
        conditions: list[str] = []
        for column, low, high in (
            ("followers_count", tier.min_followers, tier.max_followers),
            ("following_count", tier.min_following, tier.max_following),
        ):
            if low is not None:
                conditions.append(f"{column} >= ?")
                params.append(low)
            if high is not None:
                conditions.append(f"{column} <= ?")
                params.append(high)
        # A limitless tier before the last one swallows everyone: "1" keeps SQL and Python agreeing on that.
        branches.append(f"WHEN {' AND '.join(conditions) or '1'} THEN {index}")
    if not branches:
        return "0", []
    return f"(CASE {' '.join(branches)} ELSE {len(tiers) - 1} END)", params
