"""What X charges per resource under pay-per-use, as one table the ledger, the estimates and Settings share.

X bills reads per resource returned and writes per request (XAPI_FACTS §4.2, X's pricing page as of 2026-08).
An Owned Read, a read of the signed-in app owner's own data, costs $0.001 instead of the standard rate; which
answers qualify is `resources.py`'s question, not this table's. X changes prices, so the table carries the date
its prices are from and can be rebuilt from a plain mapping (a later Settings page edits it).

Money is `Decimal` dollars here; the ledger stores whole micro-dollars so SQL sums stay exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

MICROS_PER_DOLLAR = 1_000_000


class ResourceKind(StrEnum):
    """A billable resource as X's price list names it; the values are what the ledger stores."""

    FOLLOWS = "follows"        # Following/Followers: Read, per user returned by /followers or /following
    POSTS = "posts"            # Posts: Read, per post returned (timelines, look-ups, search, included parents)
    USERS = "users"            # User: Read, per user returned by look-ups, /users/me and `includes.users`
    DM_EVENTS = "dm_events"    # DM Event: Read, per event of a DM history
    DM_CREATE = "dm_create"    # DM Interaction: Create, per request X accepted


@dataclass(frozen=True)
class Price:
    """The price of one resource (or one request, for writes)."""

    standard: Decimal
    owned: Decimal | None = None  # the Owned Read rate; None: this kind has none (writes)
    per_request: bool = False     # billed per accepted request, never de-duplicated (writes)

    def unit(self, owned: bool) -> Decimal:
        """The rate that applies: the Owned Read one only where the answer qualifies and the kind has one."""
        return self.owned if owned and self.owned is not None else self.standard


_OWNED_READ = Decimal("0.001")

DEFAULT_PRICES_AS_OF = dt.date(2026, 8, 1)  # XAPI_FACTS §4.2: pricing.mdx as of 2026-08
DEFAULT_PRICE_LIST: Mapping[ResourceKind, Price] = MappingProxyType({
    ResourceKind.FOLLOWS: Price(Decimal("0.010"), _OWNED_READ),
    ResourceKind.POSTS: Price(Decimal("0.005"), _OWNED_READ),
    ResourceKind.USERS: Price(Decimal("0.010"), _OWNED_READ),
    ResourceKind.DM_EVENTS: Price(Decimal("0.010"), _OWNED_READ),
    ResourceKind.DM_CREATE: Price(Decimal("0.015"), per_request=True),
})


@dataclass(frozen=True)
class PriceTable:
    """X's prices per resource kind, and the month they are from."""

    as_of: dt.date = DEFAULT_PRICES_AS_OF
    prices: Mapping[ResourceKind, Price] = field(default_factory=lambda: DEFAULT_PRICE_LIST)

    def __post_init__(self) -> None:
        missing = [kind.value for kind in ResourceKind if kind not in self.prices]
        if missing:
            raise ValueError(f"The price table has no price for {', '.join(missing)}.")
        for kind, price in self.prices.items():
            if price.standard < 0 or (price.owned is not None and price.owned < 0):
                raise ValueError(f"The price of {kind.value} can not be negative.")
            if to_micros(price.standard) != price.standard * MICROS_PER_DOLLAR or (
                    price.owned is not None and to_micros(price.owned) != price.owned * MICROS_PER_DOLLAR):
                raise ValueError(f"The price of {kind.value} is finer than a millionth of a dollar.")
        # Frozen: nobody may change a table others hold (copy on change with `with_price`).
        object.__setattr__(self, "prices", MappingProxyType(dict(self.prices)))

    def price(self, kind: ResourceKind) -> Price:
        return self.prices[kind]

    def unit_price(self, kind: ResourceKind, *, owned: bool) -> Decimal:
        return self.prices[kind].unit(owned)

    def cost(self, kind: ResourceKind, count: int, *, owned: bool) -> Decimal:
        """What `count` billed resources (or requests) of `kind` cost."""
        return self.unit_price(kind, owned=owned) * count

    def is_per_request(self, kind: ResourceKind) -> bool:
        return self.prices[kind].per_request

    def with_price(self, kind: ResourceKind, *, standard: Decimal | None = None, owned: Decimal | None = None,
                   as_of: dt.date | None = None) -> PriceTable:
        """A copy with one kind's price changed (X changed it), dated `as_of` if given."""
        old = self.prices[kind]
        new = replace(old, standard=old.standard if standard is None else standard,
                      owned=old.owned if owned is None else owned)
        return PriceTable(as_of or self.as_of, {**self.prices, kind: new})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (dollar amounts as strings, so no float rounding creeps in), for settings."""
        return {
            "as_of": self.as_of.isoformat(),
            "prices": {kind.value: {"standard": str(price.standard),
                                    "owned": None if price.owned is None else str(price.owned)}
                       for kind, price in self.prices.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceTable:
        """The table `to_dict` wrote; kinds it does not name keep the default price. ValueError if unreadable."""
        try:
            as_of = dt.date.fromisoformat(str(data.get("as_of", DEFAULT_PRICES_AS_OF.isoformat())))
            prices = dict(DEFAULT_PRICE_LIST)
            for name, entry in dict(data.get("prices") or {}).items():
                kind = ResourceKind(name)
                owned = entry.get("owned")
                prices[kind] = replace(prices[kind], standard=Decimal(str(entry["standard"])),
                                       owned=None if owned is None else Decimal(str(owned)))
        except (ArithmeticError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"The saved price table can not be read ({exc}).") from exc
        return cls(as_of, prices)


def to_micros(amount: Decimal) -> int:
    """Dollars -> whole micro-dollars (what the ledger stores), rounding half up below a micro-dollar."""
    return int((amount * MICROS_PER_DOLLAR).to_integral_value(rounding="ROUND_HALF_UP"))


def from_micros(micros: int) -> Decimal:
    """Micro-dollars -> dollars, exact."""
    return Decimal(micros) / MICROS_PER_DOLLAR


def format_usd(amount: Decimal) -> str:
    """'$1,234.56' for whole cents, else as many decimals as the amount needs (a single follower: '$0.001')."""
    cents = amount.quantize(Decimal("0.01"))
    if cents == amount:
        return f"${cents:,.2f}"
    return f"${amount.normalize():,f}"


DEFAULT_PRICES = PriceTable()
