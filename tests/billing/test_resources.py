"""Which resources an answer holds and when X bills them as Owned Reads: only for the signed-in user's own data."""

from __future__ import annotations

import pytest

from twexport_qt.billing.prices import ResourceKind
from twexport_qt.billing.resources import (
    ENDPOINT_BILLING,
    BillableResources,
    UnknownEndpoint,
    billable_resources,
    owned_read_applies,
)
from twexport_qt.gateway import endpoints
from twexport_qt.gateway.x_gateway import AnswerReceipt

ME, OTHER = 100, 200


def receipt(endpoint, *, user_context=True, subject=ME, signed_in=ME, data=("1", "2"), included=None):
    return AnswerReceipt(endpoint, user_context, subject, signed_in, tuple(data), included or {})


def test_every_endpoint_the_gateway_calls_has_a_billing_rule():
    called = {value for name, value in vars(endpoints).items()
              if name.startswith("ENDPOINT_") and name != "ENDPOINT_SPACES_BY_CREATOR_IDS"}
    assert called == set(ENDPOINT_BILLING)


def test_my_followers_and_my_tweets_read_as_me_are_owned_reads():
    for endpoint in (endpoints.ENDPOINT_FOLLOWERS, endpoints.ENDPOINT_USER_TWEETS):
        assert owned_read_applies(endpoint, user_context=True, subject_id=ME, signed_in_id=ME)


@pytest.mark.parametrize("user_context, subject, signed_in", [
    (False, ME, ME),     # the app's Bearer token: not a read by the user
    (True, OTHER, ME),   # someone else's followers
    (True, ME, None),    # the signed-in account is not known: unsure, so standard
    (True, None, ME),
])
def test_anything_less_certain_is_the_standard_rate(user_context, subject, signed_in):
    assert not owned_read_applies(endpoints.ENDPOINT_FOLLOWERS, user_context=user_context, subject_id=subject,
                                  signed_in_id=signed_in)


def test_look_ups_and_dm_history_are_never_owned_reads():
    for endpoint in (endpoints.ENDPOINT_ME, endpoints.ENDPOINT_USERS, endpoints.ENDPOINT_TWEETS,
                     endpoints.ENDPOINT_DM_EVENTS, endpoints.ENDPOINT_SEARCH_ALL):
        assert not owned_read_applies(endpoint, user_context=True, subject_id=ME, signed_in_id=ME)


def test_included_objects_are_billed_at_the_standard_rate_by_their_own_kind():
    answer = receipt(endpoints.ENDPOINT_USER_TWEETS, data=("t1", "t2"),
                     included={"tweets": ("p1",), "users": ("u1", "u2"), "media": ("m1",)})
    assert billable_resources(answer) == [
        BillableResources(ResourceKind.POSTS, True, ("t1", "t2")),
        BillableResources(ResourceKind.POSTS, False, ("p1",)),
        BillableResources(ResourceKind.USERS, False, ("u1", "u2")),
    ]


def test_someone_elses_timeline_and_its_parents_are_one_standard_group():
    answer = receipt(endpoints.ENDPOINT_USER_TWEETS, subject=OTHER, data=("t1",), included={"tweets": ("p1",)})
    assert billable_resources(answer) == [BillableResources(ResourceKind.POSTS, False, ("t1", "p1"))]


def test_kinds_follow_the_endpoint():
    kinds = {endpoint: billable_resources(receipt(endpoint, subject=None))[0].kind
             for endpoint in (endpoints.ENDPOINT_ME, endpoints.ENDPOINT_USERS_BY, endpoints.ENDPOINT_FOLLOWERS,
                              endpoints.ENDPOINT_DM_EVENTS, endpoints.ENDPOINT_DM_SEND, endpoints.ENDPOINT_TWEETS)}
    assert kinds == {endpoints.ENDPOINT_ME: ResourceKind.USERS, endpoints.ENDPOINT_USERS_BY: ResourceKind.USERS,
                     endpoints.ENDPOINT_FOLLOWERS: ResourceKind.FOLLOWS,
                     endpoints.ENDPOINT_DM_EVENTS: ResourceKind.DM_EVENTS,
                     endpoints.ENDPOINT_DM_SEND: ResourceKind.DM_CREATE, endpoints.ENDPOINT_TWEETS: ResourceKind.POSTS}


def test_an_endpoint_without_a_rule_is_named():
    with pytest.raises(UnknownEndpoint, match="GET /2/lists"):
        billable_resources(receipt("GET /2/lists/:id/members"))
