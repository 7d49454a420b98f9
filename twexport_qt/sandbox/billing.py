"""The sandbox's bill: what X's pay-per-use would charge for the answers the sandbox gave.

X bills reads per resource returned, `includes` too, and writes per accepted request; resources are
de-duplicated per UTC day; failed requests are not billed (XAPI_FACTS §4.2, §9.5). An Owned Read ($0.001) is a
read of a listed endpoint, signed as the user, whose path `{id}` is that user, who owns the app: in the sandbox
the one account, which owns the sandbox app. Billing is per app, and the sandbox has one app: Bearer and user
requests land on one bill.

Kept apart from the app's own `billing/` on purpose: this is X's side, written from X's documentation, and the
app's ledger is tested against it. Where X's rule is unsure the sandbox takes the dearer reading ("no kinder than
X"): included objects are billed, at the standard rate, and a resource read once as an Owned Read and once at
the standard rate on one day is billed twice. X counts requests it processed even when the client never heard
the answer (a dropped connection), so those are billed here too.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.population import SANDBOX_USER_ID


class XResource(StrEnum):
    """X's price-list lines the sandbox's endpoints bill (pricing.mdx, 2026-08)."""

    POSTS_READ = "Posts: Read"
    USER_READ = "User: Read"
    DM_EVENT_READ = "DM Event: Read"
    FOLLOWS_READ = "Following/Followers: Read"
    DM_CREATE = "DM Interaction: Create"


X_PRICES: Mapping[XResource, Decimal] = {
    XResource.POSTS_READ: Decimal("0.005"),
    XResource.USER_READ: Decimal("0.010"),
    XResource.DM_EVENT_READ: Decimal("0.010"),
    XResource.FOLLOWS_READ: Decimal("0.010"),
    XResource.DM_CREATE: Decimal("0.015"),
}
OWNED_READ_PRICE = Decimal("0.001")
PER_REQUEST = frozenset({XResource.DM_CREATE})

# What the objects in each endpoint's `data` are; what each `includes` section holds.
DATA_RESOURCE: Mapping[Endpoint, XResource] = {
    Endpoint.USERS_ME: XResource.USER_READ,
    Endpoint.USERS_LOOKUP: XResource.USER_READ,
    Endpoint.FOLLOWERS: XResource.FOLLOWS_READ,
    Endpoint.FOLLOWING: XResource.FOLLOWS_READ,
    Endpoint.USER_TWEETS: XResource.POSTS_READ,
    Endpoint.TWEETS_LOOKUP: XResource.POSTS_READ,
    Endpoint.SEARCH_ALL: XResource.POSTS_READ,
    Endpoint.DM_EVENTS: XResource.DM_EVENT_READ,
    Endpoint.DM_SEND: XResource.DM_CREATE,
}
INCLUDED_RESOURCE: Mapping[str, XResource] = {"users": XResource.USER_READ, "tweets": XResource.POSTS_READ}
# X's Owned Reads among the sandbox's endpoints: `GET /2/users/{id}/followers`, `/following` and `/tweets`.
OWNED_READ_ENDPOINTS = frozenset({Endpoint.FOLLOWERS, Endpoint.FOLLOWING, Endpoint.USER_TWEETS})

# The sandbox app's project, as `GET /2/usage/tweets` names it.
PROJECT_ID = "1486732650112401500"
CLIENT_APP_ID = "29170001"
PROJECT_CAP = 3_000_000  # Post reads per billing cycle (XAPI_FACTS §4.2, since 2026-08-13)
CAP_RESET_DAY = 1        # the billing cycle starts on this day of the month


@dataclass(frozen=True)
class Charge:
    """What X billed for one answer, per price-list line and rate."""

    at: float               # sandbox clock
    day: dt.date            # X's billing day (UTC)
    endpoint: Endpoint
    resource: XResource
    owned: bool
    returned: int
    billed: int             # after the day's de-duplication
    amount: Decimal


def billing_day(epoch: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date()


class SandboxBilling:
    """The running bill of the sandbox app; `server.billing` in tests (`total()`, `billed()`, `charges()`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._charges: list[Charge] = []
        # (resource, owned, id) billed, per day; only the current day's set is kept.
        self._billed_ids: dict[dt.date, set[tuple[XResource, bool, str]]] = {}

    def charge(self, endpoint: Endpoint, context: AuthContext, path_params: Mapping[str, str],
               body: Mapping[str, Any], now: float) -> list[Charge]:
        """Bill a successful answer (a 2xx) the sandbox gave; returns its charges (none for an empty one)."""
        resource = DATA_RESOURCE.get(endpoint)
        groups: dict[tuple[XResource, bool], list[str]] = {}
        data = body.get("data")
        if resource is not None and data:
            owned = (endpoint in OWNED_READ_ENDPOINTS and context == AuthContext.USER
                     and path_params.get("id") == str(SANDBOX_USER_ID))
            objects = data if isinstance(data, list) else [data]
            groups[(resource, owned)] = [_resource_id(obj, endpoint) for obj in objects]
        for section, objects in (body.get("includes") or {}).items():
            included = INCLUDED_RESOURCE.get(section)
            if included is not None and objects:
                groups.setdefault((included, False), []).extend(str(obj.get("id", "")) for obj in objects)
        day = billing_day(now)
        charges: list[Charge] = []
        with self._lock:
            seen = self._day_set(day)
            for (line, owned), ids in groups.items():
                if line in PER_REQUEST:
                    billed = len(ids)
                else:
                    fresh = {(line, owned, resource_id) for resource_id in ids} - seen
                    seen |= fresh
                    billed = len(fresh)
                price = OWNED_READ_PRICE if owned and line not in PER_REQUEST else X_PRICES[line]
                charges.append(Charge(now, day, endpoint, line, owned, len(ids), billed, price * billed))
            self._charges.extend(charges)
        return charges

    def _day_set(self, day: dt.date) -> set[tuple[XResource, bool, str]]:
        if day not in self._billed_ids:
            for old in [known for known in self._billed_ids if known < day]:
                del self._billed_ids[old]
            self._billed_ids[day] = set()
        return self._billed_ids[day]

    # -- what tests and /2/usage/tweets read --------------------------------------------------------------------
    def charges(self) -> list[Charge]:
        with self._lock:
            return list(self._charges)

    def total(self, *, day: dt.date | None = None, resource: XResource | None = None,
              endpoint: Endpoint | None = None) -> Decimal:
        """Dollars billed (on one day, for one line or endpoint if given)."""
        return sum((charge.amount for charge in self._matching(day, resource, endpoint)), Decimal(0))

    def billed(self, resource: XResource | None = None, *, day: dt.date | None = None,
               owned: bool | None = None) -> int:
        """Resources (requests, for writes) billed, after de-duplication."""
        return sum(charge.billed for charge in self._matching(day, resource, None)
                   if owned is None or charge.owned == owned)

    def post_reads(self, first_day: dt.date, last_day: dt.date) -> int:
        """Posts billed from `first_day` to `last_day`: what counts toward the monthly Post cap."""
        return sum(charge.billed for charge in self.charges()
                   if charge.resource == XResource.POSTS_READ and first_day <= charge.day <= last_day)

    def reset(self) -> None:
        with self._lock:
            self._charges.clear()
            self._billed_ids.clear()

    def _matching(self, day: dt.date | None, resource: XResource | None, endpoint: Endpoint | None) -> list[Charge]:
        return [charge for charge in self.charges()
                if (day is None or charge.day == day) and (resource is None or charge.resource == resource)
                and (endpoint is None or charge.endpoint == endpoint)]


def cycle_start(today: dt.date, reset_day: int = CAP_RESET_DAY) -> dt.date:
    """The first day of the billing cycle `today` lies in (the cycle restarts on `reset_day` of each month)."""
    if today.day >= reset_day:
        return today.replace(day=reset_day)
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return previous.replace(day=min(reset_day, previous.day))


def _resource_id(obj: Any, endpoint: Endpoint) -> str:
    if endpoint == Endpoint.DM_SEND and isinstance(obj, Mapping):
        return str(obj.get("dm_event_id", ""))
    return str(obj.get("id", "")) if isinstance(obj, Mapping) else ""
