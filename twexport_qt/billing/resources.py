"""Which billable resources an answer of X holds, and whether they are Owned Reads: the rule, in one place.

X bills reads per resource returned, `includes` too (pricing.mdx: "charged per resource returned in the
response"), and writes per request it accepted (XAPI_FACTS §4.2). The kind of the objects in `data` follows from
the endpoint; `includes.users` are users and `includes.tweets` posts whatever the endpoint.

An Owned Read ($0.001) applies where X lists the endpoint among Owned Reads, the request is signed as the user
(user context) and the path's `{id}` is that signed-in user, who owns the app (XAPI_FACTS §4.2, §9.5). TwExport's
user tokens are the app owner's own (it has no sign-in of other people), so the signed-in user owns the app.
Whenever one of these is not known, e.g. the signed-in account's id was never learnt, the standard rate applies:
the ledger then shows at most what X bills, never less. Included objects are always at the standard rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from twexport_qt.billing.prices import ResourceKind
from twexport_qt.gateway.endpoints import (
    ENDPOINT_DM_EVENTS,
    ENDPOINT_DM_SEND,
    ENDPOINT_FOLLOWERS,
    ENDPOINT_FOLLOWING,
    ENDPOINT_ME,
    ENDPOINT_SEARCH_ALL,
    ENDPOINT_TWEETS,
    ENDPOINT_USER_TWEETS,
    ENDPOINT_USERS,
    ENDPOINT_USERS_BY,
)
from twexport_qt.gateway.x_gateway import AnswerReceipt


@dataclass(frozen=True)
class EndpointBilling:
    """How X bills one endpoint the app calls."""

    endpoint: str
    data_kind: ResourceKind       # what the objects in `data` are (a write: the request itself)
    owned_read_eligible: bool     # X lists it among Owned Reads (`GET /2/users/{id}/...` of the signed-in user)


ENDPOINT_BILLING: Mapping[str, EndpointBilling] = MappingProxyType({
    billing.endpoint: billing for billing in (
        EndpointBilling(ENDPOINT_FOLLOWERS, ResourceKind.FOLLOWS, owned_read_eligible=True),
        EndpointBilling(ENDPOINT_FOLLOWING, ResourceKind.FOLLOWS, owned_read_eligible=True),
        EndpointBilling(ENDPOINT_USER_TWEETS, ResourceKind.POSTS, owned_read_eligible=True),
        EndpointBilling(ENDPOINT_ME, ResourceKind.USERS, owned_read_eligible=False),  # no `{id}`: not listed
        EndpointBilling(ENDPOINT_USERS, ResourceKind.USERS, owned_read_eligible=False),
        EndpointBilling(ENDPOINT_USERS_BY, ResourceKind.USERS, owned_read_eligible=False),
        EndpointBilling(ENDPOINT_TWEETS, ResourceKind.POSTS, owned_read_eligible=False),
        EndpointBilling(ENDPOINT_SEARCH_ALL, ResourceKind.POSTS, owned_read_eligible=False),  # app Bearer only
        EndpointBilling(ENDPOINT_DM_EVENTS, ResourceKind.DM_EVENTS, owned_read_eligible=False),
        EndpointBilling(ENDPOINT_DM_SEND, ResourceKind.DM_CREATE, owned_read_eligible=False),
    )
})

# `includes` sections X fills for the expansions the app asks for, and what each object in them is.
INCLUDED_KINDS: Mapping[str, ResourceKind] = MappingProxyType({
    "users": ResourceKind.USERS,
    "tweets": ResourceKind.POSTS,
})


@dataclass(frozen=True)
class BillableResources:
    """Resources of one kind and one rate in one answer, by id (X de-duplicates per id and UTC day)."""

    kind: ResourceKind
    owned: bool
    resource_ids: tuple[str, ...]


class UnknownEndpoint(KeyError):
    """The gateway reported an answer of an endpoint this table does not describe (a new gateway method)."""


def endpoint_billing(endpoint: str) -> EndpointBilling:
    try:
        return ENDPOINT_BILLING[endpoint]
    except KeyError:
        raise UnknownEndpoint(f"No billing rule for {endpoint}: add it to billing/resources.py.") from None


def owned_read_applies(endpoint: str, *, user_context: bool, subject_id: int | None,
                       signed_in_id: int | None) -> bool:
    """Whether `data` of this request is billed as Owned Reads; False whenever that is not certain."""
    billing = ENDPOINT_BILLING.get(endpoint)
    return (billing is not None and billing.owned_read_eligible and user_context
            and signed_in_id is not None and subject_id == signed_in_id)


def billable_resources(receipt: AnswerReceipt) -> list[BillableResources]:
    """What X bills for one answer, grouped by kind and rate (sections without a billable kind are free)."""
    billing = endpoint_billing(receipt.endpoint)
    owned = owned_read_applies(receipt.endpoint, user_context=receipt.user_context, subject_id=receipt.subject_id,
                               signed_in_id=receipt.signed_in_id)
    groups: dict[tuple[ResourceKind, bool], list[str]] = {}
    if receipt.data_ids:
        groups.setdefault((billing.data_kind, owned), []).extend(receipt.data_ids)
    for section, ids in receipt.included_ids.items():
        kind = INCLUDED_KINDS.get(section)
        if kind is not None and ids:
            groups.setdefault((kind, False), []).extend(ids)
    return [BillableResources(kind, is_owned, tuple(ids)) for (kind, is_owned), ids in groups.items()]
